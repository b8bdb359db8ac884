//! The WASI 0.2 host through small hand-written components that call its
//! interfaces directly (the Rust guests in `crates/test-programs` exercise
//! it through std).

use wazi::component::{Component, Linker, Val};
use wazi::{Engine, Store};
use wazi_wasi::{MemoryInputPipe, MemoryOutputPipe, Stdin, Stdout, WasiCtx, WasiCtxBuilder};

/// Instantiates `wat` with the WASI 0.2 host and calls its export `name`.
fn call(ctx: WasiCtx, wat: &str, name: &str, args: &[Val]) -> (wazi::Result<Vec<Val>>, WasiCtx) {
    let engine = Engine::default();
    let component = Component::new(&engine, wat).unwrap();
    let mut linker: Linker<WasiCtx> = Linker::new(&engine);
    wazi_wasi::p2::add_to_linker(&mut linker, |c| c).unwrap();
    let mut store = Store::new(&engine, ctx);
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let f = instance.get_func(&mut store, name).unwrap();
    let mut results = vec![Val::Bool(false); f.results(&store).len()];
    let r = f.call(&mut store, args, &mut results).map(|()| results);
    (r, store.into_data())
}

const RANDOM: &str = r#"(component
  (import "wasi:random/random@0.2.0" (instance $r
    (export "get-random-bytes" (func (param "len" u64) (result (list u8))))
    (export "get-random-u64" (func (result u64)))))
  (import "wasi:random/insecure-seed@0.2.3" (instance $s
    (export "insecure-seed" (func (result (tuple u64 u64))))))
  (alias export $r "get-random-bytes" (func $bytes))
  (alias export $s "insecure-seed" (func $seed))
  (core module $libc
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024)))
  (core instance $libc (instantiate $libc))
  (core func $bytes' (canon lower (func $bytes) (memory (core memory $libc "mem"))
    (realloc (core func $libc "realloc"))))
  (core module $m
    (import "" "mem" (memory 1))
    (import "" "bytes" (func $bytes (param i64 i32)))
    (func (export "count") (param i64) (result i32)
      (call $bytes (local.get 0) (i32.const 16))
      (i32.load (i32.const 20)))
    ;; The first 8 of 32 random bytes.
    (func (export "draw") (result i64)
      (call $bytes (i64.const 32) (i32.const 16))
      (i64.load (i32.load (i32.const 16)))))
  (core instance $m (instantiate $m (with "" (instance
    (export "mem" (memory $libc "mem")) (export "bytes" (func $bytes'))))))
  (func (export "count") (param "n" u64) (result u32) (canon lift (core func $m "count")))
  (func (export "draw") (result u64) (canon lift (core func $m "draw")))
  (core func $seed' (canon lower (func $seed) (memory (core memory $libc "mem"))))
  (core module $s
    (import "" "mem" (memory 1))
    (import "" "seed" (func $seed (param i32)))
    (func (export "seed") (result i64)
      (call $seed (i32.const 64))
      (i64.xor (i64.load (i32.const 64)) (i64.load (i32.const 72)))))
  (core instance $s (instantiate $s (with "" (instance
    (export "mem" (memory $libc "mem")) (export "seed" (func $seed'))))))
  (func (export "seed") (result u64) (canon lift (core func $s "seed"))))"#;

#[test]
fn random_bytes_and_seed() {
    let ctx = || WasiCtxBuilder::new().build();
    let (r, _) = call(ctx(), RANDOM, "count", &[Val::U64(32)]);
    assert_eq!(r.unwrap(), vec![Val::U32(32)]);
    // Two draws differ; the seed is fixed for a context.
    let engine = Engine::default();
    let component = Component::new(&engine, RANDOM).unwrap();
    let mut linker: Linker<WasiCtx> = Linker::new(&engine);
    wazi_wasi::p2::add_to_linker(&mut linker, |c| c).unwrap();
    let mut store = Store::new(&engine, ctx());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let draw = instance.get_typed_func::<(), (u64,)>(&mut store, "draw").unwrap();
    let (a, b) = (draw.call(&mut store, ()).unwrap(), draw.call(&mut store, ()).unwrap());
    assert_ne!(a, b, "two draws of random bytes are equal");
    let seed = instance.get_typed_func::<(), (u64,)>(&mut store, "seed").unwrap();
    assert_eq!(seed.call(&mut store, ()).unwrap(), seed.call(&mut store, ()).unwrap());
    // Asking for more than 64 MiB traps.
    let (r, _) = call(ctx(), RANDOM, "count", &[Val::U64(65 << 20)]);
    assert!(format!("{:#}", r.unwrap_err()).contains("exceeds limit"));
}

const CLOCKS: &str = r#"(component
  (import "wasi:io/poll@0.2.0" (instance $poll
    (export "pollable" (type $p (sub resource)))
    (export "[method]pollable.block" (func (param "self" (borrow $p))))
    (export "[method]pollable.ready" (func (param "self" (borrow $p)) (result bool)))))
  (alias export $poll "pollable" (type $pollable))
  (import "wasi:clocks/monotonic-clock@0.2.6" (instance $clock
    (export "pollable" (type $p (eq $pollable)))
    (export "now" (func (result u64)))
    (export "subscribe-duration" (func (param "when" u64) (result (own $p))))))
  (alias export $clock "now" (func $now))
  (alias export $clock "subscribe-duration" (func $sub))
  (alias export $poll "[method]pollable.block" (func $block))
  (alias export $poll "[method]pollable.ready" (func $ready))
  (core func $now' (canon lower (func $now)))
  (core func $sub' (canon lower (func $sub)))
  (core func $block' (canon lower (func $block)))
  (core func $ready' (canon lower (func $ready)))
  (core func $drop (canon resource.drop $pollable))
  (core module $m
    (import "" "now" (func $now (result i64)))
    (import "" "sub" (func $sub (param i64) (result i32)))
    (import "" "block" (func $block (param i32)))
    (import "" "ready" (func $ready (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    ;; Waits `ns` nanoseconds; returns how long it took, by the clock, or
    ;; -1 if the pollable said it was ready before the time.
    (func (export "wait") (param $ns i64) (result i64)
      (local $t i64) (local $p i32)
      (local.set $t (call $now))
      (local.set $p (call $sub (local.get $ns)))
      (if (i32.and (call $ready (local.get $p)) (i64.gt_u (local.get $ns) (i64.const 1000000)))
        (then (return (i64.const -1))))
      (call $block (local.get $p))
      (call $drop (local.get $p))
      (i64.sub (call $now) (local.get $t))))
  (core instance $m (instantiate $m (with "" (instance
    (export "now" (func $now')) (export "sub" (func $sub')) (export "block" (func $block'))
    (export "ready" (func $ready')) (export "drop" (func $drop))))))
  (func (export "wait") (param "ns" u64) (result u64) (canon lift (core func $m "wait"))))"#;

#[test]
fn monotonic_clock_pollables_wait() {
    let (r, _) = call(WasiCtxBuilder::new().build(), CLOCKS, "wait", &[Val::U64(30_000_000)]);
    let Val::U64(took) = r.unwrap()[0] else { panic!() };
    assert!(took != u64::MAX, "the pollable was ready before its time");
    assert!(took >= 30_000_000, "waited {took} ns");
    assert!(took < 5_000_000_000, "waited {took} ns");
}

const STREAMS: &str = r#"(component
  (import "wasi:io/error@0.2.0" (instance $err (export "error" (type (sub resource)))))
  (alias export $err "error" (type $error))
  (import "wasi:io/streams@0.2.0" (instance $s2
    (export "error" (type $e (eq $error)))
    (export "output-stream" (type $out (sub resource)))
    (export "input-stream" (type $in (sub resource)))
    (type $se' (variant (case "last-operation-failed" (own $e)) (case "closed")))
    (export "stream-error" (type $se (eq $se')))
    (export "[method]output-stream.check-write" (func (param "self" (borrow $out)) (result (result u64 (error $se)))))
    (export "[method]output-stream.blocking-write-and-flush" (func (param "self" (borrow $out)) (param "contents" (list u8)) (result (result (error $se)))))
    (export "[method]input-stream.blocking-read" (func (param "self" (borrow $in)) (param "len" u64) (result (result (list u8) (error $se)))))))
  (alias export $s2 "output-stream" (type $out))
  (alias export $s2 "input-stream" (type $in))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (export "output-stream" (type $o (eq $out)))
    (export "get-stdout" (func (result (own $o))))))
  (import "wasi:cli/stdin@0.2.0" (instance $stdin
    (export "input-stream" (type $i (eq $in)))
    (export "get-stdin" (func (result (own $i))))))
  (alias export $stdout "get-stdout" (func $get-stdout))
  (alias export $stdin "get-stdin" (func $get-stdin))
  (alias export $s2 "[method]output-stream.check-write" (func $check-write))
  (alias export $s2 "[method]output-stream.blocking-write-and-flush" (func $write))
  (alias export $s2 "[method]input-stream.blocking-read" (func $read))
  (core module $libc
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $r i32)
      (local.set $r (global.get $next))
      (global.set $next (i32.add (global.get $next) (local.get 3)))
      (local.get $r)))
  (core instance $libc (instantiate $libc))
  (core func $get-stdout' (canon lower (func $get-stdout)))
  (core func $get-stdin' (canon lower (func $get-stdin)))
  (core func $check-write' (canon lower (func $check-write) (memory (core memory $libc "mem"))))
  (core func $write' (canon lower (func $write) (memory (core memory $libc "mem"))))
  (core func $read' (canon lower (func $read) (memory (core memory $libc "mem"))
    (realloc (core func $libc "realloc"))))
  (core module $m
    (import "" "mem" (memory 1))
    (import "" "get-stdout" (func $get-stdout (result i32)))
    (import "" "get-stdin" (func $get-stdin (result i32)))
    (import "" "check-write" (func $check-write (param i32 i32)))
    (import "" "write" (func $write (param i32 i32 i32 i32)))
    (import "" "read" (func $read (param i32 i64 i32)))
    ;; Copies standard input to standard output in chunks of up to 4096
    ;; bytes; returns the bytes copied, or -1 when check-write failed.
    (func (export "copy") (result i32)
      (local $in i32) (local $out i32) (local $total i32)
      (local.set $in (call $get-stdin))
      (local.set $out (call $get-stdout))
      (call $check-write (local.get $out) (i32.const 0))
      (if (i32.load8_u (i32.const 0)) (then (return (i32.const -1))))
      (block $eof (loop $l
        (call $read (local.get $in) (i64.const 4096) (i32.const 16))
        (br_if $eof (i32.load8_u (i32.const 16)))
        (call $write (local.get $out) (i32.load (i32.const 20)) (i32.load (i32.const 24)) (i32.const 32))
        (local.set $total (i32.add (local.get $total) (i32.load (i32.const 24))))
        (br $l)))
      (local.get $total)))
  (core instance $m (instantiate $m (with "" (instance
    (export "mem" (memory $libc "mem"))
    (export "get-stdout" (func $get-stdout')) (export "get-stdin" (func $get-stdin'))
    (export "check-write" (func $check-write')) (export "write" (func $write'))
    (export "read" (func $read'))))))
  (func (export "copy") (result s32) (canon lift (core func $m "copy"))))"#;

#[test]
fn streams_copy_stdin_to_stdout() {
    let input: Vec<u8> = (0..20_000u32).map(|i| (i % 256) as u8).collect();
    let out = MemoryOutputPipe::new(1 << 20);
    let ctx = WasiCtxBuilder::new()
        .stdin(Stdin::Memory(MemoryInputPipe::new(input.clone())))
        .stdout(Stdout::Memory(out.clone()))
        .build();
    let (r, _) = call(ctx, STREAMS, "copy", &[]);
    assert_eq!(r.unwrap(), vec![Val::S32(20_000)]);
    assert_eq!(out.contents(), input);
    // A full output pipe reports `closed` from check-write.
    let ctx = WasiCtxBuilder::new().stdout(Stdout::Memory(MemoryOutputPipe::new(0))).build();
    let (r, _) = call(ctx, STREAMS, "copy", &[]);
    assert_eq!(r.unwrap(), vec![Val::S32(-1)]);
}
