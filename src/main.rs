//! The `salesbook` binary: parses the command line, runs the pipeline, prints diagnostics once.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use salesbook::build::{BuildOptions, BuildResult, Builder};
use salesbook::cli::{Cli, Command, Format};
use salesbook::diagnostics::{self, Diagnostic};

/// jemalloc instead of the system's malloc. A build makes and frees millions of small
/// strings and template values across two threads; glibc's malloc spent 12% of a build's
/// instructions on them, and jemalloc about half that (see BENCHMARKS.md). Linux only, where
/// it was measured; macOS and Windows keep their system allocators.
#[cfg(target_os = "linux")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings, read at its first allocation (`_RJEM_MALLOC_CONF` in the environment
/// still overrides them): memory freed and not reused within a second goes back to the
/// system. jemalloc's default of ten seconds raised a 10,000-page build's peak from 180 to
/// 188 MiB; returning it at once cost seconds of page faults at 50,000 pages.
#[cfg(target_os = "linux")]
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: &[u8; 37] = b"dirty_decay_ms:1000,muzzy_decay_ms:0\0";

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn parse_today(s: Option<&str>) -> Result<Option<chrono::NaiveDate>, String> {
    s.map(|t| {
        salesbook::parse::front_matter::parse_date(t)
            .ok_or_else(|| format!("--today {t}: expected a date as YYYY-MM-DD between 0001-01-01 and 9999-12-31"))
    })
    .transpose()
}

fn check_root(root: &std::path::Path) -> Result<(), String> {
    if !root.is_dir() {
        return Err(format!("{} is not a folder", root.display()));
    }
    if !root.join("content").is_dir() {
        return Err(format!(
            "{} has no content/ folder: is it a salesbook site? (`salesbook new customer <title>` starts one)",
            root.display()
        ));
    }
    Ok(())
}

/// `SALESBOOK_TIMINGS=1`: where a build's time went, stage by stage.
fn print_timings(result: &salesbook::build::BuildResult) {
    salesbook::telemetry::print_stages(&result.timings);
}

/// `p` made absolute with every link resolved, for the part that exists; the rest (which
/// holds no link) is resolved by name, `..` included.
fn real_path(p: &std::path::Path) -> Result<std::path::PathBuf, String> {
    use std::path::Component;
    let abs = std::path::absolute(p).map_err(|e| format!("{}: {e}", p.display()))?;
    let mut rest = Vec::new();
    let mut base = abs.as_path();
    let mut real = loop {
        if let Ok(real) = base.canonicalize() {
            break real;
        }
        match (base.parent(), base.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                base = parent;
            }
            _ => break abs.clone(),
        }
    };
    for c in rest.into_iter().rev() {
        match c {
            Component::ParentDir => {
                real.pop();
            }
            Component::Normal(n) => real.push(n),
            _ => {}
        }
    }
    Ok(real)
}

/// `--out` as the folder it names: with `..` in it, its folder resolved (links included) and
/// its last part kept, since the staging folder and the lock are named after that part and
/// put beside it (`o/a/..` would have put them inside `o`); a last part that is `..` is
/// resolved too. A link as the last part stays, to be refused by `check_out`.
fn out_folder(out: std::path::PathBuf) -> Result<std::path::PathBuf, String> {
    use std::path::{Component, PathBuf};
    let plain: PathBuf = out.components().collect();
    let climbs = plain.components().any(|c| c == Component::ParentDir);
    let named = match plain.components().next_back() {
        Some(Component::Normal(_)) if !climbs => plain,
        Some(Component::Normal(name)) => {
            let parent = plain.parent().unwrap_or(std::path::Path::new("."));
            real_path(parent)?.join(name)
        }
        _ => real_path(&plain)?,
    };
    match named.components().next_back() {
        Some(Component::Normal(_)) => Ok(named),
        _ => Err(format!(
            "--out {} names no folder of its own (it is a root or a drive); choose a folder, like ./public",
            out.display()
        )),
    }
}

