//! `trackvault prune`: snapshot retention.
//!
//! Which snapshots stay: the newest snapshot of each of the `keep_daily` most recent UTC days
//! that have snapshots, the newest of each of the `keep_monthly` most recent months that have
//! snapshots, and always the latest. Everything else is removed, together with the objects that
//! only removed snapshots referenced.
//!
//! An object is never removed while anything else might need it: a kept snapshot's manifest,
//! any file of an unfinished draft (a running or interrupted backup's checkpoint) or of any other
//! directory under `snapshots/` that is not a complete snapshot, or the cache
//! database (resume state) mentioning its id keeps it, and so does being younger than
//! `min_object_age` (a concurrent backup may have just stored it without recording it yet).
//! References are found by scanning those files for object ids, so new manifest fields or
//! checkpoint formats are covered without changes here.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::archive::{Archive, ArchiveError, SnapshotInfo};

/// Objects younger than this are never pruned.
pub const DEFAULT_MIN_OBJECT_AGE: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrunePolicy {
    pub keep_daily: usize,
    pub keep_monthly: usize,
    pub min_object_age: Duration,
}

impl PrunePolicy {
    pub fn new(keep_daily: usize, keep_monthly: usize) -> Self {
        PrunePolicy {
            keep_daily,
            keep_monthly,
            min_object_age: DEFAULT_MIN_OBJECT_AGE,
        }
    }
}

/// What a prune keeps and removes (the `--json`-ready result of planning).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PrunePlan {
    /// Kept snapshots, oldest first, with why each is kept (`latest`, `daily`, `monthly`).
    pub keep: Vec<KeptSnapshot>,
    /// Snapshots to remove, oldest first.
    pub remove: Vec<String>,
    /// Objects only the removed snapshots referenced.
    pub remove_objects: Vec<String>,
    /// Bytes on disk of the removed snapshot directories and objects.
    pub bytes_freed: u64,
    /// Objects of removed snapshots kept because something else references them.
    pub objects_still_referenced: usize,
    /// Objects of removed snapshots kept because they are younger than the safety age.
    pub objects_too_young: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeptSnapshot {
    pub id: String,
    pub reasons: Vec<&'static str>,
}

