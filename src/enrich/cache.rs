//! The enrichment cache (`<archive>/cache.sqlite3`): raw MusicBrainz lookup results keyed by
//! what was asked (an ISRC, a Spotify URL, a release MBID, a normalized search query). Keeping
//! lookups rather than decisions means a better matcher re-decides without new requests.
//! Results are written as each batch completes, so an interrupted run resumes where it stopped.
//! Misses expire sooner than hits: MusicBrainz grows, and a miss today may be a hit next month.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::EnrichError;
use crate::disk_error::{sqlite_file_damaged, DiskProblem};

/// Bump when the stored value shapes change; older caches are dropped and rebuilt.
pub const SCHEMA_VERSION: i64 = 1;

/// How long entries stay fresh.
#[derive(Debug, Clone, Copy)]
pub struct Ttl {
    pub hit: Duration,
    pub miss: Duration,
}

impl Default for Ttl {
    fn default() -> Self {
        Ttl {
            hit: Duration::from_secs(180 * 24 * 3600),
            miss: Duration::from_secs(14 * 24 * 3600),
        }
    }
}

/// What a key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// ISRC → recordings carrying it.
    Isrc,
    /// Spotify URL → MBIDs it is linked to.
    Url,
    /// Release MBID → the release with its tracklist.
    Release,
    /// Normalized fuzzy query → search hits.
    Search,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Isrc => "isrc",
            Kind::Url => "url",
            Kind::Release => "release",
            Kind::Search => "search",
        }
    }
}

/// A cached lookup: `Some(value)` for a hit, `None` for a remembered miss.
pub type Cached<T> = Option<T>;

