//! The state of one enrichment run and the helpers every phase shares: progress stages, cached
//! lookups and judging candidates.

use std::collections::{HashMap, HashSet};

use super::doubtful::remember_alternatives;
use super::tracks::Track;
use super::EnrichOptions;
use crate::enrich::cache::{Cache, Cached, Kind};
use crate::enrich::error::EnrichError;
use crate::enrich::matcher::{decide, Candidate, Decision, Evidence};
use crate::enrich::musicbrainz::{MbRelease, MbUrl, MusicBrainz};
use crate::enrich::normalize::normalize_isrc;
use crate::ids;
use crate::model::{MatchMethod, RecordingMatch};
use crate::progress::ProgressHandle;

/// The state of one run, phase by phase.
pub(super) struct Run<'a> {
    pub(super) mb: &'a MusicBrainz,
    pub(super) cache: &'a Cache,
    pub(super) opts: &'a EnrichOptions,
    pub(super) progress: ProgressHandle,
    pub(super) tracks: Vec<Track>,
    /// Spotify URL → linked URL entity (None: MusicBrainz has no such link).
    pub(super) urls: HashMap<String, Option<MbUrl>>,
    pub(super) releases: HashMap<String, Option<MbRelease>>,
    pub(super) cache_hits: u64,
    /// Whether a progress stage is open.
    pub(super) staged: bool,
}

impl Run<'_> {
    /// Starts a progress stage counting requests; stages with nothing to send stay silent.
    pub(super) fn stage(&mut self, name: &str, requests: usize) {
        self.staged = requests > 0;
        if self.staged {
            self.progress.start(name, Some(requests as u64));
        }
    }

    pub(super) fn stage_done(&mut self) {
        if std::mem::take(&mut self.staged) {
            self.progress.finish();
        }
    }

    /// A cached lookup, unless `--refresh`.
    pub(super) fn cached<T: serde::de::DeserializeOwned>(
        &mut self,
        kind: Kind,
        key: &str,
    ) -> Result<Option<Cached<T>>, EnrichError> {
        if self.opts.refresh {
            return Ok(None);
        }
        let got = self.cache.get(kind, key)?;
        if got.is_some() {
            self.cache_hits += 1;
        }
        Ok(got)
    }

    /// Runs the matcher for track `i` and records a match or the best candidate.
    pub(super) fn judge(
        &mut self,
        i: usize,
        candidates: &[Candidate],
        evidence: Evidence,
        method: MatchMethod,
    ) {
        // Identifiers from an answer are held to the MBID shape where they enter: a candidate
        // whose recording id is not one can never be matched (see `crate::ids`).
        let valid: Vec<Candidate>;
        let candidates = if candidates.iter().all(|c| ids::is_mbid(&c.recording_id)) {
            candidates
        } else {
            valid = candidates
                .iter()
                .filter(|c| ids::is_mbid(&c.recording_id))
                .cloned()
                .collect();
            &valid
        };
        if candidates.is_empty() {
            return;
        }
        let track = &mut self.tracks[i];
        match decide(&track.query, candidates, evidence) {
            Decision::Matched {
                index,
                confidence,
                release,
            } => {
                let cand = &candidates[index];
                let release = release.and_then(|r| cand.releases.get(r));
                track.result = Some(RecordingMatch {
                    recording_id: cand.recording_id.clone(),
                    release_id: release.map(|r| r.id.clone()).filter(|id| ids::is_mbid(id)),
                    release_group_id: release
                        .and_then(|r| r.release_group_id.clone())
                        .filter(|id| ids::is_mbid(id)),
                    artist_ids: cand
                        .artists
                        .iter()
                        .map(|a| a.id.clone())
                        .filter(|id| ids::is_mbid(id))
                        .collect(),
                    method,
                    confidence,
                });
                if track.isrc.is_none() {
                    let isrcs: HashSet<String> = cand
                        .isrcs
                        .iter()
                        .filter_map(|i| normalize_isrc(i))
                        .collect();
                    if isrcs.len() == 1 {
                        track.mb_isrc = isrcs.into_iter().next();
                    }
                }
                track.best = Some((cand.clone(), confidence));
            }
            Decision::Unmatched { best } => {
                if let Some((index, score)) = best {
                    if track.best.as_ref().is_none_or(|(_, s)| score > *s) {
                        track.best = Some((candidates[index].clone(), score));
                    }
                }
            }
        }
        let doubtful = track
            .result
            .as_ref()
            .is_none_or(|m| m.confidence < self.opts.review_below);
        if doubtful {
            remember_alternatives(track, candidates, evidence);
        }
    }
}
