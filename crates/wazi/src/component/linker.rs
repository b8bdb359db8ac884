//! [`Linker`]: host definitions (functions, resources, modules) by name,
//! matched to a component's imports when it is instantiated. Interface
//! names with versions match semver-compatibly: `wasi:io/streams@0.2.0`
//! finds a definition of `wasi:io/streams@0.2.12`.

use super::abi::Cx;
use super::abi_types::FuncTy;
use super::func::LowerSite;
use super::instance::{self, ComponentValue, Instance, Item};
use super::load::{ComponentDef, Init};
use super::resources::{ResourceKind, ResourceType};
use super::store::{Components, FuncData, HostDtor, Resources};
use super::typed::{self, ComponentNamedList, Lift, Lower, ResourceTypes};
use super::values::Val;
use super::{Component, func};
use crate::engine::Engine;
use crate::module::Module;
use crate::store::{AsContextMut, StoreContextMut, StoreInner, Stored};
use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::sync::Arc;
use wasmparser::component_types::{ComponentAnyTypeId, ComponentEntityType, ResourceId};
use wasmparser::types::TypesRef;

type Entry<T> = dyn Fn(&mut StoreInner<T>, &Arc<LowerSite>, &mut [u64]) -> Result<()> + Send + Sync;
type Dynamic<T> = dyn Fn(StoreContextMut<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync;
type Typecheck = dyn Fn(&FuncTy, &ResourceTypes) -> Result<()> + Send + Sync;

/// A host function as the linker holds it.
pub(crate) struct HostComponentFunc<T> {
    typecheck: Box<Typecheck>,
    /// Called from a lowered import: lifts the arguments from the caller's
    /// core values, runs, and lowers the result.
    pub entry: Box<Entry<T>>,
    /// Called with values (`Func::call` on a re-exported host function).
    dynamic: Option<Box<Dynamic<T>>>,
    /// `entry` sets an async lowering's status itself (the call may still
    /// be running when it returns).
    pub concurrent: bool,
}

enum Def<T> {
    Func(Arc<HostComponentFunc<T>>),
    Instance(Namespace<T>),
    Resource(ResourceType, Arc<HostDtor>),
    Module(Module),
}

impl<T> Def<T> {
    fn desc(&self) -> &'static str {
        match self {
            Def::Func(_) => "func",
            Def::Instance(_) => "instance",
            Def::Resource(..) => "resource",
            Def::Module(_) => "module",
        }
    }
}

struct Namespace<T> {
    defs: Vec<(String, Def<T>)>,
}

impl<T> Default for Namespace<T> {
    fn default() -> Self {
        Namespace { defs: Vec::new() }
    }
}

/// The part of a versioned name that decides compatibility: `0.2` for
/// `0.2.x`, `1` for `1.x.y`, the whole version for `0.0.x` and
/// pre-releases.
fn compat_key(name: &str) -> Option<(&str, String)> {
    let (base, version) = name.rsplit_once('@')?;
    let v = semver::Version::parse(version).ok()?;
    let key = if !v.pre.is_empty() || (v.major == 0 && v.minor == 0) {
        v.to_string()
    } else if v.major == 0 {
        format!("0.{}", v.minor)
    } else {
        v.major.to_string()
    };
    Some((base, key))
}

impl<T> Namespace<T> {
    fn get(&self, name: &str) -> Option<&Def<T>> {
        if let Some((_, d)) = self.defs.iter().find(|(n, _)| n == name) {
            return Some(d);
        }
        // Semver-compatible match: the newest compatible definition.
        let (base, key) = compat_key(name)?;
        self.defs
            .iter()
            .filter_map(|(n, d)| {
                let (b, k) = compat_key(n)?;
                let v = semver::Version::parse(n.rsplit_once('@')?.1).ok()?;
                (b == base && k == key).then_some((v, d))
            })
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, d)| d)
    }

    fn insert(&mut self, name: &str, def: Def<T>, shadow: bool) -> Result<()> {
        if let Some(i) = self.defs.iter().position(|(n, _)| n == name) {
            if !shadow {
                bail!("import of `{name}` defined twice");
            }
            self.defs[i].1 = def;
        } else {
            self.defs.push((name.to_string(), def));
        }
        Ok(())
    }
}

