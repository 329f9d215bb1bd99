//! `SALESBOOK_TIMINGS=1`: where a build's time and memory went. One place decides whether
//! timings are on and how they are measured and printed, so that the pipeline's stages only
//! say where they begin and end.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One stage of a build: its name, wall time, resident memory at its end in MiB (0 where
/// unknown), and the CPU time of all threads in it.
pub type Timing = (&'static str, Duration, u64, Duration);

/// Whether `SALESBOOK_TIMINGS` is set.
pub fn enabled() -> bool {
    std::env::var_os("SALESBOOK_TIMINGS").is_some()
}

/// The stages of one build, timed one after the other.
pub struct Stages {
    lap: Instant,
    cpu: Duration,
    pub timings: Vec<Timing>,
}

impl Stages {
    pub fn start() -> Self {
        Stages {
            lap: Instant::now(),
            cpu: cpu_time(),
            timings: Vec::new(),
        }
    }

    /// Ends the stage called `name` and starts the next.
    pub fn mark(&mut self, name: &'static str) {
        let now = cpu_time();
        self.timings
            .push((name, self.lap.elapsed(), resident_mib(), now.saturating_sub(self.cpu)));
        self.lap = Instant::now();
        self.cpu = now;
    }
}

/// Prints a build's stage timings (the `build` and `check` commands).
pub fn print_stages(timings: &[Timing]) {
    if enabled() {
        for (stage, d, rss, cpu) in timings {
            eprintln!(
                "  {stage:<16} {:>8.1} ms {rss:>6} MiB {:>8.1} ms cpu",
                d.as_secs_f64() * 1000.0,
                cpu.as_secs_f64() * 1000.0
            );
        }
    }
}

/// The time each rendered file took, by kind of job: the slowest pages and the CPU time per
/// kind are printed at the end of rendering. `None` (nothing recorded) unless timings are on.
pub struct Jobs(Mutex<Vec<(Duration, String, &'static str)>>);

impl Jobs {
    pub fn new() -> Option<Self> {
        enabled().then(|| Jobs(Mutex::new(Vec::new())))
    }

    /// Records that the file at `path`, a job of `kind`, took from `started` until now.
    pub fn record(&self, started: Instant, path: &str, kind: &'static str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((started.elapsed(), path.to_owned(), kind));
    }

    /// The five slowest files, and the CPU time per kind of job (summed over threads).
    pub fn print(self) {
        let mut s = self.0.into_inner().unwrap_or_else(|e| e.into_inner());
        s.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (t, path, _) in s.iter().take(5) {
            eprintln!("  slowest page     {:>8.1} ms  {path}", t.as_secs_f64() * 1000.0);
        }
        let mut by_kind: Vec<(&str, Duration, usize)> = Vec::new();
        for (t, _, kind) in &s {
            match by_kind.iter_mut().find(|k| k.0 == *kind) {
                Some(k) => {
                    k.1 += *t;
                    k.2 += 1;
                }
                None => by_kind.push((kind, *t, 1)),
            }
        }
        for (kind, t, n) in by_kind {
            eprintln!("  {kind:<12} {:>9.1} ms cpu, {n} files", t.as_secs_f64() * 1000.0);
        }
    }
}

/// The CPU time (user and system, all threads) this process has used, for the stage
/// timings; zero where the platform does not say.
pub fn cpu_time() -> Duration {
    crate::platform::cpu_time()
}

/// This process's resident memory in MiB, for the stage timings; zero where unknown.
pub fn resident_mib() -> u64 {
    crate::platform::resident_mib()
}
