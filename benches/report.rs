//! `trackvault report` on an archive of 30 snapshots of a 100,000-entry library, and the first
//! render of the page in headless Chromium.
//!
//! The parent process generates the archive: a library of 40,000 liked songs and 300
//! playlists × 200 entries (plus albums, shows, episodes and followed artists), ~70 % of tracks
//! matched to MusicBrainz, changed between snapshots as a real library changes (songs liked and
//! unliked, playlist entries added and removed, playlists created, deleted and renamed, a few
//! tracks turning into null rows), each snapshot written through the real `Draft::finish`. A
//! fresh child process then runs `write_report` (so its peak RSS, VmHWM, counts only the
//! report) cold, a second time (reusing what the first run cached in the archive), and a third
//! time after adding a 31st snapshot (what a report after the next backup costs), and times the
//! first render of that last page: the wall time of `chromium --screenshot` of the report
//! minus the same for an empty page (both raw numbers printed; median of three runs each), and
//! the page's own `data-render-ms` on `<html>` if it exposes one.
//!
//! Run: `cargo bench --bench report`. Targets: generation < 3 s, first render < 2 s.

#[path = "../tests/support/chromium.rs"]
mod chromium;
mod common;

use common::{base62, cpu_ms, ms, verdict, Rng};

use std::path::Path;
use std::time::{Duration, Instant};

use trackvault::app::report::{write_report, ReportOptions};
use trackvault::archive::{Archive, Manifest};
use trackvault::model::{
    Album, AlbumRef, Artist, ArtistMatch, ArtistRef, Contents, Entry, EntryKind, Item, Library,
    MatchMethod, Owner, Playlist, RecordingMatch, ReleaseMatch, SavedAlbum, SavedShow, Show,
    ShowRef, User, SOURCE_WEB_API,
};

const CHILD_ENV: &str = "TRACKVAULT_BENCH_REPORT_ARCHIVE";
const SNAPSHOTS: usize = 30;
const LIKED: usize = 40_000;
const PLAYLISTS: usize = 300;
const PER_PLAYLIST: usize = 200; // 300 × 200 = 60,000 playlist entries + 40,000 liked = 100,000
const CATALOGUE: u64 = 80_000;

fn main() {
    if let Ok(root) = std::env::var(CHILD_ENV) {
        measure(Path::new(&root));
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let archive = Archive::open(dir.path()).expect("archive");
    let started = Instant::now();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut library = generate(&mut rng);
    let mut changes = Changes::default();
    let mut last_second = String::new();
    for k in 0..SNAPSHOTS {
        if k > 0 {
            mutate(&mut library, k, &mut rng, &mut changes);
        }
        library.created_at = format!("20{:02}-{:02}-01T12:00:00Z", 24 + k / 12, k % 12 + 1);
        // One snapshot per second, so ids look like a real archive's (no `-N` suffixes).
        while chrono::Utc::now().format("%Y-%m-%dT%H-%M-%SZ").to_string() == last_second {
            std::thread::sleep(Duration::from_millis(20));
        }
        let draft = archive.new_draft().expect("draft");
        last_second = draft.id.chars().take(20).collect();
        draft
            .finish(&archive, Manifest::new(SOURCE_WEB_API), &library)
            .expect("snapshot");
    }
    let ids: Vec<String> = archive
        .snapshots()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids.len(), SNAPSHOTS);
    let size = std::fs::metadata(
        archive
            .snapshot_dir(&ids[SNAPSHOTS - 1])
            .join("library.json"),
    )
    .map(|m| m.len())
    .unwrap_or(0);
    println!(
        "generated {SNAPSHOTS} snapshots of ~{} entries ({} in the last; {:.0} MB library.json \
         each) in {:.1?}; changes over the history: {changes}",
        LIKED + PLAYLISTS * PER_PLAYLIST,
        library.entry_count(),
        size as f64 / 1e6,
        started.elapsed()
    );
    drop(library);

    common::measure_in_child(CHILD_ENV, dir.path());
}

