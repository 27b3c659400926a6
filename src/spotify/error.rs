//! Errors of the Spotify Web API client and the backup fetcher. Each message is one sentence
//! saying what went wrong and what to do; none carries a token.

use crate::archive::ArchiveError;
use crate::http::HttpError;
use crate::spotify::auth::AuthError;

/// Why Spotify answered 403, as far as the response lets us tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forbidden {
    /// Development-mode apps only serve the (at most 5) users allow-listed in the dashboard.
    NotAllowlisted,
    /// Since 2026 a development-mode app stops working when its owner has no Premium.
    PremiumRequired,
    /// The login lacks a scope the endpoint needs (an older login).
    MissingScope,
    /// Playlist items are readable only for playlists the user owns or collaborates on.
    PlaylistNotOwned,
    /// The endpoint is not available to development-mode apps any more.
    EndpointRemoved,
}

impl Forbidden {
    /// What the user can do about it.
    pub fn advice(self) -> &'static str {
        match self {
            Forbidden::NotAllowlisted => {
                "your Spotify account is not on the app's allow-list: add its email under \
                 User Management in the app's page at https://developer.spotify.com/dashboard \
                 (development mode allows 5 users)"
            }
            Forbidden::PremiumRequired => {
                "the Spotify app's owner needs an active Premium subscription for a \
                 development-mode app to work; renew it or use an app owned by a Premium account"
            }
            Forbidden::MissingScope => {
                "the saved login lacks a permission trackvault needs; run `trackvault login` again"
            }
            Forbidden::PlaylistNotOwned => {
                "Spotify only shows the items of playlists you own or collaborate on; its \
                 metadata is kept"
            }
            Forbidden::EndpointRemoved => {
                "Spotify no longer offers this endpoint to development-mode apps; please report \
                 it so trackvault can adapt"
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SpotifyError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("Spotify refused {endpoint} (HTTP 403): {}", .reason.advice())]
    Forbidden { endpoint: String, reason: Forbidden },
    #[error(
        "Spotify rejected the access token for {endpoint} even after refreshing it; run \
         `trackvault login` again"
    )]
    Unauthorized { endpoint: String },
    #[error("Spotify answered {endpoint} with HTTP {status} ({detail}); try again later and report it if it persists")]
    Status {
        endpoint: String,
        status: u16,
        detail: String,
    },
    #[error(
        "Spotify sent a page for {endpoint} that cannot be read ({detail}); the pages saved so \
         far are kept, run `trackvault backup` again later to continue"
    )]
    Malformed { endpoint: String, detail: String },
    #[error("{reason}; progress is saved, run `trackvault backup` again after {resume_after}")]
    Paused {
        reason: String,
        /// RFC 3339 time, or "a few hours" when Spotify gave none.
        resume_after: String,
    },
    #[error("the backup was interrupted; the pages fetched so far are saved, run `trackvault backup` to continue")]
    Interrupted,
    #[error("another trackvault backup is working on {path}; wait for it to finish, then run `trackvault backup` again")]
    Busy { path: String },
    #[error("the saved backup checkpoint at {path} cannot be used ({detail}); delete that draft folder to start over")]
    Checkpoint { path: String, detail: String },
    /// The disk is full, read-only or not writable; the draft and its journal are kept.
    #[error("cannot save backup progress: {problem}; {advice}, then run `trackvault backup` again (it continues where it stopped)")]
    Disk {
        problem: String,
        advice: &'static str,
    },
}

impl SpotifyError {
    /// Whether the backup stopped on purpose (quota, long Retry-After) and can simply resume.
    pub fn is_pause(&self) -> bool {
        matches!(self, SpotifyError::Paused { .. })
    }
}

/// Classifies a 403 from the body Spotify sent and the endpoint it came from.
pub fn classify_forbidden(label: &str, body: &[u8]) -> Forbidden {
    let text = String::from_utf8_lossy(body).to_ascii_lowercase();
    if text.contains("premium") {
        Forbidden::PremiumRequired
    } else if text.contains("registered")
        || text.contains("dashboard")
        || text.contains("allowlist")
        || text.contains("allow-list")
        || text.contains("allow list")
    {
        Forbidden::NotAllowlisted
    } else if text.contains("scope") {
        Forbidden::MissingScope
    } else if label.starts_with("/playlists/") {
        Forbidden::PlaylistNotOwned
    } else if label == "/me" {
        // The first call of every backup: an unexplained 403 here is the allow-list.
        Forbidden::NotAllowlisted
    } else {
        Forbidden::EndpointRemoved
    }
}

/// A short, single-line description of an error body: Spotify's `error.message` when the
/// body is Spotify's JSON error, otherwise the start of the text.
pub fn describe_body(body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let message = value
            .pointer("/error/message")
            .or_else(|| value.pointer("/error_description"))
            .or_else(|| value.pointer("/error"))
            .and_then(|m| m.as_str());
        if let Some(message) = message {
            return one_line(message, 120);
        }
    }
    if body.is_empty() {
        return "empty response".into();
    }
    format!(
        "not JSON: {:?}",
        one_line(&String::from_utf8_lossy(body), 80)
    )
}

fn one_line(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    flat.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_403_bodies() {
        let premium = br#"{"error":{"status":403,"message":"Active premium subscription required for the owner of the app."}}"#;
        assert_eq!(
            classify_forbidden("/me", premium),
            Forbidden::PremiumRequired
        );
        let user = br#"{"error":{"status":403,"message":"User not registered in the Developer Dashboard"}}"#;
        assert_eq!(
            classify_forbidden("/me/tracks", user),
            Forbidden::NotAllowlisted
        );
        let plain = br#"{"error":{"status":403,"message":"Forbidden"}}"#;
        assert_eq!(
            classify_forbidden("/playlists/{id}/items", plain),
            Forbidden::PlaylistNotOwned
        );
        assert_eq!(
            classify_forbidden("/me", b"<html>"),
            Forbidden::NotAllowlisted
        );
        assert_eq!(
            classify_forbidden("/me/shows", plain),
            Forbidden::EndpointRemoved
        );
        let scope = br#"{"error":{"status":403,"message":"Insufficient client scope"}}"#;
        assert_eq!(
            classify_forbidden("/me/episodes", scope),
            Forbidden::MissingScope
        );
    }

    #[test]
    fn describes_json_and_non_json_bodies_on_one_line() {
        assert_eq!(
            describe_body(br#"{"error":{"status":500,"message":"Server\nerror"}}"#),
            "Server error"
        );
        assert_eq!(
            describe_body(b"<html>\n<b>Bad</b></html>"),
            "not JSON: \"<html> <b>Bad</b></html>\""
        );
        assert_eq!(describe_body(b""), "empty response");
    }
}
