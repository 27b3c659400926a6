//! `trackvault diff` on two generated 100,000-entry snapshots.
//!
//! The parent process generates the archive (two snapshots written through the real
//! `Draft::finish`, pretty-printed `library.json` like every snapshot), then runs the
//! measurement in a fresh child process so its peak RSS (VmHWM) counts only what `diff` needs:
//! loading both `library.json` files (included in the timing), matching, and rendering the
//! `--json` and text output — the same steps `commands::diff` runs.
//!
//! Run: `cargo bench --bench diff`. Targets: total under 1 s, peak RSS under 300 MB.

mod common;

use common::{base62, cpu_ms, ms, verdict, Rng};

use std::time::{Duration, Instant};

use trackvault::archive::{Archive, Manifest};
use trackvault::history::diff::diff_snapshots;
use trackvault::history::{diff_libraries, render, SnapshotRef};
use trackvault::model::{
    AlbumRef, ArtistRef, Contents, Entry, EntryKind, Item, Library, Owner, Playlist, User,
    SOURCE_WEB_API,
};

const CHILD_ENV: &str = "TRACKVAULT_BENCH_DIFF_ARCHIVE";
const LIKED: usize = 40_000;
const PLAYLISTS: usize = 300;
const PER_PLAYLIST: usize = 200; // 300 × 200 = 60,000 playlist entries + 40,000 liked = 100,000

