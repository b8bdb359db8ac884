//! Compute kernels for wazi's execution benchmarks.
//!
//! Built for `wasm32-unknown-unknown` (see `../build.sh`), this crate
//! becomes `kernels.wasm`: a module with no imports that exports `memory` and
//! one function per kernel. Every export takes a single `i32` size parameter
//! and returns a checksum of the work done, so that neither the compiler nor
//! a benchmark harness can skip the work, and so that a harness can check the
//! interpreter computed the right answer (the expected values are listed in
//! `../README.md`).
//!
//! A size parameter that is negative or above a kernel's documented maximum
//! traps (`unreachable`).
//!
//! On the host, `cargo test` runs the unit tests of every kernel; `cargo test
//! --release -- --ignored --nocapture` prints native timings.

#![cfg_attr(not(test), no_std)]

#[cfg(all(not(test), not(target_arch = "wasm32")))]
compile_error!(
    "this crate is only built for wasm32-unknown-unknown (see ../build.sh) or tested on the host with `cargo test`"
);

mod brainfuck;
mod matmul;
mod scratch;
mod sha256;
mod sieve;
mod sort;

use scratch::with_scratch;

/// The one panic handler of the module: any panic (a failed bounds check, an
/// argument out of range) becomes a wasm trap, so the module needs no import.
#[cfg(all(not(test), target_arch = "wasm32"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Validates a size parameter: traps unless `0 <= n <= max`.
fn size_arg(n: i32, max: usize) -> usize {
    match usize::try_from(n) {
        Ok(n) if n <= max => n,
        _ => trap(),
    }
}

#[cfg(target_arch = "wasm32")]
fn trap() -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(not(target_arch = "wasm32"))]
fn trap() -> ! {
    panic!("kernel argument out of range")
}

// ---------------------------------------------------------------------------
// fib
// ---------------------------------------------------------------------------

/// Naive doubly recursive Fibonacci. `inline(never)` keeps it a real
/// function that calls itself. LLVM still turns the second of the two calls
/// into a loop (accumulator recursion elimination), so in the wasm, computing
/// `fib(n)` takes `fib(n + 1)` invocations of this function: 1,346,269 for
/// n = 30, 3,524,578 for n = 32.
#[inline(never)]
fn fib_rec(n: u32) -> u64 {
    if n < 2 {
        n as u64
    } else {
        fib_rec(n - 1).wrapping_add(fib_rec(n - 2))
    }
}

/// `fib(n)`: the `n`-th Fibonacci number (fib(0) = 0, fib(1) = 1), computed
/// by naive recursion; the work grows as 1.618^n. Wraps modulo 2^64 beyond
/// n = 93 (which would take far too long anyway); negative `n` traps.
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn fib(n: i32) -> i64 {
    fib_rec(size_arg(n, i32::MAX as usize) as u32) as i64
}

// ---------------------------------------------------------------------------
// loop_sum
// ---------------------------------------------------------------------------

/// The iteration behind `loop_sum`: an xorshift64 generator whose outputs are
/// multiplied by an odd counter and summed.
fn loop_sum_impl(n: u64) -> u64 {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut acc: u64 = 0;
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc = acc.wrapping_add(x.wrapping_mul(i | 1)).rotate_left(3);
    }
    acc
}

/// `loop_sum(n)`: `n` iterations of a tight integer loop (xorshift64, a
/// 64-bit multiply, an add and a rotate per iteration); returns the final
/// accumulator. Negative `n` traps.
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn loop_sum(n: i32) -> i64 {
    loop_sum_impl(size_arg(n, i32::MAX as usize) as u64) as i64
}

// ---------------------------------------------------------------------------
// sieve
// ---------------------------------------------------------------------------

/// `sieve(n)`: the number of primes below `n`, by the sieve of Eratosthenes
/// over an `n`-byte array in linear memory. `0 <= n <= 16 Mi` (16_777_216).
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn sieve(n: i32) -> i32 {
    let n = size_arg(n, sieve::MAX_N);
    with_scratch(n, sieve::count_primes) as i32
}

