//! The vocabulary of values a CSV column can hold (`field = "…"` in a mapping file). Each field
//! is documented in `docs/exports.md`; adding one means adding a variant, its rendering below
//! and a row in that table.

use std::borrow::Cow;

use serde::Deserialize;

use super::collections::{Collection, CollectionKind, Row};
use crate::model::{ArtistRef, EntryKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Always empty (for columns an importer expects but Spotify no longer provides).
    Empty,
    Title,
    /// All artist names joined with the mapping's `artist_joiner`.
    Artists,
    PrimaryArtist,
    ArtistIds,
    ArtistUris,
    Album,
    AlbumId,
    AlbumUri,
    /// Album artists: known for saved-album tracks only, empty otherwise.
    AlbumArtists,
    AlbumArtistUris,
    ReleaseDate,
    DiscNumber,
    TrackNumber,
    Isrc,
    SpotifyId,
    SpotifyUri,
    SpotifyUrl,
    DurationMs,
    DurationSeconds,
    /// `m:ss` (or `h:mm:ss`).
    Duration,
    Explicit,
    AddedAt,
    AddedBy,
    AddedByUri,
    /// Zero-based position in the collection (null rows counted).
    Position,
    /// The playlist (or `Liked Songs`, or `Artist - Album`) the row belongs to.
    PlaylistName,
    PlaylistId,
    /// `Playlist`, `Favorite` (Liked Songs) or `Album`.
    CollectionType,
    /// `track`, `episode`, `local` or `unavailable`.
    Kind,
    RecordingMbid,
    RecordingUrl,
    ReleaseMbid,
    ReleaseGroupMbid,
    ArtistMbids,
    MatchMethod,
    MatchConfidence,
}

/// How multi-valued fields are joined.
#[derive(Debug, Clone)]
pub struct Joining {
    pub joiner: String,
    /// Put a backslash before every occurrence of the joiner's separator inside a value.
    pub escape: bool,
}

impl Joining {
    fn join<'s>(&self, values: impl Iterator<Item = &'s str>) -> String {
        let sep = self.joiner.trim();
        let sep = if sep.is_empty() {
            &self.joiner[..]
        } else {
            sep
        };
        values
            .map(|v| {
                if self.escape && !sep.is_empty() && v.contains(sep) {
                    Cow::Owned(v.replace(sep, &format!("\\{sep}")))
                } else {
                    Cow::Borrowed(v)
                }
            })
            .collect::<Vec<_>>()
            .join(&self.joiner)
    }
}

fn artist_uris(artists: &[ArtistRef]) -> Vec<String> {
    artists
        .iter()
        .map(|a| {
            a.id.as_ref()
                .map(|id| format!("spotify:artist:{id}"))
                .unwrap_or_default()
        })
        .collect()
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Renders one cell.
pub fn render(field: Field, row: &Row<'_>, collection: &Collection<'_>, join: &Joining) -> String {
    let item = row.item;
    let mb = item.and_then(|i| i.musicbrainz.as_ref());
    let artists = item.map(|i| &i.artists[..]).unwrap_or(&[]);
    let album_artists = row.album.map(|a| &a.artists[..]).unwrap_or(&[]);
    match field {
        Field::Empty => String::new(),
        Field::Title => opt(item.map(|i| &i.name)),
        Field::Artists => {
            if artists.is_empty() {
                row.artist_names(&join.joiner)
            } else {
                join.join(artists.iter().map(|a| a.name.as_str()))
            }
        }
        Field::PrimaryArtist => match artists.first() {
            Some(a) => a.name.clone(),
            None => row.artist_names(&join.joiner),
        },
        Field::ArtistIds => join.join(artists.iter().map(|a| a.id.as_deref().unwrap_or(""))),
        Field::ArtistUris => join.join(artist_uris(artists).iter().map(String::as_str)),
        Field::Album => opt(row.album_name()),
        Field::AlbumId => opt(row.album_id()),
        Field::AlbumUri => opt(row.album_id().map(|id| format!("spotify:album:{id}"))),
        Field::AlbumArtists => join.join(album_artists.iter().map(|a| a.name.as_str())),
        Field::AlbumArtistUris => join.join(artist_uris(album_artists).iter().map(String::as_str)),
        Field::ReleaseDate => opt(row.release_date()),
        Field::DiscNumber => opt(item.and_then(|i| i.disc_number)),
        Field::TrackNumber => opt(item.and_then(|i| i.track_number)),
        Field::Isrc => opt(row.isrc()),
        Field::SpotifyId => opt(item.and_then(|i| i.id.as_deref())),
        Field::SpotifyUri => opt(item.map(|i| &i.uri)),
        Field::SpotifyUrl => opt(item.and_then(|i| i.spotify_url())),
        Field::DurationMs => opt(item.and_then(|i| i.duration_ms)),
        Field::DurationSeconds => opt(item.and_then(|i| i.duration_ms).map(|ms| ms / 1000)),
        Field::Duration => opt(item.and_then(|i| i.duration_ms).map(clock)),
        Field::Explicit => opt(item.and_then(|i| i.explicit)),
        Field::AddedAt => opt(row.added_at),
        Field::AddedBy => opt(row.added_by),
        Field::AddedByUri => opt(row.added_by.map(|u| format!("spotify:user:{u}"))),
        Field::Position => row.position.to_string(),
        Field::PlaylistName => collection.name.clone(),
        Field::PlaylistId => opt(collection.playlist.map(|p| &p.id)),
        Field::CollectionType => match collection.kind {
            CollectionKind::Liked => "Favorite",
            CollectionKind::Playlist => "Playlist",
            CollectionKind::Album => "Album",
        }
        .to_string(),
        Field::Kind => render_kind(row.kind).to_string(),
        Field::RecordingMbid => opt(mb.map(|m| &m.recording_id)),
        Field::RecordingUrl => opt(mb.map(|m| recording_url(&m.recording_id))),
        Field::ReleaseMbid => opt(mb.and_then(|m| m.release_id.as_ref())),
        Field::ReleaseGroupMbid => opt(mb.and_then(|m| m.release_group_id.as_ref())),
        Field::ArtistMbids => mb.map_or_else(String::new, |m| {
            join.join(m.artist_ids.iter().map(String::as_str))
        }),
        Field::MatchMethod => opt(mb.map(|m| {
            serde_json::to_value(m.method)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        })),
        Field::MatchConfidence => opt(mb.map(|m| format!("{:.2}", m.confidence))),
    }
}

/// The `kind` value as library.json spells it.
pub fn render_kind(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Track => "track",
        EntryKind::Episode => "episode",
        EntryKind::Local => "local",
        EntryKind::Unavailable => "unavailable",
    }
}

pub fn recording_url(mbid: &str) -> String {
    format!("https://musicbrainz.org/recording/{mbid}")
}

/// `m:ss`, or `h:mm:ss` from an hour on.
pub fn clock(ms: u64) -> String {
    let secs = ms / 1000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_with_backslash_escaping_like_exportify() {
        let join = Joining {
            joiner: ", ".into(),
            escape: true,
        };
        assert_eq!(
            join.join(["Crosby, Stills & Nash", "Young"].into_iter()),
            "Crosby\\, Stills & Nash, Young"
        );
        let plain = Joining {
            joiner: " & ".into(),
            escape: false,
        };
        assert_eq!(plain.join(["A", "B"].into_iter()), "A & B");
    }

    #[test]
    fn clock_formats_minutes_and_hours() {
        assert_eq!(clock(213_573), "3:33");
        assert_eq!(clock(3_723_000), "1:02:03");
        assert_eq!(clock(0), "0:00");
    }
}
