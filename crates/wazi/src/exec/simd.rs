//! SIMD instructions on `v128` values, which take two slots (`s` holds the
//! low 64 bits, `s + 1` the high ones: the vector's bytes in memory order
//! on a little-endian host), and the handler table.
//!
//! The handlers of the families declared in `isa.rs` (`simd_unop`,
//! `simd_binop`, ...) are generated from the declaration: each applies the
//! lane function of the same name in [`super::v128`], which works on whole
//! vectors (LLVM compiles its lane loops to the host's vector
//! instructions). The rest are written out below.

use super::memory::{load, out_of_bounds, store};
use super::numeric::handler;
use super::v128::{self, V128};
use super::{Exec, Flow, Handler, Ip, Mem, Sp, next, operands, rd, wr};
use crate::ir::*;
use crate::isa::{Opcode, for_each_op};

/// Reads the `v128` in slots `s`, `s + 1`.
///
/// # Safety
/// As for [`rd`]: both slots belong to the current frame.
#[inline(always)]
pub(crate) unsafe fn rd128(sp: Sp, s: u16) -> V128 {
    // SAFETY: the translator gives v128 values two slots of the frame; a
    // vector is bytes, aligned to 1. On a little-endian host the two slots'
    // bytes are the vector's in memory order.
    #[cfg(target_endian = "little")]
    unsafe {
        std::ptr::read(sp.add(s as usize) as *const V128)
    }
    #[cfg(not(target_endian = "little"))]
    unsafe {
        let (lo, hi) = (*sp.add(s as usize), *sp.add(s as usize + 1));
        ((hi as u128) << 64 | lo as u128).to_le_bytes()
    }
}

/// Writes a `v128` to slots `s`, `s + 1`.
///
/// # Safety
/// As for [`rd128`].
#[inline(always)]
pub(crate) unsafe fn wr128(sp: Sp, s: u16, v: V128) {
    // SAFETY: as in `rd128`.
    #[cfg(target_endian = "little")]
    unsafe {
        std::ptr::write(sp.add(s as usize) as *mut V128, v)
    }
    #[cfg(not(target_endian = "little"))]
    unsafe {
        let x = u128::from_le_bytes(v);
        *sp.add(s as usize) = x as u64;
        *sp.add(s as usize + 1) = (x >> 64) as u64;
    }
}

/// Generates the handler table, in the order of [`Opcode::ALL`], and the
/// handlers of the SIMD families.
macro_rules! exec_isa {
    (
        plain { $($name:ident : $L:ident,)* }
        binop { $($bop:ident => $rr:ident $ri:ident $($ir:ident)? : $imm:ident $($flag:ident)?,)* }
        unop { $($uop:ident => $un:ident $($ut:ident)?,)* }
        load { $($lop:ident => $ld:ident $lda:ident $ldx:ident $ldk:ident,)* }
        store { $($($sop:ident)|+ => $st:ident $sti:ident $sta:ident $stx:ident $stxi:ident $stk:ident,)* }
        br_cmp { $($cop:ident => $brr:ident $($bri:ident)?,)* }
        simd_unop { $($s1op:ident => $s1:ident,)* }
        simd_binop { $($s2op:ident => $s2:ident,)* }
        simd_ternop { $($s3op:ident => $s3:ident,)* }
        simd_shift { $($shop:ident => $sh:ident,)* }
        simd_test { $($top:ident => $t:ident,)* }
        simd_splat { $($spop:ident => $spl:ident,)* }
        simd_extract { $($exop:ident => $ex:ident,)* }
        simd_replace { $($reop:ident => $re:ident,)* }
        atomic { $($aop:ident => $an:ident : $ak:ident,)* }
    ) => {
        /// Every opcode's handler, indexed by [`Opcode`].
        pub(crate) static HANDLERS: [Handler; Opcode::ALL.len()] = [
            $(h::$name,)*
            $(h::$rr, h::$ri, $(h::$ir,)?)*
            $(h::$un,)*
            $(h::$ld, h::$lda, h::$ldx, h::$ldk,)*
            $(h::$st, h::$sti, h::$sta, h::$stx, h::$stxi, h::$stk,)*
            $(h::$brr, $(h::$bri,)?)*
            $($s1,)* $($s2,)* $($s3,)* $($sh,)* $($t,)* $($spl,)* $($ex,)* $($re,)*
            $(h::$an,)*
        ];

        $(handler!(fn $s1(ip, sp, mem, len, x) {
            let o = operands::<RR>(ip);
            wr128(sp, o.d, v128::$s1(rd128(sp, o.a)));
            next!(RR, ip, sp, mem, len, x)
        });)*
        $(handler!(fn $s2(ip, sp, mem, len, x) {
            let o = operands::<RRR>(ip);
            wr128(sp, o.d, v128::$s2(rd128(sp, o.a), rd128(sp, o.b)));
            next!(RRR, ip, sp, mem, len, x)
        });)*
        $(handler!(fn $s3(ip, sp, mem, len, x) {
            let o = operands::<RRRR>(ip);
            wr128(sp, o.d, v128::$s3(rd128(sp, o.a), rd128(sp, o.b), rd128(sp, o.c)));
            next!(RRRR, ip, sp, mem, len, x)
        });)*
        $(handler!(fn $sh(ip, sp, mem, len, x) {
            let o = operands::<RRR>(ip);
            wr128(sp, o.d, v128::$sh(rd128(sp, o.a), rd::<u32>(sp, o.b)));
            next!(RRR, ip, sp, mem, len, x)
        });)*
        $(handler!(fn $t(ip, sp, mem, len, x) {
            let o = operands::<RR>(ip);
            wr::<u32>(sp, o.d, v128::$t(rd128(sp, o.a)));
            next!(RR, ip, sp, mem, len, x)
        });)*
        $(handler!(fn $spl(ip, sp, mem, len, x) {
            let o = operands::<RR>(ip);
            wr128(sp, o.d, v128::$spl(rd(sp, o.a)));
            next!(RR, ip, sp, mem, len, x)
        });)*
        $(handler!(fn $ex(ip, sp, mem, len, x) {
            let o = operands::<RRI>(ip);
            wr::<u64>(sp, o.d, v128::$ex(rd128(sp, o.a), o.imm as u8));
            next!(RRI, ip, sp, mem, len, x)
        });)*
        $(handler!(fn $re(ip, sp, mem, len, x) {
            let o = operands::<RRRR>(ip);
            wr128(sp, o.d, v128::$re(rd128(sp, o.a), o.c as u8, rd(sp, o.b)));
            next!(RRRR, ip, sp, mem, len, x)
        });)*
    };
}

