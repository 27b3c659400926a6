//! Exporters: turn a [`Library`] into the files importers (Soundiiz, TuneMyMusic, Exportify
//! readers, ListenBrainz) and archivists (XSPF, JSPF, M3U8, JSON) accept. Nothing here calls
//! an API. Each format writes into `<out>/<format>/`: one file per accessible playlist, Liked
//! Songs, and (where the format fits) each saved album under `albums/`. Formats and what each
//! does with local files, episodes and unavailable rows are documented in `docs/exports.md`.
//!
//! The CSV formats are data (`mappings/*.toml`, see [`mapping`]); `--mapping FILE` adds more.
//! Output is deterministic: the same library gives byte-identical files.

pub mod collections;
mod csv;
pub mod fields;
pub mod filenames;
mod json;
mod json_text;
pub mod jspf;
mod m3u8;
pub mod m3u8_local;
pub mod mapping;
mod output;
mod ownership;
pub mod recover;
pub mod summary;
mod txt;
pub mod xspf;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub use mapping::Mapping;
pub use summary::{ExportSummary, FormatSummary, WrittenFile};

use collections::Plan;
pub use m3u8_local::LocalTarget;
use output::FormatWriter;

use crate::model::Library;

/// Every built-in format, in the order they are written. `backup` and `demo` write all of them.
pub const DEFAULT_FORMATS: &[&str] = &[
    "soundiiz",
    "tunemymusic",
    "exportify",
    "xspf",
    "jspf",
    "listenbrainz",
    "m3u8",
    "txt",
    "json",
];

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Format names (see [`DEFAULT_FORMATS`]) and names of `extra_mappings`; empty means all
    /// built-in formats.
    pub formats: Vec<String>,
    /// Split CSV files into parts of at most this many rows.
    pub split: Option<usize>,
    /// User CSV layouts (TOML); each is always written, into a folder named after it.
    pub extra_mappings: Vec<PathBuf>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            formats: DEFAULT_FORMATS.iter().map(|f| f.to_string()).collect(),
            split: None,
            extra_mappings: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("unknown export format `{given}`; valid formats are {valid}")]
    UnknownFormat { given: String, valid: String },
    #[error("mapping file {path} cannot be used: {problem} (see docs/exports.md for the format)")]
    BadMapping { path: PathBuf, problem: String },
    #[error("--split must be at least 1 row per file")]
    BadSplit,
    #[error("{path} already exists and was not written by trackvault, so it is left untouched; move your files out of it or export with another --out folder")]
    NotOurs { path: PathBuf },
    #[error("--local-library only changes the m3u8 format; add `--format m3u8`")]
    LocalLibraryWithoutM3u8,
    #[error("cannot write {path}: {source}; check that the output folder is writable and has free space")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ExportError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        ExportError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// True when the user asked for something impossible (as opposed to a write failure).
    pub fn is_usage(&self) -> bool {
        !matches!(self, ExportError::Io { .. })
    }
}

/// How one format is produced.
#[derive(Debug, Clone)]
enum Writer {
    Csv(Box<Mapping>),
    Xspf,
    Jspf(jspf::Mode),
    M3u8,
    Txt,
    Json,
}

fn built_in(name: &str) -> Option<Writer> {
    Some(match name {
        "xspf" => Writer::Xspf,
        "jspf" => Writer::Jspf(jspf::Mode::Archive),
        "listenbrainz" => Writer::Jspf(jspf::Mode::ListenBrainz),
        "m3u8" => Writer::M3u8,
        "txt" => Writer::Txt,
        "json" => Writer::Json,
        other => Writer::Csv(Box::new(Mapping::built_in(other)?)),
    })
}

/// Checks the options (format names, mapping files, split) without writing anything.
pub fn validate(opts: &ExportOptions) -> Result<(), ExportError> {
    resolve(opts).map(|_| ())
}

