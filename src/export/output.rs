//! Writing one format's files: everything goes into a fresh staging folder next to the final
//! one and replaces it in one rename at the end, so a reader never sees a half-written export
//! and an interrupted export leaves the previous one intact.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::filenames::NameSet;
use super::summary::{FormatSummary, LeftOut, WrittenFile};
use super::ExportError;
use crate::fsutil::{random_suffix, sync_dir};

pub(crate) const STAGING_MARK: &str = ".partial-";

/// Collects one format's files in `<out>/.<format>.partial-<random>/`.
pub struct FormatWriter {
    format: String,
    out_dir: PathBuf,
    staging: PathBuf,
    /// Names taken per sub-folder ("" or "albums/"): a last guard against collisions.
    names: std::collections::HashMap<String, NameSet>,
    files: Vec<WrittenFile>,
    pub left_out: LeftOut,
    pub notes: Vec<String>,
}

impl FormatWriter {
    pub fn begin(out_dir: &Path, format: &str) -> Result<Self, ExportError> {
        fs::create_dir_all(out_dir).map_err(|e| ExportError::io(out_dir, e))?;
        remove_stale_staging(out_dir, format);
        let suffix = random_suffix(6).map_err(|e| ExportError::io(out_dir, e))?;
        let staging = out_dir.join(format!(".{format}{STAGING_MARK}{suffix}"));
        fs::create_dir(&staging).map_err(|e| ExportError::io(&staging, e))?;
        super::ownership::mark(&staging).map_err(|e| ExportError::io(&staging, e))?;
        Ok(FormatWriter {
            format: format.to_string(),
            out_dir: out_dir.to_path_buf(),
            staging,
            names: Default::default(),
            files: Vec::new(),
            left_out: LeftOut::default(),
            notes: Vec::new(),
        })
    }

    /// Claims `<stem><ext>` in `dir` (dir is "" or ends with `/`), adding a ` (n)` suffix if
    /// that name is already used in this format, and returns the file name to write.
    pub fn claim(&mut self, dir: &str, stem: &str, ext: &str) -> String {
        self.names
            .entry(dir.to_string())
            .or_default()
            .claim(stem, ext)
    }

    /// Writes `<dir><stem><ext>` under a freshly claimed name. `rows` is what the summary
    /// reports for the file.
    pub fn write(
        &mut self,
        dir: &str,
        stem: &str,
        ext: &str,
        bytes: &[u8],
        rows: usize,
    ) -> Result<(), ExportError> {
        let name = self.claim(dir, stem, ext);
        self.write_claimed(dir, &name, rows, |w| w.write_all(bytes))
    }

    /// Writes a file under a name returned by [`FormatWriter::claim`], streaming its content.
    pub fn write_claimed(
        &mut self,
        dir: &str,
        name: &str,
        rows: usize,
        content: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), ExportError> {
        let folder = self.staging.join(dir);
        if !dir.is_empty() {
            fs::create_dir_all(&folder).map_err(|e| ExportError::io(&folder, e))?;
        }
        let path = folder.join(name);
        // No fsync per file: exports are derived from the snapshot and can be rebuilt, and
        // a thousand fsyncs cost more than the export itself. Readers still never see a
        // half-written folder, because the folder appears by rename once complete.
        File::create(&path)
            .and_then(|file| {
                let mut w = BufWriter::with_capacity(256 * 1024, file);
                content(&mut w)?;
                w.flush()
            })
            .map_err(|e| ExportError::io(&path, e))?;
        self.files.push(WrittenFile {
            path: PathBuf::from(&self.format).join(dir).join(name),
            rows,
        });
        Ok(())
    }

    /// Makes the staged files the format's folder, replacing any previous export of it.
    pub fn commit(self) -> Result<FormatSummary, ExportError> {
        let target = self.out_dir.join(&self.format);
        let old = self
            .staging
            .with_file_name(format!(".{}.old{STAGING_MARK}replaced", self.format));
        if target.exists() {
            let _ = fs::remove_dir_all(&old);
            fs::rename(&target, &old).map_err(|e| ExportError::io(&target, e))?;
        }
        fs::rename(&self.staging, &target).map_err(|e| ExportError::io(&target, e))?;
        sync_dir(&self.out_dir).map_err(|e| ExportError::io(&self.out_dir, e))?;
        if old.exists() {
            fs::remove_dir_all(&old).map_err(|e| ExportError::io(&old, e))?;
        }
        Ok(FormatSummary {
            format: self.format,
            dir: target,
            files: self.files,
            left_out: self.left_out,
            notes: self.notes,
        })
    }

    /// Throws the staged files away (on error).
    pub fn abort(self) {
        let _ = fs::remove_dir_all(&self.staging);
    }
}

/// Staging folders a crashed export left behind for this format.
fn remove_stale_staging(out_dir: &Path, format: &str) {
    let Ok(entries) = fs::read_dir(out_dir) else {
        return;
    };
    let prefixes = [
        format!(".{format}{STAGING_MARK}"),
        format!(".{format}.old{STAGING_MARK}"),
    ];
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|p| name.starts_with(p.as_str())) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
