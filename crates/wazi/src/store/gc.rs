//! GC objects (the GC proposal) and the collector that reclaims them and
//! exception objects together.
//!
//! A struct or array lives in the store's [`GcHeap`]: a handle (its type,
//! where its slots are, its length) and, in one arena of 64-bit words, a
//! header word (the handle's index) and its slots, a field or element per
//! slot (two for a `v128`; packed `i8` and
//! `i16` values are kept unmasked and cut on read). Allocation takes a
//! handle from a free list and bumps the arena; no system allocator call
//! is made per object. A reference is [`GC_BITS`] or'ed with the handle's
//! 16-bit generation and its 32-bit index, so a stale reference the host
//! kept is detected instead of naming another object. An `i31` is
//! [`I31_BITS`] or'ed with its 31 bits: it is no object at all.
//!
//! The `anyref` hierarchy's values are these two, null (0), and external
//! references turned into `anyref` by `any.convert_extern`, which keep
//! their `externref` bits (a store index plus one, below 2^32): the
//! conversions both ways change nothing.
//!
//! Collection runs when the heap has doubled since the last one (or would
//! pass its limit). It marks from the roots and then compacts the arena,
//! sliding live objects' slots down; references name handles, so nothing
//! that refers to a moved object changes.
//!
//! The roots are the globals and tables of traced reference types, element
//! segments, host roots, and the frames of the running code. Frames are
//! found through the frame records (a host function's caller gets one as
//! well) and read through each function's [`crate::code::Roots`]: its
//! locals of traced types and, at the point the frame is stopped (an
//! allocation, or a call), the temporaries that hold an operand. A slot
//! whose value was dropped is not read. Of objects, only the fields and
//! elements of traced types are followed. Temporaries are untyped, so a
//! live integer operand that has the exact shape of a live reference (its
//! tag, index and generation) would keep that object: too long, never too
//! short. Exception payloads and GC fields may refer to each other, so both
//! heaps are marked in one pass.
//!
//! References the host holds ([`crate::AnyRef`]) are in the heap's host
//! roots until their root scope ends (see `Store::gc_root_scope`).

use super::{InstanceData, StoreCore};
use crate::code::Compiled;
use crate::exec::{Frame, Ip, Sp};
use crate::trap::TrapCode;
use crate::types::ValType;
use std::sync::Arc;

/// Where execution is when a collection may start.
#[derive(Clone, Copy)]
pub(crate) struct GcPoint {
    /// The running wasm frame, stopped at an instruction that allocates:
    /// its address, its frame, its instance.
    pub running: Option<(Ip, Sp, *const InstanceData)>,
    /// One past the last frame record in use (every caller of the running
    /// code, and of each host function running).
    pub frames: *const Frame,
}

/// The high bits of every reference to a GC object.
pub(crate) const GC_BITS: u64 = 0x6C6C << 48;
/// The high bits of every `i31`.
pub(crate) const I31_BITS: u64 = 0x1331 << 48;
const TAG_MASK: u64 = 0xFFFF << 48;

/// Bytes counted for an object besides its slots: its handle and its
/// header word.
const HEADER_BYTES: usize = 32;
/// Collection runs once this many bytes are in use, at the least.
const MIN_GC_BYTES: usize = 1 << 20;

/// The `i31` of the low 31 bits of `v`.
#[inline(always)]
pub(crate) fn i31_ref(v: u32) -> u64 {
    I31_BITS | (v & 0x7FFF_FFFF) as u64
}

/// Whether `raw` is an `i31`.
#[inline(always)]
pub(crate) fn is_i31(raw: u64) -> bool {
    raw & TAG_MASK == I31_BITS
}

/// What a new object is: its type, its slots (a struct's, or an array
/// element's) and whether they can hold references.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    pub ty: u32,
    pub slots: u32,
    pub traced: bool,
}

/// How a new array's elements start.
#[derive(Clone, Copy)]
pub(crate) enum ArrayInit<'a> {
    /// Zero (`array.new_default`).
    Default,
    /// Every element is this one (its slots).
    Fill(&'a [u64]),
    /// The elements' slots, in order.
    Elems(&'a [u64]),
}

impl Object {
    /// Where its slots start in the arena.
    #[inline(always)]
    pub(crate) fn base(&self) -> usize {
        self.start as usize
    }
}

/// An object's handle.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Object {
    /// Its type's id (see `types::registry`).
    pub ty: u32,
    /// Whether it is an array (else a struct).
    pub array: bool,
    /// Whether its slots may hold references (the collector traces it).
    pub traced: bool,
    /// Where its slots start in the arena (after its header word, which
    /// holds its handle index).
    pub start: u32,
    /// How many slots it has.
    pub slots: u32,
    /// An array's length in elements (0 for a struct).
    pub len: u32,
}

