//! The words a team types for each fixed value: the English id, the theme's labels, the
//! seed material's own names (合作伙伴关系, 基本客户关系, 负责任) and their bare short forms
//! (负责, 鹰). One table per kind of value, read by front matter, `import` and the "did you
//! mean" of both, so that a name accepted in one place is accepted in all of them; the id
//! stays the one canonical form (JSON exports, URLs, templates).
//!
//! Names are compared after NFKC (full-width `（` is `(`), without case, with spaces and `_`
//! as `-`: `Decision maker`, `decision_maker` and `decision-maker` are one role (but
//! `followup` is no `follow-up`: a word run together is a typo to point out).

use crate::config::SiteConfig;
use crate::diagnostics::closest;
use crate::model::{Level, PriceLevel, Relationship, Role, StageIx, Style, Tier, VisitKind};

/// A fixed value and the names it goes by.
pub trait Word: Copy + 'static {
    fn all() -> &'static [Self];
    fn id(self) -> &'static str;
    /// Its other names: the Chinese name first (what a zh-CN export writes), then the other
    /// Chinese and English forms.
    fn names(self) -> &'static [&'static str];
}

macro_rules! words {
    ($t:ty { $($var:ident => [$($name:literal),+ $(,)?]),+ $(,)? }) => {
        impl Word for $t {
            fn all() -> &'static [Self] {
                <$t>::ALL
            }
            fn id(self) -> &'static str {
                <$t>::id(self)
            }
            fn names(self) -> &'static [&'static str] {
                match self { $(<$t>::$var => &[$($name),+]),+ }
            }
        }
    };
}

words!(Tier {
    Basic => ["基本关系", "基本客户关系", "基本", "基本型关系"],
    Passive => ["被动关系", "被动客户关系", "被动", "被动型关系"],
    Responsible => ["负责关系", "负责任", "负责", "负责任关系", "负责任的关系", "负责客户关系"],
    Proactive => ["主动关系", "主动客户关系", "主动", "主动型关系"],
    Partner => ["伙伴关系", "合作伙伴关系", "伙伴", "合作伙伴", "伙伴客户关系"],
});

words!(Role {
    DecisionMaker => ["决策人", "决策者", "决策"],
    User => ["使用者", "使用人", "用户"],
    Technical => ["技术把关者", "技术把关", "技术", "Technical gatekeeper"],
    Financial => ["财务把关者", "财务把关", "财务", "Financial gatekeeper"],
    Purchaser => ["采购人员", "采购员", "采购"],
    Coach => ["向导", "向导（内线）", "内线", "向导/内线", "教练", "guide"],
});

words!(Style {
    Eagle => ["鹰", "老鹰", "鹰型"],
    Fox => ["狐", "狐狸", "狐型"],
    Donkey => ["驴", "毛驴", "驴型"],
    Sheep => ["羊", "绵羊", "羊型"],
});

words!(VisitKind {
    Phone => ["电话拜访", "电话", "Phone visit"],
    Cold => ["陌生拜访", "陌生", "陌拜", "Cold visit"],
    FollowUp => ["跟进拜访", "跟进", "Follow-up visit"],
    Routine => ["常规拜访", "常规", "例行拜访", "Routine visit"],
});

words!(Relationship {
    Acquaintance => ["认识"],
    Dating => ["约会"],
    Trust => ["信赖", "信任"],
    Alliance => ["同盟", "结盟", "盟友"],
});

words!(Level {
    High => ["高"],
    Low => ["低"],
});

words!(PriceLevel {
    Low => ["低", "低价"],
    Mid => ["中", "中等", "中价", "medium"],
    High => ["高", "高价"],
});

