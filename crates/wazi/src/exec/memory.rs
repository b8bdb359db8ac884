//! Linear memory instructions. Every access is bounds checked in software:
//! the effective address `addr + offset` is computed in 64 bits (it cannot
//! overflow) and compared once with the memory's length.

use super::numeric::handler;
use super::{Exec, Flow, Ip, Mem, Sp, next, operands, rd, trap, wr};
use crate::ir::{MemAbs, MemIx, MemOp, R3Idx, RIdx, RRI, StoreImm, StoreIxImm};
use crate::trap::TrapCode;

/// A value that can be loaded from or stored to memory.
pub(crate) trait Access: Copy {
    const SIZE: u64;
    unsafe fn read(p: *const u8) -> Self;
    unsafe fn write(p: *mut u8, v: Self);
}

macro_rules! access {
    ($($t:ty),*) => {$(
        impl Access for $t {
            const SIZE: u64 = std::mem::size_of::<$t>() as u64;
            #[inline(always)]
            unsafe fn read(p: *const u8) -> Self {
                // SAFETY: the caller checked `p .. p + SIZE` is in bounds.
                <$t>::from_le_bytes(unsafe { std::ptr::read_unaligned(p as *const [u8; std::mem::size_of::<$t>()]) })
            }
            #[inline(always)]
            unsafe fn write(p: *mut u8, v: Self) {
                // SAFETY: as for `read`.
                unsafe { std::ptr::write_unaligned(p as *mut [u8; std::mem::size_of::<$t>()], v.to_le_bytes()) }
            }
        }
    )*
    };
}
access!(u8, i8, u16, i16, u32, i32, u64, i64, u128, f32, f64);

/// Loads a `T` at effective address `ea`, if in bounds.
#[inline(always)]
pub(crate) unsafe fn load<T: Access>(mem: Mem, len: usize, ea: u64) -> Option<T> {
    if ea + T::SIZE > len as u64 {
        return None;
    }
    // SAFETY: checked just above.
    Some(unsafe { T::read(mem.add(ea as usize)) })
}

/// Stores a `T` at effective address `ea`, if in bounds.
#[inline(always)]
pub(crate) unsafe fn store<T: Access>(mem: Mem, len: usize, ea: u64, v: T) -> bool {
    if ea + T::SIZE > len as u64 {
        return false;
    }
    // SAFETY: checked just above.
    unsafe { T::write(mem.add(ea as usize), v) };
    true
}

/// The effective address of a fused `i32.add` and access: the 32-bit sum
/// (wrapping, as `i32.add` computes it) plus the offset.
#[inline(always)]
unsafe fn ix_address(sp: Sp, a: u16, b: u16, offset: u16) -> u64 {
    // SAFETY: the translator's slots (see `rd`).
    let sum = unsafe { rd::<u32>(sp, a).wrapping_add(rd::<u32>(sp, b)) };
    sum as u64 + offset as u64
}

/// The effective address of a fused `i32.add` of a constant and access at
/// offset 0: the 32-bit sum, wrapping.
#[inline(always)]
unsafe fn plus_address(sp: Sp, a: u16, imm: u32) -> u64 {
    // SAFETY: the translator's slots (see `rd`).
    unsafe { rd::<u32>(sp, a).wrapping_add(imm) as u64 }
}