/// Every hand-written handler, by name.
mod h {
    pub(crate) use super::super::atomic::*;
    pub(crate) use super::super::control::*;
    pub(crate) use super::super::exception::*;
    pub(crate) use super::super::gc::*;
    pub(crate) use super::super::memory::*;
    pub(crate) use super::super::numeric::*;
    pub(crate) use super::super::table::*;
    pub(crate) use super::super::variable::*;
    pub(crate) use super::{
        copy128, f32x4_mul_add, f64x2_mul_add, global_get128, global_set128, i8x16_shuffle,
        i16x8_dot_i8x16_i7x16_s_exact, i32x4_dot_i8x16_i7x16_add_s_exact, return128, select128,
        v128_const, v128_load, v128_load8_lane, v128_load8_splat, v128_load8x8_s, v128_load8x8_u,
        v128_load16_lane, v128_load16_splat, v128_load16x4_s, v128_load16x4_u, v128_load32_lane,
        v128_load32_splat, v128_load32_zero, v128_load32x2_s, v128_load32x2_u, v128_load64_lane,
        v128_load64_splat, v128_load64_zero, v128_store, v128_store8_lane, v128_store16_lane,
        v128_store32_lane, v128_store64_lane,
    };
}

for_each_op!(exec_isa);

handler!(fn copy128(ip, sp, mem, len, x) {
    let o = operands::<RR>(ip);
    wr128(sp, o.d, rd128(sp, o.a));
    next!(RR, ip, sp, mem, len, x)
});

handler!(fn select128(ip, sp, mem, len, x) {
    let o = operands::<Select>(ip);
    let c: i32 = rd(sp, o.c);
    let v = if c != 0 { rd128(sp, o.a) } else { rd128(sp, o.b) };
    wr128(sp, o.d, v);
    next!(Select, ip, sp, mem, len, x)
});

// Returns the v128 in slot `a`.
handler!(fn return128(ip, sp, mem, len, x) {
    let o = operands::<RR>(ip);
    wr128(sp, 0, rd128(sp, o.a));
    let (ip, sp, mem, len) = super::control::pop_frame(mem, len, x);
    super::dispatch!(ip, sp, mem, len, x)
});

// A v128 global's cell points at two cells.
handler!(fn global_get128(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    let cell = *x.globals.add(o.idx as usize);
    wr128(sp, o.d, rd128(cell, 0));
    next!(RIdx, ip, sp, mem, len, x)
});

handler!(fn global_set128(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    let cell = *x.globals.add(o.idx as usize);
    wr128(cell, 0, rd128(sp, o.a));
    next!(RIdx, ip, sp, mem, len, x)
});

handler!(fn v128_const(ip, sp, mem, len, x) {
    let o = operands::<RV128>(ip);
    *sp.add(o.d as usize) = o.imm[0];
    *sp.add(o.d as usize + 1) = o.imm[1];
    next!(RV128, ip, sp, mem, len, x)
});

handler!(fn f32x4_mul_add(ip, sp, mem, len, x) {
    let o = operands::<RRRR>(ip);
    let p = v128::f32x4_mul(rd128(sp, o.a), rd128(sp, o.b));
    wr128(sp, o.d, v128::f32x4_add(p, rd128(sp, o.c)));
    next!(RRRR, ip, sp, mem, len, x)
});

handler!(fn f64x2_mul_add(ip, sp, mem, len, x) {
    let o = operands::<RRRR>(ip);
    let p = v128::f64x2_mul(rd128(sp, o.a), rd128(sp, o.b));
    wr128(sp, o.d, v128::f64x2_add(p, rd128(sp, o.c)));
    next!(RRRR, ip, sp, mem, len, x)
});

