//! Spotify authorization: PKCE authorization-code login through a loopback callback, the saved
//! login (`token.json`, 0600), and a [`TokenProvider`] that refreshes it for the API client.
//!
//! Tokens, codes and verifiers live in [`Secret`], whose `Debug` prints `***`; no error or
//! log line carries one.

mod callback;
mod error;
mod login;
mod pkce;
mod provider;
mod redirect;
mod secret;
mod token_endpoint;
mod token_store;

use std::path::PathBuf;

use url::Url;

pub use callback::CALLBACK_PATH;
pub use error::AuthError;
pub use login::{
    default_http_client, login, login_with, login_with_scopes, stdin_lines, LoginOptions,
    LoginOutcome,
};
pub use pkce::{challenge as pkce_challenge, new_state, new_verifier};
pub use provider::TokenProvider;
pub use redirect::parse_redirect;
pub use secret::Secret;
pub use token_store::{
    load_token, login_age_warning, logout, save_token, token_path, StoredToken, TOKEN_FILE_NAME,
};

/// Scopes a full library backup needs (all read-only).
pub const SCOPES: &[&str] = &[
    "user-library-read",
    "user-read-playback-position",
    "user-follow-read",
    "playlist-read-private",
    "playlist-read-collaborative",
];

/// Extra scopes `login --write` asks for, so `restore` can create playlists, add to them, save
/// to the library and follow artists and playlists. Plain `login` never asks for them.
pub const WRITE_SCOPES: &[&str] = &[
    "playlist-modify-private",
    "playlist-modify-public",
    "user-library-modify",
    "user-follow-modify",
];

/// The write scopes a saved login's space-separated `scope` lacks.
pub fn missing_write_scopes(granted: &str) -> Vec<&'static str> {
    WRITE_SCOPES
        .iter()
        .copied()
        .filter(|s| !granted.split_whitespace().any(|g| g == *s))
        .collect()
}

/// Spotify's accounts service; override with `TRACKVAULT_SPOTIFY_ACCOUNTS_URL`.
pub const DEFAULT_ACCOUNTS_URL: &str = "https://accounts.spotify.com";

/// Where and as whom to log in.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// The user's own Spotify app (`SPOTIFY_CLIENT_ID`); needed for `login`, optional for
    /// [`TokenProvider::from_store`], which uses the client id saved with the login.
    pub client_id: String,
    /// Accounts base: `/authorize` and `/api/token` are appended to its path.
    pub accounts_url: Url,
    /// Directory of `token.json`.
    pub config_dir: PathBuf,
}

impl AuthConfig {
    /// A config for the real Spotify accounts service.
    pub fn new(client_id: impl Into<String>, config_dir: impl Into<PathBuf>) -> Self {
        Self {
            client_id: client_id.into(),
            accounts_url: default_accounts_url(),
            config_dir: config_dir.into(),
        }
    }

    /// `<accounts_url>/api/token`.
    pub fn token_url(&self) -> Result<Url, AuthError> {
        self.endpoint(&["api", "token"])
    }

    /// The URL the user opens to consent: `<accounts_url>/authorize?…` with the PKCE challenge.
    pub fn authorize_url(
        &self,
        redirect_uri: &Url,
        state: &str,
        code_challenge: &str,
    ) -> Result<Url, AuthError> {
        self.authorize_url_with_scopes(redirect_uri, state, code_challenge, SCOPES)
    }

