//! Enrichment request budget on a simulated 10,000-track library against the demo's simulated
//! MusicBrainz (unthrottled, counting requests). Prints a table; run with
//! `cargo bench --bench enrich`.
//!
//! The library: 10,000 distinct tracks on 1,000 albums by 500 artists, 90% with ISRCs of which
//! 95% are known to MusicBrainz; 40% of albums linked to their release by Spotify URL; 3,000
//! tracks repeated in playlists; 300 saved albums; 200 followed artists (half linked). Every
//! album's release and tracklist is in the simulated MusicBrainz (searchable by `reid:`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use trackvault::demo::musicbrainz_sim::{answer, Data};
use trackvault::enrich::cache::{Cache, Ttl};
use trackvault::enrich::musicbrainz::MusicBrainz;
use trackvault::enrich::pipeline::{enrich_library, EnrichOptions};
use trackvault::enrich::summary::EnrichSummary;
use trackvault::http::{RetryPolicy, Transport};
use trackvault::model::*;

const TRACKS: usize = 10_000;
const ALBUMS: usize = 1_000;
const ARTISTS: usize = 500;

fn mbid(kind: u32, n: usize) -> String {
    format!("{kind:08}-0000-4000-8000-{n:012}")
}

fn has_isrc(i: usize) -> bool {
    !i.is_multiple_of(10)
}

fn isrc_known(i: usize) -> bool {
    i % 20 != 1
}

fn album_linked(a: usize) -> bool {
    a % 5 < 2
}

struct World {
    library: Library,
    data: Value,
    isrc_tracks: usize,
}

