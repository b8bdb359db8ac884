//! The component API against a Rust guest (`p2_values`, built with
//! `wit-bindgen` for `wasm32-wasip2`): every kind of value through the
//! typed API and the dynamic (`Val`) API, resources defined by the guest
//! and by the host, and link-time checks.

use wazi::component::{
    Component, ComponentExportIndex, Instance, Linker, Resource, ResourceAny, ResourceTable,
    ResourceType, TypedFunc, Val,
};
use wazi::{Engine, Store, Trap};
use wazi_wasi::{WasiCtx, WasiCtxBuilder};

wazi::component_record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Point { pub x: i32, pub y: i32 }
}

wazi::component_record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Big {
        pub a: u64,
        pub b: u64,
        pub c: u64,
        pub name: String,
        pub items: Vec<u32>,
        pub ratio: Option<f64>,
    }
}

wazi::component_variant! {
    #[derive(Clone, Debug, PartialEq)]
    pub enum Shape { Circle(f64), Rect(Point), Named(String), Empty }
}

wazi::component_enum! {
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Color { Red, Green, Blue }
}

wazi::component_flags! {
    pub struct Perms { read, write, exec }
}

/// A host resource: bytes.
struct Blob(Vec<u8>);

struct Host {
    wasi: WasiCtx,
    blobs: ResourceTable,
    logs: Vec<String>,
    blobs_dropped: u32,
}

const IFACE: &str = "wazi:test/values@0.1.0";

fn linker(engine: &Engine) -> Linker<Host> {
    linker_with(engine, true)
}

fn linker_with(engine: &Engine, wasi: bool) -> Linker<Host> {
    let mut linker = Linker::new(engine);
    if wasi {
        wazi_wasi::p2::add_to_linker(&mut linker, |h: &mut Host| &mut h.wasi).unwrap();
    }
    let mut host = linker.instance("wazi:test/host@0.1.0").unwrap();
    host.func_wrap("log", |mut s, (msg,): (String,)| {
        s.data_mut().logs.push(msg);
        Ok(())
    })
    .unwrap();
    host.func_wrap("add", |_, (a, b): (u32, u32)| Ok((a + b,))).unwrap();
    host.resource("blob", ResourceType::host::<Blob>(), |mut s, rep| {
        let h = s.data_mut();
        h.blobs.delete(Resource::<Blob>::new_own(rep))?;
        h.blobs_dropped += 1;
        Ok(())
    })
    .unwrap();
    host.func_wrap("[constructor]blob", |mut s, (data,): (Vec<u8>,)| {
        Ok((s.data_mut().blobs.push(Blob(data))?,))
    })
    .unwrap();
    host.func_wrap("[method]blob.size", |s, (b,): (Resource<Blob>,)| {
        assert!(!b.owned(), "a method's self is borrowed");
        Ok((s.data().blobs.get(&b)?.0.len() as u32,))
    })
    .unwrap();
    host.func_wrap("[method]blob.read", |s, (b,): (Resource<Blob>,)| {
        Ok((s.data().blobs.get(&b)?.0.clone(),))
    })
    .unwrap();
    linker
}

struct Guest {
    store: Store<Host>,
    instance: Instance,
    iface: ComponentExportIndex,
}

impl Guest {
    fn new() -> Guest {
        let engine = Engine::default();
        let component = Component::from_file(&engine, test_programs_artifacts::P2_VALUES).unwrap();
        let host = Host {
            wasi: WasiCtxBuilder::new().build(),
            blobs: ResourceTable::new(),
            logs: Vec::new(),
            blobs_dropped: 0,
        };
        let mut store = Store::new(&engine, host);
        let instance = linker(&engine).instantiate(&mut store, &component).unwrap();
        let iface = instance.get_export_index(&mut store, None, IFACE).unwrap();
        Guest { store, instance, iface }
    }

    fn typed<P, R>(&mut self, name: &str) -> TypedFunc<P, R>
    where
        P: wazi::component::ComponentNamedList + wazi::component::Lower,
        R: wazi::component::ComponentNamedList + wazi::component::Lift,
    {
        let idx = self.instance.get_export_index(&mut self.store, Some(&self.iface), name).unwrap();
        self.instance.get_typed_func::<P, R>(&mut self.store, &idx).unwrap()
    }

