//! `export --format m3u8 --local-library DIR` against a folder of real (tiny) tagged audio
//! files built in the test: MBIDs in Vorbis comments and ID3 UFID, ISRC only, artist/title
//! only, wrong durations, a live file beside the studio one, hostile names, nested folders,
//! a symlink loop. Every written line must lead to the right file when read the way Navidrome
//! reads it (relative to the playlist's folder), the unresolved lists must be exact, and a
//! second index over the unchanged folder must read no tags.

mod local_library_support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use local_library_support::{flac, mp3, wav, Tags};
use predicates::prelude::*;
use serde_json::{json, Value};
use trackvault::archive::{Archive, Manifest};
use trackvault::export::{export_library_to, ExportOptions, LocalTarget};
use trackvault::local_library::{self, PathStyle, Resolver, TagOutcome};
use trackvault::model::Library;

const MBID_RICK: &str = "8f3471b5-7e6a-48da-86a9-c1c07a0f47ae";
const MBID_DAFT: &str = "a1b2c3d4-0000-4000-8000-000000000001";
const MBID_CAFE: &str = "a1b2c3d4-0000-4000-8000-000000000002";
const MBID_OTHER: &str = "a1b2c3d4-0000-4000-8000-000000000003";
const ISRC_HARDER: &str = "FRZ030100181";
const ISRC_DANCE: &str = "AUBEC1900001";

fn write(root: &Path, rel: &str, bytes: &[u8]) -> PathBuf {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, bytes).unwrap();
    path
}

