//! `trackvault backup`: fetch the library into a new snapshot (resuming an interrupted one),
//! then enrich and export it, and print the closing summary.

use super::{emit, Out};
use crate::archive::Archive;
use crate::cli::{BackupArgs, ENV_ACCESS_TOKEN};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::progress::ProgressHandle;
use crate::spotify::auth::{self, AuthConfig, TokenProvider};
use crate::spotify::{run_backup, BackupOptions, BackupSummary, SpotifyClient, SpotifyError};

/// What the pipeline stages after fetching should do.
#[derive(Debug, Clone, Default)]
pub struct PipelineOptions {
    pub fetch: BackupOptions,
    pub enrich: bool,
    pub export: bool,
}

/// The outcome of a finished backup.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub snapshot_id: String,
    pub summary: BackupSummary,
}

pub async fn run(
    settings: &Settings,
    args: &BackupArgs,
    progress: ProgressHandle,
    out: Out<'_>,
) -> Result<()> {
    let tokens = token_provider(settings, args)?;
    let client = SpotifyClient::from_settings(settings, tokens)?;
    let archive = Archive::open(&settings.archive_root)?;
    let opts = PipelineOptions {
        fetch: BackupOptions {
            full: args.full,
            stop_on_ctrl_c: true,
        },
        enrich: !args.no_enrich,
        export: !args.no_export,
    };
    backup_with(settings, &archive, &client, &opts, progress, out).await?;
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

/// The whole pipeline over an explicit client (the demo passes a replaying one): fetch into a
/// snapshot, then the enrichment and export stages, then the summary on `out`.
pub async fn backup_with(
    settings: &Settings,
    archive: &Archive,
    client: &SpotifyClient,
    opts: &PipelineOptions,
    progress: ProgressHandle,
    out: Out<'_>,
) -> Result<BackupReport> {
    let summary = run_backup(archive, client, &opts.fetch, &progress)
        .await
        .map_err(into_error)?;
    let snapshot_id = summary.snapshot_id.clone();
    // ---- enrichment stage: wired by the enrich module; a no-op until then ----
    if opts.enrich {
        enrich_stage(settings, archive, &snapshot_id, &progress).await?;
    }
    // ---- export stage: wired by the export module; a no-op until then ----
    if opts.export {
        export_stage(settings, archive, &snapshot_id, &progress).await?;
    }
    emit(out, &summary.render())?;
    Ok(BackupReport {
        snapshot_id,
        summary,
    })
}

/// ENRICH STAGE (placeholder): attach ISRCs/MusicBrainz ids to the new snapshot.
async fn enrich_stage(
    _settings: &Settings,
    _archive: &Archive,
    _snapshot_id: &str,
    _progress: &ProgressHandle,
) -> Result<()> {
    Ok(())
}

/// EXPORT STAGE (placeholder): write the importer-ready files of the new snapshot.
async fn export_stage(
    _settings: &Settings,
    _archive: &Archive,
    _snapshot_id: &str,
    _progress: &ProgressHandle,
) -> Result<()> {
    Ok(())
}

/// A pause becomes exit 75 with the time to resume; everything else stays as it is.
fn into_error(err: SpotifyError) -> Error {
    match err {
        SpotifyError::Paused {
            reason,
            resume_after,
        } => Error::Paused {
            reason,
            resume_after,
        },
        other => Error::Spotify(other),
    }
}
