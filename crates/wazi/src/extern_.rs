//! Memories, tables, globals, and [`Extern`] (any importable entity).

use crate::exception::Tag;
use crate::func::Func;
use crate::store::shared::SharedMemoryInner;
use crate::store::{AsContext, AsContextMut, MemoryEntity, StoreCore, Stored, TableEntity};
use crate::types::{ExternType, GlobalType, MemoryType, Mutability, TableType};
use crate::values::Val;
use anyhow::{Result, bail};
use std::fmt;

/// Any entity that can be imported or exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A global.
    Global(Global),
    /// A table.
    Table(Table),
    /// A memory.
    Memory(Memory),
    /// An exception tag.
    Tag(Tag),
}

impl Extern {
    /// The tag, or `None` if this is another kind of entity.
    pub fn into_tag(self) -> Option<Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }

    /// The function, or `None` if this is another kind of entity.
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }

    /// The global, or `None` if this is another kind of entity.
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }

    /// The table, or `None` if this is another kind of entity.
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The memory, or `None` if this is another kind of entity.
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }

    /// The entity's type (tables and memories with their current size as
    /// minimum).
    pub fn ty(&self, store: impl AsContext) -> ExternType {
        self.ty_core(&store.as_context().0.core)
    }

    pub(crate) fn ty_core(&self, core: &StoreCore) -> ExternType {
        match self {
            Extern::Func(f) => {
                ExternType::Func(core.engine.func_type(core.funcs[f.0.check(core)].ty))
            }
            Extern::Global(g) => ExternType::Global(core.globals[g.0.check(core)].ty),
            Extern::Table(t) => {
                let t = &core.tables[t.0.check(core)];
                ExternType::Table(t.ty.with_minimum(t.elems.len() as u32))
            }
            Extern::Memory(m) => {
                let m = &core.memories[m.0.check(core)];
                ExternType::Memory(m.ty.with_minimum(m.pages()))
            }
            Extern::Tag(t) => ExternType::Tag(core.tags[t.0.check(core)].ty.clone()),
        }
    }
}

impl From<Tag> for Extern {
    fn from(t: Tag) -> Extern {
        Extern::Tag(t)
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Extern {
        Extern::Func(f)
    }
}

impl From<Global> for Extern {
    fn from(g: Global) -> Extern {
        Extern::Global(g)
    }
}

impl From<Table> for Extern {
    fn from(t: Table) -> Extern {
        Extern::Table(t)
    }
}

impl From<Memory> for Extern {
    fn from(m: Memory) -> Extern {
        Extern::Memory(m)
    }
}

/// A linear memory in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) Stored);

/// A shared linear memory (the threads proposal), independent of any
/// store: stores on any threads use it at once, through the [`Memory`]
/// that [`SharedMemory::to_memory`] gives in each. Its bytes never move;
/// see the crate's notes on concurrency in `ARCHITECTURE.md`.
#[derive(Clone)]
pub struct SharedMemory {
    inner: std::sync::Arc<SharedMemoryInner>,
    engine: crate::Engine,
}

impl fmt::Debug for SharedMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedMemory").field("ty", &self.inner.ty).finish()
    }
}

impl SharedMemory {
    /// A new shared memory of type `ty` (shared, with a maximum).
    pub fn new(engine: &crate::Engine, ty: MemoryType) -> Result<SharedMemory> {
        if !ty.is_shared() {
            bail!("shared memories must have a shared memory type");
        }
        Ok(SharedMemory { inner: SharedMemoryInner::new(ty)?, engine: engine.clone() })
    }

    /// The memory's type, with its current size as minimum.
    pub fn ty(&self) -> MemoryType {
        self.inner.ty.with_minimum(self.size())
    }

    /// Size in pages.
    pub fn size(&self) -> u64 {
        self.data_size() as u64 / self.inner.ty.page_size()
    }

    /// Size in bytes.
    pub fn data_size(&self) -> usize {
        self.inner.len()
    }

