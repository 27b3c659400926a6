//! Content-addressed blob store: raw API pages, gzip-compressed, named by the SHA-256 of their
//! uncompressed bytes. Storing the same page twice costs nothing, which is what makes an
//! unchanged playlist free in a new snapshot.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use sha2::{Digest, Sha256};

use super::ArchiveError;
use crate::fsutil;

/// Hex SHA-256 of `bytes`: an object's name.
pub fn object_id(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `id` can name an object: 64 lowercase hex digits (a SHA-256).
pub fn is_object_id(id: &str) -> bool {
    id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The `objects/` directory of an archive.
#[derive(Debug, Clone)]
pub struct ObjectStore {
    dir: PathBuf,
}

impl ObjectStore {
    pub fn new(dir: PathBuf) -> Self {
        ObjectStore { dir }
    }

    /// `objects/ab/abcdef….gz`: two-character fan-out keeps directories small.
    pub fn path(&self, id: &str) -> PathBuf {
        let shard = id.get(..2).unwrap_or("xx");
        self.dir.join(shard).join(format!("{id}.gz"))
    }

    pub fn contains(&self, id: &str) -> bool {
        is_object_id(id) && self.path(id).is_file()
    }

    /// Stores `bytes` (if not already there) and returns their id.
    pub fn put(&self, bytes: &[u8]) -> Result<String, ArchiveError> {
        let id = object_id(bytes);
        let path = self.path(&id);
        if path.is_file() {
            return Ok(id);
        }
        let mut encoder =
            GzEncoder::new(Vec::with_capacity(bytes.len() / 4), Compression::default());
        encoder
            .write_all(bytes)
            .and_then(|()| encoder.finish())
            .and_then(|gz| fsutil::write_atomic(&path, &gz, None))
            .map_err(|e| ArchiveError::io(&path, e))?;
        Ok(id)
    }

    /// Reads an object back and checks that its content still hashes to its name.
    pub fn get(&self, id: &str) -> Result<Vec<u8>, ArchiveError> {
        let path = self.path(id);
        if !is_object_id(id) {
            // A manifest or journal naming a path (`../..`) never reaches the file system.
            return Err(ArchiveError::Corrupt {
                path: self.dir.clone(),
                detail: "a page reference is not an object id".into(),
            });
        }
        let bytes = read_gz(&path)?;
        let actual = object_id(&bytes);
        if actual != id {
            return Err(ArchiveError::Corrupt {
                path,
                detail: format!("content hashes to {actual}, not to its name"),
            });
        }
        Ok(bytes)
    }

    /// Checks that an object decompresses and hashes to its name without holding it in
    /// memory: the content is hashed as it is decompressed, and decompression stops at
    /// [`MAX_OBJECT_BYTES`] (a small gzip "bomb" would otherwise expand to gigabytes).
    pub fn check(&self, id: &str) -> Result<(), ArchiveError> {
        let path = self.path(id);
        let file = fs::File::open(&path).map_err(|e| ArchiveError::io(&path, e))?;
        let mut decoder = GzDecoder::new(file).take(MAX_OBJECT_BYTES + 1);
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut total: u64 = 0;
        loop {
            let n = match decoder.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(undecodable(&path, e)),
            };
            total += n as u64;
            if total > MAX_OBJECT_BYTES {
                return Err(oversized(&path));
            }
            hasher.update(&buffer[..n]);
        }
        let actual = hex::encode(hasher.finalize());
        if actual != id {
            return Err(ArchiveError::Corrupt {
                path,
                detail: format!("content hashes to {actual}, not to its name"),
            });
        }
        Ok(())
    }

    /// Every object id present on disk.
    pub fn list(&self) -> Result<Vec<String>, ArchiveError> {
        let mut ids = Vec::new();
        let shards = match fs::read_dir(&self.dir) {
            Ok(shards) => shards,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ids),
            Err(e) => return Err(ArchiveError::io(&self.dir, e)),
        };
        for shard in shards {
            let shard = shard.map_err(|e| ArchiveError::io(&self.dir, e))?.path();
            if !shard.is_dir() {
                continue;
            }
            for file in fs::read_dir(&shard).map_err(|e| ArchiveError::io(&shard, e))? {
                let name = file.map_err(|e| ArchiveError::io(&shard, e))?.file_name();
                if let Some(id) = name.to_string_lossy().strip_suffix(".gz") {
                    if !id.starts_with('.') {
                        ids.push(id.to_string());
                    }
                }
            }
        }
        ids.sort();
        Ok(ids)
    }

    pub fn remove(&self, id: &str) -> Result<(), ArchiveError> {
        let path = self.path(id);
        fs::remove_file(&path).map_err(|e| ArchiveError::io(&path, e))
    }
}

/// Largest object content trackvault reads back: far above any API page or imported file
/// (import stores files of at most 256 MB).
pub const MAX_OBJECT_BYTES: u64 = 512 * 1024 * 1024;

fn read_gz(path: &Path) -> Result<Vec<u8>, ArchiveError> {
    let file = fs::File::open(path).map_err(|e| ArchiveError::io(path, e))?;
    let mut bytes = Vec::new();
    GzDecoder::new(file)
        .take(MAX_OBJECT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| undecodable(path, e))?;
    if bytes.len() as u64 > MAX_OBJECT_BYTES {
        return Err(oversized(path));
    }
    Ok(bytes)
}

fn undecodable(path: &Path, e: std::io::Error) -> ArchiveError {
    ArchiveError::Corrupt {
        path: path.to_path_buf(),
        detail: format!("cannot be decompressed ({e})"),
    }
}

fn oversized(path: &Path) -> ArchiveError {
    ArchiveError::Corrupt {
        path: path.to_path_buf(),
        detail: format!(
            "decompresses to more than {} MB, more than trackvault ever stores in one object",
            MAX_OBJECT_BYTES / (1024 * 1024)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_once_and_detects_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let store = ObjectStore::new(dir.path().join("objects"));
        let a = store.put(b"{\"items\":[]}").unwrap();
        let again = store.put(b"{\"items\":[]}").unwrap();
        assert_eq!(a, again);
        assert_eq!(store.list().unwrap(), vec![a.clone()]);
        assert_eq!(store.get(&a).unwrap(), b"{\"items\":[]}");

        // Replace the object with another valid gzip stream: the hash check must catch it.
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(b"tampered").unwrap();
        fs::write(store.path(&a), enc.finish().unwrap()).unwrap();
        assert!(matches!(store.get(&a), Err(ArchiveError::Corrupt { .. })));

        fs::write(store.path(&a), b"not gzip").unwrap();
        assert!(matches!(store.get(&a), Err(ArchiveError::Corrupt { .. })));
    }
}
