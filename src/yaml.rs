//! YAML as a tree of values that each remember their line and column, so that every
//! semantic check downstream can point at the value it rejects.
//!
//! Scalars resolve by YAML 1.2's core schema: `yes`, `no`, `on`, `off`, `y` and `n` are
//! text, and so are numbers written with leading zeros or underscores (`013800000000`,
//! `1_000`), since YAML 1.1's readings of them turned names and phone numbers into booleans
//! and integers. A scalar that still resolves to a number or a boolean keeps the text it was
//! written as ([`Node::raw`]): a text field shows `+8613800000000` or `1.50` as written, not
//! the number read from it.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diagnostics::Pos;

/// One YAML value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
    /// For a plain scalar that resolved to a number or a boolean: the text as written.
    pub raw: Option<Box<str>>,
    /// Whether the scalar was written in quotes: the caret then underlines them too.
    pub quoted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// A short name for the type, for "expected a number, found a list" messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "nothing",
            Value::Bool(_) => "true/false",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }

    /// The value as text, if it is a scalar (numbers and booleans as written).
    pub fn as_text(&self) -> Option<String> {
        if let Some(raw) = &self.raw {
            return Some(raw.to_string());
        }
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// [`Node::as_text`], borrowed where the node holds the text (a field read as a word, a
    /// stage or a date needs no copy of it).
    pub fn text(&self) -> Option<std::borrow::Cow<'_, str>> {
        if let Some(raw) = &self.raw {
            return Some(std::borrow::Cow::Borrowed(raw));
        }
        match &self.value {
            Value::Str(s) => Some(std::borrow::Cow::Borrowed(s)),
            _ => self.as_text().map(std::borrow::Cow::Owned),
        }
    }

    /// How many characters the value occupies on its line, for the caret.
    pub fn width(&self) -> usize {
        if let Some(raw) = &self.raw {
            return raw.chars().count().max(1);
        }
        match &self.value {
            Value::Str(s) if self.quoted && !s.contains('\n') => s.chars().count() + 2,
            Value::Str(s) => s.lines().next().map_or(1, |l| l.chars().count()),
            Value::Int(i) => i.to_string().len(),
            Value::Float(f) => f.to_string().len(),
            Value::Bool(b) => b.to_string().len(),
            _ => 1,
        }
    }

    /// Moves the position by the lines that precede the YAML in its file.
    fn shift(&mut self, lines: usize) {
        self.pos.line += lines;
        match &mut self.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| n.shift(lines)),
            Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                k.shift(lines);
                v.shift(lines);
            }),
            _ => {}
        }
    }
}

/// A YAML syntax error with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub pos: Pos,
}

/// Parses YAML text that starts on line `first_line + 1` of its file.
pub fn parse(text: &str, first_line: usize) -> Result<Node, SyntaxError> {
    if text.trim().is_empty() {
        return Ok(Node {
            value: Value::Map(Vec::new()),
            pos: Pos::new(first_line + 1, 1),
            raw: None,
            quoted: false,
        });
    }
    let parsed = match parse_lines(text).or_else(|| parse_plain(text)) {
        Some(node) => Ok(node),
        None => parse_general(text),
    };
    match parsed {
        Ok(mut node) => {
            node.shift(first_line);
            Ok(node)
        }
        Err(mut e) => {
            e.pos.line += first_line;
            Err(e)
        }
    }
}

/// Any YAML, through serde-saphyr; places count from the YAML's first line.
fn parse_general(text: &str) -> Result<Node, SyntaxError> {
    match serde_saphyr::from_str_with_options::<Node>(text, options()) {
        Ok(mut node) => {
            written_as(&mut node, &mut Source::new(text));
            Ok(node)
        }
        Err(e) => {
            let pos = e
                .location()
                .map(|l| Pos::new(l.line() as usize, (l.column() as usize).max(1)))
                .unwrap_or(Pos::new(1, 1));
            let message = e.without_snippet().to_string();
            let message = strip_location(message.lines().next().unwrap_or("invalid YAML"));
            Err(SyntaxError { message, pos })
        }
    }
}

/// serde-saphyr's settings for front matter: the limits below, and YAML 1.2's core schema
/// (see the module's doc). Non-finite numbers (`.inf`, `.nan`, `1e999`) are read as such, for
/// the field that receives one to refuse at its place (a text field takes its text).
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_aliases: 1_000,
            max_nodes: MAX_NODES,
        },
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
    }
}

/// A scalar's value with no type given, as serde-saphyr resolves it alone.
fn resolve_alone(text: &str) -> Option<Value> {
    match serde_saphyr::from_str_with_options::<Value>(text, options()) {
        Ok(v @ (Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_))) => Some(v),
        _ => None,
    }
}

/// Gives each number and boolean of serde-saphyr's tree the text it was written as (the
/// direct path has it from the parser's events): the plain scalar at the node's place (after
/// an anchor; for an alias, at its anchor), taken only if it resolves alone to the same
/// value. A value whose text cannot be found this way shows as its value. Text written in
/// quotes is marked so.
fn written_as(node: &mut Node, source: &mut Source) {
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| written_as(n, source)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            written_as(k, source);
            written_as(v, source);
        }),
        Value::Bool(_) | Value::Int(_) | Value::Float(_) if node.raw.is_none() => {
            let token = source.token_at(node.pos);
            let token = match token.strip_prefix('*') {
                Some(alias) => source.anchored(alias, node.pos.line),
                None => token,
            };
            if same_value(token, &node.value) {
                node.raw = Some(token.into());
            }
        }
        Value::Str(_) => node.quoted = source.starts_quoted(node.pos),
        _ => {}
    }
}

/// Whether `token` alone is the scalar `value` (the cheap cases first: a tree may hold
/// 250,000 numbers).
fn same_value(token: &str, value: &Value) -> bool {
    match value {
        Value::Int(i) if token.parse::<i64>() == Ok(*i) => true,
        Value::Float(f) if token.parse::<f64>().is_ok_and(|t| t.to_bits() == f.to_bits()) => true,
        _ if token.is_empty() => false,
        _ => resolve_alone(token).is_some_and(|v| format!("{v:?}") == format!("{value:?}")),
    }
}

