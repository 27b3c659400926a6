//! The report's history, reduced from [`crate::history::diff`]: per snapshot, its size; per
//! pair of consecutive snapshots, what changed (playlists created, deleted, renamed, entries
//! added and removed) and which entries Spotify turned into null rows ("what Spotify lost"),
//! with what they used to be. Everything here is small and serializable, so it can be cached
//! between runs while the libraries it came from are not.

use serde::{Deserialize, Serialize};

use crate::history::diff::{EntryMove, LibraryDiff};
use crate::history::LibraryView;
use crate::model::{Contents, EntryKind};

/// One snapshot's size.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotStats {
    pub snapshot: String,
    pub created_at: String,
    pub source: String,
    pub liked_tracks: usize,
    pub playlists: usize,
    pub playlist_entries: usize,
    pub saved_episodes: usize,
    pub saved_albums: usize,
    pub followed_artists: usize,
    /// Null rows in all entry lists.
    pub unavailable: usize,
}

impl SnapshotStats {
    pub fn of(snapshot: &str, view: &LibraryView<'_>) -> Self {
        let playlist_entries = view
            .playlists
            .iter()
            .filter(|p| p.contents == Contents::Complete)
            .map(|p| p.entries.len())
            .sum();
        let unavailable = view
            .liked_tracks
            .iter()
            .chain(&view.saved_episodes)
            .chain(view.playlists.iter().flat_map(|p| &p.entries))
            .filter(|e| e.kind == EntryKind::Unavailable)
            .count();
        SnapshotStats {
            snapshot: snapshot.to_string(),
            created_at: view.created_at.as_str().to_string(),
            source: view.source.as_str().to_string(),
            liked_tracks: view.liked_tracks.len(),
            playlists: view.playlists.len(),
            playlist_entries,
            saved_episodes: view.saved_episodes.len(),
            saved_albums: view.saved_albums.len(),
            followed_artists: view.followed_artists.len(),
            unavailable,
        }
    }

    /// Liked songs, playlist entries and saved episodes: what "library size" means on the chart.
    pub fn entries(&self) -> usize {
        self.liked_tracks + self.playlist_entries + self.saved_episodes
    }
}

/// What changed from one snapshot to the next.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub playlists_created: Vec<String>,
    pub playlists_deleted: Vec<String>,
    /// (old name, new name).
    pub playlists_renamed: Vec<(String, String)>,
    pub playlist_entries_added: usize,
    pub playlist_entries_removed: usize,
    pub liked_added: usize,
    pub liked_removed: usize,
    pub albums_added: usize,
    pub albums_removed: usize,
    pub episodes_added: usize,
    pub episodes_removed: usize,
    pub artists_followed: usize,
    pub artists_unfollowed: usize,
    pub lost: Vec<LostEntry>,
}

/// An entry that Spotify turned into a null row, with what it was before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostEntry {
    /// Where it was: a playlist's name, "Liked Songs" or "Saved episodes".
    pub collection: String,
    /// Zero-based position in the newer snapshot.
    pub position: u32,
    pub uri: Option<String>,
    pub name: Option<String>,
    pub artists: Vec<String>,
}

