//! `trackvault snapshots`: list complete snapshots with their counts.

use std::fmt::Write as _;

use super::{emit, Out};
use crate::archive::{Archive, Manifest};
use crate::config::Settings;
use crate::error::Result;

pub fn run(settings: &Settings, out: Out<'_>) -> Result<()> {
    let archive = Archive::open(&settings.archive_root)?;
    let scan = archive.scan_snapshots()?;
    let snapshots = scan.complete;
    let latest = archive.latest()?;
    let mut damaged = String::new();
    for d in &scan.damaged {
        let _ = writeln!(
            damaged,
            "{:<24} DAMAGED: {}; run `trackvault verify --all`",
            d.id, d.problem
        );
    }
    if snapshots.is_empty() && !damaged.is_empty() {
        return emit(out, &damaged);
    }
    if snapshots.is_empty() {
        return emit(
            out,
            &format!(
                "No snapshots in {} yet. Run `trackvault backup` (or `trackvault demo`).\n",
                settings.archive_root.display()
            ),
        );
    }
    emit(
        out,
        &(render(
            &snapshots.iter().map(|s| &s.manifest).collect::<Vec<_>>(),
            latest.as_deref(),
        ) + &damaged),
    )
}

fn received(manifest: &Manifest, key: &str) -> u64 {
    manifest.collection(key).map_or(0, |c| c.received)
}

/// The table `snapshots` prints.
pub fn render(manifests: &[&Manifest], latest: Option<&str>) -> String {
    let mut text = format!(
        "{:<24} {:<22} {:>7} {:>6} {:>5} {:>8} {:>7} {:>9} {:>8} {:>8}\n",
        "SNAPSHOT",
        "SOURCE",
        "LIKED",
        "ALBUMS",
        "SHOWS",
        "EPISODES",
        "ARTISTS",
        "PLAYLISTS",
        "ENTRIES",
        "REQUESTS"
    );
    for m in manifests {
        let entries: u64 = m
            .collections
            .iter()
            .filter(|c| c.key.starts_with("playlist:"))
            .map(|c| c.received)
            .sum();
        let marker = if latest == Some(m.id.as_str()) {
            " (latest)"
        } else {
            ""
        };
        let _ = writeln!(
            text,
            "{:<24} {:<22} {:>7} {:>6} {:>5} {:>8} {:>7} {:>9} {:>8} {:>8}{marker}",
            m.id,
            m.source,
            received(m, "liked_tracks"),
            received(m, "saved_albums"),
            received(m, "saved_shows"),
            received(m, "saved_episodes"),
            received(m, "followed_artists"),
            received(m, "playlists"),
            entries,
            m.requests.values().sum::<u64>(),
        );
    }
    text
}
