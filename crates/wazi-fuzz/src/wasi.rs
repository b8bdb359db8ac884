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
    let sandbox = Sandbox::new()?;
    let engine = wazi::Engine::default();
    let component = wazi::component::Component::new(&engine, &component)
        .map_err(|e| format!("wazi refused the adapted component: {e:#}"))?;
    let mut store = wazi::Store::new(&engine, sandbox.ctx()?);
    let mut linker = wazi::component::Linker::new(&engine);
    wazi_wasi::p2::add_to_linker(&mut linker, |c| c).map_err(|e| e.to_string())?;
    // Traps, exits and errors the guest causes are fine; panics and
    // escapes are not.
    let _ = wazi_wasi::p2::run(&mut store, &linker, &component);
    drop(store);
    sandbox.check()
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
                Ok(m) if m.is_file() => out.push((rel, std::fs::read(&path).unwrap_or_default())),
                _ => out.push((rel, Vec::new())),
            }
        }
    }
    out.sort();
    out
}
