//! The restore journal: `<archive>/restore/<account>/<snapshot>.jsonl`, one per target account
//! and snapshot, append-only, one JSON event per line, each fsynced before the next request.
//!
//! Before a write that must not happen twice (creating a playlist, adding a batch) an intent
//! line (`creating`, `adding`) is written; after it succeeds, the result (`created`, `added`).
//! An intent without its result tells the next run to look at Spotify before writing again.
//! A torn last line is ignored; an `added` line counts only when it continues exactly where
//! the playlist's previous one ended. The file is locked while a restore runs, so two restores
//! never write the same journal. The format is documented in `docs/restore.md`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::RestoreError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A run started.
    Started {
        snapshot: String,
        account: String,
        at: String,
    },
    /// About to create the playlist at `playlist` (its index in the snapshot).
    Creating {
        playlist: usize,
        source_id: String,
        name: String,
        marker: String,
    },
    /// The playlist was created with Spotify id `id`.
    Created { playlist: usize, id: String },
    /// About to add `count` URIs starting at the plan's entry `from`.
    Adding {
        playlist: usize,
        from: usize,
        count: usize,
    },
    /// `count` URIs from `from` are in the playlist.
    Added {
        playlist: usize,
        from: usize,
        count: usize,
    },
    /// These URIs are saved to the library (or followed).
    Saved { uris: Vec<String> },
    /// Requests one run sent, per endpoint.
    Requests { counts: BTreeMap<String, u64> },
    /// Spotify asked for a pause; `until` is RFC 3339 when known.
    Paused {
        reason: String,
        until: Option<String>,
    },
    /// Everything in the plan of that run was written.
    Finished { at: String },
}

/// The journal's state after replay, and the open file to append to.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    /// Snapshot playlist index → id of the playlist created for it.
    pub created: HashMap<usize, String>,
    /// Creates that were started but not confirmed.
    pub creating: HashSet<usize>,
    /// Snapshot playlist index → plan entries confirmed in the new playlist.
    pub added: HashMap<usize, usize>,
    /// Adds that were started but not confirmed: index → (from, count).
    pub adding: HashMap<usize, (usize, usize)>,
    pub saved: HashSet<String>,
    /// Requests of every run so far.
    pub requests: BTreeMap<String, u64>,
    pub paused: Option<(String, Option<String>)>,
    pub runs: usize,
}

/// `<root>/restore/<account>/<snapshot>.jsonl`, with both names made safe as file names.
pub fn journal_path(archive_root: &Path, account: &str, snapshot_id: &str) -> PathBuf {
    archive_root
        .join("restore")
        .join(safe_name(account))
        .join(format!("{}.jsonl", safe_name(snapshot_id)))
}

fn safe_name(text: &str) -> String {
    let name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    match name.trim_start_matches('.') {
        "" => "_".to_string(),
        _ => name,
    }
}

