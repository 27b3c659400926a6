//! A lean, borrowing view of `library.json` with only what `diff` and `log` compare.
//!
//! Loading a 100,000-entry library into [`crate::model::Library`] allocates every field of every
//! item; the view skips what history never reads (ISRCs, albums, MusicBrainz matches …) and
//! borrows strings from the file's bytes where it can, which makes `diff` several times cheaper
//! in time and memory. A `Library` already in memory is viewed without copying ([`LibraryView::of`]).

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};

use crate::model::{Contents, Entry, EntryKind, Library, Playlist};

/// A string borrowed from the input when it has no escapes, owned otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Str<'a>(pub Cow<'a, str>);

impl<'a> Str<'a> {
    fn of(s: &'a str) -> Self {
        Str(Cow::Borrowed(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_owned(self) -> Str<'static> {
        Str(Cow::Owned(self.0.into_owned()))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visitor<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(Visitor(std::marker::PhantomData))
    }
}

fn opt(s: &Option<String>) -> Option<Str<'_>> {
    s.as_deref().map(Str::of)
}

#[derive(Debug, Clone, Deserialize)]
pub struct LibraryView<'a> {
    #[serde(borrow)]
    pub source: Str<'a>,
    #[serde(borrow)]
    pub created_at: Str<'a>,
    #[serde(borrow)]
    pub liked_tracks: Vec<EntryView<'a>>,
    #[serde(borrow)]
    pub saved_albums: Vec<SavedAlbumView<'a>>,
    #[serde(borrow)]
    pub saved_shows: Vec<SavedShowView<'a>>,
    #[serde(borrow)]
    pub saved_episodes: Vec<EntryView<'a>>,
    #[serde(borrow)]
    pub followed_artists: Vec<NamedView<'a>>,
    #[serde(borrow)]
    pub playlists: Vec<PlaylistView<'a>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EntryView<'a> {
    pub position: u32,
    #[serde(borrow)]
    pub added_at: Option<Str<'a>>,
    pub kind: EntryKind,
    #[serde(borrow)]
    pub item: Option<ItemView<'a>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ItemView<'a> {
    #[serde(borrow)]
    pub uri: Str<'a>,
    #[serde(borrow)]
    pub name: Str<'a>,
    #[serde(borrow)]
    pub artists: Vec<NameView<'a>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NameView<'a> {
    #[serde(borrow)]
    pub name: Str<'a>,
}

/// Something identified by URI: an album, a show, an artist.
#[derive(Debug, Clone, Deserialize)]
pub struct NamedView<'a> {
    #[serde(borrow)]
    pub uri: Str<'a>,
    #[serde(borrow)]
    pub name: Str<'a>,
    #[serde(borrow, default)]
    pub artists: Vec<NameView<'a>>,
    #[serde(borrow, default)]
    pub publisher: Option<Str<'a>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SavedAlbumView<'a> {
    #[serde(borrow)]
    pub album: NamedView<'a>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SavedShowView<'a> {
    #[serde(borrow)]
    pub show: NamedView<'a>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PlaylistView<'a> {
    #[serde(borrow)]
    pub id: Str<'a>,
    #[serde(borrow)]
    pub name: Str<'a>,
    #[serde(borrow)]
    pub description: Option<Str<'a>>,
    #[serde(borrow)]
    pub snapshot_id: Option<Str<'a>>,
    pub contents: Contents,
    #[serde(borrow)]
    pub entries: Vec<EntryView<'a>>,
}

impl<'a> LibraryView<'a> {
    /// Parses `library.json` bytes.
    pub fn parse(bytes: &'a [u8]) -> serde_json::Result<Self> {
        serde_json::from_slice(bytes)
    }

    /// Views a library already in memory (no string is copied).
    pub fn of(l: &'a Library) -> Self {
        LibraryView {
            source: Str::of(&l.source),
            created_at: Str::of(&l.created_at),
            liked_tracks: l.liked_tracks.iter().map(EntryView::of).collect(),
            saved_albums: l
                .saved_albums
                .iter()
                .map(|a| SavedAlbumView {
                    album: NamedView {
                        uri: Str::of(&a.album.uri),
                        name: Str::of(&a.album.name),
                        artists: a
                            .album
                            .artists
                            .iter()
                            .map(|x| NameView {
                                name: Str::of(&x.name),
                            })
                            .collect(),
                        publisher: None,
                    },
                })
                .collect(),
            saved_shows: l
                .saved_shows
                .iter()
                .map(|s| SavedShowView {
                    show: NamedView {
                        uri: Str::of(&s.show.uri),
                        name: Str::of(&s.show.name),
                        artists: Vec::new(),
                        publisher: opt(&s.show.publisher),
                    },
                })
                .collect(),
            saved_episodes: l.saved_episodes.iter().map(EntryView::of).collect(),
            followed_artists: l
                .followed_artists
                .iter()
                .map(|a| NamedView {
                    uri: Str::of(&a.uri),
                    name: Str::of(&a.name),
                    artists: Vec::new(),
                    publisher: None,
                })
                .collect(),
            playlists: l.playlists.iter().map(PlaylistView::of).collect(),
        }
    }
}

impl LibraryView<'_> {
    /// A copy that no longer borrows the file it was parsed from.
    pub fn into_owned(self) -> LibraryView<'static> {
        let named = |n: NamedView<'_>| NamedView {
            uri: n.uri.into_owned(),
            name: n.name.into_owned(),
            artists: n
                .artists
                .into_iter()
                .map(|a| NameView {
                    name: a.name.into_owned(),
                })
                .collect(),
            publisher: n.publisher.map(Str::into_owned),
        };
        LibraryView {
            source: self.source.into_owned(),
            created_at: self.created_at.into_owned(),
            liked_tracks: self
                .liked_tracks
                .into_iter()
                .map(EntryView::into_owned)
                .collect(),
            saved_albums: self
                .saved_albums
                .into_iter()
                .map(|a| SavedAlbumView {
                    album: named(a.album),
                })
                .collect(),
            saved_shows: self
                .saved_shows
                .into_iter()
                .map(|s| SavedShowView {
                    show: named(s.show),
                })
                .collect(),
            saved_episodes: self
                .saved_episodes
                .into_iter()
                .map(EntryView::into_owned)
                .collect(),
            followed_artists: self.followed_artists.into_iter().map(named).collect(),
            playlists: self
                .playlists
                .into_iter()
                .map(PlaylistView::into_owned)
                .collect(),
        }
    }
}

impl<'a> EntryView<'a> {
    pub fn of(e: &'a Entry) -> Self {
        EntryView {
            position: e.position,
            added_at: opt(&e.added_at),
            kind: e.kind,
            item: e.item.as_ref().map(|i| ItemView {
                uri: Str::of(&i.uri),
                name: Str::of(&i.name),
                artists: i
                    .artists
                    .iter()
                    .map(|a| NameView {
                        name: Str::of(&a.name),
                    })
                    .collect(),
            }),
        }
    }
}

impl EntryView<'_> {
    /// A copy that no longer borrows the file it was parsed from.
    pub fn into_owned(self) -> EntryView<'static> {
        EntryView {
            position: self.position,
            added_at: self.added_at.map(Str::into_owned),
            kind: self.kind,
            item: self.item.map(|i| ItemView {
                uri: i.uri.into_owned(),
                name: i.name.into_owned(),
                artists: i
                    .artists
                    .into_iter()
                    .map(|a| NameView {
                        name: a.name.into_owned(),
                    })
                    .collect(),
            }),
        }
    }
}