/// The YAML text by line, for [`written_as`]: a line's characters are mapped to bytes once
/// (positions count characters), and anchors are found once, on the first alias.
struct Source<'a> {
    lines: Vec<&'a str>,
    /// Byte offsets of the characters of lines that are not ASCII, made when first needed.
    offsets: std::collections::HashMap<usize, Vec<usize>>,
    /// Anchor name to the lines and plain scalars it anchors, in order.
    anchors: Option<std::collections::HashMap<&'a str, Vec<(usize, &'a str)>>>,
}

impl<'a> Source<'a> {
    fn new(text: &'a str) -> Self {
        Source {
            lines: text.lines().collect(),
            offsets: Default::default(),
            anchors: None,
        }
    }

    /// The plain scalar that starts at `pos`, after an anchor (`&a 12`).
    fn token_at(&mut self, pos: Pos) -> &'a str {
        let Some(&line) = pos.line.checked_sub(1).and_then(|l| self.lines.get(l)) else {
            return "";
        };
        let col = pos.column.saturating_sub(1);
        let byte = if line.is_ascii() {
            col.min(line.len())
        } else {
            let offsets = self
                .offsets
                .entry(pos.line)
                .or_insert_with(|| line.char_indices().map(|(i, _)| i).collect());
            offsets.get(col).copied().unwrap_or(line.len())
        };
        let rest = &line[byte..];
        let rest = match rest.strip_prefix('&') {
            Some(anchored) => anchored.split_once([' ', '\t']).map_or("", |(_, r)| r.trim_start()),
            None => rest,
        };
        first_token(rest)
    }

    /// Whether a quote opens the scalar at `pos`.
    fn starts_quoted(&self, pos: Pos) -> bool {
        let Some(&line) = pos.line.checked_sub(1).and_then(|l| self.lines.get(l)) else {
            return false;
        };
        line.chars()
            .nth(pos.column.saturating_sub(1))
            .is_some_and(|c| matches!(c, '"' | '\''))
    }

    /// The plain scalar last anchored as `name` on or before line `line`.
    fn anchored(&mut self, name: &str, line: usize) -> &'a str {
        let lines = &self.lines;
        let anchors = self.anchors.get_or_insert_with(|| {
            let mut map: std::collections::HashMap<&'a str, Vec<(usize, &'a str)>> = Default::default();
            for (i, text) in lines.iter().enumerate() {
                for (at, _) in text.match_indices('&') {
                    let after = &text[at + 1..];
                    let end = after
                        .find(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}'))
                        .unwrap_or(after.len());
                    let value = first_token(after[end..].trim_start());
                    map.entry(&after[..end]).or_default().push((i + 1, value));
                }
            }
            map
        });
        anchors
            .get(name)
            .and_then(|defs| defs.iter().rev().find(|(l, _)| *l <= line))
            .map_or("", |(_, value)| value)
    }
}

/// The text up to the end of a plain scalar that holds no space (what a number or a
/// boolean is): a space, a flow indicator, or a key's `:`.
fn first_token(rest: &str) -> &str {
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}'))
        .unwrap_or(rest.len());
    let token = &rest[..end];
    token.strip_suffix(':').unwrap_or(token)
}

/// The limits given to serde-saphyr above; the direct path leaves anything larger to it.
const MAX_DEPTH: usize = 64;
const MAX_NODES: usize = 250_000;

/// Front matter as most pages write it: `key: value` lines at the left margin, each value a
/// one-line plain scalar or a one-line list of them (`[a, b]`), with blank lines and comments
/// between. Read line by line, this costs a small part of what the YAML parser's scanner and
/// events do for the same text. Each line is taken only where its reading is plain to see,
/// the same as the parser's (types through [`scalar`], places in characters); anything else
/// (nesting, quotes, multi-line text, tabs, CRLF, a repeated key, unusual characters) gives
/// `None` and goes to [`parse_plain`]. Never an error: errors are the parser's to word.
/// Tested against serde-saphyr below, shape by shape and by a property test.
fn parse_lines(text: &str) -> Option<Node> {
    if text.len() > LINES_MAX_BYTES || !plain_text(text) {
        return None;
    }
    let mut entries: Vec<(Node, Node)> = Vec::with_capacity(16);
    let mut nodes = 1usize;
    for (i, line) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        // A key: an ASCII letter at the left margin, then letters, digits, `_` and `-`.
        let key_end = line
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
            .unwrap_or(line.len());
        if !line.as_bytes()[0].is_ascii_alphabetic() || line.as_bytes().get(key_end) != Some(&b':') {
            return None;
        }
        let after = &line[key_end + 1..];
        if !after.is_empty() && !after.starts_with(' ') {
            return None;
        }
        let key_text = &line[..key_end];
        let key = plain_node(key_text, Pos::new(line_no, 1), true)?;
        let rest = after.trim_start_matches(' ');
        let at = line.len() - rest.len();
        let value = if rest.is_empty() || rest.starts_with('#') {
            // No value: null, placed at the `:` as the parser places it.
            plain_node("", Pos::new(line_no, key_end + 1), false)?
        } else if let Some(list) = rest.strip_prefix('[') {
            let (items, tail) = flow_list(line, line_no, at + 1, list)?;
            if !ends_line(tail) {
                return None;
            }
            nodes += items.len();
            Node {
                value: Value::Seq(items),
                pos: Pos::new(line_no, column(line, at)),
                raw: None,
                quoted: false,
            }
        } else {
            let scalar = block_scalar(rest)?;
            plain_node(scalar, Pos::new(line_no, column(line, at)), false)?
        };
        nodes += 2;
        entries.push((key, value));
    }
    if entries.is_empty() || nodes > MAX_NODES / 2 || has_duplicate_keys(&entries) {
        return None;
    }
    let pos = entries[0].0.pos;
    Some(Node {
        value: Value::Map(entries),
        pos,
        raw: None,
        quoted: false,
    })
}

/// The plain scalar that `rest` (a value, after its key's `: `) starts with: up to a comment
/// (` #`), without the spaces before it; `None` if it holds `: `, ends with `:` or has a flow
/// indicator (`[]{}`). One pass over the bytes: the characters looked for are ASCII, which
/// no byte of a longer character is.
fn block_scalar(rest: &str) -> Option<&str> {
    let bytes = rest.as_bytes();
    let mut end = bytes.len();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'#' if i > 0 && bytes[i - 1] == b' ' => {
                end = i;
                break;
            }
            b' ' if i > 0 && bytes[i - 1] == b':' => return None,
            b'[' | b']' | b'{' | b'}' => return None,
            _ => {}
        }
    }
    let scalar = rest[..end].trim_end_matches(' ');
    (plain_start(scalar) && !scalar.ends_with(':')).then_some(scalar)
}

