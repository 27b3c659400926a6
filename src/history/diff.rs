//! What changed between two libraries: the data behind `trackvault diff` and its `--json`
//! shape (documented in `docs/history.md`; field names are stable, additions keep `version: 1`).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::identity::{match_entries, moved_pairs, PairKind};
use super::view::{EntryView as Entry, LibraryView, NamedView, PlaylistView as Playlist, Str};
use crate::model::{Contents, EntryKind, Library, SOURCE_DATA_DOWNLOAD};

/// Version of the `--json` shape.
pub const DIFF_FORMAT_VERSION: u32 = 1;

/// One side of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotRef {
    pub snapshot: String,
    pub created_at: String,
    pub source: String,
}

/// Everything that changed from `old` to `new`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LibraryDiff {
    pub format: &'static str,
    pub version: u32,
    pub old: SnapshotRef,
    pub new: SnapshotRef,
    pub summary: Summary,
    pub playlists: PlaylistChanges,
    pub liked_tracks: EntryChanges,
    pub saved_episodes: EntryChanges,
    pub saved_albums: SetChanges,
    pub saved_shows: SetChanges,
    pub followed_artists: SetChanges,
}

/// Counts of everything below, for scripts that only need numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub playlists_created: usize,
    pub playlists_deleted: usize,
    pub playlists_changed: usize,
    pub playlist_entries_added: usize,
    pub playlist_entries_removed: usize,
    pub playlist_entries_moved: usize,
    pub became_unavailable: usize,
    pub liked_tracks_added: usize,
    pub liked_tracks_removed: usize,
    pub saved_albums_added: usize,
    pub saved_albums_removed: usize,
    pub saved_shows_added: usize,
    pub saved_shows_removed: usize,
    pub saved_episodes_added: usize,
    pub saved_episodes_removed: usize,
    pub followed_artists_added: usize,
    pub followed_artists_removed: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PlaylistChanges {
    pub created: Vec<PlaylistRef>,
    pub deleted: Vec<PlaylistRef>,
    /// Playlists in both snapshots with at least one change, in the new snapshot's order.
    pub changed: Vec<PlaylistDiff>,
    /// Playlists in both snapshots whose entries could not be compared because at least one
    /// side is `not_accessible`: their contents are unknown, not removed.
    pub not_compared: Vec<PlaylistRef>,
}

/// A playlist that appeared or disappeared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaylistRef {
    pub id: String,
    pub name: String,
    /// Entry count; null when the contents were not accessible.
    pub entries: Option<usize>,
}

/// A text field's old and new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change<T> {
    pub old: T,
    pub new: T,
}

/// Whether the two versions' entries could be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentsComparison {
    Compared,
    /// At least one side is `not_accessible`: entries were not compared and none is reported.
    Unknown,
}

/// What changed in one playlist present in both snapshots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaylistDiff {
    pub id: String,
    /// Name in the new snapshot.
    pub name: String,
    pub renamed: Option<Change<String>>,
    pub description: Option<Change<Option<String>>>,
    pub contents: ContentsComparison,
    pub old_entries: usize,
    pub new_entries: usize,
    pub added: Vec<EntryRef>,
    pub removed: Vec<EntryRef>,
    pub moved: Vec<EntryMove>,
    pub became_unavailable: Vec<EntryMove>,
}

/// One entry as the diff reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRef {
    pub position: u32,
    pub added_at: Option<String>,
    pub kind: EntryKind,
    /// Null for a null row.
    pub uri: Option<String>,
    pub name: Option<String>,
    pub artists: Vec<String>,
}

/// An entry at `from` in the old snapshot and `to` in the new one. For `became_unavailable`,
/// `uri`/`name`/`artists` describe what the slot held before it turned into a null row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryMove {
    pub from: u32,
    pub to: u32,
    pub added_at: Option<String>,
    pub kind: EntryKind,
    pub uri: Option<String>,
    pub name: Option<String>,
    pub artists: Vec<String>,
}

/// Changes in an entry collection without a meaningful order (liked songs, saved episodes).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EntryChanges {
    pub added: Vec<EntryRef>,
    pub removed: Vec<EntryRef>,
    pub became_unavailable: Vec<EntryMove>,
}

/// Changes in a set keyed by URI (saved albums and shows, followed artists).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SetChanges {
    pub added: Vec<NamedRef>,
    pub removed: Vec<NamedRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedRef {
    pub uri: String,
    pub name: String,
    pub artists: Vec<String>,
}

