//! Walking a music folder: every regular file with an audio extension (mp3, flac, m4a, mp4,
//! ogg, opus, wav), with its size and modification time, in path order. Symlinks are followed
//! to files and folders, but a folder already visited (a loop, or the same folder reached
//! twice) is not entered again. Names that are not UTF-8 or hold control characters cannot be
//! written into an M3U8 line, so they are skipped and counted; so are folders and links that
//! cannot be read. Nothing here is fatal.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Extensions (lowercase) of the files indexed.
pub const AUDIO_EXTENSIONS: &[&str] = &["mp3", "flac", "m4a", "mp4", "ogg", "opus", "wav"];

/// One audio file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Absolute path under the (canonical) root, through any symlinks as found.
    pub path: PathBuf,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch, or -1 when the system has none.
    pub mtime_ns: i64,
}

/// What the walk skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanSkips {
    /// Files or folders whose names are not UTF-8 or hold control characters.
    pub bad_names: usize,
    /// Symlinked folders leading back to a folder already visited.
    pub symlink_loops: usize,
    /// Folders, links or files that could not be read (permissions, broken links).
    pub unreadable: usize,
}

/// Every audio file under `root` (which should be canonical), sorted by path.
pub fn scan(root: &Path) -> (Vec<Found>, ScanSkips) {
    let mut found = Vec::new();
    let mut skips = ScanSkips::default();
    let mut visited: HashSet<PathBuf> = HashSet::new();
    visited.insert(fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()));
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            skips.unreadable += 1;
            continue;
        };
        for entry in entries {
            let Ok(entry) = entry else {
                skips.unreadable += 1;
                continue;
            };
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                skips.unreadable += 1;
                continue;
            };
            // `metadata` follows a symlink; a broken link has none.
            let meta = if kind.is_symlink() {
                match fs::metadata(&path) {
                    Ok(m) => m,
                    Err(_) => {
                        if has_audio_extension(&path) {
                            skips.unreadable += 1;
                        }
                        continue;
                    }
                }
            } else {
                match entry.metadata() {
                    Ok(m) => m,
                    Err(_) => {
                        skips.unreadable += 1;
                        continue;
                    }
                }
            };
            if meta.is_dir() {
                if !usable_name(&path) {
                    skips.bad_names += 1;
                    continue;
                }
                if kind.is_symlink() {
                    match fs::canonicalize(&path) {
                        Ok(target) => {
                            if visited.insert(target) {
                                stack.push(path);
                            } else {
                                skips.symlink_loops += 1;
                            }
                        }
                        Err(_) => skips.unreadable += 1,
                    }
                } else {
                    if let Ok(target) = fs::canonicalize(&path) {
                        visited.insert(target);
                    }
                    stack.push(path);
                }
                continue;
            }
            if !meta.is_file() || !has_audio_extension(&path) {
                continue;
            }
            if !usable_name(&path) {
                skips.bad_names += 1;
                continue;
            }
            let mtime_ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .and_then(|d| i64::try_from(d.as_nanos()).ok())
                .unwrap_or(-1);
            found.push(Found {
                path,
                size: meta.len(),
                mtime_ns,
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    (found, skips)
}

/// True for a name ending in one of [`AUDIO_EXTENSIONS`] (any case), even when the rest of
/// the name is not UTF-8, so such files are counted rather than silently ignored.
fn has_audio_extension(path: &Path) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let name = name.to_string_lossy();
    let Some((_, ext)) = name.rsplit_once('.') else {
        return false;
    };
    AUDIO_EXTENSIONS
        .iter()
        .any(|wanted| ext.eq_ignore_ascii_case(wanted))
}

/// A last path component that can stand in an M3U8 line: UTF-8, no control characters.
fn usable_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| !n.chars().any(char::is_control))
}
