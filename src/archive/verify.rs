//! `trackvault verify`: re-hash every object a snapshot references and check the counts it
//! recorded against the totals the API reported and against `library.json`.

use super::{Archive, ArchiveError};
use crate::model::{Contents, Library};

/// What verification found. Empty `problems` means the snapshot is intact.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyReport {
    pub snapshot: String,
    pub objects_checked: usize,
    pub problems: Vec<String>,
    /// Things verify could not check (e.g. a snapshot older than integrity records).
    pub notes: Vec<String>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verifies one complete snapshot. Damage is reported in the result, not as an error; an
/// error means the snapshot could not be examined at all.
pub fn verify_snapshot(archive: &Archive, id: &str) -> Result<VerifyReport, ArchiveError> {
    let mut report = VerifyReport {
        snapshot: id.to_string(),
        objects_checked: 0,
        problems: Vec::new(),
        notes: Vec::new(),
    };
    let manifest = archive.read_manifest(id)?;
    let integrity = super::integrity::check(&archive.snapshot_dir(id));
    report.problems.extend(integrity.problems);
    report.notes.extend(integrity.notes);
    if !manifest.complete {
        report
            .problems
            .push("manifest is not marked complete".into());
    }
    for collection in &manifest.collections {
        for object in &collection.pages {
            report.objects_checked += 1;
            if !archive.objects().contains(object) {
                report.problems.push(format!(
                    "{}: page object {object} is missing",
                    collection.key
                ));
            } else if let Err(e) = archive.objects().check(object) {
                report.problems.push(format!("{}: {e}", collection.key));
            }
        }
        if let Some(total) = collection.total {
            if !collection.skipped && collection.received != total {
                report.problems.push(format!(
                    "{}: received {} rows but Spotify reported {total}",
                    collection.key, collection.received
                ));
            }
        }
    }
    match archive.read_library(id) {
        Ok(library) => check_library_counts(&library, &manifest, &mut report.problems),
        Err(e) => report.problems.push(e.to_string()),
    }
    Ok(report)
}

/// Problems with the archive's `latest` file: it must be a snapshot id naming a complete
/// snapshot (a missing file is fine while there is none).
pub fn verify_latest(archive: &Archive) -> Result<Vec<String>, ArchiveError> {
    let complete = archive.snapshots()?;
    Ok(match archive.latest_pointer() {
        // Missing: commands use the newest complete snapshot; nothing is wrong.
        super::Latest::Missing => Vec::new(),
        super::Latest::Damaged(why) => vec![format!(
            "`latest` is damaged ({why}); it is not followed, and the next backup rewrites it"
        )],
        super::Latest::Names(id) if complete.iter().any(|s| s.id == id) => Vec::new(),
        super::Latest::Names(id) => vec![format!(
            "`latest` names {id}, which is not a complete snapshot; the next backup rewrites it"
        )],
    })
}

/// Reports for snapshot directories that cannot be used (missing or garbage manifest).
pub fn verify_damaged(archive: &Archive) -> Result<Vec<VerifyReport>, ArchiveError> {
    Ok(archive
        .scan_snapshots()?
        .damaged
        .into_iter()
        .map(|d| VerifyReport {
            snapshot: d.id,
            objects_checked: 0,
            problems: vec![d.problem],
            notes: Vec::new(),
        })
        .collect())
}

fn check_library_counts(library: &Library, manifest: &super::Manifest, problems: &mut Vec<String>) {
    let mut mismatched = Vec::new();
    let mut expect = |key: &str, have: usize| {
        if let Some(record) = manifest.collection(key) {
            if !record.skipped && record.received != have as u64 {
                problems.push(format!(
                    "{key}: library.json has {have} rows but {} were received",
                    record.received
                ));
            }
        }
    };
    expect("liked_tracks", library.liked_tracks.len());
    expect("saved_albums", library.saved_albums.len());
    expect("saved_shows", library.saved_shows.len());
    expect("saved_episodes", library.saved_episodes.len());
    expect("followed_artists", library.followed_artists.len());
    expect("playlists", library.playlists.len());
    for playlist in &library.playlists {
        if playlist.contents == Contents::Complete {
            expect(&format!("playlist:{}", playlist.id), playlist.entries.len());
            if playlist.entries.len() != playlist.total as usize {
                mismatched.push(format!(
                    "playlist {:?}: {} entries but Spotify reported {}",
                    playlist.name,
                    playlist.entries.len(),
                    playlist.total
                ));
            }
        }
    }
    problems.append(&mut mismatched);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::{CollectionRecord, Manifest};
    use crate::model::{User, SOURCE_WEB_API};

    #[test]
    fn detects_damaged_and_missing_objects_and_count_mismatches() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path()).unwrap();
        let good = archive.objects().put(b"page one").unwrap();
        let damaged = archive.objects().put(b"page two").unwrap();
        let mut manifest = Manifest::new(SOURCE_WEB_API);
        manifest.collections.push(CollectionRecord {
            key: "liked_tracks".into(),
            total: Some(3),
            received: 2,
            pages: vec![good, damaged.clone(), "00".repeat(32)],
            reused_from: None,
            version: None,
            skipped: false,
        });
        let library = Library::empty(SOURCE_WEB_API, User::default());
        let draft = archive.new_draft().unwrap();
        let id = draft.finish(&archive, manifest, &library).unwrap();
        std::fs::write(archive.objects().path(&damaged), b"garbage").unwrap();

        let report = verify_snapshot(&archive, &id).unwrap();
        assert_eq!(report.objects_checked, 3);
        let text = report.problems.join("\n");
        assert!(text.contains("damaged"), "{text}");
        assert!(text.contains("missing"), "{text}");
        assert!(text.contains("Spotify reported 3"), "{text}");
        assert!(text.contains("library.json has 0 rows"), "{text}");
        assert!(!report.is_ok());
    }
}
