//! The report's library section: one collapsible table per collection, its rows as plain HTML
//! for readers without JavaScript, and the same rows as the JSON block the page's script pages
//! through and searches.

use serde::Serialize;

use super::rows::{Collection, CollectionKind, Row};
use crate::html::{json_for_script, push_escaped};

/// `#library`: a `<details>` per collection with its rows as HTML inside `<noscript>`.
pub fn library(out: &mut String, collections: &[Collection]) {
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

/// The `<script type="application/json" id="data">` block the page's script reads.
pub fn data(out: &mut String, collections: &[Collection]) {
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
