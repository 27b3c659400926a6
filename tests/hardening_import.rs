//! `import` and `verify` hold up against hostile downloads and archives (issue 10, items 3, 6,
//! 7, 9 and 17b): numbers from outside never wrap, identifiers are checked at the boundary,
//! names printed on the terminal carry no escapes, a BOM is accepted, and zip bombs, links to
//! `/dev/zero`, FIFOs, dangling links and gzip-bomb objects end quickly with bounded memory.

use std::fs;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use trackvault::app::import::import_download;
use trackvault::archive::Archive;
use trackvault::import::ImportError;

const BOM: &[u8] = b"\xEF\xBB\xBF";
const TRACK: &str = "spotify:track:4uLU6hMCjMI75M1A2tKUQC";

fn trackvault(root: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("trackvault").unwrap();
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", root.join("archive"))
        .env("TRACKVAULT_CONFIG_DIR", root.join("config"));
    cmd
}

/// A download folder holding `files` (name inside `Spotify Account Data/` → bytes).
fn download(root: &Path, files: &[(&str, Vec<u8>)]) -> PathBuf {
    let dir = root.join("download");
    let data = dir.join("Spotify Account Data");
    fs::create_dir_all(&data).unwrap();
    for (name, bytes) in files {
        fs::write(data.join(name), bytes).unwrap();
    }
    dir
}

fn library_json(tracks: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(&json!({ "tracks": tracks })).unwrap()
}

fn playlist_json(uri: &str) -> Vec<u8> {
    serde_json::to_vec_pretty(&json!({"playlists": [{"name": "Mix", "items": [
        {"track": {"trackName": "T", "artistName": "A", "albumName": "B", "trackUri": uri},
         "addedDate": "2024-01-02"}]}]}))
    .unwrap()
}

#[test]
fn a_local_file_with_absurd_seconds_gets_no_duration_instead_of_a_wrapped_one() {
    let root = tempfile::tempdir().unwrap();
    let local = |uri: &str| json!({"localTrack": {"uri": uri}, "addedDate": "2024-01-02"});
    let playlist = json!({"playlists": [{"name": "Local", "items": [
        local("spotify:local:A:B:Huge:99999999999999999"),
        local("spotify:local:A:B:Max:18446744073709551615"),
        local("spotify:local:A:B:Fine:215"),
    ]}]});
    let dir = download(
        root.path(),
        &[("Playlist1.json", serde_json::to_vec(&playlist).unwrap())],
    );
    let archive = Archive::open(root.path().join("archive")).unwrap();
    let summary = import_download(&archive, &dir).unwrap();
    let library = archive.read_library(&summary.snapshot).unwrap();
    let durations: Vec<Option<u64>> = library.playlists[0]
        .entries
        .iter()
        .map(|e| e.item.as_ref().unwrap().duration_ms)
        .collect();
    assert_eq!(durations, vec![None, None, Some(215_000)]);
}

#[test]
fn identifiers_with_line_breaks_or_foreign_shapes_are_refused_at_import() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "YourLibrary.json",
            library_json(json!([{"track": "T", "uri": format!("{TRACK}\n/etc/passwd")}])),
            "tracks[0].uri",
        ),
        (
            "YourLibrary.json",
            library_json(
                json!([{"track": "T", "uri": "spotify:local:A:B:C\nhttp://evil.example/x.mp3:10"}]),
            ),
            "tracks[0].uri",
        ),
        (
            "YourLibrary.json",
            library_json(json!([{"track": "T", "uri": "spotify:track:short"}])),
            "tracks[0].uri",
        ),
        (
            "Playlist1.json",
            playlist_json(&format!("{TRACK}\r\nhttp://evil.example/x.mp3")),
            "playlists[0].items[0].track.trackUri",
        ),
    ];
    for (file, bytes, field) in cases {
        let root = tempfile::tempdir().unwrap();
        let dir = download(root.path(), &[(file, bytes)]);
        let archive = Archive::open(root.path().join("archive")).unwrap();
        let err = import_download(&archive, &dir).unwrap_err();
        assert!(
            matches!(&err, ImportError::Malformed { field: f, .. } if f == field),
            "{file} {field}: {err}"
        );
        let message = err.to_string();
        assert!(!message.contains(['\n', '\r']), "{message:?}");
        assert!(archive.snapshots().unwrap().is_empty());
    }
}

