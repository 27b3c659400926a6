//! Export a snapshot: check the options, read the snapshot's library and write the chosen
//! formats into the archive (under the lock, repairing what an interrupted export left) or into
//! another folder; with a local library, the m3u8 playlists point at the user's own files,
//! indexed with the archive's tag cache.

use std::path::Path;

use crate::archive::Archive;
use crate::error::Result;
use crate::export::{
    export_library_to, validate, validate_local, ExportOptions, ExportSummary, LocalTarget,
};
use crate::local_library::{self, PathStyle, Resolver};

/// Exports snapshot `snapshot` (default: the latest) of `archive` into `out_dir` (default: the
/// snapshot's exports folder); `local` is the user's music folder and how to write its paths.
/// Returns the exported snapshot's id and what was written.
pub fn export_snapshot(
    archive_root: &Path,
    snapshot: Option<&str>,
    opts: &ExportOptions,
    out_dir: Option<&Path>,
    local: Option<(&Path, PathStyle)>,
) -> Result<(String, ExportSummary)> {
    // Bad format names or mapping files are reported before touching the archive.
    validate(opts)?;
    if local.is_some() {
        validate_local(opts)?;
    }
    let archive = Archive::open(archive_root)?;
    // Exporting into the archive (the default) changes it: take the lock and repair what an
    // interrupted export left there. Exporting elsewhere only reads it.
    let into_archive = out_dir.is_none_or(|out| {
        let out = out.canonicalize().unwrap_or_else(|_| out.to_path_buf());
        let root = archive.root().canonicalize();
        root.is_ok_and(|root| out.starts_with(root))
    });
    let _lock = if into_archive {
        let lock = archive.lock("export")?;
        super::tidy::repair_exports(&archive);
        Some(lock)
    } else {
        None
    };
    let id = archive.resolve(snapshot)?;
    let library = archive.read_library(&id)?;
    let out_dir = out_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| archive.exports_dir(&id));
    if !into_archive {
        crate::export::recover::repair(&out_dir);
    }
    let local = match local {
        Some((dir, style)) => {
            let cache = archive.root().join(local_library::CACHE_FILE);
            let index = local_library::index(dir, &cache)?;
            Some(LocalTarget {
                resolver: Resolver::new(index),
                style,
            })
        }
        None => None,
    };
    let summary = export_library_to(&library, opts, &out_dir, local.as_ref())?;
    Ok((id, summary))
}
