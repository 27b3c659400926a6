//! JSPF (xspf.org/jspf) with the ListenBrainz/MusicBrainz extensions, in two modes:
//!
//! - `jspf` (archive): every row, null rows included as placeholders, identifiers as far as known.
//! - `listenbrainz` (import): what `POST /1/playlist/create` accepts — only tracks with a
//!   recording MBID, that URL first in `identifier` (an array), `public` a JSON boolean, the
//!   `…#track` extension object always present (troi fails without it), no `collaborators`
//!   or `created_for`, a non-empty title.

use serde_json::{json, Map, Value};

use super::collections::{Collection, Row};
use super::fields::recording_url;
use super::summary::LeftOut;
use crate::model::{EntryKind, Library};

pub const PLAYLIST_EXTENSION: &str = "https://musicbrainz.org/doc/jspf#playlist";
pub const TRACK_EXTENSION: &str = "https://musicbrainz.org/doc/jspf#track";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Archive,
    ListenBrainz,
}

/// Renders one collection; returns the bytes and the number of tracks written.
pub fn render(
    library: &Library,
    collection: &Collection<'_>,
    mode: Mode,
    left_out: &mut LeftOut,
) -> (Vec<u8>, usize) {
    let mut tracks = Vec::with_capacity(collection.rows.len());
    for row in &collection.rows {
        match mode {
            Mode::ListenBrainz if row.recording_mbid().is_none() => {
                left_out.add(match row.kind {
                    EntryKind::Track => "tracks without a recording MBID",
                    other => super::summary::kind_reason(other),
                });
            }
            _ => tracks.push(track(row)),
        }
    }
    let written = tracks.len();
    let value = json!({ "playlist": playlist(library, collection, mode, tracks) });
    let mut bytes = serde_json::to_vec_pretty(&value).unwrap_or_default();
    bytes.push(b'\n');
    (bytes, written)
}

fn playlist(
    library: &Library,
    collection: &Collection<'_>,
    mode: Mode,
    tracks: Vec<Value>,
) -> Value {
    let mut p = Map::new();
    let title = if mode == Mode::ListenBrainz && collection.name.trim().is_empty() {
        "Untitled playlist".to_string()
    } else {
        collection.name.clone()
    };
    p.insert("title".into(), title.into());
    let creator = match (collection.playlist, collection.album) {
        (Some(pl), _) => pl
            .owner
            .display_name
            .clone()
            .unwrap_or_else(|| pl.owner.id.clone()),
        (None, Some(a)) => a
            .artists
            .iter()
            .map(|x| x.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        (None, None) => library
            .user
            .display_name
            .clone()
            .unwrap_or_else(|| library.user.id.clone()),
    };
    p.insert("creator".into(), creator.into());
    if let Some(d) = collection
        .playlist
        .and_then(|pl| pl.description.as_deref())
        .filter(|d| !d.is_empty())
    {
        p.insert("annotation".into(), d.into());
    }
    let mut extra = Map::new();
    if let Some(pl) = collection.playlist {
        p.insert(
            "identifier".into(),
            format!("https://open.spotify.com/playlist/{}", pl.id).into(),
        );
        extra.insert("spotify_playlist_id".into(), pl.id.clone().into());
        extra.insert("spotify_owner_id".into(), pl.owner.id.clone().into());
        if let Some(s) = &pl.snapshot_id {
            extra.insert("spotify_snapshot_id".into(), s.clone().into());
        }
        extra.insert("collaborative".into(), pl.collaborative.into());
    } else if let Some(a) = collection.album {
        p.insert(
            "identifier".into(),
            format!("https://open.spotify.com/album/{}", a.id).into(),
        );
        extra.insert("spotify_album_id".into(), a.id.clone().into());
        if let Some(mb) = &a.musicbrainz {
            extra.insert(
                "musicbrainz_release_id".into(),
                mb.release_id.clone().into(),
            );
        }
    } else {
        extra.insert("spotify_collection".into(), "liked_songs".into());
    }
    p.insert("date".into(), library.created_at.clone().into());
    let public = collection
        .playlist
        .and_then(|pl| pl.public)
        .unwrap_or(false);
    p.insert(
        "extension".into(),
        json!({ PLAYLIST_EXTENSION: { "public": public, "additional_metadata": extra } }),
    );
    p.insert("track".into(), Value::Array(tracks));
    Value::Object(p)
}

fn track(row: &Row<'_>) -> Value {
    let mut t = Map::new();
    let mut ext = Map::new();
    let mut extra = Map::new();
    extra.insert("position".into(), row.position.into());
    extra.insert("kind".into(), super::fields::render_kind(row.kind).into());
    let Some(item) = row.item else {
        t.insert("identifier".into(), Value::Array(Vec::new()));
        t.insert(
            "annotation".into(),
            "Unavailable on Spotify: this row no longer has a track.".into(),
        );
        ext.insert("additional_metadata".into(), Value::Object(extra));
        t.insert("extension".into(), json!({ TRACK_EXTENSION: ext }));
        return Value::Object(t);
    };
    let mb = item.musicbrainz.as_ref();
    let mut ids = Vec::new();
    if let Some(m) = mb {
        ids.push(Value::from(recording_url(&m.recording_id)));
    }
    if let Some(isrc) = &item.isrc {
        ids.push(format!("urn:isrc:{isrc}").into());
    }
    if row.kind != EntryKind::Local {
        ids.push(item.uri.clone().into());
    }
    t.insert("identifier".into(), Value::Array(ids));
    t.insert("title".into(), item.name.clone().into());
    let artists = row.artist_names(", ");
    if !artists.is_empty() {
        t.insert("creator".into(), artists.into());
    }
    if let Some(album) = row.album_name() {
        t.insert("album".into(), album.into());
    }
    if let Some(n) = item.track_number.filter(|n| *n > 0) {
        t.insert("trackNum".into(), n.into());
    }
    if let Some(ms) = item.duration_ms {
        t.insert("duration".into(), ms.into());
    }
    if let Some(url) = item.spotify_url() {
        t.insert("info".into(), url.into());
    }
    if let Some(at) = row.added_at {
        ext.insert("added_at".into(), at.into());
    }
    if let Some(by) = row.added_by {
        ext.insert("added_by".into(), by.into());
    }
    if let Some(m) = mb {
        let artists: Vec<Value> = m
            .artist_ids
            .iter()
            .map(|id| format!("https://musicbrainz.org/artist/{id}").into())
            .collect();
        ext.insert("artist_identifiers".into(), artists.into());
        if let Some(rel) = &m.release_id {
            ext.insert(
                "release_identifier".into(),
                format!("https://musicbrainz.org/release/{rel}").into(),
            );
        }
    }
    if let Some(isrc) = &item.isrc {
        extra.insert("isrc".into(), isrc.clone().into());
    }
    if let Some(id) = &item.id {
        extra.insert("spotify_id".into(), id.clone().into());
    }
    if row.kind == EntryKind::Local {
        extra.insert("spotify_uri".into(), item.uri.clone().into());
    }
    if let Some(m) = mb {
        extra.insert(
            "musicbrainz_match".into(),
            json!({ "method": m.method, "confidence": m.confidence }),
        );
    }
    ext.insert("additional_metadata".into(), Value::Object(extra));
    t.insert("extension".into(), json!({ TRACK_EXTENSION: ext }));
    Value::Object(t)
}