    /// [`AuthConfig::authorize_url`] asking for `scopes` instead of the read-only [`SCOPES`].
    pub fn authorize_url_with_scopes(
        &self,
        redirect_uri: &Url,
        state: &str,
        code_challenge: &str,
        scopes: &[&str],
    ) -> Result<Url, AuthError> {
        let mut url = self.endpoint(&["authorize"])?;
        url.query_pairs_mut()
            .append_pair("client_id", self.client_id.trim())
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect_uri.as_str())
            .append_pair("state", state)
            .append_pair("scope", &scopes.join(" "))
            .append_pair("code_challenge_method", "S256")
            .append_pair("code_challenge", code_challenge);
        Ok(url)
    }

    /// Appends path segments to the accounts base, keeping any path prefix it has.
    fn endpoint(&self, segments: &[&str]) -> Result<Url, AuthError> {
        let invalid = || AuthError::InvalidAccountsUrl {
            url: self.accounts_url.to_string(),
        };
        if !matches!(self.accounts_url.scheme(), "http" | "https") {
            return Err(invalid());
        }
        let mut url = self.accounts_url.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .map_err(|()| invalid())?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }
}

/// [`DEFAULT_ACCOUNTS_URL`] as a `Url`.
pub fn default_accounts_url() -> Url {
    Url::parse(DEFAULT_ACCOUNTS_URL)
        .unwrap_or_else(|_| unreachable!("the default accounts URL is valid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(accounts: &str) -> AuthConfig {
        AuthConfig {
            client_id: "abc123".into(),
            accounts_url: Url::parse(accounts).unwrap(),
            config_dir: PathBuf::from("/tmp/x"),
        }
    }

    #[test]
    fn endpoints_append_to_the_base_path() {
        assert_eq!(
            config("https://accounts.spotify.com")
                .token_url()
                .unwrap()
                .as_str(),
            "https://accounts.spotify.com/api/token"
        );
        assert_eq!(
            config("http://127.0.0.1:9/mock/")
                .token_url()
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/mock/api/token"
        );
        assert_eq!(
            config("http://127.0.0.1:9/mock?x=1")
                .token_url()
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/mock/api/token"
        );
        assert!(matches!(
            config("mailto:someone@example.com").token_url(),
            Err(AuthError::InvalidAccountsUrl { .. })
        ));
    }

    #[test]
    fn authorize_url_carries_every_parameter() {
        let redirect = Url::parse("http://127.0.0.1:4567/callback").unwrap();
        let url = config("https://accounts.spotify.com")
            .authorize_url(&redirect, "st", "ch")
            .unwrap();
        assert_eq!(url.path(), "/authorize");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("client_id"), Some("abc123"));
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:4567/callback"));
        assert_eq!(get("state"), Some("st"));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(get("code_challenge"), Some("ch"));
        assert_eq!(get("scope"), Some(SCOPES.join(" ").as_str()));
    }

    #[test]
    fn write_scopes_are_asked_only_when_wanted_and_checked_in_saved_logins() {
        let redirect = Url::parse("http://127.0.0.1:4567/callback").unwrap();
        let cfg = config("https://accounts.spotify.com");
        let all: Vec<&str> = SCOPES.iter().chain(WRITE_SCOPES).copied().collect();
        let url = cfg
            .authorize_url_with_scopes(&redirect, "st", "ch", &all)
            .unwrap();
        let scope = url
            .query_pairs()
            .find(|(k, _)| k == "scope")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        assert!(
            scope.ends_with(
                "playlist-modify-private playlist-modify-public user-library-modify user-follow-modify"
            ),
            "{scope}"
        );
        let read_only = cfg.authorize_url(&redirect, "st", "ch").unwrap();
        assert!(!read_only.as_str().contains("modify"), "{read_only}");
        assert_eq!(missing_write_scopes(&SCOPES.join(" ")), WRITE_SCOPES);
        assert!(missing_write_scopes(&all.join(" ")).is_empty());
        assert_eq!(
            missing_write_scopes(
                "user-library-modify playlist-modify-private playlist-modify-public"
            ),
            ["user-follow-modify"]
        );
    }

    #[test]
    fn default_config_points_at_spotify() {
        let cfg = AuthConfig::new("id", "/tmp/cfg");
        assert_eq!(cfg.accounts_url.as_str(), "https://accounts.spotify.com/");
    }
}
