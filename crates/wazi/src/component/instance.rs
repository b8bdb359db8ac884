//! Instantiation: running a component's initializers against index spaces
//! of run-time values, and [`Instance`], the embedder's handle to the
//! result.

use super::func::{self, Callee, LowerSite};
use super::load::{ComponentDef, Init, OptsDef};
use super::resources::{ResourceKind, ResourceType};
use super::store::{
    Components, FuncData, GuestResource, InstanceId, LiftedFunc, Options, Resources,
};
use crate::extern_::{Extern, Global, Memory, Table};
use crate::func::Func as CoreFunc;
use crate::instance::Instance as CoreInstance;
use crate::module::Module;
use crate::store::{AsContext, AsContextMut, StoreContextMut, StoreInner, Stored};
use anyhow::{Context, Result, anyhow, bail};
use std::collections::HashMap;
use std::sync::Arc;
use wasmparser::component_types::{ComponentAnyTypeId, ComponentEntityType, ResourceId};
use wasmparser::types::TypesRef;
use wasmparser::{ComponentExternalKind, ComponentOuterAliasKind, ExternalKind};

/// A run-time value of a component's index spaces.
#[derive(Clone)]
pub(crate) enum Item {
    /// A component function (index in the store's component functions).
    Func(u32),
    Instance(Arc<InstanceValue>),
    Component(ComponentValue),
    Module(Module),
    /// A type; only resource types have a run-time identity.
    Type(Option<ResourceType>),
}

impl Item {
    pub fn kind(&self) -> &'static str {
        match self {
            Item::Func(_) => "function",
            Item::Instance(_) => "instance",
            Item::Component(_) => "component",
            Item::Module(_) => "module",
            Item::Type(_) => "type",
        }
    }
}

/// The exports of a component instance.
#[derive(Default)]
pub(crate) struct InstanceValue {
    pub items: Vec<(String, Item)>,
}

impl InstanceValue {
    pub fn get(&self, name: &str) -> Option<&Item> {
        self.items.iter().find(|(n, _)| n == name).map(|(_, i)| i)
    }
}

/// A component together with what its outer aliases refer to.
#[derive(Clone)]
pub(crate) struct ComponentValue {
    pub def: Arc<ComponentDef>,
    pub closure: Option<Arc<Closure>>,
}

/// The enclosing component's definitions, as a nested component saw them
/// when it was defined.
pub(crate) struct Closure {
    modules: Vec<Module>,
    components: Vec<ComponentValue>,
    resources: HashMap<ResourceId, ResourceType>,
    parent: Option<Arc<Closure>>,
}

impl Closure {
    fn resource(&self, id: ResourceId) -> Option<ResourceType> {
        match self.resources.get(&id) {
            Some(r) => Some(*r),
            None => self.parent.as_ref()?.resource(id),
        }
    }

    fn up(self: &Arc<Closure>, count: u32) -> Result<&Arc<Closure>> {
        let mut c = self;
        for _ in 1..count {
            c = c.parent.as_ref().context("outer alias beyond the outermost component")?;
        }
        Ok(c)
    }
}

enum CoreInst {
    Instance(CoreInstance),
    Exports(Vec<(String, Extern)>),
}

/// The index spaces of one component being instantiated.
struct Scope<'d> {
    def: &'d ComponentDef,
    closure: Option<Arc<Closure>>,
    instance: InstanceId,
    core_funcs: Vec<CoreFunc>,
    core_tables: Vec<Table>,
    core_memories: Vec<Memory>,
    core_globals: Vec<Global>,
    core_tags: Vec<crate::Tag>,
    core_modules: Vec<Module>,
    core_instances: Vec<CoreInst>,
    funcs: Vec<u32>,
    instances: Vec<Arc<InstanceValue>>,
    components: Vec<ComponentValue>,
    resource_map: HashMap<ResourceId, ResourceType>,
    /// Run-time types by dense resource index, and a shared copy of it.
    dense: Vec<Option<ResourceType>>,
    snapshot: Option<Resources>,
    exports: Vec<(String, Item)>,
}

