//! Command-line definitions (clap derive): commands, flags and the environment variables they
//! read. Nothing here does work; `config.rs` turns these into resolved [`crate::config::Settings`].

use std::ffi::OsStr;
use std::path::PathBuf;
use std::sync::OnceLock;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

pub const ENV_CLIENT_ID: &str = "SPOTIFY_CLIENT_ID";
pub const ENV_ACCESS_TOKEN: &str = "TRACKVAULT_ACCESS_TOKEN";
pub const ENV_CONFIG_DIR: &str = "TRACKVAULT_CONFIG_DIR";
pub const ENV_ARCHIVE: &str = "TRACKVAULT_ARCHIVE";
pub const ENV_SPOTIFY_API_URL: &str = "TRACKVAULT_SPOTIFY_API_URL";
pub const ENV_SPOTIFY_ACCOUNTS_URL: &str = "TRACKVAULT_SPOTIFY_ACCOUNTS_URL";
pub const ENV_MUSICBRAINZ_URL: &str = "TRACKVAULT_MUSICBRAINZ_URL";
pub const ENV_MUSICBRAINZ_RATE: &str = "TRACKVAULT_MUSICBRAINZ_RATE";
pub const ENV_CONTACT: &str = "TRACKVAULT_CONTACT";
pub const ENV_SPOTIFY_INTERVAL_MS: &str = "TRACKVAULT_SPOTIFY_INTERVAL_MS";
pub const ENV_MAX_WAIT: &str = "TRACKVAULT_MAX_WAIT_SECS";
pub const ENV_LISTENBRAINZ_URL: &str = "TRACKVAULT_LISTENBRAINZ_URL";
pub const ENV_LISTENBRAINZ_TOKEN: &str = "TRACKVAULT_LISTENBRAINZ_TOKEN";
pub const ENV_LISTENBRAINZ_INTERVAL_MS: &str = "TRACKVAULT_LISTENBRAINZ_INTERVAL_MS";

pub const DEFAULT_SPOTIFY_API_URL: &str = "https://api.spotify.com/v1";
pub const DEFAULT_SPOTIFY_ACCOUNTS_URL: &str = "https://accounts.spotify.com";
pub const DEFAULT_MUSICBRAINZ_URL: &str = "https://musicbrainz.org/ws/2";
pub const DEFAULT_ARCHIVE: &str = "./spotify-archive";
pub const DEFAULT_CONTACT: &str = "https://github.com/trackvault/trackvault";
pub const DEFAULT_LISTENBRAINZ_URL: &str = "https://api.listenbrainz.org";

