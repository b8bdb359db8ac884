//! Exception handling: the legacy instructions (`try`, `catch`,
//! `catch_all`, `delegate`, `rethrow`, which the text format no longer
//! has, so these modules are built with `wasm-encoder`), their interplay
//! with `try_table`, tag identity across modules, the collector of
//! exception objects, and exceptions crossing the host boundary.

use wasm_encoder::{
    BlockType as B, CodeSection, ExportKind, ExportSection, Function, FunctionSection,
    Instruction as I, Module as M, TagKind, TagSection, TypeSection, ValType as V,
};
use wazi::*;

/// A function of a test module.
struct F {
    name: &'static str,
    params: Vec<V>,
    results: Vec<V>,
    locals: Vec<V>,
    body: Vec<I<'static>>,
}

fn f(name: &'static str, params: &[V], results: &[V], body: Vec<I<'static>>) -> F {
    F { name, params: params.into(), results: results.into(), locals: Vec::new(), body }
}

/// A module with tags of payload types `tags` (tag `i` has type `i`), the
/// functions `funcs` (function `j` has type `tags.len() + j`, exported
/// under its name unless empty) and further types `extra` for block types
/// (type `tags.len() + funcs.len() + k`).
fn module(tags: &[&[V]], funcs: &[F], extra: &[(&[V], &[V])]) -> Vec<u8> {
    let mut types = TypeSection::new();
    for t in tags {
        types.ty().function(t.iter().copied(), []);
    }
    for f in funcs {
        types.ty().function(f.params.iter().copied(), f.results.iter().copied());
    }
    for (p, r) in extra {
        types.ty().function(p.iter().copied(), r.iter().copied());
    }
    let mut fs = FunctionSection::new();
    let mut exports = ExportSection::new();
    let mut code = CodeSection::new();
    for (j, f) in funcs.iter().enumerate() {
        fs.function((tags.len() + j) as u32);
        if !f.name.is_empty() {
            exports.export(f.name, ExportKind::Func, j as u32);
        }
        let mut body = Function::new(f.locals.iter().map(|t| (1, *t)));
        for i in &f.body {
            body.instruction(i);
        }
        body.instruction(&I::End);
        code.function(&body);
    }
    let mut ts = TagSection::new();
    for i in 0..tags.len() {
        ts.tag(wasm_encoder::TagType { kind: TagKind::Exception, func_type_idx: i as u32 });
    }
    let mut m = M::new();
    m.section(&types).section(&fs).section(&ts).section(&exports).section(&code);
    m.finish()
}

/// Every compilation mode, with and without fuel: `(engine, fuel)`.
fn engines() -> Vec<(Engine, bool)> {
    [CompilationMode::Lazy, CompilationMode::Eager]
        .into_iter()
        .flat_map(|mode| {
            [false, true].map(|fuel| {
                let mut c = Config::new();
                c.compilation_mode(mode).consume_fuel(fuel).wasm_legacy_exceptions(true);
                (Engine::new(&c).unwrap(), fuel)
            })
        })
        .collect()
}

fn run(bytes: &[u8], name: &str, args: &[Val], n: usize) -> Result<Vec<Val>> {
    let mut results = Vec::new();
    for (engine, fuel) in engines() {
        let module = Module::new(&engine, bytes)?;
        let mut store = Store::new(&engine, ());
        if fuel {
            store.set_fuel(u64::MAX)?;
        }
        let inst = Instance::new(&mut store, &module, &[])?;
        let func = inst.get_func(&mut store, name).expect("export");
        let mut out = vec![Val::I32(0); n];
        func.call(&mut store, args, &mut out)?;
        results.push(out);
    }
    let first = results[0].clone();
    assert!(results.iter().all(|r| *r == first), "{name}: modes disagree: {results:?}");
    Ok(first)
}

fn i32_of(bytes: &[u8], name: &str, args: &[i32]) -> i32 {
    let args: Vec<Val> = args.iter().map(|&a| Val::I32(a)).collect();
    match run(bytes, name, &args, 1) {
        Ok(v) => v[0].unwrap_i32(),
        Err(e) => panic!("{name}{args:?}: {e:?}"),
    }
}

const I32: V = V::I32;
const R32: B = B::Result(V::I32);

