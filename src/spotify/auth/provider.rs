//! [`TokenProvider`]: hands the Spotify API client a valid access token, refreshing the saved
//! login shortly before it expires or once after a 401.
//!
//! One `tokio::sync::Mutex` guards the saved login, so concurrent callers wait for a refresh in
//! progress instead of starting their own (older refresh tokens were single-use).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::Mutex;
use url::Url;

use super::token_endpoint::{self, TokenGrant};
use super::token_store::{self, StoredToken};
use super::{AuthConfig, AuthError, Secret};

/// Refresh this long before the access token expires, so a request never races the expiry.
const REFRESH_MARGIN: TimeDelta = TimeDelta::seconds(60);

/// Source of access tokens for the Spotify Web API client. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct TokenProvider {
    source: Arc<Source>,
}

enum Source {
    /// `TRACKVAULT_ACCESS_TOKEN`: used as given, never refreshed.
    Static(Secret),
    Stored(Box<StoredLogin>),
}

struct StoredLogin {
    http: reqwest::Client,
    token_url: Url,
    config_dir: PathBuf,
    state: Mutex<LoginState>,
}

struct LoginState {
    token: StoredToken,
    /// Set once Spotify answered `invalid_grant`; no further refresh is attempted.
    expired: bool,
}

impl TokenProvider {
    /// A provider that always returns `token` (from `TRACKVAULT_ACCESS_TOKEN`); it cannot
    /// refresh, so a 401 becomes [`AuthError::StaticTokenRejected`].
    pub fn from_static(token: String) -> Self {
        Self {
            source: Arc::new(Source::Static(Secret::new(token))),
        }
    }

    /// A provider backed by the saved login in `cfg.config_dir`.
    ///
    /// Fails with [`AuthError::NotLoggedIn`] when there is no saved login. Refreshing uses the
    /// client id stored with the login (tokens are bound to it), so `cfg.client_id` may be
    /// empty here. Logs a warning when the login is close to Spotify's six-month limit.
    pub fn from_store(cfg: AuthConfig, http: reqwest::Client) -> Result<Self, AuthError> {
        let token_url = cfg.token_url()?;
        let token = token_store::load_token(&cfg.config_dir)?;
        if let Some(warning) = token_store::login_age_warning(token.authorized_at, Utc::now()) {
            tracing::warn!("{warning}");
        }
        if !cfg.client_id.is_empty() && cfg.client_id != token.client_id {
            tracing::warn!(
                "the saved Spotify login belongs to client id {} but {} is configured; using the \
                 saved login, run `trackvault login` to switch apps",
                token.client_id,
                cfg.client_id
            );
        }
        Ok(Self {
            source: Arc::new(Source::Stored(Box::new(StoredLogin {
                http,
                token_url,
                config_dir: cfg.config_dir,
                state: Mutex::new(LoginState {
                    token,
                    expired: false,
                }),
            }))),
        })
    }

    /// Whether this provider uses a fixed token that cannot be refreshed.
    pub fn is_static(&self) -> bool {
        matches!(*self.source, Source::Static(_))
    }

    /// A valid access token, refreshed first when it expires within about a minute.
    pub async fn access_token(&self) -> Result<String, AuthError> {
        match &*self.source {
            Source::Static(token) => Ok(token.expose().to_owned()),
            Source::Stored(login) => login.access_token().await,
        }
    }

    /// Called once by the API client after a 401 for a request that carried `rejected`:
    /// returns the access token to retry with.
    ///
    /// The decision rests on the token the failed request carried, not on timing: when it is
    /// the current token, that token is refreshed; when it is an older one (another request
    /// refreshed meanwhile, or another process did), the current token is returned untried.
    pub async fn refresh_after_unauthorized(&self, rejected: &str) -> Result<String, AuthError> {
        match &*self.source {
            Source::Static(_) => Err(AuthError::StaticTokenRejected),
            Source::Stored(login) => login.refresh_after_unauthorized(rejected).await,
        }
    }
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.source {
            Source::Static(_) => f.write_str("TokenProvider::Static(***)"),
            Source::Stored(login) => f
                .debug_struct("TokenProvider::Stored")
                .field("config_dir", &login.config_dir)
                .field("token_url", &login.token_url.as_str())
                .finish_non_exhaustive(),
        }
    }
}

impl StoredLogin {
    async fn access_token(&self) -> Result<String, AuthError> {
        let mut state = self.state.lock().await;
        if state.expired {
            return Err(AuthError::LoginExpired);
        }
        let now = Utc::now();
        if !expires_soon(&state.token, now) {
            return Ok(state.token.access_token.expose().to_owned());
        }
        // Another trackvault process may have refreshed already; its token is then on disk.
        if self.adopt_newer_saved_token(&mut state) && !expires_soon(&state.token, now) {
            return Ok(state.token.access_token.expose().to_owned());
        }
        self.refresh(&mut state).await
    }

