//! `wazi run`'s options, errors and exit statuses, on small modules.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn wazi(args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_wazi"))
        .env("RUST_BACKTRACE", "0")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Output is collected on another thread; a run that hangs is killed,
    // and fails the test.
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output().unwrap()));
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out,
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("wazi {args:?} took too long");
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Writes a module (text) to a fresh temporary directory.
fn module(dir: &tempfile::TempDir, name: &str, wat: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, wat).unwrap();
    p.display().to_string()
}

const MATH: &str = r#"(module
  (func (export "add") (param i32 i64) (result i64) (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)))
  (func (export "div") (param f32 f64) (result f32 f64) (local.get 0) (local.get 1))
  (func (export "none"))
  (func (export "refs") (result funcref externref) (ref.null func) (ref.null extern))
  (func (export "trap") (result i32) (i32.div_s (i32.const 1) (i32.const 0))))"#;

#[test]
fn invoke_parses_arguments_and_prints_results() {
    let dir = tempfile::tempdir().unwrap();
    let m = module(&dir, "math.wat", MATH);
    let out = wazi(&["run", "--invoke", "add", &m, "5", "-7"]);
    assert_eq!(text(&out.stdout), "-2\n");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr)
            .contains("warning: using `--invoke` with a function that takes arguments")
    );
    let out = wazi(&["run", "--invoke", "add", &m, "0x10", "0X20"]);
    assert_eq!(text(&out.stdout), "48\n");
    let out = wazi(&["run", "--invoke", "div", &m, "1.5", "nan"]);
    assert_eq!(text(&out.stdout), "1.5\nNaN\n");
    let out = wazi(&["run", "--invoke", "none", &m]);
    assert_eq!(text(&out.stdout), "");
    assert_eq!(text(&out.stderr), "");
    let out = wazi(&["run", "--invoke", "refs", &m]);
    assert_eq!(text(&out.stdout), "<null funcref>\n<null externref>\n");
    let out = wazi(&["run", "--invoke", "add", &m, "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not enough arguments for `add`"));
    let out = wazi(&["run", "--invoke", "add", &m, "x", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("invalid digit found in string"));
    let out = wazi(&["run", "--invoke", "nope", &m]);
    assert!(text(&out.stderr).contains("no func export named `nope` found"));
    let out = wazi(&["run", "--invoke", "trap", &m]);
    assert_eq!(out.status.code(), Some(134));
    let err = text(&out.stderr);
    assert!(
        err.contains("failed to invoke `trap`") && err.contains("integer divide by zero"),
        "{err}"
    );
}

const SPIN: &str = r#"(module (func (export "_start") (loop (br 0))))"#;

#[test]
fn fuel_and_timeout_stop_runaway_guests() {
    let dir = tempfile::tempdir().unwrap();
    let m = module(&dir, "spin.wat", SPIN);
    let out = wazi(&["run", "-W", "fuel=100000", &m]);
    assert_eq!(out.status.code(), Some(134));
    assert!(text(&out.stderr).contains("wasm trap: all fuel consumed by WebAssembly"));
    let start = Instant::now();
    let out = wazi(&["run", "-W", "timeout=200ms", &m]);
    assert_eq!(out.status.code(), Some(134));
    assert!(text(&out.stderr).contains("wasm trap: interrupt"));
    assert!(start.elapsed() < Duration::from_secs(20));
}

const GROW: &str = r#"(module (memory 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func $r (export "recurse") (param i32) (result i32)
    (if (result i32) (local.get 0) (then (call $r (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 0)))))"#;

