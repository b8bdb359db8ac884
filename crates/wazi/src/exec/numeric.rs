//! Numeric instructions: constants, arithmetic, comparisons, conversions.

use super::{Exec, Flow, Ip, Mem, Sp, next, operands, rd, trap, wr};
use crate::ir::{RI, RI64, RR, RRI, RRI64, RRR};
use crate::trap::TrapCode;

/// Defines a handler with the shared signature.
macro_rules! handler {
    ($(#[$m:meta])* fn $name:ident($ip:ident, $sp:ident, $mem:ident, $len:ident, $x:ident) $body:block) => {
        $(#[$m])*
        #[allow(unused_unsafe, clippy::missing_safety_doc)]
        pub(crate) unsafe fn $name($ip: Ip, $sp: Sp, $mem: Mem, $len: usize, $x: &mut Exec) -> Flow {
            // SAFETY: handlers run only on translated code, whose operands
            // the translator laid out as the handler reads them.
            unsafe { $body }
        }
    };
}
pub(crate) use handler;

/// Converts an instruction immediate to an operand value.
pub(crate) trait FromImm<I> {
    fn from_imm(i: I) -> Self;
}
impl FromImm<u32> for i32 {
    #[inline(always)]
    fn from_imm(i: u32) -> i32 {
        i as i32
    }
}
impl FromImm<u32> for u32 {
    #[inline(always)]
    fn from_imm(i: u32) -> u32 {
        i
    }
}
impl FromImm<u32> for f32 {
    #[inline(always)]
    fn from_imm(i: u32) -> f32 {
        f32::from_bits(i)
    }
}
impl FromImm<u64> for i64 {
    #[inline(always)]
    fn from_imm(i: u64) -> i64 {
        i as i64
    }
}
impl FromImm<u64> for u64 {
    #[inline(always)]
    fn from_imm(i: u64) -> u64 {
        i
    }
}
impl FromImm<u64> for f64 {
    #[inline(always)]
    fn from_imm(i: u64) -> f64 {
        f64::from_bits(i)
    }
}

/// Binary operators in three operand forms: `rr` (both slots), `ri` (right
/// immediate), `ir` (left immediate, for non-commutative operators).
macro_rules! binops {
    ($($rr:ident $ri:ident $($ir:ident)? : $T:ty, $I:ident => |$a:ident, $b:ident| $e:expr;)*) => {
        $(
        handler!(fn $rr(ip, sp, mem, len, x) {
            let o = operands::<RRR>(ip);
            let $a: $T = rd(sp, o.a);
            let $b: $T = rd(sp, o.b);
            wr(sp, o.d, $e);
            next!(RRR, ip, sp, mem, len, x)
        });
        handler!(fn $ri(ip, sp, mem, len, x) {
            let o = operands::<$I>(ip);
            let $a: $T = rd(sp, o.a);
            let $b: $T = FromImm::from_imm(o.imm);
            wr(sp, o.d, $e);
            next!($I, ip, sp, mem, len, x)
        });
        $(handler!(fn $ir(ip, sp, mem, len, x) {
            let o = operands::<$I>(ip);
            let $a: $T = FromImm::from_imm(o.imm);
            let $b: $T = rd(sp, o.a);
            wr(sp, o.d, $e);
            next!($I, ip, sp, mem, len, x)
        });)?
    )*
    };
}

/// Binary operators that may trap: the expression yields a `Result`.
macro_rules! binops_trap {
    ($($rr:ident $ri:ident $ir:ident : $T:ty, $I:ident => |$a:ident, $b:ident| $e:expr;)*) => {
        $(
        handler!(fn $rr(ip, sp, mem, len, x) {
            let o = operands::<RRR>(ip);
            let $a: $T = rd(sp, o.a);
            let $b: $T = rd(sp, o.b);
            match $e {
                Ok(v) => wr(sp, o.d, v),
                Err(code) => return trap(ip, x, code),
            }
            next!(RRR, ip, sp, mem, len, x)
        });
        handler!(fn $ri(ip, sp, mem, len, x) {
            let o = operands::<$I>(ip);
            let $a: $T = rd(sp, o.a);
            let $b: $T = FromImm::from_imm(o.imm);
            match $e {
                Ok(v) => wr(sp, o.d, v),
                Err(code) => return trap(ip, x, code),
            }
            next!($I, ip, sp, mem, len, x)
        });
        handler!(fn $ir(ip, sp, mem, len, x) {
            let o = operands::<$I>(ip);
            let $a: $T = FromImm::from_imm(o.imm);
            let $b: $T = rd(sp, o.a);
            match $e {
                Ok(v) => wr(sp, o.d, v),
                Err(code) => return trap(ip, x, code),
            }
            next!($I, ip, sp, mem, len, x)
        });
    )*
    };
}

/// Unary operators `d = f(a)`.
macro_rules! unops {
    ($($name:ident : $T:ty => |$a:ident| $e:expr;)*) => {
        $(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<RR>(ip);
            let $a: $T = rd(sp, o.a);
            wr(sp, o.d, $e);
            next!(RR, ip, sp, mem, len, x)
        });
    )*
    };
}

