//! The Spotify backup against a simulated Web API (wiremock on localhost): paging of every
//! collection, quirks, faults, token expiry, pauses and resume, incremental reuse, verify.

mod support;

use std::time::Duration;

use serde_json::json;
use support::{start, LibrarySpec, SimState, TOKEN, USER};
use trackvault::app::backup::{run_backup, BackupOptions};
use trackvault::archive::{verify_snapshot, Archive};
use trackvault::http::{RetryPolicy, Transport};
use trackvault::model::{Contents, EntryKind, Library, MatchMethod, RecordingMatch};
use trackvault::progress::hidden;
use trackvault::spotify::auth::{save_token, AuthConfig, Secret, StoredToken, TokenProvider};
use trackvault::spotify::{BackupSummary, SpotifyClient, SpotifyError};
use url::Url;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const COLLAB: &str = "0PlCollab0000000000003";
const BIG: &str = "0PlOwnedBig00000000001";

fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 4,
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        long_wait: Duration::from_secs(30),
        max_rate_limited: 5,
    }
}

fn client_for(base: &str, tokens: TokenProvider) -> SpotifyClient {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    SpotifyClient::with_transport(
        Transport::Network(http),
        Url::parse(&format!("{base}/v1")).unwrap(),
        tokens,
        Duration::ZERO,
        quick_retry(),
    )
}

fn client(server: &MockServer) -> SpotifyClient {
    client_for(&server.uri(), TokenProvider::from_static(TOKEN.into()))
}

async fn backup(archive: &Archive, client: &SpotifyClient) -> Result<BackupSummary, SpotifyError> {
    run_backup(archive, client, &BackupOptions::default(), &hidden()).await
}

fn requests(state: &SimState) -> usize {
    state.requests.load(std::sync::atomic::Ordering::SeqCst)
}

/// The library without the time it was taken, for comparing runs.
fn timeless(mut library: Library) -> Library {
    library.created_at = String::new();
    library
}

