//! The enrichment pipeline against a wiremock MusicBrainz: batching, paging, URL batches,
//! release tracklists, fuzzy search, retries, malformed answers, cache, resume, overrides and
//! the review file.

mod enrich_support;

use std::time::Duration;

use enrich_support::*;
use serde_json::{json, Value};
use trackvault::enrich::cache::{Cache, Ttl};
use trackvault::enrich::error::EnrichError;
use trackvault::enrich::overrides::{Override, Overrides};
use trackvault::enrich::pipeline::{enrich_library, EnrichOptions};
use trackvault::enrich::review::write_review;
use trackvault::model::{Album, AlbumRef, Artist, Library, MatchMethod, SavedAlbum};
use trackvault::progress::hidden;
use wiremock::matchers::{method, path, query_param_contains};
use wiremock::{Mock, ResponseTemplate};

fn cache(dir: &tempfile::TempDir) -> Cache {
    Cache::open(&dir.path().join("cache.sqlite3"), Ttl::default()).unwrap()
}

async fn enrich(
    lib: &mut Library,
    mb: &MbServer,
    cache: &Cache,
    opts: &EnrichOptions,
) -> Result<trackvault::enrich::summary::EnrichSummary, EnrichError> {
    enrich_library(lib, &mb.client(1000.0), cache, opts, hidden()).await
}

fn query_of(url: &url::Url) -> String {
    url.query_pairs()
        .find(|(k, _)| k == "query")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn isrcs_are_searched_a_hundred_per_request() {
    let (mut lib, data) = isrc_library(250);
    let mb = MbServer::start(data).await;
    let dir = tempfile::tempdir().unwrap();
    let summary = enrich(&mut lib, &mb, &cache(&dir), &EnrichOptions::default())
        .await
        .unwrap();
    let searches = mb.requests("/recording");
    assert_eq!(searches.len(), 3, "⌈250/100⌉ batched searches");
    assert_eq!(mb.total(), 3, "nothing else was needed");
    for url in &searches {
        let q = query_of(url);
        assert!(q.starts_with("isrc:("), "{q}");
        assert!(q.matches(" OR ").count() < 100);
        assert_eq!(
            url.query_pairs().find(|(k, _)| k == "fmt").unwrap().1,
            "json"
        );
    }
    assert_eq!(summary.by_method.get("isrc"), Some(&250));
    assert_eq!(summary.unmatched, 0);
    assert_eq!(summary.requests.total(), 3);
    let first = lib.liked_tracks[0].item.as_ref().unwrap();
    let m = first.musicbrainz.as_ref().unwrap();
    assert_eq!(m.recording_id, mbid(1, 0));
    assert_eq!(m.method, MatchMethod::Isrc);
    assert_eq!(m.release_group_id.as_deref(), Some(mbid(4, 0).as_str()));
}

#[tokio::test]
async fn a_batch_matching_more_than_a_page_is_paged_with_offset() {
    // Every ISRC maps to three recordings (album, single, compilation duplicates).
    let mut items = Vec::new();
    let mut recs = Vec::new();
    for i in 0..50 {
        let title = format!("Tune {i}");
        items.push(track(
            &format!("t{i}"),
            &title,
            "Artist",
            180_000,
            Some(isrc(i)),
        ));
        for dup in 0..3 {
            recs.push(recording(
                i * 10 + dup,
                &title,
                "Artist",
                180_000,
                &[isrc(i)],
            ));
        }
    }
    let mut lib = library_of(items);
    let mb = MbServer::start(json!({"recordings": recs, "urls": [], "releases": []})).await;
    let dir = tempfile::tempdir().unwrap();
    enrich(&mut lib, &mb, &cache(&dir), &EnrichOptions::default())
        .await
        .unwrap();
    let offsets: Vec<String> = mb
        .requests("/recording")
        .iter()
        .filter(|u| query_of(u).starts_with("isrc:"))
        .map(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "offset")
                .unwrap()
                .1
                .into_owned()
        })
        .collect();
    assert_eq!(offsets, ["0", "100"], "150 hits = two pages of 100");
}