/// The default funnel's other names, by stage id: a site whose stages keep these ids takes
/// them too, beside each stage's configured `label` and `label_en`.
const STAGE_NAMES: &[(&str, &[&str])] = &[
    ("target", &["目标客户", "目标"]),
    ("potential", &["潜在客户", "潜在"]),
    ("lead", &["线索", "信息", "销售线索"]),
    ("opportunity", &["商机", "机会", "销售机会"]),
    ("quote", &["报价", "报价中"]),
    ("won", &["合同", "成交", "签约", "赢单"]),
    ("lost", &["丢单", "输单"]),
];

/// A name as compared: NFKC, lower case, spaces and `_` as one `-`.
pub(crate) fn normal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    with_normal(s, &mut |chars| out.extend(chars));
    out
}

/// Whether `name` compares equal to `n`, a name already [`normal`]: without making the
/// normal form of `name` (front matter and the exports compare each value against every
/// name of its table).
fn same(name: &str, n: &str) -> bool {
    if is_normal(name) {
        return name == n;
    }
    let mut eq = false;
    with_normal(name, &mut |chars| eq = chars.eq(n.chars()));
    eq
}

/// Whether `s` is its own [`normal`] form, seen without making it: ASCII without capitals,
/// spaces, controls or `_`, and ideographs of the basic block, with no `-` next to another.
/// Most names of the tables are (the ids, the Chinese names), and each value typed is compared
/// against every one of them.
fn is_normal(s: &str) -> bool {
    let mut dash = false;
    s.chars().all(|c| {
        let ok = match c {
            '-' => !dash,
            '_' | 'A'..='Z' => false,
            c if c.is_ascii() => c > ' ' && c != '\u{7f}',
            c => is_ideograph(c),
        };
        dash = c == '-';
        ok
    })
}

/// Hands `f` the characters of [`normal`] `s`. NFKC leaves most text as it is (all of
/// ASCII, and Chinese without full-width forms): only text its quick check does not pass
/// goes through the normalizer, and text of ASCII and the common ideographs alone skips
/// even the check (their characters are all NFKC starters that compose with nothing).
fn with_normal(s: &str, f: &mut dyn FnMut(&mut dyn Iterator<Item = char>)) {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
    let s = s.trim();
    let plain = s.chars().all(|c| c.is_ascii() || is_ideograph(c));
    if plain || is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        f(&mut Normal::new(s.chars()))
    } else {
        f(&mut Normal::new(s.nfkc()))
    }
}

/// A CJK Unified Ideograph of the basic block: NFKC-stable, and its own lower case.
fn is_ideograph(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// NFKC text lower-cased, with each run of spaces, `_` and `-` as one `-`.
struct Normal<I> {
    chars: I,
    lower: Option<std::char::ToLowercase>,
    /// Whether the last character given was a `-` (no lower-case form is one).
    dash: bool,
}

impl<I> Normal<I> {
    fn new(chars: I) -> Self {
        Normal {
            chars,
            lower: None,
            dash: false,
        }
    }
}

impl<I: Iterator<Item = char>> Iterator for Normal<I> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        loop {
            if let Some(c) = self.lower.as_mut().and_then(Iterator::next) {
                return Some(c);
            }
            let c = self.chars.next()?;
            if c.is_whitespace() || c == '_' || c == '-' {
                if !self.dash {
                    self.dash = true;
                    return Some('-');
                }
            } else if c.is_ascii() || is_ideograph(c) {
                self.dash = false;
                return Some(c.to_ascii_lowercase());
            } else {
                self.dash = false;
                self.lower = Some(c.to_lowercase());
            }
        }
    }
}

/// The value `written` names: its id or any of its names.
pub fn parse<W: Word>(written: &str) -> Option<W> {
    let n = normal(written);
    if n.is_empty() {
        return None;
    }
    W::all()
        .iter()
        .copied()
        .find(|w| same(w.id(), &n) || w.names().iter().any(|a| same(a, &n)))
}

/// The value's Chinese name.
pub fn zh<W: Word>(w: W) -> &'static str {
    w.names().first().copied().unwrap_or(w.id())
}