    async fn refresh_after_unauthorized(&self, rejected: &str) -> Result<String, AuthError> {
        let mut state = self.state.lock().await;
        if state.expired {
            return Err(AuthError::LoginExpired);
        }
        let carried_current = state.token.access_token.expose() == rejected;
        if !carried_current || self.adopt_newer_saved_token(&mut state) {
            return Ok(state.token.access_token.expose().to_owned());
        }
        self.refresh(&mut state).await
    }

    /// Replaces the in-memory login with the saved one when that is newer. Errors reading the
    /// file are ignored here: the in-memory login is still usable.
    fn adopt_newer_saved_token(&self, state: &mut LoginState) -> bool {
        match token_store::load_token(&self.config_dir) {
            Ok(saved)
                if saved.access_token != state.token.access_token
                    && saved.expires_at > state.token.expires_at =>
            {
                tracing::debug!("using the Spotify access token refreshed by another process");
                state.token = saved;
                true
            }
            Ok(_) => false,
            Err(err) => {
                tracing::debug!(error = %err, "could not re-read the saved Spotify login");
                false
            }
        }
    }

    /// Refreshes with the lock held and saves the result before anyone uses it.
    async fn refresh(&self, state: &mut LoginState) -> Result<String, AuthError> {
        tracing::debug!(expires_at = %state.token.expires_at, "refreshing the Spotify access token");
        let grant = match token_endpoint::refresh(
            &self.http,
            &self.token_url,
            &state.token.client_id,
            &state.token.refresh_token,
        )
        .await
        {
            Ok(grant) => grant,
            Err(AuthError::LoginExpired) => {
                state.expired = true;
                // The saved refresh token is dead; remove it so nothing tries it again.
                if let Err(err) = token_store::logout(&self.config_dir) {
                    tracing::warn!("{err}");
                }
                return Err(AuthError::LoginExpired);
            }
            Err(err) => return Err(err),
        };
        let token = refreshed(&state.token, grant, Utc::now());
        let saved = token_store::save_token(&self.config_dir, &token);
        // Keep the new tokens in memory even if saving failed: a rotated refresh token is
        // then still usable by this process, but no token is handed out unsaved.
        state.token = token;
        saved?;
        Ok(state.token.access_token.expose().to_owned())
    }
}

fn expires_soon(token: &StoredToken, now: DateTime<Utc>) -> bool {
    token.expires_at - now <= REFRESH_MARGIN
}

/// The login after a refresh: Spotify may omit the refresh token or the scope, then the old
/// ones stay valid. The consent time does not change.
fn refreshed(old: &StoredToken, grant: TokenGrant, now: DateTime<Utc>) -> StoredToken {
    StoredToken {
        client_id: old.client_id.clone(),
        access_token: grant.access_token,
        refresh_token: grant
            .refresh_token
            .unwrap_or_else(|| old.refresh_token.clone()),
        expires_at: expires_at(now, grant.expires_in_secs),
        scope: grant.scope.unwrap_or_else(|| old.scope.clone()),
        authorized_at: old.authorized_at,
    }
}

/// `now + expires_in`, saturating on absurd values instead of overflowing.
pub(crate) fn expires_at(now: DateTime<Utc>, expires_in_secs: u64) -> DateTime<Utc> {
    let secs = i64::try_from(expires_in_secs).unwrap_or(i64::MAX);
    TimeDelta::try_seconds(secs)
        .and_then(|delta| now.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(expires_in: i64) -> StoredToken {
        let now = Utc::now();
        StoredToken {
            client_id: "c".into(),
            access_token: Secret::new("old-access"),
            refresh_token: Secret::new("old-refresh"),
            expires_at: now + TimeDelta::seconds(expires_in),
            scope: "a b".into(),
            authorized_at: now - TimeDelta::days(3),
        }
    }

    #[test]
    fn refresh_margin_is_about_a_minute() {
        let now = Utc::now();
        assert!(expires_soon(&token(30), now));
        assert!(expires_soon(&token(-5), now));
        assert!(!expires_soon(&token(3600), now));
    }

    #[test]
    fn refreshed_keeps_old_refresh_token_and_scope_when_absent() {
        let old = token(0);
        let now = Utc::now();
        let grant = TokenGrant {
            access_token: Secret::new("new-access"),
            refresh_token: None,
            expires_in_secs: 3600,
            scope: None,
        };
        let new = refreshed(&old, grant, now);
        assert_eq!(new.access_token.expose(), "new-access");
        assert_eq!(new.refresh_token.expose(), "old-refresh");
        assert_eq!(new.scope, "a b");
        assert_eq!(new.authorized_at, old.authorized_at);
        assert_eq!(new.expires_at, now + TimeDelta::seconds(3600));
    }

    #[test]
    fn absurd_expiry_saturates() {
        let now = Utc::now();
        assert_eq!(expires_at(now, u64::MAX), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn static_provider_debug_hides_the_token() {
        let provider = TokenProvider::from_static("BQD-static-secret".into());
        assert!(!format!("{provider:?}").contains("BQD-static-secret"));
        assert!(provider.is_static());
    }
}
