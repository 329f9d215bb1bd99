//! Reading a spreadsheet's text and cells: the file's encoding, the field and unit a header
//! names, amounts, probabilities, dates and list cells. Each is the inverse of what
//! `exports/customers.csv` writes (see `crate::export`), and lenient about what people type.

use chrono::NaiveDate;

use crate::export::{LIST_SPECIAL, needs_neutralising};

/// Each field, with the headers that name it.
const FIELDS: &[(&str, &[&str])] = &[
    (
        "title",
        &[
            "title",
            "name",
            "客户名称",
            "客户",
            "名称",
            "公司名称",
            "公司",
            "客户全称",
        ],
    ),
    ("slug", &["slug", "文件名"]),
    ("stage", &["stage", "阶段", "销售阶段", "客户阶段"]),
    ("tier", &["tier", "关系类型", "客户关系", "关系", "关系层级"]),
    ("owner", &["owner", "负责人", "销售", "业务员", "客户经理", "销售代表"]),
    ("industry", &["industry", "行业", "所属行业"]),
    ("region", &["region", "地区", "区域", "省份", "城市"]),
    ("value", &["value", "金额", "预计金额", "商机金额", "项目金额", "预算"]),
    (
        "probability",
        &["probability", "概率", "成交概率", "赢单率", "赢单概率"],
    ),
    (
        "expected_close",
        &["expected_close", "预计成交", "预计成交日期", "预计签约日期"],
    ),
    (
        "next_visit",
        &["next_visit", "下次拜访", "下次拜访日期", "下次拜访时间"],
    ),
    ("potential", &["potential", "采购潜力", "潜力"]),
    ("share", &["share", "客户份额", "份额", "我方份额"]),
    ("competitors", &["competitors", "竞争对手", "对手"]),
    ("contacts", &["contacts", "联系人"]),
    ("tags", &["tags", "标签"]),
    ("updated", &["updated", "更新", "更新日期", "最后更新"]),
];

/// The multiples of the yuan that amounts are written in, longest name first (千万 before 万).
const MULTIPLES: &[(&str, f64)] = &[
    ("千万", 1e7),
    ("百万", 1e6),
    ("十万", 1e5),
    ("亿", 1e8),
    ("万", 1e4),
    ("千", 1e3),
    ("k", 1e3),
];

/// Names of the currency itself, around a multiple (`万元`, `¥万`, `万元人民币`, `rmb`).
const CURRENCY: &[&str] = &["人民币", "rmb", "cny", "元", "¥", "￥"];

/// The file's text: UTF-8 (a byte-order mark is dropped) or GBK, never a mix of the two.
///
/// A file that is not UTF-8 as a whole is decoded line by line (a line break is never part
/// of a GBK character): a file pieced together from two spreadsheets, one saved as UTF-8 and
/// one as GBK, would otherwise be decoded entirely as GBK, and its UTF-8 rows turn into
/// other Chinese characters without any error. The lines in the minority encoding are named.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(
            "the file is UTF-16 (Excel's \"Unicode text\"); save it from the spreadsheet as \"CSV UTF-8\"".into(),
        );
    }
    let (bom, bytes) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (mut utf8, mut gbk, mut neither) = (Vec::new(), Vec::new(), Vec::new());
    let mut out = String::with_capacity(bytes.len() * 3 / 2);
    for (i, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        if let Ok(s) = std::str::from_utf8(line) {
            if !line.is_ascii() {
                utf8.push(i + 1);
            }
            out.push_str(s);
        } else if let Some(s) = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(line) {
            gbk.push(i + 1);
            out.push_str(&s);
        } else {
            neither.push(i + 1);
        }
    }
    if !neither.is_empty() {
        return Err(format!(
            "{} neither UTF-8 nor GBK text: save the file from the spreadsheet as \"CSV UTF-8\"",
            lines(&neither, if neither.len() == 1 { "is" } else { "are" })
        ));
    }
    if !utf8.is_empty() || bom {
        // The byte-order mark says UTF-8: then the GBK lines are the odd ones out.
        let (odd, odd_name, rest_name) = if bom || utf8.len() > gbk.len() {
            (&gbk, "GBK", "UTF-8")
        } else {
            (&utf8, "UTF-8", "GBK")
        };
        return Err(format!(
            "the file mixes two encodings: {} {odd_name} and the other lines {rest_name}, so one \
             of them would turn into wrong characters; open the file in the spreadsheet, check those \
             rows, and save it as \"CSV UTF-8\"",
            lines(odd, if odd.len() == 1 { "is" } else { "are" })
        ));
    }
    Ok(out)
}

