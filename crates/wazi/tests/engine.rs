//! Engine behaviour through the public API: translation corner cases, calls
//! and the wasm stack, traps and backtraces, limits, fuel, host functions.

use wazi::*;

fn engine_with(f: impl FnOnce(&mut Config)) -> Engine {
    let mut c = Config::new();
    f(&mut c);
    Engine::new(&c).unwrap()
}

/// Instantiates `wat` (no imports) in a fresh store of `engine`.
fn instance(engine: &Engine, wat: &str) -> (Store<()>, Instance) {
    let module = Module::new(engine, wat).unwrap();
    let mut store = Store::new(engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    (store, inst)
}

fn call_i32(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> Result<i32> {
    let f = inst.get_func(&mut *store, name).unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut *store, args, &mut out)?;
    Ok(out[0].unwrap_i32())
}

/// Every compilation mode, so each test covers lazy and eager translation.
fn engines() -> Vec<Engine> {
    vec![
        engine_with(|c| {
            c.compilation_mode(CompilationMode::Eager);
        }),
        engine_with(|c| {
            c.compilation_mode(CompilationMode::LazyTranslation);
        }),
        engine_with(|c| {
            c.compilation_mode(CompilationMode::Lazy);
        }),
    ]
}

#[test]
fn br_table_with_many_targets() {
    // block $b0 .. $b999 nested; br_table jumps to the block given by the
    // argument; each block's end returns its own index.
    let n = 1000;
    let mut wat = String::from("(module (func (export \"f\") (param i32) (result i32)\n");
    for _ in 0..n {
        wat.push_str("(block\n");
    }
    wat.push_str("(br_table");
    for i in 0..n {
        wat.push_str(&format!(" {i}"));
    }
    wat.push_str(" 0 (local.get 0))\n");
    for i in 0..n {
        wat.push_str(&format!(") (return (i32.const {i}))\n"));
    }
    wat.push_str("))");
    for engine in engines() {
        let (mut store, inst) = instance(&engine, &wat);
        for i in [0, 1, 2, 499, 998, 999] {
            assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(i)]).unwrap(), i);
        }
        // Out of range goes to the default target, block 0.
        assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(5000)]).unwrap(), 0);
        assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(-1)]).unwrap(), 0);
    }
}

#[test]
fn br_table_carrying_values() {
    let wat = r#"(module (func (export "f") (param i32) (result i32)
        (block (result i32)
          (block (result i32)
            (block (result i32)
              (br_table 0 1 2 (i32.const 10) (local.get 0)))
            (i32.add (i32.const 1)))
          (i32.add (i32.const 100)))))"#;
    for engine in engines() {
        let (mut store, inst) = instance(&engine, wat);
        assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(0)]).unwrap(), 111);
        assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(1)]).unwrap(), 110);
        assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(2)]).unwrap(), 10);
        assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(7)]).unwrap(), 10);
    }
}

#[test]
fn multi_value_blocks_and_loops_with_parameters() {
    let wat = r#"(module
      (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
      ;; sum 1..n with a loop whose parameters are (counter, accumulator)
      (func (export "sum") (param $n i32) (result i32)
        (local.get $n) (i32.const 0)
        (loop $l (param i32 i32) (result i32 i32)
          ;; stack: counter acc
          (call $swap)                    ;; acc counter
          (local.tee $n)                  ;; acc counter
          (i32.add)                       ;; acc+counter
          (local.get $n) (i32.const 1) (i32.sub) ;; acc' counter-1
          (call $swap)                    ;; counter-1 acc'
          (br_if $l (i32.ne (local.get $n) (i32.const 1))))
        (drop (local.set $n)) (local.get $n))
      (func (export "pair") (result i32)
        (block (result i32 i32) (i32.const 7) (i32.const 5))
        (i32.sub))
      (func (export "if_params") (param i32) (result i32)
        (i32.const 40) (i32.const 2)
        (if (param i32 i32) (result i32) (local.get 0)
          (then (i32.add))
          (else (i32.sub)))))"#;
    for engine in engines() {
        let (mut store, inst) = instance(&engine, wat);
        assert_eq!(call_i32(&mut store, inst, "sum", &[Val::I32(10)]).unwrap(), 55);
        assert_eq!(call_i32(&mut store, inst, "pair", &[]).unwrap(), 2);
        assert_eq!(call_i32(&mut store, inst, "if_params", &[Val::I32(1)]).unwrap(), 42);
        assert_eq!(call_i32(&mut store, inst, "if_params", &[Val::I32(0)]).unwrap(), 38);
    }
}

#[test]
fn code_after_unreachable_and_branches() {
    let wat = r#"(module
      (func (export "a") (result i32)
        (block (result i32) (br 0 (i32.const 1)) (unreachable) (i32.add) (drop) (i32.const 9))
        (return) (i32.const 2) (loop (br 0)) (unreachable))
      (func (export "b") (param i32) (result i32)
        (if (result i32) (local.get 0)
          (then (return (i32.const 3)) (i32.const 4))
          (else (unreachable) (block (result i32) (i32.const 5)))))
      (func (export "c") (result i32)
        (block $out (result i32)
          (loop $l
            (br $out (i32.const 6))
            (block (br_table 0 1 (i32.const 0)))
            (br $l))
          (i32.const 0))))"#;
    for engine in engines() {
        let (mut store, inst) = instance(&engine, wat);
        assert_eq!(call_i32(&mut store, inst, "a", &[]).unwrap(), 1);
        assert_eq!(call_i32(&mut store, inst, "b", &[Val::I32(1)]).unwrap(), 3);
        let err = call_i32(&mut store, inst, "b", &[Val::I32(0)]).unwrap_err();
        assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::UnreachableCodeReached));
        assert_eq!(call_i32(&mut store, inst, "c", &[]).unwrap(), 6);
    }
}

