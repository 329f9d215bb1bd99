//! The domain's vocabulary as types: page kinds, relationship tiers, contact roles and styles,
//! visit kinds. Parsed once from front matter; strings do not travel inward.

use serde::Serialize;

/// An enum whose values are written as fixed ids in front matter and URLs.
macro_rules! id_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident => $id:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($var),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            pub const IDS: &'static [&'static str] = &[$($id),+];

            pub fn id(self) -> &'static str {
                match self { $($name::$var => $id),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s.trim() { $($id => Some($name::$var),)+ _ => None }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.id())
            }
        }
    };
}

id_enum!(
    /// What a page is; decides its template and what its front matter may hold.
    Kind {
        Customer => "customer",
        Competitor => "competitor",
        VisitScript => "visit-script",
        Spin => "spin",
        Fab => "fab",
        Guide => "guide",
        Page => "page",
    }
);

impl Kind {
    /// The kind given by the folder a file is in (`playbooks/` defers to front matter).
    pub fn of_section(section: &str) -> Kind {
        match section {
            "customers" => Kind::Customer,
            "competitors" => Kind::Competitor,
            "scripts" => Kind::VisitScript,
            "playbooks" => Kind::Guide,
            _ => Kind::Page,
        }
    }

    pub fn template(self) -> String {
        format!("{}.html", self.id())
    }
}

id_enum!(
    /// The five relationship tiers (客户关系的五种类型), shallow to deep.
    Tier {
        Basic => "basic",
        Passive => "passive",
        Responsible => "responsible",
        Proactive => "proactive",
        Partner => "partner",
    }
);

id_enum!(
    /// A contact's role in the buying organisation.
    Role {
        DecisionMaker => "decision-maker",
        User => "user",
        Technical => "technical",
        Financial => "financial",
        Purchaser => "purchaser",
        Coach => "coach",
    }
);

id_enum!(
    /// Personality style, used to plan the conversation order.
    Style {
        Eagle => "eagle",
        Fox => "fox",
        Donkey => "donkey",
        Sheep => "sheep",
    }
);

impl Style {
    /// The order to run a conversation in, as label keys (docs/domain.md, personality styles).
    pub fn conversation_order(self) -> [&'static str; 3] {
        match self {
            Style::Eagle => ["listen", "ask", "speak"],
            Style::Fox => ["ask", "listen", "speak"],
            Style::Donkey | Style::Sheep => ["speak", "ask", "listen"],
        }
    }
}

id_enum!(
    /// The four kinds of customer visit.
    VisitKind {
        Phone => "phone",
        Cold => "cold",
        FollowUp => "follow-up",
        Routine => "routine",
    }
);

id_enum!(
    /// High or low, for purchase potential and share of customer.
    Level {
        High => "high",
        Low => "low",
    }
);

id_enum!(
    /// A competitor's price level.
    PriceLevel {
        Low => "low",
        Mid => "mid",
        High => "high",
    }
);

/// A funnel stage, as an index into the site's configured stage list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StageIx(pub usize);

/// Builds a URL-safe, human-readable slug: CJK and letters kept, spaces to `-`.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_') && !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for t in Tier::ALL {
            assert_eq!(Tier::parse(t.id()), Some(*t));
        }
        assert_eq!(Role::parse("decision-maker"), Some(Role::DecisionMaker));
        assert_eq!(VisitKind::parse("followup"), None);
    }

    #[test]
    fn slugify_keeps_cjk() {
        assert_eq!(slugify("华东精密 机械"), "华东精密-机械");
        assert_eq!(slugify("ABB Robotics!"), "abb-robotics");
    }
}
