//! The application layer: the workflows a command runs, each one composing domain modules
//! (`spotify`, `enrich`, `export`, `archive`, `import`, `restore`, `listenbrainz`, …) that only
//! transform data or talk to one service. Here live the archive I/O around a stage (read a
//! snapshot, enrich it, write it back), the orchestration across stages and the mapping of
//! domain errors to the application's [`crate::error::Error`]. `commands/` maps arguments to
//! these workflows and prints; nothing below this layer imports it.

pub mod backup;
pub mod demo;
pub mod enrich;
pub mod export;
pub mod import;
pub mod push;
pub mod report;
pub mod restore;
pub mod tidy;

use std::io::Write;

use crate::error::{Error, Result};

/// Where a workflow writes what the user asked for (stdout in the binary).
pub type Out<'a> = &'a mut (dyn Write + Send);

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
