//! The library as the report shows it: collections (Liked Songs, each playlist, saved albums,
//! shows, episodes, followed artists) of uniform rows. The page renders these rows twice from
//! one source — as HTML for readers without JavaScript, and as one compact JSON block that the
//! page's script pages through and searches — so both views always agree.

use serde::Serialize;

use crate::ids;
use crate::model::{Contents, Entry, EntryKind, Item, Library};

/// What a collection holds; decides its heading and column titles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CollectionKind {
    Liked,
    Playlist,
    Albums,
    Shows,
    Episodes,
    Artists,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    pub kind: CollectionKind,
    pub name: String,
    /// One line under the heading: owner, visibility, description.
    pub detail: String,
    /// Why the entries are missing (a playlist whose contents Spotify would not show).
    pub note: Option<String>,
    pub rows: Vec<Row>,
}

/// One line of a table. Empty strings stand for "not known".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub title: String,
    pub artists: String,
    pub album: String,
    /// `YYYY-MM-DD`.
    pub added: String,
    /// A Spotify URI, kept only when it has a valid shape (it becomes a link).
    pub uri: String,
    pub isrc: String,
    pub recording: String,
    pub release: String,
    pub release_group: String,
    pub artist_mbids: Vec<String>,
    /// `track`, `episode`, `local`, `unavailable` (a null row), or `album`/`show`/`artist`.
    pub kind: &'static str,
}

/// Every collection of `library`, in the order the page shows them.
pub fn collections(library: &Library) -> Vec<Collection> {
    let mut out = vec![Collection {
        kind: CollectionKind::Liked,
        name: "Liked Songs".to_string(),
        detail: String::new(),
        note: None,
        rows: library.liked_tracks.iter().map(entry_row).collect(),
    }];
    out.extend(library.playlists.iter().map(|p| {
        let owner = p.owner.display_name.as_deref().unwrap_or(&p.owner.id);
        let mut detail = format!("by {owner}");
        match p.public {
            Some(true) => detail.push_str(" · public"),
            Some(false) => detail.push_str(" · private"),
            None => {}
        }
        if p.collaborative {
            detail.push_str(" · collaborative");
        }
        if let Some(d) = p.description.as_deref().filter(|d| !d.trim().is_empty()) {
            detail.push_str(" · ");
            detail.push_str(d);
        }
        let note = (p.contents == Contents::NotAccessible).then(|| {
            format!(
                "Spotify did not show this playlist's {} entries{}.",
                p.total,
                p.not_accessible_reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            )
        });
        Collection {
            kind: CollectionKind::Playlist,
            name: p.name.clone(),
            detail,
            note,
            rows: p.entries.iter().map(entry_row).collect(),
        }
    }));
    out.push(Collection {
        kind: CollectionKind::Albums,
        name: "Saved albums".to_string(),
        detail: String::new(),
        note: None,
        rows: library
            .saved_albums
            .iter()
            .map(|s| Row {
                title: s.album.name.clone(),
                artists: names(s.album.artists.iter().map(|a| a.name.as_str())),
                album: format!("{} tracks", s.album.total_tracks.unwrap_or(0)),
                added: date(s.added_at.as_deref()),
                uri: valid_uri(&s.album.uri),
                release: mbid(s.album.musicbrainz.as_ref().map(|m| m.release_id.as_str())),
                release_group: mbid(
                    s.album
                        .musicbrainz
                        .as_ref()
                        .and_then(|m| m.release_group_id.as_deref()),
                ),
                kind: "album",
                ..Row::default()
            })
            .collect(),
    });
    out.push(Collection {
        kind: CollectionKind::Shows,
        name: "Saved shows".to_string(),
        detail: String::new(),
        note: None,
        rows: library
            .saved_shows
            .iter()
            .map(|s| Row {
                title: s.show.name.clone(),
                artists: s.show.publisher.clone().unwrap_or_default(),
                album: s
                    .show
                    .total_episodes
                    .map(|n| format!("{n} episodes"))
                    .unwrap_or_default(),
                added: date(s.added_at.as_deref()),
                uri: valid_uri(&s.show.uri),
                kind: "show",
                ..Row::default()
            })
            .collect(),
    });
    out.push(Collection {
        kind: CollectionKind::Episodes,
        name: "Saved episodes".to_string(),
        detail: String::new(),
        note: None,
        rows: library.saved_episodes.iter().map(entry_row).collect(),
    });
    out.push(Collection {
        kind: CollectionKind::Artists,
        name: "Followed artists".to_string(),
        detail: String::new(),
        note: None,
        rows: library
            .followed_artists
            .iter()
            .map(|a| Row {
                title: a.name.clone(),
                artists: a.genres.join(", "),
                uri: valid_uri(&a.uri),
                artist_mbids: a
                    .musicbrainz
                    .as_ref()
                    .map(|m| mbid(Some(&m.artist_id)))
                    .filter(|m| !m.is_empty())
                    .into_iter()
                    .collect(),
                kind: "artist",
                ..Row::default()
            })
            .collect(),
    });
    out
}

