//! WASI 0.2: the host side of the `wasi:*@0.2.x` interfaces a component
//! imports, one module per WASI package, on the shared core
//! ([`WasiCtx`](crate::WasiCtx)). Interfaces are defined at version 0.2.12 and satisfy
//! imports of any 0.2.x version.
//!
//! Implemented: `wasi:io` (error, poll, streams), `wasi:cli` (environment,
//! exit, stdin, stdout, stderr, terminal-*), `wasi:clocks` (monotonic and
//! wall clocks), `wasi:random`, `wasi:filesystem` (types, preopens),
//! `wasi:sockets` (TCP, UDP, name lookup) and `wasi:http` (types and
//! outgoing-handler, plus [`crate::serve`] for `incoming-handler`). A component
//! importing another WASI interface fails to instantiate, naming it.
//!
//! ```no_run
//! use wazi::{Engine, Store};
//! use wazi::component::{Component, Linker};
//! use wazi_wasi::{WasiCtx, WasiCtxBuilder};
//!
//! let engine = Engine::default();
//! let component = Component::from_file(&engine, "hello-p2.wasm")?;
//! let mut linker: Linker<WasiCtx> = Linker::new(&engine);
//! wazi_wasi::p2::add_to_linker(&mut linker, |cx| cx)?;
//! let mut store = Store::new(&engine, WasiCtxBuilder::new().inherit_stdio().build());
//! let status = wazi_wasi::p2::run(&mut store, &linker, &component)?;
//! assert!(status.is_ok());
//! # Ok::<(), wazi::Error>(())
//! ```

/// The bindings generated from `wit/0.2/host.wit` (see `build.rs`).
#[allow(missing_docs, unused_imports, dead_code, clippy::all)]
pub(crate) mod bindings {
    include!(concat!(env!("OUT_DIR"), "/p2_bindings.rs"));
}

mod cli;
mod clocks;
mod config;
mod filesystem;
mod http;
mod io;
mod keyvalue;
mod random;
mod sockets;

pub use config::{CONFIG_VERSION, add_config_to_linker};
pub use keyvalue::{KEYVALUE_VERSION, add_keyvalue_to_linker};

use anyhow::{Result, bail};
use wazi::Store;
use wazi::component::{Component, Linker};

/// The version the host's interfaces are defined at.
pub const VERSION: &str = "0.2.12";

pub use crate::GetCtx;
pub(crate) use crate::ctx::table_resource;

/// Defines the WASI 0.2 interfaces in `linker`; `get` finds the
/// [`WasiCtx`](crate::WasiCtx) in the store's data.
/// `wasi:http` is separate ([`add_http_to_linker`]), as in wasmtime,
/// where `-S http` enables it.
pub fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let host = crate::ctx::Wasi { get };
    io::add_to_linker(linker, host)?;
    cli::add_to_linker(linker, host, true)?;
    clocks::add_to_linker(linker, host)?;
    filesystem::add_to_linker(linker, host)?;
    sockets::add_to_linker(linker, get)?;
    random::add_to_linker(linker, host, true)?;
    Ok(())
}

/// Defines `wasi:http/types` and `wasi:http/outgoing-handler`.
pub fn add_http_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    http::add_to_linker(linker, get)
}

/// Defines what the `wasi:http/proxy` world imports, and nothing else:
/// `wasi:io`, the clocks, `wasi:random/random`, the standard streams and
/// `wasi:http` (what `wazi serve` gives a component without `-S cli`).
pub fn add_proxy_imports_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: GetCtx<T>,
) -> Result<()> {
    let host = crate::ctx::Wasi { get };
    io::add_to_linker(linker, host)?;
    cli::add_to_linker(linker, host, false)?;
    clocks::add_to_linker(linker, host)?;
    random::add_to_linker(linker, host, false)?;
    http::add_to_linker(linker, get)
}

/// The WASI 0.2 interfaces this host implements.
pub const INTERFACES: &[&str] = &[
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/wall-clock",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:filesystem/types",
    "wasi:filesystem/preopens",
    "wasi:sockets/network",
    "wasi:sockets/instance-network",
    "wasi:sockets/ip-name-lookup",
    "wasi:sockets/tcp",
    "wasi:sockets/tcp-create-socket",
    "wasi:sockets/udp",
    "wasi:sockets/udp-create-socket",
    "wasi:http/types",
    "wasi:http/outgoing-handler",
    // Defined by `add_config_to_linker` (`-S config`); its 0.2.0-rc.1
    // version counts as a 0.2 one here, as keyvalue's 0.2.0-draft does.
    "wasi:config/store",
    // Defined by `add_keyvalue_to_linker` (`-S keyvalue`).
    "wasi:keyvalue/store",
    "wasi:keyvalue/atomics",
    "wasi:keyvalue/batch",
];

/// Fails, naming the first import, if `component` imports a WASI 0.2
/// interface this host does not implement yet.
pub fn check_supported(component: &Component) -> Result<()> {
    for name in component.import_names() {
        let Some((iface, version)) = name.split_once('@') else { continue };
        if iface.starts_with("wasi:")
            && semver_0_2(version).is_some()
            && !INTERFACES.contains(&iface)
        {
            bail!("import {name} is not supported yet");
        }
    }
    Ok(())
}

/// The name of `component`'s export of `wasi:cli/run` (any 0.2.x).
pub fn run_export(component: &Component) -> Option<&str> {
    component
        .export_names()
        .find(|n| n.strip_prefix("wasi:cli/run@").and_then(semver_0_2).is_some())
}

fn semver_0_2(v: &str) -> Option<()> {
    let mut parts = v.splitn(3, '.');
    (parts.next()? == "0" && parts.next()? == "2").then_some(())
}

/// Instantiates `component` and calls its `wasi:cli/run` export: `Ok(())`
/// or `Err(())` as the guest returned it. A guest calling
/// `wasi:cli/exit` ends with an [`I32Exit`](crate::I32Exit) error.
pub fn run<T: 'static>(
    store: &mut Store<T>,
    linker: &Linker<T>,
    component: &Component,
) -> Result<Result<(), ()>> {
    let Some(export) = run_export(component) else {
        bail!("no exported instance named `wasi:cli/run@{VERSION}`");
    };
    let export = export.to_string();
    let (instance, run) = crate::ctx::run_func(store, linker, component, &export)?;
    let run = instance.get_typed_func::<(), (Result<(), ()>,)>(&mut *store, &run)?;
    match run.call(&mut *store, ()) {
        Ok((status,)) => Ok(status),
        Err(e) => Err(crate::ctx::run_failed(e)),
    }
}

#[cfg(test)]
mod tests {
    /// The interfaces the host names as implemented are those its
    /// bindings are generated for, plus the hand-written `wasi:config`
    /// and `wasi:keyvalue`.
    #[test]
    fn implemented_interfaces_are_the_generated_ones() {
        let generated: Vec<&str> =
            super::bindings::INTERFACES.iter().map(|n| n.split('@').next().unwrap()).collect();
        let extra = |n: &&str| n.starts_with("wasi:config/") || n.starts_with("wasi:keyvalue/");
        let mut listed: Vec<&str> =
            super::INTERFACES.iter().copied().filter(|n| !extra(n)).collect();
        let mut generated = generated;
        listed.sort();
        generated.sort();
        assert_eq!(listed, generated);
    }
}
