//! A snapshot's integrity record, `snapshots/<id>/snapshot.sha256`: the SHA-256 of its
//! `manifest.json` and `library.json`, in `sha256sum` format (`sha256sum -c snapshot.sha256`
//! checks it by hand), so `verify` notices an edited title or a swapped manifest and not only
//! damaged page objects.
//!
//! Enrichment rewrites `library.json`; it does so in two steps that a crash cannot tear: the
//! record first lists the new hash beside the old one, then the library is renamed into place,
//! then the record keeps only the new hash. Either library is accepted while both are listed.
//! Snapshots made before records existed have none; they verify as before, with a note that
//! their library and manifest cannot be checked.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{write_json, ArchiveError};
use crate::fsutil;
use crate::model::Library;

/// The record's file name inside a snapshot directory.
pub const INTEGRITY_FILE: &str = "snapshot.sha256";
const MANIFEST: &str = "manifest.json";
const LIBRARY: &str = "library.json";
/// A record is a few lines; anything bigger is not one.
const MAX_RECORD_BYTES: u64 = 64 * 1024;

/// What `snapshot.sha256` says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntegrityRecord {
    pub manifest: Option<String>,
    /// Accepted hashes of `library.json` (two only while enrichment replaces it).
    pub library: Vec<String>,
}

impl IntegrityRecord {
    /// Parses `sha256sum` lines; never panics, whatever the input.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut record = IntegrityRecord::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            let (hash, name) = line
                .split_once("  ")
                .ok_or_else(|| format!("line {} is not `<sha256>  <file>`", n + 1))?;
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("line {} has no SHA-256", n + 1));
            }
            let hash = hash.to_ascii_lowercase();
            match name {
                MANIFEST if record.manifest.is_none() => record.manifest = Some(hash),
                LIBRARY => record.library.push(hash),
                _ => return Err(format!("line {} names an unexpected file", n + 1)),
            }
        }
        if record.manifest.is_none() || record.library.is_empty() {
            return Err("it does not list both manifest.json and library.json".into());
        }
        Ok(record)
    }

    pub fn render(&self) -> String {
        let mut text = String::new();
        if let Some(m) = &self.manifest {
            text.push_str(&format!("{m}  {MANIFEST}\n"));
        }
        for l in &self.library {
            text.push_str(&format!("{l}  {LIBRARY}\n"));
        }
        text
    }

    /// Reads a snapshot's record: `Ok(None)` when it has none (an older snapshot).
    pub fn read(dir: &Path) -> Result<Option<Self>, String> {
        let path = dir.join(INTEGRITY_FILE);
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{INTEGRITY_FILE} cannot be read ({e})")),
        };
        let mut bytes = Vec::new();
        file.take(MAX_RECORD_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{INTEGRITY_FILE} cannot be read ({e})"))?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| format!("{INTEGRITY_FILE} is damaged: not text"))?;
        Self::parse(text)
            .map(Some)
            .map_err(|e| format!("{INTEGRITY_FILE} is damaged: {e}"))
    }

    fn write(&self, dir: &Path) -> Result<(), ArchiveError> {
        let path = dir.join(INTEGRITY_FILE);
        fsutil::write_atomic(&path, self.render().as_bytes(), None)
            .map_err(|e| ArchiveError::io(&path, e))
    }
}

/// Hex SHA-256 of a file, read in chunks.
pub(crate) fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

/// Writes the record for the `manifest.json` and `library.json` now in `dir` (a draft about
/// to be published).
pub(crate) fn seal(dir: &Path) -> Result<(), ArchiveError> {
    let hash = |name: &str| {
        let path = dir.join(name);
        sha256_file(&path).map_err(|e| ArchiveError::io(&path, e))
    };
    IntegrityRecord {
        manifest: Some(hash(MANIFEST)?),
        library: vec![hash(LIBRARY)?],
    }
    .write(dir)
}

/// Replaces `library.json` in a complete snapshot, keeping the record valid at every instant.
pub(crate) fn replace_library(dir: &Path, library: &Library) -> Result<(), ArchiveError> {
    let target = dir.join(LIBRARY);
    let Ok(Some(mut record)) = IntegrityRecord::read(dir) else {
        // No (readable) record: an older snapshot, or damage verify reports; write as before.
        return write_json(&target, library);
    };
    let tmp = dir.join(format!(
        ".{LIBRARY}.{}.tmp",
        fsutil::random_suffix(8).map_err(|e| ArchiveError::io(dir, e))?
    ));
    let new_hash = match write_hashed(&tmp, library) {
        Ok(hash) => hash,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(ArchiveError::io(&tmp, e));
        }
    };
    let mut publish = || -> Result<(), ArchiveError> {
        if !record.library.contains(&new_hash) {
            record.library.push(new_hash.clone());
            record.write(dir)?;
        }
        fs::rename(&tmp, &target).map_err(|e| ArchiveError::io(&target, e))?;
        fsutil::sync_dir(dir).map_err(|e| ArchiveError::io(dir, e))?;
        record.library = vec![new_hash.clone()];
        record.write(dir)
    };
    let result = publish();
    let _ = fs::remove_file(&tmp);
    result
}

