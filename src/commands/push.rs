//! `trackvault push listenbrainz [SNAPSHOT] [--playlist NAME]… [--public]`: deliver a
//! snapshot's playlists to ListenBrainz, creating them once and updating them in place after.

use std::time::Duration;

use url::Url;

use super::Out;
use crate::app::push::{push_snapshot, Destination, PushOptions};
use crate::cli::{ListenBrainzPushArgs, PushArgs, PushTarget, ENV_LISTENBRAINZ_INTERVAL_MS};
use crate::config::Settings;
use crate::error::Result;
use crate::listenbrainz::PushError;

pub async fn run(settings: &Settings, args: &PushArgs, out: Out<'_>) -> Result<()> {
    match &args.target {
        PushTarget::Listenbrainz(args) => listenbrainz(settings, args, out).await,
    }
}

async fn listenbrainz(
    settings: &Settings,
    args: &ListenBrainzPushArgs,
    out: Out<'_>,
) -> Result<()> {
    // Settings first: a missing token or bad URL costs nothing.
    let token = args
        .listenbrainz_token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(PushError::MissingToken)?;
    let base = api_url(&args.listenbrainz_url)?;
    if args.listenbrainz_interval_ms > 60_000 {
        return Err(PushError::BadSetting {
            name: ENV_LISTENBRAINZ_INTERVAL_MS,
            value: args.listenbrainz_interval_ms.to_string(),
            expected: "give milliseconds between 0 and 60000",
        }
        .into());
    }
    let opts = PushOptions {
        playlists: args.playlist.clone(),
        public: args.public,
        check: args.check,
    };
    let destination = Destination {
        base,
        token,
        interval: Duration::from_millis(args.listenbrainz_interval_ms),
    };
    push_snapshot(settings, args.snapshot.as_deref(), destination, &opts, out).await
}

/// The API base: an absolute http(s) URL, kept without a trailing slash.
fn api_url(value: &str) -> Result<Url, PushError> {
    let bad = || PushError::BadSetting {
        name: crate::cli::ENV_LISTENBRAINZ_URL,
        value: value.to_string(),
        expected: "give an absolute http(s) URL such as https://api.listenbrainz.org",
    };
    let url = Url::parse(value.trim().trim_end_matches('/')).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    Ok(url)
}
