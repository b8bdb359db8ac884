//! [`AnyRef`]: the host's handle on GC references (the GC proposal), and
//! the store's root scopes.

use crate::store::gc::{GC_BITS, I31_BITS, i31_ref, is_i31};
use crate::store::{AsContext, AsContextMut, Store, StoreCore};
use crate::types::{CompositeType, HeapType, StorageType, registry};
use crate::values::{ExternRef, Val};
use anyhow::{Result, bail};

/// A non-null reference of the `any` hierarchy: an `i31`, a struct, an
/// array, or an external reference converted with `any.convert_extern`.
///
/// # Lifetime of a handle
/// The collector cannot see the host's variables, so every `AnyRef` the
/// host receives (a call's results, a global or table read, a struct
/// field, a host function's parameters) is *rooted*: its object stays
/// alive while the root lives. Roots belong to a scope:
/// - a host function's parameters are rooted until the host function
///   returns;
/// - everything else is rooted until the innermost [`Store::root_scope`]
///   around it returns, or, outside any scope, until the store is dropped.
///
/// A handle used after its root is gone may name a collected object: wazi
/// detects that (each handle carries its object's generation) and the
/// operation fails with an error; it never reads another object. So a host
/// that keeps handles across calls should either stay in the outer scope
/// or store the values in wasm (a global or table), and a host that makes
/// many calls in a loop should wrap each in a `root_scope`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AnyRef {
    store: u64,
    raw: u64,
}

/// What a reference of the `any` hierarchy is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnyKind {
    /// An unboxed 31-bit integer.
    I31,
    /// A struct.
    Struct,
    /// An array.
    Array,
    /// An external reference converted to `anyref`.
    Extern,
}

impl AnyRef {
    /// The `i31` of the low 31 bits of `value` (`ref.i31`).
    pub fn from_i31(store: impl AsContext, value: u32) -> AnyRef {
        AnyRef { store: store.as_context().0.core.id, raw: i31_ref(value) }
    }

    /// The `anyref` of external reference `e` (`any.convert_extern`).
    pub fn convert_extern(store: impl AsContext, e: ExternRef) -> AnyRef {
        let core = &store.as_context().0.core;
        AnyRef { store: core.id, raw: e.to_raw(core) }
    }

    /// The value of an `i31`, zero-extended (`i31.get_u`); `None` for any
    /// other reference.
    pub fn as_i31(&self) -> Option<u32> {
        is_i31(self.raw).then_some(self.raw as u32 & 0x7FFF_FFFF)
    }

    /// The value of an `i31`, sign-extended (`i31.get_s`).
    pub fn as_i31_signed(&self) -> Option<i32> {
        self.as_i31().map(|v| ((v << 1) as i32) >> 1)
    }

    /// What the reference is. Fails if it names an object that is no
    /// longer alive.
    pub fn kind(&self, store: impl AsContext) -> Result<AnyKind> {
        let core = &store.as_context().0.core;
        self.check(core)?;
        Ok(match self.raw & (0xFFFF << 48) {
            I31_BITS => AnyKind::I31,
            GC_BITS => {
                if core.gc.get(self.raw).expect("checked").array {
                    AnyKind::Array
                } else {
                    AnyKind::Struct
                }
            }
            _ => AnyKind::Extern,
        })
    }

    /// The fields of a struct (packed fields zero-extended); their GC
    /// references join the current root scope.
    pub fn fields(&self, mut store: impl AsContextMut) -> Result<Vec<Val>> {
        let core = &mut store.as_context_mut().0.core;
        let (obj, slots) = self.object(core)?;
        let entry = registry::entry(obj.ty);
        let CompositeType::Struct(st) = entry.composite() else { bail!("not a struct") };
        let mut k = 0;
        let vals: Vec<Val> =
            st.fields().iter().map(|f| read_field(&slots, &mut k, f.storage, core.id)).collect();
        core.root_host_refs(&vals);
        Ok(vals)
    }

