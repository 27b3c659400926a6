//! Raw page rows → the normalized [`crate::model`] types. Pure functions: positions are
//! assigned by the caller, nothing is dropped (null rows become `unavailable` entries).

use super::pages::{
    RawAlbum, RawArtist, RawArtistRef, RawEntry, RawItem, RawSavedAlbum, RawSavedShow, RawShow,
};
use crate::ids;
use crate::model::{
    Album, AlbumRef, Artist, ArtistRef, Entry, EntryKind, Item, SavedAlbum, SavedShow, Show,
    ShowRef,
};

/// Spotify's placeholder for "added before Spotify recorded it".
const UNKNOWN_ADDED_AT: &str = "1970-01-01T00:00:00";

/// `added_at` with Spotify's epoch placeholder and empty strings turned into "unknown".
pub fn added_at(value: Option<&str>) -> Option<String> {
    let value = value?.trim();
    if value.is_empty() || value.starts_with(UNKNOWN_ADDED_AT) {
        None
    } else {
        Some(value.to_string())
    }
}

/// An entry at `position` from a raw row (`None` for a `null` row).
pub fn entry(position: u32, row: Option<&RawEntry>) -> Entry {
    let Some(row) = row else {
        return Entry {
            position,
            added_at: None,
            added_by: None,
            kind: EntryKind::Unavailable,
            item: None,
        };
    };
    let item = row.content();
    let kind = match item {
        None => EntryKind::Unavailable,
        Some(item) => kind_of(item, row.is_local.unwrap_or(false)),
    };
    Entry {
        position,
        added_at: added_at(row.added_at.as_deref()),
        added_by: row
            .added_by
            .as_ref()
            .and_then(|u| u.id.clone())
            .filter(|id| ids::is_user_id(id)),
        kind,
        item: item.map(self::item),
    }
}

/// Dispatch on `type` only: Spotify has sent episodes flagged `track: true`.
fn kind_of(item: &RawItem, row_is_local: bool) -> EntryKind {
    let local = row_is_local
        || item.is_local.unwrap_or(false)
        || item
            .uri
            .as_deref()
            .is_some_and(|u| u.starts_with("spotify:local:"));
    if local {
        return EntryKind::Local;
    }
    match item.item_type.as_deref() {
        Some("track") | None => EntryKind::Track,
        // Episodes, and spoken-word kinds Spotify may add to playlists (audiobook chapters).
        Some(_) => EntryKind::Episode,
    }
}

/// A track or episode.
///
/// Identifiers are held to their shapes here, where they enter ([`crate::ids`]): an id, URI or
/// type with a line break or any other foreign character is dropped (the raw page still has
/// it), so it can never reach a playlist file.
pub fn item(raw: &RawItem) -> Item {
    let item_type = raw
        .item_type
        .clone()
        .filter(|t| ids::is_item_type(t))
        .unwrap_or_else(|| "track".into());
    let id = raw.id.clone().filter(|id| ids::is_base62_id(id));
    let uri = raw
        .uri
        .clone()
        .filter(|uri| ids::is_api_uri(uri))
        .or_else(|| id.as_ref().map(|id| format!("spotify:{item_type}:{id}")))
        .unwrap_or_default();
    Item {
        item_type,
        id,
        uri,
        name: raw.name.clone().unwrap_or_default(),
        artists: artists(raw.artists.as_deref()),
        album: raw.album.as_ref().map(|a| AlbumRef {
            id: a.id.clone().filter(|id| ids::is_base62_id(id)),
            name: a.name.clone().unwrap_or_default(),
            release_date: a.release_date.clone(),
        }),
        duration_ms: raw.duration_ms.and_then(|d| u64::try_from(d).ok()),
        explicit: raw.explicit,
        disc_number: raw.disc_number.and_then(|n| u32::try_from(n).ok()),
        track_number: raw.track_number.and_then(|n| u32::try_from(n).ok()),
        isrc: raw
            .external_ids
            .as_ref()
            .and_then(|e| e.isrc.as_deref())
            .and_then(normalize_isrc)
            .filter(|isrc| ids::is_isrc(isrc)),
        musicbrainz: None,
        show: raw.show.as_ref().map(|s| ShowRef {
            id: s.id.clone().filter(|id| ids::is_base62_id(id)),
            name: s.name.clone().unwrap_or_default(),
        }),
    }
}

/// Uppercase, without hyphens or spaces; `None` when nothing is left.
pub fn normalize_isrc(isrc: &str) -> Option<String> {
    let clean: String = isrc
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (!clean.is_empty()).then_some(clean)
}

fn artists(raw: Option<&[Option<RawArtistRef>]>) -> Vec<ArtistRef> {
    raw.unwrap_or_default()
        .iter()
        .flatten()
        .map(|a| ArtistRef {
            id: a.id.clone().filter(|id| ids::is_base62_id(id)),
            name: a.name.clone().unwrap_or_default(),
        })
        .collect()
}

/// A saved album. A `null` row keeps its place as an album with an empty id and name.
pub fn saved_album(row: Option<&RawSavedAlbum>) -> SavedAlbum {
    SavedAlbum {
        added_at: row.and_then(|r| added_at(r.added_at.as_deref())),
        album: album(row.and_then(|r| r.album.as_ref())),
    }
}

