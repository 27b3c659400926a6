//! `trackvault restore` as a user runs it, against the stateful Spotify simulation: the demo
//! archive restored and a second run writing nothing, `--dry-run` sending nothing, exit 2 for a
//! read-only or missing login and bad choices, exit 75 on a quota stop then a resuming rerun,
//! and the process killed (SIGKILL) while a write is in flight at seeded points, then resumed to
//! the identical result.

mod restore_support;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use restore_support::{
    api_url, assert_restored, generated, minimum_writes, save_snapshot, start, Faults, Rng, TOKEN,
};
use trackvault::archive::Archive;
use trackvault::model::Library;
use trackvault::spotify::auth::{save_token, Secret, StoredToken, SCOPES, WRITE_SCOPES};

fn trackvault(archive: &Path, config: &Path, api: &str) -> Command {
    let mut cmd = Command::cargo_bin("trackvault").unwrap();
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", archive)
        .env("TRACKVAULT_CONFIG_DIR", config)
        .env("TRACKVAULT_SPOTIFY_API_URL", api)
        .env("TRACKVAULT_SPOTIFY_ACCOUNTS_URL", "http://127.0.0.1:9")
        .env("TRACKVAULT_SPOTIFY_INTERVAL_MS", "0");
    cmd
}

fn restore_cmd(archive: &Path, config: &Path, api: &str, args: &[&str]) -> Command {
    let mut cmd = trackvault(archive, config, api);
    cmd.env("TRACKVAULT_ACCESS_TOKEN", TOKEN)
        .arg("restore")
        .args(args);
    cmd
}

async fn run(mut cmd: Command) -> assert_cmd::assert::Assert {
    tokio::task::spawn_blocking(move || cmd.assert())
        .await
        .unwrap()
}

