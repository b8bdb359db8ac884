//! [`Val`]: component values of any type, and their lifting and lowering
//! (the dynamic path, used by `Func::call`, `func_new` host functions and
//! component-to-component calls).

use super::abi::{self, Cx, FlatSrc};
use super::abi_types::Ty;
use super::concurrent::{self, ErrorContextAny, FutureAny, StreamAny};
use super::resources::ResourceAny;
use super::resources::{ResourceType, Slot};
use anyhow::{Result, bail};

/// A component value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// A `bool`.
    Bool(bool),
    /// An `s8`.
    S8(i8),
    /// A `u8`.
    U8(u8),
    /// An `s16`.
    S16(i16),
    /// A `u16`.
    U16(u16),
    /// An `s32`.
    S32(i32),
    /// A `u32`.
    U32(u32),
    /// An `s64`.
    S64(i64),
    /// A `u64`.
    U64(u64),
    /// An `f32`.
    Float32(f32),
    /// An `f64`.
    Float64(f64),
    /// A `char`.
    Char(char),
    /// A `string`.
    String(String),
    /// A `list<T>` or `list<T, N>` (which must have exactly `N` elements).
    List(Vec<Val>),
    /// A `record`: every field, by name, in the type's order.
    Record(Vec<(String, Val)>),
    /// A `tuple`.
    Tuple(Vec<Val>),
    /// A `variant`: the case's name and its payload, if the case has one.
    Variant(String, Option<Box<Val>>),
    /// An `enum`: the case's name.
    Enum(String),
    /// An `option<T>`.
    Option(Option<Box<Val>>),
    /// A `result<T, E>`; a side without a type has no payload (`Ok(None)`).
    Result(Result<Option<Box<Val>>, Option<Box<Val>>>),
    /// A `flags`: the names of the flags that are set, in any order.
    Flags(Vec<String>),
    /// An `own` or `borrow` handle.
    Resource(ResourceAny),
    /// The readable end of a `future`.
    Future(super::concurrent::FutureAny),
    /// The readable end of a `stream`.
    Stream(super::concurrent::StreamAny),
    /// An `error-context`.
    ErrorContext(super::concurrent::ErrorContextAny),
}

impl Val {
    /// A short description of the value's kind for error messages.
    pub(crate) fn desc(&self) -> &'static str {
        match self {
            Val::Bool(_) => "bool",
            Val::S8(_) => "s8",
            Val::U8(_) => "u8",
            Val::S16(_) => "s16",
            Val::U16(_) => "u16",
            Val::S32(_) => "s32",
            Val::U32(_) => "u32",
            Val::S64(_) => "s64",
            Val::U64(_) => "u64",
            Val::Float32(_) => "f32",
            Val::Float64(_) => "f64",
            Val::Char(_) => "char",
            Val::String(_) => "string",
            Val::List(_) => "list",
            Val::Record(_) => "record",
            Val::Tuple(_) => "tuple",
            Val::Variant(..) => "variant",
            Val::Enum(_) => "enum",
            Val::Option(_) => "option",
            Val::Result(_) => "result",
            Val::Flags(_) => "flags",
            Val::Resource(_) => "resource",
            Val::Future(_) => "future",
            Val::Stream(_) => "stream",
            Val::ErrorContext(_) => "error-context",
        }
    }
}

fn mismatch<T>(ty: &Ty, v: &Val) -> Result<T> {
    bail!("type mismatch: expected `{}`, found `{}`", ty.desc(), v.desc())
}

