//! Headless Chromium for tests and benches: finds the browser, runs one `--screenshot` or
//! `--dump-dom` per call in a fresh profile, collects the page's console output and kills the
//! browser's whole process group if it runs longer than [`TIMEOUT`], so a hung browser never
//! hangs the suite. Calls are serialized (2 cores: parallel browsers only slow each other).
//!
//! Console: Chromium logs every console message of a web page — `console.log`, `console.error`
//! and uncaught exceptions alike — as `INFO:CONSOLE` lines on stderr (it keeps the real level
//! only for its own pages), so the level cannot be told apart. [`Page::console`] therefore holds
//! every console line, and a page under test is expected to log nothing at all.
//!
//! Missing browser: with `TRACKVAULT_REQUIRE_BROWSER` or `CI` set, [`find`] panics with an
//! install hint; otherwise it prints "skipped: chromium not found" and returns None, so
//! `cargo test` on a machine without Chromium still passes while CI never silently skips.
//! Also here: [`file_url`] (percent-encoded `file://` URLs) and a small PNG decoder.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The longest one browser run may take before it is killed.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// One browser at a time, across all tests of a test binary.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[derive(Debug, Clone)]
pub struct Chromium {
    pub bin: PathBuf,
    /// Longest run before the browser is killed ([`TIMEOUT`] unless a test shortens it).
    pub timeout: Duration,
}

/// How to open the page.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    pub width: u32,
    pub height: u32,
    /// JavaScript allowed (off: the profile's content setting, as a user would switch it off).
    pub javascript: bool,
    /// `prefers-color-scheme: dark`.
    pub dark: bool,
    /// Virtual time the page may run for (timers, paged rendering) before the DOM is dumped or
    /// the screenshot taken; 0 = none (the browser's default: right after `load`).
    pub virtual_time_ms: u32,
    /// `--allow-file-access-from-files`: a `file://` page may script another `file://` page in
    /// an iframe (to drive the page under test like a user).
    pub file_access: bool,
}

impl Default for Mode {
    fn default() -> Self {
        Mode {
            width: 1280,
            height: 900,
            javascript: true,
            dark: false,
            virtual_time_ms: 3000,
            file_access: false,
        }
    }
}

/// What one run produced.
#[derive(Debug, Clone)]
pub struct Page {
    /// PNG bytes (`screenshot`) or the serialized DOM (`dump_dom`, UTF-8).
    pub output: Vec<u8>,
    /// Every console line the page produced (`"message", source: URL (line)`).
    pub console: Vec<String>,
    /// Wall time of the browser process, start to exit.
    pub wall: Duration,
}

impl Page {
    pub fn dom(&self) -> String {
        String::from_utf8_lossy(&self.output).into_owned()
    }
}

