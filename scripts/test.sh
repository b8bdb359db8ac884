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
cargo test --release -p wazi-wast --features wazi/portable-dispatch --test spec
