//! `trackvault export` end to end on a real archive built through the archive API.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use trackvault::archive::{Archive, Manifest};
use trackvault::model::Library;

fn trackvault(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("trackvault").unwrap();
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", dir.join("archive"))
        .env("TRACKVAULT_CONFIG_DIR", dir.join("config"));
    cmd
}

/// An archive holding one complete snapshot of the hostile fixture library; returns its id.
fn archive_with_snapshot(dir: &Path) -> String {
    let text = fs::read_to_string("fixtures/export/hostile-library.json").unwrap();
    let library: Library = serde_json::from_str(&text).unwrap();
    let archive = Archive::open(dir.join("archive")).unwrap();
    let draft = archive.new_draft().unwrap();
    draft
        .finish(&archive, Manifest::new(&library.source), &library)
        .unwrap()
}

#[test]
fn exports_the_latest_snapshot_into_its_exports_folder() {
    let dir = tempfile::tempdir().unwrap();
    let id = archive_with_snapshot(dir.path());
    trackvault(dir.path())
        .args(["export", "--format", "soundiiz,xspf"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("Exported snapshot {id}")))
        .stdout(predicate::str::contains("soundiiz"))
        .stdout(predicate::str::contains(
            "Not exported: playlist \"Someone else's mix\"",
        ));
    let exports = dir
        .path()
        .join("archive/snapshots")
        .join(&id)
        .join("exports");
    assert!(exports.join("soundiiz/Liked Songs.csv").is_file());
    assert!(exports
        .join("xspf/albums/Rick Astley - Whenever You Need Somebody.xspf")
        .is_file());
    assert!(!exports.join("json").exists(), "only the chosen formats");
}

#[test]
fn out_split_and_mapping_flags_work_together() {
    let dir = tempfile::tempdir().unwrap();
    let id = archive_with_snapshot(dir.path());
    let mapping = dir.path().join("titles.toml");
    fs::write(
        &mapping,
        "name = \"titles\"\nfiles = \"one_file\"\n[[column]]\nheader = \"Title\"\nfield = \"title\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    trackvault(dir.path())
        .arg("export")
        .arg(&id[..10])
        .args(["--format", "tunemymusic", "--split", "3", "--out"])
        .arg(&out)
        .arg("--mapping")
        .arg(&mapping)
        .assert()
        .success()
        .stdout(predicate::str::contains("titles"));
    assert!(out
        .join("tunemymusic/tunemymusic (part 1 of 5).csv")
        .is_file());
    // --split applies to every CSV layout, user ones included.
    assert!(out.join("titles/titles (part 1 of 6).csv").is_file());
}

#[test]
fn an_unknown_format_is_a_usage_error_listing_the_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    archive_with_snapshot(dir.path());
    trackvault(dir.path())
        .args(["export", "--format", "soundiiz,itunes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown export format `itunes`"))
        .stderr(predicate::str::contains(
            "soundiiz, tunemymusic, exportify, xspf, jspf, listenbrainz, m3u8, txt, json",
        ));
}

#[test]
fn a_bad_mapping_file_is_one_sentence_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    archive_with_snapshot(dir.path());
    let mapping = dir.path().join("broken.toml");
    fs::write(
        &mapping,
        "name = \"x\"\n[[column]]\nheader = \"A\"\nfield = \"artist\"\n",
    )
    .unwrap();
    trackvault(dir.path())
        .args(["export", "--mapping"])
        .arg(&mapping)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("broken.toml"))
        .stderr(predicate::str::contains("`artist`"))
        .stderr(predicate::function(|s: &str| {
            s.trim_end().lines().count() == 1
        }));
}

#[test]
fn exporting_an_empty_archive_says_to_back_up_first() {
    let dir = tempfile::tempdir().unwrap();
    trackvault(dir.path())
        .arg("export")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no complete snapshot yet"));
}