/// Unary operators that may trap.
macro_rules! unops_trap {
    ($($name:ident : $T:ty => |$a:ident| $e:expr;)*) => {
        $(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<RR>(ip);
            let $a: $T = rd(sp, o.a);
            match $e {
                Ok(v) => wr(sp, o.d, v),
                Err(code) => return trap(ip, x, code),
            }
            next!(RR, ip, sp, mem, len, x)
        });
    )*
    };
}

handler!(fn const32(ip, sp, mem, len, x) {
    let o = operands::<RI>(ip);
    wr(sp, o.d, o.imm);
    next!(RI, ip, sp, mem, len, x)
});

handler!(fn const64(ip, sp, mem, len, x) {
    let o = operands::<RI64>(ip);
    wr(sp, o.d, o.imm);
    next!(RI64, ip, sp, mem, len, x)
});

handler!(fn copy(ip, sp, mem, len, x) {
    let o = operands::<RR>(ip);
    wr::<u64>(sp, o.d, rd(sp, o.a));
    next!(RR, ip, sp, mem, len, x)
});

// Two copies in one dispatch (common before branches and calls).
handler!(fn copy2(ip, sp, mem, len, x) {
    let o = operands::<crate::ir::Select>(ip);
    wr::<u64>(sp, o.d, rd(sp, o.c));
    wr::<u64>(sp, o.a, rd(sp, o.b));
    next!(crate::ir::Select, ip, sp, mem, len, x)
});

handler!(fn copy_span(ip, sp, mem, len, x) {
    let o = operands::<crate::ir::CopySpan>(ip);
    // Forward copy: the translator only emits `d <= a` or disjoint spans.
    for k in 0..o.n as usize {
        *sp.add(o.d as usize + k) = *sp.add(o.a as usize + k);
    }
    next!(crate::ir::CopySpan, ip, sp, mem, len, x)
});

handler!(fn select(ip, sp, mem, len, x) {
    let o = operands::<crate::ir::Select>(ip);
    let c: i32 = rd(sp, o.c);
    let v: u64 = if c != 0 { rd(sp, o.a) } else { rd(sp, o.b) };
    wr(sp, o.d, v);
    next!(crate::ir::Select, ip, sp, mem, len, x)
});