    /// Grows by `delta` pages; returns the previous size in pages.
    pub fn grow(&self, delta: u64) -> Result<u64> {
        let max = self.inner.ty.maximum().unwrap_or(0).min(self.inner.ty.max_pages());
        match self.inner.grow(delta, max) {
            Some(old) => Ok(old),
            None => bail!("failed to grow memory by `{delta}`"),
        }
    }

    /// The bytes, which other threads may change at any time.
    pub fn data(&self) -> &[std::cell::UnsafeCell<u8>] {
        // SAFETY: the bytes are valid for the current length and never
        // move; `UnsafeCell` makes no claim that they do not change.
        unsafe { std::slice::from_raw_parts(self.inner.base().as_ptr().cast(), self.data_size()) }
    }

    /// This memory in `store`, to import into its instances.
    pub fn to_memory(&self, mut store: impl AsContextMut) -> Result<Memory> {
        let core = &mut store.as_context_mut().0.core;
        if !crate::Engine::same(&self.engine, &core.engine) {
            bail!("cross-`Engine` use of a shared memory is not supported");
        }
        core.memories.push(Box::new(MemoryEntity::from_shared(self.inner.clone())));
        Ok(Memory(Stored { store: core.id, index: core.memories.len() as u32 - 1 }))
    }
}

/// An access outside a memory's bounds, from the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryAccessError;

impl fmt::Display for MemoryAccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("out of bounds memory access")
    }
}

impl std::error::Error for MemoryAccessError {}

impl Memory {
    /// A new memory of type `ty`.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let core = &mut store.as_context_mut().0.core;
        let index = core.new_memory(ty)?;
        Ok(Memory(Stored { store: core.id, index }))
    }

    fn entity<'a>(&self, core: &'a StoreCore) -> &'a MemoryEntity {
        &core.memories[self.0.check(core)]
    }

    /// The shared memory this memory is, if it is shared.
    pub fn as_shared(&self, store: impl AsContext) -> Option<SharedMemory> {
        let core = &store.as_context().0.core;
        let inner = self.entity(core).shared.clone()?;
        Some(SharedMemory { inner, engine: core.engine.clone() })
    }

    /// The memory's type, with its current size as minimum.
    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let m = self.entity(&store.as_context().0.core);
        m.ty.with_minimum(m.pages())
    }

    /// The memory's contents.
    pub fn data<'a, T: 'a>(&self, store: impl Into<crate::StoreContext<'a, T>>) -> &'a [u8] {
        let ctx = store.into();
        let core = &ctx.0.core;
        core.memories[self.0.check(core)].data()
    }

    /// The memory's contents, mutably.
    pub fn data_mut<'a, T: 'a>(
        &self,
        store: impl Into<crate::StoreContextMut<'a, T>>,
    ) -> &'a mut [u8] {
        let ctx = store.into();
        let core = &mut ctx.0.core;
        let i = self.0.check(core);
        core.memories[i].data_mut()
    }

    /// The memory's contents and the store's data at once (they live in
    /// different parts of the store), for host functions that read guest
    /// memory while updating their state.
    pub fn data_and_store_mut<'a, T: 'a>(
        &self,
        store: impl Into<crate::StoreContextMut<'a, T>>,
    ) -> (&'a mut [u8], &'a mut T) {
        let ctx = store.into();
        let inner = ctx.0;
        let i = self.0.check(&inner.core);
        (inner.core.memories[i].data_mut(), &mut inner.data)
    }

    /// Size in bytes.
    pub fn data_size(&self, store: impl AsContext) -> usize {
        self.entity(&store.as_context().0.core).len()
    }

    /// Size in pages.
    pub fn size(&self, store: impl AsContext) -> u64 {
        self.entity(&store.as_context().0.core).pages()
    }

    /// Copies memory at `offset` into `buf`.
    pub fn read(
        &self,
        store: impl AsContext,
        offset: usize,
        buf: &mut [u8],
    ) -> Result<(), MemoryAccessError> {
        let data = self.entity(&store.as_context().0.core).data();
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| data.get(offset..end))
            .ok_or(MemoryAccessError)?;
        buf.copy_from_slice(src);
        Ok(())
    }

    /// Copies `buf` into memory at `offset`.
    pub fn write(
        &self,
        mut store: impl AsContextMut,
        offset: usize,
        buf: &[u8],
    ) -> Result<(), MemoryAccessError> {
        let core = &mut store.as_context_mut().0.core;
        let i = self.0.check(core);
        let data = core.memories[i].data_mut();
        let dst = offset
            .checked_add(buf.len())
            .and_then(|end| data.get_mut(offset..end))
            .ok_or(MemoryAccessError)?;
        dst.copy_from_slice(buf);
        Ok(())
    }

    /// Grows by `delta` pages; returns the previous size in pages.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let core = &mut store.as_context_mut().0.core;
        let i = self.0.check(core);
        let m: *mut MemoryEntity = &mut *core.memories[i];
        match core.grow_memory(m, delta)? {
            Some(old) => Ok(old),
            None => bail!("failed to grow memory by `{delta}` pages"),
        }
    }

    /// The memory's size in bytes per page.
    pub fn page_size(&self, store: impl AsContext) -> u64 {
        self.entity(&store.as_context().0.core).ty.page_size()
    }
}

