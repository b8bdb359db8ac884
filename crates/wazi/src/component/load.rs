//! Loading a component: decoding and validation through `wasmparser`, and
//! a list of *initializers* per component (its definitions, in order) that
//! instantiation later runs.
//!
//! Nested core modules become ordinary [`Module`]s (their function bodies
//! are validated by the module, lazily or eagerly as the engine is
//! configured); nested components become their own [`ComponentDef`]s.

use super::abi_types::{FuncTy, Ty, TypeConverter};
use super::concurrent::Builtin;
use super::store::StringEncoding;
use crate::engine::Engine;
use crate::module::Module;
use anyhow::{Context, Result, anyhow, bail};
use std::sync::Arc;
use wasmparser::component_types::{ComponentAnyTypeId, ComponentEntityType, ResourceId};
use wasmparser::types::{Types, TypesRef};
use wasmparser::{
    CanonicalFunction, CanonicalOption, ComponentAlias, ComponentExternalKind,
    ComponentOuterAliasKind, ComponentTypeRef, Encoding, ExternalKind, Parser, Payload,
    ValidPayload, Validator, WasmFeatures,
};

/// A validated component (or a nested one), ready to instantiate.
pub(crate) struct ComponentDef {
    pub types: Types,
    pub inits: Vec<Init>,
    pub modules: Vec<Module>,
    pub components: Vec<Arc<ComponentDef>>,
    /// The static resource behind each dense resource index.
    pub resource_ids: Vec<ResourceId>,
    /// Function types of everything imported (for checking host functions).
    pub import_funcs:
        std::collections::HashMap<wasmparser::component_types::ComponentFuncTypeId, Arc<FuncTy>>,
    /// Import names (with version suffixes) in order.
    pub imports: Vec<(String, ComponentEntityType)>,
    /// Export names in order.
    pub exports: Vec<String>,
}

impl ComponentDef {
    pub fn types(&self) -> TypesRef<'_> {
        self.types.as_ref()
    }
}

/// Canonical options as indices into the component's core index spaces.
#[derive(Clone, Debug)]
pub(crate) struct OptsDef {
    pub memory: Option<u32>,
    pub realloc: Option<u32>,
    pub post_return: Option<u32>,
    pub encoding: StringEncoding,
    pub async_: bool,
    pub callback: Option<u32>,
}

/// One definition of a component, in order.
pub(crate) enum Init {
    Import {
        name: String,
        ty: ComponentEntityType,
    },
    Export {
        name: String,
        kind: ComponentExternalKind,
        index: u32,
    },
    CoreModule(u32),
    CoreInstantiate {
        module: u32,
        args: Box<[(String, u32)]>,
    },
    CoreInstanceExports(Box<[(String, ExternalKind, u32)]>),
    Component(u32),
    Instantiate {
        component: u32,
        args: Box<[(String, ComponentExternalKind, u32)]>,
        index: u32,
    },
    InstanceExports {
        exports: Box<[(String, ComponentExternalKind, u32)]>,
        index: u32,
    },
    AliasExport {
        kind: ComponentExternalKind,
        instance: u32,
        name: String,
        type_index: u32,
    },
    AliasCoreExport {
        kind: ExternalKind,
        instance: u32,
        name: String,
    },
    AliasOuter {
        kind: ComponentOuterAliasKind,
        count: u32,
        index: u32,
    },
    /// A type definition; `resource` holds a resource's destructor (a core
    /// function index) if the type is a resource.
    Type {
        index: u32,
        resource: Option<Option<u32>>,
    },
    Lift {
        core_func: u32,
        ty: Arc<FuncTy>,
        opts: OptsDef,
    },
    Lower {
        func: u32,
        ty: Arc<FuncTy>,
        opts: OptsDef,
    },
    ResourceNew(u32),
    ResourceDrop(u32),
    ResourceRep(u32),
    /// An async built-in; its memory and realloc options are still core
    /// indices of the component (bound at instantiation).
    Builtin(Builtin),
}

/// What parsing collects for one component before its types are known.
enum Raw {
    Init(Init),
    Import { name: String, full: String },
    Lift { core_func: u32, type_index: u32, opts: OptsDef },
    Lower { func: u32, opts: OptsDef },
    ResourceNew(u32),
    ResourceDrop(u32),
    ResourceRep(u32),
    Canon(CanonicalFunction),
}

