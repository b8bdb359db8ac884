#!/usr/bin/env bash
# Builds the benchmark guest programs and copies them next to this script:
#
#   kernels.wasm  from kernels/  (wasm32-unknown-unknown, no imports)
#   libs.wasm     from libs/     (wasm32-unknown-unknown, no imports: real
#                 libraries, miniz_oxide, regex and serde_json, at work)
#   startup.wasm  from startup/  (wasm32-wasip1, a multi-megabyte program)
#   simd.wasm     from simd/     (wasm32-unknown-unknown, +simd128)
#   simd-scalar.wasm from simd/  (the same kernels without simd128)
#   coremark.wasm from coremark/ and a CoreMark checkout, when COREMARK_DIR
#                 names one (see coremark/build.sh)
#
# Both crates are workspaces of their own (not members of the wazi
# workspace) and build into ./target/, which git ignores. The .wasm outputs
# are committed, so that wazi's benchmarks need no wasm toolchain; run this
# script again after changing either crate and commit the new outputs.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
export CARGO_TARGET_DIR="$here/target"

for target in wasm32-unknown-unknown wasm32-wasip1; do
    if ! rustup target list --installed | grep -qx "$target"; then
        rustup target add "$target"
    fi
done

# One crate after the other, with cargo's default parallelism.
cargo build --locked --release --target wasm32-unknown-unknown \
    --manifest-path kernels/Cargo.toml
install -m 644 "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/wazi_bench_kernels.wasm" kernels.wasm

cargo build --locked --release --target wasm32-unknown-unknown \
    --manifest-path libs/Cargo.toml
install -m 644 "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/wazi_bench_libs.wasm" libs.wasm

cargo build --locked --release --target wasm32-wasip1 \
    --manifest-path startup/Cargo.toml
install -m 644 "$CARGO_TARGET_DIR/wasm32-wasip1/release/wazi-bench-startup.wasm" startup.wasm

# The SIMD kernels twice: with the vector intrinsics, and scalar.
RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR="$here/target/simd128" \
    cargo build --locked --release --target wasm32-unknown-unknown \
    --manifest-path simd/Cargo.toml
install -m 644 "$here/target/simd128/wasm32-unknown-unknown/release/wazi_bench_simd.wasm" simd.wasm
CARGO_TARGET_DIR="$here/target/scalar" \
    cargo build --locked --release --target wasm32-unknown-unknown \
    --manifest-path simd/Cargo.toml
install -m 644 "$here/target/scalar/wasm32-unknown-unknown/release/wazi_bench_simd.wasm" simd-scalar.wasm

if [ -n "${COREMARK_DIR:-}" ]; then
    coremark/build.sh
else
    echo "COREMARK_DIR is not set: coremark.wasm is not rebuilt" >&2
fi

rustc --version
ls -l kernels.wasm libs.wasm startup.wasm simd.wasm simd-scalar.wasm
