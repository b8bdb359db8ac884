//! The component model's async ABI through the embedding API: calling
//! `async` exports from the host, stackful tasks that suspend on fibers,
//! cooperative threads, streams between components.

use wazi::component::{Component, Linker, Val};
use wazi::{Engine, Store};

fn call(wat: &str, name: &str, params: &[Val]) -> wazi::Result<Val> {
    let engine = Engine::default();
    let component = Component::new(&engine, wat)?;
    let linker = Linker::new(&engine);
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component)?;
    let f = instance.get_func(&mut store, name).expect("export");
    let mut out = [Val::Bool(false)];
    f.call(&mut store, params, &mut out)?;
    Ok(out[0].clone())
}

/// A stackful `async` export (no callback) yields 10,000 times while an
/// explicit thread of the same task counts: every yield parks the export's
/// fiber and the event loop runs the other thread, which must have moved on
/// each time. Run on a thread with a small native stack, so that suspending
/// cannot be growing it.
const YIELDS: &str = r#"(component
  (core module $Mem
    (memory (export "mem") 1)
    (table (export "t") 1 funcref))
  (core instance $mem (instantiate $Mem))
  (core type $start (func (param i32)))
  (alias core export $mem "t" (core table $t))
  (canon thread.new-indirect $start (core table $t) (core func $new))
  (canon thread.resume-later (core func $later))
  (canon thread.yield (core func $yield))
  (canon task.return (result u32) (core func $ret))
  (core module $M
    (import "" "t" (table 1 funcref))
    (import "" "new" (func $new (param i32 i32) (result i32)))
    (import "" "later" (func $later (param i32)))
    (import "" "yield" (func $yield (result i32)))
    (import "" "ret" (func $ret (param i32)))
    (global $ticks (mut i32) (i32.const 0))
    (global $done (mut i32) (i32.const 0))
    (elem (i32.const 0) func $counter)
    (func $counter (param i32)
      (loop $l
        (global.set $ticks (i32.add (global.get $ticks) (i32.const 1)))
        (drop (call $yield))
        (br_if $l (i32.eqz (global.get $done)))))
    (func (export "run") (param $n i32)
      (local $i i32) (local $seen i32)
      (call $later (call $new (i32.const 0) (i32.const 0)))
      (loop $l
        (local.set $seen (global.get $ticks))
        (drop (call $yield))
        ;; the counter ran while this thread was parked
        (if (i32.le_u (global.get $ticks) (local.get $seen)) (then unreachable))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
      (global.set $done (i32.const 1))
      (call $ret (local.get $i))))
  (core instance $m (instantiate $M (with "" (instance
    (export "t" (table $t))
    (export "new" (func $new))
    (export "later" (func $later))
    (export "yield" (func $yield))
    (export "ret" (func $ret))))))
  (func (export "run") async (param "n" u32) (result u32)
    (canon lift (core func $m "run") async)))"#;

#[test]
fn stackful_export_suspends_without_native_stack() {
    let t = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(|| call(YIELDS, "run", &[Val::U32(10_000)]).map_err(|e| format!("{e:?}")))
        .unwrap();
    assert_eq!(t.join().unwrap().unwrap(), Val::U32(10_000));
}

