//! `salesbook init [DIR]`: a new site that builds and checks clean, in Chinese or English.
//!
//! The starter's pages are real content, not a skeleton: a team learns the format from a
//! customer page that shows contacts, visits and commitments, and a site that warns on its
//! first build teaches people to ignore warnings. So every page is written to pass `check`
//! with no diagnostic, and its dates are placed around the day of `init` (a visit three
//! weeks ago, the next one in a week) so that nothing starts out overdue.
//!
//! A new site is made a git repository with the starter as its first commit (as `cargo new`
//! makes a repository): salesbook reads the site's history for its progress pages and warns
//! on every build of a site with none, and a team keeps its site in git anyway. This needs
//! the `git` program and the user's git identity; without them the site is written all the
//! same and `init` says what to run. A folder already in a repository, a `--force` into a
//! folder with files of its own, and `--no-git` are left to the user to commit.
//!
//! It never overwrites: a folder with anything in it is refused unless `--force`, and even
//! then every file already there is kept and reported as skipped. Files are created the
//! way `salesbook new` creates them (`create_new`, never through a symbolic link).

use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};

use crate::cli::InitLang;

/// One starter file: its path in the site, and its text in Chinese and in English.
struct Starter {
    path: &'static str,
    zh: &'static str,
    en: &'static str,
}

macro_rules! starter {
    ($path:literal, $file:literal) => {
        Starter {
            path: $path,
            zh: include_str!(concat!("init/zh/", $file)),
            en: include_str!(concat!("init/en/", $file)),
        }
    };
    ($path:literal, both $file:literal) => {
        Starter {
            path: $path,
            zh: include_str!(concat!("init/", $file)),
            en: include_str!(concat!("init/", $file)),
        }
    };
}

const STARTER: &[Starter] = &[
    starter!("salesbook.yaml", "salesbook.yaml"),
    starter!(".gitignore", both "gitignore"),
    starter!(".github/workflows/check.yml", both "check.yml"),
    starter!("content/_index.md", "_index.md"),
    starter!("content/playbooks/relationship-tiers.md", "relationship-tiers.md"),
    starter!("content/playbooks/spin-template.md", "spin-template.md"),
    starter!("content/playbooks/fab-template.md", "fab-template.md"),
    starter!("content/scripts/cold-visit.md", "cold-visit.md"),
    starter!("content/scripts/follow-up-visit.md", "follow-up-visit.md"),
    starter!("content/customers/example-customer.md", "example-customer.md"),
    starter!("content/competitors/example-competitor.md", "example-competitor.md"),
];

/// What `init` did: the files it wrote and those it found already there and kept.
#[derive(Debug, Default)]
pub struct InitReport {
    pub written: Vec<PathBuf>,
    pub skipped: Vec<PathBuf>,
    /// What became of the git repository: committed, or why not and what to do.
    pub git: Option<String>,
}

/// Why `init` wrote nothing, or stopped.
#[derive(Debug)]
pub enum InitError {
    /// The folder is not one to start a site in (a file, or not empty without `--force`):
    /// nothing was written.
    Refused(String),
    /// Writing failed part-way; the files written before are listed in the report.
    Io(String, InitReport),
}

/// Writes the starter site into `dir` (created when missing). `today` places the example's
/// dates.
pub fn init(dir: &Path, lang: InitLang, force: bool, git: bool, today: NaiveDate) -> Result<InitReport, InitError> {
    let mut fresh = true;
    match dir.metadata() {
        Ok(meta) if !meta.is_dir() => {
            return Err(InitError::Refused(format!(
                "{} is not a folder; give a new or empty folder to start a site in",
                dir.display()
            )));
        }
        Ok(_) if !force && !is_empty(dir)? => {
            return Err(InitError::Refused(format!(
                "{} is not empty; nothing was written (use --force to add the starter files beside what is there: existing files are never overwritten)",
                dir.display()
            )));
        }
        Ok(_) => fresh = is_empty(dir)?,
        Err(_) if dir.symlink_metadata().is_ok() => {
            return Err(InitError::Refused(format!(
                "{} is a broken symbolic link; nothing was written",
                dir.display()
            )));
        }
        Err(_) => std::fs::create_dir_all(dir)
            .map_err(|e| InitError::Io(format!("cannot create {}: {e}", dir.display()), InitReport::default()))?,
    }
    // Every folder checked before the first file is written: a refusal writes nothing.
    let mut linked_out: Vec<String> = STARTER
        .iter()
        .filter_map(|f| crate::load::writable_folder(dir, dir.join(f.path).parent()?).err())
        .collect();
    linked_out.dedup();
    if !linked_out.is_empty() {
        return Err(InitError::Refused(linked_out.join("\n")));
    }
    let mut report = InitReport::default();
    for file in STARTER {
        let text = match lang {
            InitLang::Zh => file.zh,
            InitLang::En => file.en,
        };
        let path = dir.join(file.path);
        match write_new(dir, &path, &fill_dates(text, today)) {
            Ok(true) => report.written.push(path),
            Ok(false) => report.skipped.push(path),
            Err(e) => return Err(InitError::Io(e, report)),
        }
    }
    if git {
        report.git = Some(start_history(dir, fresh));
    }
    Ok(report)
}

