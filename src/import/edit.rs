//! A front matter's text edited in place: a field's value replaced where the YAML parser
//! says it is written (or the field added at the end), so that everything else of the file
//! (the body, other fields, comments, quoting, key order, line breaks) stays as it was. Used
//! by `import --update`; writing the front matter anew from its values would lose comments
//! and order.

use serde_json::Value as J;

use crate::yaml::{Node, Value};

/// A value as YAML on one line: text plain where YAML reads it back as the same text,
/// else double-quoted (as JSON, which YAML reads); lists and contacts in flow style, a
/// contact's fields in the order the page format lists them.
pub(crate) fn inline(v: &J) -> String {
    inline_in(v, false)
}

fn inline_in(v: &J, flow: bool) -> String {
    match v {
        J::String(s) if plain_reads_back(s) && !(flow && s.contains([',', '[', ']', '{', '}'])) => s.clone(),
        J::Array(items) => {
            let items: Vec<String> = items.iter().map(|i| inline_in(i, true)).collect();
            format!("[{}]", items.join(", "))
        }
        J::Object(m) => {
            const ORDER: [&str; 7] = ["name", "title", "role", "style", "phone", "relationship", "notes"];
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by_key(|k| ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()));
            let fields: Vec<String> = keys
                .iter()
                .map(|k| format!("{k}: {}", inline_in(&m[*k], true)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        other => other.to_string(),
    }
}

/// Whether `s` written plain (`key: s`) is read back as the text `s`.
fn plain_reads_back(s: &str) -> bool {
    if s.is_empty() || s.contains(['\n', '\r']) || s.trim() != s {
        return false;
    }
    match crate::yaml::parse(&format!("k: {s}\n"), 0) {
        Ok(Node {
            value: Value::Map(entries),
            ..
        }) => {
            entries.len() == 1 && matches!(&entries[0].1.value, Value::Str(v) if v == s) && entries[0].1.raw.is_none()
        }
        _ => false,
    }
}

/// The page's text with each field set to its new value (YAML text on one line): in place
/// where the field is written (at the top level or under `private:`), else as a line at the
/// end of the front matter. Nothing else of the file changes.
pub(crate) fn edit(text: &str, changes: &[(&str, String)]) -> Result<String, String> {
    // Places are counted in lines broken by `\n` (as the build reads a file); a Windows file
    // is edited as such and given its `\r\n` back.
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        return edit(rest, changes).map(|t| format!("\u{feff}{t}"));
    }
    if text.contains('\r') {
        let lf = text.replace("\r\n", "\n");
        if lf.contains('\r') {
            return Err("its lines end in two ways (CRLF and CR); save it with one kind of line break".into());
        }
        return edit(&lf, changes).map(|t| t.replace('\n', "\r\n"));
    }
    let split = crate::parse::front_matter::split("", text).map_err(|d| d.message)?;
    let root = crate::yaml::parse(split.yaml, split.yaml_line_offset).map_err(|e| e.message)?;
    let Value::Map(top) = &root.value else {
        return Err("its front matter is not a map of fields".into());
    };
    let private = top
        .iter()
        .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == "private"))
        .and_then(|(_, v)| match &v.value {
            Value::Map(m) => Some(m),
            _ => None,
        });
    let lines = Lines::new(text);
    let yaml_end = split.yaml.as_ptr() as usize - text.as_ptr() as usize + split.yaml.len();
    let eol = "\n";
    let mut replacements: Vec<(usize, usize, String)> = Vec::new();
    let mut appended = String::new();
    for (field, value) in changes {
        let entry = top
            .iter()
            .chain(private.into_iter().flatten())
            .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == field));
        match entry {
            Some((k, v)) => replacements.push(lines.value_span(k, v, value, yaml_end)?),
            None => appended.push_str(&format!("{field}: {value}{eol}")),
        }
    }
    replacements.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out = text.to_owned();
    if !appended.is_empty() {
        out.insert_str(yaml_end, &appended);
    }
    for (start, end, with) in replacements {
        out.replace_range(start..end, &with);
    }
    Ok(out)
}