impl Scope<'_> {
    fn types(&self) -> TypesRef<'_> {
        self.def.types()
    }

    fn resource(&self, id: ResourceId) -> Option<ResourceType> {
        match self.resource_map.get(&id) {
            Some(r) => Some(*r),
            None => self.closure.as_ref()?.resource(id),
        }
    }

    fn set_resource(&mut self, id: ResourceId, rt: ResourceType) {
        self.resource_map.insert(id, rt);
        if let Some(i) = self.def.resource_ids.iter().position(|r| *r == id) {
            self.dense[i] = Some(rt);
            self.snapshot = None;
        }
    }

    fn resources(&mut self) -> Resources {
        if let Some(s) = &self.snapshot {
            return s.clone();
        }
        let s: Resources = self.dense.clone().into();
        self.snapshot = Some(s.clone());
        s
    }

    /// Records the resource types a value of static type `ty` brings.
    fn register(&mut self, ty: ComponentEntityType, item: &Item) {
        let types = self.def.types();
        match (ty, item) {
            (ComponentEntityType::Type { created, referenced }, Item::Type(Some(rt))) => {
                for id in [created, referenced] {
                    if let ComponentAnyTypeId::Resource(r) = id {
                        self.set_resource(r.resource(), *rt);
                    }
                }
            }
            (ComponentEntityType::Instance(id), Item::Instance(inst)) => {
                // Only types and instances can bring resources.
                for (i, (name, export)) in types[id].exports.iter().enumerate() {
                    if !matches!(
                        export.ty,
                        ComponentEntityType::Type { .. } | ComponentEntityType::Instance(_)
                    ) {
                        continue;
                    }
                    // Items usually come in the type's order.
                    let item = match inst.items.get(i) {
                        Some((n, item)) if n == name => Some(item),
                        _ => inst.get(name),
                    };
                    if let Some(item) = item {
                        self.register(export.ty, item);
                    }
                }
            }
            _ => {}
        }
    }

    /// The run-time value of type `index`.
    fn type_item(&self, index: u32) -> Item {
        match self.types().component_any_type_at(index) {
            ComponentAnyTypeId::Resource(r) => Item::Type(self.resource(r.resource())),
            _ => Item::Type(None),
        }
    }

    fn item(&self, kind: ComponentExternalKind, index: u32) -> Result<Item> {
        let i = index as usize;
        Ok(match kind {
            ComponentExternalKind::Func => Item::Func(self.funcs[i]),
            ComponentExternalKind::Instance => Item::Instance(self.instances[i].clone()),
            ComponentExternalKind::Component => Item::Component(self.components[i].clone()),
            ComponentExternalKind::Module => Item::Module(self.core_modules[i].clone()),
            ComponentExternalKind::Type => self.type_item(index),
            ComponentExternalKind::Value => bail!("component values are not supported"),
        })
    }

    fn push(&mut self, item: Item) {
        match item {
            Item::Func(f) => self.funcs.push(f),
            Item::Instance(i) => self.instances.push(i),
            Item::Component(c) => self.components.push(c),
            Item::Module(m) => self.core_modules.push(m),
            Item::Type(_) => {}
        }
    }

    fn core_export(&self, instance: u32, name: &str) -> Result<Extern> {
        let found = match &self.core_instances[instance as usize] {
            CoreInst::Instance(_) => None,
            CoreInst::Exports(list) => list.iter().find(|(n, _)| n == name).map(|(_, e)| *e),
        };
        found.with_context(|| format!("core instance {instance} has no export `{name}`"))
    }

    fn options<T>(&self, inner: &StoreInner<T>, o: &OptsDef) -> Options {
        let core = &inner.core;
        Options {
            instance: self.instance,
            memory: o.memory.map(|m| self.core_memories[m as usize].0.check(core) as u32),
            realloc: o.realloc.map(|f| self.core_funcs[f as usize].0.check(core) as u32),
            post_return: o.post_return.map(|f| self.core_funcs[f as usize].0.check(core) as u32),
            encoding: o.encoding,
            async_: o.async_,
            callback: o.callback.map(|f| self.core_funcs[f as usize].0.check(core) as u32),
        }
    }
}

