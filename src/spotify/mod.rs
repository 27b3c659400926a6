//! Spotify: login ([`auth`]), the Web API client, page shapes, normalization, fetching a
//! backup's collections into a draft ([`fetch`]) and building `library.json` from the stored
//! pages ([`assemble`]). The backup run around them is in the application layer.

pub mod assemble;
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
pub use summary::BackupSummary;
