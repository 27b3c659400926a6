//! No-panic fuzzing of every parser of outside data on the network side (issue 10): Spotify
//! pages of every collection kind and their normalization, MusicBrainz answers and the
//! candidates and decisions built from them, the saved token file, `Retry-After` and other
//! header values, and the login redirect. Inputs are arbitrary bytes, arbitrary JSON trees
//! biased towards the field names the parsers look for, and real recorded pages from
//! `fixtures/` with random parts replaced. A returned error is fine; a panic fails the test.
//! Two end-to-end properties run a whole backup and a whole enrichment over replayed, mutated
//! answers. Case counts keep each property to a few seconds.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Map, Number, Value};
use trackvault::app::backup::{run_backup, BackupOptions};
use trackvault::archive::Archive;
use trackvault::enrich::cache::{Cache, Ttl};
use trackvault::enrich::matcher::{decide, Evidence, TrackQuery};
use trackvault::enrich::musicbrainz::{MbRecording, MbRelease, MbUrl, MusicBrainz, SearchPage};
use trackvault::enrich::pipeline::{enrich_library, EnrichOptions};
use trackvault::http::{
    parse_retry_after, HttpResponse, Request, RetryPolicy, Transport, Upstream,
};
use trackvault::model::Library;
use trackvault::spotify::auth::{load_token, parse_redirect, AuthConfig, TokenProvider};
use trackvault::spotify::normalize;
use trackvault::spotify::pages::{
    FollowingHead, FollowingPage, Page, PageHead, RawEntry, RawItem, RawMe, RawPlaylist,
    RawSavedAlbum, RawSavedShow,
};
use trackvault::spotify::SpotifyClient;
use url::Url;

const SPOTIFY_FIXTURES: &[&str] = &[
    include_str!("../fixtures/spotify/me.json"),
    include_str!("../fixtures/spotify/me_albums.json"),
    include_str!("../fixtures/spotify/me_episodes.json"),
    include_str!("../fixtures/spotify/me_following.json"),
    include_str!("../fixtures/spotify/me_playlists.json"),
    include_str!("../fixtures/spotify/me_shows.json"),
    include_str!("../fixtures/spotify/me_tracks.json"),
    include_str!("../fixtures/spotify/playlist_items.json"),
    include_str!("../fixtures/spotify/playlist_items_episode.json"),
    include_str!("../fixtures/spotify/playlist_items_local.json"),
];

const MUSICBRAINZ_FIXTURES: &[&str] = &[
    include_str!("../fixtures/musicbrainz/release-lookup.json"),
    include_str!("../fixtures/musicbrainz/search-isrc-page.json"),
    include_str!("../fixtures/musicbrainz/url-lookup.json"),
];

/// Field names the parsers look for, so random trees reach past the first `match`.
const KEYS: &[&str] = &[
    "items",
    "total",
    "next",
    "offset",
    "limit",
    "cursors",
    "after",
    "artists",
    "item",
    "track",
    "episode",
    "album",
    "show",
    "added_at",
    "added_by",
    "is_local",
    "type",
    "id",
    "uri",
    "name",
    "duration_ms",
    "disc_number",
    "track_number",
    "explicit",
    "external_ids",
    "isrc",
    "upc",
    "tracks",
    "release_date",
    "total_tracks",
    "total_episodes",
    "publisher",
    "genres",
    "owner",
    "display_name",
    "public",
    "collaborative",
    "snapshot_id",
    "description",
    "account_id",
    "count",
    "recordings",
    "title",
    "length",
    "score",
    "disambiguation",
    "artist-credit",
    "joinphrase",
    "artist",
    "sort-name",
    "aliases",
    "isrcs",
    "releases",
    "status",
    "date",
    "release-group",
    "primary-type",
    "secondary-types",
    "track-count",
    "media",
    "position",
    "number",
    "recording",
    "urls",
    "resource",
    "relations",
    "target-type",
    "release",
    "client_id",
    "access_token",
    "refresh_token",
    "expires_at",
    "scope",
    "authorized_at",
];

/// Numbers at the edges of every integer type the parsers use.
const EDGE_NUMBERS: &[i128] = &[
    0,
    1,
    -1,
    50,
    255,
    256,
    i32::MAX as i128,
    u32::MAX as i128,
    u32::MAX as i128 + 1,
    i64::MAX as i128,
    i64::MIN as i128,
    u64::MAX as i128,
];