binops! {
    i32_add_rr i32_add_ri : i32, RRI => |a, b| a.wrapping_add(b);
    i32_sub_rr i32_sub_ri i32_sub_ir : i32, RRI => |a, b| a.wrapping_sub(b);
    i32_mul_rr i32_mul_ri : i32, RRI => |a, b| a.wrapping_mul(b);
    i32_and_rr i32_and_ri : i32, RRI => |a, b| a & b;
    i32_or_rr i32_or_ri : i32, RRI => |a, b| a | b;
    i32_xor_rr i32_xor_ri : i32, RRI => |a, b| a ^ b;
    i32_shl_rr i32_shl_ri i32_shl_ir : i32, RRI => |a, b| a.wrapping_shl(b as u32);
    i32_shr_s_rr i32_shr_s_ri i32_shr_s_ir : i32, RRI => |a, b| a.wrapping_shr(b as u32);
    i32_shr_u_rr i32_shr_u_ri i32_shr_u_ir : u32, RRI => |a, b| a.wrapping_shr(b);
    i32_rotl_rr i32_rotl_ri i32_rotl_ir : u32, RRI => |a, b| a.rotate_left(b);
    i32_rotr_rr i32_rotr_ri i32_rotr_ir : u32, RRI => |a, b| a.rotate_right(b);
    i32_eq_rr i32_eq_ri : i32, RRI => |a, b| (a == b) as i32;
    i32_ne_rr i32_ne_ri : i32, RRI => |a, b| (a != b) as i32;
    i32_lt_s_rr i32_lt_s_ri : i32, RRI => |a, b| (a < b) as i32;
    i32_lt_u_rr i32_lt_u_ri : u32, RRI => |a, b| (a < b) as i32;
    i32_gt_s_rr i32_gt_s_ri : i32, RRI => |a, b| (a > b) as i32;
    i32_gt_u_rr i32_gt_u_ri : u32, RRI => |a, b| (a > b) as i32;
    i32_le_s_rr i32_le_s_ri : i32, RRI => |a, b| (a <= b) as i32;
    i32_le_u_rr i32_le_u_ri : u32, RRI => |a, b| (a <= b) as i32;
    i32_ge_s_rr i32_ge_s_ri : i32, RRI => |a, b| (a >= b) as i32;
    i32_ge_u_rr i32_ge_u_ri : u32, RRI => |a, b| (a >= b) as i32;

    i64_add_rr i64_add_ri : i64, RRI64 => |a, b| a.wrapping_add(b);
    i64_sub_rr i64_sub_ri i64_sub_ir : i64, RRI64 => |a, b| a.wrapping_sub(b);
    i64_mul_rr i64_mul_ri : i64, RRI64 => |a, b| a.wrapping_mul(b);
    i64_and_rr i64_and_ri : i64, RRI64 => |a, b| a & b;
    i64_or_rr i64_or_ri : i64, RRI64 => |a, b| a | b;
    i64_xor_rr i64_xor_ri : i64, RRI64 => |a, b| a ^ b;
    i64_shl_rr i64_shl_ri i64_shl_ir : i64, RRI64 => |a, b| a.wrapping_shl(b as u32);
    i64_shr_s_rr i64_shr_s_ri i64_shr_s_ir : i64, RRI64 => |a, b| a.wrapping_shr(b as u32);
    i64_shr_u_rr i64_shr_u_ri i64_shr_u_ir : u64, RRI64 => |a, b| a.wrapping_shr(b as u32);
    i64_rotl_rr i64_rotl_ri i64_rotl_ir : u64, RRI64 => |a, b| a.rotate_left(b as u32);
    i64_rotr_rr i64_rotr_ri i64_rotr_ir : u64, RRI64 => |a, b| a.rotate_right(b as u32);
    i64_eq_rr i64_eq_ri : i64, RRI64 => |a, b| (a == b) as i32;
    i64_ne_rr i64_ne_ri : i64, RRI64 => |a, b| (a != b) as i32;
    i64_lt_s_rr i64_lt_s_ri : i64, RRI64 => |a, b| (a < b) as i32;
    i64_lt_u_rr i64_lt_u_ri : u64, RRI64 => |a, b| (a < b) as i32;
    i64_gt_s_rr i64_gt_s_ri : i64, RRI64 => |a, b| (a > b) as i32;
    i64_gt_u_rr i64_gt_u_ri : u64, RRI64 => |a, b| (a > b) as i32;
    i64_le_s_rr i64_le_s_ri : i64, RRI64 => |a, b| (a <= b) as i32;
    i64_le_u_rr i64_le_u_ri : u64, RRI64 => |a, b| (a <= b) as i32;
    i64_ge_s_rr i64_ge_s_ri : i64, RRI64 => |a, b| (a >= b) as i32;
    i64_ge_u_rr i64_ge_u_ri : u64, RRI64 => |a, b| (a >= b) as i32;

    f32_add_rr f32_add_ri : f32, RRI => |a, b| a + b;
    f32_sub_rr f32_sub_ri f32_sub_ir : f32, RRI => |a, b| a - b;
    f32_mul_rr f32_mul_ri : f32, RRI => |a, b| a * b;
    f32_div_rr f32_div_ri f32_div_ir : f32, RRI => |a, b| a / b;
    f32_min_rr f32_min_ri : f32, RRI => |a, b| wasm_min32(a, b);
    f32_max_rr f32_max_ri : f32, RRI => |a, b| wasm_max32(a, b);
    f32_copysign_rr f32_copysign_ri f32_copysign_ir : f32, RRI => |a, b| a.copysign(b);
    f32_eq_rr f32_eq_ri : f32, RRI => |a, b| (a == b) as i32;
    f32_ne_rr f32_ne_ri : f32, RRI => |a, b| (a != b) as i32;
    f32_lt_rr f32_lt_ri : f32, RRI => |a, b| (a < b) as i32;
    f32_gt_rr f32_gt_ri : f32, RRI => |a, b| (a > b) as i32;
    f32_le_rr f32_le_ri : f32, RRI => |a, b| (a <= b) as i32;
    f32_ge_rr f32_ge_ri : f32, RRI => |a, b| (a >= b) as i32;

    f64_add_rr f64_add_ri : f64, RRI64 => |a, b| a + b;
    f64_sub_rr f64_sub_ri f64_sub_ir : f64, RRI64 => |a, b| a - b;
    f64_mul_rr f64_mul_ri : f64, RRI64 => |a, b| a * b;
    f64_div_rr f64_div_ri f64_div_ir : f64, RRI64 => |a, b| a / b;
    f64_min_rr f64_min_ri : f64, RRI64 => |a, b| wasm_min64(a, b);
    f64_max_rr f64_max_ri : f64, RRI64 => |a, b| wasm_max64(a, b);
    f64_copysign_rr f64_copysign_ri f64_copysign_ir : f64, RRI64 => |a, b| a.copysign(b);
    f64_eq_rr f64_eq_ri : f64, RRI64 => |a, b| (a == b) as i32;
    f64_ne_rr f64_ne_ri : f64, RRI64 => |a, b| (a != b) as i32;
    f64_lt_rr f64_lt_ri : f64, RRI64 => |a, b| (a < b) as i32;
    f64_gt_rr f64_gt_ri : f64, RRI64 => |a, b| (a > b) as i32;
    f64_le_rr f64_le_ri : f64, RRI64 => |a, b| (a <= b) as i32;
    f64_ge_rr f64_ge_ri : f64, RRI64 => |a, b| (a >= b) as i32;
}

