//! Library history: what changed between two snapshots (`diff`), one playlist across every
//! snapshot (`log`), and snapshot retention (`prune`).
//!
//! Entries are matched by identity (their URI, with `added_at` to tell duplicates apart), never
//! by position, so a reorder is reported as a move and a duplicate as its own entry.

pub mod diff;
pub mod identity;
pub mod log;
pub mod prune;
pub mod render;
pub mod view;

pub use diff::{diff_libraries, diff_views, LibraryDiff, SnapshotRef};
pub use log::{playlist_history, PlaylistHistory};
pub use prune::{plan_prune, PrunePlan, PrunePolicy};
pub use view::LibraryView;

/// Why a history command could not answer.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("no playlist is named or has the id `{0}` in any snapshot; check the spelling, or give the playlist's Spotify id")]
    UnknownPlaylist(String),
    #[error("several playlists are named `{name}`: {candidates}; run `trackvault log` again with one of these ids")]
    AmbiguousPlaylist { name: String, candidates: String },
    #[error("`diff` needs two snapshots but the archive has {0}; run `trackvault backup` again later, or name two snapshots")]
    NotEnoughSnapshots(usize),
    #[error(transparent)]
    Archive(#[from] crate::archive::ArchiveError),
}

impl HistoryError {
    /// True when the user's argument was at fault (exit code 2) rather than the archive.
    pub fn is_usage(&self) -> bool {
        !matches!(self, HistoryError::Archive(_))
    }
}
