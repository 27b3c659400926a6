//! `trackvault enrich [SNAPSHOT]`: attach ISRCs and MusicBrainz IDs to a snapshot's library.

use super::{emit, Out};
use crate::archive::Archive;
use crate::cli::EnrichArgs;
use crate::config::Settings;
use crate::enrich::musicbrainz::MusicBrainz;
use crate::enrich::overrides::Overrides;
use crate::enrich::pipeline::EnrichOptions;
use crate::enrich::review::write_review;
use crate::error::Result;
use crate::progress::ProgressHandle;

pub use crate::app::enrich::enrich_snapshot;

pub async fn run(
    settings: &Settings,
    args: &EnrichArgs,
    progress: ProgressHandle,
    out: Out<'_>,
) -> Result<()> {
    let archive = Archive::open(&settings.archive_root)?;
    let _lock = archive.lock("enrich")?;
    let snapshot = archive.resolve(args.snapshot.as_deref())?;
    // Read user input before any request, so a typo costs nothing.
    let overrides = match &args.overrides {
        Some(path) => Overrides::load(path)?,
        None => Overrides::default(),
    };
    let opts = EnrichOptions {
        refresh: args.refresh,
        overrides,
        ..EnrichOptions::default()
    };
    let client = MusicBrainz::from_settings(settings)?;
    let (summary, _) = enrich_snapshot(&archive, &snapshot, &client, &opts, progress).await?;
    let mut text = format!("Snapshot {snapshot}\n{summary}");
    if let Some(path) = &args.review {
        write_review(path, &summary.review)?;
        text.push_str(&format!(
            "Wrote {} tracks to review to {}; fill its `override` column (an MBID or `none`) and run `trackvault enrich --overrides {}`\n",
            summary.needs_review,
            path.display(),
            path.display()
        ));
    }
    emit(out, &text)
}
