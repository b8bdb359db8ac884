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
    r#"(module
      (memory 1)
      (global $v (mut v128) (v128.const i32x4 1 2 3 4))
      (func $mix (export "mix") (param v128 i32) (result v128 i32) (local v128)
        (local.set 2 (i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31
          (local.get 0) (global.get $v)))
        (global.set $v (v128.bitselect (local.get 2) (local.get 0) (i8x16.splat (local.get 1))))
        (v128.store offset=16 (i32.const 0) (i32x4.add (local.get 2) (v128.load (local.get 1))))
        (i16x8.replace_lane 3 (local.get 2) (i32.const 7))
        (i8x16.extract_lane_u 15 (i16x8.narrow_i32x4_s (local.get 0) (local.get 2))))
      (func (export "floats") (param f32) (result f32)
        (f32x4.extract_lane 1 (f32x4.relaxed_madd (f32x4.splat (local.get 0))
          (f32x4.sqrt (f32x4.splat (local.get 0))) (f32x4.nearest (f32x4.splat (local.get 0))))))
      (func (export "lanes") (param i32) (result i32)
        (v128.store8_lane 3 (local.get 0) (v128.load32_zero (local.get 0)))
        (i32.add (i8x16.bitmask (v128.load8_lane 5 (local.get 0) (v128.const i64x2 -1 0)))
          (i32x4.all_true (i64x2.shl (v128.load16x4_s (local.get 0)) (local.get 0)))))
      (func (export "call") (param v128) (result v128)
        (call $mix (local.get 0) (i32.const 3)) (drop) (select (local.get 0) (i32.const 1)))
      (func (export "calls") (result i32)
        (i32x4.extract_lane 0 (call 3 (v128.const i32x4 9 8 7 6)))))"#,
    r#"(module
      (memory $a 1) (memory $b 1 2) (data (memory $b) (i32.const 3) "mm")
      (func (export "copy") (param i32) (result i32)
        (memory.copy $a $b (local.get 0) (i32.const 3) (i32.const 2))
        (memory.fill $b (i32.const 0) (local.get 0) (i32.const 4))
        (drop (memory.grow $b (local.get 0)))
        (i64.store32 $b offset=4 (local.get 0) (i64.load16_u $a (local.get 0)))
        (i32.add (memory.size $b) (i32.load8_s $b (i32.const 1)))))"#,
    r#"(module
      (memory i64 1 2) (data (i64.const 5) "m64")
      (func (export "m64") (param i64) (result i64)
        (i64.store offset=8 (local.get 0) (i64.load8_u offset=5 (i64.const 0)))
        (memory.fill (local.get 0) (i32.const 1) (i64.const 16))
        (memory.copy (i64.const 100) (local.get 0) (i64.const 8))
        (v128.store offset=32 (local.get 0) (v128.load (i64.const 100)))
        (i64.add (memory.grow (local.get 0)) (i64.load32_s (i64.const 100)))))"#,
    r#"(module
      (type $t (func (param i32) (result i32)))
      (func $f (type $t) (i32.mul (local.get 0) (i32.const 3)))
      (elem declare func $f)
      (table 2 (ref null $t))
      (func (export "refs") (param i32) (result i32) (local (ref null $t))
        (table.set (i32.const 1) (ref.func $f))
        (local.set 1 (table.get (local.get 0)))
        (block $n (br_on_null $n (local.get 1)) (drop))
        (call_ref $t (local.get 0) (ref.as_non_null (local.get 1)))))"#,
    r#"(module
      (tag $e (param i32))
      (tag $v (param v128 i64))
      (global $x (mut exnref) (ref.null exn))
      (func $thrower (param i32) (result i32)
        (if (local.get 0) (then (throw $e (local.get 0))))
        (i32.const 0))
      (func (export "exn") (param i32) (result i32)
        (block $h (result i32)
          (block $r (result exnref)
            (try_table (catch $e $h) (catch_all_ref $r)
              (drop (call $thrower (local.get 0)))
              (throw $v (v128.const i64x2 1 2) (i64.const 3))))
          (global.set $x)
          (i32.const -1)))
      (func (export "rethrow") (result i32)
        (block $h (result i32)
          (try_table (catch $e $h) (throw_ref (global.get $x)))
          (i32.const 0))))"#,
    r#"(module
      (memory 1 2 shared)
      (func (export "atomics") (param i32) (result i64)
        (i32.atomic.store offset=4 (local.get 0) (i32.const 9))
        (drop (i32.atomic.rmw16.add_u (local.get 0) (i32.const 1)))
        (drop (i64.atomic.rmw.cmpxchg offset=8 (local.get 0) (i64.const 0) (i64.const 5)))
        (drop (memory.atomic.notify (local.get 0) (i32.const 1)))
        (drop (memory.atomic.wait32 (local.get 0) (i32.const 1) (i64.const 0)))
        (atomic.fence)
        (i64.add (i64.atomic.load offset=8 (local.get 0))
          (i64.extend_i32_u (i32.atomic.load8_u (local.get 0))))))"#,
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
        let engine = &engines[(i / seeds.len()) % engines.len()];
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

