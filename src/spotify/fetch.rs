//! The backup run: fetch every collection into a draft snapshot (raw pages in the object
//! store, progress in the checkpoint journal), build `library.json` from the stored pages and
//! publish the snapshot atomically.
//!
//! Incremental: a playlist whose `snapshot_id` is unchanged since the previous snapshot costs
//! no request (its pages are referenced again); a saved collection whose first page and total
//! are unchanged costs one. Resumable: an unfinished draft with a journal is continued, never
//! restarted. A quota stop or a long Retry-After is journaled and becomes
//! [`SpotifyError::Paused`].

use std::collections::HashSet;
use std::time::Instant;

use super::assemble::{self, playlist_key, Records};
use super::checkpoint::{Checkpoint, Event, FILE_NAME};
use super::client::SpotifyClient;
use super::error::{Forbidden, SpotifyError};
use super::pages::RawMe;
use super::paging::{fetch_collection, Collection, Paging, Reusable};
use super::summary::BackupSummary;
use crate::archive::{Archive, CollectionRecord, Draft, Manifest};
use crate::http::HttpError;
use crate::model::SOURCE_WEB_API;
use crate::progress::ProgressHandle;

#[derive(Debug, Clone, Default)]
pub struct BackupOptions {
    /// Refetch everything instead of reusing unchanged collections.
    pub full: bool,
    /// Stop cleanly (journal saved) on Ctrl-C; the binary sets this, tests don't.
    pub stop_on_ctrl_c: bool,
}

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

/// Runs (or resumes) a backup and publishes the finished snapshot.
pub async fn run_backup(
    archive: &Archive,
    client: &SpotifyClient,
    options: &BackupOptions,
    progress: &ProgressHandle,
) -> Result<BackupSummary, SpotifyError> {
    let started = Instant::now();
    let counts_before = client.request_counts();
    let (draft, mut cp, resumed) = open_draft(archive)?;
    refuse_before_deadline(&cp)?;
    forget_missing_pages(archive, &mut cp)?;

    let previous = match cp.previous.clone() {
        Some(previous) => previous,
        None => {
            let previous = archive.latest()?;
            cp.record(Event::Started {
                previous: previous.clone(),
                full: options.full,
            })?;
            previous
        }
    };
    let prev_manifest = match (&previous, options.full) {
        (Some(id), false) => archive.read_manifest(id).ok(),
        _ => None,
    };

    let outcome = {
        let fetching = fetch_all(archive, client, &mut cp, progress, prev_manifest.as_ref());
        if options.stop_on_ctrl_c {
            tokio::select! {
                result = fetching => result,
                _ = tokio::signal::ctrl_c() => Err(SpotifyError::Interrupted),
            }
        } else {
            fetching.await
        }
    };
    let this_run = client.request_counts().since(&counts_before);
    if let Err(err) = outcome {
        // Best effort: the journal already holds every stored page.
        let _ = cp.record(Event::Requests {
            counts: this_run.0.clone(),
        });
        return Err(pause_or(err, &mut cp));
    }

    let mut summary_requests = cp.requests.clone();
    for (label, n) in &this_run.0 {
        let count = summary_requests.entry(label.clone()).or_default();
        *count = count.saturating_add(*n);
    }
    let order = manifest_order(archive, &cp)?;
    let records = Records { by_key: &cp.done };
    progress.start("building library", None);
    let mut library = assemble::build_library(archive.objects(), &records)?;
    let reused: Vec<String> = order
        .iter()
        .filter(|k| {
            cp.done
                .get(*k)
                .is_some_and(|(r, _)| r.reused_from.is_some())
        })
        .cloned()
        .collect();
    if let (Some(prev), false) = (&previous, reused.is_empty()) {
        if let Ok(old) = archive.read_library(prev) {
            assemble::carry_enrichment(&mut library, &old, &reused);
        }
    }
    progress.finish();

    let mut manifest = Manifest::new(SOURCE_WEB_API);
    manifest.requests = summary_requests;
    for (record, note) in order.iter().filter_map(|key| cp.done.get(key)) {
        manifest.collections.push(record.clone());
        if let Some(note) = note.as_ref().filter(|_| !record.skipped) {
            manifest.notes.push(note.clone());
        }
    }
    let summary_base = BackupSummary::new(&manifest, &library, this_run, resumed);
    // The journal stays until the snapshot is in place: if saving fails (a full disk), the
    // next backup resumes instead of starting over. It moves with the draft and is deleted
    // from the published snapshot; a leftover copy there is harmless.
    drop(cp);
    let id = draft.finish(archive, manifest, &library)?;
    let journal = archive.snapshot_dir(&id).join(FILE_NAME);
    if let Err(e) = std::fs::remove_file(&journal) {
        tracing::debug!(path = %journal.display(), "cannot remove the finished journal: {e}");
    }
    Ok(summary_base.finished(id, started.elapsed()))
}