fn entry_row(entry: &Entry) -> Row {
    let added = date(entry.added_at.as_deref());
    let kind = match entry.kind {
        EntryKind::Track => "track",
        EntryKind::Episode => "episode",
        EntryKind::Local => "local",
        EntryKind::Unavailable => "unavailable",
    };
    match &entry.item {
        Some(item) => Row {
            added,
            kind,
            ..item_row(item)
        },
        None => Row {
            title: "(no longer available)".to_string(),
            added,
            kind: "unavailable",
            ..Row::default()
        },
    }
}

fn item_row(item: &Item) -> Row {
    let mb = item.musicbrainz.as_ref();
    let album = item
        .album
        .as_ref()
        .map(|a| a.name.clone())
        .or_else(|| item.show.as_ref().map(|s| s.name.clone()))
        .unwrap_or_default();
    Row {
        title: item.name.clone(),
        artists: names(item.artists.iter().map(|a| a.name.as_str())),
        album,
        uri: valid_uri(&item.uri),
        isrc: item
            .isrc
            .clone()
            .filter(|i| ids::is_isrc(i))
            .unwrap_or_default(),
        recording: mbid(mb.map(|m| m.recording_id.as_str())),
        release: mbid(mb.and_then(|m| m.release_id.as_deref())),
        release_group: mbid(mb.and_then(|m| m.release_group_id.as_deref())),
        artist_mbids: mb
            .map(|m| {
                m.artist_ids
                    .iter()
                    .filter(|a| ids::is_mbid(a))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default(),
        ..Row::default()
    }
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(", ")
}

/// The date part of an RFC 3339 timestamp, or "" when it does not look like one.
fn date(added_at: Option<&str>) -> String {
    added_at
        .and_then(|s| s.get(..10))
        .filter(|d| {
            d.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            })
        })
        .unwrap_or_default()
        .to_string()
}

/// Whether the page may link to `uri`: only `spotify:<type>:<id>` (never a local file path).
pub fn is_linkable_uri(uri: &str) -> bool {
    ids::is_api_uri(uri) && !uri.starts_with("spotify:local:")
}

fn valid_uri(uri: &str) -> String {
    if is_linkable_uri(uri) {
        uri.to_string()
    } else {
        String::new()
    }
}

fn mbid(id: Option<&str>) -> String {
    id.filter(|m| ids::is_mbid(m))
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_uris_from_outside_are_checked() {
        assert_eq!(date(Some("2024-03-05T10:00:00Z")), "2024-03-05");
        assert_eq!(date(Some("<script>x")), "");
        assert_eq!(date(Some("é")), "");
        assert_eq!(valid_uri("javascript:alert(1)"), "");
        assert_eq!(valid_uri("spotify:local:a:b:c:1"), "");
        assert_eq!(
            valid_uri("spotify:track:4iV5W9uYEdYUVa79Axb7Rh"),
            "spotify:track:4iV5W9uYEdYUVa79Axb7Rh"
        );
        assert_eq!(mbid(Some("not-an-mbid")), "");
    }
}
