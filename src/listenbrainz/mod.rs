//! Delivery to ListenBrainz (`trackvault push listenbrainz`): a snapshot's playlists become
//! ListenBrainz playlists of recording MBIDs, created once and then kept up to date in place.
//! [`client`] makes the API calls, [`diff`] plans the fewest edits between two track lists,
//! [`state`] remembers which playlist became which; the push workflow tying them together is
//! in the application layer (`app::push`). Reads snapshots, never writes them.

pub mod client;
pub mod diff;
pub mod error;
pub mod state;

pub use client::ListenBrainz;
pub use error::PushError;
pub use state::StateFile;