#[test]
fn deep_nesting() {
    // 20,000 nested blocks and ifs: the translator keeps its control stack
    // on the heap.
    let depth = 20_000;
    let mut wat =
        String::from("(module (func (export \"f\") (param i32) (result i32) (local.get 0)\n");
    for _ in 0..depth {
        wat.push_str("(block (param i32) (result i32) (i32.add (i32.const 1))\n");
    }
    for _ in 0..depth {
        wat.push(')');
    }
    wat.push_str("))");
    for engine in engines() {
        let (mut store, inst) = instance(&engine, &wat);
        assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(5)]).unwrap(), depth + 5);
    }
}

#[test]
fn locals_beyond_a_thousand() {
    let many = " i32".repeat(5000);
    let wat = format!(
        r#"(module (func (export "f") (param i32) (result i32)
        (local i64 f32 f64) (local i32 i32) (local {many}) (local $last i64)
        (local.set 4000 (i32.add (local.get 0) (i32.const 1)))
        (local.set 4999 (i32.mul (local.get 4000) (i32.const 3)))
        (local.set $last (i64.extend_i32_u (local.get 4999)))
        (i32.add (i32.wrap_i64 (local.get $last)) (local.get 4998))))"#
    );
    for engine in engines() {
        let (mut store, inst) = instance(&engine, &wat);
        assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(9)]).unwrap(), 30);
        // Locals start at zero on every call.
        assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(0)]).unwrap(), 3);
    }
}

#[test]
fn local_aliases_survive_local_set() {
    // The value of `local.get 0` pushed before `local.set 0` must be the old
    // one, also across blocks and branches.
    let wat = r#"(module
      (func (export "f") (param i32) (result i32)
        (local.get 0)
        (local.set 0 (i32.const 100))
        (local.get 0)
        (i32.sub))
      (func (export "g") (param i32) (result i32)
        (local.get 0)
        (block
          (br_if 0 (i32.eqz (local.get 0)))
          (local.set 0 (i32.const 7)))
        (local.get 0)
        (i32.add))
      (func (export "tee") (param i32) (result i32)
        (i32.add (local.get 0) (local.tee 0 (i32.const 5)))))"#;
    for engine in engines() {
        let (mut store, inst) = instance(&engine, wat);
        assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(1)]).unwrap(), -99);
        assert_eq!(call_i32(&mut store, inst, "g", &[Val::I32(0)]).unwrap(), 0);
        assert_eq!(call_i32(&mut store, inst, "g", &[Val::I32(3)]).unwrap(), 10);
        assert_eq!(call_i32(&mut store, inst, "tee", &[Val::I32(1)]).unwrap(), 6);
    }
}

#[test]
fn fusion_shows_in_the_bytecode() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (param i32) (result i32) (local i32)
          (loop $l
            (local.set 1 (i32.add (local.get 1) (local.get 0)))
            (br_if $l (i32.lt_s (local.get 1) (i32.const 1000))))
          (local.get 1)))"#,
    )
    .unwrap();
    let listing = module.disassemble(0).unwrap();
    // The add writes the local directly; compare and branch are one op.
    assert!(listing.contains("i32_add_rr"), "{listing}");
    assert!(listing.contains("br_i32_lt_s_ri"), "{listing}");
    assert!(!listing.contains("\n    0: copy") && !listing.contains(": copy "), "{listing}");
    let ops = listing.lines().count();
    assert!(ops <= 5, "expected a tight loop, got:\n{listing}");
}

#[test]
fn deep_recursion_runs_with_default_settings() {
    let wat = r#"(module (func $f (export "f") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (i32.const 0))
          (else (i32.add (i32.const 1) (call $f (i32.sub (local.get 0) (i32.const 1))))))))"#;
    let (mut store, inst) = instance(&Engine::default(), wat);
    assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(100_000)]).unwrap(), 100_000);
}

#[test]
fn stack_exhaustion_traps_without_touching_the_native_stack() {
    // Run on a thread with a small native stack: the wasm call stack lives
    // on the heap, so infinite recursion must trap, not crash.
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let wat = r#"(module
              (func $f (export "f") (param i64) (result i64)
                (i64.add (call $f (local.get 0)) (i64.const 1)))
              (func $g (export "g") (call $g)))"#;
            let (mut store, inst) = instance(&Engine::default(), wat);
            let f = inst.get_func(&mut store, "f").unwrap();
            let err = f.call(&mut store, &[Val::I64(0)], &mut [Val::I64(0)]).unwrap_err();
            let g = inst.get_func(&mut store, "g").unwrap();
            let err2 = g.call(&mut store, &[], &mut []).unwrap_err();
            (err.downcast_ref::<Trap>().copied(), err2.downcast_ref::<Trap>().copied())
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(result, (Some(Trap::StackOverflow), Some(Trap::StackOverflow)));
}

#[test]
fn max_wasm_stack_is_configurable() {
    let wat = r#"(module (func $f (export "f") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (i32.const 0))
          (else (i32.add (i32.const 1) (call $f (i32.sub (local.get 0) (i32.const 1))))))))"#;
    let small = engine_with(|c| {
        c.max_wasm_stack(64 * 1024);
    });
    let (mut store, inst) = instance(&small, wat);
    let err = call_i32(&mut store, inst, "f", &[Val::I32(100_000)]).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::StackOverflow));
    // The store is still usable after the trap.
    assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(100)]).unwrap(), 100);
}