struct Handle {
    generation: u16,
    obj: Option<Object>,
}

/// The store's GC heap.
pub(crate) struct GcHeap {
    handles: Vec<Handle>,
    free: Vec<u32>,
    /// Every object's slots.
    pub arena: Vec<u64>,
    /// Bytes in use: slots and handles of objects not known dead.
    used: usize,
    /// Collection runs before `used` passes this.
    next_gc: usize,
    /// The most bytes the heap may use (`Config::max_gc_heap_size`).
    pub limit: usize,
    /// References the host holds (see the module documentation).
    pub host_roots: Vec<u64>,
    /// Collections run so far.
    pub collections: u64,
    /// The reference slots of each struct type (by id) met so far.
    struct_refs: std::collections::HashMap<u32, Arc<[u32]>, BuildIdHasher>,
    /// Collect before every allocation (`Config::gc_stress`).
    pub stress: bool,
}

impl GcHeap {
    pub(crate) fn new(limit: usize, stress: bool) -> GcHeap {
        GcHeap {
            handles: Vec::new(),
            free: Vec::new(),
            arena: Vec::new(),
            used: 0,
            next_gc: MIN_GC_BYTES,
            limit,
            host_roots: Vec::new(),
            collections: 0,
            struct_refs: Default::default(),
            stress,
        }
    }

    /// The live object `raw` refers to, with its handle index.
    #[inline(always)]
    pub(crate) fn get(&self, raw: u64) -> Option<&Object> {
        if raw & TAG_MASK != GC_BITS {
            return None;
        }
        let h = self.handles.get(raw as u32 as usize)?;
        if h.generation != (raw >> 32) as u16 {
            return None;
        }
        h.obj.as_ref()
    }

    /// Bytes in use.
    pub(crate) fn used(&self) -> usize {
        self.used
    }

    /// Live objects (as of the last collection, plus those allocated since).
    pub(crate) fn objects(&self) -> usize {
        self.handles.len() - self.free.len()
    }

    fn cost(slots: usize) -> usize {
        slots.saturating_mul(8).saturating_add(HEADER_BYTES)
    }

    /// Whether a collection should run before allocating `slots` slots.
    fn due(&self, slots: usize) -> bool {
        let after = self.used.saturating_add(Self::cost(slots));
        after > self.next_gc || after > self.limit || self.stress
    }

    /// Allocates an object of `slots` zeroed slots; returns its reference
    /// and its slots.
    fn alloc(&mut self, mut obj: Object) -> Result<(u64, &mut [u64]), TrapCode> {
        let slots = obj.slots as usize;
        let after = self.used.saturating_add(Self::cost(slots));
        if after > self.limit {
            return Err(TrapCode::GcHeapOutOfMemory);
        }
        let header = self.arena.len();
        let Ok(start) = u32::try_from(header + 1 + slots) else {
            return Err(TrapCode::GcHeapOutOfMemory);
        };
        obj.start = start - slots as u32;
        self.used = after;
        let index = self.free.pop().unwrap_or_else(|| {
            self.handles.push(Handle { generation: 0, obj: None });
            self.handles.len() as u32 - 1
        });
        let h = &mut self.handles[index as usize];
        h.obj = Some(obj);
        let raw = GC_BITS | (h.generation as u64) << 32 | index as u64;
        self.arena.push(index as u64);
        self.arena.resize(header + 1 + slots, 0);
        Ok((raw, &mut self.arena[header + 1..]))
    }

    /// The handle index of `raw`, if it refers to a live object.
    fn index(&self, raw: u64) -> Option<usize> {
        self.get(raw).map(|_| raw as u32 as usize)
    }

    /// Frees every object not `marked`, and slides the survivors' slots
    /// to the start of the arena, walking it in order by the header word
    /// before each object's slots.
    fn sweep(&mut self, marked: &[bool]) {
        let (mut read, mut write, mut used) = (0, 0, 0);
        while read < self.arena.len() {
            let i = self.arena[read] as usize;
            let o = self.handles[i].obj.as_mut().expect("objects in the arena are live");
            let n = o.slots as usize;
            if marked[i] {
                self.arena.copy_within(read..read + 1 + n, write);
                o.start = (write + 1) as u32;
                write += 1 + n;
                used += Self::cost(n);
            }
            read += 1 + n;
        }
        self.arena.truncate(write);
        if self.arena.capacity() > 4 * write.max(1024) {
            self.arena.shrink_to(2 * write);
        }
        for (i, h) in self.handles.iter_mut().enumerate() {
            if h.obj.is_some() && !marked[i] {
                h.obj = None;
                h.generation = h.generation.wrapping_add(1);
                self.free.push(i as u32);
            }
        }
        self.used = used;
        self.next_gc = (used * 2).max(MIN_GC_BYTES);
        self.collections += 1;
    }
}

