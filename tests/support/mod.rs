//! Test support shared by `tests/backup*.rs` and `benches/backup.rs`: a simulated Spotify Web
//! API (2026 development-mode shapes) that generates pages on the fly from a small spec, so big
//! and hostile libraries cost no fixture files and no memory.

#![allow(dead_code)]

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const API: &str = "https://api.spotify.com/v1";
pub const USER: &str = "sim-user";
pub const TOKEN: &str = "sim-token";

/// What the simulated account holds.
#[derive(Debug, Clone)]
pub struct LibrarySpec {
    pub liked: usize,
    pub albums: usize,
    pub shows: usize,
    pub episodes: usize,
    pub artists: usize,
    pub playlists: Vec<PlaylistSpec>,
    /// Null rows, local files, episodes and names full of quotes, commas, newlines, emoji.
    pub hostile: bool,
}

#[derive(Debug, Clone)]
pub struct PlaylistSpec {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub collaborative: bool,
    pub snapshot: String,
    pub entries: usize,
}

impl LibrarySpec {
    /// A small library exercising every collection and quirk.
    pub fn small() -> Self {
        LibrarySpec {
            liked: 123,
            albums: 7,
            shows: 3,
            episodes: 52,
            artists: 120,
            playlists: vec![
                playlist(
                    "0PlOwnedBig00000000001",
                    "Mine \"Big\", 1/2 🎸",
                    USER,
                    false,
                    130,
                ),
                playlist("0PlOwnedEmpty000000002", "Empty", USER, false, 0),
                playlist(
                    "0PlCollab0000000000003",
                    "Collab; shared\nlist",
                    "friend",
                    true,
                    51,
                ),
                playlist(
                    "37i9dQZF1DXcBWIGoYBM5M",
                    "Today's Top Hits",
                    "spotify",
                    false,
                    50,
                ),
            ],
            hostile: true,
        }
    }

    /// `n` owned playlists of about `avg` entries (between avg/2 and 3avg/2).
    pub fn with_owned_playlists(mut self, n: usize, avg: usize) -> Self {
        self.playlists = (0..n)
            .map(|i| {
                let entries = avg / 2 + (i * 7919) % (avg + 1);
                playlist(
                    &format!("0PlGen{i:016}"),
                    &format!("Playlist {i}"),
                    USER,
                    false,
                    entries,
                )
            })
            .collect();
        self
    }
}

pub fn playlist(
    id: &str,
    name: &str,
    owner: &str,
    collaborative: bool,
    entries: usize,
) -> PlaylistSpec {
    PlaylistSpec {
        id: id.into(),
        name: name.into(),
        owner: owner.into(),
        collaborative,
        snapshot: format!("snap-{id}-1"),
        entries,
    }
}

/// Mutable state of the simulated service.
pub struct SimState {
    pub spec: Mutex<LibrarySpec>,
    /// Accepted bearer tokens.
    pub tokens: Mutex<HashSet<String>>,
    pub delay: Duration,
    pub requests: AtomicUsize,
    /// After this many requests, only the given token is accepted (an access token expiring).
    pub rotate_at: Mutex<Option<(usize, String)>>,
}

impl SimState {
    pub fn set_spec(&self, spec: LibrarySpec) {
        *self.spec.lock().unwrap() = spec;
    }
    pub fn accept_only(&self, token: &str) {
        let mut tokens = self.tokens.lock().unwrap();
        tokens.clear();
        tokens.insert(token.to_string());
    }
}

#[derive(Clone)]
pub struct Sim(pub Arc<SimState>);

/// Starts a simulated Spotify at `<server>/v1`, answering every GET at low priority so tests
/// can mount faults in front of it.
pub async fn start(spec: LibrarySpec, delay: Duration) -> (MockServer, Arc<SimState>) {
    let server = MockServer::start().await;
    let state = Arc::new(SimState {
        spec: Mutex::new(spec),
        tokens: Mutex::new(HashSet::from([TOKEN.to_string()])),
        delay,
        requests: AtomicUsize::new(0),
        rotate_at: Mutex::new(None),
    });
    Mock::given(wiremock::matchers::method("GET"))
        .respond_with(Sim(state.clone()))
        .with_priority(10)
        .mount(&server)
        .await;
    (server, state)
}