/// Which case of a variant-like type a value is, and its payload.
fn case_of<'v>(ty: &Ty, v: &'v Val) -> Result<(usize, Option<&'v Val>)> {
    Ok(match (ty, v) {
        (Ty::Variant(t), Val::Variant(name, payload)) => {
            // Names match as the component model compares them: ignoring
            // ASCII case.
            let Some(i) = t.cases.iter().position(|(n, _)| n.eq_ignore_ascii_case(name)) else {
                bail!("unknown variant case `{name}`");
            };
            match (&t.cases[i].1, payload) {
                (Some(_), Some(p)) => (i, Some(&**p)),
                (None, None) => (i, None),
                (Some(_), None) => bail!("variant case `{name}` needs a payload"),
                (None, Some(_)) => bail!("variant case `{name}` has no payload"),
            }
        }
        (Ty::Enum(t), Val::Enum(name)) => {
            match t.names.iter().position(|n| n.eq_ignore_ascii_case(name)) {
                Some(i) => (i, None),
                None => bail!("unknown enum case `{name}`"),
            }
        }
        (Ty::Option(_), Val::Option(None)) => (0, None),
        (Ty::Option(_), Val::Option(Some(p))) => (1, Some(&**p)),
        (Ty::Result(t), Val::Result(r)) => {
            let (i, p, ty) = match r {
                Ok(p) => (0, p, &t.ok),
                Err(p) => (1, p, &t.err),
            };
            match (ty, p) {
                (Some(_), Some(p)) => (i, Some(&**p)),
                (None, None) => (i, None),
                (Some(_), None) => bail!("result case needs a payload"),
                (None, Some(_)) => bail!("result case has no payload"),
            }
        }
        _ => return mismatch(ty, v),
    })
}

/// The payload type of case `i` of a variant-like type.
fn case_ty(ty: &Ty, i: usize) -> Option<&Ty> {
    match ty {
        Ty::Variant(t) => t.cases[i].1.as_ref(),
        Ty::Option(t) => (i == 1).then_some(&t.ty),
        Ty::Result(t) => {
            if i == 0 {
                t.ok.as_ref()
            } else {
                t.err.as_ref()
            }
        }
        _ => None,
    }
}

fn make_case(ty: &Ty, i: usize, payload: Option<Val>) -> Val {
    let payload = payload.map(Box::new);
    match ty {
        Ty::Variant(t) => Val::Variant(t.cases[i].0.clone(), payload),
        Ty::Enum(t) => Val::Enum(t.names[i].clone()),
        Ty::Option(_) => Val::Option(payload),
        Ty::Result(_) => Val::Result(if i == 0 { Ok(payload) } else { Err(payload) }),
        _ => unreachable!("not a variant-like type"),
    }
}

fn variant_layout(ty: &Ty) -> Option<(super::abi_types::VariantLayout, usize)> {
    match ty {
        Ty::Variant(t) => Some((t.layout, t.cases.len())),
        Ty::Enum(t) => Some((t.layout, t.names.len())),
        Ty::Option(t) => Some((t.layout, 2)),
        Ty::Result(t) => Some((t.layout, 2)),
        _ => None,
    }
}

fn flags_bits(names: &[String], set: &[String]) -> Result<Vec<u32>> {
    let mut words = vec![0u32; names.len().div_ceil(32)];
    for f in set {
        let Some(i) = names.iter().position(|n| n == f) else {
            bail!("unknown flag `{f}`");
        };
        words[i / 32] |= 1 << (i % 32);
    }
    Ok(words)
}

fn flags_from_bits(names: &[String], word: impl Fn(usize) -> u32) -> Val {
    let set = names
        .iter()
        .enumerate()
        .filter(|(i, _)| word(i / 32) & (1 << (i % 32)) != 0)
        .map(|(_, n)| n.clone())
        .collect();
    Val::Flags(set)
}

