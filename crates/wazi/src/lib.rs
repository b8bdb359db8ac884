//! wazi: a WebAssembly interpreter.
//!
//! The embedding API follows wasmtime's names: an [`Engine`] compiles
//! [`Module`]s, a [`Store`] holds instances and their state, a [`Linker`]
//! resolves imports, and [`Func`], [`Memory`], [`Table`] and [`Global`] are
//! handles into a store.
//!
//! ```
//! use wazi::{Engine, Linker, Module, Store};
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"(module
//!     (import "host" "double" (func $double (param i32) (result i32)))
//!     (func (export "run") (param i32) (result i32)
//!         (call $double (i32.add (local.get 0) (i32.const 1)))))"#)?;
//! let mut linker = Linker::new(&engine);
//! linker.func_wrap("host", "double", |x: i32| x * 2)?;
//! let mut store = Store::new(&engine, ());
//! let instance = linker.instantiate(&mut store, &module)?;
//! let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?;
//! assert_eq!(run.call(&mut store, 20)?, 42);
//! # Ok::<(), wazi::Error>(())
//! ```

#![warn(missing_docs)]

mod code;
pub mod component;
mod config;
mod disasm;
mod engine;
mod exception;
mod exec;
mod extern_;
mod func;
mod gc;
mod instance;
mod ir;
mod isa;
mod linker;
mod module;
mod store;
mod translate;
mod trap;
mod types;
mod values;

pub use anyhow::{Error, Result};
pub use engine::{CompilationMode, Config, Engine};
pub use exception::{ExnRef, Tag, ThrownException};
pub use extern_::{Extern, Global, Memory, MemoryAccessError, SharedMemory, Table};
pub use func::{Caller, Func, IntoFunc, TypedFunc, WasmParams, WasmResults, WasmRet, WasmTy};
pub use gc::{AnyKind, AnyRef, ArrayRef, ArrayRefPre, StructRef, StructRefPre};
pub use instance::Instance;
pub use linker::Linker;
pub use module::Module;
pub use store::{
    AsContext, AsContextMut, ResourceLimiter, Store, StoreContext, StoreContextMut, StoreLimits,
    StoreLimitsBuilder,
};
pub use trap::{FrameInfo, Trap, WasmBacktrace};
pub use types::{
    ArrayType, ExportType, ExternType, FieldType, FuncType, GlobalType, HeapType, ImportType,
    MemoryType, Mutability, RefType, StorageType, StructType, TableType, TagType, TypedRef,
    ValType,
};
pub use values::{ExternRef, V128, Val};
