#!/usr/bin/env bash
# Builds the example programs from their sources here and copies the outputs
# next to this script, where they are committed (so the README's first
# command needs nothing but cargo): `hello-p1.wasm` (a WASI 0.1 module) and
# `hello-p2.wasm` (a WASI 0.2 component).
set -euo pipefail
cd "$(dirname "$0")"
rustup target add wasm32-wasip1 wasm32-wasip2 >/dev/null
CARGO_TARGET_DIR=target cargo build --release --target wasm32-wasip1 --manifest-path hello/Cargo.toml
cp target/wasm32-wasip1/release/hello.wasm hello-p1.wasm
CARGO_TARGET_DIR=target cargo build --release --target wasm32-wasip2 --manifest-path hello-p2/Cargo.toml
cp target/wasm32-wasip2/release/hello-p2.wasm hello-p2.wasm
ls -l *.wasm