#[derive(Default)]
struct Builder {
    raw: Vec<Raw>,
    modules: Vec<Module>,
    components: Vec<Arc<ComponentDef>>,
    exports: Vec<String>,
    types: u32,
    instances: u32,
}

/// What is being read: a component (its definitions so far) or a core
/// module nested in it.
enum Nesting {
    Component(Builder),
    Module { start: usize },
}

/// The wasmparser features components are validated with: the engine's
/// core features plus the component model. The async ABI validates (so
/// its validation rules apply) but is refused after validation.
pub(crate) fn features(engine: &Engine) -> WasmFeatures {
    engine.inner.features
        | WasmFeatures::COMPONENT_MODEL
        | WasmFeatures::CM_ASYNC
        | WasmFeatures::CM_MORE_ASYNC_BUILTINS
        | WasmFeatures::CM_ASYNC_STACKFUL
        | WasmFeatures::CM_THREADING
        | WasmFeatures::CM_ERROR_CONTEXT
        | WasmFeatures::CM_FIXED_LENGTH_LISTS
        | WasmFeatures::CM_MAP
        | WasmFeatures::CM_IMPLEMENTS
}

/// Whether `bytes` start like a component (rather than a core module).
pub fn is_component(bytes: &[u8]) -> bool {
    wasmparser::Parser::is_component(bytes)
}

/// Decodes, validates and prepares a component binary.
pub(crate) fn load(engine: &Engine, bytes: &[u8]) -> Result<Arc<ComponentDef>> {
    let mut validator = Validator::new_with_features(features(engine));
    let mut stack: Vec<Nesting> = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        let valid = validator.payload(&payload)?;
        // Inside a core module only its end matters here: the module is
        // compiled from its bytes as a whole.
        if let Some(Nesting::Module { start }) = stack.last() {
            if let Payload::End(end) = payload {
                let start = *start;
                stack.pop();
                let module = Module::from_binary_at(engine, &bytes[start..end as usize], start)
                    .context("failed to compile a core module of the component")?;
                match stack.last_mut() {
                    Some(Nesting::Component(b)) => b.modules.push(module),
                    _ => bail!("a core module outside of a component"),
                }
            }
            continue;
        }
        match payload {
            Payload::Version { encoding, .. } => {
                if stack.is_empty() && encoding != Encoding::Component {
                    bail!("not a component: the binary is a core module");
                }
                if encoding == Encoding::Component {
                    stack.push(Nesting::Component(Builder::default()));
                }
            }
            Payload::ModuleSection { unchecked_range, .. } => {
                let b = builder(&mut stack)?;
                let idx = b.modules.len() as u32 + pending_modules(b);
                b.raw.push(Raw::Init(Init::CoreModule(idx)));
                stack.push(Nesting::Module { start: unchecked_range.start as usize });
            }
            Payload::ComponentSection { .. } => {
                let b = builder(&mut stack)?;
                let idx = b.components.len() as u32 + pending_components(b);
                b.raw.push(Raw::Init(Init::Component(idx)));
            }
            Payload::End(_) => {
                let ValidPayload::End(types) = valid else {
                    bail!("unexpected end of component");
                };
                let Some(Nesting::Component(b)) = stack.pop() else {
                    bail!("unexpected end of component");
                };
                let def = Arc::new(finish(b, types)?);
                match stack.last_mut() {
                    Some(Nesting::Component(parent)) => parent.components.push(def),
                    Some(Nesting::Module { .. }) => bail!("a component inside a core module"),
                    None => return Ok(def),
                }
            }
            other => section(builder(&mut stack)?, other)?,
        }
    }
    Err(anyhow!("unexpected end of component binary"))
}

fn builder(stack: &mut [Nesting]) -> Result<&mut Builder> {
    match stack.last_mut() {
        Some(Nesting::Component(b)) => Ok(b),
        _ => bail!("component section outside of a component"),
    }
}

// Nested modules and components are pushed when their end is reached, so
// the index of a new one counts those already announced.
fn pending_modules(b: &Builder) -> u32 {
    let announced =
        b.raw.iter().filter(|r| matches!(r, Raw::Init(Init::CoreModule(_)))).count() as u32;
    announced - b.modules.len() as u32
}

