//! A `wasi:cli` command component: `p2_cli MODE [ARGS]`.
//!
//! - `args`: prints its arguments, one per line;
//! - `env`: prints the environment, sorted, one `K=V` per line;
//! - `cat`: copies standard input to standard output, then prints the
//!   byte count to standard error;
//! - `big N`: writes N bytes (a repeating alphabet) to standard output;
//! - `exit N`: prints `exiting` and exits with status N;
//! - `panic`: panics (a trap);
//! - `err`: returns an error from `main`;
//! - `cwd`: prints `wasi:cli/environment.initial-cwd` (or `none`);
//! - `random N`: asks `wasi:random` for N bytes, prints how many came.

use std::io::{Read, Write};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("args") => {
            for a in &args {
                println!("{a}");
            }
        }
        Some("env") => {
            let mut vars: Vec<(String, String)> = std::env::vars().collect();
            vars.sort();
            for (k, v) in vars {
                println!("{k}={v}");
            }
        }
        Some("cat") => {
            let mut input = Vec::new();
            std::io::stdin().read_to_end(&mut input).map_err(|e| e.to_string())?;
            std::io::stdout().write_all(&input).map_err(|e| e.to_string())?;
            eprintln!("{} bytes", input.len());
        }
        Some("big") => {
            let n: usize = args[2].parse().map_err(|_| "bad size".to_string())?;
            let data: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            let mut out = std::io::stdout().lock();
            out.write_all(&data).map_err(|e| e.to_string())?;
            out.flush().map_err(|e| e.to_string())?;
        }
        Some("exit") => {
            println!("exiting");
            std::process::exit(args[2].parse().unwrap_or(99));
        }
        Some("panic") => panic!("the guest panicked"),
        Some("err") => return Err("failure".into()),
        Some("cwd") => match wasip2::cli::environment::initial_cwd() {
            Some(dir) => println!("{dir}"),
            None => println!("none"),
        },
        Some("random") => {
            let n: u64 = args[2].parse().map_err(|_| "bad size".to_string())?;
            println!("{}", wasip2::random::random::get_random_bytes(n).len());
        }
        _ => println!("usage: p2_cli args|env|cat|big N|exit N|panic|err|cwd|random N"),
    }
    Ok(())
}