/// Lifts a value of type `ty` from flat core values.
pub(crate) fn lift_flat(cx: &mut Cx<'_>, ty: &Ty, src: &mut FlatSrc<'_>) -> Result<Val> {
    Ok(match ty {
        Ty::Bool => Val::Bool(src.pop() as u32 != 0),
        Ty::S8 => Val::S8(src.pop() as i8),
        Ty::U8 => Val::U8(src.pop() as u8),
        Ty::S16 => Val::S16(src.pop() as i16),
        Ty::U16 => Val::U16(src.pop() as u16),
        Ty::S32 => Val::S32(src.pop() as i32),
        Ty::U32 => Val::U32(src.pop() as u32),
        Ty::S64 => Val::S64(src.pop() as i64),
        Ty::U64 => Val::U64(src.pop()),
        Ty::F32 => Val::Float32(abi::canon_f32(f32::from_bits(src.pop() as u32))),
        Ty::F64 => Val::Float64(abi::canon_f64(f64::from_bits(src.pop()))),
        Ty::Char => Val::Char(abi::lift_char(src.pop() as u32)?),
        Ty::String => {
            let (ptr, len) = (src.pop() as u32, src.pop() as u32);
            Val::String(cx.load_string(ptr, len)?)
        }
        Ty::List(elem) => {
            let (ptr, len) = (src.pop() as u32, src.pop() as u32);
            load_list(cx, elem, ptr, len)?
        }
        Ty::FixedList(t) => {
            let mut out = Vec::with_capacity(t.len as usize);
            for _ in 0..t.len {
                out.push(lift_flat(cx, &t.elem, src)?);
            }
            Val::List(out)
        }
        Ty::Record(t) => {
            let mut out = Vec::with_capacity(t.fields.len());
            for (name, ft) in t.fields.iter() {
                out.push((name.clone(), lift_flat(cx, ft, src)?));
            }
            Val::Record(out)
        }
        Ty::Tuple(t) => {
            let mut out = Vec::with_capacity(t.types.len());
            for ft in t.types.iter() {
                out.push(lift_flat(cx, ft, src)?);
            }
            Val::Tuple(out)
        }
        Ty::Flags(t) => {
            let words: Vec<u32> = (0..t.words()).map(|_| src.pop() as u32).collect();
            flags_from_bits(&t.names, |w| words[w])
        }
        Ty::Own(r) => Val::Resource(cx.lift_any(src.pop() as u32, *r, true)?),
        Ty::Borrow(r) => Val::Resource(cx.lift_any(src.pop() as u32, *r, false)?),
        Ty::Stream(t) => {
            Val::Stream(StreamAny(concurrent::lift_end(cx, src.pop() as u32, false, t)?))
        }
        Ty::Future(t) => {
            Val::Future(FutureAny(concurrent::lift_end(cx, src.pop() as u32, true, t)?))
        }
        Ty::ErrorContext => Val::ErrorContext(ErrorContextAny(concurrent::lift_error_context(
            cx,
            src.pop() as u32,
        )?)),
        Ty::Variant(_) | Ty::Enum(_) | Ty::Option(_) | Ty::Result(_) => {
            let (layout, n) = variant_layout(ty).unwrap();
            let i = abi::check_discriminant(src.pop() as u32, n)?;
            let payload = match case_ty(ty, i) {
                Some(pt) => {
                    let v = lift_flat(cx, pt, src)?;
                    src.skip(layout.payload_flat - pt.abi().flat);
                    Some(v)
                }
                None => {
                    src.skip(layout.payload_flat);
                    None
                }
            };
            make_case(ty, i, payload)
        }
    })
}

fn load_list(cx: &mut Cx<'_>, elem: &Ty, ptr: u32, len: u32) -> Result<Val> {
    let a = elem.abi();
    cx.check_list(ptr, len, a.size, a.align)?;
    cx.consume_fuel(len as usize, size_of::<Val>())?;
    let mut out = Vec::with_capacity(len as usize);
    for i in 0..len {
        out.push(load(cx, elem, ptr + i * a.size)?);
    }
    Ok(Val::List(out))
}

