//! The `wazi` command.

#![forbid(unsafe_code)]

mod inspect;
mod invoke;
mod options;
mod run;
mod serve;
mod wast;

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::process::ExitCode;

/// A WebAssembly runtime: an interpreter for modules and components.
#[derive(Parser)]
#[command(name = "wazi", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a WebAssembly module or component.
    Run(run::RunCommand),
    /// Serve HTTP requests with a `wasi:http/proxy` component.
    Serve(serve::ServeCommand),
    /// Print a module's imports and exports, or a component's world as WIT.
    Inspect(inspect::InspectCommand),
    /// Run WebAssembly test scripts (`.wast`).
    Wast(wast::WastCommand),
}

const SUBCOMMANDS: &[&str] = &["run", "serve", "wast", "inspect", "help"];

/// `wazi FILE ARGS...` is short for `wazi run FILE ARGS...`, as in
/// wasmtime: anything that is not a subcommand or a top-level flag starts a
/// `run`.
fn with_default_subcommand(mut args: Vec<OsString>) -> Vec<OsString> {
    if let Some(first) = args.get(1).and_then(|a| a.to_str()) {
        let top_level_flag = matches!(first, "-h" | "--help" | "-V" | "--version");
        if !SUBCOMMANDS.contains(&first) && !top_level_flag {
            args.insert(1, "run".into());
        }
    }
    args
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(with_default_subcommand(std::env::args_os().collect()));
    let result = match cli.command {
        Command::Run(c) => c.execute(),
        Command::Serve(c) => c.execute(),
        Command::Wast(c) => c.execute(),
        Command::Inspect(c) => c.execute(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprint!("{}", error_report(&e));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes, laid out as wasmtime prints them: numbered
/// causes when there are several, and multi-line messages (backtraces)
/// printed as they are.
pub(crate) fn error_report(e: &anyhow::Error) -> String {
    let mut out = format!("Error: {e}\n");
    let causes: Vec<String> = e.chain().skip(1).map(|c| c.to_string()).collect();
    if !causes.is_empty() {
        out.push_str("\nCaused by:\n");
        for (i, c) in causes.iter().enumerate() {
            if causes.len() == 1 {
                out.push_str(&format!("    {c}\n"));
            } else {
                out.push_str(&format!("    {i}: {c}\n"));
            }
        }
    }
    // wasmtime ends its reports with an empty line.
    out.push('\n');
    out
}
