//! The process-wide registry of defined types: function, struct and array
//! types, canonicalised by recursion group as the GC proposal defines type
//! equality (iso-recursive: two groups are equal when they are the same
//! sequence of types, references inside the group counted by position).
//!
//! Every type gets a dense `u32` id. Equal groups from any module, engine
//! or host get the same ids, so type equality is id equality everywhere
//! (`call_indirect` signatures, casts, imports), and subtyping is a lookup
//! in the id's chain of declared supertypes.
//!
//! While a group is interned, its references to its own members are the
//! ids `LOCAL + i` (member `i`); references to earlier types are their ids.
//! Interning replaces the local ids by the group's real ones.
//!
//! A module's groups are counted ([`register`], released when the module
//! is dropped; a group also holds the groups it refers to), so a process
//! that loads module after module does not grow with every type it ever
//! saw. Host types ([`intern`]: host function types, host struct types)
//! stay for the life of the process. Ids are never reused: a type value
//! kept past its module names no other type, and looking it up finds
//! nothing. Entries live in chunks of [`CHUNK`] ids, and a chunk whose
//! types are all gone is freed, so what a dropped type leaves behind is
//! its share of one pointer.

use super::{CompositeType, FuncType, HeapType, StorageType, SubType};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

/// Ids from here on name members of the group being interned.
pub(crate) const LOCAL: u32 = 0xF000_0000;

/// A registered type: its definition (with real ids) and its supertypes.
#[derive(Debug)]
pub(crate) struct Entry {
    pub sub: SubType,
    /// The chain of supertypes from the root down to this type itself.
    pub supers: Box<[u32]>,
    /// How a struct's or array's objects are laid out in slots.
    pub layout: Option<Layout>,
    /// The id of the first member of its recursion group.
    group: u32,
}

/// The slots of a struct or an array element.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// A struct's total slots, or an array element's (1, or 2 for v128).
    pub slots: u32,
    /// The slot each struct field starts at (empty for an array).
    pub offsets: Box<[u32]>,
    /// Whether fields or elements can hold references.
    pub traced: bool,
    /// The slots of a struct's fields that can hold references the
    /// collector follows (see `ValType::is_traced`).
    pub refs: std::sync::Arc<[u32]>,
}

impl Layout {
    fn of(c: &CompositeType) -> Option<Layout> {
        let slots = |t: &StorageType| t.unpacked().slots() as u32;
        let is_ref = |t: &StorageType| t.unpacked().is_traced();
        match c {
            CompositeType::Func(_) => None,
            CompositeType::Struct(s) => {
                let mut offsets = Vec::with_capacity(s.fields().len());
                let mut n = 0;
                for f in s.fields() {
                    offsets.push(n);
                    n += slots(&f.storage);
                }
                let traced = s.fields().iter().any(|f| is_ref(&f.storage));
                let refs = s
                    .fields()
                    .iter()
                    .zip(&offsets)
                    .filter(|(f, _)| f.storage.unpacked().is_traced())
                    .map(|(_, &o)| o)
                    .collect();
                Some(Layout { slots: n, offsets: offsets.into(), traced, refs })
            }
            CompositeType::Array(a) => Some(Layout {
                slots: slots(&a.element().storage),
                offsets: Box::new([]),
                traced: is_ref(&a.element().storage),
                refs: std::sync::Arc::new([]),
            }),
        }
    }
}

impl Entry {
    pub(crate) fn composite(&self) -> &CompositeType {
        &self.sub.composite
    }
}

/// Ids per chunk of entries.
const CHUNK: usize = 1024;

/// The entries of [`CHUNK`] consecutive ids.
struct Chunk {
    entries: Box<[Option<Arc<Entry>>]>,
    /// How many of them are registered.
    live: u32,
}

