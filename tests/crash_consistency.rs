//! Crash consistency: the real binary is killed (SIGKILL) at seeded random moments while it
//! runs `backup` (against a simulated Spotify and MusicBrainz), `enrich`, `export`, `import`
//! and `prune`. After every kill the same command is run again and must complete, `verify
//! --all` must pass, and the library must equal the one an uninterrupted run produced.
//!
//! Kill moments are drawn from a seeded generator over each command's measured uninterrupted
//! duration, so the points land at different stages (startup, fetching, saving, enriching,
//! exporting, pruning). Set `TRACKVAULT_CRASH_SEED` to replay another sequence.

#![cfg(unix)]

mod enrich_support;
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{playlist, start, LibrarySpec, TOKEN, USER};
use trackvault::archive::Archive;

/// A small deterministic generator (xorshift64*): no dependency, same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Clone)]
struct Env {
    bin: PathBuf,
    spotify: String,
    musicbrainz: String,
    download: PathBuf,
}

impl Env {
    fn command(&self, root: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env_clear()
            .env("TRACKVAULT_ARCHIVE", root)
            .env("TRACKVAULT_CONFIG_DIR", root.with_extension("config"))
            .env("TRACKVAULT_SPOTIFY_API_URL", format!("{}/v1", self.spotify))
            .env("TRACKVAULT_SPOTIFY_ACCOUNTS_URL", &self.spotify)
            .env("TRACKVAULT_SPOTIFY_INTERVAL_MS", "0")
            .env("TRACKVAULT_ACCESS_TOKEN", TOKEN)
            .env("TRACKVAULT_MUSICBRAINZ_URL", &self.musicbrainz)
            .env("TRACKVAULT_MUSICBRAINZ_RATE", "1000")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        cmd
    }

    fn args(&self, step: Step) -> Vec<String> {
        match step {
            Step::Backup => vec!["backup".into()],
            Step::Enrich => vec!["enrich".into(), "--refresh".into()],
            Step::Export => vec!["export".into()],
            Step::Prune => ["prune", "--keep-daily", "1", "--keep-monthly", "0"]
                .map(String::from)
                .to_vec(),
            Step::Import => vec!["import".into(), self.download.display().to_string()],
        }
    }

