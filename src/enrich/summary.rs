//! What an enrichment run did, for the command's output and for `backup`/`demo`.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use super::review::ReviewRow;
use crate::http::RequestCounts;

#[derive(Debug, Clone, Default)]
pub struct EnrichSummary {
    /// Distinct tracks considered (a track in many playlists counts once).
    pub tracks: usize,
    /// Matched tracks per method (`isrc`, `spotify_url`, `release_tracklist`, `search`, `override`).
    pub by_method: BTreeMap<String, usize>,
    pub unmatched: usize,
    /// Tracks the overrides file marked `none`.
    pub excluded: usize,
    pub albums: usize,
    pub albums_matched: usize,
    pub artists: usize,
    pub artists_matched: usize,
    /// Lookups answered by the cache.
    pub cache_hits: u64,
    /// MusicBrainz requests sent by this run, per endpoint (retries included).
    pub requests: RequestCounts,
    pub elapsed: Duration,
    /// Distinct tracks that are unmatched or matched with low confidence.
    pub needs_review: usize,
    /// Their review rows (one per candidate).
    pub review: Vec<ReviewRow>,
}

impl EnrichSummary {
    pub fn matched(&self) -> usize {
        self.by_method.values().sum()
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

impl fmt::Display for EnrichSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Enriched {} distinct tracks: {} matched ({:.1}%), {} unmatched{}",
            self.tracks,
            self.matched(),
            percent(self.matched(), self.tracks),
            self.unmatched,
            if self.excluded > 0 {
                format!(", {} left unmatched by override", self.excluded)
            } else {
                String::new()
            }
        )?;
        for (method, n) in &self.by_method {
            writeln!(
                f,
                "  {method:<18} {n:>7} ({:.1}%)",
                percent(*n, self.tracks)
            )?;
        }
        writeln!(
            f,
            "Saved albums with a release: {}/{}; followed artists with an artist: {}/{}",
            self.albums_matched, self.albums, self.artists_matched, self.artists
        )?;
        writeln!(
            f,
            "MusicBrainz requests: {} ({} lookups answered from the cache) in {:.1}s",
            self.requests.total(),
            self.cache_hits,
            self.elapsed.as_secs_f64()
        )?;
        for (endpoint, n) in &self.requests.0 {
            writeln!(f, "  {endpoint:<30} {n:>7}")?;
        }
        if self.needs_review > 0 {
            let n = self.needs_review;
            writeln!(
                f,
                "{n} track{} need{} review (list them with --review FILE)",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" }
            )?;
        }
        Ok(())
    }
}
