//! CoreMark, a C program nobody here wrote, computes in wazi what it
//! computes in wasmtime 48 and passes its own checks (its list, matrix
//! and state CRCs are the published ones for the 2K performance run).

use wazi::*;

fn coremark(iterations: i32) -> i32 {
    let engine = Engine::default();
    let module = Module::new(&engine, wazi_bench::COREMARK).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, wazi_bench::COREMARK_RUN.export).unwrap();
    run.call(&mut store, iterations).unwrap()
}

#[test]
fn coremark_validates_and_agrees_with_wasmtime() {
    // `wasmtime run --invoke run coremark.wasm N` prints these.
    assert_eq!(coremark(1), 59156);
    assert_eq!(coremark(10), 64687);
    assert_eq!(coremark(100), 39052);
}
