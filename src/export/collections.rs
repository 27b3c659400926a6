//! What gets exported: the library flattened into named collections of rows (Liked Songs, each
//! accessible playlist, each saved album), each with a safe, unique file stem that every format
//! reuses, plus notes about what could not be exported.

use super::filenames::{safe_stem, NameSet};
use crate::model::{Album, Contents, Entry, EntryKind, Item, Library, Playlist};
use crate::terminal_text::sanitize_for_terminal;

pub const LIKED_SONGS: &str = "Liked Songs";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionKind {
    Liked,
    Playlist,
    Album,
}

/// One exportable list of rows.
#[derive(Debug)]
pub struct Collection<'a> {
    pub kind: CollectionKind,
    /// Display name: the playlist's name, `Liked Songs`, or `Artist - Album`.
    pub name: String,
    /// File stem, unique within its directory across all collections.
    pub stem: String,
    pub playlist: Option<&'a Playlist>,
    pub album: Option<&'a Album>,
    pub rows: Vec<Row<'a>>,
}

impl Collection<'_> {
    /// Sub-directory inside a format's folder (saved albums are kept apart from playlists).
    pub fn dir(&self) -> &'static str {
        match self.kind {
            CollectionKind::Album => "albums/",
            _ => "",
        }
    }
}

/// One entry of a collection, with the context formats need (the album for album tracks).
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub position: u32,
    pub added_at: Option<&'a str>,
    pub added_by: Option<&'a str>,
    pub kind: EntryKind,
    pub item: Option<&'a Item>,
    /// Set for saved-album tracks, whose items carry no album of their own.
    pub album: Option<&'a Album>,
}

impl<'a> Row<'a> {
    /// A liked song's or playlist entry's row (its item carries its own album).
    fn from_entry(e: &'a Entry) -> Self {
        Row {
            position: e.position,
            added_at: e.added_at.as_deref(),
            added_by: e.added_by.as_deref(),
            kind: e.kind,
            item: e.item.as_ref(),
            album: None,
        }
    }

    pub fn album_name(&self) -> Option<&'a str> {
        self.item
            .and_then(|i| i.album.as_ref().map(|a| a.name.as_str()))
            .or(self.album.map(|a| a.name.as_str()))
            .or_else(|| {
                self.item
                    .and_then(|i| i.show.as_ref().map(|s| s.name.as_str()))
            })
    }

    pub fn album_id(&self) -> Option<&'a str> {
        self.item
            .and_then(|i| i.album.as_ref().and_then(|a| a.id.as_deref()))
            .or(self.album.map(|a| a.id.as_str()))
    }

    pub fn release_date(&self) -> Option<&'a str> {
        self.item
            .and_then(|i| i.album.as_ref().and_then(|a| a.release_date.as_deref()))
            .or(self.album.and_then(|a| a.release_date.as_deref()))
    }

    /// The people to credit: the track's artists, or the show for an episode without any.
    pub fn artist_names(&self, joiner: &str) -> String {
        match self.item {
            Some(item) if item.artists.is_empty() => item
                .show
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            Some(item) => item.artist_names(joiner),
            None => String::new(),
        }
    }

    /// `Artist - Title` on one line (line breaks inside names become spaces).
    pub fn display_line(&self) -> String {
        let Some(item) = self.item else {
            return String::new();
        };
        let artists = self.artist_names(", ");
        let line = if artists.is_empty() {
            item.name.clone()
        } else {
            format!("{artists} - {}", item.name)
        };
        one_line(&line)
    }

    pub fn recording_mbid(&self) -> Option<&'a str> {
        self.item
            .and_then(|i| i.musicbrainz.as_ref())
            .map(|m| m.recording_id.as_str())
    }

    pub fn isrc(&self) -> Option<&'a str> {
        self.item.and_then(|i| i.isrc.as_deref())
    }
}

/// Replaces line breaks (including U+2028/U+2029) and every other control character (C0,
/// DEL, C1) with spaces, for line-based formats and CSV cells.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Everything to export, plus what was deliberately not exported and why.
#[derive(Debug)]
pub struct Plan<'a> {
    pub collections: Vec<Collection<'a>>,
    pub not_exported: Vec<String>,
}

/// Flattens `library` into collections in a fixed order: Liked Songs, playlists as listed,
/// saved albums as listed. Stems are claimed in that order, so they are deterministic.
pub fn plan(library: &Library) -> Plan<'_> {
    let mut top = NameSet::new();
    let mut albums_dir = NameSet::new();
    let mut collections = Vec::new();
    let mut not_exported = Vec::new();

    if !library.liked_tracks.is_empty() {
        collections.push(Collection {
            kind: CollectionKind::Liked,
            name: LIKED_SONGS.to_string(),
            stem: top.claim(&safe_stem(LIKED_SONGS), ""),
            playlist: None,
            album: None,
            rows: library.liked_tracks.iter().map(Row::from_entry).collect(),
        });
    }

    for playlist in &library.playlists {
        if playlist.contents == Contents::NotAccessible {
            let owner = playlist
                .owner
                .display_name
                .as_deref()
                .unwrap_or(&playlist.owner.id);
            let reason = playlist
                .not_accessible_reason
                .as_deref()
                .unwrap_or("Spotify shows only its details, not its tracks, to this app");
            // Printed on the terminal: the owner's name and the reason come from outside.
            not_exported.push(format!(
                "playlist {:?} by {} ({} entries): its entries are not accessible ({})",
                one_line(&playlist.name),
                sanitize_for_terminal(owner),
                playlist.total,
                sanitize_for_terminal(reason)
            ));
            continue;
        }
        collections.push(Collection {
            kind: CollectionKind::Playlist,
            name: playlist.name.clone(),
            stem: top.claim(&safe_stem(&playlist.name), ""),
            playlist: Some(playlist),
            album: None,
            rows: playlist.entries.iter().map(Row::from_entry).collect(),
        });
    }

    for saved in &library.saved_albums {
        let album = &saved.album;
        let artists = album
            .artists
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let name = if artists.is_empty() {
            album.name.clone()
        } else {
            format!("{artists} - {}", album.name)
        };
        collections.push(Collection {
            kind: CollectionKind::Album,
            stem: albums_dir.claim(&safe_stem(&name), ""),
            name,
            playlist: None,
            album: Some(album),
            rows: album
                .tracks
                .iter()
                .enumerate()
                .map(|(i, item)| Row {
                    position: u32::try_from(i).unwrap_or(u32::MAX),
                    added_at: saved.added_at.as_deref(),
                    added_by: None,
                    kind: EntryKind::Track,
                    item: Some(item),
                    album: Some(album),
                })
                .collect(),
        });
    }

    Plan {
        collections,
        not_exported,
    }
}