#[test]
fn memory_and_stack_limits() {
    let dir = tempfile::tempdir().unwrap();
    let m = module(&dir, "grow.wat", GROW);
    let out = wazi(&["run", "-W", "max-memory-size=196608", "--invoke", "grow", &m, "1"]);
    assert_eq!(text(&out.stdout), "1\n");
    let out = wazi(&["run", "-W", "max-memory-size=196608", "--invoke", "grow", &m, "5"]);
    assert_eq!(text(&out.stdout), "-1\n");
    let out = wazi(&[
        "run",
        "-W",
        "max-memory-size=131072,trap-on-grow-failure",
        "--invoke",
        "grow",
        &m,
        "5",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("forcing trap when growing memory"),
        "{}",
        text(&out.stderr)
    );
    let out = wazi(&["run", "--invoke", "recurse", &m, "100000"]);
    assert_eq!(text(&out.stdout), "0\n");
    let out = wazi(&["run", "-W", "max-wasm-stack=65536", "--invoke", "recurse", &m, "100000"]);
    assert_eq!(out.status.code(), Some(134));
    assert!(text(&out.stderr).contains("call stack exhausted"));
}

#[test]
fn unknown_and_unsupported_options() {
    let dir = tempfile::tempdir().unwrap();
    let m = module(&dir, "spin.wat", SPIN);
    let out = wazi(&["run", "-S", "nosuch", &m]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.starts_with("error: unknown -S / --wasi option: nosuch"), "{err}");
    assert!(
        err.contains("inherit-env") && err.contains("tcplisten"),
        "lists the valid keys: {err}"
    );
    let out = wazi(&["run", "-W", "fuel=1,nosuch=2", &m]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown -W / --wasm option: nosuch"));
    assert!(text(&out.stderr).contains("max-memory-size"));
    let out = wazi(&["run", "-W", "nan-canonicalization=y", &m]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("-W nan-canonicalization is not supported"));
    let out = wazi(&["run", "-S", "nn", &m]);
    assert!(text(&out.stderr).contains("-S nn is not supported"));
    let out = wazi(&["run", "-S", "preview2=n", &m]);
    assert!(text(&out.stderr).contains("no longer supported"));
    let out = wazi(&["run", "-W", "help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("max-wasm-stack"));
}

#[test]
fn load_and_link_errors_are_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = wazi(&["run", &dir.path().join("missing.wasm").display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("Error: failed to open wasm module") && err.contains("No such file"),
        "{err}"
    );
    let bad = module(&dir, "bad.wasm", "\0asm\x01\0\0\0\x01garbage");
    let out = wazi(&["run", &bad]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("failed to compile"), "{}", text(&out.stderr));
    let comp = module(&dir, "c.wat", "(component)");
    let out = wazi(&["run", &comp]);
    assert_eq!(out.status.code(), Some(1));
    // As wasmtime: a component must export `wasi:cli/run` to be run.
    assert!(
        text(&out.stderr).contains("no exported instance named `wasi:cli/run@0.2.12`"),
        "{}",
        text(&out.stderr)
    );
    let imp = module(
        &dir,
        "imp.wat",
        r#"(module (import "env" "missing" (func)) (func (export "_start")))"#,
    );
    let out = wazi(&["run", &imp]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unknown import: `env::missing` has not been defined"));
    let out = wazi(&["run", "-W", "unknown-imports-trap", &imp]);
    assert_eq!(out.status.code(), Some(0));
    let calls = module(
        &dir,
        "calls.wat",
        r#"(module (import "env" "f" (func $f (result i32))) (func (export "_start") (drop (call $f))))"#,
    );
    let out = wazi(&["run", "-W", "unknown-imports-trap", &calls]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unknown import: `env::f` has not been defined"));
    let out = wazi(&["run", "-W", "unknown-imports-default", &calls]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn bad_guest_pointers_trap() {
    let dir = tempfile::tempdir().unwrap();
    let m = module(
        &dir,
        "badptr.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start") (drop (call $w (i32.const 1) (i32.const 65534) (i32.const 1) (i32.const 8)))))"#,
    );
    let out = wazi(&["run", &m]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("Pointer out of bounds: Region { start: 65534, len: 4 }"));
    let nomem = module(
        &dir,
        "nomem.wat",
        r#"(module (import "wasi_snapshot_preview1" "sched_yield" (func $y (result i32)))
          (func (export "_start") (drop (call $y))))"#,
    );
    let out = wazi(&["run", &nomem]);
    assert!(text(&out.stderr).contains("missing required memory export"));
}

#[test]
fn proc_exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    for (code, expect) in [(0, 0), (1, 1), (125, 125), (126, 1), (-1, 1)] {
        let m = module(
            &dir,
            "exit.wat",
            &format!(
                r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $e (param i32)))
                  (memory (export "memory") 1) (func (export "_start") (call $e (i32.const {code}))))"#
            ),
        );
        let out = wazi(&["run", &m]);
        assert_eq!(out.status.code(), Some(expect), "proc_exit({code})");
        if expect == 1 && code != 1 {
            assert!(
                text(&out.stderr).contains("exit with invalid exit status outside of [0..126)")
            );
        }
    }
}

#[test]
fn version_and_help() {
    let out = wazi(&["--version"]);
    assert!(text(&out.stdout).starts_with("wazi "));
    let out = wazi(&["help", "run"]);
    let help = text(&out.stdout);
    for option in [
        "--dir",
        "--env",
        "--invoke",
        "--argv0",
        "-W",
        "-S",
        "max-memory-size",
        "tcplisten",
        "::ro",
    ] {
        assert!(help.contains(option), "help run mentions {option}");
    }
}

