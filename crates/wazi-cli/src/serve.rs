//! `wazi serve`: serves HTTP with a `wasi:http/proxy` component, with the
//! options of `wasmtime serve`.

use crate::options::{WasiOptions, WasmOptions};
use crate::run::configure_wasi;
use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use wazi::component::{Component, Linker};
use wazi::{Config, Engine, Store, StoreLimits};
use wazi_wasi::{Stdout, WasiCtx, WasiCtxBuilder};

/// Serves requests from a wasi-http proxy component
#[derive(Args)]
#[command(after_long_help = crate::options::help_text())]
pub struct ServeCommand {
    /// Grant access of a host directory to a guest (`HOST[::GUEST[::ro]]`).
    #[arg(long = "dir", value_name = "HOST_DIR[::GUEST_DIR[::ro]]")]
    dirs: Vec<String>,

    /// Pass an environment variable to the program (`NAME=VAL`, or `NAME`
    /// for the host's value).
    #[arg(long = "env", value_name = "NAME[=VAL]")]
    envs: Vec<String>,

    /// Socket address for the web server to bind to.
    #[arg(long = "addr", value_name = "SOCKADDR", default_value = "0.0.0.0:8080")]
    addr: SocketAddr,

    /// Disable log prefixes of wasi-http handlers. If unspecified, logs
    /// are prefixed with `stdout|stderr [{instance_id}] :: `.
    #[arg(long)]
    no_logging_prefix: bool,

    /// How long a client may take to send a request's headers, and an idle
    /// connection may stay open, before it is closed (wazi's own option;
    /// `N` seconds or with a unit: ms, s, m).
    #[arg(long, value_name = "DURATION", default_value = "30s",
          value_parser = |v: &str| crate::options::duration("--header-timeout", &Some(v.to_string())))]
    header_timeout: std::time::Duration,

    /// How many instances may run at once; further requests wait for a
    /// running one to finish (wazi's own option; the default is the number
    /// of instances wasmtime's pooling allocator allows by default).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    max_instances: usize,

    /// Socket address where, when connected to, will initiate a graceful
    /// shutdown (as ctrl-c does).
    #[arg(long, value_name = "SOCKADDR")]
    shutdown_addr: Option<SocketAddr>,

    /// Maximum number of requests to send to a single component instance
    /// before dropping it (default: 1 for WASI 0.2 components, 128 for
    /// WASI 0.3 ones; 1 for both when `-W timeout` or `-W fuel` is given,
    /// which are counted per instance).
    #[arg(long, value_name = "N")]
    max_instance_reuse_count: Option<usize>,

    /// Maximum number of concurrent requests to send to a single component
    /// instance (default 16 for WASI 0.3 components; WASI 0.2 ones serve
    /// one request at a time).
    #[arg(long, value_name = "N")]
    max_instance_concurrent_reuse_count: Option<usize>,

    /// Time to hold an idle component instance for possible reuse before
    /// dropping it (`N` seconds, or with a unit: ns, us, ms, s).
    #[arg(long, value_name = "DURATION", default_value = "1s",
          value_parser = |v: &str| crate::options::duration("--idle-instance-timeout", &Some(v.to_string())))]
    idle_instance_timeout: std::time::Duration,

    /// Maximum number of concurrent requests that can be processed at any
    /// one point in time.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    max_concurrent_requests: usize,

    /// Maximum number of concurrent connections that can be held at any
    /// one point in time.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    max_concurrent_connections: usize,

    /// Replace or add a request header before forwarding it to the
    /// component: `name: value`, repeatable; `@FILE` reads one header per
    /// line from FILE.
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    headers: Vec<String>,

    /// Options for configuring semantic execution of WebAssembly, `-W help`
    /// to see all.
    #[arg(short = 'W', long = "wasm", value_name = "KEY[=VAL[,..]]")]
    wasm: Vec<String>,

    /// Options for configuring WASI, `-S help` to see all.
    #[arg(short = 'S', long = "wasi", value_name = "KEY[=VAL[,..]]")]
    wasi: Vec<String>,

    /// The WebAssembly component to run.
    #[arg(value_name = "WASM")]
    component: PathBuf,
}

/// How often the engine's epoch advances when requests have a timeout.
const TICK: std::time::Duration = std::time::Duration::from_millis(10);

/// A request's store data.
struct Host {
    wasi: WasiCtx,
    limits: StoreLimits,
}