/// Back up your Spotify library losslessly, attach ISRCs and MusicBrainz IDs, and export
/// files that migration tools accept.
#[derive(Debug, Parser)]
#[command(name = "trackvault", version, propagate_version = true, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Archive root directory.
    #[arg(long, global = true, env = ENV_ARCHIVE, default_value = DEFAULT_ARCHIVE)]
    pub archive: PathBuf,
    /// Where `login` keeps its token file.
    #[arg(long, global = true, env = ENV_CONFIG_DIR)]
    pub config_dir: Option<PathBuf>,
    /// Spotify Web API base URL.
    #[arg(long, global = true, env = ENV_SPOTIFY_API_URL, default_value = DEFAULT_SPOTIFY_API_URL, hide_default_value = true)]
    pub spotify_api_url: String,
    /// Spotify accounts base URL (`/authorize`, `/api/token`).
    #[arg(long, global = true, env = ENV_SPOTIFY_ACCOUNTS_URL, default_value = DEFAULT_SPOTIFY_ACCOUNTS_URL, hide_default_value = true)]
    pub spotify_accounts_url: String,
    /// Minimum milliseconds between Spotify requests.
    #[arg(long, global = true, env = ENV_SPOTIFY_INTERVAL_MS, default_value_t = 350)]
    pub spotify_interval_ms: u64,
    /// A Retry-After longer than this many seconds pauses the backup (exit 75) instead of waiting.
    #[arg(long, global = true, env = ENV_MAX_WAIT, default_value_t = 120)]
    pub max_wait_secs: u64,
    /// MusicBrainz WS/2 base URL (a local mirror works).
    #[arg(long, global = true, env = ENV_MUSICBRAINZ_URL, default_value = DEFAULT_MUSICBRAINZ_URL, hide_default_value = true)]
    pub musicbrainz_url: String,
    /// MusicBrainz requests per second (above 1 is refused for musicbrainz.org).
    #[arg(long, global = true, env = ENV_MUSICBRAINZ_RATE, default_value_t = 1.0)]
    pub musicbrainz_rate: f64,
    /// Contact (URL or email) put in the MusicBrainz User-Agent.
    #[arg(long, global = true, env = ENV_CONTACT, default_value = DEFAULT_CONTACT, hide_default_value = true)]
    pub contact: String,
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole pipeline on a bundled sample library: no account, no network.
    Demo(DemoArgs),
    /// Log in to Spotify (Authorization Code with PKCE) and store the token.
    Login(LoginArgs),
    /// Forget the stored Spotify token.
    Logout,
    /// Fetch the library into a new snapshot, then enrich and export it.
    Backup(BackupArgs),
    /// Attach ISRCs and MusicBrainz IDs to a snapshot.
    Enrich(EnrichArgs),
    /// Write a snapshot in importer-ready formats.
    Export(ExportArgs),
    /// Re-hash a snapshot's objects and check its counts.
    Verify(VerifyArgs),
    /// List complete snapshots with their counts.
    Snapshots,
    /// Show what changed between two snapshots.
    Diff(DiffArgs),
    /// A playlist's history across all snapshots.
    Log(LogArgs),
    /// Remove old snapshots and the objects only they referenced.
    Prune(PruneArgs),
    /// Turn Spotify's "Download your data" zip (or folder) into a snapshot.
    Import(ImportArgs),
    /// Put a snapshot back into the Spotify account you are logged in to (needs `login --write`).
    Restore(RestoreArgs),
    /// Deliver a snapshot's playlists to another service.
    Push(PushArgs),
    /// Write one offline HTML page to browse a snapshot, its history and charts.
    Report(ReportArgs),
    /// Print a shell completion script (e.g. `trackvault completions bash > ~/.local/share/bash-completion/completions/trackvault`).
    Completions(CompletionsArgs),
    /// Print the man page, or write one page per command into a folder with `--out`.
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write the completion script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write trackvault.1 and one trackvault-COMMAND.1 per command into DIR (created if
    /// missing) instead of printing trackvault.1.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Snapshot id or prefix (default: latest); the history covers every snapshot up to it.
    pub snapshot: Option<String>,
    /// File to write (default: report.html in the archive folder).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder to write the demo archive into (default: a new temporary folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Your Spotify app's client id.
    #[arg(long, env = ENV_CLIENT_ID)]
    pub client_id: Option<String>,
    /// Print the authorize URL but do not open a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Callback port on 127.0.0.1 (default: any free port).
    #[arg(long)]
    pub port: Option<u16>,
    /// Give up waiting for the browser after this many seconds (1 to 86400).
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout_secs: u64,
    /// Also ask for the write permissions `restore` needs (create and edit playlists, save to
    /// the library, follow); without it the login can only read.
    #[arg(long)]
    pub write: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Skip the enrichment stage.
    #[arg(long)]
    pub no_enrich: bool,
    /// Skip the export stage.
    #[arg(long)]
    pub no_export: bool,
    /// Refetch everything, ignoring what the previous snapshot already has.
    #[arg(long)]
    pub full: bool,
    /// Your Spotify app's client id (for refreshing the stored login).
    #[arg(long, env = ENV_CLIENT_ID)]
    pub client_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct EnrichArgs {
    /// Snapshot id or prefix (default: latest).
    pub snapshot: Option<String>,
    /// Ignore cached lookups.
    #[arg(long)]
    pub refresh: bool,
    /// Overrides file: Spotify track id → recording MBID or "none".
    #[arg(long)]
    pub overrides: Option<PathBuf>,
    /// Write unmatched and low-confidence tracks with their best candidates to this CSV.
    #[arg(long)]
    pub review: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Snapshot id or prefix (default: latest).
    pub snapshot: Option<String>,
    /// Comma-separated formats to write (any case), or names of `--mapping` layouts; default: all
    /// built-in formats.
    #[arg(long, value_delimiter = ',', value_name = "FORMAT", value_parser = ListEntryParser::<ExportFormat>::new())]
    pub format: Vec<String>,
    /// Output directory (default: the snapshot's exports/ folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Split CSV files into parts of at most N rows (Soundiiz free plan: 200).
    #[arg(long)]
    pub split: Option<usize>,
    /// Extra CSV layout(s) described in TOML (see mappings/).
    #[arg(long)]
    pub mapping: Vec<PathBuf>,
    /// Point the m3u8 playlists at your own music files under DIR (matched by tags).
    #[arg(long, value_name = "DIR")]
    pub local_library: Option<PathBuf>,
    /// With --local-library: paths relative to each playlist's folder, or absolute (Plex).
    #[arg(long, value_parser = ["relative", "absolute"], default_value = "relative", requires = "local_library")]
    pub path_style: String,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Snapshot id or prefix (default: latest); `--all` checks every snapshot.
    pub snapshot: Option<String>,
    /// Check every snapshot, damaged snapshot folders, `latest` and unfinished backups.
    #[arg(long, conflicts_with = "snapshot")]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Older snapshot (default: the second newest).
    pub old: Option<String>,
    /// Newer snapshot (default: the newest).
    pub new: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Playlist name or id.
    pub playlist: String,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Keep the newest snapshot of each of the last N days.
    #[arg(long, default_value_t = 7)]
    pub keep_daily: usize,
    /// Keep the newest snapshot of each of the last M months.
    #[arg(long, default_value_t = 12)]
    pub keep_monthly: usize,
    /// Show what would be removed without removing it.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The data-download zip, or the folder it was extracted to.
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Snapshot id or prefix (default: latest).
    pub snapshot: Option<String>,
    /// Comma-separated parts to restore (default: all).
    #[arg(long, value_delimiter = ',', value_name = "PART", value_parser = ListEntryParser::<RestorePart>::new())]
    pub only: Vec<String>,
    /// Restore only the playlist with this name (repeatable); implies `--only playlists` unless `--only` is given.
    #[arg(long = "playlist", value_name = "NAME")]
    pub playlists: Vec<String>,
    /// Print the plan and the number of write requests; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Your Spotify app's client id (for refreshing the stored login).
    #[arg(long, env = ENV_CLIENT_ID)]
    pub client_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    #[command(subcommand)]
    pub target: PushTarget,
}

#[derive(Debug, Subcommand)]
pub enum PushTarget {
    /// Create or update your playlists on ListenBrainz (tracks by recording MBID); needs
    /// TRACKVAULT_LISTENBRAINZ_TOKEN (from https://listenbrainz.org/settings/).
    Listenbrainz(ListenBrainzPushArgs),
}

#[derive(Debug, Args)]
pub struct ListenBrainzPushArgs {
    /// Snapshot id or prefix (default: latest).
    pub snapshot: Option<String>,
    /// Push only this playlist (exact name or Spotify id; "Liked Songs" for liked songs); repeatable.
    #[arg(long)]
    pub playlist: Vec<String>,
    /// Make the ListenBrainz playlists public (default: private).
    #[arg(long)]
    pub public: bool,
    /// Read every remembered playlist back from ListenBrainz, even unchanged ones: recreates
    /// deleted ones and undoes edits made on the website (one extra request per playlist).
    #[arg(long)]
    pub check: bool,
    /// ListenBrainz API base URL.
    #[arg(long, env = ENV_LISTENBRAINZ_URL, default_value = DEFAULT_LISTENBRAINZ_URL, hide_default_value = true)]
    pub listenbrainz_url: String,
    /// ListenBrainz user token (prefer the environment variable: flags show in process lists).
    #[arg(long, env = ENV_LISTENBRAINZ_TOKEN, hide_env_values = true, hide = true)]
    pub listenbrainz_token: Option<String>,
    /// Minimum milliseconds between ListenBrainz requests (0..=60000).
    #[arg(long, env = ENV_LISTENBRAINZ_INTERVAL_MS, default_value_t = 1000, hide = true)]
    pub listenbrainz_interval_ms: u64,
}

/// A built-in export format as a clap value. Its values are [`crate::export::DEFAULT_FORMATS`]
/// (the exporter's list stays the one source of truth), so `--help`, the man page and shell
/// completions list exactly the formats the code writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportFormat(&'static str);

impl ValueEnum for ExportFormat {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: OnceLock<Vec<ExportFormat>> = OnceLock::new();
        ALL.get_or_init(|| {
            crate::export::DEFAULT_FORMATS
                .iter()
                .map(|name| ExportFormat(name))
                .collect()
        })
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0))
    }
}