/// Loads a value of type `ty` from memory at `ptr` (checked in bounds and
/// aligned by the caller).
pub(crate) fn load(cx: &mut Cx<'_>, ty: &Ty, ptr: u32) -> Result<Val> {
    let size = ty.abi().size;
    let int =
        |cx: &Cx<'_>, n: u32| -> Result<u64> { Ok(abi::read_uint(cx.bytes(ptr, n as usize)?, n)) };
    Ok(match ty {
        Ty::Bool => Val::Bool(int(cx, 1)? != 0),
        Ty::S8 => Val::S8(int(cx, 1)? as i8),
        Ty::U8 => Val::U8(int(cx, 1)? as u8),
        Ty::S16 => Val::S16(int(cx, 2)? as i16),
        Ty::U16 => Val::U16(int(cx, 2)? as u16),
        Ty::S32 => Val::S32(int(cx, 4)? as i32),
        Ty::U32 => Val::U32(int(cx, 4)? as u32),
        Ty::S64 => Val::S64(int(cx, 8)? as i64),
        Ty::U64 => Val::U64(int(cx, 8)?),
        Ty::F32 => Val::Float32(abi::canon_f32(f32::from_bits(int(cx, 4)? as u32))),
        Ty::F64 => Val::Float64(abi::canon_f64(f64::from_bits(int(cx, 8)?))),
        Ty::Char => Val::Char(abi::lift_char(int(cx, 4)? as u32)?),
        Ty::String | Ty::List(_) => {
            let b = cx.bytes(ptr, 8)?;
            let (p, len) = (abi::read_uint(b, 4) as u32, abi::read_uint(&b[4..], 4) as u32);
            match ty {
                Ty::String => Val::String(cx.load_string(p, len)?),
                Ty::List(elem) => load_list(cx, elem, p, len)?,
                _ => unreachable!(),
            }
        }
        Ty::FixedList(t) => {
            let s = t.elem.abi().size;
            let mut out = Vec::with_capacity(t.len as usize);
            for i in 0..t.len {
                out.push(load(cx, &t.elem, ptr + i * s)?);
            }
            Val::List(out)
        }
        Ty::Record(t) => {
            let mut out = Vec::with_capacity(t.fields.len());
            for ((name, ft), off) in t.fields.iter().zip(t.offsets.iter()) {
                out.push((name.clone(), load(cx, ft, ptr + off)?));
            }
            Val::Record(out)
        }
        Ty::Tuple(t) => {
            let mut out = Vec::with_capacity(t.types.len());
            for (ft, off) in t.types.iter().zip(t.offsets.iter()) {
                out.push(load(cx, ft, ptr + off)?);
            }
            Val::Tuple(out)
        }
        Ty::Flags(t) => {
            let b = cx.bytes(ptr, size as usize)?;
            let words: Vec<u32> = if size < 4 {
                vec![abi::read_uint(b, size) as u32]
            } else {
                b.chunks_exact(4).map(|c| abi::read_uint(c, 4) as u32).collect()
            };
            flags_from_bits(&t.names, |w| words[w])
        }
        Ty::Own(r) => Val::Resource(cx.lift_any(int(cx, 4)? as u32, *r, true)?),
        Ty::Borrow(r) => Val::Resource(cx.lift_any(int(cx, 4)? as u32, *r, false)?),
        Ty::Stream(t) => {
            let i = int(cx, 4)? as u32;
            Val::Stream(StreamAny(concurrent::lift_end(cx, i, false, t)?))
        }
        Ty::Future(t) => {
            let i = int(cx, 4)? as u32;
            Val::Future(FutureAny(concurrent::lift_end(cx, i, true, t)?))
        }
        Ty::ErrorContext => {
            let i = int(cx, 4)? as u32;
            Val::ErrorContext(ErrorContextAny(concurrent::lift_error_context(cx, i)?))
        }
        Ty::Variant(_) | Ty::Enum(_) | Ty::Option(_) | Ty::Result(_) => {
            let (layout, n) = variant_layout(ty).unwrap();
            let i = abi::check_discriminant(int(cx, layout.disc_size)? as u32, n)?;
            let payload = match case_ty(ty, i) {
                Some(pt) => Some(load(cx, pt, ptr + layout.payload_offset)?),
                None => None,
            };
            make_case(ty, i, payload)
        }
    })
}

