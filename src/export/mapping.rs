//! CSV layouts as data: a mapping file (TOML) names its columns from the field vocabulary in
//! [`super::fields`] and sets the dialect (header, quoting, BOM, line ends, artist joiner),
//! which rows and collections it includes and whether it writes one file per collection, one
//! file for everything, or both. The built-in layouts live in `mappings/*.toml`.

use std::path::Path;

use serde::Deserialize;

use super::collections::CollectionKind;
use super::fields::{Field, Joining};
use super::ExportError;
use crate::model::EntryKind;

/// The layouts shipped with trackvault, as (format name, TOML text).
pub const BUILT_IN: &[(&str, &str)] = &[
    ("soundiiz", include_str!("../../mappings/soundiiz.toml")),
    (
        "tunemymusic",
        include_str!("../../mappings/tunemymusic.toml"),
    ),
    ("exportify", include_str!("../../mappings/exportify.toml")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Quote {
    /// Only fields containing the delimiter, a quote or a line break (RFC 4180).
    #[default]
    Necessary,
    Always,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LineEnding {
    #[default]
    Lf,
    Crlf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Files {
    /// One file per playlist / Liked Songs / saved album.
    #[default]
    PerCollection,
    /// One file holding every included collection.
    OneFile,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CollectionChoice {
    Liked,
    Playlist,
    Album,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub header: String,
    pub field: Field,
}

/// One CSV layout, as written in a mapping file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Format name: the `--format` value and the output folder.
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "yes")]
    pub header: bool,
    #[serde(default)]
    pub quote: Quote,
    #[serde(default)]
    pub bom: bool,
    #[serde(default)]
    pub line_ending: LineEnding,
    #[serde(default = "default_joiner")]
    pub artist_joiner: String,
    /// Backslash-escape the joiner's separator inside names (Exportify writes `\,`).
    #[serde(default)]
    pub escape_joiner: bool,
    /// Put `'` before a cell that starts with `=`, `+`, `-` or `@`, so a spreadsheet shows it
    /// as text instead of running it as a formula. On unless a layout turns it off (importer
    /// layouts whose matching needs exact titles do; see docs/exports.md).
    #[serde(default = "yes")]
    pub formula_guard: bool,
    /// Entry kinds written; the others are counted in the summary as left out.
    #[serde(default = "default_rows")]
    pub rows: Vec<EntryKind>,
    #[serde(default = "default_collections")]
    pub collections: Vec<CollectionChoice>,
    #[serde(default)]
    pub files: Files,
    /// Stem of the combined file (`files = "one_file"` or `"both"`); default: the name.
    pub one_file_name: Option<String>,
    /// Rows per file before splitting into parts (`--split` overrides).
    pub split: Option<usize>,
    #[serde(rename = "column")]
    pub columns: Vec<Column>,
}

fn yes() -> bool {
    true
}
fn default_joiner() -> String {
    ", ".to_string()
}
fn default_rows() -> Vec<EntryKind> {
    vec![EntryKind::Track, EntryKind::Local]
}
fn default_collections() -> Vec<CollectionChoice> {
    vec![
        CollectionChoice::Liked,
        CollectionChoice::Playlist,
        CollectionChoice::Album,
    ]
}

impl Mapping {
    /// Parses and checks a mapping; `origin` names the file in error messages.
    pub fn parse(text: &str, origin: &Path) -> Result<Mapping, ExportError> {
        let bad = |problem: String| ExportError::BadMapping {
            path: origin.to_path_buf(),
            problem,
        };
        let mapping: Mapping = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let message = e.message().trim().trim_end_matches('.').replace('\n', " ");
            match line {
                Some(line) => bad(format!("line {line}: {message}")),
                None => bad(message),
            }
        })?;
        let valid_name = !mapping.name.is_empty()
            && mapping.name.len() <= 40
            && mapping
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid_name {
            return Err(bad(format!(
                "`name = {:?}` must be 1 to 40 lowercase letters, digits, `-` or `_` (it becomes a folder name)",
                mapping.name
            )));
        }
        if mapping.columns.is_empty() {
            return Err(bad(
                "it has no `[[column]]` entries, so every row would be empty".to_string(),
            ));
        }
        if mapping.rows.is_empty() || mapping.collections.is_empty() {
            return Err(bad(
                "`rows` and `collections` must each list at least one value".to_string(),
            ));
        }
        if mapping.split == Some(0) {
            return Err(bad("`split` must be at least 1 row".to_string()));
        }
        Ok(mapping)
    }

    /// Loads a user's mapping file.
    pub fn load(path: &Path) -> Result<Mapping, ExportError> {
        let text = std::fs::read_to_string(path).map_err(|e| ExportError::BadMapping {
            path: path.to_path_buf(),
            problem: format!("it cannot be read ({e})"),
        })?;
        Self::parse(&text, path)
    }

    /// The built-in layout called `name`, if there is one.
    pub fn built_in(name: &str) -> Option<Mapping> {
        BUILT_IN.iter().find(|(n, _)| *n == name).map(|(n, text)| {
            Self::parse(text, Path::new(&format!("mappings/{n}.toml")))
                .expect("built-in mappings are checked by tests")
        })
    }

    pub fn joining(&self) -> Joining {
        Joining {
            joiner: self.artist_joiner.clone(),
            escape: self.escape_joiner,
        }
    }

    pub fn includes(&self, kind: CollectionKind) -> bool {
        let choice = match kind {
            CollectionKind::Liked => CollectionChoice::Liked,
            CollectionKind::Playlist => CollectionChoice::Playlist,
            CollectionKind::Album => CollectionChoice::Album,
        };
        self.collections.contains(&choice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_mappings_parse() {
        for (name, _) in BUILT_IN {
            assert_eq!(&Mapping::built_in(name).unwrap().name, name);
        }
    }

    #[test]
    fn errors_name_the_file_line_and_problem_in_one_sentence() {
        let text = "name = \"x\"\n[[column]]\nheader = \"t\"\nfield = \"titel\"\n";
        let err = Mapping::parse(text, Path::new("my.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("my.toml"), "{err}");
        assert!(err.contains("line 4"), "{err}");
        assert!(err.contains("titel"), "{err}");
        assert!(!err.contains('\n'), "{err}");

        let err = Mapping::parse(
            "name = \"Bad Name\"\n[[column]]\nheader=\"a\"\nfield=\"title\"",
            Path::new("m.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("lowercase"), "{err}");
        let err = Mapping::parse("name = \"x\"\ncolumn = []", Path::new("m.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no `[[column]]`"), "{err}");
    }
}
