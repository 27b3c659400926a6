//! What can go wrong while enriching, each message saying what failed and what to do.

use std::path::PathBuf;

use crate::http::HttpError;

#[derive(Debug, thiserror::Error)]
pub enum EnrichError {
    /// Includes pauses (a long `Retry-After`), which exit 75 like a paused backup.
    #[error(
        "{0} (lookups made so far are cached: running enrichment again continues where it stopped)"
    )]
    Http(#[from] HttpError),
    #[error("MusicBrainz answered {endpoint} with HTTP {status} ({snippet}); check TRACKVAULT_MUSICBRAINZ_URL and try again later")]
    Status {
        endpoint: String,
        status: u16,
        snippet: String,
    },
    #[error("MusicBrainz sent {endpoint} a response that is not the expected JSON ({detail}); check that TRACKVAULT_MUSICBRAINZ_URL points at a WS/2 server")]
    Malformed { endpoint: String, detail: String },
    #[error("cannot use the enrichment cache {path}: {detail}")]
    Cache { path: PathBuf, detail: String },
    /// The disk is full, read-only or not writable: say so; the cache (lookups and resume
    /// state) is fine and must be kept.
    #[error("cannot write the enrichment cache: {problem}; {advice}, then run again (the cache keeps lookups and progress, keep it)")]
    CacheDisk {
        path: PathBuf,
        problem: String,
        advice: &'static str,
    },
    /// The database file itself is damaged: only then is deleting it the way out.
    #[error("the enrichment cache {path} is damaged ({detail}); delete that file to start afresh (cached lookups and enrichment progress are lost, snapshots are not)")]
    CacheDamaged { path: PathBuf, detail: String },
    #[error("cannot use the overrides file {path}: {detail}; each row needs a Spotify track id and a recording MBID or `none`")]
    Overrides { path: PathBuf, detail: String },
    #[error("cannot write the review file {path}: {detail}; check the path and its permissions")]
    Review { path: PathBuf, detail: String },
}
