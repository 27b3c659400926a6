//! Restore: put a snapshot back into a Spotify account. [`plan`] turns a snapshot's library
//! into ordered writes (pure), [`journal`] records every completed step in the archive so an
//! interrupted restore continues and a finished one sends nothing. The application layer's
//! restore run (`app::restore`) executes the plan through the Spotify client (pacing, retries,
//! Retry-After and quota pauses shared with backup), looking at the account before repeating
//! any write that must not happen twice.

pub mod journal;
pub mod plan;

use std::path::PathBuf;

use crate::spotify::SpotifyError;

pub use plan::{plan, Part, Plan, PlanOptions, PlaylistStep, SkipReason, Skipped};

/// Why a restore could not be planned or finished.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(transparent)]
    Spotify(#[from] SpotifyError),
    #[error(
        "the Spotify login can only read your library, and restoring needs permission to create \
         playlists and save to your library; run `trackvault login --write`, then `trackvault \
         restore` again"
    )]
    MissingWriteScope,
    #[error(
        "restoring needs a Spotify login that may create playlists and save to your library, and \
         there is none; run `trackvault login --write`, then `trackvault restore` again"
    )]
    NotLoggedIn,
    #[error(
        "Spotify rejected the access token for {endpoint} even after refreshing it; run \
         `trackvault login --write` again, then `trackvault restore` (what is done is recorded)"
    )]
    Unauthorized { endpoint: String },
    #[error("`{0}` is not a part `--only` knows; use any of liked, playlists, albums, shows, episodes, artists")]
    UnknownPart(String),
    #[error("snapshot {snapshot} has no playlist named {name:?}; `trackvault restore --dry-run` lists the playlists it would restore")]
    UnknownPlaylist { name: String, snapshot: String },
    #[error("restore paused: {reason}; what is done is recorded, run `trackvault restore` again after {resume_after}")]
    Paused {
        reason: String,
        /// RFC 3339 time, or a phrase when Spotify gave none.
        resume_after: String,
    },
    #[error(
        "the playlist {name:?} trackvault is restoring was changed in Spotify while the restore \
         was interrupted ({detail}); delete that playlist in Spotify and the journal {journal}, \
         then run `trackvault restore` again"
    )]
    PlaylistChanged {
        name: String,
        detail: String,
        journal: PathBuf,
    },
    #[error(
        "Spotify sent an answer to {endpoint} that cannot be read ({detail}); what is done is \
         recorded, run `trackvault restore` again later to continue"
    )]
    Malformed { endpoint: String, detail: String },
    #[error("another trackvault restore is writing {path}; wait for it to finish, then run `trackvault restore` again")]
    Busy { path: PathBuf },
    #[error("the restore journal {path} cannot be used ({detail}); check the archive's permissions and disk space")]
    Journal { path: PathBuf, detail: String },
}

impl RestoreError {
    /// A settings problem the user fixes before rerunning (exit 2).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            RestoreError::MissingWriteScope
                | RestoreError::NotLoggedIn
                | RestoreError::UnknownPart(_)
                | RestoreError::UnknownPlaylist { .. }
        )
    }

    /// Stopped on purpose (quota, long Retry-After): rerunning resumes (exit 75).
    pub fn is_pause(&self) -> bool {
        matches!(self, RestoreError::Paused { .. })
    }
}