    fn call<P, R>(&mut self, name: &str, params: P) -> R
    where
        P: wazi::component::ComponentNamedList + wazi::component::Lower,
        R: wazi::component::ComponentNamedList + wazi::component::Lift,
    {
        self.typed::<P, R>(name).call(&mut self.store, params).unwrap()
    }

    fn dynamic(&mut self, name: &str, params: &[Val]) -> wazi::Result<Vec<Val>> {
        let idx = self.instance.get_export_index(&mut self.store, Some(&self.iface), name).unwrap();
        let func = self.instance.get_func(&mut self.store, &idx).unwrap();
        let mut results = vec![Val::Bool(false); func.results(&self.store).len()];
        func.call(&mut self.store, params, &mut results)?;
        Ok(results)
    }
}

macro_rules! echo {
    ($g:ident, $name:literal, $t:ty, $($v:expr),+) => {$(
        let v: $t = $v;
        let (r,): ($t,) = $g.call($name, (v.clone(),));
        assert_eq!(r, v, "{} of {:?}", $name, v);
    )+};
}

#[test]
fn typed_scalars_with_extreme_values() {
    let mut g = Guest::new();
    echo!(g, "echo-bool", bool, true, false);
    echo!(g, "echo-s8", i8, i8::MIN, -1, 0, i8::MAX);
    echo!(g, "echo-u8", u8, 0, 128, u8::MAX);
    echo!(g, "echo-s16", i16, i16::MIN, i16::MAX);
    echo!(g, "echo-u16", u16, 0, u16::MAX);
    echo!(g, "echo-s32", i32, i32::MIN, -7, i32::MAX);
    echo!(g, "echo-u32", u32, 0, u32::MAX);
    echo!(g, "echo-s64", i64, i64::MIN, i64::MAX);
    echo!(g, "echo-u64", u64, 0, u64::MAX);
    echo!(g, "echo-f32", f32, 0.0, f32::MAX, f32::MIN_POSITIVE, f32::INFINITY, f32::NEG_INFINITY);
    echo!(g, "echo-f64", f64, -0.0, f64::MAX, f64::EPSILON, f64::NEG_INFINITY);
    echo!(g, "echo-char", char, 'a', '\0', 'é', '☃', '😀', '\u{10FFFF}', '\u{D7FF}', '\u{E000}');
    let (z,): (f32,) = g.call("echo-f32", (-0.0f32,));
    assert_eq!(z.to_bits(), (-0.0f32).to_bits());
}

#[test]
fn nans_are_canonicalized_when_lifted() {
    let mut g = Guest::new();
    let (nan,): (f32,) = g.call("odd-nan", ());
    assert_eq!(nan.to_bits(), 0x7fc0_0000, "the guest's 0x7fc01234 becomes the canonical NaN");
    let (nan,): (f64,) = g.call("echo-f64", (f64::from_bits(0xfff8_0000_0000_0001),));
    assert_eq!(nan.to_bits(), 0x7ff8_0000_0000_0000);
}

#[test]
fn strings_and_lists() {
    let mut g = Guest::new();
    echo!(g, "echo-string", String, String::new(), "hello".into(), "héllo ☃ 😀".into());
    // 100 KiB strings, both directions.
    let big = "é☃😀x".repeat(10 * 1024);
    assert!(big.len() >= 100 * 1024);
    echo!(g, "echo-string", String, big.clone());
    let (n,): (u32,) = g.call("string-len", (big.clone(),));
    assert_eq!(n as usize, big.chars().count());
    let (s,): (String,) = g.call("repeat", ('é', 51_200u32));
    assert_eq!(s.len(), 102_400);
    assert!(s.chars().all(|c| c == 'é'));
    echo!(g, "echo-bytes", Vec<u8>, vec![], (0..=255).collect(), vec![7; 64 * 1024]);
    echo!(
        g,
        "echo-strings",
        Vec<String>,
        vec![],
        vec!["".into(), "a".into(), "ü😀".into(), "x".repeat(5000)]
    );
}