/// Instantiates `value` in `inner`: `args` are its imports by name.
pub(crate) fn instantiate<T: 'static>(
    inner: &mut StoreInner<T>,
    value: &ComponentValue,
    args: &HashMap<String, Item>,
    parent: Option<InstanceId>,
) -> Result<Arc<InstanceValue>> {
    let def = &*value.def;
    let instance = inner.core.ext.components_mut().new_instance(parent);
    let mut f = Scope {
        def,
        closure: value.closure.clone(),
        instance,
        core_funcs: Vec::new(),
        core_tables: Vec::new(),
        core_memories: Vec::new(),
        core_globals: Vec::new(),
        core_tags: Vec::new(),
        core_modules: Vec::new(),
        core_instances: Vec::new(),
        funcs: Vec::new(),
        instances: Vec::new(),
        components: Vec::new(),
        resource_map: HashMap::new(),
        dense: vec![None; def.resource_ids.len()],
        snapshot: None,
        exports: Vec::new(),
    };
    // Resources of enclosing components that this one refers to.
    if let Some(c) = &f.closure {
        for (i, id) in def.resource_ids.iter().enumerate() {
            f.dense[i] = c.resource(*id);
        }
    }
    for init in &def.inits {
        run_init(inner, &mut f, init, args)?;
    }
    Ok(Arc::new(InstanceValue { items: f.exports }))
}