binops_trap! {
    i32_div_s_rr i32_div_s_ri i32_div_s_ir : i32, RRI => |a, b| div_s32(a, b);
    i32_div_u_rr i32_div_u_ri i32_div_u_ir : u32, RRI => |a, b| a.checked_div(b).ok_or(TrapCode::IntegerDivisionByZero);
    i32_rem_s_rr i32_rem_s_ri i32_rem_s_ir : i32, RRI => |a, b| if b == 0 { Err(TrapCode::IntegerDivisionByZero) } else { Ok(a.wrapping_rem(b)) };
    i32_rem_u_rr i32_rem_u_ri i32_rem_u_ir : u32, RRI => |a, b| a.checked_rem(b).ok_or(TrapCode::IntegerDivisionByZero);
    i64_div_s_rr i64_div_s_ri i64_div_s_ir : i64, RRI64 => |a, b| div_s64(a, b);
    i64_div_u_rr i64_div_u_ri i64_div_u_ir : u64, RRI64 => |a, b| a.checked_div(b).ok_or(TrapCode::IntegerDivisionByZero);
    i64_rem_s_rr i64_rem_s_ri i64_rem_s_ir : i64, RRI64 => |a, b| if b == 0 { Err(TrapCode::IntegerDivisionByZero) } else { Ok(a.wrapping_rem(b)) };
    i64_rem_u_rr i64_rem_u_ri i64_rem_u_ir : u64, RRI64 => |a, b| a.checked_rem(b).ok_or(TrapCode::IntegerDivisionByZero);
}