/// Tags: 0 `$e0`, 1 `$e1 (i32)`, 2 `$e2 (i32 i64)`, 3 `$ev (v128 i32)`.
const TAGS: &[&[V]] = &[&[], &[V::I32], &[V::I32, V::I64], &[V::V128, V::I32]];

/// Function 0: `$throw-if (i32) -> i32`: 0 returns 0, else throws `$e1`.
fn throw_if() -> F {
    f(
        "",
        &[I32],
        &[I32],
        vec![
            I::LocalGet(0),
            I::I32Eqz,
            I::If(B::Empty),
            I::I32Const(0),
            I::Return,
            I::End,
            I::LocalGet(0),
            I::Throw(1),
        ],
    )
}

#[test]
fn try_catch_and_catch_all() {
    let m = module(
        TAGS,
        &[
            throw_if(),
            f(
                "payload",
                &[I32],
                &[I32],
                vec![
                    I::Try(R32),
                    I::LocalGet(0),
                    I::Call(0),
                    I::Catch(1),
                    I::I32Const(100),
                    I::I32Add,
                    I::End,
                ],
            ),
            f(
                "all",
                &[I32],
                &[I32],
                vec![
                    I::Try(R32),
                    I::LocalGet(0),
                    I::I32Const(1),
                    I::I32Eq,
                    I::If(B::Empty),
                    I::Throw(0),
                    I::End,
                    I::LocalGet(0),
                    I::I32Const(2),
                    I::I32Eq,
                    I::If(B::Empty),
                    I::I32Const(7),
                    I::Throw(1),
                    I::End,
                    I::I32Const(1),
                    I::Catch(1),
                    I::Drop,
                    I::I32Const(2),
                    I::CatchAll,
                    I::I32Const(3),
                    I::End,
                ],
            ),
        ],
        &[],
    );
    assert_eq!(i32_of(&m, "payload", &[0]), 0);
    assert_eq!(i32_of(&m, "payload", &[5]), 105);
    assert_eq!(i32_of(&m, "all", &[0]), 1);
    assert_eq!(i32_of(&m, "all", &[1]), 3);
    assert_eq!(i32_of(&m, "all", &[2]), 2);
}

#[test]
fn payloads_of_several_values_and_vectors() {
    let m = module(
        TAGS,
        &[f(
            "multi",
            &[I32],
            &[I32, V::I64],
            vec![
                I::Try(B::FunctionType(5)),
                I::LocalGet(0),
                I::I64Const(-7),
                I::Throw(2),
                I::Catch(2),
                I::End,
            ],
        )],
        &[(&[], &[V::I32, V::I64])],
    );
    assert_eq!(run(&m, "multi", &[Val::I32(3)], 2).unwrap(), vec![Val::I32(3), Val::I64(-7)]);
    // `vector` needs a local.
    let mut funcs = vec![f("multi", &[I32], &[I32, V::I64], vec![I::Unreachable])];
    funcs.push(F {
        locals: vec![I32],
        ..f(
            "vector",
            &[],
            &[I32],
            vec![
                I::Try(R32),
                I::V128Const(0x0000_0004_0000_0003_0000_0002_0000_0001),
                I::I32Const(10),
                I::Throw(3),
                I::Catch(3),
                I::LocalSet(0),
                I::I32x4ExtractLane(2),
                I::LocalGet(0),
                I::I32Add,
                I::End,
            ],
        )
    });
    let m = module(TAGS, &funcs, &[]);
    assert_eq!(i32_of(&m, "vector", &[]), 13);
}