/// A table in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) Stored);

impl Table {
    /// A new table of type `ty` with every element `init`.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table> {
        let core = &mut store.as_context_mut().0.core;
        if !init.matches(&(*ty.element()).into(), core) {
            bail!("table initial value of type {} does not match {}", init.ty(), ty.element());
        }
        let raw = init.to_raw(core);
        let index = core.new_table(ty, raw)?;
        Ok(Table(Stored { store: core.id, index }))
    }

    fn entity<'a>(&self, core: &'a StoreCore) -> &'a TableEntity {
        &core.tables[self.0.check(core)]
    }

    /// The table's type, with its current size as minimum.
    pub fn ty(&self, store: impl AsContext) -> TableType {
        let t = self.entity(&store.as_context().0.core);
        TableType::new(*t.ty.element(), t.elems.len() as u32, t.ty.maximum())
    }

    /// The current number of elements.
    pub fn size(&self, store: impl AsContext) -> u64 {
        self.entity(&store.as_context().0.core).elems.len() as u64
    }

    /// Element `index`, if in bounds. A GC reference read joins the
    /// current root scope (see [`crate::AnyRef`]).
    pub fn get(&self, mut store: impl AsContextMut, index: u64) -> Option<Val> {
        let core = &mut store.as_context_mut().0.core;
        let t = self.entity(core);
        let raw = *t.elems.get(usize::try_from(index).ok()?)?;
        let v = Val::from_raw(raw, (*t.ty.element()).into(), core.id);
        core.root_host_refs(&[v]);
        Some(v)
    }

    /// Sets element `index`.
    pub fn set(&self, mut store: impl AsContextMut, index: u64, val: Val) -> Result<()> {
        let core = &mut store.as_context_mut().0.core;
        let i = self.0.check(core);
        let elem = *core.tables[i].ty.element();
        if !val.matches(&elem.into(), core) {
            bail!("value of type {} does not fit a table of {elem}", val.ty());
        }
        let raw = val.to_raw(core);
        match core.tables[i].elems.get_mut(index as usize) {
            Some(e) => *e = raw,
            None => bail!("table element index {index} out of bounds"),
        }
        Ok(())
    }

    /// Grows by `delta` elements set to `init`; returns the previous size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Val) -> Result<u64> {
        let core = &mut store.as_context_mut().0.core;
        let i = self.0.check(core);
        let raw = init.to_raw(core);
        let t: *mut TableEntity = &mut *core.tables[i];
        match core.grow_table(t, delta, raw)? {
            Some(old) => Ok(old),
            None => bail!("failed to grow table by `{delta}`"),
        }
    }
}

/// A global in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) Stored);

