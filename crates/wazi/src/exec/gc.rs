//! GC instructions (the GC proposal): structs, arrays, `i31` and casts, on
//! the store's heap (`store::gc`). A null or dead reference traps with
//! "null reference"; validation guarantees every other reference is an
//! object of the instruction's type, so field offsets are in bounds.

use super::numeric::handler;
use super::{Exec, Flow, Ip, Mem, Sp, next, operands, rd, trap, wr};
use crate::ir::{Cast, Gc, RIdx, RR, RRR, RRRRR, Slot};
use crate::store::gc::{ArrayInit, Object, Shape, i31_ref, is_i31};
use crate::trap::TrapCode;
use crate::types::{HeapType, registry};

/// Codes of the abstract heap types in [`Cast::heap`] (ids stay below
/// `registry::LOCAL`).
const H_ANY: u32 = u32::MAX;
const H_EQ: u32 = u32::MAX - 1;
const H_I31: u32 = u32::MAX - 2;
const H_STRUCT: u32 = u32::MAX - 3;
const H_ARRAY: u32 = u32::MAX - 4;
const H_NONE: u32 = u32::MAX - 5;
const H_FUNC: u32 = u32::MAX - 6;
const H_NOFUNC: u32 = u32::MAX - 7;
const H_EXTERN: u32 = u32::MAX - 8;
const H_NOEXTERN: u32 = u32::MAX - 9;
const H_EXN: u32 = u32::MAX - 10;
const H_NOEXN: u32 = u32::MAX - 11;

/// `heap`'s code for [`Cast::heap`], and whether it is a function type.
pub(crate) fn heap_code(heap: HeapType) -> (u32, bool) {
    match heap {
        HeapType::Any => (H_ANY, false),
        HeapType::Eq => (H_EQ, false),
        HeapType::I31 => (H_I31, false),
        HeapType::Struct => (H_STRUCT, false),
        HeapType::Array => (H_ARRAY, false),
        HeapType::None => (H_NONE, false),
        HeapType::Func => (H_FUNC, false),
        HeapType::NoFunc => (H_NOFUNC, false),
        HeapType::Extern => (H_EXTERN, false),
        HeapType::NoExtern => (H_NOEXTERN, false),
        HeapType::Exn => (H_EXN, false),
        HeapType::NoExn => (H_NOEXN, false),
        HeapType::Concrete(id) => (id, registry::kind(id) == registry::Kind::Func),
    }
}

/// Whether reference `r` passes the test of `c`.
#[inline(always)]
unsafe fn is_of(x: &Exec, r: u64, c: &Cast) -> bool {
    if r == 0 {
        return c.nullable != 0;
    }
    // SAFETY: the store is live while its code runs.
    let store = unsafe { &*x.store };
    if c.func != 0 {
        let f = store.funcs.get((r - 1) as usize);
        return f.is_some_and(|f| f.ty == c.heap || registry::is_subtype(f.ty, c.heap));
    }
    match c.heap {
        H_ANY | H_FUNC | H_EXTERN | H_EXN => true,
        H_NONE | H_NOFUNC | H_NOEXTERN | H_NOEXN => false,
        H_EQ => is_i31(r) || store.gc.get(r).is_some(),
        H_I31 => is_i31(r),
        H_STRUCT => store.gc.get(r).is_some_and(|o| !o.array),
        H_ARRAY => store.gc.get(r).is_some_and(|o| o.array),
        id => store.gc.get(r).is_some_and(|o| o.ty == id || registry::is_subtype(o.ty, id)),
    }
}

handler!(fn ref_test(ip, sp, mem, len, x) {
    let o = operands::<Cast>(ip);
    let r: u64 = rd(sp, o.a);
    wr(sp, o.d, is_of(x, r, o) as u32);
    next!(Cast, ip, sp, mem, len, x)
});

handler!(fn ref_cast(ip, sp, mem, len, x) {
    let o = operands::<Cast>(ip);
    let r: u64 = rd(sp, o.a);
    if !is_of(x, r, o) {
        return trap(ip, x, TrapCode::CastFailure);
    }
    wr(sp, o.d, r);
    next!(Cast, ip, sp, mem, len, x)
});

