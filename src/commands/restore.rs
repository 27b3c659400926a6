//! `trackvault restore [SNAPSHOT]`: plan the restore of a snapshot, print it (`--dry-run`) or
//! run it against the logged-in account (which must have the write scopes), then print the
//! summary. The plan is [`crate::restore`]'s, the run [`crate::app::restore`]'s.

use super::{emit, spotify_tokens, Out};
use crate::app::restore::{plan_snapshot, run_restore, RestoreOptions};
use crate::cli::RestoreArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::progress::ProgressHandle;
use crate::restore::RestoreError;
use crate::spotify::auth::{self, missing_write_scopes, AuthError, TokenProvider};
use crate::spotify::SpotifyClient;

pub async fn run(
    settings: &Settings,
    args: &RestoreArgs,
    progress: ProgressHandle,
    out: Out<'_>,
) -> Result<()> {
    let (archive, plan) = plan_snapshot(
        &settings.archive_root,
        args.snapshot.as_deref(),
        &args.only,
        &args.playlists,
    )?;
    if args.dry_run {
        emit(out, &plan.render())?;
        return emit(out, "Dry run: nothing was sent to Spotify.\n");
    }
    // The journal lives in the archive: one command changing the archive at a time.
    let _lock = archive.lock("restore")?;
    let tokens = write_tokens(settings, args)?;
    let client = SpotifyClient::from_settings(settings, tokens)?;
    let summary = run_restore(
        &archive,
        &client,
        &plan,
        &RestoreOptions::default(),
        &progress,
    )
    .await?;
    emit(out, &summary.render())
}

/// `TRACKVAULT_ACCESS_TOKEN` when set (its scopes cannot be checked up front: a 403 for a
/// missing scope says the same as here), else the saved login, which must have write scopes.
fn write_tokens(settings: &Settings, args: &RestoreArgs) -> Result<TokenProvider> {
    if let Some(tokens) = spotify_tokens::from_env() {
        return Ok(tokens);
    }
    let saved = match auth::load_token(&settings.config_dir) {
        Ok(saved) => saved,
        Err(AuthError::NotLoggedIn { .. }) => return Err(RestoreError::NotLoggedIn.into()),
        Err(other) => return Err(other.into()),
    };
    if !missing_write_scopes(&saved.scope).is_empty() {
        return Err(RestoreError::MissingWriteScope.into());
    }
    spotify_tokens::saved_login(settings, args.client_id.as_deref())
}
