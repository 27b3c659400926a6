//! The closing summary of a backup: counts per collection, requests per endpoint, time
//! taken, reuse, and which playlists could not be read and why.

use std::fmt::Write as _;
use std::time::Duration;

use crate::archive::Manifest;
use crate::http::RequestCounts;
use crate::model::{Contents, Library};

/// Rows of one collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionCount {
    pub name: &'static str,
    pub received: u64,
    pub total: Option<u64>,
    pub reused: bool,
}

#[derive(Debug, Clone)]
pub struct BackupSummary {
    /// The published snapshot (empty until finished).
    pub snapshot_id: String,
    /// This run continued an interrupted backup.
    pub resumed: bool,
    pub collections: Vec<CollectionCount>,
    pub playlists: usize,
    pub playlists_fetched: usize,
    pub playlists_reused: usize,
    pub playlist_entries: u64,
    /// Playlist name and why its items could not be read.
    pub not_accessible: Vec<(String, String)>,
    /// Requests this run sent, per endpoint.
    pub requests: RequestCounts,
    pub elapsed: Duration,
    /// Count mismatches and other remarks.
    pub notes: Vec<String>,
}

const NAMES: &[(&str, &str)] = &[
    ("liked_tracks", "liked songs"),
    ("saved_albums", "saved albums"),
    ("saved_shows", "saved shows"),
    ("saved_episodes", "saved episodes"),
    ("followed_artists", "followed artists"),
];

impl BackupSummary {
    pub(crate) fn new(
        manifest: &Manifest,
        library: &Library,
        requests: RequestCounts,
        resumed: bool,
    ) -> Self {
        let collections = NAMES
            .iter()
            .filter_map(|(key, name)| {
                manifest.collection(key).map(|c| CollectionCount {
                    name,
                    received: c.received,
                    total: c.total,
                    reused: c.reused_from.is_some(),
                })
            })
            .collect();
        let playlist_records = manifest
            .collections
            .iter()
            .filter(|c| c.key.starts_with("playlist:"));
        let (mut fetched, mut reused) = (0, 0);
        for record in playlist_records {
            if record.reused_from.is_some() {
                reused += 1;
            } else if !record.skipped {
                fetched += 1;
            }
        }
        BackupSummary {
            snapshot_id: String::new(),
            resumed,
            collections,
            playlists: library.playlists.len(),
            playlists_fetched: fetched,
            playlists_reused: reused,
            playlist_entries: library
                .playlists
                .iter()
                .map(|p| p.entries.len() as u64)
                .sum(),
            not_accessible: library
                .playlists
                .iter()
                .filter(|p| p.contents == Contents::NotAccessible)
                .map(|p| {
                    (
                        p.name.clone(),
                        p.not_accessible_reason.clone().unwrap_or_default(),
                    )
                })
                .collect(),
            requests,
            elapsed: Duration::ZERO,
            notes: manifest.notes.clone(),
        }
    }

    pub(crate) fn finished(mut self, snapshot_id: String, elapsed: Duration) -> Self {
        self.snapshot_id = snapshot_id;
        self.elapsed = elapsed;
        self
    }

    /// The text `trackvault backup` prints at the end.
    pub fn render(&self) -> String {
        let mut text = format!(
            "Snapshot {} saved{} in {:.1}s.\n",
            self.snapshot_id,
            if self.resumed { " (resumed)" } else { "" },
            self.elapsed.as_secs_f64()
        );
        for c in &self.collections {
            let total = match c.total {
                Some(t) if t != c.received => format!(" (Spotify reported {t})"),
                _ => String::new(),
            };
            let reused = if c.reused { ", unchanged" } else { "" };
            let _ = writeln!(text, "  {:<18} {:>7}{total}{reused}", c.name, c.received);
        }
        let _ = writeln!(
            text,
            "  {:<18} {:>7} ({} fetched, {} unchanged, {} not accessible; {} entries)",
            "playlists",
            self.playlists,
            self.playlists_fetched,
            self.playlists_reused,
            self.not_accessible.len(),
            self.playlist_entries
        );
        let _ = writeln!(text, "Requests: {}", self.requests.total());
        for (label, n) in &self.requests.0 {
            let _ = writeln!(text, "  {label:<24} {n:>6}");
        }
        if !self.not_accessible.is_empty() {
            let _ = writeln!(text, "Playlists whose items could not be read:");
            for (name, why) in &self.not_accessible {
                // Both come from outside (the name, and Spotify's reason): one line each.
                let _ = writeln!(
                    text,
                    "  {name:?}: {}",
                    crate::terminal_text::sanitize_for_terminal(why)
                );
            }
        }
        for note in &self.notes {
            let _ = writeln!(text, "Note: {note}");
        }
        text
    }
}