macro_rules! loads {
    ($($name:ident $abs:ident $ix:ident $plus:ident : $T:ty => $R:ty;)*) => {
        $(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<MemOp>(ip);
            let ea = rd::<u32>(sp, o.addr) as u64 + o.offset as u64;
            match load::<$T>(mem, len, ea) {
                Some(v) => wr::<$R>(sp, o.d, v as $R),
                None => return out_of_bounds(ip, sp, mem, len, x),
            }
            next!(MemOp, ip, sp, mem, len, x)
        });
        handler!(fn $abs(ip, sp, mem, len, x) {
            let o = operands::<MemAbs>(ip);
            match load::<$T>(mem, len, o.ea as u64) {
                Some(v) => wr::<$R>(sp, o.d, v as $R),
                None => return out_of_bounds(ip, sp, mem, len, x),
            }
            next!(MemAbs, ip, sp, mem, len, x)
        });
        handler!(fn $ix(ip, sp, mem, len, x) {
            let o = operands::<MemIx>(ip);
            let ea = ix_address(sp, o.a, o.b, o.offset);
            match load::<$T>(mem, len, ea) {
                Some(v) => wr::<$R>(sp, o.d, v as $R),
                None => return out_of_bounds(ip, sp, mem, len, x),
            }
            next!(MemIx, ip, sp, mem, len, x)
        });
        handler!(fn $plus(ip, sp, mem, len, x) {
            let o = operands::<RRI>(ip);
            let ea = plus_address(sp, o.a, o.imm);
            match load::<$T>(mem, len, ea) {
                Some(v) => wr::<$R>(sp, o.d, v as $R),
                None => return out_of_bounds(ip, sp, mem, len, x),
            }
            next!(RRI, ip, sp, mem, len, x)
        });
    )*
    };
}

loads! {
    i32_load i32_load_abs i32_load_ix i32_load_plus : i32 => i32;
    i64_load i64_load_abs i64_load_ix i64_load_plus : i64 => i64;
    f32_load f32_load_abs f32_load_ix f32_load_plus : u32 => u32;
    f64_load f64_load_abs f64_load_ix f64_load_plus : u64 => u64;
    i32_load8_s i32_load8_s_abs i32_load8_s_ix i32_load8_s_plus : i8 => i32;
    i32_load8_u i32_load8_u_abs i32_load8_u_ix i32_load8_u_plus : u8 => i32;
    i32_load16_s i32_load16_s_abs i32_load16_s_ix i32_load16_s_plus : i16 => i32;
    i32_load16_u i32_load16_u_abs i32_load16_u_ix i32_load16_u_plus : u16 => i32;
    i64_load8_s i64_load8_s_abs i64_load8_s_ix i64_load8_s_plus : i8 => i64;
    i64_load8_u i64_load8_u_abs i64_load8_u_ix i64_load8_u_plus : u8 => i64;
    i64_load16_s i64_load16_s_abs i64_load16_s_ix i64_load16_s_plus : i16 => i64;
    i64_load16_u i64_load16_u_abs i64_load16_u_ix i64_load16_u_plus : u16 => i64;
    i64_load32_s i64_load32_s_abs i64_load32_s_ix i64_load32_s_plus : i32 => i64;
    i64_load32_u i64_load32_u_abs i64_load32_u_ix i64_load32_u_plus : u32 => i64;
}

macro_rules! stores {
    ($($name:ident $imm:ident $abs:ident $ix:ident $ix_imm:ident $plus:ident : $S:ty => $T:ty;)*) => {
        $(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<MemOp>(ip);
            let ea = rd::<u32>(sp, o.addr) as u64 + o.offset as u64;
            let v: $S = rd(sp, o.d);
            if !store::<$T>(mem, len, ea, v as $T) {
                return out_of_bounds(ip, sp, mem, len, x);
            }
            next!(MemOp, ip, sp, mem, len, x)
        });
        handler!(fn $imm(ip, sp, mem, len, x) {
            let o = operands::<StoreImm>(ip);
            let ea = rd::<u32>(sp, o.addr) as u64 + o.offset as u64;
            if !store::<$T>(mem, len, ea, o.imm as $T) {
                return out_of_bounds(ip, sp, mem, len, x);
            }
            next!(StoreImm, ip, sp, mem, len, x)
        });
        handler!(fn $abs(ip, sp, mem, len, x) {
            let o = operands::<MemAbs>(ip);
            let v: $S = rd(sp, o.d);
            if !store::<$T>(mem, len, o.ea as u64, v as $T) {
                return out_of_bounds(ip, sp, mem, len, x);
            }
            next!(MemAbs, ip, sp, mem, len, x)
        });
        handler!(fn $ix(ip, sp, mem, len, x) {
            let o = operands::<MemIx>(ip);
            let ea = ix_address(sp, o.a, o.b, o.offset);
            let v: $S = rd(sp, o.d);
            if !store::<$T>(mem, len, ea, v as $T) {
                return out_of_bounds(ip, sp, mem, len, x);
            }
            next!(MemIx, ip, sp, mem, len, x)
        });
        handler!(fn $ix_imm(ip, sp, mem, len, x) {
            let o = operands::<StoreIxImm>(ip);
            let ea = ix_address(sp, o.a, o.b, o.offset);
            if !store::<$T>(mem, len, ea, o.imm as i64 as $T) {
                return out_of_bounds(ip, sp, mem, len, x);
            }
            next!(StoreIxImm, ip, sp, mem, len, x)
        });
        handler!(fn $plus(ip, sp, mem, len, x) {
            let o = operands::<RRI>(ip);
            let ea = plus_address(sp, o.a, o.imm);
            let v: $S = rd(sp, o.d);
            if !store::<$T>(mem, len, ea, v as $T) {
                return out_of_bounds(ip, sp, mem, len, x);
            }
            next!(RRI, ip, sp, mem, len, x)
        });
    )*
    };
}

