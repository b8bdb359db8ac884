//! [`Linker`]: resolves imports by module and field name.

use crate::engine::Engine;
use crate::extern_::Extern;
use crate::func::{Caller, Func, IntoFunc, host_func_dynamic};
use crate::instance::{Instance, instantiate};
use crate::module::Module;
use crate::store::{AsContextMut, HostFunc};
use crate::types::{ExternType, FuncType};
use crate::values::Val;
use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

#[derive(Clone)]
enum Definition {
    Extern(Extern),
    HostFunc(Arc<HostFunc>),
}

/// Definitions of imports by `(module, name)`, for stores of data `T`.
///
/// A host function can reach the calling instance's exports and the
/// store's data through its [`Caller`]; here it reads a string out of the
/// guest's memory:
///
/// ```
/// use wazi::{Caller, Engine, Linker, Module, Store};
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module
///     (import "host" "log" (func $log (param i32 i32)))
///     (memory (export "memory") 1)
///     (data (i32.const 16) "hello, host")
///     (func (export "run") (result i32)
///         (call $log (i32.const 16) (i32.const 11))
///         (i32.const 7)))"#)?;
/// let mut linker = Linker::new(&engine);
/// linker.func_wrap("host", "log", |mut caller: Caller<'_, Vec<String>>, ptr: i32, len: i32| {
///     let memory = caller.get_export("memory").and_then(|e| e.into_memory()).unwrap();
///     let bytes = &memory.data(&caller)[ptr as usize..][..len as usize];
///     let text = String::from_utf8_lossy(bytes).into_owned();
///     caller.data_mut().push(text);
/// })?;
/// let mut store = Store::new(&engine, Vec::new());
/// let instance = linker.instantiate(&mut store, &module)?;
/// let run = instance.get_typed_func::<(), i32>(&mut store, "run")?;
/// assert_eq!(run.call(&mut store, ())?, 7);
/// assert_eq!(store.data(), &["hello, host"]);
/// # Ok::<(), wazi::Error>(())
/// ```
pub struct Linker<T> {
    engine: Engine,
    map: HashMap<(String, String), Definition>,
    allow_shadowing: bool,
    _marker: PhantomData<fn(T)>,
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            map: self.map.clone(),
            allow_shadowing: self.allow_shadowing,
            _marker: PhantomData,
        }
    }
}

impl<T: 'static> Linker<T> {
    /// An empty linker.
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker {
            engine: engine.clone(),
            map: HashMap::new(),
            allow_shadowing: false,
            _marker: PhantomData,
        }
    }

    /// The engine the linker's host functions are built for.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether a later definition may replace an earlier one of the same
    /// name (an error by default).
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Linker<T> {
        self.allow_shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition) -> Result<()> {
        let key = (module.to_string(), name.to_string());
        if !self.allow_shadowing && self.map.contains_key(&key) {
            bail!("import of `{module}::{name}` defined twice");
        }
        self.map.insert(key, def);
        Ok(())
    }

    /// Defines a host function from a Rust closure.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Linker<T>> {
        let host = f.into_host_func(&self.engine);
        self.insert(module, name, Definition::HostFunc(Arc::new(host)))?;
        Ok(self)
    }

    /// Defines a host function with a dynamic signature.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Linker<T>> {
        let host = host_func_dynamic(&self.engine, ty, f);
        self.insert(module, name, Definition::HostFunc(Arc::new(host)))?;
        Ok(self)
    }

    /// Defines an entity of a store.
    pub fn define(
        &mut self,
        _store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Linker<T>> {
        self.insert(module, name, Definition::Extern(item.into()))?;
        Ok(self)
    }

    /// Defines every export of `instance` under module name `module`.
    pub fn instance(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Linker<T>> {
        for (name, ext) in instance.exports(store.as_context_mut()) {
            self.insert(module, &name, Definition::Extern(ext))?;
        }
        Ok(self)
    }

    /// Makes every import of `module` that is not defined a function that
    /// traps when called (or an error for other kinds of entities).
    pub fn define_unknown_imports_as_traps(&mut self, module: &Module) -> Result<()> {
        for import in module.imports() {
            if self.map.contains_key(&(import.module().to_string(), import.name().to_string())) {
                continue;
            }
            let ExternType::Func(ty) = import.ty() else {
                bail!(
                    "unknown import: `{}::{}` has not been defined",
                    import.module(),
                    import.name()
                );
            };
            let what = format!("{}::{}", import.module(), import.name());
            self.func_new(import.module(), import.name(), ty, move |_, _, _| {
                bail!("unknown import: `{what}` has not been defined")
            })?;
        }
        Ok(())
    }

    /// Makes every function import of `module` that is not defined a
    /// function that returns zeros (and null references).
    pub fn define_unknown_imports_as_default_values(&mut self, module: &Module) -> Result<()> {
        for import in module.imports() {
            if self.map.contains_key(&(import.module().to_string(), import.name().to_string())) {
                continue;
            }
            if let ExternType::Func(ty) = import.ty() {
                self.func_new(import.module(), import.name(), ty.clone(), move |_, _, results| {
                    for (r, t) in results.iter_mut().zip(ty.results()) {
                        *r = Val::default_for(*t);
                    }
                    Ok(())
                })?;
            }
        }
        Ok(())
    }

    /// The definition of `module::name`.
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        let def = self.map.get(&(module.to_string(), name.to_string()))?;
        Some(self.materialize(&mut store, def))
    }

    fn materialize(&self, store: &mut impl AsContextMut<Data = T>, def: &Definition) -> Extern {
        match def {
            Definition::Extern(e) => *e,
            Definition::HostFunc(h) => {
                Extern::Func(Func::from_host(&mut store.as_context_mut().0.core, h.clone()))
            }
        }
    }

    /// The resolved imports of `module`, in order.
    pub(crate) fn resolve(
        &self,
        store: &mut impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Vec<Extern>> {
        module
            .imports()
            .map(|import| {
                let def = self
                    .map
                    .get(&(import.module().to_string(), import.name().to_string()))
                    .with_context(|| {
                    format!(
                        "unknown import: `{}::{}` has not been defined",
                        import.module(),
                        import.name()
                    )
                })?;
                Ok(self.materialize(store, def))
            })
            .collect()
    }

    /// Instantiates `module`, resolving its imports by name, and runs its
    /// start function.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance> {
        let imports = self.resolve(&mut store, module)?;
        let ctx = store.as_context_mut();
        let inst = instantiate(&mut ctx.0.core, module, &imports)?;
        Instance::start(ctx.0, inst, module)?;
        Ok(inst)
    }

    /// The default export of instance `module` defined in this linker: the
    /// function named `""` or `_start`.
    pub fn get_default(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
    ) -> Result<Func> {
        for name in ["", "_start"] {
            if let Some(Extern::Func(f)) = self.get(&mut store, module, name) {
                return Ok(f);
            }
        }
        bail!("no default export found for module `{module}`")
    }

    /// Every definition, materialising host functions in `store`.
    pub fn iter<'a>(
        &'a self,
        mut store: impl AsContextMut<Data = T> + 'a,
    ) -> impl Iterator<Item = (&'a str, &'a str, Extern)> + 'a {
        self.map
            .iter()
            .map(move |((m, n), def)| (m.as_str(), n.as_str(), self.materialize(&mut store, def)))
    }
}