/// After a rewrite of `library.json` was interrupted, the record accepts two hashes; keep
/// only the one of the library actually in place. Returns whether it changed anything.
pub(crate) fn settle(dir: &Path) -> Result<bool, ArchiveError> {
    let Ok(Some(mut record)) = IntegrityRecord::read(dir) else {
        return Ok(false);
    };
    if record.library.len() < 2 {
        return Ok(false);
    }
    let path = dir.join(LIBRARY);
    let current = sha256_file(&path).map_err(|e| ArchiveError::io(&path, e))?;
    if !record.library.contains(&current) {
        return Ok(false); // damage: leave it for verify to report
    }
    record.library = vec![current];
    record.write(dir)?;
    Ok(true)
}

/// Writes `library` as pretty JSON to a new file, fsynced, returning the hash of its bytes.
fn write_hashed(path: &Path, library: &Library) -> io::Result<String> {
    struct Tee<W> {
        inner: W,
        hasher: Sha256,
    }
    impl<W: Write> Write for Tee<W> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = self.inner.write(buf)?;
            self.hasher.update(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            self.inner.flush()
        }
    }
    let file = OpenOptions::new().write(true).create_new(true).open(path)?;
    let mut out = Tee {
        inner: BufWriter::new(file),
        hasher: Sha256::new(),
    };
    serde_json::to_writer_pretty(&mut out, library).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()?;
    let Tee { inner, hasher } = out;
    inner.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(hex::encode(hasher.finalize()))
}

/// What checking a snapshot's record found.
#[derive(Debug, Default)]
pub(crate) struct IntegrityCheck {
    pub problems: Vec<String>,
    pub notes: Vec<String>,
}

/// Compares `manifest.json` and `library.json` in `dir` with the snapshot's record.
pub(crate) fn check(dir: &Path) -> IntegrityCheck {
    let mut out = IntegrityCheck::default();
    let record = match IntegrityRecord::read(dir) {
        Ok(Some(record)) => record,
        Ok(None) => {
            out.notes.push(format!(
                "made before integrity records ({INTEGRITY_FILE}): library.json and manifest.json cannot be checked for edits"
            ));
            return out;
        }
        Err(e) => {
            out.problems.push(e);
            return out;
        }
    };
    let hash = |name: &str| sha256_file(&dir.join(name));
    match hash(MANIFEST) {
        Ok(h) if Some(&h) == record.manifest.as_ref() => {}
        Ok(_) => out.problems.push(format!(
            "{MANIFEST} was changed after the snapshot was taken (its SHA-256 differs from {INTEGRITY_FILE})"
        )),
        Err(e) => out.problems.push(format!("{MANIFEST} cannot be read ({e})")),
    }
    match hash(LIBRARY) {
        Ok(h) if record.library.contains(&h) => {}
        Ok(_) => out.problems.push(format!(
            "{LIBRARY} was changed outside trackvault (its SHA-256 differs from {INTEGRITY_FILE})"
        )),
        Err(e) => out.problems.push(format!("{LIBRARY} cannot be read ({e})")),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_library_rewrite_keeps_the_record_valid_at_every_step() {
        use crate::archive::{Archive, Manifest};
        use crate::model::{User, SOURCE_WEB_API};
        let tmp = tempfile::tempdir().unwrap();
        let archive = Archive::open(tmp.path()).unwrap();
        let mut library = Library::empty(SOURCE_WEB_API, User::default());
        let id = archive
            .new_draft()
            .unwrap()
            .finish(&archive, Manifest::new(SOURCE_WEB_API), &library)
            .unwrap();
        let dir = archive.snapshot_dir(&id);
        assert!(check(&dir).problems.is_empty() && check(&dir).notes.is_empty());
        let old_hash = sha256_file(&dir.join(LIBRARY)).unwrap();

        library.user.display_name = Some("renamed".into());
        archive.write_library(&id, &library).unwrap();
        assert!(
            check(&dir).problems.is_empty(),
            "{:?}",
            check(&dir).problems
        );
        let record = IntegrityRecord::read(&dir).unwrap().unwrap();
        assert_eq!(record.library.len(), 1);
        assert_ne!(record.library[0], old_hash);

        // A kill between the steps: the record lists both; either library verifies, and
        // settling keeps only the one in place.
        let mut both = record.clone();
        both.library.insert(0, old_hash);
        both.write(&dir).unwrap();
        assert!(check(&dir).problems.is_empty());
        assert!(archive.settle_integrity(&id).unwrap());
        assert_eq!(IntegrityRecord::read(&dir).unwrap().unwrap(), record);

        // An edit by hand is caught.
        let text = fs::read_to_string(dir.join(LIBRARY)).unwrap();
        fs::write(dir.join(LIBRARY), text.replace("renamed", "remaned")).unwrap();
        assert_eq!(check(&dir).problems.len(), 1);
        assert!(!archive.settle_integrity(&id).unwrap());
    }

    #[test]
    fn records_round_trip_and_reject_malformed_lines() {
        let r = IntegrityRecord {
            manifest: Some("a".repeat(64)),
            library: vec!["b".repeat(64), "c".repeat(64)],
        };
        assert_eq!(IntegrityRecord::parse(&r.render()).unwrap(), r);
        for bad in [
            "",
            "zz  manifest.json\n",
            &format!("{}  ../../etc/passwd\n", "a".repeat(64)),
            &format!("{} manifest.json\n", "a".repeat(64)),
            &format!("{}  manifest.json\n", "a".repeat(64)),
        ] {
            assert!(IntegrityRecord::parse(bad).is_err(), "{bad:?}");
        }
    }
}
