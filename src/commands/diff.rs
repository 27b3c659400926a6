//! `trackvault diff [OLD] [NEW]`: what changed between two snapshots.

use super::{emit, Out};
use crate::archive::Archive;
use crate::cli::DiffArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::history::{diff_libraries, render, HistoryError, SnapshotRef};

pub fn run(settings: &Settings, args: &DiffArgs, out: Out<'_>) -> Result<()> {
    let archive = Archive::open(&settings.archive_root)?;
    let (old_id, new_id) = match (&args.old, &args.new) {
        (None, _) => {
            let snapshots = archive.snapshots()?;
            match snapshots.as_slice() {
                [.., old, new] => (old.id.clone(), new.id.clone()),
                other => return Err(HistoryError::NotEnoughSnapshots(other.len()).into()),
            }
        }
        (Some(old), new) => (
            archive.resolve(Some(old))?,
            archive.resolve(new.as_deref())?,
        ),
    };
    let old = archive.read_library(&old_id)?;
    let new = archive.read_library(&new_id)?;
    let reference = |id: String, library: &crate::model::Library| SnapshotRef {
        snapshot: id,
        created_at: library.created_at.clone(),
        source: library.source.clone(),
    };
    let old_ref = reference(old_id, &old);
    let new_ref = reference(new_id, &new);
    let diff = diff_libraries(&old, &new, old_ref, new_ref);
    drop((old, new));
    if args.json {
        let mut text = serde_json::to_string_pretty(&diff).unwrap_or_default();
        text.push('\n');
        emit(out, &text)
    } else {
        emit(out, &render::diff_text(&diff))
    }
}
