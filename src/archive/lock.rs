//! The archive-wide lock: one file, `<root>/lock`, held by every command that changes the
//! archive (backup, enrich, import, prune, restore, push, export into a snapshot) so two of
//! them never run at once. It is an OS file lock (`File::try_lock`), so it is taken atomically
//! and released by the kernel when the holder exits or dies — a stale lock cannot jam the
//! archive. While held, the file names its holder (pid, command, start time) so a refused
//! command can say who has the archive. Read-only commands (verify, snapshots, diff, log) do
//! not take it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Archive, ArchiveError};

/// The lock file's name under the archive root.
pub const LOCK_FILE: &str = "lock";

/// Who holds the lock, as written into the lock file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    pub pid: u32,
    /// The command, e.g. `backup`.
    pub command: String,
    /// RFC 3339 UTC.
    pub since: String,
}

impl LockHolder {
    /// Reads a holder record; anything unreadable (being written, damaged) is `None`.
    pub fn parse(bytes: &[u8]) -> Option<LockHolder> {
        serde_json::from_slice(bytes).ok()
    }

    /// `` `trackvault backup` (pid 12, since 2026-12-06T04:00:00Z) ``
    pub fn describe(&self) -> String {
        let command: String = self
            .command
            .chars()
            .filter(|c| !c.is_control())
            .take(40)
            .collect();
        format!(
            "`trackvault {command}` (pid {}, since {})",
            self.pid,
            self.since
                .chars()
                .filter(|c| !c.is_control())
                .take(40)
                .collect::<String>()
        )
    }
}

/// A held archive lock; dropping it releases it.
#[derive(Debug)]
pub struct ArchiveLock {
    file: File,
    path: PathBuf,
}

impl ArchiveLock {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ArchiveLock {
    fn drop(&mut self) {
        // Clear the holder record before the kernel releases the lock with the file.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// How long a refused command waits for the holder's record: the holder writes it right
/// after taking the lock, so an empty file only means it has not done so yet.
const HOLDER_RECORD_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// The holder's record, read again for a short while if the holder is still writing it.
fn wait_for_holder_record(mut file: &File) -> Option<LockHolder> {
    let deadline = std::time::Instant::now() + HOLDER_RECORD_WAIT;
    loop {
        let mut bytes = Vec::new();
        let read = file
            .seek(SeekFrom::Start(0))
            .and_then(|_| file.take(4096).read_to_end(&mut bytes));
        if let Some(holder) = read.ok().and_then(|_| LockHolder::parse(&bytes)) {
            return Some(holder);
        }
        if std::time::Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

impl Archive {
    /// Takes the archive lock for `purpose` (the command name, e.g. `"backup"`), or says who
    /// holds it. Never waits.
    pub fn lock(&self, purpose: &str) -> Result<ArchiveLock, ArchiveError> {
        let path = self.root().join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| ArchiveError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = wait_for_holder_record(&file)
                    .map(|h| h.describe())
                    .unwrap_or_else(|| "another trackvault command".to_string());
                return Err(ArchiveError::Busy {
                    root: self.root().to_path_buf(),
                    holder,
                });
            }
            Err(TryLockError::Error(e)) => return Err(ArchiveError::io(&path, e)),
        }
        let holder = LockHolder {
            pid: std::process::id(),
            command: purpose.to_string(),
            since: super::snapshot::now_rfc3339(),
        };
        let record = serde_json::to_vec(&holder).map_err(|e| ArchiveError::Corrupt {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(&record))
            .and_then(|()| file.write_all(b"\n"))
            .and_then(|()| file.sync_data())
            .map_err(|e| ArchiveError::io(&path, e))?;
        Ok(ArchiveLock { file, path })
    }

    /// Who holds the archive lock right now, if anyone (for status messages and tests).
    pub fn lock_holder(&self) -> Result<Option<String>, ArchiveError> {
        match self.lock("probe") {
            Ok(_released) => Ok(None),
            Err(ArchiveError::Busy { holder, .. }) => Ok(Some(holder)),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_taker_is_refused_with_the_holder_named_and_can_take_it_after_release() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path()).unwrap();
        let held = archive.lock("backup").unwrap();
        let err = archive.lock("prune").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("in use by `trackvault backup`"), "{text}");
        assert!(
            text.contains(&format!("pid {}", std::process::id())),
            "{text}"
        );
        assert!(text.contains("wait for it or stop it"), "{text}");
        drop(held);
        let again = archive.lock("prune").unwrap();
        drop(again);
        assert_eq!(archive.lock_holder().unwrap(), None);
    }

    /// The holder takes the lock a moment before it writes its record; a command refused in
    /// that moment still names the holder instead of "another trackvault command".
    #[test]
    fn a_taker_refused_while_the_holder_is_still_writing_its_record_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path()).unwrap();
        let path = dir.path().join(LOCK_FILE);
        let raw = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        raw.try_lock().unwrap();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(60));
            let record = LockHolder {
                pid: 4242,
                command: "backup".into(),
                since: "2026-12-06T05:00:00Z".into(),
            };
            (&raw)
                .write_all(&serde_json::to_vec(&record).unwrap())
                .unwrap();
            raw
        });
        let text = archive.lock("prune").unwrap_err().to_string();
        drop(writer.join().unwrap());
        assert!(text.contains("`trackvault backup` (pid 4242"), "{text}");
    }

    #[test]
    fn holder_records_never_panic_and_hostile_names_are_cleaned() {
        assert_eq!(LockHolder::parse(b"\xff\x00garbage"), None);
        let h = LockHolder {
            pid: 1,
            command: "backup\u{1b}[2J".into(),
            since: "x\ny".into(),
        };
        assert!(!h.describe().chars().any(char::is_control));
    }
}
