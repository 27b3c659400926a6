//! `push listenbrainz` request counts and local cost, against an in-process ListenBrainz
//! simulation (a replay transport keeping playlists in memory; no network, no pacing).
//!
//! A 10,000-track Liked Songs plus 50 playlists of 200 tracks are pushed, then pushed again
//! unchanged, then after typical edits (new liked songs on top, some removed, a few moved, one
//! playlist reshuffled). For each run: requests by endpoint against the minimum (creates:
//! one per playlist + ⌈(n−100)/100⌉ appends; updates: one GET per changed playlist + one
//! request per changed stretch), wall time (state file written atomically after every change,
//! fsync included) and the planner's time on a 10,000-track diff. Peak RSS at the end.
//!
//! Run: `cargo bench --bench push`.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use trackvault::app::push::{push, PushOptions};
use trackvault::http::{HttpResponse, Request, Transport};
use trackvault::listenbrainz::diff;
use trackvault::listenbrainz::{ListenBrainz, StateFile};
use trackvault::model::{
    Contents, Entry, EntryKind, Item, Library, MatchMethod, Owner, Playlist, RecordingMatch, User,
};

const LIKED: u32 = 10_000;
const PLAYLISTS: u32 = 50;
const PER_PLAYLIST: u32 = 200;
const PREFIX: &str = "https://musicbrainz.org/recording/";

type Store = Arc<Mutex<HashMap<String, Vec<String>>>>;

