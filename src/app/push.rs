//! The `push listenbrainz` workflow: for Liked Songs and each accessible playlist (or the ones
//! asked for), build the JSPF the `listenbrainz` export writes, then create the playlist on
//! ListenBrainz (≤100 tracks in the create request, the rest through `item/add` in 100s) or,
//! when the push state remembers it, bring it up to date in place: nothing is sent when it is
//! unchanged; otherwise its current content is read back and the cheapest edits are applied
//! (see [`crate::listenbrainz::diff`]). A remembered playlist deleted on the server is created again. The
//! state is saved after every request that changed something.

use std::time::Duration;

use serde_json::Value;
use url::Url;

use super::{emit, Out};
use crate::archive::Archive;
use crate::config::Settings;
use crate::error::Result;

use crate::export::collections::{plan, Collection, CollectionKind};
use crate::export::jspf::{listenbrainz_parts, PLAYLIST_EXTENSION};
use crate::export::summary::LeftOut;
use crate::listenbrainz::client::ListenBrainz;
use crate::listenbrainz::diff::{self, Edit, MAX_PER_ADD};
use crate::listenbrainz::error::PushError;
use crate::listenbrainz::state::{RemotePlaylist, StateFile, LIKED_SONGS_KEY};
use crate::model::Library;

/// What to push.
#[derive(Debug, Clone, Default)]
pub struct PushOptions {
    /// Playlist names or Spotify ids (`Liked Songs` for liked songs); empty means all.
    pub playlists: Vec<String>,
    /// Make the ListenBrainz playlists public (otherwise private).
    pub public: bool,
    /// Read remembered playlists back even when unchanged (finds deleted ones and website edits).
    pub check: bool,
}

/// What happened to one playlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Created,
    /// Edits applied (requests), including a metadata edit.
    Updated {
        added: usize,
        removed: usize,
        moved: usize,
    },
    /// Deleted on ListenBrainz since the last push, so created again.
    Recreated,
    Unchanged,
    /// Nothing to push: no track has a recording MBID.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub name: String,
    pub action: Action,
    /// Tracks the ListenBrainz playlist holds now.
    pub tracks: usize,
    /// Rows not pushed, by reason.
    pub left_out: LeftOut,
    /// The playlist's page, when it exists.
    pub url: Option<String>,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = crate::export::collections::one_line(&self.name);
        match &self.action {
            Action::Created => write!(f, "created    {name:?}: {} tracks", self.tracks)?,
            Action::Recreated => write!(
                f,
                "recreated  {name:?} (it was deleted on ListenBrainz): {} tracks",
                self.tracks
            )?,
            Action::Updated {
                added,
                removed,
                moved,
            } => write!(
                f,
                "updated    {name:?}: {} tracks ({added} added, {removed} removed, {moved} moved)",
                self.tracks
            )?,
            Action::Unchanged => write!(f, "unchanged  {name:?}: {} tracks", self.tracks)?,
            Action::Skipped => write!(
                f,
                "skipped    {name:?}: no track has a recording MBID (run `trackvault enrich` first)"
            )?,
        }
        if self.left_out.total() > 0 {
            let parts: Vec<String> = self
                .left_out
                .0
                .iter()
                .map(|(reason, n)| format!("{n} {reason}"))
                .collect();
            write!(f, "; not pushed: {}", parts.join(", "))?;
        }
        if let Some(url) = &self.url {
            write!(f, "\n           {url}")?;
        }
        Ok(())
    }
}

/// One collection ready to push.
struct Wanted {
    key: String,
    name: String,
    title: String,
    /// The JSPF playlist head (title, annotation, extension with `public`), without tracks.
    head: serde_json::Map<String, Value>,
    recordings: Vec<String>,
    tracks: Vec<Value>,
    left_out: LeftOut,
}

