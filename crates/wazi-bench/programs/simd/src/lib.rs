//! Kernels for wazi's SIMD benchmarks.
//!
//! `../build.sh` builds this crate twice for `wasm32-unknown-unknown`: with
//! `-C target-feature=+simd128` (`simd.wasm`), where each kernel's inner
//! loop is written with `core::arch::wasm32` vector intrinsics, and without
//! it (`simd-scalar.wasm`), where the same kernel runs as a plain scalar
//! loop. The two builds compute the same integers; the float kernels sum in
//! a different order (four lanes, then across), so their checksums differ
//! slightly between the builds but not between engines.
//!
//! Every export takes one `i32` repetition count and returns a checksum as
//! an `i64`; an argument out of range traps.

#![cfg_attr(not(test), no_std)]

#[cfg(all(not(test), target_arch = "wasm32"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use core::arch::wasm32::*;

/// Bytes searched by `count_byte`.
const BYTES: usize = 1 << 16;
/// Elements of each vector of `dot_f32`.
const DOT: usize = 4096;
/// The matrix order of `matmul_f32`.
const MAT: usize = 64;

static mut DATA: [u8; BYTES] = [0; BYTES];
static mut XS: [f32; DOT] = [0.0; DOT];
static mut YS: [f32; DOT] = [0.0; DOT];
static mut MA: [f32; MAT * MAT] = [0.0; MAT * MAT];
static mut MB: [f32; MAT * MAT] = [0.0; MAT * MAT];
static mut MC: [f32; MAT * MAT] = [0.0; MAT * MAT];

fn trap() -> ! {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    panic!("argument out of range")
}

fn arg(n: i32, max: usize) -> usize {
    match usize::try_from(n) {
        Ok(n) if n <= max => n,
        _ => trap(),
    }
}

/// A deterministic byte stream (xorshift32).
fn fill_bytes(out: &mut [u8]) {
    let mut s: u32 = 0x9E37_79B9;
    for b in out {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        *b = (s >> 24) as u8;
    }
}

/// Small floats (multiples of 1/16 in -8..8), exact to add in any order.
fn fill_floats(out: &mut [f32], seed: u32) {
    let mut s = seed;
    for x in out {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        *x = ((s >> 24) as i32 - 128) as f32 / 16.0;
    }
}

// SAFETY (for the three accessors): the module is single-threaded and no
// reference to a buffer outlives the kernel call that made it.
fn data() -> &'static mut [u8; BYTES] {
    unsafe { &mut *(&raw mut DATA) }
}
fn vectors() -> (&'static mut [f32; DOT], &'static mut [f32; DOT]) {
    unsafe { (&mut *(&raw mut XS), &mut *(&raw mut YS)) }
}
fn matrices() -> (&'static mut [f32], &'static mut [f32], &'static mut [f32]) {
    unsafe { (&mut *(&raw mut MA), &mut *(&raw mut MB), &mut *(&raw mut MC)) }
}

