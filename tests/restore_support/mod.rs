//! Test support shared by `tests/restore*.rs` and `benches/restore.rs`: a stateful simulated
//! Spotify account with the 2026 write endpoints (`POST /me/playlists`, `POST
//! /playlists/{id}/items`, `PUT /me/library`) and the reads a restore uses, keeping playlists,
//! their items and the library in memory; faults (quota, lost answers, a "crash" after N
//! writes, a held answer to kill a process on); a generated library of any size; and the
//! expected result of restoring a library, computed independently of trackvault's planner.

#![allow(dead_code)]

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use trackvault::archive::{Archive, Manifest};
use trackvault::model::{
    Album, Artist, Contents, Entry, EntryKind, Item, Library, Owner, Playlist, SavedAlbum,
    SavedShow, Show, User,
};

pub const USER: &str = "restore-user";
pub const ACCOUNT: &str = "acct-restore-1";
pub const TOKEN: &str = "write-token";
/// A token the simulator accepts for reads only: writes get Spotify's scope 403.
pub const READ_ONLY_TOKEN: &str = "read-only-token";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimPlaylist {
    pub id: String,
    pub name: String,
    pub description: String,
    pub owner: String,
    pub public: bool,
    pub items: Vec<String>,
}

/// What the simulated account holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountState {
    /// Newest last (creation order).
    pub playlists: Vec<SimPlaylist>,
    /// Library URIs in the order they were first saved.
    pub library: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// After this many applied writes, every request gets the quota 429.
    pub quota_after_writes: Option<usize>,
    /// `Retry-After` seconds on the quota 429 (none: Spotify gave no time).
    pub quota_retry_after: Option<u64>,
    /// The write with this number (1-based, counting write requests received) is applied,
    /// or not, then answered 500 — and every later request too, until [`SimState::revive`]:
    /// the process talking to it is as good as dead.
    pub crash_at_write: Option<(usize, bool)>,
    /// These write numbers are applied but answered 500 (the answer is lost); nothing else.
    pub lose_answer_of: HashSet<usize>,
    /// These write numbers are applied but answered with a body that is not JSON.
    pub garble_answer_of: HashSet<usize>,
    /// The answer to this write number is held back this long (after applying it), so a test
    /// can kill the client while it waits.
    pub hold_write: Option<(usize, Duration)>,
}

pub struct SimState {
    pub account: Mutex<AccountState>,
    pub faults: Mutex<Faults>,
    /// Write requests received (applied or not).
    pub write_requests: AtomicUsize,
    /// Writes applied to the account.
    pub applied: AtomicUsize,
    /// Every request as `METHOD path`.
    pub log: Mutex<Vec<String>>,
    dead: Mutex<bool>,
    next_id: AtomicUsize,
}

impl SimState {
    pub fn snapshot(&self) -> AccountState {
        self.account.lock().unwrap().clone()
    }
    pub fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap() = faults;
    }
    /// Clears faults and the crashed state (the next run starts).
    pub fn revive(&self) {
        *self.dead.lock().unwrap() = false;
        self.set_faults(Faults::default());
    }
    pub fn requests(&self) -> usize {
        self.log.lock().unwrap().len()
    }
    pub fn writes_received(&self) -> usize {
        self.write_requests.load(Ordering::SeqCst)
    }
    /// Adds a playlist the user already has before the restore.
    pub fn add_existing(&self, name: &str, description: &str, items: &[&str]) {
        let id = format!("old{}", self.next_id.fetch_add(1, Ordering::SeqCst));
        self.account.lock().unwrap().playlists.push(SimPlaylist {
            id,
            name: name.into(),
            description: description.into(),
            owner: USER.into(),
            public: true,
            items: items.iter().map(|s| s.to_string()).collect(),
        });
    }
}

#[derive(Clone)]
pub struct Sim(pub Arc<SimState>);

/// Starts the simulated account at `<server>/v1`.
pub async fn start() -> (MockServer, Arc<SimState>) {
    let server = MockServer::start().await;
    let state = Arc::new(SimState {
        account: Mutex::new(AccountState::default()),
        faults: Mutex::new(Faults::default()),
        write_requests: AtomicUsize::new(0),
        applied: AtomicUsize::new(0),
        log: Mutex::new(Vec::new()),
        dead: Mutex::new(false),
        next_id: AtomicUsize::new(1),
    });
    Mock::given(wiremock::matchers::any())
        .respond_with(Sim(state.clone()))
        .mount(&server)
        .await;
    (server, state)
}

