//! The WASI targets: a sequence of WASI 0.1 calls with arguments from the
//! input, in a fresh sandbox (a preopened `sandbox` directory beside a
//! canary file), run by the WASI 0.1 host (`wasi-p1`) or adapted by
//! wasmtime's preview1 adapter into a component run by the WASI 0.2 host
//! (`wasi-p2`, where every call becomes `wasi:filesystem`, `wasi:cli`,
//! `wasi:io`, `wasi:sockets`, ... calls). Nothing may panic, and nothing
//! outside the sandbox may change.

use crate::Outcome;
use arbitrary::Unstructured;

/// WASI 0.1 functions and their parameters (`i`: i32, `I`: i64, `P`: a
/// path's pointer and length, two i32s, mostly one of [`PATHS`]), all but
/// `poll_oneoff` (whose timers may sleep as long as the input says) and
/// `fd_sync`/`fd_datasync` (a disk flush each: a few runs a second).
const WASI_P1: &[(&str, &str)] = &[
    ("args_get", "ii"),
    ("args_sizes_get", "ii"),
    ("environ_get", "ii"),
    ("environ_sizes_get", "ii"),
    ("clock_res_get", "ii"),
    ("clock_time_get", "iIi"),
    ("fd_advise", "iIIi"),
    ("fd_allocate", "iII"),
    ("fd_close", "i"),
    ("fd_fdstat_get", "ii"),
    ("fd_fdstat_set_flags", "ii"),
    ("fd_fdstat_set_rights", "iII"),
    ("fd_filestat_get", "ii"),
    ("fd_filestat_set_size", "iI"),
    ("fd_filestat_set_times", "iIIi"),
    ("fd_pread", "iiiIi"),
    ("fd_prestat_get", "ii"),
    ("fd_prestat_dir_name", "iii"),
    ("fd_pwrite", "iiiIi"),
    ("fd_read", "iiii"),
    ("fd_readdir", "iiiIi"),
    ("fd_renumber", "ii"),
    ("fd_seek", "iIii"),
    ("fd_tell", "ii"),
    ("fd_write", "iiii"),
    ("path_create_directory", "iP"),
    ("path_filestat_get", "iiPi"),
    ("path_filestat_set_times", "iiPIIi"),
    ("path_link", "iiPiP"),
    ("path_open", "iiPiIIii"),
    ("path_readlink", "iPiii"),
    ("path_remove_directory", "iP"),
    ("path_rename", "iPiP"),
    ("path_symlink", "PiP"),
    ("path_unlink_file", "iP"),
    ("proc_raise", "i"),
    ("sched_yield", ""),
    ("random_get", "ii"),
    ("sock_accept", "iii"),
    ("sock_recv", "iiiiii"),
    ("sock_send", "iiiii"),
    ("sock_shutdown", "ii"),
];

/// Paths the guest's arguments often point at (at [`PATHS_AT`] in its
/// memory, 32 bytes apart): inside names, escapes, absolute paths.
const PATHS: &[&str] = &[
    "a",
    "sub",
    "sub/b",
    "..",
    "../canary",
    "sub/../../canary",
    "/canary",
    "link",
    "sub/..",
    ".",
    "a/",
    "link/x",
    "",
    "sub/link",
    "../sandbox/a",
    "//",
];
const PATHS_AT: u32 = 4096;