/// Lowers `v` of type `ty` to flat core values appended to `dst`.
pub(crate) fn lower_flat(cx: &mut Cx<'_>, ty: &Ty, v: &Val, dst: &mut Vec<u64>) -> Result<()> {
    match (ty, v) {
        (Ty::Bool, Val::Bool(b)) => dst.push(*b as u64),
        (Ty::S8, Val::S8(x)) => dst.push(*x as i32 as u32 as u64),
        (Ty::U8, Val::U8(x)) => dst.push(*x as u64),
        (Ty::S16, Val::S16(x)) => dst.push(*x as i32 as u32 as u64),
        (Ty::U16, Val::U16(x)) => dst.push(*x as u64),
        (Ty::S32, Val::S32(x)) => dst.push(*x as u32 as u64),
        (Ty::U32, Val::U32(x)) => dst.push(*x as u64),
        (Ty::S64, Val::S64(x)) => dst.push(*x as u64),
        (Ty::U64, Val::U64(x)) => dst.push(*x),
        (Ty::F32, Val::Float32(x)) => dst.push(x.to_bits() as u64),
        (Ty::F64, Val::Float64(x)) => dst.push(x.to_bits()),
        (Ty::Char, Val::Char(c)) => dst.push(*c as u64),
        (Ty::String, Val::String(s)) => {
            let (p, l) = cx.store_string(s)?;
            dst.extend([p as u64, l as u64]);
        }
        (Ty::List(elem), Val::List(items)) => {
            let (p, l) = store_list(cx, elem, items)?;
            dst.extend([p as u64, l as u64]);
        }
        (Ty::FixedList(t), Val::List(items)) => {
            if items.len() != t.len as usize {
                bail!("expected a list of {} elements, found {}", t.len, items.len());
            }
            for item in items {
                lower_flat(cx, &t.elem, item, dst)?;
            }
        }
        (Ty::Record(t), Val::Record(fields)) => {
            check_record(&t.fields, fields)?;
            for ((_, ft), (_, fv)) in t.fields.iter().zip(fields) {
                lower_flat(cx, ft, fv, dst)?;
            }
        }
        (Ty::Tuple(t), Val::Tuple(items)) => {
            check_tuple(&t.types, items)?;
            for (ft, fv) in t.types.iter().zip(items) {
                lower_flat(cx, ft, fv, dst)?;
            }
        }
        (Ty::Flags(t), Val::Flags(set)) => {
            dst.extend(flags_bits(&t.names, set)?.into_iter().map(|w| w as u64));
        }
        (Ty::Own(r), Val::Resource(h)) => dst.push(cx.lower_any(h, *r, true)? as u64),
        (Ty::Borrow(r), Val::Resource(h)) => dst.push(cx.lower_any(h, *r, false)? as u64),
        (Ty::Stream(t), Val::Stream(h)) => {
            dst.push(concurrent::lower_end(cx, h.0, false, t)? as u64)
        }
        (Ty::Future(t), Val::Future(h)) => {
            dst.push(concurrent::lower_end(cx, h.0, true, t)? as u64)
        }
        (Ty::ErrorContext, Val::ErrorContext(h)) => {
            dst.push(concurrent::lower_error_context(cx, h.0)? as u64)
        }
        (Ty::Variant(_) | Ty::Enum(_) | Ty::Option(_) | Ty::Result(_), _) => {
            let (layout, _) = variant_layout(ty).unwrap();
            let (i, payload) = case_of(ty, v)?;
            dst.push(i as u64);
            let start = dst.len();
            if let (Some(pt), Some(p)) = (case_ty(ty, i), payload) {
                lower_flat(cx, pt, p, dst)?;
            }
            dst.resize(start + layout.payload_flat as usize, 0);
        }
        _ => return mismatch(ty, v),
    }
    Ok(())
}

fn check_record(tys: &[(String, Ty)], fields: &[(String, Val)]) -> Result<()> {
    if tys.len() != fields.len() {
        bail!("expected {} record fields, found {}", tys.len(), fields.len());
    }
    for ((tn, _), (vn, _)) in tys.iter().zip(fields) {
        if tn != vn {
            bail!("expected record field named {tn}, found {vn}");
        }
    }
    Ok(())
}

fn check_tuple(tys: &[Ty], items: &[Val]) -> Result<()> {
    if tys.len() != items.len() {
        bail!("expected {}-tuple, found {}-tuple", tys.len(), items.len());
    }
    Ok(())
}

