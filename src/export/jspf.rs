//! JSPF (xspf.org/jspf) with the ListenBrainz/MusicBrainz extensions, in two modes:
//!
//! - `jspf` (archive): every row, null rows included as placeholders, identifiers as far as known.
//! - `listenbrainz` (import): what `POST /1/playlist/create` accepts — only tracks with a
//!   recording MBID, that URL first in `identifier` (an array), `public` a JSON boolean, the
//!   `…#track` extension object always present (troi fails without it), no `collaborators`
//!   or `created_for`, a non-empty title.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::collections::{Collection, Row};
use super::fields::recording_url;
use super::summary::LeftOut;
use crate::model::{EntryKind, Library, MatchMethod};

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
    let doc = Doc {
        playlist: PlaylistOut {
            head: playlist(library, collection, mode),
            track: tracks,
        },
    };
    let mut bytes = Vec::with_capacity(1024 * (written + 1));
    // Serializing plain structs and strings into a Vec cannot fail.
    let _ = super::json_text::to_writer_pretty(&mut bytes, &doc);
    bytes.push(b'\n');
    (bytes, written)
}

/// The `listenbrainz` document of one collection in parts, for `push listenbrainz`: the playlist
/// head (title, creator, annotation, the `…#playlist` extension with `public`) and, for each row
/// with a recording MBID, that MBID and the track object the file export writes. Rows left out
/// are counted in `left_out` exactly as the export counts them.
pub fn listenbrainz_parts(
    library: &Library,
    collection: &Collection<'_>,
    left_out: &mut LeftOut,
) -> (Map<String, Value>, Vec<(String, Value)>) {
    let mut tracks = Vec::with_capacity(collection.rows.len());
    for row in &collection.rows {
        let Some(mbid) = row.recording_mbid() else {
            left_out.add(match row.kind {
                EntryKind::Track => "tracks without a recording MBID",
                other => super::summary::kind_reason(other),
            });
            continue;
        };
        // Serializing plain structs and strings cannot fail.
        let value = serde_json::to_value(track(row)).unwrap_or(Value::Null);
        tracks.push((mbid.to_string(), value));
    }
    (playlist(library, collection, Mode::ListenBrainz), tracks)
}

// Typed output structs: per-track `serde_json::Value` maps cost several times more time and
// memory on a 100,000-entry library. Field order is the order written.

#[derive(Serialize)]
struct Doc<'a> {
    playlist: PlaylistOut<'a>,
}

#[derive(Serialize)]
struct PlaylistOut<'a> {
    #[serde(flatten)]
    head: Map<String, Value>,
    track: Vec<TrackOut<'a>>,
}

#[derive(Serialize)]
struct TrackOut<'a> {
    identifier: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotation: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    creator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    album: Option<&'a str>,
    #[serde(rename = "trackNum", skip_serializing_if = "Option::is_none")]
    track_num: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    info: Option<String>,
    extension: TrackExtension<'a>,
}

#[derive(Serialize)]
struct TrackExtension<'a> {
    #[serde(rename = "https://musicbrainz.org/doc/jspf#track")]
    track: TrackExt<'a>,
}

#[derive(Serialize)]
struct TrackExt<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    added_at: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    added_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    artist_identifiers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    release_identifier: Option<String>,
    additional_metadata: TrackExtra<'a>,
}

#[derive(Serialize)]
struct TrackExtra<'a> {
    position: u32,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    isrc: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spotify_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spotify_uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    musicbrainz_match: Option<MatchOut>,
}

#[derive(Serialize)]
struct MatchOut {
    method: MatchMethod,
    confidence: f64,
}

fn playlist(library: &Library, collection: &Collection<'_>, mode: Mode) -> Map<String, Value> {
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
    p
}

fn track<'a>(row: &Row<'a>) -> TrackOut<'a> {
    let extra = TrackExtra {
        position: row.position,
        kind: super::fields::render_kind(row.kind),
        isrc: None,
        spotify_id: None,
        spotify_uri: None,
        musicbrainz_match: None,
    };
    let Some(item) = row.item else {
        return TrackOut {
            identifier: Vec::new(),
            annotation: Some("Unavailable on Spotify: this row no longer has a track."),
            title: None,
            creator: None,
            album: None,
            track_num: None,
            duration: None,
            info: None,
            extension: TrackExtension {
                track: TrackExt {
                    added_at: None,
                    added_by: None,
                    artist_identifiers: None,
                    release_identifier: None,
                    additional_metadata: extra,
                },
            },
        };
    };
    let mb = item.musicbrainz.as_ref();
    let mut identifier = Vec::with_capacity(3);
    if let Some(m) = mb {
        identifier.push(recording_url(&m.recording_id));
    }
    if let Some(isrc) = &item.isrc {
        identifier.push(format!("urn:isrc:{isrc}"));
    }
    if row.kind != EntryKind::Local {
        identifier.push(item.uri.clone());
    }
    let artists = row.artist_names(", ");
    TrackOut {
        identifier,
        annotation: None,
        title: Some(&item.name),
        creator: (!artists.is_empty()).then_some(artists),
        album: row.album_name(),
        track_num: item.track_number.filter(|n| *n > 0),
        duration: item.duration_ms,
        info: item.spotify_url(),
        extension: TrackExtension {
            track: TrackExt {
                added_at: row.added_at,
                added_by: row.added_by,
                artist_identifiers: mb.map(|m| {
                    m.artist_ids
                        .iter()
                        .map(|id| format!("https://musicbrainz.org/artist/{id}"))
                        .collect()
                }),
                release_identifier: mb
                    .and_then(|m| m.release_id.as_ref())
                    .map(|rel| format!("https://musicbrainz.org/release/{rel}")),
                additional_metadata: TrackExtra {
                    isrc: item.isrc.as_deref(),
                    spotify_id: item.id.as_deref(),
                    spotify_uri: (row.kind == EntryKind::Local).then_some(item.uri.as_str()),
                    musicbrainz_match: mb.map(|m| MatchOut {
                        method: m.method,
                        confidence: m.confidence,
                    }),
                    ..extra
                },
            },
        },
    }
}