/// The output folder is exchanged wholesale on every build, and what it held before is kept
/// beside it: it must be a folder of its own, neither holding the site nor inside one of the
/// folders a build reads (the previous output would be read back into the next one).
fn check_out(root: &std::path::Path, out: &std::path::Path) -> Result<(), String> {
    let elsewhere = || root.join("public").display().to_string();
    if let Ok(meta) = std::fs::symlink_metadata(out) {
        if meta.file_type().is_symlink() {
            let target = std::fs::canonicalize(out).map_or_else(|_| "its target".into(), |t| t.display().to_string());
            return Err(format!(
                "--out {} is a symbolic link: a build replaces the output folder whole, which would replace the link; \
                 give the folder it points to ({target})",
                out.display()
            ));
        }
        if !meta.is_dir() {
            return Err(format!(
                "--out {} is a file, not a folder; it was left as it is. Choose a folder, like {}",
                out.display(),
                elsewhere()
            ));
        }
    }
    let (root_real, out_real) = (real_path(root)?, real_path(out)?);
    let hidden = [".salesbook-next", ".salesbook-old", ".salesbook-lock"];
    if out_real
        .components()
        .any(|c| hidden.iter().any(|h| c.as_os_str().to_string_lossy().ends_with(h)))
    {
        return Err(format!(
            "--out {} is inside a folder salesbook keeps for a build beside its output (`*.salesbook-next`); \
             choose a folder of its own, like {}",
            out.display(),
            elsewhere()
        ));
    }
    if root_real.starts_with(&out_real) {
        return Err(format!(
            "--out {} would hold the site itself; choose a folder of its own, like {}",
            out.display(),
            elsewhere()
        ));
    }
    let inputs = [
        "content",
        "static",
        "templates",
        "themes",
        salesbook::config::CONFIG_FILE,
    ];
    if let Some(input) = inputs.iter().find(|i| out_real.starts_with(root_real.join(i))) {
        return Err(format!(
            "--out {} is inside the site's {input}, which every build reads: each build would take in the one \
             before; choose a folder outside it, like {}",
            out.display(),
            elsewhere()
        ));
    }
    Ok(())
}

/// The build that `build` and `check` share: options checked, pipeline run, timings shown.
/// With `out`, the files are written into its staging folder as they render; without, each
/// is dropped as it renders (`check`).
fn run_builder(
    root: std::path::PathBuf,
    drafts: bool,
    public: bool,
    today: Option<&str>,
    out: Option<&salesbook::write::Staging>,
    page_token: Option<String>,
) -> Result<BuildResult, String> {
    check_root(&root)?;
    let today = parse_today(today)?;
    let mut builder = Builder::lean(BuildOptions {
        root,
        drafts,
        public,
        today,
    });
    if let Some(token) = page_token {
        builder = builder.page_token(token);
    }
    let result = match out {
        Some(out) => builder.build_into(out),
        None => builder.check(),
    };
    let mut result = result;
    if let Some(w) = result.history_warning.take() {
        result.diagnostics.insert(0, w);
    }
    // The process ends soon: freeing every parse one by one would only cost time.
    std::mem::forget(builder);
    print_timings(&result);
    Ok(result)
}

