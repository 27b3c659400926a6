//! `trackvault push listenbrainz` end to end against a stateful ListenBrainz simulation (a
//! wiremock server whose responder keeps playlists in memory and implements create, item/add
//! (with and without offset), item/delete, item/move, edit and GET with the server's index
//! semantics, answers with rate-limit headers, and can be scripted to send 429s, exhausted
//! windows, 5xx and malformed answers).

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{json, Value};
use trackvault::archive::{Archive, Manifest};
use trackvault::model::{
    Contents, Entry, EntryKind, Item, Library, MatchMethod, Owner, Playlist, RecordingMatch, User,
};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "good-token";
const EXT: &str = "https://musicbrainz.org/doc/jspf#playlist";
const PREFIX: &str = "https://musicbrainz.org/recording/";

// ---------------------------------------------------------------- the simulation

#[derive(Debug, Clone)]
struct SimPlaylist {
    title: String,
    public: bool,
    recordings: Vec<String>,
}

#[derive(Debug, Clone)]
struct Logged {
    method: String,
    path: String,
    body: Value,
    at: Instant,
}

/// A scripted answer for the next request, instead of (or on top of) the normal one.
#[derive(Debug, Clone)]
enum Script {
    /// 429 with these headers; the request is not carried out.
    TooMany(Vec<(&'static str, String)>),
    /// Carried out, but the answer says the window is used up for `reset_in` seconds.
    Exhausted(String),
    /// 500; not carried out.
    ServerError,
    /// 200 with a body that is not JSON; carried out.
    Garbage,
    /// The normal answer.
    Normal,
    /// Carried out, then answered 500 (as if the answer were lost): the client retries.
    AppliedThenError,
}

#[derive(Debug, Default)]
struct SimState {
    playlists: BTreeMap<String, SimPlaylist>,
    next: u64,
    log: Vec<Logged>,
    script: VecDeque<Script>,
}

#[derive(Clone, Default)]
struct Lb(Arc<Mutex<SimState>>);

impl Lb {
    async fn start() -> (Lb, MockServer) {
        let lb = Lb::default();
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(lb.clone())
            .mount(&server)
            .await;
        (lb, server)
    }

    fn requests(&self) -> Vec<Logged> {
        self.0.lock().unwrap().log.clone()
    }

    fn playlists(&self) -> BTreeMap<String, SimPlaylist> {
        self.0.lock().unwrap().playlists.clone()
    }

    fn script(&self, s: Script) {
        self.0.lock().unwrap().script.push_back(s);
    }
}

fn answer(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(body)
        .insert_header("X-RateLimit-Limit", "50")
        .insert_header("X-RateLimit-Remaining", "49")
        .insert_header("X-RateLimit-Reset-In", "10")
}

fn error(status: u16, message: &str) -> ResponseTemplate {
    answer(status, json!({"code": status, "error": message}))
}

/// The recording MBID of a posted track, as the strict (pre-2024) server reads it: a string.
fn posted_mbid(track: &Value) -> Option<String> {
    let id = track.get("identifier")?.as_str()?;
    let mbid = id.strip_prefix(PREFIX)?;
    (mbid.len() == 36).then(|| mbid.to_string())
}

impl Respond for Lb {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut st = self.0.lock().unwrap();
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let path = req.url.path().to_string();
        st.log.push(Logged {
            method: req.method.to_string(),
            path: path.clone(),
            body: body.clone(),
            at: Instant::now(),
        });
        let scripted = st.script.pop_front();
        match &scripted {
            Some(Script::TooMany(headers)) => {
                let mut t = ResponseTemplate::new(429)
                    .set_body_json(json!({"code": 429, "error": "Too many requests."}));
                for (k, v) in headers {
                    t = t.insert_header(*k, v.as_str());
                }
                return t;
            }
            Some(Script::ServerError) => return error(500, "Internal server error"),
            _ => {}
        }
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if auth != format!("Token {TOKEN}") {
            return error(401, "Invalid authorization token.");
        }
        let resp = route(&mut st, req.method.as_str(), &path, &body);
        match scripted {
            Some(Script::Exhausted(reset_in)) => resp
                .insert_header("X-RateLimit-Remaining", "0")
                .insert_header("X-RateLimit-Reset-In", reset_in.as_str()),
            Some(Script::Garbage) => ResponseTemplate::new(200).set_body_string("<html>oops"),
            Some(Script::AppliedThenError) => error(502, "Bad gateway"),
            _ => resp,
        }
    }
}

fn route(st: &mut SimState, method: &str, path: &str, body: &Value) -> ResponseTemplate {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        ("POST", ["1", "playlist", "create"]) => {
            let pl = &body["playlist"];
            let title = pl["title"].as_str().unwrap_or_default();
            if title.is_empty() {
                return error(400, "JSPF playlist must contain a title element");
            }
            let Some(public) = pl["extension"][EXT]["public"].as_bool() else {
                return error(400, "JSPF playlist public field must contain a boolean.");
            };
            let mut recordings = Vec::new();
            for t in pl["track"].as_array().cloned().unwrap_or_default() {
                match posted_mbid(&t) {
                    Some(m) => recordings.push(m),
                    None => return error(400, "track identifier must be a recording URI"),
                }
            }
            st.next += 1;
            let mbid = format!("aaaaaaaa-0000-4000-8000-{:012}", st.next);
            st.playlists.insert(
                mbid.clone(),
                SimPlaylist {
                    title: title.to_string(),
                    public,
                    recordings,
                },
            );
            answer(200, json!({"status": "ok", "playlist_mbid": mbid}))
        }
        ("POST", ["1", "playlist", "edit", mbid]) => {
            let Some(p) = st.playlists.get_mut(*mbid) else {
                return error(404, "Cannot find playlist");
            };
            let pl = &body["playlist"];
            if let Some(t) = pl["title"].as_str().filter(|t| !t.is_empty()) {
                p.title = t.to_string();
            }
            match &pl["extension"][EXT]["public"] {
                Value::Bool(b) => p.public = *b,
                Value::Null => {}
                _ => return error(400, "public must be a boolean"),
            }
            answer(200, json!({"status": "ok"}))
        }
        ("GET", ["1", "playlist", mbid]) => {
            let Some(p) = st.playlists.get(*mbid) else {
                return error(404, "Cannot find playlist");
            };
            let tracks: Vec<Value> = p
                .recordings
                .iter()
                .map(|m| json!({"identifier": [format!("{PREFIX}{m}")], "title": "x"}))
                .collect();
            answer(
                200,
                json!({"playlist": {"title": p.title, "extension": {EXT: {"public": p.public}}, "track": tracks}}),
            )
        }
        ("POST", ["1", "playlist", mbid, "item", rest @ ..]) => {
            let Some(p) = st.playlists.get_mut(*mbid) else {
                return error(404, "Cannot find playlist");
            };
            match rest {
                ["add"] | ["add", _] => {
                    let tracks = body["playlist"]["track"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    if tracks.len() > 100 {
                        return error(400, "You may only add max 100 recordings per call.");
                    }
                    let mut new = Vec::new();
                    for t in &tracks {
                        match posted_mbid(t) {
                            Some(m) => new.push(m),
                            None => return error(400, "invalid identifier"),
                        }
                    }
                    let at = match rest {
                        ["add", offset] => offset.parse::<usize>().unwrap().min(p.recordings.len()),
                        _ => p.recordings.len(),
                    };
                    p.recordings.splice(at..at, new);
                }
                ["delete"] => {
                    let index = body["index"].as_u64().unwrap() as usize;
                    let count = body["count"].as_u64().unwrap() as usize;
                    if count < 1 || index >= p.recordings.len() {
                        return error(500, "Failed to delete recordings");
                    }
                    let end = (index + count).min(p.recordings.len());
                    p.recordings.drain(index..end);
                }
                ["move"] => {
                    if body["mbid"].as_str() != Some(*mbid) {
                        return error(400, "move instruction mbid is not a valid mbid.");
                    }
                    let from = body["from"].as_u64().unwrap() as usize;
                    let to = body["to"].as_u64().unwrap() as usize;
                    let count = body["count"].as_u64().unwrap() as usize;
                    let end = (from + count).min(p.recordings.len());
                    let block: Vec<String> = p.recordings.drain(from..end).collect();
                    // The server would leave a gap past the end: treat that as a client bug.
                    if to > p.recordings.len() {
                        return error(500, "move target past the end");
                    }
                    p.recordings.splice(to..to, block);
                }
                _ => return error(404, "no such endpoint"),
            }
            answer(200, json!({"status": "ok"}))
        }
        _ => error(404, "no such endpoint"),
    }
}

// ---------------------------------------------------------------- libraries and the CLI

fn mbid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn entry(position: u32, n: Option<u32>) -> Entry {
    let mut item = Item::bare(
        "track",
        Some(format!("sp{position}x{}", n.unwrap_or(0))),
        "spotify:track:x",
        &format!("Song {position}"),
    );
    item.musicbrainz = n.map(|n| RecordingMatch {
        recording_id: mbid(n),
        release_id: None,
        release_group_id: None,
        artist_ids: vec![],
        method: MatchMethod::Isrc,
        confidence: 1.0,
    });
    Entry {
        position,
        added_at: None,
        added_by: None,
        kind: EntryKind::Track,
        item: Some(item),
    }
}

fn entries(ids: &[Option<u32>]) -> Vec<Entry> {
    ids.iter()
        .enumerate()
        .map(|(i, n)| entry(i as u32, *n))
        .collect()
}

fn playlist(id: &str, name: &str, ids: &[Option<u32>]) -> Playlist {
    Playlist {
        id: id.to_string(),
        name: name.to_string(),
        description: Some("from Spotify".into()),
        owner: Owner {
            id: "me".into(),
            display_name: None,
        },
        public: Some(true),
        collaborative: false,
        snapshot_id: None,
        total: ids.len() as u32,
        contents: Contents::Complete,
        not_accessible_reason: None,
        entries: entries(ids),
    }
}

fn library(liked: &[Option<u32>], playlists: Vec<Playlist>) -> Library {
    let mut lib = Library::empty(
        "spotify-web-api",
        User {
            id: "me".into(),
            display_name: Some("Me".into()),
            account_id: None,
        },
    );
    lib.liked_tracks = entries(liked);
    lib.playlists = playlists;
    lib
}

fn some(range: std::ops::Range<u32>) -> Vec<Option<u32>> {
    range.map(Some).collect()
}

fn snapshot(dir: &Path, lib: &Library) -> String {
    let archive = Archive::open(dir.join("archive")).unwrap();
    archive
        .new_draft()
        .unwrap()
        .finish(&archive, Manifest::new(&lib.source), lib)
        .unwrap()
}

fn trackvault(dir: &Path, server: &MockServer) -> Command {
    let mut cmd = Command::cargo_bin("trackvault").unwrap();
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", dir.join("archive"))
        .env("TRACKVAULT_CONFIG_DIR", dir.join("config"))
        .env("TRACKVAULT_LISTENBRAINZ_URL", server.uri())
        .env("TRACKVAULT_LISTENBRAINZ_TOKEN", TOKEN)
        .env("TRACKVAULT_LISTENBRAINZ_INTERVAL_MS", "0")
        .timeout(Duration::from_secs(60));
    cmd
}

fn push(dir: &Path, server: &MockServer, snapshot: &str) -> Command {
    let mut cmd = trackvault(dir, server);
    cmd.args(["push", "listenbrainz", snapshot]);
    cmd
}

fn hostile_name() -> &'static str {
    "Road \"Trip\", 1/2 \u{1F3B8}\nnext line"
}

