//! YAML as a tree of values that each remember their line and column, so that every
//! semantic check downstream can point at the value it rejects.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diagnostics::Pos;

/// One YAML value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
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

    /// The value as text, if it is a scalar (numbers and booleans are shown as written).
    pub fn as_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// How many characters the value occupies on its line, for the caret.
    pub fn width(&self) -> usize {
        match &self.value {
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
        });
    }
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: 64,
            max_aliases: 1_000,
            max_nodes: 250_000,
        },
    };
    match serde_saphyr::from_str_with_options::<Node>(text, options) {
        Ok(mut node) => {
            node.shift(first_line);
            Ok(node)
        }
        Err(e) => {
            let pos = e
                .location()
                .map(|l| Pos::new(l.line() as usize + first_line, (l.column() as usize).max(1)))
                .unwrap_or(Pos::new(first_line + 1, 1));
            let message = e.without_snippet().to_string();
            let message = strip_location(message.lines().next().unwrap_or("invalid YAML"));
            Err(SyntaxError { message, pos })
        }
    }
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
