//! The component model: loading, linking and running components.
//!
//! A [`Component`] is decoded and validated once (`load`), then
//! instantiated by a [`Linker`] that supplies its imports. Calls cross the
//! component boundary through the canonical ABI (`abi`), either typed
//! ([`TypedFunc`], [`LinkerInstance::func_wrap`]) or dynamic ([`Val`]).
//!
//! ```
//! use wazi::{Engine, Store};
//! use wazi::component::{Component, Linker};
//! let engine = Engine::default();
//! let component = Component::new(&engine, r#"(component
//!     (import "host-add" (func $add (param "a" u32) (param "b" u32) (result u32)))
//!     (core func $add' (canon lower (func $add)))
//!     (core module $m
//!         (import "" "add" (func $add (param i32 i32) (result i32)))
//!         (func (export "run") (param i32) (result i32)
//!             (call $add (local.get 0) (i32.const 1))))
//!     (core instance $i (instantiate $m (with "" (instance (export "add" (func $add'))))))
//!     (func (export "run") (param "x" u32) (result u32)
//!         (canon lift (core func $i "run"))))"#)?;
//! let mut linker = Linker::new(&engine);
//! linker.root().func_wrap("host-add", |_, (a, b): (u32, u32)| Ok((a + b,)))?;
//! let mut store = Store::new(&engine, ());
//! let instance = linker.instantiate(&mut store, &component)?;
//! let run = instance.get_typed_func::<(u32,), (u32,)>(&mut store, "run")?;
//! assert_eq!(run.call(&mut store, (41,))?, (42,));
//! # Ok::<(), wazi::Error>(())
//! ```

mod abi;
mod abi_types;
mod concurrent;
mod func;
mod instance;
mod linker;
mod load;
mod macros;
mod resource_table;
mod resources;
pub(crate) mod store;
mod typed;
pub mod types;
mod values;
#[cfg(feature = "wave")]
mod wave;

pub use concurrent::{
    ConcurrentCall, ErrorContextAny, FutureAny, FutureWriter, HostAsync, HostCall, HostPending,
    LoopWaker, StreamAny, loop_waker, ready_when_woken, run_concurrent,
};
#[cfg(unix)]
pub use concurrent::{ready_when_readable, ready_when_writable};
pub use func::Func;
pub use instance::{ComponentExportIndex, Instance, InstanceExportLookup};
pub use linker::{InstancePre, Linker, LinkerInstance};
pub use resource_table::{ResourceTable, ResourceTableError};
pub use resources::{Resource, ResourceAny, ResourceType};
pub use typed::{ComponentNamedList, ComponentType, Lift, Lower, TypedFunc};
pub use values::Val;

use crate::engine::Engine;
use anyhow::{Result, anyhow};
use std::path::Path;
use std::sync::Arc;

/// What the declarative macros (`component_record!` and friends) use.
#[doc(hidden)]
pub mod __internal {
    pub use super::abi::{Cx, FlatSrc};
    pub use super::abi_types::Ty;
    pub use super::macros::{check_names, kebab_from_camel, kebab_from_snake};
    pub use super::typed::ResourceTypes;
    pub use anyhow::{Result, bail};
}

/// A validated component, ready to be instantiated.
#[derive(Clone)]
pub struct Component {
    pub(crate) def: Arc<load::ComponentDef>,
    engine: Engine,
}

impl Component {
    /// Compiles a component from its binary or text (`.wat`) form.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Component> {
        let binary = wat::parse_bytes(bytes.as_ref()).map_err(|e| anyhow!("{e}"))?;
        Component::from_binary(engine, &binary)
    }

    /// Compiles a component from its binary form.
    pub fn from_binary(engine: &Engine, bytes: &[u8]) -> Result<Component> {
        let def = load::load(engine, bytes)?;
        Ok(Component { def, engine: engine.clone() })
    }

    /// Compiles a component from a file (binary or text).
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Component> {
        Component::from_binary(engine, &crate::module::read_wasm_file(path.as_ref())?)
    }

    /// The engine the component was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The names of the component's imports (with versions), in order.
    pub fn import_names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.def.imports.iter().map(|(n, _)| n.as_str())
    }

    /// The names of the component's exports, in order.
    pub fn export_names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.def.exports.iter().map(|n| n.as_str())
    }
}

/// Whether `bytes` hold a component (rather than a core module): binary
/// components are told by their header, text ones by their first form.
pub fn is_component(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\0asm") {
        return load::is_component(bytes);
    }
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let mut rest = text.as_ref();
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix(";;") {
            rest = r.split_once('\n').map_or("", |(_, r)| r);
        } else if rest.starts_with("(;") {
            rest = rest.split_once(";)").map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    rest.strip_prefix('(').is_some_and(|r| r.trim_start().starts_with("component"))
}
