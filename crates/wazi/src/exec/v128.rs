//! The lane semantics of every SIMD and relaxed-SIMD operator, as plain
//! functions on 128-bit vectors.
//!
//! A vector is its 16 bytes in memory order (lane 0 first). Each function
//! views its operands as an array of lanes, computes the result lane by lane
//! in a fixed-size loop, and packs it back; LLVM compiles those loops to the
//! host's vector instructions (`paddb`, `pavgb`, `pcmpeqb`, ... on x86-64),
//! so one handler is one short vector sequence, never a loop of the
//! interpreter. (A `u128` would not do: LLVM keeps it in two general
//! registers and takes lanes apart with shifts.) Nothing here can panic: lane indices are
//! masked, arithmetic wraps or saturates explicitly.
//!
//! Functions are named after the wasm operator (`i16x8.extmul_low_i8x16_s`
//! is `i16x8_extmul_low_i8x16_s`); the handlers of `exec::simd` are
//! generated from `isa.rs` to call them by that name.
//!
//! Relaxed operators return one deterministic result each, among those the
//! relaxed-SIMD proposal allows; each one's doc comment says which, and
//! whether it is what wasmtime gives on x86-64.

/// A 128-bit vector: its bytes, lane 0 first.
pub(crate) type V128 = [u8; 16];

/// The vector whose bits are `x` (lane 0 in the least significant bits).
#[cfg(test)]
fn from_bits(x: u128) -> V128 {
    x.to_le_bytes()
}

/// The bits of vector `v`.
#[cfg(test)]
fn to_bits(v: V128) -> u128 {
    u128::from_le_bytes(v)
}

/// Conversions between a vector and its lanes.
macro_rules! lanes {
    ($($get:ident $put:ident : $t:ty, $n:literal, $s:literal;)*) => {$(
        #[inline(always)]
        fn $get(v: V128) -> [$t; $n] {
            #[cfg(target_endian = "little")]
            // SAFETY: both are 16 bytes of plain data, valid for every bit
            // pattern; on a little-endian host lane `i` is bytes
            // `i * size..`, the wasm lane order.
            let l = unsafe { core::mem::transmute::<V128, [$t; $n]>(v) };
            #[cfg(not(target_endian = "little"))]
            let l = core::array::from_fn(|i| {
                let mut x = [0u8; $s];
                x.copy_from_slice(&v[i * $s..i * $s + $s]);
                <$t>::from_le_bytes(x)
            });
            l
        }

        #[inline(always)]
        fn $put(l: [$t; $n]) -> V128 {
            #[cfg(target_endian = "little")]
            // SAFETY: as in the reverse conversion.
            let v = unsafe { core::mem::transmute::<[$t; $n], V128>(l) };
            #[cfg(not(target_endian = "little"))]
            let v = {
                let mut b = [0u8; 16];
                for i in 0..$n {
                    b[i * $s..i * $s + $s].copy_from_slice(&l[i].to_le_bytes());
                }
                b
            };
            v
        }
    )*};
}

lanes! {
    i8s put_i8: i8, 16, 1;
    i16s put_i16: i16, 8, 2;
    u16s put_u16: u16, 8, 2;
    i32s put_i32: i32, 4, 4;
    u32s put_u32: u32, 4, 4;
    i64s put_i64: i64, 2, 8;
    u64s put_u64: u64, 2, 8;
    f32s put_f32: f32, 4, 4;
    f64s put_f64: f64, 2, 8;
}

/// Byte lanes are the vector itself.
#[inline(always)]
fn u8s(v: V128) -> [u8; 16] {
    v
}

#[inline(always)]
fn put_u8(l: [u8; 16]) -> V128 {
    l
}

/// `name(a) = put(f(a[i]))` for every lane.
macro_rules! unary {
    ($($name:ident : $get:ident $put:ident |$a:ident| $e:expr;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128) -> V128 {
            let a = $get(a);
            $put(core::array::from_fn(|i| {
                let $a = a[i];
                $e
            }))
        }
    )*};
}

/// `name(a, b) = put(f(a[i], b[i]))` for every lane.
macro_rules! binary {
    ($($name:ident : $get:ident $put:ident |$a:ident, $b:ident| $e:expr;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128, b: V128) -> V128 {
            let (a, b) = ($get(a), $get(b));
            $put(core::array::from_fn(|i| {
                let ($a, $b) = (a[i], b[i]);
                $e
            }))
        }
    )*};
}

/// Lane comparisons: all ones where true, zeros where false.
macro_rules! compare {
    ($($name:ident : $get:ident $put:ident $m:ty |$a:ident, $b:ident| $e:expr;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128, b: V128) -> V128 {
            let (a, b) = ($get(a), $get(b));
            $put(core::array::from_fn(|i| {
                let ($a, $b) = (a[i], b[i]);
                -(($e) as $m)
            }))
        }
    )*};
}

/// Shifts by a count taken modulo the lane width.
macro_rules! shift {
    ($($name:ident : $get:ident $put:ident |$a:ident, $n:ident| $e:expr;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128, n: u32) -> V128 {
            let a = $get(a);
            $put(core::array::from_fn(|i| {
                let ($a, $n) = (a[i], n);
                $e
            }))
        }
    )*};
}

// ---- bitwise -------------------------------------------------------------

unary! {
    v128_not: u64s put_u64 |a| !a;
}

binary! {
    v128_and: u64s put_u64 |a, b| a & b;
    v128_andnot: u64s put_u64 |a, b| a & !b;
    v128_or: u64s put_u64 |a, b| a | b;
    v128_xor: u64s put_u64 |a, b| a ^ b;
}

/// Bits of `a` where `c` is set, of `b` elsewhere.
#[inline]
pub(crate) fn v128_bitselect(a: V128, b: V128, c: V128) -> V128 {
    let (a, b, c) = (u64s(a), u64s(b), u64s(c));
    put_u64([0, 1].map(|i| (a[i] & c[i]) | (b[i] & !c[i])))
}

#[inline]
pub(crate) fn v128_any_true(a: V128) -> u32 {
    let a = u64s(a);
    (a[0] | a[1] != 0) as u32
}

// ---- splat, lanes, shuffles ------------------------------------------------