#[test]
fn rethrow() {
    let m = module(
        TAGS,
        &[
            f(
                "inner",
                &[I32],
                &[I32],
                vec![
                    I::Try(R32),
                    I::Try(R32),
                    I::LocalGet(0),
                    I::Throw(1),
                    I::Catch(1),
                    I::Drop,
                    I::Rethrow(0),
                    I::End,
                    I::Catch(1),
                    I::I32Const(1000),
                    I::I32Add,
                    I::End,
                ],
            ),
            // `rethrow 1` in a nested catch rethrows the outer clause's
            // exception, with its payload.
            f(
                "outer",
                &[I32],
                &[I32],
                vec![
                    I::Try(R32),
                    I::Try(R32),
                    I::LocalGet(0),
                    I::Throw(1),
                    I::Catch(1),
                    I::Drop,
                    I::Try(R32),
                    I::Throw(0),
                    I::Catch(0),
                    I::Rethrow(1),
                    I::End,
                    I::End,
                    I::Catch(1),
                    I::End,
                ],
            ),
            f(
                "from-catch-all",
                &[I32],
                &[I32],
                vec![
                    I::Try(R32),
                    I::Try(R32),
                    I::LocalGet(0),
                    I::Throw(1),
                    I::CatchAll,
                    I::Rethrow(0),
                    I::End,
                    I::Catch(1),
                    I::I32Const(1),
                    I::I32Add,
                    I::End,
                ],
            ),
        ],
        &[],
    );
    assert_eq!(i32_of(&m, "inner", &[4]), 1004);
    assert_eq!(i32_of(&m, "outer", &[12]), 12);
    assert_eq!(i32_of(&m, "from-catch-all", &[12]), 13);
}

/// `try (try (X) catch $e1 +10 end) catch $e1 +20 end` where X is `inner`.
fn nest(inner: Vec<I<'static>>) -> Vec<I<'static>> {
    let mut v = vec![I::Try(R32), I::Try(R32)];
    v.extend(inner);
    v.extend([I::Catch(1), I::I32Const(10), I::I32Add, I::End]);
    v.extend([I::Catch(1), I::I32Const(20), I::I32Add, I::End]);
    v
}

fn throw_delegating(depth: u32) -> Vec<I<'static>> {
    vec![I::Try(R32), I::LocalGet(0), I::Throw(1), I::Delegate(depth)]
}

#[test]
fn delegate() {
    let mut chain = vec![I::Try(R32), I::Try(R32), I::Try(R32)];
    chain.extend(throw_delegating(0));
    chain.extend([I::Delegate(1), I::Catch(1), I::Drop, I::I32Const(-1), I::End]);
    chain.extend([I::Catch(1), I::I32Const(50), I::I32Add, I::End]);
    let mut out_fn = vec![I::Try(R32), I::Try(R32), I::LocalGet(0), I::Throw(1), I::Delegate(1)];
    out_fn.extend([I::Catch(1), I::Drop, I::I32Const(-1), I::End]);
    let mut block = vec![I::Try(R32), I::Block(R32)];
    block.extend(throw_delegating(0));
    block.extend([I::End, I::Catch(1), I::I32Const(30), I::I32Add, I::End]);
    let m = module(
        TAGS,
        &[
            f("to-outer", &[I32], &[I32], nest(throw_delegating(1))),
            f("to-enclosing", &[I32], &[I32], nest(throw_delegating(0))),
            f("to-block", &[I32], &[I32], block),
            f("chain", &[I32], &[I32], chain),
            // Function 4: delegating to the function's label leaves it.
            f("", &[I32], &[I32], out_fn),
            f(
                "out",
                &[I32],
                &[I32],
                vec![
                    I::Try(R32),
                    I::LocalGet(0),
                    I::Call(4),
                    I::Catch(1),
                    I::I32Const(40),
                    I::I32Add,
                    I::End,
                ],
            ),
        ],
        &[],
    );
    assert_eq!(i32_of(&m, "to-outer", &[1]), 21);
    assert_eq!(i32_of(&m, "to-enclosing", &[1]), 11);
    assert_eq!(i32_of(&m, "to-block", &[1]), 31);
    assert_eq!(i32_of(&m, "chain", &[1]), 51);
    assert_eq!(i32_of(&m, "out", &[1]), 41);
}