// ---------------------------------------------------------------- tests

#[tokio::test(flavor = "multi_thread")]
async fn first_push_creates_and_a_second_push_sends_nothing() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    // Liked: 3 identified, 1 without MBID; playlist: 5 identified, 1 without.
    let lib = library(
        &[Some(1), Some(2), None, Some(3)],
        vec![playlist(
            "pl0000000000000000001",
            hostile_name(),
            &[Some(10), Some(11), Some(12), None, Some(13), Some(14)],
        )],
    );
    let id = snapshot(dir.path(), &lib);

    let out = push(dir.path(), &server, &id).assert().success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let created = lb.playlists();
    assert_eq!(created.len(), 2, "{created:?}");
    let liked = created.values().find(|p| p.title == "Liked Songs").unwrap();
    assert_eq!(liked.recordings, [mbid(1), mbid(2), mbid(3)]);
    assert!(!liked.public, "private unless --public");
    let road = created
        .values()
        .find(|p| p.title == hostile_name())
        .unwrap();
    assert_eq!(
        road.recordings,
        [10, 11, 12, 13, 14].map(mbid),
        "order kept, the unidentified track skipped"
    );
    for m in created.keys() {
        assert!(
            stdout.contains(&format!("/playlist/{m}/")),
            "URL printed: {stdout}"
        );
    }
    assert!(
        stdout.contains("1 tracks without a recording MBID"),
        "{stdout}"
    );
    assert!(stdout.contains("2 request(s)"), "{stdout}");
    let reqs = lb.requests();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(r.path, "/1/playlist/create");
        // `public` is a JSON boolean, not a string.
        assert_eq!(r.body["playlist"]["extension"][EXT]["public"], json!(false));
    }

    // Unchanged: nothing at all is sent.
    push(dir.path(), &server, &id)
        .assert()
        .success()
        .stdout(predicate::str::contains("unchanged").count(2))
        .stdout(predicate::str::contains("0 request(s)"));
    assert_eq!(lb.requests().len(), 2, "second push sent requests");
}