stores! {
    i32_store i32_store_imm i32_store_abs i32_store_ix i32_store_ix_imm i32_store_plus : u32 => u32;
    i64_store i64_store_imm i64_store_abs i64_store_ix i64_store_ix_imm i64_store_plus : u64 => u64;
    i32_store8 i32_store8_imm i32_store8_abs i32_store8_ix i32_store8_ix_imm i32_store8_plus : u32 => u8;
    i32_store16 i32_store16_imm i32_store16_abs i32_store16_ix i32_store16_ix_imm i32_store16_plus : u32 => u16;
    i64_store8 i64_store8_imm i64_store8_abs i64_store8_ix i64_store8_ix_imm i64_store8_plus : u64 => u8;
    i64_store16 i64_store16_imm i64_store16_abs i64_store16_ix i64_store16_ix_imm i64_store16_plus : u64 => u16;
    i64_store32 i64_store32_imm i64_store32_abs i64_store32_ix i64_store32_ix_imm i64_store32_plus : u64 => u32;
}

/// An access at `ip` found its address beyond `len`, the length of the
/// memory at `mem` as the registers have it. A shared memory may have grown
/// since, in another thread: then the access runs again with the new
/// length; otherwise it traps.
#[cold]
#[inline(never)]
pub(crate) unsafe fn out_of_bounds(ip: Ip, sp: Sp, mem: Mem, len: usize, x: &mut Exec) -> Flow {
    // SAFETY: the instance is live.
    let grown = unsafe { (*x.inst).shared_memory_at(mem) }.map(|s| s.len());
    match grown {
        Some(now) if now > len => super::dispatch!(ip, sp, mem, now, x),
        _ => trap(ip, x, TrapCode::MemoryOutOfBounds),
    }
}

/// The view of memory `idx`: the registers' for memory 0.
#[inline(always)]
unsafe fn view(x: &Exec, mem: Mem, len: usize, idx: u32) -> (Mem, usize) {
    // SAFETY: the executor's instance is live.
    if idx == 0 { (mem, len) } else { unsafe { (*x.inst).memory_view_of(idx) } }
}

/// A 64-bit address plus offset as the 32-bit address a 64-bit memory's
/// access uses: `u32::MAX` when it does not fit, which is out of bounds of
/// every 64-bit memory (they stay below 4 GiB). The translator folds
/// constant addresses with the same function.
#[inline(always)]
pub(crate) fn clamp_address(addr: u64, offset: u64) -> u32 {
    addr.checked_add(offset).map_or(u32::MAX, |e| e.min(u32::MAX as u64) as u32)
}

// `d = clamp_address(a, imm)`.
handler!(fn addr64(ip, sp, mem, len, x) {
    let o = operands::<crate::ir::RRI64>(ip);
    wr(sp, o.d, clamp_address(rd(sp, o.a), o.imm));
    next!(crate::ir::RRI64, ip, sp, mem, len, x)
});

