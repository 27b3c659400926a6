//! Shared helpers for the enrichment tests: a wiremock MusicBrainz backed by the demo's
//! simulator (real WS/2 shapes), data builders and a fast client.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use trackvault::demo::musicbrainz_sim::{answer, Data};
use trackvault::enrich::musicbrainz::MusicBrainz;
use trackvault::http::{network_client, RetryPolicy, Transport};
use trackvault::model::{AlbumRef, ArtistRef, Entry, EntryKind, Item, Library, User};
use url::Url;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

/// Every request the simulated server answered: when, and its path and query.
pub type Log = Arc<Mutex<Vec<(Instant, Url)>>>;

struct Sim {
    data: Data,
    log: Log,
}

impl Respond for Sim {
    fn respond(&self, req: &wiremock::Request) -> ResponseTemplate {
        self.log
            .lock()
            .unwrap()
            .push((Instant::now(), req.url.clone()));
        let resp = answer(
            &self.data,
            &trackvault::http::Request::get(req.url.clone(), "sim"),
        );
        ResponseTemplate::new(resp.status).set_body_raw(resp.body, "application/json")
    }
}

pub struct MbServer {
    pub server: MockServer,
    pub log: Log,
}

impl MbServer {
    /// A WS/2 server over `data` (`{"recordings": [...], "urls": [...], "releases": [...]}`).
    pub async fn start(data: Value) -> Self {
        let server = MockServer::start().await;
        let log: Log = Arc::default();
        let data: Data = serde_json::from_value(data).expect("sim data");
        Mock::given(any())
            .respond_with(Sim {
                data,
                log: log.clone(),
            })
            .mount(&server)
            .await;
        MbServer { server, log }
    }

    pub fn base(&self) -> Url {
        Url::parse(&format!("{}/ws/2", self.server.uri())).unwrap()
    }

    pub fn client(&self, rate: f64) -> MusicBrainz {
        client(self.base(), rate)
    }

    /// Requests the simulator answered whose path ends with `path` (e.g. `/recording`).
    pub fn requests(&self, path: &str) -> Vec<Url> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, u)| u.path().ends_with(path))
            .map(|(_, u)| u.clone())
            .collect()
    }

    pub fn total(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

pub fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(10),
        long_wait: Duration::from_secs(30),
        max_rate_limited: 3,
    }
}

pub fn client(base: Url, rate: f64) -> MusicBrainz {
    let http = network_client(
        "trackvault-tests/0 ( tests@example.org )",
        Duration::from_secs(10),
    )
    .unwrap();
    MusicBrainz::new(Transport::Network(http), base, rate, quick_retry())
}

pub fn mbid(kind: u32, n: usize) -> String {
    format!("{kind:08}-0000-4000-8000-{n:012}")
}

pub fn isrc(n: usize) -> String {
    format!("USABC{n:07}")
}

/// A recording in search-hit shape, on one release.
pub fn recording(n: usize, title: &str, artist: &str, length: u64, isrcs: &[String]) -> Value {
    json!({
        "id": mbid(1, n),
        "title": title,
        "length": length,
        "video": null,
        "disambiguation": "",
        "artist-credit": [{"name": artist, "joinphrase": "", "artist": {"id": mbid(2, artist.len()), "name": artist, "sort-name": artist}}],
        "isrcs": isrcs,
        "releases": [{
            "id": mbid(3, n), "title": format!("Album {n}"), "status": "Official",
            "release-group": {"id": mbid(4, n), "primary-type": "Album", "secondary-types": []},
            "date": "2011-09-09", "country": "XE", "track-count": 10,
            "media": [{"position": 1, "format": "CD", "track": [{"id": mbid(5, n), "number": "1", "title": title, "length": length}], "track-count": 10, "track-offset": 0}]
        }]
    })
}

pub fn track(id: &str, title: &str, artist: &str, duration: u64, isrc: Option<String>) -> Item {
    Item {
        item_type: "track".into(),
        id: Some(id.into()),
        uri: format!("spotify:track:{id}"),
        name: title.into(),
        artists: vec![ArtistRef {
            id: Some(format!("art{}", artist.len())),
            name: artist.into(),
        }],
        album: Some(AlbumRef {
            id: Some(format!("alb{id}")),
            name: "Some Album".into(),
            release_date: Some("2011-09-09".into()),
        }),
        duration_ms: Some(duration),
        explicit: Some(false),
        disc_number: Some(1),
        track_number: Some(1),
        isrc,
        musicbrainz: None,
        show: None,
    }
}

pub fn entry(position: u32, item: Item) -> Entry {
    Entry {
        position,
        added_at: None,
        added_by: None,
        kind: EntryKind::Track,
        item: Some(item),
    }
}

pub fn library_of(items: Vec<Item>) -> Library {
    let mut lib = Library::empty(trackvault::model::SOURCE_WEB_API, User::default());
    lib.liked_tracks = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| entry(i as u32, item))
        .collect();
    lib
}

/// `n` tracks with ISRCs, each known to the returned catalogue.
pub fn isrc_library(n: usize) -> (Library, Value) {
    let mut items = Vec::new();
    let mut recs = Vec::new();
    for i in 0..n {
        let title = format!("Song number {i}");
        items.push(track(
            &format!("t{i:05}"),
            &title,
            "The Band",
            200_000 + i as u64,
            Some(isrc(i)),
        ));
        recs.push(recording(
            i,
            &title,
            "The Band",
            200_500 + i as u64,
            &[isrc(i)],
        ));
    }
    (
        library_of(items),
        json!({"recordings": recs, "urls": [], "releases": []}),
    )
}