impl Respond for Sim {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let n = self.0.requests.fetch_add(1, Ordering::SeqCst) + 1;
        let rotate = self.0.rotate_at.lock().unwrap().clone();
        if let Some((at, token)) = rotate {
            if n >= at {
                self.0.accept_only(&token);
                *self.0.rotate_at.lock().unwrap() = None;
            }
        }
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let authorized = self
            .0
            .tokens
            .lock()
            .unwrap()
            .iter()
            .any(|t| auth == format!("Bearer {t}"));
        let (status, body) = if authorized {
            let spec = self.0.spec.lock().unwrap().clone();
            route(&spec, req)
        } else {
            (
                401,
                json!({"error": {"status": 401, "message": "The access token expired"}}),
            )
        };
        ResponseTemplate::new(status)
            .set_body_raw(serde_json::to_vec(&body).unwrap(), "application/json")
            .set_delay(self.0.delay)
    }
}

fn query(req: &Request, name: &str) -> Option<String> {
    req.url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn route(spec: &LibrarySpec, req: &Request) -> (u16, Value) {
    let path = req
        .url
        .path()
        .strip_prefix("/v1")
        .unwrap_or(req.url.path())
        .to_string();
    let offset: usize = query(req, "offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    let limit: usize = query(req, "limit")
        .and_then(|o| o.parse().ok())
        .unwrap_or(20);
    if limit > 50 {
        return (
            400,
            json!({"error": {"status": 400, "message": "Invalid limit"}}),
        );
    }
    let h = spec.hostile;
    match path.as_str() {
        "/me" => (200, me()),
        "/me/tracks" => (
            200,
            page(&path, spec.liked, offset, limit, |i| saved_track(i, h)),
        ),
        "/me/albums" => (
            200,
            page(&path, spec.albums, offset, limit, |i| saved_album(i, h)),
        ),
        "/me/shows" => (200, page(&path, spec.shows, offset, limit, saved_show)),
        "/me/episodes" => (
            200,
            page(&path, spec.episodes, offset, limit, saved_episode),
        ),
        "/me/following" => (200, following(spec.artists, query(req, "after"), limit)),
        "/me/playlists" => {
            let lists = &spec.playlists;
            (
                200,
                page(&path, lists.len(), offset, limit, |i| {
                    playlist_object(&lists[i])
                }),
            )
        }
        _ => match path
            .strip_prefix("/playlists/")
            .and_then(|rest| rest.strip_suffix("/items"))
        {
            Some(id) => match spec.playlists.iter().find(|p| p.id == id) {
                Some(p) if p.owner == USER || p.collaborative => {
                    if query(req, "additional_types").as_deref() != Some("episode")
                        || query(req, "market").is_some()
                        || query(req, "fields").is_some()
                    {
                        return (
                            400,
                            json!({"error": {"status": 400, "message": "unexpected parameters"}}),
                        );
                    }
                    (
                        200,
                        page(&path, p.entries, offset, limit, |i| playlist_entry(p, i, h)),
                    )
                }
                Some(_) => (
                    403,
                    json!({"error": {"status": 403, "message": "Forbidden"}}),
                ),
                None => (
                    404,
                    json!({"error": {"status": 404, "message": "Not found."}}),
                ),
            },
            None => (
                404,
                json!({"error": {"status": 404, "message": "Service not found"}}),
            ),
        },
    }
}

fn page(
    path: &str,
    total: usize,
    offset: usize,
    limit: usize,
    row: impl Fn(usize) -> Value,
) -> Value {
    let end = (offset + limit).min(total);
    let items: Vec<Value> = (offset.min(total)..end).map(row).collect();
    let next = (end < total).then(|| format!("{API}{path}?offset={end}&limit={limit}"));
    json!({
        "href": format!("{API}{path}?offset={offset}&limit={limit}"),
        "items": items, "limit": limit, "next": next, "offset": offset,
        "previous": null, "total": total
    })
}

fn me() -> Value {
    json!({"account_id": "sim-account-1", "display_name": "Sim \"User\"",
           "external_urls": {"spotify": format!("https://open.spotify.com/user/{USER}")},
           "href": format!("{API}/users/{USER}"), "id": USER, "type": "user",
           "uri": format!("spotify:user:{USER}")})
}

/// A hostile name: quotes, separators, newline, RTL text and emoji (when `hostile`).
fn name(kind: &str, i: usize, hostile: bool) -> String {
    if hostile && i.is_multiple_of(3) {
        format!("{kind} \"{i}\", part; 1/2 | tab\there\nnewline — שלום 🎵 <b>&amp;</b>")
    } else {
        format!("{kind} {i}")
    }
}

fn id(prefix: &str, i: usize) -> String {
    format!("{prefix}{i:0>width$}", width = 22 - prefix.len())
}

pub fn track(i: usize, hostile: bool) -> Value {
    let tid = id("0Trk", i);
    let aid = id("0Art", i % 97);
    let alid = id("0Alb", i % 501);
    json!({
        "album": {"album_type": "album", "artists": [{"external_urls": {}, "href": format!("{API}/artists/{aid}"), "id": aid, "name": name("Artist", i % 97, hostile), "type": "artist", "uri": format!("spotify:artist:{aid}")}],
                  "external_urls": {"spotify": format!("https://open.spotify.com/album/{alid}")}, "href": format!("{API}/albums/{alid}"),
                  "id": alid, "images": [{"height": 640, "url": "https://i.scdn.co/image/ab67616d0000b273", "width": 640}],
                  "name": name("Album", i % 501, hostile), "release_date": "2011-09-09", "release_date_precision": "day",
                  "total_tracks": 12, "type": "album", "uri": format!("spotify:album:{alid}")},
        "artists": [{"external_urls": {}, "href": format!("{API}/artists/{aid}"), "id": aid, "name": name("Artist", i % 97, hostile), "type": "artist", "uri": format!("spotify:artist:{aid}")}],
        "disc_number": 1, "duration_ms": 180000 + i as u64, "explicit": i.is_multiple_of(5),
        "external_ids": {"isrc": format!("GBAHS{:07}", i)},
        "external_urls": {"spotify": format!("https://open.spotify.com/track/{tid}")},
        "href": format!("{API}/tracks/{tid}"), "id": tid, "is_local": false,
        "name": name("Song", i, hostile), "track_number": 1 + i % 12, "type": "track",
        "uri": format!("spotify:track:{tid}")
    })
}

fn local(i: usize) -> Value {
    json!({"album": {"album_type": null, "artists": [], "external_urls": {}, "href": null, "id": null, "images": [], "name": "Kitchen: Tapes", "type": "album", "uri": null},
           "artists": [{"external_urls": {}, "href": null, "id": null, "name": "Our Band", "type": "artist", "uri": null}],
           "disc_number": 0, "duration_ms": 201000, "explicit": false, "external_ids": {}, "external_urls": {},
           "href": null, "id": null, "is_local": true, "name": format!("Rehearsal: Take {i}"), "track_number": 0, "type": "track",
           "uri": format!("spotify:local:Our+Band:Kitchen%3A+Tapes:Rehearsal%3A+Take+{i}:201")})
}

fn episode(i: usize) -> Value {
    let eid = id("0Epi", i);
    json!({"description": "An episode.", "duration_ms": 1805000, "explicit": false,
           "episode": false, "track": true,
           "external_urls": {"spotify": format!("https://open.spotify.com/episode/{eid}")},
           "href": format!("{API}/episodes/{eid}"), "id": eid, "images": [], "name": format!("Episode {i}"),
           "release_date": "2026-09-01", "release_date_precision": "day",
           "show": {"id": "0ShowSim00000000000001", "name": "The Sim Show", "type": "show", "uri": "spotify:show:0ShowSim00000000000001"},
           "type": "episode", "uri": format!("spotify:episode:{eid}")})
}

/// What a position holds in a hostile collection.
fn quirk(i: usize, hostile: bool) -> &'static str {
    if !hostile {
        return "track";
    }
    match i % 23 {
        5 => "null-item",
        9 => "local",
        14 => "episode",
        19 => "null-row",
        21 => "odd",
        _ => "track",
    }
}

fn saved_track(i: usize, hostile: bool) -> Value {
    let added = if hostile && i == 1 {
        "1970-01-01T00:00:00Z".to_string()
    } else {
        added_at(i)
    };
    match quirk(i, hostile) {
        "null-item" | "null-row" | "episode" => json!({"added_at": added, "track": null}),
        "local" => json!({"added_at": added, "track": local(i)}),
        // A row of an unexpected shape (a number where a string belongs).
        "odd" => json!({"added_at": 1_700_000_000, "track": track(i, hostile)}),
        _ => json!({"added_at": added, "track": track(i, hostile)}),
    }
}

fn added_at(i: usize) -> String {
    format!(
        "2025-{:02}-{:02}T{:02}:00:00Z",
        1 + i % 12,
        1 + i % 28,
        i % 24
    )
}

fn playlist_entry(p: &PlaylistSpec, i: usize, hostile: bool) -> Value {
    let seed = p.id.bytes().map(|b| b as usize).sum::<usize>() * 1000 + i;
    let by = json!({"external_urls": {}, "href": format!("{API}/users/{USER}"), "id": USER, "type": "user", "uri": format!("spotify:user:{USER}")});
    let item = match quirk(i, hostile) {
        "null-row" => return Value::Null,
        "null-item" => Value::Null,
        "local" => local(i),
        "episode" => episode(i),
        _ => track(seed, hostile),
    };
    // 2026: `item`, with the deprecated `track` copy alongside.
    json!({"added_at": added_at(i), "added_by": by, "is_local": quirk(i, hostile) == "local",
           "item": item, "track": item, "primary_color": null})
}

fn saved_album(i: usize, hostile: bool) -> Value {
    let alid = id("0Sal", i);
    let tracks: Vec<Value> = (0..3)
        .map(|n| {
            let mut t = track(i * 10 + n, hostile);
            t.as_object_mut().unwrap().remove("album");
            t.as_object_mut().unwrap().remove("external_ids");
            t
        })
        .collect();
    json!({"added_at": added_at(i), "album": {
        "album_type": "album", "artists": [{"id": id("0Art", i), "name": name("Artist", i, hostile), "type": "artist", "uri": format!("spotify:artist:{}", id("0Art", i))}],
        "copyrights": [], "external_ids": {"upc": format!("19{i:010}")}, "genres": [],
        "href": format!("{API}/albums/{alid}"), "id": alid, "images": [], "name": name("Saved album", i, hostile),
        "release_date": "2001", "release_date_precision": "year",
        "tracks": {"href": format!("{API}/albums/{alid}/tracks?offset=0&limit=50"), "items": tracks, "limit": 50, "next": null, "offset": 0, "previous": null, "total": 3},
        "total_tracks": 3, "type": "album", "uri": format!("spotify:album:{alid}")}})
}

fn saved_show(i: usize) -> Value {
    let sid = id("0Shw", i);
    json!({"added_at": added_at(i), "show": {"description": "A show.", "explicit": false, "external_urls": {},
           "href": format!("{API}/shows/{sid}"), "id": sid, "images": [], "name": format!("Show {i}"),
           "total_episodes": 10 + i, "type": "show", "uri": format!("spotify:show:{sid}")}})
}

fn saved_episode(i: usize) -> Value {
    json!({"added_at": added_at(i), "episode": episode(i)})
}

fn artist(i: usize) -> Value {
    let aid = id("0Fol", i);
    json!({"external_urls": {}, "genres": ["indie", "pop"], "href": format!("{API}/artists/{aid}"),
           "id": aid, "images": [], "name": format!("Followed {i}"), "type": "artist",
           "uri": format!("spotify:artist:{aid}")})
}

fn following(total: usize, after: Option<String>, limit: usize) -> Value {
    let start = match after {
        Some(after) => (0..total)
            .position(|i| id("0Fol", i) == after)
            .map_or(total, |p| p + 1),
        None => 0,
    };
    let end = (start + limit).min(total);
    let items: Vec<Value> = (start..end).map(artist).collect();
    let last = (end < total && end > start).then(|| id("0Fol", end - 1));
    json!({"artists": {
        "cursors": {"after": last}, "href": format!("{API}/me/following?type=artist&limit={limit}"),
        "items": items, "limit": limit,
        "next": last.as_ref().map(|a| format!("{API}/me/following?type=artist&after={a}&limit={limit}")),
        "total": total}})
}

fn playlist_object(p: &PlaylistSpec) -> Value {
    json!({"collaborative": p.collaborative, "description": format!("About {}", p.name),
           "external_urls": {"spotify": format!("https://open.spotify.com/playlist/{}", p.id)},
           "href": format!("{API}/playlists/{}", p.id), "id": p.id, "images": null,
           "items": {"href": format!("{API}/playlists/{}/items", p.id), "total": p.entries},
           "name": p.name,
           "owner": {"display_name": if p.owner == USER { "Sim \"User\"" } else { p.owner.as_str() }, "external_urls": {},
                     "href": format!("{API}/users/{}", p.owner), "id": p.owner, "type": "user", "uri": format!("spotify:user:{}", p.owner)},
           "primary_color": null, "public": true, "snapshot_id": p.snapshot, "type": "playlist",
           "uri": format!("spotify:playlist:{}", p.id)})
}

/// Requests per collection a perfect client needs: ⌈n/50⌉ (at least one for a listing or
/// saved collection), nothing for an empty or unreadable playlist, plus `/me`.
pub fn minimum_requests(spec: &LibrarySpec) -> u64 {
    let pages = |n: usize| (n as u64).div_ceil(50);
    let listing = |n: usize| pages(n).max(1);
    1 + listing(spec.liked)
        + listing(spec.albums)
        + listing(spec.shows)
        + listing(spec.episodes)
        + listing(spec.artists)
        + listing(spec.playlists.len())
        + spec
            .playlists
            .iter()
            .filter(|p| p.owner == USER || p.collaborative)
            .map(|p| pages(p.entries))
            .sum::<u64>()
}

/// A TCP front for `upstream` that drops the first `drop_first` connections after reading the
/// request (a dropped connection), then forwards everything. Returns its base URL.
pub async fn dropping_proxy(upstream: &str, drop_first: usize) -> String {
    use tokio::io::AsyncReadExt;
    let target = upstream.trim_start_matches("http://").to_string();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let dropped = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let target = target.clone();
            let dropped = dropped.clone();
            tokio::spawn(async move {
                if dropped.fetch_add(1, Ordering::SeqCst) < drop_first {
                    let mut buf = [0u8; 1024];
                    let _ = inbound.read(&mut buf).await;
                    return; // closed without a response
                }
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    format!("http://{addr}")
}

/// The trackvault binary with a clean environment: archive and config under `dir`, the
/// simulated Spotify at `api` (Web API under `/v1`, accounts at the root), no pacing.
pub fn trackvault_cli(dir: &Path, api: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("trackvault").unwrap();
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", dir.join("archive"))
        .env("TRACKVAULT_CONFIG_DIR", dir.join("config"))
        .env("TRACKVAULT_SPOTIFY_API_URL", format!("{api}/v1"))
        .env("TRACKVAULT_SPOTIFY_ACCOUNTS_URL", api)
        .env("TRACKVAULT_SPOTIFY_INTERVAL_MS", "0");
    cmd
}

/// Runs a prepared command off the async runtime (the mock servers live on it).
pub async fn run_cli(mut cmd: assert_cmd::Command) -> assert_cmd::assert::Assert {
    tokio::task::spawn_blocking(move || cmd.assert())
        .await
        .unwrap()
}
