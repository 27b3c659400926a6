//! Serde shapes of the raw Web API pages as of 2026 (development mode). Every field is
//! optional and unknown fields are ignored, so a missing or removed field never fails a page;
//! the raw bytes are kept in the archive anyway, these types only feed normalization.
//!
//! 2026 quirks handled here: playlist entries carry `item` (falling back to the deprecated
//! `track`), playlist counts live in `items.total` (falling back to `tracks.total`), rows may
//! be `null` or have a null item, and the item's `type` decides what it is.

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;

/// Just enough of any offset page to page through it without parsing its rows.
#[derive(Debug, Deserialize)]
pub struct PageHead {
    #[serde(default)]
    pub items: Option<Vec<IgnoredAny>>,
    pub total: Option<u64>,
    pub next: Option<String>,
}

impl PageHead {
    pub fn rows(&self) -> u64 {
        self.items.as_ref().map_or(0, |i| i.len() as u64)
    }
}

/// `GET /me/following?type=artist`: the cursor page is wrapped in `artists`.
#[derive(Debug, Deserialize)]
pub struct FollowingHead {
    pub artists: CursorHead,
}

#[derive(Debug, Deserialize)]
pub struct CursorHead {
    #[serde(default)]
    pub items: Option<Vec<IgnoredAny>>,
    pub total: Option<u64>,
    pub next: Option<String>,
    pub cursors: Option<Cursors>,
}

#[derive(Debug, Deserialize)]
pub struct Cursors {
    pub after: Option<String>,
}

impl CursorHead {
    pub fn rows(&self) -> u64 {
        self.items.as_ref().map_or(0, |i| i.len() as u64)
    }

    /// The cursor for the next page: `cursors.after`, else the `after` parameter of `next`.
    pub fn after(&self) -> Option<String> {
        let next = self.next.as_deref()?;
        if let Some(after) = self.cursors.as_ref().and_then(|c| c.after.clone()) {
            return Some(after);
        }
        let url = url::Url::parse(next).ok()?;
        let after = url
            .query_pairs()
            .find(|(k, _)| k == "after")
            .map(|(_, v)| v.into_owned());
        after
    }
}

/// An offset page with typed rows; `null` rows stay as `None`, and so does a row whose shape
/// cannot be read (its raw bytes stay in the archive), so one odd row never blocks a backup.
#[derive(Debug, Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub struct Page<T> {
    #[serde(default = "Vec::new", deserialize_with = "lenient_rows")]
    pub items: Vec<Option<T>>,
    pub total: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub struct FollowingPage {
    pub artists: Page<RawArtist>,
}

fn lenient_rows<'de, D, T>(d: D) -> Result<Vec<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: DeserializeOwned,
{
    let rows = Option::<Vec<serde_json::Value>>::deserialize(d)?.unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|row| T::deserialize(row).ok())
        .collect())
}

/// A row of `/me/tracks`, `/me/episodes` or `/playlists/{id}/items`.
#[derive(Debug, Deserialize)]
pub struct RawEntry {
    pub added_at: Option<String>,
    pub added_by: Option<RawUserRef>,
    pub is_local: Option<bool>,
    /// 2026 playlist entries.
    pub item: Option<RawItem>,
    /// Saved tracks, and the deprecated playlist-entry key.
    pub track: Option<RawItem>,
    /// Saved episodes.
    pub episode: Option<RawItem>,
}

impl RawEntry {
    /// `item ?? track ?? episode`.
    pub fn content(&self) -> Option<&RawItem> {
        self.item
            .as_ref()
            .or(self.track.as_ref())
            .or(self.episode.as_ref())
    }
}

#[derive(Debug, Deserialize)]
pub struct RawUserRef {
    pub id: Option<String>,
}

