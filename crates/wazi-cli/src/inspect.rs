//! `wazi inspect FILE`: a module's imports and exports with their types,
//! or a component's world as WIT (printed by `wit-component`).

use anyhow::{Context, Result, anyhow};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use wazi::{Engine, ExternType, Module};

/// Prints a module's imports and exports, or a component's world as WIT
#[derive(Args)]
pub struct InspectCommand {
    /// The WebAssembly module or component (binary or text).
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

impl InspectCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let bytes = std::fs::read(&self.file)
            .with_context(|| format!("failed to read `{}`", self.file.display()))?;
        let binary = wat::parse_bytes(&bytes)
            .map_err(|mut e| {
                e.set_path(&self.file);
                anyhow!(e)
            })?
            .into_owned();
        let text = if wazi::component::is_component(&binary) {
            component_wit(&binary)?
        } else {
            let module = Module::from_binary(&Engine::default(), &binary)
                .with_context(|| format!("failed to compile `{}`", self.file.display()))?;
            module_summary(&module)
        };
        print!("{text}");
        Ok(ExitCode::SUCCESS)
    }
}

/// The component's world and the packages it uses, as WIT.
fn component_wit(bytes: &[u8]) -> Result<String> {
    // Validate with wazi first, so what is printed is what would run.
    wazi::component::Component::from_binary(&Engine::default(), bytes)?;
    let decoded = wit_component::decode(bytes).context("failed to decode the component's WIT")?;
    let resolve = decoded.resolve();
    let main = decoded.package();
    let nested: Vec<_> =
        resolve.packages.iter().map(|(id, _)| id).filter(|id| *id != main).collect();
    let mut printer = wit_component::WitPrinter::default();
    printer.print(resolve, main, &nested)?;
    Ok(printer.output.to_string())
}

fn describe(ty: &ExternType) -> String {
    match ty {
        ExternType::Func(f) => {
            let params: Vec<String> = f.params().iter().map(|t| t.to_string()).collect();
            let results: Vec<String> = f.results().iter().map(|t| t.to_string()).collect();
            match results.len() {
                0 => format!("func({})", params.join(", ")),
                1 => format!("func({}) -> {}", params.join(", "), results[0]),
                _ => format!("func({}) -> ({})", params.join(", "), results.join(", ")),
            }
        }
        ExternType::Memory(m) => match m.maximum() {
            Some(max) => format!("memory {} pages, at most {max}", m.minimum()),
            None => format!("memory {} pages", m.minimum()),
        },
        ExternType::Table(t) => match t.maximum() {
            Some(max) => format!("table of {} {}, at most {max}", t.minimum(), t.element()),
            None => format!("table of {} {}", t.minimum(), t.element()),
        },
        ExternType::Global(g) => format!("global {g}"),
        ExternType::Tag(t) => t.to_string(),
    }
}

/// One line per import and export.
fn module_summary(module: &Module) -> String {
    let mut out = String::new();
    if let Some(name) = module.name() {
        out.push_str(&format!("module {name}\n"));
    }
    for i in module.imports() {
        out.push_str(&format!("import {}::{}: {}\n", i.module(), i.name(), describe(&i.ty())));
    }
    for e in module.exports() {
        out.push_str(&format!("export {}: {}\n", e.name(), describe(&e.ty())));
    }
    out
}
