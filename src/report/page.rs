//! Assembles the report page: one HTML document with its stylesheet, script, charts and data
//! inline. The page contract (element ids, `data-*` names) is documented in `docs/report.md`.
//!
//! Speed at 100,000 entries: the browser never lays out the whole library. Each collection's
//! rows are in the page twice — as HTML inside `<noscript>`, which a browser with JavaScript
//! reads as plain text without building elements, and as one compact JSON block that the
//! script renders 100 rows at a time when a collection is opened, and searches.

use super::chart_data;
use super::charts::{bar_chart, column_chart, line_chart};
use super::history_section::{history, lost};
use super::library_section::{data, library};
use super::rows::Collection;
use super::timeline::Timeline;
use crate::html::push_escaped;
use crate::model::Library;

const STYLE: &str = include_str!("assets/report.css");
const SCRIPT: &str = include_str!("assets/report.js");

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
                "Liked songs and tracks you added to playlists, by month",
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
