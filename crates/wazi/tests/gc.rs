//! WebAssembly GC beyond the proposal's suite: the collector (garbage is
//! reclaimed, live data survives compaction, the heap limit holds, cycles
//! through exceptions are reclaimed), the host's `AnyRef` handles and their
//! root scopes, type identity across modules, and the binary-trees program
//! the benchmarks run.

use wazi::*;

const TREES: &str = include_str!("../../wazi-bench/programs/gc/binary_trees.wat");

fn engine_with_heap(bytes: usize) -> Engine {
    let mut config = Config::new();
    config.max_gc_heap_size(bytes);
    Engine::new(&config).unwrap()
}

fn instance(engine: &Engine, wat: &str) -> (Store<()>, Instance) {
    let module = Module::new(engine, wat).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    (store, instance)
}

#[test]
fn binary_trees_gives_the_benchmark_games_checks() {
    // Each depth's trees have 2^(d+1) - 1 nodes; the sum over the
    // benchmark's loop for n = 10 is known from its reference output.
    let (mut store, i) = instance(&engine_with_heap(64 << 20), TREES);
    let check = i.get_typed_func::<i32, i32>(&mut store, "depth-check").unwrap();
    for d in [0, 1, 5, 12] {
        assert_eq!(check.call(&mut store, d).unwrap(), (1 << (d + 1)) - 1);
    }
    let run = i.get_typed_func::<i32, i32>(&mut store, "run").unwrap();
    // The stretch tree (4095 nodes), the long-lived one (2047), and
    // 2^(n - d + 4) trees of each depth d = 4, 6, 8, 10.
    let expected = 4095 + 2047 + 1024 * 31 + 256 * 127 + 64 * 511 + 16 * 2047;
    assert_eq!(run.call(&mut store, 10).unwrap(), expected);
}

#[test]
fn garbage_is_reclaimed_within_the_heap_limit() {
    // 2,000 rounds of a 1,000-node list: 2 million cells of 56 bytes
    // each (112 MB) through a heap limited to 8 MiB, which only fits if
    // the dead lists are collected.
    let (mut store, i) = instance(&engine_with_heap(8 << 20), TREES);
    let churn = i.get_typed_func::<i32, i32>(&mut store, "list-churn").unwrap();
    assert_eq!(churn.call(&mut store, 2_000).unwrap(), (0..2_000).sum::<i32>());
    let (used, _) = store.gc_heap_usage();
    assert!(used <= 8 << 20, "{used} bytes in use");
    // Everything is garbage once the call returned.
    store.gc();
    assert_eq!(store.gc_heap_usage(), (0, 0));
}

/// Live data survives any number of collections and compactions: a list
/// built before a storm of garbage is walked after it.
#[test]
fn live_objects_survive_compaction() {
    let wat = r#"(module
      (type $cell (struct (field $v i64) (field $next (ref null $cell))))
      (type $bytes (array (mut i8)))
      (global $keep (mut (ref null $cell)) (ref.null $cell))
      (func (export "build") (param $n i32)
        (local $i i32)
        (loop $l
          (global.set $keep (struct.new $cell (i64.extend_i32_u (local.get $i)) (global.get $keep)))
          ;; Garbage between the live cells, so compaction moves them.
          (drop (array.new_default $bytes (i32.const 100)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
      (func (export "garbage") (param $n i32)
        (loop $l
          (drop (array.new $bytes (i32.const 7) (i32.const 1000)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br_if $l (local.get $n))))
      (func (export "sum") (result i64)
        (local $c (ref null $cell)) (local $s i64)
        (local.set $c (global.get $keep))
        (block $end (loop $l
          (br_if $end (ref.is_null (local.get $c)))
          (local.set $s (i64.add (local.get $s) (struct.get $cell $v (local.get $c))))
          (local.set $c (struct.get $cell $next (local.get $c)))
          (br $l)))
        (local.get $s)))"#;
    let (mut store, i) = instance(&engine_with_heap(32 << 20), wat);
    let build = i.get_typed_func::<i32, ()>(&mut store, "build").unwrap();
    let garbage = i.get_typed_func::<i32, ()>(&mut store, "garbage").unwrap();
    let sum = i.get_typed_func::<(), i64>(&mut store, "sum").unwrap();
    build.call(&mut store, 20_000).unwrap();
    garbage.call(&mut store, 20_000).unwrap();
    assert_eq!(sum.call(&mut store, ()).unwrap(), (0..20_000i64).sum::<i64>());
    store.gc();
    let (used, objects) = store.gc_heap_usage();
    assert_eq!(objects, 20_000, "only the list is left");
    assert!(used < 2 << 20, "{used}");
    assert_eq!(sum.call(&mut store, ()).unwrap(), (0..20_000i64).sum::<i64>());
}

#[test]
fn the_heap_limit_traps_cleanly_and_the_store_stays_usable() {
    let wat = r#"(module
      (type $cell (struct (field (ref null $cell)) (field (mut i64))))
      (type $big (array i64))
      (global $keep (mut (ref null $cell)) (ref.null $cell))
      (func (export "hoard") (param $n i32)
        (loop $l
          (global.set $keep (struct.new $cell (global.get $keep) (i64.const 1)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br_if $l (local.get $n))))
      (func (export "drop-all") (global.set $keep (ref.null $cell)))
      (func (export "huge") (param $n i32) (result i32)
        (array.len (array.new_default $big (local.get $n)))))"#;
    let (mut store, i) = instance(&engine_with_heap(1 << 20), wat);
    let hoard = i.get_typed_func::<i32, ()>(&mut store, "hoard").unwrap();
    let err = hoard.call(&mut store, 1_000_000).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::GcHeapOutOfMemory), "{err:?}");
    let (used, _) = store.gc_heap_usage();
    assert!(used <= 1 << 20, "{used}");
    // One array larger than the whole heap can never be allocated.
    let huge = i.get_typed_func::<i32, i32>(&mut store, "huge").unwrap();
    let err = huge.call(&mut store, i32::MAX).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::AllocationTooLarge), "{err:?}");
    // Freeing the hoard makes room again.
    let drop_all = i.get_typed_func::<(), ()>(&mut store, "drop-all").unwrap();
    drop_all.call(&mut store, ()).unwrap();
    hoard.call(&mut store, 1_000).unwrap();
    assert_eq!(huge.call(&mut store, 1_000).unwrap(), 1_000);
}