#[inline]
pub(crate) fn i8x16_splat(x: u32) -> V128 {
    put_u8([x as u8; 16])
}

#[inline]
pub(crate) fn i16x8_splat(x: u32) -> V128 {
    put_u16([x as u16; 8])
}

#[inline]
pub(crate) fn i32x4_splat(x: u32) -> V128 {
    put_u32([x; 4])
}

#[inline]
pub(crate) fn i64x2_splat(x: u64) -> V128 {
    put_u64([x; 2])
}

#[inline]
pub(crate) fn f32x4_splat(bits: u32) -> V128 {
    i32x4_splat(bits)
}

#[inline]
pub(crate) fn f64x2_splat(bits: u64) -> V128 {
    i64x2_splat(bits)
}

// Extracted lanes are raw slot bits: an i32 (or f32) zero-extended.

#[inline]
pub(crate) fn i8x16_extract_lane_s(v: V128, lane: u8) -> u64 {
    i8s(v)[(lane & 15) as usize] as i32 as u32 as u64
}

#[inline]
pub(crate) fn i8x16_extract_lane_u(v: V128, lane: u8) -> u64 {
    u8s(v)[(lane & 15) as usize] as u64
}

#[inline]
pub(crate) fn i16x8_extract_lane_s(v: V128, lane: u8) -> u64 {
    i16s(v)[(lane & 7) as usize] as i32 as u32 as u64
}

#[inline]
pub(crate) fn i16x8_extract_lane_u(v: V128, lane: u8) -> u64 {
    u16s(v)[(lane & 7) as usize] as u64
}

#[inline]
pub(crate) fn i32x4_extract_lane(v: V128, lane: u8) -> u64 {
    u32s(v)[(lane & 3) as usize] as u64
}

#[inline]
pub(crate) fn i64x2_extract_lane(v: V128, lane: u8) -> u64 {
    u64s(v)[(lane & 1) as usize]
}

#[inline]
pub(crate) fn f32x4_extract_lane(v: V128, lane: u8) -> u64 {
    i32x4_extract_lane(v, lane)
}

#[inline]
pub(crate) fn f64x2_extract_lane(v: V128, lane: u8) -> u64 {
    i64x2_extract_lane(v, lane)
}

#[inline]
pub(crate) fn i8x16_replace_lane(v: V128, lane: u8, x: u64) -> V128 {
    let mut l = u8s(v);
    l[(lane & 15) as usize] = x as u8;
    put_u8(l)
}

#[inline]
pub(crate) fn i16x8_replace_lane(v: V128, lane: u8, x: u64) -> V128 {
    let mut l = u16s(v);
    l[(lane & 7) as usize] = x as u16;
    put_u16(l)
}

#[inline]
pub(crate) fn i32x4_replace_lane(v: V128, lane: u8, x: u64) -> V128 {
    let mut l = u32s(v);
    l[(lane & 3) as usize] = x as u32;
    put_u32(l)
}

#[inline]
pub(crate) fn i64x2_replace_lane(v: V128, lane: u8, x: u64) -> V128 {
    let mut l = u64s(v);
    l[(lane & 1) as usize] = x;
    put_u64(l)
}

#[inline]
pub(crate) fn f32x4_replace_lane(v: V128, lane: u8, x: u64) -> V128 {
    i32x4_replace_lane(v, lane, x)
}

#[inline]
pub(crate) fn f64x2_replace_lane(v: V128, lane: u8, x: u64) -> V128 {
    i64x2_replace_lane(v, lane, x)
}

/// Byte `i` of the result is byte `lanes[i]` of `a` then `b` (32 bytes).
#[inline]
pub(crate) fn i8x16_shuffle(a: V128, b: V128, lanes: [u8; 16]) -> V128 {
    let (a, b) = (u8s(a), u8s(b));
    put_u8(core::array::from_fn(|i| {
        let l = (lanes[i] & 31) as usize;
        if l < 16 { a[l] } else { b[l & 15] }
    }))
}

/// Byte `i` of the result is byte `s[i]` of `a`, or 0 if `s[i] >= 16`.
#[inline]
pub(crate) fn i8x16_swizzle(a: V128, s: V128) -> V128 {
    let (a, s) = (u8s(a), u8s(s));
    put_u8(core::array::from_fn(|i| if s[i] < 16 { a[(s[i] & 15) as usize] } else { 0 }))
}

/// x86's `pshufb`, as wasmtime lowers it on x86-64: 0 where the index has
/// its top bit set, else byte `s[i] % 16` of `a`. Both are allowed results
/// for indices of 16 or more.
#[inline]
pub(crate) fn i8x16_relaxed_swizzle(a: V128, s: V128) -> V128 {
    let (a, s) = (u8s(a), u8s(s));
    put_u8(core::array::from_fn(|i| if s[i] & 0x80 == 0 { a[(s[i] & 15) as usize] } else { 0 }))
}

// ---- lane tests ----------------------------------------------------------------

macro_rules! all_true {
    ($($name:ident : $get:ident;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128) -> u32 {
            $get(a).iter().all(|&x| x != 0) as u32
        }
    )*};
}

all_true! {
    i8x16_all_true: u8s;
    i16x8_all_true: u16s;
    i32x4_all_true: u32s;
    i64x2_all_true: u64s;
}

macro_rules! bitmask {
    ($($name:ident : $get:ident;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128) -> u32 {
            let mut m = 0u32;
            for (i, x) in $get(a).iter().enumerate() {
                m |= ((*x < 0) as u32) << i;
            }
            m
        }
    )*};
}

/// The top bit of every byte lane. LLVM does not turn the lane loop into
/// x86's `pmovmskb`, so x86-64 (where SSE2 is always present) calls it.
#[inline]
pub(crate) fn i8x16_bitmask(a: V128) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{__m128i, _mm_movemask_epi8};
        // SAFETY: `__m128i` is 16 bytes of plain data, like `V128`; SSE2
        // is part of every x86-64 target.
        unsafe { _mm_movemask_epi8(core::mem::transmute::<V128, __m128i>(a)) as u32 }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut m = 0u32;
        for (i, x) in i8s(a).iter().enumerate() {
            m |= ((*x < 0) as u32) << i;
        }
        m
    }
}

