//! `trackvault backup`: fetch the library into a new snapshot (resuming an interrupted one),
//! then enrich and export it, and print the closing summary. The workflow is
//! [`crate::app::backup`]; this maps the arguments and the login onto it.

use super::{spotify_tokens, Out};
use crate::app::backup::{backup_with, PipelineOptions};
use crate::archive::Archive;
use crate::cli::BackupArgs;
use crate::config::Settings;
use crate::enrich::musicbrainz::MusicBrainz;
use crate::error::Result;
use crate::progress::ProgressHandle;
use crate::spotify::SpotifyClient;

pub async fn run(
    settings: &Settings,
    args: &BackupArgs,
    progress: ProgressHandle,
    out: Out<'_>,
) -> Result<()> {
    let tokens = match spotify_tokens::from_env() {
        Some(tokens) => tokens,
        None => spotify_tokens::saved_login(settings, args.client_id.as_deref())?,
    };
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