fn pending_components(b: &Builder) -> u32 {
    let announced =
        b.raw.iter().filter(|r| matches!(r, Raw::Init(Init::Component(_)))).count() as u32;
    announced - b.components.len() as u32
}

fn section(b: &mut Builder, payload: Payload<'_>) -> Result<()> {
    match payload {
        Payload::ComponentImportSection(s) => {
            for import in s {
                let import = import?;
                b.raw.push(Raw::Import {
                    name: import.name.name.to_string(),
                    full: import.name.full_name().to_string(),
                });
                match import.ty {
                    ComponentTypeRef::Type(_) => b.types += 1,
                    ComponentTypeRef::Instance(_) => b.instances += 1,
                    ComponentTypeRef::Value(_) => {
                        bail!("value imports are not supported (component-model values)")
                    }
                    _ => {}
                }
            }
        }
        Payload::ComponentExportSection(s) => {
            for export in s {
                let export = export?;
                let name = export.name.name.to_string();
                b.exports.push(export.name.full_name().to_string());
                match export.kind {
                    ComponentExternalKind::Type => b.types += 1,
                    ComponentExternalKind::Instance => b.instances += 1,
                    ComponentExternalKind::Value => {
                        bail!("value exports are not supported (component-model values)")
                    }
                    _ => {}
                }
                b.raw.push(Raw::Init(Init::Export {
                    name,
                    kind: export.kind,
                    index: export.index,
                }));
            }
        }
        Payload::InstanceSection(s) => {
            for inst in s {
                let init = match inst? {
                    wasmparser::Instance::Instantiate { module_index, args } => {
                        Init::CoreInstantiate {
                            module: module_index,
                            args: args.iter().map(|a| (a.name.to_string(), a.index)).collect(),
                        }
                    }
                    wasmparser::Instance::FromExports(exports) => Init::CoreInstanceExports(
                        exports.iter().map(|e| (e.name.to_string(), e.kind, e.index)).collect(),
                    ),
                };
                b.raw.push(Raw::Init(init));
            }
        }
        Payload::ComponentInstanceSection(s) => {
            for inst in s {
                let index = b.instances;
                b.instances += 1;
                let init = match inst? {
                    wasmparser::ComponentInstance::Instantiate { component_index, args } => {
                        Init::Instantiate {
                            component: component_index,
                            args: args
                                .iter()
                                .map(|a| (a.name.to_string(), a.kind, a.index))
                                .collect(),
                            index,
                        }
                    }
                    wasmparser::ComponentInstance::FromExports(exports) => Init::InstanceExports {
                        exports: exports
                            .iter()
                            .map(|e| (e.name.name.to_string(), e.kind, e.index))
                            .collect(),
                        index,
                    },
                };
                b.raw.push(Raw::Init(init));
            }
        }
        Payload::ComponentAliasSection(s) => {
            for alias in s {
                let init = match alias? {
                    ComponentAlias::InstanceExport { kind, instance_index, name } => {
                        let type_index = b.types;
                        match kind {
                            ComponentExternalKind::Type => b.types += 1,
                            ComponentExternalKind::Instance => b.instances += 1,
                            ComponentExternalKind::Value => {
                                bail!("value aliases are not supported (component-model values)")
                            }
                            _ => {}
                        }
                        Init::AliasExport {
                            kind,
                            instance: instance_index,
                            name: name.to_string(),
                            type_index,
                        }
                    }
                    ComponentAlias::CoreInstanceExport { kind, instance_index, name } => {
                        Init::AliasCoreExport {
                            kind,
                            instance: instance_index,
                            name: name.to_string(),
                        }
                    }
                    ComponentAlias::Outer { kind, count, index } => {
                        if kind == ComponentOuterAliasKind::Type {
                            b.types += 1;
                        }
                        Init::AliasOuter { kind, count, index }
                    }
                };
                b.raw.push(Raw::Init(init));
            }
        }
        Payload::ComponentTypeSection(s) => {
            for ty in s {
                let index = b.types;
                b.types += 1;
                let resource = match ty? {
                    wasmparser::ComponentType::Resource { dtor, .. } => Some(dtor),
                    _ => None,
                };
                b.raw.push(Raw::Init(Init::Type { index, resource }));
            }
        }
        Payload::ComponentCanonicalSection(s) => {
            for canon in s {
                b.raw.push(canonical(canon?)?);
            }
        }
        Payload::CoreTypeSection(_) | Payload::CustomSection(_) => {}
        Payload::ComponentStartSection { .. } => {
            bail!("component start functions are not supported (component-model values)")
        }
        other => bail!("unexpected section in a component: {other:?}"),
    }
    Ok(())
}

