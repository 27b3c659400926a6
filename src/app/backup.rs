//! The backup workflow: fetch the library into a new snapshot (resuming an interrupted one) —
//! drafts, the checkpoint journal, Ctrl-C and journaled pauses — then enrich and export it,
//! printing each stage's summary. `trackvault backup` and `trackvault demo` run it.

use std::collections::BTreeMap;
use std::time::Instant;

use super::enrich::enrich_snapshot;
use super::{emit, Out};
use crate::archive::{Archive, Draft, Manifest};
use crate::enrich::musicbrainz::MusicBrainz;
use crate::enrich::pipeline::EnrichOptions;
use crate::error::{Error, Result};
use crate::export::{export_library, ExportOptions};
use crate::http::HttpError;
use crate::model::{Library, SOURCE_WEB_API};
use crate::progress::ProgressHandle;
use crate::spotify::assemble::{self, Records};
use crate::spotify::checkpoint::{Checkpoint, Event, FILE_NAME};
use crate::spotify::fetch::{fetch_all, manifest_order};
use crate::spotify::{BackupSummary, SpotifyClient, SpotifyError};

#[derive(Debug, Clone, Default)]
pub struct BackupOptions {
    /// Refetch everything instead of reusing unchanged collections.
    pub full: bool,
    /// Stop cleanly (journal saved) on Ctrl-C; the binary sets this, tests don't.
    pub stop_on_ctrl_c: bool,
}

/// What the pipeline stages after fetching should do.
#[derive(Debug, Clone, Default)]
pub struct PipelineOptions {
    pub fetch: BackupOptions,
    pub enrich: bool,
    pub export: bool,
}

/// The outcome of a finished backup.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub snapshot_id: String,
    pub summary: BackupSummary,
}

/// The whole pipeline over explicit clients (the demo passes replaying ones): fetch into a
/// snapshot, then enrich it and export it, printing each stage's summary on `out`.
///
/// The snapshot is complete and saved before enrichment starts, so a failed enrichment never
/// loses it: the exports are still written (without the missing identifiers) and the error is
/// returned afterwards, telling the user to run `trackvault enrich`.
pub async fn backup_with(
    archive: &Archive,
    spotify: &SpotifyClient,
    musicbrainz: &MusicBrainz,
    opts: &PipelineOptions,
    progress: ProgressHandle,
    out: Out<'_>,
) -> Result<BackupReport> {
    let summary = run_backup(archive, spotify, &opts.fetch, &progress)
        .await
        .map_err(into_error)?;
    let snapshot_id = summary.snapshot_id.clone();
    emit(out, &summary.render())?;
    let mut enrich_failure = None;
    // The enriched library, kept so the export stage need not read it back from disk.
    let mut enriched = None;
    if opts.enrich {
        let outcome = enrich_snapshot(
            archive,
            &snapshot_id,
            musicbrainz,
            &EnrichOptions::default(),
            progress.clone(),
        )
        .await;
        match outcome {
            Ok((enrich_summary, library)) => {
                emit(out, &format!("\nEnrichment\n{enrich_summary}"))?;
                enriched = Some(library);
            }
            Err(err) => {
                emit(
                    out,
                    "\nEnrichment did not finish; the snapshot is saved and `trackvault enrich` \
                     continues where it stopped.\n",
                )?;
                enrich_failure = Some(err);
            }
        }
    }
    if opts.export {
        let library = match enriched {
            Some(library) => library,
            None => archive.read_library(&snapshot_id)?,
        };
        let dir = archive.exports_dir(&snapshot_id);
        let export_summary = export_library(&library, &ExportOptions::default(), &dir)?;
        emit(out, &format!("\n{export_summary}"))?;
    }
    match enrich_failure {
        Some(err) => Err(err),
        None => Ok(BackupReport {
            snapshot_id,
            summary,
        }),
    }
}

