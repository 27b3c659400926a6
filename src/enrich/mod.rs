//! Enrichment: ISRCs and MusicBrainz IDs for every item (STUB until branch `matcher` lands).
pub mod matcher;
pub mod normalize;

pub mod cache;
pub mod error;
pub mod musicbrainz;
pub mod overrides;
pub mod pipeline;
pub mod review;
pub mod summary;
