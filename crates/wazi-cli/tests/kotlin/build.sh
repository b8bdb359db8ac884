#!/usr/bin/env bash
# Rebuilds the prebuilt Kotlin/Wasm guests (kept in the repository: the
# toolchain, 97 MB and a JVM, is not part of the test setup). The compiler
# is JetBrains' kotlin-compiler 2.4.20 from the npm registry, run on
# OpenJDK 17; it targets wasm32 WASI with WebAssembly GC and exception
# handling (try_table, exnref), importing only wasi_snapshot_preview1.
#
#   npm pack kotlin-compiler@2.4.20 && mkdir kc && tar xzf kotlin-compiler-2.4.20.tgz -C kc
#   K=$PWD/kc/package crates/wazi-cli/tests/kotlin/build.sh
set -euo pipefail
cd "$(dirname "$0")"
K=${K:?the unpacked kotlin-compiler package}
lib=$K/lib/kotlin-stdlib-wasm-wasi.klib
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name in tour binary_trees; do
  "$K/bin/kotlinc-wasm" -Xwasm-target=wasm-wasi -libraries "$lib" \
    -ir-output-dir "$tmp/$name-klib" -ir-output-name "$name" "$name.kt"
  "$K/bin/kotlinc-wasm" -Xwasm-target=wasm-wasi -Xir-produce-js \
    -Xinclude="$tmp/$name-klib/$name.klib" -libraries "$lib" \
    -ir-output-dir "$tmp/$name" -ir-output-name "$name"
  cp "$tmp/$name/$name.wasm" "$name.wasm"
done
