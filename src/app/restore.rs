//! Executes a restore [`Plan`] against the logged-in account through the Spotify client, in
//! plan order: each playlist is created and filled batch by batch, then the library is saved
//! oldest first. Every completed step is journaled before the next request. Before repeating a
//! write whose outcome is unknown (killed, 5xx, dropped connection) it looks at the account: a
//! create is repeated only if no playlist carries the step's marker, an add only for the part
//! of the batch the playlist does not already end with. Quota stops and long `Retry-After`s
//! become a journaled pause (exit 75), like backup's.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::archive::Archive;
use crate::http::{HttpError, RequestCounts};
use crate::progress::ProgressHandle;
use crate::restore::journal::{journal_path, Event, Journal};
use crate::restore::plan::{render_skipped, Plan, PlaylistStep, Skipped};
use crate::restore::{plan, PlanOptions, RestoreError};
use crate::spotify::write::{self, Account, ITEMS_PER_ADD, URIS_PER_SAVE};
use crate::spotify::{Forbidden, SpotifyClient, SpotifyError};

/// How a restore behaves when a write's answer is lost.
#[derive(Debug, Clone)]
pub struct RestoreOptions {
    /// Look-and-retry rounds for one playlist after writes whose outcome is unknown.
    pub uncertain_retries: usize,
    /// Wait before looking again (doubled each round).
    pub uncertain_wait: Duration,
}

impl Default for RestoreOptions {
    fn default() -> Self {
        RestoreOptions {
            uncertain_retries: 4,
            uncertain_wait: Duration::from_secs(2),
        }
    }
}

/// What one run of a restore did.
#[derive(Debug, Clone)]
pub struct RestoreSummary {
    pub snapshot_id: String,
    pub account: String,
    pub journal: PathBuf,
    /// Playlists in the plan, and how many this run created.
    pub playlists: usize,
    pub playlists_created: usize,
    /// Entries this run added to playlists.
    pub entries_added: usize,
    /// Library items this run saved (or followed).
    pub library_saved: usize,
    /// Everything was already restored by earlier runs.
    pub already_done: bool,
    pub skipped: Vec<Skipped>,
    /// Requests this run sent, per endpoint (reads and writes).
    pub requests: RequestCounts,
    /// The write requests a fresh restore of this plan needs at least.
    pub minimum_writes: u64,
    pub elapsed: Duration,
}

impl RestoreSummary {
    /// Write requests this run sent (retries included).
    pub fn write_requests(&self) -> u64 {
        write_requests(&self.requests)
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Restored snapshot {} into Spotify account {}",
            self.snapshot_id, self.account
        );
        if self.already_done {
            let _ = writeln!(
                out,
                "  everything was already restored by an earlier run; nothing was written"
            );
        }
        let _ = writeln!(
            out,
            "  playlists created: {} (plan: {})",
            self.playlists_created, self.playlists
        );
        let _ = writeln!(out, "  playlist entries added: {}", self.entries_added);
        let _ = writeln!(
            out,
            "  library items saved or followed: {}",
            self.library_saved
        );
        out.push_str(&render_skipped(&self.skipped));
        let per_endpoint: Vec<String> = self
            .requests
            .0
            .iter()
            .map(|(label, n)| format!("{label} {n}"))
            .collect();
        let _ = writeln!(
            out,
            "  requests: {} ({} writes; a fresh restore of this plan needs at least {}){}{}",
            self.requests.total(),
            self.write_requests(),
            self.minimum_writes,
            if per_endpoint.is_empty() { "" } else { ": " },
            per_endpoint.join(", ")
        );
        let _ = writeln!(out, "  journal: {}", self.journal.display());
        let _ = writeln!(out, "  time: {:.1}s", self.elapsed.as_secs_f64());
        out
    }
}

/// Requests in `counts` that write (their labels start with the method).
pub fn write_requests(counts: &RequestCounts) -> u64 {
    counts
        .0
        .iter()
        .filter(|(label, _)| {
            label.starts_with("POST ") || label.starts_with("PUT ") || label.starts_with("DELETE ")
        })
        .map(|(_, n)| n)
        .sum()
}

/// What this run did, for the summary.
#[derive(Default)]
struct Tally {
    created: usize,
    added: usize,
    saved: usize,
}

/// Opens the archive at `archive_root` and plans the restore of snapshot `snapshot` (default:
/// the latest): the user's choices (`only` parts, `playlists` by name) are checked before the
/// library is read.
pub fn plan_snapshot(
    archive_root: &Path,
    snapshot: Option<&str>,
    only: &[String],
    playlists: &[String],
) -> crate::error::Result<(Archive, Plan)> {
    let archive = Archive::open(archive_root)?;
    let snapshot = archive.resolve(snapshot)?;
    // Check the user's choices before reading anything large or sending anything.
    let opts = PlanOptions::from_args(only, playlists)?;
    let library = archive.read_library(&snapshot)?;
    let plan = plan(&library, &snapshot, &opts)?;
    Ok((archive, plan))
}

