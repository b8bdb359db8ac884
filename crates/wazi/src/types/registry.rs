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
//! Interning replaces the local ids by the group's real ones. Types are
//! never removed: the registry grows with the distinct types a process
//! defines, as an engine's did before.

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

#[derive(Default)]
struct Registry {
    groups: HashMap<Vec<SubType>, u32>,
    entries: Vec<Arc<Entry>>,
}

fn registry() -> &'static RwLock<Registry> {
    static R: OnceLock<RwLock<Registry>> = OnceLock::new();
    R.get_or_init(Default::default)
}

/// Interns recursion group `group` (local references as `LOCAL + i`);
/// returns the id of its first member (member `i` is that plus `i`). Each
/// member's supertype must be registered already or be an earlier member.
pub(crate) fn intern(group: Vec<SubType>) -> u32 {
    if let Some(&base) = registry().read().unwrap().groups.get(&group) {
        return base;
    }
    let mut r = registry().write().unwrap();
    if let Some(&base) = r.groups.get(&group) {
        return base;
    }
    let base = r.entries.len() as u32;
    assert!(base + (group.len() as u32) < LOCAL, "too many distinct types in one process");
    let resolve = |id: u32| if id >= LOCAL { base + (id - LOCAL) } else { id };
    for sub in &group {
        let sub = sub.map_ids(&resolve);
        let mut supers: Vec<u32> = match sub.supertype {
            Some(s) => r.entries[s as usize].supers.to_vec(),
            None => Vec::new(),
        };
        supers.push(r.entries.len() as u32);
        let layout = Layout::of(&sub.composite);
        r.entries.push(Arc::new(Entry { sub, supers: supers.into(), layout }));
    }
    r.groups.insert(group, base);
    base
}

/// Whether `id` names a registered type.
pub(crate) fn is_registered(id: u32) -> bool {
    (id as usize) < registry().read().unwrap().entries.len()
}

/// The registered type `id`.
pub(crate) fn entry(id: u32) -> Arc<Entry> {
    registry().read().unwrap().entries[id as usize].clone()
}

/// Whether type `a` is type `b` or declares it among its supertypes.
pub(crate) fn is_subtype(a: u32, b: u32) -> bool {
    if a == b {
        return true;
    }
    let r = registry().read().unwrap();
    let (Some(ea), Some(eb)) = (r.entries.get(a as usize), r.entries.get(b as usize)) else {
        return false;
    };
    ea.supers.get(eb.supers.len() - 1) == Some(&b)
}

/// What kind of type `id` is.
pub(crate) fn kind(id: u32) -> Kind {
    match registry().read().unwrap().entries.get(id as usize).map(|e| &e.sub.composite) {
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
