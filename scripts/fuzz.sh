#!/usr/bin/env bash
# Runs every fuzz target of crates/wazi-fuzz for SECONDS each (default one
# hour) on stable Rust, from a fresh seed, and prints what each did. A
# failing input is saved under target/fuzz-failures/ (replay it with
# `target/release/wazi-fuzz TARGET --replay FILE`). Every target keeps
# going past a failure (`--keep-going`): `differential` meets wasmi's own
# bugs every few hundred thousand runs, and a long run should not end at
# the first. The script exits 1 at the end if any target failed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3600}
cargo build --release -p wazi-fuzz
failed=0
for t in validate differential wasi-p1 wasi-p2 wasi-p2-calls component-values component-structure gc async-abi; do
  target/release/wazi-fuzz "$t" --seconds "$seconds" --keep-going || failed=1
done
exit "$failed"