/// Restores `plan` into the account `client` is logged in to, journaling in `archive`.
pub async fn run_restore(
    archive: &Archive,
    client: &SpotifyClient,
    plan: &Plan,
    opts: &RestoreOptions,
    progress: &ProgressHandle,
) -> Result<RestoreSummary, RestoreError> {
    let started = Instant::now();
    let before = client.request_counts();
    let account = match write::me(client).await {
        Ok(account) => account,
        Err(e) => return Err(pause_or(classify(e.into()), None)),
    };
    let path = journal_path(archive.root(), &account.account_key, &plan.snapshot_id);
    let mut journal = Journal::open(&path)?;
    refuse_before_deadline(&journal)?;
    let already_done = is_done(plan, &journal);
    journal.record(Event::Started {
        snapshot: plan.snapshot_id.clone(),
        account: account.account_key.clone(),
        at: now(),
    })?;
    let mut tally = Tally::default();
    progress.start("restore", Some(plan.write_requests()));
    let result = execute(
        client,
        &account,
        plan,
        opts,
        &mut journal,
        &mut tally,
        progress,
    )
    .await;
    progress.finish();
    let requests = client.request_counts().since(&before);
    let _ = journal.record(Event::Requests {
        counts: requests.0.clone(),
    });
    match result {
        Ok(()) => {
            journal.record(Event::Finished { at: now() })?;
            Ok(RestoreSummary {
                snapshot_id: plan.snapshot_id.clone(),
                account: account.account_key,
                journal: path,
                playlists: plan.playlists.len(),
                playlists_created: tally.created,
                entries_added: tally.added,
                library_saved: tally.saved,
                already_done,
                skipped: plan.skipped.clone(),
                requests,
                minimum_writes: plan.write_requests(),
                elapsed: started.elapsed(),
            })
        }
        Err(err) => Err(pause_or(err, Some(&mut journal))),
    }
}

fn is_done(plan: &Plan, journal: &Journal) -> bool {
    plan.playlists.iter().all(|p| {
        journal.created.contains_key(&p.index)
            && journal.added(p.index) >= p.uris.len()
            && !journal.adding.contains_key(&p.index)
    }) && plan.library.iter().all(|u| journal.saved.contains(u))
}

async fn execute(
    client: &SpotifyClient,
    account: &Account,
    plan: &Plan,
    opts: &RestoreOptions,
    journal: &mut Journal,
    tally: &mut Tally,
    progress: &ProgressHandle,
) -> Result<(), RestoreError> {
    for step in &plan.playlists {
        let mut round = 0;
        loop {
            match restore_playlist(client, account, step, journal, tally, progress).await {
                Ok(()) => break,
                Err(err) if is_uncertain(&err) && round < opts.uncertain_retries => {
                    round += 1;
                    tracing::warn!(playlist = %step.name, "a write's outcome is unknown ({err}); looking before trying again");
                    tokio::time::sleep(opts.uncertain_wait * (1 << round.min(6))).await;
                }
                Err(err) => return Err(classify(err)),
            }
        }
    }
    let remaining: Vec<String> = plan
        .library
        .iter()
        .filter(|u| !journal.saved.contains(*u))
        .cloned()
        .collect();
    for batch in remaining.chunks(URIS_PER_SAVE) {
        write::save_to_library(client, batch)
            .await
            .map_err(|e| classify(e.into()))?;
        journal.record(Event::Saved {
            uris: batch.to_vec(),
        })?;
        tally.saved += batch.len();
        progress.advance(1);
    }
    Ok(())
}

/// Creates (or finds) the playlist of `step` and adds what the journal says is missing.
async fn restore_playlist(
    client: &SpotifyClient,
    account: &Account,
    step: &PlaylistStep,
    journal: &mut Journal,
    tally: &mut Tally,
    progress: &ProgressHandle,
) -> Result<(), RestoreError> {
    let index = step.index;
    if !journal.created.contains_key(&index) {
        if journal.creating.contains(&index) {
            // A create was sent before but its answer never reached the journal: look first.
            let found = write::find_my_playlist(client, |p| {
                p.owner_id == account.user_id && p.description.contains(&step.marker)
            })
            .await?;
            if let Some(found) = found {
                tracing::info!(playlist = %step.name, "found the playlist an interrupted run created");
                journal.record(Event::Created {
                    playlist: index,
                    id: found.id,
                })?;
                tally.created += 1;
                progress.advance(1);
            }
        }
        if !journal.created.contains_key(&index) {
            journal.record(Event::Creating {
                playlist: index,
                source_id: step.source_id.clone(),
                name: step.name.clone(),
                marker: step.marker.clone(),
            })?;
            let id = write::create_playlist(client, &step.name, &step.description).await?;
            journal.record(Event::Created {
                playlist: index,
                id,
            })?;
            tally.created += 1;
            progress.advance(1);
        }
    }
    let id = journal.created[&index].clone();
    loop {
        let done = journal.added(index);
        if let Some(&(_, count)) = journal.adding.get(&index) {
            let matched = look_at_playlist(client, step, &id, done, count, journal).await?;
            journal.record(Event::Added {
                playlist: index,
                from: done,
                count: matched,
            })?;
            tally.added += matched;
            continue;
        }
        if done >= step.uris.len() {
            return Ok(());
        }
        let batch = &step.uris[done..(done + ITEMS_PER_ADD).min(step.uris.len())];
        journal.record(Event::Adding {
            playlist: index,
            from: done,
            count: batch.len(),
        })?;
        write::add_items(client, &id, batch).await?;
        journal.record(Event::Added {
            playlist: index,
            from: done,
            count: batch.len(),
        })?;
        tally.added += batch.len();
        progress.advance(1);
    }
}