fn store_list(cx: &mut Cx<'_>, elem: &Ty, items: &[Val]) -> Result<(u32, u32)> {
    let a = elem.abi();
    let ptr = cx.alloc_list(items.len(), a.size, a.align)?;
    for (i, item) in items.iter().enumerate() {
        store(cx, elem, item, ptr + i as u32 * a.size)?;
    }
    Ok((ptr, items.len() as u32))
}

/// Stores `v` of type `ty` at `ptr` (checked in bounds and aligned by the
/// caller).
pub(crate) fn store(cx: &mut Cx<'_>, ty: &Ty, v: &Val, ptr: u32) -> Result<()> {
    let int = |cx: &mut Cx<'_>, n: u32, x: u64| -> Result<()> {
        abi::write_uint(cx.bytes_mut(ptr, n as usize)?, n, x);
        Ok(())
    };
    match (ty, v) {
        (Ty::Bool, Val::Bool(b)) => int(cx, 1, *b as u64),
        (Ty::S8, Val::S8(x)) => int(cx, 1, *x as u64),
        (Ty::U8, Val::U8(x)) => int(cx, 1, *x as u64),
        (Ty::S16, Val::S16(x)) => int(cx, 2, *x as u64),
        (Ty::U16, Val::U16(x)) => int(cx, 2, *x as u64),
        (Ty::S32, Val::S32(x)) => int(cx, 4, *x as u64),
        (Ty::U32, Val::U32(x)) => int(cx, 4, *x as u64),
        (Ty::S64, Val::S64(x)) => int(cx, 8, *x as u64),
        (Ty::U64, Val::U64(x)) => int(cx, 8, *x),
        (Ty::F32, Val::Float32(x)) => int(cx, 4, x.to_bits() as u64),
        (Ty::F64, Val::Float64(x)) => int(cx, 8, x.to_bits()),
        (Ty::Char, Val::Char(c)) => int(cx, 4, *c as u64),
        (Ty::String, Val::String(s)) => {
            let (p, l) = cx.store_string(s)?;
            int(cx, 8, p as u64 | (l as u64) << 32)
        }
        (Ty::List(elem), Val::List(items)) => {
            let (p, l) = store_list(cx, elem, items)?;
            int(cx, 8, p as u64 | (l as u64) << 32)
        }
        (Ty::FixedList(t), Val::List(items)) => {
            if items.len() != t.len as usize {
                bail!("expected a list of {} elements, found {}", t.len, items.len());
            }
            let s = t.elem.abi().size;
            for (i, item) in items.iter().enumerate() {
                store(cx, &t.elem, item, ptr + i as u32 * s)?;
            }
            Ok(())
        }
        (Ty::Record(t), Val::Record(fields)) => {
            check_record(&t.fields, fields)?;
            for (((_, ft), (_, fv)), off) in t.fields.iter().zip(fields).zip(t.offsets.iter()) {
                store(cx, ft, fv, ptr + off)?;
            }
            Ok(())
        }
        (Ty::Tuple(t), Val::Tuple(items)) => {
            check_tuple(&t.types, items)?;
            for ((ft, fv), off) in t.types.iter().zip(items).zip(t.offsets.iter()) {
                store(cx, ft, fv, ptr + off)?;
            }
            Ok(())
        }
        (Ty::Flags(t), Val::Flags(set)) => {
            let words = flags_bits(&t.names, set)?;
            let size = t.abi.size;
            if size < 4 {
                int(cx, size, words[0] as u64)
            } else {
                for (i, w) in words.iter().enumerate() {
                    abi::write_uint(cx.bytes_mut(ptr + 4 * i as u32, 4)?, 4, *w as u64);
                }
                Ok(())
            }
        }
        (Ty::Own(r), Val::Resource(h)) => {
            let i = cx.lower_any(h, *r, true)?;
            int(cx, 4, i as u64)
        }
        (Ty::Borrow(r), Val::Resource(h)) => {
            let i = cx.lower_any(h, *r, false)?;
            int(cx, 4, i as u64)
        }
        (Ty::Stream(t), Val::Stream(h)) => {
            let i = concurrent::lower_end(cx, h.0, false, t)?;
            int(cx, 4, i as u64)
        }
        (Ty::Future(t), Val::Future(h)) => {
            let i = concurrent::lower_end(cx, h.0, true, t)?;
            int(cx, 4, i as u64)
        }
        (Ty::ErrorContext, Val::ErrorContext(h)) => {
            let i = concurrent::lower_error_context(cx, h.0)?;
            int(cx, 4, i as u64)
        }
        (Ty::Variant(_) | Ty::Enum(_) | Ty::Option(_) | Ty::Result(_), _) => {
            let (layout, _) = variant_layout(ty).unwrap();
            let (i, payload) = case_of(ty, v)?;
            int(cx, layout.disc_size, i as u64)?;
            if let (Some(pt), Some(p)) = (case_ty(ty, i), payload) {
                store(cx, pt, p, ptr + layout.payload_offset)?;
            }
            Ok(())
        }
        _ => mismatch(ty, v),
    }
}

