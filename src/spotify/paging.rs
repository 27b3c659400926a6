//! Pages through one collection: offset paging (limit 50, `offset >= total` or a null `next`
//! or an empty page ends it) or cursor paging (`/me/following`). Every page is stored raw in
//! the object store and journaled before the next request, so a stop at any point loses
//! nothing. Rows are counted as received, `null` rows included, and compared with `total`.

use super::checkpoint::{Checkpoint, Event, Partial, Position};
use super::client::SpotifyClient;
use super::error::SpotifyError;
use super::pages::{FollowingHead, PageHead};
use crate::archive::{CollectionRecord, ObjectStore};
use crate::progress::Progress;

/// Page size: the maximum for every collection endpoint in 2026.
pub const LIMIT: u64 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    Offset,
    /// `/me/following?type=artist`: `after=<last id>`, body wrapped in `artists`.
    Cursor,
}

/// One collection endpoint.
#[derive(Debug, Clone)]
pub struct Collection {
    /// Manifest key: `liked_tracks`, `playlist:<id>`…
    pub key: String,
    /// Path below the API base.
    pub path: String,
    /// Endpoint label for request counts.
    pub label: String,
    /// Extra query parameters (`type=artist`, `additional_types=episode`).
    pub query: Vec<(&'static str, String)>,
    pub paging: Paging,
    /// Playlist `snapshot_id` the pages belong to.
    pub version: Option<String>,
}

/// Pages of the previous snapshot that may be reused when the first page is unchanged.
#[derive(Debug, Clone)]
pub struct Reusable {
    pub snapshot: String,
    pub record: CollectionRecord,
}

/// The finished collection and a remark when the count did not match `total`.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub record: CollectionRecord,
    pub note: Option<String>,
}

/// Fetches what is left of `coll` (resuming from the journal), reusing the previous pages
/// when the first page and total are identical. `own_stage` says whether `progress` is this
/// collection's own stage (so its total may be set).
pub async fn fetch_collection(
    client: &SpotifyClient,
    objects: &ObjectStore,
    cp: &mut Checkpoint,
    progress: &dyn Progress,
    own_stage: bool,
    coll: &Collection,
    reuse: Option<&Reusable>,
) -> Result<Fetched, SpotifyError> {
    let start = match coll.paging {
        Paging::Offset => Position::Offset(0),
        Paging::Cursor => Position::After(None),
    };
    let mut state = cp.partial.get(&coll.key).cloned().unwrap_or_default();
    if state.received > 0 {
        progress.advance(state.received);
    }
    let mut at = state.next.clone().unwrap_or(start);
    loop {
        let query = match (&at, state.total) {
            (Position::End, _) => break,
            (Position::Offset(offset), Some(total)) if *offset >= total => break,
            (Position::Offset(offset), _) => offset_query(coll, *offset),
            (Position::After(after), _) => cursor_query(coll, after.as_deref()),
        };
        let body = client.get(&coll.path, &query, &coll.label).await?;
        let (rows, total, next) = read_head(coll, &at, &body)?;
        let page = objects.put(&body)?;
        if state.pages.is_empty() {
            if let Some(reused) = reuse.and_then(|r| reusable(r, &page, total)) {
                progress.advance(reused.received);
                cp.record(Event::Done {
                    record: reused.clone(),
                    note: None,
                })?;
                return Ok(Fetched {
                    record: reused,
                    note: None,
                });
            }
            if own_stage {
                if let Some(total) = total {
                    progress.set_total(total);
                }
            }
        }
        cp.record(Event::Page {
            key: coll.key.clone(),
            at: at.clone(),
            page: page.clone(),
            rows,
            total,
            next: next.clone(),
        })?;
        state = Partial {
            pages: std::mem::take(&mut state.pages),
            received: state.received.saturating_add(rows),
            total,
            next: Some(next.clone()),
        };
        state.pages.push(page);
        progress.advance(rows);
        at = next;
    }
    let record = CollectionRecord {
        key: coll.key.clone(),
        total: state.total,
        received: state.received,
        pages: state.pages,
        reused_from: None,
        version: coll.version.clone(),
        skipped: false,
    };
    let note = count_note(&record);
    cp.record(Event::Done {
        record: record.clone(),
        note: note.clone(),
    })?;
    Ok(Fetched { record, note })
}

fn offset_query(coll: &Collection, offset: u64) -> Vec<(&'static str, String)> {
    let mut query = coll.query.clone();
    query.push(("limit", LIMIT.to_string()));
    query.push(("offset", offset.to_string()));
    query
}

fn cursor_query(coll: &Collection, after: Option<&str>) -> Vec<(&'static str, String)> {
    let mut query = coll.query.clone();
    query.push(("limit", LIMIT.to_string()));
    if let Some(after) = after {
        query.push(("after", after.to_string()));
    }
    query
}

/// Rows on the page, the reported total and where the next page starts.
fn read_head(
    coll: &Collection,
    at: &Position,
    body: &[u8],
) -> Result<(u64, Option<u64>, Position), SpotifyError> {
    let malformed = |e: serde_json::Error| SpotifyError::Malformed {
        endpoint: coll.label.clone(),
        detail: e.to_string(),
    };
    match coll.paging {
        Paging::Offset => {
            let head: PageHead = serde_json::from_slice(body).map_err(malformed)?;
            let rows = head.rows();
            let offset = match at {
                Position::Offset(offset) => *offset,
                _ => 0,
            };
            // An empty page ends paging even when `next` is set (a known Spotify quirk),
            // otherwise a stale `next` would loop forever.
            let next = if rows == 0 || head.next.is_none() {
                Position::End
            } else {
                Position::Offset(offset.saturating_add(rows))
            };
            Ok((rows, head.total, next))
        }
        Paging::Cursor => {
            let head: FollowingHead = serde_json::from_slice(body).map_err(malformed)?;
            let rows = head.artists.rows();
            let next = match head.artists.after() {
                Some(after) if rows > 0 && Position::After(Some(after.clone())) != *at => {
                    Position::After(Some(after))
                }
                _ => Position::End,
            };
            Ok((rows, head.artists.total, next))
        }
    }
}

/// The previous record, when the fresh first page and total are identical to its own.
fn reusable(prev: &Reusable, first_page: &str, total: Option<u64>) -> Option<CollectionRecord> {
    let record = &prev.record;
    let complete = record.total.is_none_or(|t| t == record.received);
    (record.pages.first().map(String::as_str) == Some(first_page)
        && record.total == total
        && complete
        && !record.skipped)
        .then(|| CollectionRecord {
            reused_from: Some(prev.snapshot.clone()),
            ..record.clone()
        })
}

/// A remark when Spotify sent a different number of rows than it reported.
pub fn count_note(record: &CollectionRecord) -> Option<String> {
    let total = record.total?;
    (total != record.received).then(|| {
        format!(
            "{}: Spotify reported {total} rows but sent {}",
            record.key, record.received
        )
    })
}
