//! The normalized library: what `library.json` (schema version 1) contains.
//!
//! This is trackvault's public archival format (documented in `docs/library-json.md`). Every
//! type here is derived from raw API pages and can be rebuilt from them; nothing in it is a
//! source of truth except enrichment results. Null rows, local files and episodes are kept in
//! place so positions stay meaningful.

use serde::{Deserialize, Serialize};

/// Current `library.json` schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// `source` value for a library fetched from the Spotify Web API.
pub const SOURCE_WEB_API: &str = "spotify-web-api";
/// `source` value for a library imported from Spotify's account-data download.
pub const SOURCE_DATA_DOWNLOAD: &str = "spotify-data-download";

/// A whole library as of one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Library {
    pub schema_version: u32,
    pub source: String,
    /// RFC 3339 UTC time the snapshot was taken.
    pub created_at: String,
    pub user: User,
    pub liked_tracks: Vec<Entry>,
    pub saved_albums: Vec<SavedAlbum>,
    pub saved_shows: Vec<SavedShow>,
    pub saved_episodes: Vec<Entry>,
    pub followed_artists: Vec<Artist>,
    pub playlists: Vec<Playlist>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct User {
    pub id: String,
    pub display_name: Option<String>,
    /// Stable account id from `GET /me` (added by Spotify in May 2026); may be absent.
    pub account_id: Option<String>,
}

/// One row of a collection: a playlist entry, a liked song or a saved episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Zero-based position in the collection as Spotify returned it (null rows included).
    pub position: u32,
    /// RFC 3339 time the entry was added; null when unknown (Spotify's `1970-01-01T00:00:00Z`
    /// placeholder is stored as null).
    pub added_at: Option<String>,
    /// Spotify user id of whoever added it (playlists only).
    pub added_by: Option<String>,
    pub kind: EntryKind,
    /// Null for `unavailable` rows.
    pub item: Option<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Track,
    Episode,
    /// A local file: no Spotify id, identified by its `spotify:local:` URI.
    Local,
    /// A null row: the item is gone from Spotify but still counted in the playlist.
    Unavailable,
}

/// A track or episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// `"track"` or `"episode"`.
    #[serde(rename = "type")]
    pub item_type: String,
    /// Null for local files.
    pub id: Option<String>,
    pub uri: String,
    pub name: String,
    pub artists: Vec<ArtistRef>,
    pub album: Option<AlbumRef>,
    pub duration_ms: Option<u64>,
    pub explicit: Option<bool>,
    pub disc_number: Option<u32>,
    pub track_number: Option<u32>,
    /// Normalized ISRC (uppercase, no hyphens) when Spotify or MusicBrainz provided one.
    pub isrc: Option<String>,
    pub musicbrainz: Option<RecordingMatch>,
    /// For episodes: the show they belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show: Option<ShowRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistRef {
    pub id: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbumRef {
    pub id: Option<String>,
    pub name: String,
    pub release_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShowRef {
    pub id: Option<String>,
    pub name: String,
}

/// How an identifier was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMethod {
    Isrc,
    SpotifyUrl,
    ReleaseTracklist,
    Search,
    Override,
}

impl MatchMethod {
    /// The name library.json (serde) uses for this method; summaries and review files show it.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchMethod::Isrc => "isrc",
            MatchMethod::SpotifyUrl => "spotify_url",
            MatchMethod::ReleaseTracklist => "release_tracklist",
            MatchMethod::Search => "search",
            MatchMethod::Override => "override",
        }
    }
}

/// MusicBrainz identifiers attached to a track by enrichment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingMatch {
    pub recording_id: String,
    pub release_id: Option<String>,
    pub release_group_id: Option<String>,
    pub artist_ids: Vec<String>,
    pub method: MatchMethod,
    /// 0..=1.
    pub confidence: f64,
}

/// MusicBrainz release attached to a saved album.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleaseMatch {
    pub release_id: String,
    pub release_group_id: Option<String>,
    pub method: MatchMethod,
    pub confidence: f64,
}

