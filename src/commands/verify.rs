//! `trackvault verify`: re-hash objects and check counts; non-zero exit on any damage.

use std::fmt::Write as _;

use super::{emit, Out};
use crate::archive::{verify_snapshot, Archive};
use crate::cli::VerifyArgs;
use crate::config::Settings;
use crate::error::{Error, Result};

pub fn run(settings: &Settings, args: &VerifyArgs, out: Out<'_>) -> Result<()> {
    let archive = Archive::open(&settings.archive_root)?;
    let ids = if args.all {
        archive.snapshots()?.into_iter().map(|s| s.id).collect()
    } else {
        vec![archive.resolve(args.snapshot.as_deref())?]
    };
    let mut damaged = Vec::new();
    let mut text = String::new();
    for id in &ids {
        let report = verify_snapshot(&archive, id)?;
        if report.is_ok() {
            let _ = writeln!(
                text,
                "{id}: OK ({} objects re-hashed, counts match)",
                report.objects_checked
            );
        } else {
            let _ = writeln!(text, "{id}: DAMAGED ({} problems)", report.problems.len());
            damaged.push(report);
        }
    }
    emit(out, &text)?;
    match damaged.first() {
        None => Ok(()),
        Some(_) => Err(Error::VerifyFailed {
            snapshot: damaged
                .iter()
                .map(|r| r.snapshot.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            problems: damaged
                .iter()
                .flat_map(|r| r.problems.iter().map(|p| format!("  - {p}")))
                .collect::<Vec<_>>()
                .join("\n"),
        }),
    }
}