pub fn api_url(server: &MockServer) -> String {
    format!("{}/v1", server.uri())
}

fn reply(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw(serde_json::to_vec(&body).unwrap(), "application/json")
}

fn error(status: u16, message: &str) -> ResponseTemplate {
    reply(
        status,
        json!({"error": {"status": status, "message": message}}),
    )
}

fn query(req: &Request, name: &str) -> Option<String> {
    req.url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

impl Respond for Sim {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let s = &self.0;
        let method = req.method.as_str().to_string();
        let path = req.url.path().to_string();
        s.log.lock().unwrap().push(format!("{method} {path}"));
        if *s.dead.lock().unwrap() {
            return error(500, "simulated crash");
        }
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let read_only = auth == format!("Bearer {READ_ONLY_TOKEN}");
        if auth != format!("Bearer {TOKEN}") && !read_only {
            return error(401, "Invalid access token");
        }
        let faults = s.faults.lock().unwrap().clone();
        if let Some(n) = faults.quota_after_writes {
            if s.applied.load(Ordering::SeqCst) >= n {
                let answer = reply(
                    429,
                    json!({"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}),
                );
                return match faults.quota_retry_after {
                    Some(secs) => answer.insert_header("retry-after", secs.to_string().as_str()),
                    None => answer,
                };
            }
        }
        let is_write = method != "GET";
        if !is_write {
            return self.read(req, &path);
        }
        if read_only {
            return error(403, "Insufficient client scope");
        }
        let number = s.write_requests.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some((at, apply)) = faults.crash_at_write {
            if number == at {
                *s.dead.lock().unwrap() = true;
                if apply {
                    let _ = self.write(req, &method, &path);
                }
                return error(500, "simulated crash");
            }
        }
        let answer = self.write(req, &method, &path);
        if faults.lose_answer_of.contains(&number) {
            return error(502, "simulated lost answer");
        }
        if faults.garble_answer_of.contains(&number) {
            return ResponseTemplate::new(201).set_body_raw("<html>upstream says hi", "text/html");
        }
        match faults.hold_write {
            Some((at, hold)) if at == number => answer.set_delay(hold),
            _ => answer,
        }
    }
}

impl Sim {
    fn read(&self, req: &Request, path: &str) -> ResponseTemplate {
        let account = self.0.account.lock().unwrap();
        let offset: usize = query(req, "offset")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let limit: usize = query(req, "limit")
            .and_then(|v| v.parse().ok())
            .unwrap_or(20);
        if path == "/v1/me" {
            return reply(
                200,
                json!({"id": USER, "display_name": "Restore Sim", "account_id": ACCOUNT}),
            );
        }
        if path == "/v1/me/playlists" {
            if limit > 50 {
                return error(400, "Invalid limit");
            }
            // Spotify lists the newest first.
            let all: Vec<&SimPlaylist> = account.playlists.iter().rev().collect();
            let items: Vec<Value> = all
                .iter()
                .skip(offset)
                .take(limit)
                .map(|p| {
                    json!({"id": p.id, "name": p.name, "description": p.description,
                           "owner": {"id": p.owner}, "public": p.public,
                           "items": {"total": p.items.len()}})
                })
                .collect();
            return reply(
                200,
                json!({"items": items, "total": all.len(), "offset": offset, "limit": limit}),
            );
        }
        if let Some(id) = path
            .strip_prefix("/v1/playlists/")
            .and_then(|rest| rest.strip_suffix("/items"))
        {
            if limit > 100 {
                return error(400, "Invalid limit");
            }
            let Some(p) = account.playlists.iter().find(|p| p.id == id) else {
                return error(404, "Not found");
            };
            let items: Vec<Value> = p
                .items
                .iter()
                .skip(offset)
                .take(limit)
                .map(|uri| json!({"added_at": "2026-12-01T00:00:00Z", "is_local": false,
                                  "item": {"type": if uri.starts_with("spotify:episode:") {"episode"} else {"track"}, "uri": uri}}))
                .collect();
            return reply(
                200,
                json!({"items": items, "total": p.items.len(), "offset": offset, "limit": limit}),
            );
        }
        error(404, "Service not found")
    }

    fn write(&self, req: &Request, method: &str, path: &str) -> ResponseTemplate {
        let s = &self.0;
        let mut account = s.account.lock().unwrap();
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        if method == "POST" && path == "/v1/me/playlists" {
            let Some(name) = body
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
            else {
                return error(400, "Missing name");
            };
            let description = body
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            if description.chars().count() > 300 {
                return error(400, "Description too long");
            }
            let id = format!("new{:06}", s.next_id.fetch_add(1, Ordering::SeqCst));
            account.playlists.push(SimPlaylist {
                id: id.clone(),
                name: name.to_string(),
                description: description.to_string(),
                owner: USER.into(),
                public: body.get("public").and_then(Value::as_bool).unwrap_or(true),
                items: Vec::new(),
            });
            s.applied.fetch_add(1, Ordering::SeqCst);
            return reply(201, json!({"id": id, "name": name, "owner": {"id": USER}}));
        }
        if let Some(id) = path
            .strip_prefix("/v1/playlists/")
            .and_then(|rest| rest.strip_suffix("/items"))
        {
            if method != "POST" {
                return error(405, "Method not allowed");
            }
            let Some(uris) = body.get("uris").and_then(Value::as_array) else {
                return error(400, "Missing uris");
            };
            if uris.is_empty() || uris.len() > 100 {
                return error(400, "You can add a maximum of 100 items per request");
            }
            let uris: Vec<String> = uris
                .iter()
                .filter_map(|u| u.as_str().map(str::to_string))
                .collect();
            if uris.iter().any(|u| !valid_uri(u, &["track", "episode"])) {
                return error(400, "Invalid track uri");
            }
            let Some(p) = account.playlists.iter_mut().find(|p| p.id == id) else {
                return error(404, "Not found");
            };
            p.items.extend(uris);
            s.applied.fetch_add(1, Ordering::SeqCst);
            return reply(
                201,
                json!({"snapshot_id": format!("snap{}", p.items.len())}),
            );
        }
        if path == "/v1/me/library" && method == "PUT" {
            let uris: Vec<String> = query(req, "uris")
                .unwrap_or_default()
                .split(',')
                .filter(|u| !u.is_empty())
                .map(str::to_string)
                .collect();
            if uris.is_empty() || uris.len() > 40 {
                return error(400, "Too many ids requested");
            }
            if uris.iter().any(|u| {
                !valid_uri(
                    u,
                    &["track", "album", "show", "episode", "artist", "playlist"],
                )
            }) {
                return error(400, "Invalid uri");
            }
            for uri in uris {
                if !account.library.contains(&uri) {
                    account.library.push(uri);
                }
            }
            s.applied.fetch_add(1, Ordering::SeqCst);
            return ResponseTemplate::new(200);
        }
        error(404, "Service not found")
    }
}

fn valid_uri(uri: &str, kinds: &[&str]) -> bool {
    let mut parts = uri.split(':');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("spotify"), Some(kind), Some(id), None)
            if kinds.contains(&kind) && !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())
    )
}