/// "line 3 is", "lines 3, 5 and 9 are" (the first ten, then a count).
fn lines(numbers: &[usize], verb: &str) -> String {
    let shown: Vec<String> = numbers.iter().take(10).map(usize::to_string).collect();
    let more = numbers.len().saturating_sub(10);
    let list = match (shown.len(), more) {
        (1, _) => format!("line {}", shown[0]),
        (_, 0) => format!("lines {}", shown.join(", ")),
        _ => format!("lines {} (and {more} more)", shown.join(", ")),
    };
    format!("{list} {verb}")
}

/// A header as written (`金额（万元）`, ` Stage `, `金额/万元`) to the field it names and the
/// unit in it, if any.
pub fn field_of(header: &str) -> Option<(&'static str, Option<String>)> {
    let h = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    let (name, unit) = match h.find(['(', '（', '[', '【', '/']) {
        Some(i) => {
            let unit = h[i..]
                .trim_start_matches(['(', '（', '[', '【', '/'])
                .trim_end_matches([')', '）', ']', '】'])
                .trim();
            (h[..i].trim().to_owned(), Some(unit.to_owned()))
        }
        None => (h.clone(), None),
    };
    let find = |name: &str| {
        let name = name.trim().replace(' ', "_");
        FIELDS
            .iter()
            .find(|(_, names)| names.contains(&name.as_str()))
            .map(|(field, _)| *field)
    };
    if let Some(field) = find(&name) {
        return Some((field, unit));
    }
    // A unit written straight after the name: `金额万元`.
    (unit.is_none())
        .then(|| {
            FIELDS.iter().find_map(|(field, names)| {
                let rest = names.iter().find_map(|n| name.strip_prefix(n))?;
                (!rest.is_empty() && multiple_of(rest).is_some()).then(|| (*field, Some(rest.to_owned())))
            })
        })
        .flatten()
}

/// The yuan in one unit of a header or a cell (`万元` → 10,000), `None` when the unit is
/// not one of money.
pub fn multiple_of(unit: &str) -> Option<f64> {
    let mut u = unit.trim().to_lowercase();
    for prefix in ["单位", ":", "：", " "] {
        u = u.trim_start_matches(prefix).to_owned();
    }
    loop {
        let before = u.len();
        for c in CURRENCY {
            if let Some(rest) = u.strip_suffix(c).or_else(|| u.strip_prefix(c)) {
                u = rest.trim().to_owned();
            }
        }
        if u.len() == before {
            break;
        }
    }
    if u.is_empty() {
        return Some(1.0);
    }
    MULTIPLES.iter().find(|(name, _)| *name == u).map(|(_, m)| *m)
}

/// An amount (`1,200,000`, `¥120万`, `1.2亿元`, `-5`) and the multiple the cell itself
/// names, if any (`None` for a bare number: the column's unit applies).
pub fn parse_amount(cell: &str) -> Option<(f64, Option<f64>)> {
    let s: String = cell
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '_' | '$'))
        .collect();
    // A currency sign before the number (`¥120万`).
    let s = s.strip_prefix(['¥', '￥']).unwrap_or(&s);
    let digits_end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
        .map_or(s.len(), |(i, _)| i);
    let v: f64 = s[..digits_end].parse().ok()?;
    let unit = &s[digits_end..];
    let multiple = if unit.is_empty() {
        None
    } else {
        Some(multiple_of(unit)?)
    };
    v.is_finite().then_some((v, multiple))
}

