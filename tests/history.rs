//! diff, log and prune over archives built from `fixtures/history/` (see make_history.py for
//! what changes between v1, v2 and v3).

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, SystemTime};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use trackvault::archive::{verify_snapshot, Archive, CollectionRecord, Manifest};
use trackvault::history::diff::{diff_libraries, EntryMove, LibraryDiff, SnapshotRef};
use trackvault::history::prune::{execute_prune, plan_prune, PrunePolicy};
use trackvault::model::{Contents, Library};

fn fixture(name: &str) -> Library {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/history")
        .join(format!("{name}.library.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn page<T: serde::Serialize>(archive: &Archive, value: &T) -> String {
    archive
        .objects()
        .put(&serde_json::to_vec(value).unwrap())
        .unwrap()
}

/// Stores `library` as a complete snapshot whose manifest says it was taken at `created_at`.
/// Each collection's "raw page" is its JSON, so unchanged collections share objects across
/// snapshots, as real pages of an unchanged playlist do.
fn add_snapshot(archive: &Archive, library: &Library, created_at: &str) -> String {
    let mut manifest = Manifest::new(&library.source);
    manifest.created_at = created_at.to_string();
    let mut record = |key: &str, total: usize, pages: Vec<String>, skipped: bool| {
        manifest.collections.push(CollectionRecord {
            key: key.to_string(),
            total: Some(total as u64),
            received: if skipped { 0 } else { total as u64 },
            pages,
            reused_from: None,
            version: None,
            skipped,
        })
    };
    record(
        "liked_tracks",
        library.liked_tracks.len(),
        vec![page(archive, &library.liked_tracks)],
        false,
    );
    record(
        "saved_albums",
        library.saved_albums.len(),
        vec![page(archive, &library.saved_albums)],
        false,
    );
    record(
        "saved_shows",
        library.saved_shows.len(),
        vec![page(archive, &library.saved_shows)],
        false,
    );
    record(
        "saved_episodes",
        library.saved_episodes.len(),
        vec![page(archive, &library.saved_episodes)],
        false,
    );
    record(
        "followed_artists",
        library.followed_artists.len(),
        vec![page(archive, &library.followed_artists)],
        false,
    );
    let names: Vec<&str> = library.playlists.iter().map(|p| p.name.as_str()).collect();
    record(
        "playlists",
        library.playlists.len(),
        vec![page(archive, &names)],
        false,
    );
    for p in &library.playlists {
        let key = format!("playlist:{}", p.id);
        if p.contents == Contents::Complete {
            record(
                &key,
                p.entries.len(),
                vec![page(archive, &p.entries)],
                false,
            );
        } else {
            record(&key, p.total as usize, Vec::new(), true);
        }
    }
    let mut library = library.clone();
    library.created_at = created_at.to_string();
    archive
        .new_draft()
        .unwrap()
        .finish(archive, manifest, &library)
        .unwrap()
}

fn r(id: &str) -> SnapshotRef {
    SnapshotRef {
        snapshot: id.into(),
        created_at: String::new(),
        source: "spotify-web-api".into(),
    }
}

fn v1_to_v2() -> LibraryDiff {
    diff_libraries(&fixture("v1"), &fixture("v2"), r("one"), r("two"))
}

fn names(moves: &[EntryMove]) -> Vec<&str> {
    moves
        .iter()
        .map(|m| m.name.as_deref().unwrap_or("?"))
        .collect()
}

#[test]
fn playlist_entries_are_matched_by_identity_with_duplicates_moves_and_null_rows() {
    let diff = v1_to_v2();
    let road = diff
        .playlists
        .changed
        .iter()
        .find(|p| p.name == "Road Trip")
        .expect("Road Trip changed");
    // The second "Harbour Lights" (added 02-01) went; its twin (01-05) stayed.
    let removed: Vec<(&str, Option<&str>)> = road
        .removed
        .iter()
        .map(|e| (e.name.as_deref().unwrap(), e.added_at.as_deref()))
        .collect();
    assert_eq!(
        removed,
        vec![
            ("Mile Marker 9", Some("2024-01-06T12:00:00Z")),
            ("Harbour Lights", Some("2024-02-01T12:00:00Z")),
        ]
    );
    // A third copy of "Desert Dust" is one addition, not a reshuffle of the other two.
    let added: Vec<(&str, u32)> = road
        .added
        .iter()
        .map(|e| (e.name.as_deref().unwrap(), e.position))
        .collect();
    assert_eq!(added, vec![("Last Exit", 9), ("Desert Dust", 10)]);
    // "Sunroof" was dragged to the top: one move, nothing else counts as moved.
    assert_eq!(names(&road.moved), vec!["Sunroof"]);
    assert_eq!((road.moved[0].from, road.moved[0].to), (2, 0));
    // "Coastline" turned into a null row at its slot; the old null row is not reported.
    assert_eq!(names(&road.became_unavailable), vec!["Coastline"]);
    let gone = &road.became_unavailable[0];
    assert_eq!((gone.from, gone.to), (5, 3));
    assert_eq!(gone.added_at.as_deref(), Some("2024-02-03T12:00:00Z"));
    assert!(gone.uri.as_deref().unwrap().starts_with("spotify:track:"));
    assert_eq!((road.old_entries, road.new_entries), (11, 11));
}

#[test]
fn playlist_metadata_creation_deletion_and_unknown_contents() {
    let diff = v1_to_v2();
    let p = &diff.playlists;
    assert_eq!(
        p.created
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        vec!["New Finds"]
    );
    assert_eq!(p.created[0].entries, Some(2));
    assert_eq!(
        p.deleted
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Old Stuff"]
    );
    let chill = p
        .changed
        .iter()
        .find(|c| c.name == "Chill Evenings")
        .unwrap();
    assert_eq!(chill.renamed.as_ref().unwrap().old, "Chill");
    let description = chill.description.as_ref().unwrap();
    assert_eq!(
        description.new.as_deref(),
        Some("Slow songs for late evenings")
    );
    assert_eq!(chill.added.len(), 1);
    assert!(chill.removed.is_empty() && chill.moved.is_empty());
    // Team Mix became not accessible: its contents are unknown, not removed.
    let unknown: Vec<&str> = p.not_compared.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(unknown, vec!["Discover Weekly", "Team Mix"]);
    assert!(p
        .changed
        .iter()
        .all(|c| c.name != "Team Mix" && c.name != "Focus"));
    assert_eq!(diff.summary.playlist_entries_removed, 2);
}

#[test]
fn library_sections_report_additions_removals_and_unavailable_liked_songs() {
    let diff = v1_to_v2();
    let liked = &diff.liked_tracks;
    assert_eq!(
        liked
            .added
            .iter()
            .map(|e| e.name.as_deref().unwrap())
            .collect::<Vec<_>>(),
        vec!["Little Engines"]
    );
    assert_eq!(
        liked
            .removed
            .iter()
            .map(|e| e.name.as_deref().unwrap())
            .collect::<Vec<_>>(),
        vec!["Static Bloom"]
    );
    assert_eq!(names(&liked.became_unavailable), vec!["Brass Moon"]);
    let set = |c: &trackvault::history::diff::SetChanges| {
        (
            c.added.iter().map(|x| x.name.clone()).collect::<Vec<_>>(),
            c.removed.iter().map(|x| x.name.clone()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        set(&diff.saved_albums),
        (vec!["Evergreen".into()], vec!["Interstate".into()])
    );
    assert_eq!(
        set(&diff.saved_shows),
        (vec!["Coastal Notes".into()], vec![])
    );
    assert_eq!(
        set(&diff.followed_artists),
        (vec!["Fjord Echo".into()], vec!["Mira Lund".into()])
    );
    assert_eq!(diff.saved_episodes.removed.len(), 1);
    assert_eq!(diff.summary.became_unavailable, 2);
}

#[test]
fn a_snapshot_compared_with_itself_has_no_changes() {
    let v1 = fixture("v1");
    let diff = diff_libraries(&v1, &v1, r("a"), r("a"));
    assert!(diff.is_empty());
    let text = trackvault::history::render::diff_text(&diff);
    assert!(text.contains("No changes"), "{text}");
}

fn trackvault(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("trackvault").unwrap();
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", root)
        .env("TRACKVAULT_CONFIG_DIR", root.join("config"));
    cmd
}

/// An archive with v1, v2, v3 (ids in that order).
fn three_snapshots() -> (tempfile::TempDir, Archive, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let ids = vec![
        add_snapshot(&archive, &fixture("v1"), "2024-03-01T08:00:00Z"),
        add_snapshot(&archive, &fixture("v2"), "2024-03-08T08:00:00Z"),
        add_snapshot(&archive, &fixture("v3"), "2024-04-02T08:00:00Z"),
    ];
    (dir, archive, ids)
}

#[test]
fn diff_cli_defaults_to_the_two_newest_and_prints_a_stable_json_shape() {
    let (dir, _archive, ids) = three_snapshots();
    let out = trackvault(dir.path())
        .args(["diff", "--json"])
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["format"], "trackvault-diff");
    assert_eq!(json["version"], 1);
    assert_eq!(json["old"]["snapshot"], ids[1].as_str());
    assert_eq!(json["new"]["snapshot"], ids[2].as_str());
    for key in [
        "summary",
        "playlists",
        "liked_tracks",
        "saved_albums",
        "saved_shows",
        "saved_episodes",
        "followed_artists",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    for key in ["created", "deleted", "changed", "not_compared"] {
        assert!(json["playlists"][key].is_array(), "missing playlists.{key}");
    }
    assert_eq!(json["playlists"]["deleted"][0]["name"], "New Finds");
    let road = &json["playlists"]["changed"][0];
    assert_eq!(road["renamed"]["old"], "Road Trip");
    assert_eq!(road["renamed"]["new"], "Summer Road Trip");
    assert_eq!(road["contents"], "compared");
    assert_eq!(road["added"][0]["position"], 11);
    assert!(road["added"][0]["added_at"].is_string());
    assert_eq!(json["summary"]["playlists_created"], 1);
}

#[test]
fn diff_cli_text_names_every_kind_of_change() {
    let (dir, _archive, ids) = three_snapshots();
    let out = trackvault(dir.path())
        .args(["diff", &ids[0][..], &ids[1][..]])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for needle in [
        "\"New Finds\" created (2 entries)",
        "\"Old Stuff\" deleted",
        "renamed from \"Chill\"",
        "description changed",
        "↕ #3 → #1  Velvet Static – Sunroof",
        "The Paper Boats – Coastline",
        "became unavailable",
        "Contents unknown",
        "\"Team Mix\"",
        "Liked songs: 1 added, 1 removed, 1 became unavailable",
        "Followed artists: 1 added, 1 removed",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains("Focus"), "{text}");
}

#[test]
fn diff_cli_with_one_snapshot_compares_it_with_the_latest() {
    let (dir, _archive, ids) = three_snapshots();
    let out = trackvault(dir.path())
        .args(["diff", &ids[0][..], "--json"])
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["old"]["snapshot"], ids[0].as_str());
    assert_eq!(json["new"]["snapshot"], ids[2].as_str());
    // v1 -> v3: "New Finds" came and went, so it is neither created nor deleted.
    let created: Vec<&str> = json["playlists"]["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(created, vec!["Focus"]);
}

#[test]
fn diff_cli_errors_are_one_clear_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    add_snapshot(&archive, &fixture("v1"), "2024-03-01T08:00:00Z");
    trackvault(dir.path())
        .arg("diff")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "needs two snapshots but the archive has 1",
        ));
    trackvault(dir.path())
        .args(["diff", "1999-01-01"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no snapshot matches `1999-01-01`"));
}

#[test]
fn log_follows_a_playlist_through_renames_and_counts_changes() {
    let (dir, _archive, ids) = three_snapshots();
    let out = trackvault(dir.path())
        .args(["log", "road trip", "--json"])
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["format"], "trackvault-log");
    assert_eq!(json["name"], "Summer Road Trip");
    let rows = json["snapshots"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["status"], "first_seen");
    assert_eq!(rows[0]["snapshot"], ids[0].as_str());
    assert_eq!(rows[0]["entries"], 11);
    assert!(rows[0]["added"].is_null());
    assert_eq!(
        (
            rows[1]["added"].as_u64(),
            rows[1]["removed"].as_u64(),
            rows[1]["moved"].as_u64(),
            rows[1]["became_unavailable"].as_u64()
        ),
        (Some(2), Some(2), Some(1), Some(1))
    );
    assert_eq!(rows[2]["renamed_from"], "Road Trip");
    assert_eq!(rows[2]["entries"], 12);
    assert!(rows[2]["spotify_snapshot_id"].is_string());

    // Text form, and a playlist that became not accessible, then deleted ones show as absent.
    let out = trackvault(dir.path())
        .args(["log", "Team Mix"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("not_accessible"), "{text}");
    let out = trackvault(dir.path())
        .args(["log", "New Finds", "--json"])
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let statuses: Vec<&str> = json["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["first_seen", "absent"]);
}

#[test]
fn log_with_an_ambiguous_or_unknown_name_says_what_to_do() {
    let (dir, archive, _ids) = three_snapshots();
    let v3 = archive
        .read_library(&archive.resolve(None).unwrap())
        .unwrap();
    let focus_ids: Vec<&str> = v3
        .playlists
        .iter()
        .filter(|p| p.name == "Focus")
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(focus_ids.len(), 2);
    let assert = trackvault(dir.path())
        .args(["log", "Focus"])
        .assert()
        .code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("several playlists are named `Focus`"),
        "{stderr}"
    );
    for id in &focus_ids {
        assert!(stderr.contains(id), "{stderr}");
    }
    // Giving an id resolves it.
    trackvault(dir.path())
        .args(["log", focus_ids[0]])
        .assert()
        .success();
    trackvault(dir.path())
        .args(["log", "No Such Playlist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no playlist is named or has the id",
        ));
}

// ---- prune ----

/// Six snapshots over three months; v1's unique objects are only in snapshots prune removes.
fn dated_archive() -> (tempfile::TempDir, Archive, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let plan = [
        ("v1", "2024-01-15T08:00:00Z"),
        ("v2", "2024-02-10T08:00:00Z"),
        ("v1", "2024-03-01T08:00:00Z"),
        ("v3", "2024-03-01T20:00:00Z"),
        ("v2", "2024-03-02T08:00:00Z"),
        ("v3", "2024-03-03T08:00:00Z"),
    ];
    let ids = plan
        .iter()
        .map(|(name, at)| add_snapshot(&archive, &fixture(name), at))
        .collect();
    (dir, archive, ids)
}

fn referenced(archive: &Archive, id: &str) -> HashSet<String> {
    archive
        .read_manifest(id)
        .unwrap()
        .object_ids()
        .map(str::to_string)
        .collect()
}

fn no_age_limit(daily: usize, monthly: usize) -> PrunePolicy {
    PrunePolicy {
        min_object_age: Duration::ZERO,
        ..PrunePolicy::new(daily, monthly)
    }
}

#[test]
fn prune_keeps_daily_monthly_and_latest_and_never_breaks_verify() {
    let (_dir, archive, ids) = dated_archive();
    let v1_only: HashSet<String> = referenced(&archive, &ids[0])
        .difference(
            &[1, 3, 4, 5]
                .iter()
                .flat_map(|&i| referenced(&archive, &ids[i]))
                .collect(),
        )
        .cloned()
        .collect();
    assert!(!v1_only.is_empty());
    let shared: HashSet<String> = referenced(&archive, &ids[0])
        .intersection(&referenced(&archive, &ids[5]))
        .cloned()
        .collect();
    assert!(
        !shared.is_empty(),
        "fixtures should share unchanged collections"
    );

    let plan = plan_prune(&archive, &no_age_limit(2, 2), SystemTime::now()).unwrap();
    let kept: Vec<&str> = plan.keep.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(
        kept,
        vec![ids[1].as_str(), ids[4].as_str(), ids[5].as_str()]
    );
    assert_eq!(plan.keep[0].reasons, vec!["monthly"]);
    assert!(plan.keep[2].reasons.contains(&"latest"));
    assert_eq!(
        plan.remove,
        vec![ids[0].clone(), ids[2].clone(), ids[3].clone()]
    );
    let to_remove: HashSet<String> = plan.remove_objects.iter().cloned().collect();
    assert_eq!(to_remove, v1_only);
    assert!(plan.bytes_freed > 0);

    execute_prune(&archive, &plan).unwrap();
    let left: Vec<String> = archive
        .snapshots()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(left, vec![ids[1].clone(), ids[4].clone(), ids[5].clone()]);
    for id in &left {
        let report = verify_snapshot(&archive, id).unwrap();
        assert!(report.is_ok(), "{id}: {:?}", report.problems);
    }
    for object in &shared {
        assert!(
            archive.objects().contains(object),
            "shared object {object} was removed"
        );
    }
    for object in &v1_only {
        assert!(
            !archive.objects().contains(object),
            "{object} should be gone"
        );
    }
    assert_eq!(archive.latest().unwrap().as_deref(), Some(ids[5].as_str()));
}

#[test]
fn prune_always_keeps_the_latest_and_a_dry_run_changes_nothing() {
    let (_dir, archive, ids) = dated_archive();
    let before = archive.objects().list().unwrap();
    let plan = plan_prune(&archive, &no_age_limit(0, 0), SystemTime::now()).unwrap();
    assert_eq!(plan.keep.len(), 1);
    assert_eq!(plan.keep[0].id, ids[5]);
    assert_eq!(plan.remove.len(), 5);
    // Planning alone is the dry run: nothing changed.
    assert_eq!(archive.snapshots().unwrap().len(), 6);
    assert_eq!(archive.objects().list().unwrap(), before);
    execute_prune(&archive, &plan).unwrap();
    let report = verify_snapshot(&archive, &ids[5]).unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
}

#[test]
fn prune_spares_objects_a_draft_mentions_and_objects_younger_than_an_hour() {
    let (_dir, archive, ids) = dated_archive();
    let v1_objects = referenced(&archive, &ids[0]);
    let plan = plan_prune(&archive, &no_age_limit(2, 2), SystemTime::now()).unwrap();
    let victim = plan.remove_objects[0].clone();
    assert!(v1_objects.contains(&victim));

    // An interrupted backup whose checkpoint points at that object.
    let draft = archive.new_draft().unwrap();
    std::fs::write(
        draft.dir().join("checkpoint.json"),
        format!("{{\"collections\":[{{\"key\":\"liked_tracks\",\"pages\":[\"{victim}\"]}}]}}"),
    )
    .unwrap();
    let plan = plan_prune(&archive, &no_age_limit(2, 2), SystemTime::now()).unwrap();
    assert!(!plan.remove_objects.contains(&victim));
    assert!(plan.objects_still_referenced >= 1);

    // With the default one-hour safety age, freshly written objects all stay.
    let plan = plan_prune(&archive, &PrunePolicy::new(2, 2), SystemTime::now()).unwrap();
    assert!(plan.remove_objects.is_empty());
    assert!(plan.objects_too_young > 0);
    assert_eq!(plan.remove.len(), 3);
}

#[test]
fn a_backup_finishing_between_plan_and_execution_keeps_its_objects() {
    let (_dir, archive, _ids) = dated_archive();
    let plan = plan_prune(&archive, &no_age_limit(2, 2), SystemTime::now()).unwrap();
    assert!(!plan.remove_objects.is_empty());
    // A backup completes now and reuses the pages the plan meant to delete.
    let late = add_snapshot(&archive, &fixture("v1"), "2024-03-04T08:00:00Z");
    execute_prune(&archive, &plan).unwrap();
    for object in &plan.remove_objects {
        assert!(
            archive.objects().contains(object),
            "{object} was removed under a new snapshot"
        );
    }
    let report = verify_snapshot(&archive, &late).unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
}

fn age_objects(root: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3 * 3600);
    for shard in std::fs::read_dir(root.join("objects")).unwrap() {
        for file in std::fs::read_dir(shard.unwrap().path()).unwrap() {
            let file = std::fs::File::options()
                .write(true)
                .open(file.unwrap().path())
                .unwrap();
            file.set_modified(old).unwrap();
        }
    }
}

#[test]
fn prune_cli_reports_what_it_removes_and_verify_still_passes() {
    let (dir, archive, ids) = dated_archive();
    age_objects(dir.path());
    let objects_before = archive.objects().list().unwrap().len();
    trackvault(dir.path())
        .args([
            "prune",
            "--keep-daily",
            "2",
            "--keep-monthly",
            "2",
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Would remove 3 snapshot(s)"))
        .stdout(predicate::str::contains("Dry run: nothing was changed"));
    assert_eq!(archive.snapshots().unwrap().len(), 6);
    assert_eq!(archive.objects().list().unwrap().len(), objects_before);

    trackvault(dir.path())
        .args(["prune", "--keep-daily", "2", "--keep-monthly", "2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Removed 3 snapshot(s)"))
        .stdout(predicate::str::contains(ids[0].as_str()))
        .stdout(predicate::str::contains("freed"))
        .stdout(
            predicate::str::contains(format!("{} (daily, latest)", ids[5])).or(
                predicate::str::contains(format!("{} (latest, daily", ids[5])),
            ),
        );
    assert!(archive.objects().list().unwrap().len() < objects_before);
    trackvault(dir.path())
        .args(["verify", "--all"])
        .assert()
        .success()
        .stdout(predicate::str::contains("OK").count(3));
    trackvault(dir.path())
        .args(["prune", "--keep-daily", "2", "--keep-monthly", "2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing to remove"));
}
