//! CLI behaviour that spans commands: messages, exit codes, and the archive-level commands.

use assert_cmd::Command;
use predicates::prelude::*;

fn trackvault(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("trackvault").unwrap();
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", dir.join("archive"))
        .env("TRACKVAULT_CONFIG_DIR", dir.join("config"));
    cmd
}

#[test]
fn snapshots_on_an_empty_archive_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    trackvault(dir.path())
        .arg("snapshots")
        .assert()
        .success()
        .stdout(predicate::str::contains("No snapshots"))
        .stdout(predicate::str::contains("trackvault backup"));
}

#[test]
fn verify_without_snapshots_fails_with_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    trackvault(dir.path())
        .arg("verify")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no complete snapshot yet"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn login_without_a_client_id_explains_where_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    trackvault(dir.path())
        .args(["login", "--no-browser"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("SPOTIFY_CLIENT_ID"));
}

#[test]
fn logout_when_not_logged_in_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    trackvault(dir.path())
        .arg("logout")
        .assert()
        .success()
        .stdout(predicate::str::contains("no stored Spotify login"));
}

#[test]
fn a_musicbrainz_rate_above_one_is_refused_for_musicbrainz_org() {
    let dir = tempfile::tempdir().unwrap();
    trackvault(dir.path())
        .args(["snapshots", "--musicbrainz-rate", "3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("local mirror"));
}
