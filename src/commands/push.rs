//! `trackvault push listenbrainz [SNAPSHOT] [--playlist NAME]… [--public]`: deliver a
//! snapshot's playlists to ListenBrainz, creating them once and updating them in place after.

use std::time::Duration;

use url::Url;

use super::{emit, Out};
use crate::app::push::{push, Outcome, PushOptions};
use crate::archive::Archive;
use crate::cli::{ListenBrainzPushArgs, PushArgs, PushTarget, ENV_LISTENBRAINZ_INTERVAL_MS};
use crate::config::Settings;
use crate::error::Result;
use crate::listenbrainz::{ListenBrainz, PushError, StateFile};

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
    let archive = Archive::open(&settings.archive_root)?;
    let snapshot = archive.resolve(args.snapshot.as_deref())?;
    let library = archive.read_library(&snapshot)?;
    let mut state = StateFile::load(&settings.archive_root, base.as_str(), token)?;
    let client = ListenBrainz::network(
        &settings.user_agent(),
        base,
        token,
        Duration::from_millis(args.listenbrainz_interval_ms),
        settings.max_wait,
    )?;
    let opts = PushOptions {
        playlists: args.playlist.clone(),
        public: args.public,
        check: args.check,
    };
    emit(
        out,
        &format!("Pushing snapshot {snapshot} to ListenBrainz.\n"),
    )?;
    let mut write_err = None;
    let result = {
        let mut report = |o: &Outcome| {
            if let Err(e) = emit(&mut *out, &format!("{o}\n")) {
                write_err.get_or_insert(e);
            }
        };
        push(&library, &snapshot, &client, &mut state, &opts, &mut report).await
    };
    let requests = client.request_counts();
    let outcomes = result?;
    if let Some(e) = write_err {
        return Err(e);
    }
    let per_endpoint: Vec<String> = requests
        .0
        .iter()
        .map(|(label, n)| format!("{n} {label}"))
        .collect();
    let detail = if per_endpoint.is_empty() {
        String::new()
    } else {
        format!(" ({})", per_endpoint.join(", "))
    };
    emit(
        out,
        &format!(
            "{} playlist(s); {} request(s) to ListenBrainz{detail}.\n",
            outcomes.len(),
            requests.total()
        ),
    )
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