/// Checks `v` is a value of type `ty` (whose resources are `resources`)
/// without lowering anything, so a call with a bad argument fails before
/// the callee is entered.
pub(crate) fn typecheck(
    ty: &Ty,
    v: &Val,
    resources: &[Option<ResourceType>],
    host: &super::resources::HandleTable,
) -> Result<()> {
    match (ty, v) {
        (Ty::Bool, Val::Bool(_))
        | (Ty::S8, Val::S8(_))
        | (Ty::U8, Val::U8(_))
        | (Ty::S16, Val::S16(_))
        | (Ty::U16, Val::U16(_))
        | (Ty::S32, Val::S32(_))
        | (Ty::U32, Val::U32(_))
        | (Ty::S64, Val::S64(_))
        | (Ty::U64, Val::U64(_))
        | (Ty::F32, Val::Float32(_))
        | (Ty::F64, Val::Float64(_))
        | (Ty::Char, Val::Char(_))
        | (Ty::String, Val::String(_))
        | (Ty::Stream(_), Val::Stream(_))
        | (Ty::Future(_), Val::Future(_))
        | (Ty::ErrorContext, Val::ErrorContext(_)) => Ok(()),
        (Ty::List(e), Val::List(items)) => {
            items.iter().try_for_each(|v| typecheck(e, v, resources, host))
        }
        (Ty::FixedList(t), Val::List(items)) => {
            if items.len() != t.len as usize {
                bail!("expected a list of {} elements, found {}", t.len, items.len());
            }
            items.iter().try_for_each(|v| typecheck(&t.elem, v, resources, host))
        }
        (Ty::Record(t), Val::Record(fields)) => {
            check_record(&t.fields, fields)?;
            t.fields
                .iter()
                .zip(fields)
                .try_for_each(|((_, t), (_, v))| typecheck(t, v, resources, host))
        }
        (Ty::Tuple(t), Val::Tuple(items)) => {
            check_tuple(&t.types, items)?;
            t.types.iter().zip(items).try_for_each(|(t, v)| typecheck(t, v, resources, host))
        }
        (Ty::Flags(t), Val::Flags(set)) => flags_bits(&t.names, set).map(|_| ()),
        (Ty::Own(r) | Ty::Borrow(r), Val::Resource(h)) => {
            if resources.get(*r as usize).copied().flatten() != Some(h.ty) {
                bail!("resource type mismatch");
            }
            if matches!(ty, Ty::Own(_)) && !h.own {
                bail!("cannot lower a `borrow` resource into an `own`");
            }
            // A handle the host gave away or dropped.
            if !h.direct {
                match host.peek(h.handle) {
                    Some(Slot::Own { ty, .. } | Slot::Borrow { ty, .. }) if *ty == h.ty => {}
                    _ => bail!("unknown handle index {}", h.handle),
                }
            }
            Ok(())
        }
        (Ty::Variant(_) | Ty::Enum(_) | Ty::Option(_) | Ty::Result(_), _) => {
            let (i, payload) = case_of(ty, v)?;
            match (case_ty(ty, i), payload) {
                (Some(t), Some(p)) => typecheck(t, p, resources, host),
                _ => Ok(()),
            }
        }
        _ => mismatch(ty, v),
    }
}