/// A struct and an exception that refer to each other, and nothing else
/// to them: one collection frees both.
#[test]
fn cycles_through_exceptions_are_collected() {
    let wat = r#"(module
      (type $box (struct (field (mut exnref))))
      (tag $t (param (ref null $box)))
      (func $catch (param $b (ref null $box)) (result exnref) (local $e exnref)
        (block $h (result (ref null $box) exnref)
          (try_table (catch_ref $t $h) (throw $t (local.get $b)))
          (unreachable))
        (local.set $e)
        (drop)
        (local.get $e))
      (func (export "cycle") (param $n i32)
        (local $b (ref null $box))
        (loop $l
          (local.set $b (struct.new $box (ref.null exn)))
          (struct.set $box 0 (local.get $b) (call $catch (local.get $b)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br_if $l (local.get $n)))))"#;
    let (mut store, i) = instance(&Engine::default(), wat);
    let cycle = i.get_typed_func::<i32, ()>(&mut store, "cycle").unwrap();
    cycle.call(&mut store, 10_000).unwrap();
    store.gc();
    assert_eq!(store.gc_heap_usage(), (0, 0));
    assert_eq!(store.live_exception_objects(), 0);
}

#[test]
fn host_handles_read_objects_and_end_with_their_scope() {
    let wat = r#"(module
      (type $pair (struct (field i32) (field (mut i8)) (field anyref)))
      (type $arr (array (mut i16)))
      (func (export "pair") (result anyref)
        (struct.new $pair (i32.const -5) (i32.const 300) (ref.i31 (i32.const 42))))
      (func (export "arr") (result (ref $arr))
        (array.new_fixed $arr 3 (i32.const 1) (i32.const -1) (i32.const 70000)))
      (func (export "id") (param anyref) (result anyref) (local.get 0))
      (func (export "is-pair") (param anyref) (result i32)
        (ref.test (ref $pair) (local.get 0))))"#;
    let (mut store, i) = instance(&Engine::default(), wat);
    let pair = i.get_func(&store, "pair").unwrap();
    let mut out = [Val::AnyRef(None)];
    pair.call(&mut store, &[], &mut out).unwrap();
    let Val::AnyRef(Some(p)) = out[0] else { panic!("{:?}", out[0]) };
    assert_eq!(p.kind(&store).unwrap(), AnyKind::Struct);
    let fields = p.fields(&mut store).unwrap();
    assert_eq!(fields[0], Val::I32(-5));
    // The packed field keeps 8 bits, read zero-extended.
    assert_eq!(fields[1], Val::I32(300 & 0xFF));
    let Val::AnyRef(Some(inner)) = fields[2] else { panic!("{:?}", fields[2]) };
    assert_eq!(inner.as_i31(), Some(42));

    let arr = i.get_func(&store, "arr").unwrap();
    arr.call(&mut store, &[], &mut out).unwrap();
    let Val::AnyRef(Some(a)) = out[0] else { panic!() };
    assert_eq!(a.array_len(&store).unwrap(), 3);
    let elems: Vec<Val> = (0..3).map(|k| a.array_get(&mut store, k).unwrap()).collect();
    assert_eq!(elems, [Val::I32(1), Val::I32(0xFFFF), Val::I32(70000 & 0xFFFF)]);
    assert!(a.array_get(&mut store, 3).is_err());

    // A handle passes back into wasm with its identity and type.
    let is_pair = i.get_typed_func::<Option<wazi::Func>, i32>(&mut store, "is-pair");
    assert!(is_pair.is_err(), "anyref is not funcref");
    let test = i.get_func(&store, "is-pair").unwrap();
    let mut r = [Val::I32(0)];
    test.call(&mut store, &[Val::AnyRef(Some(p))], &mut r).unwrap();
    assert_eq!(r[0], Val::I32(1));
    test.call(&mut store, &[Val::AnyRef(Some(a))], &mut r).unwrap();
    assert_eq!(r[0], Val::I32(0));
    let i31 = AnyRef::from_i31(&store, -3i32 as u32);
    assert_eq!(i31.as_i31_signed(), Some(-3));
    let id = i.get_func(&store, "id").unwrap();
    id.call(&mut store, &[Val::AnyRef(Some(i31))], &mut out).unwrap();
    assert_eq!(out[0], Val::AnyRef(Some(i31)));

    // An external reference goes in as `anyref` and comes back.
    let e = ExternRef::new(&mut store, "host data");
    let any = AnyRef::convert_extern(&store, e);
    id.call(&mut store, &[Val::AnyRef(Some(any))], &mut out).unwrap();
    let Val::AnyRef(Some(back)) = out[0] else { panic!() };
    assert_eq!(back.kind(&store).unwrap(), AnyKind::Extern);
    let data = ExternRef::convert_any(&store, back).data(&store).unwrap();
    assert_eq!(data.downcast_ref::<&str>(), Some(&"host data"));

    // A handle received inside a root scope dies with it; one received
    // outside stays valid.
    let scoped = store.root_scope(|store| {
        let mut out = [Val::AnyRef(None)];
        pair.call(&mut *store, &[], &mut out).unwrap();
        out[0].anyref().unwrap().copied().unwrap()
    });
    store.gc();
    let err = scoped.fields(&mut store).unwrap_err();
    assert!(err.to_string().contains("no longer alive"), "{err}");
    assert_eq!(p.fields(&mut store).unwrap()[0], Val::I32(-5));
    assert_eq!(a.array_len(&store).unwrap(), 3);
}

