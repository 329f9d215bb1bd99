//! The theme: templates, labels and static files. The default theme is compiled into the binary
//! (sources in `themes/default/`); a site's `themes/<name>/` and `templates/` override it file by file.

use std::collections::BTreeMap;
use std::path::Path;

use tera::{Context, ErrorKind, Tera};

use super::OutputFile;
use super::format::Labels;
use crate::config::{Language, SiteConfig};
use crate::diagnostics::{Diagnostic, Pos};
use crate::load::{is_ignored_name, rel};
use crate::model::Kind;

macro_rules! embed {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),+]
    };
}

const TEMPLATES: &[(&str, &str)] = embed!(
    "base.html",
    "index.html",
    "funnel.html",
    "tiers.html",
    "section.html",
    "customer.html",
    "competitor.html",
    "visit-script.html",
    "spin.html",
    "fab.html",
    "guide.html",
    "page.html",
    "404.html",
    "search.html",
    "stage.html",
    "tier.html",
    "quadrant.html",
    "visits.html",
    "owners.html",
    "owner.html",
    "progress.html",
    "tags.html",
    "tag.html",
    "groups.html",
    "brief.html",
    "board.html",
    "partials/flags.html",
    "commitments.html",
    "plan.html",
    "reports.html",
    "report.html",
    "partials/factbox.html",
    "partials/contacts.html",
    "partials/nav.html",
    "partials/visit.html",
    "partials/brief_playbook.html",
    "partials/pager.html",
    "partials/page_head.html",
    "partials/body.html",
    "partials/page_end.html",
    "partials/customer_table.html",
    "partials/customer_cells.html",
    "partials/badges.html",
    "partials/funnel_chart.html",
    "partials/forecast.html",
);

const STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../themes/default/static/style.css")),
    ("favicon.svg", include_bytes!("../../themes/default/static/favicon.svg")),
    ("search.js", include_bytes!("../../themes/default/static/search.js")),
    ("board.js", include_bytes!("../../themes/default/static/board.js")),
];

const I18N_ZH: &str = include_str!("../../themes/default/i18n/zh-CN.yaml");
const I18N_EN: &str = include_str!("../../themes/default/i18n/en.yaml");

pub struct Theme {
    tera: Tera,
    pub labels: Labels,
    /// Theme static files (the site's own `static/` is added by the builder, and wins).
    pub statics: Vec<OutputFile>,
    /// Where each template came from, for error messages: template name → file shown.
    origins: BTreeMap<String, String>,
    /// The source of every template, for the offending line in error messages.
    sources: BTreeMap<String, String>,
    /// Changes when any template or label changes: every page then renders anew.
    pub stamp: u64,
    /// Whether a template reads `site.customers` (or another list of all pages).
    pub uses_site_lists: bool,
    /// Whether a template prints a list entry's `cells_html` (see [`Theme::customer_cells`]).
    pub uses_customer_cells: bool,
}

