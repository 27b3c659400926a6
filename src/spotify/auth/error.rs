//! Errors of the login, token storage and token refresh steps.
//!
//! Every message is one sentence that says what failed and what to do. No variant carries a
//! token, an authorization code or a PKCE verifier, and text that comes from outside (the
//! browser's query string, the accounts server's error body) is cleaned by [`sanitize`] first.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// Why logging in, loading, refreshing or deleting the Spotify login failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    #[error(
        "no Spotify client id is configured; set SPOTIFY_CLIENT_ID or pass --client-id \
         (create an app at https://developer.spotify.com/dashboard)"
    )]
    MissingClientId,

    #[error(
        "the Spotify accounts URL {url} cannot be used as a base address; set \
         TRACKVAULT_SPOTIFY_ACCOUNTS_URL to an http(s) URL such as https://accounts.spotify.com"
    )]
    InvalidAccountsUrl { url: String },

    #[error("could not set up the HTTP client for the Spotify accounts server: {source}")]
    HttpClient { source: reqwest::Error },

    #[error(
        "could not listen for the login callback on 127.0.0.1:{port}: {source}; pick another \
         port with --port or leave it out"
    )]
    BindCallback { port: u16, source: io::Error },

    #[error("the login callback server stopped working: {source}; run `trackvault login` again")]
    CallbackServer { source: io::Error },

    #[error("could not print the login address: {source}")]
    Output { source: io::Error },

    #[error(
        "no login response arrived within {}; run `trackvault login` again and finish the \
         login in the browser sooner",
        seconds(*.waited)
    )]
    Timeout { waited: Duration },

    #[error(
        "the login response has no `state` parameter, so it cannot be trusted; run \
         `trackvault login` again"
    )]
    MissingState,

    #[error(
        "the login response carries a `state` that does not belong to this login attempt \
         (forged or from an older attempt); run `trackvault login` again"
    )]
    StateMismatch,

    #[error(
        "Spotify access was denied in the browser; run `trackvault login` again and choose \
         Agree to let trackvault read your library"
    )]
    AccessDenied,

    #[error(
        "Spotify refused the authorization with error `{error}`; check your app at \
         https://developer.spotify.com/dashboard and run `trackvault login` again"
    )]
    AuthorizationFailed { error: String },

    #[error(
        "that is not the address Spotify redirected to ({reason}); paste the full address \
         from the browser's address bar"
    )]
    InvalidRedirectUrl { reason: &'static str },

    #[error(
        "could not reach the Spotify accounts server: {source}; check the network connection \
         and try again"
    )]
    AccountsUnreachable { source: reqwest::Error },

    #[error(
        "the Spotify accounts server refused the token request (HTTP {status}{}); {}",
        detail(.error.as_deref(), .description.as_deref()),
        advice(*.status, .error.as_deref())
    )]
    TokenRejected {
        status: u16,
        error: Option<String>,
        description: Option<String>,
    },

    #[error(
        "the Spotify accounts server sent a token response that cannot be understood \
         ({reason}); try again later"
    )]
    MalformedTokenResponse { reason: String },

    #[error(
        "your Spotify login has expired (Spotify ends a login six months after consent); run \
         `trackvault login` again"
    )]
    LoginExpired,

    #[error("not logged in: run `trackvault login` (there is no saved login at {})", .path.display())]
    NotLoggedIn { path: PathBuf },

    #[error(
        "the saved login at {} is unreadable ({reason}); run `trackvault login` again",
        .path.display()
    )]
    CorruptTokenFile { path: PathBuf, reason: String },

    #[error(
        "could not read the saved login at {}: {source}; check its permissions or run \
         `trackvault login` again",
        .path.display()
    )]
    ReadTokenFile { path: PathBuf, source: io::Error },

    #[error(
        "could not save the login to {}: {source}; check that the directory is writable",
        .path.display()
    )]
    WriteTokenFile { path: PathBuf, source: io::Error },

    #[error("could not delete the saved login at {}: {source}; delete it by hand", .path.display())]
    DeleteTokenFile { path: PathBuf, source: io::Error },

    #[error(
        "the access token from TRACKVAULT_ACCESS_TOKEN was rejected and cannot be refreshed; \
         provide a fresh token, or unset it and run `trackvault login`"
    )]
    StaticTokenRejected,

    #[error("the operating system's random number generator failed ({source}); try again")]
    Random { source: getrandom::Error },
}

