//! `wazi wast` through the real binary.

use std::process::Command;

fn wazi() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wazi"))
}

fn scratch(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wazi-wast-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `tests/NAME` through `wazi wast`: it must pass with `directives`
/// directives.
fn passes(name: &str, directives: usize) {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(name);
    let out = wazi().arg("wast").arg(&script).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains(&format!("{directives} directives passed")), "{err}");
}

#[test]
fn passing_script_exits_zero() {
    passes("smoke.wast", 4);
}

#[test]
fn first_failure_names_file_line_and_difference() {
    let path = scratch(
        "fail.wast",
        "(module (func (export \"f\") (result i32) (i32.const 1)))\n\
         (assert_return (invoke \"f\") (i32.const 1))\n\
         (assert_return (invoke \"f\") (i32.const 2))\n\
         (assert_return (invoke \"nope\"))\n",
    );
    let out = wazi().env("RUST_BACKTRACE", "0").arg("wast").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fail.wast:3:2"), "{err}");
    assert!(err.contains("expected I32(2), got I32(1)"), "{err}");
    assert!(!err.contains("nope"), "stops at the first failure: {err}");
}

#[test]
fn trap_assertions_and_exhaustion() {
    let path = scratch(
        "traps.wast",
        "(module (func $r (export \"r\") (call $r)) (func (export \"u\") (unreachable)))\n\
         (assert_exhaustion (invoke \"r\") \"call stack exhausted\")\n\
         (assert_trap (invoke \"u\") \"unreachable\")\n\
         (assert_trap (invoke \"u\") \"integer overflow\")\n",
    );
    let out = wazi().env("RUST_BACKTRACE", "0").arg("wast").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("traps.wast:4:2"), "{err}");
    assert!(err.contains("expected a trap containing \"integer overflow\""), "{err}");
}

#[test]
fn sixty_four_bit_tables() {
    // Every table instruction and call_indirect on i64-indexed tables
    // (Wasm 3.0's memory64), indices past 2^32 included.
    passes("table64.wast", 38);
}

#[test]
fn fused_address_adds_wrap_and_trap_as_unfused() {
    passes("fused-address.wast", 51);
}

#[test]
fn fused_loop_steps_keep_the_counter_and_wrap() {
    passes("fused-step.wast", 37);
}

#[test]
fn fuzz_findings_stay_fixed() {
    // Every module the fuzz targets found a disagreement in, as a script of
    // what wasmtime 48 does with it (crates/wazi-fuzz/found).
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../wazi-fuzz/found");
    let mut scripts: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    scripts.retain(|p| p.extension().is_some_and(|e| e == "wast"));
    assert!(!scripts.is_empty());
    for script in scripts {
        let out = wazi().arg("wast").arg(&script).output().unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
