//! Runs a fuzz target on stable Rust for a while:
//! `wazi-fuzz TARGET [--seconds N] [--seed S]`, or `wazi-fuzz TARGET
//! --replay FILE` for one saved input. A failing input is saved under
//! `target/fuzz-failures/` and the run exits 1.

use std::time::{Duration, Instant};
use wazi_fuzz::{Outcome, Rng, TARGETS, target};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || -> ! {
        eprintln!(
            "usage: wazi-fuzz {{{}}} [--seconds N] [--seed S] [--replay FILE] [--wasm-of FILE] [--module FILE]",
            TARGETS.join(",")
        );
        std::process::exit(2)
    };
    let Some(name) = args.first() else { usage() };
    let Some(run) = target(name) else { usage() };
    let opt = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1));
    if let Some(file) = opt("--module") {
        // A module (binary or text) through the differential comparison.
        let wasm = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        println!("{:?}", wazi_fuzz::differential_module(&wasm));
        return;
    }
    if let Some(file) = opt("--wasm-of") {
        // The module a failing input makes, to disassemble.
        let input = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let wasm = match name.as_str() {
            "gc" => wazi_fuzz::generate_gc(&input),
            _ => wazi_fuzz::generate(&input, name != "differential"),
        }
        .expect("a module");
        std::fs::write(format!("{file}.wasm"), wasm).unwrap();
        println!("wrote {file}.wasm");
        return;
    }
    if let Some(file) = opt("--replay") {
        let input = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        println!("{:?}", run(&input));
        return;
    }
    let seconds: u64 = opt("--seconds").map_or(60, |s| s.parse().unwrap_or_else(|_| usage()));
    let seed: u64 = opt("--seed").map_or_else(
        || {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
                as u64
        },
        |s| s.parse().unwrap_or_else(|_| usage()),
    );
    // Panics are reported with their input, not printed by the hook.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let start = Instant::now();
    let (mut agreed, mut skipped) = (0u64, 0u64);
    let mut last_report = Instant::now();
    while start.elapsed() < Duration::from_secs(seconds) {
        let input = rng.input();
        let failure = match std::panic::catch_unwind(|| run(&input)) {
            Ok(Ok(Outcome::Agreed)) => {
                agreed += 1;
                None
            }
            Ok(Ok(Outcome::Skipped(_))) => {
                skipped += 1;
                None
            }
            Ok(Err(e)) => Some(e),
            Err(p) => Some(format!(
                "panic: {}",
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )),
        };
        if let Some(why) = failure {
            let dir = std::path::Path::new("target/fuzz-failures");
            std::fs::create_dir_all(dir).unwrap();
            let file = dir.join(format!("{name}-{seed}-{}.bin", agreed + skipped));
            std::fs::write(&file, &input).unwrap();
            println!(
                "FAILED after {} runs: {why}\ninput saved to {}",
                agreed + skipped,
                file.display()
            );
            std::process::exit(1);
        }
        if last_report.elapsed() > Duration::from_secs(60) {
            last_report = Instant::now();
            println!(
                "{name}: {} runs ({agreed} compared in full, {skipped} stopped early)",
                agreed + skipped
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{name} seed {seed}: {} runs in {secs:.0} s ({:.0}/s), {agreed} compared in full, {skipped} stopped early, 0 failures",
        agreed + skipped,
        (agreed + skipped) as f64 / secs
    );
}