// ----- expected results --------------------------------------------------------------------

/// A restored playlist as the account should hold it: name and URIs in order.
pub type ExpectedPlaylist = (String, Vec<String>);

/// What restoring `library` into an empty account must produce, worked out here from the
/// model alone: every complete playlist (restorable rows in order, duplicates kept) and the
/// set of library URIs, plus the liked songs' URIs oldest first.
pub struct Expected {
    pub playlists: Vec<ExpectedPlaylist>,
    pub library: HashSet<String>,
    pub liked_oldest_first: Vec<String>,
}

pub fn expected(library: &Library) -> Expected {
    let restorable = |e: &Entry| match (&e.kind, &e.item) {
        (EntryKind::Track | EntryKind::Episode, Some(item))
            if !item.uri.starts_with("spotify:local:") =>
        {
            Some(item.uri.clone())
        }
        _ => None,
    };
    let playlists = library
        .playlists
        .iter()
        .filter(|p| p.contents == Contents::Complete)
        .map(|p| {
            (
                p.name.clone(),
                p.entries.iter().filter_map(restorable).collect(),
            )
        })
        .collect();
    let mut set = HashSet::new();
    // Snapshots list liked songs newest first.
    let liked: Vec<String> = library
        .liked_tracks
        .iter()
        .rev()
        .filter_map(restorable)
        .collect();
    set.extend(liked.iter().cloned());
    set.extend(library.saved_albums.iter().map(|a| a.album.uri.clone()));
    set.extend(library.saved_shows.iter().map(|s| s.show.uri.clone()));
    set.extend(library.saved_episodes.iter().filter_map(restorable));
    set.extend(library.followed_artists.iter().map(|a| a.uri.clone()));
    set.extend(
        library
            .playlists
            .iter()
            .filter(|p| p.contents == Contents::NotAccessible)
            .map(|p| format!("spotify:playlist:{}", p.id)),
    );
    Expected {
        playlists,
        library: set,
        liked_oldest_first: liked,
    }
}

