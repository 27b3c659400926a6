//! `trackvault import` over the sample downloads in `fixtures/data-download/` (folders, and zips
//! built from them here), including malformed ones that must leave the archive untouched.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use trackvault::app::import::import_download;
use trackvault::archive::{verify_snapshot, Archive};
use trackvault::import::ImportError;
use trackvault::model::{Contents, EntryKind, SOURCE_DATA_DOWNLOAD};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/data-download")
        .join(name)
}

/// Zips `folder` the way Spotify ships it: paths relative to the folder, `/`-separated.
fn zip_folder(folder: &Path, dest: &Path) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(dest).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .strip_prefix(folder)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            zip.start_file(name, options).unwrap();
            zip.write_all(&std::fs::read(&path).unwrap()).unwrap();
        }
    }
    zip.finish().unwrap();
}

fn trackvault(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("trackvault").unwrap();
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", root)
        .env("TRACKVAULT_CONFIG_DIR", root.join("config"));
    cmd
}

/// Nothing at all was written: no snapshot, no draft, no object.
fn assert_untouched(archive: &Archive) {
    assert!(archive.snapshots().unwrap().is_empty());
    assert!(archive.drafts().unwrap().is_empty());
    assert!(archive.objects().list().unwrap().is_empty());
}

#[test]
fn a_2023_folder_becomes_a_complete_verifiable_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let summary = import_download(&archive, &sample("account-2023")).unwrap();
    assert_eq!(
        (
            summary.liked_tracks,
            summary.saved_albums,
            summary.saved_episodes,
            summary.followed_artists
        ),
        (6, 2, 1, 2)
    );
    assert_eq!((summary.playlists, summary.playlist_entries), (3, 7));
    assert_eq!(
        summary.ignored_files,
        vec!["Spotify Account Data/StreamingHistory_music_0.json".to_string()]
    );
    // Userdata.json holds personal data: only its username is used, the file is not stored.
    assert_eq!(
        summary.stored_files,
        vec![
            "Spotify Account Data/YourLibrary.json",
            "Spotify Account Data/Playlist1.json"
        ]
    );

    let library = archive.read_library(&summary.snapshot).unwrap();
    assert_eq!(library.source, SOURCE_DATA_DOWNLOAD);
    assert_eq!(library.user.id, "fixtureuser");
    let road = &library.playlists[0];
    assert_eq!(road.name, "Road Trip");
    assert_eq!(road.contents, Contents::Complete);
    assert_eq!(road.total, 4);
    // The duplicate "Harbour Lights" is kept, with its own date.
    let first = road.entries[0].item.as_ref().unwrap();
    let last = road.entries[3].item.as_ref().unwrap();
    assert_eq!(first.uri, last.uri);
    assert!(first.uri.starts_with("spotify:track:"));
    assert_eq!(
        first.id.as_deref(),
        first.uri.strip_prefix("spotify:track:")
    );
    assert_eq!(
        road.entries[3].added_at.as_deref(),
        Some("2023-04-09T00:00:00Z")
    );
    assert_eq!(first.artists[0].name, "The Paper Boats");
    assert_eq!(first.album.as_ref().unwrap().name, "Low Tide");
    assert!(library
        .items()
        .all(|i| i.isrc.is_none() && i.duration_ms.is_none()));
    // "Tyler, The Dreamer" stays one artist.
    let tyler = &library.saved_albums[1].album.artists;
    assert_eq!(tyler.len(), 1);
    assert_eq!(tyler[0].name, "Tyler, The Dreamer");

    let manifest = archive.read_manifest(&summary.snapshot).unwrap();
    assert_eq!(manifest.source, SOURCE_DATA_DOWNLOAD);
    assert!(manifest
        .notes
        .iter()
        .any(|n| n.contains("no ISRCs or durations")));
    let raw = manifest
        .collection("file:Spotify Account Data/Playlist1.json")
        .unwrap();
    let original =
        std::fs::read(sample("account-2023/Spotify Account Data/Playlist1.json")).unwrap();
    assert_eq!(archive.objects().get(&raw.pages[0]).unwrap(), original);
    let report = verify_snapshot(&archive, &summary.snapshot).unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert!(report.objects_checked >= 2);
}

