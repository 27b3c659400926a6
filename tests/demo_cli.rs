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
        .stderr(predicate::str::contains("panicked").not());

    let archive = out.join("spotify-archive");
    let snapshot = only_snapshot(&archive);
    let library: Value =
        serde_json::from_slice(&std::fs::read(snapshot.join("library.json")).unwrap()).unwrap();
    // Identifiers attached by the same enrichment code a real backup runs, exactly the ones in
    // the demo's simulated MusicBrainz data (fixtures/demo/musicbrainz.json).
    let ed_sheeran = ["b8a7c51f-362c-4dcb-a259-bc6e0095f0a6"];
    let plus = (
        "94ad3a58-a1cc-46a3-acf4-9cb6c1d6f032",
        "05ce100c-eddf-4967-8d7e-33fc0883fe39",
    );
    let expected = [
        // (name, method, recording, [release editions allowed], release group, artists)
        (
            "Thinking Out Loud",
            "isrc",
            "cb2cc207-8125-445c-9ef9-6ea44eee959a",
            // The recording lists no release, so none is attached.
            vec![],
            None,
            &ed_sheeran[..],
        ),
        (
            "The A Team",
            "isrc",
            "17eb8cd6-7bb0-4579-90af-dc38c1b3fc6a",
            vec![plus.0],
            Some(plus.1),
            &ed_sheeran[..],
        ),
        (
            "Kiss Me",
            "isrc",
            "232f4982-c146-4c68-8db6-651ba9ddc441",
            vec![plus.0],
            Some(plus.1),
            &ed_sheeran[..],
        ),
        (
            "Welcome to the World of the Plastic Beach (feat. Snoop Dogg and Hypnotic Brass Ensemble)",
            "isrc",
            "ab80a174-1b7d-41c8-bddb-5edfd849d512",
            vec![
                "574166b1-78c0-4061-8781-b699f1e5b575",
                "98ea7ed0-5b4a-49e4-9a18-2bef6185c5eb",
                "a00fbef0-2a8f-4f68-b787-e8fe10517155",
            ],
            Some("5a676824-18cd-4f7f-89f0-df21623e2042"),
            &[
                "e21857d5-3256-4547-afb3-4b6ded592596",
                "f90e8b26-9e52-4669-a5c9-e28529c47894",
                "cc37d0c1-493d-487e-9694-3cf48ae6370d",
            ][..],
        ),
        (
            // No ISRC on Spotify: found by search.
            "An Ocean in Between the Waves",
            "search",
            "5fbaab56-3904-40fe-9ef2-be59a16c86be",
            vec![
                "c38765cc-bafe-48ff-9a78-26f6d816a46b",
                "59143316-e940-4750-905a-23b498f69b13",
                "8c2df801-89f6-4da6-a4ed-f34658647d75",
            ],
            Some("943b191f-616f-4091-8516-0979987b5eef"),
            &["87b9b3b8-ab93-426c-a200-4012d667a626"][..],
        ),
    ];
    for (name, method, recording, releases, group, artists) in expected {
        let m = match_of(&library, name);
        assert_eq!(m["recording_id"], recording, "{name}: {m}");
        assert_eq!(m["method"], method, "{name}: {m}");
        assert_eq!(m["release_group_id"].as_str(), group, "{name}: {m}");
        assert_eq!(m["artist_ids"], serde_json::json!(artists), "{name}: {m}");
        match m["release_id"].as_str() {
            None => assert!(releases.is_empty(), "{name}: no release in {m}"),
            Some(release) => assert!(releases.contains(&release), "{name}: {m}"),
        }
    }
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