#[test]
fn state_at_the_catch() {
    let m = module(
        TAGS,
        &[
            throw_if(),
            // Locals keep the values they had at the throw.
            F {
                locals: vec![I32],
                ..f(
                    "locals",
                    &[],
                    &[I32],
                    vec![
                        I::Try(R32),
                        I::I32Const(42),
                        I::LocalSet(0),
                        I::I32Const(1),
                        I::Call(0),
                        I::Catch(1),
                        I::Drop,
                        I::LocalGet(0),
                        I::End,
                    ],
                )
            },
            // Values below the try stay; an alias of a local below it is
            // the local's value before the try.
            f(
                "stack",
                &[I32],
                &[I32],
                vec![
                    I::I32Const(10),
                    I::LocalGet(0),
                    I::Try(R32),
                    I::I32Const(99),
                    I::LocalSet(0),
                    I::Throw(0),
                    I::Catch(0),
                    I::I32Const(1),
                    I::End,
                    I::I32Add,
                    I::I32Add,
                ],
            ),
            // The try's parameters.
            f(
                "params",
                &[I32],
                &[I32],
                vec![
                    I::LocalGet(0),
                    I::Try(B::FunctionType(6)),
                    I::Throw(1),
                    I::Catch(1),
                    I::I32Const(1),
                    I::I32Add,
                    I::End,
                ],
            ),
            // An exception thrown by a clause is not caught by its try.
            f(
                "throw-in-catch",
                &[],
                &[I32],
                vec![
                    I::Try(R32),
                    I::Try(R32),
                    I::Throw(0),
                    I::Catch(0),
                    I::I32Const(9),
                    I::Throw(1),
                    I::Catch(1),
                    I::Drop,
                    I::I32Const(0),
                    I::End,
                    I::Catch(1),
                    I::End,
                ],
            ),
            // A try without clauses lets everything through.
            f(
                "no-catch",
                &[],
                &[I32],
                vec![
                    I::Try(R32),
                    I::Try(R32),
                    I::I32Const(3),
                    I::Throw(1),
                    I::End,
                    I::Catch(1),
                    I::End,
                ],
            ),
        ],
        &[(&[I32], &[I32])],
    );
    assert_eq!(i32_of(&m, "locals", &[]), 42);
    assert_eq!(i32_of(&m, "stack", &[5]), 16);
    assert_eq!(i32_of(&m, "params", &[3]), 4);
    assert_eq!(i32_of(&m, "throw-in-catch", &[]), 9);
    assert_eq!(i32_of(&m, "no-catch", &[]), 3);
}

#[test]
fn unwinding_many_frames() {
    // Function 0: `$rec n`: n + ... throws $e1 77 at depth 0.
    let rec = f(
        "rec",
        &[I32],
        &[I32],
        vec![
            I::LocalGet(0),
            I::I32Eqz,
            I::If(R32),
            I::I32Const(77),
            I::Throw(1),
            I::Else,
            I::I32Const(1),
            I::LocalGet(0),
            I::I32Const(1),
            I::I32Sub,
            I::Call(0),
            I::I32Add,
            I::End,
        ],
    );
    let deep = f(
        "deep",
        &[I32],
        &[I32],
        vec![I::Try(R32), I::LocalGet(0), I::Call(0), I::Catch(1), I::End],
    );
    let twice = f(
        "twice",
        &[I32],
        &[I32],
        vec![
            I::LocalGet(0),
            I::Call(1),
            I::I32Const(3),
            I::Call(1),
            I::I32Add,
            I::LocalGet(0),
            I::Call(1),
            I::I32Add,
        ],
    );
    let m = module(TAGS, &[rec, deep, twice], &[]);
    assert_eq!(i32_of(&m, "deep", &[10_000]), 77);
    assert_eq!(i32_of(&m, "twice", &[500]), 231);
    // Uncaught, the exception reaches the host.
    let e = run(&m, "rec", &[Val::I32(100)], 1).unwrap_err();
    assert!(e.root_cause().is::<ThrownException>(), "{e:?}");
    // With the frames it went through, as wasmtime reports it.
    let bt = e.downcast_ref::<WasmBacktrace>().expect("a backtrace");
    assert_eq!(bt.frames().len(), 101, "{bt}");
    assert!(bt.frames().iter().all(|f| f.func_index() == 0));
}

#[test]
fn legacy_and_final_instructions_together() {
    let m = module(
        TAGS,
        &[
            f(
                "legacy-in-try-table",
                &[],
                &[I32],
                vec![
                    I::Block(R32),
                    I::TryTable(
                        B::Empty,
                        vec![wasm_encoder::Catch::One { tag: 1, label: 0 }].into(),
                    ),
                    I::Try(B::Empty),
                    I::I32Const(5),
                    I::Throw(1),
                    I::CatchAll,
                    I::Rethrow(0),
                    I::End,
                    I::End,
                    I::I32Const(0),
                    I::End,
                ],
            ),
            f(
                "try-table-in-legacy",
                &[],
                &[I32],
                vec![
                    I::Try(R32),
                    I::Block(B::Result(V::EXNREF)),
                    I::TryTable(B::Empty, vec![wasm_encoder::Catch::AllRef { label: 0 }].into()),
                    I::I32Const(6),
                    I::Throw(1),
                    I::End,
                    I::Unreachable,
                    I::End,
                    I::ThrowRef,
                    I::Catch(1),
                    I::End,
                ],
            ),
        ],
        &[],
    );
    assert_eq!(i32_of(&m, "legacy-in-try-table", &[]), 5);
    assert_eq!(i32_of(&m, "try-table-in-legacy", &[]), 6);
}