/// Host definitions for instantiating components.
///
/// An imported interface is an instance of the linker; its name matches
/// semver-compatibly, so a component importing `example:math/ops@0.1.0` gets
/// the host's `@0.1.2`. Host functions reach the store's data:
///
/// ```
/// use wazi::{Engine, Store, StoreContextMut};
/// use wazi::component::{Component, Linker};
/// let engine = Engine::default();
/// let component = Component::new(&engine, r#"(component
///     (import "example:math/ops@0.1.0" (instance $ops
///         (export "mul" (func (param "a" s32) (param "b" s32) (result s32)))))
///     (alias export $ops "mul" (func $mul))
///     (core func $mul' (canon lower (func $mul)))
///     (core module $m
///         (import "ops" "mul" (func $mul (param i32 i32) (result i32)))
///         (func (export "square") (param i32) (result i32)
///             (call $mul (local.get 0) (local.get 0))))
///     (core instance $i (instantiate $m (with "ops" (instance (export "mul" (func $mul'))))))
///     (func (export "square") (param "x" s32) (result s32)
///         (canon lift (core func $i "square"))))"#)?;
/// let mut linker = Linker::new(&engine);
/// linker.instance("example:math/ops@0.1.2")?.func_wrap(
///     "mul",
///     |mut store: StoreContextMut<'_, u32>, (a, b): (i32, i32)| {
///         *store.data_mut() += 1;
///         Ok((a * b,))
///     },
/// )?;
/// let mut store = Store::new(&engine, 0u32);
/// let instance = linker.instantiate(&mut store, &component)?;
/// let square = instance.get_typed_func::<(i32,), (i32,)>(&mut store, "square")?;
/// assert_eq!(square.call(&mut store, (-12,))?, (144,));
/// assert_eq!(*store.data(), 1);
/// # Ok::<(), wazi::Error>(())
/// ```
pub struct Linker<T> {
    engine: Engine,
    root: Namespace<T>,
    allow_shadowing: bool,
}

/// A place in a [`Linker`]: its root or a named instance.
pub struct LinkerInstance<'a, T> {
    ns: &'a mut Namespace<T>,
    allow_shadowing: bool,
}

impl<T: 'static> Linker<T> {
    /// An empty linker for components of `engine`.
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker { engine: engine.clone(), root: Namespace::default(), allow_shadowing: false }
    }

    /// The engine the linker's definitions are for.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether later definitions may replace earlier ones of the same name.
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Linker<T> {
        self.allow_shadowing = allow;
        self
    }

    /// The root namespace (imports that are not instances).
    pub fn root(&mut self) -> LinkerInstance<'_, T> {
        LinkerInstance { ns: &mut self.root, allow_shadowing: self.allow_shadowing }
    }

    /// The instance `name` (created if needed), e.g. `wasi:cli/stdout@0.2.12`.
    pub fn instance(&mut self, name: &str) -> Result<LinkerInstance<'_, T>> {
        let shadow = self.allow_shadowing;
        self.root.instance(name, shadow)
    }

    /// Resolves and type-checks the imports of `component` once, for
    /// instantiating it many times ([`InstancePre::instantiate`]).
    pub fn instantiate_pre(&self, component: &Component) -> Result<InstancePre<T>> {
        let def = &component.def;
        let types = def.types();
        // Match every import to a definition, checking kinds and shapes.
        let mut plans = Vec::with_capacity(def.imports.len());
        let mut resources = HashMap::new();
        let import_names = def.inits.iter().filter_map(|i| match i {
            Init::Import { name, .. } => Some(name),
            _ => None,
        });
        for ((full, ty), name) in def.imports.iter().zip(import_names) {
            let plan = plan(types, *ty, self.root.get(full), &mut resources)
                .with_context(|| import_error(*ty, full))?;
            plans.push((name.clone(), full.clone(), *ty, plan));
        }
        // The host functions' signatures are checked against the resource
        // types the imports bring.
        let dense: Resources =
            def.resource_ids.iter().map(|id| resources.get(id).copied()).collect::<Vec<_>>().into();
        let mut checked = Vec::with_capacity(plans.len());
        for (name, full, ty, plan) in plans {
            let plan = check(def, &dense, ty, plan).with_context(|| import_error(ty, &full))?;
            checked.push((name, plan));
        }
        Ok(InstancePre {
            component: component.clone(),
            engine: self.engine.clone(),
            imports: Arc::new(checked),
            resources: dense,
        })
    }

    /// Instantiates `component`, resolving its imports from this linker.
    pub fn instantiate(
        &self,
        store: impl AsContextMut<Data = T>,
        component: &Component,
    ) -> Result<Instance> {
        self.instantiate_pre(component)?.instantiate(store)
    }

    /// Defines every function import of `component` that this linker lacks
    /// as a function that traps when called, and every resource type it
    /// lacks as a host resource of its own (as wasmtime does).
    pub fn define_unknown_imports_as_traps(&mut self, component: &Component) -> Result<()> {
        let def = component.def.clone();
        let types = def.types();
        for (full, ty) in &def.imports {
            stub_imports(types, *ty, full, &mut self.root)?;
        }
        Ok(())
    }
}