async fn clean_library(spec: LibrarySpec) -> Library {
    let (server, _) = start(spec, Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let summary = backup(&archive, &client(&server)).await.unwrap();
    timeless(archive.read_library(&summary.snapshot_id).unwrap())
}

#[tokio::test]
async fn full_backup_pages_every_collection_and_keeps_every_quirk_in_place() {
    let spec = LibrarySpec::small();
    let (server, state) = start(spec.clone(), Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let summary = backup(&archive, &client(&server)).await.unwrap();

    // Exactly the theoretical minimum: no extra page, nothing for the followed playlist.
    assert_eq!(requests(&state) as u64, support::minimum_requests(&spec));
    assert_eq!(summary.requests.total() as usize, requests(&state));
    assert_eq!(summary.requests.0["/me/following"], 3, "cursor paging");

    let lib = archive.read_library(&summary.snapshot_id).unwrap();
    assert_eq!(lib.user.id, USER);
    assert_eq!(lib.user.account_id.as_deref(), Some("sim-account-1"));
    assert_eq!(lib.liked_tracks.len(), 123);
    assert_eq!(lib.saved_albums.len(), 7);
    assert_eq!(lib.saved_albums[0].album.tracks.len(), 3);
    assert_eq!(
        lib.saved_albums[0].album.upc.as_deref(),
        Some("190000000000")
    );
    assert_eq!(lib.saved_shows.len(), 3);
    assert_eq!(lib.saved_episodes.len(), 52);
    assert_eq!(lib.followed_artists.len(), 120);
    assert_eq!(lib.followed_artists[119].name, "Followed 119");
    for (i, entry) in lib.liked_tracks.iter().enumerate() {
        assert_eq!(entry.position as usize, i);
    }
    assert_eq!(
        lib.liked_tracks[1].added_at, None,
        "1970 placeholder is unknown"
    );
    assert_eq!(lib.liked_tracks[5].kind, EntryKind::Unavailable);
    assert_eq!(lib.liked_tracks[9].kind, EntryKind::Local);
    assert_eq!(
        lib.liked_tracks[21].kind,
        EntryKind::Unavailable,
        "odd row kept in place"
    );
    assert_eq!(lib.liked_tracks[22].kind, EntryKind::Track);
    assert_eq!(
        lib.liked_tracks[0].item.as_ref().unwrap().isrc.as_deref(),
        Some("GBAHS0000000")
    );
    assert_eq!(
        lib.liked_tracks[3].item.as_ref().unwrap().name,
        "Song \"3\", part; 1/2 | tab\there\nnewline — שלום 🎵 <b>&amp;</b>"
    );

    let big = lib.playlists.iter().find(|p| p.id == BIG).unwrap();
    assert_eq!(big.contents, Contents::Complete);
    assert_eq!(big.entries.len(), 130);
    assert_eq!(big.name, "Mine \"Big\", 1/2 🎸");
    assert_eq!(
        big.snapshot_id.as_deref(),
        Some("snap-0PlOwnedBig00000000001-1")
    );
    // Null rows, null items, local files and episodes keep their positions.
    assert_eq!(big.entries[5].kind, EntryKind::Unavailable);
    assert_eq!(big.entries[9].kind, EntryKind::Local);
    assert_eq!(big.entries[9].item.as_ref().unwrap().id, None);
    assert_eq!(
        big.entries[14].kind,
        EntryKind::Episode,
        "dispatch on type, not the track flag"
    );
    assert_eq!(big.entries[19].kind, EntryKind::Unavailable);
    assert_eq!(big.entries[19].position, 19);
    assert_eq!(big.entries[20].added_by.as_deref(), Some(USER));
    let collab = lib.playlists.iter().find(|p| p.id == COLLAB).unwrap();
    assert_eq!(collab.entries.len(), 51);
    let empty = lib.playlists.iter().find(|p| p.name == "Empty").unwrap();
    assert_eq!(
        (empty.contents, empty.entries.len()),
        (Contents::Complete, 0)
    );
    let followed = lib
        .playlists
        .iter()
        .find(|p| p.owner.id == "spotify")
        .unwrap();
    assert_eq!(followed.contents, Contents::NotAccessible);
    assert_eq!(followed.total, 50);
    assert_eq!(
        followed.snapshot_id.as_deref(),
        Some("snap-37i9dQZF1DXcBWIGoYBM5M-1")
    );
    assert!(followed
        .not_accessible_reason
        .as_deref()
        .unwrap()
        .contains("own"));
    assert_eq!(summary.not_accessible.len(), 1);
    assert!(summary.render().contains("Today's Top Hits"));

    let report = verify_snapshot(&archive, &summary.snapshot_id).unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert!(archive.drafts().unwrap().is_empty(), "no draft left behind");
}

#[tokio::test]
async fn unchanged_rerun_reuses_everything_and_carries_enrichment_over() {
    let spec = LibrarySpec::small();
    let (server, state) = start(spec.clone(), Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let first = backup(&archive, &client(&server)).await.unwrap();

    // Enrichment wrote MusicBrainz ids into the first snapshot.
    let mut enriched = archive.read_library(&first.snapshot_id).unwrap();
    let mbid = RecordingMatch {
        recording_id: "cb2cc207-8125-445c-9ef9-6ea44eee959a".into(),
        release_id: None,
        release_group_id: None,
        artist_ids: vec![],
        method: MatchMethod::Isrc,
        confidence: 1.0,
    };
    let big = enriched.playlists.iter_mut().find(|p| p.id == BIG).unwrap();
    big.entries[0].item.as_mut().unwrap().musicbrainz = Some(mbid.clone());
    enriched.liked_tracks[0].item.as_mut().unwrap().musicbrainz = Some(mbid.clone());
    archive
        .write_library(&first.snapshot_id, &enriched)
        .unwrap();
    let objects_before = archive.objects().list().unwrap();

    let before = requests(&state);
    let second = backup(&archive, &client(&server)).await.unwrap();
    let rerun = requests(&state) - before;
    // /me, one first page per saved collection (5), the playlist listing (1).
    assert_eq!(rerun, 7, "{:?}", second.requests);
    assert!(rerun <= 15);
    assert_eq!(
        archive.objects().list().unwrap(),
        objects_before,
        "no new storage"
    );
    assert_eq!(second.playlists_reused, 3);
    let manifest = archive.read_manifest(&second.snapshot_id).unwrap();
    let record = manifest.collection(&format!("playlist:{BIG}")).unwrap();
    assert_eq!(
        record.reused_from.as_deref(),
        Some(first.snapshot_id.as_str())
    );
    let lib = archive.read_library(&second.snapshot_id).unwrap();
    assert_eq!(timeless(lib.clone()), timeless(enriched));
    let big = lib.playlists.iter().find(|p| p.id == BIG).unwrap();
    assert_eq!(
        big.entries[0].item.as_ref().unwrap().musicbrainz,
        Some(mbid)
    );
    assert!(verify_snapshot(&archive, &second.snapshot_id)
        .unwrap()
        .is_ok());

    // One playlist changes: only its items are fetched again; `--full` refetches all.
    let mut changed = spec.clone();
    let p = changed.playlists.iter_mut().find(|p| p.id == BIG).unwrap();
    p.snapshot = "snap-2".into();
    p.entries = 131;
    state.set_spec(changed.clone());
    let before = requests(&state);
    let third = backup(&archive, &client(&server)).await.unwrap();
    assert_eq!(requests(&state) - before, 7 + 3);
    assert_eq!(third.requests.0["/playlists/{id}/items"], 3);
    let before = requests(&state);
    let full = BackupOptions {
        full: true,
        ..Default::default()
    };
    run_backup(&archive, &client(&server), &full, &hidden())
        .await
        .unwrap();
    assert_eq!(
        (requests(&state) - before) as u64,
        support::minimum_requests(&changed)
    );
}

#[tokio::test]
async fn a_403_on_a_collaborative_playlist_is_recorded_as_not_accessible() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/playlists/{COLLAB}/items")))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"error": {"status": 403, "message": "Forbidden"}})),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let summary = backup(&archive, &client(&server)).await.unwrap();
    let lib = archive.read_library(&summary.snapshot_id).unwrap();
    let collab = lib.playlists.iter().find(|p| p.id == COLLAB).unwrap();
    assert_eq!(collab.contents, Contents::NotAccessible);
    assert!(collab
        .not_accessible_reason
        .as_deref()
        .unwrap()
        .contains("403"));
    assert_eq!(summary.not_accessible.len(), 2);
    assert!(verify_snapshot(&archive, &summary.snapshot_id)
        .unwrap()
        .is_ok());
}

#[tokio::test]
async fn rate_limits_server_errors_and_dropped_connections_are_survived() {
    let spec = LibrarySpec::small();
    let expected = clean_library(spec.clone()).await;
    let (server, state) = start(spec.clone(), Duration::ZERO).await;
    let faults = [
        (
            "/v1/me/tracks",
            ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        ),
        ("/v1/me/albums", ResponseTemplate::new(500)),
        (
            "/v1/me/shows",
            ResponseTemplate::new(502).set_body_string("<html>Bad gateway</html>"),
        ),
        ("/v1/me/following", ResponseTemplate::new(503)),
    ];
    for (p, response) in faults {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(response)
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(format!("/v1/playlists/{BIG}/items")))
        .and(query_param("offset", "50"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    // Two dropped connections in front of everything.
    let proxy = support::dropping_proxy(&server.uri(), 2).await;
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let summary = backup(
        &archive,
        &client_for(&proxy, TokenProvider::from_static(TOKEN.into())),
    )
    .await
    .unwrap();
    let lib = archive.read_library(&summary.snapshot_id).unwrap();
    assert_eq!(timeless(lib), expected);
    // Every fault cost one more request (dropped connections never reach the server).
    let minimum = support::minimum_requests(&spec);
    assert_eq!(requests(&state) as u64, minimum);
    assert_eq!(summary.requests.total(), minimum + 6 + 2);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_mid_run() {
    let accounts = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "fresh-token", "token_type": "Bearer", "expires_in": 3600
        })))
        .expect(1)
        .mount(&accounts)
        .await;
    let config = tempfile::tempdir().unwrap();
    let now = chrono::Utc::now();
    save_token(
        config.path(),
        &StoredToken {
            client_id: "client-1".into(),
            access_token: Secret::new(TOKEN),
            refresh_token: Secret::new("refresh-1"),
            expires_at: now + chrono::TimeDelta::hours(1),
            scope: "user-library-read".into(),
            authorized_at: now,
        },
    )
    .unwrap();
    let tokens = TokenProvider::from_store(
        AuthConfig {
            client_id: String::new(),
            accounts_url: Url::parse(&accounts.uri()).unwrap(),
            config_dir: config.path().to_path_buf(),
        },
        reqwest::Client::new(),
    )
    .unwrap();
    let spec = LibrarySpec::small();
    let (server, state) = start(spec.clone(), Duration::ZERO).await;
    *state.rotate_at.lock().unwrap() = Some((4, "fresh-token".into()));
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let summary = backup(&archive, &client_for(&server.uri(), tokens))
        .await
        .unwrap();
    assert_eq!(
        timeless(archive.read_library(&summary.snapshot_id).unwrap()),
        clean_library(spec).await
    );
    let saved = trackvault::spotify::auth::load_token(config.path()).unwrap();
    assert_eq!(saved.access_token.expose(), "fresh-token");
    assert_eq!(
        saved.refresh_token.expose(),
        "refresh-1",
        "old refresh token kept"
    );
}

#[tokio::test]
async fn quota_exceeded_pauses_and_the_resumed_library_equals_an_uninterrupted_one() {
    let spec = LibrarySpec::small();
    let expected = clean_library(spec.clone()).await;
    let (server, state) = start(spec.clone(), Duration::ZERO).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/playlists/{BIG}/items")))
        .and(query_param("offset", "100"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}
        })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let err = backup(&archive, &client(&server)).await.unwrap_err();
    assert!(err.is_pause(), "{err}");
    assert!(
        err.to_string()
            .contains("run `trackvault backup` again after"),
        "{err}"
    );
    assert!(
        archive.snapshots().unwrap().is_empty(),
        "nothing half-done is visible"
    );
    assert_eq!(archive.drafts().unwrap().len(), 1);

    let summary = backup(&archive, &client(&server)).await.unwrap();
    assert!(summary.resumed);
    assert_eq!(
        timeless(archive.read_library(&summary.snapshot_id).unwrap()),
        expected
    );
    // Nothing finished was fetched twice; the manifest also counts the refused request.
    assert_eq!(requests(&state) as u64, support::minimum_requests(&spec));
    let manifest = archive.read_manifest(&summary.snapshot_id).unwrap();
    assert_eq!(
        manifest.requests.values().sum::<u64>(),
        support::minimum_requests(&spec) + 1
    );
    assert!(verify_snapshot(&archive, &summary.snapshot_id)
        .unwrap()
        .is_ok());
    assert!(archive.drafts().unwrap().is_empty());
}