/// The formats to write, in order, each with its writer.
fn resolve(opts: &ExportOptions) -> Result<Vec<(String, Writer)>, ExportError> {
    if opts.split == Some(0) {
        return Err(ExportError::BadSplit);
    }
    let mut extra: Vec<Mapping> = Vec::new();
    for path in &opts.extra_mappings {
        let mapping = Mapping::load(path)?;
        if DEFAULT_FORMATS.contains(&mapping.name.as_str())
            || extra.iter().any(|m| m.name == mapping.name)
        {
            return Err(ExportError::BadMapping {
                path: path.clone(),
                problem: format!(
                    "its name `{}` is already used by another format; give it a different `name`",
                    mapping.name
                ),
            });
        }
        extra.push(mapping);
    }
    let wanted: Vec<String> = if opts.formats.iter().all(|f| f.trim().is_empty()) {
        DEFAULT_FORMATS.iter().map(|f| f.to_string()).collect()
    } else {
        opts.formats
            .iter()
            .map(|f| f.trim().to_ascii_lowercase())
            .filter(|f| !f.is_empty())
            .collect()
    };
    let mut chosen: Vec<(String, Writer)> = Vec::new();
    for name in wanted {
        if chosen.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let writer = match built_in(&name) {
            Some(w) => w,
            None => match extra.iter().find(|m| m.name == name) {
                Some(m) => Writer::Csv(Box::new(m.clone())),
                None => {
                    let mut valid: Vec<&str> = DEFAULT_FORMATS.to_vec();
                    valid.extend(extra.iter().map(|m| m.name.as_str()));
                    return Err(ExportError::UnknownFormat {
                        given: name,
                        valid: valid.join(", "),
                    });
                }
            },
        };
        chosen.push((name, writer));
    }
    for m in extra {
        if !chosen.iter().any(|(n, _)| *n == m.name) {
            chosen.push((m.name.clone(), Writer::Csv(Box::new(m))));
        }
    }
    Ok(chosen)
}

/// Writes `library` in the chosen formats into `out_dir/<format>/`, replacing each format's
/// previous folder only once its new files are all written.
pub fn export_library(
    library: &Library,
    opts: &ExportOptions,
    out_dir: &Path,
) -> Result<ExportSummary, ExportError> {
    export_library_to(library, opts, out_dir, None)
}

/// Checks that `opts` include the m3u8 format, which `--local-library` changes.
pub fn validate_local(opts: &ExportOptions) -> Result<(), ExportError> {
    if resolve(opts)?
        .iter()
        .any(|(_, w)| matches!(w, Writer::M3u8))
    {
        Ok(())
    } else {
        Err(ExportError::LocalLibraryWithoutM3u8)
    }
}

/// Like [`export_library`], but with `local` the m3u8 format points at the user's own files
/// (see [`m3u8_local`]) instead of Spotify URLs.
pub fn export_library_to(
    library: &Library,
    opts: &ExportOptions,
    out_dir: &Path,
    local: Option<&LocalTarget>,
) -> Result<ExportSummary, ExportError> {
    let writers = resolve(opts)?;
    // Refuse before writing anything if a format folder holds files trackvault did not write.
    for (name, _) in &writers {
        ownership::check_replaceable(out_dir, name)?;
    }
    let plan = collections::plan(library);
    // Formats are independent, so they are written on as many threads as there are cores;
    // each result lands in its format's slot, keeping the summary in format order.
    let slots: Vec<Mutex<Option<Result<FormatSummary, ExportError>>>> =
        writers.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(writers.len())
        .max(1);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((name, writer)) = writers.get(i) else {
                    break;
                };
                let result =
                    export_format(library, &plan, name, writer, opts.split, out_dir, local);
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(result);
                }
            });
        }
    });
    let mut formats = Vec::with_capacity(writers.len());
    for slot in slots {
        let result = slot.into_inner().ok().flatten().unwrap_or_else(|| {
            Err(ExportError::io(
                out_dir,
                std::io::Error::other("an export thread stopped unexpectedly"),
            ))
        });
        formats.push(result?);
    }
    Ok(ExportSummary {
        out_dir: out_dir.to_path_buf(),
        formats,
        not_exported: plan.not_exported,
    })
}

/// Writes one format into its staging folder and swaps it into place.
fn export_format(
    library: &Library,
    plan: &Plan<'_>,
    name: &str,
    writer: &Writer,
    split: Option<usize>,
    out_dir: &Path,
    local: Option<&LocalTarget>,
) -> Result<FormatSummary, ExportError> {
    let mut out = FormatWriter::begin(out_dir, name)?;
    let written = match (writer, local) {
        (Writer::M3u8, Some(target)) => write_local_m3u8(plan, target, out_dir, name, &mut out),
        _ => write_format(library, plan, writer, split, &mut out),
    };
    match written {
        Ok(()) => out.commit(),
        Err(e) => {
            out.abort();
            Err(e)
        }
    }
}