/// A part of the library `restore --only` can restore; its values come from
/// [`crate::restore::plan::Part::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestorePart(&'static str);

impl ValueEnum for RestorePart {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: OnceLock<Vec<RestorePart>> = OnceLock::new();
        ALL.get_or_init(|| {
            crate::restore::plan::Part::ALL
                .iter()
                .map(|part| RestorePart(part.name()))
                .collect()
        })
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0))
    }
}

/// Parses one entry of a comma-separated list whose known values are the [`ValueEnum`] `E`.
/// Known values (any case, spaces around them allowed) come back in their canonical spelling
/// and are offered in help, man pages and completions. Anything else passes through unchanged
/// for the command to judge, because only it knows the whole picture (a `--format` may name a
/// `--mapping` layout) and it already answers unknown names with one sentence listing the
/// valid ones, before touching the archive. An empty entry stays empty (`--format ""` still
/// means all formats).
#[derive(Debug, Clone, Copy)]
pub struct ListEntryParser<E>(std::marker::PhantomData<E>);

impl<E> ListEntryParser<E> {
    pub const fn new() -> Self {
        ListEntryParser(std::marker::PhantomData)
    }
}

impl<E> Default for ListEntryParser<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for ListEntryParser<E> {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        let text = clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)?;
        let known = E::from_str(text.trim(), true)
            .ok()
            .and_then(|e| e.to_possible_value())
            .map(|v| v.get_name().to_string());
        Ok(known.unwrap_or(text))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            E::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}
