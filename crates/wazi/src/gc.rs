//! [`AnyRef`], [`StructRef`] and [`ArrayRef`]: the host's handles on GC
//! references (the GC proposal), allocation from the host, and the store's
//! root scopes.

use crate::store::gc::{ArrayInit, GC_BITS, I31_BITS, Shape, i31_ref, is_i31};
use crate::store::{AsContext, AsContextMut, Store, StoreCore};
use crate::types::registry;
use crate::types::{
    ArrayType, CompositeType, FieldType, HeapType, StorageType, StructType, SubType,
};
use crate::values::{ExternRef, Val};
use anyhow::{Context, Result, bail};

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

    /// The definition of the object's type.
    fn composite(&self, core: &StoreCore) -> Result<CompositeType> {
        self.check(core)?;
        match core.gc.get(self.raw) {
            Some(o) => Ok(registry::entry(o.ty).composite().clone()),
            None => bail!("not a struct or array"),
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
        self.inner.core.collect_now();
    }

    /// Bytes the GC heap uses (objects alive at the last collection, and
    /// those allocated since) and the number of such objects.
    pub fn gc_heap_usage(&self) -> (usize, usize) {
        (self.inner.core.gc.used(), self.inner.core.gc.objects())
    }
}

impl<T> crate::Caller<'_, T> {
    /// Runs the collector now, from a host function: the wasm frames
    /// below it are roots (see [`Store::gc`]).
    pub fn gc(&mut self) {
        self.inner.core.collect_now();
    }
}

/// A struct type made ready for allocation from the host (as wasmtime's
/// `StructRefPre`): a final type without supertype, in a recursion group
/// of its own, so it is the same type as a module's
/// `(type (struct ...))` with the same fields.
#[derive(Clone, Debug)]
pub struct StructRefPre {
    ty: StructType,
    /// What each allocation makes: the type's id and layout.
    shape: Shape,
}

impl StructRefPre {
    /// Registers `ty`. Fails if a field names a concrete type that is not
    /// registered (its id must come from a module or another `*Pre`).
    pub fn new(store: impl AsContextMut, ty: StructType) -> Result<StructRefPre> {
        let _ = store;
        let shape = register(CompositeType::Struct(ty.clone()), ty.fields())?;
        Ok(StructRefPre { ty, shape })
    }

    /// The struct type.
    pub fn ty(&self) -> &StructType {
        &self.ty
    }

    /// The type's process-wide id (what [`HeapType::Concrete`] names).
    pub fn type_id(&self) -> u32 {
        self.shape.ty
    }
}

/// An array type made ready for allocation from the host (as wasmtime's
/// `ArrayRefPre`); see [`StructRefPre`].
#[derive(Clone, Debug)]
pub struct ArrayRefPre {
    ty: ArrayType,
    shape: Shape,
}

impl ArrayRefPre {
    /// Registers `ty` (see [`StructRefPre::new`]).
    pub fn new(store: impl AsContextMut, ty: ArrayType) -> Result<ArrayRefPre> {
        let _ = store;
        let shape = register(CompositeType::Array(ty.clone()), std::slice::from_ref(ty.element()))?;
        Ok(ArrayRefPre { ty, shape })
    }

    /// The array type.
    pub fn ty(&self) -> &ArrayType {
        &self.ty
    }

    /// The type's process-wide id (what [`HeapType::Concrete`] names).
    pub fn type_id(&self) -> u32 {
        self.shape.ty
    }
}

/// Interns `composite` as a final type of its own recursion group; returns
/// the shape of its objects (its id among it).
fn register(composite: CompositeType, fields: &[FieldType]) -> Result<Shape> {
    for f in fields {
        if let StorageType::Val(t) = f.storage
            && let Some((_, HeapType::Concrete(id))) = t.as_ref()
            && (id >= registry::LOCAL || !registry::is_registered(id))
        {
            bail!("field type {t} names type {id}, which is not registered");
        }
    }
    let id = registry::intern(vec![SubType { is_final: true, supertype: None, composite }]);
    let entry = registry::entry(id);
    let layout = entry.layout.as_ref().expect("a struct or array type");
    Ok(Shape { ty: id, slots: layout.slots, traced: layout.traced })
}

/// A reference to a struct (as wasmtime's `StructRef`), rooted as an
/// [`AnyRef`] is (see its lifetime rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StructRef(AnyRef);

