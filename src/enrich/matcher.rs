//! STUB of the matcher API (replaced by branch `matcher`).
use crate::enrich::normalize::{normalize_artist, normalize_title};
use crate::model::Item;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrackQuery {
    pub title: String,
    pub artists: Vec<String>,
    pub album: Option<String>,
    pub album_release_date: Option<String>,
    pub album_track_count: Option<u32>,
    pub duration_ms: Option<u64>,
    pub isrc: Option<String>,
    pub track_number: Option<u32>,
}
impl TrackQuery {
    pub fn from_item(item: &Item) -> Self {
        TrackQuery {
            title: item.name.clone(),
            artists: item.artists.iter().map(|a| a.name.clone()).collect(),
            album: item.album.as_ref().map(|a| a.name.clone()),
            album_release_date: item.album.as_ref().and_then(|a| a.release_date.clone()),
            album_track_count: None,
            duration_ms: item.duration_ms,
            isrc: item.isrc.clone(),
            track_number: item.track_number,
        }
    }
}
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateArtist {
    pub id: String,
    pub name: String,
}
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateRelease {
    pub id: String,
    pub title: String,
    pub release_group_id: Option<String>,
    pub primary_type: Option<String>,
    pub secondary_types: Vec<String>,
    pub status: Option<String>,
    pub date: Option<String>,
    pub track_count: Option<u32>,
}
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub recording_id: String,
    pub title: String,
    pub artists: Vec<CandidateArtist>,
    pub length_ms: Option<u64>,
    pub isrcs: Vec<String>,
    pub disambiguation: Option<String>,
    pub releases: Vec<CandidateRelease>,
    pub mb_score: Option<u32>,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    Isrc,
    SpotifyUrl,
    ReleaseTracklist,
    Search,
}
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Matched {
        index: usize,
        confidence: f64,
        release: Option<usize>,
    },
    Unmatched {
        best: Option<(usize, f64)>,
    },
}
pub fn decide(q: &TrackQuery, cands: &[Candidate], _e: Evidence) -> Decision {
    let mut best: Option<(usize, f64)> = None;
    for (i, c) in cands.iter().enumerate() {
        let t = normalize_title(&q.title) == normalize_title(&c.title);
        let a = q.artists.first().is_some_and(|qa| {
            c.artists
                .iter()
                .any(|ca| normalize_artist(&ca.name) == normalize_artist(qa))
        });
        let d = match (q.duration_ms, c.length_ms) {
            (Some(x), Some(y)) => x.abs_diff(y) <= 5000,
            _ => true,
        };
        let s = (t as u8 as f64 * 0.5) + (a as u8 as f64 * 0.3) + (d as u8 as f64 * 0.2);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    match best {
        Some((i, s)) if s >= 0.99 => Decision::Matched {
            index: i,
            confidence: s,
            release: (!cands[i].releases.is_empty()).then_some(0),
        },
        other => Decision::Unmatched { best: other },
    }
}