impl Theme {
    /// Loads the built-in theme, then the overrides from the site folder.
    pub fn load(root: &Path, config: &SiteConfig) -> Result<Theme, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let mut templates: BTreeMap<String, String> =
            TEMPLATES.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        let mut origins: BTreeMap<String, String> = TEMPLATES
            .iter()
            .map(|(n, _)| (n.to_string(), format!("themes/default/templates/{n}")))
            .collect();
        let theme_dir = root.join("themes").join(&config.theme);
        if config.theme != "default" && !theme_dir.is_dir() {
            let d = Diagnostic::error(
                "salesbook.yaml",
                format!(
                    "theme \"{}\" not found: there is no folder themes/{}",
                    config.theme, config.theme
                ),
            );
            return Err(vec![
                d.help("remove `theme:` to use the built-in theme, or create the theme folder"),
            ]);
        }
        // Like static/, a theme is read only from inside the site: `themes/<name>` (or its
        // `templates/`, `static/`, `i18n/`, or the site's `templates/`) linked elsewhere would
        // render, and publish, files from outside it.
        let outside: Vec<String> = [
            theme_dir.clone(),
            theme_dir.join("templates"),
            theme_dir.join("static"),
            theme_dir.join("i18n"),
            theme_dir.join("i18n").join(match config.language {
                Language::ZhCn => "zh-CN.yaml",
                Language::En => "en.yaml",
            }),
            root.join("templates"),
        ]
        .iter()
        .filter(|d| d.exists() && !crate::load::stays_inside(root, d))
        .map(|d| crate::load::shown(&rel(root, d)))
        .collect();
        if let Some(first) = outside.first() {
            let d = Diagnostic::error(first.as_str(), "symbolic link to a place outside the site folder");
            return Err(vec![d.help("copy the theme into the site's themes/ folder")]);
        }
        for dir in [theme_dir.join("templates"), root.join("templates")] {
            for (name, path) in files_under(&dir) {
                match std::fs::read_to_string(&path) {
                    Ok(text) => {
                        origins.insert(name.clone(), rel(root, &path));
                        templates.insert(name, text);
                    }
                    Err(e) => diags.push(Diagnostic::error(
                        rel(root, &path),
                        format!("cannot read template: {e}"),
                    )),
                }
            }
        }
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml", ".svg"]);
        if let Err(e) = tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
            diags.push(tera_diag(&e, &origins, &templates));
        }
        let (lang_file, builtin) = match config.language {
            Language::ZhCn => ("zh-CN.yaml", I18N_ZH),
            Language::En => ("en.yaml", I18N_EN),
        };
        let mut labels = parse_labels(builtin, "themes/default/i18n", lang_file, &mut diags);
        let override_path = theme_dir.join("i18n").join(lang_file);
        if let Ok(text) = std::fs::read_to_string(&override_path) {
            let more = parse_labels(
                &text,
                &rel(root, &override_path.with_file_name("")),
                lang_file,
                &mut diags,
            );
            labels.extend(more);
        }
        let mut statics: Vec<OutputFile> = STATIC.iter().map(|(p, b)| OutputFile::new(*p, b.to_vec())).collect();
        for (name, path) in files_under(&theme_dir.join("static")) {
            if let Ok(bytes) = std::fs::read(&path) {
                statics.retain(|f| *f.path != *name);
                statics.push(OutputFile::new(name, bytes));
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let lists = [
            "site.customers",
            "site.competitors",
            "site.scripts",
            "site.playbooks",
            "site.pages",
            "site[",
        ];
        let uses_site_lists = templates.values().any(|t| lists.iter().any(|k| t.contains(k)));
        let uses_customer_cells = templates.values().any(|t| t.contains("cells_html"));
        let stamp = crate::incremental::theme_stamp(&labels, &templates);
        Ok(Theme {
            tera,
            labels,
            statics,
            origins,
            sources: templates,
            stamp,
            uses_site_lists,
            uses_customer_cells,
        })
    }

    /// The template for a page kind.
    pub fn template_for(&self, kind: Kind) -> String {
        kind.template()
    }

    /// A customer's list row after its name (`partials/customer_cells.html`: stage, tier,
    /// owner, money, next visit), rendered once per build from its list entry `p`: it holds
    /// no links, so every list shows the same cells. `None` when the partial fails; the list
    /// then includes it and reports the error at its place.
    pub fn customer_cells(&self, p: &tera::Value, lang: &tera::Value) -> Option<String> {
        let mut c = Context::new();
        c.insert("p", p);
        c.insert("lang", lang);
        let bytes = self.render("partials/customer_cells.html", &c).ok()?;
        String::from_utf8(bytes).ok()
    }

    /// The page's bytes. Rendered straight into a buffer sized for a typical page: tera's
    /// `render` checks its output is UTF-8 again, which cost 2% of a build.
    pub fn render(&self, template: &str, context: &Context) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(16 << 10);
        self.tera
            .render_to(template, context, &mut out)
            .map_err(|e| tera_diag(&e, &self.origins, &self.sources))?;
        Ok(out)
    }
}