/// `300 seconds`, or `0.2 seconds` for the short waits tests use.
pub(crate) fn seconds(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} seconds", duration.as_secs())
    } else {
        format!("{:.1} seconds", duration.as_secs_f64())
    }
}

fn detail(error: Option<&str>, description: Option<&str>) -> String {
    match (error, description) {
        (Some(e), Some(d)) => format!(", {e}: {d}"),
        (Some(e), None) => format!(", {e}"),
        (None, Some(d)) => format!(", {d}"),
        (None, None) => String::new(),
    }
}

fn advice(status: u16, error: Option<&str>) -> &'static str {
    if status >= 500 || status == 429 {
        "the service is having trouble, try again in a few minutes"
    } else if error == Some("invalid_client") {
        "check the client id (SPOTIFY_CLIENT_ID or --client-id) against your app at \
         https://developer.spotify.com/dashboard"
    } else {
        "run `trackvault login` again"
    }
}

/// Longest outside text kept in an error message.
const MAX_OUTSIDE_TEXT: usize = 200;

/// Keeps text from outside (a query string, a server's error body) printable and short, so it
/// cannot smuggle terminal escapes or HTML into messages.
pub(crate) fn sanitize(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(MAX_OUTSIDE_TEXT)
        .collect()
}

/// Describes a JSON error by its kind and position only: serde's own message can quote values,
/// and the values here are tokens.
pub(crate) fn describe_json_error(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match err.classify() {
        Category::Io => "it could not be read".to_owned(),
        Category::Eof => "it is truncated".to_owned(),
        Category::Syntax => format!(
            "it is not valid JSON at line {}, column {}",
            err.line(),
            err.column()
        ),
        Category::Data => format!(
            "a field is missing or has the wrong type near line {}, column {}",
            err.line(),
            err.column()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_drops_control_characters_and_caps_length() {
        assert_eq!(sanitize("bad\x1b[31m<b>\n"), "bad[31m<b>");
        assert_eq!(sanitize(&"x".repeat(500)).len(), MAX_OUTSIDE_TEXT);
    }

    #[test]
    fn json_error_description_never_quotes_values() {
        #[derive(Debug, serde::Deserialize)]
        struct T {
            #[allow(dead_code)]
            n: u64,
        }
        let err = serde_json::from_str::<T>(r#"{"n": "BQD-secret"}"#).unwrap_err();
        let text = describe_json_error(&err);
        assert!(!text.contains("BQD-secret"), "{text}");
        assert!(text.contains("line 1"), "{text}");
    }

    #[test]
    fn seconds_are_readable() {
        assert_eq!(seconds(Duration::from_secs(300)), "300 seconds");
        assert_eq!(seconds(Duration::from_millis(200)), "0.2 seconds");
    }

    #[test]
    fn token_rejected_message_gives_advice() {
        let err = AuthError::TokenRejected {
            status: 400,
            error: Some("invalid_client".into()),
            description: Some("Invalid client".into()),
        };
        let text = err.to_string();
        assert!(
            text.contains("HTTP 400, invalid_client: Invalid client"),
            "{text}"
        );
        assert!(text.contains("SPOTIFY_CLIENT_ID"), "{text}");
        let err = AuthError::TokenRejected {
            status: 503,
            error: None,
            description: None,
        };
        assert!(err.to_string().contains("try again in a few minutes"));
    }
}