fn build() -> World {
    let mut recordings = Vec::new();
    let mut releases = Vec::new();
    let mut urls = Vec::new();
    let mut albums: Vec<Vec<Item>> = vec![Vec::new(); ALBUMS];
    let mut liked = Vec::new();
    for i in 0..TRACKS {
        let album = i % ALBUMS;
        let artist = album % ARTISTS;
        let title = format!("Song {i} of album {album}");
        let artist_name = format!("Artist {artist}");
        let length = 150_000 + (i as u64 * 7919) % 200_000;
        let isrc = format!("QZ{:03}{:07}", artist % 1000, i);
        let item = Item {
            item_type: "track".into(),
            id: Some(format!("tr{i:020}")),
            uri: format!("spotify:track:tr{i:020}"),
            name: if i.is_multiple_of(7) {
                format!("{title} - 2011 Remaster")
            } else {
                title.clone()
            },
            artists: vec![ArtistRef {
                id: Some(format!("ar{artist:020}")),
                name: artist_name.clone(),
            }],
            album: Some(AlbumRef {
                id: Some(format!("al{album:020}")),
                name: format!("Album {album}"),
                release_date: Some("2015-05-01".into()),
            }),
            duration_ms: Some(length + 700),
            explicit: Some(false),
            disc_number: Some(1),
            track_number: Some((i / ALBUMS) as u32 + 1),
            isrc: has_isrc(i).then(|| isrc.clone()),
            musicbrainz: None,
            show: None,
        };
        albums[album].push(item.clone());
        liked.push(item);
        let isrcs: Vec<String> = if has_isrc(i) && isrc_known(i) {
            vec![isrc]
        } else {
            Vec::new()
        };
        recordings.push(json!({
            "id": mbid(1, i), "title": title, "length": length, "isrcs": isrcs,
            "artist-credit": [{"name": artist_name, "joinphrase": "", "artist": {"id": mbid(2, artist), "name": artist_name}}],
            "releases": [{"id": mbid(3, album), "title": format!("Album {album}"), "status": "Official", "date": "2015-05-01",
                          "track-count": TRACKS / ALBUMS,
                          "release-group": {"id": mbid(4, album), "primary-type": "Album", "secondary-types": []}}]
        }));
    }
    for (a, tracks) in albums.iter().enumerate() {
        if album_linked(a) {
            urls.push(json!({"resource": format!("https://open.spotify.com/album/al{a:020}"),
            "relations": [{"target-type": "release", "type": "free streaming", "release": {"id": mbid(3, a), "title": format!("Album {a}")}}]}));
        }
        let list: Vec<Value> = tracks
            .iter()
            .enumerate()
            .map(|(pos, t)| {
                let i: usize = t.id.as_ref().unwrap()[2..].parse().unwrap();
                let mut rec = recordings[i].clone();
                rec.as_object_mut().unwrap().remove("releases");
                json!({"position": pos + 1, "number": (pos + 1).to_string(), "title": rec["title"], "length": rec["length"], "recording": rec})
            })
            .collect();
        releases.push(json!({"id": mbid(3, a), "title": format!("Album {a}"), "status": "Official", "date": "2015-05-01",
            "release-group": {"id": mbid(4, a), "primary-type": "Album", "secondary-types": []},
            "media": [{"position": 1, "track-count": list.len(), "tracks": list}]}));
    }
    for artist in (0..200).step_by(2) {
        urls.push(json!({"resource": format!("https://open.spotify.com/artist/ar{artist:020}"),
            "relations": [{"target-type": "artist", "type": "free streaming", "artist": {"id": mbid(2, artist), "name": format!("Artist {artist}")}}]}));
    }
    let isrc_tracks = (0..TRACKS).filter(|&i| has_isrc(i)).count();
    let mut library = Library::empty(SOURCE_WEB_API, User::default());
    let entry = |position: usize, item: &Item| Entry {
        position: position as u32,
        added_at: None,
        added_by: None,
        kind: EntryKind::Track,
        item: Some(item.clone()),
    };
    library.liked_tracks = liked.iter().enumerate().map(|(p, t)| entry(p, t)).collect();
    library.playlists.push(Playlist {
        id: "mix".into(),
        name: "Mix".into(),
        description: None,
        owner: Owner::default(),
        public: Some(false),
        collaborative: false,
        snapshot_id: None,
        total: 3000,
        contents: Contents::Complete,
        not_accessible_reason: None,
        entries: liked
            .iter()
            .step_by(3)
            .take(3000)
            .enumerate()
            .map(|(p, t)| entry(p, t))
            .collect(),
    });
    for (a, tracks) in albums.iter().enumerate().take(300) {
        let simplified: Vec<Item> = tracks
            .iter()
            .map(|t| Item {
                album: None,
                isrc: None,
                ..t.clone()
            })
            .collect();
        library.saved_albums.push(SavedAlbum {
            added_at: None,
            album: Album {
                id: format!("al{a:020}"),
                uri: format!("spotify:album:al{a:020}"),
                name: format!("Album {a}"),
                artists: Vec::new(),
                release_date: Some("2015-05-01".into()),
                total_tracks: Some(tracks.len() as u32),
                upc: None,
                tracks: simplified,
                musicbrainz: None,
            },
        });
    }
    library.followed_artists = (0..200)
        .map(|a| Artist {
            id: format!("ar{a:020}"),
            uri: format!("spotify:artist:ar{a:020}"),
            name: format!("Artist {a}"),
            genres: Vec::new(),
            musicbrainz: None,
        })
        .collect();
    World {
        library,
        data: json!({"recordings": recordings, "urls": urls, "releases": releases}),
        isrc_tracks,
    }
}

/// The simulator behind a replay transport, timing itself so its cost can be subtracted.
fn sim(data: Data, spent: Arc<Mutex<Duration>>) -> Transport {
    let data = Arc::new(data);
    Transport::Replay(Arc::new(move |req| {
        let start = Instant::now();
        let resp = answer(&data, req);
        *spent.lock().unwrap() += start.elapsed();
        resp
    }))
}

struct RunResult {
    summary: EnrichSummary,
    pipeline_cpu: Duration,
}

