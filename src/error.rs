//! The error every command returns, with the exit code it maps to. Each variant's message is
//! one sentence saying what happened and what to do.

use crate::archive::ArchiveError;
use crate::config::ConfigError;
use crate::enrich::error::EnrichError;
use crate::export::ExportError;
use crate::history::HistoryError;
use crate::http::HttpError;
use crate::import::ImportError;
use crate::listenbrainz::PushError;
use crate::local_library::LocalLibraryError;
use crate::restore::RestoreError;
use crate::spotify::auth::AuthError;
use crate::spotify::SpotifyError;

/// Exit code for a backup that paused on a quota or a long Retry-After (BSD `EX_TEMPFAIL`).
pub const EXIT_PAUSED: u8 = 75;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Spotify(#[from] SpotifyError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Enrich(#[from] EnrichError),
    #[error("backup paused: {reason}; progress is saved, run `trackvault backup` again after {resume_after}")]
    Paused {
        reason: String,
        resume_after: String,
    },
    #[error("snapshot {snapshot} failed verification:\n{problems}")]
    VerifyFailed { snapshot: String, problems: String },
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    LocalLibrary(#[from] LocalLibraryError),
    #[error("{0}")]
    Usage(String),
    /// Writing what the user asked for failed (full disk, closed terminal): exit 1, not 2.
    #[error("{0}")]
    Output(String),
    #[error(transparent)]
    Restore(#[from] RestoreError),
    #[error(transparent)]
    Push(#[from] PushError),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Paused { .. } => EXIT_PAUSED,
            Error::Usage(_) | Error::Config(_) => 2,
            Error::Archive(ArchiveError::InvalidSnapshotId(_)) => 2,
            Error::Spotify(SpotifyError::Interrupted) => 130,
            Error::History(e) if e.is_usage() => 2,
            Error::Export(e) if e.is_usage() => 2,
            Error::LocalLibrary(e) if e.is_usage() => 2,
            Error::Enrich(EnrichError::Http(e)) if e.pause_for().is_some() => EXIT_PAUSED,
            Error::Restore(e) if e.is_pause() => EXIT_PAUSED,
            Error::Restore(e) if e.is_usage() => 2,
            Error::Push(e) if e.is_usage() => 2,
            Error::Push(e) if e.is_pause() => EXIT_PAUSED,
            _ => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