#[tokio::test]
async fn a_long_retry_after_pauses_and_is_respected_by_the_next_run() {
    let (server, state) = start(LibrarySpec::small(), Duration::ZERO).await;
    Mock::given(method("GET"))
        .and(path("/v1/me/episodes"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "48925"))
        .with_priority(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let err = backup(&archive, &client(&server)).await.unwrap_err();
    let SpotifyError::Paused {
        reason,
        resume_after,
    } = &err
    else {
        panic!("{err}")
    };
    assert!(reason.contains("13h35m"), "{reason}");
    assert!(
        chrono::DateTime::parse_from_rfc3339(resume_after).is_ok(),
        "{resume_after}"
    );
    let before = requests(&state);
    let again = backup(&archive, &client(&server)).await.unwrap_err();
    assert!(again.is_pause());
    assert_eq!(requests(&state), before, "no request before the deadline");
}

#[tokio::test]
async fn malformed_pages_and_non_json_errors_fail_clearly_and_lose_nothing() {
    let spec = LibrarySpec::small();
    let expected = clean_library(spec.clone()).await;
    let (server, state) = start(spec.clone(), Duration::ZERO).await;
    Mock::given(method("GET"))
        .and(path("/v1/me/albums"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"items\": [ {\"added_at\": "))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/me/playlists"))
        .respond_with(
            ResponseTemplate::new(404).set_body_string("<html><body>Gone\nfishing</body></html>"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let err = backup(&archive, &client(&server)).await.unwrap_err();
    assert!(matches!(err, SpotifyError::Malformed { .. }), "{err}");
    assert!(err.to_string().contains("/me/albums"), "{err}");
    let err = backup(&archive, &client(&server)).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("HTTP 404") && text.contains("not JSON"),
        "{text}"
    );
    assert!(!text.contains('\n'), "one line: {text}");

    let before = requests(&state);
    let summary = backup(&archive, &client(&server)).await.unwrap();
    assert_eq!(
        summary.requests.0.get("/me/tracks"),
        None,
        "liked songs were kept"
    );
    assert!(requests(&state) > before);
    assert_eq!(
        timeless(archive.read_library(&summary.snapshot_id).unwrap()),
        expected
    );
}

#[tokio::test]
async fn an_interrupted_run_resumes_without_duplicates_or_gaps() {
    let spec = LibrarySpec::small().with_owned_playlists(6, 80);
    let expected = clean_library(spec.clone()).await;
    let (server, state) = start(spec.clone(), Duration::from_millis(15)).await;
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    // Like a crash or Ctrl-C: the future is dropped mid-request.
    let cut = tokio::time::timeout(
        Duration::from_millis(200),
        backup(&archive, &client(&server)),
    )
    .await;
    assert!(cut.is_err(), "the run should have been cut short");
    let summary = backup(&archive, &client(&server)).await.unwrap();
    assert!(summary.resumed);
    assert_eq!(
        timeless(archive.read_library(&summary.snapshot_id).unwrap()),
        expected
    );
    // At most the one in-flight request was repeated.
    assert!(requests(&state) as u64 <= support::minimum_requests(&spec) + 1);
}

#[tokio::test]
async fn verify_passes_on_a_backup_and_detects_a_damaged_object() {
    let (server, _) = start(LibrarySpec::small(), Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let summary = backup(&archive, &client(&server)).await.unwrap();
    assert!(verify_snapshot(&archive, &summary.snapshot_id)
        .unwrap()
        .is_ok());
    let manifest = archive.read_manifest(&summary.snapshot_id).unwrap();
    let victim = &manifest.collection("liked_tracks").unwrap().pages[1];
    std::fs::write(archive.objects().path(victim), b"\x1f\x8bgarbage").unwrap();
    let report = verify_snapshot(&archive, &summary.snapshot_id).unwrap();
    assert!(!report.is_ok());
    assert!(
        report.problems.join("\n").contains("liked_tracks"),
        "{:?}",
        report.problems
    );
}

#[tokio::test]
async fn the_demo_client_backs_up_the_bundled_library() {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let summary = backup(&archive, &SpotifyClient::demo()).await.unwrap();
    let lib = archive.read_library(&summary.snapshot_id).unwrap();
    assert_eq!(lib.user.id, "demo-user");
    let text = summary.render();
    assert!(
        text.contains("Requests: 9") && text.contains("followed, owned by Spotify"),
        "{text}"
    );
    assert_eq!(lib.playlists.len(), 3);
    assert!(lib
        .playlists
        .iter()
        .any(|p| p.contents == Contents::NotAccessible));
    assert!(verify_snapshot(&archive, &summary.snapshot_id)
        .unwrap()
        .is_ok());
}

/// Serves the recorded responses converted to 2026 shapes (`fixtures/spotify/`).
async fn fixture_server() -> MockServer {
    let server = MockServer::start().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/spotify");
    let routes = [
        ("/v1/me", "me.json"),
        ("/v1/me/tracks", "me_tracks.json"),
        ("/v1/me/albums", "me_albums.json"),
        ("/v1/me/shows", "me_shows.json"),
        ("/v1/me/episodes", "me_episodes.json"),
        ("/v1/me/following", "me_following.json"),
        ("/v1/me/playlists", "me_playlists.json"),
        (
            "/v1/playlists/53Y8wT46QIMz5H4WQ8O22c/items",
            "playlist_items.json",
        ),
        (
            "/v1/playlists/07XddQ4dIOBluElasP5hjH/items",
            "playlist_items_local.json",
        ),
        (
            "/v1/playlists/37i9dQZF1DX8FwnYE6PRvL/items",
            "playlist_items_episode.json",
        ),
    ];
    for (p, file) in routes {
        let body = std::fs::read(dir.join(file)).unwrap();
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test]
async fn recorded_responses_in_2026_shapes_normalize_losslessly() {
    let server = fixture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let summary = backup(&archive, &client(&server)).await.unwrap();
    let lib = archive.read_library(&summary.snapshot_id).unwrap();
    assert_eq!(lib.user.id, "wizzler");
    assert_eq!(lib.user.account_id.as_deref(), Some("fixture-account-0001"));
    assert_eq!(lib.liked_tracks.len(), 2);
    assert_eq!(
        lib.liked_tracks[0].item.as_ref().unwrap().isrc.as_deref(),
        Some("GBR8R2500082")
    );
    assert!(lib.saved_albums[0].album.upc.is_some());
    assert!(!lib.saved_albums[0].album.tracks.is_empty());
    assert_eq!(lib.saved_shows.len(), 3);
    assert_eq!(lib.saved_episodes.len(), 2);
    assert_eq!(lib.saved_episodes[0].kind, EntryKind::Episode);
    assert_eq!(lib.followed_artists.len(), 2);
    let by_id = |id: &str| lib.playlists.iter().find(|p| p.id == id).unwrap();
    let owned = by_id("53Y8wT46QIMz5H4WQ8O22c");
    assert_eq!(owned.entries.len(), 2);
    assert_eq!(
        owned.entries[0].item.as_ref().unwrap().isrc.as_deref(),
        Some("USWL11600423")
    );
    assert_eq!(owned.entries[0].added_by.as_deref(), Some("spotify_españa"));
    assert_eq!(
        owned.entries[1].kind,
        EntryKind::Unavailable,
        "entry without any item key"
    );
    let local = by_id("07XddQ4dIOBluElasP5hjH");
    assert_eq!(local.entries[0].kind, EntryKind::Local);
    assert_eq!(
        local.entries[0].item.as_ref().unwrap().uri,
        "spotify:local:Woodkid:The+Golden+Age:Run+Boy+Run:215"
    );
    let episodes = by_id("37i9dQZF1DX8FwnYE6PRvL");
    assert_eq!(episodes.entries[0].kind, EntryKind::Episode);
    let followed = by_id("1AVZz0mBuGbCEoNRQdYQju");
    assert_eq!(
        (followed.contents, followed.total),
        (Contents::NotAccessible, 58)
    );
    assert!(verify_snapshot(&archive, &summary.snapshot_id)
        .unwrap()
        .is_ok());
    // Raw pages are kept byte for byte.
    let manifest = archive.read_manifest(&summary.snapshot_id).unwrap();
    let page = &manifest.collection("liked_tracks").unwrap().pages[0];
    let raw = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/spotify/me_tracks.json"),
    )
    .unwrap();
    assert_eq!(archive.objects().get(page).unwrap(), raw);
}
