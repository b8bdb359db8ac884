//! `wazi wast`: runs `.wast` scripts, stopping at the first failure.

use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use wazi::{CompilationMode, Config};
use wazi_wast::WastContext;

#[derive(Args)]
pub struct WastCommand {
    /// The scripts to run.
    #[arg(required = true)]
    scripts: Vec<PathBuf>,

    /// Translate every function when a module loads (default: on first call).
    #[arg(long)]
    eager: bool,

    /// Meter execution with fuel (scripts get unlimited fuel).
    #[arg(long)]
    fuel: bool,

    /// Options for configuring semantic execution of WebAssembly, as for
    /// `wazi run` (e.g. `-W wide-arithmetic`, `-W simd=n`), `-W help` to
    /// see all.
    #[arg(short = 'W', long = "wasm", value_name = "KEY[=VAL[,..]]")]
    wasm: Vec<String>,
}

impl WastCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let mut config = Config::new();
        crate::options::WasmOptions::parse(&self.wasm)?.configure(&mut config)?;
        if self.eager {
            config.compilation_mode(CompilationMode::Eager);
        }
        config.consume_fuel(self.fuel);
        for script in &self.scripts {
            let mut cx = WastContext::new(&config)?;
            let summary = cx.run_file(script)?;
            eprintln!("{}: {} directives passed", script.display(), summary.directives);
        }
        Ok(ExitCode::SUCCESS)
    }
}