/// A file's lines, by byte offset.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// Line `n` (1-based) without its line break, and where it starts.
    fn line(&self, n: usize) -> Option<(usize, &'a str)> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        let rest = &self.text[start..];
        let end = rest.find('\n').unwrap_or(rest.len());
        Some((start, rest[..end].trim_end_matches('\r')))
    }

    /// The byte offset of column `col` (1-based, in characters) of line `n`.
    fn offset(&self, n: usize, col: usize) -> Option<usize> {
        let (start, line) = self.line(n)?;
        let i = line
            .char_indices()
            .nth(col.checked_sub(1)?)
            .map_or(line.len(), |(i, _)| i);
        Some(start + i)
    }

    /// Where the value of key `k` is written, to be replaced by `with`: the span of a
    /// value on the key's line (a trailing comment kept), or of a block value over the
    /// lines below it (comments after its last line kept).
    fn value_span(&self, k: &Node, v: &Node, with: &str, yaml_end: usize) -> Result<(usize, usize, String), String> {
        let bad = || {
            format!(
                "cannot find the value of `{}` in the file",
                k.as_text().unwrap_or_default()
            )
        };
        let (key_start, key_line) = self.line(k.pos.line).ok_or_else(bad)?;
        let indent = k.pos.column.saturating_sub(1);
        let key_at = self.offset(k.pos.line, k.pos.column).ok_or_else(bad)?;
        let in_flow = key_line[..key_at - key_start].trim_end().ends_with(['{', ',']);
        // The last line that belongs to the value: deeper than the key, or a `- ` item at
        // its indentation.
        let mut last = k.pos.line;
        let mut n = k.pos.line + 1;
        while let Some((start, line)) = self.line(n) {
            if start >= yaml_end {
                break;
            }
            let content = line.trim_start();
            let depth = line.len() - content.len();
            if content.is_empty() || content.starts_with('#') {
                n += 1;
                continue;
            }
            if depth > indent || (depth == indent && (content == "-" || content.starts_with("- "))) {
                last = n;
                n += 1;
                continue;
            }
            break;
        }
        if in_flow && (last > k.pos.line || matches!(v.value, Value::Seq(_) | Value::Map(_))) {
            return Err(format!(
                "`{}` is inside a `{{…}}` map: write it as its own line to update it",
                k.as_text().unwrap_or_default()
            ));
        }
        let value_on_key_line = v.pos.line == k.pos.line && v.value != Value::Null;
        if value_on_key_line && last == k.pos.line {
            let start = self.offset(v.pos.line, v.pos.column).ok_or_else(bad)?;
            let rest = &key_line[start - key_start..];
            let len = scalar_len(rest, in_flow);
            return Ok((start, start + len, with.to_owned()));
        }
        let (last_start, last_line) = self.line(last).ok_or_else(bad)?;
        let end = last_start + last_line.len();
        if value_on_key_line {
            let start = self.offset(v.pos.line, v.pos.column).ok_or_else(bad)?;
            return Ok((start, end, with.to_owned()));
        }
        // A block value, or none: the new value goes after the key's `:`, before a comment
        // on the key's line; the value's lines go.
        let colon = key_line[key_at - key_start..]
            .find(':')
            .map(|i| key_at + i + 1)
            .ok_or_else(bad)?;
        let after = &key_line[colon - key_start..];
        let comment = after.find('#').map(|i| after[i..].to_owned());
        let key_end = key_start + key_line.len();
        let mut new = format!(" {with}");
        if let Some(c) = comment {
            new.push_str("  ");
            new.push_str(&c);
        }
        Ok((colon, if last > k.pos.line { end } else { key_end }, new))
    }
}

