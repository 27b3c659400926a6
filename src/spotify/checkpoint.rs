//! The resume journal of a backup in progress: `checkpoint.jsonl` in the draft directory.
//!
//! One JSON line is appended (and fsynced) after every stored page and every finished
//! collection, so an interrupted backup — Ctrl-C, crash, quota pause — continues where it
//! stopped. A torn last line is ignored; a page is only accepted when it continues exactly
//! where the previous accepted page of its collection ended, so a lost line can never leave a
//! gap: the missing part is simply fetched again.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::SpotifyError;
use crate::archive::CollectionRecord;

pub const FILE_NAME: &str = "checkpoint.jsonl";

/// Where the next page of a collection starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// Offset paging.
    Offset(u64),
    /// Cursor paging: the first page has no cursor.
    After(Option<String>),
    /// Nothing more to fetch.
    End,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The backup started (or resumed) against this previous snapshot.
    Started {
        previous: Option<String>,
        full: bool,
    },
    /// A page requested at `at` was stored as object `page`.
    Page {
        key: String,
        at: Position,
        page: String,
        rows: u64,
        total: Option<u64>,
        next: Position,
    },
    /// A collection is finished (fetched, reused or skipped).
    Done {
        record: CollectionRecord,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Requests sent by one run of the backup before it stopped.
    Requests { counts: BTreeMap<String, u64> },
    /// Spotify asked for a pause; `until` is RFC 3339 when known.
    Paused {
        reason: String,
        until: Option<String>,
    },
    /// Forget everything recorded so far for `key` (a page object it used went missing):
    /// the collection is fetched again from its start.
    Reset { key: String },
}

/// A collection fetched part-way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Partial {
    pub pages: Vec<String>,
    pub received: u64,
    pub total: Option<u64>,
    pub next: Option<Position>,
}

/// Everything the journal says so far, plus the open file to append to.
#[derive(Debug)]
pub struct Checkpoint {
    path: PathBuf,
    file: File,
    pub previous: Option<Option<String>>,
    pub partial: HashMap<String, Partial>,
    pub done: HashMap<String, (CollectionRecord, Option<String>)>,
    pub requests: BTreeMap<String, u64>,
    pub paused: Option<(String, Option<String>)>,
}

impl Checkpoint {
    /// Opens (creating) the journal in `dir` and replays it.
    pub fn open(dir: &Path) -> Result<Self, SpotifyError> {
        let path = dir.join(FILE_NAME);
        let err = |detail: String| SpotifyError::Checkpoint {
            path: path.display().to_string(),
            detail,
        };
        let mut cp = Checkpoint {
            file: OpenOptions::new()
                .create(true)
                .append(true)
                .read(true)
                .open(&path)
                .map_err(|e| disk_or(&path, e, err))?,
            path: path.clone(),
            previous: None,
            partial: HashMap::new(),
            done: HashMap::new(),
            requests: BTreeMap::new(),
            paused: None,
        };
        // One backup per draft at a time; the OS drops the lock if the process dies.
        match cp.file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(SpotifyError::Busy {
                    path: dir.display().to_string(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(err(e.to_string())),
        }
        let ends_clean = cp.replay().map_err(|e| err(e.to_string()))?;
        if !ends_clean {
            // A torn last line: start the next event on a line of its own.
            cp.file.write_all(b"\n").map_err(|e| err(e.to_string()))?;
        }
        Ok(cp)
    }

    /// Replays the journal in `dir` without locking or changing it (for `verify`); the
    /// result cannot record events.
    pub fn inspect(dir: &Path) -> Result<Self, SpotifyError> {
        let path = dir.join(FILE_NAME);
        let err = |detail: String| SpotifyError::Checkpoint {
            path: path.display().to_string(),
            detail,
        };
        let mut cp = Checkpoint {
            file: File::open(&path).map_err(|e| err(e.to_string()))?,
            path: path.clone(),
            previous: None,
            partial: HashMap::new(),
            done: HashMap::new(),
            requests: BTreeMap::new(),
            paused: None,
        };
        cp.replay().map_err(|e| err(e.to_string()))?;
        Ok(cp)
    }

    /// Applies every readable line of the journal; says whether the last line was whole.
    fn replay(&mut self) -> std::io::Result<bool> {
        let reader = BufReader::new(File::open(&self.path)?);
        let mut ends_clean = true;
        for line in reader.split(b'\n') {
            let line = line?;
            ends_clean = false;
            if let Ok(event) = serde_json::from_slice::<Event>(&line) {
                self.apply(event);
                ends_clean = true;
            }
        }
        Ok(ends_clean)
    }

    /// Every object id the replayed journal still relies on, with its collection key.
    pub fn referenced_pages(&self) -> Vec<(&str, &str)> {
        let mut pages: Vec<(&str, &str)> = self
            .partial
            .iter()
            .flat_map(|(key, p)| {
                p.pages
                    .iter()
                    .map(move |page| (key.as_str(), page.as_str()))
            })
            .chain(self.done.iter().flat_map(|(key, (record, _))| {
                record
                    .pages
                    .iter()
                    .map(move |page| (key.as_str(), page.as_str()))
            }))
            .collect();
        pages.sort_unstable();
        pages.dedup();
        pages
    }

    pub fn exists(dir: &Path) -> bool {
        dir.join(FILE_NAME).is_file()
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::Started { previous, .. } => {
                self.previous.get_or_insert(previous);
            }
            Event::Page {
                key,
                at,
                page,
                rows,
                total,
                next,
            } => {
                if self.done.contains_key(&key) {
                    return;
                }
                let partial = self.partial.entry(key).or_default();
                let expected = partial.next.clone().unwrap_or(match at {
                    Position::Offset(_) => Position::Offset(0),
                    _ => Position::After(None),
                });
                if at == expected {
                    partial.pages.push(page);
                    // Saturating: a damaged journal must not crash the replay.
                    partial.received = partial.received.saturating_add(rows);
                    partial.total = total;
                    partial.next = Some(next);
                }
            }
            Event::Done { record, note } => {
                self.partial.remove(&record.key);
                self.done.insert(record.key.clone(), (record, note));
            }
            Event::Requests { counts } => {
                for (label, n) in counts {
                    let count = self.requests.entry(label).or_default();
                    *count = count.saturating_add(n);
                }
            }
            Event::Paused { reason, until } => self.paused = Some((reason, until)),
            Event::Reset { key } => {
                self.partial.remove(&key);
                self.done.remove(&key);
            }
        }
    }

    /// Appends `event` durably and applies it.
    pub fn record(&mut self, event: Event) -> Result<(), SpotifyError> {
        let mut line = serde_json::to_vec(&event).map_err(|e| SpotifyError::Checkpoint {
            path: self.path.display().to_string(),
            detail: e.to_string(),
        })?;
        line.push(b'\n');
        let path = &self.path;
        self.file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| {
                disk_or(path, e, |detail| SpotifyError::Checkpoint {
                    path: path.display().to_string(),
                    detail,
                })
            })?;
        self.apply(event);
        Ok(())
    }