/// A component reads a stream another produces, through async lowering on
/// both sides: the producer's callback loop writes one element per turn
/// and the consumer waits for each read in its waitable set.
const STREAM: &str = r#"(component
  (component $P
    (core module $Mem (memory (export "mem") 1))
    (core instance $mem (instantiate $Mem))
    (type $S (stream u32))
    (canon stream.new $S (core func $new))
    (canon stream.write $S async (memory (core memory $mem "mem")) (core func $write))
    (canon stream.drop-writable $S (core func $drop))
    (canon waitable-set.new (core func $ws.new))
    (canon waitable.join (core func $join))
    (canon task.return (result $S) (core func $ret))
    (core module $M
      (import "" "mem" (memory 1))
      (import "" "new" (func $new (result i64)))
      (import "" "write" (func $write (param i32 i32 i32) (result i32)))
      (import "" "drop" (func $drop (param i32)))
      (import "" "ws.new" (func $ws.new (result i32)))
      (import "" "join" (func $join (param i32 i32)))
      (import "" "ret" (func $ret (param i32)))
      (global $tx (mut i32) (i32.const 0))
      (global $ws (mut i32) (i32.const 0))
      (global $next (mut i32) (i32.const 1))
      (global $last (mut i32) (i32.const 0))
      ;; writes $next, waits for the copy unless it completed at once
      (func $step (result i32)
        (local $r i32)
        (if (i32.gt_u (global.get $next) (global.get $last))
          (then (call $drop (global.get $tx)) (return (i32.const 0))))
        (i32.store (i32.const 0) (i32.mul (global.get $next) (global.get $next)))
        (local.set $r (call $write (global.get $tx) (i32.const 0) (i32.const 1)))
        (if (i32.eq (local.get $r) (i32.const -1))
          (then (return (i32.or (i32.const 2) (i32.shl (global.get $ws) (i32.const 4))))))
        (global.set $next (i32.add (global.get $next) (i32.const 1)))
        (i32.const 1))
      (func (export "squares") (param $n i32) (result i32)
        (local $p i64)
        (local.set $p (call $new))
        (global.set $tx (i32.wrap_i64 (i64.shr_u (local.get $p) (i64.const 32))))
        (global.set $ws (call $ws.new))
        (call $join (global.get $tx) (global.get $ws))
        (global.set $last (local.get $n))
        (call $ret (i32.wrap_i64 (local.get $p)))
        (call $step))
      (func (export "cb") (param $event i32) (param $i i32) (param $payload i32) (result i32)
        ;; a STREAM_WRITE event ends the pending write of one element
        (if (i32.eq (local.get $event) (i32.const 3))
          (then (global.set $next (i32.add (global.get $next) (i32.const 1)))))
        (call $step)))
    (core instance $m (instantiate $M (with "" (instance
      (export "mem" (memory $mem "mem"))
      (export "new" (func $new)) (export "write" (func $write)) (export "drop" (func $drop))
      (export "ws.new" (func $ws.new)) (export "join" (func $join)) (export "ret" (func $ret))))))
    (func (export "squares") async (param "n" u32) (result $S)
      (canon lift (core func $m "squares") async (callback (core func $m "cb")))))
  (component $C
    (type $S (stream u32))
    (import "squares" (func $squares async (param "n" u32) (result $S)))
    (core module $Mem (memory (export "mem") 1))
    (core instance $mem (instantiate $Mem))
    (canon lower (func $squares) (core func $sq))
    (canon stream.read $S async (memory (core memory $mem "mem")) (core func $read))
    (canon stream.drop-readable $S (core func $drop))
    (canon waitable-set.new (core func $ws.new))
    (canon waitable-set.wait (memory (core memory $mem "mem")) (core func $wait))
    (canon waitable.join (core func $join))
    (core module $M
      (import "" "mem" (memory 1))
      (import "" "sq" (func $sq (param i32) (result i32)))
      (import "" "read" (func $read (param i32 i32 i32) (result i32)))
      (import "" "drop" (func $drop (param i32)))
      (import "" "ws.new" (func $ws.new (result i32)))
      (import "" "wait" (func $wait (param i32 i32) (result i32)))
      (import "" "join" (func $join (param i32 i32)))
      (func (export "sum") (param $n i32) (result i32)
        (local $rx i32) (local $ws i32) (local $r i32) (local $sum i32)
        (local.set $rx (call $sq (local.get $n)))
        (local.set $ws (call $ws.new))
        (loop $l
          (local.set $r (call $read (local.get $rx) (i32.const 64) (i32.const 1)))
          (if (i32.eq (local.get $r) (i32.const -1))
            (then
              (call $join (local.get $rx) (local.get $ws))
              ;; STREAM_READ, then the result in the payload
              (if (i32.ne (call $wait (local.get $ws) (i32.const 8)) (i32.const 2)) (then unreachable))
              (call $join (local.get $rx) (i32.const 0))
              (local.set $r (i32.load (i32.const 12)))))
          ;; COMPLETED with one element: add it and go on; DROPPED: done
          (if (i32.eq (local.get $r) (i32.const 0x10))
            (then
              (local.set $sum (i32.add (local.get $sum) (i32.load (i32.const 64))))
              (br $l))))
        (if (i32.ne (i32.and (local.get $r) (i32.const 0xf)) (i32.const 1)) (then unreachable))
        (call $drop (local.get $rx))
        (local.get $sum)))
    (core instance $m (instantiate $M (with "" (instance
      (export "mem" (memory $mem "mem"))
      (export "sq" (func $sq)) (export "read" (func $read)) (export "drop" (func $drop))
      (export "ws.new" (func $ws.new)) (export "wait" (func $wait)) (export "join" (func $join))))))
    (func (export "sum") async (param "n" u32) (result u32) (canon lift (core func $m "sum"))))
  (instance $p (instantiate $P))
  (instance $c (instantiate $C (with "squares" (func $p "squares"))))
  (export "sum" (func $c "sum")))"#;

