//! The on-disk archive (`<root>/`): `objects/` (raw pages, content-addressed), `snapshots/<id>/`
//! (`manifest.json`, `library.json`, `exports/`), `latest` (newest complete snapshot) and
//! `cache.sqlite3` (enrichment cache and resume state, owned by those modules).
//!
//! A snapshot is built in a draft directory (`snapshots/.draft-<id>/`) and becomes visible only
//! when [`Draft::finish`] renames it into place, so a partial backup is never presented as
//! complete.

mod integrity;
mod lock;
mod objects;
mod snapshot;
mod verify;

use std::fs;
use std::path::{Path, PathBuf};

pub use integrity::{IntegrityRecord, INTEGRITY_FILE};
pub use lock::{ArchiveLock, LockHolder, LOCK_FILE};
pub use objects::{object_id, ObjectStore};
pub use snapshot::{
    is_snapshot_id, parse_latest, CollectionRecord, DamagedSnapshot, Draft, Latest, Manifest,
    SnapshotInfo, SnapshotScan, MANIFEST_VERSION,
};
pub use verify::{verify_damaged, verify_latest, verify_snapshot, VerifyReport};

use crate::model::Library;

/// Why an archive operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot access {path}: {source}; check the archive path and its permissions")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is damaged: {detail}; run `trackvault verify` and back up again")]
    Corrupt { path: PathBuf, detail: String },
    #[error("no snapshot matches `{0}`; run `trackvault snapshots` to list them")]
    UnknownSnapshot(String),
    #[error("the archive at {0} has no complete snapshot yet; run `trackvault backup` (or `trackvault demo`) first")]
    Empty(PathBuf),
    #[error("`{0}` matches several snapshots; give more of its id")]
    Ambiguous(String),
    #[error("the archive at {root} is in use by {holder}; wait for it or stop it")]
    Busy { root: PathBuf, holder: String },
    #[error("`{0}` is not a snapshot id (ids look like 2026-11-24T11-22-33Z); run `trackvault snapshots` to list them")]
    InvalidSnapshotId(String),
}

impl ArchiveError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        ArchiveError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// An archive root on disk.
#[derive(Debug, Clone)]
pub struct Archive {
    root: PathBuf,
    objects: ObjectStore,
}

impl Archive {
    /// Opens (creating if needed) the archive at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, ArchiveError> {
        let root = root.into();
        for dir in [root.join("objects"), root.join("snapshots")] {
            fs::create_dir_all(&dir).map_err(|e| ArchiveError::io(&dir, e))?;
        }
        let objects = ObjectStore::new(root.join("objects"));
        Ok(Archive { root, objects })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn objects(&self) -> &ObjectStore {
        &self.objects
    }

    /// `cache.sqlite3`: enrichment results and resume state.
    pub fn cache_path(&self) -> PathBuf {
        self.root.join("cache.sqlite3")
    }

    pub fn snapshots_dir(&self) -> PathBuf {
        self.root.join("snapshots")
    }

    /// Directory of a complete snapshot.
    pub fn snapshot_dir(&self, id: &str) -> PathBuf {
        self.snapshots_dir().join(id)
    }

    /// Where exports of a snapshot go by default: `snapshots/<id>/exports/`.
    pub fn exports_dir(&self, id: &str) -> PathBuf {
        self.snapshot_dir(id).join("exports")
    }

    pub fn read_manifest(&self, id: &str) -> Result<Manifest, ArchiveError> {
        check_id(id)?;
        read_json(&self.snapshot_dir(id).join("manifest.json"))
    }

    pub fn read_library(&self, id: &str) -> Result<Library, ArchiveError> {
        check_id(id)?;
        read_json(&self.snapshot_dir(id).join("library.json"))
    }

    /// Atomically replaces a complete snapshot's `library.json` (enrichment does this),
    /// keeping its integrity record (`snapshot.sha256`) in step.
    pub fn write_library(&self, id: &str, library: &Library) -> Result<(), ArchiveError> {
        check_id(id)?;
        let dir = self.snapshot_dir(id);
        if !dir.join("manifest.json").is_file() {
            return Err(ArchiveError::UnknownSnapshot(id.to_string()));
        }
        integrity::replace_library(&dir, library)
    }
}

impl Archive {
    /// Completes an integrity record an interrupted library rewrite left accepting two
    /// libraries (call with the archive lock held). Returns whether it changed anything.
    pub fn settle_integrity(&self, id: &str) -> Result<bool, ArchiveError> {
        check_id(id)?;
        integrity::settle(&self.snapshot_dir(id))
    }
}

/// Refuses anything that is not a snapshot id before it becomes a path.
fn check_id(id: &str) -> Result<(), ArchiveError> {
    if is_snapshot_id(id) {
        Ok(())
    } else {
        Err(ArchiveError::InvalidSnapshotId(
            id.chars().filter(|c| !c.is_control()).take(80).collect(),
        ))
    }
}

pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ArchiveError> {
    let bytes = fs::read(path).map_err(|e| ArchiveError::io(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| ArchiveError::Corrupt {
        path: path.to_path_buf(),
        detail: format!("not valid JSON for this file ({e})"),
    })
}

pub(crate) fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), ArchiveError> {
    // Streamed: a large library is never held as one serialized buffer.
    crate::fsutil::write_atomic_with(path, None, |file| {
        let mut out = std::io::BufWriter::new(file);
        serde_json::to_writer_pretty(&mut out, value).map_err(std::io::Error::other)?;
        std::io::Write::write_all(&mut out, b"\n")?;
        std::io::Write::flush(&mut out)
    })
    .map_err(|e| ArchiveError::io(path, e))
}
