#!/usr/bin/env bash
# Rebuilds the prebuilt C++ guests (kept in the repository: the toolchain is
# not part of the test setup). The toolchain is zig 0.17.1 from PyPI (its
# clang 22 and libc++), whose libc++abi is built without exceptions, so the
# exception runtime (libc++abi's cxa_exception and cxa_personality,
# libunwind's Unwind-wasm) is compiled here with -fwasm-exceptions, plus the
# `__cpp_exception` tag that compiler-rt would otherwise define.
#
#   pip download --no-deps ziglang==0.17.1 && unzip ziglang-*.whl
#   ZIG=./ziglang/zig crates/wazi-cli/tests/cpp/build.sh
#
# exceptions.wasm uses the final instructions (try_table, exnref);
# exceptions-legacy.wasm the legacy ones (try, catch, rethrow, delegate).
set -euo pipefail
cd "$(dirname "$0")"
ZIG=${ZIG:-zig}
L=$(dirname "$(command -v "$ZIG" || echo "$ZIG")")/lib
flags=(-target wasm32-wasi -fwasm-exceptions -mexception-handling -Os
  -I"$L/libcxxabi/include" -I"$L/libcxxabi/src" -I"$L/libunwind/include" -I"$L/libcxx/src"
  -D_LIBCXXABI_BUILDING_LIBRARY -D_LIBCPP_BUILDING_LIBRARY -DLIBCXXABI_USE_LLVM_UNWINDER
  -D_LIBUNWIND_IS_NATIVE_ONLY -D_LIBUNWIND_HIDE_SYMBOLS)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for variant in final legacy; do
  extra=()
  out=exceptions-legacy.wasm
  if [ "$variant" = final ]; then
    extra=(-mllvm -wasm-use-legacy-eh=false)
    out=exceptions.wasm
  fi
  "$ZIG" cc "${flags[@]}" "${extra[@]}" -c "$L/libunwind/src/Unwind-wasm.c" -o "$tmp/unwind.o"
  "$ZIG" cc -target wasm32-wasi -mexception-handling -c cpp_exception_tag.S -o "$tmp/tag.o"
  "$ZIG" c++ "${flags[@]}" "${extra[@]}" -std=c++23 -Wl,--strip-all exceptions.cpp \
    "$L/libcxxabi/src/cxa_exception.cpp" "$L/libcxxabi/src/cxa_personality.cpp" \
    "$tmp/unwind.o" "$tmp/tag.o" -o "$out"
done
# The expected output: the same program built natively.
clang++ -O2 exceptions.cpp -o "$tmp/native"
"$tmp/native" > exceptions.txt