#[tokio::test]
async fn saved_albums_map_to_releases_and_their_tracks_match_by_tracklist() {
    let release: Value =
        serde_json::from_str(include_str!("../fixtures/musicbrainz/release-lookup.json")).unwrap();
    let urls: Value =
        serde_json::from_str(include_str!("../fixtures/musicbrainz/url-lookup.json")).unwrap();
    let mut tracks = Vec::new();
    for (i, t) in release["media"][0]["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let mut item = track(
            &format!("plus{i:02}"),
            t["recording"]["title"].as_str().unwrap(),
            "Ed Sheeran",
            t["length"].as_u64().unwrap() + 400,
            None,
        );
        item.album = None;
        item.track_number = Some(i as u32 + 1);
        tracks.push(item);
    }
    let mut lib = library_of(Vec::new());
    lib.saved_albums.push(SavedAlbum {
        added_at: None,
        album: Album {
            id: "0DemoAlbumPlus00000000".into(),
            uri: "spotify:album:0DemoAlbumPlus00000000".into(),
            name: "+".into(),
            artists: Vec::new(),
            release_date: Some("2011-09-09".into()),
            total_tracks: Some(12),
            upc: None,
            tracks,
            musicbrainz: None,
        },
    });
    lib.followed_artists.push(Artist {
        id: "6eUKZXaKkcviH0Ku9w2n3V".into(),
        uri: "spotify:artist:6eUKZXaKkcviH0Ku9w2n3V".into(),
        name: "Ed Sheeran".into(),
        genres: Vec::new(),
        musicbrainz: None,
    });
    let data = json!({"recordings": [], "urls": urls["urls"], "releases": [release]});
    let mb = MbServer::start(data).await;
    let dir = tempfile::tempdir().unwrap();
    let summary = enrich(&mut lib, &mb, &cache(&dir), &EnrichOptions::default())
        .await
        .unwrap();
    assert_eq!(mb.requests("/url").len(), 1, "14 URLs in one lookup");
    assert!(mb.requests("/release/").is_empty(), "no per-album lookup");
    let searches: Vec<String> = mb.requests("/recording").iter().map(query_of).collect();
    assert_eq!(
        searches,
        ["reid:(94ad3a58\\-a1cc\\-46a3\\-acf4\\-9cb6c1d6f032)"],
        "the tracklist in one search, nothing left to search"
    );
    assert_eq!(summary.by_method.get("release_tracklist"), Some(&12));
    let album = &lib.saved_albums[0].album;
    let release_match = album.musicbrainz.as_ref().unwrap();
    assert_eq!(
        release_match.release_id,
        "94ad3a58-a1cc-46a3-acf4-9cb6c1d6f032"
    );
    assert_eq!(
        release_match.release_group_id.as_deref(),
        Some("05ce100c-eddf-4967-8d7e-33fc0883fe39")
    );
    let first = &album.tracks[0];
    let m = first.musicbrainz.as_ref().unwrap();
    assert_eq!(m.recording_id, "17eb8cd6-7bb0-4579-90af-dc38c1b3fc6a");
    assert_eq!(
        m.release_id.as_deref(),
        Some("94ad3a58-a1cc-46a3-acf4-9cb6c1d6f032")
    );
    assert_eq!(
        first.isrc.as_deref(),
        Some("GBAHS1100095"),
        "ISRC learned from MusicBrainz"
    );
    let artist = lib.followed_artists[0].musicbrainz.as_ref().unwrap();
    assert_eq!(artist.artist_id, "b8a7c51f-362c-4dcb-a259-bc6e0095f0a6");
    assert_eq!(artist.method, MatchMethod::SpotifyUrl);
}

#[tokio::test]
async fn url_lookups_go_a_hundred_at_a_time() {
    let mut lib = library_of(Vec::new());
    for i in 0..150 {
        lib.followed_artists.push(Artist {
            id: format!("artist{i:04}"),
            uri: format!("spotify:artist:artist{i:04}"),
            name: format!("Artist {i}"),
            genres: Vec::new(),
            musicbrainz: None,
        });
    }
    let urls: Vec<Value> = (0..150)
        .step_by(2)
        .map(|i| {
            json!({"resource": format!("https://open.spotify.com/artist/artist{i:04}"),
                   "relations": [{"target-type": "artist", "type": "free streaming",
                                  "artist": {"id": mbid(2, i), "name": format!("Artist {i}")}}]})
        })
        .collect();
    let mb = MbServer::start(json!({"recordings": [], "urls": urls, "releases": []})).await;
    let dir = tempfile::tempdir().unwrap();
    let summary = enrich(&mut lib, &mb, &cache(&dir), &EnrichOptions::default())
        .await
        .unwrap();
    let lookups = mb.requests("/url");
    assert_eq!(lookups.len(), 2);
    let sizes: Vec<usize> = lookups
        .iter()
        .map(|u| u.query_pairs().filter(|(k, _)| k == "resource").count())
        .collect();
    assert_eq!(sizes, [100, 50]);
    assert_eq!(summary.artists_matched, 75);
    assert_eq!(
        lib.followed_artists[0]
            .musicbrainz
            .as_ref()
            .unwrap()
            .artist_id,
        mbid(2, 0)
    );
    assert!(lib.followed_artists[1].musicbrainz.is_none());
}