#[test]
fn a_2025_zip_keeps_episodes_local_files_audiobooks_and_null_rows_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("my_spotify_data.zip");
    zip_folder(&sample("account-2025"), &zip);
    let archive = Archive::open(dir.path().join("archive")).unwrap();
    let summary = import_download(&archive, &zip).unwrap();
    let library = archive.read_library(&summary.snapshot).unwrap();
    assert_eq!(library.saved_shows.len(), 1);
    let mixed = &library.playlists[0];
    assert!(mixed.collaborative);
    let kinds: Vec<EntryKind> = mixed.entries.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            EntryKind::Track,
            EntryKind::Episode,
            EntryKind::Local,
            EntryKind::Episode,
            EntryKind::Unavailable
        ]
    );
    let local = mixed.entries[2].item.as_ref().unwrap();
    assert_eq!(
        (local.name.as_str(), local.id.as_ref()),
        ("Run Boy Run", None)
    );
    assert_eq!(
        mixed.entries[1]
            .item
            .as_ref()
            .unwrap()
            .show
            .as_ref()
            .unwrap()
            .name,
        "Coastal Notes"
    );
    assert_eq!(
        mixed.entries[3].item.as_ref().unwrap().item_type,
        "audiobook"
    );
    assert!(mixed.entries[4].item.is_none());
    assert_eq!(
        mixed.entries[4].added_at.as_deref(),
        Some("2025-01-14T00:00:00Z")
    );
    // Two playlists called "Mix" (in two files) stay two playlists with distinct ids.
    let mixes: Vec<&str> = library
        .playlists
        .iter()
        .filter(|p| p.name == "Mix")
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(mixes.len(), 2);
    assert_ne!(mixes[0], mixes[1]);
    let report = verify_snapshot(&archive, &summary.snapshot).unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
}

#[test]
fn legacy_entries_without_dates_import_with_unknown_added_at() {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let summary = import_download(&archive, &sample("legacy-2022")).unwrap();
    let library = archive.read_library(&summary.snapshot).unwrap();
    assert_eq!(library.user.id, "unknown");
    assert_eq!(library.playlists[0].entries.len(), 3);
    assert!(library.playlists[0]
        .entries
        .iter()
        .all(|e| e.added_at.is_none()));
}

#[test]
fn malformed_downloads_name_the_file_and_field_and_leave_nothing_behind() {
    let cases = [
        (
            "malformed-field",
            "Playlist1.json",
            "playlists[1].items[2].track.trackUri",
            "should be a string but is a number",
        ),
        (
            "unexpected-entry",
            "Playlist1.json",
            "playlists[0].items[1].track",
            "needs one of track, episode, localTrack, audiobook",
        ),
        (
            "wrong-uri",
            "YourLibrary.json",
            "albums[1].uri",
            "should be a spotify:album:… URI",
        ),
        (
            "bad-date",
            "Playlist1.json",
            "playlists[0].items[3].addedDate",
            "06/04/2023",
        ),
    ];
    for (folder, file, field, detail) in cases {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path()).unwrap();
        let error = import_download(&archive, &sample(folder)).unwrap_err();
        match &error {
            ImportError::Malformed {
                file: f, field: fl, ..
            } => {
                assert!(f.ends_with(file), "{folder}: {error}");
                assert_eq!(fl, field, "{folder}: {error}");
            }
            other => panic!("{folder}: unexpected error {other}"),
        }
        assert!(error.to_string().contains(detail), "{folder}: {error}");
        assert_untouched(&archive);
    }
}

#[test]
fn import_cli_prints_a_summary_that_says_enrichment_relies_on_urls_and_search() {
    let dir = tempfile::tempdir().unwrap();
    trackvault(dir.path())
        .args(["import"])
        .arg(sample("account-2023"))
        .assert()
        .success()
        .stdout(predicate::str::contains("6 liked songs, 2 saved albums"))
        .stdout(predicate::str::contains("3 playlists with 7 entries"))
        .stdout(predicate::str::contains("no ISRCs or durations"))
        .stdout(predicate::str::contains("Spotify URL relations and search"))
        .stdout(predicate::str::contains(
            "not used: Spotify Account Data/StreamingHistory_music_0.json",
        ));
    trackvault(dir.path())
        .arg("snapshots")
        .assert()
        .success()
        .stdout(predicate::str::contains("spotify-data-download"));
    trackvault(dir.path()).arg("verify").assert().success();
}

#[test]
fn importing_the_same_download_twice_diffs_as_no_change_and_log_follows_playlists() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("download.zip");
    zip_folder(&sample("account-2023"), &zip);
    let root = dir.path().join("archive");
    trackvault(&root).arg("import").arg(&zip).assert().success();
    trackvault(&root)
        .arg("import")
        .arg(sample("account-2023"))
        .assert()
        .success();
    trackvault(&root)
        .arg("diff")
        .assert()
        .success()
        .stdout(predicate::str::contains("No changes."));
    let out = trackvault(&root)
        .args(["log", "Road Trip", "--json"])
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["snapshots"].as_array().unwrap().len(), 2);
    assert_eq!(json["snapshots"][1]["added"], 0);
}

