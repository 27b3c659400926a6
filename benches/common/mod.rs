//! Helpers shared by the benchmarks (included with `mod common;`; not a bench target itself).
//! Each bench uses some of them.

#![allow(dead_code)]

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

pub fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// "met" or "MISSED", for a bench table's target column.
pub fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}

/// User + system CPU time of this process so far, in ms (`/proc/self/stat`, 100 ticks/s).
pub fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10)
}

/// Deterministic pseudo-random numbers (xorshift), so every run measures the same data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A 22-character base-62 Spotify-style id derived from `n`.
pub fn base62(mut n: u64) -> String {
    const A: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..22)
        .map(|_| {
            let c = A[(n % 62) as usize] as char;
            n = n / 62 + 0x9E37_79B9;
            c
        })
        .collect()
}

/// Runs this bench again as a child process with `env` set to `dir`, so the child's peak RSS
/// (VmHWM) counts only what it measures, not the parent's data generation.
pub fn measure_in_child(env: &str, dir: &std::path::Path) {
    let status = std::process::Command::new(std::env::current_exe().expect("own path"))
        .env(env, dir)
        .status()
        .expect("measurement child");
    assert!(status.success(), "measurement failed");
}

/// A deterministic `added_at` spread over 2015–2024, from a day number.
pub fn added_at(day: u64) -> String {
    format!(
        "20{:02}-{:02}-{:02}T10:{:02}:00Z",
        15 + day % 10,
        day % 12 + 1,
        day % 28 + 1,
        day % 60
    )
}