handler!(fn ref_i31(ip, sp, mem, len, x) {
    let o = operands::<RR>(ip);
    wr(sp, o.d, i31_ref(rd(sp, o.a)));
    next!(RR, ip, sp, mem, len, x)
});

handler!(fn i31_get_s(ip, sp, mem, len, x) {
    let o = operands::<RR>(ip);
    let r: u64 = rd(sp, o.a);
    if r == 0 {
        return trap(ip, x, TrapCode::NullReference);
    }
    wr(sp, o.d, ((r as u32) << 1) as i32 >> 1);
    next!(RR, ip, sp, mem, len, x)
});

handler!(fn i31_get_u(ip, sp, mem, len, x) {
    let o = operands::<RR>(ip);
    let r: u64 = rd(sp, o.a);
    if r == 0 {
        return trap(ip, x, TrapCode::NullReference);
    }
    wr(sp, o.d, r as u32 & 0x7FFF_FFFF);
    next!(RR, ip, sp, mem, len, x)
});

/// The object reference `r` names, or `None` for null.
#[inline(always)]
unsafe fn object(x: &Exec, r: u64) -> Option<Object> {
    // SAFETY: the store is live while its code runs.
    unsafe { (*x.store).gc.get(r).copied() }
}

/// The arena of the store's heap.
#[inline(always)]
unsafe fn arena(x: &mut Exec) -> &mut Vec<u64> {
    // SAFETY: the store is live while its code runs.
    unsafe { &mut (*x.store).gc.arena }
}

/// The shape of `o`'s objects, of `slots` slots.
#[inline(always)]
fn shape(o: &Gc, slots: u32) -> Shape {
    Shape { ty: o.ty, slots, traced: o.traced != 0 }
}

/// A collection's view of the running frame: the slots in use end there.
macro_rules! top {
    ($ip:expr, $sp:expr, $x:expr) => {{ crate::store::gc::GcPoint { running: Some(($ip, $sp, $x.inst)), frames: $x.frames } }};
}

/// What an allocating instruction makes.
#[derive(Clone, Copy)]
enum Alloc {
    Struct,
    StructDefault,
    Array,
    ArrayDefault,
    ArrayFixed,
    ArrayData,
    ArrayElem,
}

/// Allocates the object of instruction `o` (`kind`) into its slot `d`.
/// Out of line: its frame holds values whose addresses escape (slices, a
/// decoding buffer), which in the handler would keep its dispatch from
/// being a tail call; and the result is written here, so that what the
/// handler gets back fits in a register (a `Result<u64, _>` is returned
/// through memory, whose address escaping has the same effect).
#[inline(never)]
unsafe fn alloc(ip: Ip, sp: Sp, x: &mut Exec, o: &Gc, kind: Alloc) -> Result<(), TrapCode> {
    // SAFETY: as for `new_object`.
    unsafe {
        let r = new_object(ip, sp, x, o, kind)?;
        wr(sp, o.d, r);
        Ok(())
    }
}