unops! {
    i32_eqz : i32 => |a| (a == 0) as i32;
    i32_clz : u32 => |a| a.leading_zeros();
    i32_ctz : u32 => |a| a.trailing_zeros();
    i32_popcnt : u32 => |a| a.count_ones();
    i32_extend8_s : i32 => |a| a as i8 as i32;
    i32_extend16_s : i32 => |a| a as i16 as i32;
    i32_wrap_i64 : i64 => |a| a as i32;
    i64_eqz : i64 => |a| (a == 0) as i32;
    i64_clz : u64 => |a| a.leading_zeros() as u64;
    i64_ctz : u64 => |a| a.trailing_zeros() as u64;
    i64_popcnt : u64 => |a| a.count_ones() as u64;
    i64_extend8_s : i64 => |a| a as i8 as i64;
    i64_extend16_s : i64 => |a| a as i16 as i64;
    i64_extend32_s : i64 => |a| a as i32 as i64;
    i64_extend_i32_s : i32 => |a| a as i64;
    f32_abs : f32 => |a| a.abs();
    f32_neg : f32 => |a| -a;
    f32_ceil : f32 => |a| quiet_f32(a, a.ceil());
    f32_floor : f32 => |a| quiet_f32(a, a.floor());
    f32_trunc : f32 => |a| quiet_f32(a, a.trunc());
    f32_nearest : f32 => |a| quiet_f32(a, a.round_ties_even());
    f32_sqrt : f32 => |a| a.sqrt();
    f64_abs : f64 => |a| a.abs();
    f64_neg : f64 => |a| -a;
    f64_ceil : f64 => |a| quiet_f64(a, a.ceil());
    f64_floor : f64 => |a| quiet_f64(a, a.floor());
    f64_trunc : f64 => |a| quiet_f64(a, a.trunc());
    f64_nearest : f64 => |a| quiet_f64(a, a.round_ties_even());
    f64_sqrt : f64 => |a| a.sqrt();
    f32_convert_i32_s : i32 => |a| a as f32;
    f32_convert_i32_u : u32 => |a| a as f32;
    f32_convert_i64_s : i64 => |a| a as f32;
    f32_convert_i64_u : u64 => |a| a as f32;
    f32_demote_f64 : f64 => |a| a as f32;
    f64_convert_i32_s : i32 => |a| a as f64;
    f64_convert_i32_u : u32 => |a| a as f64;
    f64_convert_i64_s : i64 => |a| a as f64;
    f64_convert_i64_u : u64 => |a| a as f64;
    f64_promote_f32 : f32 => |a| a as f64;
    i32_trunc_sat_f32_s : f32 => |a| a as i32;
    i32_trunc_sat_f32_u : f32 => |a| a as u32;
    i32_trunc_sat_f64_s : f64 => |a| a as i32;
    i32_trunc_sat_f64_u : f64 => |a| a as u32;
    i64_trunc_sat_f32_s : f32 => |a| a as i64;
    i64_trunc_sat_f32_u : f32 => |a| a as u64;
    i64_trunc_sat_f64_s : f64 => |a| a as i64;
    i64_trunc_sat_f64_u : f64 => |a| a as u64;
}

unops_trap! {
    i32_trunc_f32_s : f32 => |a| trunc(a.is_nan(), (-2147483648.0..2147483648.0).contains(&a), || a as i32);
    i32_trunc_f32_u : f32 => |a| trunc(a.is_nan(), a > -1.0 && a < 4294967296.0, || a as u32);
    i32_trunc_f64_s : f64 => |a| trunc(a.is_nan(), a > -2147483649.0 && a < 2147483648.0, || a as i32);
    i32_trunc_f64_u : f64 => |a| trunc(a.is_nan(), a > -1.0 && a < 4294967296.0, || a as u32);
    i64_trunc_f32_s : f32 => |a| trunc(a.is_nan(), (-9223372036854775808.0..9223372036854775808.0).contains(&a), || a as i64);
    i64_trunc_f32_u : f32 => |a| trunc(a.is_nan(), a > -1.0 && a < 18446744073709551616.0, || a as u64);
    i64_trunc_f64_s : f64 => |a| trunc(a.is_nan(), (-9223372036854775808.0..9223372036854775808.0).contains(&a), || a as i64);
    i64_trunc_f64_u : f64 => |a| trunc(a.is_nan(), a > -1.0 && a < 18446744073709551616.0, || a as u64);
}

