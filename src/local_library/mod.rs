//! The user's own music files as an export target: [`index`] walks a folder ([`scan`]), reads
//! each audio file's tags ([`tags`], through lofty) unless the archive's index cache
//! ([`index_cache`]) already holds them for the file's size and mtime, and returns the tracks
//! found with counts of what was skipped. [`resolve`] then finds the file for each playlist
//! entry (recording MBID → ISRC → normalized artist + title + duration); the M3U8 exporter
//! writes the paths. Unreadable or tagless files, bad names and symlink loops are counted,
//! never fatal.

pub mod index_cache;
pub mod resolve;
pub mod scan;
pub mod tags;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub use resolve::{Method, Resolver};
pub use tags::{TagOutcome, TrackTags};

use index_cache::{CachedRead, IndexCache};

/// File name of the tag index cache inside the archive root.
pub const CACHE_FILE: &str = "local-library.sqlite3";

/// How M3U8 resource lines name the files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PathStyle {
    /// Relative to the playlist file's own folder (Navidrome, Jellyfin).
    #[default]
    Relative,
    /// Absolute paths (Plex).
    Absolute,
}

#[derive(Debug, thiserror::Error)]
pub enum LocalLibraryError {
    #[error("--local-library {path}: {problem}; give the folder that holds your music files")]
    BadRoot { path: PathBuf, problem: String },
    #[error(
        "the local-library index cache {path} cannot be used ({source}); delete it and run again"
    )]
    Cache {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

impl LocalLibraryError {
    pub(crate) fn cache(path: &Path, source: rusqlite::Error) -> Self {
        LocalLibraryError::Cache {
            path: path.to_path_buf(),
            source,
        }
    }

    /// True when the user gave an unusable folder.
    pub fn is_usage(&self) -> bool {
        matches!(self, LocalLibraryError::BadRoot { .. })
    }
}

/// One tagged audio file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTrack {
    /// Absolute path (under the canonical library root).
    pub path: PathBuf,
    pub tags: TrackTags,
}

/// What indexing found and did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexStats {
    /// Audio files found (by extension), including the skipped ones below except bad names.
    pub audio_files: usize,
    /// Files whose tags were read from disk in this run.
    pub tag_reads: usize,
    /// Files whose cached tags were reused (size and mtime unchanged).
    pub from_cache: usize,
    /// Tagged files usable for matching.
    pub tagged: usize,
    /// Audio files with no recording id, ISRC or title.
    pub tagless: usize,
    /// Files lofty could not parse, or folders and links that could not be read.
    pub unreadable: usize,
    /// Names that are not UTF-8 or hold control characters.
    pub bad_names: usize,
    /// Symlinked folders leading to a folder already visited.
    pub symlink_loops: usize,
}

impl fmt::Display for IndexStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} audio files, {} tagged ({} tags read, {} from cache)",
            self.audio_files, self.tagged, self.tag_reads, self.from_cache
        )?;
        let skipped = [
            (self.tagless, "without usable tags"),
            (self.unreadable, "unreadable"),
            (
                self.bad_names,
                "with names an M3U8 line cannot hold (not UTF-8, or line breaks)",
            ),
            (
                self.symlink_loops,
                "symlinked folders already visited (loops)",
            ),
        ];
        let parts: Vec<String> = skipped
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        if !parts.is_empty() {
            write!(f, "; skipped {}", parts.join(", "))?;
        }
        Ok(())
    }
}

/// The indexed library.
#[derive(Debug, Clone)]
pub struct LocalIndex {
    /// Canonical root folder.
    pub root: PathBuf,
    /// Tagged files, sorted by path.
    pub tracks: Vec<LocalTrack>,
    pub stats: IndexStats,
}

/// Indexes the audio files under `root`, reusing and updating the cache at `cache_path`.
pub fn index(root: &Path, cache_path: &Path) -> Result<LocalIndex, LocalLibraryError> {
    let bad_root = |problem: String| LocalLibraryError::BadRoot {
        path: root.to_path_buf(),
        problem,
    };
    let root = std::fs::canonicalize(root).map_err(|e| bad_root(e.to_string()))?;
    if !root.is_dir() {
        return Err(bad_root("it is not a folder".into()));
    }
    let Some(root_str) = root.to_str().map(str::to_string) else {
        return Err(bad_root("its path is not UTF-8".into()));
    };
    let mut cache = IndexCache::open(cache_path)?;
    let mut cached = cache.load_under(&root_str)?;

    let (found, skips) = scan::scan(&root);
    let mut stats = IndexStats {
        audio_files: found.len() + skips.unreadable,
        bad_names: skips.bad_names,
        symlink_loops: skips.symlink_loops,
        unreadable: skips.unreadable,
        ..IndexStats::default()
    };

    // Reuse what the cache knows; collect the rest to read.
    let mut outcomes: Vec<Option<TagOutcome>> = Vec::with_capacity(found.len());
    let mut to_read: Vec<usize> = Vec::new();
    for (i, file) in found.iter().enumerate() {
        let key = file.path.to_str().unwrap_or_default();
        match cached.remove(key) {
            Some(hit)
                if hit.size == file.size && hit.mtime_ns == file.mtime_ns && file.mtime_ns >= 0 =>
            {
                stats.from_cache += 1;
                outcomes.push(Some(hit.outcome));
            }
            _ => {
                outcomes.push(None);
                to_read.push(i);
            }
        }
    }
    let fresh_reads = read_parallel(&found, &to_read);
    stats.tag_reads = fresh_reads.len();
    let mut fresh: Vec<(String, CachedRead)> = Vec::with_capacity(fresh_reads.len());
    for (i, outcome) in fresh_reads {
        let file = &found[i];
        fresh.push((
            file.path.to_str().unwrap_or_default().to_string(),
            CachedRead {
                size: file.size,
                mtime_ns: file.mtime_ns,
                outcome: outcome.clone(),
            },
        ));
        outcomes[i] = Some(outcome);
    }
    // What is left in `cached` was not found this time: gone, renamed or now unreadable.
    let gone: Vec<String> = cached.into_keys().collect();
    cache.update(&fresh, &gone)?;

    let mut tracks = Vec::new();
    for (file, outcome) in found.into_iter().zip(outcomes) {
        match outcome {
            Some(TagOutcome::Tagged(tags)) => {
                stats.tagged += 1;
                tracks.push(LocalTrack {
                    path: file.path,
                    tags,
                });
            }
            Some(TagOutcome::Tagless) => stats.tagless += 1,
            Some(TagOutcome::Unreadable(_)) | None => stats.unreadable += 1,
        }
    }
    Ok(LocalIndex {
        root,
        tracks,
        stats,
    })
}

/// Reads the tags of `found[i]` for each `i` in `which`, on as many threads as there are cores.
fn read_parallel(found: &[scan::Found], which: &[usize]) -> Vec<(usize, TagOutcome)> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(which.len()));
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(which.len())
        .max(1);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut local = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = which.get(k) else {
                        break;
                    };
                    local.push((i, tags::read(&found[i].path)));
                }
                if let Ok(mut all) = results.lock() {
                    all.extend(local);
                }
            });
        }
    });
    let mut all = results.into_inner().unwrap_or_default();
    all.sort_by_key(|(i, _)| *i);
    all
}