    /// Deletes the journal (the snapshot is about to be published).
    pub fn remove(self) -> Result<(), SpotifyError> {
        drop(self.file);
        std::fs::remove_file(&self.path).map_err(|e| SpotifyError::Checkpoint {
            path: self.path.display().to_string(),
            detail: e.to_string(),
        })
    }
}

/// A full, read-only or unwritable disk is named as such (the draft is fine and must be kept);
/// anything else becomes `other(detail)`.
fn disk_or(
    path: &Path,
    e: std::io::Error,
    other: impl FnOnce(String) -> SpotifyError,
) -> SpotifyError {
    match crate::disk_error::DiskProblem::of_io(&e) {
        Some(problem) => SpotifyError::Disk {
            problem: problem.describe(path),
            advice: problem.advice(),
        },
        None => other(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(key: &str, at: u64, id: &str, next: Position) -> Event {
        Event::Page {
            key: key.into(),
            at: Position::Offset(at),
            page: id.into(),
            rows: 50,
            total: Some(120),
            next,
        }
    }

    #[test]
    fn a_second_backup_on_the_same_draft_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Checkpoint::open(dir.path()).unwrap();
        assert!(matches!(
            Checkpoint::open(dir.path()),
            Err(SpotifyError::Busy { .. })
        ));
    }

    #[test]
    fn replays_pages_in_order_and_ignores_torn_lines_and_gaps() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut cp = Checkpoint::open(dir.path()).unwrap();
            cp.record(page("liked", 0, "a", Position::Offset(50)))
                .unwrap();
            cp.record(page("liked", 50, "b", Position::Offset(100)))
                .unwrap();
            // A page that does not continue where the last one ended is not accepted.
            cp.record(page("other", 50, "x", Position::Offset(100)))
                .unwrap();
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(FILE_NAME))
            .unwrap()
            .write_all(b"{\"event\":\"page\",\"key\":\"li")
            .unwrap();
        let mut cp = Checkpoint::open(dir.path()).unwrap();
        let liked = &cp.partial["liked"];
        assert_eq!(liked.pages, ["a", "b"]);
        assert_eq!(liked.received, 100);
        assert_eq!(liked.next, Some(Position::Offset(100)));
        assert!(cp.partial.get("other").is_none_or(|p| p.pages.is_empty()));
        cp.record(page("liked", 100, "c", Position::End)).unwrap();
        drop(cp);
        let cp = Checkpoint::open(dir.path()).unwrap();
        assert_eq!(cp.partial["liked"].pages, ["a", "b", "c"]);
    }

    #[test]
    fn absurd_counts_in_a_damaged_journal_saturate_instead_of_overflowing() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut cp = Checkpoint::open(dir.path()).unwrap();
            for (at, id) in [(0, "a"), (u64::MAX, "b")] {
                cp.record(Event::Page {
                    key: "liked".into(),
                    at: Position::Offset(at),
                    page: id.into(),
                    rows: u64::MAX,
                    total: Some(u64::MAX),
                    next: Position::Offset(u64::MAX),
                })
                .unwrap();
            }
            for _ in 0..2 {
                cp.record(Event::Requests {
                    counts: [("/me/tracks".to_string(), u64::MAX)].into(),
                })
                .unwrap();
            }
        }
        let cp = Checkpoint::open(dir.path()).unwrap();
        assert_eq!(cp.partial["liked"].received, u64::MAX);
        assert_eq!(cp.requests["/me/tracks"], u64::MAX);
    }

    #[test]
    fn a_full_disk_under_the_journal_is_named_and_the_draft_is_kept() {
        let path = Path::new("/archive/snapshots/.draft-x/checkpoint.jsonl");
        let full = disk_or(path, std::io::Error::from_raw_os_error(28), |_| {
            unreachable!("ENOSPC is a disk problem")
        })
        .to_string();
        assert!(
            full.contains("is full") && full.contains("free some space"),
            "{full}"
        );
        assert!(!full.contains("delete"), "{full}");
        let read_only = disk_or(path, std::io::Error::from_raw_os_error(30), |_| {
            unreachable!("EROFS is a disk problem")
        })
        .to_string();
        assert!(read_only.contains("read-only"), "{read_only}");
    }
}
