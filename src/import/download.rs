//! Reading a data download from a zip or a folder: find the files import uses, by name
//! (`YourLibrary.json`, `Playlist<N>.json`, `Userdata.json`) in any subfolder (`Spotify Account
//! Data/`, older `MyData/`), or by content for renamed JSON files that hold `playlists`.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::ImportError;

/// Largest file import reads (real ones are a few MB; a 100,000-song library is ~20 MB).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Largest total of the files import keeps in memory, over the whole download.
pub const MAX_TOTAL_BYTES: u64 = 512 * 1024 * 1024;
/// How much of another JSON file is read to see whether it is a renamed playlist file.
const SNIFF_BYTES: u64 = 64 * 1024;

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
    /// Entries of a folder that were not read, each with the reason (dangling links, links
    /// to folders, devices, FIFOs, sockets).
    pub skipped: Vec<String>,
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
    let mut files = DownloadFiles::default();
    let mut budget = Budget::default();
    if meta.is_dir() {
        walk(path, path, 0, &mut found, &mut files.skipped, &mut budget)?;
    } else if meta.is_file() {
        read_zip(path, &mut found, &mut budget)?;
    } else {
        // A FIFO or a device would block or never end.
        return Err(ImportError::NotAFile(path.to_path_buf()));
    }
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
            // read_entry keeps the bytes of another JSON file only if it is a playlist file.
            Role::OtherJson if bytes.is_some() => playlists.push((u32::MAX, file(bytes))),
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

/// Could this be a playlist file? It is a JSON object and its start (the first
/// [`SNIFF_BYTES`]) names `playlists`, as Spotify's playlist files do in their first line.
fn may_be_playlists(start: &[u8]) -> bool {
    let start = super::bounded_json::strip_bom(start);
    let first = start.iter().find(|b| !b.is_ascii_whitespace());
    first == Some(&b'{') && start.windows(11).any(|w| w == b"\"playlists\"")
}

/// A JSON object with a top-level `playlists` array: a playlist file under another name.
fn looks_like_playlists(bytes: &[u8]) -> bool {
    if !may_be_playlists(bytes) {
        return false;
    }
    super::bounded_json::parse(super::bounded_json::strip_bom(bytes))
        .ok()
        .and_then(|v| v.get("playlists").map(serde_json::Value::is_array))
        .unwrap_or(false)
}

/// Bytes kept in memory so far, against [`MAX_TOTAL_BYTES`].
#[derive(Default)]
struct Budget {
    used: u64,
}

impl Budget {
    fn take(&mut self, bytes: u64) -> Result<(), ImportError> {
        self.used = self.used.saturating_add(bytes);
        if self.used > MAX_TOTAL_BYTES {
            return Err(ImportError::TooLarge {
                what: "the files import reads".into(),
                limit_mb: MAX_TOTAL_BYTES / (1024 * 1024),
            });
        }
        Ok(())
    }
}

fn too_large(name: &str) -> ImportError {
    ImportError::TooLarge {
        what: name.to_string(),
        limit_mb: MAX_FILE_BYTES / (1024 * 1024),
    }
}

/// Reads what import needs of one file: all of a file it uses, the start of another JSON
/// file (and all of it only if that start looks like a playlist file), nothing of the rest.
/// Sizes are enforced on the bytes actually read, whatever a header claims.
fn read_entry(
    name: &str,
    role: Role,
    declared: u64,
    reader: &mut dyn Read,
    budget: &mut Budget,
    read_error: impl Fn(std::io::Error) -> ImportError,
) -> Result<(Role, Option<Vec<u8>>), ImportError> {
    let mut bytes = Vec::new();
    match role {
        Role::Ignored => return Ok((role, None)),
        Role::OtherJson => {
            (&mut *reader)
                .take(SNIFF_BYTES)
                .read_to_end(&mut bytes)
                .map_err(&read_error)?;
            if !may_be_playlists(&bytes) {
                return Ok((role, None));
            }
        }
        Role::Library | Role::Playlists(_) | Role::Userdata => {
            if declared > MAX_FILE_BYTES {
                return Err(too_large(name));
            }
            // Sized once from the header (capped), so reading does not double the buffer.
            bytes.reserve_exact(declared as usize);
        }
    }
    let already = bytes.len() as u64;
    (&mut *reader)
        .take(MAX_FILE_BYTES + 1 - already)
        .read_to_end(&mut bytes)
        .map_err(&read_error)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(name));
    }
    // A header that overstated the size leaves no unused reservation behind.
    bytes.shrink_to_fit();
    budget.take(bytes.len() as u64)?;
    if matches!(role, Role::OtherJson) && !looks_like_playlists(&bytes) {
        return Ok((role, None));
    }
    Ok((role, Some(bytes)))
}

fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    found: &mut Vec<(String, Role, Option<Vec<u8>>)>,
    skipped: &mut Vec<String>,
    budget: &mut Budget,
) -> Result<(), ImportError> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .map(|e| e.map(|e| e.path()).map_err(|e| io(dir, e)))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        let name = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        // Only regular files are read, and links only when they lead to one: a link to
        // /dev/zero would never end, a FIFO would block, a dangling link is just skipped.
        let link = fs::symlink_metadata(&path).map_err(|e| io(&path, e))?;
        let meta = if link.file_type().is_symlink() {
            match fs::metadata(&path) {
                Ok(meta) if meta.is_file() => meta,
                Ok(meta) if meta.is_dir() => {
                    skipped.push(format!("{name} (a link to a folder; not followed)"));
                    continue;
                }
                Ok(_) => {
                    skipped.push(format!("{name} (a link to something that is not a file)"));
                    continue;
                }
                Err(_) => {
                    skipped.push(format!("{name} (a link to nothing)"));
                    continue;
                }
            }
        } else {
            link
        };
        if meta.is_dir() {
            // The download nests one folder deep; a little slack, but no wandering.
            if depth < 3 {
                walk(root, &path, depth + 1, found, skipped, budget)?;
            }
            continue;
        }
        if !meta.is_file() {
            skipped.push(format!("{name} (not a regular file)"));
            continue;
        }
        let role = role_of(&name);
        if matches!(role, Role::Ignored) {
            found.push((name, role, None));
            continue;
        }
        let mut file = fs::File::open(&path).map_err(|e| io(&path, e))?;
        let (role, bytes) =
            read_entry(&name, role, meta.len(), &mut file, budget, |e| io(&path, e))?;
        found.push((name, role, bytes));
    }
    Ok(())
}

fn read_zip(
    path: &Path,
    found: &mut Vec<(String, Role, Option<Vec<u8>>)>,
    budget: &mut Budget,
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
        let declared = entry.size();
        let (role, bytes) = read_entry(&name, role, declared, &mut entry, budget, |e| {
            ImportError::Zip {
                path: path.to_path_buf(),
                detail: format!("{name}: {e}"),
            }
        })?;
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