bitmask! {
    i16x8_bitmask: i16s;
    i32x4_bitmask: i32s;
    i64x2_bitmask: i64s;
}

// ---- integer arithmetic ------------------------------------------------------

unary! {
    i8x16_abs: i8s put_i8 |a| a.wrapping_abs();
    i8x16_neg: i8s put_i8 |a| a.wrapping_neg();
    i8x16_popcnt: u8s put_u8 |a| a.count_ones() as u8;
    i16x8_abs: i16s put_i16 |a| a.wrapping_abs();
    i16x8_neg: i16s put_i16 |a| a.wrapping_neg();
    i32x4_abs: i32s put_i32 |a| a.wrapping_abs();
    i32x4_neg: i32s put_i32 |a| a.wrapping_neg();
    i64x2_abs: i64s put_i64 |a| a.wrapping_abs();
    i64x2_neg: i64s put_i64 |a| a.wrapping_neg();
}

binary! {
    i8x16_add: u8s put_u8 |a, b| a.wrapping_add(b);
    i8x16_sub: u8s put_u8 |a, b| a.wrapping_sub(b);
    i8x16_add_sat_s: i8s put_i8 |a, b| a.saturating_add(b);
    i8x16_add_sat_u: u8s put_u8 |a, b| a.saturating_add(b);
    i8x16_sub_sat_s: i8s put_i8 |a, b| a.saturating_sub(b);
    i8x16_sub_sat_u: u8s put_u8 |a, b| a.saturating_sub(b);
    i8x16_min_s: i8s put_i8 |a, b| a.min(b);
    i8x16_min_u: u8s put_u8 |a, b| a.min(b);
    i8x16_max_s: i8s put_i8 |a, b| a.max(b);
    i8x16_max_u: u8s put_u8 |a, b| a.max(b);
    i8x16_avgr_u: u8s put_u8 |a, b| ((a as u16 + b as u16 + 1) >> 1) as u8;
    i16x8_add: u16s put_u16 |a, b| a.wrapping_add(b);
    i16x8_sub: u16s put_u16 |a, b| a.wrapping_sub(b);
    i16x8_mul: u16s put_u16 |a, b| a.wrapping_mul(b);
    i16x8_add_sat_s: i16s put_i16 |a, b| a.saturating_add(b);
    i16x8_add_sat_u: u16s put_u16 |a, b| a.saturating_add(b);
    i16x8_sub_sat_s: i16s put_i16 |a, b| a.saturating_sub(b);
    i16x8_sub_sat_u: u16s put_u16 |a, b| a.saturating_sub(b);
    i16x8_min_s: i16s put_i16 |a, b| a.min(b);
    i16x8_min_u: u16s put_u16 |a, b| a.min(b);
    i16x8_max_s: i16s put_i16 |a, b| a.max(b);
    i16x8_max_u: u16s put_u16 |a, b| a.max(b);
    i16x8_avgr_u: u16s put_u16 |a, b| ((a as u32 + b as u32 + 1) >> 1) as u16;
    i16x8_q15mulr_sat_s: i16s put_i16 |a, b| q15mulr(a, b).clamp(-32768, 32767) as i16;
    i32x4_add: u32s put_u32 |a, b| a.wrapping_add(b);
    i32x4_sub: u32s put_u32 |a, b| a.wrapping_sub(b);
    i32x4_mul: u32s put_u32 |a, b| a.wrapping_mul(b);
    i32x4_min_s: i32s put_i32 |a, b| a.min(b);
    i32x4_min_u: u32s put_u32 |a, b| a.min(b);
    i32x4_max_s: i32s put_i32 |a, b| a.max(b);
    i32x4_max_u: u32s put_u32 |a, b| a.max(b);
    i64x2_add: u64s put_u64 |a, b| a.wrapping_add(b);
    i64x2_sub: u64s put_u64 |a, b| a.wrapping_sub(b);
    i64x2_mul: u64s put_u64 |a, b| a.wrapping_mul(b);
}

/// `(a * b + 2^14) >> 15`, before saturation.
#[inline(always)]
fn q15mulr(a: i16, b: i16) -> i32 {
    (a as i32 * b as i32 + 0x4000) >> 15
}

/// x86's `pmulhrsw`, as wasmtime lowers it on x86-64: the rounded Q15
/// product without saturation, so `-32768 * -32768` gives -32768 (the
/// proposal allows that or the saturated 32767).
#[inline]
pub(crate) fn i16x8_relaxed_q15mulr_s(a: V128, b: V128) -> V128 {
    let (a, b) = (i16s(a), i16s(b));
    put_i16(core::array::from_fn(|i| q15mulr(a[i], b[i]) as i16))
}

shift! {
    i8x16_shl: u8s put_u8 |a, n| a.wrapping_shl(n);
    i8x16_shr_s: i8s put_i8 |a, n| a.wrapping_shr(n);
    i8x16_shr_u: u8s put_u8 |a, n| a.wrapping_shr(n);
    i16x8_shl: u16s put_u16 |a, n| a.wrapping_shl(n);
    i16x8_shr_s: i16s put_i16 |a, n| a.wrapping_shr(n);
    i16x8_shr_u: u16s put_u16 |a, n| a.wrapping_shr(n);
    i32x4_shl: u32s put_u32 |a, n| a.wrapping_shl(n);
    i32x4_shr_s: i32s put_i32 |a, n| a.wrapping_shr(n);
    i32x4_shr_u: u32s put_u32 |a, n| a.wrapping_shr(n);
    i64x2_shl: u64s put_u64 |a, n| a.wrapping_shl(n);
    i64x2_shr_s: i64s put_i64 |a, n| a.wrapping_shr(n);
    i64x2_shr_u: u64s put_u64 |a, n| a.wrapping_shr(n);
}

