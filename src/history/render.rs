//! Human-readable text for `diff` and `log`. Scripts should use `--json` instead: this text may
//! change between versions.

use crate::terminal_text::sanitize_for_terminal;
use std::fmt::Write as _;

use super::diff::{EntryChanges, EntryMove, EntryRef, LibraryDiff, PlaylistDiff, SetChanges};
use super::log::{LogStatus, PlaylistHistory};
use crate::model::EntryKind;

/// The text `trackvault diff` prints.
pub fn diff_text(diff: &LibraryDiff) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Changes from {} ({}) to {} ({})",
        diff.old.snapshot, diff.old.source, diff.new.snapshot, diff.new.source
    );
    if diff.is_empty() {
        t.push_str("No changes.\n");
    }
    let s = &diff.summary;
    let p = &diff.playlists;
    if s.playlists_created + s.playlists_deleted + s.playlists_changed > 0 {
        let _ = writeln!(
            t,
            "\nPlaylists: {} created, {} deleted, {} changed",
            s.playlists_created, s.playlists_deleted, s.playlists_changed
        );
    }
    for c in &p.created {
        let _ = writeln!(t, "  + {:?} created{}", c.name, count_note(c.entries));
    }
    for d in &p.deleted {
        let _ = writeln!(t, "  - {:?} deleted{}", d.name, count_note(d.entries));
    }
    for d in &p.changed {
        playlist_text(&mut t, d);
    }
    if !p.not_compared.is_empty() {
        let _ = writeln!(
            t,
            "\nContents unknown (not accessible to this app, so not compared): {}",
            p.not_compared
                .iter()
                .map(|r| format!("{:?}", r.name))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    entries_text(&mut t, "Liked songs", &diff.liked_tracks);
    entries_text(&mut t, "Saved episodes", &diff.saved_episodes);
    set_text(&mut t, "Saved albums", &diff.saved_albums);
    set_text(&mut t, "Saved shows", &diff.saved_shows);
    set_text(&mut t, "Followed artists", &diff.followed_artists);
    t
}

fn count_note(entries: Option<usize>) -> String {
    match entries {
        Some(1) => " (1 entry)".to_string(),
        Some(n) => format!(" ({n} entries)"),
        None => " (contents not accessible)".to_string(),
    }
}

fn playlist_text(t: &mut String, d: &PlaylistDiff) {
    let mut notes = Vec::new();
    if let Some(r) = &d.renamed {
        notes.push(format!("renamed from {:?}", r.old));
    }
    if d.description.is_some() {
        notes.push("description changed".to_string());
    }
    if d.contents == super::diff::ContentsComparison::Unknown {
        notes.push("contents unknown (not accessible)".to_string());
    } else {
        let counts = [
            (d.added.len(), "added"),
            (d.removed.len(), "removed"),
            (d.moved.len(), "moved"),
            (d.became_unavailable.len(), "became unavailable"),
        ];
        let counts: Vec<String> = counts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        if !counts.is_empty() {
            notes.push(counts.join(", "));
        }
    }
    let _ = writeln!(
        t,
        "  ~ {:?} [{}]: {} ({} → {} entries)",
        d.name,
        d.id,
        notes.join("; "),
        d.old_entries,
        d.new_entries
    );
    for e in &d.added {
        let _ = writeln!(t, "      + #{:<5} {}", e.position + 1, entry_label(e));
    }
    for e in &d.removed {
        let _ = writeln!(t, "      - #{:<5} {}", e.position + 1, entry_label(e));
    }
    for m in &d.moved {
        let _ = writeln!(
            t,
            "      ↕ #{} → #{}  {}",
            m.from + 1,
            m.to + 1,
            move_label(m)
        );
    }
    for m in &d.became_unavailable {
        let _ = writeln!(
            t,
            "      ✗ #{:<5} {} became unavailable",
            m.to + 1,
            move_label(m)
        );
    }
}

fn entries_text(t: &mut String, title: &str, c: &EntryChanges) {
    if c.added.is_empty() && c.removed.is_empty() && c.became_unavailable.is_empty() {
        return;
    }
    let _ = writeln!(
        t,
        "\n{title}: {} added, {} removed, {} became unavailable",
        c.added.len(),
        c.removed.len(),
        c.became_unavailable.len()
    );
    for e in &c.added {
        let _ = writeln!(t, "  + {}", entry_label(e));
    }
    for e in &c.removed {
        let _ = writeln!(t, "  - {}", entry_label(e));
    }
    for m in &c.became_unavailable {
        let _ = writeln!(t, "  ✗ {} became unavailable", move_label(m));
    }
}

fn set_text(t: &mut String, title: &str, c: &SetChanges) {
    if c.added.is_empty() && c.removed.is_empty() {
        return;
    }
    let _ = writeln!(
        t,
        "\n{title}: {} added, {} removed",
        c.added.len(),
        c.removed.len()
    );
    for (sign, list) in [("+", &c.added), ("-", &c.removed)] {
        for r in list {
            let _ = writeln!(
                t,
                "  {sign} {}",
                label(&r.artists, Some(&r.name), Some(&r.uri))
            );
        }
    }
}

fn entry_label(e: &EntryRef) -> String {
    let mut text = if e.kind == EntryKind::Unavailable {
        "(unavailable row)".to_string()
    } else {
        label(&e.artists, e.name.as_ref(), e.uri.as_ref())
    };
    if let Some(date) = &e.added_at {
        let _ = write!(text, " (added {})", short_date(date));
    }
    text
}

fn move_label(m: &EntryMove) -> String {
    let mut text = label(&m.artists, m.name.as_ref(), m.uri.as_ref());
    if let Some(date) = &m.added_at {
        let _ = write!(text, " (added {})", short_date(date));
    }
    text
}

fn label(artists: &[String], name: Option<&String>, uri: Option<&String>) -> String {
    let name = name.map_or("?", String::as_str);
    let base = if artists.is_empty() {
        name.to_string()
    } else {
        format!("{} – {name}", artists.join(", "))
    };
    // Names and URIs come from outside: one line, no terminal escapes.
    let base = sanitize_for_terminal(&base).into_owned();
    match uri {
        Some(uri) => format!("{base} <{}>", sanitize_for_terminal(uri)),
        None => base,
    }
}

fn short_date(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

/// The table `trackvault log` prints.
pub fn log_text(h: &PlaylistHistory) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "History of {:?} [{}]", h.name, h.playlist_id);
    let _ = writeln!(
        t,
        "{:<24} {:<15} {:>7} {:>6} {:>8} {:>6} {:>6}  {:<30} SPOTIFY SNAPSHOT_ID",
        "SNAPSHOT", "STATUS", "ENTRIES", "ADDED", "REMOVED", "MOVED", "UNAVL", "NAME",
    );
    for r in &h.snapshots {
        let num = |n: Option<usize>| n.map_or("-".to_string(), |n| n.to_string());
        let _ = writeln!(
            t,
            "{:<24} {:<15} {:>7} {:>6} {:>8} {:>6} {:>6}  {:<30} {}",
            r.snapshot,
            r.status.as_str(),
            num(r.entries),
            num(r.added),
            num(r.removed),
            num(r.moved),
            num(r.became_unavailable),
            sanitize_for_terminal(r.name.as_deref().unwrap_or("-")),
            sanitize_for_terminal(r.spotify_snapshot_id.as_deref().unwrap_or("-")),
        );
    }
    if h.snapshots
        .iter()
        .any(|r| r.status == LogStatus::NotAccessible)
    {
        t.push_str("\nnot_accessible: Spotify showed only the playlist's metadata, so its entries are unknown in that snapshot.\n");
    }
    t
}
