//! `trackvault prune --keep-daily N --keep-monthly M [--dry-run]`: snapshot retention.

use std::fmt::Write as _;
use std::time::SystemTime;

use super::{emit, Out};
use crate::archive::Archive;
use crate::cli::PruneArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::history::prune::{execute_prune, plan_prune, PrunePolicy};

pub fn run(settings: &Settings, args: &PruneArgs, out: Out<'_>) -> Result<()> {
    let archive = Archive::open(&settings.archive_root)?;
    // A dry run changes nothing and needs no lock.
    let _lock = if args.dry_run {
        None
    } else {
        Some(archive.lock("prune")?)
    };
    if !args.dry_run {
        archive.remove_leftovers()?;
    }
    let policy = PrunePolicy::new(args.keep_daily, args.keep_monthly);
    let plan = plan_prune(&archive, &policy, SystemTime::now())?;
    if !args.dry_run {
        execute_prune(&archive, &plan)?;
    }
    let mut t = String::new();
    let _ = writeln!(t, "Keeping {} snapshot(s):", plan.keep.len());
    for k in &plan.keep {
        let _ = writeln!(t, "  {} ({})", k.id, k.reasons.join(", "));
    }
    let verb = if args.dry_run {
        "Would remove"
    } else {
        "Removed"
    };
    if plan.remove.is_empty() {
        t.push_str("Nothing to remove.\n");
    } else {
        let _ = writeln!(t, "{verb} {} snapshot(s):", plan.remove.len());
        for id in &plan.remove {
            let _ = writeln!(t, "  {id}");
        }
        let _ = writeln!(
            t,
            "{verb} {} object(s) only those snapshots used; {} freed.",
            plan.remove_objects.len(),
            human_bytes(plan.bytes_freed)
        );
        if plan.objects_still_referenced > 0 {
            let _ = writeln!(
                t,
                "Kept {} of their object(s) that kept snapshots or an unfinished backup still use.",
                plan.objects_still_referenced
            );
        }
        if plan.objects_too_young > 0 {
            let _ = writeln!(
                t,
                "Kept {} object(s) written in the last hour (a backup may be running); prune again later to free them.",
                plan.objects_too_young
            );
        }
    }
    if args.dry_run {
        t.push_str("Dry run: nothing was changed.\n");
    }
    emit(out, &t)
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
