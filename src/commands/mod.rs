//! One module per command: each maps its parsed arguments and the resolved settings onto a
//! workflow of the application layer ([`crate::app`]) or a read-only domain call, and writes
//! the human-readable result to `out`; errors go back to `main.rs`, which prints them and
//! picks the exit code.

pub mod backup;
mod completions;
mod demo;
mod diff;
pub mod enrich;
mod export;
mod import;
mod log;
mod login;
mod prune;
mod push;
mod report;
pub mod restore;
mod settings;
mod snapshots;
mod spotify_tokens;
mod verify;

pub(crate) use crate::app::emit;
pub use crate::app::Out;
use crate::cli::{Cli, Command};
use crate::config::Settings;
use crate::error::Result;
use crate::progress::ProgressHandle;

/// Runs the command `cli` names.
pub async fn dispatch(cli: &Cli, progress: ProgressHandle, out: Out<'_>) -> Result<()> {
    // Completions and man pages need no settings: they work with nothing configured.
    if let Some(result) = completions::run(&cli.command, out) {
        return result;
    }
    let settings = Settings::from_args(&cli.global)?;
    match &cli.command {
        Command::Login(args) => login::login(&settings, args, out).await,
        Command::Logout => login::logout(&settings, out),
        Command::Snapshots => snapshots::run(&settings, out),
        Command::Verify(args) => verify::run(&settings, args, out),
        Command::Backup(args) => backup::run(&settings, args, progress, out).await,
        Command::Diff(args) => diff::run(&settings, args, out),
        Command::Log(args) => log::run(&settings, args, out),
        Command::Prune(args) => prune::run(&settings, args, out),
        Command::Import(args) => import::run(&settings, args, out),
        Command::Export(args) => export::run(&settings, args, out),
        Command::Enrich(args) => enrich::run(&settings, args, progress, out).await,
        Command::Demo(args) => demo::run(args, progress, out).await,
        Command::Restore(args) => restore::run(&settings, args, progress, out).await,
        Command::Push(args) => push::run(&settings, args, out).await,
        Command::Report(args) => report::run(&settings, args, out),
        Command::Completions(_) | Command::Man(_) => Ok(()), // handled above
    }
}