fn run_init<T: 'static>(
    inner: &mut StoreInner<T>,
    f: &mut Scope<'_>,
    init: &Init,
    args: &HashMap<String, Item>,
) -> Result<()> {
    match init {
        Init::Import { name, ty } => {
            let item = args.get(name).with_context(|| format!("missing import `{name}`"))?.clone();
            f.register(*ty, &item);
            f.push(item);
        }
        Init::Export { name, kind, index } => {
            let item = f.item(*kind, *index)?;
            if let Some(e) = f.types().component_item_for_export(name) {
                let ty = e.ty;
                f.register(ty, &item);
            }
            f.exports.push((name.clone(), item.clone()));
            f.push(item);
        }
        Init::CoreModule(i) => f.core_modules.push(f.def.modules[*i as usize].clone()),
        Init::CoreInstantiate { module, args } => {
            let module = f.core_modules[*module as usize].clone();
            let mut imports = Vec::with_capacity(module.inner.imports.len());
            // Imports come grouped by module: the last argument found is
            // most often the next one's too.
            let mut last: Option<&(String, u32)> = None;
            for import in module.imports() {
                let found = match last {
                    Some(a) if a.0 == import.module() => Some(a),
                    _ => args.iter().find(|(n, _)| n == import.module()),
                };
                let Some(arg @ (_, inst)) = found else {
                    bail!("no instantiation argument named `{}`", import.module());
                };
                last = Some(arg);
                let ext = match &f.core_instances[*inst as usize] {
                    CoreInst::Instance(i) => i.get_export(StoreContextMut(inner), import.name()),
                    CoreInst::Exports(_) => f.core_export(*inst, import.name()).ok(),
                };
                imports.push(ext.with_context(|| {
                    format!(
                        "core instance has no export `{}` to import as `{}::{}`",
                        import.name(),
                        import.module(),
                        import.name()
                    )
                })?);
            }
            let inst = CoreInstance::new(StoreContextMut(inner), &module, &imports)?;
            f.core_instances.push(CoreInst::Instance(inst));
        }
        Init::CoreInstanceExports(exports) => {
            let mut list = Vec::with_capacity(exports.len());
            for (name, kind, index) in exports.iter() {
                let i = *index as usize;
                let ext = match kind {
                    ExternalKind::Func => Extern::Func(f.core_funcs[i]),
                    ExternalKind::Table => Extern::Table(f.core_tables[i]),
                    ExternalKind::Memory => Extern::Memory(f.core_memories[i]),
                    ExternalKind::Global => Extern::Global(f.core_globals[i]),
                    ExternalKind::Tag => Extern::Tag(f.core_tags[i]),
                    ExternalKind::FuncExact => {
                        bail!("core export kind {kind:?} is not supported")
                    }
                };
                list.push((name.clone(), ext));
            }
            f.core_instances.push(CoreInst::Exports(list));
        }
        Init::Component(i) => {
            let closure = Arc::new(Closure {
                modules: f.core_modules.clone(),
                components: f.components.clone(),
                resources: f.resource_map.clone(),
                parent: f.closure.clone(),
            });
            let def = f.def.components[*i as usize].clone();
            f.components.push(ComponentValue { def, closure: Some(closure) });
        }
        Init::Instantiate { component, args, index } => {
            let value = f.components[*component as usize].clone();
            let mut map = HashMap::with_capacity(args.len());
            for (name, kind, i) in args.iter() {
                map.insert(name.clone(), f.item(*kind, *i)?);
            }
            let map = import_args(&value.def, map)?;
            let inst = instantiate(inner, &value, &map, Some(f.instance))?;
            let ty = ComponentEntityType::Instance(f.types().component_instance_at(*index));
            let item = Item::Instance(inst);
            f.register(ty, &item);
            f.push(item);
        }
        Init::InstanceExports { exports, index } => {
            let mut items = Vec::with_capacity(exports.len());
            for (name, kind, i) in exports.iter() {
                items.push((name.clone(), f.item(*kind, *i)?));
            }
            let ty = ComponentEntityType::Instance(f.types().component_instance_at(*index));
            let item = Item::Instance(Arc::new(InstanceValue { items }));
            f.register(ty, &item);
            f.push(item);
        }
        Init::AliasExport { kind, instance, name, type_index } => {
            let inst = f.instances[*instance as usize].clone();
            let item = inst
                .get(name)
                .with_context(|| format!("instance {instance} has no export `{name}`"))?
                .clone();
            if let (ComponentExternalKind::Type, Item::Type(Some(rt))) = (kind, &item)
                && let ComponentAnyTypeId::Resource(r) =
                    f.types().component_any_type_at(*type_index)
            {
                f.set_resource(r.resource(), *rt);
            }
            f.push(item);
        }
        Init::AliasCoreExport { kind, instance, name } => {
            let ext = match &f.core_instances[*instance as usize] {
                CoreInst::Instance(i) => i.get_export(StoreContextMut(inner), name),
                CoreInst::Exports(_) => f.core_export(*instance, name).ok(),
            }
            .with_context(|| format!("core instance {instance} has no export `{name}`"))?;
            match (kind, ext) {
                (ExternalKind::Func, Extern::Func(x)) => f.core_funcs.push(x),
                (ExternalKind::Table, Extern::Table(x)) => f.core_tables.push(x),
                (ExternalKind::Memory, Extern::Memory(x)) => f.core_memories.push(x),
                (ExternalKind::Global, Extern::Global(x)) => f.core_globals.push(x),
                (ExternalKind::Tag, Extern::Tag(x)) => f.core_tags.push(x),
                _ => bail!("core export `{name}` is not a {kind:?}"),
            }
        }
        Init::AliasOuter { kind, count, index } => match kind {
            ComponentOuterAliasKind::CoreModule | ComponentOuterAliasKind::Component => {
                let i = *index as usize;
                let item = if *count == 0 {
                    match kind {
                        ComponentOuterAliasKind::CoreModule => {
                            Item::Module(f.core_modules[i].clone())
                        }
                        _ => Item::Component(f.components[i].clone()),
                    }
                } else {
                    let c =
                        f.closure.as_ref().context("outer alias without an enclosing component")?;
                    let c = c.up(*count)?;
                    match kind {
                        ComponentOuterAliasKind::CoreModule => Item::Module(c.modules[i].clone()),
                        _ => Item::Component(c.components[i].clone()),
                    }
                };
                f.push(item);
            }
            // Types are static; resources among them resolve by identity.
            ComponentOuterAliasKind::Type | ComponentOuterAliasKind::CoreType => {}
        },
        Init::Type { index, resource } => {
            if let Some(dtor) = resource {
                let dtor = dtor.map(|d| f.core_funcs[d as usize].0.check(&inner.core) as u32);
                let comps = inner.core.ext.components_mut();
                comps.guest_resources.push(GuestResource { instance: f.instance, dtor });
                let rt = ResourceType(ResourceKind::Guest {
                    store: inner.core.id,
                    index: comps.guest_resources.len() as u32 - 1,
                });
                if let ComponentAnyTypeId::Resource(r) = f.types().component_any_type_at(*index) {
                    f.set_resource(r.resource(), rt);
                }
            }
        }
        Init::Lift { core_func, ty, opts } => {
            let core = f.core_funcs[*core_func as usize].0.check(&inner.core) as u32;
            let lifted = LiftedFunc {
                core,
                ty: ty.clone(),
                opts: f.options(inner, opts),
                resources: f.resources(),
            };
            let funcs = &mut inner.core.ext.components_mut().funcs;
            funcs.push(FuncData::Lifted(Arc::new(lifted)));
            f.funcs.push(funcs.len() as u32 - 1);
        }
        Init::Lower { func, ty, opts } => {
            let callee =
                match &inner.core.ext.components_mut().funcs[f.funcs[*func as usize] as usize] {
                    FuncData::Lifted(l) => Callee::Lifted(l.clone()),
                    FuncData::Host { func, .. } => Callee::Host(func.clone()),
                };
            let site = LowerSite {
                opts: f.options(inner, opts),
                ty: ty.clone(),
                resources: f.resources(),
                callee,
            };
            let core = func::lower::<T>(&mut inner.core, site)?;
            f.core_funcs.push(core);
        }
        Init::Builtin(b) => {
            let mut b = b.clone();
            let core = &inner.core;
            b.bind(
                |m| f.core_memories[m as usize].0.check(core) as u32,
                |x| f.core_funcs[x as usize].0.check(core) as u32,
                |t| f.core_tables[t as usize].0.check(core) as u32,
            );
            let resources = f.resources();
            let func = super::concurrent::builtin::<T>(&mut inner.core, b, f.instance, resources);
            f.core_funcs.push(func);
        }
        Init::ResourceNew(r) | Init::ResourceDrop(r) | Init::ResourceRep(r) => {
            let rt = f.dense[*r as usize].context("resource type used before it is defined")?;
            let op = match init {
                Init::ResourceNew(_) => func::ResourceOp::New,
                Init::ResourceDrop(_) => func::ResourceOp::Drop,
                _ => func::ResourceOp::Rep,
            };
            let core = func::resource_builtin::<T>(&mut inner.core, op, rt, f.instance);
            f.core_funcs.push(core);
        }
    }
    Ok(())
}

