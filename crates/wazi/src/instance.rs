//! [`Instance`]: instantiation of a module in a store.

use crate::exception::Tag;
use crate::extern_::{Extern, Global, Memory, Table};
use crate::func::{Func, TypedFunc, WasmParams, WasmResults};
use crate::module::{ConstEnv, ElemMode, EntityIndex, GcNew, Module};
use crate::store::gc::{ArrayInit, Shape};
use crate::store::{
    AsContext, AsContextMut, FuncEntity, FuncKind, InstanceData, StoreCore, Stored, func_ref,
};
use crate::trap::Trap;
use crate::trap::TrapCode;
use crate::types::{CompositeType, ExternType, Mutability, registry};
use anyhow::{Context, Result, anyhow, bail};
use std::cell::{Cell, UnsafeCell};

/// An instantiated module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) Stored);

impl Instance {
    /// Instantiates `module` with `imports`, in the module's import order.
    pub fn new(
        mut store: impl AsContextMut,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        let ctx = store.as_context_mut();
        let inst = instantiate(&mut ctx.0.core, module, imports)?;
        Instance::start(ctx.0, inst, module)?;
        Ok(inst)
    }

    /// Runs the start function, if any.
    pub(crate) fn start<T>(
        inner: &mut crate::store::StoreInner<T>,
        inst: Instance,
        module: &Module,
    ) -> Result<()> {
        if let Some(start) = module.inner.start {
            let f = inner.core.instances[inst.0.index as usize].funcs[start as usize];
            // SAFETY: the core belongs to `inner`; the start function takes
            // no parameters.
            unsafe { inner.core.invoke(f, &mut |_| {}, &mut |_| {})? };
        }
        Ok(())
    }

    fn data<'a>(&self, core: &'a StoreCore) -> &'a InstanceData {
        &core.instances[self.0.check(core)]
    }

    /// The export `name`.
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let core = &store.as_context().0.core;
        export_of(core, self.data(core), name)
    }

    /// The function exported as `name`; `None` if there is none or the
    /// export is of another kind.
    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// The function exported as `name`, typed as [`Func::typed`]. Fails if
    /// there is no such function or its type is not `P -> R`.
    pub fn get_typed_func<P: WasmParams, R: WasmResults>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<P, R>> {
        let f = self
            .get_func(&store, name)
            .with_context(|| format!("failed to find function export `{name}`"))?;
        f.typed(&store)
    }

    /// The memory exported as `name`, if any.
    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The global exported as `name`, if any.
    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// The table exported as `name`, if any.
    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// All exports, in order.
    pub fn exports(&self, store: impl AsContext) -> Vec<(String, Extern)> {
        let core = &store.as_context().0.core;
        let data = self.data(core);
        data.module
            .inner
            .exports
            .iter()
            .map(|(name, index)| (name.clone(), extern_of(core, data, *index)))
            .collect()
    }

    /// The module this instance was created from.
    pub fn module(&self, store: impl AsContext) -> Module {
        let core = &store.as_context().0.core;
        self.data(core).module.clone()
    }
}

/// The export `name` of an instance.
pub(crate) fn export_of(core: &StoreCore, data: &InstanceData, name: &str) -> Option<Extern> {
    let (_, index) = data.module.inner.exports.iter().find(|(n, _)| n == name)?;
    Some(extern_of(core, data, *index))
}

fn extern_of(core: &StoreCore, data: &InstanceData, index: EntityIndex) -> Extern {
    let stored = |index: u32| Stored { store: core.id, index };
    match index {
        EntityIndex::Func(f) => Extern::Func(Func(stored(data.funcs[f as usize]))),
        EntityIndex::Table(t) => Extern::Table(Table(stored(data.table_ids[t as usize]))),
        EntityIndex::Memory(m) => Extern::Memory(Memory(stored(data.memory_ids[m as usize]))),
        EntityIndex::Global(g) => Extern::Global(Global(stored(data.global_ids[g as usize]))),
        EntityIndex::Tag(t) => Extern::Tag(Tag(stored(data.tags[t as usize]))),
    }
}

struct Env<'a> {
    core: &'a mut StoreCore,
    data: &'a InstanceData,
}