#[test]
fn records_variants_enums_flags_options_results() {
    let mut g = Guest::new();
    echo!(g, "echo-point", Point, Point { x: i32::MIN, y: i32::MAX });
    // `big` flattens to more than one value: it is returned through memory.
    echo!(
        g,
        "echo-big",
        Big,
        Big {
            a: 1, b: u64::MAX, c: 3, name: "bïg".into(), items: vec![1, 2, 3], ratio: Some(0.5)
        },
        Big { a: 0, b: 0, c: 0, name: String::new(), items: vec![], ratio: None }
    );
    echo!(g, "echo-tuple", (u8, String, f32), (255, "tü".into(), 1.5));
    echo!(
        g,
        "echo-shape",
        Shape,
        Shape::Circle(2.5),
        Shape::Rect(Point { x: -1, y: 2 }),
        Shape::Named("blob".into()),
        Shape::Empty
    );
    echo!(g, "echo-color", Color, Color::Red, Color::Green, Color::Blue);
    echo!(
        g,
        "echo-perms",
        Perms,
        Perms::default(),
        Perms { read: true, write: false, exec: true },
        Perms { read: true, write: true, exec: true }
    );
    echo!(g, "echo-option", Option<String>, None, Some(String::new()), Some("x".into()));
    echo!(g, "echo-result", Result<u32, String>, Ok(0), Ok(u32::MAX), Err("nope".into()));
    type Nested = Vec<Option<Result<Point, Color>>>;
    echo!(
        g,
        "echo-nested",
        Nested,
        vec![],
        vec![None, Some(Ok(Point { x: 1, y: 2 })), Some(Err(Color::Blue)), None]
    );
}

#[test]
fn more_than_sixteen_parameters() {
    let mut g = Guest::new();
    type P = (u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u64);
    let f = g.typed::<P, (u64,)>("sum17");
    let (sum,) = f
        .call(&mut g.store, (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, u32::MAX, 1 << 40))
        .unwrap();
    assert_eq!(sum, 120 + u32::MAX as u64 + (1 << 40));
}

#[test]
fn dynamic_api() {
    let mut g = Guest::new();
    let r = g.dynamic("echo-u64", &[Val::U64(u64::MAX)]).unwrap();
    assert_eq!(r, vec![Val::U64(u64::MAX)]);
    let big = Val::Record(vec![
        ("a".into(), Val::U64(1)),
        ("b".into(), Val::U64(2)),
        ("c".into(), Val::U64(3)),
        ("name".into(), Val::String("naïve".into())),
        ("items".into(), Val::List(vec![Val::U32(9), Val::U32(8)])),
        ("ratio".into(), Val::Option(Some(Box::new(Val::Float64(0.25))))),
    ]);
    assert_eq!(g.dynamic("echo-big", std::slice::from_ref(&big)).unwrap(), vec![big]);
    let shape = Val::Variant(
        "rect".into(),
        Some(Box::new(Val::Record(vec![("x".into(), Val::S32(-5)), ("y".into(), Val::S32(6))]))),
    );
    assert_eq!(g.dynamic("echo-shape", std::slice::from_ref(&shape)).unwrap(), vec![shape]);
    let flags = Val::Flags(vec!["read".into(), "exec".into()]);
    assert_eq!(g.dynamic("echo-perms", std::slice::from_ref(&flags)).unwrap(), vec![flags]);
    let args: Vec<Val> = (1..=16).map(Val::U32).chain([Val::U64(100)]).collect();
    assert_eq!(g.dynamic("sum17", &args).unwrap(), vec![Val::U64(136 + 100)]);
    let nested = Val::List(vec![
        Val::Option(None),
        Val::Option(Some(Box::new(Val::Result(Err(Some(Box::new(Val::Enum("green".into())))))))),
    ]);
    assert_eq!(g.dynamic("echo-nested", std::slice::from_ref(&nested)).unwrap(), vec![nested]);
    // Values of the wrong type are refused before anything runs.
    let e = g.dynamic("echo-u64", &[Val::String("x".into())]).unwrap_err();
    assert!(format!("{e:#}").contains("type mismatch"), "{e:#}");
    let e = g.dynamic("echo-color", &[Val::Enum("purple".into())]).unwrap_err();
    assert!(format!("{e:#}").contains("purple"), "{e:#}");
    let e = g.dynamic("echo-u64", &[]).unwrap_err();
    assert!(format!("{e:#}").contains("argument"), "{e:#}");
}

#[test]
fn typed_func_checks_the_signature() {
    let mut g = Guest::new();
    let idx = g.instance.get_export_index(&mut g.store, Some(&g.iface), "echo-string").unwrap();
    let e = g.instance.get_typed_func::<(u32,), (u32,)>(&mut g.store, &idx).err().unwrap();
    assert!(format!("{e:#}").contains("expected `u32`, found `string`"), "{e:#}");
    let idx = g.instance.get_export_index(&mut g.store, Some(&g.iface), "echo-point").unwrap();
    assert!(g.instance.get_typed_func::<(Big,), (Big,)>(&mut g.store, &idx).is_err());
}

