//! `trackvault login` and `trackvault logout`.

use std::io::IsTerminal;
use std::time::Duration;

use super::{emit, Out};
use crate::cli::LoginArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::spotify::auth::{self, AuthConfig, AuthError, LoginOptions, SCOPES, WRITE_SCOPES};

pub async fn login(settings: &Settings, args: &LoginArgs, out: Out<'_>) -> Result<()> {
    let client_id = args
        .client_id
        .clone()
        .filter(|id| !id.trim().is_empty())
        .ok_or(AuthError::MissingClientId)?;
    let cfg = AuthConfig {
        client_id,
        accounts_url: settings.spotify_accounts_url.clone(),
        config_dir: settings.config_dir.clone(),
    };
    let opts = LoginOptions {
        open_browser: !args.no_browser,
        port: args.port,
        timeout: Duration::from_secs(args.timeout_secs),
    };
    let http = auth::default_http_client()?;
    // On a terminal the user may paste the redirect URL instead (e.g. browser on another machine).
    let pasted = std::io::stdin().is_terminal().then(auth::stdin_lines);
    // `--write` adds the scopes `restore` needs; a plain login stays read-only.
    let mut scopes: Vec<&str> = SCOPES.to_vec();
    if args.write {
        scopes.extend_from_slice(WRITE_SCOPES);
    }
    let outcome = auth::login_with_scopes(&cfg, &opts, &scopes, out, &http, pasted).await?;
    if args.write && outcome.missing_scopes.is_empty() {
        emit(
            out,
            "This login may also write (create playlists, save to the library): `trackvault restore` can use it.\n",
        )?;
    }
    Ok(())
}

pub fn logout(settings: &Settings, out: Out<'_>) -> Result<()> {
    let message = if auth::logout(&settings.config_dir)? {
        "Logged out: the stored Spotify token was deleted.\n"
    } else {
        "There was no stored Spotify login to delete.\n"
    };
    emit(out, message)
}