fn run(world: &World, cache: &Cache, data: Data, rt: &tokio::runtime::Runtime) -> RunResult {
    let spent = Arc::new(Mutex::new(Duration::ZERO));
    let mb = MusicBrainz::new(
        sim(data, spent.clone()),
        url::Url::parse("http://sim.invalid/ws/2").unwrap(),
        f64::INFINITY,
        RetryPolicy::default(),
    );
    let mut library = world.library.clone();
    let start = Instant::now();
    let summary = rt
        .block_on(enrich_library(
            &mut library,
            &mb,
            cache,
            &EnrichOptions::default(),
            trackvault::progress::hidden(),
        ))
        .expect("enrichment");
    let total = start.elapsed();
    let sim_time = *spent.lock().unwrap();
    RunResult {
        summary,
        pipeline_cpu: total.saturating_sub(sim_time),
    }
}

fn hms(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}h{:02}m{:02}s", s / 3600, s / 60 % 60, s % 60)
}

fn main() {
    let world = build();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("cache.sqlite3"), Ttl::default()).unwrap();
    let data = || serde_json::from_value::<Data>(world.data.clone()).unwrap();
    let first = run(&world, &cache, data(), &rt);
    let second = run(&world, &cache, data(), &rt);

    let s = &first.summary;
    let req = |label: &str| s.requests.0.get(label).copied().unwrap_or(0);
    let isrc_batches = req(trackvault::enrich::musicbrainz::LABEL_ISRC_SEARCH);
    let total = s.requests.total();
    let isrc_tracks = world.isrc_tracks;
    let no_isrc = s.tracks - isrc_tracks;
    let isrc_misses = (0..TRACKS)
        .filter(|&i| has_isrc(i) && !isrc_known(i))
        .count();
    // One lookup per track: /isrc/ for each ISRC, a search for each track without one or whose
    // ISRC is unknown; one /url/ per album and artist.
    let naive = isrc_tracks + no_isrc + isrc_misses + 300 + 200;

    println!("enrichment on a simulated {TRACKS}-track library ({isrc_tracks} with ISRCs, 95% of them known to MusicBrainz)");
    println!();
    println!("| metric | value |");
    println!("|---|---|");
    println!(
        "| distinct tracks / matched / unmatched | {} / {} / {} |",
        s.tracks,
        s.matched(),
        s.unmatched
    );
    for (method, n) in &s.by_method {
        println!("| matched by {method} | {n} |");
    }
    println!(
        "| saved albums with release / followed artists with MBID | {}/{} / {}/{} |",
        s.albums_matched, s.albums, s.artists_matched, s.artists
    );
    for (label, n) in &s.requests.0 {
        println!("| requests, phase {label} | {n} |");
    }
    println!(
        "| ISRC-search requests per ISRC-bearing track (target ≤ 0.05) | {:.4} |",
        isrc_batches as f64 / isrc_tracks as f64
    );
    println!(
        "| all requests per track | {:.3} |",
        total as f64 / s.tracks as f64
    );
    println!("| total requests, first run (target ≤ 400) | {total} |");
    println!(
        "| wall time at 1 req/s, first run | {} |",
        hms(Duration::from_secs(total))
    );
    println!(
        "| one-lookup-per-track baseline: requests / at 1 req/s | {naive} / {} |",
        hms(Duration::from_secs(naive as u64))
    );
    println!(
        "| requests, second run of the unchanged library (target 0) | {} |",
        second.summary.requests.total()
    );
    println!(
        "| lookups answered from the cache, second run | {} |",
        second.summary.cache_hits
    );
    println!(
        "| pipeline CPU time, first run (simulator excluded) | {:.0} ms |",
        first.pipeline_cpu.as_secs_f64() * 1000.0
    );
    println!(
        "| pipeline CPU time, second run (all cached) | {:.0} ms |",
        second.pipeline_cpu.as_secs_f64() * 1000.0
    );
}