#[tokio::test]
async fn tracks_without_isrcs_are_searched_in_one_batch_once_each_even_when_repeated() {
    let a = track("ta", "Potions - Acoustic", "Slander", 200_000, None);
    let mut b = track("tb", "Heroes - 2017 Remaster", "David Bowie", 371_000, None);
    // The album MusicBrainz has the recording on (a plain title off the album is refused).
    b.album.as_mut().unwrap().name = "Album 2".into();
    let mut lib = library_of(vec![a.clone(), b, a]);
    let data = json!({"recordings": [
        recording(1, "Potions (Acoustic)", "Slander", 201_000, &[]),
        recording(2, "Heroes", "David Bowie", 370_000, &["GBAYE1000001".to_string()]),
    ], "urls": [], "releases": []});
    let mb = MbServer::start(data).await;
    let dir = tempfile::tempdir().unwrap();
    let summary = enrich(&mut lib, &mb, &cache(&dir), &EnrichOptions::default())
        .await
        .unwrap();
    let searches = mb.requests("/recording");
    assert_eq!(searches.len(), 1, "both tracks' clauses in one search");
    let q = query_of(&searches[0]);
    assert!(
        q.contains("recording:\"") && q.contains(" AND artistname:\"") && q.contains(" AND dur:["),
        "{q}"
    );
    assert!(q.starts_with('(') && q.contains(") OR ("), "{q}");
    assert_eq!(
        q.matches("recording:").count(),
        2,
        "the repeated track is asked once: {q}"
    );
    assert_eq!(summary.tracks, 2);
    assert_eq!(summary.by_method.get("search"), Some(&2));
    let items: Vec<_> = lib
        .liked_tracks
        .iter()
        .map(|e| e.item.as_ref().unwrap())
        .collect();
    assert_eq!(items[0].musicbrainz, items[2].musicbrainz);
    assert_eq!(
        items[1].musicbrainz.as_ref().unwrap().recording_id,
        mbid(1, 2)
    );
    assert_eq!(items[1].isrc.as_deref(), Some("GBAYE1000001"));
}