impl StoreCore {
    /// Where execution is when no wasm code runs: in the host, perhaps
    /// called from wasm.
    pub(crate) fn host_gc_point(&self) -> GcPoint {
        GcPoint { running: None, frames: self.frames_top }
    }

    /// Collects now, from the host.
    pub(crate) fn collect_now(&mut self) {
        self.collect_garbage(self.host_gc_point());
    }

    /// Allocates a GC object, collecting first if due (execution is at
    /// `at`). Its slots are zero; `init` fills them. `collect: false` never
    /// collects (constant expressions, whose values are in no root yet).
    pub(crate) fn gc_alloc(
        &mut self,
        obj: Object,
        collect: bool,
        at: GcPoint,
        init: impl FnOnce(&mut [u64]),
    ) -> Result<u64, TrapCode> {
        if collect && self.gc.due(obj.slots as usize) {
            self.collect_garbage(at);
        }
        let (raw, slots) = self.gc.alloc(obj)?;
        init(&mut slots[..obj.slots as usize]);
        Ok(raw)
    }

    /// A struct of shape `s`, its slots copied from `fields` (or zero:
    /// `struct.new_default`).
    pub(crate) fn struct_new(
        &mut self,
        s: Shape,
        fields: Option<&[u64]>,
        collect: bool,
        at: GcPoint,
    ) -> Result<u64, TrapCode> {
        let obj =
            Object { ty: s.ty, array: false, traced: s.traced, start: 0, slots: s.slots, len: 0 };
        self.gc_alloc(obj, collect, at, |s| {
            if let Some(f) = fields {
                s.copy_from_slice(&f[..s.len()]);
            }
        })
    }

    /// An array of shape `s` (its elements' slots) with `len` elements.
    pub(crate) fn array_new(
        &mut self,
        s: Shape,
        len: u32,
        init: ArrayInit<'_>,
        collect: bool,
        at: GcPoint,
    ) -> Result<u64, TrapCode> {
        let elem_slots = s.slots;
        let total = len as u64 * elem_slots as u64;
        if total.saturating_mul(8) > self.gc.limit as u64 || total > u32::MAX as u64 {
            return Err(TrapCode::AllocationTooLarge);
        }
        let (ty, traced) = (s.ty, s.traced);
        let obj = Object { ty, array: true, traced, start: 0, slots: total as u32, len };
        self.gc_alloc(obj, collect, at, |s| match init {
            ArrayInit::Default => {}
            ArrayInit::Fill(v) => {
                if v.iter().any(|&w| w != 0) {
                    for e in s.chunks_exact_mut(elem_slots as usize) {
                        e.copy_from_slice(v);
                    }
                }
            }
            ArrayInit::Elems(v) => s.copy_from_slice(&v[..s.len()]),
        })
    }

    /// The slots of the object `raw` refers to.
    #[inline(always)]
    pub(crate) fn gc_slots(&mut self, raw: u64) -> Option<(Object, &mut [u64])> {
        let o = *self.gc.get(raw)?;
        Some((o, &mut self.gc.arena[o.base()..o.base() + o.slots as usize]))
    }

    /// Marks both heaps from the store's roots and frees what is not
    /// reachable. Never inlined: handlers that may collect (`throw`) must
    /// keep frames without escaping locals to stay tail calls.
    #[cold]
    #[inline(never)]
    pub(crate) fn collect_garbage(&mut self, at: GcPoint) {
        let mut work: Vec<u64> = Vec::new();
        work.push(self.pending_exception);
        // SAFETY: `at` describes the running code, whose frame records
        // below `at.frames` (from the store's first) and frames are live.
        unsafe { self.frame_roots(at, &mut work) };
        for g in self.globals.iter().filter(|g| g.ty.content().is_traced()) {
            // SAFETY: global cells are live store memory.
            work.push(unsafe { *g.cell() });
        }
        for t in self.tables.iter().filter(|t| ValType::from(*t.ty.element()).is_traced()) {
            work.extend_from_slice(&t.elems);
        }
        for inst in &self.instances {
            for e in inst.elems.iter() {
                // SAFETY: no wasm code runs while the collector reads the
                // segments (the allocating handler is suspended in it).
                work.extend_from_slice(unsafe { &*e.get() });
            }
        }
        work.extend_from_slice(&self.gc.host_roots);
        let mut gc_marked = vec![false; self.gc.handles.len()];
        let mut exn_marked = vec![false; self.exns.capacity()];
        for i in self.exns.pinned() {
            exn_marked[i] = true;
            work.extend_from_slice(self.exns.payload(i));
        }
        let gc = &mut self.gc;
        while let Some(w) = work.pop() {
            if let Some(i) = gc.index(w) {
                if !gc_marked[i] {
                    gc_marked[i] = true;
                    let o = gc.handles[i].obj.expect("live");
                    let slots = &gc.arena[o.base()..o.base() + o.slots as usize];
                    if !o.traced {
                    } else if o.array {
                        work.extend_from_slice(slots);
                    } else {
                        let refs = struct_refs(&mut gc.struct_refs, o.ty);
                        work.extend(refs.iter().map(|&k| slots[k as usize]));
                    }
                }
            } else if let Some(i) = self.exns.index(w)
                && !exn_marked[i]
            {
                exn_marked[i] = true;
                work.extend_from_slice(self.exns.payload(i));
            }
        }
        self.gc.sweep(&gc_marked);
        self.exns.sweep(&exn_marked);
    }

