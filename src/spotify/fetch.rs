//! Fetching a backup's collections: every collection into a draft snapshot (raw pages in the
//! object store, progress in the checkpoint journal). The run around it — choosing or resuming
//! the draft, Ctrl-C, journaled pauses, building `library.json` and publishing the snapshot —
//! is the backup workflow of the application layer (`app::backup`).
//!
//! Incremental: a playlist whose `snapshot_id` is unchanged since the previous snapshot costs
//! no request (its pages are referenced again); a saved collection whose first page and total
//! are unchanged costs one. Resumable: a collection the journal records as done is not
//! fetched again.

use std::collections::HashSet;

use super::assemble::{self, playlist_key};
use super::checkpoint::{Checkpoint, Event, FILE_NAME};
use super::client::SpotifyClient;
use super::error::{Forbidden, SpotifyError};
use super::pages::RawMe;
use super::paging::{fetch_collection, Collection, Paging, Reusable};
use crate::archive::{Archive, CollectionRecord, Manifest};
use crate::progress::ProgressHandle;

/// Saved collections in fetch order: manifest key, path, progress stage name, paging.
const SAVED: &[(&str, &str, &str, Paging)] = &[
    ("liked_tracks", "me/tracks", "liked songs", Paging::Offset),
    ("saved_albums", "me/albums", "saved albums", Paging::Offset),
    ("saved_shows", "me/shows", "saved shows", Paging::Offset),
    (
        "saved_episodes",
        "me/episodes",
        "saved episodes",
        Paging::Offset,
    ),
    (
        "followed_artists",
        "me/following",
        "followed artists",
        Paging::Cursor,
    ),
];

/// Whether every page of a record is still stored (reuse must not reference lost pages).
fn pages_present(archive: &Archive, record: &CollectionRecord) -> bool {
    record.pages.iter().all(|p| archive.objects().contains(p))
}

/// Fetches every collection not yet done into the draft behind `cp`, journaling each one;
/// unchanged collections of `prev` are referenced again instead of fetched.
pub async fn fetch_all(
    archive: &Archive,
    client: &SpotifyClient,
    cp: &mut Checkpoint,
    progress: &ProgressHandle,
    prev: Option<&Manifest>,
) -> Result<(), SpotifyError> {
    let objects = archive.objects();
    let reusable = |key: &str| {
        prev.and_then(|m| {
            m.collection(key)
                .filter(|record| pages_present(archive, record))
                .map(|record| Reusable {
                    snapshot: m.id.clone(),
                    record: record.clone(),
                })
        })
    };

    if !cp.done.contains_key("me") {
        let body = client.get("me", &[], "/me").await?;
        serde_json::from_slice::<RawMe>(&body).map_err(|e| SpotifyError::Malformed {
            endpoint: "/me".into(),
            detail: e.to_string(),
        })?;
        let page = objects.put(&body)?;
        cp.record(Event::Done {
            record: simple_record("me", None, 1, vec![page]),
            note: None,
        })?;
    }

    for (key, path, stage, paging) in SAVED {
        if cp.done.contains_key(*key) {
            continue;
        }
        let coll = Collection {
            key: (*key).to_string(),
            path: (*path).to_string(),
            label: format!("/{path}"),
            query: match paging {
                Paging::Cursor => vec![("type", "artist".to_string())],
                Paging::Offset => Vec::new(),
            },
            paging: *paging,
            version: None,
        };
        progress.start(stage, None);
        let reuse = reusable(key);
        fetch_collection(
            client,
            objects,
            cp,
            progress.as_ref(),
            true,
            &coll,
            reuse.as_ref(),
        )
        .await?;
        progress.finish();
    }

    if !cp.done.contains_key("playlists") {
        let coll = Collection {
            key: "playlists".into(),
            path: "me/playlists".into(),
            label: "/me/playlists".into(),
            query: Vec::new(),
            paging: Paging::Offset,
            version: None,
        };
        // Always listed afresh: the listing carries the snapshot_ids that decide reuse.
        progress.start("playlists", None);
        fetch_collection(client, objects, cp, progress.as_ref(), true, &coll, None).await?;
        progress.finish();
    }

    fetch_playlists(archive, client, cp, progress, prev).await
}

