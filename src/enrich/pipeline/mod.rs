//! The enrichment stage over a [`Library`]: cheapest evidence first, each phase only looking at
//! what the previous ones left unmatched.
//!
//! 1. overrides (no request),
//! 2. batched ISRC search (`isrc:(A OR B …)`, up to 100 ISRCs a request),
//! 3. Spotify URL relationships, 100 URLs a request (albums → releases, artists → artists,
//!    tracks → recordings), skipping albums (and their tracks) whose release an ISRC match
//!    already names,
//! 4. release tracklists, many releases a request (`reid:(A OR B …)`), for every album whose
//!    release is linked or implied by a matched track, matching its other tracks by
//!    disc/position and duration,
//! 5. fuzzy searches for the rest, ten tracks a request,
//! 6. tracklists again for albums that the searches placed on a release.
//!
//! A track appearing in many playlists is looked up once (keyed by Spotify id). Every lookup
//! goes through the [`Cache`] first and is stored there as soon as its batch completes.

mod artists;
mod doubtful;
mod isrc;
mod links;
mod releases;
mod run;
mod search;
mod tracks;

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use super::cache::Cache;
use super::error::EnrichError;
use super::musicbrainz::MusicBrainz;
use super::overrides::Overrides;
use super::summary::EnrichSummary;
use crate::model::Library;
use crate::progress::ProgressHandle;

pub use doubtful::REVIEW_CANDIDATES;
use doubtful::{needs_review, review_rows};
pub use isrc::{isrc_batches, ISRC_BATCH};
use run::Run;
use tracks::{apply_tracks, collect_tracks};

/// How an enrichment run behaves.
#[derive(Debug, Clone)]
pub struct EnrichOptions {
    /// Ignore cached lookups (results are still written to the cache).
    pub refresh: bool,
    pub overrides: Overrides,
    /// Matches below this confidence are listed for review.
    pub review_below: f64,
}

impl Default for EnrichOptions {
    fn default() -> Self {
        EnrichOptions {
            refresh: false,
            overrides: Overrides::default(),
            review_below: 0.9,
        }
    }
}

/// Enriches `library` in place and returns what happened.
pub async fn enrich_library(
    library: &mut Library,
    mb: &MusicBrainz,
    cache: &Cache,
    opts: &EnrichOptions,
    progress: ProgressHandle,
) -> Result<EnrichSummary, EnrichError> {
    let started = Instant::now();
    let before = mb.request_counts();
    let (tracks, index) = collect_tracks(library, &opts.overrides, opts.refresh);
    let mut run = Run {
        mb,
        cache,
        opts,
        progress,
        tracks,
        urls: HashMap::new(),
        releases: HashMap::new(),
        cache_hits: 0,
        staged: false,
    };
    run.isrc_phase().await?;
    run.url_phase(library).await?;
    run.release_phase(library).await?;
    run.search_phase().await?;
    run.release_phase(library).await?;

    apply_tracks(library, &run.tracks, &index);
    let (albums_matched, albums) = run.apply_albums(library);
    let (artists_matched, artists) = run.apply_artists(library);

    let requests = mb.request_counts().since(&before);
    let mut by_method = BTreeMap::new();
    let mut unmatched = 0;
    let mut excluded = 0;
    for t in &run.tracks {
        match &t.result {
            Some(m) => *by_method.entry(m.method.as_str().to_string()).or_insert(0) += 1,
            None if t.settled => excluded += 1,
            None => unmatched += 1,
        }
    }
    Ok(EnrichSummary {
        tracks: run.tracks.len(),
        by_method,
        unmatched,
        excluded,
        albums,
        albums_matched,
        artists,
        artists_matched,
        cache_hits: run.cache_hits,
        requests,
        elapsed: started.elapsed(),
        needs_review: run
            .tracks
            .iter()
            .filter(|t| needs_review(t, opts.review_below))
            .count(),
        review: review_rows(&run.tracks, opts.review_below),
    })
}