#[test]
fn every_trap_is_typed() {
    let wat = r#"(module
      (type $t (func (result i32)))
      (table 2 funcref) (elem (i32.const 0) $ok)
      (memory 1)
      (func $ok (result i32) (i32.const 1))
      (func (export "unreachable") (unreachable))
      (func (export "div0") (drop (i32.div_u (i32.const 1) (i32.const 0))))
      (func (export "overflow") (drop (i32.div_s (i32.const 0x80000000) (i32.const -1))))
      (func (export "conv") (drop (i32.trunc_f32_s (f32.const nan))))
      (func (export "oob") (drop (i32.load (i32.const 65535))))
      (func (export "table_oob") (drop (table.get 0 (i32.const 2))))
      (func (export "null") (drop (call_indirect (type $t) (i32.const 1))))
      (func (export "sig") (call_indirect (param i32) (i32.const 0) (i32.const 0)))
      (func (export "undefined") (drop (call_indirect (type $t) (i32.const 9)))))"#;
    let cases = [
        ("unreachable", Trap::UnreachableCodeReached),
        ("div0", Trap::IntegerDivisionByZero),
        ("overflow", Trap::IntegerOverflow),
        ("conv", Trap::BadConversionToInteger),
        ("oob", Trap::MemoryOutOfBounds),
        ("table_oob", Trap::TableOutOfBounds),
        ("null", Trap::IndirectCallToNull),
        ("sig", Trap::BadSignature),
        ("undefined", Trap::TableOutOfBounds),
    ];
    for engine in engines() {
        let (mut store, inst) = instance(&engine, wat);
        for (name, trap) in cases {
            let f = inst.get_func(&mut store, name).unwrap();
            let err = f.call(&mut store, &[], &mut []).unwrap_err();
            assert_eq!(err.downcast_ref::<Trap>(), Some(&trap), "{name}: {err:?}");
        }
    }
}

#[test]
fn traps_carry_a_backtrace_with_demangled_names() {
    // A module with a name section naming functions, one with a mangled
    // Rust name.
    let wat = r#"(module $demo
      (func $_ZN4demo5inner17h0123456789abcdefE (param i32) (result i32)
        (i32.div_u (i32.const 10) (local.get 0)))
      (func $middle (param i32) (result i32) (call $_ZN4demo5inner17h0123456789abcdefE (local.get 0)))
      (func (export "outer") (param i32) (result i32) (call $middle (local.get 0))))"#;
    for engine in engines() {
        let (mut store, inst) = instance(&engine, wat);
        let err = call_i32(&mut store, inst, "outer", &[Val::I32(0)]).unwrap_err();
        assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::IntegerDivisionByZero));
        let bt = err.downcast_ref::<WasmBacktrace>().expect("a backtrace");
        let frames = bt.frames();
        assert_eq!(frames.len(), 3, "{bt}");
        assert_eq!(frames[0].func_index(), 0);
        // Demangled as wasmtime shows them: with the hash.
        assert_eq!(frames[0].func_name(), Some("demo::inner::h0123456789abcdef"));
        assert_eq!(frames[1].func_name(), Some("middle"));
        assert_eq!(frames[2].func_index(), 2);
        assert_eq!(frames[0].module_name(), Some("demo"));
        // Offsets point into the code section, the trapping one inside its
        // function body.
        let off0 = frames[0].module_offset().unwrap();
        let off1 = frames[1].module_offset().unwrap();
        assert!(off0 > 0 && off1 > off0, "{bt}");
        let text = format!("{err:?}");
        assert!(text.contains("demo!demo::inner::h0123456789abcdef"), "{text}");
        assert!(text.contains("integer divide by zero"), "{text}");
    }
}

#[test]
fn memory_grow_honours_module_and_store_limits() {
    let wat = r#"(module (memory (export "m") 1 4)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    struct Data {
        limits: StoreLimits,
    }
    let mut store = Store::new(
        &engine,
        Data { limits: StoreLimitsBuilder::new().memory_size(3 * 65536).build() },
    );
    store.limiter(|d| &mut d.limits);
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let grow = inst.get_typed_func::<i32, i32>(&mut store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
    // 3 pages reached: the store's limit stops the next page.
    assert_eq!(grow.call(&mut store, 2).unwrap(), -1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), 2);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
    let mem = inst.get_memory(&mut store, "m").unwrap();
    assert_eq!(mem.size(&store), 3);
    // Without a store limit the module's maximum (4) applies.
    let mut store = Store::new(&engine, Data { limits: StoreLimits::default() });
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let grow = inst.get_typed_func::<i32, i32>(&mut store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 3).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
    // A huge request fails the grow, it does not abort.
    assert_eq!(grow.call(&mut store, -1).unwrap(), -1);
}

#[test]
fn memory_without_maximum_stops_at_4_gib() {
    let wat = r#"(module (memory 0)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;
    let (mut store, inst) = instance(&Engine::default(), wat);
    assert_eq!(call_i32(&mut store, inst, "grow", &[Val::I32(65537)]).unwrap(), -1);
}

#[test]
fn table_and_instance_limits() {
    let engine = Engine::default();
    let wat = r#"(module (table 1 funcref)
      (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))"#;
    let module = Module::new(&engine, wat).unwrap();
    let mut store =
        Store::new(&engine, StoreLimitsBuilder::new().table_elements(10).instances(2).build());
    store.limiter(|l| l);
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let grow = inst.get_typed_func::<i32, i32>(&mut store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 9).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
    // Without a limiter, growth far beyond memory fails rather than aborts.
    Instance::new(&mut store, &module, &[]).unwrap();
    let err = Instance::new(&mut store, &module, &[]).unwrap_err();
    assert!(format!("{err}").contains("instance"), "{err}");
    let (mut store, inst) = instance(&engine, wat);
    assert_eq!(call_i32(&mut store, inst, "grow", &[Val::I32(-16)]).unwrap(), -1);
}

#[test]
fn fuel_is_metered_and_runs_out() {
    let engine = engine_with(|c| {
        c.consume_fuel(true);
    });
    let wat = r#"(module (func (export "spin") (param i32)
        (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))"#;
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_fuel(10_000).unwrap();
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let spin = inst.get_typed_func::<i32, ()>(&mut store, "spin").unwrap();
    spin.call(&mut store, 100).unwrap();
    let left = store.get_fuel().unwrap();
    assert!(left < 10_000 - 100 && left > 10_000 - 1000, "fuel left: {left}");
    let err = spin.call(&mut store, 1_000_000).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::OutOfFuel));
    assert_eq!(store.get_fuel().unwrap(), 0);
    // Without fuel configured, fuel calls are errors.
    let mut plain = Store::new(&Engine::default(), ());
    assert!(plain.set_fuel(1).is_err());
}

