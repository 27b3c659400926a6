//! Exporters on a hostile fixture library: golden files for every format, XSPF schema
//! validation, ListenBrainz import rules, CSV round trips, determinism and error paths.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyxml::relaxng::RelaxNGSchema;
use anyxml::sax::error::SAXParseError;
use anyxml::sax::{EntityResolver, ErrorHandler, SAXHandler, XMLReader};

use serde_json::Value;
use trackvault::export::collections::{one_line, plan, CollectionKind};
use trackvault::export::{export_library, ExportError, ExportOptions, DEFAULT_FORMATS};
use trackvault::model::{EntryKind, Library};

fn fixture() -> Library {
    let text = fs::read_to_string("fixtures/export/hostile-library.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Every exported file under `dir`, relative path → bytes, sorted (each format folder's
/// ownership marker aside; tests/hardening_exports.rs covers it).
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.file_name().is_some_and(|n| n == ".trackvault-export") {
                continue;
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

fn export_all(out: &Path) -> trackvault::export::ExportSummary {
    export_library(&fixture(), &ExportOptions::default(), out).unwrap()
}

fn with_ext<'a>(
    all: &'a BTreeMap<PathBuf, Vec<u8>>,
    format: &'a str,
    ext: &'a str,
) -> impl Iterator<Item = (&'a PathBuf, &'a Vec<u8>)> + 'a {
    all.iter()
        .filter(move |(p, _)| p.starts_with(format) && p.extension().is_some_and(|e| e == ext))
}

#[test]
fn golden_files_for_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let summary = export_all(dir.path());
    let all = files(dir.path());
    for format in DEFAULT_FORMATS {
        let mut text = String::new();
        for (path, bytes) in all.iter().filter(|(p, _)| p.starts_with(format)) {
            text.push_str(&format!("===== {} =====\n", path.display()));
            text.push_str(&String::from_utf8(bytes.clone()).expect("UTF-8 output"));
        }
        insta::assert_snapshot!(format!("format_{format}"), text);
    }
    insta::assert_snapshot!(
        "summary",
        summary
            .to_string()
            .replace(&dir.path().display().to_string(), "<out>")
    );
}

#[test]
fn not_accessible_playlists_get_a_note_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let summary = export_all(dir.path());
    assert_eq!(summary.not_exported.len(), 1, "{summary}");
    assert!(summary.to_string().contains("Someone else's mix"));
    assert!(summary.to_string().contains("not accessible"));
    for path in files(dir.path()).keys() {
        assert!(
            !path.to_string_lossy().contains("Someone else"),
            "{}",
            path.display()
        );
    }
}

#[test]
fn duplicate_and_hostile_names_all_survive_as_safe_files() {
    let dir = tempfile::tempdir().unwrap();
    export_all(dir.path());
    let all = files(dir.path());
    let lib = fixture();
    let exported_playlists = lib
        .playlists
        .iter()
        .filter(|p| p.contents == trackvault::model::Contents::Complete)
        .count();
    // Liked Songs + every accessible playlist + one album, nothing overwritten.
    let m3u8: Vec<_> = with_ext(&all, "m3u8", "m3u8").collect();
    assert_eq!(m3u8.len(), 1 + exported_playlists + 1, "{m3u8:?}");
    let names: Vec<String> = m3u8
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"Chill.m3u8".to_string()), "{names:?}");
    assert!(names.contains(&"chill (2).m3u8".to_string()), "{names:?}");
    assert!(names.contains(&"_CON.m3u8".to_string()), "{names:?}");
    assert!(
        names.contains(&"AC_DC .._.._etc_passwd.m3u8".to_string()),
        "{names:?}"
    );
    for path in all.keys() {
        // Everything stays inside the output folder, in at most format/albums/file.
        assert!(path.components().count() <= 3, "{}", path.display());
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(name.len() <= 255 && !name.starts_with('.'), "{name}");
    }
}

/// Every message the XML parser and the RELAX NG validator report while reading one document.
#[derive(Default)]
struct Problems(Vec<String>);

impl ErrorHandler for Problems {
    fn error(&mut self, error: SAXParseError) {
        self.0.push(format!("error: {error}"));
    }
    fn fatal_error(&mut self, error: SAXParseError) {
        self.0.push(format!("fatal: {error}"));
    }
    fn warning(&mut self, error: SAXParseError) {
        self.0.push(format!("warning: {error}"));
    }
}
impl EntityResolver for Problems {}
impl SAXHandler for Problems {}

