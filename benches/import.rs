//! `trackvault import` on a heavy real-shaped download and on hostile ones (issue 10, item 9).
//!
//! Each case runs the real binary in a child process whose peak RSS (VmHWM) is polled from
//! `/proc`, so the numbers are what a user sees. Cases: a 100,000-song library plus 100,000
//! playlist entries in one `Playlist1.json` (near the per-file JSON bound), as a folder and as a
//! zip; a zip of six 300 MB entries; a zip of 100 unused 32 MB entries; 200 MB of `0,` in
//! `YourLibrary.json`. No network: zero requests in every case.
//!
//! Run: `cargo bench --bench import`. Targets: the heavy download imports with peak RSS under
//! 1 GB; every hostile case ends with one sentence in under 10 s and peak RSS under 500 MB.

mod common;

use std::fs;
use std::io::{Cursor, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

const LIKED: usize = 100_000;
const PLAYLISTS: usize = 500;
const PER_PLAYLIST: usize = 200;

fn id(prefix: char, i: usize) -> String {
    format!("{prefix}{i:021}")
}

fn heavy_download(dir: &Path) {
    let data = dir.join("Spotify Account Data");
    fs::create_dir_all(&data).unwrap();
    let tracks: Vec<_> = (0..LIKED)
        .map(|i| {
            json!({"artist": format!("Artist {}", i % 997), "album": format!("Album {}", i % 5003),
                   "track": format!("Song number {i}"), "uri": format!("spotify:track:{}", id('T', i))})
        })
        .collect();
    fs::write(
        data.join("YourLibrary.json"),
        serde_json::to_vec_pretty(&json!({"tracks": tracks, "albums": [], "artists": []})).unwrap(),
    )
    .unwrap();
    let playlists: Vec<_> = (0..PLAYLISTS)
        .map(|p| {
            let items: Vec<_> = (0..PER_PLAYLIST)
                .map(|i| {
                    let n = p * PER_PLAYLIST + i;
                    json!({"track": {"trackName": format!("Song number {n}"), "artistName": format!("Artist {}", n % 997),
                                     "albumName": format!("Album {}", n % 5003), "trackUri": format!("spotify:track:{}", id('T', n))},
                           "episode": null, "localTrack": null, "audiobook": null, "addedDate": "2024-03-01"})
                })
                .collect();
            json!({"name": format!("Playlist {p}"), "lastModifiedDate": "2024-03-02", "collaborators": [], "items": items})
        })
        .collect();
    fs::write(
        data.join("Playlist1.json"),
        serde_json::to_vec_pretty(&json!({ "playlists": playlists })).unwrap(),
    )
    .unwrap();
}

fn zip_folder(folder: &Path, dest: &Path) {
    let mut zip = zip::ZipWriter::new(fs::File::create(dest).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let data = folder.join("Spotify Account Data");
    for entry in fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        let name = format!(
            "Spotify Account Data/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        zip.start_file(name, options).unwrap();
        zip.write_all(&fs::read(&path).unwrap()).unwrap();
    }
    zip.finish().unwrap();
}

/// A zip whose `names` each hold `size` zero bytes (compressed once, copied raw).
fn zip_of_zeros(dest: &Path, size: usize, names: &[String], extra: &[(&str, Vec<u8>)]) {
    let mut seed = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    seed.start_file("zeros", options).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..size / chunk.len() {
        seed.write_all(&chunk).unwrap();
    }
    let mut source =
        zip::ZipArchive::new(Cursor::new(seed.finish().unwrap().into_inner())).unwrap();
    let mut zip = zip::ZipWriter::new(fs::File::create(dest).unwrap());
    for name in names {
        zip.raw_copy_file_rename(source.by_name("zeros").unwrap(), name)
            .unwrap();
    }
    for (name, bytes) in extra {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

fn value_bomb(dest: &Path) {
    let mut zip = zip::ZipWriter::new(fs::File::create(dest).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    zip.start_file("Spotify Account Data/YourLibrary.json", options)
        .unwrap();
    zip.write_all(b"{\"tracks\": [").unwrap();
    let chunk = b"0,".repeat(1 << 19);
    for _ in 0..200 {
        zip.write_all(&chunk).unwrap();
    }
    zip.write_all(b"0]}").unwrap();
    zip.finish().unwrap();
}

/// Runs `trackvault import PATH` into a fresh archive: exit code, wall time, peak RSS (MiB).
fn import(path: &Path, archive: &Path) -> (Option<i32>, Duration, u64, String) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_trackvault"))
        .env_clear()
        .env("TRACKVAULT_ARCHIVE", archive)
        .arg("import")
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if let Ok(text) = fs::read_to_string(&status_file) {
            if let Some(kb) = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
    }
    let first = stderr
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(70)
        .collect();
    (status.code(), started.elapsed(), peak_kb / 1024, first)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let folder = root.join("heavy");
    heavy_download(&folder);
    let heavy_zip = root.join("heavy.zip");
    zip_folder(&folder, &heavy_zip);
    let six = root.join("six.zip");
    let names: Vec<String> = (1..=6)
        .map(|i| format!("Spotify Account Data/Playlist{i}.json"))
        .collect();
    zip_of_zeros(&six, 300 << 20, &names, &[]);
    let unused = root.join("unused.zip");
    let names: Vec<String> = (0..100)
        .map(|i| format!("Spotify Account Data/Unused_{i}.json"))
        .collect();
    let library = serde_json::to_vec(
        &json!({"tracks": [{"track": "T", "uri": format!("spotify:track:{}", id('T', 1))}]}),
    )
    .unwrap();
    zip_of_zeros(
        &unused,
        32 << 20,
        &names,
        &[("Spotify Account Data/YourLibrary.json", library)],
    );
    let values = root.join("values.zip");
    value_bomb(&values);

    let size = |p: &Path| -> u64 {
        if p.is_dir() {
            fs::read_dir(p.join("Spotify Account Data"))
                .unwrap()
                .map(|e| e.unwrap().metadata().unwrap().len())
                .sum()
        } else {
            fs::metadata(p).unwrap().len()
        }
    };
    println!(
        "{:<44} {:>9} {:>6} {:>9} {:>9} {:>8}  first line of stderr",
        "case", "on disk", "exit", "wall", "peak RSS", "requests"
    );
    let cases: [(&str, &Path); 5] = [
        ("100k songs + 100k playlist entries (folder)", &folder),
        ("100k songs + 100k playlist entries (zip)", &heavy_zip),
        ("zip: six 300 MB entries", &six),
        ("zip: 100 unused 32 MB entries", &unused),
        ("zip: 200 MB of `0,` as YourLibrary.json", &values),
    ];
    for (i, (label, path)) in cases.iter().enumerate() {
        let (code, wall, peak, first) = import(path, &root.join(format!("archive-{i}")));
        println!(
            "{:<44} {:>7.1}MB {:>6} {:>8.2}s {:>6} MiB {:>8}  {}",
            label,
            size(path) as f64 / 1e6,
            code.map_or("kill".into(), |c| c.to_string()),
            wall.as_secs_f64(),
            peak,
            0,
            first
        );
    }
    if let Some(kb) = common::peak_rss_kb() {
        println!("(generator process peak: {} MiB)", kb / 1024);
    }
}
