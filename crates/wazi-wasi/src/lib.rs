//! WASI for wazi: one core (descriptors, preopened directories, clocks,
//! random, standard streams, sockets and the network policy) with a WASI
//! 0.1 surface ([`p1::add_to_linker`]), a WASI 0.2 surface ([`p2`]) and a
//! WASI 0.3 surface ([`p3`]) on top. The surfaces share the core; none
//! uses another.
//!
//! ```no_run
//! use wazi::{Engine, Linker, Module, Store};
//! use wazi_wasi::{WasiCtx, WasiCtxBuilder};
//!
//! let engine = Engine::default();
//! let module = Module::from_file(&engine, "hello.wasm")?;
//! let mut linker: Linker<WasiCtx> = Linker::new(&engine);
//! wazi_wasi::p1::add_to_linker(&mut linker, |cx| cx)?;
//! let wasi = WasiCtxBuilder::new().inherit_stdio().arg("hello.wasm").build();
//! let mut store = Store::new(&engine, wasi);
//! let instance = linker.instantiate(&mut store, &module)?;
//! instance.get_typed_func::<(), ()>(&mut store, "_start")?.call(&mut store, ())?;
//! # Ok::<(), wazi::Error>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod ctx;
mod descriptors;
mod error;
mod fs;
mod http;
mod net;
pub mod p1;
pub mod p2;
pub mod p3;
mod stdio;

pub use ctx::{GetCtx, WasiCtx, WasiCtxBuilder};
pub use error::I32Exit;
pub use fs::DirPerms;
pub use http::ServeOptions;
pub use stdio::{MemoryInputPipe, MemoryOutputPipe, Stdin, Stdout};

/// `wazi serve`: serves HTTP on `opts.addr` until interrupted (ctrl-c,
/// SIGTERM, or a connection to `opts.shutdown_addr`) with `component`'s
/// `wasi:http/incoming-handler@0.2.x` or `wasi:http/handler@0.3.x` export,
/// as `wasmtime serve` does. Each instance gets a store from
/// `new_store(instance_id)` (ids count from 0) and is instantiated through
/// `linker`; `get` finds the WASI context in the store's data.
pub fn serve<T: 'static>(
    component: wazi::component::Component,
    linker: wazi::component::Linker<T>,
    get: GetCtx<T>,
    opts: ServeOptions,
    new_store: impl Fn(u64) -> anyhow::Result<wazi::Store<T>> + Send + Sync + 'static,
) -> anyhow::Result<()>
where
    wazi::component::InstancePre<T>: Send + Sync,
{
    let surfaces = http::Surfaces {
        p2_version: p2::VERSION,
        p3: http::server::P3Handler {
            handler: p3::handler,
            start: p3::start_request,
            answer: p3::answer,
        },
    };
    http::serve(component, linker, get, opts, new_store, surfaces)
}
