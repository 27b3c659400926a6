//! `trackvault backup`: fetch the library into a new snapshot (resuming an interrupted one),
//! then enrich and export it, and print the closing summary.

use super::{emit, Out};
use crate::app::enrich::enrich_snapshot;
use crate::archive::Archive;
use crate::cli::{BackupArgs, ENV_ACCESS_TOKEN};
use crate::config::Settings;
use crate::enrich::musicbrainz::MusicBrainz;
use crate::enrich::pipeline::EnrichOptions;
use crate::error::{Error, Result};
use crate::export::{export_library, ExportOptions};
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
    let _lock = archive.lock("backup")?;
    super::tidy::after_interruptions(&archive);
    let opts = PipelineOptions {
        fetch: BackupOptions {
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

/// The whole pipeline over explicit clients (the demo passes replaying ones): fetch into a
/// snapshot, then enrich it and export it, printing each stage's summary on `out`.
///
/// The snapshot is complete and saved before enrichment starts, so a failed enrichment never
/// loses it: the exports are still written (without the missing identifiers) and the error is
/// returned afterwards, telling the user to run `trackvault enrich`.
pub async fn backup_with(
    archive: &Archive,
    spotify: &SpotifyClient,
    musicbrainz: &MusicBrainz,
    opts: &PipelineOptions,
    progress: ProgressHandle,
    out: Out<'_>,
) -> Result<BackupReport> {
    let summary = run_backup(archive, spotify, &opts.fetch, &progress)
        .await
        .map_err(into_error)?;
    let snapshot_id = summary.snapshot_id.clone();
    emit(out, &summary.render())?;
    let mut enrich_failure = None;
    // The enriched library, kept so the export stage need not read it back from disk.
    let mut enriched = None;
    if opts.enrich {
        let outcome = enrich_snapshot(
            archive,
            &snapshot_id,
            musicbrainz,
            &EnrichOptions::default(),
            progress.clone(),
        )
        .await;
        match outcome {
            Ok((enrich_summary, library)) => {
                emit(out, &format!("\nEnrichment\n{enrich_summary}"))?;
                enriched = Some(library);
            }
            Err(err) => {
                emit(
                    out,
                    "\nEnrichment did not finish; the snapshot is saved and `trackvault enrich` \
                     continues where it stopped.\n",
                )?;
                enrich_failure = Some(err);
            }
        }
    }
    if opts.export {
        let library = match enriched {
            Some(library) => library,
            None => archive.read_library(&snapshot_id)?,
        };
        let dir = archive.exports_dir(&snapshot_id);
        let export_summary = export_library(&library, &ExportOptions::default(), &dir)?;
        emit(out, &format!("\n{export_summary}"))?;
    }
    match enrich_failure {
        Some(err) => Err(err),
        None => Ok(BackupReport {
            snapshot_id,
            summary,
        }),
    }
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