/// The child: write the report, then render it.
fn measure(root: &Path) {
    let archive = Archive::open(root).expect("archive");
    let out = root.join("report.html");
    let options = ReportOptions {
        snapshot: None,
        out: Some(out.clone()),
    };
    // Cold: nothing cached in the archive yet (`write_report` may leave a cache for later runs).
    let cpu_before = cpu_ms();
    let t = Instant::now();
    let outcome = write_report(&archive, &options).expect("write_report");
    let generation = t.elapsed();
    let cpu = cpu_ms().zip(cpu_before).map(|(a, b)| a - b);
    let hwm = common::peak_rss_kb();
    // Again, as after the next backup: whatever the first run cached is reused.
    let t = Instant::now();
    let again = write_report(&archive, &options).expect("write_report again");
    let generation_again = t.elapsed();
    let hwm_again = common::peak_rss_kb();
    assert_eq!(again.bytes, outcome.bytes, "the same page twice");
    // As after the next backup: one more snapshot, so the cache lacks its size and one step.
    let mut next = archive
        .read_library(&outcome.snapshot)
        .expect("latest library");
    mutate(&mut next, SNAPSHOTS, &mut Rng(7), &mut Changes::default());
    archive
        .new_draft()
        .expect("draft")
        .finish(&archive, Manifest::new(SOURCE_WEB_API), &next)
        .expect("one more snapshot");
    drop(next);
    let t = Instant::now();
    let after_backup = write_report(&archive, &options).expect("write_report after a backup");
    let generation_after_backup = t.elapsed();
    let html = std::fs::read_to_string(&out).expect("the report");
    let external = ["src=\"http", "src=\"//", "url(http", "url(//", "@import"]
        .iter()
        .map(|needle| html.matches(needle).count())
        .sum::<usize>();
    drop(html);

    println!(
        "report: {} snapshots read, {} entries shown, {:.1} MB",
        outcome.snapshots,
        outcome.entries,
        outcome.bytes as f64 / 1e6
    );
    println!();
    println!("| step                                            | result       | target   |");
    println!("|-------------------------------------------------|--------------|----------|");
    println!(
        "| `write_report`, cold (30 snapshots, no cache)   | {:>9.0} ms | < 3000 ms ({}) |",
        ms(generation),
        verdict(ms(generation) < 3000.0)
    );
    println!(
        "| CPU time of the above (user+sys)                | {:>9} ms |          |",
        cpu.map_or("?".to_string(), |c| c.to_string())
    );
    println!(
        "| peak RSS of the above (VmHWM)                   | {:>9} MB |          |",
        hwm.map_or("?".to_string(), |kb| format!("{:.0}", kb as f64 / 1024.0))
    );
    println!(
        "| snapshots parsed for the history, cold          | {:>12} |          |",
        outcome.parsed_for_history
    );
    println!(
        "| `write_report` again (the first run's cache)    | {:>9.0} ms | < 3000 ms ({}) |",
        ms(generation_again),
        verdict(ms(generation_again) < 3000.0)
    );
    println!(
        "| snapshots parsed for the history, again         | {:>12} |          |",
        again.parsed_for_history
    );
    println!(
        "| `write_report` after one more snapshot          | {:>9.0} ms | < 3000 ms ({}) |",
        ms(generation_after_backup),
        verdict(ms(generation_after_backup) < 3000.0)
    );
    println!(
        "| snapshots parsed for the history, after it      | {:>12} |          |",
        after_backup.parsed_for_history
    );
    println!(
        "| peak RSS after all three runs (VmHWM)           | {:>9} MB |          |",
        hwm_again.map_or("?".to_string(), |kb| format!("{:.0}", kb as f64 / 1024.0))
    );
    println!(
        "| report.html size                                | {:>9.1} MB |          |",
        outcome.bytes as f64 / 1e6
    );
    println!(
        "| external resources referenced by the page       | {:>12} |          |",
        external
    );

    match chromium::find() {
        None => println!(
            "| first render in Chromium                        | {:>12} |          |",
            "skipped"
        ),
        Some(browser) => render(&browser, root, &out),
    }
    println!();
    println!(
        "load average while measuring: {} (2 cores; wall time is inflated when the machine is busy)",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
}

fn render(browser: &chromium::Chromium, root: &Path, report: &Path) {
    let empty = root.join("empty.html");
    std::fs::write(
        &empty,
        "<!doctype html><html><head><meta charset=\"utf-8\"></head><body></body></html>",
    )
    .unwrap();
    // Real time, no virtual-time budget: the screenshot is taken when the page has loaded.
    let mode = chromium::Mode {
        virtual_time_ms: 0,
        ..chromium::Mode::default()
    };
    let report_url = chromium::file_url(report, None);
    let empty_url = chromium::file_url(&empty, None);
    let mut report_walls = Vec::new();
    let mut empty_walls = Vec::new();
    let mut console = Vec::new();
    let mut png_ok = true;
    for _ in 0..3 {
        empty_walls.push(browser.screenshot_with(&empty_url, mode).wall);
        let page = match browser.try_screenshot_with(&report_url, mode) {
            Ok(page) => page,
            Err(e) => {
                println!(
                    "| first render in Chromium                        | {:>12} |          |",
                    "FAILED"
                );
                println!("{e}");
                return;
            }
        };
        report_walls.push(page.wall);
        console.extend(page.console);
        png_ok &= chromium::Png::decode(&page.output).is_ok_and(|p| p.colours() > 16);
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let report_wall = median(&mut report_walls);
    let empty_wall = median(&mut empty_walls);
    let first_render = report_wall.saturating_sub(empty_wall);
    println!(
        "| `--screenshot` of the report (median of 3)      | {:>9.0} ms |          |",
        ms(report_wall)
    );
    println!(
        "| `--screenshot` of an empty page (median of 3)   | {:>9.0} ms |          |",
        ms(empty_wall)
    );
    println!(
        "| first render = report − empty page              | {:>9.0} ms | < 2000 ms ({}) |",
        ms(first_render),
        verdict(ms(first_render) < 2000.0)
    );
    let dom = browser.dump_dom_with(&report_url, mode).dom();
    let render_ms = dom
        .split_once("data-render-ms=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.to_string());
    println!(
        "| in-page `data-render-ms` on <html>              | {:>12} |          |",
        render_ms.map_or("not exposed".to_string(), |v| format!("{v} ms"))
    );
    println!(
        "| screenshot is a non-blank PNG; console lines    | {:>5} / {:>4} |          |",
        if png_ok { "yes" } else { "NO" },
        console.len()
    );
    for line in console.iter().take(5) {
        println!("console: {line}");
    }
}

fn mbid(kind: u64, n: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        kind,
        n % 0xffff,
        n % 0xfff,
        kind % 0xfff,
        n
    )
}

/// A realistic track: one or two artists, album, ISRC; ~70 % matched to MusicBrainz by a mix
/// of methods.
fn track(n: u64) -> Item {
    let id = base62(n.wrapping_mul(2_654_435_761));
    let mut artists = vec![ArtistRef {
        id: Some(base62(n % 5000 + 1)),
        name: format!("Artist {}", n % 5000),
    }];
    if n.is_multiple_of(4) {
        artists.push(ArtistRef {
            id: Some(base62(n % 777 + 9)),
            name: format!("Featured {}", n % 777),
        });
    }
    let method = match n % 100 {
        0..=49 => Some(MatchMethod::Isrc),
        50..=57 => Some(MatchMethod::SpotifyUrl),
        58..=63 => Some(MatchMethod::ReleaseTracklist),
        64..=68 => Some(MatchMethod::Search),
        69 => Some(MatchMethod::Override),
        _ => None,
    };
    Item {
        item_type: "track".into(),
        uri: format!("spotify:track:{id}"),
        id: Some(id),
        name: format!("Song number {n} (Remastered 2011)"),
        artists,
        album: Some(AlbumRef {
            id: Some(base62(n / 12 + 3)),
            name: format!("Album {}", n / 12),
            release_date: Some(format!("{}-06-14", 1970 + n % 55)),
        }),
        duration_ms: Some(150_000 + n % 120_000),
        explicit: Some(n.is_multiple_of(7)),
        disc_number: Some(1),
        track_number: Some((n % 12 + 1) as u32),
        isrc: (n % 20 != 19).then(|| format!("GBAYE{:07}", n % 10_000_000)),
        musicbrainz: method.map(|method| RecordingMatch {
            recording_id: mbid(1, n),
            release_id: Some(mbid(2, n / 12)),
            release_group_id: Some(mbid(3, n / 12)),
            artist_ids: vec![mbid(4, n % 5000)],
            method,
            confidence: 0.9 + (n % 10) as f64 / 100.0,
        }),
        show: None,
    }
}

fn episode(n: u64) -> Item {
    let id = base62(n.wrapping_mul(97_531) + 7);
    let mut item = Item::bare(
        "episode",
        Some(id.clone()),
        &format!("spotify:episode:{id}"),
        &format!("Episode {n}"),
    );
    item.duration_ms = Some(1_800_000);
    item.show = Some(ShowRef {
        id: Some(base62(n % 20 + 50)),
        name: format!("Show {}", n % 20),
    });
    item
}

fn entry(position: usize, item: Item, day: u64) -> Entry {
    Entry {
        position: position as u32,
        added_at: Some(common::added_at(day)),
        added_by: Some("benchuser".into()),
        kind: if item.item_type == "episode" {
            EntryKind::Episode
        } else {
            EntryKind::Track
        },
        item: Some(item),
    }
}

fn renumber(entries: &mut [Entry]) {
    for (i, e) in entries.iter_mut().enumerate() {
        e.position = i as u32;
    }
}

fn new_playlist(p: u64, rng: &mut Rng) -> Playlist {
    let entries: Vec<Entry> = (0..PER_PLAYLIST)
        .map(|i| {
            entry(
                i,
                track(rng.below(CATALOGUE as usize) as u64),
                p * 1000 + i as u64,
            )
        })
        .collect();
    Playlist {
        id: base62(1_000_000 + p),
        name: format!("Playlist {p}"),
        description: Some(format!("Description of playlist {p}")),
        owner: Owner {
            id: "benchuser".into(),
            display_name: Some("Bench".into()),
        },
        public: Some(false),
        collaborative: false,
        snapshot_id: Some(base62(p * 31)),
        total: entries.len() as u32,
        contents: Contents::Complete,
        not_accessible_reason: None,
        entries,
    }
}

fn generate(rng: &mut Rng) -> Library {
    let mut library = Library::empty(
        SOURCE_WEB_API,
        User {
            id: "benchuser".into(),
            display_name: Some("Bench".into()),
            account_id: None,
        },
    );
    library.liked_tracks = (0..LIKED)
        .map(|i| entry(i, track(rng.below(CATALOGUE as usize) as u64), i as u64))
        .collect();
    library.playlists = (0..PLAYLISTS as u64)
        .map(|p| new_playlist(p, rng))
        .collect();
    library.saved_episodes = (0..100)
        .map(|i| entry(i, episode(i as u64), i as u64))
        .collect();
    library.saved_albums = (0..200u64)
        .map(|a| SavedAlbum {
            added_at: Some("2025-03-04T05:06:07Z".into()),
            album: Album {
                id: base62(a + 7_000_000),
                uri: format!("spotify:album:{}", base62(a + 7_000_000)),
                name: format!("Album {a}"),
                artists: vec![ArtistRef {
                    id: Some(base62(a % 5000 + 1)),
                    name: format!("Artist {}", a % 5000),
                }],
                release_date: Some("2001".into()),
                total_tracks: Some(12),
                upc: Some(format!("19{a:010}")),
                tracks: (0..12).map(|t| track(a * 12 + t)).collect(),
                musicbrainz: (a % 10 < 7).then(|| ReleaseMatch {
                    release_id: mbid(2, a),
                    release_group_id: Some(mbid(3, a)),
                    method: MatchMethod::ReleaseTracklist,
                    confidence: 0.95,
                }),
            },
        })
        .collect();
    library.saved_shows = (0..20u64)
        .map(|s| SavedShow {
            added_at: Some("2025-01-01T00:00:00Z".into()),
            show: Show {
                id: base62(s + 50),
                uri: format!("spotify:show:{}", base62(s + 50)),
                name: format!("Show {s}"),
                publisher: Some(format!("Publisher {s}")),
                total_episodes: Some(100),
            },
        })
        .collect();
    library.followed_artists = (0..300u64)
        .map(|a| Artist {
            id: base62(a + 1),
            uri: format!("spotify:artist:{}", base62(a + 1)),
            name: format!("Artist {a}"),
            genres: vec!["indie".into(), "pop".into()],
            musicbrainz: (a % 10 < 7).then(|| ArtistMatch {
                artist_id: mbid(4, a),
                method: MatchMethod::Isrc,
                confidence: 0.97,
            }),
        })
        .collect();
    library
}

#[derive(Default)]
struct Changes {
    liked_added: usize,
    liked_removed: usize,
    entries_added: usize,
    entries_removed: usize,
    became_unavailable: usize,
    created: usize,
    deleted: usize,
    renamed: usize,
}

impl std::fmt::Display for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} liked added / {} removed, {} playlist entries added / {} removed, {} became \
             unavailable, {} playlists created / {} deleted / {} renamed",
            self.liked_added,
            self.liked_removed,
            self.entries_added,
            self.entries_removed,
            self.became_unavailable,
            self.created,
            self.deleted,
            self.renamed
        )
    }
}

