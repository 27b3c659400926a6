//! Phase 5: one fuzzy search per remaining track.

use std::collections::HashMap;

use super::run::Run;
use crate::enrich::cache::Kind;
use crate::enrich::error::EnrichError;
use crate::enrich::matcher::{Candidate, Evidence, TrackQuery};
use crate::enrich::musicbrainz::{fuzzy_query, MbRecording};
use crate::enrich::normalize::{normalize_artist, normalize_title};
use crate::model::MatchMethod;

/// Hits asked for in a fuzzy search.
const SEARCH_HITS: usize = 10;

impl Run<'_> {
    pub(super) async fn search_phase(&mut self) -> Result<(), EnrichError> {
        let pending: Vec<usize> = (0..self.tracks.len())
            .filter(|&i| self.tracks[i].pending())
            .collect();
        // Look up from the cache first so the progress bar counts real requests only.
        let mut work: Vec<(usize, String, String)> = Vec::new();
        let mut answered: Vec<(usize, Vec<MbRecording>)> = Vec::new();
        for i in pending {
            let Some((key, query)) = search_key(&self.tracks[i].query) else {
                continue;
            };
            match self.cached::<Vec<MbRecording>>(Kind::Search, &key)? {
                Some(hit) => answered.push((i, hit.unwrap_or_default())),
                None => work.push((i, key, query)),
            }
        }
        self.stage("MusicBrainz search", work.len());
        // Identical queries (same song on two albums) are sent once.
        let mut sent: HashMap<String, Vec<MbRecording>> = HashMap::new();
        for (i, key, query) in work {
            let recs = match sent.get(&key) {
                Some(recs) => recs.clone(),
                None => {
                    let page = self
                        .mb
                        .search_recordings(
                            &query,
                            SEARCH_HITS,
                            0,
                            crate::enrich::musicbrainz::LABEL_SEARCH,
                        )
                        .await?;
                    let recs = page.recordings;
                    let value = (!recs.is_empty()).then(|| recs.clone());
                    self.cache.put_many(Kind::Search, &[(key.clone(), value)])?;
                    sent.insert(key, recs.clone());
                    recs
                }
            };
            answered.push((i, recs));
            self.progress.advance(1);
        }
        self.stage_done();
        for (i, recs) in answered {
            let candidates: Vec<Candidate> = recs.iter().map(MbRecording::to_candidate).collect();
            self.judge(i, &candidates, Evidence::Search, MatchMethod::Search);
        }
        Ok(())
    }
}

/// Milliseconds rounded to whole seconds, saturating for absurd values.
fn rounded_secs(ms: u64) -> u64 {
    ms.saturating_add(500) / 1000
}

/// The cache key (normalized title, artist, duration in seconds) and the Lucene query.
fn search_key(q: &TrackQuery) -> Option<(String, String)> {
    let title = normalize_title(&q.title);
    if title.trim().is_empty() {
        return None;
    }
    let artist = q.artists.first().map(String::as_str);
    let key = format!(
        "{title}\u{1f}{}\u{1f}{}",
        artist.map(normalize_artist).unwrap_or_default(),
        q.duration_ms.map(rounded_secs).unwrap_or_default()
    );
    // Rounding cannot overflow: a duration from outside may be any u64.
    let duration = q
        .duration_ms
        .map(|ms| rounded_secs(ms).saturating_mul(1000));
    Some((key, fuzzy_query(&title, artist, duration)))
}
