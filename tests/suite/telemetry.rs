//! `SALESBOOK_TIMINGS=1`: the stages of the pipeline, each timed, and the slowest pages; and
//! nothing of it without the variable.

use std::process::Command;

use crate::helper::SiteTest;

fn check(t: &SiteTest, timings: bool) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_salesbook"));
    c.args(["check"]).current_dir(t.root()).env("NO_COLOR", "1");
    if timings {
        c.env("SALESBOOK_TIMINGS", "1");
    } else {
        c.env_remove("SALESBOOK_TIMINGS");
    }
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn timings_name_every_stage_of_the_pipeline_only_when_asked() {
    let t = SiteTest::fixture("builder/basic");
    let printed = check(&t, true);
    let stages = [
        "config+theme",
        "load",
        "parse",
        "index",
        "links",
        "figures+static",
        "plan",
        "render+write",
    ];
    for stage in stages {
        assert!(
            printed
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{stage} "))),
            "{stage}:\n{printed}"
        );
    }
    assert!(
        printed.contains("slowest page") && printed.contains("search index"),
        "{printed}"
    );
    let quiet = check(&t, false);
    assert!(
        !quiet.contains("slowest page") && !quiet.lines().any(|l| l.trim_start().starts_with("render+write")),
        "{quiet}"
    );
}