/// A registered recursion group.
struct Group {
    /// The group as interned (its key in `Registry::groups`).
    key: Vec<SubType>,
    /// Its registrations: the modules that define it, the groups that
    /// refer to it, and one for good once a host type is it.
    refs: usize,
    /// Whether a host type is it (it is never removed).
    permanent: bool,
    /// The groups its members refer to, by first id.
    deps: Vec<u32>,
}

#[derive(Default)]
struct Registry {
    /// The first id of each registered group.
    groups: HashMap<Vec<SubType>, u32>,
    /// Registered groups by first id.
    live: HashMap<u32, Group>,
    /// Entries by id; a chunk whose ids were all handed out and removed is
    /// `None`.
    chunks: Vec<Option<Box<Chunk>>>,
    /// The next id to hand out.
    next: u32,
}

impl Registry {
    fn get(&self, id: u32) -> Option<&Arc<Entry>> {
        let chunk = self.chunks.get(id as usize / CHUNK)?.as_ref()?;
        chunk.entries.get(id as usize % CHUNK)?.as_ref()
    }

    /// Adds `entry` as id `self.next`.
    fn push(&mut self, entry: Entry) {
        let id = self.next as usize;
        if id.is_multiple_of(CHUNK) {
            // The previous chunk is full: if nothing in it lives, free it.
            if let Some(prev) = (id / CHUNK).checked_sub(1)
                && self.chunks[prev].as_ref().is_some_and(|c| c.live == 0)
            {
                self.chunks[prev] = None;
            }
            let entries = (0..CHUNK).map(|_| None).collect();
            self.chunks.push(Some(Box::new(Chunk { entries, live: 0 })));
        }
        let chunk = self.chunks[id / CHUNK].as_mut().expect("the chunk being filled");
        chunk.entries[id % CHUNK] = Some(Arc::new(entry));
        chunk.live += 1;
        self.next += 1;
    }

    fn remove(&mut self, id: u32) {
        let at = id as usize / CHUNK;
        let Some(chunk) = self.chunks[at].as_mut() else { return };
        if chunk.entries[id as usize % CHUNK].take().is_some() {
            chunk.live -= 1;
        }
        // A chunk still being filled stays until it is full.
        if chunk.live == 0 && at < self.next as usize / CHUNK {
            self.chunks[at] = None;
        }
    }

    /// Registers `group` once more; returns its first id, or `None` once
    /// the process has handed out every id.
    fn acquire(&mut self, group: Vec<SubType>, permanent: bool) -> Option<u32> {
        // An empty group (`(rec)`) has no ids to hold.
        if group.is_empty() {
            return Some(self.next);
        }
        if let Some(&base) = self.groups.get(&group) {
            let g = self.live.get_mut(&base).expect("a registered group");
            if !(permanent && g.permanent) {
                g.refs += 1;
            }
            g.permanent |= permanent;
            return Some(base);
        }
        let base = self.next;
        if (base as u64) + (group.len() as u64) >= LOCAL as u64 {
            return None;
        }
        let outside = std::cell::RefCell::new(Vec::new());
        let resolve = |id: u32| {
            if id >= LOCAL {
                base + (id - LOCAL)
            } else {
                outside.borrow_mut().push(id);
                id
            }
        };
        for (i, sub) in group.iter().enumerate() {
            let sub = sub.map_ids(&resolve);
            let mut supers: Vec<u32> = match sub.supertype {
                Some(s) => self.get(s).map(|e| e.supers.to_vec()).unwrap_or_default(),
                None => Vec::new(),
            };
            supers.push(self.next);
            let layout = Layout::of(&sub.composite);
            self.push(Entry { sub, supers: supers.into(), layout, group: base });
            debug_assert_eq!(self.next, base + i as u32 + 1);
        }
        // The groups referred to stay as long as this one does.
        let mut deps: Vec<u32> =
            outside.into_inner().into_iter().filter_map(|id| Some(self.get(id)?.group)).collect();
        deps.sort_unstable();
        deps.dedup();
        for d in &deps {
            self.live.get_mut(d).expect("a registered group").refs += 1;
        }
        self.live.insert(base, Group { key: group.clone(), refs: 1, permanent, deps });
        self.groups.insert(group, base);
        Some(base)
    }