impl ServeCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let wasm = WasmOptions::parse(&self.wasm)?;
        let wasi = WasiOptions::parse(&self.wasi)?;
        if self.wasi.iter().any(|s| s.split(',').any(|o| o == "http=n" || o == "http=no")) {
            bail!("wasi-http is required for the serve command, and must not be disabled");
        }
        if !wasi.tcplisten.is_empty() {
            bail!("`-S tcplisten` is not supported by the serve command");
        }
        let headers = parse_headers(&self.headers)?;
        let mut config = Config::new();
        wasm.configure(&mut config)?;
        let engine = Engine::new(&config)?;
        let bytes = std::fs::read(&self.component).with_context(|| {
            format!("failed to open wasm module {:?}", self.component.display().to_string())
        })?;
        let binary = if bytes.starts_with(b"\0asm") {
            bytes
        } else {
            wat::parse_bytes(&bytes).map_err(|e| anyhow!(e))?.into_owned()
        };
        if !wazi::component::is_component(&binary) {
            bail!("The serve command currently requires a component");
        }
        let component = Component::from_binary(&engine, &binary)
            .with_context(|| format!("failed to compile `{}`", self.component.display()))?;

        let get: wazi_wasi::p2::GetCtx<Host> = |h| &mut h.wasi;
        let mut linker: Linker<Host> = Linker::new(&engine);
        if wasi.cli.unwrap_or(false) {
            wazi_wasi::p2::check_supported(&component).map_err(|e| anyhow!("wazi: {e}"))?;
            wazi_wasi::p2::add_to_linker(&mut linker, get)?;
            wazi_wasi::p2::add_http_to_linker(&mut linker, get)?;
        } else {
            wazi_wasi::p2::add_proxy_imports_to_linker(&mut linker, get)?;
        }
        if wasi.p3.unwrap_or(true) {
            wazi_wasi::p3::check_supported(&component).map_err(|e| anyhow!("wazi: {e}"))?;
            if wasi.cli.unwrap_or(false) {
                wazi_wasi::p3::add_to_linker(&mut linker, get)?;
                wazi_wasi::p3::add_http_to_linker(&mut linker, get)?;
            } else {
                wazi_wasi::p3::add_service_imports_to_linker(&mut linker, get)?;
            }
        }
        if wasi.config {
            wazi_wasi::p2::add_config_to_linker(&mut linker, get)?;
        }
        if wasi.keyvalue {
            wazi_wasi::p2::add_keyvalue_to_linker(&mut linker, get)?;
        }
        if wasm.unknown_imports_trap {
            linker.define_unknown_imports_as_traps(&component)?;
        }

        if wasm.timeout.is_some() {
            let engine = engine.clone();
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(TICK);
                    engine.increment_epoch();
                }
            });
        }
        let timed = wasm.timeout.is_some();
        let metered = wasm.fuel.is_some() || timed;
        let name = self.component.display().to_string();
        let prefix = !self.no_logging_prefix;
        let (envs, dirs) = (self.envs.clone(), self.dirs.clone());
        let new_store = move |id: u64| -> Result<Store<Host>> {
            let mut b = WasiCtxBuilder::new();
            b.arg(&name);
            configure_wasi(&mut b, &envs, &dirs, &wasi)?;
            b.env("INSTANCE_ID", id.to_string());
            let (out, err) = (Stdout::InheritStdout, Stdout::InheritStderr);
            if prefix {
                b.stdout(Stdout::prefixed(out, format!("stdout [{id}] :: ")));
                b.stderr(Stdout::prefixed(err, format!("stderr [{id}] :: ")));
            } else {
                b.stdout(out).stderr(err);
            }
            let mut store = Store::new(&engine, Host { wasi: b.build(), limits: wasm.limits() });
            store.limiter(|h| &mut h.limits);
            if let Some(fuel) = wasi.hostcall_fuel {
                store.set_hostcall_fuel(fuel);
            }
            if let Some(fuel) = wasm.fuel {
                store.set_fuel(fuel)?;
            }
            if let Some(t) = wasm.timeout {
                // The engine's epoch ticks; each request gets its own
                // number of ticks.
                let ticks = t.as_nanos().div_ceil(TICK.as_nanos()).max(1);
                store.set_epoch_deadline(ticks.min(u64::MAX as u128) as u64);
            }
            Ok(store)
        };
        let opts = wazi_wasi::ServeOptions {
            addr: self.addr,
            headers,
            header_timeout: self.header_timeout,
            max_instances: self.max_instances,
            // A store's fuel and deadline are set when it is made: reused
            // instances would share them between requests.
            max_instance_reuse_count: self.max_instance_reuse_count.or(metered.then_some(1)),
            max_instance_concurrent_reuse_count: self.max_instance_concurrent_reuse_count,
            idle_instance_timeout: self.idle_instance_timeout,
            // A store's epoch deadline starts when it is made: with
            // `-W timeout` an instance is made when its request comes.
            prestart_instances: !timed,
            max_concurrent_requests: self.max_concurrent_requests,
            max_concurrent_connections: self.max_concurrent_connections,
            shutdown_addr: self.shutdown_addr,
        };
        wazi_wasi::serve(component, linker, get, opts, new_store)?;
        Ok(ExitCode::SUCCESS)
    }
}

/// `-H name: value` (or `@FILE`, one per line) as headers.
fn parse_headers(specs: &[String]) -> Result<Vec<(http::HeaderName, http::HeaderValue)>> {
    let mut lines = Vec::new();
    for spec in specs {
        match spec.strip_prefix('@') {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("failed to read header file `{path}`"))?;
                lines.extend(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string));
            }
            None => lines.push(spec.clone()),
        }
    }
    lines
        .iter()
        .map(|h| {
            let (name, value) =
                h.split_once(':').ok_or_else(|| anyhow!("header `{h}` is missing `:`"))?;
            let name = http::HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| anyhow!("invalid header name in header `{h}`"))?;
            let value = http::HeaderValue::from_str(value.trim_start())
                .map_err(|_| anyhow!("invalid header value in header `{h}`"))?;
            Ok((name, value))
        })
        .collect()
}
