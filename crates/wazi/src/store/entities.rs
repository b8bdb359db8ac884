//! What a store owns: functions, memories, tables, globals and instances.
//!
//! Entities are boxed so their addresses never change: instances and running
//! code refer to them by raw pointer for speed. They live as long as the
//! store.

use super::region;
use super::shared::SharedMemoryInner;
use crate::code::FuncCode;
use crate::exec::Mem;
use crate::module::Module;
use crate::types::{GlobalType, MemoryType, TableType};
use anyhow::Result;
use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::cell::{Cell, UnsafeCell};
use std::ptr::NonNull;
use std::sync::Arc;

/// The most elements a table may have unless its type says less: growing
/// further fails (-1), it never exhausts the host's memory.
pub(crate) const MAX_TABLE_ELEMENTS: u64 = 10_000_000;

/// Reserved memory is committed in granules of this many bytes.
const COMMIT_GRANULE: usize = 65536;

/// The raw reference to store function `f` (0 is null).
#[inline(always)]
pub(crate) fn func_ref(f: u32) -> u64 {
    f as u64 + 1
}

/// A host function's implementation. It receives the store (as
/// `*mut StoreInner<T>`), the calling instance (null when called from the
/// host) and the slots holding its arguments, where it leaves its results.
pub(crate) type HostFn =
    dyn Fn(*mut (), *const InstanceData, &mut [u64]) -> Result<()> + Send + Sync + 'static;

/// A host function, independent of any store.
#[doc(hidden)]
pub struct HostFunc {
    pub(crate) type_id: u32,
    /// `max(params, results)`: the slots a call needs.
    pub(crate) slots: usize,
    pub(crate) num_results: usize,
    pub(crate) call: Box<HostFn>,
}

pub(crate) enum FuncKind {
    Wasm { inst: *const InstanceData, code: *const FuncCode },
    Host(Arc<HostFunc>),
}

/// An exception tag: the types its exceptions carry.
pub(crate) struct TagEntity {
    pub ty: crate::types::TagType,
    /// The id of its function type (see `types::registry`).
    pub type_id: u32,
}

pub(crate) struct FuncEntity {
    /// Engine-wide type id.
    pub ty: u32,
    pub kind: FuncKind,
}

/// A linear memory. On Unix its bytes are an anonymous mapping that
/// reserves address space up to the memory's maximum (at most 4 GiB), so
/// growing only makes more pages accessible, never moves or copies, and
/// pages cost nothing until touched. Where the reservation fails (a limit
/// on address space), or off Unix, the bytes are allocated zeroed and
/// reallocated on growth.
pub(crate) struct MemoryEntity {
    ptr: NonNull<u8>,
    len: usize,
    /// Accessible (committed) bytes.
    cap: usize,
    /// Reserved bytes of the mapping (0: a heap allocation of `cap`).
    reserved: usize,
    pub ty: MemoryType,
    /// For a shared memory: its bytes and length (`ptr` is their base; the
    /// fields above are unused).
    pub shared: Option<Arc<SharedMemoryInner>>,
}

impl MemoryEntity {
    pub(crate) fn new(ty: MemoryType) -> Result<MemoryEntity> {
        let mut m = MemoryEntity {
            ptr: NonNull::dangling(),
            len: 0,
            cap: 0,
            reserved: 0,
            ty,
            shared: None,
        };
        if ty.minimum() > ty.max_pages() {
            anyhow::bail!("memory minimum size of {} pages is too large", ty.minimum());
        }
        let bytes = ty.minimum() as usize * ty.page_size() as usize;
        if !m.set_len(bytes) {
            anyhow::bail!("failed to allocate {bytes} bytes of linear memory");
        }
        Ok(m)
    }