/// The music folder; returns the files the entries should resolve to, by name.
fn build_music(root: &Path) -> BTreeMap<&'static str, PathBuf> {
    let mut files = BTreeMap::new();
    // MBID in Vorbis comments; its duration is far off, which the MBID overrides.
    files.insert(
        "rick",
        write(
            root,
            "Rick Astley/Whenever You Need Somebody/01 Never Gonna Give You Up.flac",
            &flac(
                100_000,
                &Tags {
                    mbid: Some(MBID_RICK),
                    artist: Some("Rick Astley"),
                    title: Some("Never Gonna Give You Up"),
                    album: Some("Whenever You Need Somebody"),
                    ..Tags::default()
                },
            ),
        ),
    );
    // MBID in an ID3v2.4 UFID frame, in a WAV.
    files.insert(
        "daft",
        write(
            root,
            "Daft Punk/Discovery/One More Time.wav",
            &wav(
                5_000,
                &Tags {
                    mbid: Some(MBID_DAFT),
                    artist: Some("Daft Punk"),
                    title: Some("One More Time"),
                    ..Tags::default()
                },
            ),
        ),
    );
    // ISRC only (ID3v2.3 TSRC), in an MP3.
    files.insert(
        "harder",
        write(
            root,
            "mp3/track07.mp3",
            &mp3(
                224_000,
                &Tags {
                    isrc: Some(ISRC_HARDER),
                    ..Tags::default()
                },
            ),
        ),
    );
    // Artist and title only, deeply nested; the studio take.
    files.insert(
        "bohemian",
        write(
            root,
            "Queen/A Night at the Opera/Disc 1/Side B/Bohemian Rhapsody.flac",
            &flac(
                357_000,
                &Tags {
                    artist: Some("Queen"),
                    title: Some("Bohemian Rhapsody"),
                    album: Some("A Night at the Opera"),
                    ..Tags::default()
                },
            ),
        ),
    );
    // The live take: same artist and base title, a duration even closer to the studio
    // entry's, and a path that sorts first. It must only match the live entry.
    files.insert(
        "bohemian_live",
        write(
            root,
            "Queen/Live at Wembley/Bohemian Rhapsody (Live).flac",
            &flac(
                355_000,
                &Tags {
                    artist: Some("Queen"),
                    title: Some("Bohemian Rhapsody - Live at Wembley '86"),
                    ..Tags::default()
                },
            ),
        ),
    );
    // Right names, wrong duration (a different edit): never matched by name.
    write(
        root,
        "Blur/Song 2.flac",
        &flac(
            200_000,
            &Tags {
                artist: Some("Blur"),
                title: Some("Song 2"),
                ..Tags::default()
            },
        ),
    );
    // Same names as an entry, but tagged as another recording: never matched by name.
    write(
        root,
        "Misc/Teardrop.flac",
        &flac(
            330_000,
            &Tags {
                mbid: Some(MBID_OTHER),
                artist: Some("Massive Attack"),
                title: Some("Teardrop"),
                ..Tags::default()
            },
        ),
    );
    // Non-ASCII names (artist "Sigur Rós" written as "Sigur Ros" on the entry side is not
    // the test; the same spelling in NFD in the tag is).
    files.insert(
        "hoppipolla",
        write(
            root,
            "Ünïcode/Sigur Rós/Hoppípolla.flac",
            &flac(
                268_000,
                &Tags {
                    artist: Some("Sigur Ro\u{301}s"),
                    title: Some("Hoppi\u{301}polla"),
                    ..Tags::default()
                },
            ),
        ),
    );
    // A folder whose name starts with '#', which a relative line must not turn into a comment.
    files.insert(
        "dance",
        write(
            root,
            "#1 Hits/Tones and I - Dance Monkey.flac",
            &flac(
                209_000,
                &Tags {
                    isrc: Some(ISRC_DANCE),
                    ..Tags::default()
                },
            ),
        ),
    );
    // A tagless file, an unreadable one, and a non-audio file that is ignored.
    write(
        root,
        "Unsorted/untitled.flac",
        &flac(60_000, &Tags::default()),
    );
    write(root, "Unsorted/broken.mp3", b"this is not an mp3 at all");
    write(root, "Unsorted/cover.jpg", b"\xFF\xD8\xFF");
    #[cfg(unix)]
    {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        // A non-UTF-8 name (Latin-1 "café") holding an MBID an entry asks for.
        let name = OsStr::from_bytes(b"caf\xe9.flac");
        fs::write(
            root.join("Unsorted").join(name),
            flac(
                180_000,
                &Tags {
                    mbid: Some(MBID_CAFE),
                    ..Tags::default()
                },
            ),
        )
        .unwrap();
        // A name with a line break, which would split an M3U8 line.
        fs::write(
            root.join("Unsorted/line\nbreak.flac"),
            flac(1_000, &Tags::default()),
        )
        .unwrap();
        // A symlink loop back to the root, and a dangling link.
        std::os::unix::fs::symlink(root, root.join("Queen/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("nowhere.flac"), root.join("Unsorted/gone.flac"))
            .unwrap();
    }
    files
}

fn track(name: &str, artist: &str, ms: u64, isrc: Option<&str>, mbid: Option<&str>) -> Value {
    json!({
        "type": "track", "id": format!("id{}", name.len()), "uri": "spotify:track:x",
        "name": name, "artists": [{"id": null, "name": artist}],
        "album": null, "duration_ms": ms, "explicit": false, "disc_number": 1,
        "track_number": 1, "isrc": isrc,
        "musicbrainz": mbid.map(|m| json!({
            "recording_id": m, "release_id": null, "release_group_id": null,
            "artist_ids": [], "method": "isrc", "confidence": 0.99
        })),
    })
}

fn entries(items: Vec<Value>) -> Vec<Value> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let kind = if item["type"] == "episode" {
                "episode"
            } else {
                "track"
            };
            json!({"position": i, "added_at": null, "added_by": null, "kind": kind, "item": item})
        })
        .collect()
}

/// Liked Songs, one playlist and one saved album (written under `albums/`).
fn library() -> Library {
    let liked = entries(vec![
        track(
            "Never Gonna Give You Up",
            "Rick Astley",
            213_573,
            Some("GBARL9300135"),
            Some(MBID_RICK),
        ),
        track("One More Time", "Daft Punk", 320_357, None, Some(MBID_DAFT)),
        track(
            "Harder, Better, Faster, Stronger",
            "Daft Punk",
            224_693,
            Some(ISRC_HARDER),
            None,
        ),
        track(
            "Bohemian Rhapsody - Remastered 2011",
            "Queen",
            354_320,
            None,
            None,
        ),
        track("Song 2", "Blur", 121_000, None, None),
    ]);
    let playlist = entries(vec![
        track(
            "Bohemian Rhapsody - Live at Wembley '86",
            "Queen",
            356_000,
            None,
            None,
        ),
        track("Hoppípolla", "Sigur Rós", 268_800, None, None),
        track(
            "Dance Monkey",
            "Tones and I",
            209_754,
            Some(ISRC_DANCE),
            None,
        ),
        track("café", "Nobody", 180_000, None, Some(MBID_CAFE)),
        track(
            "Teardrop",
            "Massive Attack",
            330_000,
            None,
            Some("a1b2c3d4-0000-4000-8000-0000000000ff"),
        ),
        track("Not In Any Folder", "Nobody", 200_000, None, None),
        json!({"type": "episode", "id": "ep1", "uri": "spotify:episode:ep1", "name": "A podcast",
               "artists": [], "album": null, "duration_ms": 1000, "explicit": false,
               "disc_number": null, "track_number": null, "isrc": null, "musicbrainz": null}),
    ]);
    let album_track = track(
        "Never Gonna Give You Up",
        "Rick Astley",
        213_573,
        None,
        Some(MBID_RICK),
    );
    let value = json!({
        "schema_version": 1, "source": "spotify-web-api", "created_at": "2026-12-01T00:00:00Z",
        "user": {"id": "alice", "display_name": "Alice", "account_id": null},
        "liked_tracks": liked,
        "saved_albums": [{"added_at": null, "album": {
            "id": "alb1", "uri": "spotify:album:alb1", "name": "Whenever You Need Somebody",
            "artists": [{"id": null, "name": "Rick Astley"}], "release_date": "1987",
            "total_tracks": 1, "upc": null, "tracks": [album_track], "musicbrainz": null}}],
        "saved_shows": [], "saved_episodes": [], "followed_artists": [],
        "playlists": [{
            "id": "pl1", "name": "Road Trip", "description": null,
            "owner": {"id": "alice", "display_name": "Alice"}, "public": true,
            "collaborative": false, "snapshot_id": "s1", "total": playlist.len(),
            "contents": "complete", "entries": playlist}],
    });
    serde_json::from_value(value).unwrap()
}