#[test]
fn epoch_interruption_stops_an_infinite_loop() {
    let engine = engine_with(|c| {
        c.epoch_interruption(true);
    });
    let module = Module::new(&engine, r#"(module (func (export "spin") (loop (br 0))))"#).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_epoch_deadline(1);
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let spin = inst.get_typed_func::<(), ()>(&mut store, "spin").unwrap();
    let e2 = engine.clone();
    let ticker = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        e2.increment_epoch();
    });
    let err = spin.call(&mut store, ()).unwrap_err();
    ticker.join().unwrap();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::Interrupt));
}

#[derive(Debug)]
struct MyError(u32);

impl std::fmt::Display for MyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "my error {}", self.0)
    }
}

impl std::error::Error for MyError {}

#[test]
fn host_errors_reach_the_embedder_intact() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "fail" (func $fail (param i32)))
           (func (export "run") (call $fail (i32.const 7))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "fail", |code: i32| -> Result<()> { Err(MyError(code as u32).into()) })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let run = inst.get_typed_func::<(), ()>(&mut store, "run").unwrap();
    let err = run.call(&mut store, ()).unwrap_err();
    assert_eq!(err.downcast_ref::<MyError>().map(|e| e.0), Some(7));
    assert!(err.downcast_ref::<Trap>().is_none());
}

#[test]
fn caller_reaches_memory_and_store_data() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "log" (func $log (param i32 i32)))
           (memory (export "memory") 1)
           (data (i32.const 16) "hello, host")
           (func (export "run") (call $log (i32.const 16) (i32.const 11))))"#,
    )
    .unwrap();
    let mut linker: Linker<Vec<String>> = Linker::new(&engine);
    linker
        .func_wrap("host", "log", |mut caller: Caller<'_, Vec<String>>, ptr: i32, len: i32| {
            let mem = caller.get_export("memory").unwrap().into_memory().unwrap();
            let mut buf = vec![0; len as usize];
            mem.read(&caller, ptr as usize, &mut buf).unwrap();
            caller.data_mut().push(String::from_utf8(buf).unwrap());
            // Host writes are seen by wasm.
            mem.write(&mut caller, 0, b"ok").unwrap();
        })
        .unwrap();
    let mut store = Store::new(&engine, Vec::new());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    inst.get_typed_func::<(), ()>(&mut store, "run").unwrap().call(&mut store, ()).unwrap();
    assert_eq!(store.data(), &["hello, host".to_string()]);
    let mem = inst.get_memory(&store, "memory").unwrap();
    assert_eq!(&mem.data(&store)[..2], b"ok");
}

#[test]
fn host_can_call_back_into_wasm() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "twice" (func $twice (param i32) (result i32)))
           (func $inc (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
           (func (export "run") (param i32) (result i32)
             (i32.mul (call $twice (local.get 0)) (i32.const 10))))"#,
    )
    .unwrap();
    let mut linker: Linker<Option<Func>> = Linker::new(&engine);
    linker
        .func_wrap("host", "twice", |mut caller: Caller<'_, Option<Func>>, x: i32| -> Result<i32> {
            let inc = caller.data().unwrap().typed::<i32, i32>(&caller)?;
            let once = inc.call(&mut caller, x)?;
            inc.call(&mut caller, once)
        })
        .unwrap();
    let mut store = Store::new(&engine, None);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    *store.data_mut() = inst.get_func(&store, "inc");
    let run = inst.get_typed_func::<i32, i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, 5).unwrap(), 70);
}

#[test]
fn dynamic_host_functions_and_type_checks() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let ty = FuncType::new([ValType::I64, ValType::F64], [ValType::F64]);
    let f = Func::new(&mut store, ty, |_, params, results| {
        results[0] = Val::from(params[0].unwrap_i64() as f64 + params[1].unwrap_f64());
        Ok(())
    });
    let mut out = [Val::F64(0)];
    f.call(&mut store, &[Val::I64(2), Val::from(0.5f64)], &mut out).unwrap();
    assert_eq!(out[0].unwrap_f64(), 2.5);
    assert!(f.call(&mut store, &[Val::I32(2), Val::from(0.5f64)], &mut out).is_err());
    assert!(f.call(&mut store, &[Val::I64(2)], &mut out).is_err());
    assert!(f.typed::<(i64, f64), f64>(&store).is_ok());
    assert!(f.typed::<(i32, f64), f64>(&store).is_err());
}

#[test]
fn unknown_and_mismatched_imports_are_named() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "env" "f" (func (param i32))) (import "env" "g" (global i32)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let linker: Linker<()> = Linker::new(&engine);
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(format!("{err}").contains("unknown import: `env::f`"), "{err}");
    let mut linker: Linker<()> = Linker::new(&engine);
    linker.func_wrap("env", "f", |_: i64| {}).unwrap();
    linker.func_wrap("env", "g", || {}).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(format!("{err}").contains("incompatible import type for `env::f`"), "{err}");
}

#[test]
fn unsupported_features_are_named_at_load_time() {
    // Proposals turned off are named.
    let no_gc = engine_with(|c| {
        c.wasm_gc(false);
    });
    assert!(Module::new(&Engine::default(), "(module (type (struct)))").is_ok());
    let err = Module::new(&no_gc, "(module (type (struct)))").unwrap_err();
    assert!(format!("{err:#}").to_lowercase().contains("gc"), "{err:#}");
    let off = engine_with(|c| {
        c.wasm_threads(false).wasm_exceptions(false);
    });
    let cases = [("(module (memory 1 1 shared))", "threads"), ("(module (tag))", "exceptions")];
    for (wat, feature) in cases {
        let err = Module::new(&off, wat).unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains(feature), "{wat}: {msg}");
    }
}