#[test]
fn a_utf8_bom_at_the_start_of_a_json_file_is_accepted() {
    let root = tempfile::tempdir().unwrap();
    let mut library = BOM.to_vec();
    library.extend(library_json(
        json!([{"track": "T", "artist": "A", "uri": TRACK}]),
    ));
    let mut playlist = BOM.to_vec();
    playlist.extend(playlist_json(TRACK));
    let mut renamed = BOM.to_vec();
    renamed.extend(playlist_json(TRACK));
    let dir = download(
        root.path(),
        &[
            ("YourLibrary.json", library),
            ("Playlist1.json", playlist),
            ("Renamed.json", renamed),
        ],
    );
    let archive = Archive::open(root.path().join("archive")).unwrap();
    let summary = import_download(&archive, &dir).unwrap();
    assert_eq!((summary.liked_tracks, summary.playlists), (1, 2));
}

/// A zip with `entries` (name → bytes) built in memory.
fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn terminal_escapes_in_entry_names_never_reach_the_terminal() {
    let root = tempfile::tempdir().unwrap();
    let library = library_json(json!([{"track": "T", "artist": "A", "uri": TRACK}]));
    let zip = root.path().join("download.zip");
    fs::write(
        &zip,
        zip_bytes(&[
            ("Spotify Account Data/YourLibrary.json", &library),
            (
                "Spotify Account Data/\u{1b}]0;pwned\u{7}\u{1b}[2Jx\nFAKE: line\u{202e}.txt",
                b"x",
            ),
        ]),
    )
    .unwrap();
    let out = trackvault(root.path())
        .arg("import")
        .arg(&zip)
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        !stdout.contains(['\u{1b}', '\u{7}', '\u{202e}']),
        "{stdout:?}"
    );
    assert!(!stdout.lines().any(|l| l.starts_with("FAKE")), "{stdout}");
    assert!(
        stdout.contains("FAKE: line"),
        "the name is shown, escaped: {stdout}"
    );

    // Error messages that quote a file name from the download are just as clean.
    let bad = root.path().join("bad.zip");
    fs::write(
        &bad,
        zip_bytes(&[("evil\u{1b}[2J\nFAKE: line/YourLibrary.json", b"{ not json")]),
    )
    .unwrap();
    let out = trackvault(root.path())
        .arg("import")
        .arg(&bad)
        .assert()
        .code(1);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr:?}");
}

/// Far above any bound asserted here.
const RUNAWAY_KB: u64 = 1536 * 1024;

/// Peak resident memory (VmHWM, MiB) of a child process, polled until it exits.
fn run_measured(mut cmd: Command, limit: Duration) -> (std::process::Output, u64) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let started = Instant::now();
    let mut peak_kb = 0;
    while child.try_wait().unwrap().is_none() {
        if let Ok(status) = fs::read_to_string(&status_path) {
            if let Some(kb) = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        // Stop a runaway early: the point is made, and the machine is shared.
        if started.elapsed() > limit || peak_kb > RUNAWAY_KB {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "killed after {:?} at a peak of {} MiB",
                started.elapsed(),
                peak_kb / 1024
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // Without one reading the memory limits below would pass on no measurement at all.
    assert!(
        peak_kb > 0,
        "the child's memory was never measured (no VmHWM in {status_path})"
    );
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    eprintln!(
        "{:?}: peak RSS {} MiB in {:?}",
        cmd.get_args().collect::<Vec<_>>(),
        peak_kb / 1024,
        started.elapsed()
    );
    (
        std::process::Output {
            status,
            stdout,
            stderr,
        },
        peak_kb / 1024,
    )
}

fn cli(root: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("trackvault"));
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", root.join("archive"))
        .env("TRACKVAULT_CONFIG_DIR", root.join("config"));
    cmd
}

/// A zip whose entries (`names`) each hold `size` zero bytes, small on disk: the zeros are
/// compressed once and the compressed entry copied under every name.
fn zip_of_zeros(path: &Path, size: usize, names: &[String], extra: &[(&str, &[u8])]) {
    let mut seed = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(size as u64 >= u32::MAX as u64);
    seed.start_file("zeros", options).unwrap();
    let chunk = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        seed.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    let seed = seed.finish().unwrap().into_inner();
    let mut source = zip::ZipArchive::new(Cursor::new(seed)).unwrap();
    let mut zip = zip::ZipWriter::new(fs::File::create(path).unwrap());
    for name in names {
        zip.raw_copy_file_rename(source.by_name("zeros").unwrap(), name)
            .unwrap();
    }
    let plain = zip::write::SimpleFileOptions::default();
    for (name, bytes) in extra {
        zip.start_file(*name, plain).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn a_zip_of_huge_entries_is_refused_quickly_with_bounded_memory() {
    let root = tempfile::tempdir().unwrap();
    let zip = root.path().join("bomb.zip");
    let names: Vec<String> = (1..=6)
        .map(|i| format!("Spotify Account Data/Playlist{i}.json"))
        .collect();
    zip_of_zeros(&zip, 300 << 20, &names, &[]);
    let on_disk = fs::metadata(&zip).unwrap().len();
    assert!(on_disk < 8 << 20, "{on_disk} bytes on disk");
    let mut cmd = cli(root.path());
    cmd.arg("import").arg(&zip);
    let (out, peak_mib) = run_measured(cmd, Duration::from_secs(120));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(peak_mib < 300, "peak RSS {peak_mib} MiB");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("larger than 256 MB"), "{stderr}");
}

#[test]
fn unused_large_entries_are_not_read_into_memory() {
    let root = tempfile::tempdir().unwrap();
    let zip = root.path().join("many.zip");
    let names: Vec<String> = (0..100)
        .map(|i| format!("Spotify Account Data/Unused_{i}.json"))
        .collect();
    let library = library_json(json!([{"track": "T", "artist": "A", "uri": TRACK}]));
    zip_of_zeros(
        &zip,
        32 << 20,
        &names,
        &[("Spotify Account Data/YourLibrary.json", &library)],
    );
    let mut cmd = cli(root.path());
    cmd.arg("import").arg(&zip);
    let (out, peak_mib) = run_measured(cmd, Duration::from_secs(120));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 liked songs"), "{stdout}");
    assert!(peak_mib < 200, "peak RSS {peak_mib} MiB");
}

#[test]
fn links_to_devices_fifos_and_dangling_links_are_skipped_with_a_note() {
    let root = tempfile::tempdir().unwrap();
    let dir = download(root.path(), &[("Playlist1.json", playlist_json(TRACK))]);
    let data = dir.join("Spotify Account Data");
    std::os::unix::fs::symlink("/dev/zero", data.join("YourLibrary.json")).unwrap();
    std::os::unix::fs::symlink(data.join("gone.json"), data.join("Playlist2.json")).unwrap();
    let fifo = data.join("Playlist3.json");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let mut cmd = cli(root.path());
    cmd.arg("import").arg(&dir);
    let (out, peak_mib) = run_measured(cmd, Duration::from_secs(10));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 playlists with 1 entries"), "{stdout}");
    for name in ["YourLibrary.json", "Playlist2.json", "Playlist3.json"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("Note: not read:") && l.contains(name)),
            "{name}: {stdout}"
        );
    }
    assert!(peak_mib < 200, "peak RSS {peak_mib} MiB");
}

