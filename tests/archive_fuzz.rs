//! No panic on hostile archive files: arbitrary bytes and arbitrary JSON fed to the readers of
//! `latest`, `manifest.json`, `snapshot.sha256` and the checkpoint journal. A damaged file is
//! reported (or ignored, for journal lines), never a crash, and never hides a good snapshot.

use std::path::Path;

use proptest::prelude::*;
use serde_json::{json, Value};
use trackvault::archive::{
    is_snapshot_id, parse_latest, verify_damaged, verify_latest, verify_snapshot, Archive,
    IntegrityRecord, Latest, Manifest,
};
use trackvault::model::{Library, User, SOURCE_WEB_API};
use trackvault::spotify::checkpoint::Checkpoint;

/// Any JSON value, nested a few levels, with keys biased towards the real field names.
fn any_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("schema_version".to_string()),
        Just("id".to_string()),
        Just("complete".to_string()),
        Just("collections".to_string()),
        Just("pages".to_string()),
        Just("key".to_string()),
        Just("received".to_string()),
        Just("total".to_string()),
        Just("event".to_string()),
        Just("page".to_string()),
        Just("rows".to_string()),
        Just("at".to_string()),
        Just("next".to_string()),
        Just("record".to_string()),
        ".{0,6}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        Just(json!("page")),
        Just(json!("done")),
        Just(json!("reset")),
        Just(json!("../../etc/passwd")),
        Just(json!("2026-01-01T00-00-00Z")),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// An archive with one good snapshot; returns its id.
fn archive_with_one_snapshot(root: &Path) -> (Archive, String) {
    let archive = Archive::open(root).unwrap();
    let library = Library::empty(SOURCE_WEB_API, User::default());
    let id = archive
        .new_draft()
        .unwrap()
        .finish(&archive, Manifest::new(SOURCE_WEB_API), &library)
        .unwrap();
    (archive, id)
}

/// A second snapshot directory holding `manifest` bytes, named like a real one.
fn plant(archive: &Archive, manifest: &[u8]) -> String {
    let id = "2020-01-01T00-00-00Z".to_string();
    let dir = archive.snapshot_dir(&id);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("manifest.json"), manifest).unwrap();
    std::fs::write(dir.join("library.json"), manifest).unwrap();
    std::fs::write(dir.join("snapshot.sha256"), manifest).unwrap();
    id
}

fn every_reader_survives(archive: &Archive, good: &str, planted: &str) {
    let scan = archive.scan_snapshots().unwrap();
    assert!(
        scan.complete.iter().any(|s| s.id == good),
        "the good snapshot is still listed"
    );
    let _ = archive.latest().unwrap();
    let _ = verify_latest(archive).unwrap();
    let _ = verify_damaged(archive).unwrap();
    if scan.complete.iter().any(|s| s.id == planted) {
        let _ = verify_snapshot(archive, planted);
    }
    let _ = verify_snapshot(archive, good).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn latest_never_names_anything_but_a_snapshot_id(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        match parse_latest(&bytes) {
            Latest::Names(id) => {
                prop_assert!(is_snapshot_id(&id));
                prop_assert!(!id.contains(['/', '\\', '.']));
            }
            Latest::Missing | Latest::Damaged(_) => {}
        }
    }

    #[test]
    fn latest_strings_that_look_like_paths_are_damage(s in "[0-9TZ./\\\\-]{0,40}") {
        if let Latest::Names(id) = parse_latest(s.as_bytes()) {
            prop_assert!(is_snapshot_id(&id) && !id.contains(['/', '.']), "{id:?}");
        }
    }

    #[test]
    fn arbitrary_bytes_in_latest_and_a_manifest_never_panic(
        latest in prop::collection::vec(any::<u8>(), 0..80),
        manifest in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (archive, good) = archive_with_one_snapshot(dir.path());
        std::fs::write(dir.path().join("latest"), &latest).unwrap();
        let planted = plant(&archive, &manifest);
        every_reader_survives(&archive, &good, &planted);
    }

    #[test]
    fn arbitrary_json_as_a_manifest_never_panics(value in any_json()) {
        let dir = tempfile::tempdir().unwrap();
        let (archive, good) = archive_with_one_snapshot(dir.path());
        let planted = plant(&archive, value.to_string().as_bytes());
        every_reader_survives(&archive, &good, &planted);
    }

    #[test]
    fn manifest_shaped_json_with_hostile_values_never_panics(
        id in prop_oneof![Just("2020-01-01T00-00-00Z".to_string()), ".{0,30}"],
        pages in prop::collection::vec(prop_oneof![
            Just("../../../../etc/passwd".to_string()),
            Just("".to_string()),
            "[0-9a-f]{64}",
            ".{0,70}",
        ], 0..4),
        received in any::<u64>(),
        total in any::<Option<u64>>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (archive, good) = archive_with_one_snapshot(dir.path());
        let manifest = json!({
            "schema_version": 1, "id": id, "source": "spotify_web_api",
            "created_at": "x", "completed_at": null, "complete": true,
            "collections": [{"key": "liked_tracks", "total": total, "received": received, "pages": pages}],
        });
        let planted = plant(&archive, manifest.to_string().as_bytes());
        every_reader_survives(&archive, &good, &planted);
    }

    #[test]
    fn integrity_records_parse_or_fail_without_panicking(text in ".{0,200}") {
        let _ = IntegrityRecord::parse(&text);
    }

    #[test]
    fn arbitrary_journals_replay_without_panicking(
        lines in prop::collection::vec(prop_oneof![
            any_json().prop_map(|v| v.to_string().into_bytes()),
            prop::collection::vec(any::<u8>(), 0..60),
            (any::<u64>(), any::<u64>(), ".{0,10}").prop_map(|(at, rows, key)| json!({
                "event": "page", "key": key, "at": {"offset": at}, "page": "p",
                "rows": rows, "total": rows, "next": {"offset": at.wrapping_add(rows)},
            }).to_string().into_bytes()),
            (any::<u64>(), ".{0,10}").prop_map(|(n, key)| json!({
                "event": "done", "record": {"key": key, "total": n, "received": n, "pages": ["x"]},
            }).to_string().into_bytes()),
            ".{0,10}".prop_map(|key| json!({"event": "reset", "key": key}).to_string().into_bytes()),
            (".{0,8}", any::<u64>()).prop_map(|(k, n)| json!({
                "event": "requests", "counts": {k: n},
            }).to_string().into_bytes()),
        ], 0..12),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Vec::new();
        for line in lines {
            journal.extend(line);
            journal.push(b'\n');
        }
        std::fs::write(dir.path().join("checkpoint.jsonl"), &journal).unwrap();
        let inspected = Checkpoint::inspect(dir.path()).unwrap();
        let _ = inspected.referenced_pages();
        drop(inspected);
        let opened = Checkpoint::open(dir.path()).unwrap();
        let _ = opened.referenced_pages();
    }
}