/// A pause becomes exit 75 with the time to resume; everything else stays as it is.
fn into_error(err: SpotifyError) -> Error {
    match err {
        SpotifyError::Paused {
            reason,
            resume_after,
        } => Error::Paused {
            reason,
            resume_after,
        },
        other => Error::Spotify(other),
    }
}

/// Runs (or resumes) a backup and publishes the finished snapshot.
pub async fn run_backup(
    archive: &Archive,
    client: &SpotifyClient,
    options: &BackupOptions,
    progress: &ProgressHandle,
) -> Result<BackupSummary, SpotifyError> {
    let started = Instant::now();
    let counts_before = client.request_counts();
    let (draft, mut cp, resumed) = open_draft(archive)?;
    refuse_before_deadline(&cp)?;
    forget_missing_pages(archive, &mut cp)?;

    let (previous, prev_manifest) = previous_snapshot(archive, &mut cp, options.full)?;

    let outcome = {
        let fetching = fetch_all(archive, client, &mut cp, progress, prev_manifest.as_ref());
        if options.stop_on_ctrl_c {
            tokio::select! {
                result = fetching => result,
                _ = tokio::signal::ctrl_c() => Err(SpotifyError::Interrupted),
            }
        } else {
            fetching.await
        }
    };
    let this_run = client.request_counts().since(&counts_before);
    if let Err(err) = outcome {
        // Best effort: the journal already holds every stored page.
        let _ = cp.record(Event::Requests {
            counts: this_run.0.clone(),
        });
        return Err(pause_or(err, &mut cp));
    }

    let mut summary_requests = cp.requests.clone();
    for (label, n) in &this_run.0 {
        let count = summary_requests.entry(label.clone()).or_default();
        *count = count.saturating_add(*n);
    }
    let order = manifest_order(archive, &cp)?;
    let library = build_library(archive, &cp, &order, previous.as_deref(), progress)?;

    let manifest = manifest_of(&cp, &order, summary_requests);
    let summary_base = BackupSummary::new(&manifest, &library, this_run, resumed);
    // The journal stays until the snapshot is in place: if saving fails (a full disk), the
    // next backup resumes instead of starting over. It moves with the draft and is deleted
    // from the published snapshot; a leftover copy there is harmless.
    drop(cp);
    let id = draft.finish(archive, manifest, &library)?;
    let journal = archive.snapshot_dir(&id).join(FILE_NAME);
    if let Err(e) = std::fs::remove_file(&journal) {
        tracing::debug!(path = %journal.display(), "cannot remove the finished journal: {e}");
    }
    Ok(summary_base.finished(id, started.elapsed()))
}

/// The snapshot this run compares against (recorded in the journal when the run starts, so a
/// resumed run keeps it), and its manifest unless `full` asks to refetch everything.
fn previous_snapshot(
    archive: &Archive,
    cp: &mut Checkpoint,
    full: bool,
) -> Result<(Option<String>, Option<Manifest>), SpotifyError> {
    let previous = match cp.previous.clone() {
        Some(previous) => previous,
        None => {
            let previous = archive.latest()?;
            cp.record(Event::Started {
                previous: previous.clone(),
                full,
            })?;
            previous
        }
    };
    let prev_manifest = match (&previous, full) {
        (Some(id), false) => archive.read_manifest(id).ok(),
        _ => None,
    };
    Ok((previous, prev_manifest))
}

/// Builds `library.json` from the stored pages of every done collection; collections reused
/// unchanged from `previous` keep the enrichment they had there.
fn build_library(
    archive: &Archive,
    cp: &Checkpoint,
    order: &[String],
    previous: Option<&str>,
    progress: &ProgressHandle,
) -> Result<Library, SpotifyError> {
    let records = Records { by_key: &cp.done };
    progress.start("building library", None);
    let mut library = assemble::build_library(archive.objects(), &records)?;
    let reused: Vec<String> = order
        .iter()
        .filter(|k| {
            cp.done
                .get(*k)
                .is_some_and(|(r, _)| r.reused_from.is_some())
        })
        .cloned()
        .collect();
    if let (Some(prev), false) = (previous, reused.is_empty()) {
        if let Ok(old) = archive.read_library(prev) {
            assemble::carry_enrichment(&mut library, &old, &reused);
        }
    }
    progress.finish();
    Ok(library)
}

