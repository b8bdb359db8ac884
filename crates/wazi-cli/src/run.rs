//! `wazi run`: runs a WebAssembly program, with the options of `wasmtime
//! run`.

use crate::options::{WasiOptions, WasmOptions};
use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use wazi::component::{self, Component};
use wazi::{Config, Engine, Func, Linker, Module, Store, StoreLimits, Trap, Val, ValType};
use wazi_wasi::{DirPerms, I32Exit, WasiCtx, WasiCtxBuilder};

/// Runs a WebAssembly module
#[derive(Args)]
#[command(after_long_help = crate::options::help_text())]
pub struct RunCommand {
    /// Grant access of a host directory to a guest.
    ///
    /// If specified as just `HOST_DIR` then the same directory name on the
    /// host is made available within the guest. If specified as
    /// `HOST::GUEST` then the `HOST` directory is opened and made available
    /// as the name `GUEST` in the guest. `HOST::GUEST::ro` makes it
    /// read-only: the guest can read files and metadata but create, change
    /// or remove nothing.
    #[arg(long = "dir", value_name = "HOST_DIR[::GUEST_DIR[::ro]]")]
    dirs: Vec<String>,

    /// Pass an environment variable to the program.
    ///
    /// The `--env FOO=BAR` form sets the variable `FOO` to `BAR` for the
    /// guest; `--env FOO` passes the host's value of `FOO` (or nothing if
    /// it is unset).
    #[arg(long = "env", value_name = "NAME[=VAL]")]
    envs: Vec<String>,

    /// The function to run.
    ///
    /// The export name of a function; its arguments are parsed from the
    /// arguments after the module, by the function's parameter types, and
    /// its results are printed one per line.
    #[arg(long, value_name = "FUNCTION")]
    invoke: Option<String>,

    /// Override the value of `argv[0]` (by default the file name of the
    /// module, without its directory).
    #[arg(long, value_name = "ARGV0")]
    argv0: Option<String>,

    /// Options for configuring semantic execution of WebAssembly, `-W help`
    /// to see all.
    #[arg(short = 'W', long = "wasm", value_name = "KEY[=VAL[,..]]")]
    wasm: Vec<String>,

    /// Options for configuring WASI, `-S help` to see all.
    #[arg(short = 'S', long = "wasi", value_name = "KEY[=VAL[,..]]")]
    wasi: Vec<String>,

    /// The WebAssembly module to run and arguments to pass to it.
    ///
    /// The arguments are the program's WASI arguments, unless `--invoke` is
    /// given: then they are the function's arguments.
    #[arg(trailing_var_arg = true, value_name = "WASM")]
    module_and_args: Vec<OsString>,
}

/// The store's data: WASI state and resource limits.
pub(crate) struct Host {
    wasi: WasiCtx,
    limits: StoreLimits,
}