#[test]
fn stream_between_components() {
    // 1 + 4 + ... + 100
    assert_eq!(call(STREAM, "sum", &[Val::U32(10)]).unwrap(), Val::U32(385));
    assert_eq!(call(STREAM, "sum", &[Val::U32(0)]).unwrap(), Val::U32(0));
}

/// A task that returns nothing and waits forever: the host call reports
/// the deadlock instead of hanging.
#[test]
fn deadlock_is_reported() {
    let wat = r#"(component
      (core module $Mem (memory (export "mem") 1))
      (core instance $mem (instantiate $Mem))
      (canon waitable-set.new (core func $new))
      (canon waitable-set.wait (memory (core memory $mem "mem")) (core func $wait))
      (core module $M
        (import "" "new" (func $new (result i32)))
        (import "" "wait" (func $wait (param i32 i32) (result i32)))
        (func (export "f") (drop (call $wait (call $new) (i32.const 0)))))
      (core instance $m (instantiate $M (with "" (instance (export "new" (func $new)) (export "wait" (func $wait))))))
      (func (export "f") async (result u32) (canon lift (core func $m "f") async)))"#;
    let err = call(wat, "f", &[]).unwrap_err();
    assert!(format!("{err:?}").contains("deadlock detected"), "{err:?}");
}