/// Asserts the account holds exactly what restoring `library` must produce, on top of the
/// playlists it had before (`preexisting`): no missing, extra or duplicated playlist or entry.
pub fn assert_restored(state: &AccountState, library: &Library, preexisting: usize) {
    let want = expected(library);
    let created: Vec<ExpectedPlaylist> = state.playlists[preexisting..]
        .iter()
        .map(|p| (p.name.clone(), p.items.clone()))
        .collect();
    assert_eq!(
        created.len(),
        want.playlists.len(),
        "number of restored playlists (a duplicate or a missing playlist)"
    );
    for (i, (got, wanted)) in created.iter().zip(&want.playlists).enumerate() {
        assert_eq!(got.0, wanted.0, "name of playlist {i}");
        assert_eq!(
            got.1.len(),
            wanted.1.len(),
            "entry count of playlist {i} {:?}",
            got.0
        );
        assert_eq!(got.1, wanted.1, "entries of playlist {i} {:?}", got.0);
    }
    for p in &state.playlists[preexisting..] {
        assert!(!p.public, "restored playlists are private");
    }
    let got: HashSet<String> = state.library.iter().cloned().collect();
    assert_eq!(got.len(), state.library.len(), "library saved twice");
    assert_eq!(got, want.library, "library contents");
    let liked: HashSet<&String> = want.liked_oldest_first.iter().collect();
    let liked_order: Vec<&String> = state.library.iter().filter(|u| liked.contains(u)).collect();
    let want_order: Vec<&String> = want.liked_oldest_first.iter().collect();
    assert_eq!(liked_order, want_order, "liked songs saved oldest first");
}

// ----- generated libraries -----------------------------------------------------------------

fn item(kind: &str, n: usize, name: String) -> Item {
    Item::bare(
        kind,
        Some(format!("{kind}{n:08}")),
        &format!("spotify:{kind}:{kind}{n:08}"),
        &name,
    )
}