impl ConstEnv for Env<'_> {
    fn global(&self, index: u32) -> u128 {
        // SAFETY: global cells of the instance live in the store; each is
        // two slots.
        unsafe {
            let p = self.data.globals[index as usize];
            (*p.add(1) as u128) << 64 | *p as u128
        }
    }

    fn func_ref(&self, index: u32) -> u64 {
        func_ref(self.data.funcs[index as usize])
    }

    fn gc_operands(&self, op: GcNew, ty: u32) -> usize {
        match op {
            GcNew::Struct => match self.data.module.inner.defs[ty as usize].composite() {
                CompositeType::Struct(s) => s.fields().len(),
                _ => 0,
            },
            GcNew::StructDefault => 0,
            GcNew::Array => 2,
            GcNew::ArrayDefault => 1,
            GcNew::ArrayFixed(n) => n as usize,
        }
    }

    fn gc_new(&mut self, op: GcNew, ty: u32, operands: &[u128]) -> Result<u64, TrapCode> {
        let entry = &self.data.module.inner.defs[ty as usize];
        let id = self.data.module.inner.type_ids[ty as usize];
        let layout = entry.layout.as_ref().expect("validated: a struct or array type");
        // Operands as slots: a v128 takes two.
        let wide = layout.slots == 2 && matches!(entry.composite(), CompositeType::Array(_));
        let slots = |vals: &[u128], wide_at: &dyn Fn(usize) -> bool| {
            let mut out = Vec::with_capacity(vals.len() * 2);
            for (i, &v) in vals.iter().enumerate() {
                out.push(v as u64);
                if wide_at(i) {
                    out.push((v >> 64) as u64);
                }
            }
            out
        };
        let shape = Shape { ty: id, slots: layout.slots, traced: layout.traced };
        let core = &mut *self.core;
        let never = core.host_gc_point();
        match op {
            GcNew::Struct | GcNew::StructDefault => {
                let fields = match (op, entry.composite()) {
                    (GcNew::Struct, CompositeType::Struct(st)) => Some(slots(operands, &|i| {
                        st.fields()[i].storage.unpacked() == crate::types::ValType::V128
                    })),
                    _ => None,
                };
                core.struct_new(shape, fields.as_deref(), false, never)
            }
            GcNew::Array | GcNew::ArrayDefault => {
                let len = operands.last().copied().unwrap_or(0) as u32;
                let init = match op {
                    GcNew::Array => slots(&operands[..1], &|_| wide),
                    _ => Vec::new(),
                };
                let init =
                    if init.is_empty() { ArrayInit::Default } else { ArrayInit::Fill(&init) };
                core.array_new(shape, len, init, false, never)
            }
            GcNew::ArrayFixed(n) => {
                let elems = slots(operands, &|_| wide);
                core.array_new(shape, n, ArrayInit::Elems(&elems), false, never)
            }
        }
    }
}

/// The error of a trap in a constant expression.
fn trap_error(code: TrapCode) -> anyhow::Error {
    anyhow!(code.to_trap().expect("constant expressions trap with traps"))
}