#[test]
fn components_are_not_modules() {
    let engine = Engine::default();
    let err = Module::new(&engine, "(component)").unwrap_err();
    assert!(format!("{err:#}").contains("component"), "{err:#}");
}

#[test]
fn lazy_mode_reports_invalid_functions_on_first_call() {
    let bad = r#"(module (func (export "ok") (result i32) (i32.const 1))
                 (func (export "bad") (result i32) (i64.const 1)))"#;
    // wat accepts the text; the type error is wasm validation's.
    let bytes = wat::Parser::new().parse_str(None, bad);
    let bytes = match bytes {
        Ok(b) => b,
        Err(_) => return,
    };
    assert!(Module::new(&Engine::default(), &bytes).is_err());
    let lazy = engine_with(|c| {
        c.compilation_mode(CompilationMode::Lazy);
    });
    let (mut store, inst) = {
        let module = Module::new(&lazy, &bytes).unwrap();
        let mut store = Store::new(&lazy, ());
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        (store, inst)
    };
    assert_eq!(call_i32(&mut store, inst, "ok", &[]).unwrap(), 1);
    let err = call_i32(&mut store, inst, "bad", &[]).unwrap_err();
    assert!(format!("{err:#}").contains("type mismatch"), "{err:#}");
}

#[test]
fn tail_calls_run_in_constant_stack() {
    let wat = r#"(module
      (func $even (export "even") (param i64) (result i32)
        (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 1))
          (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
      (func $odd (param i64) (result i32)
        (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 0))
          (else (return_call $even (i64.sub (local.get 0) (i64.const 1)))))))"#;
    let small = engine_with(|c| {
        c.max_wasm_stack(16 * 1024);
    });
    let (mut store, inst) = instance(&small, wat);
    let even = inst.get_typed_func::<i64, i32>(&mut store, "even").unwrap();
    assert_eq!(even.call(&mut store, 1_000_001).unwrap(), 0);
    assert_eq!(even.call(&mut store, 1_000_000).unwrap(), 1);
}

/// A vector from four `i32` lanes (lane 0 first).
fn v(lanes: [u32; 4]) -> V128 {
    let mut x = 0u128;
    for (k, l) in lanes.iter().enumerate() {
        x |= (*l as u128) << (32 * k);
    }
    V128::from(x)
}

#[test]
fn v128_values_cross_calls_blocks_globals_and_the_host() {
    let wat = r#"(module
      (import "host" "swap" (func $swap (param v128 i32 v128) (result v128 i32 v128)))
      (import "host" "add1" (func $add1 (param v128) (result v128)))
      (global $g (export "g") (mut v128) (v128.const i32x4 10 20 30 40))
      (func $pass (param i32 v128 i64 v128) (result v128 i64 v128 i32)
        (local.get 3) (local.get 2) (local.get 1) (local.get 0))
      (func (export "roundtrip") (param v128 v128) (result v128 v128)
        (local $t v128) (local $i i32)
        ;; a block with a vector and a scalar parameter: t = a + g
        (local.get 0) (i32.const 9)
        (block $b (param v128 i32) (result v128)
          (drop) (global.get $g) (i32x4.add))
        (local.set $t)
        ;; a loop calling a typed host function: every byte of t + 3
        (loop $l
          (local.set $t (call $add1 (local.get $t)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))
        ;; a dynamic host function with vectors around a scalar: g = b
        (call $swap (local.get $t) (i32.const 5) (local.get 1))
        (drop) (drop) (global.set $g)
        ;; a wasm call with vectors and scalars interleaved
        (call $pass (i32.const 1) (local.get 0) (i64.const 2) (local.get $t))
        (drop) (local.set $t) (drop)
        ;; stack: the old t; then select between g (= b) and t (= a)
        (select (global.get $g) (local.get $t) (i32.const 0)))
      (func (export "tail") (param v128) (result v128 i64 v128 i32)
        (return_call $pass (i32.const 7) (local.get 0) (i64.const 8) (local.get 0))))"#;
    for engine in engines() {
        let module = Module::new(&engine, wat).unwrap();
        let mut linker = Linker::new(&engine);
        let swap_ty = FuncType::new(
            [ValType::V128, ValType::I32, ValType::V128],
            [ValType::V128, ValType::I32, ValType::V128],
        );
        linker
            .func_new("host", "swap", swap_ty, |_, p, r| {
                r[0] = p[2];
                r[1] = Val::I32(p[1].unwrap_i32() + 1);
                r[2] = p[0];
                Ok(())
            })
            .unwrap();
        linker
            .func_wrap("host", "add1", |x: V128| {
                let b = x.as_u128().to_le_bytes().map(|b| b.wrapping_add(1));
                V128::from(u128::from_le_bytes(b))
            })
            .unwrap();
        let mut store = Store::new(&engine, ());
        let inst = linker.instantiate(&mut store, &module).unwrap();
        let f = inst.get_func(&mut store, "roundtrip").unwrap();
        let a = v([1, 2, 3, 4]);
        let b = v([u32::MAX, 0, 0x8000_0000, 7]);
        let mut out = [Val::I32(0), Val::I32(0)];
        f.call(&mut store, &[Val::V128(a), Val::V128(b)], &mut out).unwrap();
        let plus3 = |x: u32| x + 0x0303_0303;
        assert_eq!(out[0], Val::V128(v([11, 22, 33, 44].map(plus3))));
        // select's condition was 0: the second operand, `a`.
        assert_eq!(out[1], Val::V128(a));
        let g = inst.get_global(&mut store, "g").unwrap();
        assert_eq!(g.get(&mut store), Val::V128(b));
        g.set(&mut store, Val::V128(a)).unwrap();
        assert_eq!(g.get(&mut store).unwrap_v128(), a);
        assert!(g.set(&mut store, Val::I64(1)).is_err());

        let tail = inst.get_typed_func::<V128, (V128, i64, V128, i32)>(&mut store, "tail").unwrap();
        assert_eq!(tail.call(&mut store, b).unwrap(), (b, 8, b, 7));
    }
}

