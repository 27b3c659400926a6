//! `trackvault demo`: the whole pipeline — backup, enrichment, every export — over the bundled
//! sample library. Only the transports differ from a real run: Spotify answers are replayed from
//! `fixtures/demo/spotify.json` and MusicBrainz is simulated over `fixtures/demo/musicbrainz.json`.

use std::path::{Path, PathBuf};

use super::backup::{backup_with, BackupOptions, PipelineOptions};
use super::{emit, Out};
use crate::archive::Archive;
use crate::enrich::musicbrainz::MusicBrainz;
use crate::error::{Error, Result};
use crate::fsutil::random_suffix;
use crate::progress::ProgressHandle;
use crate::spotify::SpotifyClient;

/// Runs the demo into `out_dir` (default: a new temporary folder) and prints where to look.
pub async fn run(out_dir: Option<&Path>, progress: ProgressHandle, out: Out<'_>) -> Result<()> {
    let root = match out_dir {
        Some(dir) => dir.to_path_buf(),
        None => new_temp_folder()?,
    };
    let archive = Archive::open(root.join("spotify-archive"))?;
    let opts = PipelineOptions {
        fetch: BackupOptions {
            full: false,
            stop_on_ctrl_c: true,
        },
        enrich: true,
        export: true,
    };
    emit(
        out,
        "Backing up the bundled sample library (recorded Spotify responses, simulated \
         MusicBrainz; nothing is sent over the network).\n\n",
    )?;
    let report = backup_with(
        &archive,
        &SpotifyClient::demo(),
        &MusicBrainz::demo(),
        &opts,
        progress,
        out,
    )
    .await?;
    let page = super::report::write_report(
        &archive,
        &super::report::ReportOptions {
            snapshot: Some(report.snapshot_id.clone()),
            out: None,
        },
    )?;
    emit(out, &next_steps(&archive, &report.snapshot_id, &page.path))
}

/// A fresh folder under the system temp dir that outlives the process, so the user can look at
/// the files afterwards.
fn new_temp_folder() -> Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    let suffix = random_suffix(3)
        .map_err(|e| Error::Output(format!("cannot pick a name for the demo folder: {e}")))?;
    let dir = std::env::temp_dir().join(format!("trackvault-demo-{stamp}-{suffix}"));
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::Output(format!(
            "cannot create the demo folder {}: {e}; pass --out DIR to choose another",
            dir.display()
        ))
    })?;
    Ok(dir)
}

fn next_steps(archive: &Archive, snapshot_id: &str, page: &Path) -> String {
    let root = archive.root();
    let snapshot = archive.snapshot_dir(snapshot_id);
    let exports = archive.exports_dir(snapshot_id);
    format!(
        "\nDemo finished. Look at:\n  {}  a page to browse the library, its history and charts (open it in a browser)\n  {}  the normalized library with its identifiers\n  {}  every export format\n  {}  the whole archive (raw pages, manifest, cache)\n\nTry `trackvault --archive {} snapshots`, `… verify` or `… export --format txt --out DIR`.\n\nTo back up your own library: create a Spotify app (README: \"Set up your own Spotify app\"),\nthen run `trackvault login --client-id YOUR_CLIENT_ID` and `trackvault backup`.\n",
        page.display(),
        snapshot.join("library.json").display(),
        exports.display(),
        root.display(),
        shell_quoted(root),
    )
}

/// Quotes a path for the copy-paste hint when it holds characters a shell would split on.
fn shell_quoted(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
