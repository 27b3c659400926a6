//! Repairs what an interrupted export left in an output folder. An export writes each format
//! into a staging folder (`.<format>.partial-<random>`) and swaps it in by renaming the old
//! folder aside (`.<format>.old.partial-replaced`); a kill can leave either behind, and a kill
//! between the two renames leaves the format's folder missing. Repair puts the previous export
//! back where the new one never arrived and removes the staging folders — only folders with
//! these names, which trackvault alone creates.

use std::fs;
use std::path::Path;

use super::output::STAGING_MARK;

/// What a repair did in one folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repaired {
    /// Formats whose previous export was put back.
    pub restored: Vec<String>,
    /// Staging folders removed.
    pub removed: usize,
}

/// Splits a staging folder name into its format and whether it is a replaced (old) folder.
fn staging_format(name: &str) -> Option<(&str, bool)> {
    let rest = name.strip_prefix('.')?;
    let old_mark = format!(".old{STAGING_MARK}");
    if let Some(i) = rest.find(&old_mark) {
        return Some((&rest[..i], true)).filter(|(f, _)| !f.is_empty());
    }
    let i = rest.rfind(STAGING_MARK)?;
    Some((&rest[..i], false)).filter(|(f, _)| !f.is_empty())
}

/// Repairs `out_dir` (a missing folder is fine). Best effort: what cannot be removed now is
/// tried again next time.
pub fn repair(out_dir: &Path) -> Repaired {
    let mut done = Repaired::default();
    let Ok(entries) = fs::read_dir(out_dir) else {
        return done;
    };
    let mut stale = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((format, old)) = staging_format(&name) else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_dir {
            continue;
        }
        let target = out_dir.join(format);
        if old && !target.exists() && fs::rename(entry.path(), &target).is_ok() {
            done.restored.push(format.to_string());
            continue;
        }
        stale.push(entry.path());
    }
    for path in stale {
        if fs::remove_dir_all(&path).is_ok() {
            done.removed += 1;
        }
    }
    done.restored.sort();
    done
}

/// Repairs every folder in `dirs` (e.g. each snapshot's `exports/`), returning the totals.
pub fn repair_all(dirs: impl IntoIterator<Item = std::path::PathBuf>) -> Repaired {
    let mut total = Repaired::default();
    for dir in dirs {
        let r = repair(&dir);
        total.removed += r.removed;
        total.restored.extend(r.restored);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_parsed_without_panics() {
        assert_eq!(staging_format(".json.partial-ab12"), Some(("json", false)));
        assert_eq!(
            staging_format(".m3u8.old.partial-replaced"),
            Some(("m3u8", true))
        );
        assert_eq!(staging_format("json"), None);
        assert_eq!(staging_format(".partial-x"), None);
        assert_eq!(staging_format(".old.partial-x"), Some(("old", false)));
    }

    #[test]
    fn restores_a_replaced_export_and_removes_staging_but_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        fs::create_dir_all(out.join(".json.old.partial-replaced")).unwrap();
        fs::write(out.join(".json.old.partial-replaced/library.json"), "{}").unwrap();
        fs::create_dir_all(out.join(".json.partial-0011aa")).unwrap();
        fs::create_dir_all(out.join(".txt.partial-0011aa/albums")).unwrap();
        fs::create_dir_all(out.join("txt")).unwrap();
        fs::create_dir_all(out.join("mine")).unwrap();
        fs::write(out.join(".xspf.partial-file"), "a file, not ours").unwrap();
        let r = repair(out);
        assert_eq!(r.restored, ["json"]);
        assert_eq!(r.removed, 2);
        assert!(out.join("json/library.json").is_file());
        assert!(out.join("txt").is_dir() && out.join("mine").is_dir());
        assert!(out.join(".xspf.partial-file").is_file());
        assert!(!out.join(".txt.partial-0011aa").exists());
    }
}
