//! The typed path: Rust types that lift and lower directly, without
//! [`Val`](super::Val) in between, for host functions
//! (`LinkerInstance::func_wrap`) and guest exports ([`TypedFunc`]).
//!
//! A type is checked against the component type once (when a host
//! function is linked or a `TypedFunc` is made); lifting and lowering then
//! trust that shape. User records, variants, enums and flags implement the
//! traits through [`component_record!`](crate::component_record) and its
//! siblings.

use super::abi::{self, Cx, FlatSrc};
use super::abi_types::{FuncTy, Ty};
use super::func::{self, ArgDest, Func, ResultSrc};
use super::resources::{Resource, ResourceAny, ResourceType};
use super::store::{Components, FuncData};
use crate::store::AsContextMut;
use anyhow::{Context, Result, bail};
use std::marker::PhantomData;

/// The run-time resource types a component type refers to.
#[doc(hidden)]
pub type ResourceTypes = [Option<ResourceType>];

/// A Rust type that stands for a component value type.
pub trait ComponentType {
    /// Whether the type is `()`, which stands for "no payload" in `result`.
    #[doc(hidden)]
    const IS_UNIT: bool = false;

    /// Checks the type matches `ty`.
    #[doc(hidden)]
    fn typecheck(ty: &Ty, resources: &ResourceTypes) -> Result<()>;
}

