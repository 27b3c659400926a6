//! `trackvault completions SHELL` and `trackvault man [--out DIR]`: generate shell completion
//! scripts (`clap_complete`) and roff man pages (`clap_mangen`) from the same clap definitions
//! the parser uses, so they never drift from the real flags. Neither reads settings or the
//! archive: they work on a machine with nothing configured (packagers run them at build time).

use std::path::{Path, PathBuf};

use clap::CommandFactory;

use super::Out;
use crate::cli::{Cli, Command, CompletionsArgs, ManArgs};
use crate::error::{Error, Result};

/// The program name completions and man pages are written for.
const BIN: &str = "trackvault";

/// Runs `completions` or `man` when `command` is one of them; `None` for every other command.
pub fn run(command: &Command, out: Out<'_>) -> Option<Result<()>> {
    match command {
        Command::Completions(args) => Some(completions(args, out)),
        Command::Man(args) => Some(man(args, out)),
        _ => None,
    }
}

fn completions(args: &CompletionsArgs, out: Out<'_>) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), BIN, &mut script);
    write_raw(out, &script)
}

fn man(args: &ManArgs, out: Out<'_>) -> Result<()> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    match &args.out {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut page)
                .map_err(|e| write_error(Path::new("the man page"), &e))?;
            write_raw(out, &page)
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| write_error(dir, &e))?;
            let mut written = Vec::new();
            write_pages(&cmd, dir, &mut written)?;
            let mut report = format!("Wrote {} man pages to {}:\n", written.len(), dir.display());
            for path in &written {
                if let Some(name) = path.file_name() {
                    report.push_str(&format!("  {}\n", name.to_string_lossy()));
                }
            }
            super::emit(out, &report)
        }
    }
}

/// Writes the page for `cmd`, then one for each visible subcommand (recursively), named
/// `trackvault-push-listenbrainz.1` and so on, as `man trackvault-push` expects.
fn write_pages(cmd: &clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    let path = dir.join(man.get_filename());
    let mut page = Vec::new();
    man.render(&mut page)
        .and_then(|()| std::fs::write(&path, &page))
        .map_err(|e| write_error(&path, &e))?;
    written.push(path);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir, written)?;
    }
    Ok(())
}

fn write_error(path: &Path, e: &std::io::Error) -> Error {
    Error::Output(format!(
        "cannot write {}: {e}; check that the folder is writable and has free space",
        path.display()
    ))
}

/// Writes generated text as is (scripts and roff carry no outside names to sanitize), treating
/// a closed pipe as success like [`super::emit`].
fn write_raw(out: Out<'_>, bytes: &[u8]) -> Result<()> {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Output(format!(
            "cannot write output: {e}; check where the output goes (a full disk, a closed file)"
        ))),
    }
}