compare! {
    i8x16_eq: u8s put_i8 i8 |a, b| a == b;
    i8x16_ne: u8s put_i8 i8 |a, b| a != b;
    i8x16_lt_s: i8s put_i8 i8 |a, b| a < b;
    i8x16_lt_u: u8s put_i8 i8 |a, b| a < b;
    i8x16_gt_s: i8s put_i8 i8 |a, b| a > b;
    i8x16_gt_u: u8s put_i8 i8 |a, b| a > b;
    i8x16_le_s: i8s put_i8 i8 |a, b| a <= b;
    i8x16_le_u: u8s put_i8 i8 |a, b| a <= b;
    i8x16_ge_s: i8s put_i8 i8 |a, b| a >= b;
    i8x16_ge_u: u8s put_i8 i8 |a, b| a >= b;
    i16x8_eq: u16s put_i16 i16 |a, b| a == b;
    i16x8_ne: u16s put_i16 i16 |a, b| a != b;
    i16x8_lt_s: i16s put_i16 i16 |a, b| a < b;
    i16x8_lt_u: u16s put_i16 i16 |a, b| a < b;
    i16x8_gt_s: i16s put_i16 i16 |a, b| a > b;
    i16x8_gt_u: u16s put_i16 i16 |a, b| a > b;
    i16x8_le_s: i16s put_i16 i16 |a, b| a <= b;
    i16x8_le_u: u16s put_i16 i16 |a, b| a <= b;
    i16x8_ge_s: i16s put_i16 i16 |a, b| a >= b;
    i16x8_ge_u: u16s put_i16 i16 |a, b| a >= b;
    i32x4_eq: u32s put_i32 i32 |a, b| a == b;
    i32x4_ne: u32s put_i32 i32 |a, b| a != b;
    i32x4_lt_s: i32s put_i32 i32 |a, b| a < b;
    i32x4_lt_u: u32s put_i32 i32 |a, b| a < b;
    i32x4_gt_s: i32s put_i32 i32 |a, b| a > b;
    i32x4_gt_u: u32s put_i32 i32 |a, b| a > b;
    i32x4_le_s: i32s put_i32 i32 |a, b| a <= b;
    i32x4_le_u: u32s put_i32 i32 |a, b| a <= b;
    i32x4_ge_s: i32s put_i32 i32 |a, b| a >= b;
    i32x4_ge_u: u32s put_i32 i32 |a, b| a >= b;
    i64x2_eq: u64s put_i64 i64 |a, b| a == b;
    i64x2_ne: u64s put_i64 i64 |a, b| a != b;
    i64x2_lt_s: i64s put_i64 i64 |a, b| a < b;
    i64x2_gt_s: i64s put_i64 i64 |a, b| a > b;
    i64x2_le_s: i64s put_i64 i64 |a, b| a <= b;
    i64x2_ge_s: i64s put_i64 i64 |a, b| a >= b;
    f32x4_eq: f32s put_i32 i32 |a, b| a == b;
    f32x4_ne: f32s put_i32 i32 |a, b| a != b;
    f32x4_lt: f32s put_i32 i32 |a, b| a < b;
    f32x4_gt: f32s put_i32 i32 |a, b| a > b;
    f32x4_le: f32s put_i32 i32 |a, b| a <= b;
    f32x4_ge: f32s put_i32 i32 |a, b| a >= b;
    f64x2_eq: f64s put_i64 i64 |a, b| a == b;
    f64x2_ne: f64s put_i64 i64 |a, b| a != b;
    f64x2_lt: f64s put_i64 i64 |a, b| a < b;
    f64x2_gt: f64s put_i64 i64 |a, b| a > b;
    f64x2_le: f64s put_i64 i64 |a, b| a <= b;
    f64x2_ge: f64s put_i64 i64 |a, b| a >= b;
}

// ---- widening, narrowing, pairwise ---------------------------------------------

/// Lanes `$from..$from + $n` of `$get(a)`, each widened to `$w`.
macro_rules! extend {
    ($($name:ident : $get:ident $put:ident $w:ty, $n:literal, $from:literal;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128) -> V128 {
            let a = $get(a);
            $put(core::array::from_fn::<$w, $n, _>(|i| a[$from + i] as $w))
        }
    )*};
}

extend! {
    i16x8_extend_low_i8x16_s: i8s put_i16 i16, 8, 0;
    i16x8_extend_high_i8x16_s: i8s put_i16 i16, 8, 8;
    i16x8_extend_low_i8x16_u: u8s put_u16 u16, 8, 0;
    i16x8_extend_high_i8x16_u: u8s put_u16 u16, 8, 8;
    i32x4_extend_low_i16x8_s: i16s put_i32 i32, 4, 0;
    i32x4_extend_high_i16x8_s: i16s put_i32 i32, 4, 4;
    i32x4_extend_low_i16x8_u: u16s put_u32 u32, 4, 0;
    i32x4_extend_high_i16x8_u: u16s put_u32 u32, 4, 4;
    i64x2_extend_low_i32x4_s: i32s put_i64 i64, 2, 0;
    i64x2_extend_high_i32x4_s: i32s put_i64 i64, 2, 2;
    i64x2_extend_low_i32x4_u: u32s put_u64 u64, 2, 0;
    i64x2_extend_high_i32x4_u: u32s put_u64 u64, 2, 2;
}

/// The product of lanes `$from..$from + $n` of `a` and `b`, widened.
macro_rules! extmul {
    ($($name:ident : $get:ident $put:ident $w:ty, $n:literal, $from:literal;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128, b: V128) -> V128 {
            let (a, b) = ($get(a), $get(b));
            $put(core::array::from_fn::<$w, $n, _>(|i| {
                (a[$from + i] as $w).wrapping_mul(b[$from + i] as $w)
            }))
        }
    )*};
}

extmul! {
    i16x8_extmul_low_i8x16_s: i8s put_i16 i16, 8, 0;
    i16x8_extmul_high_i8x16_s: i8s put_i16 i16, 8, 8;
    i16x8_extmul_low_i8x16_u: u8s put_u16 u16, 8, 0;
    i16x8_extmul_high_i8x16_u: u8s put_u16 u16, 8, 8;
    i32x4_extmul_low_i16x8_s: i16s put_i32 i32, 4, 0;
    i32x4_extmul_high_i16x8_s: i16s put_i32 i32, 4, 4;
    i32x4_extmul_low_i16x8_u: u16s put_u32 u32, 4, 0;
    i32x4_extmul_high_i16x8_u: u16s put_u32 u32, 4, 4;
    i64x2_extmul_low_i32x4_s: i32s put_i64 i64, 2, 0;
    i64x2_extmul_high_i32x4_s: i32s put_i64 i64, 2, 2;
    i64x2_extmul_low_i32x4_u: u32s put_u64 u64, 2, 0;
    i64x2_extmul_high_i32x4_u: u32s put_u64 u64, 2, 2;
}

