//! One module per command. Each takes resolved settings and writes its human-readable output
//! to `out`; errors go back to `main.rs`, which prints them and picks the exit code.

pub mod backup;
mod demo;
mod diff;
pub mod enrich;
mod export;
mod import;
mod log;
mod login;
mod prune;
mod push;
pub mod restore;
mod settings;
mod snapshots;
mod tidy;
mod verify;

use std::io::Write;

use crate::cli::{Cli, Command};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::progress::ProgressHandle;

/// Where a command writes what the user asked for (stdout in the binary).
pub type Out<'a> = &'a mut (dyn Write + Send);

/// Runs the command `cli` names.
pub async fn dispatch(cli: &Cli, progress: ProgressHandle, out: Out<'_>) -> Result<()> {
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
    }
}

/// Writes to `out`, treating a closed pipe (`| head`) as success.
pub(crate) fn emit(out: Out<'_>, text: &str) -> Result<()> {
    // Names from outside may carry terminal escapes; none reaches the terminal raw.
    let text = crate::terminal_text::for_terminal_output(text);
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Output(format!(
            "cannot write output: {e}; check where the output goes (a full disk, a closed file)"
        ))),
    }
}