fn canonical(c: CanonicalFunction) -> Result<Raw> {
    Ok(match c {
        CanonicalFunction::Lift { core_func_index, type_index, options } => {
            Raw::Lift { core_func: core_func_index, type_index, opts: opts(&options, true)? }
        }
        CanonicalFunction::Lower { func_index, options } => {
            Raw::Lower { func: func_index, opts: opts(&options, false)? }
        }
        CanonicalFunction::ResourceNew { resource } => Raw::ResourceNew(resource),
        CanonicalFunction::ResourceDrop { resource } => Raw::ResourceDrop(resource),
        CanonicalFunction::ResourceRep { resource } => Raw::ResourceRep(resource),
        CanonicalFunction::ThreadSpawnRef { .. }
        | CanonicalFunction::ThreadSpawnIndirect { .. }
        | CanonicalFunction::ThreadAvailableParallelism => {
            bail!("`canon thread.*` built-ins are not supported yet (shared-everything threads)")
        }
        CanonicalFunction::StreamForward { .. } | CanonicalFunction::FutureForward { .. } => {
            bail!("`canon {}` is not supported yet (component-model async ABI)", builtin_name(&c))
        }
        other => Raw::Canon(other),
    })
}

/// The element type of stream or future type `index`.
fn payload(t: TypesRef<'_>, conv: &mut TypeConverter, index: u32) -> Result<Option<Ty>> {
    use wasmparser::component_types::ComponentDefinedType as D;
    let ComponentAnyTypeId::Defined(id) = t.component_any_type_at(index) else {
        bail!("type {index} is not a stream or future type");
    };
    match &t[id] {
        D::Stream { ty, .. } | D::Future { ty, .. } => ty.map(|v| conv.valtype(t, v)).transpose(),
        _ => bail!("type {index} is not a stream or future type"),
    }
}

