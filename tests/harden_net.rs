//! Issue 10, network side: no server answer, setting or number from outside can crash
//! trackvault. Hostile `Retry-After` values, out-of-range settings, absurd durations, other
//! spellings of musicbrainz.org, short-lived Spotify tokens, output and disk errors — each
//! through the binary or the public API, against local servers only.

mod enrich_support;
mod support;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use assert_cmd::Command;
use chrono::{DateTime, TimeDelta, Utc};
use clap::Parser as _;
use predicates::prelude::*;
use serde_json::json;
use support::{run_cli as run, start, LibrarySpec, Sim, TOKEN};
use trackvault::archive::{Archive, Manifest};
use trackvault::config::{ConfigError, Settings};
use trackvault::model::Library;
use trackvault::spotify::auth::{load_token, save_token, Secret, StoredToken};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const DAY: Duration = Duration::from_secs(24 * 3600);

fn trackvault(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("trackvault").unwrap();
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", dir.join("archive"))
        .env("TRACKVAULT_CONFIG_DIR", dir.join("config"))
        .env("TRACKVAULT_SPOTIFY_INTERVAL_MS", "0");
    cmd
}

fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

fn snapshot_with(dir: &Path, library: &Library) -> (Archive, String) {
    let archive = Archive::open(dir.join("archive")).unwrap();
    let draft = archive.new_draft().unwrap();
    let id = draft
        .finish(&archive, Manifest::new(&library.source), library)
        .unwrap();
    (archive, id)
}

