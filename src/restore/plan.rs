//! The restore plan: a pure function from a snapshot's [`Library`] (and the user's `--only` /
//! `--playlist` choices) to the ordered writes a restore makes — playlists to create with the
//! URIs to add in order, the library URIs to save oldest first, the rows that cannot be
//! restored with the reason — and the number of write requests that takes. No I/O here.

use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::RestoreError;
use crate::model::{Contents, Entry, EntryKind, Library};
use crate::spotify::write::{ITEMS_PER_ADD, URIS_PER_SAVE};

/// Spotify's limit on a playlist description, in characters.
const DESCRIPTION_MAX: usize = 300;

/// A part of the library `--only` can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    Liked,
    Playlists,
    Albums,
    Shows,
    Episodes,
    Artists,
}

impl Part {
    pub const ALL: [Part; 6] = [
        Part::Liked,
        Part::Playlists,
        Part::Albums,
        Part::Shows,
        Part::Episodes,
        Part::Artists,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Part::Liked => "liked",
            Part::Playlists => "playlists",
            Part::Albums => "albums",
            Part::Shows => "shows",
            Part::Episodes => "episodes",
            Part::Artists => "artists",
        }
    }

    fn parse(text: &str) -> Option<Part> {
        let text = text.trim().to_ascii_lowercase();
        Part::ALL.into_iter().find(|p| p.name() == text)
    }
}

/// What to restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    pub parts: BTreeSet<Part>,
    /// When non-empty, only playlists with these exact names.
    pub playlists: Vec<String>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            parts: Part::ALL.into_iter().collect(),
            playlists: Vec::new(),
        }
    }
}

impl PlanOptions {
    /// From `--only a,b` and `--playlist NAME`…: `--playlist` alone means playlists only.
    pub fn from_args(only: &[String], playlists: &[String]) -> Result<Self, RestoreError> {
        let mut parts = BTreeSet::new();
        for word in only.iter().filter(|w| !w.trim().is_empty()) {
            parts.insert(Part::parse(word).ok_or_else(|| RestoreError::UnknownPart(word.clone()))?);
        }
        if parts.is_empty() {
            if playlists.is_empty() {
                parts = Part::ALL.into_iter().collect();
            } else {
                parts.insert(Part::Playlists);
            }
        }
        Ok(PlanOptions {
            parts,
            playlists: playlists.to_vec(),
        })
    }
}

/// One playlist to create and fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistStep {
    /// Position of the playlist in the snapshot's `playlists[]`: its key in the journal.
    pub index: usize,
    pub source_id: String,
    pub name: String,
    /// The original description plus [`PlaylistStep::marker`].
    pub description: String,
    /// Put in the description so an interrupted restore finds the playlist it created.
    pub marker: String,
    /// What to add, in order, duplicates kept.
    pub uris: Vec<String>,
}

impl PlaylistStep {
    /// `POST /playlists/{id}/items` requests to fill it.
    pub fn add_requests(&self) -> u64 {
        self.uris.len().div_ceil(ITEMS_PER_ADD) as u64
    }
}

/// Why a row cannot be restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// `spotify:local:` files live on the user's disk; the API cannot add them.
    LocalFile,
    /// The item is gone from Spotify (a null row): there is no URI to add.
    Unavailable,
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::LocalFile => "local file (the API cannot add local files)",
            SkipReason::Unavailable => "unavailable on Spotify (nothing to add)",
        }
    }
}

/// A row left out of the restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `playlist "Name"` or `liked songs`.
    pub collection: String,
    /// Zero-based position in that collection.
    pub position: u32,
    /// The item's name when the snapshot has one.
    pub name: Option<String>,
    pub reason: SkipReason,
}

/// Library saves per part, for the plan and summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LibraryCounts {
    pub liked: usize,
    pub albums: usize,
    pub shows: usize,
    pub episodes: usize,
    pub artists: usize,
    /// Playlists the user only followed (contents `not_accessible`): followed again.
    pub followed_playlists: usize,
}

/// Everything a restore of one snapshot will write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub snapshot_id: String,
    pub playlists: Vec<PlaylistStep>,
    /// URIs for `PUT /me/library`, each once, in the order they are saved (oldest first).
    pub library: Vec<String>,
    pub counts: LibraryCounts,
    pub skipped: Vec<Skipped>,
}

impl Plan {
    /// Playlist entries to add.
    pub fn entries(&self) -> usize {
        self.playlists.iter().map(|p| p.uris.len()).sum()
    }

    /// The write requests a fresh restore sends, which is also the minimum: one create per
    /// playlist, ⌈entries/100⌉ per playlist and ⌈library items/40⌉.
    pub fn write_requests(&self) -> u64 {
        self.playlists.len() as u64
            + self
                .playlists
                .iter()
                .map(PlaylistStep::add_requests)
                .sum::<u64>()
            + self.library.len().div_ceil(URIS_PER_SAVE) as u64
    }

