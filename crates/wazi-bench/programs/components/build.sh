#!/usr/bin/env bash
# Builds the component benchmark's programs into target/bench-components/:
# bench.py with componentize-py (CPython) and bench.js with
# componentize-js (StarlingMonkey), the versions the README's setup
# installs. They are large (CPython's component is about 40 MB), so they
# are built, not committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
out="$root/target/bench-components"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# WASI 0.2.12's WIT, from the wasip2 crate the test guests use.
deps=$(cargo metadata --format-version 1 --offline \
  --manifest-path "$root/crates/test-programs/Cargo.toml" |
  python3 -c 'import json, os, sys
m = json.load(sys.stdin)
p = next(p for p in m["packages"] if p["name"] == "wasip2")
print(os.path.join(os.path.dirname(p["manifest_path"]), "wit", "deps"))')
mkdir -p "$work/wit"
cp "$here/bench.wit" "$work/wit/world.wit"
cp -r "$deps" "$work/wit/deps"
cp "$here/bench.py" "$work/"
(cd "$work" && python3 -c 'import sys, componentize_py; sys.argv[0] = "componentize-py"; sys.exit(componentize_py.script())' \
  -d wit -w bench componentize bench -o "$out/python-bench.wasm")
js="$root/crates/wazi-cli/tests/js/node_modules/@bytecodealliance/componentize-js"
(cd "$work" && node "$js/src/cli.js" "$here/bench.js" --wit wit -n bench -o "$out/js-bench.wasm")
ls -l "$out"