/// Sums of adjacent lane pairs, widened.
macro_rules! extadd_pairwise {
    ($($name:ident : $get:ident $put:ident $w:ty, $n:literal;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128) -> V128 {
            let a = $get(a);
            $put(core::array::from_fn::<$w, $n, _>(|i| a[2 * i] as $w + a[2 * i + 1] as $w))
        }
    )*};
}

extadd_pairwise! {
    i16x8_extadd_pairwise_i8x16_s: i8s put_i16 i16, 8;
    i16x8_extadd_pairwise_i8x16_u: u8s put_u16 u16, 8;
    i32x4_extadd_pairwise_i16x8_s: i16s put_i32 i32, 4;
    i32x4_extadd_pairwise_i16x8_u: u16s put_u32 u32, 4;
}

/// Lanes of `a` then `b`, each saturated to the narrower lane's range.
macro_rules! narrow {
    ($($name:ident : $get:ident $put:ident $t:ty, $n:literal, $lo:expr, $hi:expr;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128, b: V128) -> V128 {
            let (a, b) = ($get(a), $get(b));
            $put(core::array::from_fn::<$t, $n, _>(|i| {
                let x = if i < $n / 2 { a[i] } else { b[i - $n / 2] };
                x.clamp($lo, $hi) as $t
            }))
        }
    )*};
}

narrow! {
    i8x16_narrow_i16x8_s: i16s put_i8 i8, 16, -128, 127;
    i8x16_narrow_i16x8_u: i16s put_u8 u8, 16, 0, 255;
    i16x8_narrow_i32x4_s: i32s put_i16 i16, 8, -32768, 32767;
    i16x8_narrow_i32x4_u: i32s put_u16 u16, 8, 0, 65535;
}

/// Sums of the products of adjacent lane pairs (wrapping): x86's
/// `pmaddwd` exactly, which x86-64 calls (LLVM does not find it).
#[inline]
pub(crate) fn i32x4_dot_i16x8_s(a: V128, b: V128) -> V128 {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{__m128i, _mm_madd_epi16};
        // SAFETY: `__m128i` is 16 bytes of plain data, like `V128`.
        let (x, y) = unsafe {
            (core::mem::transmute::<V128, __m128i>(a), core::mem::transmute::<V128, __m128i>(b))
        };
        // SAFETY: as above; SSE2 is part of every x86-64 target.
        unsafe { core::mem::transmute::<__m128i, V128>(_mm_madd_epi16(x, y)) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    i32x4_dot_i16x8_lanes(a, b)
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline]
fn i32x4_dot_i16x8_lanes(a: V128, b: V128) -> V128 {
    let (a, b) = (i16s(a), i16s(b));
    put_i32(core::array::from_fn(|i| {
        (a[2 * i] as i32 * b[2 * i] as i32).wrapping_add(a[2 * i + 1] as i32 * b[2 * i + 1] as i32)
    }))
}

/// x86's `pmaddubsw` with the second operand as the unsigned one, as
/// wasmtime lowers it on x86-64: `b`'s lanes are read as unsigned bytes and
/// the pair sums saturate to i16. Where `b`'s lanes are 7-bit (what the
/// proposal defines) this is the exact signed dot product.
#[inline]
pub(crate) fn i16x8_relaxed_dot_i8x16_i7x16_s(a: V128, b: V128) -> V128 {
    let (a, b) = (i8s(a), u8s(b));
    put_i16(core::array::from_fn(|i| {
        let p = a[2 * i] as i32 * b[2 * i] as i32 + a[2 * i + 1] as i32 * b[2 * i + 1] as i32;
        p.clamp(-32768, 32767) as i16
    }))
}

/// The dot product above, its adjacent pairs summed into i32 lanes, plus
/// `c` (wrapping), as wasmtime computes it on x86-64 (`pmaddubsw`,
/// `pmaddwd`, `paddd`).
#[inline]
pub(crate) fn i32x4_relaxed_dot_i8x16_i7x16_add_s(a: V128, b: V128, c: V128) -> V128 {
    let d = i16s(i16x8_relaxed_dot_i8x16_i7x16_s(a, b));
    let c = i32s(c);
    put_i32(core::array::from_fn(|i| (d[2 * i] as i32 + d[2 * i + 1] as i32).wrapping_add(c[i])))
}

/// The deterministic relaxed dot product (wasmtime's with
/// `relaxed_simd_deterministic`): both operands signed, the pair sums
/// wrapping to i16.
#[inline]
pub(crate) fn i16x8_dot_i8x16_i7x16_s_exact(a: V128, b: V128) -> V128 {
    let (a, b) = (i8s(a), i8s(b));
    put_i16(core::array::from_fn(|i| {
        (a[2 * i] as i16 * b[2 * i] as i16).wrapping_add(a[2 * i + 1] as i16 * b[2 * i + 1] as i16)
    }))
}

/// The deterministic relaxed dot product with accumulation: each i32 lane
/// is the exact sum of its four signed byte products, plus `c` (wrapping).
#[inline]
pub(crate) fn i32x4_dot_i8x16_i7x16_add_s_exact(a: V128, b: V128, c: V128) -> V128 {
    let (a, b, c) = (i8s(a), i8s(b), i32s(c));
    put_i32(core::array::from_fn(|i| {
        let sum: i32 = (0..4).map(|k| a[4 * i + k] as i32 * b[4 * i + k] as i32).sum();
        sum.wrapping_add(c[i])
    }))
}

// ---- floats ------------------------------------------------------------------------

/// A NaN result for NaN input `a`: quiet, keeping its payload (an
/// arithmetic NaN, as the spec requires of rounding operators).
#[inline(always)]
fn quiet32(a: f32, r: f32) -> f32 {
    if a.is_nan() { a + a } else { r }
}

#[inline(always)]
fn quiet64(a: f64, r: f64) -> f64 {
    if a.is_nan() { a + a } else { r }
}

/// Wasm `min` and `max`: NaN if either is NaN, and -0 below +0.
macro_rules! wasm_minmax {
    ($($min:ident $max:ident : $t:ty;)*) => {$(
        #[inline(always)]
        fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$t>::from_bits(a.to_bits() | b.to_bits())
            } else {
                a.min(b)
            }
        }

        #[inline(always)]
        fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$t>::from_bits(a.to_bits() & b.to_bits())
            } else {
                a.max(b)
            }
        }
    )*};
}