/// Maps instantiation arguments to a component's import names, checking
/// every import is given something of the right kind.
pub(crate) fn import_args(
    def: &ComponentDef,
    mut given: HashMap<String, Item>,
) -> Result<HashMap<String, Item>> {
    let mut out = HashMap::with_capacity(def.imports.len());
    for init in &def.inits {
        let Init::Import { name, ty } = init else { continue };
        let item = given
            .remove(name)
            .with_context(|| format!("missing instantiation argument `{name}`"))?;
        check_kind(name, *ty, &item)?;
        out.insert(name.clone(), item);
    }
    Ok(out)
}

pub(crate) fn check_kind(name: &str, ty: ComponentEntityType, item: &Item) -> Result<()> {
    let ok = matches!(
        (ty, item),
        (ComponentEntityType::Func(_), Item::Func(_))
            | (ComponentEntityType::Instance(_), Item::Instance(_))
            | (ComponentEntityType::Component(_), Item::Component(_))
            | (ComponentEntityType::Module(_), Item::Module(_))
            | (ComponentEntityType::Type { .. }, Item::Type(_))
    );
    if !ok {
        bail!("import `{name}` expects a different kind of item, found a {}", item.kind());
    }
    Ok(())
}

/// An instantiated component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instance(pub(crate) Stored);

/// Where an export lives inside an instance, for nested lookups.
#[derive(Clone, Debug)]
pub struct ComponentExportIndex {
    instance: u32,
    path: Vec<String>,
}

