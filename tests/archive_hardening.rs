//! Issue 10, archive items: a `latest` that points outside the archive (4), a draft whose
//! page objects vanished (10), the archive-wide lock (11), the journal surviving a failed
//! save and repair of interrupted exports (12), integrity records and damaged snapshots (13).
//! Every test runs the real binary against a simulated Spotify (tests/support).

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::json;
use support::{run_cli as run, start, trackvault_cli as trackvault, LibrarySpec, TOKEN};
use trackvault::archive::Archive;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn backup(dir: &Path, api: &str, export: bool) -> Command {
    let mut cmd = trackvault(dir, api);
    cmd.env("TRACKVAULT_ACCESS_TOKEN", TOKEN)
        .args(["backup", "--no-enrich"]);
    if !export {
        cmd.arg("--no-export");
    }
    cmd
}

fn cli(dir: &Path, api: &str, args: &[&str]) -> Command {
    let mut cmd = trackvault(dir, api);
    cmd.args(args);
    cmd
}

fn archive(dir: &Path) -> Archive {
    Archive::open(dir.join("archive")).unwrap()
}

/// A quota stop on `/me/episodes`: the first backup pauses with a draft and its journal.
async fn pause_once_on_episodes(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/v1/me/episodes"))
        .respond_with(ResponseTemplate::new(429).set_body_json(
            json!({"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}),
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
}

fn only_draft(dir: &Path) -> PathBuf {
    let drafts = archive(dir).drafts().unwrap();
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    drafts[0].dir().to_path_buf()
}

// ---- item 4 -------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_latest_pointing_outside_the_archive_is_never_followed_and_verify_reports_it() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let api = server.uri();
    run(backup(dir.path(), &api, false)).await.success();
    let real = archive(dir.path()).latest().unwrap().unwrap();
    let real_dir = archive(dir.path()).snapshot_dir(&real);

    // A decoy snapshot outside the archive that `latest` tries to point at.
    let outside = tempfile::tempdir().unwrap();
    for name in ["manifest.json", "library.json"] {
        std::fs::copy(real_dir.join(name), outside.path().join(name)).unwrap();
    }
    let escape = dir.path().join("escape");
    std::fs::create_dir_all(escape.join("x/y")).unwrap();
    for name in ["manifest.json", "library.json"] {
        std::fs::copy(real_dir.join(name), escape.join(name)).unwrap();
    }
    // `<root>/snapshots/../..` is `dir/`; `escape/x/y/../..` again `escape/`.
    for pointer in [
        outside.path().display().to_string(),
        "../../escape".to_string(),
        "..".to_string(),
        "2026-01-01T00-00-00Z/../../../escape".to_string(),
    ] {
        std::fs::write(dir.path().join("archive/latest"), format!("{pointer}\n")).unwrap();
        let exported = run(cli(dir.path(), &api, &["export", "--format", "txt"]))
            .await
            .success();
        let out = String::from_utf8_lossy(&exported.get_output().stdout).to_string();
        let err = String::from_utf8_lossy(&exported.get_output().stderr).to_string();
        assert!(out.contains(&real), "exported the real snapshot: {out}");
        assert!(err.contains("`latest` file is damaged"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
        assert!(!outside.path().join("exports").exists(), "{pointer}");
        assert!(!escape.join("exports").exists(), "{pointer}");
        assert!(!dir.path().join("exports").exists(), "{pointer}");
        assert!(!dir.path().join("archive/exports").exists(), "{pointer}");

        run(cli(dir.path(), &api, &["verify", "--all"]))
            .await
            .code(1)
            .stdout(predicate::str::contains("latest: DAMAGED"))
            .stderr(predicate::str::contains("not a snapshot id"));
    }
    // A SNAPSHOT argument gets the same check.
    for bad in ["../..", "/etc", "..\\..", "2026-01-01T00-00-00Z/../x"] {
        run(cli(dir.path(), &api, &["export", bad, "--format", "txt"]))
            .await
            .code(2)
            .stderr(predicate::str::contains("is not a snapshot id"));
    }
    // The next backup repairs `latest`.
    run(backup(dir.path(), &api, false)).await.success();
    run(cli(dir.path(), &api, &["verify", "--all"]))
        .await
        .success();
}

// ---- item 10 ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_page_object_missing_from_a_draft_is_fetched_again_and_verify_reports_the_draft() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    pause_once_on_episodes(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let api = server.uri();
    run(backup(dir.path(), &api, false)).await.code(75);

    // Lose one page the draft's journal relies on (a prune beside the backup, say).
    let draft = only_draft(dir.path());
    let journal = std::fs::read_to_string(draft.join("checkpoint.jsonl")).unwrap();
    let page = journal
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["event"] == "page" && e["key"] == "liked_tracks")
        .map(|e| e["page"].as_str().unwrap().to_string())
        .expect("a liked-songs page in the journal");
    let a = archive(dir.path());
    std::fs::remove_file(a.objects().path(&page)).unwrap();

    run(cli(dir.path(), &api, &["verify", "--all"]))
        .await
        .code(1)
        .stdout(predicate::str::contains("unfinished backup"))
        .stderr(predicate::str::contains(format!("stored page {page}")));

    run(backup(dir.path(), &api, false))
        .await
        .success()
        .stdout(predicate::str::contains("(resumed)"));
    assert!(
        a.objects().contains(&page),
        "the lost page was fetched again"
    );
    run(cli(dir.path(), &api, &["verify", "--all"]))
        .await
        .success();
    // And a --full backup afterwards works as well.
    let mut full = backup(dir.path(), &api, false);
    full.arg("--full");
    run(full).await.success();
}

// ---- item 11 ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn commands_that_change_the_archive_refuse_while_it_is_locked_and_name_the_holder() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let api = server.uri();
    run(backup(dir.path(), &api, false)).await.success();

    let held = archive(dir.path()).lock("backup").unwrap();
    let holder = format!("in use by `trackvault backup` (pid {}", std::process::id());
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/data-download/account-2025");
    let mut import = cli(dir.path(), &api, &["import"]);
    import.arg(&fixture);
    let mut changing = vec![
        backup(dir.path(), &api, false),
        cli(
            dir.path(),
            &api,
            &["prune", "--keep-daily", "1", "--keep-monthly", "0"],
        ),
        cli(dir.path(), &api, &["export", "--format", "txt"]),
        import,
    ];
    let mut enrich = cli(dir.path(), &api, &["enrich"]);
    enrich.env("TRACKVAULT_MUSICBRAINZ_URL", format!("{api}/ws/2"));
    changing.push(enrich);
    for cmd in changing {
        run(cmd)
            .await
            .code(1)
            .stderr(predicate::str::contains(holder.as_str()))
            .stderr(predicate::str::contains("wait for it or stop it"));
    }
    // Read-only commands do not need the lock.
    for args in [
        &["verify"][..],
        &["snapshots"][..],
        &[
            "prune",
            "--keep-daily",
            "1",
            "--keep-monthly",
            "0",
            "--dry-run",
        ][..],
    ] {
        run(cli(dir.path(), &api, args)).await.success();
    }
    let elsewhere = dir.path().join("elsewhere");
    let mut export_out = cli(dir.path(), &api, &["export", "--format", "txt", "--out"]);
    export_out.arg(&elsewhere);
    run(export_out).await.success();

    drop(held);
    run(backup(dir.path(), &api, false)).await.success();
}

#[tokio::test(flavor = "multi_thread")]
async fn of_two_simultaneous_backups_exactly_one_runs() {
    let (server, _) = start(LibrarySpec::small(), Duration::from_millis(20)).await;
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("trackvault");
    let spawn = || {
        std::process::Command::new(&bin)
            .env_clear()
            .env("TRACKVAULT_ARCHIVE", dir.path().join("archive"))
            .env("TRACKVAULT_CONFIG_DIR", dir.path().join("config"))
            .env("TRACKVAULT_SPOTIFY_API_URL", format!("{}/v1", server.uri()))
            .env("TRACKVAULT_SPOTIFY_INTERVAL_MS", "0")
            .env("TRACKVAULT_ACCESS_TOKEN", TOKEN)
            .args(["backup", "--no-enrich", "--no-export"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let outputs = tokio::task::spawn_blocking(move || {
        [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()]
    })
    .await
    .unwrap();
    let ok = outputs.iter().filter(|o| o.status.success()).count();
    let refused: Vec<String> = outputs
        .iter()
        .filter(|o| !o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stderr).to_string())
        .collect();
    assert_eq!(ok, 1, "{refused:?}");
    assert!(
        refused[0].contains("in use by `trackvault backup` (pid "),
        "{refused:?}"
    );
    assert_eq!(archive(dir.path()).snapshots().unwrap().len(), 1);
}

// ---- item 12 ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_save_keeps_the_journal_so_the_next_backup_resumes() {
    let (server, state) = start(LibrarySpec::small(), Duration::ZERO).await;
    pause_once_on_episodes(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let api = server.uri();
    run(backup(dir.path(), &api, false)).await.code(75);
    let draft = only_draft(dir.path());

    // Saving the snapshot fails (as on a full disk): library.json cannot be written.
    std::fs::create_dir_all(draft.join("library.json/blocker")).unwrap();
    run(backup(dir.path(), &api, false)).await.code(1);
    assert!(
        draft.join("checkpoint.jsonl").is_file(),
        "the journal must survive a failed save"
    );
    std::fs::remove_dir_all(draft.join("library.json")).unwrap();

    let before = state.requests.load(std::sync::atomic::Ordering::SeqCst);
    run(backup(dir.path(), &api, false))
        .await
        .success()
        .stdout(predicate::str::contains("(resumed)"));
    let after = state.requests.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(after, before, "everything was fetched already: no request");
    let a = archive(dir.path());
    let id = a.latest().unwrap().unwrap();
    assert!(!a.snapshot_dir(&id).join("checkpoint.jsonl").exists());
    run(cli(dir.path(), &api, &["verify", "--all"]))
        .await
        .success();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_next_backup_repairs_an_export_that_was_interrupted() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let api = server.uri();
    run(backup(dir.path(), &api, true)).await.success();
    let a = archive(dir.path());
    let first = a.latest().unwrap().unwrap();
    let exports = a.exports_dir(&first);
    let json_files = std::fs::read_dir(exports.join("json")).unwrap().count();
    // A kill between the two renames of a commit, plus staging folders of a kill mid-write.
    std::fs::rename(
        exports.join("json"),
        exports.join(".json.old.partial-replaced"),
    )
    .unwrap();
    std::fs::create_dir_all(exports.join(".json.partial-0a1b2c/x")).unwrap();
    std::fs::create_dir_all(exports.join(".xspf.partial-3d4e5f")).unwrap();
    std::fs::write(exports.join(".xspf.partial-3d4e5f/half.xspf"), "<playlist").unwrap();

    run(backup(dir.path(), &api, true)).await.success();
    assert_eq!(
        std::fs::read_dir(exports.join("json")).unwrap().count(),
        json_files,
        "the previous export is back"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

// ---- item 13 ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn verify_catches_an_edited_library_and_a_swapped_manifest() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let api = server.uri();
    run(backup(dir.path(), &api, false)).await.success();
    let a = archive(dir.path());
    let id = a.latest().unwrap().unwrap();
    let library = a.snapshot_dir(&id).join("library.json");
    let original = std::fs::read_to_string(&library).unwrap();
    assert!(original.contains("Today's Top Hits"));
    std::fs::write(
        &library,
        original.replace("Today's Top Hits", "Today's Top Hitz"),
    )
    .unwrap();
    run(cli(dir.path(), &api, &["verify"]))
        .await
        .code(1)
        .stderr(predicate::str::contains("library.json was changed"));
    std::fs::write(&library, &original).unwrap();
    run(cli(dir.path(), &api, &["verify"])).await.success();

    let manifest = a.snapshot_dir(&id).join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replacen("\"received\": 123", "\"received\": 124", 1),
    )
    .unwrap();
    run(cli(dir.path(), &api, &["verify"]))
        .await
        .code(1)
        .stderr(predicate::str::contains("manifest.json was changed"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_without_an_integrity_record_verifies_as_before_with_a_note() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let api = server.uri();
    run(backup(dir.path(), &api, false)).await.success();
    let a = archive(dir.path());
    let id = a.latest().unwrap().unwrap();
    std::fs::remove_file(a.snapshot_dir(&id).join("snapshot.sha256")).unwrap();
    run(cli(dir.path(), &api, &["verify"]))
        .await
        .success()
        .stdout(predicate::str::contains("OK"))
        .stdout(predicate::str::contains("cannot be checked"));
}

#[tokio::test(flavor = "multi_thread")]
async fn one_damaged_manifest_is_reported_and_never_hides_or_blocks_the_others() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let api = server.uri();
    let mut ids = Vec::new();
    for _ in 0..3 {
        run(backup(dir.path(), &api, false)).await.success();
        ids.push(archive(dir.path()).latest().unwrap().unwrap());
        // Snapshot ids have one-second resolution.
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    let a = archive(dir.path());
    std::fs::remove_file(a.snapshot_dir(&ids[0]).join("manifest.json")).unwrap();
    std::fs::write(a.snapshot_dir(&ids[1]).join("manifest.json"), "{garbage").unwrap();

    run(cli(dir.path(), &api, &["verify", "--all"]))
        .await
        .code(1)
        .stdout(predicate::str::contains(format!("{}: DAMAGED", ids[0])))
        .stdout(predicate::str::contains(format!("{}: DAMAGED", ids[1])))
        .stdout(predicate::str::contains(format!("{}: OK", ids[2])))
        .stderr(predicate::str::contains("manifest.json is missing"))
        .stderr(predicate::str::contains("manifest.json is damaged"));
    run(cli(dir.path(), &api, &["verify", ids[0].as_str()]))
        .await
        .code(1)
        .stdout(predicate::str::contains(format!("{}: DAMAGED", ids[0])));
    run(cli(dir.path(), &api, &["snapshots"]))
        .await
        .success()
        .stdout(predicate::str::contains(format!("{} ", ids[2])))
        .stdout(predicate::str::contains(
            "DAMAGED: manifest.json is missing",
        ))
        .stdout(predicate::str::contains(
            "DAMAGED: manifest.json is damaged",
        ));
    run(cli(
        dir.path(),
        &api,
        &["prune", "--keep-daily", "1", "--keep-monthly", "0"],
    ))
    .await
    .success();
    // The damaged snapshots are left for the user; the good one still verifies.
    assert!(a.snapshot_dir(&ids[0]).is_dir() && a.snapshot_dir(&ids[1]).is_dir());
    run(cli(dir.path(), &api, &["verify", ids[2].as_str()]))
        .await
        .success();
}