/// Front matter larger than this is left to the parser (and to its budget).
const LINES_MAX_BYTES: usize = 1 << 20;

/// The items of a one-line flow list `[a, b]` whose text after `[` (at byte `start` of
/// `line`) is `list`, and what follows its `]`. Items are plain scalars without flow
/// indicators, `:` or `#`; an empty item (`[a,]`, `[,]`) gives `None`.
fn flow_list<'l>(line: &str, line_no: usize, start: usize, list: &'l str) -> Option<(Vec<Node>, &'l str)> {
    let mut items = Vec::new();
    let mut rest = list.trim_start_matches(' ');
    if let Some(tail) = rest.strip_prefix(']') {
        return Some((items, tail));
    }
    loop {
        let end = rest.find([',', ']'])?;
        let item = rest[..end].trim_end_matches(' ');
        if !plain_start(item) || item.bytes().any(|b| matches!(b, b':' | b'#' | b'[' | b'{' | b'}')) {
            return None;
        }
        let at = start + (list.len() - rest.len());
        items.push(plain_node(item, Pos::new(line_no, column(line, at)), false)?);
        let sep = rest.as_bytes()[end];
        rest = &rest[end + 1..];
        if sep == b']' {
            return Some((items, rest));
        }
        rest = rest.trim_start_matches(' ');
    }
}

/// Whether what follows a value is nothing, or spaces and a comment.
fn ends_line(tail: &str) -> bool {
    let rest = tail.trim_start_matches(' ');
    rest.is_empty() || (rest.len() < tail.len() && rest.starts_with('#'))
}

/// Whether a plain scalar may start this way: not empty, and not with an indicator (`-`
/// only for a negative number: `-5`, `-.5`).
fn plain_start(s: &str) -> bool {
    let bytes = s.as_bytes();
    match bytes.first() {
        None => false,
        Some(b'-') => matches!(bytes.get(1), Some(b'0'..=b'9' | b'.')),
        Some(b) => !b"?:,[]{}#&*!|>'\"%@`".contains(b),
    }
}

/// The characters [`parse_lines`] reads: printable ASCII, line feeds, and characters beyond
/// ASCII that YAML reads as ordinary content (not Unicode spaces or line separators, control
/// characters, the byte order mark or non-characters).
fn plain_char(c: char) -> bool {
    match c {
        '\n' | ' '..='~' => true,
        '\u{0}'..='\u{9f}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => false,
        c => !c.is_whitespace() && !c.is_control(),
    }
}

/// Whether every character of `text` is a [`plain_char`], looked at byte by byte: the
/// characters it refuses beyond ASCII all start with one of five bytes, so only those are
/// decoded (CJK text is not).
fn plain_text(text: &str) -> bool {
    text.bytes().enumerate().all(|(i, b)| match b {
        b'\n' | b' '..=b'~' => true,
        0xc2 | 0xe1 | 0xe2 | 0xe3 | 0xef => text[i..].chars().next().is_some_and(plain_char),
        0x80.. => true,
        _ => false,
    })
}

/// The column (in characters, from 1) of byte `at` of `line`.
fn column(line: &str, at: usize) -> usize {
    if line.is_ascii() {
        at + 1
    } else {
        line[..at].chars().count() + 1
    }
}

/// A plain scalar's node: its value as [`scalar`] resolves it, and for a number or a
/// boolean its text as written.
fn plain_node(text: &str, pos: Pos, in_key: bool) -> Option<Node> {
    let value = scalar(text, serde_saphyr::granit_parser::ScalarStyle::Plain, in_key)?;
    let raw = matches!(value, Value::Bool(_) | Value::Int(_) | Value::Float(_)).then(|| text.into());
    Some(Node {
        value,
        pos,
        raw,
        quoted: false,
    })
}

/// Front matter as it is nearly always written (plain maps, lists and scalars, no anchors,
/// aliases, tags or merge keys), built straight from the YAML parser's events: serde-saphyr's
/// general deserializer records and replays every key and wraps every value, which took more
/// time than the parsing itself. Anything this path does not handle, or does not handle
/// exactly as serde-saphyr does, gives `None`, and the text goes to serde-saphyr: the same
/// value, place and error either way (tested against it below).
fn parse_plain(text: &str) -> Option<Node> {
    use serde_saphyr::granit_parser::{Event, Parser};

    enum Open {
        Seq(Vec<Node>, Pos),
        /// A map's entries, and its key waiting for a value.
        Map(Vec<(Node, Node)>, Option<Node>, Pos),
    }
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut root = None;
    let (mut nodes, mut documents) = (0usize, 0usize);
    while let Some(event) = parser.next_event() {
        let (event, span) = event.ok()?;
        let pos = Pos::new(span.start.line(), span.start.col() + 1);
        let in_key = matches!(stack.last(), Some(Open::Map(_, None, _)));
        let node = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => continue,
            Event::DocumentStart(explicit, version) => {
                documents += 1;
                if explicit || version.is_some() || documents > 1 {
                    return None;
                }
                continue;
            }
            Event::Scalar(text, style, 0, None) => {
                let value = scalar(&text, style, in_key)?;
                let raw =
                    matches!(value, Value::Bool(_) | Value::Int(_) | Value::Float(_)).then(|| text.as_ref().into());
                use serde_saphyr::granit_parser::ScalarStyle::{DoubleQuoted, SingleQuoted};
                let quoted = matches!(style, SingleQuoted | DoubleQuoted);
                Node {
                    value,
                    pos,
                    raw,
                    quoted,
                }
            }
            Event::SequenceStart(_, 0, None) if !in_key && stack.len() < MAX_DEPTH => {
                stack.push(Open::Seq(Vec::new(), pos));
                continue;
            }
            Event::MappingStart(_, 0, None) if !in_key && stack.len() < MAX_DEPTH => {
                stack.push(Open::Map(Vec::new(), None, pos));
                continue;
            }
            Event::SequenceEnd => match stack.pop()? {
                Open::Seq(items, pos) => Node {
                    value: Value::Seq(items),
                    pos,
                    raw: None,
                    quoted: false,
                },
                Open::Map(..) => return None,
            },
            Event::MappingEnd => match stack.pop()? {
                Open::Map(entries, None, pos) if !has_duplicate_keys(&entries) => Node {
                    value: Value::Map(entries),
                    pos,
                    raw: None,
                    quoted: false,
                },
                _ => return None,
            },
            _ => return None,
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return None;
        }
        match stack.last_mut() {
            None if root.is_none() => root = Some(node),
            None => return None,
            Some(Open::Seq(items, _)) => items.push(node),
            Some(Open::Map(entries, key, _)) => match key.take() {
                Some(k) => entries.push((k, node)),
                None if matches!(&node.value, Value::Str(k) if k != "<<") => *key = Some(node),
                None => return None,
            },
        }
    }
    if !stack.is_empty() {
        return None;
    }
    root
}