#[test]
fn many_exceptions_are_collected() {
    // Each iteration throws, catches with a kept reference (`catch_all` of
    // a legacy try), rethrows and catches again: 200,000 objects that only
    // the collector reclaims, so the count of live ones stays bounded.
    let body = vec![
        I::Loop(B::Empty),
        I::LocalGet(1),
        I::Try(R32),
        I::Try(R32),
        I::LocalGet(0),
        I::Throw(1),
        I::CatchAll,
        I::Rethrow(0),
        I::End,
        I::Catch(1),
        I::I32Const(1),
        I::I32And,
        I::End,
        I::I32Add,
        I::LocalSet(1),
        I::LocalGet(0),
        I::I32Const(1),
        I::I32Sub,
        I::LocalTee(0),
        I::BrIf(0),
        I::End,
        I::LocalGet(1),
    ];
    let m = module(TAGS, &[F { locals: vec![I32], ..f("loop", &[I32], &[I32], body) }], &[]);
    assert_eq!(i32_of(&m, "loop", &[200_000]), 100_000);
    let engine = engines().remove(0).0;
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &Module::new(&engine, &m).unwrap(), &[]).unwrap();
    let f = inst.get_typed_func::<i32, i32>(&mut store, "loop").unwrap();
    assert_eq!(f.call(&mut store, 200_000).unwrap(), 100_000);
    let live = store.live_exception_objects();
    assert!(live < 4096, "{live} exception objects alive after the loop");
    // Exceptions caught without a kept reference are freed at once.
    let wat = r#"
        (module
          (tag $t (param i32))
          (func (export "f") (param i32) (result i32)
            (block $h (result i32)
              (try_table (catch $t $h) (throw $t (local.get 0)))
              (unreachable))))
    "#;
    let inst = Instance::new(&mut store, &Module::new(&engine, wat).unwrap(), &[]).unwrap();
    let f = inst.get_typed_func::<i32, i32>(&mut store, "f").unwrap();
    for i in 0..1000 {
        assert_eq!(f.call(&mut store, i).unwrap(), i);
    }
    assert_eq!(store.live_exception_objects(), live);
}

#[test]
fn unreachable_legacy_code() {
    let m = module(
        TAGS,
        &[f(
            "dead",
            &[],
            &[I32],
            vec![
                I::Block(R32),
                I::I32Const(8),
                I::Br(0),
                I::Try(B::Empty),
                I::Throw(0),
                I::Catch(0),
                I::CatchAll,
                I::End,
                I::Try(B::Empty),
                I::Delegate(0),
                I::I32Const(0),
                I::End,
            ],
        )],
        &[],
    );
    assert_eq!(i32_of(&m, "dead", &[]), 8);
}

#[test]
fn legacy_instructions_are_off_by_default_as_in_wasmtime() {
    let m = module(TAGS, &[f("t", &[], &[], vec![I::Try(B::Empty), I::End])], &[]);
    let e = Module::new(&Engine::default(), &m).unwrap_err();
    assert!(format!("{e:#}").contains("legacy"), "{e:#}");
    let mut c = Config::new();
    c.wasm_legacy_exceptions(true);
    assert!(Module::new(&Engine::new(&c).unwrap(), &m).is_ok());
    c.wasm_exceptions(false);
    assert!(Module::new(&Engine::new(&c).unwrap(), &m).is_err());
}

// ---- tags across modules and the host -----------------------------------

const THROWER: &str = r#"
    (module
      (tag $t (export "t") (param i32))
      (func (export "throw") (param i32) (throw $t (local.get 0))))
"#;

