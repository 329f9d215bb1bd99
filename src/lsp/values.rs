//! Hover on a fixed value in front matter (`stage: quote`, `tier: 伙伴关系`): its name in
//! both languages and what it means. The names and meanings are the theme's labels (the
//! ones the tiers page shows), the stage's from the config; nothing is written twice.

use crate::config::SiteConfig;
use crate::format::Labels;
use crate::model::{Level, PriceLevel, Relationship, Role, Style, Tier, VisitKind};
use crate::words::{self, Word};

use super::pages::front_matter_lines;

/// The hover text of the value at byte `offset` of `text`, in markdown.
pub fn hover(config: &SiteConfig, text: &str, offset: usize) -> Option<String> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line_no = text[..line_start].matches('\n').count();
    if line_no == 0 || front_matter_lines(text).is_none_or(|end| line_no >= end) {
        return None;
    }
    let line = &text[line_start..line_end];
    let colon = line.find(':')?;
    // On the value, not on the key.
    if offset - line_start <= colon {
        return None;
    }
    let key = super::complete::key_at(text, line_start, &line[..colon + 1])?;
    let value = line[colon + 1..].split('#').next()?.trim().trim_matches(['"', '\'']);
    if value.is_empty() {
        return None;
    }
    let mut labels = crate::render::theme::default_labels().into_iter();
    let (zh, en) = (labels.next().unwrap_or_default(), labels.next().unwrap_or_default());
    match key {
        "stage" => {
            let s = config.stage_def(words::stage(config, value)?);
            let outcome = s.outcome.id();
            Some(format!(
                "**{}** — {} / {}  \noutcome: {} ({}) · default probability: {}",
                s.id,
                s.label,
                s.label_en.as_deref().unwrap_or(&s.id),
                en.get(outcome),
                zh.get(outcome),
                crate::format::percent(s.probability),
            ))
        }
        "tier" => word::<Tier>(value, "tier_", &["tier_meaning_", "tier_strategy_"], &zh, &en),
        "role" => word::<Role>(value, "role_", &[], &zh, &en),
        "style" => word::<Style>(value, "style_", &["style_hint_"], &zh, &en),
        "kind" => word::<VisitKind>(value, "visit_", &[], &zh, &en),
        "relationship" => word::<Relationship>(value, "bond_", &[], &zh, &en),
        "potential" | "share" => word::<Level>(value, "level_", &[], &zh, &en),
        "price_level" => word::<PriceLevel>(value, "price_", &[], &zh, &en),
        _ => None,
    }
}

/// `**partner** — 伙伴关系 / Partner`, then each of the `meanings` labels in both languages.
fn word<W: Word>(value: &str, prefix: &str, meanings: &[&str], zh: &Labels, en: &Labels) -> Option<String> {
    let w = words::parse::<W>(value)?;
    let key = w.id().replace('-', "_");
    let label = |l: &Labels, p: &str| {
        let k = format!("{p}{key}");
        let v = l.get(&k);
        (v != k).then_some(v)
    };
    let mut out = format!(
        "**{}** — {} / {}",
        w.id(),
        label(zh, prefix).unwrap_or_else(|| words::zh(w).to_owned()),
        label(en, prefix).unwrap_or_else(|| w.id().to_owned()),
    );
    for m in meanings {
        if let (Some(z), Some(e)) = (label(zh, m), label(en, m)) {
            out.push_str(&format!("  \n{e} {z}"));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tier_and_a_stage_hover_with_their_meaning() {
        let text = "---\ntier: 伙伴\nstage: quote\ntitle: x\n---\n";
        let at = |n: &str| text.find(n).unwrap();
        let config = SiteConfig::default();
        let tier = hover(&config, text, at("伙伴")).unwrap();
        assert!(tier.starts_with("**partner** — 伙伴关系 / Partner"), "{tier}");
        assert!(tier.contains("Mutual success") && tier.contains("互相成就"), "{tier}");
        let stage = hover(&config, text, at("quote")).unwrap();
        assert!(
            stage.contains("outcome: Open") && stage.contains("default probability"),
            "{stage}"
        );
        assert_eq!(hover(&config, text, at("tier")), None);
        assert_eq!(hover(&config, text, at("x\n")), None);
    }
}
