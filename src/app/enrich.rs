//! Enrich a snapshot: read its `library.json`, enrich it through the archive's cache, write it
//! back atomically.

use crate::archive::Archive;
use crate::enrich::cache::{Cache, Ttl};
use crate::enrich::musicbrainz::MusicBrainz;
use crate::enrich::pipeline::{enrich_library, EnrichOptions};
use crate::enrich::summary::EnrichSummary;
use crate::error::Result;
use crate::model::Library;
use crate::progress::ProgressHandle;

/// Enriches one complete snapshot of `archive`: reads its `library.json`, enriches it through
/// the archive's cache and writes it back atomically. `backup` and `demo` call this too.
pub async fn enrich_snapshot(
    archive: &Archive,
    snapshot_id: &str,
    client: &MusicBrainz,
    opts: &EnrichOptions,
    progress: ProgressHandle,
) -> Result<(EnrichSummary, Library)> {
    let mut library = archive.read_library(snapshot_id)?;
    let cache = Cache::open(&archive.cache_path(), Ttl::default())?;
    let summary = enrich_library(&mut library, client, &cache, opts, progress).await?;
    archive.write_library(snapshot_id, &library)?;
    Ok((summary, library))
}