impl Journal {
    /// Opens (creating) and locks the journal at `path`, and replays it.
    pub fn open(path: &Path) -> Result<Self, RestoreError> {
        let err = |detail: String| RestoreError::Journal {
            path: path.to_path_buf(),
            detail,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        }
        let mut journal = Journal {
            file: OpenOptions::new()
                .create(true)
                .append(true)
                .read(true)
                .open(path)
                .map_err(|e| err(e.to_string()))?,
            path: path.to_path_buf(),
            created: HashMap::new(),
            creating: HashSet::new(),
            added: HashMap::new(),
            adding: HashMap::new(),
            saved: HashSet::new(),
            requests: BTreeMap::new(),
            paused: None,
            runs: 0,
        };
        match journal.file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(RestoreError::Busy {
                    path: path.to_path_buf(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(err(e.to_string())),
        }
        let reader = BufReader::new(File::open(path).map_err(|e| err(e.to_string()))?);
        let mut ends_clean = true;
        for line in reader.split(b'\n') {
            let line = line.map_err(|e| err(e.to_string()))?;
            ends_clean = false;
            if let Ok(event) = serde_json::from_slice::<Event>(&line) {
                journal.apply(event);
                ends_clean = true;
            }
        }
        if !ends_clean {
            // A torn last line: the next event starts on a line of its own.
            journal
                .file
                .write_all(b"\n")
                .map_err(|e| err(e.to_string()))?;
        }
        Ok(journal)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Plan entries confirmed in the playlist at `index`.
    pub fn added(&self, index: usize) -> usize {
        self.added.get(&index).copied().unwrap_or(0)
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::Started { .. } => self.runs += 1,
            Event::Creating { playlist, .. } => {
                if !self.created.contains_key(&playlist) {
                    self.creating.insert(playlist);
                }
            }
            Event::Created { playlist, id } => {
                self.creating.remove(&playlist);
                self.created.insert(playlist, id);
            }
            Event::Adding {
                playlist,
                from,
                count,
            } => {
                self.adding.insert(playlist, (from, count));
            }
            Event::Added {
                playlist,
                from,
                count,
            } => {
                let done = self.added.entry(playlist).or_default();
                if from == *done {
                    *done += count;
                    self.adding.remove(&playlist);
                }
            }
            Event::Saved { uris } => self.saved.extend(uris),
            Event::Requests { counts } => {
                for (label, n) in counts {
                    *self.requests.entry(label).or_default() += n;
                }
            }
            Event::Paused { reason, until } => self.paused = Some((reason, until)),
            Event::Finished { .. } => self.paused = None,
        }
    }

    /// Appends `event` durably (write + fsync), then applies it.
    pub fn record(&mut self, event: Event) -> Result<(), RestoreError> {
        let err = |detail: String| RestoreError::Journal {
            path: self.path.clone(),
            detail,
        };
        let mut line = serde_json::to_vec(&event).map_err(|e| err(e.to_string()))?;
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| err(e.to_string()))?;
        self.apply(event);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_intents_results_and_ignores_torn_lines_and_gaps() {
        let dir = tempfile::tempdir().unwrap();
        let path = journal_path(dir.path(), "acc/../x", "2026-01-01T00-00-00Z");
        assert!(path.starts_with(dir.path().join("restore")));
        assert_eq!(path.parent().unwrap().file_name().unwrap(), "acc_.._x");
        {
            let mut j = Journal::open(&path).unwrap();
            j.record(Event::Creating {
                playlist: 0,
                source_id: "P".into(),
                name: "n".into(),
                marker: "[m]".into(),
            })
            .unwrap();
            j.record(Event::Created {
                playlist: 0,
                id: "new".into(),
            })
            .unwrap();
            j.record(Event::Adding {
                playlist: 0,
                from: 0,
                count: 100,
            })
            .unwrap();
            j.record(Event::Added {
                playlist: 0,
                from: 0,
                count: 100,
            })
            .unwrap();
            // Does not continue where the last one ended: ignored.
            j.record(Event::Added {
                playlist: 0,
                from: 150,
                count: 100,
            })
            .unwrap();
            j.record(Event::Adding {
                playlist: 0,
                from: 100,
                count: 100,
            })
            .unwrap();
            j.record(Event::Creating {
                playlist: 1,
                source_id: "Q".into(),
                name: "q".into(),
                marker: "[q]".into(),
            })
            .unwrap();
        }
        OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"event\":\"added\",\"playl")
            .unwrap();
        let mut j = Journal::open(&path).unwrap();
        assert_eq!(j.created[&0], "new");
        assert_eq!(j.added(0), 100);
        assert_eq!(j.adding[&0], (100, 100));
        assert!(j.creating.contains(&1));
        j.record(Event::Saved {
            uris: vec!["spotify:track:a".into()],
        })
        .unwrap();
        drop(j);
        let j = Journal::open(&path).unwrap();
        assert!(j.saved.contains("spotify:track:a"));
        assert_eq!(j.added(0), 100);
    }

    #[test]
    fn a_second_restore_on_the_same_journal_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = journal_path(dir.path(), "a", "s");
        let _first = Journal::open(&path).unwrap();
        assert!(matches!(
            Journal::open(&path),
            Err(RestoreError::Busy { .. })
        ));
    }
}
