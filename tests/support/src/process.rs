//! Measurements of the test process itself, from `/proc/self` (Linux): resident memory and
//! CPU time, for tests that bound what a client holds or prove that it does not spin.

use std::time::Duration;

/// The resident set size of this process in KiB (`VmRSS` of `/proc/self/status`), or 0
/// where `/proc` is not available.
pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// CPU time used by this process so far, user and system, every thread (`utime + stime`
/// of `/proc/self/stat`, in the kernel's fixed 100 Hz user ticks), or zero where `/proc` is
/// not available.
pub fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // the command name (field 2) is in parentheses and may hold spaces: count after it
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields 14 and 15 of the whole line are the 12th and 13th after the name
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}