    /// An array's length.
    pub fn array_len(&self, store: impl AsContext) -> Result<u32> {
        let core = &store.as_context().0.core;
        self.check(core)?;
        match core.gc.get(self.raw) {
            Some(o) if o.array => Ok(o.len),
            _ => bail!("not an array"),
        }
    }

    /// Element `index` of an array (packed elements zero-extended).
    pub fn array_get(&self, mut store: impl AsContextMut, index: u32) -> Result<Val> {
        let core = &mut store.as_context_mut().0.core;
        let (obj, slots) = self.object(core)?;
        let entry = registry::entry(obj.ty);
        let CompositeType::Array(at) = entry.composite() else { bail!("not an array") };
        if index >= obj.len {
            bail!("array index {index} out of bounds (length {})", obj.len);
        }
        let storage = at.element().storage;
        let mut k = index as usize * storage.unpacked().slots();
        let v = read_field(&slots, &mut k, storage, core.id);
        core.root_host_refs(&[v]);
        Ok(v)
    }

    /// The reference's most precise heap type: its object's defined type,
    /// `i31`, or `any` for a converted external reference.
    pub(crate) fn precise_heap_type(&self, core: &StoreCore) -> HeapType {
        match core.gc.get(self.raw) {
            Some(o) => HeapType::Concrete(o.ty),
            None if is_i31(self.raw) => HeapType::I31,
            None => HeapType::Any,
        }
    }

    fn check(&self, core: &StoreCore) -> Result<()> {
        assert_eq!(self.store, core.id, "object used with the wrong store");
        if self.raw & (0xFFFF << 48) == GC_BITS && core.gc.get(self.raw).is_none() {
            bail!("GC reference is no longer alive (its root scope ended)");
        }
        Ok(())
    }

    fn object(&self, core: &mut StoreCore) -> Result<(crate::store::gc::Object, Vec<u64>)> {
        self.check(core)?;
        match core.gc_slots(self.raw) {
            Some((o, slots)) => Ok((o, slots.to_vec())),
            None => bail!("not a struct or array"),
        }
    }

    /// The reference as it lives in a slot.
    pub(crate) fn to_raw(self, core: &StoreCore) -> u64 {
        assert_eq!(self.store, core.id, "object used with the wrong store");
        self.raw
    }

    pub(crate) fn from_raw(raw: u64, store: u64) -> AnyRef {
        AnyRef { store, raw }
    }
}

/// The value of a field of storage type `storage` at slot `*k`.
fn read_field(slots: &[u64], k: &mut usize, storage: StorageType, store: u64) -> Val {
    match storage {
        StorageType::I8 => {
            *k += 1;
            Val::I32((slots[*k - 1] as u8) as i32)
        }
        StorageType::I16 => {
            *k += 1;
            Val::I32((slots[*k - 1] as u16) as i32)
        }
        StorageType::Val(t) => Val::read_slots(slots, k, t, store),
    }
}

impl<T> Store<T> {
    /// Runs `f` in a root scope: GC references the host receives inside it
    /// are unrooted when it returns (see [`AnyRef`]).
    pub fn root_scope<R>(&mut self, f: impl FnOnce(&mut Store<T>) -> R) -> R {
        let n = self.inner.core.gc.host_roots.len();
        let r = f(self);
        self.inner.core.gc.host_roots.truncate(n);
        r
    }

    /// Runs the collector now, freeing the GC objects and exceptions
    /// nothing reachable refers to.
    pub fn gc(&mut self) {
        let top = self.inner.core.stack_top;
        self.inner.core.collect_garbage(top);
    }

    /// Bytes the GC heap uses (objects alive at the last collection, and
    /// those allocated since) and the number of such objects.
    pub fn gc_heap_usage(&self) -> (usize, usize) {
        (self.inner.core.gc.used(), self.inner.core.gc.objects())
    }
}