fn main() {
    if let Ok(root) = std::env::var(CHILD_ENV) {
        measure(&root);
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let archive = Archive::open(dir.path()).expect("archive");
    let started = Instant::now();
    let old = generate(0);
    let new = mutate(&old);
    let stats = change_stats(&old, &new);
    for library in [&old, &new] {
        let draft = archive.new_draft().expect("draft");
        draft
            .finish(&archive, Manifest::new(SOURCE_WEB_API), library)
            .expect("snapshot");
    }
    let size = std::fs::metadata(
        archive
            .snapshot_dir(&archive.snapshots().unwrap()[0].id)
            .join("library.json"),
    )
    .map(|m| m.len())
    .unwrap_or(0);
    println!(
        "generated 2 snapshots of {} entries each ({:.1} MB library.json each) in {:.1?}; {stats}",
        old.entry_count(),
        size as f64 / 1e6,
        started.elapsed()
    );
    drop((old, new));

    common::measure_in_child(CHILD_ENV, dir.path());
}

/// The child: load, diff, render; print the table.
fn measure(root: &str) {
    let archive = Archive::open(root).expect("archive");
    let ids: Vec<String> = archive
        .snapshots()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();

    // Exactly what `trackvault diff` runs: read both library.json files, parse them (as lean
    // views, in parallel), match and diff; then render.
    let cpu_before = cpu_ms();
    let t = Instant::now();
    let diff = diff_snapshots(&archive, &ids[0], &ids[1]).expect("diff");
    let load_and_diff = t.elapsed();
    let t = Instant::now();
    let json = serde_json::to_string_pretty(&diff).unwrap();
    let render_json = t.elapsed();
    let cpu_json = cpu_ms().zip(cpu_before).map(|(a, b)| a - b);
    let t = Instant::now();
    let text = render::diff_text(&diff);
    let render_text = t.elapsed();
    // Peak memory of the command's work, read before the comparison below adds its own.
    let hwm = common::peak_rss_kb();

    // For comparison only (not what the command does): the same diff from fully loaded
    // libraries. Both paths must agree.
    let t = Instant::now();
    let old = archive.read_library(&ids[0]).expect("old library");
    let new = archive.read_library(&ids[1]).expect("new library");
    let full_load = t.elapsed();
    let t = Instant::now();
    let r = |id: &str| SnapshotRef {
        snapshot: id.to_string(),
        created_at: String::new(),
        source: String::new(),
    };
    let full = diff_libraries(&old, &new, r(&ids[0]), r(&ids[1]));
    let full_diff = t.elapsed();
    assert_eq!(full.summary, diff.summary, "both paths must agree");
    drop((old, new, full));

    let s = &diff.summary;
    println!(
        "diff found: {} playlist entries added, {} removed, {} moved, {} became unavailable, {} liked added, {} liked removed, {} playlists changed/{} created/{} deleted ({} KB JSON, {} KB text)",
        s.playlist_entries_added,
        s.playlist_entries_removed,
        s.playlist_entries_moved,
        s.became_unavailable,
        s.liked_tracks_added,
        s.liked_tracks_removed,
        s.playlists_changed,
        s.playlists_created,
        s.playlists_deleted,
        json.len() / 1024,
        text.len() / 1024
    );
    let total_json = load_and_diff + render_json;
    let total_text = load_and_diff + render_text;
    println!();
    println!("| step                                          | result     |");
    println!("|-----------------------------------------------|------------|");
    let row = |name: &str, d: Duration| println!("| {name:<45} | {:>7.1} ms |", ms(d));
    row("read + parse both library.json + match/diff", load_and_diff);
    row("render --json", render_json);
    row("render text", render_text);
    row("TOTAL `diff --json` (loading included)", total_json);
    row("TOTAL `diff` text (loading included)", total_text);
    println!(
        "| {:<45} | {:>7} ms |",
        "CPU time of `diff --json` (user+sys)",
        cpu_json.map_or("?".to_string(), |c| c.to_string())
    );
    println!(
        "| {:<45} | {:>7} MB |",
        "peak RSS of the above (VmHWM)",
        hwm.map_or("?".to_string(), |kb| format!("{:.0}", kb as f64 / 1024.0))
    );
    row("comparison: full Library load of both", full_load);
    row("comparison: diff of full Libraries", full_diff);
    println!();
    println!(
        "load average while measuring: {} (2 cores; wall time is inflated when the machine is busy)",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
    println!(
        "targets: total < 1000 ms ({}), peak RSS < 300 MB ({})",
        verdict(ms(total_json.max(total_text)) < 1000.0),
        verdict(hwm.is_some_and(|kb| kb < 300 * 1024))
    );
}

/// A realistic track: two artists, album, ISRC, durations.
fn track(n: u64) -> Item {
    let id = base62(n.wrapping_mul(2_654_435_761));
    Item {
        item_type: "track".into(),
        uri: format!("spotify:track:{id}"),
        id: Some(id),
        name: format!("Song number {n} (Remastered 2011)"),
        artists: vec![
            ArtistRef {
                id: Some(base62(n % 5000 + 1)),
                name: format!("Artist {}", n % 5000),
            },
            ArtistRef {
                id: Some(base62(n % 777 + 9)),
                name: format!("Featured {}", n % 777),
            },
        ],
        album: Some(AlbumRef {
            id: Some(base62(n / 12 + 3)),
            name: format!("Album {}", n / 12),
            release_date: Some("2011-06-14".into()),
        }),
        duration_ms: Some(150_000 + n % 120_000),
        explicit: Some(n.is_multiple_of(7)),
        disc_number: Some(1),
        track_number: Some((n % 12 + 1) as u32),
        isrc: Some(format!("GBAYE{:07}", n % 10_000_000)),
        musicbrainz: None,
        show: None,
    }
}

fn entry(position: usize, n: u64, day: u64) -> Entry {
    Entry {
        position: position as u32,
        added_at: Some(common::added_at(day)),
        added_by: Some("benchuser".into()),
        kind: EntryKind::Track,
        item: Some(track(n)),
    }
}

fn generate(seed: u64) -> Library {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ seed);
    let mut library = Library::empty(
        SOURCE_WEB_API,
        User {
            id: "benchuser".into(),
            display_name: Some("Bench".into()),
            account_id: None,
        },
    );
    // A catalogue of 60,000 tracks, so playlists share tracks and hold duplicates.
    library.liked_tracks = (0..LIKED)
        .map(|i| entry(i, rng.below(60_000) as u64, i as u64))
        .collect();
    for p in 0..PLAYLISTS {
        let entries = (0..PER_PLAYLIST)
            .map(|i| entry(i, rng.below(60_000) as u64, (p * 1000 + i) as u64))
            .collect::<Vec<_>>();
        library.playlists.push(Playlist {
            id: base62(1_000_000 + p as u64),
            name: format!("Playlist {p}"),
            description: Some(format!("Description of playlist {p}")),
            owner: Owner {
                id: "benchuser".into(),
                display_name: None,
            },
            public: Some(false),
            collaborative: false,
            snapshot_id: Some(base62(p as u64 * 31)),
            total: entries.len() as u32,
            contents: Contents::Complete,
            not_accessible_reason: None,
            entries,
        });
    }
    library
}

/// About 2% of entries change: additions, removals, moves, null rows; some playlists renamed,
/// one deleted, one created; liked songs gain and lose some.
fn mutate(old: &Library) -> Library {
    let mut rng = Rng(0xDEAD_BEEF);
    let mut new = old.clone();
    for (k, p) in new.playlists.iter_mut().enumerate() {
        if k.is_multiple_of(30) {
            p.name.push_str(" (renamed)");
        }
        let e = &mut p.entries;
        // 1 removal, 1 addition, 1 move, and every 3rd playlist a track turning into a null row.
        e.remove(rng.below(e.len()));
        let at = rng.below(e.len());
        e.insert(at, entry(0, 70_000 + k as u64, 9_999));
        let from = rng.below(e.len());
        let moved = e.remove(from);
        e.insert(rng.below(e.len()), moved);
        if k.is_multiple_of(3) {
            let slot = rng.below(e.len());
            e[slot].item = None;
            e[slot].kind = EntryKind::Unavailable;
        }
        for (i, entry) in e.iter_mut().enumerate() {
            entry.position = i as u32;
        }
        p.total = e.len() as u32;
    }
    new.playlists.remove(7);
    let mut created = old.playlists[8].clone();
    created.id = base62(9_999_999);
    created.name = "Brand new".into();
    new.playlists.push(created);
    new.liked_tracks.drain(100..300);
    for i in 0..500 {
        new.liked_tracks.insert(0, entry(0, 80_000 + i, 20_000 + i));
    }
    for (i, e) in new.liked_tracks.iter_mut().enumerate() {
        e.position = i as u32;
    }
    new
}

fn change_stats(old: &Library, new: &Library) -> String {
    format!(
        "{} → {} playlists, {} → {} liked",
        old.playlists.len(),
        new.playlists.len(),
        old.liked_tracks.len(),
        new.liked_tracks.len()
    )
}
