//! Execution speed: each kernel runs in wazi and in wasmi 2.0, both
//! translating eagerly, in the same process on the same input.

use criterion::{Criterion, criterion_group, criterion_main};
use std::time::Duration;
use wazi_bench::{
    COREMARK, COREMARK_RUN, EXECUTION, KERNELS, LIB_KERNELS, LIBS, SIMD, SIMD_KERNELS, SIMD_SCALAR,
};

/// Calls kernel `export` with `arg`: returns the result's bits.
trait Runner {
    fn call(&mut self, arg: i32) -> u64;
}

struct Wazi {
    store: wazi::Store<()>,
    func: wazi::Func,
}

impl Wazi {
    fn new(wasm: &[u8], export: &str) -> Wazi {
        let mut config = wazi::Config::new();
        config.compilation_mode(wazi::CompilationMode::Eager);
        let engine = wazi::Engine::new(&config).unwrap();
        let module = wazi::Module::new(&engine, wasm).unwrap();
        let mut store = wazi::Store::new(&engine, ());
        let instance = wazi::Instance::new(&mut store, &module, &[]).unwrap();
        let func = instance.get_func(&store, export).unwrap();
        Wazi { store, func }
    }
}

impl Runner for Wazi {
    fn call(&mut self, arg: i32) -> u64 {
        let ty = self.func.ty(&self.store);
        let mut out = [wazi::Val::default_for(ty.results()[0])];
        self.func.call(&mut self.store, &[wazi::Val::I32(arg)], &mut out).unwrap();
        match out[0] {
            wazi::Val::I32(v) => v as u32 as u64,
            wazi::Val::I64(v) => v as u64,
            wazi::Val::F32(v) => v as u64,
            wazi::Val::F64(v) => v,
            _ => unreachable!("kernels return numbers"),
        }
    }
}

struct Wasmi {
    store: wasmi::Store<()>,
    func: wasmi::Func,
}

impl Wasmi {
    fn new(wasm: &[u8], export: &str) -> Wasmi {
        let mut config = wasmi::Config::default();
        config.compilation_mode(wasmi::CompilationMode::Eager);
        let engine = wasmi::Engine::new(&config);
        let module = wasmi::Module::new(&engine, wasm).unwrap();
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
        let func = instance.get_func(&store, export).unwrap();
        Wasmi { store, func }
    }
}

impl Runner for Wasmi {
    fn call(&mut self, arg: i32) -> u64 {
        let ty = self.func.ty(&self.store);
        let mut out = [wasmi::Val::default_for_ty(ty.results()[0])];
        self.func.call(&mut self.store, &[wasmi::Val::I32(arg)], &mut out).unwrap();
        match out[0] {
            wasmi::Val::I32(v) => v as u32 as u64,
            wasmi::Val::I64(v) => v as u64,
            wasmi::Val::F32(v) => v.to_bits() as u64,
            wasmi::Val::F64(v) => v.to_bits(),
            _ => unreachable!(),
        }
    }
}

/// Runs `kernel` from `wasm` in both engines, as benchmark group `name`.
fn compare(c: &mut Criterion, name: &str, wasm: &[u8], k: &wazi_bench::Kernel) {
    let mut wazi = Wazi::new(wasm, k.export);
    let mut wasmi = Wasmi::new(wasm, k.export);
    // Both engines must compute the same thing.
    assert_eq!(wazi.call(k.arg), wasmi.call(k.arg), "{name} differs");
    let mut group = c.benchmark_group(name);
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    group.bench_function("wazi", |b| b.iter(|| wazi.call(k.arg)));
    group.bench_function("wasmi", |b| b.iter(|| wasmi.call(k.arg)));
    group.finish();
}

fn execute(c: &mut Criterion) {
    for k in EXECUTION {
        compare(c, &format!("execute/{}", k.export), KERNELS, k);
    }
    // CoreMark checks its own list, matrix and state results against the
    // known ones; -1 is a failed check.
    let crc = Wazi::new(COREMARK, COREMARK_RUN.export).call(COREMARK_RUN.arg);
    assert_ne!(crc, u32::MAX as u64, "CoreMark reported an error in wazi");
    compare(c, "execute/coremark", COREMARK, &COREMARK_RUN);
    for k in LIB_KERNELS {
        compare(c, &format!("execute/{}", k.export), LIBS, k);
    }
}

/// The SIMD kernels, vectorised and scalar.
fn simd(c: &mut Criterion) {
    for k in SIMD_KERNELS {
        compare(c, &format!("simd/{}", k.export), SIMD, k);
        compare(c, &format!("scalar/{}", k.export), SIMD_SCALAR, k);
    }
}

criterion_group!(benches, execute, simd);
criterion_main!(benches);