/// An archive holding `library` as its latest snapshot.
fn archive_with(dir: &Path, library: &Library) -> PathBuf {
    let root = dir.join("archive");
    save_snapshot(&Archive::open(&root).unwrap(), library);
    root
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_archive_is_restored_and_a_second_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let mut demo = Command::cargo_bin("trackvault").unwrap();
    demo.env_clear().args(["demo", "--out"]).arg(&out);
    run(demo).await.success();
    let root = out.join("spotify-archive");
    let archive = Archive::open(&root).unwrap();
    let library = archive
        .read_library(&archive.resolve(None).unwrap())
        .unwrap();

    let (server, sim) = start().await;
    let config = dir.path().join("config");
    run(restore_cmd(&root, &config, &api_url(&server), &[]))
        .await
        .success()
        .stdout(predicate::str::contains("playlists created:"))
        .stdout(predicate::str::contains("skipped rows:"))
        .stdout(predicate::str::contains(format!(
            "writes; a fresh restore of this plan needs at least {}",
            minimum_writes(&library)
        )));
    assert_restored(&sim.snapshot(), &library, 0);
    let writes = sim.writes_received();
    run(restore_cmd(&root, &config, &api_url(&server), &[]))
        .await
        .success()
        .stdout(predicate::str::contains("nothing was written"));
    assert_eq!(sim.writes_received(), writes);
    assert_restored(&sim.snapshot(), &library, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_prints_the_plan_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let library = generated(10_000);
    let root = archive_with(dir.path(), &library);
    let (server, sim) = start().await;
    run(restore_cmd(
        &root,
        &dir.path().join("config"),
        &api_url(&server),
        &["--dry-run"],
    ))
    .await
    .success()
    .stdout(predicate::str::contains(format!(
        "write requests: {}",
        minimum_writes(&library)
    )))
    .stdout(predicate::str::contains("local file"))
    .stdout(predicate::str::contains("Dry run: nothing was sent"));
    assert_eq!(sim.requests(), 0);
}

fn saved_login(config: &Path, scopes: &[&str]) {
    let now = chrono::Utc::now();
    save_token(
        config,
        &StoredToken {
            client_id: "client".into(),
            access_token: Secret::new(TOKEN),
            refresh_token: Secret::new("refresh"),
            expires_at: now + chrono::TimeDelta::hours(1),
            scope: scopes.join(" "),
            authorized_at: now,
        },
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_or_missing_login_exits_2_saying_login_write() {
    let dir = tempfile::tempdir().unwrap();
    let root = archive_with(dir.path(), &generated(300));
    let (server, sim) = start().await;
    let config = dir.path().join("config");
    for setup in ["none", "read-only"] {
        if setup == "read-only" {
            saved_login(&config, SCOPES);
        }
        let mut cmd = trackvault(&root, &config, &api_url(&server));
        cmd.arg("restore");
        run(cmd)
            .await
            .code(2)
            .stderr(predicate::str::contains("trackvault login --write"));
    }
    assert_eq!(
        sim.requests(),
        0,
        "nothing is sent without write permission"
    );
    // With the write scopes saved, the same login restores.
    let all: Vec<&str> = SCOPES.iter().chain(WRITE_SCOPES).copied().collect();
    saved_login(&config, &all);
    let mut cmd = trackvault(&root, &config, &api_url(&server));
    cmd.arg("restore");
    run(cmd).await.success();
    assert!(!sim.snapshot().playlists.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_choices_exit_2_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let root = archive_with(dir.path(), &generated(300));
    let (server, sim) = start().await;
    let config = dir.path().join("config");
    run(restore_cmd(
        &root,
        &config,
        &api_url(&server),
        &["--only", "liked,likes"],
    ))
    .await
    .code(2)
    .stderr(predicate::str::contains("`likes` is not a part"));
    run(restore_cmd(
        &root,
        &config,
        &api_url(&server),
        &["--playlist", "No such list"],
    ))
    .await
    .code(2)
    .stderr(predicate::str::contains(
        "no playlist named \"No such list\"",
    ));
    assert_eq!(sim.requests(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn playlist_and_only_restrict_what_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let library = generated(3_000);
    let root = archive_with(dir.path(), &library);
    let (server, sim) = start().await;
    let config = dir.path().join("config");
    run(restore_cmd(
        &root,
        &config,
        &api_url(&server),
        &["--playlist", "Same name"],
    ))
    .await
    .success();
    let state = sim.snapshot();
    let same = library
        .playlists
        .iter()
        .filter(|p| p.name == "Same name")
        .count();
    assert!(same >= 2);
    assert_eq!(state.playlists.len(), same);
    assert!(state.playlists.iter().all(|p| p.name == "Same name"));
    assert!(
        state.library.is_empty(),
        "--playlist alone restores playlists only"
    );
    run(restore_cmd(
        &root,
        &config,
        &api_url(&server),
        &["--only", "artists,albums"],
    ))
    .await
    .success();
    let state = sim.snapshot();
    assert_eq!(
        state.library.len(),
        library.followed_artists.len() + library.saved_albums.len()
    );
    assert!(state
        .library
        .iter()
        .all(|u| u.starts_with("spotify:artist:") || u.starts_with("spotify:album:")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quota_stop_exits_75_and_the_rerun_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let library = generated(3_000);
    let root = archive_with(dir.path(), &library);
    let (server, sim) = start().await;
    let config = dir.path().join("config");
    sim.set_faults(Faults {
        quota_after_writes: Some(17),
        ..Faults::default()
    });
    run(restore_cmd(&root, &config, &api_url(&server), &[]))
        .await
        .code(75)
        .stderr(predicate::str::contains("quota"))
        .stderr(predicate::str::contains(
            "run `trackvault restore` again after",
        ));
    assert_eq!(sim.applied.load(Ordering::SeqCst), 17);
    sim.revive();
    run(restore_cmd(&root, &config, &api_url(&server), &[]))
        .await
        .success();
    assert_restored(&sim.snapshot(), &library, 0);
    assert_eq!(sim.writes_received() as u64, minimum_writes(&library));
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_while_a_write_is_in_flight_then_resumed_gives_the_identical_result() {
    let dir = tempfile::tempdir().unwrap();
    let library = generated(3_000);
    let root = archive_with(dir.path(), &library);
    let (server, sim) = start().await;
    let config = dir.path().join("config");
    let minimum = minimum_writes(&library) as usize;
    let mut rng = Rng(20_261_206);
    let kills = 4;
    for _ in 0..kills {
        // Hold the answer to a write the simulator has already applied, kill the process
        // while it waits: the journal has the intent but not the result.
        let at = sim.writes_received() + 1 + rng.below(minimum / kills);
        sim.set_faults(Faults {
            hold_write: Some((at, Duration::from_secs(30))),
            ..Faults::default()
        });
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("trackvault"))
            .env_clear()
            .env("TRACKVAULT_ARCHIVE", &root)
            .env("TRACKVAULT_CONFIG_DIR", &config)
            .env("TRACKVAULT_SPOTIFY_API_URL", api_url(&server))
            .env("TRACKVAULT_SPOTIFY_INTERVAL_MS", "0")
            .env("TRACKVAULT_ACCESS_TOKEN", TOKEN)
            .arg("restore")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while sim.writes_received() < at {
            assert!(
                std::time::Instant::now() < deadline,
                "the restore never reached write {at}"
            );
            assert!(
                child.try_wait().unwrap().is_none(),
                "the restore ended before write {at}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        sim.revive();
    }
    run(restore_cmd(&root, &config, &api_url(&server), &[]))
        .await
        .success();
    assert_restored(&sim.snapshot(), &library, 0);
    // A killed create or add had been applied and is found, not repeated; only a killed
    // library save (harmless to repeat) is sent again.
    assert!(
        sim.writes_received() <= minimum + kills,
        "{} writes",
        sim.writes_received()
    );
}

/// A restore writes its journal into the archive: it takes the archive lock like every command
/// that changes the archive, and a refused restore sends nothing (`--dry-run` only reads).
#[tokio::test(flavor = "multi_thread")]
async fn a_restore_while_another_command_holds_the_archive_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let library = generated(300);
    let root = archive_with(dir.path(), &library);
    let (server, sim) = start().await;
    let config = dir.path().join("config");
    let held = Archive::open(&root).unwrap().lock("prune").unwrap();
    run(restore_cmd(&root, &config, &api_url(&server), &[]))
        .await
        .code(1)
        .stderr(predicate::str::contains("in use by `trackvault prune`"));
    assert_eq!(sim.requests(), 0);
    run(restore_cmd(
        &root,
        &config,
        &api_url(&server),
        &["--dry-run"],
    ))
    .await
    .success();
    drop(held);
    run(restore_cmd(&root, &config, &api_url(&server), &[]))
        .await
        .success();
    assert_restored(&sim.snapshot(), &library, 0);
}