// ---------------------------------------------------------------------------
// matmul
// ---------------------------------------------------------------------------

/// `matmul(n)`: fills two `n`×`n` f64 matrices deterministically, multiplies
/// them (naive triple loop, n³ multiply-adds) and returns the sum of all
/// elements of the product. `0 <= n <= 256`. Every value involved is exactly
/// representable, so the result is exact and identical on every platform.
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn matmul(n: i32) -> f64 {
    let n = size_arg(n, matmul::MAX_N);
    with_scratch(3 * n * n, |buf: &mut [f64]| {
        let (a, rest) = buf.split_at_mut(n * n);
        let (b, c) = rest.split_at_mut(n * n);
        matmul::fill(n, a, b);
        matmul::multiply(n, a, b, c);
        c.iter().sum()
    })
}

// ---------------------------------------------------------------------------
// sort
// ---------------------------------------------------------------------------

/// `sort(n)`: fills an array of `n` u32 with xorshift32 output, sorts it with
/// a hand-written quicksort and returns `sum(a[i] * (i + 1))` over the sorted
/// array (wrapping u64). `0 <= n <= 4 Mi` (4_194_304).
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn sort(n: i32) -> i64 {
    let n = size_arg(n, sort::MAX_N);
    with_scratch(n, |a: &mut [u32]| {
        sort::fill(a);
        sort::quicksort(a);
        sort::checksum(a)
    }) as i64
}

// ---------------------------------------------------------------------------
// sha256
// ---------------------------------------------------------------------------

/// `sha256(n)`: the SHA-256 digest of `n` KiB of deterministic data (byte `i`
/// is `((i * 0x9E3779B1) mod 2^32) >> 24`), generated into linear memory and
/// then hashed; returns the first 8 bytes of the digest read as a big-endian
/// i64. `0 <= n <= 16384` (16 MiB).
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn sha256(n: i32) -> i64 {
    let n = size_arg(n, sha256::MAX_KIB);
    with_scratch(n * 1024, |data: &mut [u8]| {
        sha256::fill(data);
        let digest = sha256::digest(data);
        let mut head = [0; 8];
        head.copy_from_slice(&digest[..8]);
        i64::from_be_bytes(head)
    })
}

// ---------------------------------------------------------------------------
// brainfuck
// ---------------------------------------------------------------------------