/// Checks that `actual` can be imported as `expected`.
fn check_import(expected: &ExternType, actual: &ExternType) -> Result<()> {
    let ok = match (expected, actual) {
        // Checked by type id first.
        (ExternType::Func(_), ExternType::Func(_)) => true,
        // A constant global's type may be a subtype; a mutable one's is
        // exact (both ways).
        (ExternType::Global(e), ExternType::Global(a)) => {
            e.mutability() == a.mutability()
                && match e.mutability() {
                    Mutability::Const => a.content().matches(e.content()),
                    Mutability::Var => a.content() == e.content(),
                }
        }
        // Checked by type id first.
        (ExternType::Tag(_), ExternType::Tag(_)) => true,
        (ExternType::Table(e), ExternType::Table(a)) => {
            e.element() == a.element()
                && e.is_64() == a.is_64()
                && a.minimum() >= e.minimum()
                && match (e.maximum(), a.maximum()) {
                    (None, _) => true,
                    (Some(em), Some(am)) => am <= em,
                    (Some(_), None) => false,
                }
        }
        (ExternType::Memory(e), ExternType::Memory(a)) => {
            a.page_size() == e.page_size()
                && a.is_shared() == e.is_shared()
                && a.is_64() == e.is_64()
                && a.minimum() >= e.minimum()
                && match (e.maximum(), a.maximum()) {
                    (None, _) => true,
                    (Some(em), Some(am)) => am <= em,
                    (Some(_), None) => false,
                }
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else if expected.kind() != actual.kind() {
        bail!("expected {}, but found {}", expected.kind(), actual.kind())
    } else {
        bail!("expected {expected}, but found {actual}")
    }
}

/// Creates an instance: resolves imports, allocates entities, initialises
/// tables and memories. The start function is not run.
pub(crate) fn instantiate(
    core: &mut StoreCore,
    module: &Module,
    imports: &[Extern],
) -> Result<Instance> {
    let m = &*module.inner;
    if !crate::Engine::same(&m.engine, &core.engine) {
        bail!("cross-`Engine` instantiation is not currently supported");
    }
    if imports.len() != m.imports.len() {
        bail!("expected {} imports, found {}", m.imports.len(), imports.len());
    }
    core.check_count("instance", core.instances.len())?;
    let mut funcs = Vec::with_capacity(m.funcs.len());
    let mut table_ids = Vec::with_capacity(m.tables.len());
    let mut memory_ids = Vec::with_capacity(m.memories.len());
    let mut global_ids = Vec::with_capacity(m.globals.len());
    let mut tags = Vec::with_capacity(m.tags.len());
    for (import, ext) in m.imports.iter().zip(imports) {
        let expected = m.entity_type(import.index);
        let actual = ext.ty_core(core);
        let context =
            || format!("incompatible import type for `{}::{}`", import.module, import.name);
        // A function's type must be the declared one or a subtype of it:
        // compared by id, which also tells apart equal-looking types of
        // different recursion groups.
        let ids_match = match (ext, import.index) {
            (Extern::Func(f), EntityIndex::Func(i)) => {
                registry::is_subtype(core.funcs[f.0.check(core)].ty, m.func_type_id(i))
            }
            // A tag's type must be the declared one.
            (Extern::Tag(t), EntityIndex::Tag(i)) => {
                core.tags[t.0.check(core)].type_id == m.type_ids[m.tags[i as usize] as usize]
            }
            _ => true,
        };
        if !ids_match {
            return Err(anyhow!("expected {expected}, but found {actual}")).with_context(context);
        }
        check_import(&expected, &actual).with_context(context)?;
        match ext {
            Extern::Func(f) => funcs.push(f.0.check(core) as u32),
            Extern::Table(t) => table_ids.push(t.0.check(core) as u32),
            Extern::Memory(mm) => memory_ids.push(mm.0.check(core) as u32),
            Extern::Global(g) => global_ids.push(g.0.check(core) as u32),
            Extern::Tag(t) => tags.push(t.0.check(core) as u32),
        }
    }
    // The instance is allocated first so that its functions can point at it.
    let inst_index = core.instances.len() as u32;
    core.instances.push(Box::new(InstanceData {
        module: module.clone(),
        funcs: Box::new([]),
        tables: Box::new([]),
        table_ids: Box::new([]),
        memory: std::ptr::null_mut(),
        memories: Box::new([]),
        memory_ids: Box::new([]),
        globals: Box::new([]),
        global_ids: Box::new([]),
        tags: Box::new([]),
        elems: Box::new([]),
        data_dropped: Box::new([]),
    }));
    let inst_ptr: *mut InstanceData = &mut *core.instances[inst_index as usize];
    for (i, code) in m.code.iter().enumerate() {
        let f = m.num_imported_funcs + i as u32;
        core.funcs.push(FuncEntity {
            ty: m.func_type_id(f),
            kind: FuncKind::Wasm { inst: inst_ptr, code },
        });
        funcs.push(core.funcs.len() as u32 - 1);
    }
    for t in m.num_imported_tags..m.tags.len() as u32 {
        tags.push(core.new_tag(m.tag_type(t), m.type_ids[m.tags[t as usize] as usize]));
    }
    for ty in &m.memories[m.num_imported_memories as usize..] {
        memory_ids.push(core.new_memory(*ty)?);
    }
    // Globals first: table initialisers may read them.
    // SAFETY: `inst_ptr` points at the boxed instance just pushed; no other
    // reference to it exists while it is set up.
    unsafe {
        (*inst_ptr).funcs = funcs.into_boxed_slice();
        (*inst_ptr).tags = tags.into_boxed_slice();
        (*inst_ptr).memories = memory_ids
            .iter()
            .map(|&i| &mut *core.memories[i as usize] as *mut crate::store::MemoryEntity)
            .collect();
        (*inst_ptr).memory = (*inst_ptr).memories.first().copied().unwrap_or(std::ptr::null_mut());
        (*inst_ptr).memory_ids = memory_ids.into_boxed_slice();
    }
    let mut globals: Vec<*mut u64> =
        global_ids.iter().map(|&g| core.globals[g as usize].cell()).collect();
    for (i, ty) in m.globals[m.num_imported_globals as usize..].iter().enumerate() {
        // SAFETY: as above; the instance's globals so far are initialised.
        let value = unsafe {
            (*inst_ptr).globals = globals.clone().into_boxed_slice();
            m.global_inits[i].eval(&mut Env { core, data: &*inst_ptr })
        }
        .map_err(trap_error)?;
        let g = core.new_global(*ty, value);
        global_ids.push(g);
        globals.push(core.globals[g as usize].cell());
    }
    // SAFETY: as above.
    unsafe {
        (*inst_ptr).globals = globals.into_boxed_slice();
        (*inst_ptr).global_ids = global_ids.into_boxed_slice();
    }
    for (i, ty) in m.tables.iter().enumerate().skip(m.num_imported_tables as usize) {
        let init = match &m.table_inits[i] {
            Some(e) => {
                // SAFETY: as above.
                let mut env = unsafe { Env { core, data: &*inst_ptr } };
                e.eval(&mut env).map_err(trap_error)? as u64
            }
            None => 0,
        };
        table_ids.push(core.new_table(*ty, init)?);
    }
    let tables: Vec<_> =
        table_ids.iter().map(|&t| &mut *core.tables[t as usize] as *mut _).collect();
    // SAFETY: as above.
    let data = unsafe {
        (*inst_ptr).tables = tables.into_boxed_slice();
        (*inst_ptr).table_ids = table_ids.into_boxed_slice();
        let mut env = Env { core, data: &*inst_ptr };
        let mut elems: Vec<UnsafeCell<Box<[u64]>>> = Vec::with_capacity(m.elems.len());
        for seg in &m.elems {
            elems.push(UnsafeCell::new(match seg.mode {
                ElemMode::Declared => Box::new([]),
                _ => seg
                    .items
                    .iter()
                    .map(|e| e.eval(&mut env).map(|v| v as u64))
                    .collect::<Result<_, _>>()
                    .map_err(trap_error)?,
            }));
        }
        (*inst_ptr).elems = elems.into_boxed_slice();
        (*inst_ptr).data_dropped = (0..m.datas.len()).map(|_| Cell::new(false)).collect();
        &*inst_ptr
    };
    let instance = Instance(Stored { store: core.id, index: inst_index });
    // Active element segments, then active data segments, in order; a
    // segment out of bounds traps, leaving the earlier ones' effects.
    for (i, seg) in m.elems.iter().enumerate() {
        if let ElemMode::Active { table, offset } = &seg.mode {
            let offset = offset.eval(&mut Env { core, data }).map_err(trap_error)?;
            let items = data.elem_segment(i as u32);
            // SAFETY: table pointers name tables of this store.
            let t = unsafe { &mut *data.tables[*table as usize] };
            let offset = if t.ty.is_64() { offset as u64 } else { offset as u32 as u64 };
            let offset = usize::try_from(offset).unwrap_or(usize::MAX);
            let end = offset.checked_add(items.len()).filter(|&e| e <= t.elems.len());
            let Some(end) = end else {
                return Err(anyhow!(Trap::TableOutOfBounds));
            };
            t.elems[offset..end].copy_from_slice(items);
            data.drop_elem(i as u32);
        }
    }
    for (i, seg) in m.datas.iter().enumerate() {
        if let Some((memory, offset)) = &seg.active {
            let offset = offset.eval(&mut Env { core, data }).map_err(trap_error)? as u64;
            let is64 = m.memories.get(*memory as usize).is_some_and(|t| t.is_64());
            let offset = if is64 { offset } else { offset as u32 as u64 };
            let Ok(offset) = usize::try_from(offset) else {
                return Err(anyhow!(Trap::MemoryOutOfBounds));
            };
            let bytes = data.data_segment(i as u32);
            let (mem, len) = data.memory_view_of(*memory);
            let end = offset.checked_add(bytes.len()).filter(|&e| e <= len);
            let Some(_) = end else {
                return Err(anyhow!(Trap::MemoryOutOfBounds));
            };
            // SAFETY: checked to be within the memory just above.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), mem.add(offset), bytes.len()) };
            data.drop_data(i as u32);
        }
    }
    Ok(instance)
}
