//! No panic on any input (issue 10, fuzz): arbitrary bytes and arbitrary JSON — free-form and
//! shaped like Spotify's data download — fed to the data-download readers and converters
//! (folders and zips, through `import_download`), and arbitrary text fed to the CSV mapping
//! loader. Every input must end in `Ok` or a typed error, never a panic.

use std::io::{Cursor, Write};
use std::path::Path;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use trackvault::app::import::import_download;
use trackvault::archive::Archive;
use trackvault::export::Mapping;
use trackvault::import::read_download;

const KEYS: &[&str] = &[
    "tracks",
    "albums",
    "shows",
    "episodes",
    "artists",
    "playlists",
    "items",
    "track",
    "episode",
    "localTrack",
    "audiobook",
    "uri",
    "trackUri",
    "episodeUri",
    "audiobookUri",
    "name",
    "trackName",
    "artistName",
    "albumName",
    "artist",
    "album",
    "addedDate",
    "collaborators",
    "description",
    "username",
    "show",
    "showName",
    "publisher",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,12}",
        "spotify:(track|album|artist|show|episode|audiobook):[A-Za-z0-9]{20,23}",
        "spotify:local:[^:]{0,6}:[^:]{0,6}:[^:]{0,6}:[0-9]{0,25}",
        "spotify:local:[a-z:%+\n\u{1b}]{0,20}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        Just("spotify:track:4uLU6hMCjMI75M1A2tKUQC".to_string()),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text().prop_map(Value::String),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(str::to_string),
        1 => "[a-zA-Z]{1,8}",
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 96, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An object of fields drawn from the download's vocabulary, values anything.
fn record() -> impl Strategy<Value = Value> {
    prop::collection::vec((key(), prop_oneof![3 => leaf(), 1 => any_json()]), 0..8)
        .prop_map(|kv| Value::Object(kv.into_iter().collect()))
}

fn library_shaped() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        (
            prop::sample::select(&KEYS[..5]),
            prop::collection::vec(record(), 0..5),
        ),
        1..5,
    )
    .prop_map(|kv| {
        Value::Object(
            kv.into_iter()
                .map(|(k, v)| (k.to_string(), Value::Array(v)))
                .collect(),
        )
    })
}

fn playlist_shaped() -> impl Strategy<Value = Value> {
    let entry = (
        prop::sample::select(&["track", "episode", "localTrack", "audiobook"][..]),
        record(),
        prop::option::of(text()),
    )
        .prop_map(|(slot, inner, date)| {
            let mut e = Map::new();
            e.insert(slot.to_string(), inner);
            if let Some(d) = date {
                e.insert("addedDate".into(), Value::String(d));
            }
            Value::Object(e)
        });
    let playlist = (
        prop::option::of(text()),
        prop::collection::vec(entry, 0..5),
        prop::collection::vec(leaf(), 0..2),
    )
        .prop_map(|(name, items, collaborators)| {
            json!({"name": name, "items": items, "collaborators": collaborators})
        });
    prop::collection::vec(playlist, 0..4).prop_map(|p| json!({ "playlists": p }))
}

fn with_optional_bom(mut bytes: Vec<u8>, bom: bool) -> Vec<u8> {
    if bom {
        bytes.splice(0..0, b"\xEF\xBB\xBF".iter().copied());
    }
    bytes
}

/// Imports a folder holding `files`; any outcome but a panic is fine.
fn import_folder(files: &[(&str, Vec<u8>)]) {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("download/Spotify Account Data");
    std::fs::create_dir_all(&data).unwrap();
    for (name, bytes) in files {
        std::fs::write(data.join(name), bytes).unwrap();
    }
    let archive = Archive::open(root.path().join("archive")).unwrap();
    let _ = import_download(&archive, &root.path().join("download"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_in_any_download_file_never_panic(
        library in prop::collection::vec(any::<u8>(), 0..512),
        playlist in prop::collection::vec(any::<u8>(), 0..512),
        userdata in prop::collection::vec(any::<u8>(), 0..128),
        other in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        import_folder(&[
            ("YourLibrary.json", library),
            ("Playlist1.json", playlist),
            ("Userdata.json", userdata),
            ("Other.json", other),
        ]);
    }

    #[test]
    fn arbitrary_json_in_any_download_file_never_panics(
        library in prop_oneof![library_shaped(), any_json()],
        playlist in prop_oneof![playlist_shaped(), any_json()],
        renamed in prop_oneof![playlist_shaped(), any_json()],
        userdata in prop_oneof![record(), any_json()],
        bom in any::<bool>(),
    ) {
        let bytes = |v: &Value| with_optional_bom(serde_json::to_vec(v).unwrap(), bom);
        import_folder(&[
            ("YourLibrary.json", bytes(&library)),
            ("Playlist1.json", bytes(&playlist)),
            ("Renamed.json", bytes(&renamed)),
            ("Userdata.json", bytes(&userdata)),
        ]);
    }

    #[test]
    fn arbitrary_bytes_as_a_zip_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        // A real zip with arbitrary entry names and contents, then bytes flipped in it.
        entries in prop::collection::vec((".{0,40}", prop::collection::vec(any::<u8>(), 0..256)), 0..4),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let root = tempfile::tempdir().unwrap();
        let raw = root.path().join("raw.zip");
        std::fs::write(&raw, &bytes).unwrap();
        let _ = read_download(&raw);

        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, content) in &entries {
            if zip.start_file(format!("Spotify Account Data/{name}"), options).is_ok() {
                let _ = zip.write_all(content);
            }
        }
        let mut built = zip.finish().unwrap().into_inner();
        for (at, value) in flips {
            if !built.is_empty() {
                let i = at.index(built.len());
                built[i] = value;
            }
        }
        let path = root.path().join("built.zip");
        std::fs::write(&path, &built).unwrap();
        let archive = Archive::open(root.path().join("archive")).unwrap();
        let _ = import_download(&archive, &path);
    }

    #[test]
    fn arbitrary_mapping_files_never_panic(
        free in "(?s).{0,200}",
        name in ".{0,12}",
        header in ".{0,8}",
        field in prop_oneof![Just("title".to_string()), Just("formula_guard".to_string()), "[a-z_]{0,12}"],
        extra in prop::sample::select(&[
            "", "split = 0\n", "split = -1\n", "split = 18446744073709551616\n", "rows = []\n",
            "formula_guard = \"yes\"\n", "quote = \"sometimes\"\n", "artist_joiner = \"\"\n",
            "collections = [\"nope\"]\n", "files = \"both\"\none_file_name = \"../x\"\n",
        ][..]),
    ) {
        let _ = Mapping::parse(&free, Path::new("fuzz.toml"));
        let toml = format!(
            "name = {name:?}\n{extra}[[column]]\nheader = {header:?}\nfield = {field:?}\n"
        );
        let _ = Mapping::parse(&toml, Path::new("fuzz.toml"));
    }
}
