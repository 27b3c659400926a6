//! The report's history sections: a timeline of what changed per snapshot, and "what Spotify
//! lost" (entries that turned into null rows, with what they used to be).

use super::rows::is_linkable_uri;
use super::timeline::{LostEntry, Step, Timeline};
use crate::html::{escape, push_escaped};

/// Names listed per change before "and N more".
const NAMES_SHOWN: usize = 20;

/// `#history`: one row per snapshot, newest first, with what changed since the one before.
pub fn history(out: &mut String, timeline: &Timeline) {
    out.push_str("<section id=\"history\"><h2>History</h2>");
    if timeline.snapshots.len() < 2 {
        out.push_str(
            "<p class=\"muted\">One snapshot so far: the history starts with the next backup.</p>",
        );
    }
    out.push_str("<table><thead><tr><th>Snapshot</th><th>Entries</th><th>What changed</th></tr></thead><tbody>");
    for (i, stats) in timeline.snapshots.iter().enumerate().rev() {
        out.push_str("<tr><td>");
        push_escaped(out, stats.created_at.get(..10).unwrap_or(&stats.created_at));
        out.push_str("<br><span class=\"muted\">");
        push_escaped(out, &stats.snapshot);
        out.push_str("</span></td><td>");
        out.push_str(&stats.entries().to_string());
        out.push_str("</td><td>");
        match i.checked_sub(1).and_then(|p| timeline.steps.get(p)) {
            None => out.push_str("First snapshot."),
            Some(step) if step.is_empty() => out.push_str("No changes."),
            Some(step) => changes(out, step),
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table>");
    for (id, problem) in &timeline.skipped {
        out.push_str("<p class=\"note\">Snapshot ");
        push_escaped(out, id);
        out.push_str(" was left out: ");
        push_escaped(out, problem);
        out.push_str(". Run <code>trackvault verify --all</code> to check the archive.</p>");
    }
    out.push_str("</section>\n");
}

fn changes(out: &mut String, step: &Step) {
    out.push_str("<ul class=\"changes\">");
    let mut item = |text: String| {
        out.push_str("<li>");
        push_escaped(out, &text);
        out.push_str("</li>");
    };
    let named = |label: &str, names: &[String]| {
        let mut text = format!("{label} ({}): ", names.len());
        text.push_str(
            &names
                .iter()
                .take(NAMES_SHOWN)
                .map(|n| format!("“{n}”"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        if names.len() > NAMES_SHOWN {
            text.push_str(&format!(" and {} more", names.len() - NAMES_SHOWN));
        }
        text
    };
    if !step.playlists_created.is_empty() {
        item(named("Playlists created", &step.playlists_created));
    }
    if !step.playlists_deleted.is_empty() {
        item(named(
            "Playlists deleted or unfollowed",
            &step.playlists_deleted,
        ));
    }
    let renamed: Vec<String> = step
        .playlists_renamed
        .iter()
        .map(|(old, new)| format!("{old}” → “{new}"))
        .collect();
    if !renamed.is_empty() {
        item(named("Playlists renamed", &renamed));
    }
    let counts = [
        ("playlist entries added", step.playlist_entries_added),
        ("playlist entries removed", step.playlist_entries_removed),
        ("liked songs added", step.liked_added),
        ("liked songs removed", step.liked_removed),
        ("albums saved", step.albums_added),
        ("albums removed", step.albums_removed),
        ("episodes saved", step.episodes_added),
        ("episodes removed", step.episodes_removed),
        ("artists followed", step.artists_followed),
        ("artists unfollowed", step.artists_unfollowed),
        ("entries became unavailable", step.lost.len()),
    ];
    for (label, n) in counts.iter().filter(|(_, n)| *n > 0) {
        item(format!("{n} {label}"));
    }
    out.push_str("</ul>");
}

/// `#lost`: every entry that became a null row, newest first, with what it used to be.
pub fn lost(out: &mut String, timeline: &Timeline) {
    out.push_str("<section id=\"lost\"><h2>What Spotify lost</h2>");
    let lost: Vec<(&str, &LostEntry)> = timeline
        .steps
        .iter()
        .zip(timeline.snapshots.iter().skip(1))
        .rev()
        .flat_map(|(step, stats)| {
            step.lost
                .iter()
                .map(move |l| (stats.created_at.as_str(), l))
        })
        .collect();
    let unavailable = timeline.snapshots.last().map_or(0, |s| s.unavailable);
    out.push_str("<p class=\"muted\">");
    push_escaped(
        out,
        &format!(
            "Entries that were playable in one snapshot and came back from Spotify as empty rows in the next, with what they used to be. The shown snapshot has {unavailable} unavailable row(s) in all; rows that were already empty in the first snapshot have no earlier version to show."
        ),
    );
    out.push_str("</p>");
    if lost.is_empty() {
        out.push_str("<p>Nothing was lost between the snapshots in this archive.</p></section>\n");
        return;
    }
    out.push_str("<table class=\"rows\"><thead><tr><th>Was</th><th>Artists</th><th>Where</th><th>Noticed</th><th>Link</th></tr></thead><tbody>");
    for (when, entry) in lost {
        out.push_str("<tr class=\"lost\"><td class=\"title\">");
        push_escaped(out, entry.name.as_deref().unwrap_or("(unknown)"));
        out.push_str("</td><td>");
        push_escaped(out, &entry.artists.join(", "));
        out.push_str("</td><td>");
        push_escaped(
            out,
            &format!("{} #{}", entry.collection, entry.position as u64 + 1),
        );
        out.push_str("</td><td>");
        push_escaped(out, when.get(..10).unwrap_or(when));
        out.push_str("</td><td>");
        if let Some(uri) = entry.uri.as_deref().filter(|u| is_linkable_uri(u)) {
            out.push_str(&format!("<a href=\"{0}\">{0}</a>", escape(uri)));
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table></section>\n");
}
