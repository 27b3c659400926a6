//! `trackvault verify`: re-hash objects and check counts; non-zero exit on any damage.
//! `--all` also reports damaged snapshot folders (missing or garbage manifest), a damaged
//! `latest` and unfinished backups whose stored pages are gone.

use std::fmt::Write as _;

use super::{emit, Out};
use crate::archive::{verify_damaged, verify_latest, verify_snapshot, Archive, VerifyReport};
use crate::cli::VerifyArgs;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::spotify::checkpoint::Checkpoint;

pub fn run(settings: &Settings, args: &VerifyArgs, out: Out<'_>) -> Result<()> {
    let archive = Archive::open(&settings.archive_root)?;
    let mut reports = Vec::new();
    if args.all {
        for info in archive.snapshots()? {
            reports.push(verify_snapshot(&archive, &info.id)?);
        }
        reports.extend(verify_damaged(&archive)?);
        reports.sort_by(|a, b| a.snapshot.cmp(&b.snapshot));
        reports.extend(verify_unfinished(&archive)?);
    } else {
        // A damaged snapshot named by the user is reported, not "unknown".
        let damaged = match args.snapshot.as_deref() {
            Some(wanted) if wanted != "latest" => verify_damaged(&archive)?
                .into_iter()
                .find(|r| r.snapshot == wanted),
            _ => None,
        };
        match damaged {
            Some(report) => reports.push(report),
            None => reports.push(verify_snapshot(
                &archive,
                &archive.resolve(args.snapshot.as_deref())?,
            )?),
        }
    }
    if args.all || args.snapshot.is_none() {
        let problems = verify_latest(&archive)?;
        if !problems.is_empty() {
            reports.push(VerifyReport {
                snapshot: "latest".into(),
                objects_checked: 0,
                problems,
                notes: Vec::new(),
            });
        }
    }
    let mut damaged = Vec::new();
    let mut text = String::new();
    for report in reports {
        let id = &report.snapshot;
        if report.is_ok() {
            let _ = writeln!(
                text,
                "{id}: OK ({} objects re-hashed, counts match)",
                report.objects_checked
            );
            for note in &report.notes {
                let _ = writeln!(text, "  note: {note}");
            }
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

/// Unfinished backups (drafts with a journal) whose stored pages are missing or damaged: the
/// next backup fetches those parts again, but something removed them and the user should know.
fn verify_unfinished(archive: &Archive) -> Result<Vec<VerifyReport>> {
    let mut reports = Vec::new();
    for draft in archive.drafts()? {
        if !Checkpoint::exists(draft.dir()) {
            continue;
        }
        let name = format!("unfinished backup {}", draft.id);
        let cp = match Checkpoint::inspect(draft.dir()) {
            Ok(cp) => cp,
            Err(e) => {
                reports.push(VerifyReport {
                    snapshot: name,
                    objects_checked: 0,
                    problems: vec![format!("its journal cannot be read ({e})")],
                    notes: Vec::new(),
                });
                continue;
            }
        };
        let pages = cp.referenced_pages();
        let problems: Vec<String> = pages
            .iter()
            .filter(|(_, page)| archive.objects().get(page).is_err())
            .map(|(key, page)| {
                format!(
                    "{key}: stored page {page} is missing or damaged, so this backup cannot resume \
                     as recorded; the next `trackvault backup` fetches {key} again"
                )
            })
            .collect();
        if !problems.is_empty() {
            reports.push(VerifyReport {
                snapshot: name,
                objects_checked: pages.len(),
                problems,
                notes: Vec::new(),
            });
        }
    }
    Ok(reports)
}