/// A "did you mean" for a value that names none: among the Chinese names when Chinese was
/// typed, else among the ids; or the list of ids with their Chinese names.
pub fn help<W: Word>(wrong: &str) -> String {
    let pairs: Vec<(&str, &str)> = W::all()
        .iter()
        .flat_map(|w| {
            std::iter::once(w.id())
                .chain(w.names().iter().copied())
                .map(move |n| (n, w.id()))
        })
        .collect();
    let all: Vec<(&str, &str)> = W::all().iter().map(|w| (w.id(), zh(*w))).collect();
    did_you_mean(wrong, &pairs, &all)
}

/// The "did you mean" line: the closest name, among the Chinese ones when `wrong` is not ASCII.
fn did_you_mean(wrong: &str, pairs: &[(&str, &str)], all: &[(&str, &str)]) -> String {
    let chinese = !wrong.is_ascii();
    let candidates = pairs.iter().filter(|(n, _)| n.is_ascii() != chinese).map(|(n, _)| *n);
    match closest(wrong.trim(), candidates) {
        Some(c) => {
            let id = pairs.iter().find(|(n, _)| *n == c).map_or(c, |(_, id)| *id);
            if c == id {
                format!("did you mean \"{c}\"?")
            } else {
                format!("did you mean \"{c}\" ({id})?")
            }
        }
        None => {
            let list: Vec<String> = all.iter().map(|(id, zh)| format!("{id} ({zh})")).collect();
            format!("expected one of: {}", list.join(", "))
        }
    }
}

/// Each configured stage's own names (its id, `label` and `label_en`) and the default
/// funnel's other names of its id.
fn stage_names(config: &SiteConfig) -> Vec<(Vec<&str>, &'static [&'static str])> {
    config
        .stages
        .iter()
        .map(|s| {
            let mut own = vec![s.id.as_str(), s.label.as_str()];
            own.extend(s.label_en.as_deref());
            (own, default_names(&s.id))
        })
        .collect()
}

/// Every name of each configured stage, its id first (`salesbook schema` lists them).
pub fn stage_all_names(config: &SiteConfig) -> Vec<Vec<&str>> {
    stage_names(config)
        .into_iter()
        .map(|(mut own, more)| {
            own.extend(more);
            own
        })
        .collect()
}

/// The stage `written` names: a stage's id first, then a stage's `label` or `label_en`,
/// then the default funnel's other names, so that neither a site's label nor a default
/// name is ever taken for another stage's id.
pub fn stage(config: &SiteConfig, written: &str) -> Option<StageIx> {
    let n = normal(written);
    if n.is_empty() {
        return None;
    }
    let stages = &config.stages;
    let by_id = stages.iter().position(|s| same(&s.id, &n));
    let by_label = || {
        stages
            .iter()
            .position(|s| same(&s.label, &n) || s.label_en.as_deref().is_some_and(|l| same(l, &n)))
    };
    let by_name = || {
        stages
            .iter()
            .position(|s| default_names(&s.id).iter().any(|a| same(a, &n)))
    };
    by_id.or_else(by_label).or_else(by_name).map(StageIx)
}

/// The default funnel's other names of stage id `id` (none for an id of the site's own).
fn default_names(id: &str) -> &'static [&'static str] {
    STAGE_NAMES.iter().find(|(i, _)| *i == id).map_or(&[][..], |(_, m)| *m)
}

/// The stage's Chinese name, as a zh-CN export writes it: its configured label, when that
/// names this stage and no other.
pub fn stage_zh(config: &SiteConfig, ix: StageIx) -> &str {
    let s = config.stage_def(ix);
    if stage(config, &s.label) == Some(ix) {
        &s.label
    } else {
        &s.id
    }
}