const COMPONENT_SEEDS: &[&str] = &[
    r#"(component
      (core module $m
        (memory (export "mem") 1)
        (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 256))
        (func (export "echo") (param i32 i32) (result i32)
          (i32.store (i32.const 0) (local.get 0))
          (i32.store (i32.const 4) (local.get 1))
          (i32.const 0))
        (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
      (core instance $i (instantiate $m))
      (func (export "echo") (param "s" string) (result string)
        (canon lift (core func $i "echo") (memory (core memory $i "mem"))
          (realloc (core func $i "realloc"))))
      (func (export "add") (param "a" u32) (param "b" u32) (result u32)
        (canon lift (core func $i "add"))))"#,
    r#"(component
      (type $r (resource (rep i32)))
      (core func $new (canon resource.new $r))
      (core func $rep (canon resource.rep $r))
      (core module $m
        (import "" "new" (func $new (param i32) (result i32)))
        (import "" "rep" (func $rep (param i32) (result i32)))
        (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
        (func (export "get") (param i32) (result i32) (call $rep (local.get 0))))
      (core instance $i (instantiate $m (with "" (instance
        (export "new" (func $new)) (export "rep" (func $rep))))))
      (export $r' "r" (type $r))
      (func (export "make") (param "v" u32) (result (own $r'))
        (canon lift (core func $i "make")))
      (func (export "get") (param "h" (borrow $r')) (result u32)
        (canon lift (core func $i "get"))))"#,
    r#"(component
      (component $inner
        (core module $m (func (export "f") (result i32) (i32.const 7)))
        (core instance $i (instantiate $m))
        (func (export "f") (result u8) (canon lift (core func $i "f"))))
      (instance $a (instantiate $inner))
      (instance $b (instantiate $inner))
      (import "host" (func $h (param "x" u32) (result (list u8))))
      (export "f" (func $a "f"))
      (export "g" (func $b "f")))"#,
];

/// A value of type `ty`, for calling mutated components' exports.
fn some_val(ty: &wazi::component::types::Type) -> wazi::component::Val {
    use wazi::component::Val;
    use wazi::component::types::Type;
    match ty {
        Type::Bool => Val::Bool(true),
        Type::S8 => Val::S8(-1),
        Type::U8 => Val::U8(1),
        Type::S16 => Val::S16(-1),
        Type::U16 => Val::U16(1),
        Type::S32 => Val::S32(-1),
        Type::U32 => Val::U32(1),
        Type::S64 => Val::S64(-1),
        Type::U64 => Val::U64(1),
        Type::Float32 => Val::Float32(1.5),
        Type::Float64 => Val::Float64(1.5),
        Type::Char => Val::Char('é'),
        Type::String => Val::String("héllo".into()),
        Type::List(l) => Val::List(vec![some_val(&l.ty()); 2]),
        Type::Record(r) => {
            Val::Record(r.fields().map(|f| (f.name.to_string(), some_val(&f.ty))).collect())
        }
        Type::Tuple(t) => Val::Tuple(t.types().map(|t| some_val(&t)).collect()),
        Type::Variant(v) => {
            let c = v.cases().next().unwrap();
            Val::Variant(c.name.to_string(), c.ty.map(|t| Box::new(some_val(&t))))
        }
        Type::Enum(e) => Val::Enum(e.names().next().unwrap().to_string()),
        Type::Option(o) => Val::Option(Some(Box::new(some_val(&o.ty())))),
        Type::Result(r) => Val::Result(Ok(r.ok().map(|t| Box::new(some_val(&t))))),
        Type::Flags(f) => Val::Flags(f.names().take(1).map(str::to_string).collect()),
        // Handles cannot be made up; such calls fail with an error.
        Type::Own(_) | Type::Borrow(_) | Type::Future(_) | Type::Stream(_) | Type::ErrorContext => {
            Val::Bool(false)
        }
    }
}

/// Loads, instantiates and calls a (possibly invalid) component.
fn exercise_component(engine: &Engine, bytes: &[u8]) -> (bool, bool) {
    use wazi::component::{Component, Linker as CLinker, Val};
    let Ok(component) = Component::from_binary(engine, bytes) else {
        return (false, false);
    };
    let mut store = Store::new(engine, ());
    store.set_fuel(20_000).unwrap();
    let mut linker = CLinker::new(engine);
    if linker.define_unknown_imports_as_traps(&component).is_err() {
        return (true, false);
    }
    let Ok(inst) = linker.instantiate(&mut store, &component) else {
        return (true, false);
    };
    for name in inst.exports(&store) {
        let Some(f) = inst.get_func(&mut store, name.as_str()) else { continue };
        let args: Vec<Val> = f.params(&store).iter().map(|(_, t)| some_val(t)).collect();
        let mut results = vec![Val::Bool(false); f.results(&store).len()];
        let _ = f.call(&mut store, &args, &mut results);
        store.set_fuel(20_000).unwrap();
    }
    (true, true)
}

#[test]
fn mutated_components_never_panic() {
    let budget = Duration::from_secs(15);
    let start = Instant::now();
    let mut c = Config::new();
    c.consume_fuel(true).max_wasm_stack(1 << 20);
    let engine = Engine::new(&c).unwrap();
    let seeds: Vec<Vec<u8>> = COMPONENT_SEEDS.iter().map(|s| wat::parse_str(s).unwrap()).collect();
    let mut rng = Rng(0xc0de_5eed_1234_9876);
    let (mut tried, mut loaded, mut ran) = (0, 0, 0);
    for i in 0..20_000 {
        if start.elapsed() > budget {
            break;
        }
        let seed = &seeds[i % seeds.len()];
        let mut mutant = mutate(&mut rng, seed);
        if i % 10 == 0 {
            // Truncated binaries too.
            mutant.truncate(8 + rng.below(mutant.len() - 8));
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| exercise_component(&engine, &mutant)));
        match outcome {
            Ok((l, r)) => {
                tried += 1;
                loaded += l as usize;
                ran += r as usize;
            }
            Err(_) => panic!("component mutant {i} panicked; bytes: {mutant:?}"),
        }
    }
    println!(
        "component mutation test: {tried} mutants, {loaded} loaded, {ran} instantiated and ran"
    );
    assert!(tried >= 300, "too few mutants in the time budget: {tried}");
    assert!(ran > 10, "too few mutants instantiated: {ran}");
}
