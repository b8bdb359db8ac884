//! Inputs of the benchmarks: the guest programs in `programs/` (built from
//! the sources there by `programs/build.sh`) and the parameters each kernel
//! runs with.

/// The execution kernels: one module, no imports, one export per kernel.
pub const KERNELS: &[u8] = include_bytes!("../programs/kernels.wasm");

/// The SIMD kernels, built with `+simd128` (vector intrinsics).
pub const SIMD: &[u8] = include_bytes!("../programs/simd.wasm");

/// The same kernels built without SIMD.
pub const SIMD_SCALAR: &[u8] = include_bytes!("../programs/simd-scalar.wasm");

/// EEMBC's CoreMark 1.0 (C, built by clang from its public source with
/// the freestanding port in `programs/coremark/`), no imports.
pub const COREMARK: &[u8] = include_bytes!("../programs/coremark.wasm");

/// CoreMark's export: `run(iterations)` returns the final CRC, or -1 if
/// CoreMark found its own results wrong.
pub const COREMARK_RUN: Kernel =
    Kernel { export: "run", arg: 200, what: "CoreMark 1.0, 200 iterations (2K performance run)" };

/// Real Rust libraries at work (`programs/libs/`: `miniz_oxide`'s deflate,
/// `regex`, `serde_json`), no imports; each export returns a checksum.
pub const LIBS: &[u8] = include_bytes!("../programs/libs.wasm");

/// The benchmarks of [`LIBS`], in the execution group beside the kernels.
pub const LIB_KERNELS: &[Kernel] = &[
    Kernel {
        export: "deflate",
        arg: 5000,
        what: "miniz_oxide deflate and inflate of 5,000 log lines",
    },
    Kernel { export: "regex", arg: 8000, what: "three regex crate searches over 8,000 log lines" },
    Kernel {
        export: "json",
        arg: 6000,
        what: "serde_json: 6,000 records to JSON, parsed back twice",
    },
];

/// A multi-megabyte Rust program (`wasm32-wasip1`), for start-up.
pub const STARTUP: &[u8] = include_bytes!("../programs/startup.wasm");

/// A kernel: its export, the argument it runs with, and what it computes.
pub struct Kernel {
    pub export: &'static str,
    pub arg: i32,
    pub what: &'static str,
}

/// The execution benchmarks.
pub const EXECUTION: &[Kernel] = &[
    Kernel { export: "fib", arg: 32, what: "recursive fibonacci" },
    Kernel { export: "loop_sum", arg: 10_000_000, what: "iterative integer loop" },
    Kernel { export: "sieve", arg: 8_000_000, what: "prime sieve" },
    Kernel { export: "matmul", arg: 256, what: "f64 matrix multiply" },
    Kernel { export: "sort", arg: 500_000, what: "quicksort of u32s" },
    Kernel { export: "sha256", arg: 2048, what: "SHA-256 over 2 MiB" },
    Kernel { export: "brainfuck", arg: 3, what: "brainfuck interpreter" },
];

/// The SIMD benchmarks, each run from [`SIMD`] and from [`SIMD_SCALAR`].
pub const SIMD_KERNELS: &[Kernel] = &[
    Kernel { export: "count_byte", arg: 400, what: "byte search (memchr-style count) over 64 KiB" },
    Kernel { export: "dot_f32", arg: 4000, what: "f32 dot product of 4096 elements" },
    Kernel { export: "matmul_f32", arg: 60, what: "f32 64x64 matrix multiply" },
];