    /// A store's view of shared memory `inner`.
    pub(crate) fn from_shared(inner: Arc<SharedMemoryInner>) -> MemoryEntity {
        MemoryEntity {
            ptr: inner.base(),
            len: 0,
            cap: 0,
            reserved: 0,
            ty: inner.ty,
            shared: Some(inner),
        }
    }

    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        match &self.shared {
            None => self.len,
            Some(s) => s.len(),
        }
    }

    pub(crate) fn pages(&self) -> u64 {
        self.len() as u64 / self.ty.page_size()
    }

    /// Makes sure `bytes` are reserved or allocated, so that growing up to
    /// them never moves the memory; false if they cannot be.
    pub(crate) fn fix_capacity(&mut self, bytes: usize) -> bool {
        if self.reserved >= bytes || self.cap >= bytes {
            return true;
        }
        if self.reserved > 0 {
            return false;
        }
        if self.cap == 0 && self.adopt_reservation(bytes.next_multiple_of(COMMIT_GRANULE)) {
            let len = self.len;
            self.len = 0;
            return self.set_len(len);
        }
        let len = self.len;
        if !self.reallocate(bytes) {
            return false;
        }
        self.len = len;
        true
    }

    /// The most pages this memory may have by its type.
    pub(crate) fn max_pages(&self) -> u64 {
        let limit = self.ty.max_pages();
        self.ty.maximum().map_or(limit, |m| m.min(limit))
    }

    #[inline(always)]
    pub(crate) fn view(&self) -> (Mem, usize) {
        (self.ptr.as_ptr(), self.len())
    }

    pub(crate) fn data(&self) -> &[u8] {
        // SAFETY: `ptr` holds `len` initialised (zeroed or written) bytes;
        // for a shared memory see `store::shared` on concurrent writers.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len()) }
    }

    pub(crate) fn data_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `data`, and `&mut self` makes the access unique
        // within the store.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len()) }
    }

    /// Resizes to `bytes` (only ever grows); false if allocation fails.
    pub(crate) fn set_len(&mut self, bytes: usize) -> bool {
        if let Some(s) = &self.shared {
            return s.set_len(bytes);
        }
        if bytes <= self.cap {
            self.len = bytes;
            return true;
        }
        if bytes <= self.reserved {
            // Commit whole 64 KiB granules (a multiple of any host page), so
            // memories of 1-byte pages grow page-aligned too.
            let to = bytes.next_multiple_of(COMMIT_GRANULE).min(self.reserved);
            // SAFETY: `cap..to` lies inside the reserved mapping, and `cap`
            // is a multiple of the granule.
            if !unsafe { region::commit(self.ptr, self.cap, to) } {
                return false;
            }
            self.cap = to;
            self.len = bytes;
            return true;
        }
        if self.cap == 0 && self.reserved == 0 {
            let max = (self.max_pages() as usize)
                .saturating_mul(self.ty.page_size() as usize)
                .max(bytes)
                .next_multiple_of(COMMIT_GRANULE);
            if self.adopt_reservation(max) {
                return self.set_len(bytes);
            }
        }
        self.reallocate(bytes)
    }

    /// Makes a reservation of `bytes` this memory's place (it has none
    /// and no bytes yet): a kept one, whose committed bytes are zero, or
    /// a new one. False if there is none.
    fn adopt_reservation(&mut self, bytes: usize) -> bool {
        let Some((ptr, committed)) =
            region::take(bytes).or_else(|| Some((region::reserve(bytes)?, 0)))
        else {
            return false;
        };
        self.ptr = ptr;
        self.reserved = bytes;
        self.cap = committed;
        true
    }

    /// Moves the bytes to a new heap allocation of `bytes`.
    fn reallocate(&mut self, bytes: usize) -> bool {
        let Ok(layout) = Layout::from_size_align(bytes, 16) else {
            return false;
        };
        // SAFETY: `layout` has a non-zero size (bytes > cap >= 0).
        let new = unsafe { alloc_zeroed(layout) };
        let Some(new) = NonNull::new(new) else {
            return false;
        };
        // SAFETY: both regions are valid for `len` bytes and distinct.
        unsafe { std::ptr::copy_nonoverlapping(self.ptr.as_ptr(), new.as_ptr(), self.len) };
        self.release();
        self.ptr = new;
        self.cap = bytes;
        self.len = bytes;
        true
    }

    fn release(&mut self) {
        if self.reserved > 0 {
            // SAFETY: the mapping was made by `region::reserve` with this
            // size, its first `cap` bytes committed; the store is done
            // with it.
            unsafe { region::recycle(self.ptr, self.reserved, self.cap, &[0], false) };
        } else if self.cap > 0 {
            // SAFETY: allocated in `reallocate` with this layout.
            unsafe { dealloc(self.ptr.as_ptr(), Layout::from_size_align_unchecked(self.cap, 16)) };
        }
        self.reserved = 0;
        self.cap = 0;
    }
}

