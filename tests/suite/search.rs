//! The search index under `search/`: what is indexed, where on the page it counts, the order
//! of equal results, and what a `--public` build leaves out. The browser side (queries,
//! facets, the header box) is tested in headless Chromium by `tests/e2e/search.mjs`.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::helper::SiteTest;

/// The index as the browser sees it, read back from the files.
struct Index {
    meta: Value,
    /// term → (page, weight), pages ascending.
    terms: HashMap<String, Vec<(u32, u32)>>,
    titles: Vec<String>,
    /// Every byte of every index file, to look for what must not be there.
    all: String,
}

const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The data a `sbSearch.x(…)` file hands over: the JSON after the first argument.
fn payload(text: &str) -> Value {
    let inner = text.trim().strip_suffix(");").unwrap();
    let (_, json) = inner.split_once('(').unwrap();
    let json = match json.split_once(',') {
        Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) => rest,
        _ => json,
    };
    serde_json::from_str(json).unwrap()
}

fn read_index(out: &Path) -> Index {
    let dir = out.join("search");
    let meta_text = std::fs::read_to_string(dir.join("meta.js")).unwrap();
    let meta = payload(&meta_text);
    let mut all = meta_text.clone();
    let mut terms = HashMap::new();
    for s in 0..meta["shards"].as_u64().unwrap() {
        let text = std::fs::read_to_string(dir.join(format!("t/{s}.js"))).unwrap();
        for (term, list) in payload(&text).as_object().unwrap() {
            let postings = match list {
                // Three pages' weights to a base-64 digit.
                Value::String(digits) => digits
                    .bytes()
                    .enumerate()
                    .flat_map(|(i, d)| {
                        let v = BASE64.iter().position(|b| *b == d).unwrap() as u32;
                        (0..3).map(move |k| ((3 * i + k) as u32, (v >> (2 * k)) & 3))
                    })
                    .filter(|(_, w)| *w > 0)
                    .collect(),
                // Deltas: `delta << 2 | weight`.
                list => {
                    let mut page = 0;
                    list.as_array()
                        .unwrap()
                        .iter()
                        .map(|v| {
                            let v = v.as_u64().unwrap() as u32;
                            page += v >> 2;
                            (page, v & 3)
                        })
                        .collect()
                }
            };
            terms.insert(term.clone(), postings);
        }
        all.push_str(&text);
    }
    let mut titles = Vec::new();
    let pages = meta["pages"].as_u64().unwrap() as usize;
    let per = meta["per_fragment"].as_u64().unwrap() as usize;
    for k in 0..pages.div_ceil(per) {
        let text = std::fs::read_to_string(dir.join(format!("f/{k}.js"))).unwrap();
        for p in payload(&text).as_array().unwrap() {
            titles.push(p[0].as_str().unwrap().to_owned());
        }
        all.push_str(&text);
    }
    assert_eq!(titles.len(), pages);
    Index {
        meta,
        terms,
        titles,
        all,
    }
}

