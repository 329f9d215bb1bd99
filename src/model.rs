//! The domain's vocabulary as types: page kinds, relationship tiers, contact roles, styles and
//! relationship levels, visit kinds. The names each is written by are in `crate::words`. Parsed once from front matter; strings do not travel inward.

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
    /// How deep the relationship with one person goes (认识, 约会, 信赖, 同盟), shallow to
    /// deep: the order compares them (a key customer's decision-maker below `Dating` is a gap).
    Relationship {
        Acquaintance => "acquaintance",
        Dating => "dating",
        Trust => "trust",
        Alliance => "alliance",
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

/// One folder or file name of the output, checked: the only way an id (a stage, a page's
/// file or `slug:`, an owner, a tag) becomes part of a path that is written to disk. Ids come
/// from users and their files, so each is hostile until checked: `..` or `/` would write
/// outside `--out`, and a name Windows or macOS cannot hold would break the site when it is
/// copied there. What a name may hold for a URL (`%`, `?`, `#`) is not refused here: hrefs
/// are percent-escaped where they are made (`render::url_escape`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathSegment(String);

/// Why a name cannot be a folder or file name of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentProblem {
    Empty,
    Dots,
    Separator,
    Control,
    DrivePrefix,
    Reserved,
    TrailingDotOrSpace,
    PageFile,
    TooLong,
    Salesbook,
}

impl SegmentProblem {
    /// Says why, in words that fit after "`x` cannot be a folder name: ".
    pub fn describe(self) -> &'static str {
        match self {
            SegmentProblem::Empty => "it is empty",
            SegmentProblem::Dots => "`.` and `..` name the folder itself or the one above",
            SegmentProblem::Separator => "`/` and `\\` separate folders",
            SegmentProblem::Control => "it holds a control character (a line break, tab or NUL)",
            SegmentProblem::DrivePrefix => "`:` names a drive on Windows",
            SegmentProblem::Reserved => "Windows reserves it for a device (CON, PRN, AUX, NUL, COM1-9, LPT1-9)",
            SegmentProblem::TrailingDotOrSpace => "Windows drops a final `.` or space",
            SegmentProblem::PageFile => "every page's folder holds its own `index.html`",
            SegmentProblem::TooLong => "it is longer than 255 bytes, more than file systems hold",
            SegmentProblem::Salesbook => {
                "it is a name of salesbook's own files (`.salesbook-manifest`, `.salesbook-token`, `*.salesbook-tmp`, …)"
            }
        }
    }
}

/// The longest name a segment may have: what Linux, macOS and Windows file systems hold.
pub const MAX_SEGMENT: usize = 255;

/// The longest name made from free text (an owner, a tag): room is left for the `-2`, `-3`
/// that tell apart two names with one slug.
pub const MAX_MADE_SEGMENT: usize = 200;

impl PathSegment {
    /// Checks `name` as one folder or file name of the output.
    pub fn new(name: &str) -> Result<PathSegment, SegmentProblem> {
        if name.is_empty() {
            return Err(SegmentProblem::Empty);
        }
        if name == "." || name == ".." {
            return Err(SegmentProblem::Dots);
        }
        if name.contains(['/', '\\']) {
            return Err(SegmentProblem::Separator);
        }
        if name.chars().any(char::is_control) {
            return Err(SegmentProblem::Control);
        }
        if name.contains(':') {
            return Err(SegmentProblem::DrivePrefix);
        }
        if is_reserved_on_windows(name) {
            return Err(SegmentProblem::Reserved);
        }
        if name.ends_with(['.', ' ']) {
            return Err(SegmentProblem::TrailingDotOrSpace);
        }
        if name.eq_ignore_ascii_case("index.html") {
            return Err(SegmentProblem::PageFile);
        }
        if name.len() > MAX_SEGMENT {
            return Err(SegmentProblem::TooLong);
        }
        if is_salesbook_name(name) {
            return Err(SegmentProblem::Salesbook);
        }
        Ok(PathSegment(name.to_owned()))
    }

