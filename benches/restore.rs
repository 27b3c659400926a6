//! Restore benchmark against the stateful Spotify simulation on localhost: write requests vs
//! the minimum (one create per playlist + Σ⌈entries/100⌉ + ⌈library items/40⌉) for a
//! generated 10,000-entry library — a clean restore, one killed at 12 seeded points and
//! resumed, a restore with lost answers, and a rerun of a finished one — with reads, wall time
//! and peak RSS. Prints a table and checks the 2 % + constant budget.

mod common;

#[path = "../tests/restore_support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::{
    api_url, assert_restored, generated, minimum_writes, save_snapshot, start, Faults, Rng, TOKEN,
};
use trackvault::app::restore::{run_restore, RestoreOptions};
use trackvault::archive::Archive;
use trackvault::http::{network_client, RetryPolicy, Transport};
use trackvault::model::Library;
use trackvault::progress::hidden;
use trackvault::restore::{plan, PlanOptions};
use trackvault::spotify::auth::TokenProvider;
use trackvault::spotify::SpotifyClient;

/// Allowed extra writes: 2 % of the minimum plus this constant.
const CONSTANT: u64 = 5;

struct Row {
    case: &'static str,
    /// Runs killed: each may cost the one write it interrupted.
    kills: u64,
    writes: u64,
    reads: u64,
    runs: usize,
    wall: Duration,
}

fn client(api: &str) -> SpotifyClient {
    SpotifyClient::with_transport(
        Transport::Network(network_client("trackvault-bench", Duration::from_secs(10)).unwrap()),
        url::Url::parse(api).unwrap(),
        TokenProvider::from_static(TOKEN.to_string()),
        Duration::ZERO,
        RetryPolicy {
            max_retries: 2,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            long_wait: Duration::from_secs(60),
            max_rate_limited: 3,
        },
    )
}

#[tokio::main]
async fn main() {
    let library = generated(10_000);
    let minimum = minimum_writes(&library);
    let mut rows = Vec::new();
    rows.push(case("clean restore", &library, |_, _| None, 0).await);
    rows.push(
        case(
            "killed 12x, resumed",
            &library,
            |rng, written| {
                Some(Faults {
                    crash_at_write: Some((written + 1 + rng.below(40), rng.below(2) == 0)),
                    ..Faults::default()
                })
            },
            12,
        )
        .await,
    );
    rows.push(
        case(
            "10 lost answers, one run",
            &library,
            |_, _| {
                Some(Faults {
                    lose_answer_of: (1..=10).map(|i| i * 13).collect(),
                    ..Faults::default()
                })
            },
            0,
        )
        .await,
    );
    rows.push(rerun(&library).await);

    println!(
        "10,000-entry library: {} entries, {} playlists; minimum writes {minimum}",
        library.entry_count(),
        library.playlists.len()
    );
    println!(
        "{:<26} {:>7} {:>8} {:>6} {:>7} {:>8} {:>6} {:>5} {:>8}",
        "case", "writes", "minimum", "over", "over %", "allowed", "reads", "runs", "wall"
    );
    let mut within = true;
    for r in &rows {
        let floor = if r.case.starts_with("rerun") {
            0
        } else {
            minimum
        };
        let over = r.writes.saturating_sub(floor);
        let pct = if floor == 0 {
            0.0
        } else {
            over as f64 * 100.0 / floor as f64
        };
        let allowed = floor + floor / 50 + CONSTANT + r.kills;
        within &= r.writes <= allowed;
        println!(
            "{:<26} {:>7} {:>8} {:>6} {:>6.2}% {:>8} {:>6} {:>5} {:>7.2}s",
            r.case,
            r.writes,
            floor,
            over,
            pct,
            allowed,
            r.reads,
            r.runs,
            r.wall.as_secs_f64()
        );
    }
    if let Some(kb) = common::peak_rss_kb() {
        println!("peak RSS of the whole bench: {} MiB", kb / 1024);
    }
    println!(
        "budget (minimum + 2 % + {CONSTANT}, + 1 per killed run): {}",
        if within { "met" } else { "EXCEEDED" }
    );
    assert!(within, "write requests over budget");
}

/// Restores into a fresh simulated account, with `faults` set before each of up to `kills`
/// runs that die on the first write whose outcome is unknown.
async fn case(
    name: &'static str,
    library: &Library,
    faults: impl Fn(&mut Rng, usize) -> Option<Faults>,
    kills: usize,
) -> Row {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path().join("archive")).unwrap();
    let snapshot = save_snapshot(&archive, library);
    let plan = plan(library, &snapshot, &PlanOptions::default()).unwrap();
    let (server, sim) = start().await;
    let client = client(&api_url(&server));
    let mut rng = Rng(42);
    let started = Instant::now();
    let mut runs = 0;
    loop {
        runs += 1;
        sim.revive();
        if runs == 1 || runs <= kills {
            if let Some(f) = faults(&mut rng, sim.writes_received()) {
                sim.set_faults(f);
            }
        }
        let opts = if kills > 0 {
            RestoreOptions {
                uncertain_retries: 0,
                uncertain_wait: Duration::ZERO,
            }
        } else {
            RestoreOptions {
                uncertain_retries: 4,
                uncertain_wait: Duration::ZERO,
            }
        };
        match run_restore(&archive, &client, &plan, &opts, &hidden()).await {
            Ok(_) => break,
            Err(e) if runs <= kills => {
                let _ = e;
                continue;
            }
            Err(e) => panic!("{name}: {e}"),
        }
    }
    let wall = started.elapsed();
    assert_restored(&sim.snapshot(), library, 0);
    let writes = sim.writes_received() as u64;
    Row {
        case: name,
        kills: (runs - 1).min(kills) as u64,
        writes,
        reads: sim.requests() as u64 - writes,
        runs,
        wall,
    }
}

async fn rerun(library: &Library) -> Row {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path().join("archive")).unwrap();
    let snapshot = save_snapshot(&archive, library);
    let plan = plan(library, &snapshot, &PlanOptions::default()).unwrap();
    let (server, sim) = start().await;
    let client = client(&api_url(&server));
    run_restore(
        &archive,
        &client,
        &plan,
        &RestoreOptions::default(),
        &hidden(),
    )
    .await
    .unwrap();
    let (writes, requests) = (sim.writes_received(), sim.requests());
    let started = Instant::now();
    run_restore(
        &archive,
        &client,
        &plan,
        &RestoreOptions::default(),
        &hidden(),
    )
    .await
    .unwrap();
    let wall = started.elapsed();
    Row {
        case: "rerun of a finished one",
        kills: 0,
        writes: (sim.writes_received() - writes) as u64,
        reads: (sim.requests() - requests - (sim.writes_received() - writes)) as u64,
        runs: 1,
        wall,
    }
}