/// A type that can be lifted out of a component.
pub trait Lift: ComponentType + Sized {
    #[doc(hidden)]
    fn lift(cx: &mut Cx<'_>, ty: &Ty, src: &mut FlatSrc<'_>) -> Result<Self>;
    #[doc(hidden)]
    fn load(cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<Self>;
    /// The value of `()` (which stands for "no payload"); `None` for
    /// every other type.
    #[doc(hidden)]
    fn lift_unit() -> Option<Self> {
        None
    }
    /// Loads `len` elements of a (checked) list at `ptr`.
    #[doc(hidden)]
    fn load_list(cx: &mut Cx<'_>, elem: &Ty, ptr: u32, len: u32) -> Result<Vec<Self>> {
        let size = elem.abi().size;
        let mut out = Vec::with_capacity(len as usize);
        for i in 0..len {
            out.push(Self::load(cx, elem, ptr + i * size)?);
        }
        Ok(out)
    }
}

/// A type that can be lowered into a component.
pub trait Lower: ComponentType {
    #[doc(hidden)]
    fn lower(&self, cx: &mut Cx<'_>, ty: &Ty, dst: &mut Vec<u64>) -> Result<()>;
    #[doc(hidden)]
    fn store(&self, cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<()>;
    /// Stores `items` as list elements at `ptr` (allocated and checked).
    #[doc(hidden)]
    fn store_list(items: &[Self], cx: &mut Cx<'_>, elem: &Ty, ptr: u32) -> Result<()>
    where
        Self: Sized,
    {
        let size = elem.abi().size;
        for (i, item) in items.iter().enumerate() {
            item.store(cx, elem, ptr + i as u32 * size)?;
        }
        Ok(())
    }
}

fn expected<T>(want: &str, ty: &Ty) -> Result<T> {
    bail!("type mismatch: expected `{want}`, found `{ty}`")
}

macro_rules! primitives {
    ($($t:ty => $variant:ident, $name:literal, $size:literal,
        |$v:ident| $to:expr, |$r:ident| $from:expr;)*) => {$(
        impl ComponentType for $t {
            fn typecheck(ty: &Ty, _: &ResourceTypes) -> Result<()> {
                match ty {
                    Ty::$variant => Ok(()),
                    other => expected($name, other),
                }
            }
        }
        impl Lift for $t {
            #[inline]
            fn lift(_: &mut Cx<'_>, _: &Ty, src: &mut FlatSrc<'_>) -> Result<Self> {
                let $r = src.pop();
                Ok($from)
            }
            #[inline]
            fn load(cx: &mut Cx<'_>, _: &Ty, ptr: u32) -> Result<Self> {
                let $r = abi::read_uint(cx.bytes(ptr, $size)?, $size);
                Ok($from)
            }
        }
        impl Lower for $t {
            #[inline]
            fn lower(&self, _: &mut Cx<'_>, _: &Ty, dst: &mut Vec<u64>) -> Result<()> {
                let $v = *self;
                dst.push($to);
                Ok(())
            }
            #[inline]
            fn store(&self, cx: &mut Cx<'_>, _: &Ty, ptr: u32) -> Result<()> {
                let $v = *self;
                abi::write_uint(cx.bytes_mut(ptr, $size)?, $size, $to);
                Ok(())
            }
        }
    )*};
}

primitives! {
    bool => Bool, "bool", 1, |v| v as u64, |r| r as u32 != 0;
    i8 => S8, "s8", 1, |v| v as i32 as u32 as u64, |r| r as i8;
    i16 => S16, "s16", 2, |v| v as i32 as u32 as u64, |r| r as i16;
    i32 => S32, "s32", 4, |v| v as u32 as u64, |r| r as i32;
    u16 => U16, "u16", 2, |v| v as u64, |r| r as u16;
    u32 => U32, "u32", 4, |v| v as u64, |r| r as u32;
    i64 => S64, "s64", 8, |v| v as u64, |r| r as i64;
    u64 => U64, "u64", 8, |v| v, |r| r;
    f32 => F32, "f32", 4, |v| v.to_bits() as u64, |r| abi::canon_f32(f32::from_bits(r as u32));
    f64 => F64, "f64", 8, |v| v.to_bits(), |r| abi::canon_f64(f64::from_bits(r));
}

impl ComponentType for u8 {
    fn typecheck(ty: &Ty, _: &ResourceTypes) -> Result<()> {
        match ty {
            Ty::U8 => Ok(()),
            other => expected("u8", other),
        }
    }
}

impl Lift for u8 {
    #[inline]
    fn lift(_: &mut Cx<'_>, _: &Ty, src: &mut FlatSrc<'_>) -> Result<Self> {
        Ok(src.pop() as u8)
    }
    #[inline]
    fn load(cx: &mut Cx<'_>, _: &Ty, ptr: u32) -> Result<Self> {
        Ok(cx.bytes(ptr, 1)?[0])
    }
    fn load_list(cx: &mut Cx<'_>, _: &Ty, ptr: u32, len: u32) -> Result<Vec<u8>> {
        Ok(cx.bytes(ptr, len as usize)?.to_vec())
    }
}

impl Lower for u8 {
    #[inline]
    fn lower(&self, _: &mut Cx<'_>, _: &Ty, dst: &mut Vec<u64>) -> Result<()> {
        dst.push(*self as u64);
        Ok(())
    }
    #[inline]
    fn store(&self, cx: &mut Cx<'_>, _: &Ty, ptr: u32) -> Result<()> {
        cx.bytes_mut(ptr, 1)?[0] = *self;
        Ok(())
    }
    fn store_list(items: &[u8], cx: &mut Cx<'_>, _: &Ty, ptr: u32) -> Result<()> {
        cx.bytes_mut(ptr, items.len())?.copy_from_slice(items);
        Ok(())
    }
}

impl ComponentType for char {
    fn typecheck(ty: &Ty, _: &ResourceTypes) -> Result<()> {
        match ty {
            Ty::Char => Ok(()),
            other => expected("char", other),
        }
    }
}

impl Lift for char {
    fn lift(_: &mut Cx<'_>, _: &Ty, src: &mut FlatSrc<'_>) -> Result<Self> {
        abi::lift_char(src.pop() as u32)
    }
    fn load(cx: &mut Cx<'_>, _: &Ty, ptr: u32) -> Result<Self> {
        abi::lift_char(abi::read_uint(cx.bytes(ptr, 4)?, 4) as u32)
    }
}

impl Lower for char {
    fn lower(&self, _: &mut Cx<'_>, _: &Ty, dst: &mut Vec<u64>) -> Result<()> {
        dst.push(*self as u64);
        Ok(())
    }
    fn store(&self, cx: &mut Cx<'_>, _: &Ty, ptr: u32) -> Result<()> {
        abi::write_uint(cx.bytes_mut(ptr, 4)?, 4, *self as u64);
        Ok(())
    }
}

fn read_pair(cx: &Cx<'_>, ptr: u32) -> Result<(u32, u32)> {
    let b = cx.bytes(ptr, 8)?;
    Ok((abi::read_uint(b, 4) as u32, abi::read_uint(&b[4..], 4) as u32))
}

fn write_pair(cx: &mut Cx<'_>, ptr: u32, a: u32, b: u32) -> Result<()> {
    abi::write_uint(cx.bytes_mut(ptr, 8)?, 8, a as u64 | (b as u64) << 32);
    Ok(())
}

impl ComponentType for str {
    fn typecheck(ty: &Ty, _: &ResourceTypes) -> Result<()> {
        match ty {
            Ty::String => Ok(()),
            other => expected("string", other),
        }
    }
}

impl Lower for str {
    fn lower(&self, cx: &mut Cx<'_>, _: &Ty, dst: &mut Vec<u64>) -> Result<()> {
        let (p, l) = cx.store_string(self)?;
        dst.extend([p as u64, l as u64]);
        Ok(())
    }
    fn store(&self, cx: &mut Cx<'_>, _: &Ty, ptr: u32) -> Result<()> {
        let (p, l) = cx.store_string(self)?;
        write_pair(cx, ptr, p, l)
    }
}

impl ComponentType for String {
    fn typecheck(ty: &Ty, r: &ResourceTypes) -> Result<()> {
        str::typecheck(ty, r)
    }
}

impl Lift for String {
    fn lift(cx: &mut Cx<'_>, _: &Ty, src: &mut FlatSrc<'_>) -> Result<Self> {
        let (p, l) = (src.pop() as u32, src.pop() as u32);
        cx.load_string(p, l)
    }
    fn load(cx: &mut Cx<'_>, _: &Ty, ptr: u32) -> Result<Self> {
        let (p, l) = read_pair(cx, ptr)?;
        cx.load_string(p, l)
    }
}

impl Lower for String {
    fn lower(&self, cx: &mut Cx<'_>, ty: &Ty, dst: &mut Vec<u64>) -> Result<()> {
        self.as_str().lower(cx, ty, dst)
    }
    fn store(&self, cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<()> {
        self.as_str().store(cx, ty, ptr)
    }
}

impl<T: ComponentType + ?Sized> ComponentType for &T {
    fn typecheck(ty: &Ty, r: &ResourceTypes) -> Result<()> {
        T::typecheck(ty, r)
    }
}

impl<T: Lower + ?Sized> Lower for &T {
    fn lower(&self, cx: &mut Cx<'_>, ty: &Ty, dst: &mut Vec<u64>) -> Result<()> {
        (**self).lower(cx, ty, dst)
    }
    fn store(&self, cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<()> {
        (**self).store(cx, ty, ptr)
    }
}

fn list_elem(ty: &Ty) -> &Ty {
    match ty {
        Ty::List(e) => e,
        _ => unreachable!("typechecked as a list"),
    }
}

impl<T: ComponentType> ComponentType for [T] {
    fn typecheck(ty: &Ty, r: &ResourceTypes) -> Result<()> {
        match ty {
            Ty::List(e) => T::typecheck(e, r),
            other => expected("list", other),
        }
    }
}

impl<T: Lower> Lower for [T] {
    fn lower(&self, cx: &mut Cx<'_>, ty: &Ty, dst: &mut Vec<u64>) -> Result<()> {
        let (p, l) = store_list(self, cx, list_elem(ty))?;
        dst.extend([p as u64, l as u64]);
        Ok(())
    }
    fn store(&self, cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<()> {
        let (p, l) = store_list(self, cx, list_elem(ty))?;
        write_pair(cx, ptr, p, l)
    }
}

fn store_list<T: Lower>(items: &[T], cx: &mut Cx<'_>, elem: &Ty) -> Result<(u32, u32)> {
    let a = elem.abi();
    let ptr = cx.alloc_list(items.len(), a.size, a.align)?;
    T::store_list(items, cx, elem, ptr)?;
    Ok((ptr, items.len() as u32))
}

impl<T: ComponentType> ComponentType for Vec<T> {
    fn typecheck(ty: &Ty, r: &ResourceTypes) -> Result<()> {
        <[T]>::typecheck(ty, r)
    }
}

impl<T: Lift> Lift for Vec<T> {
    fn lift(cx: &mut Cx<'_>, ty: &Ty, src: &mut FlatSrc<'_>) -> Result<Self> {
        let (p, l) = (src.pop() as u32, src.pop() as u32);
        load_list(cx, list_elem(ty), p, l)
    }
    fn load(cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<Self> {
        let (p, l) = read_pair(cx, ptr)?;
        load_list(cx, list_elem(ty), p, l)
    }
}

fn load_list<T: Lift>(cx: &mut Cx<'_>, elem: &Ty, ptr: u32, len: u32) -> Result<Vec<T>> {
    let a = elem.abi();
    cx.check_list(ptr, len, a.size, a.align)?;
    cx.consume_fuel(len as usize, size_of::<T>())?;
    T::load_list(cx, elem, ptr, len)
}

impl<T: Lower> Lower for Vec<T> {
    fn lower(&self, cx: &mut Cx<'_>, ty: &Ty, dst: &mut Vec<u64>) -> Result<()> {
        self.as_slice().lower(cx, ty, dst)
    }
    fn store(&self, cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<()> {
        self.as_slice().store(cx, ty, ptr)
    }
}

// ---- option and result ----

impl<T: ComponentType> ComponentType for Option<T> {
    fn typecheck(ty: &Ty, r: &ResourceTypes) -> Result<()> {
        match ty {
            Ty::Option(t) => T::typecheck(&t.ty, r),
            other => expected("option", other),
        }
    }
}

impl<T: Lift> Lift for Option<T> {
    fn lift(cx: &mut Cx<'_>, ty: &Ty, src: &mut FlatSrc<'_>) -> Result<Self> {
        let Ty::Option(t) = ty else { unreachable!() };
        let d = abi::check_discriminant(src.pop() as u32, 2)?;
        let v = if d == 1 {
            let v = T::lift(cx, &t.ty, src)?;
            src.skip(t.layout.payload_flat - t.ty.abi().flat);
            Some(v)
        } else {
            src.skip(t.layout.payload_flat);
            None
        };
        Ok(v)
    }
    fn load(cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<Self> {
        let Ty::Option(t) = ty else { unreachable!() };
        let d = abi::read_uint(cx.bytes(ptr, 1)?, 1) as u32;
        match abi::check_discriminant(d, 2)? {
            0 => Ok(None),
            _ => Ok(Some(T::load(cx, &t.ty, ptr + t.layout.payload_offset)?)),
        }
    }
}

impl<T: Lower> Lower for Option<T> {
    fn lower(&self, cx: &mut Cx<'_>, ty: &Ty, dst: &mut Vec<u64>) -> Result<()> {
        let Ty::Option(t) = ty else { unreachable!() };
        dst.push(self.is_some() as u64);
        let start = dst.len();
        if let Some(v) = self {
            v.lower(cx, &t.ty, dst)?;
        }
        dst.resize(start + t.layout.payload_flat as usize, 0);
        Ok(())
    }
    fn store(&self, cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<()> {
        let Ty::Option(t) = ty else { unreachable!() };
        cx.bytes_mut(ptr, 1)?[0] = self.is_some() as u8;
        if let Some(v) = self {
            v.store(cx, &t.ty, ptr + t.layout.payload_offset)?;
        }
        Ok(())
    }
}

fn check_payload<T: ComponentType>(ty: Option<&Ty>, r: &ResourceTypes, what: &str) -> Result<()> {
    match (ty, T::IS_UNIT) {
        (None, true) => Ok(()),
        (Some(t), false) => T::typecheck(t, r),
        (Some(_), true) => bail!("type mismatch: result has an `{what}` payload, found `()`"),
        (None, false) => bail!("type mismatch: result has no `{what}` payload"),
    }
}

impl<T: ComponentType, E: ComponentType> ComponentType for Result<T, E> {
    fn typecheck(ty: &Ty, r: &ResourceTypes) -> Result<()> {
        match ty {
            Ty::Result(t) => {
                check_payload::<T>(t.ok.as_ref(), r, "ok")?;
                check_payload::<E>(t.err.as_ref(), r, "error")
            }
            other => expected("result", other),
        }
    }
}

fn lift_payload<T: Lift>(
    cx: &mut Cx<'_>,
    ty: Option<&Ty>,
    src: &mut FlatSrc<'_>,
    slots: u32,
) -> Result<T> {
    match ty {
        Some(t) => {
            let v = T::lift(cx, t, src)?;
            src.skip(slots - t.abi().flat);
            Ok(v)
        }
        None => {
            src.skip(slots);
            unit::<T>()
        }
    }
}

/// The value of a unit type (`()` standing for "no payload").
fn unit<T: Lift>() -> Result<T> {
    match T::lift_unit() {
        Some(v) => Ok(v),
        None => bail!("type mismatch: a payload was expected"),
    }
}

impl<T: Lift, E: Lift> Lift for Result<T, E> {
    fn lift(cx: &mut Cx<'_>, ty: &Ty, src: &mut FlatSrc<'_>) -> Result<Self> {
        let Ty::Result(t) = ty else { unreachable!() };
        let n = t.layout.payload_flat;
        Ok(match abi::check_discriminant(src.pop() as u32, 2)? {
            0 => Ok(lift_payload(cx, t.ok.as_ref(), src, n)?),
            _ => Err(lift_payload(cx, t.err.as_ref(), src, n)?),
        })
    }
    fn load(cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<Self> {
        let Ty::Result(t) = ty else { unreachable!() };
        let d = abi::read_uint(cx.bytes(ptr, 1)?, 1) as u32;
        let at = ptr + t.layout.payload_offset;
        Ok(match abi::check_discriminant(d, 2)? {
            0 => Ok(match &t.ok {
                Some(ty) => T::load(cx, ty, at)?,
                None => unit::<T>()?,
            }),
            _ => Err(match &t.err {
                Some(ty) => E::load(cx, ty, at)?,
                None => unit::<E>()?,
            }),
        })
    }
}

impl<T: Lower, E: Lower> Lower for Result<T, E> {
    fn lower(&self, cx: &mut Cx<'_>, ty: &Ty, dst: &mut Vec<u64>) -> Result<()> {
        let Ty::Result(t) = ty else { unreachable!() };
        let start = dst.len() + 1;
        match self {
            Ok(v) => {
                dst.push(0);
                if let Some(ty) = &t.ok {
                    v.lower(cx, ty, dst)?;
                }
            }
            Err(e) => {
                dst.push(1);
                if let Some(ty) = &t.err {
                    e.lower(cx, ty, dst)?;
                }
            }
        }
        dst.resize(start + t.layout.payload_flat as usize, 0);
        Ok(())
    }
    fn store(&self, cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<()> {
        let Ty::Result(t) = ty else { unreachable!() };
        let at = ptr + t.layout.payload_offset;
        match self {
            Ok(v) => {
                cx.bytes_mut(ptr, 1)?[0] = 0;
                if let Some(ty) = &t.ok {
                    v.store(cx, ty, at)?;
                }
            }
            Err(e) => {
                cx.bytes_mut(ptr, 1)?[0] = 1;
                if let Some(ty) = &t.err {
                    e.store(cx, ty, at)?;
                }
            }
        }
        Ok(())
    }
}

// ---- resources ----

impl<T: 'static> ComponentType for Resource<T> {
    fn typecheck(ty: &Ty, r: &ResourceTypes) -> Result<()> {
        let idx = match ty {
            Ty::Own(i) | Ty::Borrow(i) => *i,
            other => return expected("own or borrow", other),
        };
        match r.get(idx as usize).copied().flatten() {
            Some(t) if t == ResourceType::host::<T>() => Ok(()),
            _ => bail!(
                "type mismatch: the handle is not of host resource type `{}`",
                std::any::type_name::<T>()
            ),
        }
    }
}

impl<T: 'static> Lift for Resource<T> {
    fn lift(cx: &mut Cx<'_>, ty: &Ty, src: &mut FlatSrc<'_>) -> Result<Self> {
        lift_resource(cx, ty, src.pop() as u32)
    }
    fn load(cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<Self> {
        lift_resource(cx, ty, abi::read_uint(cx.bytes(ptr, 4)?, 4) as u32)
    }
}

fn lift_resource<T: 'static>(cx: &mut Cx<'_>, ty: &Ty, i: u32) -> Result<Resource<T>> {
    match ty {
        Ty::Own(r) => Ok(Resource::from_parts(cx.lift_own(i, *r)?.1, true)),
        Ty::Borrow(r) => Ok(Resource::from_parts(cx.lift_borrow(i, *r)?.1, false)),
        _ => unreachable!("typechecked as a handle"),
    }
}

fn lower_handle(cx: &mut Cx<'_>, ty: &Ty, rt: ResourceType, rep: u32, own: bool) -> Result<u32> {
    match ty {
        Ty::Own(_) if !own => bail!("cannot lower a `borrow` resource into an `own`"),
        Ty::Own(_) => cx.lower_own(rt, rep),
        _ => cx.lower_borrow(rt, rep),
    }
}

impl<T: 'static> Lower for Resource<T> {
    fn lower(&self, cx: &mut Cx<'_>, ty: &Ty, dst: &mut Vec<u64>) -> Result<()> {
        let i = lower_handle(cx, ty, ResourceType::host::<T>(), self.rep(), self.owned())?;
        dst.push(i as u64);
        Ok(())
    }
    fn store(&self, cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<()> {
        let i = lower_handle(cx, ty, ResourceType::host::<T>(), self.rep(), self.owned())?;
        abi::write_uint(cx.bytes_mut(ptr, 4)?, 4, i as u64);
        Ok(())
    }
}

impl ComponentType for ResourceAny {
    fn typecheck(ty: &Ty, _: &ResourceTypes) -> Result<()> {
        match ty {
            Ty::Own(_) | Ty::Borrow(_) => Ok(()),
            other => expected("own or borrow", other),
        }
    }
}

impl Lift for ResourceAny {
    fn lift(cx: &mut Cx<'_>, ty: &Ty, src: &mut FlatSrc<'_>) -> Result<Self> {
        lift_any(cx, ty, src.pop() as u32)
    }
    fn load(cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<Self> {
        lift_any(cx, ty, abi::read_uint(cx.bytes(ptr, 4)?, 4) as u32)
    }
}

fn lift_any(cx: &mut Cx<'_>, ty: &Ty, i: u32) -> Result<ResourceAny> {
    match ty {
        Ty::Own(r) => cx.lift_any(i, *r, true),
        Ty::Borrow(r) => cx.lift_any(i, *r, false),
        _ => unreachable!("typechecked as a handle"),
    }
}

fn lower_any(cx: &mut Cx<'_>, ty: &Ty, h: &ResourceAny) -> Result<u32> {
    match ty {
        Ty::Own(r) => cx.lower_any(h, *r, true),
        Ty::Borrow(r) => cx.lower_any(h, *r, false),
        _ => unreachable!("typechecked as a handle"),
    }
}

impl Lower for ResourceAny {
    fn lower(&self, cx: &mut Cx<'_>, ty: &Ty, dst: &mut Vec<u64>) -> Result<()> {
        dst.push(lower_any(cx, ty, self)? as u64);
        Ok(())
    }
    fn store(&self, cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<()> {
        let i = lower_any(cx, ty, self)?;
        abi::write_uint(cx.bytes_mut(ptr, 4)?, 4, i as u64);
        Ok(())
    }
}

// ---- streams and futures ----

/// Streams and futures lift and lower as [`Val`](super::Val)s do: a
/// handle moves between the component's table and the host's.
macro_rules! async_handles {
    ($($t:ident $case:ident $what:literal;)*) => {$(
        impl ComponentType for super::concurrent::$t {
            fn typecheck(ty: &Ty, _: &ResourceTypes) -> Result<()> {
                match ty {
                    Ty::$case(_) => Ok(()),
                    other => expected($what, other),
                }
            }
        }

        impl Lift for super::concurrent::$t {
            fn lift(cx: &mut Cx<'_>, ty: &Ty, src: &mut FlatSrc<'_>) -> Result<Self> {
                match super::values::lift_flat(cx, ty, src)? {
                    super::Val::$case(h) => Ok(h),
                    _ => unreachable!("typechecked as a {}", $what),
                }
            }
            fn load(cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<Self> {
                match super::values::load(cx, ty, ptr)? {
                    super::Val::$case(h) => Ok(h),
                    _ => unreachable!("typechecked as a {}", $what),
                }
            }
        }

        impl Lower for super::concurrent::$t {
            fn lower(&self, cx: &mut Cx<'_>, ty: &Ty, dst: &mut Vec<u64>) -> Result<()> {
                super::values::lower_flat(cx, ty, &super::Val::$case(*self), dst)
            }
            fn store(&self, cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<()> {
                super::values::store(cx, ty, &super::Val::$case(*self), ptr)
            }
        }
    )*};
}

async_handles! {
    StreamAny Stream "stream";
    FutureAny Future "future";
}

// ---- tuples, and parameter/result lists ----

/// A tuple of Rust types standing for a function's parameters, or for its
/// result (`()` or `(T,)`).
pub trait ComponentNamedList: ComponentType {}

macro_rules! tuples {
    ($(($($t:ident $i:tt),*);)*) => {$(
        impl<$($t: ComponentType),*> ComponentType for ($($t,)*) {
            const IS_UNIT: bool = tuples!(@is_unit $($t)*);
            #[allow(unused_variables)]
            fn typecheck(ty: &Ty, r: &ResourceTypes) -> Result<()> {
                match ty {
                    Ty::Tuple(t) => {
                        let want: usize = <[&str]>::len(&[$(stringify!($t)),*]);
                        if t.types.len() != want {
                            bail!("type mismatch: expected {} value(s), found {}", want, t.types.len());
                        }
                        $($t::typecheck(&t.types[$i], r)?;)*
                        Ok(())
                    }
                    other => expected("tuple", other),
                }
            }
        }
        impl<$($t: ComponentType),*> ComponentNamedList for ($($t,)*) {}
        impl<$($t: Lift),*> Lift for ($($t,)*) {
            #[allow(unused_variables)]
            fn lift(cx: &mut Cx<'_>, ty: &Ty, src: &mut FlatSrc<'_>) -> Result<Self> {
                let Ty::Tuple(t) = ty else { unreachable!("typechecked as a tuple") };
                Ok(($($t::lift(cx, &t.types[$i], src)?,)*))
            }
            #[allow(unused_variables)]
            fn load(cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<Self> {
                let Ty::Tuple(t) = ty else { unreachable!("typechecked as a tuple") };
                Ok(($($t::load(cx, &t.types[$i], ptr + t.offsets[$i])?,)*))
            }
            fn lift_unit() -> Option<Self> {
                tuples!(@unit $($t)*)
            }
        }
        impl<$($t: Lower),*> Lower for ($($t,)*) {
            #[allow(unused_variables)]
            fn lower(&self, cx: &mut Cx<'_>, ty: &Ty, dst: &mut Vec<u64>) -> Result<()> {
                let Ty::Tuple(t) = ty else { unreachable!("typechecked as a tuple") };
                $(self.$i.lower(cx, &t.types[$i], dst)?;)*
                Ok(())
            }
            #[allow(unused_variables)]
            fn store(&self, cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<()> {
                let Ty::Tuple(t) = ty else { unreachable!("typechecked as a tuple") };
                $(self.$i.store(cx, &t.types[$i], ptr + t.offsets[$i])?;)*
                Ok(())
            }
        }
    )*};
    (@is_unit) => { true };
    (@is_unit $($t:ident)+) => { false };
    (@unit) => { Some(()) };
    (@unit $($t:ident)+) => { None };
}

tuples! {
    ();
    (A 0);
    (A 0, B 1);
    (A 0, B 1, C 2);
    (A 0, B 1, C 2, D 3);
    (A 0, B 1, C 2, D 3, E 4);
    (A 0, B 1, C 2, D 3, E 4, F 5);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15, Q 16);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15, Q 16, R 17);
}

/// Lifts a function's parameters (the tuple `P`) from a lowered call.
pub(crate) fn lift_params<P: Lift>(cx: &mut Cx<'_>, ty: &FuncTy, slots: &[u64]) -> Result<P> {
    if ty.params_spill_for(cx.opts.async_) {
        let ptr = slots[0] as u32;
        let a = ty.params_abi;
        cx.check_range(ptr, a.size as u64, a.align, abi::What::Pointer)?;
        P::load(cx, &ty.params_tuple, ptr)
    } else {
        P::lift(cx, &ty.params_tuple, &mut FlatSrc::new(slots))
    }
}

/// Lowers a host function's result (the tuple `R`) into the caller.
pub(crate) fn lower_result<R: Lower>(
    cx: &mut Cx<'_>,
    ty: &FuncTy,
    retptr: usize,
    r: &R,
    slots: &mut [u64],
) -> Result<()> {
    if ty.result_spills_for(cx.opts.async_) {
        let ptr = slots[retptr] as u32;
        let a = ty.result_abi;
        cx.check_range(ptr, a.size as u64, a.align, abi::What::Pointer)?;
        r.store(cx, &ty.results_tuple, ptr)
    } else {
        let mut out = Vec::with_capacity(1);
        r.lower(cx, &ty.results_tuple, &mut out)?;
        if let Some(v) = out.first() {
            slots[0] = *v;
        }
        Ok(())
    }
}

/// A guest export whose type was checked to be `(Params) -> Results`,
/// called without [`Val`](super::Val) boxing.
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

/// Writes typed arguments `params` of a function of type `ty` where its
/// callee takes them.
fn write_params<P: Lower>(
    params: &P,
    cx: &mut Cx<'_>,
    ty: &FuncTy,
    dest: ArgDest<'_>,
) -> Result<()> {
    match dest {
        ArgDest::Flat(out) => params.lower(cx, &ty.params_tuple, out),
        ArgDest::Memory(ptr) => params.store(cx, &ty.params_tuple, ptr),
    }
}

/// Reads the typed results of a function of type `ty` from where its
/// callee left them.
fn read_results<R: Lift>(cx: &mut Cx<'_>, ty: &FuncTy, src: ResultSrc<'_>) -> Result<R> {
    match src {
        ResultSrc::Flat(vals) => R::lift(cx, &ty.results_tuple, &mut FlatSrc::new(vals)),
        ResultSrc::Memory(ptr) => R::load(cx, &ty.results_tuple, ptr),
    }
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, R> Copy for TypedFunc<P, R> {}

impl<Params, Results> TypedFunc<Params, Results>
where
    Params: ComponentNamedList + Lower,
    Results: ComponentNamedList + Lift,
{
    pub(crate) fn new(func: Func) -> Self {
        TypedFunc { func, _marker: PhantomData }
    }

    /// The untyped function.
    pub fn func(&self) -> &Func {
        &self.func
    }

    /// Calls the function. For an `async` function the store's event loop
    /// runs until the call returned (other tasks of the store go on
    /// meanwhile), as with [`Func::call`].
    pub fn call(&self, mut store: impl AsContextMut, params: Params) -> Result<Results> {
        let core = &mut store.as_context_mut().0.core;
        let data = core.ext.components().funcs[self.func.0.check(core)].clone();
        match data {
            FuncData::Lifted(f) if f.ty.async_ => {
                let mut out = None;
                let slot = &mut out;
                let ty = &f.ty;
                super::concurrent::call_typed_from_host(
                    core,
                    &f,
                    Box::new(|cx, dest| write_params(&params, cx, ty, dest)),
                    Box::new(move |cx, src| {
                        *slot = Some(read_results(cx, ty, src)?);
                        Ok(())
                    }),
                )?;
                out.context("internal error: the call returned no value")
            }
            FuncData::Lifted(f) => func::call_lifted(
                core,
                &f,
                None,
                |cx, dest| write_params(&params, cx, &f.ty, dest),
                |cx, src| read_results(cx, &f.ty, src),
                |_, r| Ok(r),
            ),
            FuncData::Host { .. } => {
                bail!(
                    "typed calls of host functions re-exported by a component are not supported; use `Func::call`"
                )
            }
        }
    }
}