fn stub_imports<T: 'static>(
    types: TypesRef<'_>,
    ty: ComponentEntityType,
    name: &str,
    ns: &mut Namespace<T>,
) -> Result<()> {
    match ty {
        ComponentEntityType::Func(_) if ns.get(name).is_none() => {
            let n = name.to_string();
            ns.insert(
                name,
                Def::Func(Arc::new(HostComponentFunc {
                    typecheck: Box::new(|_, _| Ok(())),
                    entry: Box::new(move |_, _, _| {
                        bail!("unknown import: `{n}` has not been defined")
                    }),
                    dynamic: None,
                    concurrent: false,
                })),
                false,
            )?;
        }
        ComponentEntityType::Type { referenced: ComponentAnyTypeId::Resource(_), .. }
            if ns.get(name).is_none() =>
        {
            /// The host type of resources a linker stubs.
            struct UnknownImport;
            let dtor: Arc<HostDtor> = Arc::new(|_, _| Ok(()));
            ns.insert(name, Def::Resource(ResourceType::host::<UnknownImport>(), dtor), false)?;
        }
        ComponentEntityType::Instance(id) => {
            if ns.get(name).is_none() {
                ns.insert(name, Def::Instance(Namespace::default()), false)?;
            }
            let Some(Def::Instance(_)) = ns.get(name) else { return Ok(()) };
            let i = ns.defs.iter().position(|(n, _)| n == name);
            let Some(i) = i else { return Ok(()) };
            let Def::Instance(inner) = &mut ns.defs[i].1 else { return Ok(()) };
            for (export, item) in types[id].exports.iter() {
                stub_imports(types, item.ty, export, inner)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn desc(ty: ComponentEntityType) -> &'static str {
    match ty {
        ComponentEntityType::Module(_) => "module",
        ComponentEntityType::Func(_) => "func",
        ComponentEntityType::Value(_) => "value",
        ComponentEntityType::Type { .. } => "type",
        ComponentEntityType::Instance(_) => "instance",
        ComponentEntityType::Component(_) => "component",
    }
}

/// What an import resolves to, before functions are put in the store.
/// A component whose imports a [`Linker`] resolved and checked
/// ([`Linker::instantiate_pre`]): instantiating it again costs only the
/// instance's own setup.
pub struct InstancePre<T> {
    component: Component,
    engine: Engine,
    imports: Arc<Vec<(String, Checked<T>)>>,
    resources: Resources,
}

impl<T> Clone for InstancePre<T> {
    fn clone(&self) -> Self {
        InstancePre {
            component: self.component.clone(),
            engine: self.engine.clone(),
            imports: self.imports.clone(),
            resources: self.resources.clone(),
        }
    }
}

impl<T: 'static> InstancePre<T> {
    /// The component this instantiates.
    pub fn component(&self) -> &Component {
        &self.component
    }

    /// A new instance of the component in `store`.
    pub fn instantiate(&self, mut store: impl AsContextMut<Data = T>) -> Result<Instance> {
        let inner = store.as_context_mut().0;
        if !Engine::same(&self.engine, &inner.core.engine) {
            bail!("cross-`Engine` instantiation is not currently supported");
        }
        let def = &self.component.def;
        let mut args = HashMap::with_capacity(self.imports.len());
        for (name, item) in self.imports.iter() {
            args.insert(name.clone(), realize(inner, &self.resources, item));
        }
        let value = ComponentValue { def: def.clone(), closure: None };
        let inst = instance::instantiate(inner, &value, &args, None)?;
        let exported = &mut inner.core.ext.components_mut().exported;
        exported.push(inst);
        Ok(Instance(Stored { store: inner.core.id, index: exported.len() as u32 - 1 }))
    }
}

fn import_error(ty: ComponentEntityType, full: &str) -> String {
    format!(
        "component imports {} `{full}`, but a matching implementation was not found in the linker",
        desc(ty)
    )
}

/// An import resolved and type-checked: what each instantiation needs.
enum Checked<T> {
    Func { func: Arc<HostComponentFunc<T>>, dynamic: Arc<super::store::DynamicFn>, ty: Arc<FuncTy> },
    Instance(Vec<(String, Checked<T>)>),
    Resource(ResourceType, Arc<HostDtor>),
    Type(Option<ResourceType>),
    Module(Module),
}

enum Plan<T> {
    Func(Arc<HostComponentFunc<T>>, wasmparser::component_types::ComponentFuncTypeId),
    Instance(Vec<(String, Plan<T>)>),
    Resource(ResourceType, Arc<HostDtor>),
    /// A resource imported earlier, named again (an `eq` bound).
    KnownResource(ResourceType),
    Type,
    Module(Module),
}

fn plan<T>(
    types: TypesRef<'_>,
    ty: ComponentEntityType,
    actual: Option<&Def<T>>,
    known: &mut HashMap<ResourceId, ResourceType>,
) -> Result<Plan<T>> {
    Ok(match ty {
        ComponentEntityType::Func(id) => match actual {
            Some(Def::Func(f)) => Plan::Func(f.clone(), id),
            Some(d) => bail!("expected function found {}", d.desc()),
            None => bail!("function implementation is missing"),
        },
        ComponentEntityType::Instance(id) => {
            let ns = match actual {
                Some(Def::Instance(ns)) => Some(ns),
                Some(d) => bail!("expected instance found {}", d.desc()),
                None => None,
            };
            let mut items = Vec::new();
            for (name, item) in types[id].exports.iter() {
                // Non-resource types need no definition.
                if let ComponentEntityType::Type { referenced, .. } = item.ty
                    && !matches!(referenced, ComponentAnyTypeId::Resource(_))
                {
                    items.push((name.clone(), Plan::Type));
                    continue;
                }
                let p = plan(types, item.ty, ns.and_then(|ns| ns.get(name)), known)
                    .with_context(|| format!("instance export `{name}` has the wrong type"))?;
                items.push((name.clone(), p));
            }
            Plan::Instance(items)
        }
        ComponentEntityType::Type { referenced, created } => match referenced {
            ComponentAnyTypeId::Resource(r) => {
                let prior = known.get(&r.resource()).copied();
                let rt = match (actual, prior) {
                    (Some(Def::Resource(rt, _)), Some(p)) if *rt != p => {
                        bail!("mismatched resource types")
                    }
                    (Some(Def::Resource(rt, _)), _) => *rt,
                    // An `(eq ...)` import of a resource already imported
                    // needs no definition of its own.
                    (None, Some(p)) => p,
                    (Some(d), _) => bail!("expected resource found {}", d.desc()),
                    (None, None) => bail!("resource implementation is missing"),
                };
                for id in [created, referenced] {
                    if let ComponentAnyTypeId::Resource(r) = id {
                        known.insert(r.resource(), rt);
                    }
                }
                match actual {
                    Some(Def::Resource(_, dtor)) => Plan::Resource(rt, dtor.clone()),
                    _ => Plan::KnownResource(rt),
                }
            }
            // A defined type (a world's own record, variant, enum, ...) is
            // fully given by its `eq` bound: nothing to supply, as in
            // wasmtime.
            _ => match actual {
                Some(d) => bail!("expected type found {}", d.desc()),
                None => Plan::Type,
            },
        },
        ComponentEntityType::Module(_) => match actual {
            Some(Def::Module(m)) => Plan::Module(m.clone()),
            Some(d) => bail!("expected module found {}", d.desc()),
            None => bail!("module implementation is missing"),
        },
        ComponentEntityType::Component(_) => match actual {
            Some(d) => bail!("expected component found {}", d.desc()),
            None => bail!("component implementation is missing"),
        },
        ComponentEntityType::Value(_) => bail!("value imports are not supported"),
    })
}

/// Type-checks the host functions of `plan` against the component's
/// imports.
fn check<T: 'static>(
    def: &ComponentDef,
    resources: &Resources,
    ty: ComponentEntityType,
    plan: Plan<T>,
) -> Result<Checked<T>> {
    Ok(match plan {
        Plan::Func(h, id) => {
            let fty =
                def.import_funcs.get(&id).cloned().with_context(
                    || "the function's type cannot be used through the canonical ABI",
                )?;
            (h.typecheck)(&fty, resources)?;
            let dynamic = h.clone();
            let erased: Arc<super::store::DynamicFn> =
                Arc::new(move |outer: *mut (), params: &[Val], results: &mut [Val]| {
                    // SAFETY: component functions of a store are only
                    // called with that store's `StoreInner<T>`.
                    let inner = unsafe { &mut *(outer as *mut StoreInner<T>) };
                    match &dynamic.dynamic {
                        Some(f) => f(StoreContextMut(inner), params, results),
                        None => bail!("this host function can only be called from a component"),
                    }
                });
            Checked::Func { func: h, dynamic: erased, ty: fty }
        }
        Plan::Instance(items) => {
            let ComponentEntityType::Instance(id) = ty else { unreachable!() };
            let types = def.types();
            let mut out = Vec::with_capacity(items.len());
            for ((name, p), (_, item)) in items.into_iter().zip(types[id].exports.iter()) {
                let item = check(def, resources, item.ty, p)
                    .with_context(|| format!("instance export `{name}` has the wrong type"))?;
                out.push((name, item));
            }
            Checked::Instance(out)
        }
        Plan::Resource(rt, dtor) => Checked::Resource(rt, dtor),
        Plan::KnownResource(rt) => Checked::Type(Some(rt)),
        Plan::Type => Checked::Type(None),
        Plan::Module(m) => Checked::Module(m),
    })
}

/// The store-side items of a checked import.
fn realize<T: 'static>(inner: &mut StoreInner<T>, resources: &Resources, c: &Checked<T>) -> Item {
    match c {
        Checked::Func { func, dynamic, ty } => {
            let funcs = &mut inner.core.ext.components_mut().funcs;
            funcs.push(FuncData::Host {
                func: func.clone(),
                dynamic: dynamic.clone(),
                ty: ty.clone(),
                resources: resources.clone(),
            });
            Item::Func(funcs.len() as u32 - 1)
        }
        Checked::Instance(items) => {
            let out = items
                .iter()
                .map(|(name, item)| (name.clone(), realize(inner, resources, item)))
                .collect();
            Item::Instance(Arc::new(instance::InstanceValue { items: out }))
        }
        Checked::Resource(rt, dtor) => {
            if let ResourceKind::Host(tid) = rt.0 {
                inner.core.ext.components_mut().host_dtors.insert(tid, dtor.clone());
            }
            Item::Type(Some(*rt))
        }
        Checked::Type(rt) => Item::Type(*rt),
        Checked::Module(m) => Item::Module(m.clone()),
    }
}

