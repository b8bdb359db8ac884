//! The `wazi` command.

#![forbid(unsafe_code)]

mod wast;

use clap::{Parser, Subcommand};
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
    /// Run WebAssembly test scripts (`.wast`).
    Wast(wast::WastCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Wast(c) => c.execute(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Error: {e:?}");
            ExitCode::FAILURE
        }
    }
}