/// A reference to an array (as wasmtime's `ArrayRef`), rooted as an
/// [`AnyRef`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArrayRef(AnyRef);

impl AnyRef {
    /// The reference as a struct's, if it is one.
    pub fn as_struct(&self, store: impl AsContext) -> Result<Option<StructRef>> {
        Ok((self.kind(store)? == AnyKind::Struct).then_some(StructRef(*self)))
    }

    /// The reference as an array's, if it is one.
    pub fn as_array(&self, store: impl AsContext) -> Result<Option<ArrayRef>> {
        Ok((self.kind(store)? == AnyKind::Array).then_some(ArrayRef(*self)))
    }
}

impl From<StructRef> for AnyRef {
    fn from(s: StructRef) -> AnyRef {
        s.0
    }
}

impl From<ArrayRef> for AnyRef {
    fn from(a: ArrayRef) -> AnyRef {
        a.0
    }
}

impl StructRef {
    /// A new struct of type `pre` with these field values (packed fields
    /// from an `i32`, cut to their width). May collect first; fails with
    /// [`crate::Trap::GcHeapOutOfMemory`] if the heap has no room.
    pub fn new(
        mut store: impl AsContextMut,
        pre: &StructRefPre,
        fields: &[Val],
    ) -> Result<StructRef> {
        let core = &mut store.as_context_mut().0.core;
        let types = pre.ty.fields();
        if fields.len() != types.len() {
            bail!("struct type has {} fields, {} values given", types.len(), fields.len());
        }
        let mut slots = Vec::with_capacity(fields.len());
        for (v, f) in fields.iter().zip(types) {
            push_slots(core, v, f, &mut slots)?;
        }
        let at = core.host_gc_point();
        let raw = core.struct_new(pre.shape, Some(&slots), true, at).map_err(trap)?;
        core.gc.host_roots.push(raw);
        Ok(StructRef(AnyRef { store: core.id, raw }))
    }

    /// The struct's type.
    pub fn ty(&self, store: impl AsContext) -> Result<StructType> {
        match self.0.composite(&store.as_context().0.core)? {
            CompositeType::Struct(s) => Ok(s),
            _ => unreachable!("a struct's type"),
        }
    }

    /// Field `index` (a packed field zero-extended); a GC reference joins
    /// the current root scope.
    pub fn field(&self, mut store: impl AsContextMut, index: usize) -> Result<Val> {
        let core = &mut store.as_context_mut().0.core;
        let (f, offset) = self.field_type(core, index)?;
        let id = core.id;
        let (_, slots) = core.gc_slots(self.0.raw).expect("checked");
        let v = read_field(slots, &mut (offset as usize), f.storage, id);
        core.root_host_refs(&[v]);
        Ok(v)
    }

    /// All fields, as [`AnyRef::fields`].
    pub fn fields(&self, store: impl AsContextMut) -> Result<Vec<Val>> {
        self.0.fields(store)
    }

    /// Sets field `index`, which must be mutable, to `value`.
    pub fn set_field(&self, mut store: impl AsContextMut, index: usize, value: Val) -> Result<()> {
        let core = &mut store.as_context_mut().0.core;
        let (f, offset) = self.field_type(core, index)?;
        if !f.mutable {
            bail!("struct field {index} is immutable");
        }
        let mut new = Vec::with_capacity(2);
        push_slots(core, &value, &f, &mut new)?;
        let (_, slots) = core.gc_slots(self.0.raw).expect("checked");
        slots[offset as usize..offset as usize + new.len()].copy_from_slice(&new);
        Ok(())
    }

    /// The type and first slot of field `index`.
    fn field_type(&self, core: &StoreCore, index: usize) -> Result<(FieldType, u32)> {
        self.0.check(core)?;
        let o = core.gc.get(self.0.raw).expect("checked");
        let entry = registry::entry(o.ty);
        let CompositeType::Struct(s) = entry.composite() else { unreachable!("a struct's type") };
        let Some(&f) = s.fields().get(index) else {
            bail!("struct has {} fields, no field {index}", s.fields().len());
        };
        let layout = entry.layout.as_ref().expect("a struct type");
        Ok((f, layout.offsets[index]))
    }

    /// The reference as an [`AnyRef`].
    pub fn to_anyref(self) -> AnyRef {
        self.0
    }
}