impl<T> Namespace<T> {
    fn instance(&mut self, name: &str, shadow: bool) -> Result<LinkerInstance<'_, T>> {
        let i = match self.defs.iter().position(|(n, _)| n == name) {
            Some(i) => {
                if !matches!(self.defs[i].1, Def::Instance(_)) {
                    if !shadow {
                        bail!("import of `{name}` defined twice");
                    }
                    self.defs[i].1 = Def::Instance(Namespace::default());
                }
                i
            }
            None => {
                self.defs.push((name.to_string(), Def::Instance(Namespace::default())));
                self.defs.len() - 1
            }
        };
        let Def::Instance(ns) = &mut self.defs[i].1 else { unreachable!() };
        Ok(LinkerInstance { ns, allow_shadowing: shadow })
    }
}

/// Lifts a lowered call's arguments as values and runs `f` on them; the
/// borrows lent for the call end when `f` returns.
fn with_lifted<T: 'static, R>(
    inner: &mut StoreInner<T>,
    site: &LowerSite,
    slots: &[u64],
    f: impl FnOnce(StoreContextMut<'_, T>, &[Val]) -> R,
) -> Result<R> {
    let (r, lenders) = with_lifted_lending(inner, site, slots, f)?;
    end_lends(inner, site, lenders);
    Ok(r)
}

