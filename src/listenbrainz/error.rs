//! What can go wrong while pushing to ListenBrainz, each message one sentence saying what
//! happened and what to do, and whether it is a settings problem or a pause.

use std::path::PathBuf;
use std::time::Duration;

use crate::http::HttpError;

/// Where users find their ListenBrainz user token.
pub const TOKEN_PAGE: &str = "https://listenbrainz.org/settings/";

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("no ListenBrainz token: copy your user token from {TOKEN_PAGE} and set TRACKVAULT_LISTENBRAINZ_TOKEN to it")]
    MissingToken,
    #[error("ListenBrainz rejected the token in TRACKVAULT_LISTENBRAINZ_TOKEN (HTTP 401): copy your current user token from {TOKEN_PAGE} and set it again")]
    TokenRejected,
    #[error("{name} is not a usable setting ({value:?}): {expected}")]
    BadSetting {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("no playlist called {name:?} in snapshot {snapshot}; give a playlist's exact name or Spotify id, or \"Liked Songs\" (pushable: {available})")]
    UnknownPlaylist {
        name: String,
        snapshot: String,
        available: String,
    },
    #[error("push paused: {cause}; what was pushed so far is remembered, so running `trackvault push listenbrainz` again after {resume_at} continues")]
    Paused { cause: HttpError, resume_at: String },
    #[error("{0}; what was pushed so far is remembered, so running `trackvault push listenbrainz` again continues")]
    Http(HttpError),
    #[error("ListenBrainz answered {endpoint} with HTTP {status} ({snippet}); check TRACKVAULT_LISTENBRAINZ_URL and try again later")]
    Status {
        endpoint: String,
        status: u16,
        snippet: String,
    },
    #[error("ListenBrainz sent {endpoint} a response that is not the expected JSON ({detail}); check that TRACKVAULT_LISTENBRAINZ_URL points at the ListenBrainz API")]
    Malformed { endpoint: String, detail: String },
    /// A remembered playlist no longer exists on the server (handled by recreating it).
    #[error("ListenBrainz playlist {0} no longer exists")]
    PlaylistGone(String),
    #[error("cannot use the push state file {path}: {detail}; if it is damaged, move it away (the next push then creates new playlists)")]
    State { path: PathBuf, detail: String },
}

impl PushError {
    /// A settings or usage problem the user fixes before running again (exit 2).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            PushError::MissingToken
                | PushError::TokenRejected
                | PushError::BadSetting { .. }
                | PushError::UnknownPlaylist { .. }
        )
    }

    /// The server asked for a pause; rerunning later continues (exit 75).
    pub fn is_pause(&self) -> bool {
        matches!(self, PushError::Paused { .. })
    }

    /// A pause for `wait` before the next request, with the UTC time to come back.
    pub fn paused(cause: HttpError, wait: Option<Duration>) -> Self {
        let wait = wait.unwrap_or(Duration::from_secs(60));
        let resume_at = chrono::Duration::from_std(wait)
            .ok()
            .and_then(|d| chrono::Utc::now().checked_add_signed(d))
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| "a while".to_string());
        PushError::Paused { cause, resume_at }
    }
}

impl From<HttpError> for PushError {
    fn from(e: HttpError) -> Self {
        match e.pause_for() {
            Some(wait) => PushError::paused(e, wait),
            None => PushError::Http(e),
        }
    }
}
