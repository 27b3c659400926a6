//! `trackvault enrich` end to end: an archive with a snapshot, a wiremock MusicBrainz, the binary.

mod enrich_support;

use assert_cmd::Command;
use enrich_support::*;
use predicates::prelude::*;
use serde_json::json;
use trackvault::archive::{Archive, Manifest};
use trackvault::model::{Library, MatchMethod};

fn trackvault(dir: &std::path::Path, mb_url: &str) -> Command {
    let mut cmd = Command::cargo_bin("trackvault").unwrap();
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", dir.join("archive"))
        .env("TRACKVAULT_CONFIG_DIR", dir.join("config"))
        .env("TRACKVAULT_MUSICBRAINZ_URL", mb_url)
        .env("TRACKVAULT_MUSICBRAINZ_RATE", "1000");
    cmd
}

fn snapshot_with(dir: &std::path::Path, library: &Library) -> (Archive, String) {
    let archive = Archive::open(dir.join("archive")).unwrap();
    let draft = archive.new_draft().unwrap();
    let id = draft
        .finish(&archive, Manifest::new(&library.source), library)
        .unwrap();
    (archive, id)
}

#[tokio::test(flavor = "multi_thread")]
async fn enrich_updates_the_snapshot_and_a_second_run_sends_nothing() {
    let (mut lib, mut data) = isrc_library(5);
    lib.liked_tracks.push(entry(
        5,
        track("odd", "Not In MusicBrainz", "Nobody", 1000, None),
    ));
    data["urls"] = json!([]);
    let mb = MbServer::start(data).await;
    let dir = tempfile::tempdir().unwrap();
    let (archive, id) = snapshot_with(dir.path(), &lib);
    let review = dir.path().join("review.csv");

    trackvault(dir.path(), mb.base().as_str())
        .args(["enrich", "--review"])
        .arg(&review)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("Snapshot {id}")))
        .stdout(predicate::str::contains("5 matched"))
        .stdout(predicate::str::contains("1 unmatched"))
        .stdout(predicate::str::contains("recording search (ISRC batch)"))
        .stdout(predicate::str::contains("--overrides"));
    let enriched = archive.read_library(&id).unwrap();
    let m = enriched.liked_tracks[0]
        .item
        .as_ref()
        .unwrap()
        .musicbrainz
        .clone()
        .unwrap();
    assert_eq!(m.method, MatchMethod::Isrc);
    assert!(archive.cache_path().is_file());
    let csv = std::fs::read_to_string(&review).unwrap();
    assert!(csv.starts_with("spotify_id,override,"), "{csv}");
    assert!(csv.contains("odd,,unmatched,Not In MusicBrainz"), "{csv}");
    let sent = mb.total();

    // Unchanged library: everything comes from the cache.
    trackvault(dir.path(), mb.base().as_str())
        .args(["enrich", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains("MusicBrainz requests: 0"));
    assert_eq!(mb.total(), sent);

    // The user marks the odd track as having no recording.
    std::fs::write(&review, "odd,none\n").unwrap();
    trackvault(dir.path(), mb.base().as_str())
        .args(["enrich", "--overrides"])
        .arg(&review)
        .assert()
        .success()
        .stdout(predicate::str::contains("1 left unmatched by override"));
}

#[test]
fn enrich_refuses_a_fast_rate_against_musicbrainz_org() {
    let dir = tempfile::tempdir().unwrap();
    trackvault(dir.path(), "https://musicbrainz.org/ws/2")
        .args(["enrich", "--musicbrainz-rate", "5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refused for musicbrainz.org"));
}

#[test]
fn enrich_without_a_snapshot_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    trackvault(dir.path(), "http://127.0.0.1:9/ws/2")
        .arg("enrich")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no complete snapshot yet"));
}

#[test]
fn a_bad_overrides_file_fails_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _) = isrc_library(1);
    snapshot_with(dir.path(), &lib);
    let overrides = dir.path().join("o.csv");
    std::fs::write(&overrides, "t00000,not-an-mbid\n").unwrap();
    // Port 9 (discard) would fail every request: the error must be about the file.
    trackvault(dir.path(), "http://127.0.0.1:9/ws/2")
        .args(["enrich", "--overrides"])
        .arg(&overrides)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 1"))
        .stderr(predicate::str::contains("recording MBID or `none`"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_retry_after_pauses_with_exit_75_and_leaves_the_snapshot_alone() {
    let (lib, _) = isrc_library(3);
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .respond_with(wiremock::ResponseTemplate::new(503).insert_header("Retry-After", "3600"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (archive, id) = snapshot_with(dir.path(), &lib);
    let before = archive.read_library(&id).unwrap();
    let cmd = trackvault(dir.path(), &format!("{}/ws/2", server.uri()))
        .arg("enrich")
        .assert()
        .code(75);
    let stderr = String::from_utf8_lossy(&cmd.get_output().stderr).to_string();
    assert!(stderr.contains("continues where it stopped"), "{stderr}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert_eq!(archive.read_library(&id).unwrap(), before);
}