/// A "did you mean" for a stage that names none, as [`help`].
pub fn stage_help(config: &SiteConfig, wrong: &str) -> String {
    let names = stage_names(config);
    let pairs: Vec<(&str, &str)> = names
        .iter()
        .flat_map(|(own, more)| own.iter().chain(more.iter()).map(move |n| (*n, own[0])))
        .collect();
    let all: Vec<(&str, &str)> = config
        .stages
        .iter()
        .map(|s| (s.id.as_str(), s.label.as_str()))
        .collect();
    did_you_mean(wrong, &pairs, &all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_seen_as_normal_is_its_normal_form() {
        for s in [
            "quote",
            "decision-maker",
            "follow-up",
            "合作伙伴关系",
            "a/b",
            "-x",
            "x-",
            "2026",
            "",
        ] {
            assert!(is_normal(s), "{s}");
            assert_eq!(normal(s), s, "{s}");
        }
        // Each of these has another normal form, so is never taken as its own.
        for s in [
            "Quote",
            "decision_maker",
            "decision maker",
            "a--b",
            " quote",
            "quote ",
            "向导（内线）",
            "Technical gatekeeper",
            "ｑｕｏｔｅ",
            "tab\there",
            "É",
        ] {
            assert!(!is_normal(s), "{s}");
            assert_ne!(normal(s), s, "{s}");
        }
        // And a name with another normal form still matches what it names.
        assert!(same("Decision_Maker", "decision-maker"));
    }

    fn names_of<W: Word>() {
        for w in W::all() {
            assert_eq!(parse::<W>(w.id()).map(Word::id), Some(w.id()));
            for n in w.names() {
                assert_eq!(parse::<W>(n).map(Word::id), Some(w.id()), "{n}");
            }
        }
    }

    #[test]
    fn every_name_reads_back_to_its_value_and_to_no_other() {
        names_of::<Tier>();
        names_of::<Role>();
        names_of::<Style>();
        names_of::<VisitKind>();
        names_of::<Relationship>();
        names_of::<Level>();
        names_of::<PriceLevel>();
    }

    /// The theme's labels, in both languages, are names of their values: the table keeps up
    /// with the theme.
    #[test]
    fn the_default_themes_labels_are_names() {
        fn labels_of<W: Word>(labels: &crate::format::Labels, prefix: &str) {
            for w in W::all() {
                let label = labels.get(&format!("{prefix}_{}", w.id().replace('-', "_")));
                assert_eq!(parse::<W>(&label).map(Word::id), Some(w.id()), "{prefix}: {label}");
            }
        }
        for l in crate::render::theme::default_labels() {
            labels_of::<Tier>(&l, "tier");
            labels_of::<Role>(&l, "role");
            labels_of::<Style>(&l, "style");
            labels_of::<VisitKind>(&l, "visit");
            labels_of::<Relationship>(&l, "bond");
            labels_of::<Level>(&l, "level");
        }
    }

    #[test]
    fn seed_names_short_forms_and_spellings() {
        assert_eq!(parse::<Tier>("合作伙伴关系"), Some(Tier::Partner));
        assert_eq!(parse::<Tier>("基本客户关系"), Some(Tier::Basic));
        assert_eq!(parse::<Tier>(" 负责任 "), Some(Tier::Responsible));
        assert_eq!(parse::<Tier>("负责"), Some(Tier::Responsible));
        assert_eq!(parse::<Style>("鹰"), Some(Style::Eagle));
        assert_eq!(parse::<Role>("向导(内线)"), Some(Role::Coach));
        assert_eq!(parse::<Role>("Decision Maker"), Some(Role::DecisionMaker));
        assert_eq!(parse::<VisitKind>("FOLLOW UP"), Some(VisitKind::FollowUp));
        assert_eq!(parse::<Tier>("gold"), None);
        assert_eq!(parse::<Tier>(""), None);
        assert!(Relationship::Acquaintance < Relationship::Dating && Relationship::Dating < Relationship::Trust);
    }

    #[test]
    fn suggestions_are_in_the_language_typed() {
        assert_eq!(help::<Tier>("伙伴关糸"), "did you mean \"伙伴关系\" (partner)?");
        assert_eq!(help::<Tier>("partnr"), "did you mean \"partner\"?");
        assert!(help::<Style>("xyz").starts_with("expected one of: eagle (鹰), fox (狐)"));
    }

    /// `normal` as first written (every name through the normalizer): the quick path must
    /// give the same form, and `same` the same answer as comparing the forms.
    fn normal_by_nfkc(s: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        let mut out = String::new();
        for c in s.trim().nfkc() {
            if c.is_whitespace() || c == '_' || c == '-' {
                if !out.ends_with('-') {
                    out.push('-');
                }
            } else {
                out.extend(c.to_lowercase());
            }
        }
        out
    }

    #[test]
    fn the_quick_normal_form_is_nfkcs() {
        let samples = [
            "",
            " ",
            "Decision Maker",
            "decision_maker",
            "DECISION--_ maker",
            "-lead-",
            "_x_",
            "合作伙伴关系",
            " 负责任 ",
            "向导（内线）",
            "向导(内线)",
            "ＦＯＬＬＯＷ　ＵＰ",
            "ﬁne",
            "Ⅻ",
            "\u{212a}elvin",
            "İstanbul",
            "ǅ",
            "e\u{301}",
            "\u{1e9b}\u{323}",
            "ｶﾞ",
            "①",
            "㍻",
            "x\u{3000}y",
            "tab\there",
            "a\u{b}b",
            "\u{a0}nbsp\u{a0}",
            "ΣΑΣ",
            "ß",
            "Ǆ-ǆ",
            "\u{fe63}dash",
            "\u{4dff}\u{4e00}\u{9fff}\u{a000}",
            "\u{f900}\u{2f800}",
            "中\u{301}",
            "A中B",
        ];
        let tiers = Tier::ALL.iter().flat_map(|t| t.names().iter().copied().chain([t.id()]));
        let roles = Role::ALL.iter().flat_map(|r| r.names().iter().copied().chain([r.id()]));
        let stages = STAGE_NAMES.iter().flat_map(|(id, n)| n.iter().copied().chain([*id]));
        for s in samples.into_iter().chain(tiers).chain(roles).chain(stages) {
            let n = normal_by_nfkc(s);
            assert_eq!(normal(s), n, "{s:?}");
            assert!(same(s, &n), "{s:?}");
            let mut shorter = n.chars();
            shorter.next_back();
            assert!(!same(s, &format!("{n}x")), "{s:?}");
            assert!(n.is_empty() || !same(s, shorter.as_str()), "{s:?}");
        }
    }

    #[test]
    fn stages_by_id_label_and_default_names() {
        let c = SiteConfig::default();
        for (written, id) in [
            ("商机", "opportunity"),
            ("Opportunity", "opportunity"),
            ("目标客户", "target"),
            ("目标", "target"),
            ("成交", "won"),
            ("合同", "won"),
            ("丢单", "lost"),
        ] {
            assert_eq!(
                stage(&c, written).map(|s| c.stage_def(s).id.as_str()),
                Some(id),
                "{written}"
            );
        }
        assert_eq!(stage(&c, "商机会"), None);
        assert_eq!(stage_help(&c, "商机会"), "did you mean \"商机\" (opportunity)?");
        let c = SiteConfig::parse("stages:\n  - {id: lead, label: 商机, probability: 0.2}\n  - {id: opportunity, label: 机会, probability: 0.5}\n").unwrap();
        // A configured label wins over another stage's default name.
        assert_eq!(stage(&c, "商机").map(|s| s.0), Some(0));
        assert_eq!(stage_zh(&c, StageIx(0)), "商机");
        let c = SiteConfig::parse(
            "stages:\n  - {id: lead, label: quote, probability: 0.2}\n  - {id: quote, label: 报价, probability: 0.5}\n",
        )
        .unwrap();
        assert_eq!(stage(&c, "quote").map(|s| s.0), Some(1), "an id before a label");
        assert_eq!(
            stage_zh(&c, StageIx(0)),
            "lead",
            "a label that is another stage's id is not written"
        );
    }
}
