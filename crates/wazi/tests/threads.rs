//! The threads proposal with real threads: stores on several threads over
//! one shared memory, atomic read-modify-writes, wait and notify, growth
//! seen by code already running elsewhere, and interruption of a wait.
//! Every wait in these tests is bounded by a timeout.

use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::Duration;
use wazi::*;

const WAT: &str = r#"
    (module
      (import "env" "memory" (memory 1 4 shared))
      (func (export "add") (param $n i32)
        (loop $l
          (drop (i32.atomic.rmw.add (i32.const 8) (i32.const 1)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
      (func (export "cas-add") (param $n i32) (local $old i32)
        (loop $l
          (local.set $old (i32.atomic.load (i32.const 12)))
          (br_if $l
            (i32.ne
              (i32.atomic.rmw.cmpxchg (i32.const 12) (local.get $old)
                (i32.add (local.get $old) (i32.const 1)))
              (local.get $old)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
      (func (export "wait") (param $addr i32) (param $timeout i64) (result i32)
        (memory.atomic.wait32 (local.get $addr) (i32.const 0) (local.get $timeout)))
      (func (export "notify") (param $addr i32) (result i32)
        (memory.atomic.notify (local.get $addr) (i32.const 1)))
      ;; Says it runs (the flag at 4), spins until the flag at 0 is set,
      ;; then reads the second page.
      (func (export "read-grown") (result i32)
        (i32.atomic.store (i32.const 4) (i32.const 1))
        (loop $l (br_if $l (i32.eqz (i32.atomic.load (i32.const 0)))))
        (i32.load (i32.const 65536)))
      (func (export "size") (result i32) (memory.size)))
"#;

/// An instance of `WAT` in a new store over `memory`.
fn instance(engine: &Engine, module: &Module, memory: &SharedMemory) -> (Store<()>, Instance) {
    let mut store = Store::new(engine, ());
    let mut linker = Linker::new(engine);
    let m = memory.to_memory(&mut store).unwrap();
    linker.define(&mut store, "env", "memory", m).unwrap();
    let inst = linker.instantiate(&mut store, module).unwrap();
    (store, inst)
}

fn setup() -> (Engine, Module, SharedMemory) {
    let engine = Engine::default();
    let module = Module::new(&engine, WAT).unwrap();
    let memory = SharedMemory::new(&engine, MemoryType::shared(1, 4)).unwrap();
    (engine, module, memory)
}

/// The i32 at byte `addr` of `memory`, read atomically.
fn read(memory: &SharedMemory, addr: usize) -> u32 {
    let cell = &memory.data()[addr];
    // SAFETY: aligned, inside the memory, which outlives the reference.
    unsafe { AtomicU32::from_ptr(cell.get().cast()).load(Ordering::SeqCst) }
}

fn write(memory: &SharedMemory, addr: usize, v: u32) {
    let cell = &memory.data()[addr];
    // SAFETY: as in `read`.
    unsafe { AtomicU32::from_ptr(cell.get().cast()).store(v, Ordering::SeqCst) }
}

#[test]
fn atomic_increments_from_four_threads() {
    let (engine, module, memory) = setup();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (engine, module, memory) = (engine.clone(), module.clone(), memory.clone());
            thread::spawn(move || {
                let (mut store, inst) = instance(&engine, &module, &memory);
                let add = inst.get_typed_func::<i32, ()>(&mut store, "add").unwrap();
                add.call(&mut store, 20_000).unwrap();
                let cas = inst.get_typed_func::<i32, ()>(&mut store, "cas-add").unwrap();
                cas.call(&mut store, 5_000).unwrap();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(read(&memory, 8), 80_000);
    assert_eq!(read(&memory, 12), 20_000);
}

#[test]
fn wait_and_notify() {
    let (engine, module, memory) = setup();
    let waiter = {
        let (engine, module, memory) = (engine.clone(), module.clone(), memory.clone());
        thread::spawn(move || {
            let (mut store, inst) = instance(&engine, &module, &memory);
            let wait = inst.get_typed_func::<(i32, i64), i32>(&mut store, "wait").unwrap();
            wait.call(&mut store, (16, 10_000_000_000)).unwrap()
        })
    };
    let (mut store, inst) = instance(&engine, &module, &memory);
    let notify = inst.get_typed_func::<i32, i32>(&mut store, "notify").unwrap();
    // The waiter may not be waiting yet: notify until it is woken.
    let mut woken = 0;
    for _ in 0..5000 {
        woken = notify.call(&mut store, 16).unwrap();
        if woken == 1 {
            break;
        }
        thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(woken, 1, "the waiter never waited");
    assert_eq!(waiter.join().unwrap(), 0, "woken");
    // Nobody waits now.
    assert_eq!(notify.call(&mut store, 16).unwrap(), 0);
    // A value that differs, and a timeout.
    let wait = inst.get_typed_func::<(i32, i64), i32>(&mut store, "wait").unwrap();
    write(&memory, 20, 5);
    assert_eq!(wait.call(&mut store, (20, 1_000_000_000)).unwrap(), 1, "not equal");
    assert_eq!(wait.call(&mut store, (24, 1_000_000)).unwrap(), 2, "timed out");
    // Misaligned and out of bounds.
    let e = wait.call(&mut store, (2, 0)).unwrap_err();
    assert_eq!(e.downcast_ref::<Trap>(), Some(&Trap::HeapMisaligned), "{e:?}");
    let e = notify.call(&mut store, 65536 * 4).unwrap_err();
    assert_eq!(e.downcast_ref::<Trap>(), Some(&Trap::MemoryOutOfBounds), "{e:?}");
}

#[test]
fn wait_on_an_unshared_memory_traps() {
    let engine = Engine::default();
    let wat = r#"
        (module (memory 1)
          (func (export "wait") (result i32)
            (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0)))
          (func (export "notify") (result i32)
            (memory.atomic.notify (i32.const 0) (i32.const 1))))
    "#;
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &Module::new(&engine, wat).unwrap(), &[]).unwrap();
    let wait = inst.get_typed_func::<(), i32>(&mut store, "wait").unwrap();
    let e = wait.call(&mut store, ()).unwrap_err();
    assert_eq!(e.downcast_ref::<Trap>(), Some(&Trap::AtomicWaitNonSharedMemory), "{e:?}");
    let notify = inst.get_typed_func::<(), i32>(&mut store, "notify").unwrap();
    assert_eq!(notify.call(&mut store, ()).unwrap(), 0);
}

#[test]
fn growth_is_seen_by_running_code() {
    let (engine, module, memory) = setup();
    let reader = {
        let (engine, module, memory) = (engine.clone(), module.clone(), memory.clone());
        thread::spawn(move || {
            let (mut store, inst) = instance(&engine, &module, &memory);
            let read = inst.get_typed_func::<(), i32>(&mut store, "read-grown").unwrap();
            let v = read.call(&mut store, ()).unwrap();
            let size = inst.get_typed_func::<(), i32>(&mut store, "size").unwrap();
            (v, size.call(&mut store, ()).unwrap())
        })
    };
    // Wait (bounded) until the reader runs, with its one-page view.
    for _ in 0..10_000 {
        if read(&memory, 4) == 1 {
            break;
        }
        thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(read(&memory, 4), 1, "the reader never started");
    assert_eq!(memory.grow(1).unwrap(), 1);
    write(&memory, 65536, 0xfeed);
    write(&memory, 0, 1);
    assert_eq!(reader.join().unwrap(), (0xfeed, 2));
    // Growing past the maximum fails; the size stays.
    assert!(memory.grow(3).is_err());
    assert_eq!(memory.size(), 2);
    assert!(memory.ty().is_shared());
}

#[test]
fn an_endless_wait_is_interrupted() {
    let mut config = Config::new();
    config.epoch_interruption(true);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(&engine, WAT).unwrap();
    let memory = SharedMemory::new(&engine, MemoryType::shared(1, 4)).unwrap();
    let (mut store, inst) = instance(&engine, &module, &memory);
    store.set_epoch_deadline(1);
    let ticker = {
        let engine = engine.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            engine.increment_epoch();
        })
    };
    let wait = inst.get_typed_func::<(i32, i64), i32>(&mut store, "wait").unwrap();
    let e = wait.call(&mut store, (32, -1)).unwrap_err();
    assert_eq!(e.downcast_ref::<Trap>(), Some(&Trap::Interrupt), "{e:?}");
    ticker.join().unwrap();
}

#[test]
fn shared_memories_in_modules_and_types() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let wat = r#"
        (module
          (memory (export "m") 1 2 shared)
          (func (export "grow") (result i32) (memory.grow (i32.const 1))))
    "#;
    let inst = Instance::new(&mut store, &Module::new(&engine, wat).unwrap(), &[]).unwrap();
    let m = inst.get_memory(&mut store, "m").unwrap();
    assert!(m.ty(&store).is_shared());
    let shared = m.as_shared(&store).expect("a shared memory");
    let grow = inst.get_typed_func::<(), i32>(&mut store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, ()).unwrap(), 1);
    assert_eq!(shared.size(), 2);
    assert_eq!(grow.call(&mut store, ()).unwrap(), -1);
    // The memory can go to another store on another thread.
    let other = thread::spawn(move || shared.data_size());
    assert_eq!(other.join().unwrap(), 2 * 65536);
    // Importing needs the same sharedness.
    let unshared = Memory::new(&mut store, MemoryType::new(1, Some(4))).unwrap();
    let importer = Module::new(&engine, r#"(module (import "" "m" (memory 1 4 shared)))"#).unwrap();
    let e = Instance::new(&mut store, &importer, &[unshared.into()]).unwrap_err();
    assert!(format!("{e:#}").contains("incompatible import type"), "{e:#}");
    assert!(SharedMemory::new(&engine, MemoryType::new(1, Some(2))).is_err());
}