    /// Drops a registration of the group at `base`, and the group (and
    /// the registrations it holds) with the last one.
    fn release(&mut self, base: u32) {
        let mut todo = vec![base];
        while let Some(b) = todo.pop() {
            let Some(g) = self.live.get_mut(&b) else { continue };
            g.refs -= 1;
            if g.refs > 0 {
                continue;
            }
            let g = self.live.remove(&b).expect("the group");
            self.groups.remove(&g.key);
            for i in 0..g.key.len() as u32 {
                self.remove(b + i);
            }
            todo.extend(g.deps);
        }
    }
}

fn registry() -> &'static RwLock<Registry> {
    static R: OnceLock<RwLock<Registry>> = OnceLock::new();
    R.get_or_init(Default::default)
}

/// Interns recursion group `group` (local references as `LOCAL + i`) for
/// the life of the process, as host types are; returns the id of its
/// first member (member `i` is that plus `i`). Each member's supertype
/// must be registered already or be an earlier member.
pub(crate) fn intern(group: Vec<SubType>) -> u32 {
    {
        let r = read();
        if let Some(base) = r.groups.get(&group)
            && r.live[base].permanent
        {
            return *base;
        }
    }
    let base = write().acquire(group, true);
    // Panics with the lock released, so that other threads go on.
    base.unwrap_or_else(|| panic!("{}", FULL))
}

/// Why a type cannot be registered: ids are never reused, and a process
/// that made this many has used them all.
const FULL: &str =
    "too many types defined in one process (about 4 billion ids; they are never reused)";

fn read() -> std::sync::RwLockReadGuard<'static, Registry> {
    registry().read().unwrap_or_else(|e| e.into_inner())
}

fn write() -> std::sync::RwLockWriteGuard<'static, Registry> {
    registry().write().unwrap_or_else(|e| e.into_inner())
}

/// Registrations of recursion groups, released when dropped: what a
/// module holds of the types it defines.
#[derive(Default)]
pub(crate) struct Registrations(Vec<u32>);

impl Registrations {
    /// Registers `group` (as [`intern`] takes it) until `self` is dropped;
    /// returns the id of its first member.
    pub(crate) fn register(&mut self, group: Vec<SubType>) -> anyhow::Result<u32> {
        let empty = group.is_empty();
        let Some(base) = write().acquire(group, false) else { anyhow::bail!(FULL) };
        if !empty {
            self.0.push(base);
        }
        Ok(base)
    }
}

impl Drop for Registrations {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let mut r = write();
        for &base in self.0.iter().rev() {
            r.release(base);
        }
    }
}

/// Whether `id` names a registered type.
pub(crate) fn is_registered(id: u32) -> bool {
    read().get(id).is_some()
}

/// The registered type `id`.
pub(crate) fn entry(id: u32) -> Arc<Entry> {
    match read().get(id) {
        Some(e) => e.clone(),
        None => panic!("type {id} is not registered (its module was dropped)"),
    }
}

/// Whether type `a` is type `b` or declares it among its supertypes.
pub(crate) fn is_subtype(a: u32, b: u32) -> bool {
    if a == b {
        return true;
    }
    let r = read();
    let (Some(ea), Some(eb)) = (r.get(a), r.get(b)) else {
        return false;
    };
    ea.supers.get(eb.supers.len() - 1) == Some(&b)
}

/// What kind of type `id` is.
pub(crate) fn kind(id: u32) -> Kind {
    match read().get(id).map(|e| &e.sub.composite) {
        Some(CompositeType::Struct(_)) => Kind::Struct,
        Some(CompositeType::Array(_)) => Kind::Array,
        _ => Kind::Func,
    }
}

