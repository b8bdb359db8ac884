#!/usr/bin/env bash
# Builds ../coremark.wasm from a checkout of CoreMark's public source
# (https://github.com/eembc/coremark; built at commit d5fad6b, 2023) and
# the port in this directory, with Debian's clang for freestanding wasm32:
#
#   COREMARK_DIR=/path/to/coremark ./build.sh
#
# CoreMark's sources stay in their checkout (Apache 2.0, with EEMBC's
# acceptable use agreement); only the port and the built module are in
# this repository. Its barebones printf needs one function from the port
# (`uart_send_char`, which its file leaves as an `#error`): the file is
# compiled from a copy in a temporary directory with that stub removed.
set -euo pipefail
cd "$(dirname "$0")"
src=${COREMARK_DIR:?set COREMARK_DIR to a checkout of https://github.com/eembc/coremark}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -e '1i void uart_send_char(char c);' \
    -e '/#error "You must implement the method uart_send_char/d' \
    -e 's/^uart_send_char(char c)$/unused_uart_send_char(char c)/' \
    "$src/barebones/ee_printf.c" > "$tmp/ee_printf.c"
# CoreMark's `main` is called by the port's exported `run(iterations)`.
clang --target=wasm32 -O2 -nostdlib -mbulk-memory \
    -Wl,--no-entry -Wl,--export=run -Wl,-z,stack-size=65536 \
    -I. -I"$src" -Dmain=coremark_main \
    -o ../coremark.wasm \
    core_portme.c "$src"/core_list_join.c "$src"/core_main.c "$src"/core_matrix.c \
    "$src"/core_state.c "$src"/core_util.c "$tmp/ee_printf.c"
clang --version | head -1
ls -l ../coremark.wasm
