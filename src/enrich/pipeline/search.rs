//! Phase 5: fuzzy searches for the remaining tracks, several tracks' clauses OR-ed into one
//! request; every hit is handed back to the tracks of its batch it plausibly answers, and the
//! matcher decides as for a single-track search.

use std::collections::{HashMap, HashSet};

use super::run::Run;
use crate::enrich::cache::{Cached, Kind};
use crate::enrich::error::EnrichError;
use crate::enrich::matcher::{score, Candidate, Evidence, TrackQuery};
use crate::enrich::musicbrainz::{fuzzy_batch_query, fuzzy_query, MbRecording, LABEL_SEARCH};
use crate::enrich::normalize::{normalize_artist, normalize_title};
use crate::model::MatchMethod;

/// Tracks per batched search: about ten hits each fit one page of 100.
pub const SEARCH_BATCH: usize = 10;
/// Pages read per batched search (a common title may crowd the first page).
const SEARCH_PAGES: usize = 2;
/// Longest batched query (URL length stays far below gateway limits).
const MAX_QUERY_CHARS: usize = 3000;

/// One distinct search: its cache key, its clause and the tracks waiting for it.
struct Pending {
    key: String,
    clause: String,
    query: TrackQuery,
    tracks: Vec<usize>,
}

impl Run<'_> {
    pub(super) async fn search_phase(&mut self) -> Result<(), EnrichError> {
        let pending: Vec<usize> = (0..self.tracks.len())
            .filter(|&i| self.tracks[i].pending())
            .collect();
        // Look up from the cache first so the progress bar counts real requests only;
        // identical searches (the same song on two albums) are sent once.
        let mut work: Vec<Pending> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut answered: Vec<(usize, Vec<MbRecording>)> = Vec::new();
        for i in pending {
            let Some((key, clause)) = search_key(&self.tracks[i].query) else {
                continue;
            };
            if let Some(&w) = by_key.get(&key) {
                work[w].tracks.push(i);
                continue;
            }
            match self.cached::<Vec<MbRecording>>(Kind::Search, &key)? {
                Some(hit) => answered.push((i, hit.unwrap_or_default())),
                None => {
                    by_key.insert(key.clone(), work.len());
                    work.push(Pending {
                        key,
                        clause,
                        query: self.tracks[i].query.clone(),
                        tracks: vec![i],
                    });
                }
            }
        }
        let batches = search_batches(&work);
        self.stage("MusicBrainz search", batches.len());
        for batch in batches {
            let clauses: Vec<String> = batch.iter().map(|&w| work[w].clause.clone()).collect();
            let hits = self
                .mb
                .search_pages(&fuzzy_batch_query(&clauses), LABEL_SEARCH, SEARCH_PAGES)
                .await?;
            let mut entries: Vec<(String, Cached<Vec<MbRecording>>)> = Vec::new();
            for &w in &batch {
                let p = &work[w];
                let mine = if batch.len() == 1 {
                    hits.clone()
                } else {
                    answers_for(&p.query, &hits)
                };
                for &i in &p.tracks {
                    answered.push((i, mine.clone()));
                }
                entries.push((p.key.clone(), (!mine.is_empty()).then_some(mine)));
            }
            self.cache.put_many(Kind::Search, &entries)?;
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

/// The hits of a batched search that may answer `query`: those whose title or artist
/// resembles it at all (the matcher then judges them strictly). Everything else answered
/// another track's clause.
fn answers_for(query: &TrackQuery, hits: &[MbRecording]) -> Vec<MbRecording> {
    let mut seen = HashSet::new();
    hits.iter()
        .filter(|h| seen.insert(h.id.clone()))
        .filter(|h| {
            let s = score(query, &h.to_candidate(), Evidence::Search);
            s.title >= 0.5 || s.artist >= 0.6
        })
        .cloned()
        .collect()
}

/// Indexes into `work`, [`SEARCH_BATCH`] at a time, each batch's query kept short.
fn search_batches(work: &[Pending]) -> Vec<Vec<usize>> {
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut chars = 0;
    for (w, p) in work.iter().enumerate() {
        let len = p.clause.len() + 6;
        if !current.is_empty() && (current.len() >= SEARCH_BATCH || chars + len > MAX_QUERY_CHARS) {
            batches.push(std::mem::take(&mut current));
            chars = 0;
        }
        current.push(w);
        chars += len;
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

/// The cache key (normalized title, artist, duration in seconds, artist MBID) and the Lucene
/// clause. A known artist MBID is searched as `arid:`, which also finds artists MusicBrainz
/// writes in another script.
fn search_key(q: &TrackQuery) -> Option<(String, String)> {
    let title = normalize_title(&q.title);
    if title.trim().is_empty() {
        return None;
    }
    let artist = q.artists.first().map(String::as_str);
    let arid = q.artist_mbids.first();
    let key = format!(
        "{title}\u{1f}{}\u{1f}{}{}",
        artist.map(normalize_artist).unwrap_or_default(),
        q.duration_ms.map(rounded_secs).unwrap_or_default(),
        arid.map(|a| format!("\u{1f}{a}")).unwrap_or_default()
    );
    // Rounding cannot overflow: a duration from outside may be any u64.
    let duration = q
        .duration_ms
        .map(|ms| rounded_secs(ms).saturating_mul(1000));
    let clause = match arid {
        Some(id) => {
            let mut c = fuzzy_query(&title, None, duration);
            c.push_str(&format!(
                " AND arid:{}",
                crate::enrich::normalize::escape_lucene(id)
            ));
            c
        }
        None => fuzzy_query(&title, artist, duration),
    };
    Some((key, clause))
}