#[tokio::test]
async fn a_503_with_retry_after_is_waited_out_and_retried() {
    let (mut lib, data) = isrc_library(3);
    let mb = MbServer::start(data).await;
    Mock::given(method("GET"))
        .and(path("/ws/2/recording"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("retry-after", "1")
                .set_body_string("Your requests are exceeding the allowable rate limit."),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&mb.server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let summary = enrich(&mut lib, &mb, &cache(&dir), &EnrichOptions::default())
        .await
        .unwrap();
    assert_eq!(summary.by_method.get("isrc"), Some(&3));
    assert_eq!(summary.requests.total(), 2, "the 503 and its retry");
    assert_eq!(mb.server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn malformed_json_is_a_clear_error_and_the_library_is_untouched() {
    let (mut lib, data) = isrc_library(3);
    let before = lib.clone();
    let mb = MbServer::start(data).await;
    Mock::given(path("/ws/2/recording"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>proxy error</html>"))
        .with_priority(1)
        .mount(&mb.server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let err = enrich(&mut lib, &mb, &cache(&dir), &EnrichOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, EnrichError::Malformed { .. }), "{err:?}");
    assert!(
        err.to_string().contains("TRACKVAULT_MUSICBRAINZ_URL"),
        "{err}"
    );
    assert_eq!(lib, before);
}

#[tokio::test]
async fn an_unchanged_library_is_enriched_again_without_any_request() {
    let (mut lib, mut data) = isrc_library(120);
    // Some misses too: no ISRC known, nothing found by search.
    lib.liked_tracks.push(entry(
        200,
        track("gone", "Unknown Song", "Nobody", 1000, Some(isrc(9999))),
    ));
    data["urls"] = json!([]);
    let mb = MbServer::start(data).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(&dir);
    let mut second = lib.clone();
    let first = enrich(&mut lib, &mb, &cache, &EnrichOptions::default())
        .await
        .unwrap();
    let sent = mb.server.received_requests().await.unwrap().len();
    assert!(sent >= 3, "ISRC batches, a URL lookup and a search: {sent}");
    let again = enrich(&mut second, &mb, &cache, &EnrichOptions::default())
        .await
        .unwrap();
    assert_eq!(
        mb.server.received_requests().await.unwrap().len(),
        sent,
        "zero new requests"
    );
    assert_eq!(again.requests.total(), 0);
    assert_eq!(second, lib, "same result from the cache");
    assert_eq!(again.by_method, first.by_method);
    assert_eq!(again.unmatched, 1);

    // --refresh ignores the cache and asks again.
    let mut third = lib.clone();
    let refresh = EnrichOptions {
        refresh: true,
        ..EnrichOptions::default()
    };
    let refreshed = enrich(&mut third, &mb, &cache, &refresh).await.unwrap();
    assert_eq!(refreshed.requests.total() as usize, sent);
    assert_eq!(third, lib);
}

#[tokio::test]
async fn an_interrupted_enrichment_resumes_from_the_completed_batches() {
    let (mut lib, data) = isrc_library(250);
    let mb = MbServer::start(data).await;
    // The third ISRC batch fails (its ISRCs sort last).
    Mock::given(path("/ws/2/recording"))
        .and(query_param_contains("query", isrc(249)))
        .respond_with(ResponseTemplate::new(400).set_body_string(r#"{"error":"bad"}"#))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&mb.server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(&dir);
    let before = lib.clone();
    let err = enrich(&mut lib, &mb, &cache, &EnrichOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, EnrichError::Status { status: 400, .. }),
        "{err:?}"
    );
    assert_eq!(lib, before);
    assert_eq!(
        mb.requests("/recording").len(),
        2,
        "two batches done before the failure"
    );
    let summary = enrich(&mut lib, &mb, &cache, &EnrichOptions::default())
        .await
        .unwrap();
    assert_eq!(
        summary.requests.total(),
        1,
        "only the missing batch is asked again"
    );
    assert_eq!(summary.by_method.get("isrc"), Some(&250));
}

#[tokio::test]
async fn overrides_apply_before_any_lookup_and_none_keeps_a_track_unmatched() {
    let (mut lib, data) = isrc_library(3);
    let mb = MbServer::start(data).await;
    let chosen = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
    let overrides = Overrides::parse(&format!("t00000,{chosen}\nt00001,none\n")).unwrap();
    let opts = EnrichOptions {
        overrides,
        ..EnrichOptions::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let summary = enrich(&mut lib, &mb, &cache(&dir), &opts).await.unwrap();
    let searches = mb.requests("/recording");
    assert_eq!(searches.len(), 1);
    let q = query_of(&searches[0]);
    assert!(
        q.contains(&isrc(2)) && !q.contains(&isrc(0)) && !q.contains(&isrc(1)),
        "{q}"
    );
    let m = lib.liked_tracks[0]
        .item
        .as_ref()
        .unwrap()
        .musicbrainz
        .clone()
        .unwrap();
    assert_eq!(
        (m.recording_id.as_str(), m.method, m.confidence),
        (chosen, MatchMethod::Override, 1.0)
    );
    assert!(lib.liked_tracks[1]
        .item
        .as_ref()
        .unwrap()
        .musicbrainz
        .is_none());
    assert_eq!(summary.excluded, 1);
    assert_eq!(summary.by_method.get("override"), Some(&1));
    assert!(
        summary.review.is_empty(),
        "user decisions are not sent back for review"
    );
}

#[tokio::test]
async fn the_review_file_lists_doubtful_tracks_and_becomes_an_overrides_file() {
    // MusicBrainz has a wrong ISRC: it points at another song.
    let mut lib = library_of(vec![
        track("good", "Right Song", "Band", 200_000, Some(isrc(1))),
        track("bad", "My Song", "Band", 200_000, Some(isrc(2))),
    ]);
    let data = json!({"recordings": [
        recording(1, "Right Song", "Band", 200_000, &[isrc(1)]),
        recording(2, "Completely Different", "Other Band", 200_000, &[isrc(2)]),
    ], "urls": [], "releases": []});
    let mb = MbServer::start(data).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(&dir);
    let summary = enrich(&mut lib, &mb, &cache, &EnrichOptions::default())
        .await
        .unwrap();
    assert!(
        lib.liked_tracks[1]
            .item
            .as_ref()
            .unwrap()
            .musicbrainz
            .is_none(),
        "never guess"
    );
    assert_eq!(summary.review.len(), 1);
    let path = dir.path().join("review.csv");
    write_review(&path, &summary.review).unwrap();
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "spotify_id");
    assert_eq!(&header[1], "override");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("spotify_id")], "bad");
    assert_eq!(&rows[0][col("status")], "unmatched");
    assert_eq!(&rows[0][col("candidate_rank")], "1");
    assert_eq!(&rows[0][col("title")], "My Song");
    assert_eq!(&rows[0][col("candidate_recording_id")], mbid(1, 2));
    assert_eq!(&rows[0][col("candidate_title")], "Completely Different");

    // A person accepts the candidate by copying it into `override`.
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen("bad,,", &format!("bad,{},", mbid(1, 2)), 1);
    std::fs::write(&path, edited).unwrap();
    let overrides = Overrides::load(&path).unwrap();
    assert_eq!(overrides.get("bad"), Some(&Override::Recording(mbid(1, 2))));
    let opts = EnrichOptions {
        overrides,
        ..EnrichOptions::default()
    };
    let summary = enrich(&mut lib, &mb, &cache, &opts).await.unwrap();
    let m = lib.liked_tracks[1]
        .item
        .as_ref()
        .unwrap()
        .musicbrainz
        .clone()
        .unwrap();
    assert_eq!(m.method, MatchMethod::Override);
    assert!(summary.review.is_empty());
}

#[tokio::test]
async fn requests_are_paced_with_no_two_closer_than_the_limit() {
    // Sixty tracks without ISRCs or albums: six batched searches of ten.
    let items: Vec<_> = (0..60)
        .map(|i| {
            let mut t = track(
                &format!("p{i}"),
                &format!("Paced {i}"),
                "Band",
                100_000,
                None,
            );
            t.album = None;
            t
        })
        .collect();
    let mut lib = library_of(items);
    let mb = MbServer::start(json!({"recordings": [], "urls": [], "releases": []})).await;
    let dir = tempfile::tempdir().unwrap();
    enrich_library(
        &mut lib,
        &mb.client(5.0),
        &cache(&dir),
        &EnrichOptions::default(),
        hidden(),
    )
    .await
    .unwrap();
    let times: Vec<_> = mb.log.lock().unwrap().iter().map(|(t, _)| *t).collect();
    assert_eq!(
        times.len(),
        7,
        "one URL lookup (61 links) and six batched searches"
    );
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        // 5 req/s = 200 ms; allow a little for clock granularity between threads.
        assert!(gap >= Duration::from_millis(190), "requests {gap:?} apart");
    }
}

#[tokio::test]
async fn the_user_agent_names_the_app_version_and_contact() {
    use clap::Parser;
    let (mut lib, data) = isrc_library(1);
    let mb = MbServer::start(data).await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(403).set_body_string("ua-missing"))
        .with_priority(2)
        .mount(&mb.server)
        .await;
    let expected = format!(
        "trackvault/{} ( mailto:me@example.org )",
        env!("CARGO_PKG_VERSION")
    );
    Mock::given(wiremock::matchers::header("user-agent", expected.as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"count": 0, "offset": 0, "recordings": [], "urls": []})),
        )
        .with_priority(1)
        .mount(&mb.server)
        .await;
    let base = mb.base().to_string();
    let cli = trackvault::cli::Cli::try_parse_from([
        "trackvault",
        "--config-dir",
        "/tmp/unused",
        "--musicbrainz-url",
        &base,
        "--musicbrainz-rate",
        "100",
        "--contact",
        "mailto:me@example.org",
        "snapshots",
    ])
    .unwrap();
    let settings = trackvault::config::Settings::from_args(&cli.global).unwrap();
    let client = trackvault::enrich::musicbrainz::MusicBrainz::from_settings(&settings).unwrap();
    let dir = tempfile::tempdir().unwrap();
    enrich_library(
        &mut lib,
        &client,
        &cache(&dir),
        &EnrichOptions::default(),
        hidden(),
    )
    .await
    .expect("every request carried the expected User-Agent");
}

/// The demo's simulated MusicBrainz answers the real request paths: ISRC batches, URL lookups,
/// a release lookup and a fuzzy search all lead to matches on its bundled data.
#[tokio::test]
async fn the_demo_simulator_exercises_every_phase() {
    let release: Value =
        serde_json::from_str(include_str!("../fixtures/musicbrainz/release-lookup.json")).unwrap();
    let mut liked = vec![
        track(
            "0DemoTrackThinkingOutL",
            "Thinking Out Loud",
            "Ed Sheeran",
            281_560,
            Some("GBAHS1400099".into()),
        ),
        track(
            "0DemoTrackAnOceanInBet",
            "An Ocean in Between the Waves",
            "The War on Drugs",
            431_000,
            None,
        ),
    ];
    liked[0].album = None;
    liked[1].album.as_mut().unwrap().name = "Lost in the Dream".into();
    let album_tracks = release["media"][0]["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut item = track(
                &format!("0DemoPlus{i:02}"),
                t["title"].as_str().unwrap(),
                "Ed Sheeran",
                t["length"].as_u64().unwrap(),
                None,
            );
            item.album = None;
            item.track_number = Some(i as u32 + 1);
            item
        })
        .collect();
    let mut lib = library_of(liked);
    lib.saved_albums.push(SavedAlbum {
        added_at: None,
        album: Album {
            id: "0DemoAlbum000000000000".into(),
            uri: "spotify:album:0DemoAlbum000000000000".into(),
            name: "+".into(),
            artists: Vec::new(),
            release_date: Some("2011-09-09".into()),
            total_tracks: Some(12),
            upc: None,
            tracks: album_tracks,
            musicbrainz: None,
        },
    });
    lib.followed_artists.push(Artist {
        id: "0DemoArtistEdSheeran00".into(),
        uri: "spotify:artist:0DemoArtistEdSheeran00".into(),
        name: "Ed Sheeran".into(),
        genres: Vec::new(),
        musicbrainz: None,
    });
    let client = trackvault::enrich::musicbrainz::MusicBrainz::new(
        trackvault::demo::musicbrainz_sim::transport(),
        url::Url::parse(trackvault::demo::musicbrainz_sim::DEMO_MUSICBRAINZ_URL).unwrap(),
        f64::INFINITY,
        quick_retry(),
    );
    let dir = tempfile::tempdir().unwrap();
    let summary = enrich_library(
        &mut lib,
        &client,
        &cache(&dir),
        &EnrichOptions::default(),
        hidden(),
    )
    .await
    .unwrap();
    assert_eq!(summary.by_method.get("isrc"), Some(&1), "{summary}");
    assert_eq!(summary.by_method.get("search"), Some(&1), "{summary}");
    assert!(
        summary
            .by_method
            .get("release_tracklist")
            .copied()
            .unwrap_or(0)
            >= 11,
        "{summary}"
    );
    assert_eq!(summary.albums_matched, 1);
    assert_eq!(summary.artists_matched, 1);
    for label in [
        "recording search (ISRC batch)",
        "url lookup",
        "recording search (release tracklists)",
        "recording search (fuzzy)",
    ] {
        assert!(
            summary.requests.0.contains_key(label),
            "{label} not exercised: {summary}"
        );
    }
}

