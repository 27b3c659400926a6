//! XSPF v1 playlists (xspf.org): identifiers as URIs in the order MusicBrainz recording URL,
//! `urn:isrc:`, `spotify:track:`; the Spotify web link in `<info>` (players try to play
//! `<location>`, so none is written); duration in milliseconds; characters XML 1.0 forbids
//! are removed. Unavailable rows have nothing to play or identify and are left out.

use std::borrow::Cow;
use std::io;

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::collections::{Collection, Row};
use super::fields::recording_url;
use super::summary::LeftOut;
use crate::model::{EntryKind, Library};

const XSPF_NS: &str = "http://xspf.org/ns/0/";
/// `rel` namespace for trackvault's `<meta>` elements (documented in docs/exports.md).
pub const META_REL: &str = "https://github.com/trackvault/trackvault/blob/main/docs/exports.md#";

/// Renders one collection; returns the bytes and the number of tracks written.
pub fn render(
    library: &Library,
    collection: &Collection<'_>,
    left_out: &mut LeftOut,
) -> (Vec<u8>, usize) {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let mut written = 0;
    // Writing into a Vec cannot fail; io::Result is only part of quick-xml's signatures.
    let _ = write_playlist(&mut writer, library, collection, left_out, &mut written);
    let mut bytes = writer.into_inner();
    bytes.push(b'\n');
    (bytes, written)
}

fn write_playlist(
    w: &mut Writer<Vec<u8>>,
    library: &Library,
    collection: &Collection<'_>,
    left_out: &mut LeftOut,
    written: &mut usize,
) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("playlist")
        .with_attribute(("version", "1"))
        .with_attribute(("xmlns", XSPF_NS))
        .write_inner_content(|w| {
            text_element(w, "title", &collection.name)?;
            text_element(w, "creator", &creator(library, collection))?;
            if let Some(description) = collection
                .playlist
                .and_then(|p| p.description.as_deref())
                .filter(|d| !d.is_empty())
            {
                text_element(w, "annotation", description)?;
            }
            if let Some(p) = collection.playlist {
                uri_element(w, "identifier", &format!("spotify:playlist:{}", p.id))?;
                uri_element(
                    w,
                    "info",
                    &format!("https://open.spotify.com/playlist/{}", p.id),
                )?;
            } else if let Some(a) = collection.album {
                uri_element(w, "identifier", &a.uri)?;
                uri_element(
                    w,
                    "info",
                    &format!("https://open.spotify.com/album/{}", a.id),
                )?;
            }
            text_element(w, "date", &library.created_at)?;
            w.create_element("trackList").write_inner_content(|w| {
                for row in &collection.rows {
                    if row.kind == EntryKind::Unavailable || row.item.is_none() {
                        left_out.add_kind(row.kind);
                        continue;
                    }
                    write_track(w, row)?;
                    *written += 1;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
}

fn write_track(w: &mut Writer<Vec<u8>>, row: &Row<'_>) -> io::Result<()> {
    let Some(item) = row.item else {
        return Ok(());
    };
    w.create_element("track").write_inner_content(|w| {
        if let Some(mbid) = row.recording_mbid() {
            uri_element(w, "identifier", &recording_url(mbid))?;
        }
        if let Some(isrc) = row.isrc() {
            uri_element(w, "identifier", &format!("urn:isrc:{isrc}"))?;
        }
        if row.kind != EntryKind::Local {
            uri_element(w, "identifier", &item.uri)?;
        }
        text_element(w, "title", &item.name)?;
        let artists = row.artist_names(", ");
        if !artists.is_empty() {
            text_element(w, "creator", &artists)?;
        }
        if let Some(album) = row.album_name() {
            text_element(w, "album", album)?;
        }
        if let Some(n) = item.track_number.filter(|n| *n > 0) {
            text_element(w, "trackNum", &n.to_string())?;
        }
        if let Some(ms) = item.duration_ms {
            text_element(w, "duration", &ms.to_string())?;
        }
        if let Some(url) = item.spotify_url() {
            uri_element(w, "info", &url)?;
        }
        if row.kind == EntryKind::Local {
            meta(w, "spotify-local-uri", &item.uri)?;
        }
        if let Some(at) = row.added_at {
            meta(w, "added-at", at)?;
        }
        if let Some(by) = row.added_by {
            meta(w, "added-by", by)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn creator(library: &Library, collection: &Collection<'_>) -> String {
    if let Some(p) = collection.playlist {
        return p
            .owner
            .display_name
            .clone()
            .unwrap_or_else(|| p.owner.id.clone());
    }
    if let Some(a) = collection.album {
        return a
            .artists
            .iter()
            .map(|x| x.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
    }
    library
        .user
        .display_name
        .clone()
        .unwrap_or_else(|| library.user.id.clone())
}

fn text_element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::from_escaped(xml_text(text)))?;
    Ok(())
}

/// `text` escaped for XML content: markup characters as entities, the control characters XML
/// 1.0 allows (tab, line breaks, DEL, C1, U+2028/U+2029) as character references so no raw control character
/// is ever written, and those it forbids removed.
pub fn xml_text(text: &str) -> String {
    let escaped = quick_xml::escape::escape(xml_safe(text).as_ref()).into_owned();
    let referenced = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if !escaped.contains(referenced) {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + 16);
    for c in escaped.chars() {
        if referenced(c) {
            out.push_str(&format!("&#x{:X};", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// URIs come from ids the model guarantees to be plain; anything else is skipped rather than
/// risking an invalid `anyURI`.
fn uri_element(w: &mut Writer<Vec<u8>>, name: &str, uri: &str) -> io::Result<()> {
    if uri.is_empty()
        || !uri
            .chars()
            .all(|c| c.is_ascii_graphic() && !"<>\"{}|\\^`".contains(c))
    {
        return Ok(());
    }
    text_element(w, name, uri)
}

fn meta(w: &mut Writer<Vec<u8>>, key: &str, value: &str) -> io::Result<()> {
    w.create_element("meta")
        .with_attribute(("rel", format!("{META_REL}{key}").as_str()))
        .write_text_content(BytesText::from_escaped(xml_text(value)))?;
    Ok(())
}

/// Removes characters XML 1.0 does not allow anywhere (most C0 controls, U+FFFE, U+FFFF).
pub fn xml_safe(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
    };
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_xml_illegal_characters_only() {
        assert_eq!(xml_safe("a\u{0}b\u{1b}c\u{FFFF}"), "abc");
        assert_eq!(xml_safe("tab\tnl\n😀 عربى"), "tab\tnl\n😀 عربى");
    }
}
