//! Arguments, environment, exit status, stdin to stdout, and stderr.
use std::io::{Read, Write};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    for (i, a) in args.iter().enumerate() {
        println!("arg {i}: {a}");
    }
    let mut env: Vec<(String, String)> = std::env::vars().collect();
    env.sort();
    for (k, v) in &env {
        println!("env {k}={v}");
    }
    match args.get(1).map(String::as_str) {
        Some("exit") => std::process::exit(args[2].parse().unwrap()),
        Some("cat") => {
            let mut input = Vec::new();
            std::io::stdin().read_to_end(&mut input).unwrap();
            std::io::stdout().write_all(&input).unwrap();
            eprintln!("read {} bytes", input.len());
        }
        Some("big") => {
            // Large output in many writes, then an exit without returning:
            // all of it must reach the host.
            let n: usize = args[2].parse().unwrap();
            let line = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrs\n";
            let mut out = std::io::stdout().lock();
            for _ in 0..n {
                out.write_all(line.as_bytes()).unwrap();
            }
            out.flush().unwrap();
            std::process::exit(3);
        }
        Some("panic") => panic!("guest panicked on purpose"),
        Some("stderr") => {
            eprint!("no newline at the end");
        }
        _ => {}
    }
}