/// The first RFC 3339 time in `text` (`2026-12-06T05:00:00Z`).
fn first_time(text: &str) -> Option<DateTime<Utc>> {
    text.match_indices("20")
        .filter_map(|(i, _)| text.get(i..i + 20))
        .find_map(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// The message names a real time about a day from now (the bound on any server wait).
fn assert_resumes_within_a_day(stderr: &str) {
    let at = first_time(stderr).unwrap_or_else(|| panic!("no resume time in {stderr:?}"));
    let now = Utc::now();
    assert!(
        at > now + TimeDelta::hours(23) && at <= now + TimeDelta::hours(25),
        "resume time {at} is not about a day from {now}: {stderr}"
    );
}

// ------------------------------------------------------------------ 1: Retry-After

#[test]
fn any_retry_after_value_becomes_a_wait_of_at_most_a_day() {
    use trackvault::http::parse_retry_after;
    for huge in [
        "1e30",
        "1e300",
        "18446744073709551615",
        "99999999999999999999999999999999",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "inf",
    ] {
        assert_eq!(parse_retry_after(huge), Some(DAY), "{huge}");
    }
    assert_eq!(parse_retry_after("1.5"), Some(Duration::from_millis(1500)));
    assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(Duration::ZERO)
    );
    for garbage in [
        "", "-3", "-1e30", "NaN", "soon", "1e", "0x10", "12 s", "\u{0}",
    ] {
        assert_eq!(parse_retry_after(garbage), None, "{garbage:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_spotify_retry_after_pauses_with_a_real_resume_time() {
    for value in [
        "1e30",
        "18446744073709551615",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
        Mock::given(method("GET"))
            .and(path("/v1/me/episodes"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", value))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = trackvault(dir.path());
        cmd.env("TRACKVAULT_SPOTIFY_API_URL", format!("{}/v1", server.uri()))
            .env("TRACKVAULT_ACCESS_TOKEN", TOKEN)
            .args(["backup", "--no-enrich", "--no-export"]);
        let paused = run(cmd).await.code(75);
        let stderr = stderr_of(&paused);
        assert!(!stderr.contains("few hours"), "{value}: {stderr}");
        assert!(stderr.contains("24h00m"), "{value}: {stderr}");
        assert_resumes_within_a_day(&stderr);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_musicbrainz_retry_after_pauses_enrichment_with_a_real_time() {
    let (lib, _) = enrich_support::isrc_library(2);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "1e30"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    snapshot_with(dir.path(), &lib);
    let mut cmd = trackvault(dir.path());
    cmd.env(
        "TRACKVAULT_MUSICBRAINZ_URL",
        format!("{}/ws/2", server.uri()),
    )
    .env("TRACKVAULT_MUSICBRAINZ_RATE", "1000")
    .arg("enrich");
    let paused = run(cmd).await.code(75);
    let stderr = stderr_of(&paused);
    assert!(stderr.contains("MusicBrainz asked to wait"), "{stderr}");
    assert_resumes_within_a_day(&stderr);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quota_answer_with_a_huge_retry_after_also_gives_a_real_time() {
    let (lib, _) = enrich_support::isrc_library(1);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "99999999999999999999999")
                .set_body_string(r#"{"error":{"reason":"QUOTA_EXCEEDED"}}"#),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    snapshot_with(dir.path(), &lib);
    let mut cmd = trackvault(dir.path());
    cmd.env(
        "TRACKVAULT_MUSICBRAINZ_URL",
        format!("{}/ws/2", server.uri()),
    )
    .env("TRACKVAULT_MUSICBRAINZ_RATE", "1000")
    .arg("enrich");
    let paused = run(cmd).await.code(75);
    let stderr = stderr_of(&paused);
    assert!(!stderr.contains("Some("), "{stderr}");
    assert_resumes_within_a_day(&stderr);
}

// ------------------------------------------------------------------ 2: setting ranges

#[test]
fn out_of_range_settings_exit_2_with_one_sentence_naming_setting_value_and_range() {
    let cases = [
        ("TRACKVAULT_MUSICBRAINZ_RATE", "1e-300", "1e-300"),
        ("TRACKVAULT_MUSICBRAINZ_RATE", "0", "is 0.0,"),
        ("TRACKVAULT_MUSICBRAINZ_RATE", "NaN", "NaN"),
        ("TRACKVAULT_MUSICBRAINZ_RATE", "1e9", "1000000000"),
        (
            "TRACKVAULT_SPOTIFY_INTERVAL_MS",
            "18446744073709551615",
            "18446744073709551615",
        ),
        (
            "TRACKVAULT_MAX_WAIT_SECS",
            "18446744073709551615",
            "18446744073709551615",
        ),
    ];
    for (name, value, shown) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = trackvault(dir.path())
            .env(name, value)
            .env(
                "TRACKVAULT_MUSICBRAINZ_URL",
                "http://127.0.0.1:9/ws/2", // a mirror: only the range applies
            )
            .arg("snapshots")
            .assert()
            .code(2);
        let stderr = stderr_of(&out);
        assert!(stderr.contains(name), "{name}={value}: {stderr}");
        assert!(stderr.contains(shown), "{name}={value}: {stderr}");
        assert!(stderr.contains(" to "), "{name}={value}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
    // The edges of each range are accepted.
    let dir = tempfile::tempdir().unwrap();
    trackvault(dir.path())
        .env("TRACKVAULT_MUSICBRAINZ_URL", "http://127.0.0.1:9/ws/2")
        .env("TRACKVAULT_MUSICBRAINZ_RATE", "1000")
        .env("TRACKVAULT_SPOTIFY_INTERVAL_MS", "60000")
        .env("TRACKVAULT_MAX_WAIT_SECS", "43200")
        .arg("snapshots")
        .assert()
        .success();
}

#[test]
fn settings_that_used_to_panic_stop_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _) = enrich_support::isrc_library(1);
    snapshot_with(dir.path(), &lib);
    // Port 9 (discard): nothing may be sent anyway.
    trackvault(dir.path())
        .env("TRACKVAULT_MUSICBRAINZ_URL", "http://127.0.0.1:9/ws/2")
        .env("TRACKVAULT_MUSICBRAINZ_RATE", "1e-300")
        .arg("enrich")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("TRACKVAULT_MUSICBRAINZ_RATE"))
        .stderr(predicate::str::contains("panicked").not());
    trackvault(dir.path())
        .env("TRACKVAULT_SPOTIFY_API_URL", "http://127.0.0.1:9/v1")
        .env("TRACKVAULT_ACCESS_TOKEN", "t")
        .env("TRACKVAULT_SPOTIFY_INTERVAL_MS", "18446744073709551615")
        .args(["backup", "--no-enrich", "--no-export"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("TRACKVAULT_SPOTIFY_INTERVAL_MS"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn a_login_timeout_outside_its_range_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for value in ["0", "86401", "18446744073709551615"] {
        trackvault(dir.path())
            .args([
                "login",
                "--client-id",
                "id",
                "--no-browser",
                "--timeout-secs",
                value,
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--timeout-secs"))
            .stderr(predicate::str::contains("1..=86400"));
    }
}

// ------------------------------------------------------------------ 3: duration window

#[test]
fn a_huge_duration_saturates_the_search_window() {
    let q = trackvault::enrich::musicbrainz::fuzzy_query("x", None, Some(u64::MAX));
    assert!(q.ends_with(&format!("TO {}]", u64::MAX)), "{q}");
    let release: trackvault::enrich::musicbrainz::MbRelease = serde_json::from_value(json!({
        "id": "r",
        "media": [{"track-count": u32::MAX}, {"track-count": u32::MAX}, {"tracks": []}]
    }))
    .unwrap();
    assert_eq!(release.total_tracks(), Some(u32::MAX));
}

#[tokio::test(flavor = "multi_thread")]
async fn enriching_a_track_with_an_absurd_duration_completes() {
    let mut track = enrich_support::track("huge", "Endless Song", "Nobody", 1, None);
    track.duration_ms = Some(u64::MAX);
    let lib = enrich_support::library_of(vec![track]);
    let mb = enrich_support::MbServer::start(json!({"recordings": [], "urls": [], "releases": []}))
        .await;
    let dir = tempfile::tempdir().unwrap();
    snapshot_with(dir.path(), &lib);
    let mut cmd = trackvault(dir.path());
    cmd.env("TRACKVAULT_MUSICBRAINZ_URL", mb.base().as_str())
        .env("TRACKVAULT_MUSICBRAINZ_RATE", "1000")
        .arg("enrich");
    run(cmd)
        .await
        .success()
        .stdout(predicate::str::contains("1 unmatched"));
    let searches = mb.requests("/recording");
    assert!(!searches.is_empty(), "the track was searched");
    assert!(searches
        .iter()
        .any(|u| u.as_str().contains(&u64::MAX.to_string())));
}

// ------------------------------------------------------------------ 8: musicbrainz.org

fn settings(url: &str, rate: &str) -> Result<Settings, ConfigError> {
    let cli = trackvault::cli::Cli::try_parse_from([
        "trackvault",
        "--config-dir",
        "/tmp/unused",
        "--musicbrainz-url",
        url,
        "--musicbrainz-rate",
        rate,
        "snapshots",
    ])
    .unwrap();
    Settings::from_args(&cli.global)
}

#[test]
fn every_spelling_of_musicbrainz_org_keeps_the_one_request_a_second_rule() {
    for url in [
        "https://musicbrainz.org/ws/2",
        "https://musicbrainz.org./ws/2",
        "https://MusicBrainz.ORG./ws/2",
        "https://musicbrainz.org.:443/ws/2",
        "http://musicbrainz.org.:80/ws/2",
        "https://user:secret@musicbrainz.org./ws/2",
        "https://beta.musicbrainz.org./ws/2",
        "https://musicbrainz.org../ws/2",
        "https://musicbrainz%2Eorg/ws/2",
        "https://musicbrainz\u{3002}org/ws/2",
        "HTTPS://MUSICBRAINZ.ORG:443/ws/2",
    ] {
        assert!(
            matches!(
                settings(url, "5"),
                Err(ConfigError::MusicBrainzRateTooHigh(_))
            ),
            "{url} was allowed 5 requests a second"
        );
        assert!(settings(url, "1").is_ok(), "{url} at 1/s");
    }
    for mirror in [
        "http://127.0.0.1:5000/ws/2",
        "https://notmusicbrainz.org/ws/2",
        "https://musicbrainz.org.example.net/ws/2",
    ] {
        assert!(settings(mirror, "5").is_ok(), "{mirror}");
    }
}

// ------------------------------------------------------------------ 14: short-lived tokens

/// The simulated Spotify, but each access token dies after `lifetime` requests (a token that
/// expires long before its `expires_in`); the accounts server hands out a new one per refresh.
struct ShortLived {
    sim: Sim,
    lifetime: usize,
    uses: Arc<AtomicUsize>,
}

impl Respond for ShortLived {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        if self.uses.fetch_add(1, Ordering::SeqCst) >= self.lifetime {
            self.sim.0.tokens.lock().unwrap().clear();
        }
        self.sim.respond(req)
    }
}

struct Accounts {
    sim: Sim,
    uses: Arc<AtomicUsize>,
    issued: AtomicUsize,
}

impl Respond for Accounts {
    fn respond(&self, _req: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let token = format!("short-lived-{n}");
        self.sim.0.accept_only(&token);
        self.uses.store(0, Ordering::SeqCst);
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "user-library-read",
        }))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_outlives_many_short_lived_tokens() {
    let (server, state) = start(LibrarySpec::small(), Duration::ZERO).await;
    let uses = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .respond_with(ShortLived {
            sim: Sim(state.clone()),
            lifetime: 3,
            uses: uses.clone(),
        })
        .with_priority(5)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(Accounts {
            sim: Sim(state.clone()),
            uses,
            issued: AtomicUsize::new(0),
        })
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let config = dir.path().join("config");
    save_token(
        &config,
        &StoredToken {
            client_id: "client".into(),
            access_token: Secret::new(TOKEN),
            refresh_token: Secret::new("refresh"),
            expires_at: now + TimeDelta::hours(1),
            scope: "user-library-read".into(),
            authorized_at: now - TimeDelta::days(1),
        },
    )
    .unwrap();
    let mut cmd = trackvault(dir.path());
    cmd.env("TRACKVAULT_SPOTIFY_API_URL", format!("{}/v1", server.uri()))
        .env("TRACKVAULT_SPOTIFY_ACCOUNTS_URL", server.uri())
        .args(["backup", "--no-enrich", "--no-export"]);
    run(cmd)
        .await
        .success()
        .stdout(predicate::str::contains("liked songs"));
    let requests = server.received_requests().await.unwrap();
    let refreshes = requests
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .count();
    // 17 API requests, three per token: a refresh every few requests, never one per request.
    assert!((4..=9).contains(&refreshes), "{refreshes} refreshes");
    // Each expiry costs one rejected request and one refresh, nothing more.
    let gets = requests
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .count();
    assert_eq!(
        gets,
        17 + refreshes,
        "{gets} API requests for {refreshes} refreshes"
    );
    eprintln!("short-lived tokens: {gets} API requests, {refreshes} refreshes");
    let saved = load_token(&config).unwrap();
    assert_eq!(
        saved.access_token.expose(),
        format!("short-lived-{refreshes}")
    );
}

// ------------------------------------------------------------------ 16: output errors

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_to_stdout_exits_1_not_2() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("trackvault"))
        .env_clear()
        .env("TRACKVAULT_ARCHIVE", dir.path().join("archive"))
        .env("TRACKVAULT_CONFIG_DIR", dir.path().join("config"))
        .arg("snapshots")
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write output"), "{stderr}");
}