/// Strings that mean something to the parsers.
const EDGE_STRINGS: &[&str] = &[
    "",
    "track",
    "episode",
    "chapter",
    "spotify:local:a:b:c:99999999999999999",
    "spotify:track:",
    "1970-01-01T00:00:00Z",
    "+262143-12-31T23:59:59Z",
    "-262143-01-01T00:00:00Z",
    "2026-12-06T04:00:00Z",
    "https://api.spotify.com/v1/me/following?type=artist&after=x",
    "http://[::1",
    "Official",
    "Album",
    "\u{0}\u{1b}[2J\n",
    "99999999999999999999999999",
];

fn edge_number() -> impl Strategy<Value = Value> {
    prop::sample::select(EDGE_NUMBERS).prop_map(|n| {
        if let Ok(i) = i64::try_from(n) {
            Value::from(i)
        } else {
            Value::from(n as u64)
        }
    })
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        edge_number(),
        prop::sample::select(EDGE_STRINGS).prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(KEYS).prop_map(str::to_string),
        1 => ".{0,6}",
    ]
}

/// Arbitrary JSON trees, biased towards the keys the parsers read.
fn arb_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Where in a tree to change something (child choices, one per level) and what to put there.
#[derive(Debug, Clone)]
struct Mutation {
    path: Vec<u32>,
    replacement: Option<Value>,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    (
        prop::collection::vec(any::<u32>(), 0..8),
        prop::option::weighted(0.85, arb_json()),
    )
        .prop_map(|(path, replacement)| Mutation { path, replacement })
}

/// Follows `m.path` into `value` and replaces what it reaches (or removes it when the
/// replacement is `None` and its parent is a container).
fn mutate(value: &mut Value, m: &Mutation) {
    let mut node = value;
    for (depth, choice) in m.path.iter().enumerate() {
        let last = depth + 1 == m.path.len();
        let len = match &*node {
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            _ => 0,
        };
        if len == 0 {
            break;
        }
        let i = *choice as usize % len;
        if last && m.replacement.is_none() {
            match node {
                Value::Array(a) => {
                    a.remove(i);
                }
                Value::Object(o) => {
                    let k = o.keys().nth(i).cloned().unwrap_or_default();
                    o.remove(&k);
                }
                _ => {}
            }
            return;
        }
        node = match node {
            Value::Array(a) => &mut a[i],
            Value::Object(o) => match o.values_mut().nth(i) {
                Some(v) => v,
                None => return,
            },
            _ => unreachable!("only containers have children"),
        };
    }
    if let Some(replacement) = &m.replacement {
        *node = replacement.clone();
    }
}

fn mutated(fixture: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut value: Value = serde_json::from_str(fixture).expect("fixtures are JSON");
    for m in mutations {
        mutate(&mut value, m);
    }
    serde_json::to_vec(&value).unwrap()
}

/// Every Spotify page parser and the normalization of whatever it accepts.
fn parse_spotify(body: &[u8]) {
    if let Ok(head) = serde_json::from_slice::<PageHead>(body) {
        let _ = head.rows();
    }
    if let Ok(head) = serde_json::from_slice::<FollowingHead>(body) {
        let _ = (head.artists.rows(), head.artists.after());
    }
    if let Ok(page) = serde_json::from_slice::<Page<RawEntry>>(body) {
        for (i, row) in page.items.iter().enumerate() {
            let _ = normalize::entry(i as u32, row.as_ref());
        }
    }
    if let Ok(page) = serde_json::from_slice::<Page<RawItem>>(body) {
        for row in page.items.iter().flatten() {
            let _ = normalize::item(row);
        }
    }
    if let Ok(page) = serde_json::from_slice::<Page<RawSavedAlbum>>(body) {
        for row in &page.items {
            let _ = normalize::saved_album(row.as_ref());
        }
    }
    if let Ok(page) = serde_json::from_slice::<Page<RawSavedShow>>(body) {
        for row in &page.items {
            let _ = normalize::saved_show(row.as_ref());
        }
    }
    if let Ok(page) = serde_json::from_slice::<FollowingPage>(body) {
        for row in &page.artists.items {
            let _ = normalize::artist(row.as_ref());
        }
    }
    if let Ok(page) = serde_json::from_slice::<Page<RawPlaylist>>(body) {
        for row in page.items.iter().flatten() {
            let _ = row.total();
        }
    }
    let _ = serde_json::from_slice::<RawMe>(body);
}