#[test]
fn guest_resources() {
    let mut g = Guest::new();
    let (a,): (ResourceAny,) = g.call("[constructor]counter", (5u32,));
    let (b,): (ResourceAny,) = g.call("[constructor]counter", (10u32,));
    assert!(a.owned());
    let (live,): (u32,) = g.call("live-counters", ());
    assert_eq!(live, 2);
    // Methods borrow: the host passes its owned handle as a borrow.
    let (v,): (u32,) = g.call("[method]counter.inc", (a, 3u32));
    assert_eq!(v, 8);
    let (c,): (ResourceAny,) = g.call("[static]counter.merge", (a, b));
    let (v,): (u32,) = g.call("[method]counter.get", (c,));
    assert_eq!(v, 18);
    // `take` consumes its argument: the guest drops it.
    let (v,): (u32,) = g.call("[static]counter.take", (c,));
    assert_eq!(v, 18);
    let (live,): (u32,) = g.call("live-counters", ());
    assert_eq!(live, 2);
    // The host drops its own handles: the guest's destructor runs.
    a.resource_drop(&mut g.store).unwrap();
    let (live,): (u32,) = g.call("live-counters", ());
    assert_eq!(live, 1);
    b.resource_drop(&mut g.store).unwrap();
    let (live,): (u32,) = g.call("live-counters", ());
    assert_eq!(live, 0);
    // A handle already given away is not the host's any more; the mistake
    // is the host's, so the instance stays usable.
    let f = g.typed::<(ResourceAny,), (u32,)>("[method]counter.get");
    let e = f.call(&mut g.store, (c,)).unwrap_err();
    assert!(format!("{e:#}").contains("unknown handle index"), "{e:#}");
    let e = g.dynamic("[method]counter.get", &[Val::Resource(c)]).unwrap_err();
    assert!(format!("{e:#}").contains("unknown handle index"), "{e:#}");
    let (live,): (u32,) = g.call("live-counters", ());
    assert_eq!(live, 0);
}

#[test]
fn host_functions_and_host_resources() {
    let mut g = Guest::new();
    let user =
        g.instance.get_export_index(&mut g.store, None, "wazi:test/host-user@0.1.0").unwrap();
    let idx = g.instance.get_export_index(&mut g.store, Some(&user), "use-host").unwrap();
    let use_host = g.instance.get_typed_func::<(&str,), (u32,)>(&mut g.store, &idx).unwrap();
    let (n,) = use_host.call(&mut g.store, ("wazi",)).unwrap();
    assert_eq!(n, 1004);
    assert_eq!(g.store.data().logs, vec!["hello, wazi".to_string()]);
    // The guest dropped its blob: the host's destructor removed it.
    assert_eq!(g.store.data().blobs_dropped, 1);
    assert!(g.store.data().blobs.is_empty());
}

#[test]
fn link_errors_name_the_import() {
    let engine = Engine::default();
    let component = Component::from_file(&engine, test_programs_artifacts::P2_VALUES).unwrap();
    let new_store = |engine: &Engine| {
        let host = Host {
            wasi: WasiCtxBuilder::new().build(),
            blobs: ResourceTable::new(),
            logs: Vec::new(),
            blobs_dropped: 0,
        };
        Store::new(engine, host)
    };
    // No host interface at all.
    let mut linker: Linker<Host> = Linker::new(&engine);
    wazi_wasi::p2::add_to_linker(&mut linker, |h: &mut Host| &mut h.wasi).unwrap();
    let e = linker.instantiate(new_store(&engine), &component).err().unwrap();
    let msg = format!("{e:#}");
    assert!(msg.contains("`wazi:test/host@0.1.0`"), "{msg}");
    assert!(msg.contains("matching implementation was not found"), "{msg}");
    // A host function of the wrong type.
    let mut linker = linker_with_bad_add(&engine);
    let e = linker.instantiate(new_store(&engine), &component).err().unwrap();
    let msg = format!("{e:#}");
    assert!(msg.contains("instance export `add` has the wrong type"), "{msg}");
    linker.allow_shadowing(true);
    // No WASI: a WASI import is named.
    let linker = linker_with(&engine, false);
    let e = linker.instantiate(new_store(&engine), &component).err().unwrap();
    let msg = format!("{e:#}");
    assert!(msg.contains("component imports instance `wasi:"), "{msg}");
}

