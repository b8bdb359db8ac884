#!/usr/bin/env bash
# The whole test suite: what CI runs and what a newcomer runs.
#
# Tests share the release profile with the benchmarks and the CLI, so every
# dependency is compiled once; the interpreter's threaded dispatch is only
# enabled in optimised builds. The spec suite then runs once more on the
# portable (loop) dispatch backend.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --release
# Threaded dispatch needs every handler to end in a tail jump, and whether
# the compiler keeps it one can differ between builds of the engine with
# other features: check the CLI's and the engine tests' (no features).
engine_test=$(cargo test --release -p wazi --test dispatch --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("executable")][-1])')
python3 scripts/check-tail-calls.py target/release/wazi "$engine_test"
cargo test --release -p wazi-wast --features wazi/portable-dispatch --test spec