/// The object instruction `o` (`kind`) allocates.
#[inline(always)]
unsafe fn new_object(ip: Ip, sp: Sp, x: &mut Exec, o: &Gc, kind: Alloc) -> Result<u64, TrapCode> {
    // SAFETY: the operands are the instruction's; the store and the
    // running instance are live.
    unsafe {
        let store = &mut *x.store;
        let top = top!(ip, sp, x);
        let slots = |at: Slot, n: usize| std::slice::from_raw_parts(sp.add(at as usize), n);
        match kind {
            Alloc::Struct => {
                store.struct_new(shape(o, o.n), Some(slots(o.a, o.n as usize)), true, top)
            }
            Alloc::StructDefault => store.struct_new(shape(o, o.n), None, true, top),
            Alloc::Array | Alloc::ArrayDefault => {
                let init = match kind {
                    Alloc::Array => ArrayInit::Fill(slots(o.a, o.elem as usize)),
                    _ => ArrayInit::Default,
                };
                store.array_new(shape(o, o.elem as u32), rd(sp, o.b), init, true, top)
            }
            Alloc::ArrayFixed => {
                let elems = ArrayInit::Elems(slots(o.a, o.n as usize * o.elem as usize));
                store.array_new(shape(o, o.elem as u32), o.n, elems, true, top)
            }
            Alloc::ArrayData => {
                let (offset, n): (u32, u32) = (rd(sp, o.a), rd(sp, o.b));
                let bytes =
                    data_elems(x, o.n, offset, n, o.elem).ok_or(TrapCode::MemoryOutOfBounds)?;
                let mut elems = Vec::new();
                decode_data(bytes, o.elem as usize, &mut elems);
                let slots = if o.elem == 16 { 2 } else { 1 };
                let shape = Shape { ty: o.ty, slots, traced: false };
                store.array_new(shape, n, ArrayInit::Elems(&elems), true, top)
            }
            Alloc::ArrayElem => {
                let (offset, n): (u32, u32) = (rd(sp, o.a), rd(sp, o.b));
                let seg = (*x.inst).elem_segment(o.n);
                let end = (offset as usize).checked_add(n as usize);
                let items = end.and_then(|e| seg.get(offset as usize..e));
                // A copy: the segment is the instance's (a root), but the
                // collector may run while the array is allocated.
                let items = items.ok_or(TrapCode::TableOutOfBounds)?.to_vec();
                let shape = Shape { ty: o.ty, slots: 1, traced: true };
                store.array_new(shape, n, ArrayInit::Elems(&items), true, top)
            }
        }
    }
}

/// The allocating handlers: `d` = the new object.
macro_rules! alloc_handlers {
    ($($name:ident => $kind:ident,)*) => {$(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<Gc>(ip);
            if let Err(code) = alloc(ip, sp, x, o, Alloc::$kind) {
                return trap(ip, x, code);
            }
            next!(Gc, ip, sp, mem, len, x)
        });
    )*};
}

alloc_handlers! {
    struct_new => Struct,
    struct_new_default => StructDefault,
    array_new => Array,
    array_new_default => ArrayDefault,
    array_new_fixed => ArrayFixed,
    array_new_data => ArrayData,
    array_new_elem => ArrayElem,
}

/// The field and element read handlers, a struct's and an array's per
/// reading: `$read` turns the slot into the value (cutting packed ones).
macro_rules! reads {
    ($($field:ident, $element:ident => $read:expr;)*) => {$(
        handler!(fn $field(ip, sp, mem, len, x) {
            let o = operands::<RIdx>(ip);
            let Some(obj) = object(x, rd(sp, o.a)) else {
                return trap(ip, x, TrapCode::NullReference);
            };
            let v: u64 = arena(x)[obj.base() + o.idx as usize];
            let read: fn(u64) -> u64 = $read;
            wr(sp, o.d, read(v));
            next!(RIdx, ip, sp, mem, len, x)
        });

        handler!(fn $element(ip, sp, mem, len, x) {
            let o = operands::<RRR>(ip);
            let Some(obj) = object(x, rd(sp, o.a)) else {
                return trap(ip, x, TrapCode::NullReference);
            };
            let i: u32 = rd(sp, o.b);
            if i >= obj.len {
                return trap(ip, x, TrapCode::ArrayOutOfBounds);
            }
            let v: u64 = arena(x)[obj.base() + i as usize];
            let read: fn(u64) -> u64 = $read;
            wr(sp, o.d, read(v));
            next!(RRR, ip, sp, mem, len, x)
        });
    )*};
}

reads! {
    struct_get, array_get => |v| v;
    struct_get_s8, array_get_s8 => |v| v as i8 as i32 as u32 as u64;
    struct_get_u8, array_get_u8 => |v| v as u8 as u64;
    struct_get_s16, array_get_s16 => |v| v as i16 as i32 as u32 as u64;
    struct_get_u16, array_get_u16 => |v| v as u16 as u64;
}

handler!(fn struct_get128(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    let Some(obj) = object(x, rd(sp, o.a)) else {
        return trap(ip, x, TrapCode::NullReference);
    };
    let at = obj.base() + o.idx as usize;
    let (lo, hi) = (arena(x)[at], arena(x)[at + 1]);
    wr(sp, o.d, lo);
    wr(sp, o.d + 1, hi);
    next!(RIdx, ip, sp, mem, len, x)
});