/// The core module of calls the input describes (a command: `_start`).
fn calls_module(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut u = Unstructured::new(data);
    let mut imports = String::new();
    let mut body = String::new();
    let calls = u.int_in_range(1..=12u32).map_err(|e| e.to_string())?;
    for k in 0..calls {
        let (name, params) = WASI_P1[u.choose_index(WASI_P1.len()).map_err(|e| e.to_string())?];
        let sig: String = params
            .chars()
            .map(|c| match c {
                'I' => " i64",
                'P' => " i32 i32",
                _ => " i32",
            })
            .collect();
        imports.push_str(&format!(
            "(import \"wasi_snapshot_preview1\" \"{name}\" (func $f{k} (param{sig}) (result i32)))\n"
        ));
        body.push_str(&format!("(drop (call $f{k}"));
        for c in params.chars() {
            // A path: mostly one of the paths with its length.
            if c == 'P' && u.int_in_range(0..=3u8).unwrap_or(0) != 0 {
                let i = u.choose_index(PATHS.len()).unwrap_or(0);
                let at = PATHS_AT + 32 * i as u32;
                body.push_str(&format!(" (i32.const {at}) (i32.const {})", PATHS[i].len()));
                continue;
            }
            // Half the time, what most calls need to get anywhere (an
            // argument a call rejects ends the run: it traps).
            let v: u64 = match u.int_in_range(0..=7u8).unwrap_or(0) {
                // No flags or one, the preopen (3) or the first descriptor
                // opened (4).
                0..=3 => [0, 1, 3, 4][u.choose_index(4).unwrap_or(0)],
                // Small numbers: descriptors, flags, lengths.
                4 => u.int_in_range(0..=8u64).unwrap_or(0),
                // One of the paths, or its length.
                5 => {
                    let i = u.choose_index(PATHS.len()).unwrap_or(0);
                    if u.arbitrary().unwrap_or(false) {
                        PATHS[i].len() as u64
                    } else {
                        (PATHS_AT + 32 * i as u32) as u64
                    }
                }
                // Somewhere in memory.
                6 => u.int_in_range(0..=65535u64).unwrap_or(0),
                _ => u.arbitrary().unwrap_or(0),
            };
            if c == 'I' {
                body.push_str(&format!(" (i64.const {})", v as i64));
            } else if c == 'P' {
                let len = u.int_in_range(0..=40u32).unwrap_or(0);
                body.push_str(&format!(" (i32.const {}) (i32.const {len})", v as u32 as i32));
            } else {
                body.push_str(&format!(" (i32.const {})", v as u32 as i32));
            }
        }
        body.push_str("))\n");
    }
    let mut memory = vec![0u8; 4096];
    u.fill_buffer(&mut memory).map_err(|e| e.to_string())?;
    let escaped = |bytes: &[u8]| bytes.iter().map(|b| format!("\\{b:02x}")).collect::<String>();
    let mut paths = String::new();
    for (i, p) in PATHS.iter().enumerate() {
        paths.push_str(&format!(
            "(data (i32.const {}) \"{}\")\n",
            PATHS_AT + 32 * i as u32,
            escaped(p.as_bytes())
        ));
    }
    let wat = format!(
        "(module {imports} (memory (export \"memory\") 1)\n(data (i32.const 0) \"{}\")\n{paths}\
         (func (export \"_start\") {body}))",
        escaped(&memory)
    );
    let wasm = wat::parse_str(&wat).map_err(|e| format!("the target made bad text: {e}"))?;
    Ok(wasm)
}

/// A fresh sandbox directory beside a canary, and the tree as it was.
struct Sandbox {
    root: tempfile::TempDir,
    before: Vec<(String, Vec<u8>)>,
}

impl Sandbox {
    fn new() -> Result<Sandbox, String> {
        let root = tempfile::tempdir().map_err(|e| e.to_string())?;
        let sandbox = root.path().join("sandbox");
        std::fs::create_dir_all(sandbox.join("sub")).map_err(|e| e.to_string())?;
        std::fs::write(sandbox.join("a"), b"inside").map_err(|e| e.to_string())?;
        std::fs::write(root.path().join("canary"), b"canary").map_err(|e| e.to_string())?;
        let before = tree(root.path());
        Ok(Sandbox { root, before })
    }

    /// The WASI context the guest runs in: the sandbox preopened.
    fn ctx(&self) -> Result<wazi_wasi::WasiCtx, String> {
        let mut builder = wazi_wasi::WasiCtxBuilder::new();
        builder.arg("fuzz").env("K", "V");
        builder
            .preopened_dir(
                self.root.path().join("sandbox"),
                "sandbox",
                wazi_wasi::DirPerms::ReadWrite,
            )
            .map_err(|e| e.to_string())?;
        Ok(builder.build())
    }

    /// Whether anything outside the sandbox changed.
    fn check(&self) -> Result<Outcome, String> {
        let after = tree(self.root.path());
        let outside = |t: &[(String, Vec<u8>)]| -> Vec<(String, Vec<u8>)> {
            t.iter().filter(|(p, _)| !p.starts_with("sandbox")).cloned().collect()
        };
        if outside(&self.before) != outside(&after) {
            return Err(format!("something outside the sandbox changed: {:?}", outside(&after)));
        }
        Ok(Outcome::Agreed)
    }
}

