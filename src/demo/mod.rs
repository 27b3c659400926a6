//! `trackvault demo`'s transports: a bundled sample library, with no account and no network.
//! The same fetch, normalize, enrich and export code runs as in a real backup; only the
//! transports replay bundled data. The demo hands them to the real clients
//! ([`SpotifyClient::demo`], [`MusicBrainz::demo`]); the clients know nothing of the demo. The
//! demo workflow itself lives in [`crate::app::demo`].

pub mod musicbrainz_sim;
pub mod spotify_replay;

use std::time::Duration;

use url::Url;

use crate::enrich::musicbrainz::MusicBrainz;
use crate::http::RetryPolicy;
use crate::spotify::auth::TokenProvider;
use crate::spotify::SpotifyClient;

impl SpotifyClient {
    /// The client `trackvault demo` uses: bundled responses, no pacing, no network.
    pub fn demo() -> Self {
        use spotify_replay::{transport, DEMO_SPOTIFY_URL};
        let base =
            Url::parse(DEMO_SPOTIFY_URL).unwrap_or_else(|_| unreachable!("the demo URL is valid"));
        Self::with_transport(
            transport(),
            base,
            TokenProvider::from_static("demo-token".into()),
            Duration::ZERO,
            RetryPolicy::default(),
        )
    }
}

impl MusicBrainz {
    /// The demo's client: the bundled MusicBrainz simulator, unpaced (nothing leaves the
    /// process).
    pub fn demo() -> Self {
        use musicbrainz_sim::{transport, DEMO_MUSICBRAINZ_URL};
        let base = Url::parse(DEMO_MUSICBRAINZ_URL)
            .unwrap_or_else(|_| unreachable!("the demo URL is valid"));
        Self::new(transport(), base, f64::INFINITY, RetryPolicy::default())
    }
}