/// A page object the journal relies on is gone or damaged (a `prune` beside the backup, a
/// disk repair): forget that collection so it is fetched again, instead of failing at the
/// end of every later backup.
fn forget_missing_pages(archive: &Archive, cp: &mut Checkpoint) -> Result<(), SpotifyError> {
    let lost: std::collections::BTreeSet<String> = cp
        .referenced_pages()
        .into_iter()
        .filter(|(_, page)| archive.objects().get(page).is_err())
        .map(|(key, _)| key.to_string())
        .collect();
    for key in lost {
        tracing::warn!("a stored page of {key} is missing from the archive; fetching {key} again");
        cp.record(Event::Reset { key })?;
    }
    Ok(())
}

/// Whether every page of a record is still stored (reuse must not reference lost pages).
fn pages_present(archive: &Archive, record: &CollectionRecord) -> bool {
    record.pages.iter().all(|p| archive.objects().contains(p))
}

/// The newest unfinished draft with a journal, or a new draft.
fn open_draft(archive: &Archive) -> Result<(Draft, Checkpoint, bool), SpotifyError> {
    let resumable = archive
        .drafts()?
        .into_iter()
        .rev()
        .find(|d| Checkpoint::exists(d.dir()));
    let (draft, resumed) = match resumable {
        Some(draft) => (draft, true),
        None => (archive.new_draft()?, false),
    };
    let cp = Checkpoint::open(draft.dir())?;
    if resumed {
        tracing::info!(draft = %draft.id, "resuming the unfinished backup");
    }
    Ok((draft, cp, resumed))
}

/// Spotify asked us to stay away until a time still in the future: don't spend quota.
fn refuse_before_deadline(cp: &Checkpoint) -> Result<(), SpotifyError> {
    if let Some((reason, Some(until))) = &cp.paused {
        if let Ok(deadline) = chrono::DateTime::parse_from_rfc3339(until) {
            if deadline > chrono::Utc::now() {
                return Err(SpotifyError::Paused {
                    reason: format!("{reason} (still waiting)"),
                    resume_after: until.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Turns a quota stop or long Retry-After into a journaled pause.
fn pause_or(err: SpotifyError, cp: &mut Checkpoint) -> SpotifyError {
    // The resume time was fixed (and bounded to a day) when the answer arrived.
    let (reason, until) = match &err {
        SpotifyError::Http(HttpError::QuotaExceeded { until, .. }) => (
            "Spotify's request quota for this app is used up".to_string(),
            until.clone(),
        ),
        SpotifyError::Http(HttpError::LongRetryAfter {
            retry_after, until, ..
        }) => (
            format!(
                "Spotify asked to wait {} before the next request",
                crate::wait::human(*retry_after)
            ),
            Some(until.clone()),
        ),
        _ => return err,
    };
    let _ = cp.record(Event::Paused {
        reason: reason.clone(),
        until: until.clone(),
    });
    SpotifyError::Paused {
        reason,
        resume_after: until.unwrap_or_else(|| "a few hours (Spotify gave no time)".into()),
    }
}

async fn fetch_all(
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
fn manifest_order(archive: &Archive, cp: &Checkpoint) -> Result<Vec<String>, SpotifyError> {
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
