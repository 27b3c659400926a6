//! Helpers shared by the benchmarks (included with `mod common;`; not a bench target itself).

/// Peak resident set size of this process so far (`VmHWM`), in KiB; None where `/proc` has no
/// such line (not Linux).
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