handler!(fn i16x8_dot_i8x16_i7x16_s_exact(ip, sp, mem, len, x) {
    let o = operands::<RRR>(ip);
    wr128(sp, o.d, v128::i16x8_dot_i8x16_i7x16_s_exact(rd128(sp, o.a), rd128(sp, o.b)));
    next!(RRR, ip, sp, mem, len, x)
});

handler!(fn i32x4_dot_i8x16_i7x16_add_s_exact(ip, sp, mem, len, x) {
    let o = operands::<RRRR>(ip);
    let (a, b, c) = (rd128(sp, o.a), rd128(sp, o.b), rd128(sp, o.c));
    wr128(sp, o.d, v128::i32x4_dot_i8x16_i7x16_add_s_exact(a, b, c));
    next!(RRRR, ip, sp, mem, len, x)
});

handler!(fn i8x16_shuffle(ip, sp, mem, len, x) {
    let o = operands::<Shuffle>(ip);
    wr128(sp, o.d, v128::i8x16_shuffle(rd128(sp, o.a), rd128(sp, o.b), o.lanes));
    next!(Shuffle, ip, sp, mem, len, x)
});

/// Loads of `$T` at `addr + offset`, turned into a v128 by `$f`.
macro_rules! v128_loads {
    ($($name:ident : $T:ty => $f:expr;)*) => {$(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<MemOp>(ip);
            let ea = rd::<u32>(sp, o.addr) as u64 + o.offset as u64;
            match load::<$T>(mem, len, ea) {
                Some(v) => wr128(sp, o.d, $f(v)),
                None => return out_of_bounds(ip, sp, mem, len, x),
            }
            next!(MemOp, ip, sp, mem, len, x)
        });
    )*};
}

v128_loads! {
    v128_load: u128 => |v: u128| v.to_le_bytes();
    v128_load8x8_s: u64 => v128::v128_load8x8_s;
    v128_load8x8_u: u64 => v128::v128_load8x8_u;
    v128_load16x4_s: u64 => v128::v128_load16x4_s;
    v128_load16x4_u: u64 => v128::v128_load16x4_u;
    v128_load32x2_s: u64 => v128::v128_load32x2_s;
    v128_load32x2_u: u64 => v128::v128_load32x2_u;
    v128_load8_splat: u8 => |v: u8| v128::i8x16_splat(v as u32);
    v128_load16_splat: u16 => |v: u16| v128::i16x8_splat(v as u32);
    v128_load32_splat: u32 => v128::i32x4_splat;
    v128_load64_splat: u64 => v128::i64x2_splat;
    v128_load32_zero: u32 => v128::v128_load32_zero;
    v128_load64_zero: u64 => v128::v128_load64_zero;
}

handler!(fn v128_store(ip, sp, mem, len, x) {
    let o = operands::<MemOp>(ip);
    let ea = rd::<u32>(sp, o.addr) as u64 + o.offset as u64;
    if !store::<u128>(mem, len, ea, u128::from_le_bytes(rd128(sp, o.d))) {
        return out_of_bounds(ip, sp, mem, len, x);
    }
    next!(MemOp, ip, sp, mem, len, x)
});

/// Lane loads: `$T` at `addr + offset` replaces lane `lane` of `v`.
macro_rules! lane_loads {
    ($($name:ident : $T:ty => $replace:ident;)*) => {$(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<MemLane>(ip);
            let ea = rd::<u32>(sp, o.addr) as u64 + o.offset as u64;
            match load::<$T>(mem, len, ea) {
                Some(v) => wr128(sp, o.d, v128::$replace(rd128(sp, o.v), o.lane, v as u64)),
                None => return out_of_bounds(ip, sp, mem, len, x),
            }
            next!(MemLane, ip, sp, mem, len, x)
        });
    )*};
}

lane_loads! {
    v128_load8_lane: u8 => i8x16_replace_lane;
    v128_load16_lane: u16 => i16x8_replace_lane;
    v128_load32_lane: u32 => i32x4_replace_lane;
    v128_load64_lane: u64 => i64x2_replace_lane;
}

/// Lane stores: lane `lane` of `v`, as a `$T`, to `addr + offset`.
macro_rules! lane_stores {
    ($($name:ident : $T:ty => $extract:ident;)*) => {$(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<MemLane>(ip);
            let ea = rd::<u32>(sp, o.addr) as u64 + o.offset as u64;
            let v = v128::$extract(rd128(sp, o.v), o.lane) as $T;
            if !store::<$T>(mem, len, ea, v) {
                return out_of_bounds(ip, sp, mem, len, x);
            }
            next!(MemLane, ip, sp, mem, len, x)
        });
    )*};
}

lane_stores! {
    v128_store8_lane: u8 => i8x16_extract_lane_u;
    v128_store16_lane: u16 => i16x8_extract_lane_u;
    v128_store32_lane: u32 => i32x4_extract_lane;
    v128_store64_lane: u64 => i64x2_extract_lane;
}