    /// Runs `step` to completion; panics with its stderr unless it exits 0.
    fn complete(&self, root: &Path, step: Step) -> Duration {
        let args = self.args(step);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let started = Instant::now();
        let out = self.command(root, &args).output().unwrap();
        assert!(
            out.status.success(),
            "{step:?} after a kill failed ({:?}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        started.elapsed()
    }

    /// Starts `step`, kills it after `after`; says whether it was still running.
    fn kill_after(&self, root: &Path, step: Step, after: Duration) -> bool {
        let args = self.args(step);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = self.command(root, &args).spawn().unwrap();
        std::thread::sleep(after);
        let running = child.try_wait().unwrap().is_none();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        running
    }

    fn verify_all(&self, root: &Path) {
        let out = self.command(root, &["verify", "--all"]).output().unwrap();
        assert!(
            out.status.success(),
            "verify --all failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Step {
    Backup,
    Enrich,
    Export,
    Prune,
    Import,
}

const CYCLE: [Step; 5] = [
    Step::Backup,
    Step::Enrich,
    Step::Export,
    Step::Prune,
    Step::Import,
];

/// The latest snapshot's library without the one field that differs between runs.
fn latest_library(root: &Path) -> Value {
    let archive = Archive::open(root).unwrap();
    let id = archive.latest().unwrap().expect("a snapshot");
    let text = std::fs::read(archive.snapshot_dir(&id).join("library.json")).unwrap();
    let mut value: Value = serde_json::from_slice(&text).unwrap();
    value.as_object_mut().unwrap().remove("created_at");
    value
}

/// What a kill left behind, for the closing report (which stages the kills hit).
fn leftovers(root: &Path) -> Vec<&'static str> {
    let mut states = Vec::new();
    let snapshots = root.join("snapshots");
    let Ok(entries) = std::fs::read_dir(&snapshots) else {
        return states;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let dir = entry.path();
        let has = |file: &str| dir.join(file).exists();
        if name.starts_with(".draft-") {
            states.push(if has("checkpoint.jsonl") {
                "unfinished backup (journal)"
            } else {
                "abandoned draft"
            });
        } else if name.starts_with(".removing-") {
            states.push("snapshot half-removed by prune");
        } else {
            if has("checkpoint.jsonl") {
                states.push("published, journal not yet removed");
            }
            let record = std::fs::read_to_string(dir.join("snapshot.sha256")).unwrap_or_default();
            if record.matches("library.json").count() > 1 {
                states.push("library mid-rewrite (two hashes)");
            }
            let names = |d: PathBuf| -> Vec<String> {
                std::fs::read_dir(d)
                    .map(|r| {
                        r.flatten()
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            if names(dir.clone()).iter().any(|n| n.ends_with(".tmp")) {
                states.push("temporary file beside library/manifest");
            }
            if names(dir.join("exports"))
                .iter()
                .any(|n| n.contains(".partial-"))
            {
                states.push("export staging folder");
            }
        }
    }
    states.sort_unstable();
    states.dedup();
    states
}

fn export_formats(root: &Path) -> Vec<String> {
    let archive = Archive::open(root).unwrap();
    let id = archive.latest().unwrap().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(archive.exports_dir(&id))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn spec() -> LibrarySpec {
    LibrarySpec {
        liked: 60,
        albums: 3,
        shows: 1,
        episodes: 4,
        artists: 8,
        playlists: vec![
            playlist("0PlCrashOwned000000001", "Road", USER, false, 70),
            playlist("0PlCrashEmpty000000002", "Empty", USER, false, 0),
            playlist("37i9dQZF1DXcBWIGoYBM5M", "Top Hits", "spotify", false, 50),
        ],
        hostile: false,
    }
}

/// MusicBrainz knows a third of the liked songs by ISRC, so enrichment changes the library.
fn musicbrainz_data() -> Value {
    let recordings: Vec<Value> = (0..60)
        .filter(|i| i % 3 == 0)
        .map(|i| {
            enrich_support::recording(
                i,
                &format!("Song {i}"),
                &format!("Artist {}", i % 97),
                180_000 + i as u64,
                &[format!("GBAHS{i:07}")],
            )
        })
        .collect();
    json!({"recordings": recordings, "urls": [], "releases": []})
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_commands_leave_an_archive_the_next_run_completes_and_verifies() {
    let (spotify, _) = start(spec(), Duration::from_millis(1)).await;
    let mb = enrich_support::MbServer::start(musicbrainz_data()).await;
    let env = Env {
        bin: assert_cmd::cargo::cargo_bin("trackvault"),
        spotify: spotify.uri(),
        musicbrainz: mb.base().to_string(),
        download: Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/data-download/account-2025"),
    };
    let seed = std::env::var("TRACKVAULT_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_0010_u64);
    tokio::task::spawn_blocking(move || crash_loop(&env, seed))
        .await
        .unwrap();
}

fn crash_loop(env: &Env, seed: u64) {
    let dir = tempfile::tempdir().unwrap();

    // Uninterrupted reference runs: what every command must end with, and how long it takes.
    let reference = dir.path().join("reference");
    let mut took = std::collections::HashMap::new();
    for step in CYCLE {
        took.insert(
            step,
            env.complete(&reference, step).max(Duration::from_millis(5)),
        );
    }
    let imported = latest_library(&reference);
    env.complete(&reference, Step::Backup);
    let backed_up = latest_library(&reference);
    let formats = export_formats(&reference);
    assert_ne!(backed_up, imported);
    assert!(
        backed_up.to_string().contains("\"method\":\"isrc\""),
        "the reference library is enriched"
    );

    let root = dir.path().join("archive");
    let mut rng = Rng(seed | 1);
    let mut kills = 0;
    let mut left = std::collections::BTreeMap::new();
    let mut round = 0;
    // At least 25 rounds; more (up to 60) until 20 kills hit a running command.
    while round < 25 || (kills < 20 && round < 60) {
        let step = CYCLE[round % CYCLE.len()];
        // A moment between the start and the end of the uninterrupted duration.
        let budget = took[&step].as_millis() as u64 * 9 / 10 + 1;
        let after = Duration::from_millis(rng.below(budget));
        if env.kill_after(&root, step, after) {
            kills += 1;
        }
        for state in leftovers(&root) {
            *left.entry(state).or_insert(0) += 1;
        }
        env.complete(&root, step);
        env.verify_all(&root);
        let library = latest_library(&root);
        match step {
            Step::Import => assert_eq!(library, imported, "round {round}: import"),
            Step::Backup | Step::Enrich | Step::Export | Step::Prune => {
                assert_eq!(library, backed_up, "round {round}: {step:?}")
            }
        }
        if step == Step::Backup || step == Step::Import {
            // Resumed drafts are finished, abandoned ones (no journal) removed.
            let drafts = Archive::open(&root).unwrap().drafts().unwrap();
            assert!(drafts.is_empty(), "round {round}: {step:?} left {drafts:?}");
        }
        if step == Step::Backup {
            // A backup cleans up after every kill: no staging folder, temporary file or
            // half-removed snapshot is left.
            let left = leftovers(&root);
            assert!(left.is_empty(), "round {round}: {left:?}");
        }
        if step == Step::Export || step == Step::Backup {
            assert_eq!(export_formats(&root), formats, "round {round}: {step:?}");
        }
        round += 1;
    }
    assert!(
        kills >= 20,
        "only {kills} of {round} kills hit a running command (seed {seed})"
    );
    eprintln!(
        "crash consistency: {kills} of {round} kills hit a running command; states left: {left:?}"
    );
}
