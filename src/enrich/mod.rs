//! Enrichment: attaching ISRCs and MusicBrainz identifiers to the library.
//!
//! `normalize` and `matcher` are pure code (no I/O): they decide whether a MusicBrainz
//! recording is the Spotify track, and refuse when unsure.

pub mod matcher;
pub mod normalize;
