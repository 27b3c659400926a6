//! Reading one audio file's tags with `lofty`: the MusicBrainz recording id (Vorbis
//! `MUSICBRAINZ_TRACKID`, ID3v2 `UFID:http://musicbrainz.org`, MP4
//! `----:com.apple.iTunes:MusicBrainz Track Id` — what Picard writes), the ISRC (`ISRC` /
//! `TSRC`), artist, title, album and the stream's duration. A file lofty cannot parse is
//! [`TagOutcome::Unreadable`]; one with nothing to match on is [`TagOutcome::Tagless`].

use std::path::Path;

use lofty::config::ParseOptions;
use lofty::prelude::*;
use lofty::probe::Probe;
use lofty::tag::Tag;

use crate::enrich::normalize::normalize_isrc;

/// What matching needs from a file's tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackTags {
    /// Lowercase recording MBID, when the tag holds a well-formed one.
    pub recording_mbid: Option<String>,
    /// Normalized ISRC (uppercase, no hyphens).
    pub isrc: Option<String>,
    pub artist: Option<String>,
    pub title: Option<String>,
    pub album: Option<String>,
    /// Length of the audio stream, when the file says.
    pub duration_ms: Option<u64>,
}

impl TrackTags {
    /// True when the tags hold something an entry can be matched on.
    pub fn is_matchable(&self) -> bool {
        self.recording_mbid.is_some() || self.isrc.is_some() || self.title.is_some()
    }
}

/// The result of reading one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagOutcome {
    Tagged(TrackTags),
    /// Readable audio with no recording id, ISRC or title.
    Tagless,
    /// Not audio lofty can parse (truncated, mislabelled, unsupported); the reason.
    Unreadable(String),
}

/// Reads `path`'s tags and properties (never its cover art). A parser panic on a hostile file
/// is caught and reported as unreadable, so one bad file cannot stop the index.
pub fn read(path: &Path) -> TagOutcome {
    std::panic::catch_unwind(|| read_unguarded(path)).unwrap_or_else(|_| {
        TagOutcome::Unreadable("the tag reader failed on this file".to_string())
    })
}

fn read_unguarded(path: &Path) -> TagOutcome {
    let parsed = Probe::open(path)
        .map_err(|e| e.to_string())
        .and_then(|p| {
            p.options(ParseOptions::new().read_cover_art(false))
                .guess_file_type()
                .map_err(|e| e.to_string())
        })
        .and_then(|p| p.read().map_err(|e| e.to_string()));
    let file = match parsed {
        Ok(file) => file,
        Err(reason) => return TagOutcome::Unreadable(reason),
    };
    // The primary tag first (ID3v2 in an MP3 that also has ID3v1), then any other.
    let mut tags: Vec<&Tag> = Vec::new();
    if let Some(primary) = file.primary_tag() {
        tags.push(primary);
    }
    for tag in file.tags() {
        if !tags.iter().any(|t| std::ptr::eq(*t, tag)) {
            tags.push(tag);
        }
    }
    let first = |key: ItemKey| -> Option<String> {
        tags.iter().find_map(|t| {
            t.get_strings(key)
                .map(str::trim)
                .find(|s| !s.is_empty())
                .map(str::to_string)
        })
    };
    let duration_ms = u64::try_from(file.properties().duration().as_millis())
        .ok()
        .filter(|ms| *ms > 0);
    let found = TrackTags {
        recording_mbid: first(ItemKey::MusicBrainzRecordingId).and_then(|s| normalize_mbid(&s)),
        isrc: first(ItemKey::Isrc).and_then(|s| normalize_isrc(&s)),
        artist: first(ItemKey::TrackArtist),
        title: first(ItemKey::TrackTitle),
        album: first(ItemKey::AlbumTitle),
        duration_ms,
    };
    if found.is_matchable() {
        TagOutcome::Tagged(found)
    } else {
        TagOutcome::Tagless
    }
}

/// A lowercase MBID (8-4-4-4-12 hex digits) or `None`. Some taggers write a URL
/// (`https://musicbrainz.org/recording/<id>`); its last segment is taken.
pub fn normalize_mbid(s: &str) -> Option<String> {
    let id = s.trim().rsplit('/').next()?.to_ascii_lowercase();
    let shaped = id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    shaped.then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbids_are_checked_and_lowercased() {
        assert_eq!(
            normalize_mbid(" 3F1C6E4A-0B6D-4E5B-9E2A-6F1B2C3D4E5F "),
            Some("3f1c6e4a-0b6d-4e5b-9e2a-6f1b2c3d4e5f".into())
        );
        assert_eq!(
            normalize_mbid(
                "https://musicbrainz.org/recording/3f1c6e4a-0b6d-4e5b-9e2a-6f1b2c3d4e5f"
            ),
            Some("3f1c6e4a-0b6d-4e5b-9e2a-6f1b2c3d4e5f".into())
        );
        assert_eq!(normalize_mbid("not-an-id"), None);
        assert_eq!(normalize_mbid("3f1c6e4a0b6d4e5b9e2a6f1b2c3d4e5f0000"), None);
    }
}