impl Index {
    /// The titles of the pages with `term`, each with where the term stands on it.
    fn find(&self, term: &str) -> Vec<(&str, u32)> {
        self.terms
            .get(term)
            .map(|list| {
                list.iter()
                    .map(|(p, w)| (self.titles[*p as usize].as_str(), *w))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn site() -> SiteTest {
    SiteTest::with_files(&[
        (
            "content/customers/huadong.md",
            "---\ntitle: 华东精密机械有限公司\naliases: [Huadong Precision]\nstage: quote\ntier: partner\n\
             owner: 张伟\nindustry: 装备制造\nvalue: 900000\ncompetitors: [rival]\ntags: [重点客户]\n\
             contacts:\n  - {name: 王建国, title: 总经理}\nprivate:\n  region: 军工园区\n---\n\
             客户要求**報價**在月底前提交。ＡＢＢ 也在跟进。\n",
        ),
        (
            "content/customers/small.md",
            "---\ntitle: 小客户\nstage: lead\nvalue: 1000\nowner: 李娜\n---\n我们的报价偏高。\n",
        ),
        (
            "content/customers/big.md",
            "---\ntitle: 大客户\nstage: lead\nvalue: 5000000\n---\n大客户也要报价。\n",
        ),
        (
            "content/playbooks/guide.md",
            "---\ntitle: 长指南\nkind: guide\n---\n报价的十个步骤，以及精密行业的打法。\n",
        ),
        (
            "content/competitors/rival.md",
            "---\ntitle: 对手甲 RivalTech\nstrategy: 强调交期\n---\nRivalTech 的报价很低。\n",
        ),
        (
            "content/competitors/secret.md",
            "---\ntitle: 保密对手\nconfidential: true\nstrategy: 绝密打法\n---\n这是机密页面。\n",
        ),
        (
            "content/customers/draft.md",
            "---\ntitle: 草稿客户\ndraft: true\n---\n未完成的草稿。\n",
        ),
        ("salesbook.yaml", "today: 2026-11-23\n"),
    ])
}

#[test]
fn a_term_counts_where_it_stands_title_fields_or_body() {
    let t = site();
    t.build_ok();
    let ix = read_index(&t.root().join("public"));
    // Any two characters from inside a word, at the best place on the page.
    assert_eq!(ix.find("精密"), [("华东精密机械有限公司", 3), ("长指南", 1)]);
    assert_eq!(ix.find("东精"), [("华东精密机械有限公司", 3)]);
    // Front matter: owner, industry, contacts, tags, the competitors' names.
    assert_eq!(ix.find("张伟"), [("华东精密机械有限公司", 2)]);
    assert_eq!(ix.find("建国"), [("华东精密机械有限公司", 2)]);
    assert_eq!(ix.find("重点"), [("华东精密机械有限公司", 2)]);
    assert!(ix.find("rivaltech").contains(&("华东精密机械有限公司", 2)));
    // Aliases count as the title; one letter and one character are title terms only.
    assert_eq!(ix.find("precision"), [("华东精密机械有限公司", 3)]);
    assert!(ix.find("h").contains(&("华东精密机械有限公司", 3)));
    assert!(ix.find("华").contains(&("华东精密机械有限公司", 3)));
    assert!(ix.find("偏").is_empty(), "a lone body character is not a term");
    // Traditional and full-width text is indexed in its folded form, across `**`.
    assert!(ix.find("报价").contains(&("华东精密机械有限公司", 1)));
    assert!(ix.find("abb").contains(&("华东精密机械有限公司", 1)));
    assert!(!ix.terms.contains_key("報價") && !ix.terms.contains_key("ａｂｂ"));
    // A draft is in no build's index.
    assert!(ix.find("草稿").is_empty() && !ix.all.contains("草稿客户"));
}

/// The index files of a build, by path.
fn index_files(r: &salesbook::build::BuildResult) -> std::collections::BTreeMap<String, Vec<u8>> {
    r.files
        .iter()
        .filter(|f| salesbook::search::is_index_file(&f.path))
        .map(|f| (f.path.to_string(), f.bytes.to_vec()))
        .collect()
}

/// A streaming build takes the body terms out of its pages as they are parsed and lets them
/// go as they are indexed: its index is the index a build that keeps them makes, and a
/// later build or rebuild on the same builder (its pages' terms gone) finds them again.
#[test]
fn a_streaming_build_indexes_the_body_terms_every_time() {
    let t = site();
    let mut lean = salesbook::build::Builder::lean(t.options());
    let small = t.root().join("content/customers/small.md");
    for run in ["first", "second", "rebuild"] {
        let streamed = if run == "rebuild" {
            t.write(
                "content/customers/small.md",
                "---\ntitle: 小客户\nstage: lead\n---\n改过的正文。\n",
            );
            index_files(&lean.rebuild(&[small.clone()].into()))
        } else {
            index_files(&lean.build())
        };
        let kept = index_files(&t.build());
        let body_term = streamed
            .iter()
            .any(|(_, bytes)| String::from_utf8_lossy(bytes).contains("\"步骤\""));
        assert!(body_term, "{run}: a term only a body holds is missing");
        assert!(
            streamed == kept,
            "{run}: the index differs from a build that keeps the terms"
        );
    }
}

#[test]
fn equal_results_list_customers_first_largest_deals_first() {
    let t = site();
    t.build_ok();
    let ix = read_index(&t.root().join("public"));
    let pages: Vec<&str> = ix.find("报价").into_iter().map(|(title, _)| title).collect();
    assert_eq!(
        pages,
        ["大客户", "华东精密机械有限公司", "小客户", "对手甲 RivalTech", "长指南"]
    );
    // Facets: one character per page, in that order.
    let stages: Vec<String> = ix.meta["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[0].as_str().unwrap().to_owned())
        .collect();
    let stage_of = |page: usize| {
        let c = ix.meta["stage"].as_str().unwrap().chars().nth(page).unwrap() as usize - 0x30;
        (c > 0).then(|| stages[c - 1].clone())
    };
    assert_eq!(stage_of(0).as_deref(), Some("lead"));
    assert_eq!(stage_of(1).as_deref(), Some("quote"));
    assert_eq!(stage_of(3), None);
    assert_eq!(ix.meta["owners"], serde_json::json!([["张伟", [1]], ["李娜", [2]]]));
    assert_eq!(ix.meta["tags"], serde_json::json!([["重点客户", [1]]]));
}

#[test]
fn a_public_build_indexes_no_confidential_page_or_private_field() {
    let t = site();
    t.build_ok();
    let internal = read_index(&t.root().join("public"));
    assert!(internal.all.contains("保密对手") && internal.all.contains("军工园区"));
    assert!(!internal.find("绝密").is_empty() && !internal.find("军工").is_empty());

    let out = t.run(&["build", "--public", "--out", "pub"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let public = read_index(&t.root().join("pub"));
    for secret in ["保密对手", "绝密", "机密页面", "军工"] {
        assert!(!public.all.contains(secret), "{secret} is in the public index");
    }
    for term in ["绝密", "密打", "机密", "军工", "工园"] {
        assert!(public.find(term).is_empty(), "{term} is a term of the public index");
    }
    assert!(!public.find("报价").is_empty());
}

#[test]
fn every_page_has_the_search_box_and_the_search_page_exists() {
    let t = site();
    t.build_ok();
    let page = t.read("customers/huadong/index.html");
    assert!(page.contains("<form class=\"search-box\" role=\"search\" action=\"../../search/index.html\""));
    assert!(page.contains("<script src=\"../../search.js\" data-root=\"../../\" defer>"));
    let search = t.read("search/index.html");
    assert!(search.contains("id=\"search-app\"") && search.contains("<noscript>"));
    assert!(t.read("search.js").contains("sbSearch"));
}

#[test]
fn a_folder_named_search_is_refused() {
    let t = SiteTest::with_files(&[("content/search/a.md", "---\ntitle: A\n---\n")]);
    let r = t.build();
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.file == "content/search" && d.message.contains("name of a generated page")),
        "{:?}",
        r.diagnostics
    );
}

#[test]
fn search_false_in_the_config_leaves_search_out() {
    let t = site();
    t.write("salesbook.yaml", "today: 2026-11-23\nsearch: false\n");
    t.build_ok();
    assert!(!t.exists("search/index.html") && !t.exists("search/meta.js"));
    let page = t.read("customers/huadong/index.html");
    assert!(!page.contains("search-box") && !page.contains("search.js"), "{page}");
}