    /// What `--dry-run` prints.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Restore plan for snapshot {}", self.snapshot_id);
        let _ = writeln!(out, "  playlists to create: {}", self.playlists.len());
        for p in &self.playlists {
            let _ = writeln!(out, "    {:?}: {} entries", p.name, p.uris.len());
        }
        let c = &self.counts;
        let _ = writeln!(out, "  playlist entries to add: {}", self.entries());
        for (name, n) in [
            ("liked songs to save", c.liked),
            ("albums to save", c.albums),
            ("shows to save", c.shows),
            ("episodes to save", c.episodes),
            ("artists to follow", c.artists),
            (
                "playlists to follow again (not yours)",
                c.followed_playlists,
            ),
        ] {
            let _ = writeln!(out, "  {name}: {n}");
        }
        out.push_str(&render_skipped(&self.skipped));
        let _ = writeln!(
            out,
            "  write requests: {} ({} creates, {} adds, {} library saves)",
            self.write_requests(),
            self.playlists.len(),
            self.playlists
                .iter()
                .map(PlaylistStep::add_requests)
                .sum::<u64>(),
            self.library.len().div_ceil(URIS_PER_SAVE)
        );
        out
    }
}

/// The skipped rows, one line each (at most 50, then a count).
pub fn render_skipped(skipped: &[Skipped]) -> String {
    const SHOWN: usize = 50;
    let mut out = String::new();
    let _ = writeln!(out, "  skipped rows: {}", skipped.len());
    for s in skipped.iter().take(SHOWN) {
        let name = s
            .name
            .as_deref()
            .map(|n| format!(" {n:?}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    {} #{}{}: {}",
            s.collection,
            s.position + 1,
            name,
            s.reason.describe()
        );
    }
    if skipped.len() > SHOWN {
        let _ = writeln!(out, "    … and {} more", skipped.len() - SHOWN);
    }
    out
}

/// Builds the plan for `library` (snapshot `snapshot_id`).
pub fn plan(
    library: &Library,
    snapshot_id: &str,
    opts: &PlanOptions,
) -> Result<Plan, RestoreError> {
    for wanted in &opts.playlists {
        if !library.playlists.iter().any(|p| &p.name == wanted) {
            return Err(RestoreError::UnknownPlaylist {
                name: wanted.clone(),
                snapshot: snapshot_id.to_string(),
            });
        }
    }
    let mut skipped = Vec::new();
    let mut library_uris = LibraryUris::default();
    let mut counts = LibraryCounts::default();
    let playlists = if opts.parts.contains(&Part::Playlists) {
        playlist_steps(
            library,
            snapshot_id,
            &opts.playlists,
            &mut skipped,
            &mut library_uris,
            &mut counts,
        )
    } else {
        Vec::new()
    };
    library_saves(library, opts, &mut skipped, &mut library_uris, &mut counts);
    Ok(Plan {
        snapshot_id: snapshot_id.to_string(),
        playlists,
        library: library_uris.order,
        counts,
        skipped,
    })
}

/// The playlists part of [`plan`]: one step per complete playlist (all of them, or the
/// `wanted` ones) with its restorable entries; a playlist the snapshot could not read is
/// followed instead, as a library save.
fn playlist_steps(
    library: &Library,
    snapshot_id: &str,
    wanted: &[String],
    skipped: &mut Vec<Skipped>,
    library_uris: &mut LibraryUris,
    counts: &mut LibraryCounts,
) -> Vec<PlaylistStep> {
    let mut playlists = Vec::new();
    for (index, p) in library.playlists.iter().enumerate() {
        if !wanted.is_empty() && !wanted.contains(&p.name) {
            continue;
        }
        match p.contents {
            Contents::Complete => {
                let collection = format!("playlist {:?}", p.name);
                let uris = restorable(&p.entries, &collection, skipped);
                let marker = marker(snapshot_id, index, &p.id);
                playlists.push(PlaylistStep {
                    index,
                    source_id: p.id.clone(),
                    name: if p.name.trim().is_empty() {
                        "Untitled playlist".to_string()
                    } else {
                        p.name.clone()
                    },
                    description: describe(p.description.as_deref(), &marker),
                    marker,
                    uris,
                });
            }
            Contents::NotAccessible => {
                if library_uris.push(format!("spotify:playlist:{}", p.id)) {
                    counts.followed_playlists += 1;
                }
            }
        }
    }
    playlists
}

/// The library part of [`plan`]: liked songs, albums, shows, episodes and artists, each
/// oldest first, as saves after the playlists.
fn library_saves(
    library: &Library,
    opts: &PlanOptions,
    skipped: &mut Vec<Skipped>,
    library_uris: &mut LibraryUris,
    counts: &mut LibraryCounts,
) {
    let has = |part| opts.parts.contains(&part);
    if has(Part::Liked) {
        let uris = restorable(&oldest_first(&library.liked_tracks), "liked songs", skipped);
        counts.liked = library_uris.extend(uris);
    }
    if has(Part::Albums) {
        let mut albums: Vec<_> = library.saved_albums.iter().enumerate().collect();
        albums.sort_by(|(ia, a), (ib, b)| a.added_at.cmp(&b.added_at).then(ib.cmp(ia)));
        counts.albums = library_uris.extend(albums.into_iter().map(|(_, a)| a.album.uri.clone()));
    }
    if has(Part::Shows) {
        let mut shows: Vec<_> = library.saved_shows.iter().enumerate().collect();
        shows.sort_by(|(ia, a), (ib, b)| a.added_at.cmp(&b.added_at).then(ib.cmp(ia)));
        counts.shows = library_uris.extend(shows.into_iter().map(|(_, s)| s.show.uri.clone()));
    }
    if has(Part::Episodes) {
        let uris = restorable(
            &oldest_first(&library.saved_episodes),
            "saved episodes",
            skipped,
        );
        counts.episodes = library_uris.extend(uris);
    }
    if has(Part::Artists) {
        counts.artists =
            library_uris.extend(library.followed_artists.iter().map(|a| a.uri.clone()));
    }
}

/// Library URIs in save order, each once.
#[derive(Default)]
struct LibraryUris {
    order: Vec<String>,
    seen: HashSet<String>,
}

impl LibraryUris {
    fn push(&mut self, uri: String) -> bool {
        if uri.is_empty() || !self.seen.insert(uri.clone()) {
            return false;
        }
        self.order.push(uri);
        true
    }

    /// Adds each new URI; returns how many were new.
    fn extend(&mut self, uris: impl IntoIterator<Item = String>) -> usize {
        uris.into_iter().filter(|u| self.push(u.clone())).count()
    }
}

/// Entries sorted oldest first: by `added_at`, ties (and unknown times) in reverse snapshot
/// order, since Spotify lists saved items newest first.
fn oldest_first(entries: &[Entry]) -> Vec<Entry> {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| {
        a.added_at
            .cmp(&b.added_at)
            .then(b.position.cmp(&a.position))
    });
    sorted.into_iter().cloned().collect()
}

