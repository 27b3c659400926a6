//! The tag index cache (`<archive>/local-library.sqlite3`): for each audio file, keyed by its
//! absolute path, the size and modification time it had when read and what its tags said
//! (or that it was tagless or unreadable). A file whose size and mtime are unchanged is not
//! read again; rows of files that disappeared are removed after each scan. A separate file
//! from the enrichment cache: it describes the user's disk, not MusicBrainz, and can be
//! deleted at any time to force a full re-read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};

use super::tags::{TagOutcome, TrackTags};
use super::LocalLibraryError;

/// Bump when the row shape changes; an older cache is dropped and rebuilt.
const SCHEMA_VERSION: i64 = 1;

/// A cached read of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedRead {
    pub size: u64,
    pub mtime_ns: i64,
    pub outcome: TagOutcome,
}

pub struct IndexCache {
    conn: Connection,
    path: PathBuf,
}

impl IndexCache {
    /// Opens (creating if needed) the cache at `path`.
    pub fn open(path: &Path) -> Result<Self, LocalLibraryError> {
        let err = |e| LocalLibraryError::cache(path, e);
        let conn = Connection::open(path).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err)?;
        if version != SCHEMA_VERSION {
            conn.execute_batch("DROP TABLE IF EXISTS local_files;")
                .map_err(err)?;
        }
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS local_files (
                path TEXT PRIMARY KEY,
                size INTEGER NOT NULL,
                mtime_ns INTEGER NOT NULL,
                status TEXT NOT NULL,
                recording_mbid TEXT,
                isrc TEXT,
                artist TEXT,
                title TEXT,
                album TEXT,
                duration_ms INTEGER,
                problem TEXT
            );",
        )
        .map_err(err)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(err)?;
        Ok(IndexCache {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Every cached row whose path lies under the folder `root`.
    pub fn load_under(&self, root: &str) -> Result<HashMap<String, CachedRead>, LocalLibraryError> {
        let err = |e| LocalLibraryError::cache(&self.path, e);
        let sep = std::path::MAIN_SEPARATOR;
        let prefix = format!("{}{sep}", root.trim_end_matches(sep));
        let mut stmt = self
            .conn
            .prepare(
                "SELECT path, size, mtime_ns, status, recording_mbid, isrc, artist, title, album,
                        duration_ms, problem
                 FROM local_files WHERE substr(path, 1, length(?1)) = ?1",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map([&prefix], |r| {
                let status: String = r.get(3)?;
                let outcome = match status.as_str() {
                    "tagged" => TagOutcome::Tagged(TrackTags {
                        recording_mbid: r.get(4)?,
                        isrc: r.get(5)?,
                        artist: r.get(6)?,
                        title: r.get(7)?,
                        album: r.get(8)?,
                        duration_ms: r
                            .get::<_, Option<i64>>(9)?
                            .and_then(|d| u64::try_from(d).ok()),
                    }),
                    "tagless" => TagOutcome::Tagless,
                    _ => {
                        TagOutcome::Unreadable(r.get::<_, Option<String>>(10)?.unwrap_or_default())
                    }
                };
                Ok((
                    r.get::<_, String>(0)?,
                    CachedRead {
                        size: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(u64::MAX),
                        mtime_ns: r.get(2)?,
                        outcome,
                    },
                ))
            })
            .map_err(err)?;
        let mut out = HashMap::new();
        for row in rows {
            let (path, read) = row.map_err(err)?;
            out.insert(path, read);
        }
        Ok(out)
    }

    /// Stores fresh reads and forgets `gone` paths, in one transaction.
    pub fn update(
        &mut self,
        fresh: &[(String, CachedRead)],
        gone: &[String],
    ) -> Result<(), LocalLibraryError> {
        let path = self.path.clone();
        let err = |e| LocalLibraryError::cache(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut put = tx
                .prepare(
                    "INSERT OR REPLACE INTO local_files
                     (path, size, mtime_ns, status, recording_mbid, isrc, artist, title, album,
                      duration_ms, problem)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(err)?;
            for (file, read) in fresh {
                let size = i64::try_from(read.size).unwrap_or(i64::MAX);
                let none = TrackTags::default();
                let (status, tags, problem) = match &read.outcome {
                    TagOutcome::Tagged(t) => ("tagged", t, None),
                    TagOutcome::Tagless => ("tagless", &none, None),
                    TagOutcome::Unreadable(p) => ("unreadable", &none, Some(p.as_str())),
                };
                put.execute(params![
                    file,
                    size,
                    read.mtime_ns,
                    status,
                    tags.recording_mbid,
                    tags.isrc,
                    tags.artist,
                    tags.title,
                    tags.album,
                    tags.duration_ms.and_then(|d| i64::try_from(d).ok()),
                    problem,
                ])
                .map_err(err)?;
            }
            let mut forget = tx
                .prepare("DELETE FROM local_files WHERE path = ?1")
                .map_err(err)?;
            for file in gone {
                forget.execute([file]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }
}