#[tokio::test]
async fn a_saved_album_without_a_link_takes_the_release_its_tracks_agree_on() {
    let (lib, data) = isrc_library(2);
    let mut tracks: Vec<_> = lib
        .liked_tracks
        .iter()
        .map(|e| e.item.clone().unwrap())
        .collect();
    // Both recordings on the same release (the album's): rewrite the catalogue accordingly.
    let mut data = data;
    let shared = data["recordings"][0]["releases"].clone();
    data["recordings"][1]["releases"] = shared;
    for t in &mut tracks {
        t.album = None;
    }
    let mut lib = library_of(tracks.clone());
    lib.saved_albums.push(SavedAlbum {
        added_at: None,
        album: Album {
            id: "unlinked".into(),
            uri: "spotify:album:unlinked".into(),
            name: "Album 0".into(),
            artists: Vec::new(),
            release_date: Some("2011-09-09".into()),
            total_tracks: Some(2),
            upc: None,
            tracks,
            musicbrainz: None,
        },
    });
    let mb = MbServer::start(data).await;
    let dir = tempfile::tempdir().unwrap();
    let summary = enrich(&mut lib, &mb, &cache(&dir), &EnrichOptions::default())
        .await
        .unwrap();
    assert_eq!(summary.albums_matched, 1, "{summary}");
    let m = lib.saved_albums[0].album.musicbrainz.clone().unwrap();
    assert_eq!(m.release_id, mbid(3, 0));
    assert_eq!(m.method, MatchMethod::Isrc);
}