wasm_minmax! {
    min32 max32: f32;
    min64 max64: f64;
}

unary! {
    f32x4_abs: u32s put_u32 |a| a & 0x7fff_ffff;
    f32x4_neg: u32s put_u32 |a| a ^ 0x8000_0000;
    f32x4_sqrt: f32s put_f32 |a| a.sqrt();
    f32x4_ceil: f32s put_f32 |a| quiet32(a, a.ceil());
    f32x4_floor: f32s put_f32 |a| quiet32(a, a.floor());
    f32x4_trunc: f32s put_f32 |a| quiet32(a, a.trunc());
    f32x4_nearest: f32s put_f32 |a| quiet32(a, a.round_ties_even());
    f64x2_abs: u64s put_u64 |a| a & 0x7fff_ffff_ffff_ffff;
    f64x2_neg: u64s put_u64 |a| a ^ 0x8000_0000_0000_0000;
    f64x2_sqrt: f64s put_f64 |a| a.sqrt();
    f64x2_ceil: f64s put_f64 |a| quiet64(a, a.ceil());
    f64x2_floor: f64s put_f64 |a| quiet64(a, a.floor());
    f64x2_trunc: f64s put_f64 |a| quiet64(a, a.trunc());
    f64x2_nearest: f64s put_f64 |a| quiet64(a, a.round_ties_even());
    f32x4_convert_i32x4_s: i32s put_f32 |a| a as f32;
    f32x4_convert_i32x4_u: u32s put_f32 |a| a as f32;
    i32x4_trunc_sat_f32x4_s: f32s put_i32 |a| a as i32;
    i32x4_trunc_sat_f32x4_u: f32s put_u32 |a| a as u32;
}

binary! {
    f32x4_add: f32s put_f32 |a, b| a + b;
    f32x4_sub: f32s put_f32 |a, b| a - b;
    f32x4_mul: f32s put_f32 |a, b| a * b;
    f32x4_div: f32s put_f32 |a, b| a / b;
    f32x4_min: f32s put_f32 |a, b| min32(a, b);
    f32x4_max: f32s put_f32 |a, b| max32(a, b);
    f32x4_pmin: f32s put_f32 |a, b| if b < a { b } else { a };
    f32x4_pmax: f32s put_f32 |a, b| if a < b { b } else { a };
    f64x2_add: f64s put_f64 |a, b| a + b;
    f64x2_sub: f64s put_f64 |a, b| a - b;
    f64x2_mul: f64s put_f64 |a, b| a * b;
    f64x2_div: f64s put_f64 |a, b| a / b;
    f64x2_min: f64s put_f64 |a, b| min64(a, b);
    f64x2_max: f64s put_f64 |a, b| max64(a, b);
    f64x2_pmin: f64s put_f64 |a, b| if b < a { b } else { a };
    f64x2_pmax: f64s put_f64 |a, b| if a < b { b } else { a };
    // As `pmin`/`pmax`, which is how wasmtime translates the relaxed
    // operators (a compare and a bitselect) on x86-64: the first operand
    // when either is NaN or both are zeros, both allowed results.
    f32x4_relaxed_min: f32s put_f32 |a, b| if b < a { b } else { a };
    f32x4_relaxed_max: f32s put_f32 |a, b| if a < b { b } else { a };
    f64x2_relaxed_min: f64s put_f64 |a, b| if b < a { b } else { a };
    f64x2_relaxed_max: f64s put_f64 |a, b| if a < b { b } else { a };
}

/// The two f64 lanes converted, then two zero lanes.
macro_rules! from_f64x2_zero {
    ($($name:ident : $put:ident $t:ty |$a:ident| $e:expr;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128) -> V128 {
            let a = f64s(a);
            $put(core::array::from_fn::<$t, 4, _>(|i| {
                let $a = a[i & 1];
                if i < 2 { $e } else { Default::default() }
            }))
        }
    )*};
}

from_f64x2_zero! {
    i32x4_trunc_sat_f64x2_s_zero: put_i32 i32 |a| a as i32;
    i32x4_trunc_sat_f64x2_u_zero: put_u32 u32 |a| a as u32;
    f32x4_demote_f64x2_zero: put_f32 f32 |a| a as f32;
    // x86's `cvttpd2dq`, as wasmtime lowers it on x86-64: i32::MIN for
    // NaN and out-of-range lanes (an allowed result for both).
    i32x4_relaxed_trunc_f64x2_s_zero: put_i32 i32 |a| x86_trunc_s(a);
    // The saturating result (NaN is 0), which the proposal allows.
    i32x4_relaxed_trunc_f64x2_u_zero: put_u32 u32 |a| a as u32;
}

/// `cvttps2dq`/`cvttpd2dq`: the truncated value if it fits an i32, else
/// i32::MIN (NaN included).
#[inline(always)]
fn x86_trunc_s(a: f64) -> i32 {
    if a > -2147483649.0 && a < 2147483648.0 { a as i32 } else { i32::MIN }
}

unary! {
    // x86's `cvttps2dq`, as wasmtime lowers it on x86-64: i32::MIN for NaN
    // and out-of-range lanes (an allowed result for both).
    i32x4_relaxed_trunc_f32x4_s: f32s put_i32 |a| x86_trunc_s(a as f64);
    // The saturating result (NaN is 0), which the proposal allows.
    i32x4_relaxed_trunc_f32x4_u: f32s put_u32 |a| a as u32;
}

#[inline]
pub(crate) fn f64x2_convert_low_i32x4_s(a: V128) -> V128 {
    let a = i32s(a);
    put_f64([a[0] as f64, a[1] as f64])
}