/// The length in bytes of the scalar or flow collection that `rest` starts with, without
/// a comment after it; in a flow collection, a plain scalar ends at `,`, `}` or `]`.
fn scalar_len(rest: &str, in_flow: bool) -> usize {
    let b = rest.as_bytes();
    match b.first() {
        Some(b'"') => {
            let mut i = 1;
            while i < b.len() {
                match b[i] {
                    b'\\' => i += 2,
                    b'"' => return i + 1,
                    _ => i += 1,
                }
            }
            b.len()
        }
        Some(b'\'') => {
            let mut i = 1;
            while i < b.len() {
                if b[i] == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i += 1;
            }
            b.len()
        }
        Some(b'[' | b'{') => {
            let (mut depth, mut quote, mut i) = (0i32, None::<u8>, 0);
            while i < b.len() {
                let c = b[i];
                match quote {
                    Some(q) if c == b'\\' && q == b'"' => i += 1,
                    Some(q) if c == q => quote = None,
                    Some(_) => {}
                    None => match c {
                        b'"' | b'\'' => quote = Some(c),
                        b'[' | b'{' => depth += 1,
                        b']' | b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                return i + 1;
                            }
                        }
                        _ => {}
                    },
                }
                i += 1;
            }
            b.len()
        }
        _ => {
            let mut end = rest.len();
            if let Some(i) = rest.find(" #").or_else(|| rest.find("\t#")) {
                end = i;
            }
            if in_flow && let Some(i) = rest[..end].find([',', '}', ']']) {
                end = i;
            }
            rest[..end].trim_end().len()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str, changes: &[(&str, &str)]) -> String {
        let changes: Vec<(&str, String)> = changes.iter().map(|(k, v)| (*k, v.to_string())).collect();
        edit(text, &changes).unwrap()
    }

    #[test]
    fn values_change_in_place_and_nothing_else() {
        let text = "---\ntitle: 华东  # 公司全称\nstage: quote # 阶段\ntier: \"basic\"\nowner: '张'\n# 注释\ncontacts:\n- name: 王\n  role: user\n  # 内部注释\n# 下一个\ntags: [a, b]   # 标签\nprivate:\n  value: 100   # 保密\n---\n\n正文 stage: quote\n";
        let out = set(
            text,
            &[
                ("stage", "won"),
                ("tier", "partner"),
                ("owner", "李"),
                ("contacts", "[{\"name\":\"赵\"}]"),
                ("tags", "[\"x\"]"),
                ("value", "200"),
                ("region", "华东"),
            ],
        );
        assert_eq!(
            out,
            "---\ntitle: 华东  # 公司全称\nstage: won # 阶段\ntier: partner\nowner: 李\n# 注释\ncontacts: [{\"name\":\"赵\"}]\n  # 内部注释\n# 下一个\ntags: [\"x\"]   # 标签\nprivate:\n  value: 200   # 保密\nregion: 华东\n---\n\n正文 stage: quote\n"
        );
    }

    #[test]
    fn crlf_flow_maps_and_empty_values() {
        let text = "---\r\ntitle: a\r\nnext_visit:\r\nstage: lead\r\n---\r\nbody\r\n";
        assert_eq!(
            set(text, &[("next_visit", "2026-12-01"), ("owner", "张")]),
            "---\r\ntitle: a\r\nnext_visit: 2026-12-01\r\nstage: lead\r\nowner: 张\r\n---\r\nbody\r\n"
        );
        let text = "---\ntitle: a\nprivate: {owner: 张伟, value: 1}\n---\n";
        assert_eq!(
            set(text, &[("value", "2"), ("owner", "李")]),
            "---\ntitle: a\nprivate: {owner: 李, value: 2}\n---\n"
        );
        let text = "\u{feff}---\ntitle: a\n---\n";
        assert_eq!(set(text, &[("owner", "李")]), "\u{feff}---\ntitle: a\nowner: 李\n---\n");
        let text = "---\ntitle: a\ntags:\n  - x  # 一\n  # 二\n  - \"y: z\"\nowner: |\n  多行\n  文本\n---\n";
        assert_eq!(
            set(text, &[("tags", "[\"q\"]"), ("owner", "李")]),
            "---\ntitle: a\ntags: [\"q\"]\nowner: 李\n---\n"
        );
    }

    #[test]
    fn plain_only_where_it_reads_back() {
        for (s, plain) in [
            ("quote", true),
            ("张伟", true),
            ("2026-11-28", true),
            ("yes", true),
            ("123", false),
            ("true", false),
            ("a: b", false),
            ("a #b", false),
            ("- x", false),
            ("", false),
            (" x", false),
            ("'x'", false),
        ] {
            assert_eq!(plain_reads_back(s), plain, "{s}");
        }
        let contacts = serde_json::json!([{"notes": "备注: #1", "name": "新人", "role": "coach", "phone": "+86 010"}, {"name": "a,b"}]);
        assert_eq!(
            inline(&contacts),
            "[{name: 新人, role: coach, phone: +86 010, notes: \"备注: #1\"}, {name: \"a,b\"}]"
        );
        assert_eq!(inline(&serde_json::json!(["重点", "1", "x y"])), "[重点, \"1\", x y]");
    }
}