impl LibraryDiff {
    /// True when nothing at all changed.
    pub fn is_empty(&self) -> bool {
        self.summary == Summary::default()
    }
}

impl EntryRef {
    fn of(entry: &Entry<'_>) -> Self {
        let (uri, name, artists) = describe(entry);
        EntryRef {
            position: entry.position,
            added_at: owned(&entry.added_at),
            kind: entry.kind,
            uri,
            name,
            artists,
        }
    }
}

impl EntryMove {
    fn of(old: &Entry<'_>, new: &Entry<'_>) -> Self {
        let (uri, name, artists) = describe(old);
        EntryMove {
            from: old.position,
            to: new.position,
            added_at: owned(&new.added_at).or_else(|| owned(&old.added_at)),
            kind: old.kind,
            uri,
            name,
            artists,
        }
    }
}

fn owned(s: &Option<Str<'_>>) -> Option<String> {
    s.as_ref().map(|s| s.as_str().to_string())
}

fn describe(entry: &Entry<'_>) -> (Option<String>, Option<String>, Vec<String>) {
    match &entry.item {
        Some(item) => (
            Some(item.uri.as_str().to_string()),
            Some(item.name.as_str().to_string()),
            item.artists
                .iter()
                .map(|a| a.name.as_str().to_string())
                .collect(),
        ),
        None => (None, None, Vec::new()),
    }
}

/// Compares two libraries. `old_ref`/`new_ref` name them in the output.
pub fn diff_libraries(
    old: &Library,
    new: &Library,
    old_ref: SnapshotRef,
    new_ref: SnapshotRef,
) -> LibraryDiff {
    diff_views(
        &LibraryView::of(old),
        &LibraryView::of(new),
        old_ref,
        new_ref,
    )
}

/// Compares two library views (what `trackvault diff` loads from `library.json`).
pub fn diff_views(
    old: &LibraryView<'_>,
    new: &LibraryView<'_>,
    old_ref: SnapshotRef,
    new_ref: SnapshotRef,
) -> LibraryDiff {
    let playlists = diff_playlists(old, new);
    let liked_tracks = diff_unordered(&old.liked_tracks, &new.liked_tracks);
    let saved_episodes = diff_unordered(&old.saved_episodes, &new.saved_episodes);
    let saved_albums = diff_sets(
        old.saved_albums.iter().map(|a| &a.album),
        new.saved_albums.iter().map(|a| &a.album),
    );
    let saved_shows = diff_sets(
        old.saved_shows.iter().map(|s| &s.show),
        new.saved_shows.iter().map(|s| &s.show),
    );
    let followed_artists = diff_sets(old.followed_artists.iter(), new.followed_artists.iter());
    let summary = Summary {
        playlists_created: playlists.created.len(),
        playlists_deleted: playlists.deleted.len(),
        playlists_changed: playlists.changed.len(),
        playlist_entries_added: playlists.changed.iter().map(|p| p.added.len()).sum(),
        playlist_entries_removed: playlists.changed.iter().map(|p| p.removed.len()).sum(),
        playlist_entries_moved: playlists.changed.iter().map(|p| p.moved.len()).sum(),
        became_unavailable: playlists
            .changed
            .iter()
            .map(|p| p.became_unavailable.len())
            .sum::<usize>()
            + liked_tracks.became_unavailable.len()
            + saved_episodes.became_unavailable.len(),
        liked_tracks_added: liked_tracks.added.len(),
        liked_tracks_removed: liked_tracks.removed.len(),
        saved_albums_added: saved_albums.added.len(),
        saved_albums_removed: saved_albums.removed.len(),
        saved_shows_added: saved_shows.added.len(),
        saved_shows_removed: saved_shows.removed.len(),
        saved_episodes_added: saved_episodes.added.len(),
        saved_episodes_removed: saved_episodes.removed.len(),
        followed_artists_added: followed_artists.added.len(),
        followed_artists_removed: followed_artists.removed.len(),
    };
    LibraryDiff {
        format: "trackvault-diff",
        version: DIFF_FORMAT_VERSION,
        old: old_ref,
        new: new_ref,
        summary,
        playlists,
        liked_tracks,
        saved_episodes,
        saved_albums,
        saved_shows,
        followed_artists,
    }
}

