//! The cost of a host call through the canonical ABI, against a plain core
//! host call, in the same process: a guest loop makes 1,000 calls to a
//! host function taking nothing, a 1 KiB string, or a 64 KiB `list<u8>`;
//! the core baseline loop calls a core host function taking an `i32`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;
use wazi::component::{Component, Linker as CLinker};
use wazi::{Engine, Linker, Module, Store};

const CALLS: u64 = 1000;

fn core_call(engine: &Engine) -> impl FnMut() {
    let module = Module::new(
        engine,
        r#"(module
          (import "host" "f" (func $f (param i32)))
          (func (export "run") (param $n i32)
            (loop $l
              (call $f (local.get $n))
              (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(engine);
    linker
        .func_wrap("host", "f", |x: i32| {
            std::hint::black_box(x);
        })
        .unwrap();
    let mut store = Store::new(engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<i32, ()>(&mut store, "run").unwrap();
    move || run.call(&mut store, CALLS as i32).unwrap()
}

/// A component whose export `run(n)` calls the imported `f` `n` times
/// with the arguments `args` (core code pushing the flat values).
fn component(engine: &Engine, params: &str, core_params: &str, args: &str) -> Component {
    Component::new(
        engine,
        format!(
            r#"(component
  (import "f" (func $f {params}))
  (core module $mem (memory (export "mem") 2))
  (core instance $mem (instantiate $mem))
  (core func $f' (canon lower (func $f) (memory (core memory $mem "mem"))))
  (core module $m
    (import "" "f" (func $f {core_params}))
    (func (export "run") (param $n i32)
      (loop $l
        (call $f {args})
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
  (core instance $i (instantiate $m (with "" (instance (export "f" (func $f'))))))
  (func (export "run") (param "n" u32) (canon lift (core func $i "run"))))"#
        ),
    )
    .unwrap()
}

fn component_call(engine: &Engine, which: &str) -> impl FnMut() {
    let mut linker = CLinker::<()>::new(engine);
    let c = match which {
        "none" => {
            linker.root().func_wrap("f", |_, (): ()| Ok(())).unwrap();
            component(engine, "", "", "")
        }
        "string-1k" => {
            linker
                .root()
                .func_wrap("f", |_, (s,): (String,)| {
                    std::hint::black_box(s);
                    Ok(())
                })
                .unwrap();
            component(
                engine,
                "(param \"s\" string)",
                "(param i32 i32)",
                "(i32.const 0) (i32.const 1024)",
            )
        }
        _ => {
            linker
                .root()
                .func_wrap("f", |_, (l,): (Vec<u8>,)| {
                    std::hint::black_box(l);
                    Ok(())
                })
                .unwrap();
            component(
                engine,
                "(param \"l\" (list u8))",
                "(param i32 i32)",
                "(i32.const 0) (i32.const 65536)",
            )
        }
    };
    let mut store = Store::new(engine, ());
    let instance = linker.instantiate(&mut store, &c).unwrap();
    let run = instance.get_typed_func::<(u32,), ()>(&mut store, "run").unwrap();
    move || run.call(&mut store, (CALLS as u32,)).unwrap()
}

fn host_calls(c: &mut Criterion) {
    let engine = Engine::default();
    let mut group = c.benchmark_group("host-call");
    group.sample_size(30).measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Elements(CALLS));
    let mut f = core_call(&engine);
    group.bench_function("core/i32", |b| b.iter(&mut f));
    for which in ["none", "string-1k", "list-u8-64k"] {
        let mut f = component_call(&engine, which);
        group.bench_function(format!("component/{which}"), |b| b.iter(&mut f));
    }
    group.finish();
}

criterion_group!(benches, host_calls);
criterion_main!(benches);