/// Makes `dir` a git repository whose first commit is the starter, when it was empty and in
/// no repository; otherwise, or when git fails, says what to do.
fn start_history(dir: &Path, fresh: bool) -> String {
    let commit_it = "commit the site (`git add -A` then `git commit`) so that its progress pages have a history";
    let inside = std::process::Command::new("git")
        .args(["rev-parse", "--is-inside-work-tree"])
        .current_dir(dir)
        .output();
    match inside {
        Err(_) => return format!("git was not found: {commit_it} once it is installed"),
        Ok(o) if o.status.success() => return format!("the folder is inside a git repository: {commit_it}"),
        Ok(_) if !fresh => {
            return format!("the folder had files of its own, so no git repository was made: {commit_it}");
        }
        Ok(_) => {}
    }
    let steps: [&[&str]; 3] = [
        &["init", "--quiet"],
        &["add", "--all"],
        &[
            "commit",
            "--quiet",
            "--message",
            "Start the sales site (salesbook init)",
        ],
    ];
    for args in steps {
        let run = std::process::Command::new("git").args(args).current_dir(dir).output();
        match run {
            Ok(o) if o.status.success() => {}
            Ok(o) => {
                let said = String::from_utf8_lossy(&o.stderr);
                let said = said.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
                return format!("`git {}` failed ({said}): {commit_it}", args[0]);
            }
            Err(e) => return format!("`git {}` could not run ({e}): {commit_it}", args[0]),
        }
    }
    "made a git repository with the starter as its first commit".to_owned()
}

fn is_empty(dir: &Path) -> Result<bool, InitError> {
    let mut entries = std::fs::read_dir(dir)
        .map_err(|e| InitError::Io(format!("cannot read {}: {e}", dir.display()), InitReport::default()))?;
    Ok(entries.next().is_none())
}

/// Creates `path` with `text`; `Ok(false)` when something is already at that name (a file,
/// a folder or a link, which is kept as it is).
fn write_new(root: &Path, path: &Path, text: &str) -> Result<bool, String> {
    if path.symlink_metadata().is_ok() {
        return Ok(false);
    }
    let Some(parent) = path.parent() else {
        return Err(format!("cannot write {}", path.display()));
    };
    // The build's rule for links: never write through a folder linked out of the site.
    crate::load::writable_folder(root, parent)?;
    std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(format!("cannot write {}: {e}", path.display())),
    };
    std::io::Write::write_all(&mut file, text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(true)
}

/// The starter's dates: `{{today}}`, `{{today-21}}`, `{{today+7}}` become dates around
/// `today`, so the example customer's visits are recent and its next visit ahead.
fn fill_dates(text: &str, today: NaiveDate) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("{{today") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "{{today".len()..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[at..]);
            return out;
        };
        let offset = &after[..end];
        let date = match offset.split_at_checked(1) {
            Some(("+", n)) => n.parse().ok().and_then(|n| today.checked_add_days(Days::new(n))),
            Some(("-", n)) => n.parse().ok().and_then(|n| today.checked_sub_days(Days::new(n))),
            _ if offset.is_empty() => Some(today),
            _ => None,
        };
        match date {
            Some(d) => out.push_str(&d.format("%Y-%m-%d").to_string()),
            // Left as written, so that the starter's own test finds the typo.
            None => out.push_str(&rest[at..at + "{{today".len() + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_placed_around_today() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(
            fill_dates("a {{today}} b {{today-21}} c {{today+60}} d ${{ env.X }}", today),
            "a 2026-12-07 b 2026-11-16 c 2027-02-05 d ${{ env.X }}"
        );
    }

    #[test]
    fn every_placeholder_in_the_starter_is_known() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        for f in STARTER {
            for text in [f.zh, f.en] {
                assert!(!fill_dates(text, today).contains("{{today"), "{}", f.path);
            }
        }
    }
}
