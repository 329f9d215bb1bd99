//! `salesbook schema`: the schemas it writes, read by a standard validator (Python's
//! `jsonschema`, Draft 2020-12, formats checked), accept every page of the example site and
//! its salesbook.yaml, accept every name `check` accepts for a fixed value, and reject what
//! `check` rejects (an unknown stage, a bad date, a probability as text, an unknown config key).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use salesbook::model::Kind;
use serde_json::{Value, json};

use crate::helper::{SiteTest, repo};

/// Whether Python's jsonschema is there; without it the tests say so and pass, unless
/// SALESBOOK_REQUIRE_TOOLS is set (scripts/test installs it).
fn have_jsonschema() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("SALESBOOK_REQUIRE_TOOLS").is_none(),
            "Python's jsonschema is missing (`python3 -m pip install jsonschema`; scripts/test installs it)"
        );
        eprintln!("skipped: Python's jsonschema is missing (`python3 -m pip install jsonschema`)");
    }
    ok
}

/// Each document validated against its schema: the validator's messages for each, by label.
fn validate(schemas: &BTreeMap<String, Value>, docs: &[(String, String, Value)]) -> BTreeMap<String, Vec<String>> {
    let script = r#"
import sys, json
from jsonschema import Draft202012Validator
data = json.load(sys.stdin)
out = {}
for name, schema in data["schemas"].items():
    Draft202012Validator.check_schema(schema)
for schema_name, label, doc in data["docs"]:
    v = Draft202012Validator(data["schemas"][schema_name], format_checker=Draft202012Validator.FORMAT_CHECKER)
    out[label] = [("/".join(map(str, e.absolute_path)) + ": " + e.message)[:300] for e in v.iter_errors(doc)]
print(json.dumps(out, ensure_ascii=False))
"#;
    let input = json!({"schemas": schemas, "docs": docs});
    crate::helper::python_json(script, input.to_string().as_bytes(), "jsonschema failed")
}