/// The calls through the WASI 0.1 host.
pub fn wasi_p1(data: &[u8]) -> Result<Outcome, String> {
    let wasm = calls_module(data)?;
    let sandbox = Sandbox::new()?;
    let engine = wazi::Engine::default();
    let module = wazi::Module::new(&engine, &wasm).map_err(|e| format!("{e:#}"))?;
    let mut store = wazi::Store::new(&engine, sandbox.ctx()?);
    let mut linker = wazi::Linker::new(&engine);
    wazi_wasi::p1::add_to_linker(&mut linker, |c| c).map_err(|e| e.to_string())?;
    let instance = linker.instantiate(&mut store, &module).map_err(|e| format!("{e:#}"))?;
    let start = instance.get_func(&store, "_start").ok_or("no _start")?;
    // Traps (bad pointers, proc_raise) are fine; panics and escapes are not.
    let _ = start.call(&mut store, &[], &mut []);
    drop(store);
    sandbox.check()
}

/// The calls adapted to WASI 0.2 (wasmtime 48's command adapter, as
/// `wasm-tools component new --adapt` applies it) through the WASI 0.2 host.
pub fn wasi_p2(data: &[u8]) -> Result<Outcome, String> {
    use wasi_preview1_component_adapter_provider as provider;
    let wasm = calls_module(data)?;
    let component = wit_component::ComponentEncoder::default()
        .module(&wasm)
        .and_then(|e| {
            e.adapter(
                provider::WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
                provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
            )
        })
        .and_then(|e| e.encode())
        .map_err(|e| format!("the adapter refused the module: {e:#}"))?;
    // Traps, exits and errors the guest causes are fine; panics and
    // escapes are not.
    run_in_sandbox(&component).map(|_| Outcome::Agreed)
}

/// Runs WASI 0.2 command `wasm` through the WASI 0.2 host in a fresh
/// sandbox: how its `run` ended, if nothing outside the sandbox changed.
fn run_in_sandbox(wasm: &[u8]) -> Result<anyhow::Result<Result<(), ()>>, String> {
    let sandbox = Sandbox::new()?;
    let engine = wazi::Engine::default();
    let component = wazi::component::Component::new(&engine, wasm)
        .map_err(|e| format!("wazi refused the component: {e:#}"))?;
    let mut store = wazi::Store::new(&engine, sandbox.ctx()?);
    let mut linker = wazi::component::Linker::new(&engine);
    wazi_wasi::p2::add_to_linker(&mut linker, |c| c).map_err(|e| e.to_string())?;
    let ended = wazi_wasi::p2::run(&mut store, &linker, &component);
    drop(store);
    sandbox.check()?;
    Ok(ended)
}

/// Every path under `root` (symlinks not followed) with its contents.
fn tree(root: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => {
                    stack.push(path);
                    out.push((rel, Vec::new()));
                }
                // What is outside the sandbox, read whole; inside, a file
                // may be sparse and as large as the file system allows.
                Ok(m) if m.is_file() && !rel.starts_with("sandbox") => {
                    out.push((rel, std::fs::read(&path).unwrap_or_default()))
                }
                _ => out.push((rel, Vec::new())),
            }
        }
    }
    out.sort();
    out
}

/// Where a call leaves a handle it returns, in its 64-byte result area:
/// at an offset, or in the first element of a list whose pointer is at an
/// offset.
#[derive(Clone, Copy)]
enum HandleAt {
    At(u32),
    InList { ptr: u32, offset: u32 },
}

/// A core import of the `wasi-p2-calls` world, as wit-component names it
/// and the canonical ABI lowers it, with what its parameters and results
/// hold.
struct CoreImport {
    module: String,
    name: String,
    params: Vec<&'static str>,
    results: Vec<&'static str>,
    /// For each core parameter, the resource it is a handle of.
    handles_in: Vec<Option<wit_parser::TypeId>>,
    /// Whether the last parameter is where the results go.
    retptr: bool,
    /// The handles the call returns and where they end up.
    handles_out: Vec<(HandleAt, wit_parser::TypeId)>,
}

/// The `wasi:cli/command` world (every WASI 0.2 interface but
/// `wasi:http`, whose outgoing handler would reach the network) from the
/// WIT the host is generated from, and its core imports, found once.
struct P2World {
    resolve: wit_parser::Resolve,
    world: wit_parser::WorldId,
    imports: Vec<CoreImport>,
}