/// One ISRC match names the album's release; its tracklist (one `reid:` search, no per-album
/// lookup, no Spotify link needed) matches the album's other tracks by position and duration,
/// and only the bonus track MusicBrainz lacks goes on to a fuzzy search.
/// "Album X": three recordings on one release (the first with an ISRC), and a library of its
/// three tracks plus a bonus track MusicBrainz lacks, on a Spotify album without a link.
fn album_x() -> (Library, Value, String) {
    let release_id = mbid(3, 0);
    let titles = ["One", "Two", "Three"];
    let rec = |n: usize| {
        json!({"id": mbid(1, n), "title": titles[n], "length": 200_000 + n as u64 * 1000,
            "artist-credit": [{"name": "The Band", "joinphrase": "", "artist": {"id": mbid(2, 8), "name": "The Band", "sort-name": "Band, The"}}],
            "isrcs": if n == 0 { vec![isrc(0)] } else { vec![] }})
    };
    let mut first = rec(0);
    first["releases"] = json!([{"id": release_id, "title": "Album X", "status": "Official", "track-count": 3,
        "release-group": {"id": mbid(4, 0), "primary-type": "Album", "secondary-types": []},
        "media": [{"position": 1, "track-offset": 0, "track": [{"id": mbid(5, 0), "number": "1", "title": "One", "length": 200_000}]}]}]);
    let tracks: Vec<Value> = (0..3)
        .map(|n| json!({"id": mbid(5, n), "number": (n + 1).to_string(), "position": n + 1, "title": titles[n], "length": 200_000 + n as u64 * 1000, "recording": rec(n)}))
        .collect();
    let release = json!({"id": release_id, "title": "Album X", "status": "Official",
        "release-group": {"id": mbid(4, 0), "primary-type": "Album", "secondary-types": []},
        "media": [{"position": 1, "track-count": 3, "tracks": tracks}]});
    let data = json!({"recordings": [first, rec(1), rec(2)], "urls": [], "releases": [release]});
    let mut items = Vec::new();
    for (n, title) in ["One", "Two", "Three", "Four (Bonus Track)"]
        .iter()
        .enumerate()
    {
        let mut t = track(
            &format!("x{n}"),
            title,
            "The Band",
            200_400 + n as u64 * 1000,
            (n == 0).then(|| isrc(0)),
        );
        t.album = Some(AlbumRef {
            id: Some("albX".into()),
            name: "Album X".into(),
            release_date: None,
        });
        t.track_number = Some(n as u32 + 1);
        items.push(t);
    }
    let lib = library_of(items);
    (lib, data, release_id)
}