impl ArrayRef {
    /// A new array of type `pre` with `len` elements, each `elem`. May
    /// collect first; fails with [`crate::Trap::GcHeapOutOfMemory`] if the
    /// heap has no room.
    pub fn new(
        mut store: impl AsContextMut,
        pre: &ArrayRefPre,
        elem: &Val,
        len: u32,
    ) -> Result<ArrayRef> {
        let core = &mut store.as_context_mut().0.core;
        let mut slots = Vec::with_capacity(2);
        push_slots(core, elem, pre.ty.element(), &mut slots)?;
        Self::alloc(core, pre, len, ArrayInit::Fill(&slots))
    }

    /// A new array of type `pre` holding `elems`.
    pub fn new_fixed(
        mut store: impl AsContextMut,
        pre: &ArrayRefPre,
        elems: &[Val],
    ) -> Result<ArrayRef> {
        let core = &mut store.as_context_mut().0.core;
        let mut slots = Vec::with_capacity(elems.len());
        for v in elems {
            push_slots(core, v, pre.ty.element(), &mut slots)?;
        }
        let len = u32::try_from(elems.len()).context("too many array elements")?;
        Self::alloc(core, pre, len, ArrayInit::Elems(&slots))
    }

    fn alloc(
        core: &mut StoreCore,
        pre: &ArrayRefPre,
        len: u32,
        init: ArrayInit<'_>,
    ) -> Result<ArrayRef> {
        let at = core.host_gc_point();
        let raw = core.array_new(pre.shape, len, init, true, at).map_err(trap)?;
        core.gc.host_roots.push(raw);
        Ok(ArrayRef(AnyRef { store: core.id, raw }))
    }

    /// The array's type.
    pub fn ty(&self, store: impl AsContext) -> Result<ArrayType> {
        self.array_type(&store.as_context().0.core)
    }

    fn array_type(&self, core: &StoreCore) -> Result<ArrayType> {
        match self.0.composite(core)? {
            CompositeType::Array(a) => Ok(a),
            _ => unreachable!("an array's type"),
        }
    }

    /// The number of elements.
    pub fn len(&self, store: impl AsContext) -> Result<u32> {
        self.0.array_len(store)
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self, store: impl AsContext) -> Result<bool> {
        Ok(self.len(store)? == 0)
    }

    /// Element `index`, as [`AnyRef::array_get`].
    pub fn get(&self, store: impl AsContextMut, index: u32) -> Result<Val> {
        self.0.array_get(store, index)
    }

    /// Sets element `index` (of a mutable array) to `value`.
    pub fn set(&self, mut store: impl AsContextMut, index: u32, value: Val) -> Result<()> {
        let core = &mut store.as_context_mut().0.core;
        let elem = *self.array_type(core)?.element();
        if !elem.mutable {
            bail!("array elements are immutable");
        }
        let mut new = Vec::with_capacity(2);
        push_slots(core, &value, &elem, &mut new)?;
        let (o, slots) = core.gc_slots(self.0.raw).expect("checked");
        if index >= o.len {
            bail!("array index {index} out of bounds (length {})", o.len);
        }
        let at = index as usize * new.len();
        slots[at..at + new.len()].copy_from_slice(&new);
        Ok(())
    }

    /// The reference as an [`AnyRef`].
    pub fn to_anyref(self) -> AnyRef {
        self.0
    }
}

/// Appends the slots of `v`, a value for a field of type `f`, checking its
/// type and that a GC reference in it is alive.
fn push_slots(core: &StoreCore, v: &Val, f: &FieldType, out: &mut Vec<u64>) -> Result<()> {
    let ok = match f.storage {
        StorageType::I8 | StorageType::I16 => matches!(v, Val::I32(_)),
        StorageType::Val(t) => v.matches(&t, core),
    };
    if !ok {
        bail!("a field of type {} cannot hold a {}", f.storage, v.ty());
    }
    if let Val::AnyRef(Some(r)) = v {
        r.check(core)?;
    }
    let n = v.ty().slots();
    let k0 = out.len();
    out.resize(k0 + n, 0);
    let mut k = k0;
    v.write_slots(core, out, &mut k);
    Ok(())
}

/// The error of an allocation's trap.
fn trap(code: crate::trap::TrapCode) -> anyhow::Error {
    anyhow::Error::new(code.to_trap().expect("allocation traps are traps"))
}
