//! `trackvault backup`: fetch the library into a new snapshot (resuming an interrupted one),
//! then enrich and export it, and print the closing summary. The workflow is
//! [`crate::app::backup`]; this maps the arguments and the login onto it.

use super::Out;
use crate::app::backup::{backup_with, PipelineOptions};
use crate::archive::Archive;
use crate::cli::{BackupArgs, ENV_ACCESS_TOKEN};
use crate::config::Settings;
use crate::enrich::musicbrainz::MusicBrainz;
use crate::error::Result;
use crate::progress::ProgressHandle;
use crate::spotify::auth::{self, AuthConfig, TokenProvider};
use crate::spotify::SpotifyClient;

pub async fn run(
    settings: &Settings,
    args: &BackupArgs,
    progress: ProgressHandle,
    out: Out<'_>,
) -> Result<()> {
    let tokens = token_provider(settings, args)?;
    let client = SpotifyClient::from_settings(settings, tokens)?;
    let archive = Archive::open(&settings.archive_root)?;
    let _lock = archive.lock("backup")?;
    crate::app::tidy::after_interruptions(&archive);
    let opts = PipelineOptions {
        fetch: crate::app::backup::BackupOptions {
            full: args.full,
            stop_on_ctrl_c: true,
        },
        enrich: !args.no_enrich,
        export: !args.no_export,
    };
    let musicbrainz = MusicBrainz::from_settings(settings)?;
    backup_with(&archive, &client, &musicbrainz, &opts, progress, out).await?;
    Ok(())
}

/// `TRACKVAULT_ACCESS_TOKEN` when set, else the saved login.
fn token_provider(settings: &Settings, args: &BackupArgs) -> Result<TokenProvider> {
    if let Ok(token) = std::env::var(ENV_ACCESS_TOKEN) {
        if !token.trim().is_empty() {
            return Ok(TokenProvider::from_static(token.trim().to_string()));
        }
    }
    let cfg = AuthConfig {
        client_id: args.client_id.clone().unwrap_or_default(),
        accounts_url: settings.spotify_accounts_url.clone(),
        config_dir: settings.config_dir.clone(),
    };
    Ok(TokenProvider::from_store(
        cfg,
        auth::default_http_client()?,
    )?)
}