fn print_human(diags: &[Diagnostic]) {
    if diags.is_empty() {
        return;
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    eprint!("{}", diagnostics::render_human(diags, color));
}

/// One command: each has its own function, and every exit code is decided there.
fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Build {
            root,
            out,
            public,
            drafts,
            today,
        } => build(root, out, public, drafts, today.as_deref()),
        Command::Check {
            root,
            format,
            today,
            public,
            drafts,
        } => check(root, format, today.as_deref(), public, drafts),
        Command::Serve {
            root,
            bind,
            port,
            open,
            drafts,
        } => {
            check_root(&root)?;
            salesbook::serve::run(salesbook::serve::ServeOptions {
                root,
                bind,
                port,
                open,
                drafts,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Lsp => {
            salesbook::lsp::run()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            what: salesbook::cli::ImportWhat::Customers,
            file,
            root,
            dry_run,
            update,
        } => import_customers(&root, &file, dry_run, update),
        Command::Init {
            dir,
            lang,
            force,
            no_git,
        } => init(&dir, lang, force, !no_git),
        Command::New {
            kind,
            title,
            root,
            tier,
        } => {
            let tier = match tier.as_deref().map(salesbook::new::parse_tier).transpose() {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(1));
                }
            };
            let today = chrono::Local::now().date_naive();
            let path = salesbook::new::new_page(&root, kind, &title, today, tier)?;
            eprintln!("created {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { root, out } => schema(&root, out),
    }
}

/// `init`: a refused folder is the user's error (1), a failed write the machine's (2).
fn init(dir: &std::path::Path, lang: salesbook::cli::InitLang, force: bool, git: bool) -> Result<ExitCode, String> {
    let today = chrono::Local::now().date_naive();
    let (report, failure) = match salesbook::init::init(dir, lang, force, git, today) {
        Ok(report) => (report, None),
        Err(salesbook::init::InitError::Refused(message)) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(1));
        }
        Err(salesbook::init::InitError::Io(message, report)) => (report, Some(message)),
    };
    for path in &report.written {
        eprintln!("created {}", path.display());
    }
    for path in &report.skipped {
        eprintln!("skipped {} (already there; kept as it is)", path.display());
    }
    if let Some(message) = failure {
        return Err(message);
    }
    if let Some(git) = &report.git {
        eprintln!("{git}");
    }
    let shown = dir.display().to_string();
    let shown = if shown.contains(char::is_whitespace) {
        format!("\"{shown}\"")
    } else {
        shown
    };
    eprintln!("next: salesbook serve --root {shown} (then edit the pages under content/)");
    Ok(ExitCode::SUCCESS)
}

