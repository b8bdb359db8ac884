//! [`Module`]: a decoded, validated WebAssembly module and its functions'
//! bytecode (translated eagerly or on first call).

mod const_expr;

pub(crate) use const_expr::{ConstEnv, ConstExpr, GcNew};

use crate::code::{Compiled, FuncCode};
use crate::engine::{CompilationMode, Engine};
use crate::translate::{self, TranslateEnv};
use crate::trap::FrameInfo;
use crate::types::{
    CompositeType, ExportType, ExternType, FuncType, GlobalType, ImportType, MemoryType, RefType,
    SubType, TableType, registry,
};
use anyhow::{Context, Result, anyhow, bail};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use wasmparser::{
    ElementItems, ElementKind, Encoding, FuncToValidate, FuncValidatorAllocations, Parser, Payload,
    ValidPayload, Validator, ValidatorResources,
};

/// A compiled WebAssembly module, ready to be instantiated in any store of
/// its engine. Cheap to clone.
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").field("name", &self.inner.names().module).finish()
    }
}

/// Kinds of entities in a module's index spaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntityIndex {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
    Tag(u32),
}

pub(crate) struct Import {
    pub module: String,
    pub name: String,
    pub index: EntityIndex,
}

pub(crate) enum ElemMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declared,
}

pub(crate) struct ElemSegment {
    pub mode: ElemMode,
    pub items: Box<[ConstExpr]>,
}

pub(crate) struct DataSegment {
    /// `Some((memory, offset))` for active segments.
    pub active: Option<(u32, ConstExpr)>,
    pub bytes: Range<usize>,
}

/// What the translator and the instantiator need to know of a module.
pub(crate) struct ModuleInner {
    pub engine: Engine,
    /// Function types by type index (non-function types are `None`).
    pub types: Vec<Option<FuncType>>,
    /// Process-wide ids of `types` (see `types::registry`).
    pub type_ids: Vec<u32>,
    /// The registered definition of every type index.
    pub defs: Vec<Arc<registry::Entry>>,
    /// The module's hold on its types' ids, released when it is dropped.
    pub registered: registry::Registrations,
    pub imports: Vec<Import>,
    /// Type index of every function (imports first).
    pub funcs: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<TableType>,
    pub table_inits: Vec<Option<ConstExpr>>,
    pub num_imported_tables: u32,
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    pub globals: Vec<GlobalType>,
    pub global_inits: Vec<ConstExpr>,
    pub num_imported_globals: u32,
    /// Type index of every tag (imports first).
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    pub exports: Vec<(String, EntityIndex)>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment>,
    /// Defined functions.
    pub code: Box<[FuncCode]>,
    /// The module's bytes (function bodies and data segments point into it).
    pub bytes: Box<[u8]>,
    /// Where the name section's contents are in `bytes`, read on first use
    /// (backtraces, `Module::name`) so loading does not pay for it.
    name_section: Option<Range<usize>>,
    names: OnceLock<Names>,
    /// Where the module starts in the file it came from (a component's
    /// core modules start inside it): backtraces report offsets in the file.
    pub offset_base: usize,
    /// Validators of functions not validated yet (lazy mode).
    lazy: Mutex<LazyState>,
    /// Where translated functions' bytecode lives: start address to end
    /// address and index in `code`, for backtraces.
    code_map: RwLock<BTreeMap<usize, (usize, u32)>>,
}

#[derive(Default)]
struct LazyState {
    validators: HashMap<u32, FuncToValidate<ValidatorResources>>,
    errors: HashMap<u32, String>,
}

impl FuncCode {
    /// Translates the function if it has not been yet.
    pub(crate) fn compile(&self, module: &ModuleInner) -> Result<&Compiled> {
        if let Some(c) = self.compiled.get() {
            return Ok(c);
        }
        let mut lazy = module.lazy.lock().unwrap();
        if let Some(c) = self.compiled.get() {
            return Ok(c);
        }
        if let Some(e) = lazy.errors.get(&self.index) {
            bail!("{e}");
        }
        let validator = lazy.validators.remove(&self.index);
        let body = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(
            &module.bytes[self.body.clone()],
            self.body.start as u64,
        ));
        let validator = validator.map(|v| v.into_validator(FuncValidatorAllocations::default()));
        match translate::translate(&module.env(), self.index, &body, validator) {
            Ok(c) => {
                let c = self.compiled.get_or_init(|| c);
                module.register(self, c);
                Ok(c)
            }
            Err(e) => {
                let msg = format!("{e:#}");
                lazy.errors.insert(self.index, msg.clone());
                Err(anyhow!(msg))
            }
        }
    }
}

