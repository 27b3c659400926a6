//! Import: Spotify's "Download your data" zip (or the folder it was extracted to) becomes a
//! complete snapshot. Everything is read and checked (by [`crate::import`]) before anything is
//! written; the raw `YourLibrary.json` and `Playlist*.json` are stored as objects and
//! referenced from the manifest, so `verify` works on imports exactly as on backups.

use std::path::Path;

use serde::Serialize;

use crate::archive::{Archive, CollectionRecord, Manifest};
use crate::import::{convert, read_download, Converted, DownloadFiles, ImportError};
use crate::model::SOURCE_DATA_DOWNLOAD;

/// What an import produced (printed by the command).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportSummary {
    pub snapshot: String,
    pub liked_tracks: usize,
    pub saved_albums: usize,
    pub saved_shows: usize,
    pub saved_episodes: usize,
    pub followed_artists: usize,
    pub playlists: usize,
    pub playlist_entries: usize,
    /// Files stored as raw objects, as named inside the download.
    pub stored_files: Vec<String>,
    /// Files in the download that import does not use.
    pub ignored_files: Vec<String>,
    /// Caveats, also recorded in the manifest's `notes`.
    pub notes: Vec<String>,
}

/// Imports the download at `path` into `archive` as a new complete snapshot.
pub fn import_download(archive: &Archive, path: &Path) -> Result<ImportSummary, ImportError> {
    let files = read_download(path)?;
    if files.library.is_none() && files.playlists.is_empty() {
        return Err(ImportError::NothingToImport(path.to_path_buf()));
    }
    let converted = convert(&files)?;
    let mut notes = vec![
        format!("imported from Spotify's data download ({})", path.display()),
        "no ISRCs or durations in a data download: enrichment will rely on Spotify URL relations and search".to_string(),
        "dates are day-precision (stored as midnight UTC); liked songs, saved albums, shows, episodes and followed artists carry no dates".to_string(),
        "the download has no playlist ids or snapshot_ids: playlist ids here are derived from names".to_string(),
    ];
    notes.extend(files.skipped.iter().map(|s| format!("not read: {s}")));
    if files.library.is_none() {
        notes.push("no YourLibrary.json: liked songs, saved albums, shows, episodes and followed artists are not in this snapshot".to_string());
    }

    // Everything is validated; only now touch the archive.
    let draft = archive.new_draft()?;
    let stored = store(archive, &files, &converted, notes.clone());
    let (manifest, stored_files) = match stored {
        Ok(done) => done,
        Err(e) => {
            let _ = draft.discard();
            return Err(e);
        }
    };
    let library = &converted.library;
    let snapshot = match draft.clone().finish(archive, manifest, library) {
        Ok(id) => id,
        Err(e) => {
            let _ = draft.discard();
            return Err(e.into());
        }
    };
    Ok(ImportSummary {
        snapshot,
        liked_tracks: library.liked_tracks.len(),
        saved_albums: library.saved_albums.len(),
        saved_shows: library.saved_shows.len(),
        saved_episodes: library.saved_episodes.len(),
        followed_artists: library.followed_artists.len(),
        playlists: library.playlists.len(),
        playlist_entries: library.playlists.iter().map(|p| p.entries.len()).sum(),
        stored_files,
        ignored_files: files.ignored.clone(),
        notes,
    })
}

/// Stores the raw files and builds the manifest that references them.
fn store(
    archive: &Archive,
    files: &DownloadFiles,
    converted: &Converted,
    notes: Vec<String>,
) -> Result<(Manifest, Vec<String>), ImportError> {
    let library = &converted.library;
    let mut manifest = Manifest::new(SOURCE_DATA_DOWNLOAD);
    manifest.notes = notes;
    let mut stored_files = Vec::new();
    let mut record = |key: String, count: Option<usize>, pages: Vec<String>| {
        manifest.collections.push(CollectionRecord {
            key,
            total: count.map(|n| n as u64),
            received: count.unwrap_or(0) as u64,
            pages,
            reused_from: None,
            version: None,
            skipped: false,
        });
    };
    if let Some(file) = &files.library {
        let object = archive.objects().put(&file.bytes)?;
        stored_files.push(file.name.clone());
        record(format!("file:{}", file.name), None, vec![object.clone()]);
        record(
            "liked_tracks".into(),
            Some(library.liked_tracks.len()),
            vec![object.clone()],
        );
        record(
            "saved_albums".into(),
            Some(library.saved_albums.len()),
            vec![object.clone()],
        );
        record(
            "saved_shows".into(),
            Some(library.saved_shows.len()),
            vec![object.clone()],
        );
        record(
            "saved_episodes".into(),
            Some(library.saved_episodes.len()),
            vec![object.clone()],
        );
        record(
            "followed_artists".into(),
            Some(library.followed_artists.len()),
            vec![object],
        );
    }
    let mut playlist_objects = Vec::new();
    for file in &files.playlists {
        let object = archive.objects().put(&file.bytes)?;
        stored_files.push(file.name.clone());
        record(format!("file:{}", file.name), None, vec![object.clone()]);
        playlist_objects.push(object);
    }
    record(
        "playlists".into(),
        Some(library.playlists.len()),
        playlist_objects.clone(),
    );
    for (playlist, &file_index) in library.playlists.iter().zip(&converted.playlist_file) {
        record(
            format!("playlist:{}", playlist.id),
            Some(playlist.entries.len()),
            vec![playlist_objects[file_index].clone()],
        );
    }
    Ok((manifest, stored_files))
}
