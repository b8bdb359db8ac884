//! [`Engine`]: the configuration and the code registry its modules and
//! stores share.

pub use crate::config::{CompilationMode, Config};
use crate::types::{FuncType, registry};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) struct EngineInner {
    pub config: Config,
    pub features: wasmparser::WasmFeatures,
    pub epoch: AtomicU64,
}

/// Global compilation state shared by modules and stores. Cheap to clone.
///
/// A [`Config`] chooses what the engine's code does, here metering it with
/// fuel so that an endless loop traps:
///
/// ```
/// use wazi::{Config, Engine, Instance, Module, Store, Trap};
/// let mut config = Config::new();
/// config.consume_fuel(true);
/// let engine = Engine::new(&config)?;
/// let module = Module::new(&engine, r#"(module
///     (func (export "spin") (loop (br 0))))"#)?;
/// let mut store = Store::new(&engine, ());
/// store.set_fuel(10_000)?;
/// let instance = Instance::new(&mut store, &module, &[])?;
/// let spin = instance.get_typed_func::<(), ()>(&mut store, "spin")?;
/// let error = spin.call(&mut store, ()).unwrap_err();
/// assert_eq!(error.downcast_ref::<Trap>(), Some(&Trap::OutOfFuel));
/// assert_eq!(store.get_fuel()?, 0);
/// # Ok::<(), wazi::Error>(())
/// ```
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new(&Config::default()).expect("the default configuration is valid")
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("config", &self.inner.config).finish()
    }
}

impl Engine {
    /// An engine with configuration `config`.
    pub fn new(config: &Config) -> anyhow::Result<Engine> {
        if config.max_wasm_stack < 4096 {
            anyhow::bail!("max_wasm_stack must be at least 4096 bytes");
        }
        Ok(Engine {
            inner: Arc::new(EngineInner {
                config: config.clone(),
                features: config.features(),
                epoch: AtomicU64::new(0),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Advances the epoch: running code whose store's deadline is reached
    /// traps with [`crate::Trap::Interrupt`] (with
    /// [`Config::epoch_interruption`]).
    pub fn increment_epoch(&self) {
        self.inner.epoch.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether two handles name the same engine.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// The id of a function type: equal types have equal ids (in every
    /// engine: the type registry is the process's).
    pub(crate) fn type_id(&self, t: &FuncType) -> u32 {
        registry::func_type_id(t)
    }

    /// The function type with id `id`.
    pub(crate) fn func_type(&self, id: u32) -> FuncType {
        registry::func_type(id)
    }
}