impl ModuleInner {
    pub(crate) fn env(&self) -> TranslateEnv<'_> {
        TranslateEnv {
            config: &self.engine.inner.config,
            features: self.engine.inner.features,
            types: &self.types,
            type_ids: &self.type_ids,
            defs: &self.defs,
            funcs: &self.funcs,
            num_imported_funcs: self.num_imported_funcs,
            code: &self.code,
            globals: &self.globals,
            memories: &self.memories,
            tables: &self.tables,
            tags: &self.tags,
        }
    }

    /// Records where a function's bytecode lives, for backtraces.
    fn register(&self, func: &FuncCode, c: &Compiled) {
        let range = c.range();
        if range.is_empty() {
            return;
        }
        let i = func.index - self.num_imported_funcs;
        self.code_map.write().unwrap().insert(range.start, (range.end, i));
    }

    /// The translated function whose bytecode holds address `ip`, if it is
    /// one of this module's.
    pub(crate) fn func_at(&self, ip: usize) -> Option<&FuncCode> {
        let map = self.code_map.read().unwrap();
        let (&start, &(end, i)) = map.range(..=ip).next_back()?;
        (ip >= start && ip < end).then(|| &self.code[i as usize])
    }

    /// The backtrace frame of instruction address `ip` (a return address
    /// if `is_return`), if it is in one of this module's functions.
    pub(crate) fn frame_at(&self, ip: usize, is_return: bool) -> Option<FrameInfo> {
        let func = self.func_at(ip - is_return as usize)?;
        let offset = func.compiled()?.module_offset(ip, is_return).map(|o| o as usize);
        let names = self.names();
        Some(FrameInfo::new(
            names.module.clone(),
            func.index,
            names.funcs.get(&func.index).cloned(),
            offset.map(|o| o + self.offset_base),
            offset.map(|o| o.saturating_sub(func.body.start)),
        ))
    }

    /// The type of function `index`.
    pub(crate) fn func_type(&self, index: u32) -> &FuncType {
        self.types[self.funcs[index as usize] as usize].as_ref().expect("function type")
    }

    /// Engine type id of function `index`.
    pub(crate) fn func_type_id(&self, index: u32) -> u32 {
        self.type_ids[self.funcs[index as usize] as usize]
    }

    pub(crate) fn entity_type(&self, index: EntityIndex) -> ExternType {
        match index {
            EntityIndex::Func(f) => ExternType::Func(self.func_type(f).clone()),
            EntityIndex::Table(t) => ExternType::Table(self.tables[t as usize]),
            EntityIndex::Memory(m) => ExternType::Memory(self.memories[m as usize]),
            EntityIndex::Global(g) => ExternType::Global(self.globals[g as usize]),
            EntityIndex::Tag(t) => ExternType::Tag(self.tag_type(t)),
        }
    }

    /// The type of tag `t`.
    pub(crate) fn tag_type(&self, t: u32) -> crate::types::TagType {
        let ty = self.types[self.tags[t as usize] as usize].clone();
        crate::types::TagType::new(ty.expect("validated tag type"))
    }
}

/// The binary in file `path`, which holds a binary or text (`.wat`)
/// module or component.
pub(crate) fn read_wasm_file(path: &Path) -> Result<Vec<u8>> {
    let bytes =
        std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?;
    let binary = wat::parse_bytes(&bytes)
        .map_err(|mut e| {
            e.set_path(path);
            anyhow!("{e}")
        })
        .with_context(|| format!("failed to parse `{}`", path.display()))?;
    Ok(binary.into_owned())
}