impl Instance {
    pub(crate) fn value<'a>(&self, core: &'a crate::store::StoreCore) -> &'a Arc<InstanceValue> {
        &core.ext.components().exported[self.0.check(core)]
    }

    /// Finds export `name` of the instance, or of the nested instance
    /// `parent` names.
    pub fn get_export_index(
        &self,
        store: impl AsContext,
        parent: Option<&ComponentExportIndex>,
        name: &str,
    ) -> Option<ComponentExportIndex> {
        let core = &store.as_context().0.core;
        let mut path = match parent {
            Some(p) if p.instance == self.0.index => p.path.clone(),
            Some(_) => return None,
            None => Vec::new(),
        };
        path.push(name.to_string());
        lookup(self.value(core), &path)?;
        Some(ComponentExportIndex { instance: self.0.index, path })
    }

    /// The exported function `name` (a name or an export index).
    pub fn get_func(
        &self,
        store: impl AsContext,
        name: impl InstanceExportLookup,
    ) -> Option<super::Func> {
        let core = &store.as_context().0.core;
        let path = name.path(self)?;
        match lookup(self.value(core), &path)? {
            Item::Func(i) => Some(super::Func(Stored { store: core.id, index: *i })),
            _ => None,
        }
    }

    /// The exported function `name`, checked to have type `(Params) ->
    /// Results`.
    pub fn get_typed_func<Params, Results>(
        &self,
        mut store: impl AsContextMut,
        name: impl InstanceExportLookup,
    ) -> Result<super::TypedFunc<Params, Results>>
    where
        Params: super::typed::ComponentNamedList + super::typed::Lower,
        Results: super::typed::ComponentNamedList + super::typed::Lift,
    {
        let desc = name.describe();
        let f = self
            .get_func(&mut store, name)
            .ok_or_else(|| anyhow!("failed to find function export `{desc}`"))?;
        f.typed(&store)
            .with_context(|| format!("failed to convert function `{desc}` to given type"))
    }

    /// The exported resource type `name`.
    pub fn get_resource(&self, store: impl AsContext, name: &str) -> Option<ResourceType> {
        let core = &store.as_context().0.core;
        match self.value(core).get(name)? {
            Item::Type(Some(rt)) => Some(*rt),
            _ => None,
        }
    }

    /// The exported core module `name`.
    pub fn get_module(&self, store: impl AsContext, name: &str) -> Option<Module> {
        let core = &store.as_context().0.core;
        match self.value(core).get(name)? {
            Item::Module(m) => Some(m.clone()),
            _ => None,
        }
    }

    /// The names of the instance's exports.
    pub fn exports(&self, store: impl AsContext) -> Vec<String> {
        let core = &store.as_context().0.core;
        self.value(core).items.iter().map(|(n, _)| n.clone()).collect()
    }
}

fn lookup<'a>(mut inst: &'a Arc<InstanceValue>, path: &[String]) -> Option<&'a Item> {
    let (last, prefix) = path.split_last()?;
    for name in prefix {
        match inst.get(name)? {
            Item::Instance(i) => inst = i,
            _ => return None,
        }
    }
    inst.get(last)
}

/// Names an export for [`Instance::get_func`]: a `&str` or a
/// [`ComponentExportIndex`].
pub trait InstanceExportLookup {
    #[doc(hidden)]
    fn path(&self, instance: &Instance) -> Option<Vec<String>>;
    #[doc(hidden)]
    fn describe(&self) -> String;
}

impl InstanceExportLookup for &str {
    fn path(&self, _: &Instance) -> Option<Vec<String>> {
        Some(vec![self.to_string()])
    }
    fn describe(&self) -> String {
        self.to_string()
    }
}

impl InstanceExportLookup for &String {
    fn path(&self, _: &Instance) -> Option<Vec<String>> {
        Some(vec![self.to_string()])
    }
    fn describe(&self) -> String {
        self.to_string()
    }
}

impl InstanceExportLookup for &ComponentExportIndex {
    fn path(&self, instance: &Instance) -> Option<Vec<String>> {
        (self.instance == instance.0.index).then(|| self.path.clone())
    }
    fn describe(&self) -> String {
        self.path.join("/")
    }
}

impl InstanceExportLookup for ComponentExportIndex {
    fn path(&self, instance: &Instance) -> Option<Vec<String>> {
        (&self).path(instance)
    }
    fn describe(&self) -> String {
        self.path.join("/")
    }
}
