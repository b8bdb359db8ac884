//! Real libraries (deflate, regex, JSON; `programs/libs/`) compute in
//! wazi what they compute in wasmtime 48, and pass their own round-trip
//! checks (a failed one returns -1).

use wazi::*;

fn call(export: &str, arg: i32) -> i64 {
    let engine = Engine::default();
    let module = Module::new(&engine, wazi_bench::LIBS).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let f = instance.get_typed_func::<i32, i64>(&store, export).unwrap();
    f.call(&mut store, arg).unwrap()
}

#[test]
fn libraries_agree_with_wasmtime() {
    // `wasmtime run --invoke EXPORT libs.wasm N` prints these.
    assert_eq!(call("deflate", 100), 11206910924454);
    assert_eq!(call("regex", 100), 620218234052);
    assert_eq!(call("json", 50), 21916739311979);
    // The benchmarks' own sizes.
    for k in wazi_bench::LIB_KERNELS {
        let want = match k.export {
            "deflate" => 479758002642124,
            "regex" => 51554057362120,
            "json" => 2674018825892782,
            other => panic!("no wasmtime value recorded for {other}"),
        };
        assert_eq!(call(k.export, k.arg), want, "{}", k.export);
    }
}
