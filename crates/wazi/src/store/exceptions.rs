//! Exception objects (the exception-handling proposal) and the collector
//! that reclaims them.
//!
//! An exception is a store-owned object: its tag and its payload slots. A
//! frame slot, global, table element or payload refers to one by an
//! `exnref` value: [`EXN_BITS`] or'ed with a 16-bit generation and the
//! object's 32-bit index (0 is null). The generation changes each time an
//! index is reused, so a stale reference the host kept is detected instead
//! of silently naming another exception.
//!
//! Most exceptions die where they are caught: a `throw` caught by a clause
//! that does not keep the reference (`catch`, `catch_all`) frees its object
//! at once. Objects whose references escaped into slots (`catch_ref`,
//! legacy catches, `throw_ref`) are reclaimed by a collector that runs when
//! the number of live objects doubles. It marks conservatively: every slot
//! of the slot stack below the running frame's top, every `exnref` global
//! and table element, the pending exception and the payloads of marked
//! objects are roots, and any word in them that has the shape of a live
//! reference keeps its object. A word that only looks like one keeps an
//! object alive too long, never too short, so the collector never frees
//! an object wasm can still reach. Objects the host has seen (through
//! [`crate::ExnRef`]) are pinned and never collected: the host's copies
//! cannot be traced.

use super::StoreCore;
use crate::types::{RefType, ValType};

/// The high bits every non-null `exnref` carries.
pub(crate) const EXN_BITS: u64 = 0xE7E5 << 48;

/// Collection runs when this many objects are live, at the least.
const MIN_GC_THRESHOLD: usize = 1024;

pub(crate) struct ExnObject {
    /// The store tag.
    pub tag: u32,
    pub payload: Box<[u64]>,
    /// Seen by the host: never collected.
    pub pinned: bool,
}

struct Slot {
    generation: u16,
    obj: Option<ExnObject>,
}

#[derive(Default)]
pub(crate) struct ExnHeap {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
    next_gc: usize,
}

/// The parts of a raw `exnref`: index and generation.
fn split(raw: u64) -> Option<(usize, u16)> {
    (raw & (0xFFFF << 48) == EXN_BITS).then_some(((raw as u32) as usize, (raw >> 32) as u16))
}

fn join(index: u32, generation: u16) -> u64 {
    EXN_BITS | (generation as u64) << 32 | index as u64
}

impl ExnHeap {
    /// The object `raw` refers to, if it is alive.
    pub(crate) fn get(&self, raw: u64) -> Option<&ExnObject> {
        let (i, generation) = split(raw)?;
        let s = self.slots.get(i)?;
        if s.generation != generation {
            return None;
        }
        s.obj.as_ref()
    }

    pub(crate) fn get_mut(&mut self, raw: u64) -> Option<&mut ExnObject> {
        let (i, generation) = split(raw)?;
        let s = self.slots.get_mut(i)?;
        if s.generation != generation {
            return None;
        }
        s.obj.as_mut()
    }

    pub(crate) fn live(&self) -> usize {
        self.live
    }

    /// Whether a collection is due before the next allocation.
    pub(crate) fn gc_due(&self) -> bool {
        self.live >= self.next_gc.max(MIN_GC_THRESHOLD)
    }

    /// Allocates an object; returns its reference.
    pub(crate) fn alloc(&mut self, obj: ExnObject) -> u64 {
        self.live += 1;
        match self.free.pop() {
            Some(i) => {
                let s = &mut self.slots[i as usize];
                s.obj = Some(obj);
                join(i, s.generation)
            }
            None => {
                self.slots.push(Slot { generation: 0, obj: Some(obj) });
                join(self.slots.len() as u32 - 1, 0)
            }
        }
    }

    /// Frees the object `raw` refers to (nothing else may refer to it).
    pub(crate) fn free(&mut self, raw: u64) {
        let Some((i, generation)) = split(raw) else { return };
        let Some(s) = self.slots.get_mut(i) else { return };
        if s.generation == generation && s.obj.take().is_some() {
            s.generation = s.generation.wrapping_add(1);
            self.free.push(i as u32);
            self.live -= 1;
        }
    }

    /// Pins the object `raw` refers to: the host has a copy.
    pub(crate) fn pin(&mut self, raw: u64) {
        if let Some(o) = self.get_mut(raw) {
            o.pinned = true;
        }
    }

    /// Frees every unpinned object not reachable from `roots`.
    fn collect(&mut self, roots: impl IntoIterator<Item = u64>) {
        let mut marked = vec![false; self.slots.len()];
        let mut work = Vec::new();
        let mark = |raw: u64, marked: &mut Vec<bool>, work: &mut Vec<usize>, h: &ExnHeap| {
            if h.get(raw).is_some() {
                let i = raw as u32 as usize;
                if !marked[i] {
                    marked[i] = true;
                    work.push(i);
                }
            }
        };
        for (i, s) in self.slots.iter().enumerate() {
            if s.obj.as_ref().is_some_and(|o| o.pinned) {
                marked[i] = true;
                work.push(i);
            }
        }
        for raw in roots {
            mark(raw, &mut marked, &mut work, self);
        }
        while let Some(i) = work.pop() {
            let payload = &self.slots[i].obj.as_ref().expect("marked objects are live").payload;
            for &w in payload.iter() {
                mark(w, &mut marked, &mut work, self);
            }
        }
        for (i, m) in marked.iter().enumerate() {
            if !m && self.slots[i].obj.is_some() {
                let generation = self.slots[i].generation;
                self.free(join(i as u32, generation));
            }
        }
        self.next_gc = self.live * 2;
    }
}

impl StoreCore {
    /// Allocates an exception of store tag `tag`, collecting first if due.
    /// The slot stack is in use below `stack_top()` (the running frame's
    /// end, or the store's stack top when no wasm code runs), which is only
    /// asked for when a collection runs.
    pub(crate) fn new_exception(
        &mut self,
        tag: u32,
        payload: &[u64],
        stack_top: impl FnOnce() -> *const u64,
    ) -> u64 {
        if self.exns.gc_due() {
            self.collect_exceptions(stack_top());
        }
        self.exns.alloc(ExnObject { tag, payload: payload.into(), pinned: false })
    }

    /// Runs the collector with the store's roots.
    fn collect_exceptions(&mut self, stack_top: *const u64) {
        let stack: &[u64] = match &self.stack {
            Some(s) => {
                let base = s.slots.as_ptr();
                // SAFETY: the slot stack is zero-initialised at its full
                // capacity, and `stack_top` points into it (or at its base).
                unsafe {
                    let n = (stack_top as usize).saturating_sub(base as usize) / 8;
                    std::slice::from_raw_parts(base, n.min(s.slots.len()))
                }
            }
            None => &[],
        };
        let globals = self.globals.iter().filter(|g| *g.ty.content() == ValType::ExnRef);
        // SAFETY: global cells are live store memory.
        let globals = globals.map(|g| unsafe { *g.cell() });
        let tables = self.tables.iter().filter(|t| *t.ty.element() == RefType::ExnRef);
        let tables = tables.flat_map(|t| t.elems.iter().copied());
        let roots = std::iter::once(self.pending_exception)
            .chain(stack.iter().copied())
            .chain(globals)
            .chain(tables);
        self.exns.collect(roots);
    }
}
