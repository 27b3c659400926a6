//! Where a command that calls the Spotify Web API gets its token: `TRACKVAULT_ACCESS_TOKEN`
//! when set (automation: used as is, never refreshed), else the login saved by
//! `trackvault login`, refreshed through the accounts service when it expires.

use crate::cli::ENV_ACCESS_TOKEN;
use crate::config::Settings;
use crate::error::Result;
use crate::spotify::auth::{self, AuthConfig, TokenProvider};

/// The token from `TRACKVAULT_ACCESS_TOKEN`, if set to something.
pub(super) fn from_env() -> Option<TokenProvider> {
    let token = std::env::var(ENV_ACCESS_TOKEN).ok()?;
    let token = token.trim();
    (!token.is_empty()).then(|| TokenProvider::from_static(token.to_string()))
}

/// The saved login; `client_id` is the user's app, needed only to refresh it.
pub(super) fn saved_login(settings: &Settings, client_id: Option<&str>) -> Result<TokenProvider> {
    let cfg = AuthConfig {
        client_id: client_id.unwrap_or_default().to_string(),
        accounts_url: settings.spotify_accounts_url.clone(),
        config_dir: settings.config_dir.clone(),
    };
    Ok(TokenProvider::from_store(
        cfg,
        auth::default_http_client()?,
    )?)
}