/// The XSPF 1.0 RELAX NG schema, kept as a project fixture.
fn xspf_schema() -> RelaxNGSchema {
    let text = fs::read_to_string("fixtures/export/xspf-1_0.7.rng").unwrap();
    RelaxNGSchema::parse_str(&text, None, Some(Problems::default())).expect("the schema compiles")
}

/// Validates `xml` against `schema` (pure Rust, no `xmllint`): `Err` lists every problem.
fn validate(schema: &mut RelaxNGSchema, xml: &str) -> Result<(), Vec<String>> {
    let mut reader = XMLReader::builder()
        .set_handler(schema.new_validate_handler(Problems::default()))
        .build();
    let parsed = reader.parse_str(xml, None);
    let mut problems = std::mem::take(&mut reader.handler.child.0);
    if let Err(e) = &reader.handler.last_error {
        problems.push(format!("last error: {e}"));
    }
    if let Err(e) = parsed {
        problems.push(format!("parse: {e:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[test]
fn every_xspf_file_validates_against_the_relax_ng_schema() {
    let dir = tempfile::tempdir().unwrap();
    export_all(dir.path());
    let all = files(dir.path());
    let xspf: Vec<_> = with_ext(&all, "xspf", "xspf").collect();
    assert!(xspf.len() >= 5);
    let mut schema = xspf_schema();
    for (path, bytes) in xspf {
        let text = String::from_utf8(bytes.clone()).unwrap();
        if let Err(problems) = validate(&mut schema, &text) {
            panic!("{} does not validate: {problems:#?}", path.display());
        }
        assert!(!text.contains("<location>"), "{}", path.display());
        // The same real file with one element XSPF does not define is refused.
        let broken = text.replacen("<title>", "<isrc>X</isrc><title>", 1);
        assert_ne!(broken, text);
        assert!(
            validate(&mut schema, &broken).is_err(),
            "{}",
            path.display()
        );
    }
}

#[test]
fn the_schema_check_catches_an_invalid_file() {
    // Guards the test above: the validator must really reject bad files and accept a good one.
    let mut schema = xspf_schema();
    let good = "<playlist version=\"1\" xmlns=\"http://xspf.org/ns/0/\"><trackList><track><title>X</title></track></trackList></playlist>";
    assert_eq!(validate(&mut schema, good), Ok(()));
    let bad = [
        // An element XSPF does not have.
        "<playlist version=\"1\" xmlns=\"http://xspf.org/ns/0/\"><trackList><track><isrc>X</isrc></track></trackList></playlist>",
        // The required trackList missing.
        "<playlist version=\"1\" xmlns=\"http://xspf.org/ns/0/\"><title>X</title></playlist>",
        // A duration that is not a number.
        "<playlist version=\"1\" xmlns=\"http://xspf.org/ns/0/\"><trackList><track><duration>4:21</duration></track></trackList></playlist>",
        // The wrong namespace.
        "<playlist version=\"1\"><trackList/></playlist>",
        // Not well-formed.
        "<playlist version=\"1\" xmlns=\"http://xspf.org/ns/0/\"><trackList></playlist>",
    ];
    for xml in bad {
        assert!(validate(&mut schema, xml).is_err(), "accepted: {xml}");
    }
}

/// The create rules of ListenBrainz's `POST /1/playlist/create` (formats.md §6).
fn check_listenbrainz_rules(doc: &Value) -> Result<(), String> {
    let playlist = doc.get("playlist").ok_or("no `playlist` object")?;
    let title = playlist["title"].as_str().ok_or("title missing")?;
    if title.trim().is_empty() {
        return Err("empty title".into());
    }
    let ext = &playlist["extension"]["https://musicbrainz.org/doc/jspf#playlist"];
    if !ext["public"].is_boolean() {
        return Err(format!("public is not a boolean: {}", ext["public"]));
    }
    for key in ["collaborators", "created_for"] {
        if playlist.get(key).is_some() || ext.get(key).is_some() {
            return Err(format!("{key} present"));
        }
    }
    let tracks = playlist["track"]
        .as_array()
        .ok_or("track is not an array")?;
    if tracks.is_empty() {
        return Err("no tracks".into());
    }
    for track in tracks {
        let ids = track["identifier"]
            .as_array()
            .ok_or("identifier is not an array")?;
        let first = ids.first().and_then(Value::as_str).ok_or("no identifier")?;
        let mbid = first
            .strip_prefix("https://musicbrainz.org/recording/")
            .ok_or(format!("first identifier is not a recording URL: {first}"))?;
        let uuid_like = mbid.len() == 36 && mbid.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        if !uuid_like {
            return Err(format!("not an MBID: {mbid}"));
        }
        if !track["extension"]["https://musicbrainz.org/doc/jspf#track"].is_object() {
            return Err("track extension missing".into());
        }
    }
    Ok(())
}

#[test]
fn every_listenbrainz_file_follows_the_import_rules() {
    let dir = tempfile::tempdir().unwrap();
    let summary = export_all(dir.path());
    let all = files(dir.path());
    let lb: Vec<_> = with_ext(&all, "listenbrainz", "jspf").collect();
    assert!(!lb.is_empty());
    for (path, bytes) in lb {
        let doc: Value = serde_json::from_slice(bytes).unwrap();
        check_listenbrainz_rules(&doc).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let lb = summary.format("listenbrainz").unwrap();
    assert!(lb.left_out.0["tracks without a recording MBID"] > 0);
    assert!(
        !lb.notes.is_empty(),
        "collections without MBIDs are reported"
    );
    // The archival JSPF keeps every row, null rows included, and would be refused.
    let archive = fs::read(dir.path().join("jspf/Road Trip, _Summer_ 2026 🚗.jspf")).unwrap();
    let doc: Value = serde_json::from_slice(&archive).unwrap();
    assert_eq!(doc["playlist"]["track"].as_array().unwrap().len(), 6);
    assert!(check_listenbrainz_rules(&doc).is_err());
}

#[test]
fn the_listenbrainz_rules_reject_what_listenbrainz_rejects() {
    let good = serde_json::json!({"playlist": {"title": "t",
        "extension": {"https://musicbrainz.org/doc/jspf#playlist": {"public": false}},
        "track": [{"identifier": ["https://musicbrainz.org/recording/8f3471b5-7e6a-48da-86a9-c1c07a0f47ae"],
                   "extension": {"https://musicbrainz.org/doc/jspf#track": {}}}]}});
    check_listenbrainz_rules(&good).unwrap();
    let mut public_string = good.clone();
    public_string["playlist"]["extension"]["https://musicbrainz.org/doc/jspf#playlist"]["public"] =
        "true".into();
    assert!(check_listenbrainz_rules(&public_string).is_err());
    let mut isrc_first = good.clone();
    isrc_first["playlist"]["track"][0]["identifier"] = serde_json::json!([
        "urn:isrc:GBARL9300135",
        "https://musicbrainz.org/recording/8f3471b5-7e6a-48da-86a9-c1c07a0f47ae"
    ]);
    assert!(check_listenbrainz_rules(&isrc_first).is_err());
    let mut no_ext = good.clone();
    no_ext["playlist"]["track"][0]
        .as_object_mut()
        .unwrap()
        .remove("extension");
    assert!(check_listenbrainz_rules(&no_ext).is_err());
}

fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn soundiiz_and_tunemymusic_csvs_parse_back_to_the_library_values() {
    let dir = tempfile::tempdir().unwrap();
    export_all(dir.path());
    let lib = fixture();
    let plan = plan(&lib);
    let mut tmm_all_rows = 0;
    for c in &plan.collections {
        let expected: Vec<Vec<String>> = c
            .rows
            .iter()
            .filter(|r| matches!(r.kind, EntryKind::Track | EntryKind::Local))
            .map(|r| {
                let item = r.item.unwrap();
                // Cells never carry control characters: line breaks and tabs become spaces.
                vec![
                    one_line(&item.name),
                    one_line(
                        &item
                            .artists
                            .iter()
                            .map(|a| a.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    one_line(r.album_name().unwrap_or("")),
                    item.isrc.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let path = dir
            .path()
            .join("soundiiz")
            .join(c.dir())
            .join(format!("{}.csv", c.stem));
        let rows = parse_csv(&fs::read(&path).unwrap());
        assert_eq!(rows[0], ["title", "artist", "album", "isrc"]);
        assert_eq!(rows[1..], expected[..], "{}", path.display());

        if c.kind == CollectionKind::Album {
            continue;
        }
        let path = dir
            .path()
            .join("tunemymusic")
            .join(format!("{}.csv", c.stem));
        let rows = parse_csv(&fs::read(&path).unwrap());
        tmm_all_rows += rows.len() - 1;
        let kind = if c.kind == CollectionKind::Liked {
            "Favorite"
        } else {
            "Playlist"
        };
        for (row, want) in rows[1..].iter().zip(&expected) {
            assert_eq!(row[0..3], want[0..3]);
            assert_eq!(row[3], c.name);
            assert_eq!(row[4], kind);
            assert_eq!(row[5], want[3]);
        }
    }
    let combined = parse_csv(&fs::read(dir.path().join("tunemymusic/tunemymusic.csv")).unwrap());
    assert_eq!(
        combined[0],
        [
            "Track name",
            "Artist name",
            "Album",
            "Playlist name",
            "Type",
            "ISRC",
            "Spotify - id"
        ]
    );
    assert_eq!(combined.len() - 1, tmm_all_rows);
}

/// Splits an Exportify multi-value cell on `, ` not preceded by a backslash, unescaping `\,`.
fn exportify_split(cell: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                out.last_mut().unwrap().push(',');
                chars.next();
            }
            ',' if chars.peek() == Some(&' ') => {
                chars.next();
                out.push(String::new());
            }
            _ => out.last_mut().unwrap().push(c),
        }
    }
    out
}

#[test]
fn exportify_csvs_quote_every_field_and_escape_commas_in_artist_names() {
    let dir = tempfile::tempdir().unwrap();
    export_all(dir.path());
    let all = files(dir.path());
    let header = "\"Track URI\",\"Track Name\",\"Artist URI(s)\",\"Artist Name(s)\",\"Album URI\",\"Album Name\",\"Album Artist URI(s)\",\"Album Artist Name(s)\",\"Album Release Date\",\"Album Image URL\",\"Disc Number\",\"Track Number\",\"Track Duration (ms)\",\"Track Preview URL\",\"Explicit\",\"Popularity\",\"ISRC\",\"Added By\",\"Added At\"\n";
    let mut saw_escaped = false;
    for (path, bytes) in with_ext(&all, "exportify", "csv") {
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with(header), "{}", path.display());
        let rows = parse_csv(bytes);
        // Re-writing with every field quoted reproduces the file byte for byte.
        let mut w = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        for row in &rows {
            w.write_record(row).unwrap();
            assert_eq!(row.len(), 19);
        }
        assert_eq!(w.into_inner().unwrap(), *bytes, "{}", path.display());
        for row in &rows[1..] {
            if row[3].contains("\\,") {
                saw_escaped = true;
            }
            assert_eq!(
                exportify_split(&row[3]).len(),
                exportify_split(&row[2]).len(),
                "one URI per artist in {}",
                path.display()
            );
        }
    }
    assert!(saw_escaped);
    let road =
        parse_csv(&fs::read(dir.path().join("exportify/Road Trip, _Summer_ 2026 🚗.csv")).unwrap());
    let crosby = road.iter().find(|r| r[1] == "Hello, \"Goodbye\"").unwrap();
    assert_eq!(
        exportify_split(&crosby[3]),
        ["Crosby, Stills & Nash", "Young"]
    );
    assert_eq!(crosby[14], "true");
    assert_eq!(crosby[17], "spotify:user:bob");
    assert_eq!(crosby[18], "2026-10-01T08:00:00Z");
    // Null rows dropped, local files kept, episodes left out.
    assert_eq!(road.len() - 1, 4);
    assert!(road.iter().any(|r| r[0].starts_with("spotify:local:")));
}

#[test]
fn same_library_gives_byte_identical_files_and_re_export_replaces_cleanly() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    export_all(a.path());
    export_all(b.path());
    let first = files(a.path());
    assert_eq!(first, files(b.path()));
    // Exporting again into the same folder replaces the files and leaves no staging folders.
    export_all(a.path());
    assert_eq!(first, files(a.path()));
    let top: Vec<String> = fs::read_dir(a.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(top.len(), DEFAULT_FORMATS.len(), "{top:?}");
}

#[test]
fn split_writes_parts_of_at_most_n_rows() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ExportOptions {
        formats: vec!["soundiiz".into()],
        split: Some(2),
        extra_mappings: vec![],
    };
    let summary = export_library(&fixture(), &opts, dir.path()).unwrap();
    let names: Vec<String> = summary.formats[0]
        .files
        .iter()
        .map(|f| f.path.display().to_string())
        .collect();
    assert!(
        names.contains(&"soundiiz/Road Trip, _Summer_ 2026 🚗 (part 1 of 2).csv".to_string()),
        "{names:?}"
    );
    for f in &summary.formats[0].files {
        assert!(f.rows <= 2);
        let rows = parse_csv(&fs::read(dir.path().join(&f.path)).unwrap());
        assert_eq!(rows[0], ["title", "artist", "album", "isrc"]);
        assert_eq!(rows.len() - 1, f.rows);
    }
    let zero = ExportOptions {
        split: Some(0),
        ..opts
    };
    assert!(matches!(
        export_library(&fixture(), &zero, dir.path()),
        Err(ExportError::BadSplit)
    ));
}

#[test]
fn unknown_formats_are_refused_with_the_valid_list() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ExportOptions {
        formats: vec!["soundiiz".into(), "spotify".into()],
        ..ExportOptions::default()
    };
    let err = export_library(&fixture(), &opts, dir.path()).unwrap_err();
    let msg = err.to_string();
    assert!(err.is_usage());
    assert!(
        msg.contains("`spotify`") && msg.contains("listenbrainz, m3u8"),
        "{msg}"
    );
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn a_user_mapping_adds_a_csv_layout_without_code() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("deezer.toml");
    fs::write(
        &mapping,
        r#"
name = "my-layout"
quote = "always"
bom = true
line_ending = "crlf"
artist_joiner = " / "
rows = ["track"]
collections = ["playlist"]
files = "one_file"

[[column]]
header = "Song"
field = "title"
[[column]]
header = "Artists"
field = "artists"
[[column]]
header = "MBID"
field = "recording_mbid"
[[column]]
header = "Length"
field = "duration"
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let opts = ExportOptions {
        formats: vec!["txt".into()],
        split: None,
        extra_mappings: vec![mapping],
    };
    let summary = export_library(&fixture(), &opts, &out).unwrap();
    assert_eq!(summary.formats.len(), 2);
    let bytes = fs::read(out.join("my-layout/my-layout.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF\"Song\",\"Artists\",\"MBID\",\"Length\"\r\n"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(
        text.contains(
            "\"YOASOBI / Ayase, Ikura\",\"0b9f3e67-2b0f-4dfe-bf1d-3b8b6b8f0b11\",\"4:21\""
        ),
        "{text}"
    );
    assert!(!text.contains("spotify:local"));
}

#[test]
fn a_bad_mapping_file_gets_one_sentence_naming_file_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "typo.toml",
            "name = \"x\"\n[[column]]\nheader = \"T\"\nfield = \"tilte\"\n",
            "tilte",
        ),
        ("broken.toml", "name = \"x\n", "line 1"),
        (
            "clash.toml",
            "name = \"soundiiz\"\n[[column]]\nheader = \"T\"\nfield = \"title\"\n",
            "already used",
        ),
        (
            "unknown-key.toml",
            "name = \"x\"\nquoting = \"always\"\n[[column]]\nheader = \"T\"\nfield = \"title\"\n",
            "quoting",
        ),
    ];
    for (file, text, problem) in cases {
        let path = dir.path().join(file);
        fs::write(&path, text).unwrap();
        let opts = ExportOptions {
            extra_mappings: vec![path],
            ..ExportOptions::default()
        };
        let err = export_library(&fixture(), &opts, &dir.path().join("out")).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, ExportError::BadMapping { .. }), "{msg}");
        assert!(msg.contains(file) && msg.contains(problem), "{msg}");
        assert!(!msg.contains('\n'), "{msg}");
    }
    let missing = ExportOptions {
        extra_mappings: vec![dir.path().join("nope.toml")],
        ..ExportOptions::default()
    };
    let msg = export_library(&fixture(), &missing, dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("nope.toml") && msg.contains("cannot be read"),
        "{msg}"
    );
}

#[test]
fn an_unwritable_output_folder_is_an_io_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    fs::write(&file, "x").unwrap();
    let err = export_library(&fixture(), &ExportOptions::default(), &file.join("out")).unwrap_err();
    assert!(matches!(err, ExportError::Io { .. }));
    assert!(!err.is_usage());
}
