//! `trackvault log PLAYLIST`: one playlist across every snapshot, with what changed at each step.

use std::collections::HashSet;

use serde::Serialize;

use super::diff::{diff_playlist_views, ContentsComparison, SnapshotRef};
use super::view::{LibraryView, PlaylistView};
use super::HistoryError;
use crate::archive::{Archive, ArchiveError};
use crate::model::Contents;

type Playlist = PlaylistView<'static>;

/// Version of the `--json` shape.
pub const LOG_FORMAT_VERSION: u32 = 1;

/// A playlist's history, oldest snapshot first, starting where it first appears.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaylistHistory {
    pub format: &'static str,
    pub version: u32,
    pub playlist_id: String,
    /// Its name in the newest snapshot that has it.
    pub name: String,
    pub snapshots: Vec<LogRow>,
}

/// The playlist in one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRow {
    pub snapshot: String,
    pub created_at: String,
    pub source: String,
    pub status: LogStatus,
    pub name: Option<String>,
    /// Null when absent or not accessible.
    pub entries: Option<usize>,
    /// Spotify's playlist version id.
    pub spotify_snapshot_id: Option<String>,
    /// Changes since the previous snapshot whose entries were known; null when there is none.
    pub added: Option<usize>,
    pub removed: Option<usize>,
    pub moved: Option<usize>,
    pub became_unavailable: Option<usize>,
    pub renamed_from: Option<String>,
    pub description_changed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogStatus {
    /// First snapshot that has the playlist.
    FirstSeen,
    Present,
    /// In the snapshot, but only its metadata was readable.
    NotAccessible,
    /// Not in this snapshot (deleted or unfollowed; it may come back later).
    Absent,
}

impl LogStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LogStatus::FirstSeen => "first_seen",
            LogStatus::Present => "present",
            LogStatus::NotAccessible => "not_accessible",
            LogStatus::Absent => "absent",
        }
    }
}

/// Reads every complete snapshot and builds the history of the playlist `query` names (an id,
/// else an exact name, else a case-insensitive name).
pub fn playlist_history(archive: &Archive, query: &str) -> Result<PlaylistHistory, HistoryError> {
    // One pass over the snapshots, keeping only playlists that could be the one asked for (by
    // id or name, or an id already seen under that name), plus every snapshot's playlist ids.
    let wanted = query.to_lowercase();
    let mut seen: Vec<(SnapshotRef, Vec<Playlist>)> = Vec::new();
    let mut present: Vec<HashSet<String>> = Vec::new();
    let mut candidate_ids: HashSet<String> = HashSet::new();
    for info in archive.snapshots()? {
        let bytes = read_library_bytes(archive, &info.id)?;
        let library = parse(archive, &info.id, &bytes)?;
        present.push(
            library
                .playlists
                .iter()
                .map(|p| p.id.as_str().to_string())
                .collect(),
        );
        let candidates: Vec<Playlist> = library
            .playlists
            .into_iter()
            .filter(|p| {
                p.id.as_str() == query
                    || p.name.as_str().to_lowercase() == wanted
                    || candidate_ids.contains(p.id.as_str())
            })
            .map(PlaylistView::into_owned)
            .collect();
        candidate_ids.extend(candidates.iter().map(|p| p.id.as_str().to_string()));
        seen.push((
            SnapshotRef {
                snapshot: info.id,
                created_at: library.created_at.as_str().to_string(),
                source: library.source.as_str().to_string(),
            },
            candidates,
        ));
    }
    let id = resolve(&seen, query)?;
    // Versions from before the playlist had the name asked for were skipped: fetch them now.
    for ((snap, playlists), ids) in seen.iter_mut().zip(&present) {
        if ids.contains(&id) && !playlists.iter().any(|p| p.id.as_str() == id) {
            let bytes = read_library_bytes(archive, &snap.snapshot)?;
            let library = parse(archive, &snap.snapshot, &bytes)?;
            playlists.extend(
                library
                    .playlists
                    .into_iter()
                    .filter(|p| p.id.as_str() == id)
                    .map(PlaylistView::into_owned),
            );
        }
    }
    Ok(build(&seen, &id))
}