/// A scalar's value as serde-saphyr resolves it with no type given (null, core-schema
/// booleans, then integers, then floats, else text), where that is plain to see; `None`
/// otherwise.
fn scalar(text: &str, style: serde_saphyr::granit_parser::ScalarStyle, in_key: bool) -> Option<Value> {
    if style != serde_saphyr::granit_parser::ScalarStyle::Plain {
        return Some(Value::Str(text.to_owned()));
    }
    let bytes = text.as_bytes();
    match bytes.first() {
        // No null, boolean or number starts with a letter outside ASCII (CJK text).
        Some(b) if !b.is_ascii() => Some(Value::Str(text.to_owned())),
        // Letters: text, unless it is one of YAML's words for null and true/false (1.1's
        // words, and other spellings of 1.2's, are text to serde-saphyr too).
        Some(b) if b.is_ascii_alphabetic() && !is_yaml_word(text) => Some(Value::Str(text.to_owned())),
        _ if in_key => None,
        Some(b) if b.is_ascii_alphabetic() => Some(core_word(text).unwrap_or_else(|| Value::Str(text.to_owned()))),
        // The empty value, and `~`.
        None => Some(Value::Null),
        Some(b'~') if bytes.len() == 1 => Some(Value::Null),
        // A decimal integer without a leading zero, well inside i64.
        Some(b'1'..=b'9') if bytes.len() <= 18 && bytes.iter().all(u8::is_ascii_digit) => {
            text.parse().ok().map(Value::Int)
        }
        Some(b'0') if bytes.len() == 1 => Some(Value::Int(0)),
        Some(b'-')
            if matches!(bytes.get(1), Some(b'1'..=b'9'))
                && bytes.len() <= 19
                && bytes[1..].iter().all(u8::is_ascii_digit) =>
        {
            text.parse().ok().map(Value::Int)
        }
        // A short decimal fraction (`0.35`, `-1.5`): too few digits to round differently.
        Some(_) if is_short_decimal(bytes) => text.parse().ok().map(Value::Float),
        // A date (YYYY-MM-DD) is text: YAML 1.2 has no timestamps.
        Some(_) if is_date(bytes) => Some(Value::Str(text.to_owned())),
        // Alone, these would read as a document's start or end marker; no number starts so.
        Some(b'-' | b'.') if text.starts_with("---") || text.starts_with("...") => Some(Value::Str(text.to_owned())),
        // Signs, dots, other numbers: serde-saphyr resolves the scalar alone.
        _ if !text.contains(['\n', '\r']) => resolve_alone(text),
        _ => None,
    }
}

/// YAML 1.2 core schema's words for null and true/false, as written in it.
fn core_word(text: &str) -> Option<Value> {
    match text {
        "null" | "Null" | "NULL" => Some(Value::Null),
        "true" | "True" | "TRUE" => Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => Some(Value::Bool(false)),
        _ => None,
    }
}

/// `-?(0|[1-9][0-9]*)\.[0-9]+` with at most 15 digits in all.
fn is_short_decimal(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"-").unwrap_or(b);
    let Some(dot) = b.iter().position(|c| *c == b'.') else {
        return false;
    };
    let (int, frac) = (&b[..dot], &b[dot + 1..]);
    !int.is_empty()
        && !frac.is_empty()
        && int.len() + frac.len() <= 15
        && (int == b"0" || int[0] != b'0')
        && int.iter().chain(frac).all(u8::is_ascii_digit)
}