/// Counts the bytes equal to `b`, `n` times over 64 KiB, with a different
/// `b` each time (a memchr-style search): the total count.
#[unsafe(no_mangle)]
pub extern "C" fn count_byte(n: i32) -> i64 {
    let n = arg(n, 1 << 20);
    let buf = data();
    fill_bytes(buf);
    let mut total = 0u64;
    for r in 0..n {
        total += count(buf, r as u8);
    }
    total as i64
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn count(buf: &[u8; BYTES], b: u8) -> u64 {
    let needle = u8x16_splat(b);
    let mut total = 0u64;
    for chunk in buf.chunks_exact(64) {
        // SAFETY: each chunk has 64 bytes; unaligned loads are allowed.
        let p = chunk.as_ptr() as *const v128;
        let m = unsafe {
            [0, 1, 2, 3].map(|k| i8x16_bitmask(i8x16_eq(v128_load(p.add(k)), needle)) as u64)
        };
        total += (m[0] | m[1] << 16 | m[2] << 32 | m[3] << 48).count_ones() as u64;
    }
    total
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn count(buf: &[u8; BYTES], b: u8) -> u64 {
    let mut total = 0u64;
    for &x in buf.iter() {
        total += (x == b) as u64;
    }
    total
}

/// The dot product of two 4096-element f32 vectors, `n` times (the second
/// vector rotated by one element each time): the sum, as f64 bits.
#[unsafe(no_mangle)]
pub extern "C" fn dot_f32(n: i32) -> i64 {
    let n = arg(n, 1 << 20);
    let (xs, ys) = vectors();
    fill_floats(xs, 1);
    fill_floats(ys, 2);
    let mut total = 0f64;
    for _ in 0..n {
        total += dot(xs, ys) as f64;
        ys.rotate_left(1);
    }
    total.to_bits() as i64
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn dot(xs: &[f32; DOT], ys: &[f32; DOT]) -> f32 {
    let mut acc = [f32x4_splat(0.0); 4];
    for (x, y) in xs.chunks_exact(16).zip(ys.chunks_exact(16)) {
        let (px, py) = (x.as_ptr() as *const v128, y.as_ptr() as *const v128);
        for (k, a) in acc.iter_mut().enumerate() {
            // SAFETY: each chunk has 16 floats, four vectors.
            let (vx, vy) = unsafe { (v128_load(px.add(k)), v128_load(py.add(k))) };
            *a = f32x4_add(*a, f32x4_mul(vx, vy));
        }
    }
    let s = f32x4_add(f32x4_add(acc[0], acc[1]), f32x4_add(acc[2], acc[3]));
    f32x4_extract_lane::<0>(s)
        + f32x4_extract_lane::<1>(s)
        + f32x4_extract_lane::<2>(s)
        + f32x4_extract_lane::<3>(s)
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn dot(xs: &[f32; DOT], ys: &[f32; DOT]) -> f32 {
    let mut acc = 0f32;
    for (x, y) in xs.iter().zip(ys.iter()) {
        acc += x * y;
    }
    acc
}

/// Multiplies two 64×64 f32 matrices `n` times, accumulating the products
/// (i-k-j order), and returns the sum of the result's elements as f64 bits.
#[unsafe(no_mangle)]
pub extern "C" fn matmul_f32(n: i32) -> i64 {
    let reps = arg(n, 1 << 20);
    let n = MAT;
    let (a, b, c) = matrices();
    fill_floats(a, 3);
    fill_floats(b, 4);
    c.fill(0.0);
    for _ in 0..reps {
        for i in 0..n {
            for k in 0..n {
                axpy(a[i * n + k], &b[k * n..k * n + n], &mut c[i * n..i * n + n]);
            }
        }
    }
    c.iter().map(|&x| x as f64).sum::<f64>().to_bits() as i64
}

/// `y += a * x` over one matrix row.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    let va = f32x4_splat(a);
    for (xs, ys) in x.chunks_exact(4).zip(y.chunks_exact_mut(4)) {
        // SAFETY: each chunk has four floats.
        unsafe {
            let py = ys.as_mut_ptr() as *mut v128;
            let v = f32x4_add(v128_load(py), f32x4_mul(va, v128_load(xs.as_ptr() as *const v128)));
            v128_store(py, v);
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (xv, yv) in x.iter().zip(y.iter_mut()) {
        *yv += a * xv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels() {
        let mut buf = [0u8; BYTES];
        fill_bytes(&mut buf);
        let naive: u64 = (0..=255u8).map(|b| buf.iter().filter(|&&x| x == b).count() as u64).sum();
        assert_eq!(naive, BYTES as u64);
        assert_eq!(count_byte(256), BYTES as i64);
        assert!(f64::from_bits(dot_f32(4) as u64).is_finite());
        assert!(f64::from_bits(matmul_f32(2) as u64).is_finite());
    }
}