/// `brainfuck(n)`: runs the embedded Brainfuck program (it prints the squares
/// of 1..=70 modulo 256, computed by repeated addition: about 1.85 million
/// Brainfuck instructions) `n` times on a fresh tape, and returns the 64-bit FNV-1a
/// hash of all the bytes printed. Negative `n` traps.
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn brainfuck(n: i32) -> i64 {
    let n = size_arg(n, i32::MAX as usize);
    let mut hash = brainfuck::FNV_OFFSET;
    for _ in 0..n {
        brainfuck::run(brainfuck::PROGRAM, &brainfuck::JUMPS, |byte| {
            brainfuck::fnv1a(&mut hash, byte)
        });
    }
    hash as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fib_values() {
        assert_eq!(fib(0), 0);
        assert_eq!(fib(1), 1);
        assert_eq!(fib(2), 1);
        assert_eq!(fib(10), 55);
        assert_eq!(fib(20), 6765);
        assert_eq!(fib(30), 832_040);
    }

    #[test]
    fn loop_sum_is_deterministic_and_depends_on_n() {
        assert_eq!(loop_sum(0), 0);
        assert_eq!(loop_sum(1000), loop_sum(1000));
        assert_ne!(loop_sum(1000), loop_sum(1001));
        // First step by hand: x = xorshift64(seed), acc = rotl(x * 1, 3).
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        assert_eq!(loop_sum(1), x.rotate_left(3) as i64);
    }

    #[test]
    fn sieve_counts() {
        assert_eq!(sieve(0), 0);
        assert_eq!(sieve(2), 0);
        assert_eq!(sieve(3), 1);
        assert_eq!(sieve(100), 25);
        assert_eq!(sieve(1_000_000), 78_498);
    }

    #[test]
    fn matmul_sum_matches_closed_form() {
        // sum(A·B) = sum_k colsum_A(k) · rowsum_B(k), computed independently
        // of the multiplication.
        for n in [0, 1, 2, 7, 64] {
            let mut a = vec![0.0; n * n];
            let mut b = vec![0.0; n * n];
            matmul::fill(n, &mut a, &mut b);
            let expected: f64 = (0..n)
                .map(|k| {
                    let col_a: f64 = (0..n).map(|i| a[i * n + k]).sum();
                    let row_b: f64 = b[k * n..(k + 1) * n].iter().sum();
                    col_a * row_b
                })
                .sum();
            assert_eq!(matmul(n as i32), expected, "n = {n}");
        }
    }

    #[test]
    fn sort_checksum_matches_std_sort() {
        for n in [0usize, 1, 2, 3, 17, 1000, 100_000] {
            let mut a = vec![0; n];
            sort::fill(&mut a);
            a.sort_unstable();
            assert_eq!(sort(n as i32), sort::checksum(&a) as i64, "n = {n}");
        }
    }

    #[test]
    fn sha256_kernel_matches_reference() {
        // Empty input: the well-known digest e3b0c442 98fc1c14 ...
        assert_eq!(sha256(0) as u64, 0xe3b0_c442_98fc_1c14);
        // 1 KiB and 64 KiB of the kernel's data; the values were computed
        // with Python's hashlib over the same bytes:
        //   bytes(((i * 0x9E3779B1) & 0xFFFFFFFF) >> 24 for i in range(n * 1024))
        assert_eq!(sha256(1) as u64, 0x40e6_fe33_469d_b779);
        assert_eq!(sha256(64) as u64, 0x5592_8607_5722_70ea);
    }

    #[test]
    fn brainfuck_output_is_the_squares() {
        // The program prints i*i mod 256 for i in 1..=70.
        let mut expected = brainfuck::FNV_OFFSET;
        for _ in 0..3 {
            for i in 1u32..=70 {
                brainfuck::fnv1a(&mut expected, (i * i) as u8);
            }
        }
        assert_eq!(brainfuck(3), expected as i64);
        assert_eq!(brainfuck(0), brainfuck::FNV_OFFSET as i64);
    }

    // (The exports are `extern "C"` and cannot unwind, so the argument check
    // is tested on its own.)
    #[test]
    fn size_arg_accepts_0_to_max() {
        assert_eq!(size_arg(0, 10), 0);
        assert_eq!(size_arg(10, 10), 10);
    }

    #[test]
    #[should_panic]
    fn size_arg_rejects_negative() {
        size_arg(-1, 10);
    }

    #[test]
    #[should_panic]
    fn size_arg_rejects_above_max() {
        size_arg(11, 10);
    }

    /// Native timings, for choosing benchmark parameters:
    /// `cargo test --release -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn native_timings() {
        use std::hint::black_box;
        use std::time::Instant;
        fn time<R: std::fmt::Debug>(name: &str, n: i32, f: extern "C" fn(i32) -> R) {
            f(black_box(n)); // warm-up
            let reps = 5;
            let start = Instant::now();
            let mut result = None;
            for _ in 0..reps {
                result = Some(f(black_box(n)));
            }
            let ms = start.elapsed().as_secs_f64() * 1000.0 / reps as f64;
            println!("{name:>10}({n:>8}) = {:>22?}  {ms:8.3} ms", result.unwrap());
        }
        // The sizes recommended in ../README.md.
        time("fib", 32, fib);
        time("loop_sum", 10_000_000, loop_sum);
        time("sieve", 8_000_000, sieve);
        time("matmul", 256, matmul);
        time("sort", 500_000, sort);
        time("sha256", 2048, sha256);
        time("brainfuck", 3, brainfuck);
    }
}
