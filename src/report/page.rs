//! Assembles the report page: one HTML document with its stylesheet, script, charts and data
//! inline. The page contract (element ids, `data-*` names) is documented in `docs/report.md`.
//!
//! Speed at 100,000 entries: the browser never lays out the whole library. Each collection's
//! rows are in the page twice — as HTML inside `<noscript>`, which a browser with JavaScript
//! reads as plain text without building elements, and as one compact JSON block that the
//! script renders 100 rows at a time when a collection is opened, and searches.

use serde::Serialize;

use super::chart_data;
use super::charts::{bar_chart, column_chart, line_chart};
use super::rows::{Collection, CollectionKind, Row};
use super::timeline::{Step, Timeline};
use crate::html::{escape, json_for_script, push_escaped};
use crate::model::Library;

const STYLE: &str = include_str!("assets/report.css");
const SCRIPT: &str = include_str!("assets/report.js");
/// Names listed per change before "and N more".
const NAMES_SHOWN: usize = 20;

/// What one page shows.
pub struct PageInput<'a> {
    pub library: &'a Library,
    pub snapshot: &'a str,
    /// When the page was written (RFC 3339).
    pub generated_at: &'a str,
    pub timeline: &'a Timeline,
}

/// The whole page.
pub fn render(input: &PageInput<'_>) -> String {
    let collections = super::rows::collections(input.library);
    let rows: usize = collections.iter().map(|c| c.rows.len()).sum();
    let mut out = String::with_capacity(4096 + rows * 700);
    head(&mut out, input);
    overview(&mut out, input, &collections);
    charts(&mut out, input);
    history(&mut out, input.timeline);
    lost(&mut out, input.timeline);
    library(&mut out, &collections);
    data(&mut out, &collections);
    out.push_str("<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

fn head(out: &mut String, input: &PageInput<'_>) {
    let user = &input.library.user;
    let who = user.display_name.as_deref().unwrap_or(&user.id);
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\" data-trackvault-report=\"1\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n<title>",
    );
    push_escaped(out, &format!("Spotify library of {who} — trackvault"));
    out.push_str("</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<header>\n<h1>");
    push_escaped(out, &format!("Spotify library of {who}"));
    out.push_str("</h1>\n<p class=\"sub\">Snapshot ");
    push_escaped(out, input.snapshot);
    let source = match input.library.source.as_str() {
        crate::model::SOURCE_DATA_DOWNLOAD => "Spotify's data download",
        _ => "the Spotify Web API",
    };
    out.push_str(&format!(", from {source}; page written "));
    push_escaped(out, input.generated_at);
    out.push_str(" by trackvault.</p>\n<nav><a href=\"#overview\">Overview</a><a href=\"#charts\">Charts</a><a href=\"#history\">History</a><a href=\"#lost\">What Spotify lost</a><a href=\"#library\">Library</a></nav>\n\
        <form id=\"search\" role=\"search\"><input id=\"q\" type=\"search\" hidden placeholder=\"Search titles, artists, albums, ISRCs, MusicBrainz ids\" aria-label=\"Search the library\" autocomplete=\"off\">\
        <noscript><p class=\"muted\">Search needs JavaScript; everything else on this page works without it.</p></noscript></form>\n</header>\n\
        <section id=\"results\" hidden data-matches=\"0\"><h2>Search results</h2><p class=\"count\"></p><div class=\"found\"></div></section>\n<main id=\"main\">\n");
}

fn overview(out: &mut String, input: &PageInput<'_>, collections: &[Collection]) {
    let l = input.library;
    let complete = l
        .playlists
        .iter()
        .filter(|p| p.contents == crate::model::Contents::Complete);
    let counts: [(&str, &str, usize); 8] = [
        ("liked_tracks", "Liked songs", l.liked_tracks.len()),
        ("playlists", "Playlists", l.playlists.len()),
        (
            "playlist_entries",
            "Playlist entries",
            complete.map(|p| p.entries.len()).sum(),
        ),
        ("saved_albums", "Saved albums", l.saved_albums.len()),
        ("saved_shows", "Saved shows", l.saved_shows.len()),
        ("saved_episodes", "Saved episodes", l.saved_episodes.len()),
        (
            "followed_artists",
            "Followed artists",
            l.followed_artists.len(),
        ),
        ("snapshots", "Snapshots", input.timeline.snapshots.len()),
    ];
    out.push_str("<section id=\"overview\"><h2>Overview</h2><dl class=\"counts\">");
    for (key, label, n) in counts {
        out.push_str(&format!(
            "<div><dt>{label}</dt><dd data-count=\"{key}\">{n}</dd></div>"
        ));
    }
    let hidden = collections.iter().filter(|c| c.note.is_some()).count();
    out.push_str("</dl>");
    if hidden > 0 {
        out.push_str(&format!(
            "<p class=\"note\">{hidden} playlist(s) could not be read (Spotify showed only their names); they are marked below.</p>"
        ));
    }
    out.push_str("</section>\n");
}

fn charts(out: &mut String, input: &PageInput<'_>) {
    let (coverage, with_isrc, tracks) = chart_data::identifier_coverage(input.library);
    let figures = [
        (
            "Library size over time",
            line_chart(
                "Liked songs, playlist entries and saved episodes in each snapshot",
                &chart_data::size_over_time(input.timeline),
            ),
            String::new(),
        ),
        (
            "Tracks added per month",
            column_chart(
                "Liked songs and playlist tracks by the month they were added",
                &chart_data::added_per_month(input.library),
            ),
            String::new(),
        ),
        (
            "Top artists",
            bar_chart(
                "Artists with the most liked songs and playlist tracks",
                &chart_data::top_artists(input.library),
                false,
            ),
            String::new(),
        ),
        (
            "Identifier coverage",
            bar_chart(
                "How each track's MusicBrainz recording was found",
                &coverage,
                true,
            ),
            format!("{with_isrc} of {tracks} distinct tracks carry an ISRC."),
        ),
    ];
    out.push_str("<section id=\"charts\"><h2>Charts</h2><div class=\"charts\">");
    for (caption, svg, note) in figures {
        out.push_str("<figure><figcaption>");
        push_escaped(out, caption);
        out.push_str("</figcaption>");
        out.push_str(&svg);
        if !note.is_empty() {
            out.push_str("<p class=\"muted\">");
            push_escaped(out, &note);
            out.push_str("</p>");
        }
        out.push_str("</figure>");
    }
    out.push_str("</div></section>\n");
}

fn history(out: &mut String, timeline: &Timeline) {
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

fn lost(out: &mut String, timeline: &Timeline) {
    out.push_str("<section id=\"lost\"><h2>What Spotify lost</h2>");
    let lost: Vec<(&str, &super::timeline::LostEntry)> = timeline
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
        if let Some(uri) = entry.uri.as_deref().filter(|u| linkable(u)) {
            out.push_str(&format!("<a href=\"{0}\">{0}</a>", escape(uri)));
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table></section>\n");
}

fn linkable(uri: &str) -> bool {
    crate::ids::is_api_uri(uri) && !uri.starts_with("spotify:local:")
}

fn library(out: &mut String, collections: &[Collection]) {
    out.push_str("<section id=\"library\"><h2>Library</h2><p class=\"muted\">Open a collection to see its rows.</p>");
    for (i, c) in collections.iter().enumerate() {
        out.push_str(&format!("<details class=\"coll\" data-c=\"{i}\"><summary>"));
        push_escaped(out, &c.name);
        out.push_str(&format!(
            " <span class=\"n\">· {}</span></summary>",
            count_label(c)
        ));
        if !c.detail.is_empty() {
            out.push_str("<p class=\"detail\">");
            push_escaped(out, &c.detail);
            out.push_str("</p>");
        }
        if let Some(note) = &c.note {
            out.push_str("<p class=\"note\">");
            push_escaped(out, note);
            out.push_str("</p>");
        }
        if !c.rows.is_empty() {
            out.push_str("<noscript><table class=\"rows\"><thead><tr>");
            for header in headers(c.kind) {
                out.push_str(&format!("<th>{header}</th>"));
            }
            out.push_str("</tr></thead><tbody>");
            for row in &c.rows {
                push_row(out, row);
            }
            out.push_str("</tbody></table></noscript><div class=\"rows\"></div>");
        }
        out.push_str("</details>");
    }
    out.push_str("</section>\n</main>\n");
}

/// Column titles of a collection's table (the script reads them from the data block too).
fn headers(kind: CollectionKind) -> [&'static str; 5] {
    match kind {
        CollectionKind::Liked | CollectionKind::Playlist => {
            ["Title", "Artists", "Album", "Added", "Links"]
        }
        CollectionKind::Albums => ["Album", "Artists", "Tracks", "Saved", "Links"],
        CollectionKind::Shows => ["Show", "Publisher", "Episodes", "Saved", "Links"],
        CollectionKind::Episodes => ["Episode", "", "Show", "Saved", "Links"],
        CollectionKind::Artists => ["Artist", "Genres", "", "", "Links"],
    }
}

fn count_label(c: &Collection) -> String {
    let unit = match c.kind {
        CollectionKind::Albums => "albums",
        CollectionKind::Shows => "shows",
        CollectionKind::Artists => "artists",
        CollectionKind::Episodes => "episodes",
        CollectionKind::Liked | CollectionKind::Playlist => "entries",
    };
    match &c.note {
        Some(_) => "entries not readable".to_string(),
        None => format!("{} {unit}", c.rows.len()),
    }
}

/// One row as plain HTML for readers without JavaScript: the cells and links of `rowEl` in
/// assets/report.js, in fewer bytes (optional end tags left out, no classes), since a 100,000-row
/// library writes this 100,000 times.
fn push_row(out: &mut String, r: &Row) {
    out.push_str(if r.kind == "unavailable" {
        "<tr class=na><td>"
    } else {
        "<tr><td>"
    });
    push_escaped(out, &r.title);
    for text in [&r.artists, &r.album, &r.added] {
        out.push_str("<td>");
        push_escaped(out, text);
    }
    out.push_str("<td>");
    // URIs, ISRCs and MBIDs are checked shapes (letters, digits, `:` and `-`): nothing to escape.
    if !r.uri.is_empty() {
        out.push_str(&format!("<a href=\"{}\">spotify</a> ", r.uri));
    }
    if !r.isrc.is_empty() {
        out.push_str(&format!("<span>{}</span> ", r.isrc));
    }
    for (kind, id) in musicbrainz_links(r) {
        out.push_str(&format!(
            "<a href=\"{MUSICBRAINZ}{kind}/{id}\">{}</a> ",
            kind.replace('-', " ")
        ));
    }
}

const MUSICBRAINZ: &str = "https://musicbrainz.org/";

/// The MusicBrainz pages a row links to: recording, release (else release group), artists.
fn musicbrainz_links(r: &Row) -> impl Iterator<Item = (&'static str, &str)> {
    let release = if r.release.is_empty() {
        ("release-group", r.release_group.as_str())
    } else {
        ("release", r.release.as_str())
    };
    [("recording", r.recording.as_str()), release]
        .into_iter()
        .chain(r.artist_mbids.iter().map(|a| ("artist", a.as_str())))
        .filter(|(_, id)| !id.is_empty())
}

#[derive(Serialize)]
struct DataCollection<'a> {
    n: &'a str,
    k: CollectionKind,
    h: [&'static str; 5],
    r: Vec<DataRow<'a>>,
}

/// A row as the script reads it: a fixed-order array (see `F` in assets/report.js).
type DataRow<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    String,
    &'a str,
);

fn data(out: &mut String, collections: &[Collection]) {
    #[derive(Serialize)]
    struct Data<'a> {
        c: Vec<DataCollection<'a>>,
    }
    let data = Data {
        c: collections
            .iter()
            .map(|c| DataCollection {
                n: &c.name,
                k: c.kind,
                h: headers(c.kind),
                r: c.rows
                    .iter()
                    .map(|r| {
                        (
                            r.title.as_str(),
                            r.artists.as_str(),
                            r.album.as_str(),
                            r.added.as_str(),
                            r.uri.as_str(),
                            r.isrc.as_str(),
                            r.recording.as_str(),
                            r.release.as_str(),
                            r.release_group.as_str(),
                            r.artist_mbids.join(" "),
                            r.kind,
                        )
                    })
                    .collect(),
            })
            .collect(),
    };
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "{\"c\":[]}".to_string());
    out.push_str("<script type=\"application/json\" id=\"data\">");
    out.push_str(&json_for_script(&json));
    out.push_str("</script>\n");
}