#[tokio::test(flavor = "multi_thread")]
async fn public_flag_is_sent_as_a_json_boolean_and_changed_in_place() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let id = snapshot(dir.path(), &library(&some(1..4), vec![]));
    push(dir.path(), &server, &id)
        .arg("--public")
        .assert()
        .success();
    let body = &lb.requests()[0].body;
    assert_eq!(
        body["playlist"]["extension"][EXT]["public"],
        Value::Bool(true)
    );
    assert!(lb.playlists().values().all(|p| p.public));

    // Pushing again without --public makes it private with one edit, same playlist.
    push(dir.path(), &server, &id).assert().success();
    let reqs = lb.requests();
    assert_eq!(reqs.len(), 2);
    assert!(
        reqs[1].path.starts_with("/1/playlist/edit/"),
        "{}",
        reqs[1].path
    );
    assert_eq!(
        reqs[1].body["playlist"]["extension"][EXT]["public"],
        json!(false)
    );
    let pls = lb.playlists();
    assert_eq!(pls.len(), 1);
    assert!(!pls.values().next().unwrap().public);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_playlist_is_updated_in_place() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let v1: Vec<Option<u32>> = some(1..31);
    let id1 = snapshot(
        dir.path(),
        &library(&[], vec![playlist("pl0000000000000000001", "Mix", &v1)]),
    );
    push(dir.path(), &server, &id1).assert().success();
    let (mbid_before, _) = lb.playlists().into_iter().next().unwrap();

    // v2: track 1 moved to the end, 10..=12 removed, three new ones in the middle, a rename.
    let mut v2: Vec<Option<u32>> = (2..31)
        .filter(|n| !(10..=12).contains(n))
        .map(Some)
        .collect();
    v2.push(Some(1));
    v2.splice(15..15, [Some(100), Some(101), Some(102)]);
    let want: Vec<String> = v2.iter().map(|n| mbid(n.unwrap())).collect();
    let id2 = snapshot(
        dir.path(),
        &library(
            &[],
            vec![playlist("pl0000000000000000001", "Mix (2026)", &v2)],
        ),
    );
    let before = lb.requests().len();
    push(dir.path(), &server, &id2)
        .assert()
        .success()
        .stdout(predicate::str::contains("updated"))
        .stdout(predicate::str::contains("3 added, 3 removed, 1 moved"));
    let pls = lb.playlists();
    assert_eq!(pls.len(), 1, "never a second playlist");
    let p = &pls[&mbid_before];
    assert_eq!(p.recordings, want, "server content equals the new list");
    assert_eq!(p.title, "Mix (2026)");
    let sent: Vec<String> = lb.requests()[before..]
        .iter()
        .map(|r| r.path.rsplit('/').next().unwrap().to_string())
        .collect();
    // GET + delete + move + add + edit: one request per kind of change.
    assert_eq!(sent.len(), 5, "{sent:?}");
    assert_eq!(
        lb.requests()[before].method,
        "GET",
        "content read back first"
    );
    assert!(sent.contains(&"move".to_string()), "{sent:?}");

    // And now it is unchanged again.
    let before = lb.requests().len();
    push(dir.path(), &server, &id2).assert().success();
    assert_eq!(lb.requests().len(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_made_on_listenbrainz_are_read_back_before_updating() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let id1 = snapshot(dir.path(), &library(&some(1..11), vec![]));
    push(dir.path(), &server, &id1).assert().success();
    // Someone removes two tracks on the website.
    {
        let mut st = lb.0.lock().unwrap();
        let p = st.playlists.values_mut().next().unwrap();
        p.recordings.drain(0..2);
    }
    let id2 = snapshot(dir.path(), &library(&some(1..12), vec![]));
    push(dir.path(), &server, &id2).assert().success();
    let p = lb.playlists().into_values().next().unwrap();
    assert_eq!(p.recordings, (1..12).map(mbid).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_250_track_playlist_takes_exactly_3_paced_requests() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let id = snapshot(dir.path(), &library(&some(1..251), vec![]));
    // Default pacing (about one request a second).
    push(dir.path(), &server, &id)
        .env_remove("TRACKVAULT_LISTENBRAINZ_INTERVAL_MS")
        .assert()
        .success()
        .stdout(predicate::str::contains("3 request(s)"));
    let reqs = lb.requests();
    let sizes: Vec<(String, usize)> = reqs
        .iter()
        .map(|r| {
            let n = r.body["playlist"]["track"].as_array().map_or(0, Vec::len);
            (r.path.rsplit('/').next().unwrap().to_string(), n)
        })
        .collect();
    assert_eq!(
        sizes,
        [
            ("create".into(), 100),
            ("add".into(), 100),
            ("add".into(), 50)
        ]
    );
    for w in reqs.windows(2) {
        let gap = w[1].at - w[0].at;
        assert!(gap >= Duration::from_millis(900), "requests {gap:?} apart");
    }
    let p = lb.playlists().into_values().next().unwrap();
    assert_eq!(p.recordings, (1..251).map(mbid).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_playlist_deleted_on_listenbrainz_is_created_again() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let id1 = snapshot(dir.path(), &library(&some(1..5), vec![]));
    push(dir.path(), &server, &id1).assert().success();
    lb.0.lock().unwrap().playlists.clear();
    let id2 = snapshot(dir.path(), &library(&some(1..6), vec![]));
    push(dir.path(), &server, &id2)
        .assert()
        .success()
        .stdout(predicate::str::contains("recreated"));
    let pls = lb.playlists();
    assert_eq!(pls.len(), 1);
    assert_eq!(
        pls.into_values().next().unwrap().recordings,
        (1..6).map(mbid).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_is_honoured_by_retry_after_or_reset_in() {
    for header in ["Retry-After", "X-RateLimit-Reset-In"] {
        let (lb, server) = Lb::start().await;
        let dir = tempfile::tempdir().unwrap();
        let id = snapshot(dir.path(), &library(&some(1..4), vec![]));
        lb.script(Script::TooMany(vec![
            (header, "2".into()),
            ("X-RateLimit-Remaining", "0".into()),
        ]));
        push(dir.path(), &server, &id).assert().success();
        let reqs = lb.requests();
        assert_eq!(reqs.len(), 2, "{header}: one 429, one retry");
        let gap = reqs[1].at - reqs[0].at;
        assert!(
            gap >= Duration::from_secs(2),
            "{header}: retried after {gap:?}"
        );
        assert_eq!(lb.playlists().len(), 1, "{header}: exactly one playlist");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exhausted_window_waits_for_the_reset_before_the_next_request() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let id = snapshot(dir.path(), &library(&some(1..151), vec![]));
    lb.script(Script::Exhausted("2".into()));
    push(dir.path(), &server, &id).assert().success();
    let reqs = lb.requests();
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1].at - reqs[0].at;
    assert!(gap >= Duration::from_secs(2), "waited only {gap:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_reset_pauses_with_exit_75_and_the_rerun_continues_without_duplicates() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let id = snapshot(dir.path(), &library(&some(1..251), vec![]));
    lb.script(Script::Exhausted("3600".into()));
    push(dir.path(), &server, &id)
        .args(["--max-wait-secs", "5"])
        .assert()
        .code(75)
        .stderr(predicate::str::contains("push paused"))
        .stderr(predicate::str::contains("trackvault push listenbrainz"));
    assert_eq!(lb.requests().len(), 1, "nothing sent after the pause");
    // The rerun (window reset) appends the remaining 150 to the same playlist.
    push(dir.path(), &server, &id).assert().success();
    let pls = lb.playlists();
    assert_eq!(pls.len(), 1, "{pls:?}");
    assert_eq!(
        pls.into_values().next().unwrap().recordings,
        (1..251).map(mbid).collect::<Vec<_>>()
    );
    let paths: Vec<String> = lb.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths.iter().filter(|p| p.ends_with("/create")).count(), 1);
    // GET (state says 100 of 250) then two appends.
    assert_eq!(paths.len(), 4, "{paths:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_retry_after_on_429_pauses_with_exit_75() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let id = snapshot(dir.path(), &library(&some(1..4), vec![]));
    lb.script(Script::TooMany(vec![(
        "X-RateLimit-Reset-In",
        "3600".into(),
    )]));
    push(dir.path(), &server, &id)
        .args(["--max-wait-secs", "5"])
        .assert()
        .code(75)
        .stderr(predicate::str::contains("push paused"));
    assert!(lb.playlists().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_token_is_exit_2_with_where_to_get_one() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let id = snapshot(dir.path(), &library(&some(1..4), vec![]));
    push(dir.path(), &server, &id)
        .env("TRACKVAULT_LISTENBRAINZ_TOKEN", "wrong")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rejected the token"))
        .stderr(predicate::str::contains(
            "https://listenbrainz.org/settings/",
        ))
        .stderr(predicate::str::contains("wrong").not());
    assert_eq!(lb.requests().len(), 1);
    assert!(lb.playlists().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_token_is_exit_2_before_any_request() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let id = snapshot(dir.path(), &library(&some(1..4), vec![]));
    for token in [None, Some("  ")] {
        let mut cmd = push(dir.path(), &server, &id);
        cmd.env_remove("TRACKVAULT_LISTENBRAINZ_TOKEN");
        if let Some(t) = token {
            cmd.env("TRACKVAULT_LISTENBRAINZ_TOKEN", t);
        }
        let out = cmd.assert().code(2).get_output().stderr.clone();
        let err = String::from_utf8_lossy(&out);
        assert!(err.contains("TRACKVAULT_LISTENBRAINZ_TOKEN"), "{err}");
        assert!(err.contains("https://listenbrainz.org/settings/"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
    }
    assert!(lb.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn playlist_flag_selects_and_unknown_names_are_exit_2() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let lib = library(
        &some(1..4),
        vec![
            playlist("pl0000000000000000001", "Road Trip", &some(10..13)),
            playlist("pl0000000000000000002", "Gym", &some(20..23)),
        ],
    );
    let id = snapshot(dir.path(), &lib);
    push(dir.path(), &server, &id)
        .args(["--playlist", "Nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no playlist called \"Nope\""));
    assert!(lb.requests().is_empty());
    push(dir.path(), &server, &id)
        .args([
            "--playlist",
            "Road Trip",
            "--playlist",
            "pl0000000000000000002",
        ])
        .assert()
        .success();
    let mut titles: Vec<String> = lb.playlists().into_values().map(|p| p.title).collect();
    titles.sort();
    assert_eq!(titles, ["Gym", "Road Trip"], "Liked Songs not pushed");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_are_retried_and_malformed_answers_are_one_sentence() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let id = snapshot(dir.path(), &library(&some(1..4), vec![]));
    lb.script(Script::ServerError);
    push(dir.path(), &server, &id).assert().success();
    assert_eq!(lb.requests().len(), 2, "the 500 was retried once");
    assert_eq!(lb.playlists().len(), 1);

    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let id = snapshot(dir.path(), &library(&some(1..4), vec![]));
    lb.script(Script::Garbage);
    push(dir.path(), &server, &id)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not the expected JSON"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_connection_is_retried_then_reported() {
    // A port nobody listens on: every attempt fails to connect.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let dir = tempfile::tempdir().unwrap();
    let id = snapshot(dir.path(), &library(&some(1..4), vec![]));
    let server = MockServer::start().await;
    trackvault(dir.path(), &server)
        .env("TRACKVAULT_LISTENBRAINZ_URL", &url)
        .args(["push", "listenbrainz", &id])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("could not connect"))
        .stderr(predicate::str::contains("trackvault push listenbrainz"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_add_applied_twice_by_a_retry_is_repaired() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let id = snapshot(dir.path(), &library(&some(1..251), vec![]));
    // The create goes through; the first append is applied but its answer is lost, so the
    // retry appends the same 100 again.
    lb.script(Script::Normal);
    lb.script(Script::AppliedThenError);
    push(dir.path(), &server, &id).assert().success();
    let p = lb.playlists().into_values().next().unwrap();
    assert_eq!(p.recordings, (1..251).map(mbid).collect::<Vec<_>>());
    let paths: Vec<String> = lb.requests().iter().map(|r| r.path.clone()).collect();
    // create, add (applied, 502), add (retry), add, GET, delete of the duplicate 100.
    assert_eq!(paths.len(), 6, "{paths:?}");
    assert!(paths[5].ends_with("/item/delete"), "{paths:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn check_reads_unchanged_playlists_back_and_recreates_deleted_ones() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let lib = library(
        &some(1..6),
        vec![playlist("pl0000000000000000001", "Gym", &some(20..23))],
    );
    let id = snapshot(dir.path(), &lib);
    push(dir.path(), &server, &id).assert().success();
    // On the website: Liked Songs deleted, a track removed from Gym.
    {
        let mut st = lb.0.lock().unwrap();
        let liked = st
            .playlists
            .iter()
            .find(|(_, p)| p.title == "Liked Songs")
            .map(|(m, _)| m.clone())
            .unwrap();
        st.playlists.remove(&liked);
        st.playlists
            .values_mut()
            .next()
            .unwrap()
            .recordings
            .remove(1);
    }
    // Without --check an unchanged snapshot sends nothing.
    push(dir.path(), &server, &id).assert().success();
    assert_eq!(lb.requests().len(), 2);
    push(dir.path(), &server, &id)
        .arg("--check")
        .assert()
        .success()
        .stdout(predicate::str::contains("recreated  \"Liked Songs\""))
        .stdout(predicate::str::contains("updated    \"Gym\""));
    let pls = lb.playlists();
    assert_eq!(pls.len(), 2);
    let mut lists: Vec<Vec<String>> = pls.into_values().map(|p| p.recordings).collect();
    lists.sort();
    let mut want = vec![
        (1..6).map(mbid).collect::<Vec<_>>(),
        (20..23).map(mbid).collect::<Vec<_>>(),
    ];
    want.sort();
    assert_eq!(lists, want);
    // --check on a matching server: one GET per playlist, nothing else.
    let before = lb.requests().len();
    push(dir.path(), &server, &id)
        .arg("--check")
        .assert()
        .success()
        .stdout(predicate::str::contains("unchanged").count(2));
    let after: Vec<String> = lb.requests()[before..]
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(after, ["GET", "GET"]);
}

/// Two pushes (or a push beside a backup or prune) would race on the push state file: push
/// takes the archive lock, and a refused push sends nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_push_while_another_command_holds_the_archive_sends_nothing() {
    let (lb, server) = Lb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let lib = library(&[Some(1), Some(2)], vec![]);
    let id = snapshot(dir.path(), &lib);
    let archive = Archive::open(dir.path().join("archive")).unwrap();
    let held = archive.lock("backup").unwrap();
    push(dir.path(), &server, &id)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("in use by `trackvault backup`"));
    assert!(lb.requests().is_empty(), "{:?}", lb.requests());
    drop(held);
    push(dir.path(), &server, &id).assert().success();
    assert_eq!(lb.playlists().len(), 1);
}
