//! Enrichment: attaching ISRCs and MusicBrainz identifiers to the library.
//!
//! `normalize` and `matcher` are pure code (no I/O): they decide whether a MusicBrainz
//! recording is the Spotify track, and refuse when unsure.

pub mod matcher;
pub mod normalize;

pub mod cache;
pub mod error;
pub mod musicbrainz;
pub mod overrides;
pub mod pipeline;
pub mod review;
pub mod summary;