impl Module {
    /// Compiles a module from its binary or text (`.wat`) form.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let bytes = bytes.as_ref();
        let binary = wat::parse_bytes(bytes).map_err(|e| anyhow!("{e}"))?;
        Module::from_binary(engine, &binary)
    }

    /// Compiles a module from a file (binary or text).
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        Module::from_binary(engine, &read_wasm_file(path.as_ref())?)
    }

    /// Checks that `bytes` is a valid module for `engine`, without keeping it.
    pub fn validate(engine: &Engine, bytes: &[u8]) -> Result<()> {
        let mut v = Validator::new_with_features(engine.inner.features);
        v.validate_all(bytes)?;
        Ok(())
    }

    /// Compiles a module from its binary form.
    pub fn from_binary(engine: &Engine, bytes: &[u8]) -> Result<Module> {
        Module::from_binary_at(engine, bytes, 0)
    }

    /// Compiles a module found at byte `base` of a larger file (a core
    /// module inside a component).
    pub(crate) fn from_binary_at(engine: &Engine, bytes: &[u8], base: usize) -> Result<Module> {
        let mut inner = build(engine, bytes)?;
        inner.offset_base = base;
        let inner = Arc::new(inner);
        for f in inner.code.iter() {
            if let Some(c) = f.compiled() {
                inner.register(f, c);
            }
        }
        Ok(Module { inner })
    }

    /// The engine the module was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's name from its name section.
    pub fn name(&self) -> Option<&str> {
        self.inner.names().module.as_deref()
    }

    /// The module's imports, in order.
    pub fn imports(&self) -> impl ExactSizeIterator<Item = ImportType<'_>> + '_ {
        self.inner.imports.iter().map(|i| ImportType {
            module: &i.module,
            name: &i.name,
            ty: self.inner.entity_type(i.index),
        })
    }

    /// The module's exports, in order.
    pub fn exports(&self) -> impl ExactSizeIterator<Item = ExportType<'_>> + '_ {
        self.inner
            .exports
            .iter()
            .map(|(name, index)| ExportType { name, ty: self.inner.entity_type(*index) })
    }

    /// The type of the export `name`.
    pub fn get_export(&self, name: &str) -> Option<ExternType> {
        let (_, index) = self.inner.exports.iter().find(|(n, _)| n == name)?;
        Some(self.inner.entity_type(*index))
    }

    /// Bytes of bytecode translated so far, and the number of functions
    /// translated (for measuring the translation's memory cost).
    pub fn translated_size(&self) -> (usize, usize) {
        let mut bytes = 0;
        let mut count = 0;
        for f in self.inner.code.iter() {
            if let Some(c) = f.compiled() {
                bytes += c.code_bytes() + c.offsets.len() * 8;
                count += 1;
            }
        }
        (bytes, count)
    }

    /// A human-readable listing of the bytecode of defined function `index`
    /// (translating it if needed), for debugging and tests.
    pub fn disassemble(&self, index: u32) -> Result<String> {
        let code = self
            .inner
            .code
            .get((index - self.inner.num_imported_funcs) as usize)
            .context("no such defined function")?;
        let c = code.compile(&self.inner)?;
        Ok(crate::disasm::disassemble(c))
    }
}