#[test]
fn simd_is_on_by_default_and_switches_off_as_in_wasmtime() {
    let dir = tempfile::tempdir().unwrap();
    let m = module(
        &dir,
        "simd.wat",
        r#"(module (func (export "sum") (param v128) (result v128)
          (i32x4.add (local.get 0) (v128.const i32x4 1 2 3 4))))"#,
    );
    // Like wasmtime, a v128 argument and result are one unsigned number.
    let out = wazi(&["run", "--invoke", "sum", &m, "4294967296"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let expected = (1u128 | 3 << 32 | 3 << 64 | 4 << 96).to_string();
    assert_eq!(text(&out.stdout), format!("{expected}\n"));
    for spelling in ["simd=n", "simd=no", "simd=false"] {
        let out = wazi(&["run", "-W", spelling, "--invoke", "sum", &m, "0"]);
        assert_eq!(out.status.code(), Some(1), "{spelling}");
        assert!(text(&out.stderr).contains("SIMD"), "{}", text(&out.stderr));
    }
    let relaxed = module(
        &dir,
        "relaxed.wat",
        r#"(module (func (export "f") (param v128) (result v128)
          (f32x4.relaxed_max (local.get 0) (local.get 0))))"#,
    );
    let out = wazi(&["run", "-W", "relaxed-simd=n", "--invoke", "f", &relaxed, "0"]);
    assert_eq!(out.status.code(), Some(1));
    let out = wazi(&["run", "-W", "relaxed-simd=y,simd=y", "--invoke", "f", &relaxed, "0"]);
    assert_eq!(text(&out.stdout), "0\n", "{}", text(&out.stderr));
}

#[test]
fn attached_short_options_and_hyphenated_guest_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let spin = module(&dir, "spin.wat", SPIN);
    // wasmtime's spellings: the -W / -S value attached to the letter.
    let out = wazi(&["run", "-Wfuel=100000", &spin]);
    assert_eq!(out.status.code(), Some(134), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("all fuel consumed"));
    let out = wazi(&["-Wtimeout=100ms", &spin]);
    assert_eq!(out.status.code(), Some(134), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("wasm trap: interrupt"));
    // After the module, everything goes to the guest, hyphens included.
    let hello = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/hello-p1.wasm");
    let out =
        wazi(&["run", "-Sinherit-env", "-Wmax-wasm-stack=1048576", hello, "-W", "--help", "-x"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Hello, World!\narguments: -W --help -x\n");
    let out = wazi(&["run", "-Snosuch", hello]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown -S / --wasi option: nosuch"));
}

#[test]
fn wide_arithmetic_is_off_by_default_as_in_wasmtime() {
    let dir = tempfile::tempdir().unwrap();
    let m = module(
        &dir,
        "wide.wat",
        r#"(module (func (export "mul") (param i64 i64) (result i64 i64)
          (i64.mul_wide_u (local.get 0) (local.get 1)))
          (func (export "add") (param i64 i64) (result i64 i64)
          (i64.add128 (local.get 0) (local.get 1) (i64.const -1) (i64.const 0))))"#,
    );
    let out = wazi(&["run", "--invoke", "mul", &m, "-1", "-1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("wide arithmetic"), "{}", text(&out.stderr));
    // (2^64 - 1)^2 = 2^128 - 2^65 + 1: low half 1, high half 2^64 - 2.
    let out = wazi(&["run", "-W", "wide-arithmetic", "--invoke", "mul", &m, "-1", "-1"]);
    assert_eq!(text(&out.stdout), "1\n-2\n", "{}", text(&out.stderr));
    // (2^64 - 1) + 1 carries into the high half.
    let out = wazi(&["run", "-Wwide-arithmetic=y", "--invoke", "add", &m, "1", "5"]);
    assert_eq!(text(&out.stdout), "0\n6\n", "{}", text(&out.stderr));
}

#[test]
fn exceptions_as_in_wasmtime() {
    let dir = tempfile::tempdir().unwrap();
    // An uncaught exception: exit 1, with the frames it left, as wasmtime.
    let m = module(
        &dir,
        "uncaught.wat",
        r#"(module (tag $t (param i32)) (func $f (throw $t (i32.const 3)))
             (func (export "_start") (call $f)))"#,
    );
    let out = wazi(&["run", &m]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("wasm backtrace:") && err.contains("<unknown>!f"), "{err}");
    assert!(err.trim_end().ends_with("thrown Wasm exception"), "{err}");
    // The legacy `try` (here `try (result i32) throw 0 catch_all i32.const
    // 7 end`, which the text format no longer has): refused by default as
    // wasmtime 48 does, run with `-W legacy-exceptions`.
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    for (id, body) in [
        (1u8, &[2, 0x60, 0, 0, 0x60, 0, 1, 0x7f][..]),
        (3, &[1, 1]),
        (13, &[1, 0, 0]),
        (7, &[1, 1, b'f', 0, 0]),
        (10, &[1, 10, 0, 0x06, 0x7f, 0x08, 0, 0x19, 0x41, 7, 0x0b, 0x0b]),
    ] {
        bytes.push(id);
        bytes.push(body.len() as u8);
        bytes.extend_from_slice(body);
    }
    let p = dir.path().join("legacy.wasm");
    std::fs::write(&p, &bytes).unwrap();
    let p = p.display().to_string();
    let out = wazi(&["run", "--invoke", "f", &p]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("legacy_exceptions feature required"));
    let out = wazi(&["run", "-W", "legacy-exceptions", "--invoke", "f", &p]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "7\n");
}
