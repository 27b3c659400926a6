//! `trackvault import PATH`: Spotify's data download → a snapshot.

use std::fmt::Write as _;

use super::{emit, Out};
use crate::app::import::import_download;
use crate::archive::Archive;
use crate::cli::ImportArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::terminal_text::sanitize_for_terminal;

pub fn run(settings: &Settings, args: &ImportArgs, out: Out<'_>) -> Result<()> {
    let archive = Archive::open(&settings.archive_root)?;
    let _lock = archive.lock("import")?;
    crate::app::tidy::remove_abandoned_drafts(&archive);
    let s = import_download(&archive, &args.path)?;
    let mut t = String::new();
    // File names come from inside the download: printed escaped, one line each.
    let names = |list: &[String]| {
        list.iter()
            .map(|n| sanitize_for_terminal(n).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        t,
        "Imported {} as snapshot {}:",
        sanitize_for_terminal(&args.path.display().to_string()),
        s.snapshot
    );
    let _ = writeln!(
        t,
        "  {} liked songs, {} saved albums, {} saved shows, {} saved episodes, {} followed artists",
        s.liked_tracks, s.saved_albums, s.saved_shows, s.saved_episodes, s.followed_artists
    );
    let _ = writeln!(
        t,
        "  {} playlists with {} entries",
        s.playlists, s.playlist_entries
    );
    let _ = writeln!(t, "  raw files stored: {}", names(&s.stored_files));
    if !s.ignored_files.is_empty() {
        let _ = writeln!(t, "  not used: {}", names(&s.ignored_files));
    }
    t.push_str("Note: a data download has no ISRCs or durations, so enrichment will rely on Spotify URL relations and search for this snapshot.\n");
    for note in s.notes.iter().skip(2) {
        let _ = writeln!(t, "Note: {}.", sanitize_for_terminal(note));
    }
    emit(out, &t)
}