/// The URIs of the rows that can be added, in order; the others go to `skipped`.
fn restorable(entries: &[Entry], collection: &str, skipped: &mut Vec<Skipped>) -> Vec<String> {
    let mut uris = Vec::with_capacity(entries.len());
    for e in entries {
        let reason = match (e.kind, &e.item) {
            (EntryKind::Local, _) => Some(SkipReason::LocalFile),
            (_, Some(item)) if item.uri.starts_with("spotify:local:") => {
                Some(SkipReason::LocalFile)
            }
            (EntryKind::Unavailable, _) | (_, None) => Some(SkipReason::Unavailable),
            (_, Some(item)) if item.uri.is_empty() => Some(SkipReason::Unavailable),
            _ => None,
        };
        match (reason, &e.item) {
            (None, Some(item)) => uris.push(item.uri.clone()),
            (reason, item) => skipped.push(Skipped {
                collection: collection.to_string(),
                position: e.position,
                name: item.as_ref().map(|i| i.name.clone()),
                reason: reason.unwrap_or(SkipReason::Unavailable),
            }),
        }
    }
    uris
}

/// `[trackvault <10 hex>]`, from the snapshot, the playlist's place in it and its id: the
/// same for every run of this restore, different for every playlist.
fn marker(snapshot_id: &str, index: usize, source_id: &str) -> String {
    let digest = Sha256::digest(format!("{snapshot_id}\0{index}\0{source_id}").as_bytes());
    format!("[trackvault {}]", &hex::encode(digest)[..10])
}