#[inline]
pub(crate) fn f64x2_convert_low_i32x4_u(a: V128) -> V128 {
    let a = u32s(a);
    put_f64([a[0] as f64, a[1] as f64])
}

#[inline]
pub(crate) fn f64x2_promote_low_f32x4(a: V128) -> V128 {
    let a = f32s(a);
    put_f64([a[0] as f64, a[1] as f64])
}

/// Fused `a * b + c` (one rounding), as wasmtime computes it on x86-64
/// with FMA; the proposal also allows the unfused result.
#[inline]
pub(crate) fn f32x4_relaxed_madd(a: V128, b: V128, c: V128) -> V128 {
    let (a, b, c) = (f32s(a), f32s(b), f32s(c));
    put_f32(core::array::from_fn(|i| a[i].mul_add(b[i], c[i])))
}

/// Fused `-(a * b) + c`, as [`f32x4_relaxed_madd`].
#[inline]
pub(crate) fn f32x4_relaxed_nmadd(a: V128, b: V128, c: V128) -> V128 {
    let (a, b, c) = (f32s(a), f32s(b), f32s(c));
    put_f32(core::array::from_fn(|i| (-a[i]).mul_add(b[i], c[i])))
}

/// Fused `a * b + c`, as [`f32x4_relaxed_madd`].
#[inline]
pub(crate) fn f64x2_relaxed_madd(a: V128, b: V128, c: V128) -> V128 {
    let (a, b, c) = (f64s(a), f64s(b), f64s(c));
    put_f64(core::array::from_fn(|i| a[i].mul_add(b[i], c[i])))
}

/// Fused `-(a * b) + c`, as [`f32x4_relaxed_madd`].
#[inline]
pub(crate) fn f64x2_relaxed_nmadd(a: V128, b: V128, c: V128) -> V128 {
    let (a, b, c) = (f64s(a), f64s(b), f64s(c));
    put_f64(core::array::from_fn(|i| (-a[i]).mul_add(b[i], c[i])))
}

/// Lane select by the top bit of each mask lane, as x86's `pblendvb`
/// (`blendvps`, `blendvpd` for the wider lanes), which wasmtime uses on
/// x86-64: lane `i` is `a`'s where `m`'s lane `i` has its top bit set. For
/// masks whose lanes are all ones or all zeros (what the proposal defines)
/// this is `v128.bitselect`.
macro_rules! laneselect {
    ($($name:ident : $get:ident $put:ident;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128, b: V128, m: V128) -> V128 {
            let (a, b, m) = ($get(a), $get(b), $get(m));
            $put(core::array::from_fn(|i| if m[i] < 0 { a[i] } else { b[i] }))
        }
    )*};
}

laneselect! {
    i8x16_relaxed_laneselect: i8s put_i8;
    i32x4_relaxed_laneselect: i32s put_i32;
    i64x2_relaxed_laneselect: i64s put_i64;
}

/// Bitwise select (`v128.bitselect`): x86 has no 16-bit blend, so wasmtime
/// selects bit by bit on x86-64 too.
#[inline]
pub(crate) fn i16x8_relaxed_laneselect(a: V128, b: V128, m: V128) -> V128 {
    v128_bitselect(a, b, m)
}

// ---- loads -------------------------------------------------------------------------

macro_rules! load_extend {
    ($($name:ident : $t:ty, $n:literal, $s:literal => $w:ty, $put:ident;)*) => {$(
        /// The 8 bytes read, as lanes widened.
        #[inline]
        pub(crate) fn $name(bytes: u64) -> V128 {
            let b = bytes.to_le_bytes();
            $put(core::array::from_fn::<$w, $n, _>(|i| {
                let mut x = [0u8; $s];
                x.copy_from_slice(&b[i * $s..i * $s + $s]);
                <$t>::from_le_bytes(x) as $w
            }))
        }
    )*};
}

load_extend! {
    v128_load8x8_s: i8, 8, 1 => i16, put_i16;
    v128_load8x8_u: u8, 8, 1 => u16, put_u16;
    v128_load16x4_s: i16, 4, 2 => i32, put_i32;
    v128_load16x4_u: u16, 4, 2 => u32, put_u32;
    v128_load32x2_s: i32, 2, 4 => i64, put_i64;
    v128_load32x2_u: u32, 2, 4 => u64, put_u64;
}

#[inline]
pub(crate) fn v128_load32_zero(x: u32) -> V128 {
    put_u32([x, 0, 0, 0])
}