/// Resource lines of an M3U8, resolved the way Navidrome does: a line that is not a comment
/// is a path, relative lines are joined to the playlist file's folder.
fn navidrome_read(playlist: &Path) -> Vec<PathBuf> {
    let text = fs::read_to_string(playlist).unwrap();
    assert!(text.starts_with("#EXTM3U\n#PLAYLIST:"), "{text}");
    let dir = playlist.parent().unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let p = Path::new(l);
            let full = if p.is_absolute() {
                p.to_path_buf()
            } else {
                dir.join(p)
            };
            assert!(
                full.is_file(),
                "{l} in {} points at nothing",
                playlist.display()
            );
            fs::canonicalize(full).unwrap()
        })
        .collect()
}

fn canon(files: &BTreeMap<&str, PathBuf>, names: &[&str]) -> Vec<PathBuf> {
    names
        .iter()
        .map(|n| fs::canonicalize(&files[n]).unwrap())
        .collect()
}

fn m3u8_only() -> ExportOptions {
    ExportOptions {
        formats: vec!["m3u8".into()],
        ..ExportOptions::default()
    }
}

#[test]
fn every_line_leads_to_the_right_file_and_the_unresolved_list_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    let files = build_music(&music);
    let index = local_library::index(&music, &dir.path().join("cache.sqlite3")).unwrap();
    let stats = index.stats;
    assert_eq!(stats.tagless, 1, "{stats:?}");
    if cfg!(unix) {
        // broken.mp3 and the dangling link.
        assert_eq!(stats.unreadable, 2, "{stats:?}");
        // café in Latin-1 and the line break.
        assert_eq!(stats.bad_names, 2, "{stats:?}");
        assert_eq!(stats.symlink_loops, 1, "{stats:?}");
    }
    assert_eq!(stats.tagged, 9, "{stats:?}");
    assert_eq!(stats.tag_reads, 11, "{stats:?}");

    let target = LocalTarget {
        resolver: Resolver::new(index),
        style: PathStyle::Relative,
    };
    // The playlists live inside the music folder, as Navidrome wants them.
    let out = music.join("Playlists");
    let summary = export_library_to(&library(), &m3u8_only(), &out, Some(&target)).unwrap();
    let m3u8 = out.join("m3u8");

    // Liked Songs: MBID (Vorbis), MBID (UFID), ISRC (TSRC), studio by name; Song 2 missing.
    assert_eq!(
        navidrome_read(&m3u8.join("Liked Songs.m3u8")),
        canon(&files, &["rick", "daft", "harder", "bohemian"])
    );
    // Road Trip: live by name, Unicode by name (NFD tag vs NFC entry), '#' folder by ISRC.
    assert_eq!(
        navidrome_read(&m3u8.join("Road Trip.m3u8")),
        canon(&files, &["bohemian_live", "hoppipolla", "dance"])
    );
    // The saved album sits one folder deeper.
    assert_eq!(
        navidrome_read(&m3u8.join("albums/Rick Astley - Whenever You Need Somebody.m3u8")),
        canon(&files, &["rick"])
    );
    let road = fs::read_to_string(m3u8.join("Road Trip.m3u8")).unwrap();
    assert!(
        road.contains("\n../../#1 Hits/Tones and I - Dance Monkey.flac\n"),
        "{road}"
    );
    assert!(
        road.contains("#EXTINF:355,Queen - Bohemian Rhapsody - Live at Wembley '86\n"),
        "{road}"
    );

    assert_eq!(
        fs::read_to_string(m3u8.join("Liked Songs.missing.txt"))
            .unwrap()
            .lines()
            .skip(1)
            .collect::<Vec<_>>(),
        vec!["5. Blur - Song 2"]
    );
    assert_eq!(
        fs::read_to_string(m3u8.join("Road Trip.missing.txt"))
            .unwrap()
            .lines()
            .skip(1)
            .collect::<Vec<_>>(),
        vec![
            format!("4. Nobody - café (MBID {MBID_CAFE})"),
            "5. Massive Attack - Teardrop (MBID a1b2c3d4-0000-4000-8000-0000000000ff)".to_string(),
            "6. Nobody - Not In Any Folder".to_string(),
        ]
    );
    assert!(!m3u8
        .join("albums/Rick Astley - Whenever You Need Somebody.missing.txt")
        .exists());

    let s = summary.format("m3u8").unwrap();
    assert_eq!(s.left_out.0.get("not found in the local library"), Some(&4));
    assert_eq!(s.left_out.0.get("episodes"), Some(&1));
    let text = summary.to_string();
    assert!(
        text.contains(
            "8 of 12 entries found (3 by recording MBID, 2 by ISRC, 3 by artist, title and duration)"
        ),
        "{text}"
    );
    assert!(
        text.contains("not found: Liked Songs: 5. Blur - Song 2"),
        "{text}"
    );
    assert!(
        text.contains("not found: Road Trip: 6. Nobody - Not In Any Folder"),
        "{text}"
    );
}