/// Every MusicBrainz answer shape and everything built from it, judged against a track.
fn parse_musicbrainz(body: &[u8]) {
    let query = TrackQuery::from_item(&trackvault::model::Item {
        duration_ms: Some(u64::MAX),
        ..trackvault::model::Item::bare("track", Some("x".into()), "spotify:track:x", "Song")
    });
    let mut candidates = Vec::new();
    if let Ok(page) = serde_json::from_slice::<SearchPage>(body) {
        candidates.extend(page.recordings.iter().map(MbRecording::to_candidate));
    }
    if let Ok(rec) = serde_json::from_slice::<MbRecording>(body) {
        candidates.push(rec.to_candidate());
    }
    if let Ok(release) = serde_json::from_slice::<MbRelease>(body) {
        let _ = (release.total_tracks(), release.as_candidate_release());
        candidates.extend(release.track_candidates());
    }
    if let Ok(url) = serde_json::from_slice::<MbUrl>(body) {
        let _ = url.targets();
    }
    for evidence in [Evidence::Isrc, Evidence::SpotifyUrl, Evidence::Search] {
        let _ = decide(&query, &candidates, evidence);
    }
}

fn retry_after_response(status: u16, value: &[u8]) -> HttpResponse {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_bytes(value) {
        headers.insert("retry-after", v);
    }
    HttpResponse {
        status,
        headers,
        body: b"{}".to_vec(),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn hash_of(seed: u64, text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    (seed, text).hash(&mut h);
    h.finish()
}

/// Wraps a replaying transport so each answer is mutated (picked by `seed` and the URL),
/// its status sometimes changed, and a `Retry-After` sometimes added.
fn hostile(
    inner: Transport,
    seed: u64,
    mutations: Vec<Mutation>,
    retry_after: String,
) -> Transport {
    let Transport::Replay(inner) = inner else {
        unreachable!("the demo transports replay")
    };
    Transport::Replay(Arc::new(move |req: &Request| {
        let mut resp = inner(req);
        let h = hash_of(seed, req.url.as_str());
        if !mutations.is_empty() && !h.is_multiple_of(4) {
            if let Ok(mut value) = serde_json::from_slice::<Value>(&resp.body) {
                mutate(&mut value, &mutations[(h / 4) as usize % mutations.len()]);
                resp.body = serde_json::to_vec(&value).unwrap();
            }
        }
        match (h >> 20) % 16 {
            0 => resp.status = 503,
            1 => resp.status = 429,
            2 => resp.status = 500,
            3 => resp
                .body
                .truncate((h as usize >> 8) % (resp.body.len() + 1)),
            _ => {}
        }
        if let Ok(v) = HeaderValue::from_str(&retry_after) {
            resp.headers.insert("retry-after", v);
        }
        resp
    }))
}

/// Retries without waiting: every wait is either zero or a pause.
fn impatient() -> RetryPolicy {
    RetryPolicy {
        max_retries: 1,
        min_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
        long_wait: Duration::ZERO,
        max_rate_limited: 0,
    }
}

/// The demo library, as a backup of the bundled pages builds it.
fn demo_library() -> Library {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let report = runtime()
        .block_on(run_backup(
            &archive,
            &SpotifyClient::demo(),
            &BackupOptions::default(),
            &trackvault::progress::hidden(),
        ))
        .unwrap();
    archive.read_library(&report.snapshot_id).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn spotify_pages_never_panic_on_arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..400)) {
        parse_spotify(&body);
    }

    #[test]
    fn spotify_pages_never_panic_on_arbitrary_json(value in arb_json()) {
        parse_spotify(&serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn mutated_real_spotify_pages_never_panic(
        which in 0..SPOTIFY_FIXTURES.len(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        parse_spotify(&mutated(SPOTIFY_FIXTURES[which], &mutations));
    }

    #[test]
    fn musicbrainz_answers_never_panic_on_arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..400)) {
        parse_musicbrainz(&body);
    }

    #[test]
    fn musicbrainz_answers_never_panic_on_arbitrary_json(value in arb_json()) {
        parse_musicbrainz(&serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn mutated_real_musicbrainz_answers_never_panic(
        which in 0..MUSICBRAINZ_FIXTURES.len(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        parse_musicbrainz(&mutated(MUSICBRAINZ_FIXTURES[which], &mutations));
    }

    #[test]
    fn retry_after_values_never_panic_and_stay_within_a_day(
        text in prop_oneof![
            ".{0,40}",
            "[0-9]{1,40}",
            "-?[0-9]{0,5}(\\.[0-9]{0,5})?(e[-+]?[0-9]{1,4})?",
            "(Mon|Fri|Sun), [0-9]{1,2} (Jan|Dec) [0-9]{1,6} [0-9]{2}:[0-9]{2}:[0-9]{2} (GMT|[-+][0-9]{4})",
        ],
        bytes in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        for wait in [parse_retry_after(&text), retry_after_response(429, &bytes).retry_after()]
            .into_iter()
            .flatten()
        {
            prop_assert!(wait <= Duration::from_secs(24 * 3600), "{text:?}: {wait:?}");
        }
        // Through the retry layer, where a wait becomes a pause with a resume time.
        let value = text.clone();
        let up = Upstream::new(
            "Fuzz",
            Transport::Replay(Arc::new(move |_req: &Request| {
                retry_after_response(503, value.as_bytes())
            })),
            Duration::ZERO,
            impatient(),
        );
        let url = Url::parse("http://127.0.0.1:9/x").unwrap();
        if let Err(err) = runtime().block_on(up.send(&Request::get(url, "x"))) {
            let _ = err.to_string();
        }
    }

    #[test]
    fn login_redirects_never_panic(text in ".{0,200}", state in ".{0,20}") {
        let _ = parse_redirect(&text, &state);
        let _ = parse_redirect(&format!("http://127.0.0.1:1/callback?{text}"), &state);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn token_files_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        shaped in prop::collection::vec((prop::sample::select(KEYS), leaf()), 0..8),
    ) {
        let shaped = Value::Object(
            [
                ("client_id", Value::from("c")),
                ("access_token", Value::from("a")),
                ("refresh_token", Value::from("r")),
                ("expires_at", Value::from("2026-12-06T04:00:00Z")),
                ("authorized_at", Value::from("2026-12-01T04:00:00Z")),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .chain(shaped.into_iter().map(|(k, v)| (k.to_string(), v)))
            .collect(),
        );
        for content in [bytes, serde_json::to_vec(&shaped).unwrap()] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("token.json"), &content).unwrap();
            if load_token(dir.path()).is_ok() {
                let cfg = AuthConfig {
                    client_id: String::new(),
                    // Port 9 refuses at once: a refresh attempt fails fast.
                    accounts_url: Url::parse("http://127.0.0.1:9").unwrap(),
                    config_dir: dir.path().to_path_buf(),
                };
                let http = reqwest::Client::builder().no_proxy().build().unwrap();
                if let Ok(provider) = TokenProvider::from_store(cfg, http) {
                    let _ = runtime().block_on(provider.access_token());
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_backup_over_mutated_spotify_answers_never_panics(
        seed in any::<u64>(),
        mutations in prop::collection::vec(mutation(), 0..6),
        retry_after in prop_oneof![Just(String::new()), Just("1e30".to_string()), "[0-9]{1,25}"],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path()).unwrap();
        let client = SpotifyClient::with_transport(
            hostile(trackvault::demo::spotify_replay::transport(), seed, mutations, retry_after),
            Url::parse(trackvault::demo::spotify_replay::DEMO_SPOTIFY_URL).unwrap(),
            TokenProvider::from_static("fuzz".into()),
            Duration::ZERO,
            impatient(),
        );
        let outcome = runtime().block_on(run_backup(
            &archive,
            &client,
            &BackupOptions::default(),
            &trackvault::progress::hidden(),
        ));
        if let Err(err) = outcome {
            let _ = err.to_string();
        }
    }

    #[test]
    fn an_enrichment_over_mutated_musicbrainz_answers_never_panics(
        seed in any::<u64>(),
        mutations in prop::collection::vec(mutation(), 0..6),
        retry_after in prop_oneof![Just(String::new()), Just("1e30".to_string()), "[0-9]{1,25}"],
    ) {
        thread_local!(static LIBRARY: Library = demo_library());
        let mut library = LIBRARY.with(Clone::clone);
        let mb = MusicBrainz::new(
            hostile(trackvault::demo::musicbrainz_sim::transport(), seed, mutations, retry_after),
            Url::parse(trackvault::demo::musicbrainz_sim::DEMO_MUSICBRAINZ_URL).unwrap(),
            f64::INFINITY,
            impatient(),
        );
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("cache.sqlite3"), Ttl::default()).unwrap();
        let outcome = runtime().block_on(enrich_library(
            &mut library,
            &mb,
            &cache,
            &EnrichOptions::default(),
            trackvault::progress::hidden(),
        ));
        if let Err(err) = outcome {
            let _ = err.to_string();
        }
    }
}