/// The schemas `salesbook schema` writes for the site at `root`, by file name.
fn schemas_of(root: &Path) -> BTreeMap<String, Value> {
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_salesbook"))
        .args(["schema", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut schemas = BTreeMap::new();
    for e in std::fs::read_dir(out.path()).unwrap() {
        let p = e.unwrap().path();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        schemas.insert(p.file_name().unwrap().to_string_lossy().into_owned(), v);
    }
    schemas
}

/// A page's front matter as JSON, as an editor's YAML tooling would hand it to a validator.
fn front_matter(text: &str) -> Value {
    let split = salesbook::parse::front_matter::split("page.md", text).expect("front matter");
    serde_saphyr::from_str::<Value>(split.yaml).expect("front matter is YAML")
}

/// The schema a page at `rel` (under content/) is checked against: its folder's kind, or in
/// playbooks/ the one its `kind:` names.
fn schema_for(rel: &str, fm: &Value) -> String {
    let section = rel.split('/').next().unwrap_or("");
    let mut kind = if rel.ends_with("_index.md") {
        Kind::Page
    } else {
        Kind::of_section(section)
    };
    if kind == Kind::Guide {
        kind = match fm["kind"].as_str() {
            Some("spin") => Kind::Spin,
            Some("fab") => Kind::Fab,
            _ => Kind::Guide,
        };
    }
    salesbook::schema::file_name(kind)
}

#[test]
fn every_example_page_and_the_config_validate() {
    if !have_jsonschema() {
        return;
    }
    let root = repo();
    let schemas = schemas_of(&root);
    assert_eq!(schemas.len(), Kind::ALL.len() + 1, "{:?}", schemas.keys());
    let mut docs = Vec::new();
    for e in walkdir::WalkDir::new(root.join("content")) {
        let e = e.unwrap();
        if e.path().extension().is_none_or(|x| x != "md") {
            continue;
        }
        let rel = e.path().strip_prefix(root.join("content")).unwrap();
        let rel = rel.to_string_lossy().replace('\\', "/");
        let fm = front_matter(&std::fs::read_to_string(e.path()).unwrap());
        docs.push((schema_for(&rel, &fm), rel, fm));
    }
    let kinds: std::collections::BTreeSet<&str> = docs.iter().map(|d| d.0.as_str()).collect();
    for k in ["customer", "competitor", "visit-script", "spin", "fab", "guide", "page"] {
        assert!(
            kinds.contains(format!("{k}.schema.json").as_str()),
            "the example has a {k} page"
        );
    }
    let config = std::fs::read_to_string(root.join("salesbook.yaml")).unwrap();
    let config: Value = serde_saphyr::from_str(&config).unwrap();
    docs.push((
        salesbook::schema::CONFIG_SCHEMA.to_owned(),
        "salesbook.yaml".to_owned(),
        config,
    ));
    let result = validate(&schemas, &docs);
    let bad: Vec<_> = result.iter().filter(|(_, e)| !e.is_empty()).collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert_eq!(result.len(), docs.len());
}

const SITE_CONFIG: &str = "title: t\nstages:\n  - {id: lead, label: 线索, probability: 0.2}\n  - {id: pilot, label: 试点, label_en: Pilot, probability: 0.5}\n  - {id: won, label: 合同, probability: 1}\n";

fn customer(fields: &str) -> String {
    format!("---\ntitle: 客户\n{fields}\n---\n正文\n")
}

/// Each front matter in a site with [`SITE_CONFIG`]: `check`'s errors for it, and the
/// validator's, by label.
fn both(cases: &[(&str, String)]) -> Vec<(String, bool, Vec<String>)> {
    both_with(SITE_CONFIG, cases)
}

fn both_with(config: &str, cases: &[(&str, String)]) -> Vec<(String, bool, Vec<String>)> {
    let mut files: Vec<(String, String)> = vec![("salesbook.yaml".into(), config.into())];
    for (label, text) in cases {
        files.push((format!("content/customers/{label}.md"), text.clone()));
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let t = SiteTest::with_files(&refs);
    let r = t.build();
    let schemas = schemas_of(t.root());
    let docs: Vec<_> = cases
        .iter()
        .map(|(label, text)| ("customer.schema.json".to_owned(), label.to_string(), front_matter(text)))
        .collect();
    let result = validate(&schemas, &docs);
    cases
        .iter()
        .map(|(label, _)| {
            let file = format!("content/customers/{label}.md");
            let check_error = r.diagnostics.iter().any(|d| d.is_error() && d.file == file);
            (label.to_string(), check_error, result[*label].clone())
        })
        .collect()
}

/// Every name `check` takes for a fixed value, the schema takes: Chinese names, any case,
/// `_` or spaces for `-`, full-width letters, a site's own stage label.
#[test]
fn the_schema_accepts_every_name_check_accepts() {
    if !have_jsonschema() {
        return;
    }
    let cases: Vec<(&str, String)> = vec![
        (
            "ids",
            customer("stage: pilot\ntier: partner\npotential: high\nshare: low"),
        ),
        (
            "chinese",
            customer("stage: 试点\ntier: 合作伙伴关系\npotential: 高\nshare: 低"),
        ),
        ("default-name", customer("stage: 赢单\ntier: 负责")),
        ("label-en", customer("stage: PILOT\ntier: \" Partner \"")),
        ("full-width", customer("stage: Ｐｉｌｏｔ\ntier: ｐａｒｔｎｅｒ")),
        (
            "contacts",
            customer(
                "stage: lead\ncontacts:\n  - {name: a, role: Decision Maker, style: 鹰, relationship: 信任}\n  - {name: b, role: decision_maker, style: EAGLE}\n  - {name: c, role: 向导（内线）}\n  - {name: d, role: Technical gatekeeper}",
            ),
        ),
        (
            "visits",
            customer(
                "stage: lead\nvisits:\n  - {date: 2026-01-05, kind: FOLLOW UP, commitment: x, commitment_due: 2026-01-09, commitment_done: true}\n  - {date: 2026-01-06, kind: 陌拜, commitment: y, commitment_done: 2026-01-07}\n  - {date: 2026-01-07, kind: follow-up, commitment: z, commitment_done: false}",
            ),
        ),
        (
            "private",
            customer(
                "stage: lead\nprivate:\n  value: 1200000\n  probability: 0.5\n  contacts:\n    - {name: a, phone: 138}",
            ),
        ),
        ("nulls", customer("stage: lead\ntier:\nvalue:\nnext_visit:")),
        ("scalar-list", customer("stage: lead\ntags: 重点\naliases: 别名")),
        (
            "number-title-and-kind",
            "---\ntitle: 2026\nkind: 1\nstage: lead\n---\n".to_owned(),
        ),
    ];
    for (label, check_error, schema_errors) in both(&cases) {
        assert!(!check_error, "{label}: check rejects it");
        assert!(schema_errors.is_empty(), "{label}: {schema_errors:#?}");
    }
}

/// What `check` rejects as an error, the schema rejects too.
#[test]
fn the_schema_rejects_what_check_rejects() {
    if !have_jsonschema() {
        return;
    }
    let cases: Vec<(&str, String)> = vec![
        ("unknown-stage", customer("stage: opportunty")),
        ("other-sites-stage", customer("stage: quote")),
        (
            "run-together",
            customer("stage: lead\ncontacts:\n  - {name: a, role: decisionmaker}"),
        ),
        ("unknown-tier", customer("stage: lead\ntier: gold")),
        ("bad-date", customer("stage: lead\nexpected_close: 2026/12/20")),
        ("impossible-date", customer("stage: lead\nnext_visit: 2026-02-30")),
        ("probability-text", customer("stage: lead\nprobability: high")),
        ("probability-percent", customer("stage: lead\nprobability: 40")),
        ("negative-value", customer("stage: lead\nvalue: -5")),
        (
            "visit-kind",
            customer("stage: lead\nvisits:\n  - {date: 2026-01-05, kind: followup, commitment: x}"),
        ),
        (
            "contact-without-name",
            customer("stage: lead\ncontacts:\n  - {role: user}"),
        ),
        ("draft-empty", customer("stage: lead\ndraft:")),
        (
            "private-in-private",
            customer("stage: lead\nprivate:\n  private:\n    value: 5"),
        ),
        ("private-not-a-map", customer("stage: lead\nprivate: [value]")),
        ("title-blank", "---\ntitle: \"  \"\nstage: lead\n---\n".to_owned()),
        ("title-missing", "---\nstage: lead\n---\n".to_owned()),
    ];
    for (label, check_error, schema_errors) in both(&cases) {
        assert!(check_error, "{label}: check takes it");
        assert!(!schema_errors.is_empty(), "{label}: the schema takes it");
    }
}

#[test]
fn the_config_schema_rejects_unknown_keys_and_bad_values() {
    if !have_jsonschema() {
        return;
    }
    let schemas = schemas_of(&repo());
    let cases = [
        ("unknown-key", "titel: 销售手册\n"),
        (
            "unknown-stage-key",
            "stages:\n  - {id: a, label: A, probability: 0.1, colour: red}\n",
        ),
        ("bad-today", "today: 2026/11/23\n"),
        ("bad-language", "language: fr\n"),
        ("stage-without-label", "stages:\n  - {id: a, probability: 0.1}\n"),
        (
            "probability-text",
            "stages:\n  - {id: a, label: A, probability: high}\n",
        ),
        (
            "bad-outcome",
            "stages:\n  - {id: a, label: A, probability: 0.1, outcome: closed}\n",
        ),
    ];
    let docs: Vec<_> = cases
        .iter()
        .map(|(label, text)| {
            assert!(
                salesbook::config::SiteConfig::parse(text).is_err(),
                "{label}: the config takes it"
            );
            let v: Value = serde_saphyr::from_str(text).unwrap();
            (salesbook::schema::CONFIG_SCHEMA.to_owned(), label.to_string(), v)
        })
        .collect();
    let result = validate(&schemas, &docs);
    for (label, _) in cases {
        assert!(!result[label].is_empty(), "{label}: the schema takes it");
    }
}

/// The command refuses a folder that is not there, and a broken salesbook.yaml, with exit 1
/// and the config's diagnostic (not an OS error).
#[test]
fn schema_reports_a_broken_config() {
    let t = SiteTest::with_files(&[("salesbook.yaml", "titel: x\n")]);
    let o = t.run(&["schema", "--out", "out"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("salesbook.yaml") && err.contains("titel"), "{err}");
    assert!(!t.root().join("out").exists());
}

/// Stage names with regex characters, letters with case beyond ASCII, and a blank English
/// label: the schema reads them as `check` does.
#[test]
fn stage_names_with_regex_characters_and_cased_letters() {
    if !have_jsonschema() {
        return;
    }
    let config = "stages:\n  - {id: cpp, label: \"C++ (试点)|.*\", label_en: \" \", probability: 0.2}\n  - {id: ärger, label: Ärger, probability: 0.5}\n";
    let accepted: Vec<(&str, String)> = vec![
        ("plus", customer("stage: \"c++ （试点）|.*\"")),
        ("upper", customer("stage: ÄRGER")),
        ("lower", customer("stage: ärger")),
    ];
    for (label, check_error, schema_errors) in both_with(config, &accepted) {
        assert!(!check_error, "{label}: check rejects it");
        assert!(schema_errors.is_empty(), "{label}: {schema_errors:#?}");
    }
    let rejected: Vec<(&str, String)> = vec![
        ("blank", customer("stage: \" \"")),
        ("regex-taken-as-regex", customer("stage: \"C (试点)|anything\"")),
        ("c", customer("stage: c")),
    ];
    for (label, check_error, schema_errors) in both_with(config, &rejected) {
        assert!(check_error, "{label}: check takes it");
        assert!(!schema_errors.is_empty(), "{label}: the schema takes it");
    }
}

/// `--out` naming a file: refused with a sentence, the file left as it was.
#[test]
fn schema_out_on_a_file_is_refused() {
    let t = SiteTest::with_files(&[("notes.txt", "mine")]);
    let o = t.run(&["schema", "--out", "notes.txt"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("is a file, not a folder") && !err.contains("os error"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(t.root().join("notes.txt")).unwrap(), "mine");
}
