//! Execution speed, paired: each kernel's calls in wazi and in wasmi 2.0
//! alternate (the order swapped every round), so that a machine whose
//! speed drifts, such as a shared VM, slows both alike. Prints, per
//! kernel, the median and the fastest call of each engine and their
//! ratios, then the geometric means. Criterion's `execute` bench times
//! the same calls one engine after the other.
//!
//! `cargo bench -p wazi-bench --bench paired` (`PAIRED_ROUNDS`, default
//! 15, sets the rounds).

mod engines;

use engines::{Runner, Wasmi, Wazi};
use std::time::Instant;
use wazi_bench::{COREMARK, COREMARK_RUN, EXECUTION, KERNELS, Kernel, LIB_KERNELS, LIBS};

fn time(r: &mut dyn Runner, arg: i32) -> f64 {
    let start = Instant::now();
    std::hint::black_box(r.call(arg));
    start.elapsed().as_secs_f64() * 1000.0
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; there are no options.
    let rounds: usize = std::env::var("PAIRED_ROUNDS").map_or(15, |s| s.parse().unwrap());
    // Named as criterion's `execute` bench names them.
    let mut all: Vec<(&str, &Kernel, &[u8])> =
        EXECUTION.iter().map(|k| (k.export, k, KERNELS)).collect();
    all.push(("coremark", &COREMARK_RUN, COREMARK));
    all.extend(LIB_KERNELS.iter().map(|k| (k.export, k, LIBS)));
    all.sort_by_key(|(name, _, _)| *name);
    println!(
        "| benchmark | wazi median | wasmi median | ratio | wazi fastest | wasmi fastest | ratio |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let (mut med_logs, mut min_logs) = (0.0, 0.0);
    for (name, k, wasm) in &all {
        let mut wazi = Wazi::new(wasm, k.export);
        let mut wasmi = Wasmi::new(wasm, k.export);
        assert_eq!(wazi.call(k.arg), wasmi.call(k.arg), "{} differs", k.export);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            if round % 2 == 0 {
                a.push(time(&mut wazi, k.arg));
                b.push(time(&mut wasmi, k.arg));
            } else {
                b.push(time(&mut wasmi, k.arg));
                a.push(time(&mut wazi, k.arg));
            }
        }
        let (ma, mb) = (median(&mut a), median(&mut b));
        let (fa, fb) = (a[0], b[0]);
        med_logs += (ma / mb).ln();
        min_logs += (fa / fb).ln();
        println!(
            "| {name} | {ma:.2} ms | {mb:.2} ms | {:.2} | {fa:.2} ms | {fb:.2} ms | {:.2} |",
            ma / mb,
            fa / fb
        );
    }
    let n = all.len() as f64;
    println!(
        "| **geometric mean** | | | **{:.2}** | | | **{:.2}** |",
        (med_logs / n).exp(),
        (min_logs / n).exp()
    );
}