fn sim(store: Store) -> Transport {
    let next = Arc::new(Mutex::new(0u64));
    Transport::Replay(Arc::new(move |req: &Request| {
        let mut st = store.lock().unwrap();
        let parts: Vec<String> = req
            .url
            .path()
            .trim_matches('/')
            .split('/')
            .map(str::to_string)
            .collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let body: Value = req
            .json
            .as_deref()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or(Value::Null);
        let mbids = |v: &Value| -> Vec<String> {
            v["playlist"]["track"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|t| t["identifier"].as_str().unwrap()[PREFIX.len()..].to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        let ok = json!({"status": "ok"});
        let out = match parts.as_slice() {
            ["1", "playlist", "create"] => {
                let mut n = next.lock().unwrap();
                *n += 1;
                let id = format!("pl-{n}");
                st.insert(id.clone(), mbids(&body));
                json!({"status": "ok", "playlist_mbid": id})
            }
            ["1", "playlist", "edit", _] => ok,
            ["1", "playlist", id] => {
                let tracks: Vec<Value> = st[*id]
                    .iter()
                    .map(|m| json!({"identifier": format!("{PREFIX}{m}")}))
                    .collect();
                json!({"playlist": {"track": tracks}})
            }
            ["1", "playlist", id, "item", rest @ ..] => {
                let list = st.get_mut(*id).unwrap();
                match rest {
                    ["add"] => list.extend(mbids(&body)),
                    ["add", at] => {
                        let at = at.parse::<usize>().unwrap().min(list.len());
                        list.splice(at..at, mbids(&body));
                    }
                    ["delete"] => {
                        let i = body["index"].as_u64().unwrap() as usize;
                        let c = body["count"].as_u64().unwrap() as usize;
                        list.drain(i..(i + c).min(list.len()));
                    }
                    ["move"] => {
                        let f = body["from"].as_u64().unwrap() as usize;
                        let t = body["to"].as_u64().unwrap() as usize;
                        let c = body["count"].as_u64().unwrap() as usize;
                        let block: Vec<String> = list.drain(f..f + c).collect();
                        list.splice(t..t, block);
                    }
                    _ => panic!("unexpected {parts:?}"),
                }
                ok
            }
            _ => panic!("unexpected {parts:?}"),
        };
        HttpResponse {
            status: 200,
            headers: HeaderMap::new(),
            body: serde_json::to_vec(&out).unwrap(),
        }
    }))
}

fn mbid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn entry(position: usize, n: u32) -> Entry {
    let mut item = Item::bare("track", Some(format!("t{n}")), "spotify:track:t", "Song");
    item.musicbrainz = Some(RecordingMatch {
        recording_id: mbid(n),
        release_id: None,
        release_group_id: None,
        artist_ids: vec![],
        method: MatchMethod::Isrc,
        confidence: 1.0,
    });
    Entry {
        position: position as u32,
        added_at: None,
        added_by: None,
        kind: EntryKind::Track,
        item: Some(item),
    }
}

fn entries(ids: &[u32]) -> Vec<Entry> {
    ids.iter().enumerate().map(|(i, n)| entry(i, *n)).collect()
}

fn library(liked: &[u32], playlists: &[Vec<u32>]) -> Library {
    let mut lib = Library::empty("spotify-web-api", User::default());
    lib.liked_tracks = entries(liked);
    lib.playlists = playlists
        .iter()
        .enumerate()
        .map(|(i, ids)| Playlist {
            id: format!("pl{i:019}"),
            name: format!("Playlist {i}"),
            description: None,
            owner: Owner::default(),
            public: Some(false),
            collaborative: false,
            snapshot_id: None,
            total: ids.len() as u32,
            contents: Contents::Complete,
            not_accessible_reason: None,
            entries: entries(ids),
        })
        .collect();
    lib
}

struct Run {
    name: &'static str,
    requests: u64,
    by_endpoint: String,
    minimum: u64,
    wall: Duration,
}

async fn run(
    name: &'static str,
    lib: &Library,
    root: &std::path::Path,
    client: &ListenBrainz,
    minimum: u64,
) -> Run {
    let before = client.request_counts();
    let mut state = StateFile::load(root, "http://sim", "token").unwrap();
    let started = Instant::now();
    push(
        lib,
        "bench",
        client,
        &mut state,
        &PushOptions::default(),
        &mut |_| {},
    )
    .await
    .unwrap();
    let wall = started.elapsed();
    let counts = client.request_counts().since(&before);
    Run {
        name,
        requests: counts.total(),
        by_endpoint: counts
            .0
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", "),
        minimum,
        wall,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store: Store = Arc::default();
    let client = ListenBrainz::new(
        sim(store.clone()),
        url::Url::parse("http://sim").unwrap(),
        "token",
        Duration::ZERO,
        Duration::from_secs(60),
    );
    let liked: Vec<u32> = (0..LIKED).collect();
    let playlists: Vec<Vec<u32>> = (0..PLAYLISTS)
        .map(|p| (0..PER_PLAYLIST).map(|i| LIKED + p * 1000 + i).collect())
        .collect();
    let v1 = library(&liked, &playlists);

    // Edits: 40 new liked songs on top, 25 scattered removals, 3 blocks moved; every 10th
    // playlist gets 5 new tracks at the end; one playlist is reversed.
    let mut liked2: Vec<u32> = (900_000..900_040).collect();
    liked2.extend(liked.iter().copied().filter(|n| n % 400 != 7));
    for k in 0..3 {
        let at = 1000 + k * 2000;
        let block: Vec<u32> = liked2.drain(at..at + 10).collect();
        let to = 8000 - k * 1500;
        liked2.splice(to..to, block);
    }
    let mut playlists2 = playlists.clone();
    for (i, p) in playlists2.iter_mut().enumerate() {
        if i % 10 == 0 {
            p.extend((0..5).map(|k| 800_000 + i as u32 * 10 + k));
        }
    }
    playlists2[7].reverse();
    let v2 = library(&liked2, &playlists2);

    let creates = |lists: &[usize]| -> u64 {
        lists
            .iter()
            .map(|&n| 1 + n.saturating_sub(100).div_ceil(100) as u64)
            .sum()
    };
    let mut sizes = vec![LIKED as usize];
    sizes.extend(playlists.iter().map(Vec::len));
    let t = Instant::now();
    let liked_plan = diff::plan(
        &liked.iter().map(|n| mbid(*n)).collect::<Vec<_>>(),
        &liked2.iter().map(|n| mbid(*n)).collect::<Vec<_>>(),
    );
    let plan_time = t.elapsed();
    // Minimum for the update: liked (GET + 1 add + 25 deletes + 3 moves) + 5 playlists
    // (GET + add) + the reversed one (GET + clear + refill of 200 = 3).
    let update_min = (1 + 1 + 25 + 3) + 5 * 2 + 3;

    let runs = vec![
        run("first push", &v1, dir.path(), &client, creates(&sizes)).await,
        run("unchanged", &v1, dir.path(), &client, 0).await,
        run("after edits", &v2, dir.path(), &client, update_min).await,
        run("unchanged again", &v2, dir.path(), &client, 0).await,
    ];
    let server = store.lock().unwrap();
    assert_eq!(server.len(), 1 + PLAYLISTS as usize, "one playlist each");

    println!(
        "push listenbrainz: {LIKED} liked + {PLAYLISTS}×{PER_PLAYLIST} playlist tracks, simulated server, no pacing\n"
    );
    println!(
        "{:<16} {:>9} {:>8} {:>10}  by endpoint",
        "run", "requests", "minimum", "wall ms"
    );
    for r in &runs {
        println!(
            "{:<16} {:>9} {:>8} {:>10.1}  {}",
            r.name,
            r.requests,
            r.minimum,
            r.wall.as_secs_f64() * 1000.0,
            r.by_endpoint
        );
    }
    println!(
        "\nplanner, 10,000-track liked diff: {} edits in {:.1} ms",
        liked_plan.len(),
        plan_time.as_secs_f64() * 1000.0
    );
    println!(
        "at ListenBrainz's ~1 request/s the first push takes about {} min",
        runs[0].requests.div_ceil(60)
    );
    if let Some(kb) = common::peak_rss_kb() {
        println!("peak RSS: {:.1} MB", kb as f64 / 1024.0);
    }
}