fn read_library_bytes(archive: &Archive, id: &str) -> Result<Vec<u8>, ArchiveError> {
    let path = archive.snapshot_dir(id).join("library.json");
    std::fs::read(&path).map_err(|e| ArchiveError::io(&path, e))
}

fn parse<'a>(
    archive: &Archive,
    id: &str,
    bytes: &'a [u8],
) -> Result<LibraryView<'a>, ArchiveError> {
    LibraryView::parse(bytes).map_err(|e| ArchiveError::Corrupt {
        path: archive.snapshot_dir(id).join("library.json"),
        detail: format!("not valid JSON for this file ({e})"),
    })
}

/// Picks the playlist id `query` means, or explains why it cannot.
fn resolve(seen: &[(SnapshotRef, Vec<Playlist>)], query: &str) -> Result<String, HistoryError> {
    let all = || seen.iter().flat_map(|(_, ps)| ps.iter());
    if all().any(|p| p.id.as_str() == query) {
        return Ok(query.to_string());
    }
    let exact: Vec<&Playlist> = all().filter(|p| p.name.as_str() == query).collect();
    let pool: Vec<&Playlist> = if exact.is_empty() {
        all().collect()
    } else {
        exact
    };
    // Distinct ids, each with the last name it had.
    let mut ids: Vec<(&str, &str)> = Vec::new();
    for p in pool {
        match ids.iter_mut().find(|(id, _)| *id == p.id.as_str()) {
            Some(slot) => slot.1 = p.name.as_str(),
            None => ids.push((p.id.as_str(), p.name.as_str())),
        }
    }
    match ids.as_slice() {
        [] => Err(HistoryError::UnknownPlaylist(query.to_string())),
        [(id, _)] => Ok(id.to_string()),
        many => Err(HistoryError::AmbiguousPlaylist {
            name: query.to_string(),
            candidates: many
                .iter()
                .map(|(id, name)| format!("{id} ({name:?})"))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn build(seen: &[(SnapshotRef, Vec<Playlist>)], id: &str) -> PlaylistHistory {
    let mut rows = Vec::new();
    let mut name = String::new();
    // The last version whose entries were readable: what the next one is compared with.
    let mut previous: Option<&Playlist> = None;
    // The last version seen at all: what names and descriptions are compared with.
    let mut previous_meta: Option<&Playlist> = None;
    let mut started = false;
    for (snap, playlists) in seen {
        let row_for = |status, p: Option<&Playlist>| LogRow {
            snapshot: snap.snapshot.clone(),
            created_at: snap.created_at.clone(),
            source: snap.source.clone(),
            status,
            name: p.map(|p| p.name.as_str().to_string()),
            entries: p
                .filter(|p| p.contents == Contents::Complete)
                .map(|p| p.entries.len()),
            spotify_snapshot_id: p
                .and_then(|p| p.snapshot_id.as_ref().map(|s| s.as_str().to_string())),
            added: None,
            removed: None,
            moved: None,
            became_unavailable: None,
            renamed_from: None,
            description_changed: false,
        };
        let Some(current) = playlists.iter().find(|p| p.id.as_str() == id) else {
            if started {
                rows.push(row_for(LogStatus::Absent, None));
            }
            continue;
        };
        name = current.name.as_str().to_string();
        let status = if !started {
            LogStatus::FirstSeen
        } else if current.contents == Contents::NotAccessible {
            LogStatus::NotAccessible
        } else {
            LogStatus::Present
        };
        let mut row = row_for(status, Some(current));
        if let Some(meta) = previous_meta {
            let d = diff_playlist_views(meta, current);
            row.renamed_from = d.renamed.map(|r| r.old);
            row.description_changed = d.description.is_some();
        }
        if let Some(prev) = previous {
            let d = diff_playlist_views(prev, current);
            if d.contents == ContentsComparison::Compared {
                row.added = Some(d.added.len());
                row.removed = Some(d.removed.len());
                row.moved = Some(d.moved.len());
                row.became_unavailable = Some(d.became_unavailable.len());
            }
        }
        if current.contents == Contents::Complete {
            previous = Some(current);
        }
        previous_meta = Some(current);
        started = true;
        rows.push(row);
    }
    PlaylistHistory {
        format: "trackvault-log",
        version: LOG_FORMAT_VERSION,
        playlist_id: id.to_string(),
        name,
        snapshots: rows,
    }
}