/// Files below `dir`, as (path relative to `dir` with `/`, full path), editor files skipped.
pub fn files_under(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (rel(dir, e.path()), e.into_path()))
        .collect()
}

/// The built-in theme's labels in both languages (for reading labels back, as `import` does).
pub fn default_labels() -> Vec<Labels> {
    let mut diags = Vec::new();
    vec![
        parse_labels(I18N_ZH, "themes/default/i18n", "zh-CN.yaml", &mut diags),
        parse_labels(I18N_EN, "themes/default/i18n", "en.yaml", &mut diags),
    ]
}

fn parse_labels(text: &str, dir: &str, file: &str, diags: &mut Vec<Diagnostic>) -> Labels {
    match serde_saphyr::from_str::<BTreeMap<String, String>>(text) {
        Ok(map) => Labels::new(map),
        Err(e) => {
            let pos = e.location().map_or(Pos::new(1, 1), |l| {
                Pos::new(l.line() as usize, (l.column() as usize).max(1))
            });
            let msg = e.without_snippet().to_string();
            let d = Diagnostic::error(
                format!("{dir}/{file}"),
                format!("invalid labels file: {}", msg.lines().next().unwrap_or("")),
            );
            diags.push(d.at(text, pos, 1));
            Labels::default()
        }
    }
}

/// A tera error as a diagnostic at the template's file, line and column.
fn tera_diag(e: &tera::Error, origins: &BTreeMap<String, String>, sources: &BTreeMap<String, String>) -> Diagnostic {
    match e.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
            let file = origins
                .get(r.filename())
                .cloned()
                .unwrap_or_else(|| r.filename().to_owned());
            let span = r.span();
            let mut d = Diagnostic::error(file, format!("template error: {}", r.message()));
            d.line = span.start_line;
            d.column = span.start_col + 1;
            if let Some(src) = sources.get(r.filename()) {
                d = d.at(
                    src,
                    Pos::new(span.start_line, span.start_col + 1),
                    if span.end_line == span.start_line {
                        span.end_col.saturating_sub(span.start_col)
                    } else {
                        1
                    },
                );
            }
            d.help("fix the template; salesbook templates are tera 2 templates")
        }
        // Validation errors (unknown filters, components…) come as one message of reports.
        ErrorKind::Msg(m) => {
            let reports: Vec<Diagnostic> = m
                .split("\n\n")
                .filter_map(|r| report_diag(r, origins, sources))
                .collect();
            reports
                .into_iter()
                .next()
                .unwrap_or_else(|| Diagnostic::error("templates", format!("template error: {m}")))
        }
        _ => Diagnostic::error("templates", format!("template error: {e}")),
    }
}

/// Reads one of tera's text reports: `error: MESSAGE` then ` --> NAME:LINE:COL`.
fn report_diag(
    report: &str,
    origins: &BTreeMap<String, String>,
    sources: &BTreeMap<String, String>,
) -> Option<Diagnostic> {
    let mut lines = report.lines();
    let message = lines.next()?.strip_prefix("error: ")?;
    let place = lines.next()?.trim().strip_prefix("--> ")?;
    let mut parts = place.rsplitn(3, ':');
    let column: usize = parts.next()?.parse().ok()?;
    let line: usize = parts.next()?.parse().ok()?;
    let name = parts.next()?;
    let file = origins.get(name).cloned().unwrap_or_else(|| name.to_owned());
    let d = Diagnostic::error(file, format!("template error: {message}"));
    let d = match sources.get(name) {
        Some(src) => d.at(src, Pos::new(line, column), 1),
        None => Diagnostic { line, column, ..d },
    };
    Some(d.help("fix the template; salesbook templates are tera 2 templates"))
}
