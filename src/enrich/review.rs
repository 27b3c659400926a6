//! The review file (`trackvault enrich --review FILE`): unmatched and low-confidence tracks with
//! their best candidates (one row per candidate, best first), as CSV. Its first two columns, `spotify_id` and `override`, make it an
//! overrides file: fill `override` with a recording MBID (for example the
//! `candidate_recording_id`) or `none`, then run `trackvault enrich --overrides FILE`.

use std::path::Path;

use super::error::EnrichError;
use super::matcher::{Candidate, TrackQuery};
use crate::model::RecordingMatch;

pub const HEADER: [&str; 17] = [
    "spotify_id",
    "override",
    "status",
    "title",
    "artists",
    "album",
    "duration_ms",
    "isrc",
    "matched_recording_id",
    "matched_method",
    "confidence",
    "candidate_rank",
    "candidate_recording_id",
    "candidate_score",
    "candidate_title",
    "candidate_artists",
    "candidate_length_ms",
];

/// One track a person should look at.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRow {
    pub spotify_id: Option<String>,
    /// `unmatched` or `low_confidence`.
    pub status: &'static str,
    pub title: String,
    pub artists: String,
    pub album: String,
    pub duration_ms: Option<u64>,
    pub isrc: Option<String>,
    pub matched: Option<RecordingMatch>,
    /// 1 for the best candidate; 0 when there is none.
    pub rank: usize,
    pub candidate: Option<(Candidate, f64)>,
}

impl ReviewRow {
    /// One row per candidate (best first), or a single row when there is none. Filling the
    /// `override` column of any one of them decides the track.
    pub fn for_track(
        spotify_id: Option<String>,
        query: &TrackQuery,
        matched: Option<&RecordingMatch>,
        candidates: &[(Candidate, f64)],
    ) -> Vec<Self> {
        let row = |rank: usize, candidate: Option<&(Candidate, f64)>| ReviewRow {
            spotify_id: spotify_id.clone(),
            status: if matched.is_some() {
                "low_confidence"
            } else {
                "unmatched"
            },
            title: query.title.clone(),
            artists: query.artists.join("; "),
            album: query.album.clone().unwrap_or_default(),
            duration_ms: query.duration_ms,
            isrc: query.isrc.clone(),
            matched: matched.cloned(),
            rank,
            candidate: candidate.cloned(),
        };
        if candidates.is_empty() {
            return vec![row(0, None)];
        }
        candidates
            .iter()
            .enumerate()
            .map(|(i, c)| row(i + 1, Some(c)))
            .collect()
    }

    fn fields(&self) -> Vec<String> {
        let opt = |v: Option<String>| v.unwrap_or_default();
        let cand = self.candidate.as_ref();
        vec![
            opt(self.spotify_id.clone()),
            String::new(),
            self.status.to_string(),
            self.title.clone(),
            self.artists.clone(),
            self.album.clone(),
            opt(self.duration_ms.map(|d| d.to_string())),
            opt(self.isrc.clone()),
            opt(self.matched.as_ref().map(|m| m.recording_id.clone())),
            opt(self.matched.as_ref().map(|m| m.method.as_str().to_string())),
            opt(self
                .matched
                .as_ref()
                .map(|m| format!("{:.3}", m.confidence))),
            opt((self.rank > 0).then(|| self.rank.to_string())),
            opt(cand.map(|(c, _)| c.recording_id.clone())),
            opt(cand.map(|(_, s)| format!("{s:.3}"))),
            opt(cand.map(|(c, _)| c.title.clone())),
            opt(cand.map(|(c, _)| {
                c.artists
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            })),
            opt(cand.and_then(|(c, _)| c.length_ms.map(|l| l.to_string()))),
        ]
    }
}

/// Writes `rows` as CSV to `path`, atomically.
pub fn write_review(path: &Path, rows: &[ReviewRow]) -> Result<(), EnrichError> {
    let err = |detail: String| EnrichError::Review {
        path: path.to_path_buf(),
        detail,
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(HEADER)
        .map_err(|e| err(e.to_string()))?;
    for row in rows {
        writer
            .write_record(row.fields())
            .map_err(|e| err(e.to_string()))?;
    }
    let bytes = writer.into_inner().map_err(|e| err(e.to_string()))?;
    crate::fsutil::write_atomic(path, &bytes, None).map_err(|e| err(e.to_string()))
}