/// A track, episode (or audiobook chapter) as embedded in a page.
#[derive(Debug, Deserialize)]
pub struct RawItem {
    #[serde(rename = "type")]
    pub item_type: Option<String>,
    pub id: Option<String>,
    pub uri: Option<String>,
    pub name: Option<String>,
    pub artists: Option<Vec<Option<RawArtistRef>>>,
    pub album: Option<RawAlbumRef>,
    pub duration_ms: Option<i64>,
    pub explicit: Option<bool>,
    pub disc_number: Option<i64>,
    pub track_number: Option<i64>,
    pub external_ids: Option<ExternalIds>,
    pub is_local: Option<bool>,
    pub show: Option<RawShowRef>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ExternalIds {
    pub isrc: Option<String>,
    pub upc: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RawArtistRef {
    pub id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RawAlbumRef {
    pub id: Option<String>,
    pub name: Option<String>,
    pub release_date: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RawShowRef {
    pub id: Option<String>,
    pub name: Option<String>,
}

/// A row of `/me/albums`.
#[derive(Debug, Deserialize)]
pub struct RawSavedAlbum {
    pub added_at: Option<String>,
    pub album: Option<RawAlbum>,
}

#[derive(Debug, Deserialize)]
pub struct RawAlbum {
    pub id: Option<String>,
    pub uri: Option<String>,
    pub name: Option<String>,
    pub artists: Option<Vec<Option<RawArtistRef>>>,
    pub release_date: Option<String>,
    pub total_tracks: Option<i64>,
    pub external_ids: Option<ExternalIds>,
    /// The first page of the album's tracks, embedded by Spotify.
    pub tracks: Option<Page<RawItem>>,
}

/// A row of `/me/shows`.
#[derive(Debug, Deserialize)]
pub struct RawSavedShow {
    pub added_at: Option<String>,
    pub show: Option<RawShow>,
}

#[derive(Debug, Deserialize)]
pub struct RawShow {
    pub id: Option<String>,
    pub uri: Option<String>,
    pub name: Option<String>,
    pub publisher: Option<String>,
    pub total_episodes: Option<i64>,
}

/// A followed artist.
#[derive(Debug, Deserialize)]
pub struct RawArtist {
    pub id: Option<String>,
    pub uri: Option<String>,
    pub name: Option<String>,
    pub genres: Option<Vec<Option<String>>>,
}

/// A row of `/me/playlists` (simplified playlist).
#[derive(Debug, Deserialize)]
pub struct RawPlaylist {
    pub id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub owner: Option<RawOwner>,
    pub public: Option<bool>,
    pub collaborative: Option<bool>,
    pub snapshot_id: Option<String>,
    /// 2026: `items: {href, total}`.
    pub items: Option<RawCount>,
    /// Before 2026: `tracks: {href, total}`.
    pub tracks: Option<RawCount>,
}

impl RawPlaylist {
    /// `items.total ?? tracks.total`.
    pub fn total(&self) -> Option<u64> {
        self.items
            .as_ref()
            .and_then(|c| c.total)
            .or_else(|| self.tracks.as_ref().and_then(|c| c.total))
    }
}

#[derive(Debug, Deserialize)]
pub struct RawCount {
    pub total: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub struct RawOwner {
    pub id: Option<String>,
    pub display_name: Option<String>,
}

/// `GET /me`.
#[derive(Debug, Deserialize)]
pub struct RawMe {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub account_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_prefers_item_over_track_and_tolerates_nulls() {
        let page: Page<RawEntry> = serde_json::from_str(
            r#"{"items":[{"item":{"type":"episode","id":"e"},"track":{"type":"track","id":"t"}},
                         {"track":null},null,{"added_at":null}],"total":4}"#,
        )
        .unwrap();
        assert_eq!(page.items.len(), 4);
        let first = page.items[0].as_ref().unwrap().content().unwrap();
        assert_eq!(first.id.as_deref(), Some("e"));
        assert!(page.items[1].as_ref().unwrap().content().is_none());
        assert!(page.items[2].is_none());
        let empty: Page<RawEntry> = serde_json::from_str(r#"{"items":null}"#).unwrap();
        assert!(empty.items.is_empty());
        // A row of the wrong shape keeps its place as an unreadable (None) row.
        let odd: Page<RawEntry> =
            serde_json::from_str(r#"{"items":[{"added_at":5},{"item":{"name":"ok"}},7]}"#).unwrap();
        assert!(odd.items[0].is_none() && odd.items[1].is_some() && odd.items[2].is_none());
    }

    #[test]
    fn playlist_total_falls_back_to_tracks() {
        let p: RawPlaylist =
            serde_json::from_str(r#"{"id":"x","tracks":{"total":9},"images":null}"#).unwrap();
        assert_eq!(p.total(), Some(9));
        let p: RawPlaylist =
            serde_json::from_str(r#"{"id":"x","items":{"total":3},"tracks":{"total":9}}"#).unwrap();
        assert_eq!(p.total(), Some(3));
    }

    #[test]
    fn cursor_comes_from_cursors_or_next() {
        let head: FollowingHead = serde_json::from_str(
            r#"{"artists":{"items":[{}],"next":"https://x/v1/me/following?type=artist&after=abc&limit=50","cursors":{"after":null},"total":2}}"#,
        )
        .unwrap();
        assert_eq!(head.artists.after().as_deref(), Some("abc"));
        let end: FollowingHead = serde_json::from_str(
            r#"{"artists":{"items":[],"next":null,"cursors":{"after":null},"total":0}}"#,
        )
        .unwrap();
        assert_eq!(end.artists.after(), None);
    }
}
