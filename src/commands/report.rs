//! `trackvault report [SNAPSHOT] [--out FILE]`: the workflow is [`crate::app::report`].

use super::{emit, Out};
use crate::app::report::{write_report, ReportOptions};
use crate::archive::Archive;
use crate::cli::ReportArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::terminal_text::for_terminal_output;

pub fn run(settings: &Settings, args: &ReportArgs, out: Out<'_>) -> Result<()> {
    let archive = Archive::open(&settings.archive_root)?;
    let outcome = write_report(
        &archive,
        &ReportOptions {
            snapshot: args.snapshot.clone(),
            out: args.out.clone(),
        },
    )?;
    let mut text = String::new();
    for (id, problem) in &outcome.skipped {
        text.push_str(&format!(
            "warning: snapshot {id} left out of the history: {}\n",
            for_terminal_output(problem)
        ));
    }
    text.push_str(&format!(
        "Report of snapshot {} ({} entries, history of {} snapshot(s), {:.1} MB) written to\n{}\nOpen it in any browser; it needs no network.\n",
        outcome.snapshot,
        outcome.entries,
        outcome.snapshots,
        outcome.bytes as f64 / 1e6,
        for_terminal_output(&outcome.path.display().to_string()),
    ));
    emit(out, &text)
}