#[test]
fn absolute_style_writes_absolute_paths_that_exist() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    let files = build_music(&music);
    let index = local_library::index(&music, &dir.path().join("cache.sqlite3")).unwrap();
    let target = LocalTarget {
        resolver: Resolver::new(index),
        style: PathStyle::Absolute,
    };
    let out = dir.path().join("elsewhere");
    export_library_to(&library(), &m3u8_only(), &out, Some(&target)).unwrap();
    let liked = out.join("m3u8/Liked Songs.m3u8");
    let text = fs::read_to_string(&liked).unwrap();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        assert!(Path::new(line).is_absolute(), "{line}");
    }
    assert_eq!(
        navidrome_read(&liked),
        canon(&files, &["rick", "daft", "harder", "bohemian"])
    );
}

#[test]
fn a_second_index_of_an_unchanged_folder_reads_no_tags() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    let files = build_music(&music);
    let cache = dir.path().join("cache.sqlite3");
    let first = local_library::index(&music, &cache).unwrap();
    assert!(first.stats.tag_reads > 0);
    let second = local_library::index(&music, &cache).unwrap();
    assert_eq!(second.stats.tag_reads, 0, "{:?}", second.stats);
    assert_eq!(second.stats.from_cache, first.stats.tag_reads);
    assert_eq!(second.tracks, first.tracks);
    assert_eq!(
        (second.stats.tagless, second.stats.unreadable),
        (first.stats.tagless, first.stats.unreadable)
    );

    // Retagging one file (new size) re-reads exactly that file and sees the new tags.
    fs::write(
        &files["bohemian"],
        flac(
            357_000,
            &Tags {
                mbid: Some(MBID_OTHER),
                artist: Some("Queen"),
                title: Some("Bohemian Rhapsody (2011 retag)"),
                ..Tags::default()
            },
        ),
    )
    .unwrap();
    // A removed file disappears from the index.
    fs::remove_file(&files["daft"]).unwrap();
    let third = local_library::index(&music, &cache).unwrap();
    assert_eq!(third.stats.tag_reads, 1, "{:?}", third.stats);
    let retagged = third
        .tracks
        .iter()
        .find(|t| t.path.ends_with("Bohemian Rhapsody.flac"))
        .unwrap();
    assert_eq!(retagged.tags.recording_mbid.as_deref(), Some(MBID_OTHER));
    assert!(!third
        .tracks
        .iter()
        .any(|t| t.path.ends_with("One More Time.wav")));
}