/// A task that calls host function `sleep(ms) -> u32` twice through an
/// async lowering (200 ms, then 20 ms): each call must return a subtask at
/// once, and the task waits for both in a waitable set, checking that the
/// host answered twice the argument. Returns 1 if the shorter call
/// resolved first.
const SLEEPS: &str = r#"(component
      (import "sleep" (func $sleep async (param "ms" u32) (result u32)))
      (core module $Mem (memory (export "mem") 1))
      (core instance $mem (instantiate $Mem))
      (canon lower (func $sleep) async (memory (core memory $mem "mem")) (core func $sleep'))
      (canon waitable-set.new (core func $new))
      (canon waitable-set.wait (memory (core memory $mem "mem")) (core func $wait))
      (canon waitable.join (core func $join))
      (canon subtask.drop (core func $drop))
      (canon task.return (result u32) (core func $ret))
      (core module $M
        (import "" "mem" (memory 1))
        (import "" "sleep" (func $sleep (param i32 i32) (result i32)))
        (import "" "new" (func $new (result i32)))
        (import "" "wait" (func $wait (param i32 i32) (result i32)))
        (import "" "join" (func $join (param i32 i32)))
        (import "" "drop" (func $drop (param i32)))
        (import "" "ret" (func $ret (param i32)))
        (func (export "run")
          (local $ws i32) (local $slow i32) (local $fast i32) (local $first i32)
          (local.set $ws (call $new))
          ;; both calls are STARTED subtasks: the low 4 bits are 1
          (local.set $slow (call $sleep (i32.const 200) (i32.const 100)))
          (local.set $fast (call $sleep (i32.const 20) (i32.const 104)))
          (if (i32.ne (i32.and (local.get $slow) (i32.const 0xf)) (i32.const 1)) (then unreachable))
          (if (i32.ne (i32.and (local.get $fast) (i32.const 0xf)) (i32.const 1)) (then unreachable))
          (local.set $slow (i32.shr_u (local.get $slow) (i32.const 4)))
          (local.set $fast (i32.shr_u (local.get $fast) (i32.const 4)))
          (call $join (local.get $slow) (local.get $ws))
          (call $join (local.get $fast) (local.get $ws))
          ;; the first SUBTASK event (RETURNED) is the fast call's
          (if (i32.ne (call $wait (local.get $ws) (i32.const 0)) (i32.const 1)) (then unreachable))
          (if (i32.ne (i32.load offset=4 (i32.const 0)) (i32.const 2)) (then unreachable))
          (local.set $first (i32.load (i32.const 0)))
          (if (i32.ne (call $wait (local.get $ws) (i32.const 0)) (i32.const 1)) (then unreachable))
          (call $join (local.get $slow) (i32.const 0))
          (call $join (local.get $fast) (i32.const 0))
          (call $drop (local.get $slow))
          (call $drop (local.get $fast))
          ;; each result is the host's answer: twice its argument
          (if (i32.ne (i32.load (i32.const 100)) (i32.const 400)) (then unreachable))
          (if (i32.ne (i32.load (i32.const 104)) (i32.const 40)) (then unreachable))
          (call $ret (i32.eq (local.get $first) (local.get $fast)))))
      (core instance $m (instantiate $M (with "" (instance
        (export "mem" (memory $mem "mem")) (export "sleep" (func $sleep'))
        (export "new" (func $new)) (export "wait" (func $wait)) (export "join" (func $join))
        (export "drop" (func $drop)) (export "ret" (func $ret))))))
      (func (export "run") async (result u32) (canon lift (core func $m "run") async)))"#;

/// Runs [`SLEEPS`] with `sleep` as `define` makes it, on a thread of its
/// own (inside tokio runtime `rt` if given), failing after 30 s rather
/// than hanging if a wake is lost.
fn run_sleeps(
    rt: Option<tokio::runtime::Handle>,
    define: impl FnOnce(&mut Linker<()>) + Send + 'static,
) -> Val {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _entered = rt.as_ref().map(|rt| rt.enter());
        let engine = Engine::default();
        let component = Component::new(&engine, SLEEPS).unwrap();
        let mut linker = Linker::new(&engine);
        define(&mut linker);
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &component).unwrap();
        let f = instance.get_func(&mut store, "run").unwrap();
        let mut out = [Val::Bool(false)];
        let r = f.call(&mut store, &[], &mut out).map(|()| out[0].clone());
        let _ = tx.send(r.map_err(|e| format!("{e:?}")));
    });
    let r = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("the call ended in 30 s");
    r.unwrap()
}

fn ms_arg(params: &[Val]) -> wazi::Result<u32> {
    match params.first() {
        Some(Val::U32(ms)) => Ok(*ms),
        _ => Err(wazi::Error::msg("expected u32")),
    }
}

/// A concurrent host function (`func_new_concurrent`) called twice through
/// an async lowering: each call returns a subtask at once, and the shorter
/// wait resolves first while the task waits for both in a waitable set.
#[test]
fn concurrent_host_calls_resolve_in_their_own_time() {
    use std::time::{Duration, Instant};
    use wazi::component::{HostCall, HostPending};
    let first = run_sleeps(None, |linker| {
        linker
            .root()
            .func_new_concurrent("sleep", |_, params| {
                let ms = ms_arg(params)?;
                let at = Instant::now() + Duration::from_millis(ms as u64);
                Ok(HostCall::Pending(HostPending::at(at, Some(Val::U32(ms * 2)))))
            })
            .unwrap();
    });
    assert_eq!(first, Val::U32(1), "the fast call resolved first");
}

