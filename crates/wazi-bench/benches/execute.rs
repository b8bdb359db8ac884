//! Execution speed: each kernel runs in wazi and in wasmi 2.0, both
//! translating eagerly, in the same process on the same input.

use criterion::{Criterion, criterion_group, criterion_main};
use std::time::Duration;
use wazi_bench::{
    COREMARK, COREMARK_RUN, EXECUTION, KERNELS, LIB_KERNELS, LIBS, SIMD, SIMD_KERNELS, SIMD_SCALAR,
};

mod engines;

use engines::{Runner, Wasmi, Wazi};

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