fn album(raw: Option<&RawAlbum>) -> Album {
    let Some(raw) = raw else {
        return Album {
            id: String::new(),
            uri: String::new(),
            name: String::new(),
            artists: Vec::new(),
            release_date: None,
            total_tracks: None,
            upc: None,
            tracks: Vec::new(),
            musicbrainz: None,
        };
    };
    let valid_id = raw.id.clone().filter(|id| ids::is_base62_id(id));
    let id = valid_id.clone().unwrap_or_default();
    let album_ref = AlbumRef {
        id: valid_id,
        name: raw.name.clone().unwrap_or_default(),
        release_date: raw.release_date.clone(),
    };
    // Embedded tracks are simplified (no album): point them at this album.
    let tracks = raw
        .tracks
        .as_ref()
        .map(|page| {
            page.items
                .iter()
                .flatten()
                .map(|t| {
                    let mut track = item(t);
                    track.album.get_or_insert_with(|| album_ref.clone());
                    track
                })
                .collect()
        })
        .unwrap_or_default();
    Album {
        uri: raw
            .uri
            .clone()
            .filter(|uri| ids::is_api_uri(uri))
            .unwrap_or_else(|| format!("spotify:album:{id}")),
        id,
        name: raw.name.clone().unwrap_or_default(),
        artists: artists(raw.artists.as_deref()),
        release_date: raw.release_date.clone(),
        total_tracks: raw.total_tracks.and_then(|n| u32::try_from(n).ok()),
        upc: raw
            .external_ids
            .as_ref()
            .and_then(|e| e.upc.clone())
            .filter(|u| !u.is_empty()),
        tracks,
        musicbrainz: None,
    }
}

/// A saved show. A `null` row keeps its place as a show with an empty id and name.
pub fn saved_show(row: Option<&RawSavedShow>) -> SavedShow {
    SavedShow {
        added_at: row.and_then(|r| added_at(r.added_at.as_deref())),
        show: show(row.and_then(|r| r.show.as_ref())),
    }
}

fn show(raw: Option<&RawShow>) -> Show {
    let id = raw
        .and_then(|s| s.id.clone())
        .filter(|id| ids::is_base62_id(id))
        .unwrap_or_default();
    Show {
        uri: raw
            .and_then(|s| s.uri.clone())
            .filter(|uri| ids::is_api_uri(uri))
            .unwrap_or_else(|| {
                if id.is_empty() {
                    String::new()
                } else {
                    format!("spotify:show:{id}")
                }
            }),
        id,
        name: raw.and_then(|s| s.name.clone()).unwrap_or_default(),
        publisher: raw.and_then(|s| s.publisher.clone()),
        total_episodes: raw
            .and_then(|s| s.total_episodes)
            .and_then(|n| u32::try_from(n).ok()),
    }
}

/// A followed artist. A `null` row keeps its place as an artist with an empty id and name.
pub fn artist(raw: Option<&RawArtist>) -> Artist {
    let id = raw
        .and_then(|a| a.id.clone())
        .filter(|id| ids::is_base62_id(id))
        .unwrap_or_default();
    Artist {
        uri: raw
            .and_then(|a| a.uri.clone())
            .filter(|uri| ids::is_api_uri(uri))
            .unwrap_or_else(|| {
                if id.is_empty() {
                    String::new()
                } else {
                    format!("spotify:artist:{id}")
                }
            }),
        id,
        name: raw.and_then(|a| a.name.clone()).unwrap_or_default(),
        genres: raw
            .and_then(|a| a.genres.as_ref())
            .map(|g| g.iter().flatten().cloned().collect())
            .unwrap_or_default(),
        musicbrainz: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spotify::pages::Page;

    fn entries(json: &str) -> Vec<Entry> {
        let page: Page<RawEntry> = serde_json::from_str(json).unwrap();
        page.items
            .iter()
            .enumerate()
            .map(|(i, row)| entry(i as u32, row.as_ref()))
            .collect()
    }

    #[test]
    fn keeps_null_rows_local_files_and_episodes_in_place() {
        let got = entries(
            r#"{"items":[
              {"added_at":"1970-01-01T00:00:00Z","item":null,"track":null},
              {"added_at":"2015-07-30T05:31:52Z","is_local":true,"item":{"id":null,"uri":"spotify:local:Woodkid:The+Golden+Age:Run+Boy+Run:215","name":"Run Boy Run","type":"track","external_ids":{}}},
              {"added_at":"2020-01-01T00:00:00Z","added_by":{"id":"me"},"item":{"type":"episode","id":"ep1","track":true,"episode":false,"show":{"id":"s","name":"Show"}}},
              null,
              {"item":{"type":"track","id":"t1","external_ids":{"isrc":"us-ma2-02-15185"},"disc_number":-1}},
              {"item":{"type":"chapter","id":"c1","name":"Chapter 1"}}
            ]}"#,
        );
        let kinds: Vec<EntryKind> = got.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EntryKind::Unavailable,
                EntryKind::Local,
                EntryKind::Episode,
                EntryKind::Unavailable,
                EntryKind::Track,
                EntryKind::Episode
            ]
        );
        assert_eq!(got[5].item.as_ref().unwrap().item_type, "chapter");
        assert_eq!(got[0].added_at, None);
        assert_eq!(got[1].item.as_ref().unwrap().id, None);
        assert_eq!(got[2].added_by.as_deref(), Some("me"));
        assert_eq!(
            got[2].item.as_ref().unwrap().show.as_ref().unwrap().name,
            "Show"
        );
        assert_eq!(got[3].position, 3);
        let track = got[4].item.as_ref().unwrap();
        assert_eq!(track.isrc.as_deref(), Some("USMA20215185"));
        assert_eq!(track.disc_number, None);
        assert_eq!(track.uri, "spotify:track:t1");
    }
}