#[test]
fn simd_bytecode_and_the_simd_switch() {
    let wat = r#"(module (func (export "f") (param v128 v128) (result i32)
        (i32x4.extract_lane 2 (i32x4.mul (local.get 0) (local.get 1)))))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let listing = module.disassemble(0).unwrap();
    assert!(listing.contains("i32x4_mul"), "{listing}");
    // Handlers with the same code may share an address (LLVM merges them):
    // the listing names the first declared.
    assert!(listing.contains("x4_extract_lane"), "{listing}");
    let (mut store, inst) = instance(&engine, wat);
    let f = inst.get_typed_func::<(V128, V128), i32>(&mut store, "f").unwrap();
    assert_eq!(f.call(&mut store, (v([1, 2, 3, 4]), v([5, 6, 7, 8]))).unwrap(), 21);

    let off = engine_with(|c| {
        c.wasm_simd(false);
    });
    let err = Module::new(&off, wat).unwrap_err();
    assert!(format!("{err:#}").contains("SIMD"), "{err:#}");
    let relaxed = r#"(module (func (param v128) (result v128)
        (f32x4.relaxed_min (local.get 0) (local.get 0))))"#;
    let no_relaxed = engine_with(|c| {
        c.wasm_relaxed_simd(false);
    });
    assert!(Module::new(&no_relaxed, relaxed).is_err());
    assert!(Module::new(&engine, relaxed).is_ok());
}

#[test]
fn float_vector_multiply_add_fuses_without_changing_results() {
    // Products used once by an add fuse (either operand order); a product
    // kept in a local does not.
    let wat = r#"(module
      (func (export "left") (param v128 v128 v128) (result v128)
        (f32x4.add (f32x4.mul (local.get 0) (local.get 1)) (local.get 2)))
      (func (export "right") (param v128 v128 v128) (result v128)
        (f64x2.add (local.get 2) (f64x2.mul (local.get 0) (local.get 1))))
      (func (export "temps") (param v128 v128 v128) (result v128)
        (f32x4.add (f32x4.abs (local.get 2))
                   (f32x4.mul (f32x4.sqrt (local.get 0)) (f32x4.neg (local.get 1)))))
      (func (export "kept") (param v128 v128 v128) (result v128) (local v128)
        (f32x4.add (local.tee 3 (f32x4.mul (local.get 0) (local.get 1))) (local.get 3))))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    for (i, fused) in [(0, true), (1, true), (2, true), (3, false)] {
        let listing = module.disassemble(i).unwrap();
        assert_eq!(listing.contains("_mul_add"), fused, "{listing}");
    }
    let f32s = |l: [f32; 4]| v(l.map(f32::to_bits));
    let (mut store, inst) = instance(&engine, wat);
    let call = |store: &mut Store<()>, name: &str, args: [V128; 3]| {
        let f = inst.get_typed_func::<(V128, V128, V128), V128>(&mut *store, name).unwrap();
        f.call(store, (args[0], args[1], args[2])).unwrap()
    };
    // (1 + 2^-12)^2 - (1 + 2^-11) is 2^-24 with one rounding (an FMA) and
    // 0 with two: the fused instruction must keep both roundings.
    let x = f32::from_bits(0x3f80_0800);
    let a = f32s([x, 2.0, -3.0, f32::INFINITY]);
    let b = f32s([x, 0.5, 4.0, 0.0]);
    let c = f32s([-f32::from_bits(0x3f80_1000), 1.0, 1.0, 1.0]);
    let r = call(&mut store, "left", [a, b, c]);
    let lanes = |x: V128| -> [u32; 4] { std::array::from_fn(|k| (x.as_u128() >> (32 * k)) as u32) };
    let got = lanes(r).map(f32::from_bits);
    assert_eq!(x.mul_add(x, -f32::from_bits(0x3f80_1000)), 2f32.powi(-24));
    assert_eq!(got[..3], [0.0, 2.0, -11.0]);
    assert!(got[3].is_nan(), "inf * 0 + 1 is NaN");
    let d = |x: [f64; 2]| V128::from(x[0].to_bits() as u128 | (x[1].to_bits() as u128) << 64);
    let r = call(&mut store, "right", [d([3.0, 0.1]), d([2.0, 0.2]), d([1.0, 0.3])]);
    assert_eq!(r, d([7.0, 0.1 * 0.2 + 0.3]));
    let r = call(&mut store, "temps", [f32s([4.0; 4]), f32s([3.0; 4]), f32s([-1.0; 4])]);
    assert_eq!(r, f32s([-5.0; 4]));
    let r = call(&mut store, "kept", [f32s([2.0; 4]), f32s([3.0; 4]), f32s([0.0; 4])]);
    assert_eq!(r, f32s([12.0; 4]));
}

#[test]
fn several_memories_per_instance() {
    let wat = r#"(module
      (memory $a (export "a") 1)
      (memory $b (export "b") 1 3)
      (data (memory $b) (i32.const 8) "\2a")
      (func (export "run") (result i32 i32 i32)
        (i32.store8 $a (i32.const 0) (i32.const 7))
        (memory.copy $b $a (i32.const 100) (i32.const 0) (i32.const 1))
        (drop (memory.grow $b (i32.const 1)))
        (i32.add (i32.load8_u $b (i32.const 8)) (i32.load8_u $b (i32.const 100)))
        (memory.size $a)
        (memory.size $b))
      (func (export "oob") (i32.store $b (i32.const 131069) (i32.const 0))))"#;
    for engine in engines() {
        let (mut store, inst) = instance(&engine, wat);
        let run = inst.get_typed_func::<(), (i32, i32, i32)>(&mut store, "run").unwrap();
        assert_eq!(run.call(&mut store, ()).unwrap(), (49, 1, 2));
        let b = inst.get_memory(&mut store, "b").unwrap();
        assert_eq!(b.data(&store)[100], 7);
        assert_eq!(b.data(&store).len(), 2 << 16);
        let a = inst.get_memory(&mut store, "a").unwrap();
        assert_eq!(a.data(&store).len(), 1 << 16);
        let oob = inst.get_typed_func::<(), ()>(&mut store, "oob").unwrap();
        let err = oob.call(&mut store, ()).unwrap_err();
        assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::MemoryOutOfBounds), "{err:#}");
    }
    let single = engine_with(|c| {
        c.wasm_multi_memory(false);
    });
    let err = Module::new(&single, wat).unwrap_err();
    assert!(format!("{err:#}").contains("multiple memories"), "{err:#}");
}

