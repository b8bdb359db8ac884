//! [`Val`]: a WebAssembly value, and [`ExternRef`].

use crate::exception::ExnRef;
use crate::func::Func;
use crate::gc::AnyRef;
use crate::store::{AsContext, AsContextMut, StoreCore, Stored};
use crate::types::{HeapType, RefType, ValType};
use std::any::Any;

/// A WebAssembly value. Floats are kept as bits so NaN payloads survive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// The bits of an `f32`.
    F32(u32),
    /// The bits of an `f64`.
    F64(u64),
    /// A 128-bit vector (the SIMD proposal).
    V128(V128),
    /// A `funcref`; `None` is null.
    FuncRef(Option<Func>),
    /// An `externref`; `None` is null.
    ExternRef(Option<ExternRef>),
    /// An exception reference (the exception-handling proposal).
    ExnRef(Option<ExnRef>),
    /// A GC reference (the GC proposal): an `i31`, a struct, an array or
    /// an external reference converted to `anyref`; `None` is null.
    AnyRef(Option<AnyRef>),
}

impl Val {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
            Val::ExnRef(_) => ValType::ExnRef,
            Val::AnyRef(_) => ValType::AnyRef,
        }
    }

    /// The zero (or null) value of `ty`.
    pub fn default_for(ty: ValType) -> Val {
        match ty.family() {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(V128(0)),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
            ValType::ExnRef => Val::ExnRef(None),
            ValType::AnyRef => Val::AnyRef(None),
            ValType::Ref(_) => unreachable!("a family is never a typed reference"),
        }
    }

    /// The null reference of `ty`.
    pub fn null_ref(ty: RefType) -> Val {
        Val::default_for(ty.into())
    }

    /// The integer, if this is an `i32`.
    pub fn i32(&self) -> Option<i32> {
        match self {
            Val::I32(v) => Some(*v),
            _ => None,
        }
    }

    /// The integer, if this is an `i64`.
    pub fn i64(&self) -> Option<i64> {
        match self {
            Val::I64(v) => Some(*v),
            _ => None,
        }
    }

    /// The float, if this is an `f32`.
    pub fn f32(&self) -> Option<f32> {
        match self {
            Val::F32(v) => Some(f32::from_bits(*v)),
            _ => None,
        }
    }

    /// The float, if this is an `f64`.
    pub fn f64(&self) -> Option<f64> {
        match self {
            Val::F64(v) => Some(f64::from_bits(*v)),
            _ => None,
        }
    }

    /// The value of an `i32`; panics if this is another type.
    pub fn unwrap_i32(&self) -> i32 {
        self.i32().expect("expected i32")
    }

    /// The value of an `i64`; panics if this is another type.
    pub fn unwrap_i64(&self) -> i64 {
        self.i64().expect("expected i64")
    }

    /// The value of an `f32`; panics if this is another type.
    pub fn unwrap_f32(&self) -> f32 {
        self.f32().expect("expected f32")
    }

    /// The value of an `f64`; panics if this is another type.
    pub fn unwrap_f64(&self) -> f64 {
        self.f64().expect("expected f64")
    }

    /// The vector, if this is a `v128`.
    pub fn v128(&self) -> Option<V128> {
        match self {
            Val::V128(v) => Some(*v),
            _ => None,
        }
    }

    /// The value of an `v128`; panics if this is another type.
    pub fn unwrap_v128(&self) -> V128 {
        self.v128().expect("expected v128")
    }

    /// The function reference, if this is a `funcref`.
    pub fn funcref(&self) -> Option<Option<&Func>> {
        match self {
            Val::FuncRef(f) => Some(f.as_ref()),
            _ => None,
        }
    }

    /// The exception reference, if this is an `exnref`.
    pub fn exnref(&self) -> Option<Option<&ExnRef>> {
        match self {
            Val::ExnRef(e) => Some(e.as_ref()),
            _ => None,
        }
    }

    /// The GC reference, if this is an `anyref`.
    pub fn anyref(&self) -> Option<Option<&AnyRef>> {
        match self {
            Val::AnyRef(r) => Some(r.as_ref()),
            _ => None,
        }
    }

    /// The extern reference, if this is an `externref`.
    pub fn externref(&self) -> Option<Option<&ExternRef>> {
        match self {
            Val::ExternRef(e) => Some(e.as_ref()),
            _ => None,
        }
    }

    /// Whether the value is one of type `ty`: a reference's precise type
    /// (a function's own type, non-null, or the bottom type for null)
    /// must match `ty`.
    pub(crate) fn matches(&self, ty: &ValType, core: &StoreCore) -> bool {
        let precise = match self {
            Val::FuncRef(None) => ValType::reference(true, HeapType::NoFunc),
            Val::FuncRef(Some(f)) => {
                ValType::reference(false, HeapType::Concrete(core.funcs[f.0.check(core)].ty))
            }
            Val::ExternRef(None) => ValType::reference(true, HeapType::NoExtern),
            Val::ExternRef(Some(_)) => ValType::reference(false, HeapType::Extern),
            Val::ExnRef(None) => ValType::reference(true, HeapType::NoExn),
            Val::ExnRef(Some(_)) => ValType::reference(false, HeapType::Exn),
            Val::AnyRef(None) => ValType::reference(true, HeapType::None),
            Val::AnyRef(Some(r)) => ValType::reference(false, r.precise_heap_type(core)),
            v => v.ty(),
        };
        precise.matches(ty)
    }

    /// Raw bits of one or two slots (a `v128`), checking references belong
    /// to `core`'s store.
    pub(crate) fn to_raw128(self, core: &StoreCore) -> u128 {
        match self {
            Val::V128(v) => v.0,
            other => other.to_raw(core) as u128,
        }
    }

    /// The value of type `ty` in the raw bits of one or two slots.
    pub(crate) fn from_raw128(raw: u128, ty: ValType, store: u64) -> Val {
        match ty {
            ValType::V128 => Val::V128(V128(raw)),
            _ => Val::from_raw(raw as u64, ty, store),
        }
    }

    /// Writes the value to `slots` from `*k` on, advancing `k` past it.
    pub(crate) fn write_slots(self, core: &StoreCore, slots: &mut [u64], k: &mut usize) {
        match self {
            Val::V128(v) => {
                slots[*k] = v.0 as u64;
                slots[*k + 1] = (v.0 >> 64) as u64;
                *k += 2;
            }
            other => {
                slots[*k] = other.to_raw(core);
                *k += 1;
            }
        }
    }

    /// Reads a value of type `ty` from `slots` at `*k`, advancing `k`.
    pub(crate) fn read_slots(slots: &[u64], k: &mut usize, ty: ValType, store: u64) -> Val {
        let v = match ty {
            ValType::V128 => Val::V128(V128((slots[*k + 1] as u128) << 64 | slots[*k] as u128)),
            _ => Val::from_raw(slots[*k], ty, store),
        };
        *k += ty.slots();
        v
    }

    /// Raw slot bits, checking references belong to `core`'s store (the low
    /// half of a `v128`).
    pub(crate) fn to_raw(self, core: &StoreCore) -> u64 {
        match self {
            Val::V128(v) => v.0 as u64,
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => v as u64,
            Val::F64(v) => v,
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) | Val::AnyRef(None) => 0,
            Val::ExnRef(Some(e)) => e.to_raw(core),
            Val::FuncRef(Some(f)) => f.0.check(core) as u64 + 1,
            Val::ExternRef(Some(e)) => e.to_raw(core),
            Val::AnyRef(Some(r)) => r.to_raw(core),
        }
    }

    /// The value of type `ty` in raw slot bits.
    pub(crate) fn from_raw(raw: u64, ty: ValType, store: u64) -> Val {
        match ty.family() {
            ValType::I32 => Val::I32(raw as u32 as i32),
            ValType::I64 => Val::I64(raw as i64),
            ValType::F32 => Val::F32(raw as u32),
            ValType::F64 => Val::F64(raw),
            ValType::V128 => Val::V128(V128(raw as u128)),
            ValType::FuncRef => {
                Val::FuncRef((raw != 0).then(|| Func(Stored { store, index: (raw - 1) as u32 })))
            }
            ValType::ExternRef => Val::ExternRef((raw != 0).then_some(ExternRef { store, raw })),
            ValType::ExnRef => Val::ExnRef((raw != 0).then(|| ExnRef::from_raw(raw, store))),
            ValType::AnyRef => Val::AnyRef((raw != 0).then(|| AnyRef::from_raw(raw, store))),
            ValType::Ref(_) => unreachable!("a family is never a typed reference"),
        }
    }
}