handler!(fn struct_set(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    let Some(obj) = object(x, rd(sp, o.a)) else {
        return trap(ip, x, TrapCode::NullReference);
    };
    arena(x)[obj.base() + o.idx as usize] = rd(sp, o.d);
    next!(RIdx, ip, sp, mem, len, x)
});

handler!(fn struct_set128(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    let Some(obj) = object(x, rd(sp, o.a)) else {
        return trap(ip, x, TrapCode::NullReference);
    };
    let at = obj.base() + o.idx as usize;
    arena(x)[at] = rd(sp, o.d);
    arena(x)[at + 1] = rd(sp, o.d + 1);
    next!(RIdx, ip, sp, mem, len, x)
});

/// Decodes data-segment elements of `size` bytes each from `bytes` into
/// slots (a v128 element into two).
fn decode_data(bytes: &[u8], size: usize, out: &mut Vec<u64>) {
    for e in bytes.chunks_exact(size) {
        let mut b = [0u8; 16];
        b[..size].copy_from_slice(e);
        let v = u128::from_le_bytes(b);
        out.push(v as u64);
        if size == 16 {
            out.push((v >> 64) as u64);
        }
    }
}

/// The bytes of `n` elements of `size` bytes at `offset` of data segment
/// `seg`, if in bounds.
unsafe fn data_elems(x: &Exec, seg: u32, offset: u32, n: u32, size: u8) -> Option<&[u8]> {
    // SAFETY: the running instance is live.
    let data = unsafe { (*x.inst).data_segment(seg) };
    let start = offset as usize;
    let end = start.checked_add((n as usize).checked_mul(size as usize)?)?;
    data.get(start..end)
}

handler!(fn array_get128(ip, sp, mem, len, x) {
    let o = operands::<RRR>(ip);
    let Some(obj) = object(x, rd(sp, o.a)) else {
        return trap(ip, x, TrapCode::NullReference);
    };
    let i: u32 = rd(sp, o.b);
    if i >= obj.len {
        return trap(ip, x, TrapCode::ArrayOutOfBounds);
    }
    let at = obj.base() + 2 * i as usize;
    let (lo, hi) = (arena(x)[at], arena(x)[at + 1]);
    wr(sp, o.d, lo);
    wr(sp, o.d + 1, hi);
    next!(RRR, ip, sp, mem, len, x)
});

// `array.set a b d`: element `b` of array `a` becomes slot `d`.
handler!(fn array_set(ip, sp, mem, len, x) {
    let o = operands::<RRR>(ip);
    let Some(obj) = object(x, rd(sp, o.a)) else {
        return trap(ip, x, TrapCode::NullReference);
    };
    let i: u32 = rd(sp, o.b);
    if i >= obj.len {
        return trap(ip, x, TrapCode::ArrayOutOfBounds);
    }
    arena(x)[obj.base() + i as usize] = rd(sp, o.d);
    next!(RRR, ip, sp, mem, len, x)
});

handler!(fn array_set128(ip, sp, mem, len, x) {
    let o = operands::<RRR>(ip);
    let Some(obj) = object(x, rd(sp, o.a)) else {
        return trap(ip, x, TrapCode::NullReference);
    };
    let i: u32 = rd(sp, o.b);
    if i >= obj.len {
        return trap(ip, x, TrapCode::ArrayOutOfBounds);
    }
    let at = obj.base() + 2 * i as usize;
    arena(x)[at] = rd(sp, o.d);
    arena(x)[at + 1] = rd(sp, o.d + 1);
    next!(RRR, ip, sp, mem, len, x)
});

handler!(fn array_len(ip, sp, mem, len, x) {
    let o = operands::<RR>(ip);
    let Some(obj) = object(x, rd(sp, o.a)) else {
        return trap(ip, x, TrapCode::NullReference);
    };
    wr(sp, o.d, obj.len);
    next!(RR, ip, sp, mem, len, x)
});

/// Slot range of elements `from..from + n` of `obj` (`elem` slots each),
/// if in bounds.
#[inline(always)]
fn elems(obj: &Object, from: u32, n: u32, elem: usize) -> Option<std::ops::Range<usize>> {
    let end = from as u64 + n as u64;
    (end <= obj.len as u64)
        .then(|| obj.base() + from as usize * elem..obj.base() + end as usize * elem)
}