/// The manifest of the finished run: the collections in `order`, their notes (not for
/// skipped ones) and the requests of every run of this backup.
fn manifest_of(cp: &Checkpoint, order: &[String], requests: BTreeMap<String, u64>) -> Manifest {
    let mut manifest = Manifest::new(SOURCE_WEB_API);
    manifest.requests = requests;
    for (record, note) in order.iter().filter_map(|key| cp.done.get(key)) {
        manifest.collections.push(record.clone());
        if let Some(note) = note.as_ref().filter(|_| !record.skipped) {
            manifest.notes.push(note.clone());
        }
    }
    manifest
}

/// A page object the journal relies on is gone or damaged (a `prune` beside the backup, a
/// disk repair): forget that collection so it is fetched again, instead of failing at the
/// end of every later backup.
fn forget_missing_pages(archive: &Archive, cp: &mut Checkpoint) -> Result<(), SpotifyError> {
    let lost: std::collections::BTreeSet<String> = cp
        .referenced_pages()
        .into_iter()
        .filter(|(_, page)| archive.objects().get(page).is_err())
        .map(|(key, _)| key.to_string())
        .collect();
    for key in lost {
        tracing::warn!("a stored page of {key} is missing from the archive; fetching {key} again");
        cp.record(Event::Reset { key })?;
    }
    Ok(())
}

/// The newest unfinished draft with a journal, or a new draft.
fn open_draft(archive: &Archive) -> Result<(Draft, Checkpoint, bool), SpotifyError> {
    let resumable = archive
        .drafts()?
        .into_iter()
        .rev()
        .find(|d| Checkpoint::exists(d.dir()));
    let (draft, resumed) = match resumable {
        Some(draft) => (draft, true),
        None => (archive.new_draft()?, false),
    };
    let cp = Checkpoint::open(draft.dir())?;
    if resumed {
        tracing::info!(draft = %draft.id, "resuming the unfinished backup");
    }
    Ok((draft, cp, resumed))
}

/// Spotify asked us to stay away until a time still in the future: don't spend quota.
fn refuse_before_deadline(cp: &Checkpoint) -> Result<(), SpotifyError> {
    if let Some((reason, Some(until))) = &cp.paused {
        if let Ok(deadline) = chrono::DateTime::parse_from_rfc3339(until) {
            if deadline > chrono::Utc::now() {
                return Err(SpotifyError::Paused {
                    reason: format!("{reason} (still waiting)"),
                    resume_after: until.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Turns a quota stop or long Retry-After into a journaled pause.
fn pause_or(err: SpotifyError, cp: &mut Checkpoint) -> SpotifyError {
    // The resume time was fixed (and bounded to a day) when the answer arrived.
    let (reason, until) = match &err {
        SpotifyError::Http(HttpError::QuotaExceeded { until, .. }) => (
            "Spotify's request quota for this app is used up".to_string(),
            until.clone(),
        ),
        SpotifyError::Http(HttpError::LongRetryAfter {
            retry_after, until, ..
        }) => (
            format!(
                "Spotify asked to wait {} before the next request",
                crate::wait::human(*retry_after)
            ),
            Some(until.clone()),
        ),
        _ => return err,
    };
    let _ = cp.record(Event::Paused {
        reason: reason.clone(),
        until: until.clone(),
    });
    SpotifyError::Paused {
        reason,
        resume_after: until.unwrap_or_else(|| "a few hours (Spotify gave no time)".into()),
    }
}