impl<'a> PlaylistView<'a> {
    /// A copy that no longer borrows the file it was parsed from.
    pub fn into_owned(self) -> PlaylistView<'static> {
        PlaylistView {
            id: self.id.into_owned(),
            name: self.name.into_owned(),
            description: self.description.map(Str::into_owned),
            snapshot_id: self.snapshot_id.map(Str::into_owned),
            contents: self.contents,
            entries: self
                .entries
                .into_iter()
                .map(EntryView::into_owned)
                .collect(),
        }
    }

    pub fn of(p: &'a Playlist) -> Self {
        PlaylistView {
            id: Str::of(&p.id),
            name: Str::of(&p.name),
            description: opt(&p.description),
            snapshot_id: opt(&p.snapshot_id),
            contents: p.contents,
            entries: p.entries.iter().map(EntryView::of).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_plain_strings_and_owns_escaped_ones() {
        let json = br#"{"uri":"spotify:track:1","name":"Say \"Hi\"","artists":[{"name":"A"}]}"#;
        let item: ItemView = serde_json::from_slice(json).unwrap();
        assert!(matches!(item.uri.0, Cow::Borrowed(_)));
        assert!(matches!(item.name.0, Cow::Owned(_)));
        assert_eq!(item.name.as_str(), "Say \"Hi\"");
    }
}
