//! Export throughput: a generated 100,000-entry library written in every format.
//! Prints wall time per format and in total, and peak RSS (VmHWM). Targets: < 2 s, < 300 MB.
//!
//! Run: `cargo bench --bench export`

mod common;

use std::time::Instant;

use trackvault::export::{export_library, ExportOptions, DEFAULT_FORMATS};
use trackvault::model::{
    AlbumRef, ArtistRef, Contents, Entry, EntryKind, Item, Library, MatchMethod, Owner, Playlist,
    RecordingMatch, User, SOURCE_WEB_API,
};

const LIKED: usize = 20_000;
const PLAYLISTS: usize = 160;
const PER_PLAYLIST: usize = 500;

/// A deterministic pseudo-random base62 id.
fn id(n: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    (0..22)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ALPHABET[(x >> 58) as usize % 62] as char
        })
        .collect()
}

fn entry(n: u64) -> Entry {
    let kind = match n % 100 {
        0 => EntryKind::Unavailable,
        1 => EntryKind::Local,
        2 => EntryKind::Episode,
        _ => EntryKind::Track,
    };
    let item = (kind != EntryKind::Unavailable).then(|| {
        let tid = id(n % 60_000);
        Item {
            item_type: if kind == EntryKind::Episode {
                "episode"
            } else {
                "track"
            }
            .into(),
            id: (kind != EntryKind::Local).then(|| tid.clone()),
            uri: format!("spotify:track:{tid}"),
            name: format!("Song number {n}, \"take {}\"", n % 7),
            artists: (0..1 + n % 3)
                .map(|a| ArtistRef {
                    id: Some(id(a + 1_000_000)),
                    name: format!("Artist {a}, Jr. 名前"),
                })
                .collect(),
            album: Some(AlbumRef {
                id: Some(id(n % 5_000 + 2_000_000)),
                name: format!("Album {}", n % 5_000),
                release_date: Some("2001-02-03".into()),
            }),
            duration_ms: Some(180_000 + n % 120_000),
            explicit: Some(n.is_multiple_of(2)),
            disc_number: Some(1),
            track_number: Some((n % 12) as u32 + 1),
            isrc: (!n.is_multiple_of(5)).then(|| format!("USAB1{:07}", n % 10_000_000)),
            musicbrainz: (!n.is_multiple_of(3)).then(|| RecordingMatch {
                recording_id: format!("8f3471b5-7e6a-48da-86a9-{:012x}", n),
                release_id: Some(format!("4d3f3b49-1b41-4f4e-9a9f-{:012x}", n % 5_000)),
                release_group_id: None,
                artist_ids: vec!["db92a151-1ac2-438b-bc43-b82e149ddd50".into()],
                method: MatchMethod::Isrc,
                confidence: 0.95,
            }),
            show: None,
        }
    });
    Entry {
        position: 0,
        added_at: Some("2026-10-01T08:00:00Z".into()),
        added_by: Some("alice".into()),
        kind,
        item,
    }
}

fn library() -> Library {
    let mut lib = Library::empty(
        SOURCE_WEB_API,
        User {
            id: "alice".into(),
            display_name: Some("Alice".into()),
            account_id: None,
        },
    );
    lib.created_at = "2026-11-24T11:22:33Z".into();
    let mut n = 0u64;
    let mut next = |pos: usize| {
        n += 1;
        let mut e = entry(n);
        e.position = pos as u32;
        e
    };
    lib.liked_tracks = (0..LIKED).map(&mut next).collect();
    for p in 0..PLAYLISTS {
        lib.playlists.push(Playlist {
            id: id(p as u64 + 9_000_000),
            name: format!("Playlist {} / mix", p % 120),
            description: Some("generated".into()),
            owner: Owner {
                id: "alice".into(),
                display_name: Some("Alice".into()),
            },
            public: Some(p.is_multiple_of(2)),
            collaborative: false,
            snapshot_id: Some("abc".into()),
            total: PER_PLAYLIST as u32,
            contents: Contents::Complete,
            not_accessible_reason: None,
            entries: (0..PER_PLAYLIST).map(&mut next).collect(),
        });
    }
    lib
}

fn peak_rss_mb() -> f64 {
    common::peak_rss_kb().map_or(f64::NAN, |kb| kb as f64 / 1024.0)
}

/// User + system CPU seconds of this process so far (clock ticks of 1/100 s on Linux), to tell
/// the export's own cost from waiting on a busy machine.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            let utime: f64 = after.get(11)?.parse().ok()?;
            let stime: f64 = after.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

fn main() {
    let lib = library();
    let entries = lib.entry_count();
    let rss_library = peak_rss_mb();
    let dir = tempfile::tempdir().expect("temporary folder");

    println!("export benchmark: {entries} entries ({LIKED} liked, {PLAYLISTS} playlists x {PER_PLAYLIST})");
    println!(
        "{:<14} {:>8} {:>10} {:>10} {:>10}",
        "format", "files", "rows", "wall ms", "cpu ms"
    );
    for format in DEFAULT_FORMATS {
        let opts = ExportOptions {
            formats: vec![format.to_string()],
            ..ExportOptions::default()
        };
        let (start, cpu) = (Instant::now(), cpu_secs());
        let summary = export_library(&lib, &opts, &dir.path().join("each")).expect("export");
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let cpu_ms = (cpu_secs() - cpu) * 1000.0;
        let s = &summary.formats[0];
        println!(
            "{:<14} {:>8} {:>10} {:>10.0} {:>10.0}",
            format,
            s.files.len(),
            s.rows(),
            ms,
            cpu_ms
        );
    }
    let (start, cpu) = (Instant::now(), cpu_secs());
    let summary =
        export_library(&lib, &ExportOptions::default(), &dir.path().join("all")).expect("export");
    let total = start.elapsed().as_secs_f64();
    let total_cpu = cpu_secs() - cpu;
    println!(
        "{:<14} {:>8} {:>10} {:>10.0} {:>10.0}",
        "ALL (one run)",
        summary.files_written(),
        summary.formats.iter().map(|f| f.rows()).sum::<usize>(),
        total * 1000.0,
        total_cpu * 1000.0
    );
    println!(
        "load average at the end: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    let rss = peak_rss_mb();
    println!("peak RSS (VmHWM): {rss:.0} MB (library alone: {rss_library:.0} MB)");
    println!(
        "targets: all formats < 2 s: {}; peak RSS < 300 MB: {}",
        if total < 2.0 { "met" } else { "MISSED" },
        if rss < 300.0 { "met" } else { "MISSED" }
    );
}
