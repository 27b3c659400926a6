//! Restore against a stateful local Spotify simulation (tests/restore_support): the demo
//! library and a generated 10,000-entry library land in an empty account exactly (names,
//! order, duplicates, library, liked songs oldest first) with the minimum of write requests;
//! kills at seeded random points, lost answers, quota stops and a same-named playlist already
//! in the account all end in the same result with nothing duplicated; a finished restore
//! sends no write; a read-only token and an edited playlist give clear errors.

mod restore_support;

use std::time::Duration;

use restore_support::{
    api_url, assert_restored, generated, minimum_writes, save_snapshot, start, Faults, Rng,
    SimState, ACCOUNT, READ_ONLY_TOKEN, TOKEN,
};
use trackvault::app::backup::{backup_with, BackupOptions, PipelineOptions};
use trackvault::app::restore::{run_restore, RestoreOptions, RestoreSummary};
use trackvault::archive::Archive;
use trackvault::enrich::musicbrainz::MusicBrainz;
use trackvault::http::{network_client, RetryPolicy, Transport};
use trackvault::model::Library;
use trackvault::progress::hidden;
use trackvault::restore::journal::{journal_path, Journal};
use trackvault::restore::{plan, PlanOptions, RestoreError};
use trackvault::spotify::auth::TokenProvider;
use trackvault::spotify::SpotifyClient;
use wiremock::MockServer;

fn client(server: &MockServer, token: &str) -> SpotifyClient {
    SpotifyClient::with_transport(
        Transport::Network(network_client("trackvault-test", Duration::from_secs(10)).unwrap()),
        url::Url::parse(&api_url(server)).unwrap(),
        TokenProvider::from_static(token.to_string()),
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

/// No look-and-retry inside a run: a lost answer ends the run, like a killed process.
fn dies_on_first_doubt() -> RestoreOptions {
    RestoreOptions {
        uncertain_retries: 0,
        uncertain_wait: Duration::ZERO,
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    archive: Archive,
    snapshot: String,
    library: Library,
}

fn fixture(library: Library) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path().join("archive")).unwrap();
    let snapshot = save_snapshot(&archive, &library);
    Fixture {
        _dir: dir,
        archive,
        snapshot,
        library,
    }
}

async fn restore(
    f: &Fixture,
    server: &MockServer,
    opts: &RestoreOptions,
) -> Result<RestoreSummary, RestoreError> {
    let plan = plan(&f.library, &f.snapshot, &PlanOptions::default()).unwrap();
    run_restore(&f.archive, &client(server, TOKEN), &plan, opts, &hidden()).await
}

async fn demo_fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path().join("archive")).unwrap();
    let opts = PipelineOptions {
        fetch: BackupOptions {
            full: false,
            stop_on_ctrl_c: false,
        },
        enrich: false,
        export: false,
    };
    let report = backup_with(
        &archive,
        &SpotifyClient::demo(),
        &MusicBrainz::demo(),
        &opts,
        hidden(),
        &mut std::io::sink(),
    )
    .await
    .unwrap();
    let library = archive.read_library(&report.snapshot_id).unwrap();
    Fixture {
        _dir: dir,
        archive,
        snapshot: report.snapshot_id,
        library,
    }
}

#[tokio::test]
async fn the_demo_library_is_restored_exactly_and_a_second_run_writes_nothing() {
    let f = demo_fixture().await;
    assert!(
        !f.library.playlists.is_empty() && !f.library.liked_tracks.is_empty(),
        "the demo has playlists and liked songs"
    );
    let (server, sim) = start().await;
    let summary = restore(&f, &server, &RestoreOptions::default())
        .await
        .unwrap();
    assert_restored(&sim.snapshot(), &f.library, 0);
    assert_eq!(summary.write_requests(), minimum_writes(&f.library));
    assert_eq!(summary.account, ACCOUNT);
    let text = summary.render();
    assert!(text.contains("playlists created:"), "{text}");

    let writes = sim.writes_received();
    let again = restore(&f, &server, &RestoreOptions::default())
        .await
        .unwrap();
    assert_eq!(
        sim.writes_received(),
        writes,
        "a finished restore sends no write"
    );
    assert_eq!(again.write_requests(), 0);
    assert!(again.already_done);
    assert!(again.render().contains("nothing was written"));
    assert_restored(&sim.snapshot(), &f.library, 0);
}

