//! Tidying up after interrupted commands, run by commands that hold the archive lock (so no
//! other writer is in flight): interrupted exports are repaired, drafts nothing can resume
//! are removed, temporaries of killed atomic writes and a published snapshot's leftover
//! journal are deleted, and an integrity record left mid-rewrite is settled.

use crate::archive::Archive;
use crate::spotify::checkpoint::{Checkpoint, FILE_NAME as JOURNAL};

/// Everything below, in order (backup calls this).
pub(crate) fn after_interruptions(archive: &Archive) {
    repair_exports(archive);
    remove_abandoned_drafts(archive);
    remove_stale_temporaries(archive);
}

/// Puts back or removes what interrupted exports left in the archive's snapshots.
pub(crate) fn repair_exports(archive: &Archive) {
    let dirs = match archive.snapshots() {
        Ok(list) => list.iter().map(|s| archive.exports_dir(&s.id)).collect(),
        Err(_) => Vec::new(),
    };
    let repaired = crate::export::recover::repair_all(dirs);
    if repaired.removed > 0 || !repaired.restored.is_empty() {
        tracing::info!(
            removed = repaired.removed,
            restored = ?repaired.restored,
            "cleaned up after an interrupted export"
        );
    }
}

/// Drafts without a journal: a backup killed before its first journal line or an import
/// killed before it finished. Nothing resumes them and nothing else can be writing to them
/// while the archive lock is held, so they go.
pub(crate) fn remove_abandoned_drafts(archive: &Archive) {
    let Ok(drafts) = archive.drafts() else {
        return;
    };
    for draft in drafts {
        if !Checkpoint::exists(draft.dir()) {
            let id = draft.id.clone();
            if let Err(e) = draft.discard() {
                tracing::debug!(draft = %id, "cannot remove an abandoned draft: {e}");
            }
        }
    }
}

/// Temporary files a killed atomic write left (`.library.json.<16 hex>.tmp`) in the archive
/// root, the snapshot folders and drafts, and a finished backup's journal in its snapshot. With the lock held, no write of ours is in flight.
pub(crate) fn remove_stale_temporaries(archive: &Archive) {
    let is_temporary = |name: &str| {
        name.starts_with('.')
            && name.strip_suffix(".tmp").is_some_and(|rest| {
                rest.rsplit_once('.').is_some_and(|(_, suffix)| {
                    suffix.len() == 16 && suffix.bytes().all(|b| b.is_ascii_hexdigit())
                })
            })
    };
    let mut dirs = vec![archive.root().to_path_buf()];
    if let Ok(list) = archive.snapshots() {
        for snapshot in &list {
            // The journal of a backup killed right after publishing its snapshot.
            let journal = archive.snapshot_dir(&snapshot.id).join(JOURNAL);
            let _ = std::fs::remove_file(journal);
            let _ = archive.settle_integrity(&snapshot.id);
        }
        dirs.extend(list.iter().map(|s| archive.snapshot_dir(&s.id)));
    }
    // A resumed draft would otherwise carry its stale temporaries into the snapshot.
    if let Ok(drafts) = archive.drafts() {
        dirs.extend(drafts.iter().map(|d| d.dir().to_path_buf()));
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_temporary(&name) && entry.file_type().is_ok_and(|t| t.is_file()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}
