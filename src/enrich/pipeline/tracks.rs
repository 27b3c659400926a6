//! The distinct tracks of a library: gathering them (with overrides and earlier matches) and
//! writing their results back into every item.

use std::collections::HashMap;

use crate::enrich::matcher::{Candidate, TrackQuery};
use crate::enrich::normalize::normalize_isrc;
use crate::enrich::overrides::{Override, Overrides};
use crate::model::{AlbumRef, Item, Library, MatchMethod, RecordingMatch};

/// One distinct track of the library and what enrichment found for it.
pub(super) struct Track {
    pub(super) spotify_id: Option<String>,
    pub(super) album_id: Option<String>,
    /// Spotify ids of the credited artists, in order.
    pub(super) artist_ids: Vec<String>,
    pub(super) query: TrackQuery,
    pub(super) isrc: Option<String>,
    pub(super) result: Option<RecordingMatch>,
    /// ISRC learned from MusicBrainz for a track Spotify gave none.
    pub(super) mb_isrc: Option<String>,
    /// Best candidate seen in any phase, for review.
    pub(super) best: Option<(Candidate, f64)>,
    /// The highest-scoring candidates seen (at most
    /// [`REVIEW_CANDIDATES`](super::REVIEW_CANDIDATES)), for review.
    pub(super) alternatives: Vec<(Candidate, f64)>,
    /// Overridden (to a recording or to `none`): no lookup.
    pub(super) settled: bool,
}

impl Track {
    pub(super) fn pending(&self) -> bool {
        !self.settled && self.result.is_none()
    }

    pub(super) fn url(&self) -> Option<String> {
        self.spotify_id
            .as_ref()
            .map(|id| format!("https://open.spotify.com/track/{id}"))
    }
}

/// Distinct tracks (by Spotify id, or URI for local files) and, per key, their index.
pub(super) fn collect_tracks(
    library: &Library,
    overrides: &Overrides,
    refresh: bool,
) -> (Vec<Track>, HashMap<String, usize>) {
    let mut tracks: Vec<Track> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut add = |item: &Item, album: Option<AlbumContext<'_>>| {
        if item.item_type != "track" {
            return;
        }
        let key = item_key(item);
        let isrc = item.isrc.as_deref().and_then(normalize_isrc);
        if let Some(&i) = index.get(&key) {
            // Another occurrence may know more (saved-album tracks carry no ISRC).
            let t = &mut tracks[i];
            if t.isrc.is_none() && isrc.is_some() {
                t.isrc = isrc.clone();
                t.query.isrc = isrc;
            }
            return;
        }
        let mut track = new_track(item, album, isrc);
        settle(&mut track, item, overrides, refresh);
        index.insert(key, tracks.len());
        tracks.push(track);
    };
    for entry in library
        .liked_tracks
        .iter()
        .chain(library.playlists.iter().flat_map(|p| p.entries.iter()))
    {
        if let Some(item) = &entry.item {
            add(item, None);
        }
    }
    for saved in &library.saved_albums {
        let a = &saved.album;
        for item in &a.tracks {
            add(
                item,
                Some((&a.id, &a.name, a.release_date.as_deref(), a.total_tracks)),
            );
        }
    }
    (tracks, index)
}

/// The saved album a track was listed under: id, name, release date, track count.
type AlbumContext<'a> = (&'a str, &'a str, Option<&'a str>, Option<u32>);

/// A track to look up, with its query; a saved album's track gets that album as its own.
fn new_track(item: &Item, album: Option<AlbumContext<'_>>, isrc: Option<String>) -> Track {
    let mut item = item.clone();
    if let Some((id, name, date, _)) = album {
        item.album = Some(AlbumRef {
            id: Some(id.to_string()),
            name: name.to_string(),
            release_date: date.map(str::to_string),
        });
    }
    let mut query = TrackQuery::from_item(&item);
    query.isrc = isrc.clone();
    if let Some((_, _, _, Some(total))) = album {
        query.album_track_count = Some(total);
    }
    Track {
        spotify_id: item.id.clone(),
        album_id: item.album.as_ref().and_then(|a| a.id.clone()),
        artist_ids: item.artists.iter().filter_map(|a| a.id.clone()).collect(),
        query,
        isrc,
        result: None,
        mb_isrc: None,
        best: None,
        alternatives: Vec::new(),
        settled: false,
    }
}

/// What is already decided for `track`: a user override (from the file, or kept in the
/// library from an earlier run), else an earlier match unless `refresh`.
fn settle(track: &mut Track, item: &Item, overrides: &Overrides, refresh: bool) {
    let choice = item.id.as_deref().and_then(|id| overrides.get(id));
    match choice {
        Some(Override::Recording(mbid)) => {
            track.result = Some(override_match(mbid));
            track.settled = true;
        }
        Some(Override::None) => track.settled = true,
        // A decision made by the user earlier survives runs without the file; any other
        // earlier match (e.g. carried over from the previous snapshot) is kept unless
        // `--refresh`, so results stay stable and an ISRC learned from MusicBrainz is never
        // used as evidence for the match it came from.
        None => match item.musicbrainz.as_ref() {
            Some(m) if m.method == MatchMethod::Override => {
                track.result = Some(m.clone());
                track.settled = true;
            }
            Some(m) if !refresh => track.result = Some(m.clone()),
            _ => {}
        },
    }
}

fn item_key(item: &Item) -> String {
    item.id.clone().unwrap_or_else(|| item.uri.clone())
}

fn override_match(mbid: &str) -> RecordingMatch {
    RecordingMatch {
        recording_id: mbid.to_string(),
        release_id: None,
        release_group_id: None,
        artist_ids: Vec::new(),
        method: MatchMethod::Override,
        confidence: 1.0,
    }
}

/// Writes each distinct track's result into every item that shares its key.
pub(super) fn apply_tracks(
    library: &mut Library,
    tracks: &[Track],
    index: &HashMap<String, usize>,
) {
    for item in library.items_mut() {
        if item.item_type != "track" {
            continue;
        }
        let Some(track) = index.get(&item_key(item)).map(|&i| &tracks[i]) else {
            continue;
        };
        item.musicbrainz = track.result.clone();
        if let Some(isrc) = track.isrc.clone().or_else(|| track.mb_isrc.clone()) {
            item.isrc = Some(isrc);
        }
    }
}