/// The collections `opts` selects, checked before any request is sent.
fn select<'a>(
    library: &'a Library,
    opts: &PushOptions,
    snapshot: &str,
) -> Result<Vec<Collection<'a>>, PushError> {
    let pushable: Vec<Collection<'a>> = plan(library)
        .collections
        .into_iter()
        .filter(|c| c.kind != CollectionKind::Album)
        .collect();
    if opts.playlists.is_empty() {
        return Ok(pushable);
    }
    for wanted in &opts.playlists {
        if !pushable.iter().any(|c| matches(c, wanted)) {
            let mut names: Vec<String> = pushable.iter().map(|c| format!("{:?}", c.name)).collect();
            if names.len() > 10 {
                let more = names.len() - 10;
                names.truncate(10);
                names.push(format!("… {more} more"));
            }
            return Err(PushError::UnknownPlaylist {
                name: wanted.clone(),
                snapshot: snapshot.to_string(),
                available: if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                },
            });
        }
    }
    Ok(pushable
        .into_iter()
        .filter(|c| opts.playlists.iter().any(|w| matches(c, w)))
        .collect())
}

fn matches(c: &Collection<'_>, wanted: &str) -> bool {
    c.name == wanted || c.playlist.is_some_and(|p| p.id == wanted)
}

fn wanted(library: &Library, c: &Collection<'_>, public: bool) -> Wanted {
    let mut left_out = LeftOut::default();
    let (mut head, parts) = listenbrainz_parts(library, c, &mut left_out);
    if let Some(ext) = head
        .get_mut("extension")
        .and_then(|e| e.get_mut(PLAYLIST_EXTENSION))
        .and_then(Value::as_object_mut)
    {
        ext.insert("public".into(), Value::Bool(public));
    }
    let title = head
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut recordings = Vec::with_capacity(parts.len());
    let mut tracks = Vec::with_capacity(parts.len());
    for (mbid, mut track) in parts {
        // One recording URL as a string: every server version accepts that form.
        if let Some(obj) = track.as_object_mut() {
            obj.insert(
                "identifier".into(),
                Value::String(crate::export::fields::recording_url(&mbid)),
            );
        }
        recordings.push(mbid);
        tracks.push(track);
    }
    let key = match c.playlist {
        Some(p) => p.id.clone(),
        None => LIKED_SONGS_KEY.to_string(),
    };
    Wanted {
        key,
        name: c.name.clone(),
        title,
        head,
        recordings,
        tracks,
        left_out,
    }
}

