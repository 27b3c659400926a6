//! trackvault: lossless Spotify library backup, enrichment with universal identifiers, and
//! importer-ready exports. The binary (`src/main.rs`) is a thin shell over this library.
//!
//! Data moves one way: Spotify pages → [`archive`] → [`model::Library`] → enrichment → exports.

pub mod archive;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod enrich;
pub mod error;
pub mod export;
pub mod fsutil;
pub mod history;
pub mod http;
pub mod import;
pub mod listenbrainz;
pub mod model;
pub mod progress;
pub mod spotify;