    /// A segment made from any text (an owner's name, a tag): slugified, cut to
    /// [`MAX_MADE_SEGMENT`] bytes, and changed where it would still be refused (`con` becomes
    /// `con-`); `fallback` when nothing is left.
    pub fn from_text(text: &str, fallback: &str) -> PathSegment {
        let mut slug = slugify(text);
        if slug.len() > MAX_MADE_SEGMENT {
            let mut end = MAX_MADE_SEGMENT;
            while !slug.is_char_boundary(end) {
                end -= 1;
            }
            slug.truncate(end);
            while slug.ends_with('-') {
                slug.pop();
            }
        }
        if slug.is_empty() {
            slug = fallback.to_owned();
        }
        match PathSegment::new(&slug) {
            Ok(s) => s,
            // Only a reserved device name gets here: slugs hold letters, digits and `-`.
            Err(_) => PathSegment(format!("{slug}-")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Whether `name` is one salesbook gives its own files, in an output folder (its manifest,
/// page token and temporary files) or beside it (staging folder, lock): a page, a static
/// file or an id of that name would be taken for one of them, or overwrite it. Compared
/// without case, as macOS and Windows compare names.
pub fn is_salesbook_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with(".salesbook-")
        || [".salesbook-tmp", ".salesbook-next", ".salesbook-old", ".salesbook-lock"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// Windows' device names, which no file or folder may have, whatever its extension.
fn is_reserved_on_windows(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    let upper = stem.to_ascii_uppercase();
    matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit()
            && upper.as_bytes()[3] != b'0')
}

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

/// The largest number a field takes, either way: money far beyond any deal, and small
/// enough that the sums of a site's values stay exact to the unit and finite.
pub const MAX_NUMBER: f64 = 1e15;

/// A date written as YYYY-MM-DD, years 0001 to 9999 (what an ISO calendar file can hold):
/// chrono alone also reads `+10000-01-01` and `-0001-01-01`. The one date parser for
/// front matter, `salesbook.yaml` and `--today`.
pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape || s.starts_with("0000") {
        return None;
    }
    // The digits read in place: what chrono's `%Y-%m-%d` reads of this shape, without
    // parsing the pattern for each of the dates of every page.
    let num = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0'));
    chrono::NaiveDate::from_ymd_opt(num(0..4) as i32, num(5..7), num(8..10))
}

/// Escapes the characters that would end or change a URL (`%`, `?`, `#`, `\\`, spaces,
/// quotes, control characters); CJK stays readable. Every href made from a file name, a
/// folder name or a `slug:` goes through this: the file on disk keeps its name.
pub fn url_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    push_url_escaped(&mut out, path);
    out
}

pub fn push_url_escaped(out: &mut String, path: &str) {
    let special = |b: &u8| {
        matches!(
            b,
            b' ' | b'%' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
        ) || b.is_ascii_control()
    };
    if !path.as_bytes().iter().any(special) && !path.chars().any(char::is_control) {
        out.push_str(path);
        return;
    }
    for c in path.chars() {
        if (c.is_ascii() && special(&(c as u8))) || c.is_control() {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_as_chrono_reads_them() {
        let chrono_reads = |s: &str| {
            let shape = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
            let digits = s
                .bytes()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
            (shape && digits && !s.starts_with("0000"))
                .then(|| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .flatten()
        };
        let mut texts: Vec<String> = vec![
            "2026-12-07",
            "2024-02-29",
            "2023-02-29",
            "2026-00-10",
            "2026-13-01",
            "2026-04-31",
            "2026-04-00",
            "0001-01-01",
            "0000-01-01",
            "9999-12-31",
            "2026-1-07",
            "2026/12/07",
            "2026-12-07 ",
            "+026-12-07",
            "２０２６-12-07",
            "",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        for y in [1, 1900, 2000, 2026, 9999] {
            for m in 0..=13 {
                for d in 0..=32 {
                    texts.push(format!("{y:04}-{m:02}-{d:02}"));
                }
            }
        }
        for t in &texts {
            assert_eq!(parse_date(t), chrono_reads(t), "{t}");
        }
    }

    #[test]
    fn ids_round_trip() {
        for t in Tier::ALL {
            assert_eq!(Tier::parse(t.id()), Some(*t));
        }
        assert_eq!(Role::parse("decision-maker"), Some(Role::DecisionMaker));
        assert_eq!(VisitKind::parse("followup"), None);
    }

    #[test]
    fn path_segments_refuse_what_leaves_or_breaks_a_folder() {
        for (bad, why) in [
            ("", SegmentProblem::Empty),
            ("..", SegmentProblem::Dots),
            (".", SegmentProblem::Dots),
            ("../../evil", SegmentProblem::Separator),
            ("/etc", SegmentProblem::Separator),
            ("a\\b", SegmentProblem::Separator),
            ("a\nb", SegmentProblem::Control),
            ("a\0b", SegmentProblem::Control),
            ("C:x", SegmentProblem::DrivePrefix),
            ("CON", SegmentProblem::Reserved),
            ("con.txt", SegmentProblem::Reserved),
            ("lpt1", SegmentProblem::Reserved),
            ("a.", SegmentProblem::TrailingDotOrSpace),
            ("a ", SegmentProblem::TrailingDotOrSpace),
            ("index.html", SegmentProblem::PageFile),
            (".salesbook-manifest", SegmentProblem::Salesbook),
            (".SALESBOOK-TOKEN", SegmentProblem::Salesbook),
            ("x.salesbook-tmp", SegmentProblem::Salesbook),
            (".public.salesbook-next", SegmentProblem::Salesbook),
            ("public.salesbook-lock", SegmentProblem::Salesbook),
        ] {
            assert_eq!(PathSegment::new(bad), Err(why), "{bad:?}");
        }
        assert_eq!(PathSegment::new(&"a".repeat(256)), Err(SegmentProblem::TooLong));
        assert!(PathSegment::new(&"a".repeat(255)).is_ok());
        for good in [
            "won",
            "50%off",
            "q?",
            "a#b",
            "华东精密",
            "com0",
            "console",
            "a.b",
            "salesbook-tmp",
        ] {
            assert_eq!(
                PathSegment::new(good).map(PathSegment::into_string).as_deref(),
                Ok(good)
            );
        }
    }

    #[test]
    fn segments_from_text_are_always_safe() {
        assert_eq!(PathSegment::from_text("../x/..", "owner").as_str(), "x");
        assert_eq!(PathSegment::from_text("..", "tag").as_str(), "tag");
        assert_eq!(PathSegment::from_text("CON", "tag").as_str(), "con-");
        let long = PathSegment::from_text(&"精".repeat(300), "tag");
        assert!(long.as_str().len() <= MAX_MADE_SEGMENT && PathSegment::new(long.as_str()).is_ok());
    }

    #[test]
    fn slugify_keeps_cjk() {
        assert_eq!(slugify("华东精密 机械"), "华东精密-机械");
        assert_eq!(slugify("ABB Robotics!"), "abb-robotics");
    }
}
