//! WASI 0.3: the host side of the `wasi:*@0.3.x` interfaces, on the same
//! core ([`WasiCtx`](crate::WasiCtx)) as WASI 0.1 and 0.2. Interfaces are defined at
//! version 0.3.0 and satisfy imports of any 0.3.x version.
//!
//! Implemented: `wasi:cli` (environment, exit, the standard streams as
//! `stream<u8>`s, terminal-*), `wasi:clocks` (monotonic and system
//! clocks), `wasi:filesystem` (file contents and directory listings in
//! streams), `wasi:random`, `wasi:sockets` (TCP and UDP sockets, name
//! lookup) and, separately ([`add_http_to_linker`]), `wasi:http`'s `types`
//! and `client`. Clock waits, connects, accepts, socket reads, UDP
//! datagrams and HTTP responses are waited for by the store's event loop
//! (other tasks run meanwhile); file operations run to their end when
//! called. A component importing another WASI 0.3 interface (such as
//! `wasi:clocks/timezone`) fails to instantiate, naming it.
//!
//! ```no_run
//! use wazi::{Engine, Store};
//! use wazi::component::{Component, Linker};
//! use wazi_wasi::{WasiCtx, WasiCtxBuilder};
//!
//! let engine = Engine::default();
//! let component = Component::from_file(&engine, "hello-p3.wasm")?;
//! let mut linker: Linker<WasiCtx> = Linker::new(&engine);
//! wazi_wasi::p2::add_to_linker(&mut linker, |cx| cx)?;
//! wazi_wasi::p3::add_to_linker(&mut linker, |cx| cx)?;
//! let mut store = Store::new(&engine, WasiCtxBuilder::new().inherit_stdio().build());
//! let status = wazi_wasi::p3::run(&mut store, &linker, &component)?;
//! assert!(status.is_ok());
//! # Ok::<(), wazi::Error>(())
//! ```

/// The bindings generated from `wit/0.3/host.wit` (see `build.rs`).
#[allow(missing_docs, unused_imports, dead_code, clippy::all)]
pub(crate) mod bindings {
    include!(concat!(env!("OUT_DIR"), "/p3_bindings.rs"));
}

mod cli;
mod clocks;
mod filesystem;
mod http;
mod random;
mod sockets;

pub(crate) use http::{answer, handler, start_request};

use crate::GetCtx;
use crate::ctx::Wasi;
use anyhow::{Context, Result, bail};
use wazi::Store;
use wazi::component::{Component, Linker, Val};

/// The version the host's interfaces are defined at.
pub const VERSION: &str = "0.3.0";

/// Defines the WASI 0.3 interfaces in `linker`; `get` finds the
/// [`WasiCtx`](crate::WasiCtx)(crate::WasiCtx) in the store's data.
pub fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let host = Wasi { get };
    cli::add_to_linker(linker, host)?;
    clocks::add_to_linker(linker, host)?;
    filesystem::add_to_linker(linker, host)?;
    sockets::add_to_linker(linker, host)?;
    random::add_to_linker(linker, host)
}

/// Defines `wasi:http@0.3`'s `types` and `client` in `linker` (separate,
/// as WASI 0.2's `wasi:http` is: `-S http`).
pub fn add_http_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    http::add_to_linker(linker, Wasi { get })
}

/// Defines what the `wasi:http/service` world imports: `wasi:cli`'s
/// standard streams (and the rest of `wasi:cli` but exit), clocks,
/// random, and `wasi:http` (what `wazi serve` gives a WASI 0.3 service
/// without `-S cli`).
pub fn add_service_imports_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: GetCtx<T>,
) -> Result<()> {
    let host = Wasi { get };
    cli::add_to_linker(linker, host)?;
    clocks::add_to_linker(linker, host)?;
    random::add_to_linker(linker, host)?;
    http::add_to_linker(linker, host)
}

/// The WASI 0.3 interfaces this host implements (with `wasi:http`'s,
/// which [`add_http_to_linker`] defines), with their versions: those of
/// `wit/0.3/host.wit`, which the bindings are generated from.
pub const INTERFACES: &[&str] = bindings::INTERFACES;

/// Fails, naming the first import, if `component` imports a WASI 0.3
/// interface this host does not implement yet. (`wasi:http` counts as
/// implemented: without [`add_http_to_linker`], instantiation fails as
/// wasmtime's does, naming the missing definition.)
pub fn check_supported(component: &Component) -> Result<()> {
    for name in component.import_names() {
        let Some((iface, version)) = name.split_once('@') else { continue };
        let known = INTERFACES.iter().any(|n| n.split_once('@').is_some_and(|(n, _)| n == iface));
        if iface.starts_with("wasi:") && semver_0_3(version) && !known {
            bail!("import {name} is not supported yet");
        }
    }
    Ok(())
}

fn semver_0_3(v: &str) -> bool {
    let mut parts = v.splitn(3, '.');
    parts.next() == Some("0") && parts.next() == Some("3")
}

/// The name of `component`'s export of `wasi:cli/run` (any 0.3.x).
pub fn run_export(component: &Component) -> Option<&str> {
    component.export_names().find(|n| n.strip_prefix("wasi:cli/run@").is_some_and(semver_0_3))
}

/// Instantiates `component` and calls its `wasi:cli/run` export (an
/// `async` function, run by the store's event loop to its end): `Ok(())`
/// or `Err(())` as the guest returned it. A guest calling `wasi:cli/exit`
/// ends with an [`I32Exit`](crate::I32Exit) error.
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
    let run = instance.get_func(&mut *store, &run).context("`run` is not a function")?;
    let mut out = [Val::Bool(false)];
    match run.call(&mut *store, &[], &mut out) {
        Ok(()) => match &out[0] {
            Val::Result(Ok(_)) => Ok(Ok(())),
            Val::Result(Err(_)) => Ok(Err(())),
            other => bail!("`run` returned {other:?}, not a result"),
        },
        Err(e) => Err(crate::ctx::run_failed(e)),
    }
}
