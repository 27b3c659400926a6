//! Phase 2: batched ISRC search (`isrc:(A OR B …)`).

use std::collections::{HashMap, HashSet};

use super::run::Run;
use crate::enrich::cache::{Cached, Kind};
use crate::enrich::error::EnrichError;
use crate::enrich::matcher::{Candidate, Evidence};
use crate::enrich::musicbrainz::{isrc_query, MbRecording};
use crate::enrich::normalize::normalize_isrc;
use crate::model::MatchMethod;

/// ISRCs per batched search; also bounded by [`MAX_QUERY_CHARS`].
pub const ISRC_BATCH: usize = 100;
/// Longest Lucene query sent in one URL (100 ISRCs ≈ 1.6 KB, well under gateway limits).
const MAX_QUERY_CHARS: usize = 4000;

impl Run<'_> {
    pub(super) async fn isrc_phase(&mut self) -> Result<(), EnrichError> {
        let mut wanted: Vec<String> = self
            .tracks
            .iter()
            .filter(|t| t.pending())
            .filter_map(|t| t.isrc.clone())
            .collect();
        wanted.sort();
        wanted.dedup();
        let mut found: HashMap<String, Vec<MbRecording>> = HashMap::new();
        let mut missing = Vec::new();
        for isrc in wanted {
            match self.cached::<Vec<MbRecording>>(Kind::Isrc, &isrc)? {
                Some(hit) => {
                    found.insert(isrc, hit.unwrap_or_default());
                }
                None => missing.push(isrc),
            }
        }
        let batches = isrc_batches(&missing);
        self.stage("MusicBrainz ISRCs", batches.len());
        for batch in batches {
            let recordings = self.mb.search_isrcs(&batch).await?;
            let mut by_isrc: HashMap<String, Vec<MbRecording>> = HashMap::new();
            for rec in recordings {
                let isrcs: HashSet<String> =
                    rec.isrcs.iter().filter_map(|i| normalize_isrc(i)).collect();
                for isrc in isrcs {
                    if batch.contains(&isrc) {
                        by_isrc.entry(isrc).or_default().push(rec.clone());
                    }
                }
            }
            let entries: Vec<(String, Cached<Vec<MbRecording>>)> = batch
                .iter()
                .map(|i| (i.clone(), by_isrc.get(i).cloned()))
                .collect();
            self.cache.put_many(Kind::Isrc, &entries)?;
            for (isrc, recs) in entries {
                found.insert(isrc, recs.unwrap_or_default());
            }
            self.progress.advance(1);
        }
        self.stage_done();
        for i in 0..self.tracks.len() {
            let t = &self.tracks[i];
            if !t.pending() {
                continue;
            }
            let Some(recs) = t.isrc.as_ref().and_then(|isrc| found.get(isrc)) else {
                continue;
            };
            let candidates: Vec<Candidate> = recs.iter().map(MbRecording::to_candidate).collect();
            self.judge(i, &candidates, Evidence::Isrc, MatchMethod::Isrc);
        }
        Ok(())
    }
}

/// Batches of at most [`ISRC_BATCH`] ISRCs whose query stays under [`MAX_QUERY_CHARS`].
pub fn isrc_batches(isrcs: &[String]) -> Vec<Vec<String>> {
    let mut batches: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for isrc in isrcs {
        current.push(isrc.clone());
        if current.len() > ISRC_BATCH || isrc_query(&current).len() > MAX_QUERY_CHARS {
            let last = current.pop().expect("just pushed");
            batches.push(std::mem::take(&mut current));
            current.push(last);
        }
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}