impl RunCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let wasm = WasmOptions::parse(&self.wasm)?;
        let wasi = WasiOptions::parse(&self.wasi)?;
        if self.module_and_args.is_empty() {
            eprintln!(
                "error: the following required arguments were not provided:\n  <WASM>...\n\n\
                 Usage: wazi run [OPTIONS] <WASM>...\n\nFor more information, try '--help'."
            );
            std::process::exit(2);
        }
        let path = PathBuf::from(&self.module_and_args[0]);
        let mut config = Config::new();
        wasm.configure(&mut config)?;
        let engine = Engine::new(&config)?;
        let bytes = std::fs::read(&path).with_context(|| {
            format!("failed to open wasm module {:?}", path.display().to_string())
        })?;
        let binary = if bytes.starts_with(b"\0asm") {
            bytes
        } else {
            wat::parse_bytes(&bytes)
                .map_err(|mut e| {
                    e.set_path(&path);
                    anyhow!(e)
                })?
                .into_owned()
        };
        if wazi::component::is_component(&binary) {
            return self.run_component(&engine, &binary, &wasm, &wasi);
        }
        let module = Module::from_binary(&engine, &binary)
            .with_context(|| format!("failed to compile `{}`", path.display()))?;

        let wasi_ctx = self.wasi_ctx(&wasi)?;
        let mut store = Store::new(&engine, Host { wasi: wasi_ctx, limits: wasm.limits() });
        store.limiter(|h| &mut h.limits);
        if let Some(fuel) = wasi.hostcall_fuel {
            store.set_hostcall_fuel(fuel);
        }
        if let Some(fuel) = wasm.fuel {
            store.set_fuel(fuel)?;
        }
        if let Some(timeout) = wasm.timeout {
            store.set_epoch_deadline(1);
            start_timer(&engine, timeout);
        }
        let mut linker: Linker<Host> = Linker::new(&engine);
        if wasi.http {
            bail!("Cannot enable wasi-http for core wasm modules");
        }
        let cli = wasi.cli.unwrap_or(true);
        if cli {
            wazi_wasi::p1::add_to_linker(&mut linker, |h: &mut Host| &mut h.wasi)?;
        }
        if wasm.unknown_imports_trap {
            linker.define_unknown_imports_as_traps(&module)?;
        }
        if wasm.unknown_imports_default {
            linker.define_unknown_imports_as_default_values(&module)?;
        }

        let result = self.run_module(&mut store, &linker, &module);
        self.finish(result, cli)
    }

    /// The exit status of a run: the guest's own (`proc_exit`,
    /// `wasi:cli/exit`), 134 after a trap (as an abort), or the error.
    fn finish(&self, result: Result<()>, cli: bool) -> Result<ExitCode> {
        let result = result.with_context(|| {
            format!("failed to run main module `{}`", self.module_and_args[0].to_string_lossy())
        });
        match result {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(e) => {
                if cli && let Some(exit) = e.downcast_ref::<I32Exit>() {
                    std::process::exit(exit.0);
                }
                if e.downcast_ref::<Trap>().is_some() {
                    eprint!("{}", crate::error_report(&e));
                    // What an abort looks like on Unix: 128 + SIGABRT.
                    std::process::exit(134);
                }
                Err(e)
            }
        }
    }

    fn run_component(
        &self,
        engine: &Engine,
        binary: &[u8],
        wasm: &WasmOptions,
        wasi: &WasiOptions,
    ) -> Result<ExitCode> {
        let path = Path::new(&self.module_and_args[0]);
        let component = Component::from_binary(engine, binary)
            .with_context(|| format!("failed to compile `{}`", path.display()))?;
        let wasi_ctx = self.wasi_ctx(wasi)?;
        let mut store = Store::new(engine, Host { wasi: wasi_ctx, limits: wasm.limits() });
        store.limiter(|h| &mut h.limits);
        if let Some(fuel) = wasi.hostcall_fuel {
            store.set_hostcall_fuel(fuel);
        }
        if let Some(fuel) = wasm.fuel {
            store.set_fuel(fuel)?;
        }
        if let Some(timeout) = wasm.timeout {
            store.set_epoch_deadline(1);
            start_timer(engine, timeout);
        }
        let mut linker: component::Linker<Host> = component::Linker::new(engine);
        let cli = wasi.cli.unwrap_or(true);
        if cli {
            wazi_wasi::p2::check_supported(&component).map_err(|e| anyhow!("wazi: {e}"))?;
            wazi_wasi::p2::add_to_linker(&mut linker, |h: &mut Host| &mut h.wasi)?;
            if wasi.p3.unwrap_or(true) {
                wazi_wasi::p3::check_supported(&component).map_err(|e| anyhow!("wazi: {e}"))?;
                wazi_wasi::p3::add_to_linker(&mut linker, |h: &mut Host| &mut h.wasi)?;
            }
        }
        if wasi.http {
            wazi_wasi::p2::add_http_to_linker(&mut linker, |h: &mut Host| &mut h.wasi)?;
            if wasi.p3.unwrap_or(true) {
                wazi_wasi::p3::add_http_to_linker(&mut linker, |h: &mut Host| &mut h.wasi)?;
            }
        }
        if wasi.config {
            wazi_wasi::p2::add_config_to_linker(&mut linker, |h: &mut Host| &mut h.wasi)?;
        }
        if wasi.keyvalue {
            wazi_wasi::p2::add_keyvalue_to_linker(&mut linker, |h: &mut Host| &mut h.wasi)?;
        }
        if wasm.unknown_imports_trap {
            linker.define_unknown_imports_as_traps(&component)?;
        }
        if wasm.unknown_imports_default {
            bail!("cannot use `--default-values-unknown-imports` with components");
        }
        let result = match &self.invoke {
            Some(call) => crate::invoke::invoke_component(&mut store, &linker, &component, call),
            None => run_command_component(&mut store, &linker, &component),
        };
        self.finish(result, cli)
    }

    fn run_module(
        &self,
        store: &mut Store<Host>,
        linker: &Linker<Host>,
        module: &Module,
    ) -> Result<()> {
        let instance = linker
            .instantiate(&mut *store, module)
            .with_context(|| format!("failed to instantiate {:?}", self.module_and_args[0]))?;
        // A reactor is initialised first.
        if let Some(init) = instance.get_func(&mut *store, "_initialize") {
            init.typed::<(), ()>(&*store)?.call(&mut *store, ())?;
        }
        let func = match &self.invoke {
            Some(name) => Some(
                instance
                    .get_func(&mut *store, name)
                    .ok_or_else(|| anyhow!("no func export named `{name}` found"))?,
            ),
            None => instance
                .get_func(&mut *store, "")
                .or_else(|| instance.get_func(&mut *store, "_start")),
        };
        match func {
            Some(func) => self.invoke_func(store, func),
            None => Ok(()),
        }
    }

    fn invoke_func(&self, store: &mut Store<Host>, func: Func) -> Result<()> {
        let ty = func.ty(&*store);
        if !ty.params().is_empty() {
            eprintln!(
                "warning: using `--invoke` with a function that takes arguments is experimental \
                 and may break in the future"
            );
        }
        let what = match &self.invoke {
            Some(name) => format!("`{name}`"),
            None => "command default".to_string(),
        };
        let mut args = self.module_and_args.iter().skip(1);
        let mut values = Vec::new();
        for t in ty.params() {
            let Some(arg) = args.next() else {
                bail!("not enough arguments for {what}");
            };
            let arg =
                arg.to_str().ok_or_else(|| anyhow!("argument is not valid utf-8: {arg:?}"))?;
            values.push(parse_arg(arg, *t)?);
        }
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        func.call(&mut *store, &values, &mut results)
            .with_context(|| format!("failed to invoke {what}"))?;
        if !results.is_empty() {
            eprintln!(
                "warning: using `--invoke` with a function that returns values is experimental \
                 and may break in the future"
            );
        }
        for r in results {
            match r {
                Val::I32(v) => println!("{v}"),
                Val::I64(v) => println!("{v}"),
                Val::F32(v) => println!("{}", f32::from_bits(v)),
                Val::F64(v) => println!("{}", f64::from_bits(v)),
                // As wasmtime: the vector's 128 bits as one unsigned number.
                Val::V128(v) => println!("{}", v.as_u128()),
                Val::FuncRef(None) => println!("<null funcref>"),
                Val::FuncRef(Some(_)) => println!("<funcref>"),
                Val::ExternRef(None) => println!("<null externref>"),
                Val::ExternRef(Some(_)) => println!("<externref>"),
                Val::ExnRef(None) => println!("<null exnref>"),
                Val::ExnRef(Some(_)) => println!("<exnref>"),
                Val::AnyRef(None) => println!("<null anyref>"),
                Val::AnyRef(Some(_)) => println!("<anyref>"),
            }
        }
        Ok(())
    }

    /// The program's arguments: the module's file name (not its path, as
    /// wasmtime: no host path leaks into the guest), then the rest.
    fn argv(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for (i, arg) in self.module_and_args.iter().enumerate() {
            let arg: &std::ffi::OsStr = match (i, &self.argv0) {
                (0, Some(a)) => a.as_ref(),
                (0, None) => Path::new(arg)
                    .components()
                    .next_back()
                    .map_or(arg.as_os_str(), |c| c.as_os_str()),
                _ => arg,
            };
            out.push(
                arg.to_str()
                    .ok_or_else(|| anyhow!("failed to convert {arg:?} to utf-8"))?
                    .to_string(),
            );
        }
        Ok(out)
    }

    fn wasi_ctx(&self, opts: &WasiOptions) -> Result<WasiCtx> {
        let mut b = WasiCtxBuilder::new();
        b.args(&self.argv()?);
        if opts.inherit_stdin {
            b.inherit_stdin();
        }
        if opts.inherit_stdout {
            b.inherit_stdout();
        }
        if opts.inherit_stderr {
            b.inherit_stderr();
        }
        configure_wasi(&mut b, &self.envs, &self.dirs, opts)?;
        Ok(b.build())
    }
}