/// MusicBrainz artist attached to a followed artist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtistMatch {
    pub artist_id: String,
    pub method: MatchMethod,
    pub confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedAlbum {
    pub added_at: Option<String>,
    pub album: Album,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Album {
    pub id: String,
    pub uri: String,
    pub name: String,
    pub artists: Vec<ArtistRef>,
    pub release_date: Option<String>,
    pub total_tracks: Option<u32>,
    /// Barcode from `external_ids.upc`, when present.
    pub upc: Option<String>,
    /// The album's tracks as far as Spotify embedded them (simplified: no album, usually no ISRC).
    pub tracks: Vec<Item>,
    pub musicbrainz: Option<ReleaseMatch>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedShow {
    pub added_at: Option<String>,
    pub show: Show,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Show {
    pub id: String,
    pub uri: String,
    pub name: String,
    pub publisher: Option<String>,
    pub total_episodes: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artist {
    pub id: String,
    pub uri: String,
    pub name: String,
    #[serde(default)]
    pub genres: Vec<String>,
    pub musicbrainz: Option<ArtistMatch>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Playlist {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub owner: Owner,
    pub public: Option<bool>,
    pub collaborative: bool,
    pub snapshot_id: Option<String>,
    /// Entry count Spotify reported (null rows included).
    pub total: u32,
    pub contents: Contents,
    /// Why the entries could not be read, when `contents` is `not_accessible`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_accessible_reason: Option<String>,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Owner {
    pub id: String,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Contents {
    Complete,
    /// The user neither owns nor collaborates on it, so Spotify only shows its metadata.
    NotAccessible,
}

impl Library {
    /// An empty library for `user`, created now.
    pub fn empty(source: &str, user: User) -> Self {
        Library {
            schema_version: SCHEMA_VERSION,
            source: source.to_string(),
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            user,
            liked_tracks: Vec::new(),
            saved_albums: Vec::new(),
            saved_shows: Vec::new(),
            saved_episodes: Vec::new(),
            followed_artists: Vec::new(),
            playlists: Vec::new(),
        }
    }

    /// Every track or episode in the library, mutably: liked songs, saved episodes, playlist
    /// entries and saved albums' tracks. Enrichment walks this once.
    pub fn items_mut(&mut self) -> impl Iterator<Item = &mut Item> {
        let entries = self
            .liked_tracks
            .iter_mut()
            .chain(self.saved_episodes.iter_mut())
            .chain(self.playlists.iter_mut().flat_map(|p| p.entries.iter_mut()))
            .filter_map(|e| e.item.as_mut());
        let album_tracks = self
            .saved_albums
            .iter_mut()
            .flat_map(|a| a.album.tracks.iter_mut());
        entries.chain(album_tracks)
    }

    /// Every track or episode in the library (see [`Library::items_mut`]).
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        let entries = self
            .liked_tracks
            .iter()
            .chain(self.saved_episodes.iter())
            .chain(self.playlists.iter().flat_map(|p| p.entries.iter()))
            .filter_map(|e| e.item.as_ref());
        let album_tracks = self.saved_albums.iter().flat_map(|a| a.album.tracks.iter());
        entries.chain(album_tracks)
    }

    /// Number of entries across all collections (null rows included).
    pub fn entry_count(&self) -> usize {
        self.liked_tracks.len()
            + self.saved_episodes.len()
            + self
                .playlists
                .iter()
                .map(|p| p.entries.len())
                .sum::<usize>()
    }
}

impl Item {
    /// An item known only by type, id, URI and name (imports, tests); everything else unknown.
    pub fn bare(item_type: &str, id: Option<String>, uri: &str, name: &str) -> Item {
        Item {
            item_type: item_type.to_string(),
            id,
            uri: uri.to_string(),
            name: name.to_string(),
            artists: Vec::new(),
            album: None,
            duration_ms: None,
            explicit: None,
            disc_number: None,
            track_number: None,
            isrc: None,
            musicbrainz: None,
            show: None,
        }
    }

    /// `https://open.spotify.com/<type>/<id>`, when the item has a Spotify id (and id and type
    /// have their proper shapes: a library edited by hand gets no link rather than a bad one).
    pub fn spotify_url(&self) -> Option<String> {
        self.id
            .as_ref()
            .filter(|id| crate::ids::is_base62_id(id) && crate::ids::is_item_type(&self.item_type))
            .map(|id| format!("https://open.spotify.com/{}/{id}", self.item_type))
    }

    /// Artist names joined with `", "` in Spotify's order.
    pub fn artist_names(&self, joiner: &str) -> String {
        self.artists
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(joiner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(id: &str) -> Item {
        Item {
            item_type: "track".into(),
            id: Some(id.into()),
            uri: format!("spotify:track:{id}"),
            name: "Song".into(),
            artists: vec![ArtistRef {
                id: None,
                name: "A, Jr.".into(),
            }],
            album: None,
            duration_ms: Some(1000),
            explicit: Some(false),
            disc_number: Some(1),
            track_number: Some(1),
            isrc: None,
            musicbrainz: None,
            show: None,
        }
    }

    #[test]
    fn round_trips_through_json_with_null_rows_kept() {
        let mut lib = Library::empty(SOURCE_WEB_API, User::default());
        lib.liked_tracks.push(Entry {
            position: 0,
            added_at: None,
            added_by: None,
            kind: EntryKind::Unavailable,
            item: None,
        });
        lib.liked_tracks.push(Entry {
            position: 1,
            added_at: Some("2020-01-01T00:00:00Z".into()),
            added_by: None,
            kind: EntryKind::Track,
            item: Some(track("abc")),
        });
        let json = serde_json::to_string(&lib).unwrap();
        assert!(json.contains("\"kind\":\"unavailable\""));
        assert!(json.contains("\"type\":\"track\""));
        let back: Library = serde_json::from_str(&json).unwrap();
        assert_eq!(back, lib);
        assert_eq!(back.items().count(), 1);
    }

    #[test]
    fn spotify_url_uses_item_type() {
        assert_eq!(
            track("x1").spotify_url().as_deref(),
            Some("https://open.spotify.com/track/x1")
        );
    }

    #[test]
    fn match_method_names_are_serdes_names() {
        for method in [
            MatchMethod::Isrc,
            MatchMethod::SpotifyUrl,
            MatchMethod::ReleaseTracklist,
            MatchMethod::Search,
            MatchMethod::Override,
        ] {
            let json = serde_json::to_string(&method).unwrap();
            assert_eq!(json, format!("\"{}\"", method.as_str()));
        }
    }
}
