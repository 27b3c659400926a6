//! `trackvault report`: read a snapshot and the history up to it, render the page, and write it
//! atomically (a reader never sees half a page; an interrupted run leaves the old one).

use std::path::{Path, PathBuf};

use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::report::{history_scan, page};

/// Where the page goes unless `--out` says otherwise: `<archive>/report.html`.
pub const DEFAULT_FILE: &str = "report.html";

#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Snapshot id or prefix; the latest when `None`.
    pub snapshot: Option<String>,
    /// File to write; `<archive>/report.html` when `None`.
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct ReportOutcome {
    pub path: PathBuf,
    pub snapshot: String,
    pub bytes: u64,
    /// Snapshots read for the history (the shown one included).
    pub snapshots: usize,
    /// Liked songs, playlist entries and saved episodes of the shown snapshot.
    pub entries: usize,
    /// Snapshots left out of the history because they could not be read, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Snapshots parsed for the history; the others' sizes and changes came from the cache.
    pub parsed_for_history: usize,
}

/// Writes the report of `options.snapshot` (with the history of every snapshot up to it).
pub fn write_report(archive: &Archive, options: &ReportOptions) -> Result<ReportOutcome> {
    let path = options
        .out
        .clone()
        .unwrap_or_else(|| archive.root().join(DEFAULT_FILE));
    check_target(&path)?;
    let id = archive.resolve(options.snapshot.as_deref())?;
    let ids: Vec<String> = archive.snapshots()?.into_iter().map(|s| s.id).collect();
    let upto = ids.iter().position(|s| *s == id).map_or(0, |i| i + 1);
    let ids = &ids[..upto];
    let (library, timeline) = std::thread::scope(|scope| {
        let library = scope.spawn(|| archive.read_library(&id));
        let timeline = history_scan::timeline(archive, ids);
        let library = library
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        library.map(|l| (l, timeline))
    })?;
    let generated_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let html = page::render(&page::PageInput {
        library: &library,
        snapshot: &id,
        generated_at: &generated_at,
        timeline: &timeline,
    });
    crate::fsutil::write_atomic(&path, html.as_bytes(), None).map_err(|e| {
        Error::Output(format!(
            "cannot write the report to {}: {}; choose another place with --out FILE",
            path.display(),
            crate::disk_error::DiskProblem::of_io(&e)
                .map_or_else(|| e.to_string(), |p| p.describe(&path))
        ))
    })?;
    Ok(ReportOutcome {
        path,
        snapshot: id,
        bytes: html.len() as u64,
        snapshots: timeline.snapshots.len(),
        entries: library.entry_count(),
        skipped: timeline.skipped,
        parsed_for_history: timeline.parsed,
    })
}

/// Refuses a target that can only fail, before any snapshot is read.
fn check_target(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "--out {} is a folder; give a file name, e.g. --out {}",
            path.display(),
            path.join(DEFAULT_FILE).display()
        )));
    }
    Ok(())
}