#[tokio::test]
async fn ten_thousand_entries_restore_exactly_with_the_minimum_of_writes() {
    let f = fixture(generated(10_000));
    assert!(f.library.entry_count() >= 10_000);
    let (server, sim) = start().await;
    let summary = restore(&f, &server, &RestoreOptions::default())
        .await
        .unwrap();
    assert_restored(&sim.snapshot(), &f.library, 0);
    let minimum = minimum_writes(&f.library);
    assert_eq!(summary.write_requests(), minimum);
    assert_eq!(sim.writes_received() as u64, minimum);
    // Only /me is read on a clean run.
    assert_eq!(
        summary.requests.total(),
        minimum + 1,
        "{:?}",
        summary.requests
    );
    assert!(
        !summary.skipped.is_empty(),
        "local and unavailable rows are listed"
    );
}

/// Runs restores until one finishes, crashing the simulated account at `kills` seeded random
/// write numbers (applied or not); returns the number of runs.
async fn restore_through_kills(
    f: &Fixture,
    server: &MockServer,
    sim: &SimState,
    seed: u64,
    kills: usize,
) -> usize {
    let mut rng = Rng(seed);
    let mut runs = 0;
    loop {
        runs += 1;
        sim.revive();
        if runs <= kills {
            let at = sim.writes_received() + 1 + rng.below(40);
            sim.set_faults(Faults {
                crash_at_write: Some((at, rng.below(2) == 0)),
                ..Faults::default()
            });
        }
        match restore(f, server, &dies_on_first_doubt()).await {
            Ok(_) => return runs,
            Err(RestoreError::Spotify(_)) if runs <= kills => continue,
            Err(other) => panic!("run {runs}: {other}"),
        }
    }
}

#[tokio::test]
async fn killed_at_random_points_and_resumed_the_result_is_identical() {
    let f = fixture(generated(10_000));
    let minimum = minimum_writes(&f.library);
    for seed in [7u64, 1234, 987_654_321] {
        let (server, sim) = start().await;
        let kills = 12;
        let runs = restore_through_kills(&f, &server, &sim, seed, kills).await;
        // A kill point past the last write lets that run finish early.
        assert!(runs >= 6, "seed {seed}: only {runs} runs");
        assert_restored(&sim.snapshot(), &f.library, 0);
        // Each crash can waste at most the one write it interrupted.
        let writes = sim.writes_received() as u64;
        assert!(
            writes <= minimum + kills as u64,
            "seed {seed}: {writes} writes for a minimum of {minimum}"
        );
        // The journal of another snapshot/account is untouched; this one is per account.
        let path = journal_path(f.archive.root(), ACCOUNT, &f.snapshot);
        assert!(path.is_file(), "{}", path.display());
        drop(server);
        // A fresh journal starts over per account: reset for the next seed.
        std::fs::remove_file(&path).unwrap();
    }
}