/// The async built-in of `canon` definition `c`.
fn builtin(t: TypesRef<'_>, conv: &mut TypeConverter, c: CanonicalFunction) -> Result<Builtin> {
    use CanonicalFunction as C;
    Ok(match c {
        C::TaskReturn { result, options } => {
            let o = opts(&options, false)?;
            use wasmparser::component_types::ComponentValType as V;
            let result = match result {
                None => None,
                Some(wasmparser::ComponentValType::Primitive(p)) => {
                    Some(conv.valtype(t, V::Primitive(p))?)
                }
                Some(wasmparser::ComponentValType::Type(i)) => match t.component_any_type_at(i) {
                    ComponentAnyTypeId::Defined(id) => Some(conv.valtype(t, V::Type(id))?),
                    _ => bail!("`task.return` with a result type that is not a value type"),
                },
            };
            Builtin::TaskReturn { result, memory: o.memory, encoding: o.encoding }
        }
        C::TaskCancel => Builtin::TaskCancel,
        C::ContextGet { ty, slot } => {
            Builtin::ContextGet { slot, i64: ty == wasmparser::ValType::I64 }
        }
        C::ContextSet { ty, slot } => {
            Builtin::ContextSet { slot, i64: ty == wasmparser::ValType::I64 }
        }
        C::BackpressureInc => Builtin::BackpressureInc,
        C::BackpressureDec => Builtin::BackpressureDec,
        C::ThreadYield => Builtin::Yield,
        C::ThreadIndex => Builtin::ThreadIndex,
        C::WaitableSetNew => Builtin::WaitableSetNew,
        C::WaitableSetWait { memory } => Builtin::WaitableSetWait { memory },
        C::WaitableSetPoll { memory } => Builtin::WaitableSetPoll { memory },
        C::WaitableSetDrop => Builtin::WaitableSetDrop,
        C::WaitableJoin => Builtin::WaitableJoin,
        C::SubtaskDrop => Builtin::SubtaskDrop,
        C::SubtaskCancel { async_ } => Builtin::SubtaskCancel { async_ },
        C::StreamNew { ty } | C::FutureNew { ty } => {
            Builtin::New { future: matches!(c, C::FutureNew { .. }), ty: payload(t, conv, ty)? }
        }
        C::StreamRead { ty, ref options }
        | C::StreamWrite { ty, ref options }
        | C::FutureRead { ty, ref options }
        | C::FutureWrite { ty, ref options } => {
            let future = matches!(c, C::FutureRead { .. } | C::FutureWrite { .. });
            let o = opts(options, false)?;
            let ty = payload(t, conv, ty)?;
            let (memory, realloc, encoding, async_) = (o.memory, o.realloc, o.encoding, o.async_);
            if matches!(c, C::StreamRead { .. } | C::FutureRead { .. }) {
                Builtin::Read { future, ty, memory, realloc, encoding, async_ }
            } else {
                Builtin::Write { future, ty, memory, realloc, encoding, async_ }
            }
        }
        C::StreamCancelRead { ty, async_ } | C::FutureCancelRead { ty, async_ } => {
            let future = matches!(c, C::FutureCancelRead { .. });
            Builtin::CancelRead { future, ty: payload(t, conv, ty)?, async_ }
        }
        C::StreamCancelWrite { ty, async_ } | C::FutureCancelWrite { ty, async_ } => {
            let future = matches!(c, C::FutureCancelWrite { .. });
            Builtin::CancelWrite { future, ty: payload(t, conv, ty)?, async_ }
        }
        C::StreamDropReadable { ty } | C::FutureDropReadable { ty } => {
            let future = matches!(c, C::FutureDropReadable { .. });
            Builtin::DropReadable { future, ty: payload(t, conv, ty)? }
        }
        C::StreamDropWritable { ty } | C::FutureDropWritable { ty } => {
            let future = matches!(c, C::FutureDropWritable { .. });
            Builtin::DropWritable { future, ty: payload(t, conv, ty)? }
        }
        C::ErrorContextNew { options } => {
            let o = opts(&options, false)?;
            Builtin::ErrorContextNew { memory: o.memory, encoding: o.encoding }
        }
        C::ErrorContextDebugMessage { options } => {
            let o = opts(&options, false)?;
            Builtin::ErrorContextDebugMessage {
                memory: o.memory,
                realloc: o.realloc,
                encoding: o.encoding,
            }
        }
        C::ErrorContextDrop => Builtin::ErrorContextDrop,
        C::ThreadNewIndirect { table_index, .. } => {
            Builtin::ThreadNewIndirect { table: table_index }
        }
        C::ThreadResumeLater => Builtin::ThreadResumeLater,
        C::ThreadSuspend => Builtin::ThreadSuspend,
        C::ThreadSuspendThenResume => Builtin::ThreadSwitch { yield_: false, promote: false },
        C::ThreadYieldThenResume => Builtin::ThreadSwitch { yield_: true, promote: false },
        C::ThreadSuspendThenPromote => Builtin::ThreadSwitch { yield_: false, promote: true },
        C::ThreadYieldThenPromote => Builtin::ThreadSwitch { yield_: true, promote: true },
        other => bail!("`canon {}` is not supported", builtin_name(&other)),
    })
}

fn builtin_name(c: &CanonicalFunction) -> String {
    // The Debug name in words: `WaitableSetNew { .. }` -> waitable set new
    // -> `waitable-set.new`; `StreamCancelRead` -> `stream.cancel-read`.
    let debug = format!("{c:?}");
    let head: String = debug.chars().take_while(|c| c.is_alphanumeric()).collect();
    let mut words: Vec<String> = Vec::new();
    for ch in head.chars() {
        if ch.is_uppercase() || words.is_empty() {
            words.push(String::new());
        }
        if let Some(w) = words.last_mut() {
            w.push(ch.to_ascii_lowercase());
        }
    }
    let ns_len = match words.as_slice() {
        [a, b, ..] if (a == "waitable" && b == "set") || (a == "error" && b == "context") => 2,
        _ => 1,
    };
    let ns = words[..ns_len.min(words.len())].join("-");
    let rest = words.get(ns_len..).unwrap_or(&[]).join("-");
    if rest.is_empty() { ns } else { format!("{ns}.{rest}") }
}