#[test]
fn equal_recursive_types_of_two_modules_are_one_type() {
    let engine = Engine::default();
    let types = r#"(rec (type $list (struct (field i32) (field (ref null $list))))
                        (type $other (struct (field f32))))"#;
    let maker = format!(
        r#"(module {types}
          (func (export "make") (result anyref)
            (struct.new $list (i32.const 7) (ref.null $list))))"#
    );
    let user = format!(
        r#"(module {types}
          (import "m" "make" (func $make (result anyref)))
          (func (export "head") (result i32)
            (struct.get $list 0 (ref.cast (ref $list) (call $make))))
          (func (export "is-other") (result i32)
            (ref.test (ref $other) (call $make))))"#
    );
    // The same shape outside a recursion group is another type.
    let stranger = r#"(module
          (type $list (struct (field i32) (field (ref null $list))))
          (import "m" "make" (func $make (result anyref)))
          (func (export "is-list") (result i32)
            (ref.test (ref $list) (call $make))))"#;
    let mut store = Store::new(&engine, ());
    let m = Instance::new(&mut store, &Module::new(&engine, &maker).unwrap(), &[]).unwrap();
    let make = m.get_func(&store, "make").unwrap();
    let u =
        Instance::new(&mut store, &Module::new(&engine, &user).unwrap(), &[make.into()]).unwrap();
    let head = u.get_typed_func::<(), i32>(&mut store, "head").unwrap();
    assert_eq!(head.call(&mut store, ()).unwrap(), 7);
    let other = u.get_typed_func::<(), i32>(&mut store, "is-other").unwrap();
    assert_eq!(other.call(&mut store, ()).unwrap(), 0);
    let s = Instance::new(&mut store, &Module::new(&engine, stranger).unwrap(), &[make.into()])
        .unwrap();
    let is_list = s.get_typed_func::<(), i32>(&mut store, "is-list").unwrap();
    assert_eq!(is_list.call(&mut store, ()).unwrap(), 0);
}

