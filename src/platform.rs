//! Every call that differs between Linux, macOS and Windows, each with a fallback that
//! works everywhere: the rest of the crate calls these and carries no `cfg`.
//!
//! salesbook is used on sales people's laptops as much as on a build server, so each
//! platform-specific call is an improvement over a portable way, never the only way:
//! - swapping two folders: one atomic call where the kernel has it (Linux `renameat2`,
//!   macOS `renamex_np`), else three renames with a short window (see [`swap_dirs`]);
//! - CPU time for the stage timings: `getrusage` on Unix, zero elsewhere;
//! - resident memory for the stage timings: `/proc` on Linux, zero elsewhere;
//! - a background thread's low priority: per-thread `nice` on Linux, the background QoS
//!   class on macOS, unchanged elsewhere (the thread still works, only less politely).

use std::fs;
use std::io;
use std::path::Path;
use std::time::Duration;

/// Swaps two existing folders: afterwards `a` has what `b` had and `b` what `a` had.
///
/// Linux and macOS do it in one atomic step where the file system supports it; elsewhere
/// (Windows, or a file system without the call) [`swap_by_renames`].
pub fn swap_dirs(a: &Path, b: &Path) -> io::Result<()> {
    match atomic_swap(a, b) {
        Some(result) => result,
        None => swap_by_renames(a, b),
    }
}

/// The swap as three renames: `b` aside, `a` to `b`, the aside folder to `a`. Between the
/// first two renames `b` does not exist; a process killed exactly then leaves the old `b`
/// complete beside it, under [`aside_name`]. A later swap puts it back first if `b` is
/// still missing, or clears it away if `b` was made since.
pub fn swap_by_renames(a: &Path, b: &Path) -> io::Result<()> {
    let aside = b.with_file_name(aside_name(b));
    if aside.exists() {
        if b.exists() {
            fs::remove_dir_all(&aside)?;
        } else {
            fs::rename(&aside, b)?;
        }
    }
    fs::rename(b, &aside)?;
    if let Err(e) = fs::rename(a, b) {
        // Put the old folder back rather than leave `b` missing.
        let _ = fs::rename(&aside, b);
        return Err(e);
    }
    fs::rename(&aside, a)
}

/// The name `b` is kept under while [`swap_dirs`] swaps without an atomic call.
pub fn aside_name(b: &Path) -> String {
    let name = b
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.salesbook-old")
}

/// The atomic swap, or `None` where this platform or file system has none.
#[cfg(target_os = "linux")]
fn atomic_swap(a: &Path, b: &Path) -> Option<io::Result<()>> {
    let (ca, cb) = match (c_path(a), c_path(b)) {
        (Ok(ca), Ok(cb)) => (ca, cb),
        (Err(e), _) | (_, Err(e)) => return Some(Err(e)),
    };
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them like rename(2).
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Some(Ok(()));
    }
    let e = io::Error::last_os_error();
    // EINVAL: the file system cannot exchange; ENOSYS: a kernel older than 3.15.
    match e.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) => None,
        _ => Some(Err(e)),
    }
}

/// The atomic swap, or `None` where this platform or file system has none.
#[cfg(target_os = "macos")]
fn atomic_swap(a: &Path, b: &Path) -> Option<io::Result<()>> {
    let (ca, cb) = match (c_path(a), c_path(b)) {
        (Ok(ca), Ok(cb)) => (ca, cb),
        (Err(e), _) | (_, Err(e)) => return Some(Err(e)),
    };
    // SAFETY: both are valid NUL-terminated paths.
    let r = unsafe { libc::renamex_np(ca.as_ptr(), cb.as_ptr(), libc::RENAME_SWAP) };
    if r == 0 {
        return Some(Ok(()));
    }
    let e = io::Error::last_os_error();
    // ENOTSUP: a file system without swap (FAT, SMB shares); EINVAL: a flag it does not know.
    match e.raw_os_error() {
        Some(libc::ENOTSUP) | Some(libc::EINVAL) => None,
        _ => Some(Err(e)),
    }
}