fn time(n: usize) -> String {
    let t =
        chrono::DateTime::<chrono::Utc>::from_timestamp(1_600_000_000 + n as i64 * 60, 0).unwrap();
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A library of about `entries` rows: 40 % liked songs, the rest in playlists of about 250
/// entries with duplicates, episodes, local files, unavailable rows, hostile and repeated
/// names, an empty playlist, followed-only playlists, and some albums, shows, episodes and
/// artists.
pub fn generated(entries: usize) -> Library {
    let mut lib = Library::empty(
        "spotify-web-api",
        User {
            id: "source-user".into(),
            display_name: Some("Source".into()),
            account_id: Some("acct-source".into()),
        },
    );
    let liked = entries * 2 / 5;
    // Newest first, like Spotify; the oldest has the smallest time.
    lib.liked_tracks = (0..liked)
        .map(|i| {
            let n = liked - i;
            let (kind, item) = if i % 211 == 7 {
                (
                    EntryKind::Local,
                    Some(Item::bare(
                        "track",
                        None,
                        &format!("spotify:local:Artist:Album:Song+{i}:200"),
                        "Local song",
                    )),
                )
            } else if i % 307 == 11 {
                (EntryKind::Unavailable, None)
            } else {
                (
                    EntryKind::Track,
                    Some(item("track", n, format!("Liked {n}"))),
                )
            };
            Entry {
                position: i as u32,
                added_at: Some(time(n)),
                added_by: None,
                kind,
                item,
            }
        })
        .collect();
    let mut left = entries - liked;
    let mut index = 0usize;
    while left > 0 {
        let size = (150 + (index * 7919) % 200).min(left);
        left -= size;
        let entries = (0..size)
            .map(|j| {
                let (kind, item) = match j {
                    j if j % 97 == 5 => (
                        EntryKind::Local,
                        Some(Item::bare(
                            "track",
                            None,
                            &format!("spotify:local:A:B:C+{j}:1"),
                            "Local",
                        )),
                    ),
                    j if j % 89 == 3 => (EntryKind::Unavailable, None),
                    j if j % 13 == 4 => (
                        EntryKind::Episode,
                        Some(item(
                            "episode",
                            (index * 31 + j) % 500,
                            format!("Episode {j}"),
                        )),
                    ),
                    // Duplicates: the same track again later in the playlist.
                    j if j % 17 == 9 => (
                        EntryKind::Track,
                        Some(item("track", index * 1000 + j - 9, format!("Dup {j}"))),
                    ),
                    j => (
                        EntryKind::Track,
                        Some(item("track", index * 1000 + j, format!("Song {j}"))),
                    ),
                };
                Entry {
                    position: j as u32,
                    added_at: Some(time(j)),
                    added_by: Some("source-user".into()),
                    kind,
                    item,
                }
            })
            .collect();
        let name = match index % 5 {
            0 => format!("Mix \"{index}\", road; trip\n🎸 & <b>"),
            1 => "Same name".to_string(),
            _ => format!("Playlist {index}"),
        };
        lib.playlists.push(Playlist {
            id: format!("srcpl{index:06}"),
            name,
            description: Some(if index.is_multiple_of(2) {
                "x".repeat(320)
            } else {
                String::new()
            }),
            owner: Owner {
                id: "source-user".into(),
                display_name: None,
            },
            public: Some(index.is_multiple_of(3)),
            collaborative: false,
            snapshot_id: Some(format!("s{index}")),
            total: size as u32,
            contents: Contents::Complete,
            not_accessible_reason: None,
            entries,
        });
        index += 1;
    }
    lib.playlists.insert(
        1,
        playlist_stub("srcempty0001", "Empty one", Contents::Complete),
    );
    for i in 0..3 {
        lib.playlists.push(playlist_stub(
            &format!("37i9dQZF1DX{i:011}"),
            &format!("Someone else's {i}"),
            Contents::NotAccessible,
        ));
    }
    lib.saved_albums = (0..60)
        .map(|i| SavedAlbum {
            added_at: Some(time(60 - i)),
            album: Album {
                id: format!("album{i:08}"),
                uri: format!("spotify:album:album{i:08}"),
                name: format!("Album {i}"),
                artists: Vec::new(),
                release_date: None,
                total_tracks: Some(10),
                upc: None,
                tracks: Vec::new(),
                musicbrainz: None,
            },
        })
        .collect();
    lib.saved_shows = (0..7)
        .map(|i| SavedShow {
            added_at: Some(time(7 - i)),
            show: Show {
                id: format!("show{i:08}"),
                uri: format!("spotify:show:show{i:08}"),
                name: format!("Show {i}"),
                publisher: None,
                total_episodes: None,
            },
        })
        .collect();
    lib.saved_episodes = (0..25)
        .map(|i| Entry {
            position: i as u32,
            added_at: Some(time(25 - i)),
            added_by: None,
            kind: EntryKind::Episode,
            item: Some(item("episode", 9000 + i, format!("Saved episode {i}"))),
        })
        .collect();
    lib.followed_artists = (0..90)
        .map(|i| Artist {
            id: format!("artist{i:08}"),
            uri: format!("spotify:artist:artist{i:08}"),
            name: format!("Artist {i}"),
            genres: Vec::new(),
            musicbrainz: None,
        })
        .collect();
    lib
}

fn playlist_stub(id: &str, name: &str, contents: Contents) -> Playlist {
    Playlist {
        id: id.into(),
        name: name.into(),
        description: None,
        owner: Owner {
            id: "someone".into(),
            display_name: None,
        },
        public: Some(true),
        collaborative: false,
        snapshot_id: None,
        total: 0,
        contents,
        not_accessible_reason: None,
        entries: Vec::new(),
    }
}

/// Saves `library` as a complete snapshot; returns its id.
pub fn save_snapshot(archive: &Archive, library: &Library) -> String {
    let draft = archive.new_draft().unwrap();
    draft
        .finish(archive, Manifest::new("spotify-web-api"), library)
        .unwrap()
}

/// The minimum write requests for restoring `library`, worked out from [`expected`].
pub fn minimum_writes(library: &Library) -> u64 {
    let want = expected(library);
    want.playlists.len() as u64
        + want
            .playlists
            .iter()
            .map(|(_, u)| u.len().div_ceil(100) as u64)
            .sum::<u64>()
        + want.library.len().div_ceil(40) as u64
}

/// A small deterministic generator for seeded "random" kill points.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}