#[tokio::test]
async fn one_matched_track_brings_its_albums_tracklist_in_one_search() {
    let (mut lib, data, release_id) = album_x();
    let mb = MbServer::start(data).await;
    let dir = tempfile::tempdir().unwrap();
    let summary = enrich(&mut lib, &mb, &cache(&dir), &EnrichOptions::default())
        .await
        .unwrap();
    let queries: Vec<String> = mb.requests("/recording").iter().map(query_of).collect();
    assert_eq!(queries.len(), 3, "{queries:?}");
    assert!(queries[0].starts_with("isrc:("), "{queries:?}");
    assert!(queries[1].starts_with("reid:("), "{queries:?}");
    assert!(queries[2].contains("recording:\"four"), "{queries:?}");
    assert!(mb.requests("/release/").is_empty());
    for url in mb.requests("/url") {
        assert!(
            !url.as_str().contains("album") && !url.as_str().contains("track"),
            "an album whose release is implied needs no link lookup: {url}"
        );
    }
    assert_eq!(summary.by_method.get("isrc"), Some(&1), "{summary}");
    assert_eq!(
        summary.by_method.get("release_tracklist"),
        Some(&2),
        "{summary}"
    );
    assert_eq!(summary.unmatched, 1, "the bonus track MusicBrainz lacks");
    let third = lib.liked_tracks[2].item.as_ref().unwrap();
    let m = third.musicbrainz.as_ref().unwrap();
    assert_eq!(m.recording_id, mbid(1, 2));
    assert_eq!(m.release_id.as_deref(), Some(release_id.as_str()));
    assert!(lib.liked_tracks[3]
        .item
        .as_ref()
        .unwrap()
        .musicbrainz
        .is_none());

    // Everything it asked is cached: a second run sends nothing.
    let mut again = library_of(
        lib.liked_tracks
            .iter()
            .map(|e| {
                let mut i = e.item.clone().unwrap();
                i.musicbrainz = None;
                i
            })
            .collect(),
    );
    let before = mb.total();
    let second = enrich(&mut again, &mb, &cache(&dir), &EnrichOptions::default())
        .await
        .unwrap();
    assert_eq!(mb.total(), before, "{second}");
    assert_eq!(second.by_method.get("release_tracklist"), Some(&2));
}

