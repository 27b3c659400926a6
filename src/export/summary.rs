//! What an export wrote, per format, and what it deliberately left out.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::model::EntryKind;

/// One written file, relative to the output folder (`soundiiz/Road Trip.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    pub path: PathBuf,
    /// Rows (tracks) in the file.
    pub rows: usize,
}

/// Rows a format did not write, by reason ("episodes", "unavailable rows", …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeftOut(pub BTreeMap<String, usize>);

impl LeftOut {
    pub fn add(&mut self, reason: &str) {
        *self.0.entry(reason.to_string()).or_default() += 1;
    }

    pub fn add_kind(&mut self, kind: EntryKind) {
        self.add(kind_reason(kind));
    }

    pub fn total(&self) -> usize {
        self.0.values().sum()
    }
}

/// How a left-out row of this kind is described.
pub fn kind_reason(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Track => "tracks",
        EntryKind::Episode => "episodes",
        EntryKind::Local => "local files",
        EntryKind::Unavailable => "unavailable rows",
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormatSummary {
    pub format: String,
    /// The format's folder.
    pub dir: PathBuf,
    pub files: Vec<WrittenFile>,
    pub left_out: LeftOut,
    pub notes: Vec<String>,
}

impl FormatSummary {
    pub fn rows(&self) -> usize {
        self.files.iter().map(|f| f.rows).sum()
    }
}

/// The result of [`super::export_library`].
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSummary {
    pub out_dir: PathBuf,
    pub formats: Vec<FormatSummary>,
    /// Collections that could not be exported at all, with the reason.
    pub not_exported: Vec<String>,
}

impl ExportSummary {
    pub fn files_written(&self) -> usize {
        self.formats.iter().map(|f| f.files.len()).sum()
    }

    pub fn format(&self, name: &str) -> Option<&FormatSummary> {
        self.formats.iter().find(|f| f.format == name)
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for ExportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Wrote {} in {}:",
            plural(self.files_written(), "file", "files"),
            self.out_dir.display()
        )?;
        for s in &self.formats {
            writeln!(
                f,
                "  {:<13} {:>10} {:>14}   {}/",
                s.format,
                plural(s.files.len(), "file", "files"),
                plural(s.rows(), "row", "rows"),
                s.format
            )?;
            if s.left_out.total() > 0 {
                let parts: Vec<String> = s
                    .left_out
                    .0
                    .iter()
                    .map(|(reason, n)| format!("{n} {reason}"))
                    .collect();
                writeln!(f, "  {:<13} left out: {}", "", parts.join(", "))?;
            }
            for note in &s.notes {
                writeln!(f, "  {:<13} note: {note}", "")?;
            }
        }
        for note in &self.not_exported {
            writeln!(f, "  Not exported: {note}")?;
        }
        Ok(())
    }
}