/// Pushes the selected collections of `library` (snapshot `snapshot`), calling `report` after
/// each playlist. Stops at the first error (a pause included); the state keeps what was done.
pub async fn push(
    library: &Library,
    snapshot: &str,
    client: &ListenBrainz,
    state: &mut StateFile,
    opts: &PushOptions,
    report: &mut (dyn FnMut(&Outcome) + Send),
) -> Result<Vec<Outcome>, PushError> {
    let collections = select(library, opts, snapshot)?;
    let mut outcomes = Vec::with_capacity(collections.len());
    for c in &collections {
        let w = wanted(library, c, opts.public);
        let outcome = push_one(client, state, &w, opts.public, opts.check).await?;
        report(&outcome);
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

async fn push_one(
    client: &ListenBrainz,
    state: &mut StateFile,
    w: &Wanted,
    public: bool,
    check: bool,
) -> Result<Outcome, PushError> {
    let outcome = |action: Action, mbid: Option<&str>| Outcome {
        name: w.name.clone(),
        action,
        tracks: w.recordings.len(),
        left_out: w.left_out.clone(),
        url: mbid.map(|m| playlist_url(client.base(), m)),
    };
    client.take_retried_change();
    let Some(remote) = state.get(&w.key).cloned() else {
        if w.recordings.is_empty() {
            return Ok(outcome(Action::Skipped, None));
        }
        let mbid = create(client, state, w, public).await?;
        repair_if_retried(client, state, w, public).await?;
        return Ok(outcome(Action::Created, Some(&mbid)));
    };
    let same_list = remote.recordings == w.recordings;
    let same_meta = remote.title == w.title && remote.public == public;
    if same_list && same_meta && !check {
        return Ok(outcome(Action::Unchanged, Some(&remote.mbid)));
    }
    let result = match update(client, state, w, public, remote, check).await {
        Ok(done) => repair_if_retried(client, state, w, public)
            .await
            .map(|()| done),
        Err(e) => Err(e),
    };
    match result {
        Ok((0, 0, 0, mbid)) if same_meta => Ok(outcome(Action::Unchanged, Some(&mbid))),
        Ok((added, removed, moved, mbid)) => Ok(outcome(
            Action::Updated {
                added,
                removed,
                moved,
            },
            Some(&mbid),
        )),
        Err(PushError::PlaylistGone(_)) => {
            state.forget(&w.key)?;
            if w.recordings.is_empty() {
                return Ok(outcome(Action::Skipped, None));
            }
            let mbid = create(client, state, w, public).await?;
            repair_if_retried(client, state, w, public).await?;
            Ok(outcome(Action::Recreated, Some(&mbid)))
        }
        Err(e) => Err(e),
    }
}

/// When a changing request needed a retry, an earlier attempt may have been applied although
/// its answer was lost (a duplicated `item/add`, say): read the playlist back and repair it.
async fn repair_if_retried(
    client: &ListenBrainz,
    state: &mut StateFile,
    w: &Wanted,
    public: bool,
) -> Result<(), PushError> {
    if !client.take_retried_change() {
        return Ok(());
    }
    let Some(remote) = state.get(&w.key).cloned() else {
        return Ok(());
    };
    tracing::info!(playlist = %w.name, "a change was retried; reading the playlist back");
    update(client, state, w, public, remote, true)
        .await
        .map(|_| ())
}

/// Creates the playlist with its first 100 tracks, then appends the rest in 100s.
async fn create(
    client: &ListenBrainz,
    state: &mut StateFile,
    w: &Wanted,
    public: bool,
) -> Result<String, PushError> {
    let first = w.tracks.len().min(MAX_PER_ADD);
    let mut jspf = w.head.clone();
    jspf.insert("track".into(), Value::Array(w.tracks[..first].to_vec()));
    let mbid = client.create(Value::Object(jspf)).await?;
    if client.take_retried_change() {
        // Reading back cannot tell a lost first create from none; only say so.
        tracing::info!(playlist = %w.name, "the create request was retried; if ListenBrainz shows this playlist twice, delete the copy not linked above");
    }
    let mut remote = RemotePlaylist {
        mbid: mbid.clone(),
        title: w.title.clone(),
        public,
        recordings: w.recordings[..first].to_vec(),
        updated_at: String::new(),
    };
    state.set(&w.key, remote.clone())?;
    let mut start = first;
    while start < w.tracks.len() {
        let end = (start + MAX_PER_ADD).min(w.tracks.len());
        client
            .add(&mbid, None, w.tracks[start..end].to_vec())
            .await?;
        remote
            .recordings
            .extend_from_slice(&w.recordings[start..end]);
        state.set(&w.key, remote.clone())?;
        start = end;
    }
    Ok(mbid)
}

/// Brings a remembered playlist up to date: reads what it holds (when the remembered list
/// differs from the wanted one, or `read_back`), applies the cheapest edits, then fixes title
/// and public flag. Returns (added, removed, moved, mbid).
async fn update(
    client: &ListenBrainz,
    state: &mut StateFile,
    w: &Wanted,
    public: bool,
    mut remote: RemotePlaylist,
    read_back: bool,
) -> Result<(usize, usize, usize, String), PushError> {
    let (mut added, mut removed, mut moved) = (0, 0, 0);
    if read_back || remote.recordings != w.recordings {
        // The server's content, not our memory of it: edits made on ListenBrainz count too.
        let mut current = client.recordings(&remote.mbid).await?;
        for edit in diff::plan(&current, &w.recordings) {
            match &edit {
                Edit::Delete { index, count } => {
                    client.delete(&remote.mbid, *index, *count).await?;
                    removed += count;
                }
                Edit::Add { at, from_new } => {
                    let tracks = w.tracks[from_new.clone()].to_vec();
                    let offset = (*at < current.len()).then_some(*at);
                    client.add(&remote.mbid, offset, tracks).await?;
                    added += from_new.len();
                }
                Edit::Move { from, to, count } => {
                    client.move_items(&remote.mbid, *from, *to, *count).await?;
                    moved += count;
                }
            }
            diff::apply(&mut current, &edit, &w.recordings);
            remote.recordings = current.clone();
            state.set(&w.key, remote.clone())?;
        }
        // Also when nothing was sent: an interrupted run may have done the work already.
        if remote.recordings != current {
            remote.recordings = current;
            state.set(&w.key, remote.clone())?;
        }
    }
    if remote.title != w.title || remote.public != public {
        let mut jspf = serde_json::Map::new();
        for field in ["title", "annotation", "extension"] {
            if let Some(v) = w.head.get(field) {
                jspf.insert(field.into(), v.clone());
            }
        }
        client.edit(&remote.mbid, Value::Object(jspf)).await?;
        remote.title = w.title.clone();
        remote.public = public;
        state.set(&w.key, remote.clone())?;
    }
    Ok((added, removed, moved, remote.mbid))
}

/// The playlist's web page: `https://listenbrainz.org/playlist/<mbid>/` for the official API
/// (`api.listenbrainz.org`), the same path on the API's own host (without `api.`) otherwise.
pub fn playlist_url(api_base: &Url, mbid: &str) -> String {
    let mut url = api_base.clone();
    if let Some(host) = api_base.host_str() {
        if let Some(web) = host.strip_prefix("api.") {
            let web = web.to_string();
            let _ = url.set_host(Some(&web));
        }
    }
    url.set_query(None);
    url.set_fragment(None);
    url.set_path(&format!("playlist/{mbid}/"));
    url.to_string()
}

/// Where to push: the ListenBrainz API base, the user's token, the spacing of requests.
#[derive(Debug, Clone)]
pub struct Destination<'a> {
    pub base: Url,
    pub token: &'a str,
    pub interval: Duration,
}

/// Pushes snapshot `snapshot` (default: the latest) of the configured archive to
/// `destination`, printing each playlist's outcome as it happens and the request counts at
/// the end.
pub async fn push_snapshot(
    settings: &Settings,
    snapshot: Option<&str>,
    destination: Destination<'_>,
    opts: &PushOptions,
    out: Out<'_>,
) -> Result<()> {
    let archive = Archive::open(&settings.archive_root)?;
    // The push state lives in the archive: one command changing the archive at a time.
    let _lock = archive.lock("push")?;
    let snapshot = archive.resolve(snapshot)?;
    let library = archive.read_library(&snapshot)?;
    let Destination {
        base,
        token,
        interval,
    } = destination;
    let mut state = StateFile::load(&settings.archive_root, base.as_str(), token)?;
    let client = ListenBrainz::network(
        &settings.user_agent(),
        base,
        token,
        interval,
        settings.max_wait,
    )?;
    emit(
        out,
        &format!("Pushing snapshot {snapshot} to ListenBrainz.\n"),
    )?;
    let mut write_err = None;
    let result = {
        let mut report = |o: &Outcome| {
            if let Err(e) = emit(&mut *out, &format!("{o}\n")) {
                write_err.get_or_insert(e);
            }
        };
        push(&library, &snapshot, &client, &mut state, opts, &mut report).await
    };
    let requests = client.request_counts();
    let outcomes = result?;
    if let Some(e) = write_err {
        return Err(e);
    }
    let per_endpoint: Vec<String> = requests
        .0
        .iter()
        .map(|(label, n)| format!("{n} {label}"))
        .collect();
    let detail = if per_endpoint.is_empty() {
        String::new()
    } else {
        format!(" ({})", per_endpoint.join(", "))
    };
    emit(
        out,
        &format!(
            "{} playlist(s); {} request(s) to ListenBrainz{detail}.\n",
            outcomes.len(),
            requests.total()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls_follow_the_api_host() {
        let official = Url::parse("https://api.listenbrainz.org").unwrap();
        assert_eq!(
            playlist_url(&official, "m1"),
            "https://listenbrainz.org/playlist/m1/"
        );
        let local = Url::parse("http://127.0.0.1:8080/lb").unwrap();
        assert_eq!(
            playlist_url(&local, "m1"),
            "http://127.0.0.1:8080/playlist/m1/"
        );
    }
}
