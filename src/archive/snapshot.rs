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
const REMOVING_PREFIX: &str = ".removing-";

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

/// A directory under `snapshots/` named like a snapshot that cannot be used: its manifest is
/// missing, unreadable, incomplete or names another snapshot. Listed, never skipped silently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DamagedSnapshot {
    pub id: String,
    pub problem: String,
}

/// Everything under `snapshots/`: usable snapshots and damaged ones, each oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SnapshotScan {
    pub complete: Vec<SnapshotInfo>,
    pub damaged: Vec<DamagedSnapshot>,
}

/// What the `latest` file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Latest {
    /// No `latest` file (or an empty one).
    Missing,
    /// A valid snapshot id (which may still not exist).
    Names(String),
    /// Anything else: a path, `..`, garbage. Never followed.
    Damaged(String),
}

/// Reads the content of a `latest` file; never panics, whatever the bytes.
pub fn parse_latest(bytes: &[u8]) -> Latest {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Latest::Damaged("it is not text".into());
    };
    let id = text.trim();
    if id.trim().is_empty() {
        return Latest::Missing;
    }
    if is_snapshot_id(id) {
        Latest::Names(id.to_string())
    } else {
        let shown: String = id.chars().filter(|c| !c.is_control()).take(80).collect();
        Latest::Damaged(format!("it holds `{shown}`, which is not a snapshot id"))
    }
}

/// Whether `s` is a snapshot id as [`Archive::new_draft`] makes them:
/// `YYYY-MM-DDTHH-MM-SSZ`, optionally followed by `-N`. Only such names are ever joined to
/// `snapshots/`, so no id can point outside it.
/// Orders snapshot ids by time, then by the `-N` suffix a second snapshot in the same second
/// gets, as a number: `…Z-2` comes before `…Z-10` (as text it would not).
pub fn chronological(a: &str, b: &str) -> std::cmp::Ordering {
    fn key(id: &str) -> (&str, u64, &str) {
        let (base, suffix) = id.split_at(id.len().min(20));
        let n = suffix
            .strip_prefix('-')
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        (base, n, suffix)
    }
    key(a).cmp(&key(b))
}

