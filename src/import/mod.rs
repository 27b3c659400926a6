//! Reading Spotify's "Download your data" (account data) zip, or the folder it was extracted
//! to: [`read_download`] reads and bounds its files, [`convert()`] turns them into a
//! [`crate::model::Library`] with `source: "spotify-data-download"`. Nothing here writes; the
//! import workflow (`app::import`) stores the result as a snapshot only after everything was
//! read and checked, so a malformed download leaves no snapshot behind.

mod bounded_json;
mod convert;
mod download;

use std::path::PathBuf;

use crate::archive::ArchiveError;

pub use bounded_json::MAX_JSON_UNITS;
pub use convert::{convert, playlist_id_for, Converted};
pub use download::{read_download, DownloadFiles, SourceFile, MAX_FILE_BYTES, MAX_TOTAL_BYTES};

/// Why an import failed. Nothing was written to the archive in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {}: {source}; give the data-download zip or the folder it was extracted to", shown(&.path.display().to_string()))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a readable zip archive ({}); download it again from Spotify, or extract it and import the folder", shown(&.path.display().to_string()), shown(.detail))]
    Zip { path: PathBuf, detail: String },
    #[error("{0} holds no YourLibrary.json or Playlist*.json; give the folder or zip of Spotify's \"Account data\" download")]
    NothingToImport(PathBuf),
    #[error("{} is not valid JSON (line {line}, column {column}: {}); download it again from Spotify", shown(.file), shown(.detail))]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        detail: String,
    },
    #[error("{}: field `{}` {}; this does not look like Spotify's data download, so nothing was imported", shown(.file), shown(.field), shown(.detail))]
    Malformed {
        file: String,
        field: String,
        detail: String,
    },
    #[error("{} is larger than {limit_mb} MB, far more than a real Spotify data download holds; nothing was imported (check that this is the \"Account data\" download)", shown(.what))]
    TooLarge { what: String, limit_mb: u64 },
    #[error("{} holds more JSON than import reads from one file (over {limit} values, weighted; far more than a real Spotify data download); nothing was imported", shown(.file))]
    TooManyValues { file: String, limit: usize },
    #[error("{} is neither a folder nor a regular file; give the data-download zip or the folder it was extracted to", shown(&.0.display().to_string()))]
    NotAFile(PathBuf),
    #[error("the download holds two files named {}; extract one account's download at a time", shown(.0))]
    Duplicate(String),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

/// A name or value from the download, as error messages show it (see `crate::terminal_text`).
fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    crate::terminal_text::sanitize_for_terminal(text)
}