/// Imports a call never makes: they wait for as long as the input says
/// (`poll`, `block` on a clock's pollable) or flush the disk (a few runs a
/// second, as `fd_sync` in `wasi-p1`).
const P2_SKIPPED: &[&str] =
    &["poll", "[method]pollable.block", "[method]descriptor.sync", "[method]descriptor.sync-data"];

/// The resource a type names, through aliases.
fn resource_of(resolve: &wit_parser::Resolve, mut id: wit_parser::TypeId) -> wit_parser::TypeId {
    while let wit_parser::TypeDefKind::Type(wit_parser::Type::Id(next)) = resolve.types[id].kind {
        id = next;
    }
    id
}

/// Appends, for each core value `ty` flattens to, the resource it is a
/// handle of (handles inside variants count as plain values).
fn flat_handles(
    resolve: &wit_parser::Resolve,
    ty: &wit_parser::Type,
    out: &mut Vec<Option<wit_parser::TypeId>>,
) {
    use wit_parser::{Type, TypeDefKind as K};
    let Type::Id(id) = ty else {
        out.push(None);
        if *ty == Type::String {
            out.push(None);
        }
        return;
    };
    let cases = |out: &mut Vec<Option<wit_parser::TypeId>>, tys: &[Option<&Type>]| {
        let mut widest = 0;
        for t in tys.iter().flatten() {
            let mut v = Vec::new();
            flat_handles(resolve, t, &mut v);
            widest = widest.max(v.len());
        }
        out.extend(std::iter::repeat_n(None, 1 + widest));
    };
    match &resolve.types[*id].kind {
        K::Handle(wit_parser::Handle::Own(r) | wit_parser::Handle::Borrow(r)) => {
            out.push(Some(resource_of(resolve, *r)))
        }
        K::Record(r) => r.fields.iter().for_each(|f| flat_handles(resolve, &f.ty, out)),
        K::Tuple(t) => t.types.iter().for_each(|t| flat_handles(resolve, t, out)),
        K::Flags(f) => out.extend(std::iter::repeat_n(None, f.flags.len().div_ceil(32))),
        K::Option(t) => cases(out, &[Some(t)]),
        K::Result(r) => cases(out, &[r.ok.as_ref(), r.err.as_ref()]),
        K::Variant(v) => cases(out, &v.cases.iter().map(|c| c.ty.as_ref()).collect::<Vec<_>>()),
        K::List(_) | K::Map(..) => out.extend([None, None]),
        K::Type(t) => flat_handles(resolve, t, out),
        _ => out.push(None),
    }
}

/// The handles a value of type `ty` stored at `base` holds at fixed
/// places (a list's first element included).
fn stored_handles(
    resolve: &wit_parser::Resolve,
    sizes: &wit_parser::SizeAlign,
    ty: &wit_parser::Type,
    base: u32,
    in_list: Option<u32>,
    out: &mut Vec<(HandleAt, wit_parser::TypeId)>,
) {
    use wit_parser::{Int, Type, TypeDefKind as K};
    let Type::Id(id) = ty else { return };
    let mut fields = |tys: Vec<&Type>| {
        for (off, t) in sizes.field_offsets(tys) {
            stored_handles(resolve, sizes, t, base + off.size_wasm32() as u32, in_list, out);
        }
    };
    match &resolve.types[*id].kind {
        K::Handle(wit_parser::Handle::Own(r) | wit_parser::Handle::Borrow(r)) => {
            let at = match in_list {
                None => HandleAt::At(base),
                Some(ptr) => HandleAt::InList { ptr, offset: base },
            };
            out.push((at, resource_of(resolve, *r)));
        }
        K::Record(r) => fields(r.fields.iter().map(|f| &f.ty).collect()),
        K::Tuple(t) => fields(t.types.iter().collect()),
        K::Option(t) => {
            let off = sizes.payload_offset(Int::U8, [Some(t)]).size_wasm32() as u32;
            stored_handles(resolve, sizes, t, base + off, in_list, out);
        }
        K::Result(r) => {
            if let Some(ok) = &r.ok {
                let cases = [r.ok.as_ref(), r.err.as_ref()];
                let off = sizes.payload_offset(Int::U8, cases).size_wasm32() as u32;
                stored_handles(resolve, sizes, ok, base + off, in_list, out);
            }
        }
        K::List(t) if in_list.is_none() => stored_handles(resolve, sizes, t, 0, Some(base), out),
        K::Type(t) => stored_handles(resolve, sizes, t, base, in_list, out),
        _ => {}
    }
}

