//! The review file (`trackvault enrich --review FILE`): unmatched and low-confidence tracks with
//! their best candidate, as CSV. Its first two columns, `spotify_id` and `override`, make it an
//! overrides file: fill `override` with a recording MBID (for example the
//! `candidate_recording_id`) or `none`, then run `trackvault enrich --overrides FILE`.

use std::path::Path;

use super::error::EnrichError;
use super::matcher::{Candidate, TrackQuery};
use super::pipeline::method_name;
use crate::model::RecordingMatch;

pub const HEADER: [&str; 16] = [
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
    pub candidate: Option<(Candidate, f64)>,
}

impl ReviewRow {
    pub fn new(
        spotify_id: Option<String>,
        query: &TrackQuery,
        matched: Option<&RecordingMatch>,
        best: Option<&(Candidate, f64)>,
    ) -> Self {
        ReviewRow {
            spotify_id,
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
            candidate: best.cloned(),
        }
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
            opt(self
                .matched
                .as_ref()
                .map(|m| method_name(m.method).to_string())),
            opt(self
                .matched
                .as_ref()
                .map(|m| format!("{:.3}", m.confidence))),
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