/// An `async` host function as a Rust future, driven by wazi's event loop
/// alone: the future is woken from another thread, which wakes the loop.
#[test]
fn host_futures_are_driven_by_the_event_loop() {
    use std::sync::{Arc, Mutex};
    use std::task::{Poll, Waker};
    use wazi::component::{HostCall, HostPending};
    /// Ready once a thread that sleeps `ms` has set it, waking its waker.
    struct Timer(Arc<Mutex<(bool, Option<Waker>)>>);
    impl std::future::Future for Timer {
        type Output = ();
        fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
            let mut state = self.0.lock().unwrap();
            if state.0 {
                return Poll::Ready(());
            }
            state.1 = Some(cx.waker().clone());
            Poll::Pending
        }
    }
    fn timer(ms: u32) -> Timer {
        let state = Arc::new(Mutex::new((false, None::<Waker>)));
        let s = state.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(ms as u64));
            let mut state = s.lock().unwrap();
            state.0 = true;
            if let Some(w) = state.1.take() {
                w.wake();
            }
        });
        Timer(state)
    }
    let first = run_sleeps(None, |linker| {
        linker
            .root()
            .func_new_concurrent("sleep", |_, params| {
                let ms = ms_arg(params)?;
                Ok(HostCall::Pending(HostPending::from_future(async move {
                    timer(ms).await;
                    Ok(Some(Val::U32(ms * 2)))
                })))
            })
            .unwrap();
    });
    assert_eq!(first, Val::U32(1), "the fast call resolved first");
}

/// The same with tokio's timers: a multi-threaded runtime, entered on the
/// thread that runs the store, drives them and wakes the loop.
#[test]
fn tokio_futures_run_as_host_functions() {
    use wazi::component::{HostCall, HostPending};
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_time().build();
    let rt = rt.unwrap();
    let first = run_sleeps(Some(rt.handle().clone()), |linker| {
        linker
            .root()
            .func_new_concurrent("sleep", |_, params| {
                let ms = ms_arg(params)?;
                Ok(HostCall::Pending(HostPending::from_future(async move {
                    tokio::time::sleep(std::time::Duration::from_millis(ms as u64)).await;
                    Ok(Some(Val::U32(ms * 2)))
                })))
            })
            .unwrap();
    });
    assert_eq!(first, Val::U32(1), "the fast call resolved first");
}