fn p2_world() -> &'static P2World {
    static WORLD: std::sync::OnceLock<P2World> = std::sync::OnceLock::new();
    WORLD.get_or_init(|| {
        use wit_parser::abi::{AbiVariant, WasmType};
        let mut resolve = wit_parser::Resolve::default();
        let wit = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wazi-wasi/wit/0.2");
        resolve.push_dir(&wit).expect("the vendored WASI 0.2 WIT parses");
        let pkg = resolve
            .push_str(
                "calls.wit",
                "package wazi:fuzz; world calls { include wasi:cli/command@0.2.12; }",
            )
            .expect("the fuzz world resolves");
        let world = resolve.select_world(&[pkg], Some("calls")).expect("the fuzz world");
        let mut sizes = wit_parser::SizeAlign::default();
        sizes.fill(&resolve).expect("sizes");
        let core = |t: &WasmType| match t {
            WasmType::I64 | WasmType::PointerOrI64 => "i64",
            WasmType::F32 => "f32",
            WasmType::F64 => "f64",
            _ => "i32",
        };
        let mut imports = Vec::new();
        for (key, item) in &resolve.worlds[world].imports {
            let wit_parser::WorldItem::Interface { id, .. } = item else { continue };
            let module = resolve.name_world_key(key);
            let iface = &resolve.interfaces[*id];
            for (name, ty) in &iface.types {
                if matches!(resolve.types[*ty].kind, wit_parser::TypeDefKind::Resource) {
                    imports.push(CoreImport {
                        module: module.clone(),
                        name: format!("[resource-drop]{name}"),
                        params: vec!["i32"],
                        results: vec![],
                        handles_in: vec![Some(*ty)],
                        retptr: false,
                        handles_out: vec![],
                    });
                }
            }
            for func in iface.functions.values() {
                if P2_SKIPPED.contains(&func.name.as_str()) {
                    continue;
                }
                let sig = resolve.wasm_signature(AbiVariant::GuestImport, func);
                let mut handles_in = Vec::new();
                for p in &func.params {
                    flat_handles(&resolve, &p.ty, &mut handles_in);
                }
                if sig.indirect_params {
                    handles_in = vec![None];
                }
                handles_in.resize(sig.params.len(), None);
                let mut handles_out = Vec::new();
                if let Some(result) = &func.result {
                    stored_handles(&resolve, &sizes, result, 0, None, &mut handles_out);
                }
                imports.push(CoreImport {
                    module: module.clone(),
                    name: func.name.clone(),
                    params: sig.params.iter().map(core).collect(),
                    results: sig.results.iter().map(core).collect(),
                    handles_in,
                    retptr: sig.retptr,
                    handles_out,
                });
            }
        }
        assert!(imports.len() > 100, "only {} WASI 0.2 imports found", imports.len());
        P2World { resolve, world, imports }
    })
}

/// Where call `k`'s results go (a direct `i32` result too), 64 bytes
/// each.
const RESULTS_AT: u32 = 8192;
/// Where `cabi_realloc` starts handing out memory (up to the end of the
/// guest's four pages).
const HEAP_AT: u32 = 16384;