#[tokio::test]
async fn lost_answers_are_checked_before_writing_again_within_one_run() {
    let f = fixture(generated(1_500));
    let (server, sim) = start().await;
    // Write 1 creates the first playlist; 2 and 3 add to it; later ones are in the middle.
    sim.set_faults(Faults {
        lose_answer_of: [1, 3, 8, 9, 20].into_iter().collect(),
        ..Faults::default()
    });
    let opts = RestoreOptions {
        uncertain_retries: 3,
        uncertain_wait: Duration::ZERO,
    };
    let summary = restore(&f, &server, &opts).await.unwrap();
    assert_restored(&sim.snapshot(), &f.library, 0);
    let log = sim.log.lock().unwrap().clone();
    assert!(
        log.iter().any(|l| l == "GET /v1/me/playlists"),
        "looked for the lost playlist"
    );
    assert!(
        log.iter().any(|l| l.starts_with("GET /v1/playlists/")),
        "read the playlist back"
    );
    // Lost answers 1–9 are creates and adds, found or read back instead of being repeated;
    // 20 is a library save, which is harmless to repeat and repeated once.
    let playlist_writes: usize = want_playlist_writes(&f.library);
    assert!(
        playlist_writes > 9 && playlist_writes < 20,
        "{playlist_writes}"
    );
    assert_eq!(sim.writes_received() as u64, minimum_writes(&f.library) + 1);
    assert!(summary.requests.total() > summary.write_requests());
}

fn want_playlist_writes(library: &Library) -> usize {
    let want = restore_support::expected(library);
    want.playlists.len()
        + want
            .playlists
            .iter()
            .map(|(_, u)| u.len().div_ceil(100))
            .sum::<usize>()
}

#[tokio::test]
async fn a_same_named_playlist_already_in_the_account_is_left_alone() {
    let f = fixture(generated(1_500));
    let (server, sim) = start().await;
    // The account already has a "Same name" playlist, like the snapshot's second one.
    sim.add_existing("Same name", "my own", &["spotify:track:track00000001"]);
    let before = sim.snapshot().playlists[0].clone();
    // Crash right at the create of the snapshot's "Same name" playlist (index 2, after "Mix…"
    // with its adds and "Empty one"), first unapplied, then applied: the restore must neither
    // adopt the user's playlist nor create a second copy.
    let want = restore_support::expected(&f.library);
    assert_eq!(want.playlists[2].0, "Same name");
    let create_same_name = 1 + want.playlists[0].1.len().div_ceil(100) + 1 + 1;
    sim.set_faults(Faults {
        crash_at_write: Some((create_same_name, false)),
        ..Faults::default()
    });
    assert!(restore(&f, &server, &dies_on_first_doubt()).await.is_err());
    assert_eq!(
        sim.snapshot().playlists.len(),
        3,
        "crashed before creating it"
    );
    sim.revive();
    sim.set_faults(Faults {
        crash_at_write: Some((sim.writes_received() + 1, true)),
        ..Faults::default()
    });
    assert!(restore(&f, &server, &dies_on_first_doubt()).await.is_err());
    assert_eq!(sim.snapshot().playlists.len(), 4, "created, answer lost");
    sim.revive();
    restore(&f, &server, &dies_on_first_doubt()).await.unwrap();
    let state = sim.snapshot();
    assert_eq!(
        state.playlists[0], before,
        "the user's own playlist is untouched"
    );
    assert_restored(&state, &f.library, 1);
}