#[inline]
pub(crate) fn v128_load64_zero(x: u64) -> V128 {
    put_u64([x, 0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v32(l: [u32; 4]) -> V128 {
        put_u32(l)
    }

    #[test]
    fn lanes_are_little_endian() {
        let v = from_bits(0x0f0e0d0c_0b0a0908_07060504_03020100u128);
        assert_eq!(to_bits(v), 0x0f0e0d0c_0b0a0908_07060504_03020100u128);
        assert_eq!(u64s(v)[0], 0x07060504_03020100);
        assert_eq!(u8s(v)[0], 0);
        assert_eq!(u8s(v)[15], 15);
        assert_eq!(u16s(v)[1], 0x0302);
        assert_eq!(put_u8(u8s(v)), v);
        assert_eq!(put_f64(f64s(v)), v);
        assert_eq!(i8x16_extract_lane_s(i8x16_splat(0x80), 3), 0xffff_ff80);
        assert_eq!(i8x16_extract_lane_u(i8x16_splat(0x80), 3), 0x80);
        assert_eq!(i16x8_extract_lane_s(i16x8_splat(0x8000), 9), 0xffff_8000);
    }

    #[test]
    fn integer_edges() {
        assert_eq!(i8s(i8x16_abs(i8x16_splat(0x80)))[0], i8::MIN);
        assert_eq!(i8s(i8x16_add_sat_s(i8x16_splat(100), i8x16_splat(100)))[0], 127);
        assert_eq!(u8s(i8x16_sub_sat_u(i8x16_splat(1), i8x16_splat(2)))[0], 0);
        assert_eq!(u8s(i8x16_avgr_u(i8x16_splat(255), i8x16_splat(0)))[0], 128);
        assert_eq!(u32s(i32x4_shl(i32x4_splat(1), 33))[0], 2);
        assert_eq!(i8s(i8x16_shr_s(i8x16_splat(0x80), 9))[0], -64);
        let q = i16s(i16x8_q15mulr_sat_s(i16x8_splat(0x8000), i16x8_splat(0x8000)));
        assert_eq!(q[0], i16::MAX);
        let r = i16s(i16x8_relaxed_q15mulr_s(i16x8_splat(0x8000), i16x8_splat(0x8000)));
        assert_eq!(r[0], i16::MIN);
        let n = i8s(i8x16_narrow_i16x8_s(i16x8_splat(300), i16x8_splat(0xff00)));
        assert_eq!((n[0], n[15]), (127, -128));
        let n = u8s(i8x16_narrow_i16x8_u(i16x8_splat(300), i16x8_splat(0xffff)));
        assert_eq!((n[0], n[15]), (255, 0));
        assert_eq!(i8x16_bitmask(v32([0x80, 0, 0, 0x8000_0000])), 1 | 1 << 15);
        assert_eq!(i32x4_all_true(v32([1, 2, 3, 0])), 0);
        assert_eq!(i32x4_all_true(v32([1, 2, 3, 4])), 1);
        let d = i32s(i32x4_dot_i16x8_s(i16x8_splat(0x8000), i16x8_splat(0x8000)));
        assert_eq!(d[0], i32::MIN);
        assert_eq!(
            i64s(i64x2_extmul_high_i32x4_s(v32([0, 0, u32::MAX, 2]), v32([0, 0, 3, 5]))),
            [-3, 10]
        );
    }

    #[test]
    fn intrinsics_agree_with_the_lane_loops() {
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..10_000 {
            let mut v = [0u8; 16];
            for b in v.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            let w = i8x16_swizzle(v, i8x16_splat(x as u32 & 15));
            let mut m = 0u32;
            for (i, b) in i8s(v).iter().enumerate() {
                m |= ((*b < 0) as u32) << i;
            }
            assert_eq!(i8x16_bitmask(v), m);
            assert_eq!(i32x4_dot_i16x8_s(v, w), i32x4_dot_i16x8_lanes(v, w));
        }
        let min = i16x8_splat(0x8000);
        assert_eq!(i32x4_dot_i16x8_s(min, min), i32x4_dot_i16x8_lanes(min, min));
    }

    #[test]
    fn shuffles_and_swizzles() {
        let a = from_bits(0x0f0e0d0c_0b0a0908_07060504_03020100u128);
        let b = v128_or(a, i8x16_splat(0x10));
        let lanes = core::array::from_fn(|i| (31 - i) as u8);
        assert_eq!(u8s(i8x16_shuffle(a, b, lanes))[0], 0x1f);
        assert_eq!(u8s(i8x16_shuffle(a, b, lanes))[15], 0x10);
        let s = put_u8(core::array::from_fn(|i| [0, 15, 16, 0x80, 0x8f, 0x11][i % 6]));
        assert_eq!(u8s(i8x16_swizzle(a, s))[..6], [0, 15, 0, 0, 0, 0]);
        assert_eq!(u8s(i8x16_relaxed_swizzle(a, s))[..6], [0, 15, 0, 0, 0, 1]);
    }

    #[test]
    fn float_edges() {
        let nan = f32::NAN.to_bits();
        let m = f32s(f32x4_min(f32x4_splat(nan), f32x4_splat(1.0f32.to_bits())));
        assert!(m[0].is_nan());
        let z = f32s(f32x4_min(f32x4_splat(0), f32x4_splat((-0.0f32).to_bits())));
        assert_eq!(z[0].to_bits(), (-0.0f32).to_bits());
        let z = f32s(f32x4_max(f32x4_splat(0), f32x4_splat((-0.0f32).to_bits())));
        assert_eq!(z[0].to_bits(), 0);
        let p = f32s(f32x4_pmin(f32x4_splat(nan), f32x4_splat(1.0f32.to_bits())));
        assert!(p[0].is_nan());
        let r = f32s(f32x4_nearest(v32([2.5f32, -0.5, 3.5, 1e30].map(f32::to_bits))));
        assert_eq!(r, [2.0, -0.0, 4.0, 1e30]);
        assert_eq!(r[1].to_bits(), (-0.0f32).to_bits());
        let t = i32s(i32x4_trunc_sat_f32x4_s(v32(
            [f32::NAN, f32::INFINITY, -3e9, -1.9].map(f32::to_bits)
        )));
        assert_eq!(t, [0, i32::MAX, i32::MIN, -1]);
        let t = i32s(i32x4_relaxed_trunc_f32x4_s(v32(
            [f32::NAN, f32::INFINITY, -3e9, -1.9].map(f32::to_bits)
        )));
        assert_eq!(t, [i32::MIN, i32::MIN, i32::MIN, -1]);
        let u = u32s(i32x4_trunc_sat_f64x2_u_zero(put_f64([-1.0, 5e9])));
        assert_eq!(u, [0, u32::MAX, 0, 0]);
        let rm = f32s(f32x4_relaxed_min(f32x4_splat(nan), f32x4_splat(1.0f32.to_bits())));
        assert!(rm[0].is_nan());
        let rm = f32s(f32x4_relaxed_max(f32x4_splat(1.0f32.to_bits()), f32x4_splat(nan)));
        assert_eq!(rm[0], 1.0);
    }

    #[test]
    fn relaxed_dot_and_laneselect() {
        let a = i8x16_splat(0xff); // -1
        let b = i8x16_splat(0x80); // 128 when unsigned
        assert_eq!(i16s(i16x8_relaxed_dot_i8x16_i7x16_s(a, b))[0], -256);
        let b7 = i8x16_splat(3);
        let c = v32([10, 20, 30, 40]);
        assert_eq!(i32s(i32x4_relaxed_dot_i8x16_i7x16_add_s(a, b7, c)), [-2, 8, 18, 28]);
        let m = v32([0x8000_0000, 0x7fff_ffff, 0, u32::MAX]);
        let sel = i32x4_relaxed_laneselect(v32([1, 1, 1, 1]), v32([2, 2, 2, 2]), m);
        assert_eq!(u32s(sel), [1, 2, 2, 1]);
    }
}