/// Batched searches hand each hit to the tracks it may answer; a same-title hit by another
/// artist, asked for by a neighbour in the batch, never becomes a match for the wrong track.
#[tokio::test]
async fn a_batched_search_never_hands_one_tracks_hit_to_another() {
    let mut richie = track("d1", "Hello", "Lionel Richie", 251_000, None);
    richie.album.as_mut().unwrap().name = "Album 1".into();
    // Adele's "Hello" is not in this MusicBrainz; Lionel Richie's is, at the same length.
    let mut adele = track("d2", "Hello", "Adele", 251_500, None);
    adele.album.as_mut().unwrap().name = "Album 1".into();
    let mut other = track("d3", "Someone Like You", "Adele", 285_000, None);
    other.album.as_mut().unwrap().name = "Album 2".into();
    let mut lib = library_of(vec![richie, adele, other]);
    let data = json!({"recordings": [
        recording(1, "Hello", "Lionel Richie", 251_200, &[]),
        recording(2, "Someone Like You", "Adele", 285_300, &[]),
    ], "urls": [], "releases": []});
    let mb = MbServer::start(data).await;
    let dir = tempfile::tempdir().unwrap();
    let summary = enrich(&mut lib, &mb, &cache(&dir), &EnrichOptions::default())
        .await
        .unwrap();
    let searches = mb.requests("/recording");
    assert_eq!(searches.len(), 1, "three tracks, one search");
    let got = |i: usize| {
        lib.liked_tracks[i]
            .item
            .as_ref()
            .unwrap()
            .musicbrainz
            .as_ref()
            .map(|m| m.recording_id.clone())
    };
    assert_eq!(got(0), Some(mbid(1, 1)));
    assert_eq!(got(1), None, "Adele's Hello is not Lionel Richie's");
    assert_eq!(got(2), Some(mbid(1, 2)));
    assert_eq!(summary.by_method.get("search"), Some(&2));
}

/// A malformed tracklist answer stops the run with a clear error and leaves the library as it
/// was; the ISRC batch already done is cached, so the rerun asks only for what is missing.
#[tokio::test]
async fn a_malformed_tracklist_answer_stops_cleanly_and_the_rerun_resumes() {
    let (mut lib, data, _) = album_x();
    let before = lib.clone();
    let mb = MbServer::start(data).await;
    Mock::given(path("/ws/2/recording"))
        .and(query_param_contains("query", "reid:"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"recordings\": 7"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&mb.server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let err = enrich(&mut lib, &mb, &cache(&dir), &EnrichOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, EnrichError::Malformed { .. }), "{err:?}");
    assert!(err.to_string().contains("tracklists"), "{err}");
    assert_eq!(lib, before);
    let summary = enrich(&mut lib, &mb, &cache(&dir), &EnrichOptions::default())
        .await
        .unwrap();
    let isrc_batches = mb
        .requests("/recording")
        .iter()
        .filter(|u| query_of(u).starts_with("isrc:"))
        .count();
    assert_eq!(isrc_batches, 1, "the ISRC batch is not asked again");
    assert_eq!(summary.by_method.get("release_tracklist"), Some(&2));
}