// Makes memory `idx` the registers' memory for the following instructions.
handler!(fn use_memory(ip, sp, mem, len, x) {
    let _ = (mem, len);
    let o = operands::<RIdx>(ip);
    let (mem, len) = (*x.inst).memory_view_of(o.idx);
    next!(RIdx, ip, sp, mem, len, x)
});

handler!(fn memory_size(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    let pages = (*(&(*x.inst).memories)[o.idx as usize]).pages();
    wr(sp, o.d, pages as u32);
    next!(RIdx, ip, sp, mem, len, x)
});

/// `memory.grow` of memory `idx` by the pages in slot `a`; `$result` turns
/// the old size (or `u32::MAX`) into the result slot's value.
macro_rules! memory_grow {
    ($($name:ident => |$r:ident| $result:expr;)*) => {$(
        handler!(fn $name(ip, sp, mem, len, x) {
            let _ = (mem, len);
            let o = operands::<RIdx>(ip);
            let delta: u32 = rd(sp, o.a);
            let $r = match crate::store::grow_memory_from_wasm(x, o.idx, delta) {
                Ok(r) => r,
                Err(e) => return super::trap_error(ip, x, e),
            };
            wr(sp, o.d, $result);
            let (mem, len) = x.memory_view();
            next!(RIdx, ip, sp, mem, len, x)
        });
    )*};
}

memory_grow! {
    memory_grow => |r| r;
    // A 64-bit memory: the delta was clamped to 32 bits, the result is an
    // i64 (-1 on failure).
    memory_grow64 => |r| r as i32 as i64;
}

// `memory.fill d val n` on memory `idx`: slots `a`, `b`, `c`.
handler!(fn memory_fill(ip, sp, mem, len, x) {
    let o = operands::<R3Idx>(ip);
    let d = rd::<u32>(sp, o.a) as u64;
    let v = rd::<u32>(sp, o.b) as u8;
    let n = rd::<u32>(sp, o.c) as u64;
    let (m, l) = view(x, mem, len, o.idx);
    if d + n > l as u64 {
        return out_of_bounds(ip, sp, mem, len, x);
    }
    std::ptr::write_bytes(m.add(d as usize), v, n as usize);
    next!(R3Idx, ip, sp, mem, len, x)
});

// `memory.copy d s n` from memory `idx2` to memory `idx`.
handler!(fn memory_copy(ip, sp, mem, len, x) {
    let o = operands::<R3Idx>(ip);
    let d = rd::<u32>(sp, o.a) as u64;
    let s = rd::<u32>(sp, o.b) as u64;
    let n = rd::<u32>(sp, o.c) as u64;
    let (dm, dl) = view(x, mem, len, o.idx);
    let (sm, sl) = view(x, mem, len, o.idx2);
    if d + n > dl as u64 || s + n > sl as u64 {
        return out_of_bounds(ip, sp, mem, len, x);
    }
    // Two memories never overlap; one may (`copy` allows it).
    std::ptr::copy(sm.add(s as usize), dm.add(d as usize), n as usize);
    next!(R3Idx, ip, sp, mem, len, x)
});

// `memory.init seg d s n`: segment `idx` into memory `idx2`.
handler!(fn memory_init(ip, sp, mem, len, x) {
    let o = operands::<R3Idx>(ip);
    let d = rd::<u32>(sp, o.a) as u64;
    let s = rd::<u32>(sp, o.b) as u64;
    let n = rd::<u32>(sp, o.c) as u64;
    let data = (*x.inst).data_segment(o.idx);
    let (m, l) = view(x, mem, len, o.idx2);
    if s + n > data.len() as u64 || d + n > l as u64 {
        return out_of_bounds(ip, sp, mem, len, x);
    }
    std::ptr::copy_nonoverlapping(data.as_ptr().add(s as usize), m.add(d as usize), n as usize);
    next!(R3Idx, ip, sp, mem, len, x)
});

handler!(fn data_drop(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    (*x.inst).drop_data(o.idx);
    next!(RIdx, ip, sp, mem, len, x)
});