impl Global {
    /// A new global of type `ty` holding `val`.
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, val: Val) -> Result<Global> {
        let core = &mut store.as_context_mut().0.core;
        if !val.matches(ty.content(), core) {
            bail!("global of type {} cannot hold a {}", ty.content(), val.ty());
        }
        let raw = val.to_raw128(core);
        let index = core.new_global(ty, raw);
        Ok(Global(Stored { store: core.id, index }))
    }

    /// The global's value type and mutability.
    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        let core = &store.as_context().0.core;
        core.globals[self.0.check(core)].ty
    }

    /// The global's current value. A GC reference read joins the current
    /// root scope (see [`crate::AnyRef`]).
    pub fn get(&self, mut store: impl AsContextMut) -> Val {
        let core = &mut store.as_context_mut().0.core;
        let g = &core.globals[self.0.check(core)];
        // SAFETY: no wasm code runs while the host holds the store.
        let raw = unsafe { g.raw() };
        let v = Val::from_raw128(raw, *g.ty.content(), core.id);
        core.root_host_refs(&[v]);
        v
    }

    /// Sets the global's value. Fails if the global is immutable or `val`
    /// is not of its type.
    pub fn set(&self, mut store: impl AsContextMut, val: Val) -> Result<()> {
        let core = &mut store.as_context_mut().0.core;
        let i = self.0.check(core);
        let ty = core.globals[i].ty;
        if ty.mutability() != Mutability::Var {
            bail!("immutable global cannot be set");
        }
        if !val.matches(ty.content(), core) {
            bail!("global of type {} cannot hold a {}", ty.content(), val.ty());
        }
        let raw = val.to_raw128(core);
        // SAFETY: as in `get`, and the store is borrowed mutably.
        unsafe { *core.globals[i].value.get() = [raw as u64, (raw >> 64) as u64] };
        Ok(())
    }
}

impl<'a, T> From<&'a crate::Store<T>> for crate::StoreContext<'a, T> {
    fn from(s: &'a crate::Store<T>) -> Self {
        crate::StoreContext(&s.inner)
    }
}

impl<'a, T> From<&'a mut crate::Store<T>> for crate::StoreContext<'a, T> {
    fn from(s: &'a mut crate::Store<T>) -> Self {
        crate::StoreContext(&s.inner)
    }
}

impl<'a, T> From<&'a mut crate::Store<T>> for crate::StoreContextMut<'a, T> {
    fn from(s: &'a mut crate::Store<T>) -> Self {
        crate::StoreContextMut(&mut s.inner)
    }
}

impl<'a, T> From<&'a crate::func::Caller<'_, T>> for crate::StoreContext<'a, T> {
    fn from(c: &'a crate::func::Caller<'_, T>) -> Self {
        crate::StoreContext(c.inner)
    }
}

impl<'a, T> From<&'a mut crate::func::Caller<'_, T>> for crate::StoreContext<'a, T> {
    fn from(c: &'a mut crate::func::Caller<'_, T>) -> Self {
        crate::StoreContext(c.inner)
    }
}

impl<'a, T> From<&'a mut crate::func::Caller<'_, T>> for crate::StoreContextMut<'a, T> {
    fn from(c: &'a mut crate::func::Caller<'_, T>) -> Self {
        crate::StoreContextMut(c.inner)
    }
}

impl<'a, T> From<crate::StoreContextMut<'a, T>> for crate::StoreContext<'a, T> {
    fn from(c: crate::StoreContextMut<'a, T>) -> Self {
        crate::StoreContext(c.0)
    }
}

impl<'a, 'b: 'a, T> From<&'a crate::StoreContextMut<'b, T>> for crate::StoreContext<'a, T> {
    fn from(c: &'a crate::StoreContextMut<'b, T>) -> Self {
        crate::StoreContext(c.0)
    }
}

impl<'a, 'b: 'a, T> From<&'a mut crate::StoreContextMut<'b, T>> for crate::StoreContextMut<'a, T> {
    fn from(c: &'a mut crate::StoreContextMut<'b, T>) -> Self {
        crate::StoreContextMut(c.0)
    }
}