/// Frames are precise roots: a reference left in a slot after its value
/// was dropped keeps nothing alive, and a reference an expression still
/// holds (in a temporary below a call, or in a caller of a host function
/// that calls back into wasm) survives every collection the call runs.
#[test]
fn frames_are_precise_roots() {
    let wat = r#"(module
      (type $big (array (mut i64)))
      (type $pair (struct (field (ref $big)) (field i64)))
      (import "host" "churn" (func $host_churn))
      (func $garbage (export "garbage") (param $n i32)
        (loop $l
          (drop (array.new_default $big (i32.const 1000)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br_if $l (local.get $n))))
      ;; Two arrays of 10 MB cannot live together in a 16 MiB heap: the
      ;; first is dead when the second is allocated, though the slot it
      ;; was in still holds it (the length comes from a local, so nothing
      ;; overwrites the slot before the allocation).
      (global $n i32 (i32.const 1250000))
      (func (export "twice") (param $n i32) (result i32)
        (drop (array.new_default $big (local.get $n)))
        (array.len (array.new_default $big (local.get $n))))
      (func $alloc (result i32) (array.len (array.new_default $big (global.get $n))))
      ;; The same with the second allocation in a callee: the dead slot is
      ;; in the caller's frame, under an operand that aliases a local.
      (func (export "twice-across-a-call") (param $n i32) (result i32)
        (drop (array.new_default $big (local.get $n)))
        (i32.sub (i32.add (local.get $n) (call $alloc)) (local.get $n)))
      (func (export "live-across-calls") (result i64)
        (local $p (ref null $pair))
        (local.set $p
          (struct.new $pair
            (array.new $big (i64.const 7) (i32.const 100))
            (block (result i64)
              (call $garbage (i32.const 5000))
              (call $host_churn)
              (i64.const 1))))
        (i64.add
          (array.get $big (struct.get $pair 0 (local.get $p)) (i32.const 99))
          (struct.get $pair 1 (local.get $p)))))"#;
    let engine = engine_with_heap(16 << 20);
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "churn", |mut caller: Caller<'_, ()>| -> Result<()> {
            let garbage = caller.get_export("garbage").and_then(|e| e.into_func()).unwrap();
            garbage.typed::<i32, ()>(&caller)?.call(&mut caller, 5000)?;
            caller.gc();
            Ok(())
        })
        .unwrap();
    let i = linker.instantiate(&mut store, &module).unwrap();
    for name in ["twice", "twice-across-a-call"] {
        let f = i.get_typed_func::<i32, i32>(&mut store, name).unwrap();
        for _ in 0..3 {
            assert_eq!(f.call(&mut store, 1_250_000).unwrap(), 1_250_000, "{name}");
        }
    }
    let live = i.get_typed_func::<(), i64>(&mut store, "live-across-calls").unwrap();
    assert_eq!(live.call(&mut store, ()).unwrap(), 8);
    // 10,000 arrays of 8 KB (80 MB) went through the 16 MiB heap meanwhile:
    // collections ran during the call, and left far fewer objects.
    let (used, objects) = store.gc_heap_usage();
    assert!(used <= 16 << 20, "{used}");
    assert!(objects < 5_000, "{objects} objects: no collection ran");
    store.gc();
    assert_eq!(store.gc_heap_usage(), (0, 0));
}

