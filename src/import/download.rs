//! Reading a data download from a zip or a folder: find the files import uses, by name
//! (`YourLibrary.json`, `Playlist<N>.json`, `Userdata.json`) in any subfolder (`Spotify Account
//! Data/`, older `MyData/`), or by content for renamed JSON files that hold `playlists`.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::ImportError;

/// Larger files are not read (a guard against zip bombs; real files are a few MB).
const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;
/// Unknown JSON files larger than this are not inspected for a `playlists` key.
const MAX_SNIFF_BYTES: u64 = 32 * 1024 * 1024;

/// One file from the download, named by its path inside it (`/`-separated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The files import uses, and the names of those it does not.
#[derive(Debug, Clone, Default)]
pub struct DownloadFiles {
    pub library: Option<SourceFile>,
    /// In playlist-file order (`Playlist1.json`, `Playlist2.json`, …).
    pub playlists: Vec<SourceFile>,
    /// Only its `username` is read; the file is not stored (it holds personal data).
    pub userdata: Option<SourceFile>,
    pub ignored: Vec<String>,
}

enum Role {
    Library,
    Playlists(u32),
    Userdata,
    /// Another JSON file that may still be a renamed playlist file.
    OtherJson,
    Ignored,
}

fn role_of(name: &str) -> Role {
    let base = name.rsplit('/').next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    if base.starts_with("._") || name.starts_with("__MACOSX/") || !lower.ends_with(".json") {
        return Role::Ignored;
    }
    let stem = &lower[..lower.len() - 5];
    if stem == "yourlibrary" {
        return Role::Library;
    }
    if stem == "userdata" {
        return Role::Userdata;
    }
    if let Some(number) = stem.strip_prefix("playlist") {
        if number.is_empty() {
            return Role::Playlists(0);
        }
        if let Ok(n) = number.parse() {
            return Role::Playlists(n);
        }
    }
    Role::OtherJson
}

/// Reads the download at `path` (a zip file or a folder).
pub fn read_download(path: &Path) -> Result<DownloadFiles, ImportError> {
    let meta = fs::metadata(path).map_err(|e| io(path, e))?;
    let mut found: Vec<(String, Role, Option<Vec<u8>>)> = Vec::new();
    if meta.is_dir() {
        walk(path, path, 0, &mut found)?;
    } else {
        read_zip(path, &mut found)?;
    }
    let mut files = DownloadFiles::default();
    let mut playlists: Vec<(u32, SourceFile)> = Vec::new();
    for (name, role, bytes) in found {
        let file = |bytes: Option<Vec<u8>>| SourceFile {
            name: name.clone(),
            bytes: bytes.unwrap_or_default(),
        };
        match role {
            Role::Library => {
                if files.library.is_some() {
                    return Err(ImportError::Duplicate("YourLibrary.json".into()));
                }
                files.library = Some(file(bytes));
            }
            Role::Userdata => files.userdata = Some(file(bytes)),
            Role::Playlists(n) => playlists.push((n, file(bytes))),
            Role::OtherJson if bytes.as_deref().is_some_and(looks_like_playlists) => {
                playlists.push((u32::MAX, file(bytes)))
            }
            Role::OtherJson | Role::Ignored => files.ignored.push(name),
        }
    }
    playlists.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    for pair in playlists.windows(2) {
        if pair[0].1.name.rsplit('/').next() == pair[1].1.name.rsplit('/').next() {
            let base = pair[0].1.name.rsplit('/').next().unwrap_or_default();
            return Err(ImportError::Duplicate(base.to_string()));
        }
    }
    files.playlists = playlists.into_iter().map(|(_, f)| f).collect();
    files.ignored.sort();
    Ok(files)
}

/// A JSON object with a top-level `playlists` array: a playlist file under another name.
fn looks_like_playlists(bytes: &[u8]) -> bool {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') || !bytes.windows(11).any(|w| w == b"\"playlists\"") {
        return false;
    }
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| v.get("playlists").map(serde_json::Value::is_array))
        .unwrap_or(false)
}

fn wants_bytes(role: &Role, size: u64) -> bool {
    match role {
        Role::Library | Role::Playlists(_) | Role::Userdata => true,
        Role::OtherJson => size <= MAX_SNIFF_BYTES,
        Role::Ignored => false,
    }
}

fn too_large(name: &str) -> ImportError {
    ImportError::Malformed {
        file: name.to_string(),
        field: "(file size)".into(),
        detail: format!("is larger than {} MB", MAX_FILE_BYTES / (1024 * 1024)),
    }
}

fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    found: &mut Vec<(String, Role, Option<Vec<u8>>)>,
) -> Result<(), ImportError> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .map(|e| e.map(|e| e.path()).map_err(|e| io(dir, e)))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        let meta = fs::metadata(&path).map_err(|e| io(&path, e))?;
        if meta.is_dir() {
            // The download nests one folder deep; a little slack, but no wandering.
            if depth < 3 {
                walk(root, &path, depth + 1, found)?;
            }
            continue;
        }
        let name = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let role = role_of(&name);
        let bytes = if wants_bytes(&role, meta.len()) {
            if meta.len() > MAX_FILE_BYTES {
                return Err(too_large(&name));
            }
            Some(fs::read(&path).map_err(|e| io(&path, e))?)
        } else {
            None
        };
        found.push((name, role, bytes));
    }
    Ok(())
}

fn read_zip(
    path: &Path,
    found: &mut Vec<(String, Role, Option<Vec<u8>>)>,
) -> Result<(), ImportError> {
    let file = fs::File::open(path).map_err(|e| io(path, e))?;
    let zip_error = |e: zip::result::ZipError| ImportError::Zip {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let mut zip = zip::ZipArchive::new(file).map_err(zip_error)?;
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).map_err(zip_error)?;
        if entry.is_dir() {
            continue;
        }
        // enclosed_name rejects `..` and absolute paths: never trust names inside a zip.
        let Some(inner) = entry.enclosed_name() else {
            found.push((entry.name().to_string(), Role::Ignored, None));
            continue;
        };
        let name = inner
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let role = role_of(&name);
        let bytes = if wants_bytes(&role, entry.size()) {
            if entry.size() > MAX_FILE_BYTES {
                return Err(too_large(&name));
            }
            let mut bytes = Vec::with_capacity(entry.size() as usize);
            // `take` guards against a header that understates the real size.
            (&mut entry)
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| ImportError::Zip {
                    path: path.to_path_buf(),
                    detail: format!("{name}: {e}"),
                })?;
            if bytes.len() as u64 > MAX_FILE_BYTES {
                return Err(too_large(&name));
            }
            Some(bytes)
        } else {
            None
        };
        found.push((name, role, bytes));
    }
    Ok(())
}

fn io(path: &Path, source: std::io::Error) -> ImportError {
    ImportError::Io {
        path: path.to_path_buf(),
        source,
    }
}