const CATCHER: &str = r#"
    (module
      (tag $t (import "m" "t") (param i32))
      (tag $other (param i32))
      (func $throw (import "m" "throw") (param i32))
      (func (export "same") (param i32) (result i32)
        (block $other_h (result i32)
          (block $t_h (result i32)
            (try_table (catch $other $other_h) (catch $t $t_h) (call $throw (local.get 0)))
            (return (i32.const 0)))
          (return))
        (drop)
        (i32.const -1))
      (func (export "other") (param i32) (result i32)
        (block $h (result i32)
          (try_table (catch $other $h) (call $throw (local.get 0)))
          (i32.const 0))))
"#;

#[test]
fn tags_are_matched_by_identity() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let thrower = Instance::new(&mut store, &Module::new(&engine, THROWER).unwrap(), &[]).unwrap();
    let mut linker = Linker::new(&engine);
    linker.instance(&mut store, "m", thrower).unwrap();
    let catcher = linker.instantiate(&mut store, &Module::new(&engine, CATCHER).unwrap()).unwrap();
    let same = catcher.get_typed_func::<i32, i32>(&mut store, "same").unwrap();
    assert_eq!(same.call(&mut store, 17).unwrap(), 17);
    let other = catcher.get_typed_func::<i32, i32>(&mut store, "other").unwrap();
    let e = other.call(&mut store, 18).unwrap_err();
    assert!(e.root_cause().is::<ThrownException>(), "{e:?}");
    let exn = store.take_pending_exception().expect("pending");
    assert!(!store.has_pending_exception());
    let tag = thrower.get_export(&mut store, "t").unwrap().into_tag().unwrap();
    assert_eq!(exn.tag(&store).unwrap(), tag);
    assert_eq!(exn.fields(&store).unwrap(), vec![Val::I32(18)]);
    // A tag import of another type does not link.
    let bad = Module::new(&engine, r#"(module (tag (import "m" "t") (param i64)))"#).unwrap();
    let e = linker.instantiate(&mut store, &bad).unwrap_err();
    assert!(format!("{e:#}").contains("incompatible import type"), "{e:#}");
}

#[test]
fn host_functions_throw_and_wasm_catches() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let tag = Tag::new(&mut store, &TagType::new(FuncType::new([ValType::I32, ValType::I64], [])))
        .unwrap();
    assert_eq!(tag.ty(&store).ty().params(), &[ValType::I32, ValType::I64]);
    let mut linker = Linker::<()>::new(&engine);
    linker.define(&mut store, "host", "tag", tag).unwrap();
    let host_tag = tag;
    linker
        .func_wrap("host", "fail", move |mut caller: Caller<'_, ()>, x: i32| -> Result<i32> {
            if x < 0 {
                let exn = ExnRef::new(&mut caller, &host_tag, &[Val::I32(x), Val::I64(-1)])?;
                return Ok(caller.throw(exn)?);
            }
            Ok(x * 2)
        })
        .unwrap();
    let wat = r#"
        (module
          (tag $t (import "host" "tag") (param i32 i64))
          (func $fail (import "host" "fail") (param i32) (result i32))
          (func (export "call") (param i32) (result i32)
            (block $h (result i32 i64)
              (try_table (catch $t $h) (return (call $fail (local.get 0))))
              (unreachable))
            (drop))
          (func (export "uncaught") (param i32) (result i32) (call $fail (local.get 0)))
          (func (export "throw") (throw $t (i32.const 5) (i64.const 6))))
    "#;
    let inst = linker.instantiate(&mut store, &Module::new(&engine, wat).unwrap()).unwrap();
    let call = inst.get_typed_func::<i32, i32>(&mut store, "call").unwrap();
    assert_eq!(call.call(&mut store, 21).unwrap(), 42);
    assert_eq!(call.call(&mut store, -3).unwrap(), -3);
    let uncaught = inst.get_typed_func::<i32, i32>(&mut store, "uncaught").unwrap();
    let e = uncaught.call(&mut store, -4).unwrap_err();
    assert!(e.root_cause().is::<ThrownException>(), "{e:?}");
    let exn = store.take_pending_exception().unwrap();
    assert_eq!(exn.fields(&store).unwrap(), vec![Val::I32(-4), Val::I64(-1)]);
    assert_eq!(exn.field(&store, 1).unwrap(), Val::I64(-1));
    // Thrown by wasm, seen by the host.
    let throw = inst.get_typed_func::<(), ()>(&mut store, "throw").unwrap();
    assert!(throw.call(&mut store, ()).unwrap_err().root_cause().is::<ThrownException>());
    let exn = store.take_pending_exception().unwrap();
    assert_eq!(exn.tag(&store).unwrap(), tag);
    assert_eq!(exn.fields(&store).unwrap(), vec![Val::I32(5), Val::I64(6)]);
    // Wrong field types are refused.
    assert!(ExnRef::new(&mut store, &tag, &[Val::I32(1)]).is_err());
    assert!(ExnRef::new(&mut store, &tag, &[Val::I64(1), Val::I64(1)]).is_err());
}