/// One month of changes: ~120 songs liked and ~120 unliked, 30 playlists edited (a few
/// entries in and out), a few null rows; every few snapshots a playlist is created, one
/// deleted, a couple renamed. The library stays near 100,000 entries.
fn mutate(library: &mut Library, k: usize, rng: &mut Rng, changes: &mut Changes) {
    let day = 10_000 + k as u64 * 31;
    let adds = 100 + rng.below(40);
    for i in 0..adds {
        let item = track(rng.below(CATALOGUE as usize) as u64);
        library
            .liked_tracks
            .insert(0, entry(0, item, day + i as u64));
    }
    let removes = 100 + rng.below(40);
    for _ in 0..removes {
        let at = rng.below(library.liked_tracks.len());
        library.liked_tracks.remove(at);
    }
    changes.liked_added += adds;
    changes.liked_removed += removes;
    renumber(&mut library.liked_tracks);
    for _ in 0..5 {
        // A liked song greyed out by Spotify.
        let at = rng.below(library.liked_tracks.len());
        let e = &mut library.liked_tracks[at];
        if e.item.is_some() {
            e.item = None;
            e.kind = EntryKind::Unavailable;
            changes.became_unavailable += 1;
        }
    }

    for _ in 0..30 {
        let p = rng.below(library.playlists.len());
        let playlist = &mut library.playlists[p];
        let e = &mut playlist.entries;
        for _ in 0..1 + rng.below(4) {
            if !e.is_empty() {
                e.remove(rng.below(e.len()));
                changes.entries_removed += 1;
            }
        }
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(e.len() + 1);
            e.insert(
                at,
                entry(at, track(rng.below(CATALOGUE as usize) as u64), day),
            );
            changes.entries_added += 1;
        }
        if rng.below(3) == 0 && !e.is_empty() {
            let at = rng.below(e.len());
            if e[at].item.is_some() {
                e[at].item = None;
                e[at].kind = EntryKind::Unavailable;
                changes.became_unavailable += 1;
            }
        }
        renumber(e);
        playlist.total = e.len() as u32;
        playlist.snapshot_id = Some(base62(rng.next()));
    }
    if k.is_multiple_of(3) {
        let p = rng.below(library.playlists.len());
        library.playlists.remove(p);
        changes.deleted += 1;
        let id = 2_000_000 + k as u64;
        let mut created = new_playlist(id, rng);
        created.name = format!("New in snapshot {k}");
        library.playlists.push(created);
        changes.created += 1;
    }
    if k.is_multiple_of(2) {
        for _ in 0..2 {
            let p = rng.below(library.playlists.len());
            library.playlists[p].name.push_str(" (renamed)");
            changes.renamed += 1;
        }
    }
}