#[test]
fn verify_streams_a_gzip_bomb_object_and_reports_it() {
    let root = tempfile::tempdir().unwrap();
    let dir = download(root.path(), &[("Playlist1.json", playlist_json(TRACK))]);
    let archive = Archive::open(root.path().join("archive")).unwrap();
    import_download(&archive, &dir).unwrap();
    let object = archive.objects().list().unwrap().remove(0);
    // 600 MB of zeros, under 1 MB on disk, in place of the page.
    let file = fs::File::create(archive.objects().path(&object)).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..600 {
        gz.write_all(&chunk).unwrap();
    }
    gz.finish().unwrap();
    let mut cmd = cli(root.path());
    cmd.arg("verify");
    let (out, peak_mib) = run_measured(cmd, Duration::from_secs(120));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(peak_mib < 200, "peak RSS {peak_mib} MiB");
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("more than 512 MB"), "{text}");
}

#[test]
fn a_small_zip_of_a_json_file_with_millions_of_values_is_refused_with_bounded_memory() {
    // 200 MB of `0,0,0,…` (under the 256 MB file limit) compresses to well under a megabyte
    // but would be 100 million values, several GB as parsed JSON; 16 MB of `{"a":0},…`
    // (2 million small objects) would take about 1 GB. Both stop at the JSON bound.
    for (unit, repeats) in [(&b"0,"[..], 200), (&b"{\"a\":0},"[..], 16)] {
        let root = tempfile::tempdir().unwrap();
        let zip = root.path().join("values.zip");
        let mut writer = zip::ZipWriter::new(fs::File::create(&zip).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9));
        writer
            .start_file("Spotify Account Data/YourLibrary.json", options)
            .unwrap();
        writer.write_all(b"{\"tracks\": [").unwrap();
        let chunk = unit.repeat((1 << 20) / unit.len());
        for _ in 0..repeats {
            writer.write_all(&chunk).unwrap();
        }
        writer.write_all(b"0]}").unwrap();
        writer.finish().unwrap();
        let on_disk = fs::metadata(&zip).unwrap().len();
        assert!(on_disk < 4 << 20, "{on_disk} bytes on disk");
        let mut cmd = cli(root.path());
        cmd.arg("import").arg(&zip);
        let (out, peak_mib) = run_measured(cmd, Duration::from_secs(120));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(peak_mib < 600, "peak RSS {peak_mib} MiB");
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("holds more JSON than import reads"),
            "{stderr}"
        );
    }
}
