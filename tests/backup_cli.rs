//! `trackvault backup` as a user runs it: exit codes, messages, pause (75) and resume,
//! login problems, and `snapshots`/`verify` on the result.

mod support;

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::json;
use support::{run_cli as run, start, trackvault_cli as trackvault, LibrarySpec, TOKEN};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn backup(dir: &Path, api: &str) -> Command {
    let mut cmd = trackvault(dir, api);
    cmd.env("TRACKVAULT_ACCESS_TOKEN", TOKEN)
        .args(["backup", "--no-enrich", "--no-export"]);
    cmd
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_then_snapshots_and_verify_work_and_a_quiet_pipe_gets_a_summary() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    run(backup(dir.path(), &server.uri()))
        .await
        .success()
        .stdout(predicate::str::contains("liked songs"))
        .stdout(predicate::str::contains("Requests: 17"))
        .stdout(predicate::str::contains("Today's Top Hits"))
        .stderr(predicate::str::is_empty());
    let mut snapshots = trackvault(dir.path(), &server.uri());
    snapshots.arg("snapshots");
    run(snapshots)
        .await
        .success()
        .stdout(predicate::str::contains("(latest)"))
        .stdout(predicate::str::contains("123"));
    let mut verify = trackvault(dir.path(), &server.uri());
    verify.arg("verify");
    run(verify)
        .await
        .success()
        .stdout(predicate::str::contains("OK"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quota_stop_exits_75_and_the_next_backup_resumes() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    Mock::given(method("GET"))
        .and(path("/v1/me/episodes"))
        .respond_with(ResponseTemplate::new(429).set_body_json(
            json!({"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}),
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    run(backup(dir.path(), &server.uri()))
        .await
        .code(75)
        .stderr(predicate::str::contains("quota"))
        .stderr(predicate::str::contains(
            "run `trackvault backup` again after",
        ));
    run(backup(dir.path(), &server.uri()))
        .await
        .success()
        .stdout(predicate::str::contains("(resumed)"));
}

#[tokio::test(flavor = "multi_thread")]
async fn login_problems_are_one_sentence_each() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let mut no_login = trackvault(dir.path(), &server.uri());
    no_login.args(["backup", "--no-enrich", "--no-export"]);
    run(no_login)
        .await
        .code(1)
        .stderr(predicate::str::contains("run `trackvault login`"));

    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/token.json"),
        b"{\"access_token\": 12",
    )
    .unwrap();
    let mut corrupt = trackvault(dir.path(), &server.uri());
    corrupt.args(["backup", "--no-enrich", "--no-export"]);
    run(corrupt)
        .await
        .code(1)
        .stderr(predicate::str::contains("unreadable"))
        .stderr(predicate::str::contains("trackvault login"));

    let mut rejected = trackvault(dir.path(), &server.uri());
    rejected
        .env("TRACKVAULT_ACCESS_TOKEN", "BQD-secret-expired")
        .args(["backup", "--no-enrich", "--no-export"]);
    run(rejected)
        .await
        .code(1)
        .stderr(predicate::str::contains("TRACKVAULT_ACCESS_TOKEN"))
        .stderr(predicate::str::contains("BQD-secret-expired").not());
}

#[tokio::test(flavor = "multi_thread")]
async fn forbidden_profile_explains_premium_and_allow_list() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    Mock::given(method("GET"))
        .and(path("/v1/me"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
            "status": 403, "message": "Active premium subscription required for the owner of the app."}})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/me"))
        .respond_with(ResponseTemplate::new(403).set_body_string("Forbidden"))
        .with_priority(2)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    run(backup(dir.path(), &server.uri()))
        .await
        .code(1)
        .stderr(predicate::str::contains("Premium"));
    run(backup(dir.path(), &server.uri()))
        .await
        .code(1)
        .stderr(predicate::str::contains("allow-list"));
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_saves_progress_and_the_next_backup_resumes() {
    let (server, state) = start(LibrarySpec::small(), Duration::from_millis(100)).await;
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("trackvault");
    let child = std::process::Command::new(bin)
        .env_clear()
        .env("TRACKVAULT_ARCHIVE", dir.path().join("archive"))
        .env("TRACKVAULT_CONFIG_DIR", dir.path().join("config"))
        .env("TRACKVAULT_SPOTIFY_API_URL", format!("{}/v1", server.uri()))
        .env("TRACKVAULT_SPOTIFY_INTERVAL_MS", "0")
        .env("TRACKVAULT_ACCESS_TOKEN", TOKEN)
        .args(["backup", "--no-enrich", "--no-export"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the run is well under way (its signal handler is installed by then).
    while state.requests.load(std::sync::atomic::Ordering::SeqCst) < 3 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("interrupted"), "{stderr}");
    run(backup(dir.path(), &server.uri()))
        .await
        .success()
        .stdout(predicate::str::contains("(resumed)"));
    let mut verify = trackvault(dir.path(), &server.uri());
    verify.arg("verify");
    run(verify).await.success();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_enrichment_keeps_the_snapshot_and_still_writes_the_exports() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    let musicbrainz = wiremock::MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>not json</html>"))
        .mount(&musicbrainz)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = trackvault(dir.path(), &server.uri());
    cmd.env("TRACKVAULT_ACCESS_TOKEN", TOKEN)
        .env(
            "TRACKVAULT_MUSICBRAINZ_URL",
            format!("{}/ws/2", musicbrainz.uri()),
        )
        .env("TRACKVAULT_MUSICBRAINZ_RATE", "100")
        .arg("backup");
    let failed = run(cmd)
        .await
        .code(1)
        .stdout(predicate::str::contains("the snapshot is saved"))
        .stdout(predicate::str::contains("Wrote"))
        .stderr(predicate::str::contains("panicked").not());
    let stderr = String::from_utf8_lossy(&failed.get_output().stderr).to_string();
    assert_eq!(stderr.trim().lines().count(), 1, "one sentence: {stderr}");
    assert!(!musicbrainz.received_requests().await.unwrap().is_empty());

    // The snapshot is complete and its exports exist.
    let mut snapshots = trackvault(dir.path(), &server.uri());
    snapshots.arg("snapshots");
    run(snapshots)
        .await
        .success()
        .stdout(predicate::str::contains("(latest)"));
    let archive = trackvault::archive::Archive::open(dir.path().join("archive")).unwrap();
    let snapshots = archive.snapshots().unwrap();
    assert_eq!(snapshots.len(), 1);
    assert!(archive.exports_dir(&snapshots[0].id).join("txt").is_dir());
    let mut verify = trackvault(dir.path(), &server.uri());
    verify.arg("verify");
    run(verify).await.success();
}