/// Set difference by URI, each side in its own order.
fn diff_sets<'v, 'a: 'v>(
    old: impl Iterator<Item = &'v NamedView<'a>>,
    new: impl Iterator<Item = &'v NamedView<'a>>,
) -> SetChanges {
    let old: Vec<&NamedView> = old.collect();
    let new: Vec<&NamedView> = new.collect();
    let old_uris: HashSet<&str> = old.iter().map(|o| o.uri.as_str()).collect();
    let new_uris: HashSet<&str> = new.iter().map(|n| n.uri.as_str()).collect();
    let to_ref = |v: &&NamedView| NamedRef {
        uri: v.uri.as_str().to_string(),
        name: v.name.as_str().to_string(),
        artists: v
            .artists
            .iter()
            .map(|a| a.name.as_str())
            .chain(v.publisher.as_ref().map(Str::as_str))
            .map(str::to_string)
            .collect(),
    };
    SetChanges {
        added: new
            .iter()
            .filter(|n| !old_uris.contains(n.uri.as_str()))
            .map(to_ref)
            .collect(),
        removed: old
            .iter()
            .filter(|o| !new_uris.contains(o.uri.as_str()))
            .map(to_ref)
            .collect(),
    }
}

/// Liked songs and saved episodes: additions, removals and null rows; order is not a change.
fn diff_unordered(old: &[Entry<'_>], new: &[Entry<'_>]) -> EntryChanges {
    let m = match_entries(old, new);
    EntryChanges {
        added: m.added.iter().map(|&j| EntryRef::of(&new[j])).collect(),
        removed: m.removed.iter().map(|&i| EntryRef::of(&old[i])).collect(),
        became_unavailable: m
            .pairs
            .iter()
            .filter(|p| p.kind == PairKind::BecameUnavailable)
            .map(|p| EntryMove::of(&old[p.old], &new[p.new]))
            .collect(),
    }
}

fn diff_playlists(old: &LibraryView<'_>, new: &LibraryView<'_>) -> PlaylistChanges {
    let old_by_id: HashMap<&str, &Playlist<'_>> =
        old.playlists.iter().map(|p| (p.id.as_str(), p)).collect();
    let new_ids: HashSet<&str> = new.playlists.iter().map(|p| p.id.as_str()).collect();
    let mut partner: HashMap<&str, &Playlist<'_>> = HashMap::new();
    for p in &new.playlists {
        if let Some(o) = old_by_id.get(p.id.as_str()) {
            partner.insert(p.id.as_str(), o);
        }
    }
    // A data download has no playlist ids (import derives them from names), so when either side
    // is an import, unpaired playlists with a unique, equal name are the same playlist.
    if old.source.as_str() == SOURCE_DATA_DOWNLOAD || new.source.as_str() == SOURCE_DATA_DOWNLOAD {
        let unpaired_old: Vec<&Playlist<'_>> = old
            .playlists
            .iter()
            .filter(|p| !new_ids.contains(p.id.as_str()))
            .collect();
        let unpaired_new: Vec<&Playlist<'_>> = new
            .playlists
            .iter()
            .filter(|p| !old_by_id.contains_key(p.id.as_str()))
            .collect();
        for p in &unpaired_new {
            let same_name = |q: &&&Playlist<'_>| q.name == p.name;
            if unpaired_new.iter().filter(same_name).count() == 1 {
                let mut olds = unpaired_old.iter().filter(same_name);
                if let (Some(o), None) = (olds.next(), olds.next()) {
                    partner.insert(p.id.as_str(), o);
                }
            }
        }
    }
    let paired_old: HashSet<&str> = partner.values().map(|o| o.id.as_str()).collect();

    let mut changes = PlaylistChanges::default();
    for p in &new.playlists {
        match partner.get(p.id.as_str()) {
            Some(o) => {
                let d = diff_playlist_views(o, p);
                if d.contents == ContentsComparison::Unknown {
                    changes.not_compared.push(playlist_ref(p));
                }
                if playlist_changed(&d) {
                    changes.changed.push(d);
                }
            }
            None => changes.created.push(playlist_ref(p)),
        }
    }
    changes.deleted = old
        .playlists
        .iter()
        .filter(|o| !paired_old.contains(o.id.as_str()))
        .map(playlist_ref)
        .collect();
    changes
}