/// A guest cannot make the host reserve stacks without bound: every async
/// call that blocks keeps a fiber, and past the store's limit the call
/// traps instead of exhausting the host.
#[test]
fn blocked_tasks_are_bounded() {
    let wat = r#"(component
      (component $C
        (core module $Mem (memory (export "mem") 1))
        (core instance $mem (instantiate $Mem))
        (canon waitable-set.new (core func $new))
        (canon waitable-set.wait (memory (core memory $mem "mem")) (core func $wait))
        (core module $M
          (import "" "new" (func $new (result i32)))
          (import "" "wait" (func $wait (param i32 i32) (result i32)))
          (func (export "block") (drop (call $wait (call $new) (i32.const 0)))))
        (core instance $m (instantiate $M (with "" (instance (export "new" (func $new)) (export "wait" (func $wait))))))
        (func (export "block") async (canon lift (core func $m "block") async)))
      (component $D
        (import "block" (func $block async))
        (core module $Mem (memory (export "mem") 1))
        (core instance $mem (instantiate $Mem))
        (canon lower (func $block) async (memory (core memory $mem "mem")) (core func $block'))
        (canon task.return (result u32) (core func $ret))
        (core module $M
          (import "" "block" (func $block (result i32)))
          (import "" "ret" (func $ret (param i32)))
          (func (export "run") (param $n i32)
            (local $i i32)
            (loop $l
              ;; each call blocks at once: a STARTED subtask
              (if (i32.ne (i32.and (call $block) (i32.const 0xf)) (i32.const 1)) (then unreachable))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (call $ret (local.get $i))))
        (core instance $m (instantiate $M (with "" (instance (export "block" (func $block')) (export "ret" (func $ret))))))
        (func (export "run") async (param "n" u32) (result u32) (canon lift (core func $m "run") async)))
      (instance $c (instantiate $C))
      (instance $d (instantiate $D (with "block" (func $c "block"))))
      (export "run" (func $d "run")))"#;
    // Below the limit the calls all block and the caller goes on.
    assert_eq!(call(wat, "run", &[Val::U32(100)]).unwrap(), Val::U32(100));
    let err = call(wat, "run", &[Val::U32(20_000)]).unwrap_err();
    assert!(format!("{err:?}").contains("too many tasks waiting at once"), "{err:?}");
}

/// Wasm that a task on a fiber calls synchronously (a function that is
/// not `async`, run on the fiber's stack) is bounded by that stack: endless
/// recursion there is a stack overflow, as anywhere else.
#[test]
fn recursion_under_a_task_overflows_its_own_stack() {
    let wat = r#"(component
      (component $C
        (core module $M
          (func $down (export "down") (param i32) (result i32)
            (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1))))
        (core instance $m (instantiate $M))
        (func (export "down") (param "n" u32) (result u32) (canon lift (core func $m "down"))))
      (component $D
        (import "down" (func $down (param "n" u32) (result u32)))
        (canon lower (func $down) (core func $down'))
        (canon task.return (result u32) (core func $ret))
        (core module $M
          (import "" "down" (func $down (param i32) (result i32)))
          (import "" "ret" (func $ret (param i32)))
          (func (export "run") (call $ret (call $down (i32.const 0)))))
        (core instance $m (instantiate $M (with "" (instance (export "down" (func $down')) (export "ret" (func $ret))))))
        (func (export "run") async (result u32) (canon lift (core func $m "run") async)))
      (instance $c (instantiate $C))
      (instance $d (instantiate $D (with "down" (func $c "down"))))
      (export "run" (func $d "run")))"#;
    let err = call(wat, "run", &[]).unwrap_err();
    assert_eq!(err.downcast_ref::<wazi::Trap>(), Some(&wazi::Trap::StackOverflow), "{err:?}");
}

/// A task cancelled while held at the backpressure gate leaves nothing
/// behind in its instance's thread table: a later thread built-in naming
/// its old index traps instead of reaching a freed thread.
#[test]
fn cancelled_at_the_gate_leaves_no_stale_thread() {
    let wat = r#"(component
      (component $B
        (core module $Mem (memory (export "mem") 1))
        (core instance $mem (instantiate $Mem))
        (canon backpressure.inc (core func $bp))
        (canon thread.resume-later (core func $later))
        (canon waitable-set.new (core func $new))
        (core module $M
          (import "" "bp" (func $bp))
          (import "" "later" (func $later (param i32)))
          (import "" "new" (func $new (result i32)))
          (func (export "bp-on") (call $bp))
          (func (export "slow") (result i32)
            (i32.or (i32.const 2) (i32.shl (call $new) (i32.const 4))))
          (func (export "slow-cb") (param i32 i32 i32) (result i32) unreachable)
          (func (export "poke") (param i32) (call $later (local.get 0))))
        (core instance $m (instantiate $M (with "" (instance
          (export "bp" (func $bp)) (export "later" (func $later)) (export "new" (func $new))))))
        (func (export "bp-on") (canon lift (core func $m "bp-on")))
        (func (export "slow") async (canon lift (core func $m "slow") async (callback (core func $m "slow-cb"))))
        (func (export "poke") (param "i" u32) (canon lift (core func $m "poke"))))
      (component $A
        (import "b" (instance $b
          (export "bp-on" (func))
          (export "slow" (func async))
          (export "poke" (func (param "i" u32)))))
        (core module $Mem (memory (export "mem") 1))
        (core instance $mem (instantiate $Mem))
        (canon lower (func $b "bp-on") (core func $bp-on))
        (canon lower (func $b "slow") async (memory (core memory $mem "mem")) (core func $slow))
        (canon lower (func $b "poke") (core func $poke))
        (canon subtask.cancel (core func $cancel))
        (canon task.return (result u32) (core func $ret))
        (core module $M
          (import "" "bp-on" (func $bp-on))
          (import "" "slow" (func $slow (result i32)))
          (import "" "poke" (func $poke (param i32)))
          (import "" "cancel" (func $cancel (param i32) (result i32)))
          (import "" "ret" (func $ret (param i32)))
          (func (export "run")
            (local $r i32) (local $s i32)
            (call $bp-on)
            ;; both held at the gate: STARTING
            (local.set $r (call $slow))
            (local.set $s (call $slow))
            (if (i32.ne (i32.and (local.get $r) (i32.const 0xf)) (i32.const 0)) (then unreachable))
            (if (i32.ne (i32.and (local.get $s) (i32.const 0xf)) (i32.const 0)) (then unreachable))
            ;; cancelled before they started
            (if (i32.ne (call $cancel (i32.shr_u (local.get $r) (i32.const 4))) (i32.const 3))
              (then unreachable))
            (if (i32.ne (call $cancel (i32.shr_u (local.get $s) (i32.const 4))) (i32.const 3))
              (then unreachable))
            ;; the first one's old index
            (call $poke (i32.const 1))
            (call $ret (i32.const 0))))
        (core instance $m (instantiate $M (with "" (instance
          (export "bp-on" (func $bp-on)) (export "slow" (func $slow)) (export "poke" (func $poke))
          (export "cancel" (func $cancel)) (export "ret" (func $ret))))))
        (func (export "run") async (result u32) (canon lift (core func $m "run") async)))
      (instance $b (instantiate $B))
      (instance $a (instantiate $A (with "b" (instance $b))))
      (export "run" (func $a "run")))"#;
    let err = call(wat, "run", &[]).unwrap_err();
    assert!(format!("{err:?}").contains("wasm trap: cannot resume thread"), "{err:?}");
}

/// A `borrow` passed to a concurrent host call that goes on stays lent
/// until the call is done: the caller cannot drop the resource meanwhile
/// (as in wasmtime, the drop traps), and can once the call resolved.
#[test]
fn borrows_stay_lent_while_a_host_call_goes_on() {
    use std::time::{Duration, Instant};
    use wazi::component::{HostCall, HostPending, Resource, ResourceType};
    let wat = |wait_first: bool| {
        let wait = if wait_first {
            "(call $join (local.get $sub) (local.get $ws))\n\
             (drop (call $wait (local.get $ws) (i32.const 0)))\n\
             (call $join (local.get $sub) (i32.const 0))\n\
             (call $sdrop (local.get $sub))"
        } else {
            ""
        };
        format!(
            r#"(component
      (import "r" (type $R (sub resource)))
      (import "make" (func $make (result (own $R))))
      (import "hold" (func $hold async (param "r" (borrow $R))))
      (core module $Mem (memory (export "mem") 1))
      (core instance $mem (instantiate $Mem))
      (canon lower (func $make) (core func $make'))
      (canon lower (func $hold) async (core func $hold'))
      (canon resource.drop $R (core func $rdrop))
      (canon waitable-set.new (core func $new))
      (canon waitable-set.wait (memory (core memory $mem "mem")) (core func $wait))
      (canon waitable.join (core func $join))
      (canon subtask.drop (core func $sdrop))
      (canon task.return (core func $ret))
      (core module $M
        (import "" "make" (func $make (result i32)))
        (import "" "hold" (func $hold (param i32) (result i32)))
        (import "" "rdrop" (func $rdrop (param i32)))
        (import "" "new" (func $new (result i32)))
        (import "" "wait" (func $wait (param i32 i32) (result i32)))
        (import "" "join" (func $join (param i32 i32)))
        (import "" "sdrop" (func $sdrop (param i32)))
        (import "" "ret" (func $ret))
        (func (export "run") (local $h i32) (local $sub i32) (local $ws i32)
          (local.set $ws (call $new))
          (local.set $h (call $make))
          (local.set $sub (i32.shr_u (call $hold (local.get $h)) (i32.const 4)))
          {wait}
          (call $rdrop (local.get $h))
          (call $ret)))
      (core instance $m (instantiate $M (with "" (instance
        (export "make" (func $make')) (export "hold" (func $hold')) (export "rdrop" (func $rdrop))
        (export "new" (func $new)) (export "wait" (func $wait)) (export "join" (func $join))
        (export "sdrop" (func $sdrop)) (export "ret" (func $ret))))))
      (func (export "run") async (canon lift (core func $m "run") async)))"#
        )
    };
    let engine = Engine::default();
    for wait_first in [false, true] {
        let component = Component::new(&engine, wat(wait_first)).unwrap();
        let mut linker: Linker<()> = Linker::new(&engine);
        let mut root = linker.root();
        root.resource("r", ResourceType::host::<u32>(), |_, _| Ok(())).unwrap();
        root.func_wrap("make", |_, (): ()| Ok((Resource::<u32>::new_own(7),))).unwrap();
        root.func_new_concurrent("hold", |_, _| {
            Ok(HostCall::Pending(HostPending::at(Instant::now() + Duration::from_millis(20), None)))
        })
        .unwrap();
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &component).unwrap();
        let f = instance.get_func(&mut store, "run").unwrap();
        let r = f.call(&mut store, &[], &mut []);
        if wait_first {
            r.unwrap();
        } else {
            let e = format!("{:#}", r.unwrap_err());
            assert!(e.contains("cannot remove owned resource while borrowed"), "{e}");
        }
    }
}

/// A stackful `async` export taking and returning strings: the argument
/// is lowered into the callee through its `realloc` when the task starts,
/// and `task.return` hands back a string in the callee's memory.
const GREET: &str = r#"(component
  (core module $Mem
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $next))
      (global.set $next (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $mem (instantiate $Mem))
  (canon task.return (result string) (memory (core memory $mem "mem")) (core func $ret))
  (canon thread.yield (core func $yield))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "ret" (func $ret (param i32 i32)))
    (import "" "yield" (func $yield (result i32)))
    ;; "hi, " then the name, at 0; traps on an empty name
    (func (export "greet") (param $p i32) (param $n i32)
      (if (i32.eqz (local.get $n)) (then unreachable))
      (drop (call $yield))
      (i32.store (i32.const 0) (i32.const 0x202c6968))
      (memory.copy (i32.const 4) (local.get $p) (local.get $n))
      (call $ret (i32.const 0) (i32.add (local.get $n) (i32.const 4)))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "ret" (func $ret)) (export "yield" (func $yield))))))
  (func (export "greet") async (param "name" string) (result string)
    (canon lift (core func $m "greet") async
      (memory (core memory $mem "mem")) (realloc (core func $mem "realloc")))))"#;

#[test]
fn typed_calls_of_async_exports() {
    let engine = Engine::default();
    let linker = Linker::new(&engine);
    let mut store = Store::new(&engine, ());
    // Flat arguments and results, through `task.return`.
    let c = Component::new(&engine, YIELDS).unwrap();
    let i = linker.instantiate(&mut store, &c).unwrap();
    let run = i.get_typed_func::<(u32,), (u32,)>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, (100,)).unwrap(), (100,));
    // A synchronous lift of an `async` function, which calls another
    // component's `async` export that returns a stream.
    let c = Component::new(&engine, STREAM).unwrap();
    let i = linker.instantiate(&mut store, &c).unwrap();
    let sum = i.get_typed_func::<(u32,), (u32,)>(&mut store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, (10,)).unwrap(), (385,));
    // (The producer counts on from where it stopped: a fresh instance.)
    let i = linker.instantiate(&mut store, &c).unwrap();
    let sum = i.get_typed_func::<(u32,), (u32,)>(&mut store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, (3,)).unwrap(), (14,));
    // A borrowed string in, an owned one out; a trap is an error, and
    // the type is checked before any call.
    let c = Component::new(&engine, GREET).unwrap();
    let i = linker.instantiate(&mut store, &c).unwrap();
    assert!(i.get_typed_func::<(u32,), (String,)>(&mut store, "greet").is_err());
    let greet = i.get_typed_func::<(&str,), (String,)>(&mut store, "greet").unwrap();
    let name = String::from("wazi");
    assert_eq!(greet.call(&mut store, (name.as_str(),)).unwrap(), ("hi, wazi".to_string(),));
    assert_eq!(greet.call(&mut store, ("wörld",)).unwrap(), ("hi, wörld".to_string(),));
    let err = greet.call(&mut store, ("",)).unwrap_err();
    assert!(format!("{err:?}").contains("unreachable"), "{err:?}");
}
