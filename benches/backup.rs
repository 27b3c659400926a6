//! Backup benchmark against a simulated Spotify on localhost with injected latency: requests
//! made vs the theoretical minimum, wall time and peak RSS, for a first full backup, an
//! unchanged re-run, and a 100,000-entry library. Prints a table; asserts nothing.
//!
//! Each case runs in a child process (this binary re-executed) so peak RSS (VmHWM) is its own.

mod common;

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::{start, LibrarySpec, TOKEN};
use trackvault::app::backup::{run_backup, BackupOptions};
use trackvault::archive::Archive;
use trackvault::http::{RetryPolicy, Transport};
use trackvault::progress::hidden;
use trackvault::spotify::auth::TokenProvider;
use trackvault::spotify::SpotifyClient;

const CASE_ENV: &str = "TRACKVAULT_BENCH_CASE";

fn main() {
    match std::env::var(CASE_ENV) {
        Ok(case) => run_case(&case),
        Err(_) => parent(),
    }
}

fn parent() {
    let exe = std::env::current_exe().expect("own path");
    println!(
        "{:<34} {:>9} {:>9} {:>8} {:>9} {:>10}",
        "case", "requests", "minimum", "over", "wall", "peak RSS"
    );
    for case in ["typical", "huge"] {
        let out = Command::new(&exe)
            .env(CASE_ENV, case)
            .output()
            .expect("run a bench case");
        if !out.status.success() {
            eprintln!(
                "case {case} failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        }
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
}

fn typical() -> LibrarySpec {
    LibrarySpec {
        liked: 10_000,
        albums: 200,
        shows: 0,
        episodes: 0,
        artists: 500,
        playlists: Vec::new(),
        hostile: false,
    }
    .with_owned_playlists(300, 80)
}

fn huge() -> LibrarySpec {
    LibrarySpec {
        liked: 50_000,
        albums: 200,
        shows: 0,
        episodes: 0,
        artists: 500,
        playlists: Vec::new(),
        hostile: false,
    }
    .with_owned_playlists(500, 100)
}

fn run_case(case: &str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (spec, latency) = match case {
            "typical" => (typical(), Duration::from_millis(10)),
            _ => (huge(), Duration::from_millis(2)),
        };
        let entries = spec.liked + spec.playlists.iter().map(|p| p.entries).sum::<usize>();
        let (server, _state) = start(spec.clone(), latency).await;
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path()).unwrap();
        let minimum = support::minimum_requests(&spec);

        let label = format!(
            "{case}: full ({entries} entries, {}ms)",
            latency.as_millis()
        );
        let (requests, wall) = backup(&archive, &server.uri()).await;
        row(&label, requests, Some(minimum), wall);
        if case == "typical" {
            let (requests, wall) = backup(&archive, &server.uri()).await;
            row(&format!("{case}: unchanged re-run"), requests, None, wall);
        }
    });
}

async fn backup(archive: &Archive, base: &str) -> (u64, Duration) {
    let client = SpotifyClient::with_transport(
        Transport::Network(reqwest::Client::new()),
        url::Url::parse(&format!("{base}/v1")).unwrap(),
        TokenProvider::from_static(TOKEN.into()),
        Duration::ZERO,
        RetryPolicy::default(),
    );
    let started = Instant::now();
    let summary = run_backup(archive, &client, &BackupOptions::default(), &hidden())
        .await
        .expect("backup");
    (summary.requests.total(), started.elapsed())
}

fn row(label: &str, requests: u64, minimum: Option<u64>, wall: Duration) {
    let (min, over) = match minimum {
        Some(m) => (
            m.to_string(),
            format!("{:+.2}%", (requests as f64 - m as f64) * 100.0 / m as f64),
        ),
        None => ("-".into(), "-".into()),
    };
    println!(
        "{label:<34} {requests:>9} {min:>9} {over:>8} {:>8.1}s {:>7} MB",
        wall.as_secs_f64(),
        peak_rss_mb()
    );
}

/// VmHWM: the process's peak resident set so far.
fn peak_rss_mb() -> u64 {
    common::peak_rss_kb().map_or(0, |kb| kb / 1024)
}