fn linker_with_bad_add(engine: &Engine) -> Linker<Host> {
    let mut linker = linker(engine);
    linker.allow_shadowing(true);
    linker
        .instance("wazi:test/host@0.1.0")
        .unwrap()
        .func_wrap("add", |_, (a,): (String,)| Ok((a.len() as u32,)))
        .unwrap();
    linker
}

#[test]
fn traps_poison_the_instance() {
    let engine = Engine::default();
    let component = Component::new(
        &engine,
        r#"(component
            (core module $m (func (export "boom") unreachable) (func (export "ok")))
            (core instance $i (instantiate $m))
            (func (export "boom") (canon lift (core func $i "boom")))
            (func (export "ok") (canon lift (core func $i "ok"))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &component).unwrap();
    let ok = instance.get_typed_func::<(), ()>(&mut store, "ok").unwrap();
    ok.call(&mut store, ()).unwrap();
    let boom = instance.get_typed_func::<(), ()>(&mut store, "boom").unwrap();
    let e = boom.call(&mut store, ()).unwrap_err();
    assert_eq!(e.downcast_ref::<Trap>(), Some(&Trap::UnreachableCodeReached));
    let e = ok.call(&mut store, ()).unwrap_err();
    assert_eq!(e.downcast_ref::<Trap>(), Some(&Trap::CannotEnterComponent));
}

/// A host counter, for the type-import test.
struct Counter(i32);

#[test]
fn type_imports_with_eq_bounds_and_sub_resource_link() {
    // What toolchains emit for a world's own types: a record imported with
    // an `eq` bound (nothing to supply), a `sub resource` the host defines,
    // and an `eq` alias of that resource (the same type, not a new one).
    let wat = r#"(component
      (type $p0 (record (field "x" s32) (field "y" s32)))
      (import "point" (type $point (eq $p0)))
      (import "counter" (type $c (sub resource)))
      (import "counter-again" (type $c2 (eq $c)))
      (import "new-counter" (func $new (param "start" s32) (result (own $c))))
      (import "value" (func $value (param "c" (borrow $c2)) (result s32)))
      (core func $new_l (canon lower (func $new)))
      (core func $value_l (canon lower (func $value)))
      (core func $drop (canon resource.drop $c))
      (core module $m
        (import "h" "new" (func $new (param i32) (result i32)))
        (import "h" "value" (func $value (param i32) (result i32)))
        (import "h" "drop" (func $drop (param i32)))
        (func (export "sum") (param i32 i32) (result i32)
          (local $h i32)
          (local.set $h (call $new (i32.add (local.get 0) (local.get 1))))
          (call $value (local.get $h))
          (call $drop (local.get $h))))
      (core instance $i (instantiate $m (with "h" (instance
        (export "new" (func $new_l))
        (export "value" (func $value_l))
        (export "drop" (func $drop))))))
      (func (export "sum") (param "p" $point) (result s32)
        (canon lift (core func $i "sum"))))"#;
    let engine = Engine::default();
    let component = Component::new(&engine, wat).unwrap();
    let mut linker: Linker<ResourceTable> = Linker::new(&engine);
    let mut root = linker.root();
    root.resource("counter", ResourceType::host::<Counter>(), |mut s, rep| {
        s.data_mut().delete(Resource::<Counter>::new_own(rep))?;
        Ok(())
    })
    .unwrap();
    root.func_wrap("new-counter", |mut s, (start,): (i32,)| {
        Ok((s.data_mut().push(Counter(start * 10))?,))
    })
    .unwrap();
    root.func_wrap("value", |s, (c,): (Resource<Counter>,)| Ok((s.data().get(&c)?.0,))).unwrap();
    let mut store = Store::new(&engine, ResourceTable::new());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let func = instance.get_func(&mut store, "sum").unwrap();
    let point = Val::Record(vec![("x".into(), Val::S32(3)), ("y".into(), Val::S32(4))]);
    let mut results = [Val::Bool(false)];
    func.call(&mut store, &[point], &mut results).unwrap();
    assert_eq!(results[0], Val::S32(70));
    // The guest dropped the counter: the host's destructor removed it.
    assert!(store.data().is_empty());
}
