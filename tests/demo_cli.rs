//! `trackvault demo` end to end, as a newcomer runs it: the whole pipeline over the bundled
//! sample, no account and no network.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use trackvault::archive::Archive;

fn trackvault(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("trackvault").unwrap();
    // No endpoint variables: the demo must not need (or use) any.
    cmd.env_clear()
        .env("TRACKVAULT_CONFIG_DIR", dir.join("config"));
    cmd
}

fn only_snapshot(archive: &Path) -> std::path::PathBuf {
    let archive = Archive::open(archive).unwrap();
    let id = archive.latest().unwrap().expect("a finished snapshot");
    archive.snapshot_dir(&id)
}

/// The MusicBrainz match of the first item called `name`, anywhere in the library.
fn match_of<'a>(library: &'a Value, name: &str) -> &'a Value {
    let entries = library["liked_tracks"].as_array().unwrap().iter().chain(
        library["playlists"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["entries"].as_array().unwrap()),
    );
    for entry in entries {
        if entry["item"]["name"] == name {
            return &entry["item"]["musicbrainz"];
        }
    }
    panic!("no item named {name}");
}

#[test]
fn demo_runs_the_whole_pipeline_and_says_what_to_do_next() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo out");
    trackvault(dir.path())
        .args(["demo", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("Snapshot"))
        .stdout(predicate::str::contains("Enriched"))
        .stdout(predicate::str::contains("Today's Top Hits"))
        .stdout(predicate::str::contains("trackvault login"))
        .stdout(predicate::str::contains("panicked").not());

    let archive = out.join("spotify-archive");
    let snapshot = only_snapshot(&archive);
    let library: Value =
        serde_json::from_slice(&std::fs::read(snapshot.join("library.json")).unwrap()).unwrap();
    // Identifiers attached by the same enrichment code a real backup runs.
    let thinking = match_of(&library, "Thinking Out Loud");
    assert!(
        thinking["recording_id"].as_str().unwrap().len() == 36,
        "{thinking}"
    );
    // Never guess: not in MusicBrainz, and only a remix of the other one is.
    assert!(match_of(&library, "Good Enough For Granddad").is_null());
    assert!(match_of(&library, "This Room").is_null());

    // Every export format wrote files.
    let exports = snapshot.join("exports");
    for format in trackvault::export::DEFAULT_FORMATS {
        // The `.trackvault-export` ownership marker is not an exported file.
        let files = std::fs::read_dir(exports.join(format))
            .unwrap_or_else(|e| panic!("{format}: {e}"))
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name() != ".trackvault-export")
            })
            .count();
        assert!(files > 0, "{format} wrote nothing");
    }

    // The archive it leaves is a normal one.
    trackvault(dir.path())
        .arg("--archive")
        .arg(&archive)
        .arg("verify")
        .assert()
        .success();
}

#[test]
fn a_second_demo_in_the_same_folder_reuses_everything() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let run = || {
        let assert = trackvault(dir.path())
            .args(["demo", "--out"])
            .arg(&out)
            .assert()
            .success();
        String::from_utf8(assert.get_output().stdout.clone()).unwrap()
    };
    run();
    let second = run();
    assert!(second.contains("unchanged"), "{second}");
    assert!(second.contains("MusicBrainz requests: 0"), "{second}");
}