/// The atomic swap, or `None` where this platform or file system has none.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn atomic_swap(_a: &Path, _b: &Path) -> Option<io::Result<()>> {
    None
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
fn c_path(p: &Path) -> io::Result<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt;
    Ok(std::ffi::CString::new(p.as_os_str().as_bytes())?)
}

/// The CPU time (user and system, all threads) this process has used; zero where unknown.
#[cfg(unix)]
pub fn cpu_time() -> Duration {
    // SAFETY: getrusage writes into the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec.max(0) as u64, t.tv_usec.clamp(0, 999_999) as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// The CPU time (user and system, all threads) this process has used; zero where unknown.
#[cfg(not(unix))]
pub fn cpu_time() -> Duration {
    Duration::ZERO
}

/// This process's resident memory in MiB; zero where unknown.
pub fn resident_mib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| (pages * 4096) >> 20)
}

/// Lowers the calling thread's priority as far as it goes, so that work which can wait
/// (serve's search index) yields the cores to work someone is waiting for.
pub fn lower_thread_priority() {
    // SAFETY: nice() changes only the calling thread's priority (Linux: per thread).
    #[cfg(target_os = "linux")]
    unsafe {
        libc::nice(19);
    }
    // macOS's nice() would lower the whole process: the thread's QoS class is per thread.
    // SAFETY: sets the calling thread's own class.
    #[cfg(target_os = "macos")]
    unsafe {
        libc::pthread_set_qos_class_self_np(libc::qos_class_t::QOS_CLASS_BACKGROUND, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two folders `a` (file `f` = "new") and `b` (`f` = "old") swapped by `swap`: each then
    /// holds the other's file, and nothing is left aside.
    fn assert_swaps(swap: fn(&Path, &Path) -> io::Result<()>) {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("f"), "new").unwrap();
        fs::write(b.join("f"), "old").unwrap();
        swap(&a, &b).unwrap();
        assert_eq!(fs::read_to_string(b.join("f")).unwrap(), "new");
        assert_eq!(fs::read_to_string(a.join("f")).unwrap(), "old");
        assert!(!tmp.path().join(".b.salesbook-old").exists());
    }

    #[test]
    fn swap_dirs_exchanges_contents() {
        assert_swaps(swap_dirs);
    }

    #[test]
    fn swap_dirs_fails_cleanly_when_one_is_missing() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        fs::create_dir(&b).unwrap();
        fs::write(b.join("f"), "old").unwrap();
        assert!(swap_dirs(&a, &b).is_err());
        assert_eq!(fs::read_to_string(b.join("f")).unwrap(), "old", "b is left as it was");
    }

    #[test]
    fn swap_by_renames_exchanges_contents() {
        assert_swaps(swap_by_renames);
    }

    #[test]
    fn swap_by_renames_recovers_from_a_kill_between_renames() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        let aside = tmp.path().join(aside_name(&b));
        // Killed after `b` went aside and before `a` took its place.
        fs::create_dir(&a).unwrap();
        fs::create_dir(&aside).unwrap();
        fs::write(a.join("f"), "new").unwrap();
        fs::write(aside.join("f"), "old").unwrap();
        swap_by_renames(&a, &b).unwrap();
        assert_eq!(fs::read_to_string(b.join("f")).unwrap(), "new");
        assert_eq!(
            fs::read_to_string(a.join("f")).unwrap(),
            "old",
            "the old output was kept"
        );
        assert!(!aside.exists());
        // A stale aside folder beside a complete `b` is cleared away.
        fs::create_dir(&aside).unwrap();
        swap_by_renames(&a, &b).unwrap();
        assert_eq!(fs::read_to_string(b.join("f")).unwrap(), "old");
        assert!(!aside.exists());
    }

    #[test]
    fn cpu_time_grows_where_known() {
        let before = cpu_time();
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        assert!(cpu_time() >= before);
    }
}