#[tokio::test]
async fn a_quota_stop_pauses_and_a_later_run_finishes() {
    let f = fixture(generated(2_000));
    let (server, sim) = start().await;
    sim.set_faults(Faults {
        quota_after_writes: Some(9),
        quota_retry_after: Some(3600),
        ..Faults::default()
    });
    let err = restore(&f, &server, &RestoreOptions::default())
        .await
        .unwrap_err();
    assert!(err.is_pause(), "{err}");
    assert!(
        err.to_string()
            .contains("run `trackvault restore` again after"),
        "{err}"
    );
    assert_eq!(sim.applied.load(std::sync::atomic::Ordering::SeqCst), 9);
    // The quota is back, but the journal remembers Spotify's deadline (an hour): a rerun
    // before it refuses without writing.
    sim.revive();
    let writes = sim.writes_received();
    let err = restore(&f, &server, &RestoreOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("still waiting"), "{err}");
    assert_eq!(sim.writes_received(), writes);
    // After the deadline (rewritten here to the past) the rerun finishes.
    let path = journal_path(f.archive.root(), ACCOUNT, &f.snapshot);
    let text = std::fs::read_to_string(&path).unwrap();
    let past = text
        .lines()
        .map(|l| {
            if l.contains("\"event\":\"paused\"") {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let until = v["until"].as_str().unwrap().to_string();
                l.replace(&until, "2020-01-01T00:00:00Z")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&path, past + "\n").unwrap();
    restore(&f, &server, &RestoreOptions::default())
        .await
        .unwrap();
    assert_restored(&sim.snapshot(), &f.library, 0);
    assert_eq!(sim.writes_received() as u64, minimum_writes(&f.library));
}

#[tokio::test]
async fn a_read_only_token_is_told_to_log_in_with_write() {
    let f = fixture(generated(300));
    let (server, sim) = start().await;
    let plan = plan(&f.library, &f.snapshot, &PlanOptions::default()).unwrap();
    let err = run_restore(
        &f.archive,
        &client(&server, READ_ONLY_TOKEN),
        &plan,
        &RestoreOptions::default(),
        &hidden(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, RestoreError::MissingWriteScope), "{err}");
    assert!(err.to_string().contains("trackvault login --write"));
    assert!(err.is_usage());
    assert!(sim.snapshot().playlists.is_empty());
}

#[tokio::test]
async fn a_playlist_edited_while_interrupted_is_reported_not_garbled() {
    let f = fixture(generated(1_500));
    let (server, sim) = start().await;
    // Write 3 is the second add to the first playlist: applied, then the run dies.
    sim.set_faults(Faults {
        crash_at_write: Some((3, true)),
        ..Faults::default()
    });
    assert!(restore(&f, &server, &dies_on_first_doubt()).await.is_err());
    sim.revive();
    sim.account.lock().unwrap().playlists[0]
        .items
        .push("spotify:track:someoneelse1".into());
    let err = restore(&f, &server, &dies_on_first_doubt())
        .await
        .unwrap_err();
    assert!(matches!(err, RestoreError::PlaylistChanged { .. }), "{err}");
    assert!(err.to_string().contains("delete that playlist"), "{err}");
}

#[tokio::test]
async fn the_journal_is_per_account_and_snapshot() {
    let f = fixture(generated(300));
    let (server, _sim) = start().await;
    restore(&f, &server, &RestoreOptions::default())
        .await
        .unwrap();
    let path = journal_path(f.archive.root(), ACCOUNT, &f.snapshot);
    let journal = Journal::open(&path).unwrap();
    let plan = plan(&f.library, &f.snapshot, &PlanOptions::default()).unwrap();
    assert_eq!(journal.created.len(), plan.playlists.len());
    assert_eq!(journal.saved.len(), plan.library.len());
    assert!(journal.creating.is_empty() && journal.adding.is_empty());
    // Another account gets its own journal: restoring there starts from scratch.
    assert_ne!(journal_path(f.archive.root(), "other", &f.snapshot), path);
}

#[tokio::test]
async fn an_unreadable_answer_to_a_create_stops_with_a_rerun_hint_and_the_rerun_finds_it() {
    let f = fixture(generated(600));
    let (server, sim) = start().await;
    sim.set_faults(Faults {
        garble_answer_of: [1].into_iter().collect(),
        ..Faults::default()
    });
    let err = restore(&f, &server, &RestoreOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RestoreError::Malformed { .. }), "{err}");
    assert!(
        err.to_string().contains("run `trackvault restore` again"),
        "{err}"
    );
    assert_eq!(sim.snapshot().playlists.len(), 1, "the create was applied");
    sim.revive();
    restore(&f, &server, &RestoreOptions::default())
        .await
        .unwrap();
    assert_restored(&sim.snapshot(), &f.library, 0);
}