#[inline(always)]
fn div_s32(a: i32, b: i32) -> Result<i32, TrapCode> {
    match b {
        0 => Err(TrapCode::IntegerDivisionByZero),
        -1 if a == i32::MIN => Err(TrapCode::IntegerOverflow),
        _ => Ok(a.wrapping_div(b)),
    }
}

#[inline(always)]
fn div_s64(a: i64, b: i64) -> Result<i64, TrapCode> {
    match b {
        0 => Err(TrapCode::IntegerDivisionByZero),
        -1 if a == i64::MIN => Err(TrapCode::IntegerOverflow),
        _ => Ok(a.wrapping_div(b)),
    }
}

/// A trapping float-to-int truncation: NaN is an invalid conversion, a value
/// outside `in_range` an overflow.
#[inline(always)]
fn trunc<T>(nan: bool, in_range: bool, convert: impl FnOnce() -> T) -> Result<T, TrapCode> {
    if nan {
        Err(TrapCode::BadConversionToInteger)
    } else if !in_range {
        Err(TrapCode::IntegerOverflow)
    } else {
        Ok(convert())
    }
}

macro_rules! wasm_minmax {
    ($min:ident, $max:ident, $t:ty) => {
        /// `min` as WebAssembly defines it: NaN if either operand is NaN,
        /// and -0 below +0.
        #[inline(always)]
        pub(crate) fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$t>::from_bits(a.to_bits() | b.to_bits())
            } else if a < b {
                a
            } else {
                b
            }
        }

        /// `max` as WebAssembly defines it.
        #[inline(always)]
        pub(crate) fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$t>::from_bits(a.to_bits() & b.to_bits())
            } else if a > b {
                a
            } else {
                b
            }
        }
    };
}
wasm_minmax!(wasm_min32, wasm_max32, f32);
wasm_minmax!(wasm_min64, wasm_max64, f64);

/// `r`, or `a` made a quiet NaN if `a` is a NaN: rounding functions from
/// the math library return a signalling NaN unchanged, wasm wants it quiet.
#[inline(always)]
fn quiet_f32(a: f32, r: f32) -> f32 {
    if a.is_nan() { f32::from_bits(a.to_bits() | 0x0040_0000) } else { r }
}

/// As [`quiet_f32`].
#[inline(always)]
fn quiet_f64(a: f64, r: f64) -> f64 {
    if a.is_nan() { f64::from_bits(a.to_bits() | 0x0008_0000_0000_0000) } else { r }
}

/// `(lo, hi)` of a 128-bit value.
#[inline(always)]
fn halves(x: u128) -> (u64, u64) {
    (x as u64, (x >> 64) as u64)
}

/// Wide arithmetic on 128-bit values given as `(lo, hi)` pairs of slots.
macro_rules! wide128 {
    ($($name:ident => |$a:ident, $b:ident| $e:expr;)*) => {$(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<crate::ir::RRRRR>(ip);
            let $a = (rd::<u64>(sp, o.b) as u128) << 64 | rd::<u64>(sp, o.a) as u128;
            let $b = (rd::<u64>(sp, o.e) as u128) << 64 | rd::<u64>(sp, o.c) as u128;
            let (lo, hi) = halves($e);
            wr(sp, o.d, lo);
            wr(sp, o.d + 1, hi);
            next!(crate::ir::RRRRR, ip, sp, mem, len, x)
        });
    )*};
}

wide128! {
    i64_add128 => |a, b| a.wrapping_add(b);
    i64_sub128 => |a, b| a.wrapping_sub(b);
}

/// Full 128-bit products of two i64s.
macro_rules! mul_wide {
    ($($name:ident : $t:ty => $w:ty;)*) => {$(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<RRR>(ip);
            let p = rd::<$t>(sp, o.a) as $w * rd::<$t>(sp, o.b) as $w;
            let (lo, hi) = halves(p as u128);
            wr(sp, o.d, lo);
            wr(sp, o.d + 1, hi);
            next!(RRR, ip, sp, mem, len, x)
        });
    )*};
}

mul_wide! {
    i64_mul_wide_s: i64 => i128;
    i64_mul_wide_u: u64 => u128;
}