handler!(fn array_fill(ip, sp, mem, len, x) {
    let o = operands::<Gc>(ip);
    let Some(obj) = object(x, rd(sp, o.d)) else {
        return trap(ip, x, TrapCode::NullReference);
    };
    let (from, n): (u32, u32) = (rd(sp, o.a), rd(sp, o.c));
    let Some(range) = elems(&obj, from, n, o.elem as usize) else {
        return trap(ip, x, TrapCode::ArrayOutOfBounds);
    };
    let v = std::slice::from_raw_parts(sp.add(o.b as usize), o.elem as usize);
    for e in arena(x)[range].chunks_exact_mut(o.elem as usize) {
        e.copy_from_slice(v);
    }
    next!(Gc, ip, sp, mem, len, x)
});

/// `array.copy`: `e` elements of array `b` from index `c` to array `d`
/// from index `a`, `elem` slots each.
#[inline(always)]
unsafe fn array_copy_slots(ip: Ip, sp: Sp, x: &mut Exec, elem: usize) -> Result<(), Flow> {
    // SAFETY: the operands are the instruction's.
    unsafe {
        let o = operands::<RRRRR>(ip);
        let (Some(dst), Some(src)) = (object(x, rd(sp, o.d)), object(x, rd(sp, o.b))) else {
            return Err(trap(ip, x, TrapCode::NullReference));
        };
        let (di, si, n): (u32, u32, u32) = (rd(sp, o.a), rd(sp, o.c), rd(sp, o.e));
        let (Some(to), Some(from)) = (elems(&dst, di, n, elem), elems(&src, si, n, elem)) else {
            return Err(trap(ip, x, TrapCode::ArrayOutOfBounds));
        };
        arena(x).copy_within(from, to.start);
        Ok(())
    }
}

handler!(fn array_copy(ip, sp, mem, len, x) {
    if let Err(flow) = array_copy_slots(ip, sp, x, 1) {
        return flow;
    }
    next!(RRRRR, ip, sp, mem, len, x)
});

handler!(fn array_copy128(ip, sp, mem, len, x) {
    if let Err(flow) = array_copy_slots(ip, sp, x, 2) {
        return flow;
    }
    next!(RRRRR, ip, sp, mem, len, x)
});

/// `array.init_data` / `array.init_elem` (`data`), out of line as
/// [`alloc`] is.
#[inline(never)]
unsafe fn array_init(sp: Sp, x: &mut Exec, o: &Gc, data: bool) -> Result<(), TrapCode> {
    // SAFETY: the operands are the instruction's; the store and the
    // running instance are live.
    unsafe {
        let obj = object(x, rd(sp, o.d)).ok_or(TrapCode::NullReference)?;
        let (to, from, n): (u32, u32, u32) = (rd(sp, o.a), rd(sp, o.b), rd(sp, o.c));
        let slots = if o.elem == 16 { 2 } else { 1 };
        let range = elems(&obj, to, n, slots).ok_or(TrapCode::ArrayOutOfBounds)?;
        if data {
            let bytes = data_elems(x, o.n, from, n, o.elem).ok_or(TrapCode::MemoryOutOfBounds)?;
            let mut decoded = Vec::new();
            decode_data(bytes, o.elem as usize, &mut decoded);
            arena(x)[range].copy_from_slice(&decoded);
        } else {
            let seg = (*x.inst).elem_segment(o.n);
            let end = (from as usize).checked_add(n as usize);
            let items = end.and_then(|e| seg.get(from as usize..e));
            arena(x)[range].copy_from_slice(items.ok_or(TrapCode::TableOutOfBounds)?);
        }
        Ok(())
    }
}

handler!(fn array_init_data(ip, sp, mem, len, x) {
    let o = operands::<Gc>(ip);
    if let Err(code) = array_init(sp, x, o, true) {
        return trap(ip, x, code);
    }
    next!(Gc, ip, sp, mem, len, x)
});

handler!(fn array_init_elem(ip, sp, mem, len, x) {
    let o = operands::<Gc>(ip);
    if let Err(code) = array_init(sp, x, o, false) {
        return trap(ip, x, code);
    }
    next!(Gc, ip, sp, mem, len, x)
});