/// The function type `id` (which must be one).
pub(crate) fn func_type(id: u32) -> FuncType {
    match entry(id).composite() {
        CompositeType::Func(f) => f.clone(),
        other => panic!("type {id} is not a function type: {other:?}"),
    }
}

/// The id of function type `t` on its own (final, no supertype), as a
/// host function's type or a type without `rec` is.
pub(crate) fn func_type_id(t: &FuncType) -> u32 {
    intern(vec![SubType {
        is_final: true,
        supertype: None,
        composite: CompositeType::Func(t.clone()),
    }])
}

/// The kinds of defined types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Func,
    Struct,
    Array,
}

impl Kind {
    /// The abstract heap type every type of this kind is below.
    pub(crate) fn abstract_heap(self) -> HeapType {
        match self {
            Kind::Func => HeapType::Func,
            Kind::Struct => HeapType::Struct,
            Kind::Array => HeapType::Array,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ArrayType, FieldType, StructType, ValType};

    /// A struct type no other test defines: `n` mutable i8 fields (tests
    /// share the process's registry).
    fn unique(n: usize) -> SubType {
        let f = FieldType { storage: StorageType::I8, mutable: true };
        SubType {
            is_final: true,
            supertype: None,
            composite: CompositeType::Struct(StructType::new(vec![f; 500 + n])),
        }
    }

    /// An array of references to type `id`.
    fn array_of(id: u32) -> SubType {
        let heap = HeapType::Concrete(id);
        let element =
            FieldType { storage: StorageType::Val(ValType::reference(true, heap)), mutable: false };
        SubType {
            is_final: true,
            supertype: None,
            composite: CompositeType::Array(ArrayType::new(element)),
        }
    }

    #[test]
    fn a_modules_types_go_with_it() {
        let mut a = Registrations::default();
        let id = a.register(vec![unique(1)]).unwrap();
        // Equal groups get the same id while either is held.
        let mut b = Registrations::default();
        assert_eq!(b.register(vec![unique(1)]).unwrap(), id);
        drop(a);
        assert!(is_registered(id));
        drop(b);
        assert!(!is_registered(id));
        // Registered again, the type gets a new id: ids are never reused.
        let mut c = Registrations::default();
        assert_ne!(c.register(vec![unique(1)]).unwrap(), id);
    }

    #[test]
    fn a_type_keeps_the_types_it_refers_to() {
        let mut a = Registrations::default();
        let s = a.register(vec![unique(2)]).unwrap();
        let mut b = Registrations::default();
        let arr = b.register(vec![array_of(s)]).unwrap();
        drop(a);
        assert!(is_registered(s), "the array type still refers to it");
        drop(b);
        assert!(!is_registered(arr) && !is_registered(s));
    }

    #[test]
    fn host_types_stay() {
        let mut a = Registrations::default();
        let id = a.register(vec![unique(3)]).unwrap();
        assert_eq!(intern(vec![unique(3)]), id);
        drop(a);
        assert!(is_registered(id));
    }

    #[test]
    fn empty_groups_hold_nothing() {
        let mut a = Registrations::default();
        a.register(Vec::new()).unwrap();
        let id = a.register(vec![unique(4)]).unwrap();
        let mut b = Registrations::default();
        b.register(Vec::new()).unwrap();
        drop(b);
        assert!(is_registered(id));
        drop(a);
        assert!(!is_registered(id));
    }

    #[test]
    fn chunks_of_dropped_types_are_freed() {
        // Far more ids than a chunk, registered and dropped one by one.
        for i in 0..3 * CHUNK {
            let mut a = Registrations::default();
            let id = a.register(vec![unique(10 + i)]).unwrap();
            assert!(is_registered(id));
        }
        let r = read();
        let full = r.next as usize / CHUNK;
        let kept = r.chunks[..full].iter().filter(|c| c.is_some()).count();
        // Other tests' types may hold a few chunks, never most of them.
        assert!(kept < full / 2 + 2, "{kept} of {full} full chunks kept");
    }
}