/// `build`: the site built into a staging folder beside the output, which takes the output's
/// place only when the build had no errors.
fn build(
    root: std::path::PathBuf,
    out: Option<std::path::PathBuf>,
    public: bool,
    drafts: bool,
    today: Option<&str>,
) -> Result<ExitCode, String> {
    let out = out_folder(out.unwrap_or_else(|| root.join("public")))?;
    check_out(&root, &out)?;
    check_root(&root)?;
    let mode = match (public, drafts) {
        (false, false) => "internal",
        (false, true) => "internal+drafts",
        (true, false) => "public",
        (true, true) => "public+drafts",
    };
    let staging = salesbook::write::Staging::new(&out, mode).map_err(|e| e.to_string())?;
    staging.start();
    let token = salesbook::render::token::for_output(&out, salesbook::write::built_mode(&out).as_deref(), mode);
    let result = run_builder(root, drafts, public, today, Some(&staging), Some(token))?;
    print_human(&result.diagnostics);
    if result.has_errors() {
        staging.abandon();
        eprintln!(
            "build failed: nothing was written to {}; it is unchanged",
            out.display()
        );
        return Ok(ExitCode::from(1));
    }
    let started = std::time::Instant::now();
    let stats = staging.commit().map_err(|e| e.to_string())?;
    if std::env::var_os("SALESBOOK_TIMINGS").is_some() {
        eprintln!(
            "  {:<16} {:>8.1} ms",
            "commit",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    warn_dropped(&stats.dropped, &out);
    eprintln!(
        "built {} pages in {} ms → {} ({} rendered, {} files written, {} unchanged, {} removed)",
        result.pages,
        (result.elapsed + started.elapsed()).as_millis(),
        out.display(),
        result.render.rendered,
        stats.written,
        stats.unchanged,
        stats.removed
    );
    Ok(ExitCode::SUCCESS)
}

/// Files the commit removed from the output that no manifest listed: named one by one,
/// escaped (they were in the output, and are gone from it).
fn warn_dropped(dropped: &[String], out: &std::path::Path) {
    if dropped.is_empty() {
        return;
    }
    let names: Vec<String> = dropped.iter().map(|p| salesbook::load::shown(p)).collect();
    eprintln!(
        "warning: removed {} files from {} that no manifest listed but an earlier build made \
         (pages, or files in folders salesbook writes): {}\n  = help: keep your own files in static/",
        names.len(),
        out.display(),
        names.join(", ")
    );
}

/// `check`: the whole build, nothing written; the problems as text or JSON.
fn check(
    root: std::path::PathBuf,
    format: Format,
    today: Option<&str>,
    public: bool,
    drafts: bool,
) -> Result<ExitCode, String> {
    let result = run_builder(root, drafts, public, today, None, None)?;
    match format {
        Format::Json => println!("{}", diagnostics::render_json(&result.diagnostics)),
        Format::Human => {
            print_human(&result.diagnostics);
            if result.diagnostics.is_empty() {
                eprintln!("checked {} pages: no problems", result.pages);
            }
        }
    }
    Ok(if result.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `schema`: the JSON Schemas, with the stages of the site's own salesbook.yaml.
fn schema(root: &std::path::Path, out: Option<std::path::PathBuf>) -> Result<ExitCode, String> {
    check_root(root)?;
    let file = root.join(salesbook::config::CONFIG_FILE);
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("{}: {e}", file.display())),
    };
    let config = match salesbook::config::SiteConfig::parse(&text) {
        Ok(c) => c,
        Err(diags) => {
            print_human(&diags);
            return Ok(ExitCode::from(1));
        }
    };
    let out = out.unwrap_or_else(|| root.join("schemas"));
    if out.exists() && !out.is_dir() {
        return Err(format!(
            "--out {} is a file, not a folder; it was left as it is. Choose a folder, like {}",
            out.display(),
            root.join("schemas").display()
        ));
    }
    let written = salesbook::schema::write(&out, &config).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {} schemas to {}", written.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

/// `import customers`: every row checked before any page is written; one bad row, nothing
/// written.
fn import_customers(
    root: &std::path::Path,
    file: &std::path::Path,
    dry_run: bool,
    update: bool,
) -> Result<ExitCode, String> {
    check_root(root)?;
    let report = salesbook::import::import_customers(root, file, dry_run, update)?;
    for p in &report.problems {
        eprintln!("error: {p}");
    }
    for s in report.skipped.iter().chain(&report.warnings) {
        eprintln!("warning: {s}");
    }
    if !report.ignored_columns.is_empty() {
        eprintln!(
            "warning: columns not imported (no such field): {}",
            report.ignored_columns.join(", ")
        );
    }
    if !report.problems.is_empty() {
        eprintln!(
            "nothing written: {} problems ({} rows with errors); fix them and import the file again",
            report.problems.len(),
            report.bad_rows
        );
        return Ok(ExitCode::from(1));
    }
    let verb = if dry_run { "would write" } else { "wrote" };
    for p in &report.written {
        eprintln!("  {verb} {}", salesbook::load::rel(root, p));
    }
    if update {
        let verb = if dry_run { "would update" } else { "updated" };
        for u in &report.updated {
            eprintln!("  {verb} {u}");
        }
        for u in &report.unchanged {
            eprintln!("  unchanged: {u}");
        }
        eprintln!(
            "{verb} {} customer pages; {} unchanged",
            report.updated.len(),
            report.unchanged.len()
        );
    }
    eprintln!(
        "{verb} {} customer pages; {} rows skipped{}",
        report.written.len(),
        report.skipped.len(),
        if dry_run {
            " (dry run: nothing written)"
        } else {
            "; run `salesbook check` next"
        }
    );
    Ok(ExitCode::SUCCESS)
}
