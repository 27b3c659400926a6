//! Builds the normalized `library.json` from the raw pages a snapshot references, one page in
//! memory at a time, and carries enrichment over from the previous library for collections
//! whose pages were reused.

use std::collections::HashMap;

use serde::de::DeserializeOwned;

use super::error::SpotifyError;
use super::normalize;
use super::pages::{
    FollowingPage, Page, RawEntry, RawMe, RawPlaylist, RawSavedAlbum, RawSavedShow,
};
use crate::archive::{CollectionRecord, ObjectStore};
use crate::model::{Contents, Entry, Library, Owner, Playlist, User, SOURCE_WEB_API};

/// Reads and parses one stored page.
pub fn read_page<T: DeserializeOwned>(
    objects: &ObjectStore,
    key: &str,
    id: &str,
) -> Result<T, SpotifyError> {
    let bytes = objects.get(id)?;
    serde_json::from_slice(&bytes).map_err(|e| SpotifyError::Malformed {
        endpoint: key.to_string(),
        detail: format!("stored page {id}: {e}"),
    })
}

/// The user from the stored `/me` page.
pub fn user(objects: &ObjectStore, record: &CollectionRecord) -> Result<User, SpotifyError> {
    let Some(page) = record.pages.first() else {
        return Ok(User::default());
    };
    let me: RawMe = read_page(objects, &record.key, page)?;
    Ok(User {
        id: me.id.unwrap_or_default(),
        display_name: me.display_name,
        account_id: me.account_id,
    })
}

/// The playlists listed by `/me/playlists`, in order (`null` rows skipped).
pub fn playlist_listing(
    objects: &ObjectStore,
    record: &CollectionRecord,
) -> Result<Vec<RawPlaylist>, SpotifyError> {
    let mut list = Vec::new();
    for page in &record.pages {
        let page: Page<RawPlaylist> = read_page(objects, &record.key, page)?;
        list.extend(page.items.into_iter().flatten().filter(|p| p.id.is_some()));
    }
    Ok(list)
}

/// Entries of an offset-paged collection, positions counted across pages.
fn entries(objects: &ObjectStore, record: &CollectionRecord) -> Result<Vec<Entry>, SpotifyError> {
    // A hint only: a damaged record's count must not decide an allocation.
    let mut out = Vec::with_capacity(usize::try_from(record.received).unwrap_or(0).min(1 << 16));
    for page in &record.pages {
        let page: Page<RawEntry> = read_page(objects, &record.key, page)?;
        for row in &page.items {
            out.push(normalize::entry(out.len() as u32, row.as_ref()));
        }
    }
    Ok(out)
}

/// Collection records by key, plus the remarks made while fetching them.
pub struct Records<'a> {
    pub by_key: &'a HashMap<String, (CollectionRecord, Option<String>)>,
}

impl Records<'_> {
    fn get(&self, key: &str) -> Option<&CollectionRecord> {
        self.by_key.get(key).map(|(r, _)| r)
    }
}

/// The whole library from stored pages.
pub fn build_library(
    objects: &ObjectStore,
    records: &Records<'_>,
) -> Result<Library, SpotifyError> {
    let user = match records.get("me") {
        Some(record) => user(objects, record)?,
        None => User::default(),
    };
    let mut library = Library::empty(SOURCE_WEB_API, user);
    if let Some(record) = records.get("liked_tracks") {
        library.liked_tracks = entries(objects, record)?;
    }
    if let Some(record) = records.get("saved_episodes") {
        library.saved_episodes = entries(objects, record)?;
    }
    if let Some(record) = records.get("saved_albums") {
        for page in &record.pages {
            let page: Page<RawSavedAlbum> = read_page(objects, &record.key, page)?;
            library.saved_albums.extend(
                page.items
                    .iter()
                    .map(|r| normalize::saved_album(r.as_ref())),
            );
        }
    }
    if let Some(record) = records.get("saved_shows") {
        for page in &record.pages {
            let page: Page<RawSavedShow> = read_page(objects, &record.key, page)?;
            library
                .saved_shows
                .extend(page.items.iter().map(|r| normalize::saved_show(r.as_ref())));
        }
    }
    if let Some(record) = records.get("followed_artists") {
        for page in &record.pages {
            let page: FollowingPage = read_page(objects, &record.key, page)?;
            library.followed_artists.extend(
                page.artists
                    .items
                    .iter()
                    .map(|a| normalize::artist(a.as_ref())),
            );
        }
    }
    if let Some(record) = records.get("playlists") {
        for raw in playlist_listing(objects, record)? {
            library.playlists.push(playlist(objects, records, raw)?);
        }
    }
    Ok(library)
}