/// Decodes, validates and (in eager mode) translates a module.
fn build(engine: &Engine, bytes: &[u8]) -> Result<ModuleInner> {
    let mode = engine.inner.config.compilation_mode;
    let mut validator = Validator::new_with_features(engine.inner.features);
    let mut m = ModuleInner {
        engine: engine.clone(),
        types: Vec::new(),
        type_ids: Vec::new(),
        defs: Vec::new(),
        registered: registry::Registrations::default(),
        imports: Vec::new(),
        funcs: Vec::new(),
        num_imported_funcs: 0,
        tables: Vec::new(),
        table_inits: Vec::new(),
        num_imported_tables: 0,
        memories: Vec::new(),
        num_imported_memories: 0,
        globals: Vec::new(),
        global_inits: Vec::new(),
        num_imported_globals: 0,
        tags: Vec::new(),
        num_imported_tags: 0,
        exports: Vec::new(),
        start: None,
        elems: Vec::new(),
        datas: Vec::new(),
        code: Box::new([]),
        bytes: bytes.into(),
        name_section: None,
        names: OnceLock::new(),
        offset_base: 0,
        lazy: Mutex::new(LazyState::default()),
        code_map: RwLock::default(),
    };
    let mut code_index = 0usize;
    let mut allocs = FuncValidatorAllocations::default();
    let mut lazy = LazyState::default();
    let mut parser = Parser::new(0);
    parser.set_features(engine.inner.features);
    for payload in parser.parse_all(bytes) {
        let payload = payload?;
        let valid = validator.payload(&payload)?;
        match payload {
            Payload::Version { encoding: Encoding::Component, .. } => {
                bail!("this is a WebAssembly component, not a core module")
            }
            Payload::TypeSection(reader) => {
                for rec in reader {
                    // The group's own indices map to local ids while it is
                    // interned (see `types::registry`).
                    let subs: Vec<_> = rec?.into_types().collect();
                    let start = m.type_ids.len();
                    let mut ids = m.type_ids.clone();
                    ids.extend((0..subs.len() as u32).map(|i| registry::LOCAL + i));
                    let group = subs
                        .iter()
                        .map(|s| SubType::from_wasmparser(s, &ids))
                        .collect::<Result<Vec<_>>>()?;
                    let base = m.registered.register(group)?;
                    for i in 0..subs.len() as u32 {
                        let entry = registry::entry(base + i);
                        m.types.push(match entry.composite() {
                            CompositeType::Func(f) => Some(f.clone()),
                            _ => None,
                        });
                        m.type_ids.push(base + i);
                        m.defs.push(entry);
                    }
                    debug_assert_eq!(m.type_ids.len(), start + subs.len());
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    let index = match import.ty {
                        wasmparser::TypeRef::Func(t) | wasmparser::TypeRef::FuncExact(t) => {
                            m.funcs.push(t);
                            m.num_imported_funcs += 1;
                            EntityIndex::Func(m.funcs.len() as u32 - 1)
                        }
                        wasmparser::TypeRef::Table(t) => {
                            m.tables.push(TableType::from_wasmparser(&t, &m.type_ids)?);
                            m.table_inits.push(None);
                            m.num_imported_tables += 1;
                            EntityIndex::Table(m.tables.len() as u32 - 1)
                        }
                        wasmparser::TypeRef::Memory(t) => {
                            m.memories.push(MemoryType::from_wasmparser(&t)?);
                            m.num_imported_memories += 1;
                            EntityIndex::Memory(m.memories.len() as u32 - 1)
                        }
                        wasmparser::TypeRef::Global(t) => {
                            m.globals.push(GlobalType::from_wasmparser(&t, &m.type_ids)?);
                            m.num_imported_globals += 1;
                            EntityIndex::Global(m.globals.len() as u32 - 1)
                        }
                        wasmparser::TypeRef::Tag(t) => {
                            m.tags.push(t.func_type_idx);
                            m.num_imported_tags += 1;
                            EntityIndex::Tag(m.tags.len() as u32 - 1)
                        }
                    };
                    m.imports.push(Import {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        index,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for t in reader {
                    m.funcs.push(t?);
                }
            }
            Payload::TableSection(reader) => {
                for t in reader {
                    let t = t?;
                    m.tables.push(TableType::from_wasmparser(&t.ty, &m.type_ids)?);
                    m.table_inits.push(match t.init {
                        wasmparser::TableInit::RefNull => None,
                        wasmparser::TableInit::Expr(e) => Some(ConstExpr::parse(&e)?),
                    });
                }
            }
            Payload::MemorySection(reader) => {
                for t in reader {
                    m.memories.push(MemoryType::from_wasmparser(&t?)?);
                }
            }
            Payload::GlobalSection(reader) => {
                for g in reader {
                    let g = g?;
                    m.globals.push(GlobalType::from_wasmparser(&g.ty, &m.type_ids)?);
                    m.global_inits.push(ConstExpr::parse(&g.init_expr)?);
                }
            }
            Payload::ExportSection(reader) => {
                for e in reader {
                    let e = e?;
                    let index = match e.kind {
                        wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => {
                            EntityIndex::Func(e.index)
                        }
                        wasmparser::ExternalKind::Table => EntityIndex::Table(e.index),
                        wasmparser::ExternalKind::Memory => EntityIndex::Memory(e.index),
                        wasmparser::ExternalKind::Global => EntityIndex::Global(e.index),
                        wasmparser::ExternalKind::Tag => EntityIndex::Tag(e.index),
                    };
                    m.exports.push((e.name.to_string(), index));
                }
            }
            Payload::StartSection { func, .. } => m.start = Some(func),
            Payload::ElementSection(reader) => {
                for e in reader {
                    let e = e?;
                    let mode = match e.kind {
                        ElementKind::Passive => ElemMode::Passive,
                        ElementKind::Declared => ElemMode::Declared,
                        ElementKind::Active { table_index, offset_expr } => ElemMode::Active {
                            table: table_index.unwrap_or(0),
                            offset: ConstExpr::parse(&offset_expr)?,
                        },
                    };
                    let items = match e.items {
                        ElementItems::Functions(r) => r
                            .into_iter()
                            .map(|f| Ok(ConstExpr::ref_func(f?)))
                            .collect::<Result<_>>()?,
                        ElementItems::Expressions(ty, r) => {
                            RefType::from_wasmparser(ty, &m.type_ids)?;
                            r.into_iter().map(|e| ConstExpr::parse(&e?)).collect::<Result<_>>()?
                        }
                    };
                    m.elems.push(ElemSegment { mode, items });
                }
            }
            Payload::DataSection(reader) => {
                for d in reader {
                    let d = d?;
                    let start = d.data.as_ptr() as usize - bytes.as_ptr() as usize;
                    let active = match d.kind {
                        wasmparser::DataKind::Passive => None,
                        wasmparser::DataKind::Active { offset_expr, memory_index } => {
                            Some((memory_index, ConstExpr::parse(&offset_expr)?))
                        }
                    };
                    m.datas.push(DataSegment { active, bytes: start..start + d.data.len() });
                }
            }
            Payload::CodeSectionStart { count, .. } => {
                let first = m.num_imported_funcs;
                m.code = (0..count)
                    .map(|i| FuncCode { index: first + i, body: 0..0, compiled: OnceLock::new() })
                    .collect();
            }
            Payload::CodeSectionEntry(_) => {
                let ValidPayload::Func(func, body) = valid else {
                    bail!("internal error: a function body without its validator");
                };
                let range = body.range();
                let code = m.code.get_mut(code_index).context("too many function bodies")?;
                code.body = range.start as usize..range.end as usize;
                let index = code.index;
                code_index += 1;
                match mode {
                    CompilationMode::Eager => {
                        let v = func.into_validator(std::mem::take(&mut allocs));
                        let (compiled, v) =
                            translate::translate_reusing(&m.env(), index, &body, v)?;
                        allocs = v;
                        let _ = m.code[code_index - 1].compiled.set(compiled);
                    }
                    CompilationMode::LazyTranslation => {
                        let mut v = func.into_validator(std::mem::take(&mut allocs));
                        v.validate(&body)?;
                        allocs = v.into_allocations();
                    }
                    CompilationMode::Lazy => {
                        lazy.validators.insert(index, func);
                    }
                }
            }
            Payload::CustomSection(c) if c.name() == "name" => {
                let start = c.data_offset() as usize;
                m.name_section = Some(start..start + c.data().len());
            }
            Payload::TagSection(reader) => {
                for t in reader {
                    m.tags.push(t?.func_type_idx);
                }
            }
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => {
                bail!("nested modules and components are not core module constructs")
            }
            _ => {}
        }
    }
    *m.lazy.get_mut().unwrap() = lazy;
    Ok(m)
}

/// The names from a module's name section.
#[derive(Default)]
pub(crate) struct Names {
    pub module: Option<String>,
    /// Function names, demangled.
    pub funcs: HashMap<u32, String>,
}

impl ModuleInner {
    /// The name section's contents (empty if absent or malformed: a bad
    /// name section is ignored, as the spec says).
    pub(crate) fn names(&self) -> &Names {
        self.names.get_or_init(|| {
            let mut names = Names::default();
            if let Some(range) = self.name_section.clone() {
                let reader =
                    wasmparser::BinaryReader::new(&self.bytes[range.clone()], range.start as u64);
                let _ = read_names(&mut names, wasmparser::NameSectionReader::new(reader));
            }
            names
        })
    }
}

fn read_names(out: &mut Names, names: wasmparser::NameSectionReader<'_>) -> Result<()> {
    for name in names {
        match name? {
            wasmparser::Name::Module { name, .. } => out.module = Some(name.to_string()),
            wasmparser::Name::Function(map) => {
                for naming in map {
                    let naming = naming?;
                    let demangled = rustc_demangle::demangle(naming.name).to_string();
                    out.funcs.insert(naming.index, demangled);
                }
            }
            _ => {}
        }
    }
    Ok(())
}
