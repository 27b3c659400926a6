//! The `trackvault` binary: parse arguments, run the command, map errors to a message and an
//! exit code. Everything else lives in the library.

mod terminal_progress;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use trackvault::cli::Cli;
use trackvault::progress::ProgressHandle;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    let progress: ProgressHandle = if std::io::stderr().is_terminal() {
        Arc::new(terminal_progress::Bars::new())
    } else {
        trackvault::progress::hidden()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("trackvault: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    match runtime.block_on(trackvault::commands::dispatch(&cli, progress, &mut stdout)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let message = e.to_string();
            eprintln!(
                "trackvault: {}",
                trackvault::terminal_text::for_terminal_output(&message)
            );
            ExitCode::from(e.exit_code())
        }
    }
}

/// Whether log lines on stderr may carry colour: never with `NO_COLOR` set (no-color.org),
/// always with `CLICOLOR_FORCE` set, otherwise only on a terminal. The same rules clap applies
/// to help and usage errors, so one setting governs all of trackvault's output.
fn stderr_colour() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    set("CLICOLOR_FORCE") || std::io::stderr().is_terminal()
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TRACKVAULT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(stderr_colour())
        .with_target(false)
        .try_init();
}