/// Decides what to remove. Reads the archive; changes nothing.
pub fn plan_prune(
    archive: &Archive,
    policy: &PrunePolicy,
    now: SystemTime,
) -> Result<PrunePlan, ArchiveError> {
    let snapshots = archive.snapshots()?;
    let latest = archive.latest()?;
    let reasons = retention(&snapshots, latest.as_deref(), policy);

    let mut plan = PrunePlan::default();
    let mut removed_refs: Vec<String> = Vec::new();
    let mut kept_refs: HashSet<String> = HashSet::new();
    for info in &snapshots {
        let manifest_path = archive.snapshot_dir(&info.id).join("manifest.json");
        match reasons.get(info.id.as_str()) {
            Some(why) => {
                plan.keep.push(KeptSnapshot {
                    id: info.id.clone(),
                    reasons: why.clone(),
                });
                scan_file(&manifest_path, &mut kept_refs)?;
            }
            None => {
                plan.remove.push(info.id.clone());
                let mut refs = HashSet::new();
                scan_file(&manifest_path, &mut refs)?;
                removed_refs.extend(refs);
                plan.bytes_freed += dir_size(&archive.snapshot_dir(&info.id));
            }
        }
    }
    if plan.remove.is_empty() {
        return Ok(plan);
    }
    // Anything an unfinished backup may still point at: every file of every directory under
    // snapshots/ that is not a complete snapshot (drafts, and anything unexpected).
    let complete: HashSet<&str> = snapshots.iter().map(|s| s.id.as_str()).collect();
    let dir = archive.snapshots_dir();
    for entry in fs::read_dir(&dir).map_err(|e| ArchiveError::io(&dir, e))? {
        let entry = entry.map_err(|e| ArchiveError::io(&dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && !complete.contains(name.as_str()) {
            scan_tree(&entry.path(), &mut kept_refs)?;
        }
    }
    let cache = archive.cache_path();
    for path in [cache.clone(), cache.with_extension("sqlite3-wal")] {
        if path.is_file() {
            scan_file(&path, &mut kept_refs)?;
        }
    }

    removed_refs.sort();
    removed_refs.dedup();
    for id in removed_refs {
        let path = archive.objects().path(&id);
        let Ok(meta) = fs::metadata(&path) else {
            continue; // Not an object (or already gone).
        };
        if kept_refs.contains(&id) {
            plan.objects_still_referenced += 1;
            continue;
        }
        let age = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        if age < policy.min_object_age {
            plan.objects_too_young += 1;
            continue;
        }
        plan.bytes_freed += meta.len();
        plan.remove_objects.push(id);
    }
    Ok(plan)
}

/// Carries out a plan: snapshots first, then objects, so an interruption leaves at worst
/// unreferenced objects (which a later prune cannot see, but which harm nothing) and never a
/// snapshot with missing objects.
pub fn execute_prune(archive: &Archive, plan: &PrunePlan) -> Result<(), ArchiveError> {
    for id in &plan.remove {
        archive.remove_snapshot(id)?;
    }
    // A backup may have finished or checkpointed since the plan was made: look again at every
    // directory under snapshots/ the plan did not know as kept, and spare what they mention.
    let known: HashSet<&str> = plan.keep.iter().map(|k| k.id.as_str()).collect();
    let mut late_refs = HashSet::new();
    let dir = archive.snapshots_dir();
    for entry in fs::read_dir(&dir).map_err(|e| ArchiveError::io(&dir, e))? {
        let entry = entry.map_err(|e| ArchiveError::io(&dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && !known.contains(name.as_str()) {
            scan_tree(&entry.path(), &mut late_refs)?;
        }
    }
    for id in plan
        .remove_objects
        .iter()
        .filter(|id| !late_refs.contains(*id))
    {
        match archive.objects().remove(id) {
            Ok(()) => {}
            Err(ArchiveError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Snapshot id → why it is kept; snapshots not in the map go.
fn retention<'a>(
    snapshots: &'a [SnapshotInfo],
    latest: Option<&str>,
    policy: &PrunePolicy,
) -> BTreeMap<&'a str, Vec<&'static str>> {
    let mut keep: BTreeMap<&str, Vec<&'static str>> = BTreeMap::new();
    if let Some(newest) = snapshots.last() {
        keep.entry(&newest.id).or_default().push("latest");
    }
    if let Some(latest) = latest {
        if let Some(s) = snapshots.iter().find(|s| s.id == latest) {
            let reasons = keep.entry(&s.id).or_default();
            if !reasons.contains(&"latest") {
                reasons.push("latest");
            }
        }
    }
    for (len, count, reason) in [
        (10, policy.keep_daily, "daily"),
        (7, policy.keep_monthly, "monthly"),
    ] {
        let mut periods_seen = 0;
        let mut last_period: Option<String> = None;
        // Newest first: the first snapshot of each period is that period's newest.
        for s in snapshots.iter().rev() {
            if periods_seen == count {
                break;
            }
            let period = period_of(s, len);
            if last_period.as_deref() != Some(period.as_str()) {
                keep.entry(&s.id).or_default().push(reason);
                periods_seen += 1;
                last_period = Some(period);
            }
        }
    }
    keep
}

/// `YYYY-MM-DD` (len 10) or `YYYY-MM` (len 7) of a snapshot, in UTC.
fn period_of(s: &SnapshotInfo, len: usize) -> String {
    let stamp = chrono::DateTime::parse_from_rfc3339(&s.manifest.created_at)
        .map(|t| t.with_timezone(&chrono::Utc).format("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| s.id.clone());
    stamp.get(..len).unwrap_or(&stamp).to_string()
}

/// Adds every object id (64 lowercase hex digits standing alone) found in `path` to `out`.
fn scan_file(path: &Path, out: &mut HashSet<String>) -> Result<(), ArchiveError> {
    let bytes = fs::read(path).map_err(|e| ArchiveError::io(path, e))?;
    object_ids_in(&bytes, out);
    Ok(())
}

fn scan_tree(dir: &Path, out: &mut HashSet<String>) -> Result<(), ArchiveError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ArchiveError::io(dir, e)),
    };
    for entry in entries {
        let path = entry.map_err(|e| ArchiveError::io(dir, e))?.path();
        if path.is_dir() {
            scan_tree(&path, out)?;
        } else {
            scan_file(&path, out)?;
        }
    }
    Ok(())
}

/// Finds runs of exactly 64 lowercase hex digits: SHA-256 object ids.
pub(crate) fn object_ids_in(bytes: &[u8], out: &mut HashSet<String>) {
    let is_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    let mut start = None;
    for (i, &b) in bytes.iter().chain(std::iter::once(&b' ')).enumerate() {
        match (is_hex(b), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s == 64 {
                    out.insert(String::from_utf8_lossy(&bytes[s..i]).into_owned());
                }
                start = None;
            }
            _ => {}
        }
    }
}

fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_only_whole_object_ids() {
        let id = "ab".repeat(32);
        let text = format!(
            "{{\"pages\":[\"{id}\"],\"x\":\"{id}ff\",\"y\":\"{}\"}}",
            &id[..63]
        );
        let mut found = HashSet::new();
        object_ids_in(text.as_bytes(), &mut found);
        assert_eq!(found, HashSet::from([id]));
    }
}
