//! `trackvault log PLAYLIST`: a playlist's history across every snapshot.

use super::{emit, Out};
use crate::archive::Archive;
use crate::cli::LogArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::history::{playlist_history, render};

pub fn run(settings: &Settings, args: &LogArgs, out: Out<'_>) -> Result<()> {
    let archive = Archive::open(&settings.archive_root)?;
    if archive.snapshots()?.is_empty() {
        return Err(crate::archive::ArchiveError::Empty(settings.archive_root.clone()).into());
    }
    let history = playlist_history(&archive, &args.playlist)?;
    if args.json {
        let mut text = serde_json::to_string_pretty(&history).unwrap_or_default();
        text.push('\n');
        emit(out, &text)
    } else {
        emit(out, &render::log_text(&history))
    }
}