/// The original description, shortened if needed so the marker fits in Spotify's limit.
fn describe(original: Option<&str>, marker: &str) -> String {
    let original: String = original
        .unwrap_or("")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let original = original.trim();
    if original.is_empty() {
        return marker.to_string();
    }
    let room = DESCRIPTION_MAX - marker.chars().count() - 1;
    let kept: String = original.chars().take(room).collect();
    format!("{} {marker}", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Item, Owner, Playlist, User};

    fn entry(position: u32, added_at: &str, kind: EntryKind, uri: Option<&str>) -> Entry {
        Entry {
            position,
            added_at: Some(added_at.to_string()),
            added_by: None,
            kind,
            item: uri.map(|u| Item::bare("track", None, u, &format!("song {position}"))),
        }
    }

    fn playlist(id: &str, name: &str, contents: Contents, entries: Vec<Entry>) -> Playlist {
        Playlist {
            id: id.into(),
            name: name.into(),
            description: Some("desc".into()),
            owner: Owner::default(),
            public: Some(true),
            collaborative: false,
            snapshot_id: None,
            total: entries.len() as u32,
            contents,
            not_accessible_reason: None,
            entries,
        }
    }

    fn library() -> Library {
        let mut lib = Library::empty("spotify-web-api", User::default());
        // Newest first, as Spotify lists them.
        lib.liked_tracks = vec![
            entry(
                0,
                "2026-03-01T00:00:00Z",
                EntryKind::Track,
                Some("spotify:track:c"),
            ),
            entry(
                1,
                "2026-02-01T00:00:00Z",
                EntryKind::Track,
                Some("spotify:track:b"),
            ),
            entry(
                2,
                "2026-02-01T00:00:00Z",
                EntryKind::Track,
                Some("spotify:track:a"),
            ),
            entry(
                3,
                "2026-01-01T00:00:00Z",
                EntryKind::Local,
                Some("spotify:local:x"),
            ),
        ];
        lib.playlists = vec![
            playlist(
                "P1",
                "Mix",
                Contents::Complete,
                vec![
                    entry(0, "t", EntryKind::Track, Some("spotify:track:a")),
                    entry(1, "t", EntryKind::Unavailable, None),
                    entry(2, "t", EntryKind::Track, Some("spotify:track:a")),
                    entry(3, "t", EntryKind::Episode, Some("spotify:episode:e")),
                    entry(4, "t", EntryKind::Local, Some("spotify:local:a:b:c:1")),
                ],
            ),
            playlist("P2", "Theirs", Contents::NotAccessible, vec![]),
        ];
        lib
    }

    #[test]
    fn playlists_keep_order_and_duplicates_and_skip_what_cannot_be_added() {
        let plan = plan(&library(), "S", &PlanOptions::default()).unwrap();
        assert_eq!(plan.playlists.len(), 1);
        let p = &plan.playlists[0];
        assert_eq!(
            p.uris,
            ["spotify:track:a", "spotify:track:a", "spotify:episode:e"]
        );
        assert!(
            p.description.starts_with("desc [trackvault "),
            "{}",
            p.description
        );
        let reasons: Vec<_> = plan
            .skipped
            .iter()
            .map(|s| (s.collection.as_str(), s.position, s.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                ("playlist \"Mix\"", 1, SkipReason::Unavailable),
                ("playlist \"Mix\"", 4, SkipReason::LocalFile),
                ("liked songs", 3, SkipReason::LocalFile),
            ]
        );
    }

    #[test]
    fn library_is_saved_oldest_first_and_followed_playlists_are_followed() {
        let plan = plan(&library(), "S", &PlanOptions::default()).unwrap();
        assert_eq!(
            plan.library,
            [
                "spotify:playlist:P2",
                "spotify:track:a",
                "spotify:track:b",
                "spotify:track:c"
            ]
        );
        assert_eq!(plan.counts.liked, 3);
        assert_eq!(plan.counts.followed_playlists, 1);
        // 1 create + 1 add + 1 save.
        assert_eq!(plan.write_requests(), 3);
    }

    #[test]
    fn only_and_playlist_filters() {
        let opts = PlanOptions::from_args(&["liked".into()], &[]).unwrap();
        let p = plan(&library(), "S", &opts).unwrap();
        assert!(p.playlists.is_empty());
        assert_eq!(p.library.len(), 3);
        let opts = PlanOptions::from_args(&[], &["Mix".into()]).unwrap();
        let p = plan(&library(), "S", &opts).unwrap();
        assert_eq!(p.playlists.len(), 1);
        assert!(p.library.is_empty());
        assert!(matches!(
            PlanOptions::from_args(&["likes".into()], &[]),
            Err(RestoreError::UnknownPart(_))
        ));
        let opts = PlanOptions::from_args(&[], &["Nope".into()]).unwrap();
        assert!(matches!(
            plan(&library(), "S", &opts),
            Err(RestoreError::UnknownPlaylist { .. })
        ));
    }

    #[test]
    fn markers_differ_per_playlist_and_descriptions_fit() {
        assert_ne!(marker("S", 0, "P"), marker("S", 1, "P"));
        assert_eq!(marker("S", 0, "P"), marker("S", 0, "P"));
        let long = "x".repeat(400);
        let d = describe(Some(&long), &marker("S", 0, "P"));
        assert_eq!(d.chars().count(), DESCRIPTION_MAX);
        assert!(d.ends_with(&marker("S", 0, "P")));
        assert_eq!(describe(Some(" \n"), "[m]"), "[m]");
    }
}