/// As [`with_lifted`], but the handles lent for `borrow` parameters stay
/// lent: the caller ends the lends ([`end_lends`]) when the call is over.
fn with_lifted_lending<T: 'static, R>(
    inner: &mut StoreInner<T>,
    site: &LowerSite,
    slots: &[u64],
    f: impl FnOnce(StoreContextMut<'_, T>, &[Val]) -> R,
) -> Result<(R, Vec<u32>)> {
    let (params, lenders, borrows) = {
        let mut cx = Cx::new(&mut inner.core, &site.opts, &site.resources, false);
        let p = func::lift_params(&mut cx, &site.ty, slots)?;
        (p, std::mem::take(&mut cx.lenders), std::mem::take(&mut cx.host_borrows))
    };
    let r = f(StoreContextMut(inner), &params);
    Cx::end_host_borrows(&mut inner.core, borrows);
    Ok((r, lenders))
}

/// What a concurrent host function returned, given to its caller: a
/// call that goes on keeps its `borrow` arguments lent until it is done
/// (the caller cannot drop them meanwhile).
fn concurrent_result<T: 'static>(
    inner: &mut StoreInner<T>,
    site: &Arc<LowerSite>,
    slots: &mut [u64],
    r: Result<super::HostCall<T>>,
    lenders: Vec<u32>,
) -> Result<()> {
    let v = match r {
        Ok(super::HostCall::Pending(p)) => {
            return super::concurrent::host_pending::<T>(&mut inner.core, site, slots, p, lenders);
        }
        Ok(super::HostCall::Ready(v)) => {
            end_lends(inner, site, lenders);
            v
        }
        Err(e) => {
            end_lends(inner, site, lenders);
            return Err(e);
        }
    };
    let mut cx = Cx::new(&mut inner.core, &site.opts, &site.resources, false);
    func::lower_result(&mut cx, &site.ty, site.retptr_index(), v.as_ref(), slots)?;
    if site.opts.async_ {
        slots[0] = 2;
    }
    Ok(())
}