/// The browser to use, or None (after saying so) when there is none and none is required.
pub fn find() -> Option<Chromium> {
    let candidate = match std::env::var_os("TRACKVAULT_CHROMIUM") {
        Some(path) => Some(PathBuf::from(path)),
        None if Path::new("/usr/bin/chromium").is_file() => Some("/usr/bin/chromium".into()),
        None => on_path("chromium"),
    };
    match candidate {
        Some(bin) if bin.is_file() => Some(Chromium {
            bin,
            timeout: TIMEOUT,
        }),
        _ => {
            let required = std::env::var_os("TRACKVAULT_REQUIRE_BROWSER").is_some()
                || std::env::var_os("CI").is_some();
            if required {
                panic!(
                    "chromium not found (TRACKVAULT_CHROMIUM, /usr/bin/chromium, PATH) but \
                     TRACKVAULT_REQUIRE_BROWSER or CI is set: install it with \
                     `apt-get install -y --no-install-recommends chromium` or point \
                     TRACKVAULT_CHROMIUM at the binary"
                );
            }
            eprintln!("skipped: chromium not found");
            None
        }
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

impl Chromium {
    /// A screenshot of `url` at `width`×`height` (PNG bytes) and the console lines.
    pub fn screenshot(&self, url: &str, width: u32, height: u32) -> Page {
        self.screenshot_with(
            url,
            Mode {
                width,
                height,
                ..Mode::default()
            },
        )
    }

    pub fn screenshot_with(&self, url: &str, mode: Mode) -> Page {
        self.try_screenshot_with(url, mode)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`Chromium::screenshot_with`], with a failed or timed-out run as an error.
    pub fn try_screenshot_with(&self, url: &str, mode: Mode) -> Result<Page, String> {
        self.run(url, mode, Action::Screenshot)
    }

    /// The DOM of `url` after loading (and `virtual_time_ms` of timers) and the console lines.
    pub fn dump_dom(&self, url: &str) -> Page {
        self.dump_dom_with(url, Mode::default())
    }

    pub fn dump_dom_with(&self, url: &str, mode: Mode) -> Page {
        self.try_dump_dom_with(url, mode)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`Chromium::dump_dom_with`], with a failed or timed-out run as an error.
    pub fn try_dump_dom_with(&self, url: &str, mode: Mode) -> Result<Page, String> {
        self.run(url, mode, Action::DumpDom)
    }

    fn run(&self, url: &str, mode: Mode, action: Action) -> Result<Page, String> {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let tmp = tempfile::tempdir().expect("temporary directory for the browser");
        let profile = tmp.path().join("profile");
        std::fs::create_dir_all(profile.join("Default")).unwrap();
        if !mode.javascript {
            // The content setting a user flips in chrome://settings; unlike
            // `--blink-settings=scriptEnabled=false` (which makes headless print nothing) it
            // leaves --dump-dom and --screenshot working.
            std::fs::write(
                profile.join("Default").join("Preferences"),
                r#"{"profile":{"default_content_setting_values":{"javascript":2}}}"#,
            )
            .unwrap();
        }
        let shot = tmp.path().join("shot.png");
        let out_path = tmp.path().join("stdout");
        let err_path = tmp.path().join("stderr");
        let mut cmd = Command::new(&self.bin);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={},{}", mode.width, mode.height));
        if mode.dark {
            cmd.arg("--force-dark-mode");
        }
        if mode.file_access {
            cmd.arg("--allow-file-access-from-files");
        }
        if mode.virtual_time_ms > 0 {
            cmd.arg(format!("--virtual-time-budget={}", mode.virtual_time_ms));
        }
        match action {
            Action::Screenshot => cmd.arg(format!("--screenshot={}", shot.display())),
            Action::DumpDom => cmd.arg("--dump-dom"),
        };
        cmd.arg(url)
            .current_dir(tmp.path())
            .env("HOME", tmp.path())
            .env("XDG_CONFIG_HOME", tmp.path().join("config"))
            .env("XDG_CACHE_HOME", tmp.path().join("cache"))
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out_path).unwrap())
            .stderr(std::fs::File::create(&err_path).unwrap());
        // Its own process group, so a timeout kills the renderer and GPU processes too.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);

        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.bin.display()));
        let status = loop {
            if let Some(status) = child.try_wait().expect("waiting for chromium") {
                break status;
            }
            if started.elapsed() > self.timeout {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                let gone = Instant::now();
                while group_members(child.id()) > 0 && gone.elapsed() < Duration::from_secs(5) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return Err(format!(
                    "chromium took longer than {:?} on {url}; killed it ({} of its processes left)",
                    self.timeout,
                    group_members(child.id())
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let wall = started.elapsed();
        // Helpers that outlived the browser process (they should not) go too.
        kill_group(child.id());
        let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
        if !status.success() {
            return Err(format!("chromium failed ({status}) on {url}:\n{stderr}"));
        }
        let console = console_lines(&stderr);
        let output = match action {
            Action::Screenshot => std::fs::read(&shot)
                .map_err(|e| format!("chromium wrote no screenshot of {url} ({e}):\n{stderr}"))?,
            Action::DumpDom => std::fs::read(&out_path).unwrap(),
        };
        Ok(Page {
            output,
            console,
            wall,
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum Action {
    Screenshot,
    DumpDom,
}

fn kill_group(pid: u32) {
    // `kill -KILL -- -PGID`: only the group this call started.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Live (not zombie) processes in process group `pgid`, from `/proc/*/stat`.
pub fn group_members(pgid: u32) -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.flatten()
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| {
            // After the parenthesised name: state, ppid, pgrp, …
            let Some((_, rest)) = stat.rsplit_once(')') else {
                return false;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            fields.len() > 2 && fields[0] != "Z" && fields[2] == pgid.to_string()
        })
        .count()
}

/// Console lines from Chromium's log: `[pid:tid:time:INFO:CONSOLE:7] "message", source: …`
/// (the part after the bracket).
pub fn console_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix('[')?;
            let (prefix, message) = rest.split_once("] ")?;
            prefix
                .split(':')
                .any(|field| field == "CONSOLE" || field.starts_with("CONSOLE("))
                .then(|| message.to_string())
        })
        .collect()
}

/// `file://` URL of `path` (made absolute; every byte outside the unreserved set
/// percent-encoded), with `#fragment` appended as given.
pub fn file_url(path: &Path, fragment: Option<&str>) -> String {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut url = String::from("file://");
    for segment in path.to_string_lossy().split('/').filter(|s| !s.is_empty()) {
        url.push('/');
        url.push_str(&percent_encode(segment));
    }
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// Percent-encodes every byte but `A-Z a-z 0-9 - . _ ~` (what `encodeURIComponent` leaves,
/// minus `!'()*`), so `decodeURIComponent` reads it back exactly.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A decoded 8-bit RGB or RGBA PNG (what Chromium writes), as RGB pixels.
#[derive(Debug, Clone)]
pub struct Png {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<[u8; 3]>,
}

impl Png {
    /// Decodes `bytes`, checking the signature, the IHDR and every chunk's length.
    pub fn decode(bytes: &[u8]) -> Result<Png, String> {
        use std::io::Read;
        const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
        let mut rest = bytes.strip_prefix(SIGNATURE).ok_or("no PNG signature")?;
        let mut header = None;
        let mut idat = Vec::new();
        let mut ended = false;
        while rest.len() >= 12 {
            let len = u32::from_be_bytes(rest[0..4].try_into().unwrap()) as usize;
            let kind = &rest[4..8];
            if rest.len() < 12 + len {
                return Err(format!(
                    "chunk {} is cut short",
                    String::from_utf8_lossy(kind)
                ));
            }
            let data = &rest[8..8 + len];
            match kind {
                b"IHDR" => {
                    if len != 13 {
                        return Err("IHDR is not 13 bytes".into());
                    }
                    header = Some((
                        u32::from_be_bytes(data[0..4].try_into().unwrap()),
                        u32::from_be_bytes(data[4..8].try_into().unwrap()),
                        data[8],
                        data[9],
                        data[12],
                    ));
                }
                b"IDAT" => idat.extend_from_slice(data),
                b"IEND" => {
                    ended = true;
                    break;
                }
                _ => {}
            }
            rest = &rest[12 + len..];
        }
        let (width, height, depth, color, interlace) = header.ok_or("no IHDR chunk")?;
        if !ended {
            return Err("no IEND chunk".into());
        }
        if width == 0 || height == 0 {
            return Err(format!("empty image {width}x{height}"));
        }
        let channels = match (depth, color, interlace) {
            (8, 2, 0) => 3,
            (8, 6, 0) => 4,
            other => return Err(format!("unsupported PNG layout {other:?}")),
        };
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&idat[..])
            .read_to_end(&mut raw)
            .map_err(|e| format!("IDAT does not inflate: {e}"))?;
        let stride = width as usize * channels;
        if raw.len() != (stride + 1) * height as usize {
            return Err(format!(
                "IDAT holds {} bytes, {}x{} needs {}",
                raw.len(),
                width,
                height,
                (stride + 1) * height as usize
            ));
        }
        let mut previous = vec![0u8; stride];
        let mut pixels = Vec::with_capacity(width as usize * height as usize);
        for row in raw.chunks(stride + 1) {
            let filter = row[0];
            let mut line = row[1..].to_vec();
            for i in 0..stride {
                let a = if i >= channels { line[i - channels] } else { 0 };
                let b = previous[i];
                let c = if i >= channels {
                    previous[i - channels]
                } else {
                    0
                };
                let add = match filter {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => ((a as u16 + b as u16) / 2) as u8,
                    4 => paeth(a, b, c),
                    f => return Err(format!("unknown row filter {f}")),
                };
                line[i] = line[i].wrapping_add(add);
            }
            pixels.extend(line.chunks(channels).map(|p| [p[0], p[1], p[2]]));
            previous = line;
        }
        Ok(Png {
            width,
            height,
            pixels,
        })
    }

    /// Mean luminance, 0 (black) ..= 255 (white).
    pub fn mean_luminance(&self) -> f64 {
        let sum: f64 = self
            .pixels
            .iter()
            .map(|p| 0.2126 * p[0] as f64 + 0.7152 * p[1] as f64 + 0.0722 * p[2] as f64)
            .sum();
        sum / self.pixels.len() as f64
    }

    /// How many pixels differ from `other`'s pixel at the same place (same size required).
    pub fn pixels_differing_from(&self, other: &Png) -> usize {
        assert_eq!(
            (self.width, self.height),
            (other.width, other.height),
            "images of different sizes"
        );
        self.pixels
            .iter()
            .zip(&other.pixels)
            .filter(|(a, b)| a != b)
            .count()
    }

    /// Number of distinct colours.
    pub fn colours(&self) -> usize {
        self.pixels
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len()
    }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let (pa, pb, pc) = (
        (p - a as i16).abs(),
        (p - b as i16).abs(),
        (p - c as i16).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}
