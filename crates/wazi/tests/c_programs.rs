//! Programs built by another toolchain (Debian's clang, at test time) for
//! the WebAssembly 3.0 features: a multithreaded C program on a shared
//! memory driven by host threads, and a memory64 (wasm64) C program.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use wazi::*;

/// Builds `source` (in `tests/c`) freestanding with clang and `flags`.
fn clang(dir: &Path, source: &str, flags: &[&str]) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c").join(source);
    let out = dir.join(source.replace(".c", ".wasm"));
    let status = Command::new("clang")
        .args(["-nostdlib", "-O2", "-Wl,--no-entry"])
        .args(flags)
        .arg("-o")
        .arg(&out)
        .arg(&src)
        .status()
        .expect("clang is installed by the README's setup (clang lld wasi-libc)");
    assert!(status.success(), "clang failed on {source}");
    out
}

#[test]
fn c_atomics_and_a_futex_mutex_on_four_host_threads() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = clang(
        dir.path(),
        "atomics.c",
        &[
            "--target=wasm32",
            "-matomics",
            "-mbulk-memory",
            "-Wl,--shared-memory,--import-memory,--max-memory=1048576",
            "-Wl,--export=add,--export=locked_add,--export=counter_value,--export=total",
        ],
    );
    let engine = Engine::default();
    let module = Module::from_file(&engine, &wasm).unwrap();
    let Some(ExternType::Memory(ty)) = module.imports().next().map(|i| i.ty()) else {
        panic!("the program imports its memory");
    };
    assert!(ty.is_shared());
    let memory = SharedMemory::new(&engine, ty).unwrap();
    let run = |memory: &SharedMemory| {
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        let m = memory.to_memory(&mut store).unwrap();
        linker.define(&mut store, "env", "memory", m).unwrap();
        let inst = linker.instantiate(&mut store, &module).unwrap();
        (store, inst)
    };
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let (mut store, inst) = run(&memory);
                let add = inst.get_typed_func::<i32, ()>(&mut store, "add").unwrap();
                let locked = inst.get_typed_func::<i32, ()>(&mut store, "locked_add").unwrap();
                for _ in 0..10 {
                    add.call(&mut store, 2_000).unwrap();
                    locked.call(&mut store, 500).unwrap();
                }
            });
        }
    });
    let (mut store, inst) = run(&memory);
    let counter = inst.get_typed_func::<(), i32>(&mut store, "counter_value").unwrap();
    assert_eq!(counter.call(&mut store, ()).unwrap(), 80_000);
    let total = inst.get_typed_func::<(), i64>(&mut store, "total").unwrap();
    assert_eq!(total.call(&mut store, ()).unwrap(), 20_000);
}

#[test]
fn a_c_program_on_memory64() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = clang(
        dir.path(),
        "mem64.c",
        &["--target=wasm64", "-Wl,--export=primes_below,--export=pointer_size"],
    );
    let engine = Engine::default();
    let module = Module::from_file(&engine, &wasm).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let memory = inst.get_memory(&mut store, "memory").unwrap();
    assert!(memory.ty(&store).is_64());
    let size = inst.get_typed_func::<(), i64>(&mut store, "pointer_size").unwrap();
    assert_eq!(size.call(&mut store, ()).unwrap(), 8);
    let primes = inst.get_typed_func::<i64, i64>(&mut store, "primes_below").unwrap();
    for (n, count) in [(10, 4), (1000, 168), (100_000, 9592), (200_000, 17984)] {
        assert_eq!(primes.call(&mut store, n).unwrap(), count, "primes below {n}");
    }
}