#[test]
fn relaxed_simd_results_by_mode() {
    let wat = r#"(module
      (func (export "min") (param v128 v128) (result v128) (f32x4.relaxed_min (local.get 0) (local.get 1)))
      (func (export "swz") (param v128 v128) (result v128) (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
      (func (export "q15") (param v128 v128) (result v128) (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1))))"#;
    let nan = f32::NAN.to_bits();
    let splat32 = |x: u32| V128::from((0..4).fold(0u128, |v, k| v | (x as u128) << (32 * k)));
    let bytes = |x: u8| V128::from(u128::from_le_bytes([x; 16]));
    let splat16 = |x: u16| V128::from((0..8).fold(0u128, |v, k| v | (x as u128) << (16 * k)));
    for deterministic in [false, true] {
        let engine = engine_with(|c| {
            c.relaxed_simd_deterministic(deterministic);
        });
        let (mut store, inst) = instance(&engine, wat);
        let call = |store: &mut Store<()>, name: &str, a: V128, b: V128| {
            let f = inst.get_typed_func::<(V128, V128), V128>(&mut *store, name).unwrap();
            f.call(store, (a, b)).unwrap()
        };
        // min(1.0, NaN): wasmtime x86-64 gives the first operand, the
        // deterministic result is NaN.
        let r = call(&mut store, "min", splat32(1f32.to_bits()), splat32(nan)).as_u128() as u32;
        assert_eq!(f32::from_bits(r).is_nan(), deterministic);
        // Index 0x11 picks byte 1 (pshufb) or 0 (swizzle).
        let a = V128::from(u128::from_le_bytes(std::array::from_fn(|i| i as u8 + 1)));
        let r = call(&mut store, "swz", a, bytes(0x11)).as_u128() as u8;
        assert_eq!(r, if deterministic { 0 } else { 2 });
        // -32768 * -32768: pmulhrsw gives -32768, the saturating form 32767.
        let r = call(&mut store, "q15", splat16(0x8000), splat16(0x8000)).as_u128() as u16;
        assert_eq!(r, if deterministic { 0x7fff } else { 0x8000 });
    }
}

#[test]
fn memories_of_one_byte_pages() {
    let wat = r#"(module (memory (export "m") 3 10 (pagesize 1))
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "size") (result i32) (memory.size)))"#;
    let engine = engine_with(|c| {
        c.wasm_custom_page_sizes(true);
    });
    let (mut store, inst) = instance(&engine, wat);
    let m = inst.get_memory(&mut store, "m").unwrap();
    assert_eq!((m.page_size(&store), m.data_size(&store)), (1, 3));
    assert_eq!(m.ty(&store).page_size(), 1);
    assert_eq!(call_i32(&mut store, inst, "grow", &[Val::I32(5)]).unwrap(), 3);
    assert_eq!(call_i32(&mut store, inst, "size", &[]).unwrap(), 8);
    assert_eq!(call_i32(&mut store, inst, "grow", &[Val::I32(3)]).unwrap(), -1);
    assert_eq!(m.data_size(&store), 8);
    // Off by default, as in wasmtime.
    assert!(Module::new(&Engine::default(), wat).is_err());
}

#[test]
fn sixty_four_bit_memories() {
    let wat = r#"(module (memory (export "m") i64 1 5)
      (data (i64.const 65530) "abcdef")
      (func (export "load") (param i64) (result i32) (i32.load8_u offset=2 (local.get 0)))
      (func (export "store") (param i64 i32) (i32.store (local.get 0) (local.get 1)))
      (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
      (func (export "fill") (param i64 i64) (memory.fill (local.get 0) (i32.const 7) (local.get 1))))"#;
    for engine in engines() {
        let (mut store, inst) = instance(&engine, wat);
        let load = inst.get_typed_func::<i64, i32>(&mut store, "load").unwrap();
        assert_eq!(load.call(&mut store, 65530).unwrap(), b'c' as i32);
        // Addresses past 4 GiB, and address + offset overflowing 64 bits,
        // are out of bounds, not wrapped.
        for addr in [1 << 32, (1 << 32) - 1, -1i64, -2] {
            let err = load.call(&mut store, addr).unwrap_err();
            assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::MemoryOutOfBounds), "{addr}");
        }
        let store_fn = inst.get_typed_func::<(i64, i32), ()>(&mut store, "store").unwrap();
        assert!(store_fn.call(&mut store, (65532, 1)).is_ok());
        assert!(store_fn.call(&mut store, (65533, 1)).is_err());
        let grow = inst.get_typed_func::<i64, i64>(&mut store, "grow").unwrap();
        assert_eq!(grow.call(&mut store, 2).unwrap(), 1);
        assert_eq!(grow.call(&mut store, 1 << 40).unwrap(), -1);
        assert_eq!(grow.call(&mut store, 3).unwrap(), -1);
        let fill = inst.get_typed_func::<(i64, i64), ()>(&mut store, "fill").unwrap();
        assert!(fill.call(&mut store, (0, 3 << 16)).is_ok());
        assert!(fill.call(&mut store, (1, 1 << 33)).is_err());
        let m = inst.get_memory(&mut store, "m").unwrap();
        assert!(m.ty(&store).is_64());
        assert_eq!(m.data(&store)[3 * 65536 - 1], 7);
    }
    let off = engine_with(|c| {
        c.wasm_memory64(false);
    });
    assert!(Module::new(&off, wat).is_err());
}