#[test]
fn import_cli_errors_are_one_sentence_and_create_no_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("archive");
    trackvault(&root)
        .arg("import")
        .arg(sample("malformed-syntax"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Playlist1.json is not valid JSON (line",
        ))
        .stderr(predicate::str::contains("panicked").not());
    trackvault(&root)
        .arg("import")
        .arg(sample("malformed-field"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Spotify Account Data/Playlist1.json: field `playlists[1].items[2].track.trackUri` should be a string but is a number",
        ))
        .stderr(predicate::str::contains("nothing was imported"));
    trackvault(&root)
        .arg("import")
        .arg(sample("no-library-files"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "holds no YourLibrary.json or Playlist*.json",
        ));
    let not_zip = dir.path().join("notes.zip");
    std::fs::write(&not_zip, b"this is not a zip").unwrap();
    trackvault(&root)
        .arg("import")
        .arg(&not_zip)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a readable zip archive"));
    trackvault(&root)
        .arg("import")
        .arg(dir.path().join("missing.zip"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read"));
    let archive = Archive::open(&root).unwrap();
    assert_untouched(&archive);
}

#[test]
fn unexpected_shapes_and_duplicate_files_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let download = dir.path().join("download");
    std::fs::create_dir_all(download.join("MyData")).unwrap();
    std::fs::write(download.join("MyData/YourLibrary.json"), b"[1, 2, 3]").unwrap();
    let archive = Archive::open(dir.path().join("archive")).unwrap();
    let error = import_download(&archive, &download).unwrap_err();
    assert!(
        error.to_string().contains(
            "MyData/YourLibrary.json: field `(top level)` should be an object but is a list"
        ),
        "{error}"
    );

    // Two accounts' downloads side by side: refuse rather than merge them.
    std::fs::write(
        download.join("MyData/YourLibrary.json"),
        b"{\"tracks\": []}",
    )
    .unwrap();
    std::fs::create_dir_all(download.join("Spotify Account Data")).unwrap();
    std::fs::write(
        download.join("Spotify Account Data/YourLibrary.json"),
        b"{\"tracks\": []}",
    )
    .unwrap();
    let error = import_download(&archive, &download).unwrap_err();
    assert!(matches!(error, ImportError::Duplicate(_)), "{error}");

    // A playlist file without `playlists` names the missing field.
    std::fs::remove_dir_all(download.join("Spotify Account Data")).unwrap();
    std::fs::write(download.join("MyData/Playlist1.json"), b"{\"lists\": []}").unwrap();
    let error = import_download(&archive, &download).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Playlist1.json: field `playlists` is missing"),
        "{error}"
    );
    assert_untouched(&archive);
}

#[test]
fn zip_entries_that_escape_their_folder_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("evil.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("../Playlist1.json", options).unwrap();
    zip.write_all(b"{\"playlists\": [{\"name\": \"x\", \"items\": []}]}")
        .unwrap();
    zip.start_file("Spotify Account Data/YourLibrary.json", options)
        .unwrap();
    zip.write_all(b"{\"tracks\": [], \"artists\": []}").unwrap();
    zip.finish().unwrap();
    let archive = Archive::open(dir.path().join("archive")).unwrap();
    let summary = import_download(&archive, &zip_path).unwrap();
    assert_eq!(summary.playlists, 0);
    assert_eq!(summary.ignored_files, vec!["../Playlist1.json".to_string()]);
}

#[test]
fn an_import_diffs_cleanly_against_a_web_api_snapshot_of_the_same_library() {
    use trackvault::history::{diff_libraries, SnapshotRef};
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let summary = import_download(&archive, &sample("account-2023")).unwrap();
    let imported = archive.read_library(&summary.snapshot).unwrap();
    // The same library as a backup would see it: real playlist ids, full timestamps.
    let mut api = imported.clone();
    api.source = trackvault::model::SOURCE_WEB_API.to_string();
    for (n, playlist) in api.playlists.iter_mut().enumerate() {
        playlist.id = format!("37i9dQZF1DX{n:011}");
        for entry in &mut playlist.entries {
            if let Some(day) = &entry.added_at {
                entry.added_at = Some(day.replace("T00:00:00Z", "T17:42:05Z"));
            }
        }
    }
    let r = |id: &str| SnapshotRef {
        snapshot: id.into(),
        created_at: String::new(),
        source: String::new(),
    };
    let diff = diff_libraries(&imported, &api, r("import"), r("backup"));
    assert!(diff.is_empty(), "{:#?}", diff.summary);

    // A real change still shows: one entry removed from the backup's "Quiet".
    api.playlists[1].entries.remove(0);
    let diff = diff_libraries(&imported, &api, r("import"), r("backup"));
    assert_eq!(diff.summary.playlist_entries_removed, 1);
    assert_eq!(
        diff.summary.playlists_created + diff.summary.playlists_deleted,
        0
    );
}
