//! `trackvault diff [OLD] [NEW]`: what changed between two snapshots.

use super::{emit, Out};
use crate::archive::Archive;
use crate::cli::DiffArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::history::diff::diff_snapshots;
use crate::history::{render, HistoryError};

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
    let diff = diff_snapshots(&archive, &old_id, &new_id)?;
    if args.json {
        let mut text = serde_json::to_string_pretty(&diff).unwrap_or_default();
        text.push('\n');
        emit(out, &text)
    } else {
        emit(out, &render::diff_text(&diff))
    }
}