fn is_date(b: &[u8]) -> bool {
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

fn is_yaml_word(text: &str) -> bool {
    const WORDS: [&str; 9] = ["null", "true", "false", "yes", "no", "on", "off", "y", "n"];
    WORDS.iter().any(|w| text.eq_ignore_ascii_case(w))
}

/// Whether two keys of a map are the same text (serde-saphyr refuses such maps; its error
/// is the one to show). Sorted rather than compared pairwise: a map may have 50,000 keys.
fn has_duplicate_keys(entries: &[(Node, Node)]) -> bool {
    fn key((k, _): &(Node, Node)) -> &str {
        match &k.value {
            Value::Str(s) => s,
            _ => "",
        }
    }
    if entries.len() <= 16 {
        return entries
            .iter()
            .enumerate()
            .any(|(i, a)| entries[..i].iter().any(|b| key(a) == key(b)));
    }
    let mut keys: Vec<&str> = entries.iter().map(key).collect();
    keys.sort_unstable();
    keys.windows(2).any(|w| w[0] == w[1])
}

/// Drops the parser's own " at line N, column M": it counts from the YAML, not the file,
/// and the diagnostic carries the file's position.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) if message[i..].contains(", column ") => {
            let rest = &message[i + " at line ".len()..];
            let end = rest.find(", column ").map(|j| j + ", column ".len()).unwrap_or(0);
            let tail = rest[end..].trim_start_matches(|c: char| c.is_ascii_digit());
            format!("{}{}", &message[..i], tail)
        }
        _ => message.to_owned(),
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(d)?;
        let loc = spanned.referenced;
        Ok(Node {
            value: spanned.value,
            pos: Pos::new(loc.line() as usize, loc.column() as usize),
            raw: None,
            quoted: false,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(n) = seq.next_element::<Node>()? {
            items.push(n);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = map.next_key::<Node>()? {
            let v = map.next_value::<Node>()?;
            entries.push((k, v));
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_value_is_underlined_with_its_quotes_on_both_paths() {
        // `&a` sends the text down the general path; the plain one takes the rest.
        for text in [
            "stage: \"oportunity\"\nx: 'ab'\ny: ab\n",
            "stage: \"oportunity\"\nx: 'ab'\ny: ab\nz: &a 1\n",
        ] {
            let node = parse(text, 0).unwrap();
            let Value::Map(entries) = &node.value else {
                panic!("map")
            };
            let widths: Vec<_> = entries[..3].iter().map(|(_, v)| (v.pos.column, v.width())).collect();
            assert_eq!(widths, [(8, 12), (4, 4), (4, 2)], "{text}");
        }
    }

    #[test]
    fn values_keep_their_positions() {
        let node = parse(
            "title: 华东\nstage: quote\nvalue: 1200000\ncontacts:\n  - name: 王\n",
            1,
        )
        .unwrap();
        let Value::Map(entries) = &node.value else {
            panic!("map")
        };
        let (k, v) = &entries[1];
        assert_eq!(k.value, Value::Str("stage".into()));
        assert_eq!(v.pos, Pos::new(3, 8));
        assert_eq!(entries[2].1.value, Value::Int(1_200_000));
        let Value::Seq(items) = &entries[3].1.value else {
            panic!("seq")
        };
        let Value::Map(contact) = &items[0].value else {
            panic!("map")
        };
        assert_eq!(contact[0].1.pos, Pos::new(6, 11));
    }

    #[test]
    fn borrowed_text_is_the_text() {
        let node = parse("a: x\nb: +1\nc: 1.50\nd: true\ne: ~\nf: [1]\ng: '2'\nh: 中\n", 0).unwrap();
        let Value::Map(entries) = &node.value else {
            panic!("map")
        };
        for (_, v) in entries {
            assert_eq!(v.text().map(std::borrow::Cow::into_owned), v.as_text(), "{v:?}");
        }
        assert_eq!(entries[1].1.text().as_deref(), Some("+1"));
    }

    #[test]
    fn dates_stay_text() {
        let node = parse("d: 2026-12-20\np: 0.35\nq: '12'\n", 0).unwrap();
        let Value::Map(e) = node.value else { panic!() };
        assert_eq!(e[0].1.value, Value::Str("2026-12-20".into()));
        assert_eq!(e[1].1.value, Value::Float(0.35));
        assert_eq!(e[2].1.value, Value::Str("12".into()));
    }

    #[test]
    fn syntax_errors_have_a_place() {
        let err = parse("title: a\nstage: [quote\n", 1).unwrap_err();
        assert_eq!(err.pos, Pos::new(3, 8), "{err:?}");
        assert!(!err.message.contains("line"), "{err:?}");
        assert_eq!(
            strip_location("unclosed bracket '[' at line 2, column 8"),
            "unclosed bracket '['"
        );
        assert_eq!(strip_location("bad at line 2, column 8: x"), "bad: x");
    }

    /// Runs both paths where the direct one takes the text, and asserts the same tree, places
    /// included; says whether the direct path took it.
    fn same_both_ways(text: &str) -> bool {
        let Some(direct) = parse_plain(text) else {
            return false;
        };
        let general = parse_general(text);
        assert_eq!(
            format!("{:?}", Ok::<_, SyntaxError>(direct)),
            format!("{general:?}"),
            "{text}"
        );
        true
    }

    #[test]
    fn the_direct_path_resolves_scalars_as_serde_saphyr_does() {
        let scalars = [
            "上海",
            "quote",
            "2026-12-20",
            "2026-1-20",
            "20261-2-20",
            "2026-12-20T10:00:00",
            "0",
            "7",
            "007",
            "-0",
            "+5",
            "-5",
            "1.5",
            "-1.5",
            ".5",
            "1e3",
            "1E-3",
            "1_000",
            "0x1F",
            "0o17",
            "0b101",
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551616",
            "123456789012345678",
            "1e999",
            ".inf",
            "-.inf",
            ".NaN",
            "inf",
            "nan",
            "~",
            "null",
            "Null",
            "NULL",
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "N",
            "true",
            "True",
            "FALSE",
            "10:30",
            "1.2.3",
            "12ab",
            "-",
            "-a",
            "+",
            ".",
            "..",
            "0.",
            "ABB 报价",
            "a b",
            "comp-30",
            "@x",
            "`x`",
            "%",
            "x%",
            "#1",
            "+8613800000000",
            "013800000000",
            "0571-8888",
            "-007",
            "+00",
            "00",
            "0.0",
            "1.50",
            "1_000.5",
            "0x1_F",
            "Y",
            "YES",
            "On",
            "nO",
            "tRUE",
            "nULL",
            ".nan",
            "+.inf",
            "...",
            "---",
            "... x",
            "--- x",
            "---x",
            "....5",
            "0.14",
            "-0.0",
            "-12",
            "-9223372036854775808",
            "-9223372036854775809",
            "12345678901234.5",
            "0.123456789012345678",
            "00.5",
            "1.",
            "-1.",
            "-.",
            "-0",
            "~x",
            "",
        ];
        // Characters that cannot start a plain scalar.
        let general_only = ["-", "@x", "`x`", "%"];
        for v in scalars {
            let taken = same_both_ways(&format!("k: {v}\n"));
            assert_eq!(taken, !general_only.contains(&v), "{v}");
            for text in [
                format!("k: [{v}, x]\n"),
                format!("k:\n  - {v}\n"),
                format!("k: '{v}'\n"),
                format!("k: \"{v}\"\n"),
                format!("{v}: 1\n"),
            ] {
                same_both_ways(&text);
            }
        }
    }

    /// Issue 20: YAML 1.1 read phone numbers as integers and names as booleans. Each of these
    /// is text, or a number or boolean that keeps its text, the same on both paths (a map
    /// with an anchor takes the general one).
    #[test]
    fn scalars_keep_the_text_they_were_written_as() {
        let cases = [
            ("0571-8888", Value::Str("0571-8888".into())),
            ("+8613800000000", Value::Int(8_613_800_000_000)),
            ("013800000000", Value::Str("013800000000".into())),
            ("007", Value::Str("007".into())),
            ("1_000", Value::Str("1_000".into())),
            ("N", Value::Str("N".into())),
            ("y", Value::Str("y".into())),
            ("yes", Value::Str("yes".into())),
            ("No", Value::Str("No".into())),
            ("on", Value::Str("on".into())),
            ("OFF", Value::Str("OFF".into())),
            ("True", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("1.50", Value::Float(1.5)),
            ("1e3", Value::Float(1000.0)),
            ("0x1F", Value::Int(31)),
            ("2026", Value::Int(2026)),
            (".inf", Value::Float(f64::INFINITY)),
            ("-.inf", Value::Float(f64::NEG_INFINITY)),
        ];
        for (written, value) in cases {
            for text in [
                format!("k: {written}\n"),
                format!("k: [{written}, x]\n"),
                format!("k:\n  - {written}\n"),
                format!("k: {{a: {written}}}\n"),
            ] {
                assert!(same_both_ways(&text), "{text}");
                for general in [false, true] {
                    let node = if general {
                        parse_general(&format!("z: &z 1\n{text}")).unwrap()
                    } else {
                        parse_plain(&text).unwrap()
                    };
                    let Value::Map(entries) = &node.value else { panic!() };
                    let mut v = &entries.last().unwrap().1;
                    loop {
                        v = match &v.value {
                            Value::Seq(items) => &items[0],
                            Value::Map(e) => &e[0].1,
                            _ => break,
                        };
                    }
                    assert_eq!(
                        format!("{:?}", v.value),
                        format!("{value:?}"),
                        "{text} general: {general}"
                    );
                    assert_eq!(v.as_text().as_deref(), Some(written), "{text} general: {general}");
                    assert_eq!(v.width(), written.chars().count(), "{text}");
                }
            }
        }
        let nan = parse("k: .NaN\n", 0).unwrap();
        let Value::Map(e) = nan.value else { panic!() };
        assert!(matches!(e[0].1.value, Value::Float(f) if f.is_nan()));
        assert_eq!(e[0].1.as_text().as_deref(), Some(".NaN"));
        // An alias takes the text of its anchor (the last one before it of that name).
        let node = parse("a: &p +86138\nb: *p\nc: &p 0x1F\nd: [*p, 中文, &q Y, *q]\n", 0).unwrap();
        let Value::Map(e) = node.value else { panic!() };
        let texts: Vec<_> = e.iter().map(|(_, v)| v.as_text()).collect();
        assert_eq!(
            texts[..3],
            [Some("+86138".into()), Some("+86138".into()), Some("0x1F".into())]
        );
        let Value::Seq(d) = &e[3].1.value else { panic!() };
        let texts: Vec<_> = d.iter().filter_map(Node::as_text).collect();
        assert_eq!(texts, ["0x1F", "中文", "Y", "Y"]);
    }

    /// The general path finds the text of each of many numbers on one long line, in time.
    #[test]
    fn many_numbers_on_one_line_keep_their_text_in_linear_time() {
        let items = vec!["+1"; 100_000].join(", ");
        let text = format!("z: &z 1\nx: [中文, {items}]\ny: *z\n");
        let started = std::time::Instant::now();
        let node = parse_general(&text).unwrap();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        let Value::Map(e) = node.value else { panic!() };
        let Value::Seq(items) = &e[1].1.value else { panic!() };
        assert!(items[1..].iter().all(|n| n.as_text().as_deref() == Some("+1")));
        assert_eq!(e[2].1.as_text().as_deref(), Some("1"));
    }

    #[test]
    fn the_direct_path_takes_plain_front_matter_and_leaves_the_rest() {
        let taken = [
            "title: 华东\nstage: quote\nvalue: 1200000\ncontacts:\n  - name: 王\n    role: user\n",
            "title: a\ntags: []\nx: {}\nempty:\nlist: [a, [b, c], {d: 1}]\n",
            "text: |\n  line one\n  line two\nfolded: >\n  a\n  b\nplain: a\n  b\n",
            "title: a # a comment\n# another\nstage: lead\n",
            "title:   spaced   \nstage:\tx\n",
            "title: \"转义 \\u0041\"\n'quoted key': 1\n",
        ];
        for text in taken {
            assert!(same_both_ways(text), "{text}");
        }
        let left = [
            "a: &x 1\nb: *x\n",
            "base: &b {x: 1}\nc:\n  <<: *b\n",
            "a: !!str 12\n",
            "a: 1\na: 2\n",
            "? [a, b]\n: 1\n",
            "yes: 1\n",
            "a: [1, 2\n",
            "a: 1\n---\nb: 2\n",
            "%YAML 1.2\n---\na: 1\n",
            "- a\n- b\n: c\n",
        ];
        for text in left {
            assert!(!same_both_ways(text), "{text}");
        }
        let deep = format!("a: {}{}\n", "[".repeat(70), "]".repeat(70));
        assert!(!same_both_ways(&deep));
        let keys: String = (0..100).map(|i| format!("k{}: {i}\n", i % 99)).collect();
        assert!(!same_both_ways(&keys), "a repeated key among many");
    }

    #[test]
    fn every_front_matter_in_the_repository_parses_the_same_both_ways() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (mut taken, mut by_lines) = (0, 0);
        for dir in ["content", "tests", "docs"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().filter_map(Result::ok) {
                if entry.path().extension().is_none_or(|e| e != "md") {
                    continue;
                }
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                let Some(rest) = text.strip_prefix("---\n") else {
                    continue;
                };
                let yaml = rest.split("\n---").next().unwrap_or("");
                taken += usize::from(same_both_ways(yaml));
                by_lines += usize::from(same_by_lines(yaml));
            }
        }
        assert!(taken >= 40, "{taken} pages took the direct path");
        assert!(by_lines >= 20, "{by_lines} pages took the line path");
    }

    /// Runs the line-level path and, where it takes the text, serde-saphyr, and asserts the
    /// same tree, places included; says whether the line-level path took it.
    fn same_by_lines(text: &str) -> bool {
        let Some(direct) = parse_lines(text) else {
            return false;
        };
        assert_eq!(lines_disagree(text, &direct), None, "{text:?}");
        true
    }

    /// How `node` differs from serde-saphyr's tree of `text`, if it does (compared as printed:
    /// a NaN equals itself there).
    fn lines_disagree(text: &str, node: &Node) -> Option<String> {
        let direct = format!("{:?}", Ok::<_, SyntaxError>(node));
        let general = format!("{:?}", parse_general(text).as_ref());
        (direct != general).then(|| format!("lines:   {direct}\ngeneral: {general}"))
    }

    #[test]
    fn the_line_path_takes_key_value_lines() {
        let taken = [
            // The generated corpus's shape.
            "title: 常州物流汽车集团0\nindustry: 汽车零部件\nregion: 华东\nowner: 李娜\nstage: quote\n\
             tier: partner\nvalue: 4546000\nexpected_close: 2027-02-01\nnext_visit: 2026-12-21\n\
             potential: low\nshare: low\ncompetitors: []\n",
            "title: 竞争对手0 Automation\nprice_level: low\nmarket_share: 0.14\n",
            "title: phone 拜访话术 0\nvisit_kind: follow-up\nstages: [lost]\n",
            "competitors: [comp-171, comp-39, comp-84]\n",
            // Lists: spaces, CJK items (columns in characters), words and numbers.
            "a: [ ]\nb: [x,y]\nc: [ 中文 , 上海 ,x ]\nd: [yes, 1, -2, 0.5, ~, null, 2026-01-01]\ne: [a b, c]\n",
            "k: [中文, x] # 注释\n",
            // Empty values (null, placed at the `:`), comments, blank lines, trailing spaces.
            "a:\nb: \nc:   # c\n\n   \n# comment\n  # indented\nd: x   \ne: y # z\nf: 中 # 文\n",
            "\n\n# first\ntitle: a",
            // Scalars: everything `scalar` resolves, and text that only looks odd.
            "a: yes\nb: No\nc: ~\nd: null\ne: TRUE\nf: False\ng: 1_000\nh: 013\ni: +1\nj: .5\n",
            "a: -5\nb: -.5\nc: 1e3\nd: 0x1F\ne: .inf\nf: .NaN\ng: 9223372036854775808\nh: 1.50\ni: 0\n",
            "a: a, b\nb: x:y\nc: a#b\nd: it's\ne: say \"hi\"\nf: 10:30\ng: http://x.y/z?a=1&b=2\nh: 100%\n",
            "a: a  b\nb: （注）\nc: é\nd: \u{200b}x\ne: x-\nf: x!\ng: a|b>c\n",
            "key-with-dash: 1\nkey_with_underscore: 2\nK9: 3\nnan: x\n",
        ];
        for text in taken {
            assert!(same_by_lines(text), "{text:?}");
        }
    }

    #[test]
    fn the_line_path_leaves_the_rest_to_the_parser() {
        let left = [
            // Structure: nesting, block lists, flow maps, several documents, directives.
            "contacts:\n  - name: 王\n",
            "a:\n- x\n",
            "a:\n  b: 1\n",
            "a: {b: 1}\n",
            "a: [x, [y]]\n",
            "a: [x, {y: 1}]\n",
            "a: 1\n---\nb: 2\n",
            "---\na: 1\n",
            "%YAML 1.2\n---\na: 1\n",
            "- a\n",
            "# only a comment\n",
            // Multi-line and quoted text, block scalars, anchors, tags.
            "a: b\n  c\n",
            "a: b\nc\n",
            "a: 'x'\n",
            "a: \"x\"\n",
            "'a': x\n",
            "a: |\n  x\n",
            "a: >\n  x\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            // Keys: repeated, YAML words, numbers, odd characters, space before `:`.
            "a: 1\na: 2\n",
            "yes: 1\n",
            "1: x\n",
            "a.b: 1\n",
            "中文: 1\n",
            "a : 1\n",
            "a:b\n",
            "<<: x\n",
            // Values that the parser reads otherwise or refuses.
            "a: b: c\n",
            "a: b:\n",
            "a: -\n",
            "a: - x\n",
            "a: ? x\n",
            "a: :x\n",
            "a: @x\n",
            "a: `x`\n",
            "a: %x\n",
            "a: x [y]\n",
            "a: [x,]\n",
            "a: [,]\n",
            "a: [x, , y]\n",
            "a: [x\n",
            "a: [x]]\n",
            "a: [x]y\n",
            "a: [x]# c\n",
            "a: [x: 1]\n",
            "a: [x #y]\n",
            "a: [-]\n",
            "a: ['x']\n",
            // Tabs, CRLF, Unicode spaces and separators, a byte order mark, control characters.
            "a:\tx\n",
            "a: x\t\n",
            "a: x\r\n",
            "a: x\u{a0}\n",
            "a: x\u{3000}y\n",
            "a: x\u{85}y\n",
            "a: x\u{2028}y\n",
            "\u{feff}a: x\n",
            "a: x\u{7}\n",
            "a: x\u{7f}\n",
            "# \t tab in a comment\na: x\n",
        ];
        for text in left {
            assert!(parse_lines(text).is_none(), "{text:?}");
            // Whatever serde-saphyr makes of it stays what `parse` gives.
            let general = parse_general(text).map(|mut n| {
                n.shift(2);
                n
            });
            let general = general.map_err(|mut e| {
                e.pos.line += 2;
                e
            });
            assert_eq!(format!("{:?}", parse(text, 2)), format!("{general:?}"), "{text:?}");
        }
        // Far below serde-saphyr's budget of values, but more than this path takes.
        let many: String = (0..MAX_NODES / 4 + 1).map(|i| format!("k{i}: 1\n")).collect();
        assert!(many.len() < LINES_MAX_BYTES);
        assert!(parse_lines(&many).is_none(), "too many values");
        let half: String = (0..MAX_NODES / 8).map(|i| format!("k{i}: 1\n")).collect();
        assert!(parse_lines(&half).is_some(), "half of them");
        let large = format!("k: {}\n", "x".repeat(LINES_MAX_BYTES));
        assert!(parse_lines(&large).is_none(), "too large a text");
    }

    /// The byte-level check refuses exactly the characters that [`plain_char`] refuses.
    #[test]
    fn the_byte_check_agrees_with_the_character_check() {
        let mut buf = [0u8; 8];
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let one = c.encode_utf8(&mut buf[..4]);
            assert_eq!(plain_text(one), plain_char(c), "U+{:04X}", c as u32);
        }
        assert!(plain_text("title: 常州 é\nx: 1\n"));
        assert!(!plain_text("title: 常州\u{3000}\n"));
    }

    /// Values that have tripped YAML readers, for [`front_matter`].
    const VALUES: &[&str] = &[
        "常州物流汽车集团0",
        "汽车零部件",
        "quote",
        "4546000",
        "2027-02-01",
        "2026-1-2",
        "yes",
        "no",
        "Y",
        "~",
        "null",
        "Null",
        "nULL",
        "true",
        "FALSE",
        "tRUE",
        "1_000",
        "013",
        "+1",
        ".5",
        "-5",
        "-.5",
        "0.14",
        "-0.0",
        "0.0",
        "00.5",
        "1.",
        "1.2.3",
        "1e3",
        "0x1F",
        "0o7",
        ".inf",
        "-.inf",
        ".NaN",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "123456789012345678",
        "0.123456789012345678",
        "12345678901234.5",
        "1.50",
        "0",
        "00",
        "-0",
        "a: b",
        "a #b",
        "a#b",
        "a:b",
        "x:",
        "[]",
        "[a, b]",
        "{}",
        "'q'",
        "\"q\"",
        "it's",
        "-",
        "- a",
        "-a",
        "--",
        "?",
        "? x",
        ":x",
        "&a",
        "*a",
        "!x",
        "|",
        ">",
        "%",
        "@x",
        "`x`",
        "#",
        ",",
        "a,b",
        "a, b",
        "\u{a0}",
        "\u{3000}",
        "，",
        "（注）",
        "é",
        "\u{200b}",
        "\u{feff}",
        "\u{85}",
        "\u{2028}",
        "---",
        "...",
        "\\",
        "\"",
        "'",
        "]",
        "[",
        "x]",
        "a  b",
        "10:30",
        "http://x",
        "100%",
        "\t",
        "",
    ];

    /// Front matter from a grammar of keys, values that have tripped YAML readers, lists,
    /// comments, blank lines and line ends: wherever the line-level path takes it, its tree
    /// is serde-saphyr's, places, written text and quotes included.
    fn front_matter() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const KEYS: &[&str] = &[
            "title", "stage", "value", "owner", "region", "tier", "industry", "share", "tags", "k", "a-b", "x_1",
            "Title2", "nan", "e1", "x-",
        ];
        const ODD_KEYS: &[&str] = &["yes", "on", "null", "中文", "1", "-a", "a b", "a.b", "'a'"];
        let key = prop_oneof![8 => proptest::sample::select(KEYS), 1 => proptest::sample::select(ODD_KEYS)];
        const USUAL: &[&str] = &[
            "常州物流汽车集团0",
            "汽车零部件",
            "quote",
            "lead",
            "4546000",
            "2027-02-01",
            "0.35",
            "comp-3",
            "ABB 报价",
            "x",
            "yes",
            "~",
            "true",
            "-5",
            "1.50",
            "013",
        ];
        let word = prop_oneof![
            3 => proptest::sample::select(USUAL),
            2 => proptest::sample::select(VALUES),
        ];
        let scalar =
            prop::collection::vec((word.clone(), prop::sample::select(&["", " ", "  "][..])), 1..3).prop_map(|parts| {
                parts
                    .into_iter()
                    .map(|(w, sep)| format!("{w}{sep}"))
                    .collect::<String>()
            });
        let item_sep = prop::sample::select(&[", ", ",", " , ", ",  "][..]);
        let list = (
            prop::collection::vec(word, 0..4),
            item_sep,
            prop::sample::select(&["", " "][..]),
        )
            .prop_map(|(items, sep, pad)| format!("[{pad}{}{pad}]", items.join(sep)));
        let value = prop_oneof![4 => scalar, 2 => list, 1 => Just(String::new())];
        let after_colon = prop::sample::select(&[" ", " ", " ", "  ", "", "\t"][..]);
        let tail = prop::sample::select(&["", "", "", "", " ", "  ", " # c", "# c", "  #c 中", "\t", " #"][..]);
        let entry = (key, after_colon, value, tail).prop_map(|(k, sep, v, tail)| format!("{k}:{sep}{v}{tail}"));
        let other = prop::sample::select(&["", "  ", "# comment", "  # indented", "#", "  x", "- a"][..])
            .prop_map(str::to_owned);
        let line = prop_oneof![12 => entry, 1 => other];
        let end = prop::sample::select(&["\n", "\n", "\n", "\n", "\n", "", "\r\n"][..]);
        (prop::collection::vec(line, 1..6), end).prop_map(|(lines, end)| {
            let mut text = lines.join("\n");
            text.push_str(end);
            text
        })
    }

    /// Runs `check` on generated front matter; returns how many texts the line path took.
    fn for_generated(cases: u32, mut check: impl FnMut(&str, Node)) -> u32 {
        use proptest::strategy::{Strategy, ValueTree};
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = front_matter();
        let mut taken = 0;
        for _ in 0..cases {
            let text = strategy.new_tree(&mut runner).expect("a case").current();
            if let Some(node) = parse_lines(&text) {
                taken += 1;
                check(&text, node);
            }
        }
        taken
    }

    #[test]
    fn the_line_path_agrees_with_serde_saphyr_on_generated_front_matter() {
        use proptest::test_runner::{Config, TestCaseError, TestRng, TestRunner};
        let config = Config {
            cases: 20_000,
            failure_persistence: None,
            ..Config::default()
        };
        let rng = TestRng::deterministic_rng(config.rng_algorithm);
        // A failing text is shrunk to a smallest one that still fails.
        let result = TestRunner::new_with_rng(config, rng).run(&front_matter(), |text| {
            match parse_lines(&text).and_then(|node| lines_disagree(&text, &node)) {
                Some(diff) => Err(TestCaseError::fail(format!("{text:?}\n{diff}"))),
                None => Ok(()),
            }
        });
        if let Err(e) = result {
            panic!("{e}");
        }
        let taken = for_generated(20_000, |_, _| {});
        assert!(taken >= 2_000, "only {taken} of 20,000 texts took the line path");
    }

    /// The comparison above sees a value one column off, a wrong written text, a lost quote
    /// mark and a wrong type: a test that cannot fail proves nothing.
    #[test]
    fn the_generated_comparison_catches_a_wrong_place_or_value() {
        fn last_value(node: &mut Node) -> &mut Node {
            let Value::Map(entries) = &mut node.value else {
                panic!("map")
            };
            &mut entries.last_mut().expect("an entry").1
        }
        let breakages: [fn(&mut Node); 4] = [
            |n| last_value(n).pos.column += 1,
            |n| last_value(n).raw = Some("x".into()),
            |n| last_value(n).quoted = true,
            |n| last_value(n).value = Value::Str("x".into()),
        ];
        for (i, broken) in breakages.iter().enumerate() {
            let mut caught = 0;
            for_generated(300, |text, mut node| {
                broken(&mut node);
                caught += u32::from(lines_disagree(text, &node).is_some());
            });
            assert!(caught > 0, "breakage {i} went unseen");
        }
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut y = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 { "a".to_owned() } else { format!("l{}", i - 1) };
            y.push_str(&format!(
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(parse(&y, 0).is_err());
    }
}
