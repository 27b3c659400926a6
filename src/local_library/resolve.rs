//! Finding the local file for a playlist entry, strongest evidence first: the recording MBID,
//! then the ISRC, then the normalized artist and title (the enrichment matcher's
//! normalization, [`crate::enrich::normalize`]) with the same version markers — a live or
//! remixed file never stands in for the studio entry — and a duration within
//! [`DURATION_TOLERANCE_MS`]. A file tagged with a different recording MBID than the entry's
//! is never taken by name. Among several candidates the one on the same album wins, then the
//! closest duration, then the first path. No match is `None`: never a guess.

use std::collections::{BTreeSet, HashMap};

use super::{LocalIndex, LocalTrack};
use crate::enrich::normalize::{
    normalize_artist, normalize_isrc, normalize_title, title_parts, VersionMarker,
};
use crate::model::Item;

/// How far the file's duration may be from the entry's for a name match.
pub const DURATION_TOLERANCE_MS: u64 = 3_000;

/// Which evidence found the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Mbid,
    Isrc,
    Name,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Mbid => "recording MBID",
            Method::Isrc => "ISRC",
            Method::Name => "artist, title and duration",
        }
    }
}

/// Artist and title as the name match compares them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct NameKey {
    artist: String,
    title: String,
}

#[derive(Debug, Clone)]
struct Indexed {
    markers: BTreeSet<VersionMarker>,
    album: Option<String>,
}

/// Lookup tables over a [`LocalIndex`].
#[derive(Debug, Clone)]
pub struct Resolver {
    index: LocalIndex,
    info: Vec<Indexed>,
    by_mbid: HashMap<String, Vec<usize>>,
    by_isrc: HashMap<String, Vec<usize>>,
    by_name: HashMap<NameKey, Vec<usize>>,
}

impl Resolver {
    pub fn new(index: LocalIndex) -> Self {
        let mut by_mbid: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_isrc: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_name: HashMap<NameKey, Vec<usize>> = HashMap::new();
        let mut info = Vec::with_capacity(index.tracks.len());
        for (i, track) in index.tracks.iter().enumerate() {
            let t = &track.tags;
            if let Some(mbid) = &t.recording_mbid {
                by_mbid.entry(mbid.clone()).or_default().push(i);
            }
            if let Some(isrc) = &t.isrc {
                by_isrc.entry(isrc.clone()).or_default().push(i);
            }
            let mut markers = BTreeSet::new();
            if let (Some(artist), Some(title)) = (&t.artist, &t.title) {
                let parts = title_parts(title);
                markers = parts.markers;
                by_name
                    .entry(NameKey {
                        artist: primary_artist(artist),
                        title: parts.base,
                    })
                    .or_default()
                    .push(i);
            }
            info.push(Indexed {
                markers,
                album: t.album.as_deref().map(normalize_title),
            });
        }
        Resolver {
            index,
            info,
            by_mbid,
            by_isrc,
            by_name,
        }
    }

    pub fn index(&self) -> &LocalIndex {
        &self.index
    }

    /// The file for `item`, with how it was found.
    pub fn resolve(&self, item: &Item) -> Option<(&LocalTrack, Method)> {
        let album = item.album.as_ref().map(|a| normalize_title(&a.name));
        let mbid = item
            .musicbrainz
            .as_ref()
            .map(|m| m.recording_id.to_ascii_lowercase());
        if let Some(found) = mbid.as_ref().and_then(|m| self.by_mbid.get(m)) {
            return Some((
                self.pick(found, album.as_deref(), item.duration_ms),
                Method::Mbid,
            ));
        }
        if let Some(found) = item
            .isrc
            .as_deref()
            .and_then(normalize_isrc)
            .and_then(|isrc| self.by_isrc.get(&isrc))
        {
            return Some((
                self.pick(found, album.as_deref(), item.duration_ms),
                Method::Isrc,
            ));
        }
        let entry_ms = item.duration_ms?;
        let first_artist = item.artists.first()?;
        let parts = title_parts(&item.name);
        let key = NameKey {
            artist: primary_artist(&first_artist.name),
            title: parts.base,
        };
        let candidates: Vec<usize> = self
            .by_name
            .get(&key)?
            .iter()
            .copied()
            .filter(|&i| {
                let tags = &self.index.tracks[i].tags;
                let other_recording = match (&mbid, &tags.recording_mbid) {
                    (Some(a), Some(b)) => a != b,
                    _ => false,
                };
                !other_recording
                    && self.info[i].markers == parts.markers
                    && tags
                        .duration_ms
                        .is_some_and(|ms| ms.abs_diff(entry_ms) <= DURATION_TOLERANCE_MS)
            })
            .collect();
        if candidates.is_empty() {
            return None;
        }
        Some((
            self.pick(&candidates, album.as_deref(), Some(entry_ms)),
            Method::Name,
        ))
    }

    /// The best of several files: same album, then closest duration, then first path.
    fn pick(
        &self,
        candidates: &[usize],
        album: Option<&str>,
        duration_ms: Option<u64>,
    ) -> &LocalTrack {
        let best = candidates
            .iter()
            .copied()
            .min_by_key(|&i| {
                let other_album = album.is_none() || self.info[i].album.as_deref() != album;
                let off = match (duration_ms, self.index.tracks[i].tags.duration_ms) {
                    (Some(a), Some(b)) => a.abs_diff(b),
                    _ => u64::MAX,
                };
                (other_album, off, i)
            })
            .unwrap_or(candidates[0]);
        &self.index.tracks[best]
    }
}

/// The first credited artist of a tag such as "A feat. B", "A & B" or "A; B", normalized.
fn primary_artist(artist: &str) -> String {
    let lower = artist.to_lowercase();
    let mut cut = artist.len();
    // Both sides go through this, so "Simon & Garfunkel" (one Spotify artist) and the tag
    // "Simon & Garfunkel" agree, as do Spotify's [A, B] and the tag "A & B".
    for sep in [
        " feat. ",
        " feat ",
        " ft. ",
        " featuring ",
        " with ",
        " & ",
        ", ",
        "; ",
        " / ",
        "\u{0}",
    ] {
        if let Some(at) = lower.find(sep) {
            cut = cut.min(at);
        }
    }
    // `to_lowercase` can change byte lengths; fall back to the whole name if the cut is not a
    // boundary of the original.
    let head = artist.get(..cut).unwrap_or(artist);
    normalize_artist(head)
}
