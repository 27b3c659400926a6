//! `trackvault demo`: the whole pipeline — backup, enrichment, every export — over a bundled
//! sample library, with no account and no network. The same fetch, normalize, enrich and export
//! code runs as in a real backup; only the transports replay bundled data.

pub mod musicbrainz_sim;
pub mod spotify_replay;