/// Full-width digits, signs and letters (`１２０万`, `３５％`, as a Chinese input method types
/// them) as their ASCII forms, for the cells that hold numbers and dates.
pub fn halfwidth(cell: &str) -> String {
    cell.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

/// `v` yuan times a multiple, to the cent (0.07万 is 700, not 700.0000000000001).
pub fn in_yuan(v: f64, multiple: f64) -> f64 {
    if multiple == 1.0 {
        v
    } else {
        (v * multiple * 100.0).round() / 100.0
    }
}

pub fn parse_probability(cell: &str) -> Option<f64> {
    let (s, percent) = match cell.strip_suffix(['%', '％']) {
        Some(s) => (s.trim(), true),
        None => (cell, false),
    };
    let v: f64 = s.parse().ok()?;
    let v = if percent || v > 1.0 { v / 100.0 } else { v };
    (0.0..=1.0).contains(&v).then_some(v)
}

pub fn parse_date(cell: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(cell, f).ok())
}

/// A cell the export neutralised (`'=…`, `' =…`) back to what was written: exactly the `'`
/// that [`crate::export::neutralise`] adds is taken off, and only that.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_neutralising(rest) => rest,
        _ => cell,
    }
}

/// The pieces of `cell` between the separators `seps` that no `\` escapes, escapes kept
/// (a contact splits again at `|`).
pub fn split_unescaped<'a>(cell: &'a str, seps: &[char]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = cell.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if seps.contains(&c) {
            out.push(&cell[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&cell[start..]);
    out
}

/// One item: whitespace at the ends trimmed unless escaped, `\` + a separator, `\` or
/// whitespace read as that character; any other `\` is kept as typed (`C:\data`).
pub fn unescape(item: &str) -> String {
    let mut chars: Vec<(char, bool)> = Vec::with_capacity(item.len());
    let mut it = item.chars().peekable();
    while let Some(c) = it.next() {
        match it.peek() {
            Some(&n) if c == '\\' && (LIST_SPECIAL.contains(&n) || n.is_whitespace()) => {
                chars.push((n, true));
                it.next();
            }
            _ => chars.push((c, false)),
        }
    }
    let loose = |(c, escaped): &(char, bool)| c.is_whitespace() && !escaped;
    let start = chars.iter().position(|c| !loose(c)).unwrap_or(chars.len());
    let end = chars.iter().rposition(|c| !loose(c)).map_or(start, |i| i + 1);
    chars[start..end].iter().map(|(c, _)| c).collect()
}

/// The items of a tags or competitors cell: separated by `;` `,` (either width) or `、`.
pub fn list(cell: &str) -> Vec<String> {
    split_unescaped(cell, &[';', '；', ',', '，', '、'])
        .into_iter()
        .map(unescape)
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{escape_item, neutralise};

    #[test]
    fn headers_amounts_and_dates() {
        assert_eq!(field_of("客户名称"), Some(("title", None)));
        assert_eq!(field_of(" 金额（元） "), Some(("value", Some("元".to_owned()))));
        assert_eq!(field_of("Next Visit"), Some(("next_visit", None)));
        assert_eq!(field_of("备注"), None);
        assert_eq!(parse_amount("¥1,200,000"), Some((1_200_000.0, None)));
        assert_eq!(parse_amount("120万"), Some((120.0, Some(1e4))));
        assert_eq!(parse_amount("很多"), None);
        assert_eq!(parse_probability("35%"), Some(0.35));
        assert_eq!(parse_probability("0.6"), Some(0.6));
        assert_eq!(parse_probability("150%"), None);
        assert_eq!(parse_date("2026/11/28"), parse_date("2026-11-28"));
        assert_eq!(parse_date("2026年11月28日"), parse_date("2026-11-28"));
        assert_eq!(halfwidth("１２０．５万"), "120.5万");
        assert_eq!(halfwidth("３５％"), "35%");
        assert_eq!(halfwidth("２０２６年１１月２８日"), "2026年11月28日");
    }

    #[test]
    fn units_in_headers_and_cells() {
        for (header, multiple) in [
            ("金额(万元)", 1e4),
            ("金额（万元）", 1e4),
            ("金额(万)", 1e4),
            ("预计金额（千元）", 1e3),
            ("金额(元)", 1.0),
            ("金额（亿元）", 1e8),
            ("金额【百万元】", 1e6),
            ("金额/万元", 1e4),
            ("金额万元", 1e4),
            ("金额（单位：万元）", 1e4),
            ("value (k)", 1e3),
            ("金额（人民币万元）", 1e4),
        ] {
            let (field, unit) = field_of(header).unwrap_or_else(|| panic!("{header}"));
            assert_eq!(field, "value", "{header}");
            assert_eq!(multiple_of(&unit.unwrap_or_default()), Some(multiple), "{header}");
        }
        assert_eq!(
            field_of("金额（美元）").map(|(_, u)| u.and_then(|u| multiple_of(&u))),
            Some(None)
        );
        assert_eq!(parse_amount("120万元"), Some((120.0, Some(1e4))));
        assert_eq!(parse_amount("¥1.2亿"), Some((1.2, Some(1e8))));
        assert_eq!(parse_amount("300元"), Some((300.0, Some(1.0))));
        assert_eq!(parse_amount("-5"), Some((-5.0, None)));
        assert_eq!(parse_amount("12 美元"), None);
        assert_eq!(parse_amount("inf"), None);
        assert_eq!(parse_amount("NaN"), None);
        assert_eq!(in_yuan(0.07, 1e4), 700.0);
        assert_eq!(in_yuan(120.0, 1e4), 1_200_000.0);
    }

    #[test]
    fn gbk_and_utf8_with_a_bom() {
        let (gbk, _, _) = encoding_rs::GBK.encode("客户名称,阶段\n华东,报价\n");
        assert_eq!(decode(&gbk).unwrap(), "客户名称,阶段\n华东,报价\n");
        assert_eq!(decode("\u{feff}a,b\n".as_bytes()).unwrap(), "a,b\n");
        assert!(decode(b"\xff\xfe\xff\xfe\x00").is_err());
    }

    #[test]
    fn a_utf8_line_among_gbk_lines_is_named() {
        let (head, _, _) = encoding_rs::GBK.encode("客户名称,阶段\n华东精密,报价\n");
        let mut bytes = head.into_owned();
        bytes.extend_from_slice("杭州远博,线索\n".as_bytes());
        let (tail, _, _) = encoding_rs::GBK.encode("苏州,线索\n");
        bytes.extend_from_slice(&tail);
        let e = decode(&bytes).unwrap_err();
        assert!(e.contains("line 3 is UTF-8 and the other lines GBK"), "{e}");
        // A byte-order mark says UTF-8: a GBK line after it is the odd one.
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend_from_slice("客户名称\n华东\n".as_bytes());
        with_bom.extend_from_slice(&tail);
        let e = decode(&with_bom).unwrap_err();
        assert!(e.contains("line 3 is GBK"), "{e}");
    }

    #[test]
    fn neutralising_is_undone_exactly() {
        for cell in [
            "=1+1",
            " =1+1",
            "\n=1",
            "\t@SUM(A1)",
            "\r-2",
            "'=1",
            "''=1",
            "' =1",
            "'abc",
            "abc",
            "",
            "'",
            "华东",
        ] {
            let out = neutralise(cell.to_owned());
            assert!(!out.trim_start().starts_with(['=', '+', '-', '@']), "{out:?}");
            assert_eq!(unneutralise(&out), cell, "{out:?}");
        }
    }

    #[test]
    fn list_items_are_escaped_and_split_back() {
        let items = [
            "a,b",
            "甲、乙",
            "x;y；z，w",
            "p|q",
            "C:\\data\\",
            "\\",
            " lead",
            "trail\n",
            "  ",
            "\"quoted\"",
            "=1+1",
            "🚀 发射",
        ];
        let cell = items.iter().map(|i| escape_item(i)).collect::<Vec<_>>().join("; ");
        assert_eq!(list(&cell), items);
        assert_eq!(list("重点, 伺服；华东、 新客户 ;;"), ["重点", "伺服", "华东", "新客户"]);
        assert_eq!(list("C:\\data"), ["C:\\data"], "a backslash before other text is kept");
    }
}