/// What `--env`, `--dir` and the `-S` options give a guest (shared by
/// `run` and `serve`).
pub(crate) fn configure_wasi(
    b: &mut WasiCtxBuilder,
    envs: &[String],
    dirs: &[String],
    opts: &WasiOptions,
) -> Result<()> {
    if opts.inherit_env {
        b.inherit_env();
    }
    for var in envs {
        match var.split_once('=') {
            Some((k, v)) => {
                b.env(k, v);
            }
            // Unset on the host: left unset in the guest.
            None => {
                if let Some(v) = std::env::var_os(var) {
                    let v = v
                        .into_string()
                        .map_err(|_| anyhow!("environment variable `{var}` not valid utf-8"))?;
                    b.env(var, v);
                }
            }
        }
    }
    for dir in dirs {
        let (host, guest, perms) = parse_dir(dir)?;
        b.preopened_dir(host, guest, perms)?;
    }
    for addr in &opts.tcplisten {
        let listener = std::net::TcpListener::bind(addr)
            .with_context(|| format!("failed to bind to address '{addr}'"))?;
        b.preopened_socket(listener);
    }
    if opts.inherit_network {
        b.inherit_network();
    }
    b.allow_tcp(opts.tcp).allow_udp(opts.udp).allow_ip_name_lookup(opts.allow_ip_name_lookup);
    if let Some(cwd) = &opts.cwd {
        b.initial_cwd(cwd);
    }
    for (name, value) in &opts.config_vars {
        b.config_var(name, value);
    }
    for (key, value) in &opts.keyvalue_data {
        b.keyvalue_data(key, value.as_bytes());
    }
    if let Some(n) = opts.max_random_size {
        b.max_random_size(n);
    }
    if let Some(n) = opts.max_resources {
        b.max_resources(n);
    }
    if let Some(n) = opts.http_outgoing_body_buffer_chunks {
        b.http_outgoing_body_buffer_chunks(n);
    }
    if let Some(n) = opts.http_outgoing_body_chunk_size {
        b.http_outgoing_body_chunk_size(n);
    }
    if let Some(n) = opts.max_http_fields_size {
        b.max_http_fields_size(n);
    }
    Ok(())
}

