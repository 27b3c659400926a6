//! Extended M3U in UTF-8: `#EXTM3U`, `#PLAYLIST:<name>`, then per track an optional comment
//! with its ISRC/MBID (comments go before `#EXTINF`, which some parsers bind to the next line
//! only), `#EXTINF:<whole seconds or -1>,Artist - Title` and the Spotify URL (the
//! `spotify:local:` URI for local files). Unavailable rows have no resource and are left out.

use std::fmt::Write as _;

use super::collections::{one_line, Collection};
use super::summary::LeftOut;
use crate::ids;

/// Renders one collection; returns the bytes and the number of tracks written.
pub fn render(collection: &Collection<'_>, left_out: &mut LeftOut) -> (Vec<u8>, usize) {
    let mut text = String::with_capacity(160 * (collection.rows.len() + 1));
    text.push_str("#EXTM3U\n");
    let _ = writeln!(text, "#PLAYLIST:{}", one_line(&collection.name));
    let mut written = 0;
    for row in &collection.rows {
        let Some(item) = row.item else {
            left_out.add_kind(row.kind);
            continue;
        };
        // The resource line is the one a player plays: only a Spotify link or a well-formed
        // URI, never text a malformed identifier would smuggle in.
        let Some(resource) = item
            .spotify_url()
            .or_else(|| ids::is_api_uri(&item.uri).then(|| item.uri.clone()))
        else {
            left_out.add("entries without a valid Spotify link");
            continue;
        };
        let mut ids = Vec::new();
        if let Some(isrc) = row.isrc() {
            ids.push(format!("ISRC {isrc}"));
        }
        if let Some(mbid) = row.recording_mbid() {
            ids.push(format!("MBID {mbid}"));
        }
        if !ids.is_empty() {
            let _ = writeln!(text, "# {}", one_line(&ids.join(" · ")));
        }
        let seconds = item
            .duration_ms
            .map_or_else(|| "-1".to_string(), |ms| (ms / 1000).to_string());
        let _ = writeln!(text, "#EXTINF:{seconds},{}", row.display_line());
        text.push_str(&resource);
        text.push('\n');
        written += 1;
    }
    (text.into_bytes(), written)
}