fn opts(options: &[CanonicalOption], _lift: bool) -> Result<OptsDef> {
    let mut o = OptsDef {
        memory: None,
        realloc: None,
        post_return: None,
        encoding: StringEncoding::Utf8,
        async_: false,
        callback: None,
    };
    for opt in options {
        match *opt {
            CanonicalOption::UTF8 => o.encoding = StringEncoding::Utf8,
            CanonicalOption::UTF16 => o.encoding = StringEncoding::Utf16,
            CanonicalOption::CompactUTF16 => o.encoding = StringEncoding::CompactUtf16,
            CanonicalOption::Memory(m) => o.memory = Some(m),
            CanonicalOption::Realloc(f) => o.realloc = Some(f),
            CanonicalOption::PostReturn(f) => o.post_return = Some(f),
            CanonicalOption::Async => o.async_ = true,
            CanonicalOption::Callback(f) => o.callback = Some(f),
            CanonicalOption::CoreType(_) | CanonicalOption::Gc => {
                bail!("the GC canonical ABI is not supported")
            }
        }
    }
    Ok(o)
}

/// Resolves what needed the validator's types.
fn finish(b: Builder, types: Types) -> Result<ComponentDef> {
    let t = types.as_ref();
    let mut conv = TypeConverter::new();
    let mut inits = Vec::with_capacity(b.raw.len());
    let mut imports = Vec::new();
    let mut import_funcs = std::collections::HashMap::new();
    for raw in b.raw {
        inits.push(match raw {
            Raw::Import { name, full } => {
                let item = t
                    .component_item_for_import(&name)
                    .with_context(|| format!("no type for import `{name}`"))?;
                let ty = item.ty;
                collect_funcs(t, ty, &mut conv, &mut import_funcs)?;
                imports.push((full, ty));
                Init::Import { name, ty }
            }
            Raw::Init(init) => init,
            Raw::Lift { core_func, type_index, opts } => {
                let ComponentAnyTypeId::Func(id) = t.component_any_type_at(type_index) else {
                    bail!("`canon lift` with a type that is not a function type");
                };
                Init::Lift { core_func, ty: conv.func(t, id)?, opts }
            }
            Raw::Lower { func, opts } => {
                let id = t.component_function_at(func);
                Init::Lower { func, ty: conv.func(t, id)?, opts }
            }
            Raw::ResourceNew(r) => Init::ResourceNew(resource_index(t, &mut conv, r)?),
            Raw::ResourceDrop(r) => Init::ResourceDrop(resource_index(t, &mut conv, r)?),
            Raw::ResourceRep(r) => Init::ResourceRep(resource_index(t, &mut conv, r)?),
            Raw::Canon(c) => Init::Builtin(builtin(t, &mut conv, c)?),
        });
    }
    Ok(ComponentDef {
        resource_ids: conv.resource_ids.clone(),
        types,
        inits,
        modules: b.modules,
        components: b.components,
        import_funcs,
        imports,
        exports: b.exports,
    })
}

fn resource_index(t: TypesRef<'_>, conv: &mut TypeConverter, index: u32) -> Result<u32> {
    match t.component_any_type_at(index) {
        ComponentAnyTypeId::Resource(r) => Ok(conv.resource_index(r.resource())),
        _ => bail!("type {index} is not a resource"),
    }
}

/// Converts the function types reachable from an import, so that host
/// functions can be checked against them.
fn collect_funcs(
    t: TypesRef<'_>,
    ty: ComponentEntityType,
    conv: &mut TypeConverter,
    out: &mut std::collections::HashMap<
        wasmparser::component_types::ComponentFuncTypeId,
        Arc<FuncTy>,
    >,
) -> Result<()> {
    match ty {
        ComponentEntityType::Func(id) => {
            // Functions the component cannot use through the canonical ABI
            // (async ones) are refused when lowered, not when imported.
            if let Ok(f) = conv.func(t, id) {
                out.insert(id, f);
            }
        }
        ComponentEntityType::Instance(id) => {
            for (_, item) in t[id].exports.iter() {
                collect_funcs(t, item.ty, conv, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}
