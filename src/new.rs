//! `salesbook new <kind> <title>`: a new page with the front matter of its kind filled in.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::cli::NewKind;
use crate::model::{Tier, slugify};

/// The tier `--tier` names (an id or a Chinese name, as in front matter), or what is wrong
/// with it.
pub fn parse_tier(written: &str) -> Result<Tier, String> {
    crate::words::parse::<Tier>(written).ok_or_else(|| {
        format!(
            "unknown tier \"{written}\" for --tier; {}",
            crate::words::help::<Tier>(written)
        )
    })
}

/// A new customer's tier lines: the one given, or, as a new customer has bought nothing yet,
/// none, with which tier suits which stage as a comment (`crate::sales::tiers::contradicts`).
fn tier_lines(tier: Option<Tier>) -> String {
    match tier {
        Some(t) => format!("tier: {}\n", t.id()),
        None => "# tier: left out until the customer buys: the five tiers (basic passive responsible proactive\n\
                 #   partner) say how a customer behaves after buying. basic or passive may suit a target or\n\
                 #   potential customer who bought before; responsible, proactive and partner suit lead and later.\n"
            .to_owned(),
    }
}

/// Writes the new page and returns its path; never overwrites an existing file. `tier` is
/// for a customer only.
pub fn new_page(
    root: &Path,
    kind: NewKind,
    title: &str,
    today: NaiveDate,
    tier: Option<Tier>,
) -> Result<PathBuf, String> {
    let title = title.trim();
    if tier.is_some() && kind != NewKind::Customer {
        return Err("--tier is for `new customer` only".into());
    }
    if title.is_empty() {
        return Err("the title is empty".into());
    }
    if slugify(title).is_empty() {
        return Err(format!(
            "cannot make a file name from \"{title}\": use letters, digits or CJK characters"
        ));
    }
    // Cut to a length file systems hold, and never a name Windows reserves (`con`).
    let slug = crate::model::PathSegment::from_text(title, "page").into_string();
    let folder = match kind {
        NewKind::Customer => "customers",
        NewKind::Competitor => "competitors",
        NewKind::VisitScript => "scripts",
        NewKind::Spin | NewKind::Fab | NewKind::Guide => "playbooks",
    };
    let path = root.join("content").join(folder).join(format!("{slug}.md"));
    // The build's rule for links: never write through a folder linked out of the site.
    crate::load::writable_folder(root, &root.join("content").join(folder))?;
    if path.symlink_metadata().is_ok() {
        return Err(format!("{} already exists; not overwritten", path.display()));
    }
    let quoted = serde_json::to_string(title).unwrap_or_else(|_| format!("\"{title}\""));
    let date = today.format("%Y-%m-%d");
    let tier_text = tier_lines(tier);
    let text = match kind {
        NewKind::Customer => format!(
            "---\ntitle: {quoted}\nindustry: \nregion: \nowner: \nstage: target\n{tier_text}value: 0\nexpected_close: \n# potential: high        # purchase potential (采购潜力): high or low\n# share: low             # our share (客户份额): high or low; both set place the customer in /quadrant/\ncompetitors: []\ncontacts: []\n# contacts:\n#   - {{name: 王建国, title: 总经理, role: decision-maker, style: eagle}}\nvisits: []\n# visits:\n#   - {{date: {date}, kind: cold, goal: 了解现状, outcome: , commitment: }}\nnext_visit: \norders: []\nupdated: {date}\n---\n\n## 基本情况\n\n## 需求与痛点\n\n## 下一步\n"
        ),
        NewKind::Competitor => format!(
            "---\ntitle: {quoted}\nproducts: []\nprice_level: mid\nmarket_share: 0.1\nstrengths: []\nweaknesses: []\nstrategy: \nupdated: {date}\n---\n\n## 产品与价格\n\n## 我们如何应对\n"
        ),
        NewKind::VisitScript => format!(
            "---\ntitle: {quoted}\nvisit_kind: follow-up\nstages: [opportunity]\nduration_minutes: 45\nupdated: {date}\n---\n\n## 准备\n\n## 步骤\n\n1. 介绍\n2. 提问\n3. 总结\n4. 建议\n5. 获得承诺\n\n## 常见异议\n"
        ),
        NewKind::Spin => format!(
            "---\ntitle: {quoted}\nkind: spin\nproduct: \nindustry: \nsituation: []\nproblem: []\nimplication: []\nneed_payoff: []\nupdated: {date}\n---\n"
        ),
        NewKind::Fab => format!(
            "---\ntitle: {quoted}\nkind: fab\nproduct: \nrows:\n  - feature: \n    function: \n    advantage: \n    benefit: \nupdated: {date}\n---\n"
        ),
        NewKind::Guide => format!("---\ntitle: {quoted}\nkind: guide\nupdated: {date}\n---\n\n"),
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    // `create_new`: never through a link planted at the page's own name.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}