impl Drop for MemoryEntity {
    fn drop(&mut self) {
        self.release();
    }
}

/// A table of raw references.
pub(crate) struct TableEntity {
    pub elems: Vec<u64>,
    pub ty: TableType,
}

impl TableEntity {
    pub(crate) fn max_elements(&self) -> u64 {
        self.ty.maximum().map_or(MAX_TABLE_ELEMENTS, |m| (m as u64).min(MAX_TABLE_ELEMENTS))
    }
}

/// A global's cells: the raw value in the first slot, or both for a
/// `v128` (low half first).
pub(crate) struct GlobalEntity {
    pub value: UnsafeCell<[u64; 2]>,
    pub ty: GlobalType,
}

impl GlobalEntity {
    /// The first cell, as running code addresses it.
    pub(crate) fn cell(&self) -> *mut u64 {
        self.value.get() as *mut u64
    }

    /// The raw value (both slots).
    ///
    /// # Safety
    /// No wasm code may be writing the global.
    pub(crate) unsafe fn raw(&self) -> u128 {
        // SAFETY: see the contract.
        let [lo, hi] = unsafe { *self.value.get() };
        (hi as u128) << 64 | lo as u128
    }
}

/// An instance: its module and where its entities are.
pub(crate) struct InstanceData {
    pub module: Module,
    /// Store function index of each function.
    pub funcs: Box<[u32]>,
    pub tables: Box<[*mut TableEntity]>,
    pub table_ids: Box<[u32]>,
    /// Memory 0, or null. Running code keeps its view in registers.
    pub memory: *mut MemoryEntity,
    /// Every memory of the instance (multi-memory), memory 0 first.
    pub memories: Box<[*mut MemoryEntity]>,
    pub memory_ids: Box<[u32]>,
    /// The value cell of each global.
    pub globals: Box<[*mut u64]>,
    pub global_ids: Box<[u32]>,
    /// Store tag index of each tag.
    pub tags: Box<[u32]>,
    /// Element segments as raw references (empty once dropped).
    pub elems: Box<[UnsafeCell<Box<[u64]>>]>,
    pub data_dropped: Box<[Cell<bool>]>,
}

impl InstanceData {
    /// The memory's base and length (a dangling base and 0 without memory).
    #[inline(always)]
    pub(crate) fn memory_view(&self) -> (Mem, usize) {
        if self.memory.is_null() {
            (NonNull::dangling().as_ptr(), 0)
        } else {
            // SAFETY: memory pointers name memories of the same store.
            unsafe { (*self.memory).view() }
        }
    }

    /// Memory `idx`'s base and length.
    #[inline(always)]
    pub(crate) fn memory_view_of(&self, idx: u32) -> (Mem, usize) {
        match self.memories.get(idx as usize) {
            // SAFETY: memory pointers name memories of the same store.
            Some(&m) => unsafe { (*m).view() },
            None => (NonNull::dangling().as_ptr(), 0),
        }
    }

    /// The shared memory of this instance whose bytes start at `base`, if
    /// there is one (the memory running code has in its registers).
    pub(crate) fn shared_memory_at(&self, base: Mem) -> Option<&Arc<SharedMemoryInner>> {
        self.memories.iter().find_map(|&m| {
            // SAFETY: memory pointers name memories of the same store.
            let m = unsafe { &*m };
            m.shared.as_ref().filter(|s| s.base().as_ptr() == base)
        })
    }

    /// The bytes of data segment `idx` (empty once dropped).
    pub(crate) fn data_segment(&self, idx: u32) -> &[u8] {
        if self.data_dropped[idx as usize].get() {
            return &[];
        }
        let range = self.module.inner.datas[idx as usize].bytes.clone();
        &self.module.inner.bytes[range]
    }

    pub(crate) fn drop_data(&self, idx: u32) {
        self.data_dropped[idx as usize].set(true);
    }

    /// The references of element segment `idx` (empty once dropped).
    pub(crate) fn elem_segment(&self, idx: u32) -> &[u64] {
        // SAFETY: segments are only replaced by `drop_elem`, which no caller
        // runs while holding the slice returned here.
        unsafe { &*self.elems[idx as usize].get() }
    }

    pub(crate) fn drop_elem(&self, idx: u32) {
        // SAFETY: see `elem_segment`.
        unsafe { *self.elems[idx as usize].get() = Box::new([]) };
    }
}
