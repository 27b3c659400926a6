//! Snapshots: manifests, drafts that become visible only when complete, listing and lookup.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{read_json, write_json, Archive, ArchiveError};
use crate::fsutil;
use crate::model::Library;

pub const MANIFEST_VERSION: u32 = 1;
const DRAFT_PREFIX: &str = ".draft-";

/// What a snapshot contains: per collection the raw pages it references and the counts the
/// API reported, plus the requests it cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub id: String,
    pub source: String,
    pub created_at: String,
    pub completed_at: Option<String>,
    pub complete: bool,
    pub collections: Vec<CollectionRecord>,
    /// Requests sent per endpoint while taking this snapshot (retries included).
    #[serde(default)]
    pub requests: BTreeMap<String, u64>,
    /// Free-form remarks (e.g. "imported from a data download: no ISRCs").
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One collection in a snapshot: `liked_tracks`, `saved_albums`, `saved_shows`,
/// `saved_episodes`, `followed_artists`, `playlists` (the list itself), `me`, or
/// `playlist:<id>` for one playlist's entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionRecord {
    pub key: String,
    /// The `total` Spotify reported, when it reports one.
    pub total: Option<u64>,
    /// Rows received, null rows included.
    pub received: u64,
    /// Object ids of the raw pages, in order.
    pub pages: Vec<String>,
    /// Snapshot whose pages were reused because nothing changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_from: Option<String>,
    /// Playlist version (`snapshot_id`) the pages belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Entries deliberately not fetched (e.g. `not_accessible` playlists).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
}

/// A listed snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnapshotInfo {
    pub id: String,
    pub manifest: Manifest,
}

/// A snapshot being built. Nothing in it is visible to readers until [`Draft::finish`].
#[derive(Debug, Clone)]
pub struct Draft {
    pub id: String,
    dir: PathBuf,
}

impl Draft {
    /// The draft's working directory (checkpoint files live here).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes the manifest (marked complete) and library, then atomically publishes the
    /// snapshot and points `latest` at it.
    pub fn finish(
        self,
        archive: &Archive,
        mut manifest: Manifest,
        library: &Library,
    ) -> Result<String, ArchiveError> {
        manifest.id = self.id.clone();
        manifest.complete = true;
        manifest.completed_at = Some(now_rfc3339());
        write_json(&self.dir.join("library.json"), library)?;
        write_json(&self.dir.join("manifest.json"), &manifest)?;
        let target = archive.snapshot_dir(&self.id);
        fs::rename(&self.dir, &target).map_err(|e| ArchiveError::io(&target, e))?;
        let snapshots = archive.snapshots_dir();
        fsutil::sync_dir(&snapshots).map_err(|e| ArchiveError::io(&snapshots, e))?;
        let latest = archive.root().join("latest");
        fsutil::write_atomic(&latest, format!("{}\n", self.id).as_bytes(), None)
            .map_err(|e| ArchiveError::io(&latest, e))?;
        Ok(self.id)
    }

    /// Throws the draft away.
    pub fn discard(self) -> Result<(), ArchiveError> {
        fs::remove_dir_all(&self.dir).map_err(|e| ArchiveError::io(&self.dir, e))
    }
}

pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Archive {
    /// Starts a new draft with a fresh UTC id (`2026-11-24T11-22-33Z`, safe on every OS).
    pub fn new_draft(&self) -> Result<Draft, ArchiveError> {
        let base = chrono::Utc::now().format("%Y-%m-%dT%H-%M-%SZ").to_string();
        let mut id = base.clone();
        let mut n = 1;
        while self.snapshot_dir(&id).exists() || self.draft_dir(&id).exists() {
            id = format!("{base}-{n}");
            n += 1;
        }
        let dir = self.draft_dir(&id);
        fs::create_dir_all(&dir).map_err(|e| ArchiveError::io(&dir, e))?;
        Ok(Draft { id, dir })
    }

    /// Unfinished drafts, oldest first: an interrupted backup resumes from one of these.
    pub fn drafts(&self) -> Result<Vec<Draft>, ArchiveError> {
        let mut drafts: Vec<Draft> = self
            .snapshot_dir_names()?
            .into_iter()
            .filter_map(|name| {
                let id = name.strip_prefix(DRAFT_PREFIX)?.to_string();
                Some(Draft {
                    dir: self.draft_dir(&id),
                    id,
                })
            })
            .collect();
        drafts.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(drafts)
    }

    fn draft_dir(&self, id: &str) -> PathBuf {
        self.snapshots_dir().join(format!("{DRAFT_PREFIX}{id}"))
    }

    fn snapshot_dir_names(&self) -> Result<Vec<String>, ArchiveError> {
        let dir = self.snapshots_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(ArchiveError::io(&dir, e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| ArchiveError::io(&dir, e))?;
            if entry.path().is_dir() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        Ok(names)
    }

    /// Complete snapshots, oldest first.
    pub fn snapshots(&self) -> Result<Vec<SnapshotInfo>, ArchiveError> {
        let mut list = Vec::new();
        for name in self.snapshot_dir_names()? {
            if name.starts_with('.') {
                continue;
            }
            let manifest_path = self.snapshot_dir(&name).join("manifest.json");
            if !manifest_path.is_file() {
                continue;
            }
            let manifest: Manifest = read_json(&manifest_path)?;
            if manifest.complete {
                list.push(SnapshotInfo { id: name, manifest });
            }
        }
        list.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(list)
    }

    /// The snapshot `latest` names, falling back to the newest complete one.
    pub fn latest(&self) -> Result<Option<String>, ArchiveError> {
        let latest = self.root().join("latest");
        if let Ok(text) = fs::read_to_string(&latest) {
            let id = text.trim();
            if !id.is_empty() && self.snapshot_dir(id).join("manifest.json").is_file() {
                return Ok(Some(id.to_string()));
            }
        }
        Ok(self.snapshots()?.pop().map(|s| s.id))
    }

    /// Resolves a user's snapshot argument: none or `latest` → the latest; otherwise an exact
    /// id or a unique prefix.
    pub fn resolve(&self, wanted: Option<&str>) -> Result<String, ArchiveError> {
        match wanted {
            None | Some("latest") => self
                .latest()?
                .ok_or_else(|| ArchiveError::Empty(self.root().to_path_buf())),
            Some(wanted) => {
                let ids: Vec<String> = self.snapshots()?.into_iter().map(|s| s.id).collect();
                if ids.iter().any(|id| id == wanted) {
                    return Ok(wanted.to_string());
                }
                let matches: Vec<&String> =
                    ids.iter().filter(|id| id.starts_with(wanted)).collect();
                match matches.as_slice() {
                    [one] => Ok((*one).clone()),
                    [] => Err(ArchiveError::UnknownSnapshot(wanted.to_string())),
                    _ => Err(ArchiveError::Ambiguous(wanted.to_string())),
                }
            }
        }
    }

    /// Deletes a complete snapshot directory (objects are left for the caller to collect),
    /// and repoints `latest` if it named this snapshot.
    pub fn remove_snapshot(&self, id: &str) -> Result<(), ArchiveError> {
        let dir = self.snapshot_dir(id);
        fs::remove_dir_all(&dir).map_err(|e| ArchiveError::io(&dir, e))?;
        let latest_path = self.root().join("latest");
        let named = fs::read_to_string(&latest_path).unwrap_or_default();
        if named.trim() == id {
            match self.snapshots()?.pop() {
                Some(newest) => {
                    fsutil::write_atomic(&latest_path, format!("{}\n", newest.id).as_bytes(), None)
                        .map_err(|e| ArchiveError::io(&latest_path, e))?
                }
                None => {
                    let _ = fs::remove_file(&latest_path);
                }
            }
        }
        Ok(())
    }
}

impl Manifest {
    /// A manifest for a snapshot being built; `finish` fills in id and completion.
    pub fn new(source: &str) -> Self {
        Manifest {
            schema_version: MANIFEST_VERSION,
            id: String::new(),
            source: source.to_string(),
            created_at: now_rfc3339(),
            completed_at: None,
            complete: false,
            collections: Vec::new(),
            requests: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    pub fn collection(&self, key: &str) -> Option<&CollectionRecord> {
        self.collections.iter().find(|c| c.key == key)
    }

    /// Every object id this snapshot references.
    pub fn object_ids(&self) -> impl Iterator<Item = &str> {
        self.collections
            .iter()
            .flat_map(|c| c.pages.iter().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{User, SOURCE_WEB_API};

    #[test]
    fn drafts_are_invisible_until_finished() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path()).unwrap();
        let draft = archive.new_draft().unwrap();
        assert!(archive.snapshots().unwrap().is_empty());
        assert!(matches!(archive.resolve(None), Err(ArchiveError::Empty(_))));
        assert_eq!(archive.drafts().unwrap().len(), 1);

        let library = Library::empty(SOURCE_WEB_API, User::default());
        let id = draft
            .finish(&archive, Manifest::new(SOURCE_WEB_API), &library)
            .unwrap();
        assert!(archive.drafts().unwrap().is_empty());
        assert_eq!(archive.resolve(None).unwrap(), id);
        assert_eq!(archive.resolve(Some(&id[..7])).unwrap(), id);
        assert!(matches!(
            archive.resolve(Some("1999")),
            Err(ArchiveError::UnknownSnapshot(_))
        ));
        let manifest = archive.read_manifest(&id).unwrap();
        assert!(manifest.complete);
        assert_eq!(archive.read_library(&id).unwrap(), library);

        archive.remove_snapshot(&id).unwrap();
        assert_eq!(archive.latest().unwrap(), None);
    }
}