pub fn is_snapshot_id(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || b.len() > 30 {
        return false;
    }
    let shape = b"dddd-dd-ddTdd-dd-ddZ";
    for (i, want) in shape.iter().enumerate() {
        let ok = match want {
            b'd' => b[i].is_ascii_digit(),
            other => b[i] == *other,
        };
        if !ok {
            return false;
        }
    }
    match &b[20..] {
        [] => true,
        [b'-', rest @ ..] => !rest.is_empty() && rest.iter().all(u8::is_ascii_digit),
        _ => false,
    }
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
        super::integrity::seal(&self.dir)?;
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
        drafts.sort_by(|a, b| chronological(&a.id, &b.id));
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

    /// Complete snapshots, oldest first. Damaged ones are left out (see
    /// [`Archive::scan_snapshots`]); one damaged snapshot never hides the others.
    pub fn snapshots(&self) -> Result<Vec<SnapshotInfo>, ArchiveError> {
        let scan = self.scan_snapshots()?;
        for d in &scan.damaged {
            tracing::debug!(snapshot = %d.id, problem = %d.problem, "skipping a damaged snapshot");
        }
        Ok(scan.complete)
    }

    /// Every snapshot directory, sorted into usable and damaged.
    pub fn scan_snapshots(&self) -> Result<SnapshotScan, ArchiveError> {
        let mut scan = SnapshotScan::default();
        for name in self.snapshot_dir_names()? {
            if !is_snapshot_id(&name) {
                continue; // drafts (`.draft-…`) and anything that is not ours
            }
            let manifest_path = self.snapshot_dir(&name).join("manifest.json");
            let problem = if !manifest_path.is_file() {
                "manifest.json is missing".to_string()
            } else {
                match read_json::<Manifest>(&manifest_path) {
                    Err(ArchiveError::Corrupt { detail, .. }) => {
                        format!("manifest.json is damaged: {detail}")
                    }
                    Err(e) => e.to_string(),
                    Ok(m) if !m.complete => "manifest.json is not marked complete".to_string(),
                    Ok(m) if m.id != name => {
                        let shown: String =
                            m.id.chars().filter(|c| !c.is_control()).take(80).collect();
                        format!("manifest.json belongs to snapshot `{shown}`")
                    }
                    Ok(manifest) => {
                        scan.complete.push(SnapshotInfo { id: name, manifest });
                        continue;
                    }
                }
            };
            scan.damaged.push(DamagedSnapshot { id: name, problem });
        }
        scan.complete.sort_by(|a, b| chronological(&a.id, &b.id));
        scan.damaged.sort_by(|a, b| chronological(&a.id, &b.id));
        Ok(scan)
    }

    /// What the `latest` file says, unvalidated against the snapshots present.
    pub fn latest_pointer(&self) -> Latest {
        let path = self.root().join("latest");
        match fs::File::open(&path) {
            Ok(file) => {
                let mut bytes = Vec::new();
                match std::io::Read::read_to_end(&mut std::io::Read::take(file, 256), &mut bytes) {
                    Ok(_) => parse_latest(&bytes),
                    Err(e) => Latest::Damaged(format!("it cannot be read ({e})")),
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Latest::Missing,
            Err(e) => Latest::Damaged(format!("it cannot be read ({e})")),
        }
    }

    /// The snapshot `latest` names, falling back to the newest complete one. A `latest` that
    /// is not a snapshot id (a path, `..`) is never followed: the command says so once and
    /// uses the newest complete snapshot; `verify` reports it as damage.
    pub fn latest(&self) -> Result<Option<String>, ArchiveError> {
        match self.latest_pointer() {
            // The common case reads one manifest, not every snapshot's.
            Latest::Names(id) => {
                let path = self.snapshot_dir(&id).join("manifest.json");
                if read_json::<Manifest>(&path).is_ok_and(|m| m.complete && m.id == id) {
                    return Ok(Some(id));
                }
            }
            Latest::Damaged(why) => tracing::warn!(
                "the archive's `latest` file is damaged ({why}); using the newest complete snapshot instead — the next backup rewrites it, `trackvault verify --all` checks the rest"
            ),
            Latest::Missing => {}
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
                if wanted.is_empty()
                    || wanted.len() > 30
                    || !wanted
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                {
                    return Err(ArchiveError::InvalidSnapshotId(
                        wanted
                            .chars()
                            .filter(|c| !c.is_control())
                            .take(80)
                            .collect(),
                    ));
                }
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
    /// repointing `latest` first if it named this snapshot. The directory is renamed aside
    /// (`snapshots/.removing-<id>`) before it is deleted, so an interrupted removal never
    /// leaves a half-deleted snapshot that looks damaged; [`Archive::remove_leftovers`]
    /// finishes the job later.
    pub fn remove_snapshot(&self, id: &str) -> Result<(), ArchiveError> {
        super::check_id(id)?;
        let dir = self.snapshot_dir(id);
        let latest_path = self.root().join("latest");
        let named = self.latest_pointer();
        if named == Latest::Names(id.to_string()) || matches!(named, Latest::Damaged(_)) {
            match self.snapshots()?.into_iter().rev().find(|s| s.id != id) {
                Some(newest) => {
                    fsutil::write_atomic(&latest_path, format!("{}\n", newest.id).as_bytes(), None)
                        .map_err(|e| ArchiveError::io(&latest_path, e))?
                }
                None => {
                    let _ = fs::remove_file(&latest_path);
                }
            }
        }
        let aside = self.snapshots_dir().join(format!("{REMOVING_PREFIX}{id}"));
        let _ = fs::remove_dir_all(&aside);
        fs::rename(&dir, &aside).map_err(|e| ArchiveError::io(&dir, e))?;
        let snapshots = self.snapshots_dir();
        fsutil::sync_dir(&snapshots).map_err(|e| ArchiveError::io(&snapshots, e))?;
        fs::remove_dir_all(&aside).map_err(|e| ArchiveError::io(&aside, e))
    }

    /// Finishes removals an interrupted `prune` left (`snapshots/.removing-*`). Call with the
    /// archive lock held.
    pub fn remove_leftovers(&self) -> Result<usize, ArchiveError> {
        let mut removed = 0;
        for name in self.snapshot_dir_names()? {
            if name.starts_with(REMOVING_PREFIX) {
                let dir = self.snapshots_dir().join(&name);
                fs::remove_dir_all(&dir).map_err(|e| ArchiveError::io(&dir, e))?;
                removed += 1;
            }
        }
        Ok(removed)
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
    fn eleven_snapshots_in_one_second_keep_their_order() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path()).unwrap();
        let library = Library::empty(SOURCE_WEB_API, User::default());
        let mut made = Vec::new();
        for _ in 0..12 {
            let draft = archive.new_draft().unwrap();
            made.push(
                draft
                    .finish(&archive, Manifest::new(SOURCE_WEB_API), &library)
                    .unwrap(),
            );
        }
        let listed: Vec<String> = archive
            .snapshots()
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(listed, made, "listed in the order they were taken");
        let mut ids = vec![
            "2026-01-01T00-00-00Z-10",
            "2026-01-01T00-00-00Z-2",
            "2026-01-01T00-00-01Z",
            "2026-01-01T00-00-00Z",
        ];
        ids.sort_by(|a, b| chronological(a, b));
        assert_eq!(
            ids,
            [
                "2026-01-01T00-00-00Z",
                "2026-01-01T00-00-00Z-2",
                "2026-01-01T00-00-00Z-10",
                "2026-01-01T00-00-01Z"
            ]
        );
    }

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