/// After an add whose outcome is unknown: reads the playlist from entry `done` and returns how
/// much of the batch (`count` URIs from `done`) is already there. Anything else there means
/// the playlist was edited meanwhile, and adding more would not reproduce the snapshot.
async fn look_at_playlist(
    client: &SpotifyClient,
    step: &PlaylistStep,
    id: &str,
    done: usize,
    count: usize,
    journal: &Journal,
) -> Result<usize, RestoreError> {
    let expected = &step.uris[done.min(step.uris.len())..(done + count).min(step.uris.len())];
    let (present, total) =
        write::playlist_uris_from(client, id, done, expected.len().max(1)).await?;
    // A row that reads back as null is a track unavailable in this account's market: it is
    // still the entry that was added.
    let matched = present
        .iter()
        .zip(expected)
        .take_while(|(got, want)| got.as_ref().is_none_or(|g| g == *want))
        .count();
    if total != done + matched {
        return Err(RestoreError::PlaylistChanged {
            name: step.name.clone(),
            detail: format!(
                "it has {total} entries where trackvault expected {}",
                done + matched
            ),
            journal: journal.path().to_path_buf(),
        });
    }
    Ok(matched)
}

/// A write whose outcome is unknown: 5xx, timeout or dropped connection.
fn is_uncertain(err: &RestoreError) -> bool {
    matches!(
        err,
        RestoreError::Spotify(SpotifyError::Http(HttpError::GaveUp { .. }))
    )
}

/// A 403 for lack of a scope becomes the "log in with --write" error; an unreadable answer
/// says to rerun `restore` (the Spotify client's own message speaks of `backup`).
fn classify(err: RestoreError) -> RestoreError {
    match err {
        RestoreError::Spotify(SpotifyError::Malformed { endpoint, detail }) => {
            RestoreError::Malformed { endpoint, detail }
        }
        RestoreError::Spotify(SpotifyError::Unauthorized { endpoint }) => {
            RestoreError::Unauthorized { endpoint }
        }
        RestoreError::Spotify(SpotifyError::Forbidden {
            reason: Forbidden::MissingScope,
            ..
        }) => RestoreError::MissingWriteScope,
        other => other,
    }
}

/// Spotify asked us to stay away until a time still in the future: don't spend quota.
fn refuse_before_deadline(journal: &Journal) -> Result<(), RestoreError> {
    if let Some((reason, Some(until))) = &journal.paused {
        if let Ok(deadline) = chrono::DateTime::parse_from_rfc3339(until) {
            if deadline > chrono::Utc::now() {
                return Err(RestoreError::Paused {
                    reason: format!("{reason} (still waiting)"),
                    resume_after: until.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Turns a quota stop or long Retry-After into a journaled pause.
fn pause_or(err: RestoreError, journal: Option<&mut Journal>) -> RestoreError {
    let (reason, wait) = match &err {
        RestoreError::Spotify(SpotifyError::Http(HttpError::QuotaExceeded {
            retry_after, ..
        })) => (
            "Spotify's request quota for this app is used up".to_string(),
            *retry_after,
        ),
        RestoreError::Spotify(SpotifyError::Http(HttpError::LongRetryAfter {
            retry_after,
            ..
        })) => (
            format!(
                "Spotify asked to wait {} s before the next request",
                retry_after.as_secs()
            ),
            Some(*retry_after),
        ),
        _ => return err,
    };
    let until = wait.and_then(|w| {
        chrono::TimeDelta::from_std(w)
            .ok()
            .and_then(|d| chrono::Utc::now().checked_add_signed(d))
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    });
    if let Some(journal) = journal {
        let _ = journal.record(Event::Paused {
            reason: reason.clone(),
            until: until.clone(),
        });
    }
    RestoreError::Paused {
        reason,
        resume_after: until.unwrap_or_else(|| "a few hours (Spotify gave no time)".into()),
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