#[test]
fn exceptions_cross_nested_host_calls() {
    // wasm `outer` catches what wasm `inner` throws through a host
    // function that calls `inner` and propagates its error.
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::<()>::new(&engine);
    linker
        .func_wrap("host", "reenter", |mut caller: Caller<'_, ()>, x: i32| -> Result<i32> {
            let inner = caller.get_export("inner").unwrap().into_func().unwrap();
            let mut out = [Val::I32(0)];
            inner.call(&mut caller, &[Val::I32(x)], &mut out)?;
            Ok(out[0].unwrap_i32())
        })
        .unwrap();
    let wat = r#"
        (module
          (func $reenter (import "host" "reenter") (param i32) (result i32))
          (tag $t (param i32))
          (func (export "inner") (param i32) (result i32)
            (if (local.get 0) (then (throw $t (local.get 0))))
            (i32.const 100))
          (func (export "outer") (param i32) (result i32)
            (block $h (result i32)
              (try_table (catch $t $h) (return (call $reenter (local.get 0))))
              (unreachable))
            (i32.const 1000)
            (i32.add)))
    "#;
    let inst = linker.instantiate(&mut store, &Module::new(&engine, wat).unwrap()).unwrap();
    let outer = inst.get_typed_func::<i32, i32>(&mut store, "outer").unwrap();
    assert_eq!(outer.call(&mut store, 0).unwrap(), 100);
    assert_eq!(outer.call(&mut store, 7).unwrap(), 1007);
    assert!(!store.has_pending_exception());
}

#[test]
fn exnref_values_through_the_api() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let wat = r#"
        (module
          (tag $t (export "t") (param i32))
          (global $g (export "g") (mut exnref) (ref.null exn))
          (func (export "catch") (param i32) (result exnref)
            (block $h (result exnref)
              (try_table (catch_all_ref $h) (throw $t (local.get 0)))
              (unreachable)))
          (func (export "rethrow") (param exnref) (result i32)
            (block $h (result i32)
              (try_table (catch $t $h) (throw_ref (local.get 0)))
              (unreachable))))
    "#;
    let inst = Instance::new(&mut store, &Module::new(&engine, wat).unwrap(), &[]).unwrap();
    let catch = inst.get_func(&mut store, "catch").unwrap();
    let mut out = [Val::ExnRef(None)];
    catch.call(&mut store, &[Val::I32(9)], &mut out).unwrap();
    let Val::ExnRef(Some(exn)) = out[0] else { panic!("{out:?}") };
    assert_eq!(exn.fields(&store).unwrap(), vec![Val::I32(9)]);
    let rethrow = inst.get_func(&mut store, "rethrow").unwrap();
    let mut r = [Val::I32(0)];
    rethrow.call(&mut store, &out, &mut r).unwrap();
    assert_eq!(r[0], Val::I32(9));
    // A null reference traps.
    let e = rethrow.call(&mut store, &[Val::ExnRef(None)], &mut r).unwrap_err();
    assert_eq!(e.downcast_ref::<Trap>(), Some(&Trap::NullReference), "{e:?}");
    let g = inst.get_global(&mut store, "g").unwrap();
    g.set(&mut store, out[0]).unwrap();
    assert_eq!(g.get(&mut store), out[0]);
    // Many more exceptions later, the one the host holds is still alive.
    for i in 0..5000 {
        catch.call(&mut store, &[Val::I32(i)], &mut [Val::ExnRef(None)]).unwrap();
    }
    assert_eq!(exn.fields(&store).unwrap(), vec![Val::I32(9)]);
}