/// A component in the `wasi:cli/command` world whose `run` makes up to
/// sixteen calls to any WASI 0.2 import, lowered as a guest's would be,
/// with arguments from the input: handles that are mostly ones earlier
/// calls returned of the right resource (loaded from where those calls
/// left them), sometimes of another resource, dropped or made up;
/// pointers and lengths that are often one of [`PATHS`], and anything
/// else.
fn p2_calls_component(data: &[u8]) -> Result<Vec<u8>, String> {
    let world = p2_world();
    let mut u = Unstructured::new(data);
    let e = |e: arbitrary::Error| e.to_string();
    let calls = u.int_in_range(1..=16u32).map_err(e)?;
    let mut used = std::collections::BTreeSet::new();
    // The handles earlier calls returned: the call, where, what resource.
    let mut returned: Vec<(u32, HandleAt, wit_parser::TypeId)> = Vec::new();
    let mut body = String::new();
    for k in 0..calls {
        let area = RESULTS_AT + 64 * k;
        // Mostly a call whose handles an earlier call returned.
        let mut i = u.choose_index(world.imports.len()).map_err(e)?;
        for _ in 0..32 {
            let has = |r: &wit_parser::TypeId| returned.iter().any(|(_, _, t)| t == r);
            // An exit ends the calls: mostly not before the last.
            let ends = world.imports[i].module.starts_with("wasi:cli/exit") && k + 1 < calls;
            if (world.imports[i].handles_in.iter().flatten().all(has) && !ends)
                || u.int_in_range(0..=63u8).map_err(e)? == 0
            {
                break;
            }
            i = u.choose_index(world.imports.len()).map_err(e)?;
        }
        let import = &world.imports[i];
        used.insert(i);
        body.push_str(&format!("(call $f{i}"));
        let mut p = 0;
        while p < import.params.len() {
            let ty = import.params[p];
            let handle = import.handles_in[p];
            p += 1;
            if p == import.params.len()
                && import.retptr
                && u.int_in_range(0..=15u8).map_err(e)? != 0
            {
                body.push_str(&format!(" (i32.const {area})"));
                continue;
            }
            if ty != "i32" {
                // Durations, offsets, lengths, timestamps, floats.
                let v: u64 = match u.int_in_range(0..=3u8).map_err(e)? {
                    0 => 0,
                    1 => u.int_in_range(0..=4096u64).map_err(e)?,
                    _ => u.arbitrary().map_err(e)?,
                };
                body.push_str(&match ty {
                    "i64" => format!(" (i64.const {})", v as i64),
                    "f32" => format!(" (f32.const {})", v as u32 as f32),
                    _ => format!(" (f64.const {})", v as f64),
                });
                continue;
            }
            let load = |(call, at, _): &(u32, HandleAt, wit_parser::TypeId)| {
                let base = RESULTS_AT + 64 * call;
                match at {
                    HandleAt::At(off) => format!("(i32.load (i32.const {}))", base + off),
                    HandleAt::InList { ptr, offset } => {
                        format!("(i32.load offset={offset} (i32.load (i32.const {})))", base + ptr)
                    }
                }
            };
            let of_kind: Vec<_> = returned.iter().filter(|h| Some(h.2) == handle).collect();
            let arg = match u.int_in_range(0..=9u8).map_err(e)? {
                // A handle of the resource the parameter takes.
                0..=6 if !of_kind.is_empty() => {
                    load(of_kind[u.choose_index(of_kind.len()).map_err(e)?])
                }
                // Any handle returned.
                0..=6 if handle.is_some() && !returned.is_empty() => {
                    load(&returned[u.choose_index(returned.len()).map_err(e)?])
                }
                // One of the paths and, if another i32 follows, its length.
                0..=6 if handle.is_none() && u.int_in_range(0..=2u8).map_err(e)? == 0 => {
                    let n = u.choose_index(PATHS.len()).map_err(e)?;
                    let at = PATHS_AT + 32 * n as u32;
                    if import.params.get(p) == Some(&"i32") && import.handles_in[p].is_none() {
                        p += 1;
                        format!("(i32.const {at}) (i32.const {})", PATHS[n].len())
                    } else {
                        format!("(i32.const {at})")
                    }
                }
                // A handle, a case, flags or a length.
                0..=7 => format!("(i32.const {})", u.int_in_range(0..=8u32).map_err(e)?),
                // Somewhere in memory, or anything.
                8 => format!("(i32.const {})", u.int_in_range(0..=65535u32).map_err(e)?),
                _ => format!("(i32.const {})", u.arbitrary::<i32>().map_err(e)?),
            };
            body.push(' ');
            body.push_str(&arg);
        }
        body.push_str(")\n");
        // A direct result is kept in the call's area (a handle, mostly),
        // others are dropped.
        match import.results.first() {
            Some(&"i32") => body.push_str(&format!(
                "(local.set $r) (i32.store (i32.const {area}) (local.get $r))\n"
            )),
            Some(_) => body.push_str("drop\n"),
            None => {}
        }
        returned.extend(import.handles_out.iter().map(|&(at, r)| (k, at, r)));
    }
    let mut imports = String::new();
    for &i in &used {
        let CoreImport { module, name, params, results, .. } = &world.imports[i];
        let list = |tys: &[&str]| -> String { tys.iter().map(|t| format!(" {t}")).collect() };
        imports.push_str(&format!(
            "(import \"{module}\" \"{name}\" (func $f{i} (param{}) (result{})))\n",
            list(params),
            list(results)
        ));
    }
    let mut memory = vec![0u8; 4096];
    u.fill_buffer(&mut memory).map_err(e)?;
    let escaped = |bytes: &[u8]| bytes.iter().map(|b| format!("\\{b:02x}")).collect::<String>();
    let mut paths = String::new();
    for (i, p) in PATHS.iter().enumerate() {
        let at = PATHS_AT + 32 * i as u32;
        paths.push_str(&format!("(data (i32.const {at}) \"{}\")\n", escaped(p.as_bytes())));
    }
    // A bump allocator over the memory from HEAP_AT; past the end, a trap.
    let wat = format!(
        "(module {imports}
         (memory (export \"memory\") 4)
         (global $heap (mut i32) (i32.const {HEAP_AT}))
         (data (i32.const 0) \"{}\")
         {paths}
         (func (export \"cabi_realloc\") (param i32 i32 i32 i32) (result i32)
           (local $at i32)
           (local.set $at (i32.and
             (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
             (i32.sub (i32.const 0) (local.get 2))))
           (if (i64.gt_u (i64.add (i64.extend_i32_u (local.get $at)) (i64.extend_i32_u (local.get 3)))
                         (i64.const 262144))
             (then unreachable))
           (global.set $heap (i32.add (local.get $at) (local.get 3)))
           (local.get $at))
         (func (export \"wasi:cli/run@0.2.12#run\") (result i32)
           (local $r i32)
           {body}
           (i32.const 0)))",
        escaped(&memory)
    );
    let mut wasm = wat::parse_str(&wat).map_err(|e| format!("the target made bad text: {e}"))?;
    wit_component::embed_component_metadata(
        &mut wasm,
        &world.resolve,
        world.world,
        wit_component::StringEncoding::UTF8,
        false,
    )
    .map_err(|e| format!("{e:#}"))?;
    wit_component::ComponentEncoder::default()
        .module(&wasm)
        .and_then(|e| e.encode())
        .map_err(|e| format!("wit-component refused the calls: {e:#}"))
}

/// WASI 0.2 calls straight from a guest, with arguments the preview1
/// adapter would never pass: no panic, nothing outside the sandbox
/// changes.
pub fn wasi_p2_calls(data: &[u8]) -> Result<Outcome, String> {
    p2_calls_ended(data).map(|_| Outcome::Agreed)
}

/// How the calls ended (`returned`, `exit`, or the error without its
/// numbers), or how wazi misbehaved.
fn p2_calls_ended(data: &[u8]) -> Result<String, String> {
    let wasm = p2_calls_component(data)?;
    // Traps (bad handles, pointers, lengths), exits and errors are fine.
    Ok(match run_in_sandbox(&wasm)? {
        Ok(Ok(())) => "returned".to_string(),
        Ok(Err(())) => "exit".to_string(),
        Err(e) => {
            let e = format!("{e:#}");
            let last = e.rsplit(':').next().unwrap_or("").trim();
            last.chars().filter(|c| !c.is_ascii_digit()).collect()
        }
    })
}

#[cfg(test)]
mod reach {
    /// The calls get past the first one: over many inputs they end in
    /// many different ways (the traps for each kind of misuse, exits,
    /// returns), not mostly the same early trap.
    #[test]
    fn p2_calls_reach_many_outcomes() {
        let mut rng = crate::Rng(11);
        let mut outcomes = std::collections::BTreeMap::<String, u32>::new();
        for _ in 0..400 {
            let ended = super::p2_calls_ended(&rng.input()).unwrap();
            *outcomes.entry(ended).or_default() += 1;
        }
        assert!(outcomes.get("returned").copied().unwrap_or(0) >= 40, "{outcomes:?}");
        assert!(outcomes.len() >= 10, "only {} outcomes: {outcomes:?}", outcomes.len());
        let most = outcomes.values().max().copied().unwrap_or(0);
        assert!(most < 160, "one outcome dominates: {outcomes:?}");
    }
}