/// Structs and arrays made by the host: the same types as a module's
/// identical definitions, checked field types and mutability, packed
/// fields cut on write, rooted in the host's scope like every handle.
#[test]
fn host_allocates_structs_and_arrays() {
    let wat = r#"(module
      (type $s (struct (field (mut i8)) (field i64) (field (mut anyref))))
      (type $a (array (mut i32)))
      (func (export "sum-struct") (param $p (ref $s)) (result i64)
        (i64.add
          (i64.extend_i32_u (struct.get_u $s 0 (local.get $p)))
          (struct.get $s 1 (local.get $p))))
      (func (export "inner") (param $p (ref $s)) (result anyref)
        (struct.get $s 2 (local.get $p)))
      (func (export "sum-array") (param $a (ref $a)) (result i32)
        (local $i i32) (local $s i32)
        (block $end (loop $l
          (br_if $end (i32.ge_u (local.get $i) (array.len (local.get $a))))
          (local.set $s (i32.add (local.get $s) (array.get $a (local.get $a) (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l)))
        (local.get $s)))"#;
    let (mut store, i) = instance(&engine_with_heap(8 << 20), wat);
    let s_ty = StructType::new([
        FieldType { storage: StorageType::I8, mutable: true },
        FieldType { storage: StorageType::Val(ValType::I64), mutable: false },
        FieldType { storage: StorageType::Val(ValType::AnyRef), mutable: true },
    ]);
    let s_pre = StructRefPre::new(&mut store, s_ty.clone()).unwrap();
    let a_ty = ArrayType::new(FieldType { storage: StorageType::Val(ValType::I32), mutable: true });
    let a_pre = ArrayRefPre::new(&mut store, a_ty.clone()).unwrap();

    let array = ArrayRef::new(&mut store, &a_pre, &Val::I32(3), 10).unwrap();
    array.set(&mut store, 2, Val::I32(5)).unwrap();
    assert_eq!(array.len(&store).unwrap(), 10);
    assert_eq!(array.get(&mut store, 2).unwrap().i32(), Some(5));
    assert!(array.set(&mut store, 10, Val::I32(0)).is_err(), "out of bounds");
    assert!(array.set(&mut store, 0, Val::I64(0)).is_err(), "wrong type");
    let fixed = ArrayRef::new_fixed(&mut store, &a_pre, &[Val::I32(1), Val::I32(2)]).unwrap();
    assert_eq!(array.ty(&store).unwrap(), a_ty);

    let inner = Val::AnyRef(Some(array.into()));
    let s = StructRef::new(&mut store, &s_pre, &[Val::I32(300), Val::I64(1000), inner]).unwrap();
    // 300 is cut to 8 bits (44) by the packed field.
    assert_eq!(s.field(&mut store, 0).unwrap().i32(), Some(44));
    s.set_field(&mut store, 0, Val::I32(7)).unwrap();
    assert!(s.set_field(&mut store, 1, Val::I64(1)).is_err(), "immutable");
    assert!(s.set_field(&mut store, 2, Val::I32(1)).is_err(), "wrong type");
    assert!(s.field(&mut store, 3).is_err(), "no such field");
    assert!(StructRef::new(&mut store, &s_pre, &[Val::I32(1)]).is_err(), "too few");
    assert_eq!(s.ty(&store).unwrap(), s_ty);

    // The module's $s and $a are the host's types: wasm accepts the
    // host's objects as (ref $s) and (ref $a).
    let sum_struct = i.get_func(&mut store, "sum-struct").unwrap();
    let mut out = [Val::I64(0)];
    sum_struct.call(&mut store, &[Val::AnyRef(Some(s.into()))], &mut out).unwrap();
    assert_eq!(out[0].i64(), Some(1007));
    let sum_array = i.get_func(&mut store, "sum-array").unwrap();
    let mut out = [Val::I32(0)];
    sum_array.call(&mut store, &[Val::AnyRef(Some(array.into()))], &mut out).unwrap();
    assert_eq!(out[0].i32(), Some(3 * 9 + 5));
    sum_array.call(&mut store, &[Val::AnyRef(Some(fixed.into()))], &mut out).unwrap();
    assert_eq!(out[0].i32(), Some(3));
    // A struct is not an array.
    assert!(sum_array.call(&mut store, &[Val::AnyRef(Some(s.into()))], &mut out).is_err());

    // The struct's reference field reaches the array: wasm returns it.
    let inner_of = i.get_func(&mut store, "inner").unwrap();
    let mut out = [Val::AnyRef(None)];
    inner_of.call(&mut store, &[Val::AnyRef(Some(s.into()))], &mut out).unwrap();
    let back = out[0].anyref().flatten().unwrap();
    assert_eq!(back.as_array(&store).unwrap(), Some(array));
    assert_eq!(AnyRef::from(s).as_array(&store).unwrap(), None);

    // Handles made in a root scope end with it: 100,000 garbage structs
    // through an 8 MiB heap, then nothing left but the three above.
    store.root_scope(|store| {
        for k in 0..100_000 {
            let f = [Val::I32(k), Val::I64(k as i64), Val::AnyRef(None)];
            StructRef::new(&mut *store, &s_pre, &f).unwrap();
        }
    });
    store.gc();
    assert_eq!(store.gc_heap_usage().1, 3);
    assert_eq!(s.field(&mut store, 0).unwrap().i32(), Some(7));

    // The heap limits hold for the host too: one array larger than the
    // heap, and a second one that does not fit beside the first.
    let err = ArrayRef::new(&mut store, &a_pre, &Val::I32(0), 4 << 20).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::AllocationTooLarge), "{err:?}");
    ArrayRef::new(&mut store, &a_pre, &Val::I32(0), 800_000).unwrap();
    let err = ArrayRef::new(&mut store, &a_pre, &Val::I32(0), 800_000).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::GcHeapOutOfMemory), "{err:?}");
}
