#!/usr/bin/env bash
# Builds the example programs from their sources here and copies the outputs
# next to this script, where they are committed (so the README's first
# command needs nothing but cargo).
set -euo pipefail
cd "$(dirname "$0")"
rustup target add wasm32-wasip1 >/dev/null
CARGO_TARGET_DIR=target cargo build --release --target wasm32-wasip1 --manifest-path hello/Cargo.toml
cp target/wasm32-wasip1/release/hello.wasm hello-p1.wasm
ls -l *.wasm