/// `HOST[::GUEST[::ro]]`.
fn parse_dir(spec: &str) -> Result<(String, String, DirPerms)> {
    let parts: Vec<&str> = spec.split("::").collect();
    match parts.as_slice() {
        [host] => Ok((host.to_string(), host.to_string(), DirPerms::ReadWrite)),
        [host, guest] => Ok((host.to_string(), guest.to_string(), DirPerms::ReadWrite)),
        [host, guest, "ro"] => Ok((host.to_string(), guest.to_string(), DirPerms::ReadOnly)),
        [host, guest, "rw"] => Ok((host.to_string(), guest.to_string(), DirPerms::ReadWrite)),
        _ => bail!("invalid --dir `{spec}`: expected HOST_DIR[::GUEST_DIR[::ro]]"),
    }
}

/// An `--invoke` argument of type `t`: integers in decimal or `0x` hex.
fn parse_arg(s: &str, t: ValType) -> Result<Val> {
    let hex = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"));
    Ok(match t {
        ValType::I32 => Val::I32(match hex {
            Some(h) => i32::from_str_radix(h, 16)?,
            None => s.parse()?,
        }),
        ValType::I64 => Val::I64(match hex {
            Some(h) => i64::from_str_radix(h, 16)?,
            None => s.parse()?,
        }),
        ValType::F32 => Val::F32(s.parse::<f32>()?.to_bits()),
        ValType::F64 => Val::F64(s.parse::<f64>()?.to_bits()),
        ValType::V128 => Val::V128(s.parse::<u128>()?.into()),
        t => bail!("unsupported argument type {t:?}"),
    })
}

/// Runs a component's `wasi:cli/run` export; `Err(())` from the guest
/// exits with status 1, as wasmtime does.
fn run_command_component(
    store: &mut Store<Host>,
    linker: &component::Linker<Host>,
    component: &Component,
) -> Result<()> {
    // A WASI 0.3 command first, as wasmtime runs one.
    let status = if wazi_wasi::p3::run_export(component).is_some() {
        wazi_wasi::p3::run(store, linker, component)?
    } else if wazi_wasi::p2::run_export(component).is_some() {
        wazi_wasi::p2::run(store, linker, component)?
    } else {
        bail!("no exported instance named `wasi:cli/run@{}`", wazi_wasi::p2::VERSION);
    };
    match status {
        Ok(()) => Ok(()),
        Err(()) => Err(I32Exit(1).into()),
    }
}

/// Interrupts the guest after `timeout`.
fn start_timer(engine: &Engine, timeout: Duration) {
    let engine = engine.clone();
    std::thread::spawn(move || {
        std::thread::sleep(timeout);
        engine.increment_epoch();
    });
}
