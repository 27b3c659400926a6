//! Tracks a person should look at: which ones, and the candidates to show them.

use super::tracks::Track;
use crate::enrich::matcher::{score, Candidate, Evidence};
use crate::enrich::review::ReviewRow;

/// Candidates listed per track in the review file.
pub const REVIEW_CANDIDATES: usize = 3;

/// Keeps the best-scoring distinct candidates across phases for the review file.
pub(super) fn remember_alternatives(
    track: &mut Track,
    candidates: &[Candidate],
    evidence: Evidence,
) {
    for cand in candidates {
        let total = score(&track.query, cand, evidence).total;
        match track
            .alternatives
            .iter_mut()
            .find(|(c, _)| c.recording_id == cand.recording_id)
        {
            Some(seen) => seen.1 = seen.1.max(total),
            None => track.alternatives.push((cand.clone(), total)),
        }
    }
    track.alternatives.sort_by(|a, b| b.1.total_cmp(&a.1));
    track.alternatives.truncate(REVIEW_CANDIDATES);
}

pub(super) fn needs_review(t: &Track, below: f64) -> bool {
    !t.settled && t.result.as_ref().is_none_or(|m| m.confidence < below)
}

pub(super) fn review_rows(tracks: &[Track], below: f64) -> Vec<ReviewRow> {
    tracks
        .iter()
        .filter(|t| needs_review(t, below))
        .flat_map(|t| {
            ReviewRow::for_track(
                t.spotify_id.clone(),
                &t.query,
                t.result.as_ref(),
                &t.alternatives,
            )
        })
        .collect()
}