#[test]
fn typed_function_references() {
    let wat = r#"(module
      (type $t (func (param i32) (result i32)))
      (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
      (elem declare func $inc)
      (global $g (mut (ref null $t)) (ref.null $t))
      (func (export "call") (param i32) (result i32)
        (call_ref $t (local.get 0) (ref.func $inc)))
      (func (export "tail") (param i32) (result i32)
        (return_call_ref $t (local.get 0) (ref.func $inc)))
      (func (export "null_call") (result i32)
        (call_ref $t (i32.const 0) (global.get $g)))
      (func (export "on_null") (param i32) (result i32)
        (block $null
          (br_on_null $null (if (result (ref null $t)) (local.get 0)
            (then (ref.func $inc)) (else (ref.null $t))))
          (drop)
          (return (i32.const 1)))
        (i32.const 0))
      (func (export "on_non_null") (param i32) (result i32) (local $r (ref null $t))
        (local.set $r (block $l (result (ref $t))
          (br_on_non_null $l (if (result (ref null $t)) (local.get 0)
            (then (ref.func $inc)) (else (ref.null $t))))
          (return (i32.const -1))))
        (call_ref $t (i32.const 41) (ref.as_non_null (local.get $r)))))"#;
    for engine in engines() {
        let (mut store, inst) = instance(&engine, wat);
        assert_eq!(call_i32(&mut store, inst, "call", &[Val::I32(1)]).unwrap(), 2);
        assert_eq!(call_i32(&mut store, inst, "tail", &[Val::I32(9)]).unwrap(), 10);
        let err = call_i32(&mut store, inst, "null_call", &[]).unwrap_err();
        assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::NullReference));
        assert_eq!(call_i32(&mut store, inst, "on_null", &[Val::I32(1)]).unwrap(), 1);
        assert_eq!(call_i32(&mut store, inst, "on_null", &[Val::I32(0)]).unwrap(), 0);
        assert_eq!(call_i32(&mut store, inst, "on_non_null", &[Val::I32(1)]).unwrap(), 42);
        assert_eq!(call_i32(&mut store, inst, "on_non_null", &[Val::I32(0)]).unwrap(), -1);
    }
}

#[test]
fn typed_reference_imports_are_checked_at_link_time() {
    // A `(ref null func)` global cannot be imported as `(ref null $t)`:
    // the function it holds may have another type.
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let a = Module::new(
        &engine,
        r#"(module (type $u (func (param v128) (result v128 v128)))
          (func $f (type $u) (local.get 0) (local.get 0))
          (global (export "g") (ref null func) (ref.func $f))
          (global (export "h") (ref null $u) (ref.func $f)))"#,
    )
    .unwrap();
    let a = Instance::new(&mut store, &a, &[]).unwrap();
    let b = Module::new(
        &engine,
        r#"(module (type $t (func (param i32) (result i32)))
          (global $g (import "a" "g") (ref null $t))
          (func (export "run") (result i32) (call_ref $t (i32.const 1) (global.get $g))))"#,
    )
    .unwrap();
    let g = a.get_global(&mut store, "g").unwrap();
    let err = Instance::new(&mut store, &b, &[g.into()]).unwrap_err();
    assert!(format!("{err:#}").contains("incompatible import type"), "{err:#}");
    let h = a.get_global(&mut store, "h").unwrap();
    assert!(Instance::new(&mut store, &b, &[h.into()]).is_err());
    // A subtype is fine for an immutable global.
    let c = Module::new(
        &engine,
        r#"(module (type $u (func (param v128) (result v128 v128)))
          (global (import "a" "h") (ref null func))
          (global (import "a" "h") (ref null $u)))"#,
    )
    .unwrap();
    assert!(Instance::new(&mut store, &c, &[h.into(), h.into()]).is_ok());
}

#[test]
fn typed_references_keep_their_types() {
    // Function types that differ only in the type their references point
    // to are different types: `call_indirect` tells them apart.
    let wat = r#"
        (module
          (type $a (func (result i32)))
          (type $b (func (result i64)))
          (type $ta (func (param (ref null $a)) (result i32)))
          (type $tb (func (param (ref null $b)) (result i32)))
          (table 1 funcref)
          (func $f (export "f") (type $ta) (i32.const 7))
          (elem (i32.const 0) $f)
          (func (export "as-ta") (result i32) (call_indirect (type $ta) (ref.null $a) (i32.const 0)))
          (func (export "as-tb") (result i32) (call_indirect (type $tb) (ref.null $b) (i32.const 0)))
          (func $g (export "g") (result i32) (i32.const 1))
          (global (export "gref") (ref $a) (ref.func $g)))
    "#;
    for engine in engines() {
        let (mut store, inst) = instance(&engine, wat);
        assert_eq!(call_i32(&mut store, inst, "as-ta", &[]).unwrap(), 7);
        let e = call_i32(&mut store, inst, "as-tb", &[]).unwrap_err();
        assert_eq!(e.downcast_ref::<Trap>(), Some(&Trap::BadSignature), "{e:?}");
        // The global's type is precise, and the host must respect it.
        let g = inst.get_global(&mut store, "gref").unwrap();
        let ty = *g.ty(&store).content();
        assert!(matches!(ty.as_ref(), Some((false, HeapType::Concrete(_)))), "{ty}");
        assert!(ty.matches(&ValType::FuncRef));
        assert!(!ValType::FuncRef.matches(&ty));
        let non_null =
            GlobalType::new(ValType::reference(false, HeapType::Func), Mutability::Const);
        assert!(Global::new(&mut store, non_null, Val::FuncRef(None)).is_err());
        let f = inst.get_func(&mut store, "g").unwrap();
        let precise = GlobalType::new(ty, Mutability::Const);
        assert!(Global::new(&mut store, precise, Val::FuncRef(Some(f))).is_ok());
        let other = inst.get_func(&mut store, "f").unwrap();
        assert!(Global::new(&mut store, precise, Val::FuncRef(Some(other))).is_err());
    }
}
