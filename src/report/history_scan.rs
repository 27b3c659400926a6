//! Builds the report's [`Timeline`] from every complete snapshot up to the one shown.
//!
//! Reading 30 snapshots of a 100,000-entry library means parsing over 3 GB of JSON, so two
//! things keep a report fast: readers parse the next snapshots while this thread diffs the
//! previous pair (two readers where there are two cores: each holds a buffer of one
//! `library.json`, so more would cost memory), and the results (sizes and steps, which are
//! small) are cached in `<archive>/report-cache.json`, keyed by each `library.json`'s name,
//! length and modification time. After a backup only the new snapshot and the one before it
//! are parsed. A damaged cache is ignored and rebuilt; a snapshot that cannot be read is
//! skipped and named on the page.

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::sync_channel;

use serde::{Deserialize, Serialize};

use super::timeline::{SnapshotStats, Step, Timeline};
use crate::archive::Archive;
use crate::history::{diff_views, LibraryView, SnapshotRef};

const CACHE_FILE: &str = "report-cache.json";
const CACHE_VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    version: u32,
    stats: HashMap<String, SnapshotStats>,
    /// Keyed by `"<old key> <new key>"`.
    steps: HashMap<String, Step>,
}

/// What the reader thread hands over: a snapshot's parsed library, or why it could not be read.
type Loaded = (usize, Result<Option<LibraryView<'static>>, String>);

/// The timeline of `ids` (oldest first). Cache problems never fail a report; they only cost time.
pub fn timeline(archive: &Archive, ids: &[String]) -> Timeline {
    let keys: Vec<Option<String>> = ids.iter().map(|id| cache_key(archive, id)).collect();
    let cache_path = archive.root().join(CACHE_FILE);
    let cache = read_cache(&cache_path);
    let pair_key = |a: usize, b: usize| match (&keys[a], &keys[b]) {
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        _ => None,
    };
    let cached_stats = |i: usize| keys[i].as_ref().and_then(|k| cache.stats.get(k)).cloned();
    let cached_step =
        |a: usize, b: usize| pair_key(a, b).and_then(|k| cache.steps.get(&k)).cloned();
    // A snapshot is parsed only when its size or a step next to it is not cached.
    let needed: Vec<bool> = (0..ids.len())
        .map(|i| {
            cached_stats(i).is_none()
                || (i > 0 && cached_step(i - 1, i).is_none())
                || (i + 1 < ids.len() && cached_step(i, i + 1).is_none())
        })
        .collect();

    let mut timeline = Timeline::default();
    let mut fresh = Cache {
        version: CACHE_VERSION,
        ..Cache::default()
    };
    std::thread::scope(|scope| {
        // Readers take turns (snapshot i goes to reader i % readers), each a step ahead of the
        // diff below, and each reuses one read buffer.
        let readers = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
        let mut queues = Vec::new();
        for reader in 0..readers {
            let (send, receive) = sync_channel::<Loaded>(1);
            queues.push(receive);
            let needed = &needed;
            scope.spawn(move || {
                let mut buffer = Vec::new();
                for i in (reader..ids.len()).step_by(readers) {
                    let loaded = if needed[i] {
                        load(archive, &ids[i], &mut buffer).map(Some)
                    } else {
                        Ok(None)
                    };
                    if send.send((i, loaded)).is_err() {
                        return;
                    }
                }
            });
        }
        let in_order = (0..ids.len()).map_while(|i| queues[i % readers].recv().ok());
        // The previous readable snapshot: its index and, when parsed, its library.
        let mut previous: Option<(usize, Option<LibraryView<'static>>)> = None;
        for (i, loaded) in in_order {
            let view = match loaded {
                Ok(view) => {
                    timeline.parsed += usize::from(view.is_some());
                    view
                }
                Err(problem) => {
                    timeline.skipped.push((ids[i].clone(), problem));
                    continue;
                }
            };
            // `needed` guarantees a parsed library whenever the size is not cached.
            let stats = cached_stats(i)
                .or_else(|| view.as_ref().map(|v| SnapshotStats::of(&ids[i], v)))
                .unwrap_or_default();
            if let Some((p, old)) = &previous {
                let step = cached_step(*p, i).or_else(|| match (old, &view) {
                    (Some(old), Some(new)) => Some(Step::of(&diff_views(
                        old,
                        new,
                        reference(&ids[*p]),
                        reference(&ids[i]),
                    ))),
                    _ => None,
                });
                if let (Some(k), Some(step)) = (pair_key(*p, i), &step) {
                    fresh.steps.insert(k, step.clone());
                }
                // Unknown only around a skipped snapshot (named on the page): shown as no change.
                timeline.steps.push(step.unwrap_or_default());
            }
            if let Some(k) = &keys[i] {
                fresh.stats.insert(k.clone(), stats.clone());
            }
            timeline.snapshots.push(stats);
            previous = Some((i, view));
        }
    });
    if needed.iter().any(|n| *n) {
        write_cache(&cache_path, &fresh);
    }
    timeline
}

fn reference(id: &str) -> SnapshotRef {
    SnapshotRef {
        snapshot: id.to_string(),
        created_at: String::new(),
        source: String::new(),
    }
}

fn load(archive: &Archive, id: &str, buffer: &mut Vec<u8>) -> Result<LibraryView<'static>, String> {
    use std::io::Read;
    let path = archive.snapshot_dir(id).join("library.json");
    buffer.clear();
    std::fs::File::open(&path)
        .and_then(|mut file| file.read_to_end(buffer))
        .map_err(|e| format!("cannot read library.json: {e}"))?;
    LibraryView::parse(buffer)
        .map(LibraryView::into_owned)
        .map_err(|e| format!("library.json is not valid ({e})"))
}

/// `<id>:<length>:<mtime in ns>` of a snapshot's library.json; enrichment rewrites the file,
/// which changes the key.
fn cache_key(archive: &Archive, id: &str) -> Option<String> {
    let meta = std::fs::metadata(archive.snapshot_dir(id).join("library.json")).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("{id}:{}:{}", meta.len(), modified.as_nanos()))
}

fn read_cache(path: &Path) -> Cache {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Cache>(&bytes).ok())
        .filter(|c| c.version == CACHE_VERSION)
        .unwrap_or_default()
}

/// Best effort: a report written without its cache is still a complete report.
fn write_cache(path: &Path, cache: &Cache) {
    let written = serde_json::to_vec(cache)
        .map_err(std::io::Error::other)
        .and_then(|bytes| crate::fsutil::write_atomic(path, &bytes, None));
    if let Err(e) = written {
        tracing::warn!(path = %path.display(), error = %e, "could not save the report cache");
    }
}