    /// Pushes the references in the frames of the running activations: for
    /// each frame, the slots its code's [`crate::code::Roots`] name at the
    /// point it is stopped at.
    ///
    /// # Safety
    /// `at` must describe the running code: frame records from the store's
    /// first up to `at.frames` were written by calls still running.
    unsafe fn frame_roots(&self, at: GcPoint, work: &mut Vec<u64>) {
        // The running stack (a fiber's or the main one) up to `at.frames`,
        // the main stack below a running fiber, and every idle fiber.
        let mut ranges: Vec<(*const Frame, *const Frame)> = Vec::new();
        let main = self.stack.as_ref().map(|s| s.frames_base());
        match (self.fibers.current_frames(), main) {
            (Some(f), main) => {
                ranges.push((f, at.frames));
                if let (Some(m), Some(end)) = (main, self.fibers.main_frames_end()) {
                    ranges.push((m, end));
                }
            }
            (None, Some(m)) => ranges.push((m, at.frames)),
            (None, None) => {}
        }
        ranges.extend(self.fibers.idle_frames());
        let exit = crate::exec::EXIT.as_ptr() as Ip;
        // SAFETY: as the caller promises; each record names a live instance
        // and a frame of its function on the slot stack.
        unsafe {
            // Neighbouring frames are mostly of one function (recursion):
            // the last one found is tried first.
            let mut last: Option<&Compiled> = None;
            if let Some((ip, sp, inst)) = at.running {
                frame(ip, sp, inst, false, &mut last, work);
            }
            for (mut f, end) in ranges {
                while f < end {
                    let r = *f;
                    // Entry records (returning to the host) name no wasm frame.
                    if r.ip != exit {
                        frame(r.ip, r.sp, r.inst, true, &mut last, work);
                    }
                    f = f.add(1);
                }
            }
        }
    }
}

/// The slots of struct type `ty` that hold references, cached per store
/// (by id in a map: ids grow over a process's life, as modules come and
/// go, so a table indexed by them would too).
fn struct_refs(
    cache: &mut std::collections::HashMap<u32, Arc<[u32]>, BuildIdHasher>,
    ty: u32,
) -> &[u32] {
    cache.entry(ty).or_insert_with(|| {
        let e = crate::types::registry::entry(ty);
        e.layout.as_ref().map_or_else(|| Arc::from([]), |l| l.refs.clone())
    })
}

/// Hashes a type id with one multiplication (ids are distinct numbers).
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u32(&mut self, n: u32) {
        // Spread the bits over the hash table's index and its tag bits.
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type BuildIdHasher = std::hash::BuildHasherDefault<IdHasher>;

/// Pushes the references of the frame at `sp` stopped at `ip` (a return
/// address if `is_return`) in a function of `inst` (`last`: the code of
/// the frame before, tried first). A point the translator recorded no
/// roots for (none should exist) falls back to the whole frame.
///
/// # Safety
/// `ip` must be in compiled code of `inst`'s module and `sp` its frame.
unsafe fn frame<'a>(
    ip: Ip,
    sp: Sp,
    inst: *const InstanceData,
    is_return: bool,
    last: &mut Option<&'a Compiled>,
    work: &mut Vec<u64>,
) {
    // A return address may be one past its function's code.
    let at = ip as usize - is_return as usize;
    // SAFETY: as the caller promises; compiled code lives as long as its
    // module, which the instance keeps alive during the collection.
    unsafe {
        let c = match *last {
            Some(c) if c.range().contains(&at) => c,
            _ => {
                let m: &'a crate::module::ModuleInner = &(*inst).module.inner;
                let Some(c) = m.func_at(at).and_then(|f| f.compiled()) else { return };
                *last = Some(c);
                c
            }
        };
        match c.roots_at(ip as usize, is_return) {
            Some((locals, temps)) => {
                work.extend(locals.iter().chain(temps).map(|&k| *sp.add(k as usize)));
            }
            None => {
                debug_assert!(false, "no roots recorded for a collection point");
                work.extend_from_slice(std::slice::from_raw_parts(sp, c.frame_bytes / 8));
            }
        }
    }
}
