//! Local-library indexing: 20,000 generated tagged files (90 % FLAC with Vorbis comments, 10 %
//! MP3 with ID3v2.3), indexed once with an empty tag cache ("cold": every file's tags read)
//! and again over the unchanged folder ("warm": sizes and mtimes checked, no tags read); then
//! every file resolved from a playlist entry. Prints wall time, tag reads and peak RSS.
//! "Cold" means a cold tag cache, not a cold OS page cache: the files were just written.
//!
//! Run: `cargo bench --bench local_library`

mod common;
#[path = "../tests/local_library_support/mod.rs"]
mod local_library_support;

use std::fs;
use std::time::Instant;

use local_library_support::{flac, mp3, Tags};
use trackvault::local_library::{self, Resolver};
use trackvault::model::{ArtistRef, Item, MatchMethod, RecordingMatch};

const FILES: usize = 20_000;

fn mbid(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn isrc(n: usize) -> String {
    format!("XXA01{n:07}")
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let music = dir.path().join("music");
    let started = Instant::now();
    for n in 0..FILES {
        let folder = music.join(format!("Artist {}/Album {}", n / 200, n / 20));
        fs::create_dir_all(&folder).expect("mkdir");
        let (m, i) = (mbid(n), isrc(n));
        let artist = format!("Artist {}", n / 200);
        let title = format!("Song {n}");
        let tags = Tags {
            mbid: (n % 3 == 0).then_some(m.as_str()),
            isrc: (n % 3 == 1).then_some(i.as_str()),
            artist: Some(&artist),
            title: Some(&title),
            album: Some("Album"),
            release_track_id: None,
        };
        let ms = 120_000 + (n as u64 % 180) * 1000;
        let (name, bytes) = if n % 10 == 9 {
            (format!("{n:05} {title}.mp3"), mp3(ms, &tags))
        } else {
            (format!("{n:05} {title}.flac"), flac(ms, &tags))
        };
        fs::write(folder.join(name), bytes).expect("write");
    }
    let generate = started.elapsed();
    let cache = dir.path().join("local-library.sqlite3");

    let t = Instant::now();
    let cold = local_library::index(&music, &cache).expect("cold index");
    let cold_time = t.elapsed();
    let t = Instant::now();
    let warm = local_library::index(&music, &cache).expect("warm index");
    let warm_time = t.elapsed();

    let items: Vec<Item> = (0..FILES)
        .map(|n| Item {
            item_type: "track".into(),
            id: Some(format!("t{n}")),
            uri: format!("spotify:track:t{n}"),
            name: format!("Song {n}"),
            artists: vec![ArtistRef {
                id: None,
                name: format!("Artist {}", n / 200),
            }],
            album: None,
            duration_ms: Some(120_000 + (n as u64 % 180) * 1000 + 500),
            explicit: None,
            disc_number: None,
            track_number: None,
            isrc: (n % 3 == 1).then(|| isrc(n)),
            musicbrainz: (n % 3 == 0).then(|| RecordingMatch {
                recording_id: mbid(n),
                release_id: None,
                release_group_id: None,
                artist_ids: Vec::new(),
                method: MatchMethod::Isrc,
                confidence: 1.0,
            }),
            show: None,
        })
        .collect();
    let t = Instant::now();
    let resolver = Resolver::new(warm.clone());
    let found = items
        .iter()
        .filter(|i| resolver.resolve(i).is_some())
        .count();
    let resolve_time = t.elapsed();

    println!("local library: {FILES} files generated in {generate:.2?}");
    println!(
        "{:<10} {:>10} {:>10} {:>11} {:>8}",
        "run", "wall", "tag reads", "from cache", "tagged"
    );
    for (name, index, time) in [("cold", &cold, cold_time), ("warm", &warm, warm_time)] {
        println!(
            "{:<10} {:>10.2?} {:>10} {:>11} {:>8}",
            name, time, index.stats.tag_reads, index.stats.from_cache, index.stats.tagged
        );
    }
    println!(
        "{:<10} {:>10.2?} {:>10} entries, {found} found",
        "resolve", resolve_time, FILES
    );
    if let Some(kb) = common::peak_rss_kb() {
        println!("peak RSS: {} MB", kb / 1024);
    }
    assert_eq!(warm.stats.tag_reads, 0, "the warm run must read no tags");
    assert_eq!(found, FILES, "every generated file must be found");
}