#[test]
fn tags_are_read_from_vorbis_id3v24_and_id3v23() {
    let dir = tempfile::tempdir().unwrap();
    let files = build_music(dir.path());
    let TagOutcome::Tagged(rick) = local_library::tags::read(&files["rick"]) else {
        panic!("flac unreadable")
    };
    assert_eq!(rick.recording_mbid.as_deref(), Some(MBID_RICK));
    assert_eq!(rick.album.as_deref(), Some("Whenever You Need Somebody"));
    assert_eq!(rick.duration_ms, Some(100_000));
    let TagOutcome::Tagged(daft) = local_library::tags::read(&files["daft"]) else {
        panic!("wav unreadable")
    };
    assert_eq!(daft.recording_mbid.as_deref(), Some(MBID_DAFT));
    assert_eq!(daft.title.as_deref(), Some("One More Time"));
    assert_eq!(daft.duration_ms, Some(5_000));
    let TagOutcome::Tagged(harder) = local_library::tags::read(&files["harder"]) else {
        panic!("mp3 unreadable")
    };
    assert_eq!(harder.isrc.as_deref(), Some(ISRC_HARDER));
    assert_eq!(harder.recording_mbid, None);
    assert!(
        harder
            .duration_ms
            .is_some_and(|ms| ms.abs_diff(224_000) < 100),
        "{harder:?}"
    );
}

fn cli(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("trackvault").unwrap();
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", dir.join("archive"))
        .env("TRACKVAULT_CONFIG_DIR", dir.join("config"));
    cmd
}

#[test]
fn cli_exports_against_a_local_library_and_caches_the_index_in_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    build_music(&music);
    let lib = library();
    let archive = Archive::open(dir.path().join("archive")).unwrap();
    archive
        .new_draft()
        .unwrap()
        .finish(&archive, Manifest::new(&lib.source), &lib)
        .unwrap();
    let out = music.join("Playlists");
    let run = || {
        cli(dir.path())
            .args(["export", "--format", "m3u8", "--local-library"])
            .arg(&music)
            .arg("--out")
            .arg(&out)
            .assert()
            .success()
    };
    run()
        .stdout(predicate::str::contains("11 tags read, 0 from cache"))
        .stdout(predicate::str::contains(
            "not found: Road Trip: 6. Nobody - Not In Any Folder",
        ));
    assert!(dir
        .path()
        .join("archive")
        .join(local_library::CACHE_FILE)
        .is_file());
    run().stdout(predicate::str::contains("0 tags read, 11 from cache"));
    assert!(out.join("m3u8/Road Trip.missing.txt").is_file());

    // Without --local-library the m3u8 writer is the Spotify-URL one, unchanged.
    cli(dir.path())
        .args(["export", "--format", "m3u8", "--out"])
        .arg(dir.path().join("plain"))
        .assert()
        .success();
    let plain = fs::read_to_string(dir.path().join("plain/m3u8/Road Trip.m3u8")).unwrap();
    assert!(plain.contains("https://open.spotify.com/track/"), "{plain}");
}

#[test]
fn cli_refuses_a_missing_folder_and_formats_it_does_not_change() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library();
    let archive = Archive::open(dir.path().join("archive")).unwrap();
    archive
        .new_draft()
        .unwrap()
        .finish(&archive, Manifest::new(&lib.source), &lib)
        .unwrap();
    cli(dir.path())
        .args(["export", "--format", "m3u8", "--local-library"])
        .arg(dir.path().join("no-such-music"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "give the folder that holds your music files",
        ));
    cli(dir.path())
        .args(["export", "--format", "soundiiz", "--local-library"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add `--format m3u8`"));
    cli(dir.path())
        .args(["export", "--format", "m3u8", "--path-style", "absolute"])
        .assert()
        .code(2);
}

#[test]
fn a_release_track_id_is_never_taken_for_the_recording_id() {
    let dir = tempfile::tempdir().unwrap();
    let tags = Tags {
        release_track_id: Some(MBID_OTHER),
        title: Some("Some Song"),
        ..Tags::default()
    };
    for (name, bytes) in [
        ("a.wav", wav(1_000, &tags)),
        ("b.flac", flac(1_000, &tags)),
        ("c.mp3", mp3(1_000, &tags)),
    ] {
        let path = write(dir.path(), name, &bytes);
        let TagOutcome::Tagged(read) = local_library::tags::read(&path) else {
            panic!("{name} unreadable")
        };
        assert_eq!(read.recording_mbid, None, "{name}: {read:?}");
        assert_eq!(read.title.as_deref(), Some("Some Song"), "{name}");
    }
}