impl Step {
    pub fn of(diff: &LibraryDiff) -> Self {
        let p = &diff.playlists;
        let mut lost = Vec::new();
        let mut push_lost = |collection: &str, moves: &[EntryMove]| {
            lost.extend(moves.iter().map(|m| LostEntry {
                collection: collection.to_string(),
                position: m.to,
                uri: m.uri.clone(),
                name: m.name.clone(),
                artists: m.artists.clone(),
            }))
        };
        push_lost("Liked Songs", &diff.liked_tracks.became_unavailable);
        for playlist in &p.changed {
            push_lost(&playlist.name, &playlist.became_unavailable);
        }
        push_lost("Saved episodes", &diff.saved_episodes.became_unavailable);
        let s = &diff.summary;
        Step {
            playlists_created: p.created.iter().map(|r| r.name.clone()).collect(),
            playlists_deleted: p.deleted.iter().map(|r| r.name.clone()).collect(),
            playlists_renamed: p
                .changed
                .iter()
                .filter_map(|c| c.renamed.as_ref())
                .map(|r| (r.old.clone(), r.new.clone()))
                .collect(),
            playlist_entries_added: s.playlist_entries_added,
            playlist_entries_removed: s.playlist_entries_removed,
            liked_added: s.liked_tracks_added,
            liked_removed: s.liked_tracks_removed,
            albums_added: s.saved_albums_added,
            albums_removed: s.saved_albums_removed,
            episodes_added: s.saved_episodes_added,
            episodes_removed: s.saved_episodes_removed,
            artists_followed: s.followed_artists_added,
            artists_unfollowed: s.followed_artists_removed,
            lost,
        }
    }

    pub fn is_empty(&self) -> bool {
        self == &Step::default()
    }
}

/// The whole history the page shows, oldest snapshot first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    pub snapshots: Vec<SnapshotStats>,
    /// `steps[i]` leads from `snapshots[i]` to `snapshots[i + 1]`.
    pub steps: Vec<Step>,
    /// Snapshots that could not be read, with the reason; the history goes around them.
    pub skipped: Vec<(String, String)>,
    /// Snapshots whose library.json was parsed for this timeline (the rest came from the cache).
    pub parsed: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::diff_libraries;
    use crate::history::SnapshotRef;
    use crate::model::{Entry, Item, Library, Owner, Playlist, User};

    fn entry(position: u32, uri: &str, name: &str) -> Entry {
        Entry {
            position,
            added_at: Some("2024-01-01T00:00:00Z".into()),
            added_by: None,
            kind: EntryKind::Track,
            item: Some(Item::bare("track", None, uri, name)),
        }
    }

    fn playlist(id: &str, name: &str, entries: Vec<Entry>) -> Playlist {
        Playlist {
            id: id.into(),
            name: name.into(),
            description: None,
            owner: Owner::default(),
            public: None,
            collaborative: false,
            snapshot_id: None,
            total: entries.len() as u32,
            contents: Contents::Complete,
            not_accessible_reason: None,
            entries,
        }
    }

    fn reference(id: &str) -> SnapshotRef {
        SnapshotRef {
            snapshot: id.into(),
            created_at: String::new(),
            source: String::new(),
        }
    }

    #[test]
    fn a_step_names_playlists_and_remembers_lost_entries() {
        let mut old = Library::empty("spotify-web-api", User::default());
        old.playlists = vec![
            playlist("a", "Road", vec![entry(0, "spotify:track:1", "Gone Song")]),
            playlist("b", "Old name", vec![]),
            playlist("c", "Deleted", vec![]),
        ];
        let mut new = old.clone();
        new.playlists[0].entries[0].kind = EntryKind::Unavailable;
        new.playlists[0].entries[0].item = None;
        new.playlists[0]
            .entries
            .push(entry(1, "spotify:track:2", "New"));
        new.playlists[1].name = "New name".into();
        new.playlists.remove(2);
        new.playlists.push(playlist("d", "Created", vec![]));
        let step = Step::of(&diff_libraries(&old, &new, reference("1"), reference("2")));
        assert_eq!(step.playlists_created, ["Created"]);
        assert_eq!(step.playlists_deleted, ["Deleted"]);
        assert_eq!(
            step.playlists_renamed,
            [("Old name".to_string(), "New name".to_string())]
        );
        assert_eq!(step.playlist_entries_added, 1);
        assert_eq!(step.lost.len(), 1);
        assert_eq!(step.lost[0].collection, "Road");
        assert_eq!(step.lost[0].name.as_deref(), Some("Gone Song"));
        let stats = SnapshotStats::of("2", &LibraryView::of(&new));
        assert_eq!(
            (stats.playlists, stats.playlist_entries, stats.unavailable),
            (3, 2, 1)
        );
    }
}
