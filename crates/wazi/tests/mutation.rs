//! Seeded byte-level mutations of valid modules never panic the loader or
//! the engine: each mutant either fails to load with an error, or loads,
//! instantiates (imports defined as trapping functions) and runs its
//! exports under a fuel limit, returning values or an error.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};
use wazi::*;

/// A small xorshift generator: the test is reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEEDS: &[&str] = &[
    r#"(module
      (import "env" "log" (func $log (param i32)))
      (memory (export "memory") 1 2)
      (global $g (mut i32) (i32.const 10))
      (table 4 funcref) (elem (i32.const 0) $a $b)
      (data (i32.const 8) "seed data")
      (type $t (func (param i32) (result i32)))
      (func $a (param i32) (result i32) (i32.add (local.get 0) (global.get $g)))
      (func $b (param i32) (result i32) (call_indirect (type $t) (local.get 0) (i32.const 0)))
      (func (export "loop") (param i32) (result i32) (local i32)
        (loop $l
          (local.set 1 (i32.add (local.get 1) (i32.load8_u (local.get 0))))
          (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
        (call $log (local.get 1))
        (local.get 1))
      (func (export "fact") (param i64) (result i64)
        (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
          (else (i64.mul (local.get 0) (call 4 (i64.sub (local.get 0) (i64.const 1)))))))
      (func (export "floats") (param f64) (result f64)
        (f64.add (f64.sqrt (local.get 0)) (f64.convert_i32_s (i32.trunc_sat_f64_s (local.get 0)))))
      (func (export "bulk") (memory.fill (i32.const 0) (i32.const 1) (i32.const 100))
        (memory.copy (i32.const 200) (i32.const 0) (i32.const 50))
        (drop (memory.grow (i32.const 1)))))"#,
    r#"(module
      (func $fib (export "fib") (param i32) (result i32)
        (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                         (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
      (func (export "switch") (param i32) (result i32)
        (block (block (block (br_table 0 1 2 (local.get 0))) (return (i32.const 1))) (return (i32.const 2)))
        (i32.const 3))
      (func (export "multi") (param i32 i32) (result i32 i32)
        (local.get 1) (local.get 0))
      (func (export "tail") (param i32) (result i32)
        (if (result i32) (local.get 0) (then (return_call 0 (local.get 0))) (else (i32.const 0)))))"#,
];

fn mutate(rng: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(4) {
            0 => {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
            1 => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            2 if out.len() > 9 => {
                let i = 8 + rng.below(out.len() - 8);
                out.remove(i);
            }
            _ => {
                let i = 8 + rng.below(out.len() - 8);
                out.insert(i, rng.next() as u8);
            }
        }
    }
    out
}

/// Loads, instantiates and runs a (possibly invalid) module.
fn exercise(engine: &Engine, bytes: &[u8]) -> (bool, bool) {
    let Ok(module) = Module::from_binary(engine, bytes) else {
        return (false, false);
    };
    let mut store = Store::new(engine, ());
    store.set_fuel(20_000).unwrap();
    let mut linker = Linker::new(engine);
    if linker.define_unknown_imports_as_traps(&module).is_err() {
        return (true, false);
    }
    let Ok(inst) = linker.instantiate(&mut store, &module) else {
        return (true, false);
    };
    for (_, ext) in inst.exports(&store) {
        if let Extern::Func(f) = ext {
            let ty = f.ty(&store);
            let args: Vec<Val> = ty
                .params()
                .iter()
                .map(|t| match t {
                    ValType::I32 => Val::I32(5),
                    ValType::I64 => Val::I64(5),
                    other => Val::default_for(*other),
                })
                .collect();
            let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
            let _ = f.call(&mut store, &args, &mut results);
            store.set_fuel(20_000).unwrap();
        }
    }
    (true, true)
}

#[test]
fn mutated_modules_never_panic() {
    let budget = Duration::from_secs(20);
    let start = Instant::now();
    let engines: Vec<Engine> = [CompilationMode::Eager, CompilationMode::Lazy]
        .into_iter()
        .map(|mode| {
            let mut c = Config::new();
            c.consume_fuel(true).compilation_mode(mode).max_wasm_stack(1 << 20);
            Engine::new(&c).unwrap()
        })
        .collect();
    let seeds: Vec<Vec<u8>> = SEEDS.iter().map(|s| wat::parse_str(s).unwrap()).collect();
    let mut rng = Rng(0x5eed_0f3a_2b1c_0d42);
    let (mut tried, mut loaded, mut ran) = (0, 0, 0);
    for i in 0..20_000 {
        if start.elapsed() > budget {
            break;
        }
        let seed = &seeds[i % seeds.len()];
        let mutant = mutate(&mut rng, seed);
        let engine = &engines[i % engines.len()];
        let outcome = catch_unwind(AssertUnwindSafe(|| exercise(engine, &mutant)));
        match outcome {
            Ok((l, r)) => {
                tried += 1;
                loaded += l as usize;
                ran += r as usize;
            }
            Err(_) => panic!("mutant {i} panicked; bytes: {mutant:?}"),
        }
    }
    println!("mutation test: {tried} mutants, {loaded} loaded, {ran} instantiated and ran");
    assert!(tried >= 500, "too few mutants in the time budget: {tried}");
    // The mutations must reach the engine, not only the decoder.
    assert!(ran > 10, "too few mutants instantiated: {ran}");
}
