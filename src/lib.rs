//! trackvault: lossless Spotify library backup, enrichment with universal identifiers, and
//! importer-ready exports. The binary (`src/main.rs`) is a thin shell over this library.

pub mod spotify;
