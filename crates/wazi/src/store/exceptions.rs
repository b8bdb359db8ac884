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
//! legacy catches, `throw_ref`) are reclaimed by the store's collector
//! (`gc.rs`, which marks them with GC objects) when the number of live
//! objects doubles. It marks the slot stack conservatively: any word below
//! the running frame's top that has the shape of a live reference keeps
//! its object, which can keep an object alive too long, never too short.
//! Objects the host has seen (through [`crate::ExnRef`]) are pinned and
//! never collected: the host's copies cannot be traced.

use super::StoreCore;

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

    /// The number of slots (live or free).
    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// The slot index of `raw`, if it refers to a live object.
    pub(crate) fn index(&self, raw: u64) -> Option<usize> {
        self.get(raw).map(|_| raw as u32 as usize)
    }

    /// The slot indices of pinned objects.
    pub(crate) fn pinned(&self) -> Vec<usize> {
        let pinned = |(i, s): (usize, &Slot)| s.obj.as_ref().is_some_and(|o| o.pinned).then_some(i);
        self.slots.iter().enumerate().filter_map(pinned).collect()
    }

    /// The payload of the live object in slot `i`.
    pub(crate) fn payload(&self, i: usize) -> &[u64] {
        &self.slots[i].obj.as_ref().expect("a live object").payload
    }

    /// Frees every object not `marked`.
    pub(crate) fn sweep(&mut self, marked: &[bool]) {
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
    /// Allocates an exception of store tag `tag`, collecting first if due
    /// (execution is at `at`).
    pub(crate) fn new_exception(
        &mut self,
        tag: u32,
        payload: &[u64],
        at: super::gc::GcPoint,
    ) -> u64 {
        if self.exns.gc_due() || self.gc.stress {
            self.collect_garbage(at);
        }
        self.exns.alloc(ExnObject { tag, payload: payload.into(), pinned: false })
    }
}