/// Ends the lends of a call from `site`'s instance.
fn end_lends<T: 'static>(inner: &mut StoreInner<T>, site: &LowerSite, lenders: Vec<u32>) {
    for i in lenders {
        inner.core.ext.components_mut().handles(site.opts.instance).undo_lend(i);
    }
}

impl<T: 'static> LinkerInstance<'_, T> {
    /// The nested instance `name` (created if needed).
    pub fn instance(&mut self, name: &str) -> Result<LinkerInstance<'_, T>> {
        self.ns.instance(name, self.allow_shadowing)
    }

    /// Defines a host function from a closure over typed parameters (a
    /// tuple) and a typed result (`()` or `(T,)`).
    pub fn func_wrap<Params, Results, F>(&mut self, name: &str, f: F) -> Result<()>
    where
        Params: ComponentNamedList + Lift + 'static,
        Results: ComponentNamedList + Lower + 'static,
        F: Fn(StoreContextMut<'_, T>, Params) -> Result<Results> + Send + Sync + 'static,
    {
        let entry = move |inner: &mut StoreInner<T>, site: &Arc<LowerSite>, slots: &mut [u64]| {
            let inst = site.opts.instance;
            let (params, lenders, borrows) = {
                let mut cx = Cx::new(&mut inner.core, &site.opts, &site.resources, false);
                let p = typed::lift_params::<Params>(&mut cx, &site.ty, slots)?;
                (p, std::mem::take(&mut cx.lenders), std::mem::take(&mut cx.host_borrows))
            };
            let r = f(StoreContextMut(inner), params);
            for i in lenders {
                inner.core.ext.components_mut().handles(inst).undo_lend(i);
            }
            Cx::end_host_borrows(&mut inner.core, borrows);
            let r = r?;
            let mut cx = Cx::new(&mut inner.core, &site.opts, &site.resources, false);
            typed::lower_result(&mut cx, &site.ty, site.retptr_index(), &r, slots)
        };
        let typecheck = |ty: &FuncTy, r: &ResourceTypes| -> Result<()> {
            Params::typecheck(&ty.params_tuple, r).context("type mismatch with parameters")?;
            Results::typecheck(&ty.results_tuple, r).context("type mismatch with results")
        };
        let host = HostComponentFunc {
            typecheck: Box::new(typecheck),
            entry: Box::new(entry),
            dynamic: None,
            concurrent: false,
        };
        self.ns.insert(name, Def::Func(Arc::new(host)), self.allow_shadowing)
    }

    /// Defines a host function over [`Val`]s: any signature is accepted;
    /// the closure gets the arguments and fills in the result.
    pub fn func_new<F>(&mut self, name: &str, f: F) -> Result<()>
    where
        F: Fn(StoreContextMut<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    {
        let f = Arc::new(f);
        let g = f.clone();
        let entry = move |inner: &mut StoreInner<T>, site: &Arc<LowerSite>, slots: &mut [u64]| {
            let mut results = vec![Val::Bool(false); site.ty.result.is_some() as usize];
            let r = with_lifted(inner, site, slots, |s, params| g(s, params, &mut results))?;
            r?;
            let mut cx = Cx::new(&mut inner.core, &site.opts, &site.resources, false);
            func::lower_result(&mut cx, &site.ty, site.retptr_index(), results.first(), slots)
        };
        let dynamic = move |store: StoreContextMut<'_, T>, p: &[Val], r: &mut [Val]| f(store, p, r);
        let host = HostComponentFunc {
            typecheck: Box::new(|_, _| Ok(())),
            entry: Box::new(entry),
            dynamic: Some(Box::new(dynamic)),
            concurrent: false,
        };
        self.ns.insert(name, Def::Func(Arc::new(host)), self.allow_shadowing)
    }

    /// Defines a host function over [`Val`]s that may go on after it
    /// returns: it gives [`HostCall::Ready`](super::HostCall::Ready) with the result, or
    /// [`HostCall::Pending`](super::HostCall::Pending), and then the caller waits for the result
    /// while the store's other tasks run (an `async`-lowered caller gets a
    /// subtask at once). Typically an `async` function of WASI 0.3.
    pub fn func_new_concurrent<F>(&mut self, name: &str, f: F) -> Result<()>
    where
        F: Fn(StoreContextMut<'_, T>, &[Val]) -> Result<super::HostCall<T>> + Send + Sync + 'static,
    {
        let entry = move |inner: &mut StoreInner<T>, site: &Arc<LowerSite>, slots: &mut [u64]| {
            let (r, lenders) = with_lifted_lending(inner, site, slots, |s, params| f(s, params))?;
            concurrent_result(inner, site, slots, r, lenders)
        };
        let host = HostComponentFunc {
            typecheck: Box::new(|_, _| Ok(())),
            entry: Box::new(entry),
            dynamic: None,
            concurrent: true,
        };
        self.ns.insert(name, Def::Func(Arc::new(host)), self.allow_shadowing)
    }

    /// As [`func_new_concurrent`](Self::func_new_concurrent), typed: the
    /// parameters (a tuple) and result (`()` or `(T,)`) are checked
    /// against the import's type when it is linked. A call that goes on
    /// ([`HostAsync::Pending`](super::HostAsync::Pending)) gives its result
    /// as a [`Val`] when it is done.
    pub fn func_wrap_concurrent<Params, Results, F>(&mut self, name: &str, f: F) -> Result<()>
    where
        Params: ComponentNamedList + Lift + 'static,
        Results: ComponentNamedList + Lower + 'static,
        F: Fn(StoreContextMut<'_, T>, Params) -> Result<super::HostAsync<T, Results>>
            + Send
            + Sync
            + 'static,
    {
        let entry = move |inner: &mut StoreInner<T>, site: &Arc<LowerSite>, slots: &mut [u64]| {
            let (params, lenders, borrows) = {
                let mut cx = Cx::new(&mut inner.core, &site.opts, &site.resources, false);
                let p = typed::lift_params::<Params>(&mut cx, &site.ty, slots)?;
                (p, std::mem::take(&mut cx.lenders), std::mem::take(&mut cx.host_borrows))
            };
            let r = f(StoreContextMut(inner), params);
            Cx::end_host_borrows(&mut inner.core, borrows);
            let r = match r {
                Ok(super::HostAsync::Pending(p)) => {
                    let r = Ok(super::HostCall::Pending(p));
                    return concurrent_result(inner, site, slots, r, lenders);
                }
                Ok(super::HostAsync::Ready(r)) => r,
                Err(e) => {
                    end_lends(inner, site, lenders);
                    return Err(e);
                }
            };
            end_lends(inner, site, lenders);
            let mut cx = Cx::new(&mut inner.core, &site.opts, &site.resources, false);
            typed::lower_result(&mut cx, &site.ty, site.retptr_index(), &r, slots)?;
            if site.opts.async_ {
                slots[0] = 2;
            }
            Ok(())
        };
        let typecheck = |ty: &FuncTy, r: &ResourceTypes| -> Result<()> {
            Params::typecheck(&ty.params_tuple, r).context("type mismatch with parameters")?;
            Results::typecheck(&ty.results_tuple, r).context("type mismatch with results")
        };
        let host = HostComponentFunc {
            typecheck: Box::new(typecheck),
            entry: Box::new(entry),
            dynamic: None,
            concurrent: true,
        };
        self.ns.insert(name, Def::Func(Arc::new(host)), self.allow_shadowing)
    }

    /// Defines resource type `name` as `ty` (typically
    /// [`ResourceType::host::<R>()`]); `dtor` runs when a guest drops an
    /// owned handle, with the resource's representation.
    pub fn resource(
        &mut self,
        name: &str,
        ty: ResourceType,
        dtor: impl Fn(StoreContextMut<'_, T>, u32) -> Result<()> + Send + Sync + 'static,
    ) -> Result<()> {
        if !matches!(ty.0, ResourceKind::Host(_)) {
            bail!("only host resource types can be defined in a linker");
        }
        let erased: Arc<HostDtor> = Arc::new(move |outer: *mut (), rep: u32| {
            // SAFETY: destructors of a store are only called with that
            // store's `StoreInner<T>`.
            let inner = unsafe { &mut *(outer as *mut StoreInner<T>) };
            dtor(StoreContextMut(inner), rep)
        });
        self.ns.insert(name, Def::Resource(ty, erased), self.allow_shadowing)
    }

    /// Defines core module `name`.
    pub fn module(&mut self, name: &str, module: &Module) -> Result<()> {
        self.ns.insert(name, Def::Module(module.clone()), self.allow_shadowing)
    }
}
