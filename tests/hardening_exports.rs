//! Exports hold up against hostile values (issue 10, items 5, 6, 7 and 18): identifiers and
//! names carrying line breaks and control characters never produce a raw control character or
//! an extra playable line in any format; `--out` never replaces a folder trackvault did not
//! write; CSV cells a spreadsheet would run are guarded where the layout says so.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use trackvault::export::{export_library, ExportOptions, DEFAULT_FORMATS};
use trackvault::model::Library;

fn base() -> Value {
    serde_json::from_str(&fs::read_to_string("fixtures/export/hostile-library.json").unwrap())
        .unwrap()
}

/// The fixture with the first liked track's identifiers and names made hostile, and a
/// playlist whose name, description and owner carry terminal escapes.
fn hostile_library() -> Library {
    let mut lib = base();
    let item = &mut lib["liked_tracks"][0]["item"];
    item["id"] = json!("4uLU6hMCjMI75M1A2tKUQC\n/etc/passwd");
    item["uri"] = json!("spotify:track:4uLU6hMCjMI75M1A2tKUQC\r\nhttp://evil.example/x.mp3");
    item["name"] = json!("Never\u{85}Gonna\u{7f} Give\u{1b}[31m You\tUp\u{2028}#EXTINF:1,x");
    item["artists"][0]["name"] = json!("Rick\nhttp://evil.example/a.mp3");
    item["album"]["name"] = json!("Album\r\n=cmd|' /C calc'!A0");
    item["isrc"] = json!("GBARL9300135\n/etc/shadow");
    item["musicbrainz"]["recording_id"] = json!("8f3471b5-7e6a-48da-86a9-c1c07a0f47ae\nfile:///x");
    let playlist = &mut lib["playlists"][0];
    playlist["name"] = json!("Road\u{1b}]0;pwned\u{7}Trip\n#EXTINF:1,evil");
    playlist["description"] = json!("two\nlines\u{9b}and C1");
    serde_json::from_value(lib).unwrap()
}

/// Every file under `dir`, relative path → bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    fs::read(&path).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn hostile_identifiers_and_names_never_put_a_raw_control_character_in_any_format() {
    let dir = tempfile::tempdir().unwrap();
    export_library(&hostile_library(), &ExportOptions::default(), dir.path()).unwrap();
    let all = files(dir.path());
    for format in DEFAULT_FORMATS {
        assert!(
            all.keys().any(|p| p.starts_with(format)),
            "{format} wrote nothing"
        );
    }
    for (path, bytes) in &all {
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        // Line ends are the format's own; anything else control-like is a defect.
        let text = text.replace("\r\n", "\n");
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| c != '\n' && (c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')))
            .collect();
        assert!(bad.is_empty(), "{}: raw {bad:?}", path.display());
    }
    // In M3U8 every line that is not a comment is a resource a player will play: only the
    // Spotify links and local URIs trackvault writes, never text smuggled in by a value.
    for (path, bytes) in all.iter().filter(|(p, _)| p.starts_with("m3u8")) {
        if path.file_name().is_some_and(|n| n == ".trackvault-export") {
            continue;
        }
        for line in String::from_utf8_lossy(bytes).lines() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            assert!(
                line.starts_with("https://open.spotify.com/") || line.starts_with("spotify:local:"),
                "{}: playable line {line:?}",
                path.display()
            );
            assert!(
                !line.contains("evil") && !line.contains("/etc/"),
                "{line:?}"
            );
        }
    }
    // Text formats keep one entry per line.
    let liked_txt = String::from_utf8(all[Path::new("txt/Liked Songs.txt")].clone()).unwrap();
    assert!(
        liked_txt.lines().all(|l| !l.starts_with("http")),
        "{liked_txt}"
    );
    // JSON keeps the exact values (escaped, not lost).
    let json: Value = serde_json::from_slice(&all[Path::new("json/library.json")]).unwrap();
    assert_eq!(
        json["liked_tracks"][0]["item"]["name"],
        "Never\u{85}Gonna\u{7f} Give\u{1b}[31m You\tUp\u{2028}#EXTINF:1,x"
    );
}

