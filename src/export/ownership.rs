//! Which format folders an export may replace. `export --out DIR` writes `DIR/<format>/` by
//! replacing that folder whole, so it must never be a folder the user keeps their own files
//! in. Every format folder trackvault writes carries a marker file ([`MARKER`]); an existing
//! `DIR/<format>` without it is refused with a clear message (exit 2) and left untouched.
//! Format folders inside an archive's own snapshot (`snapshots/<id>/exports/`) are
//! trackvault's by construction, including those written before markers existed.

use std::fs;
use std::io;
use std::path::Path;

use super::ExportError;

/// Written into every format folder trackvault creates.
pub const MARKER: &str = ".trackvault-export";

const MARKER_TEXT: &str =
    "This folder was written by `trackvault export`; the next export into it replaces it whole.\n";

/// Puts the marker into a (staging) format folder.
pub fn mark(dir: &Path) -> io::Result<()> {
    fs::write(dir.join(MARKER), MARKER_TEXT)
}

/// Ok when `<out_dir>/<format>` does not exist or is a folder trackvault wrote.
pub fn check_replaceable(out_dir: &Path, format: &str) -> Result<(), ExportError> {
    let target = out_dir.join(format);
    let meta = match fs::symlink_metadata(&target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ExportError::io(&target, e)),
    };
    let marked = meta.is_dir()
        && fs::symlink_metadata(target.join(MARKER)).is_ok_and(|m| m.file_type().is_file());
    if marked || (meta.is_dir() && inside_snapshot(out_dir)) {
        return Ok(());
    }
    Err(ExportError::NotOurs { path: target })
}

/// `…/snapshots/<id>/exports` (or a draft's): an archive's own export folder.
fn inside_snapshot(out_dir: &Path) -> bool {
    out_dir.file_name().is_some_and(|n| n == "exports")
        && out_dir
            .parent()
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .is_some_and(|n| n == "snapshots")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_marked_or_archive_folders_are_replaceable() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        assert!(check_replaceable(out, "json").is_ok(), "absent");
        fs::create_dir(out.join("json")).unwrap();
        fs::write(out.join("json/mine.txt"), "keep").unwrap();
        assert!(matches!(
            check_replaceable(out, "json"),
            Err(ExportError::NotOurs { .. })
        ));
        mark(&out.join("json")).unwrap();
        assert!(check_replaceable(out, "json").is_ok(), "marked");
        fs::write(out.join("txt"), "a file").unwrap();
        assert!(check_replaceable(out, "txt").is_err(), "a plain file");

        let exports = out.join("snapshots/20260101T000000Z/exports");
        fs::create_dir_all(exports.join("m3u8")).unwrap();
        assert!(
            check_replaceable(&exports, "m3u8").is_ok(),
            "legacy archive"
        );
    }
}