fn write_format(
    library: &Library,
    plan: &Plan<'_>,
    writer: &Writer,
    split: Option<usize>,
    out: &mut FormatWriter,
) -> Result<(), ExportError> {
    let ext = match writer {
        Writer::Csv(mapping) => return csv::write(mapping, plan, split, out),
        Writer::Json => {
            let name = out.claim("", json::FILE_STEM, ".json");
            return out.write_claimed("", &name, library.entry_count(), |w| {
                json::write(library, w)
            });
        }
        Writer::Xspf => ".xspf",
        Writer::Jspf(_) => ".jspf",
        Writer::M3u8 => ".m3u8",
        Writer::Txt => ".txt",
    };
    let mut without_mbid = 0;
    for c in &plan.collections {
        let (bytes, rows) = match writer {
            Writer::Xspf => xspf::render(library, c, &mut out.left_out),
            Writer::Jspf(mode) => jspf::render(library, c, *mode, &mut out.left_out),
            Writer::M3u8 => m3u8::render(c, &mut out.left_out),
            Writer::Txt => txt::render(c, &mut out.left_out),
            Writer::Csv(_) | Writer::Json => unreachable!("handled above"),
        };
        // An importable ListenBrainz file needs at least one identified track.
        if matches!(writer, Writer::Jspf(jspf::Mode::ListenBrainz)) && rows == 0 {
            without_mbid += 1;
            continue;
        }
        out.write(c.dir(), &c.stem, ext, &bytes, rows)?;
    }
    if without_mbid > 0 {
        out.notes.push(format!(
            "{without_mbid} collection(s) had no track with a recording MBID and got no file; run `trackvault enrich` to add MBIDs"
        ));
    }
    Ok(())
}

/// The m3u8 format against a local library: one playlist per collection with at least one
/// file found, and a `.missing.txt` beside it for the entries without one.
fn write_local_m3u8(
    plan: &Plan<'_>,
    target: &LocalTarget,
    out_dir: &Path,
    format: &str,
    out: &mut FormatWriter,
) -> Result<(), ExportError> {
    // Relative lines are computed against where the files end up, not the staging folder.
    let final_dir = std::fs::canonicalize(out_dir)
        .map_err(|e| ExportError::io(out_dir, e))?
        .join(format);
    let index = target.resolver.index();
    let mut by_method = [0usize; 3];
    let mut missing_all: Vec<String> = Vec::new();
    let mut empty = 0;
    for c in &plan.collections {
        let rendered = m3u8_local::render(c, target, &final_dir.join(c.dir()), &mut out.left_out);
        for (total, n) in by_method.iter_mut().zip(rendered.by_method) {
            *total += n;
        }
        let name = out.claim(c.dir(), &c.stem, ".m3u8");
        let stem = name.strip_suffix(".m3u8").unwrap_or(&name).to_string();
        if rendered.written > 0 {
            out.write_claimed(c.dir(), &name, rendered.written, |w| {
                w.write_all(&rendered.m3u8)
            })?;
        } else {
            empty += 1;
        }
        if !rendered.missing.is_empty() {
            let missing_name = out.claim(c.dir(), &stem, ".missing.txt");
            let bytes = m3u8_local::missing_file(c, &index.root, &rendered.missing);
            out.write_claimed(c.dir(), &missing_name, 0, |w| w.write_all(&bytes))?;
            missing_all.extend(
                rendered
                    .missing
                    .iter()
                    .map(|line| format!("{}: {line}", collections::one_line(&c.name))),
            );
        }
    }
    let found: usize = by_method.iter().sum();
    out.notes.push(format!(
        "local library {}: {}",
        index.root.display(),
        index.stats
    ));
    out.notes.push(format!(
        "{found} of {} entries found ({} by recording MBID, {} by ISRC, {} by artist, title and duration)",
        found + missing_all.len(),
        by_method[0],
        by_method[1],
        by_method[2]
    ));
    if empty > 0 {
        out.notes.push(format!(
            "{empty} collection(s) had no entry in the local library and got no playlist file"
        ));
    }
    const SHOWN: usize = 20;
    for line in missing_all.iter().take(SHOWN) {
        out.notes.push(format!("not found: {line}"));
    }
    if missing_all.len() > SHOWN {
        out.notes.push(format!(
            "… and {} more not found; each playlist's .missing.txt lists all of its own",
            missing_all.len() - SHOWN
        ));
    }
    Ok(())
}