pub struct Cache {
    conn: Mutex<Connection>,
    path: PathBuf,
    ttl: Ttl,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Cache {
    /// Opens (creating if needed) the cache at `path`.
    pub fn open(path: &Path, ttl: Ttl) -> Result<Self, EnrichError> {
        let err = |e: rusqlite::Error| cache_error(path, e);
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        let cache = Cache {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
            ttl,
        };
        cache.migrate()?;
        Ok(cache)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn migrate(&self) -> Result<(), EnrichError> {
        let conn = self.lock()?;
        let err = |e: rusqlite::Error| cache_error(&self.path, e);
        conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);")
            .map_err(err)?;
        let version: Option<i64> = conn
            .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))
            .map_err(err)?;
        match version {
            Some(v) if v == SCHEMA_VERSION => return Ok(()),
            Some(v) if v > SCHEMA_VERSION => {
                return Err(EnrichError::Cache {
                    path: self.path.clone(),
                    detail: format!(
                        "it was written by a newer trackvault (cache schema {v}); use that version"
                    ),
                })
            }
            _ => {}
        }
        // A cache: an old layout is simply dropped.
        conn.execute_batch(
            "BEGIN;
             DROP TABLE IF EXISTS lookups;
             CREATE TABLE lookups (
                 kind TEXT NOT NULL,
                 key TEXT NOT NULL,
                 found INTEGER NOT NULL,
                 value TEXT NOT NULL,
                 fetched_at INTEGER NOT NULL,
                 PRIMARY KEY (kind, key)
             ) WITHOUT ROWID;
             DELETE FROM schema_version;",
        )
        .map_err(err)?;
        conn.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            params![SCHEMA_VERSION],
        )
        .map_err(err)?;
        conn.execute_batch("COMMIT;").map_err(err)?;
        Ok(())
    }

    /// The fresh cached result for `key`, or `None` when absent or expired.
    pub fn get<T: DeserializeOwned>(
        &self,
        kind: Kind,
        key: &str,
    ) -> Result<Option<Cached<T>>, EnrichError> {
        let conn = self.lock()?;
        let row: Option<(bool, String, i64)> = conn
            .query_row(
                "SELECT found, value, fetched_at FROM lookups WHERE kind = ?1 AND key = ?2",
                params![kind.as_str(), key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| cache_error(&self.path, e))?;
        let Some((found, value, fetched_at)) = row else {
            return Ok(None);
        };
        let ttl = if found { self.ttl.hit } else { self.ttl.miss };
        let age = now_secs().saturating_sub(fetched_at);
        if age < 0 || age as u64 >= ttl.as_secs() {
            return Ok(None);
        }
        if !found {
            return Ok(Some(None));
        }
        // An unreadable entry is treated as absent and will be looked up again.
        Ok(serde_json::from_str(&value).ok().map(Some))
    }

    /// Stores a batch of results in one transaction (`None` = a miss).
    pub fn put_many<T: Serialize>(
        &self,
        kind: Kind,
        entries: &[(String, Cached<T>)],
    ) -> Result<(), EnrichError> {
        let mut conn = self.lock()?;
        let err = |e: rusqlite::Error| cache_error(&self.path, e);
        let tx = conn.transaction().map_err(err)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO lookups (kind, key, found, value, fetched_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(err)?;
            let now = now_secs();
            for (key, value) in entries {
                let json = match value {
                    Some(v) => serde_json::to_string(v).map_err(|e| EnrichError::Cache {
                        path: self.path.clone(),
                        detail: format!("cannot serialize an entry ({e})"),
                    })?,
                    None => String::new(),
                };
                stmt.execute(params![kind.as_str(), key, value.is_some(), json, now])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    /// Entries stored, for tests and diagnostics.
    pub fn len(&self) -> Result<usize, EnrichError> {
        let conn = self.lock()?;
        conn.query_row("SELECT COUNT(*) FROM lookups", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(|e| cache_error(&self.path, e))
    }

    pub fn is_empty(&self) -> Result<bool, EnrichError> {
        Ok(self.len()? == 0)
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>, EnrichError> {
        self.conn.lock().map_err(|_| EnrichError::Cache {
            path: self.path.clone(),
            detail: "an earlier cache operation panicked".into(),
        })
    }
}

/// A disk problem says what is wrong with the disk; only a damaged file is worth deleting.
fn cache_error(path: &Path, e: rusqlite::Error) -> EnrichError {
    if let Some(problem) = DiskProblem::of_sqlite(&e) {
        return EnrichError::CacheDisk {
            path: path.to_path_buf(),
            problem: problem.describe(path),
            advice: problem.advice(),
        };
    }
    if sqlite_file_damaged(&e) {
        return EnrichError::CacheDamaged {
            path: path.to_path_buf(),
            detail: e.to_string(),
        };
    }
    EnrichError::Cache {
        path: path.to_path_buf(),
        detail: format!(
            "{e}; check that the archive folder is writable and has free space, then run again"
        ),
    }
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: std::ffi::c_int) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn a_full_or_read_only_disk_is_named_and_the_cache_is_kept() {
        let path = Path::new("/archive/cache.sqlite3");
        let full = cache_error(path, failure(rusqlite::ffi::SQLITE_FULL)).to_string();
        assert!(
            full.contains("the disk holding /archive/cache.sqlite3 is full"),
            "{full}"
        );
        assert!(full.contains("free some space"), "{full}");
        let read_only = cache_error(path, failure(rusqlite::ffi::SQLITE_READONLY)).to_string();
        assert!(read_only.contains("read-only"), "{read_only}");
        let io = cache_error(path, failure(rusqlite::ffi::SQLITE_IOERR)).to_string();
        for text in [&full, &read_only, &io] {
            assert!(!text.contains("delete"), "{text}");
        }
    }

    #[test]
    fn only_a_damaged_cache_file_is_worth_deleting() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite3");
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        let err = Cache::open(&path, Ttl::default()).unwrap_err().to_string();
        assert!(err.contains("damaged") && err.contains("delete"), "{err}");
    }

    #[test]
    fn stores_hits_and_misses_and_expires_misses_sooner() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite3");
        let cache = Cache::open(&path, Ttl::default()).unwrap();
        assert_eq!(cache.get::<Vec<String>>(Kind::Isrc, "A").unwrap(), None);
        cache
            .put_many(
                Kind::Isrc,
                &[
                    ("A".into(), Some(vec!["x".to_string()])),
                    ("B".into(), None),
                ],
            )
            .unwrap();
        assert_eq!(
            cache.get::<Vec<String>>(Kind::Isrc, "A").unwrap(),
            Some(Some(vec!["x".into()]))
        );
        assert_eq!(
            cache.get::<Vec<String>>(Kind::Isrc, "B").unwrap(),
            Some(None)
        );
        assert_eq!(
            cache.get::<Vec<String>>(Kind::Url, "A").unwrap(),
            None,
            "kinds are separate"
        );
        drop(cache);
        // Reopened with misses expiring at once: the hit survives, the miss is gone.
        let short = Ttl {
            hit: Duration::from_secs(3600),
            miss: Duration::ZERO,
        };
        let cache = Cache::open(&path, short).unwrap();
        assert!(cache.get::<Vec<String>>(Kind::Isrc, "A").unwrap().is_some());
        assert_eq!(cache.get::<Vec<String>>(Kind::Isrc, "B").unwrap(), None);
    }

    #[test]
    fn refuses_a_cache_from_a_newer_version_and_rebuilds_an_older_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99);")
                .unwrap();
        }
        let err = Cache::open(&path, Ttl::default()).unwrap_err();
        assert!(err.to_string().contains("newer trackvault"), "{err}");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("UPDATE schema_version SET version = 0;")
                .unwrap();
        }
        let cache = Cache::open(&path, Ttl::default()).unwrap();
        assert!(cache.is_empty().unwrap());
    }
}
