//! Recognizes failures caused by the disk itself — full, read-only, not writable by us — in
//! I/O and SQLite errors, and says so in words. Messages built from it tell the user what is
//! wrong with the disk instead of advising to delete a file that holds resume state.

use std::io;
use std::path::Path;

use rusqlite::ErrorCode;

/// What is wrong with the disk, as far as an error tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskProblem {
    /// No space left (or the user's quota is used up).
    Full,
    /// The file system is mounted read-only.
    ReadOnly,
    /// The file or folder is not writable by this user.
    NoPermission,
}

/// `ENOSPC`, `EDQUOT`, `EROFS`, `EACCES`, `EPERM` on Linux (the kinds cover other systems).
const ENOSPC: i32 = 28;
const EDQUOT: i32 = 122;
const EROFS: i32 = 30;
const EACCES: i32 = 13;
const EPERM: i32 = 1;

impl DiskProblem {
    /// The disk problem behind an I/O error, if that is what it is.
    pub fn of_io(err: &io::Error) -> Option<Self> {
        match err.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => return Some(Self::Full),
            io::ErrorKind::ReadOnlyFilesystem => return Some(Self::ReadOnly),
            io::ErrorKind::PermissionDenied => return Some(Self::NoPermission),
            _ => {}
        }
        match err.raw_os_error()? {
            ENOSPC | EDQUOT => Some(Self::Full),
            EROFS => Some(Self::ReadOnly),
            EACCES | EPERM => Some(Self::NoPermission),
            _ => None,
        }
    }

    /// The disk problem behind a SQLite error, if that is what it is.
    pub fn of_sqlite(err: &rusqlite::Error) -> Option<Self> {
        match err {
            rusqlite::Error::SqliteFailure(e, _) => match e.code {
                ErrorCode::DiskFull => Some(Self::Full),
                ErrorCode::ReadOnly => Some(Self::ReadOnly),
                ErrorCode::PermissionDenied => Some(Self::NoPermission),
                _ => None,
            },
            _ => None,
        }
    }

    /// What is wrong, in words: `the disk holding PATH is full`.
    pub fn describe(self, path: &Path) -> String {
        let path = path.display();
        match self {
            Self::Full => format!("the disk holding {path} is full"),
            Self::ReadOnly => format!("{path} is on a read-only disk"),
            Self::NoPermission => format!("{path} is not writable by this user"),
        }
    }

    /// What to do about it.
    pub fn advice(self) -> &'static str {
        match self {
            Self::Full => "free some space",
            Self::ReadOnly => "make the disk writable or move the archive (--archive)",
            Self::NoPermission => "fix its permissions or move the archive (--archive)",
        }
    }
}

/// Whether a SQLite error means the database file itself is damaged (not the disk).
pub fn sqlite_file_damaged(err: &rusqlite::Error) -> bool {
    matches!(
        err,
        rusqlite::Error::SqliteFailure(e, _)
            if matches!(e.code, ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}