/// A 128-bit SIMD vector: lane 0 is the least significant bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct V128(u128);

impl V128 {
    /// The vector's bits.
    pub fn as_u128(&self) -> u128 {
        self.0
    }
}

impl From<u128> for V128 {
    fn from(v: u128) -> V128 {
        V128(v)
    }
}

impl From<V128> for u128 {
    fn from(v: V128) -> u128 {
        v.0
    }
}

impl From<V128> for Val {
    fn from(v: V128) -> Val {
        Val::V128(v)
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}

impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}

impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}

impl From<Func> for Val {
    fn from(f: Func) -> Val {
        Val::FuncRef(Some(f))
    }
}

/// A reference to host data, owned by a store, or a GC reference
/// converted to `externref` (`extern.convert_any`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExternRef {
    store: u64,
    /// The reference's slot bits: a store index plus one for host data.
    raw: u64,
}

impl ExternRef {
    /// Stores `value` in the store and returns a reference to it.
    pub fn new<T: Any + Send + Sync>(mut store: impl AsContextMut, value: T) -> ExternRef {
        let core = &mut store.as_context_mut().0.core;
        core.externs.push(Box::new(value));
        ExternRef { store: core.id, raw: core.externs.len() as u64 }
    }

    /// The host data, or `None` if this is a GC reference converted to
    /// `externref` (see [`AnyRef::convert_extern`] for the way back).
    pub fn data<'a, T: 'a>(
        &self,
        store: &'a impl AsContext<Data = T>,
    ) -> Option<&'a (dyn Any + Send + Sync)> {
        let core = &store.as_context().0.core;
        assert_eq!(self.store, core.id, "object used with the wrong store");
        let i = usize::try_from(self.raw.checked_sub(1)?).ok()?;
        Some(&**core.externs.get(i)?)
    }

    /// The `externref` of GC reference `r` (`extern.convert_any`).
    pub fn convert_any(store: impl AsContext, r: AnyRef) -> ExternRef {
        let core = &store.as_context().0.core;
        ExternRef { store: core.id, raw: r.to_raw(core) }
    }

    /// The reference as it lives in a slot.
    pub(crate) fn to_raw(self, core: &StoreCore) -> u64 {
        assert_eq!(self.store, core.id, "object used with the wrong store");
        self.raw
    }

    pub(crate) fn from_raw(raw: u64, store: u64) -> ExternRef {
        ExternRef { store, raw }
    }
}