fn playlist(
    objects: &ObjectStore,
    records: &Records<'_>,
    raw: RawPlaylist,
) -> Result<Playlist, SpotifyError> {
    // An id of a foreign shape is dropped where it enters (see `crate::ids`).
    let id = raw
        .id
        .clone()
        .filter(|id| crate::ids::is_base62_id(id))
        .unwrap_or_default();
    let key = playlist_key(&id);
    let (contents, reason, entries, fetched_total) = match records.by_key.get(&key) {
        Some((record, _)) if !record.skipped => (
            Contents::Complete,
            None,
            entries(objects, record)?,
            record.total,
        ),
        Some((_, note)) => (Contents::NotAccessible, note.clone(), Vec::new(), None),
        None => (
            Contents::NotAccessible,
            Some("not fetched".into()),
            Vec::new(),
            None,
        ),
    };
    // The items pages' total is fresher than the listing's when the entries were fetched.
    let total = fetched_total
        .or(raw.total())
        .unwrap_or(entries.len() as u64);
    Ok(Playlist {
        total: u32::try_from(total).unwrap_or(u32::MAX),
        id,
        name: raw.name.unwrap_or_default(),
        description: raw.description.filter(|d| !d.is_empty()),
        owner: raw
            .owner
            .map(|o| Owner {
                id: o
                    .id
                    .filter(|id| crate::ids::is_user_id(id))
                    .unwrap_or_default(),
                display_name: o.display_name,
            })
            .unwrap_or_default(),
        public: raw.public,
        collaborative: raw.collaborative.unwrap_or(false),
        snapshot_id: raw.snapshot_id,
        contents,
        not_accessible_reason: reason,
        entries,
    })
}

/// Manifest key of a playlist's entries.
pub fn playlist_key(id: &str) -> String {
    format!("playlist:{id}")
}

/// Copies enrichment (`musicbrainz`, and `isrc` where Spotify gave none) from the previous
/// library into collections whose pages were reused, matching rows by position and URI.
pub fn carry_enrichment(library: &mut Library, previous: &Library, reused: &[String]) {
    let reused = |key: &str| reused.iter().any(|k| k == key);
    if reused("liked_tracks") {
        overlay_entries(&mut library.liked_tracks, &previous.liked_tracks);
    }
    if reused("saved_episodes") {
        overlay_entries(&mut library.saved_episodes, &previous.saved_episodes);
    }
    if reused("saved_albums") {
        for (new, old) in library.saved_albums.iter_mut().zip(&previous.saved_albums) {
            if new.album.id == old.album.id {
                if new.album.musicbrainz.is_none() {
                    new.album.musicbrainz = old.album.musicbrainz.clone();
                }
                for (t, o) in new.album.tracks.iter_mut().zip(&old.album.tracks) {
                    overlay_item(t, o);
                }
            }
        }
    }
    if reused("followed_artists") {
        for (new, old) in library
            .followed_artists
            .iter_mut()
            .zip(&previous.followed_artists)
        {
            if new.id == old.id && new.musicbrainz.is_none() {
                new.musicbrainz = old.musicbrainz.clone();
            }
        }
    }
    let old_playlists: HashMap<&str, &Playlist> = previous
        .playlists
        .iter()
        .map(|p| (p.id.as_str(), p))
        .collect();
    for playlist in &mut library.playlists {
        if reused(&playlist_key(&playlist.id)) {
            if let Some(old) = old_playlists.get(playlist.id.as_str()) {
                overlay_entries(&mut playlist.entries, &old.entries);
            }
        }
    }
}

fn overlay_entries(new: &mut [Entry], old: &[Entry]) {
    for (n, o) in new.iter_mut().zip(old) {
        if let (Some(ni), Some(oi)) = (n.item.as_mut(), o.item.as_ref()) {
            overlay_item(ni, oi);
        }
    }
}

fn overlay_item(new: &mut crate::model::Item, old: &crate::model::Item) {
    if new.uri != old.uri {
        return;
    }
    if new.musicbrainz.is_none() {
        new.musicbrainz = old.musicbrainz.clone();
    }
    if new.isrc.is_none() {
        new.isrc = old.isrc.clone();
    }
}