#[test]
fn the_export_summary_prints_owner_names_without_terminal_escapes() {
    let mut lib = base();
    let hidden = lib["playlists"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["contents"] == "not_accessible")
        .unwrap();
    hidden["owner"]["display_name"] = json!("Spotify\u{1b}[2J\nFAKE: all good\u{202e}");
    let library: Library = serde_json::from_value(lib).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = export_library(&library, &ExportOptions::default(), dir.path()).unwrap();
    let text = summary.to_string();
    let line = text
        .lines()
        .find(|l| l.contains("Someone else"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(!text.contains(['\u{1b}', '\u{202e}']), "{text:?}");
    assert!(line.contains("FAKE: all good"), "{line:?}");
    assert!(!text.lines().any(|l| l.starts_with("FAKE")), "{text:?}");
}

fn trackvault(root: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("trackvault").unwrap();
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", root.join("archive"))
        .env("TRACKVAULT_CONFIG_DIR", root.join("config"));
    cmd
}

fn archive_with_snapshot(root: &Path) {
    trackvault(root)
        .arg("import")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/data-download/account-2023"))
        .assert()
        .success();
}

#[test]
fn export_out_never_replaces_a_folder_trackvault_did_not_write() {
    let root = tempfile::tempdir().unwrap();
    archive_with_snapshot(root.path());
    let out = root.path().join("mine");
    fs::create_dir_all(out.join("json")).unwrap();
    fs::write(out.join("json/notes.txt"), "my own notes").unwrap();
    let assert = trackvault(root.path())
        .args(["export", "--format", "txt,json", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("not written by trackvault") && stderr.contains("json"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert_eq!(
        fs::read_to_string(out.join("json/notes.txt")).unwrap(),
        "my own notes"
    );
    assert!(!out.join("txt").exists(), "nothing written before refusing");

    // A folder trackvault wrote is replaced on the next export, as before.
    let fresh = root.path().join("fresh");
    for _ in 0..2 {
        trackvault(root.path())
            .args(["export", "--format", "json", "--out"])
            .arg(&fresh)
            .assert()
            .success();
    }
    assert!(fresh.join("json/library.json").is_file());
}

#[test]
fn an_archives_own_export_folders_stay_replaceable_even_without_a_marker() {
    let root = tempfile::tempdir().unwrap();
    archive_with_snapshot(root.path());
    trackvault(root.path())
        .args(["export", "--format", "json"])
        .assert()
        .success();
    let snapshots = root.path().join("archive/snapshots");
    let snapshot = fs::read_dir(&snapshots)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .unwrap();
    let json = snapshot.join("exports/json");
    // As written by a trackvault from before markers existed.
    let _ = fs::remove_file(json.join(".trackvault-export"));
    trackvault(root.path())
        .args(["export", "--format", "json"])
        .assert()
        .success();
    assert!(json.join("library.json").is_file());
}

fn csv_library() -> Library {
    let mut lib = base();
    let item = &mut lib["liked_tracks"][0]["item"];
    item["name"] = json!("=HYPERLINK(\"http://evil.example\",\"click\")");
    item["artists"][0]["name"] = json!("@SUM(1+1)");
    item["album"]["name"] = json!("-2+3");
    serde_json::from_value(lib).unwrap()
}

fn liked_csv(dir: &Path, format: &str) -> Vec<Vec<String>> {
    let path = dir.join(format).join("Liked Songs.csv");
    let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn formula_cells_are_guarded_in_exportify_and_exact_in_importer_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ExportOptions {
        formats: vec!["exportify".into(), "soundiiz".into(), "tunemymusic".into()],
        ..ExportOptions::default()
    };
    export_library(&csv_library(), &opts, dir.path()).unwrap();
    let exportify = liked_csv(dir.path(), "exportify");
    let row = &exportify[1];
    assert_eq!(row[1], "'=HYPERLINK(\"http://evil.example\",\"click\")");
    assert_eq!(row[3], "'@SUM(1+1)");
    assert_eq!(row[5], "'-2+3");
    for format in ["soundiiz", "tunemymusic"] {
        let rows = liked_csv(dir.path(), format);
        assert!(
            rows.iter()
                .any(|r| r.contains(&"=HYPERLINK(\"http://evil.example\",\"click\")".to_string())),
            "{format}: {rows:?}"
        );
    }

    // A user layout is guarded unless it says `formula_guard = false`.
    for (guard, expected) in [
        ("", "'=HYPERLINK"),
        ("formula_guard = false\n", "=HYPERLINK"),
    ] {
        let mapping = dir.path().join("mine.toml");
        fs::write(
            &mapping,
            format!("name = \"mine\"\n{guard}[[column]]\nheader = \"t\"\nfield = \"title\"\n"),
        )
        .unwrap();
        let out = tempfile::tempdir().unwrap();
        let opts = ExportOptions {
            formats: vec!["mine".into()],
            extra_mappings: vec![mapping],
            ..ExportOptions::default()
        };
        export_library(&csv_library(), &opts, out.path()).unwrap();
        let rows = liked_csv(out.path(), "mine");
        assert!(rows[1][0].starts_with(expected), "{guard:?}: {rows:?}");
    }
}
