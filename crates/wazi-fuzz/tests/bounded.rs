//! Every fuzz target, bounded and seeded: the same inputs each run, so a
//! failure here is reproducible (`wazi-fuzz TARGET --seed SEED`).

fn bounded(name: &str, runs: u64) {
    let target = wazi_fuzz::target(name).unwrap();
    for seed in [1u64, 0x9e37_79b9_7f4a_7c15] {
        match wazi_fuzz::run_seeded(target, seed, runs) {
            Ok((agreed, _skipped)) => {
                // Most inputs make a module that is compared in full.
                assert!(agreed * 2 > runs, "{name} seed {seed}: only {agreed} of {runs} compared");
            }
            Err((why, input)) => {
                let file = std::env::temp_dir().join(format!("wazi-fuzz-{name}-{seed}.bin"));
                std::fs::write(&file, &input).unwrap();
                panic!("{name} seed {seed}: {why} (input in {})", file.display());
            }
        }
    }
}

#[test]
fn validate() {
    bounded("validate", 2000);
}

#[test]
fn differential() {
    bounded("differential", 2000);
}

#[test]
fn wasi_p1() {
    bounded("wasi-p1", 300);
}

#[test]
fn component_values() {
    bounded("component-values", 500);
}

#[test]
fn component_structure() {
    bounded("component-structure", 1000);
}

#[test]
fn gc() {
    bounded("gc", 150);
    // The generated modules allocate GC objects often enough for the
    // comparison to mean something.
    let with_objects = wazi_fuzz::gc_runs_with_objects();
    assert!(with_objects >= 15, "only {with_objects} of 300 runs allocated GC objects");
}

#[test]
fn wasi_p2() {
    bounded("wasi-p2", 150);
}

#[test]
fn wasi_p2_calls() {
    bounded("wasi-p2-calls", 150);
}

#[test]
fn async_abi() {
    bounded("async-abi", 300);
}
