//! Spotify: login ([`auth`]), the Web API client, page shapes, normalization and the
//! resumable, incremental backup run.

mod assemble;
pub mod auth;
pub mod checkpoint;
pub mod client;
mod error;
pub mod fetch;
pub mod normalize;
pub mod pages;
pub mod paging;
pub mod summary;
pub mod write;

pub use client::SpotifyClient;
pub use error::{classify_forbidden, Forbidden, SpotifyError};
pub use fetch::{run_backup, BackupOptions};
pub use summary::BackupSummary;
