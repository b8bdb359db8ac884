//! Runs a fuzz target on stable Rust for a while:
//! `wazi-fuzz TARGET [--seconds N] [--seed S] [--skip N]`, or `wazi-fuzz
//! TARGET --replay FILE` for one saved input. A failing input (an error,
//! a panic, a run longer than `--timeout`, a process past
//! `--max-rss-mib`) is saved under `target/fuzz-failures/` and the run
//! exits 1. With `--keep-going`, errors and panics are saved and counted
//! and the run goes on (for long runs of `differential`, which would
//! otherwise stop at each of the other engine's bugs); it exits 1 at the
//! end if there were any.

use std::time::{Duration, Instant};
use wazi_fuzz::{Outcome, Rng, TARGETS, target};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || -> ! {
        eprintln!(
            "usage: wazi-fuzz {{{}}} [--seconds N] [--seed S] [--skip N] [--timeout SECONDS] [--max-rss-mib M] [--keep-going] [--replay FILE] [--wasm-of FILE] [--module FILE]",
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
    let number = |flag: &str, default: u64| -> u64 {
        opt(flag).map_or(default, |s| s.parse().unwrap_or_else(|_| usage()))
    };
    // A run that takes longer than this, or a process larger than this,
    // is a failure too: the input is saved by the watchdog.
    let timeout = Duration::from_secs(number("--timeout", 60));
    let max_rss = number("--max-rss-mib", 4096) << 20;
    // Panics are reported with their input, not printed by the hook.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng::seeded(seed);
    // Replaying a stretch of a long run: its first inputs are made, not run.
    let skip = number("--skip", 0);
    for _ in 0..skip {
        rng.input();
    }
    let keep_going = args.iter().any(|a| a == "--keep-going");
    let mut failed = 0u64;
    let current = watchdog(name.clone(), seed, timeout, max_rss);
    let start = Instant::now();
    let (mut agreed, mut skipped) = (0u64, 0u64);
    let mut last_report = Instant::now();
    while start.elapsed() < Duration::from_secs(seconds) {
        let input = std::sync::Arc::new(rng.input());
        let number = skip + agreed + skipped + failed;
        *current.lock().unwrap() = (number, Instant::now(), input.clone());
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
            let file = save(name, seed, number, &input);
            println!("FAILED in run {number}: {why}\ninput saved to {}", file.display());
            if !keep_going {
                std::process::exit(1);
            }
            failed += 1;
        }
        if last_report.elapsed() > Duration::from_secs(60) {
            last_report = Instant::now();
            println!(
                "{name}: {} runs ({agreed} compared in full, {skipped} stopped early, {failed} failed)",
                agreed + skipped + failed
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let runs = agreed + skipped + failed;
    println!(
        "{name} seed {seed}: {runs} runs in {secs:.0} s ({:.0}/s), {agreed} compared in full, {skipped} stopped early, {failed} failures",
        runs as f64 / secs
    );
    if failed > 0 {
        std::process::exit(1);
    }
}

/// The run in progress: its number, when it started, its input.
type Current = std::sync::Arc<std::sync::Mutex<(u64, Instant, std::sync::Arc<Vec<u8>>)>>;

/// Watches the runs from another thread: one that lasts longer than
/// `timeout`, or a process whose resident memory passes `max_rss` bytes,
/// has its input saved, and the process exits 1 (a hang or a runaway
/// allocation would otherwise end in a kill that saves nothing).
fn watchdog(name: String, seed: u64, timeout: Duration, max_rss: u64) -> Current {
    let current: Current =
        std::sync::Arc::new(std::sync::Mutex::new((0, Instant::now(), Default::default())));
    let watched = current.clone();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(200));
            let rss = resident_bytes();
            let (run, started, input) = watched.lock().unwrap().clone();
            let why = if started.elapsed() > timeout {
                format!("run {run} has lasted more than {} s", timeout.as_secs())
            } else if rss > max_rss {
                format!("the process holds {} MiB in run {run}", rss >> 20)
            } else {
                continue;
            };
            let file = save(&name, seed, run, &input);
            println!("FAILED: {why}\ninput saved to {}", file.display());
            std::process::exit(1);
        }
    });
    current
}

/// Resident memory of this process (Linux; 0 elsewhere).
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4096
}

/// Saves a failing input under `target/fuzz-failures/`.
fn save(name: &str, seed: u64, run: u64, input: &[u8]) -> std::path::PathBuf {
    let dir = std::path::Path::new("target/fuzz-failures");
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join(format!("{name}-{seed}-{run}.bin"));
    std::fs::write(&file, input).unwrap();
    file
}
