//! trackvault: lossless Spotify library backup, enrichment with universal identifiers, and
//! importer-ready exports. The binary (`src/main.rs`) is a thin shell over this library.
//!
//! Data moves one way: Spotify pages → [`archive`] → [`model::Library`] → enrichment → exports.

pub mod app;
pub mod archive;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod disk_error;
pub mod enrich;
pub mod error;
pub mod export;
pub mod fsutil;
pub mod history;
pub mod html;
pub mod http;
pub mod ids;
pub mod import;
pub mod listenbrainz;
pub mod local_library;
pub mod model;
pub mod musicbrainz_host;
pub mod progress;
pub mod report;
pub mod restore;
pub mod settings_ranges;
pub mod spotify;
pub mod terminal_text;
pub mod wait;