async fn fetch_playlists(
    archive: &Archive,
    client: &SpotifyClient,
    cp: &mut Checkpoint,
    progress: &ProgressHandle,
    prev: Option<&Manifest>,
) -> Result<(), SpotifyError> {
    let objects = archive.objects();
    let me = assemble::user(objects, done(cp, "me")?)?;
    let listing = assemble::playlist_listing(objects, done(cp, "playlists")?)?;
    let pending: u64 = listing
        .iter()
        .filter(|p| {
            !cp.done
                .contains_key(&playlist_key(p.id.as_deref().unwrap_or_default()))
        })
        .map(|p| p.total().unwrap_or(0))
        .sum();
    progress.start("playlist entries", Some(pending));
    for raw in &listing {
        let id = raw.id.clone().unwrap_or_default();
        let key = playlist_key(&id);
        if cp.done.contains_key(&key) {
            continue;
        }
        let total = raw.total();
        let version = raw.snapshot_id.clone();
        let owned = raw.owner.as_ref().and_then(|o| o.id.as_deref()) == Some(me.id.as_str());
        if !owned && !raw.collaborative.unwrap_or(false) {
            let owner = raw
                .owner
                .as_ref()
                .and_then(|o| o.display_name.clone().or(o.id.clone()))
                .unwrap_or_else(|| "someone else".into());
            let note = format!(
                "followed, owned by {owner}: Spotify shows the items only of playlists you own \
                 or collaborate on"
            );
            skip(cp, &key, total, version, note)?;
            continue;
        }
        if let Some(record) = unchanged_playlist(prev, &key, version.as_deref())
            .filter(|record| pages_present(archive, record))
        {
            progress.advance(record.received);
            cp.record(Event::Done { record, note: None })?;
            continue;
        }
        if total == Some(0) {
            let mut record = simple_record(&key, Some(0), 0, Vec::new());
            record.version = version;
            cp.record(Event::Done { record, note: None })?;
            continue;
        }
        let coll = Collection {
            key: key.clone(),
            path: format!("playlists/{}/items", encode_segment(&id)),
            label: "/playlists/{id}/items".into(),
            // No `market` (it relinks ids) and no `fields` (pages stay lossless).
            query: vec![("additional_types", "episode".into())],
            paging: Paging::Offset,
            version: version.clone(),
        };
        match fetch_collection(client, objects, cp, progress.as_ref(), false, &coll, None).await {
            Ok(_) => {}
            Err(SpotifyError::Forbidden {
                reason: reason @ (Forbidden::PlaylistNotOwned | Forbidden::EndpointRemoved),
                ..
            }) => {
                let note = format!("Spotify refused its items (HTTP 403): {}", reason.advice());
                skip(cp, &key, total, version, note)?;
            }
            Err(SpotifyError::Status { status: 404, .. }) => {
                let note = "Spotify no longer finds this playlist (HTTP 404)".to_string();
                skip(cp, &key, total, version, note)?;
            }
            Err(err) => return Err(err),
        }
    }
    progress.finish();
    Ok(())
}

/// The previous snapshot's record for a playlist whose `snapshot_id` is unchanged.
fn unchanged_playlist(
    prev: Option<&Manifest>,
    key: &str,
    version: Option<&str>,
) -> Option<CollectionRecord> {
    let prev = prev?;
    let record = prev.collection(key)?;
    let complete = record.total.is_none_or(|t| t == record.received);
    (version.is_some() && record.version.as_deref() == version && !record.skipped && complete).then(
        || CollectionRecord {
            reused_from: Some(prev.id.clone()),
            ..record.clone()
        },
    )
}

fn skip(
    cp: &mut Checkpoint,
    key: &str,
    total: Option<u64>,
    version: Option<String>,
    note: String,
) -> Result<(), SpotifyError> {
    let mut record = simple_record(key, total, 0, Vec::new());
    record.version = version;
    record.skipped = true;
    cp.record(Event::Done {
        record,
        note: Some(note),
    })
}

fn simple_record(
    key: &str,
    total: Option<u64>,
    received: u64,
    pages: Vec<String>,
) -> CollectionRecord {
    CollectionRecord {
        key: key.to_string(),
        total,
        received,
        pages,
        reused_from: None,
        version: None,
        skipped: false,
    }
}

/// Manifest order: `me`, saved collections, the listing, then playlists as listed.
pub fn manifest_order(archive: &Archive, cp: &Checkpoint) -> Result<Vec<String>, SpotifyError> {
    let mut order: Vec<String> = std::iter::once("me")
        .chain(SAVED.iter().map(|(key, ..)| *key))
        .chain(std::iter::once("playlists"))
        .filter(|k| cp.done.contains_key(*k))
        .map(str::to_string)
        .collect();
    let mut seen = HashSet::new();
    for raw in assemble::playlist_listing(archive.objects(), done(cp, "playlists")?)? {
        let key = playlist_key(raw.id.as_deref().unwrap_or_default());
        if cp.done.contains_key(&key) && seen.insert(key.clone()) {
            order.push(key);
        }
    }
    Ok(order)
}

/// A finished collection's record; the fetch order guarantees it exists.
fn done<'a>(cp: &'a Checkpoint, key: &str) -> Result<&'a CollectionRecord, SpotifyError> {
    cp.done
        .get(key)
        .map(|(record, _)| record)
        .ok_or_else(|| SpotifyError::Checkpoint {
            path: FILE_NAME.into(),
            detail: format!("the collection {key} is missing"),
        })
}

/// Percent-encodes a path segment (Spotify ids are base62; anything else is escaped).
fn encode_segment(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