fn playlist_ref(p: &Playlist<'_>) -> PlaylistRef {
    PlaylistRef {
        id: p.id.as_str().to_string(),
        name: p.name.as_str().to_string(),
        entries: (p.contents == Contents::Complete).then_some(p.entries.len()),
    }
}

fn playlist_changed(d: &PlaylistDiff) -> bool {
    d.renamed.is_some()
        || d.description.is_some()
        || !d.added.is_empty()
        || !d.removed.is_empty()
        || !d.moved.is_empty()
        || !d.became_unavailable.is_empty()
}

/// Compares one playlist's two versions.
pub fn diff_playlist(old: &crate::model::Playlist, new: &crate::model::Playlist) -> PlaylistDiff {
    diff_playlist_views(&Playlist::of(old), &Playlist::of(new))
}

/// Compares one playlist's two versions (views).
pub fn diff_playlist_views(old: &Playlist<'_>, new: &Playlist<'_>) -> PlaylistDiff {
    let mut d = PlaylistDiff {
        id: new.id.as_str().to_string(),
        name: new.name.as_str().to_string(),
        renamed: (old.name != new.name).then(|| Change {
            old: old.name.as_str().to_string(),
            new: new.name.as_str().to_string(),
        }),
        description: (normalize(&old.description) != normalize(&new.description)).then(|| Change {
            old: owned(&old.description),
            new: owned(&new.description),
        }),
        contents: ContentsComparison::Compared,
        old_entries: old.entries.len(),
        new_entries: new.entries.len(),
        added: Vec::new(),
        removed: Vec::new(),
        moved: Vec::new(),
        became_unavailable: Vec::new(),
    };
    if old.contents != Contents::Complete || new.contents != Contents::Complete {
        d.contents = ContentsComparison::Unknown;
        return d;
    }
    let m = match_entries(&old.entries, &new.entries);
    let moved = moved_pairs(&m.pairs);
    for (pair, moved) in m.pairs.iter().zip(moved) {
        let (o, n) = (&old.entries[pair.old], &new.entries[pair.new]);
        match pair.kind {
            PairKind::BecameUnavailable => d.became_unavailable.push(EntryMove::of(o, n)),
            PairKind::Same if moved => d.moved.push(EntryMove::of(o, n)),
            PairKind::Same => {}
        }
    }
    d.moved.sort_by_key(|m| m.to);
    d.added = m
        .added
        .iter()
        .map(|&j| EntryRef::of(&new.entries[j]))
        .collect();
    d.removed = m
        .removed
        .iter()
        .map(|&i| EntryRef::of(&old.entries[i]))
        .collect();
    d
}

/// Spotify returns "" and null interchangeably for "no description".
fn normalize<'s>(description: &'s Option<Str<'_>>) -> &'s str {
    description.as_ref().map_or("", Str::as_str)
}

/// What `trackvault diff OLD NEW` computes: reads both snapshots' `library.json`, parses them
/// as lean views in parallel (one thread each), and compares them.
pub fn diff_snapshots(
    archive: &crate::archive::Archive,
    old_id: &str,
    new_id: &str,
) -> Result<LibraryDiff, crate::archive::ArchiveError> {
    use crate::archive::ArchiveError;
    let path = |id: &str| archive.snapshot_dir(id).join("library.json");
    let (old_path, new_path) = (path(old_id), path(new_id));
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| ArchiveError::io(p, e));
    let (old_bytes, new_bytes) = (read(&old_path)?, read(&new_path)?);
    let corrupt = |p: &std::path::Path, e: serde_json::Error| ArchiveError::Corrupt {
        path: p.to_path_buf(),
        detail: format!("not valid JSON for this file ({e})"),
    };
    let (old, new) = std::thread::scope(|scope| {
        let old = scope.spawn(|| LibraryView::parse(&old_bytes));
        let new = LibraryView::parse(&new_bytes);
        (old.join(), new)
    });
    let old = old
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        .map_err(|e| corrupt(&old_path, e))?;
    let new = new.map_err(|e| corrupt(&new_path, e))?;
    let reference = |id: &str, view: &LibraryView<'_>| SnapshotRef {
        snapshot: id.to_string(),
        created_at: view.created_at.as_str().to_string(),
        source: view.source.as_str().to_string(),
    };
    Ok(diff_views(
        &old,
        &new,
        reference(old_id, &old),
        reference(new_id, &new),
    ))
}
