#!/usr/bin/env bash
# Records the expected transcripts of the WASI guest programs by running
# them under wasmtime 48 (the behavioural reference), into
# crates/wazi-cli/tests/golden/. Needs `wasmtime` on PATH
# (`cargo install --locked wasmtime-cli@48.0.8`); CI never runs this, it
# only compares wazi with the committed transcripts.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p test-programs-artifacts >/dev/null
G=target/guests/wasm32-wasip1/release
OUT=crates/wazi-cli/tests/golden
wasmtime --version | grep -q "^wasmtime 48\." || { echo "wasmtime 48 is needed" >&2; exit 1; }
scratch() { local d; d=$(mktemp -d); echo "$d"; }

d=$(scratch); wasmtime run --dir "$d::scratch" $G/p1_fs.wasm > $OUT/p1_fs.txt; rm -rf "$d"
d=$(scratch); wasmtime run --dir "$d::scratch" $G/p1_readdir.wasm > $OUT/p1_readdir.txt; rm -rf "$d"
d=$(scratch); mkdir -p "$d/sandbox" "$d/outside"; echo canary > "$d/canary.txt"
echo secret > "$d/outside/secret.txt"; echo inside > "$d/sandbox/inside.txt"
wasmtime run --dir "$d/sandbox::scratch" $G/p1_sandbox.wasm > $OUT/p1_sandbox.txt; rm -rf "$d"
paths_tree() { local d; d=$(scratch); mkdir -p "$d/sandbox" "$d/other" "$d/outside"; echo canary > "$d/canary.txt"
  echo secret > "$d/outside/secret.txt"; echo inside > "$d/sandbox/inside.txt"; echo "$d"; }
d=$(paths_tree); wasmtime run --dir "$d/sandbox::scratch" --dir "$d/other::other" $G/p1_sandbox_paths.wasm paths > $OUT/p1_sandbox_paths.txt; rm -rf "$d"
d=$(scratch); e=$(scratch)
wasmtime run --dir "$d::scratch" --dir "$e::other" $G/p1_stdio.wasm a b < /dev/null > $OUT/p1_stdio.txt
rm -rf "$d" "$e"
d=$(scratch); (sleep 0.3; echo hello) | wasmtime run --dir "$d::scratch" $G/p1_poll.wasm > $OUT/p1_poll.txt; rm -rf "$d"
for c in whence advice clockid signal fdflags fstflags oflags rights lookupflags sdflags riflags subscription utf8; do
  d=$(scratch)
  status=0
  RUST_BACKTRACE=0 wasmtime run --dir "$d::scratch" $G/p1_invalid.wasm $c > "$OUT/p1_invalid_$c.txt" 2>&1 || status=$?
  # Stable text only (the test normalises wazi's output the same way):
  # no host backtrace, no wasm frames (symbol hashes), no module path.
  sed -i -e '/^Stack backtrace:/,$d' -e '/^ *[0-9]*: *0x[0-9a-f]* - /d' \
    -e 's/failed to run main module `[^`]*`/failed to run main module `<module>`/' "$OUT/p1_invalid_$c.txt"
  echo "exit $status" >> "$OUT/p1_invalid_$c.txt"
  rm -rf "$d"
done
d=$(scratch); wasmtime run -Shostcall-fuel=1000 --dir "$d::scratch" $G/p1_hostcall_fuel.wasm > $OUT/p1_hostcall_fuel.txt; rm -rf "$d"
G2=target/guests/wasm32-wasip2/release
d=$(scratch); wasmtime run --dir "$d::/scratch" $G2/p2_fs.wasm > $OUT/p2_fs.txt; rm -rf "$d"
wasmtime run -S inherit-network -S allow-ip-name-lookup $G2/p2_net.wasm raw > $OUT/p2_net_raw.txt
wasmtime run -S inherit-network $G2/p2_sockets_edges.wasm > $OUT/p2_sockets_edges.txt
wasmtime run -S http $G2/p2_http_client.wasm options > $OUT/p2_http_options.txt
# The fields transcript comes from a request to `wasmtime serve`.
RUST_BACKTRACE=0 wasmtime serve -S cli --addr 127.0.0.1:18089 $G2/p2_http_server.wasm 2>/dev/null &
serve=$!
sleep 2
curl -s http://127.0.0.1:18089/fields > $OUT/p2_http_fields.txt
kill $serve
# WASI 0.1 guests made components with the preview1 adapter: the test
# writes them beside the modules (its comparisons may fail before this
# recording exists).
cargo test --release --workspace --test wasi adapted >/dev/null 2>&1 || true
A=$G/p1_%s.component.wasm
d=$(scratch); wasmtime run --dir "$d::scratch" "$(printf $A fs)" > $OUT/adapted_p1_fs.txt; rm -rf "$d"
d=$(scratch); wasmtime run --dir "$d::scratch" "$(printf $A readdir)" > $OUT/adapted_p1_readdir.txt; rm -rf "$d"
d=$(scratch); mkdir -p "$d/sandbox" "$d/outside"; echo canary > "$d/canary.txt"
echo secret > "$d/outside/secret.txt"; echo inside > "$d/sandbox/inside.txt"
wasmtime run --dir "$d/sandbox::scratch" "$(printf $A sandbox)" > $OUT/adapted_p1_sandbox.txt; rm -rf "$d"
d=$(paths_tree); wasmtime run --dir "$d/sandbox::scratch" --dir "$d/other::other" "$(printf $A sandbox_paths)" paths > $OUT/adapted_p1_sandbox_paths.txt; rm -rf "$d"
d=$(scratch); e=$(scratch)
# (It traps at proc_raise, which the adapter lacks.)
wasmtime run --dir "$d::scratch" --dir "$e::other" "$(printf $A stdio)" a b < /dev/null > $OUT/adapted_p1_stdio.txt 2>/dev/null || true
rm -rf "$d" "$e"
d=$(scratch); (sleep 0.3; echo hello) | wasmtime run --dir "$d::scratch" "$(printf $A poll)" > $OUT/adapted_p1_poll.txt; rm -rf "$d"
: > $OUT/adapted_p1_invalid.txt
for c in whence advice clockid signal fdflags fstflags oflags rights lookupflags sdflags riflags subscription utf8; do
  d=$(scratch)
  status=0
  echo "== $c" >> $OUT/adapted_p1_invalid.txt
  RUST_BACKTRACE=0 wasmtime run --dir "$d::scratch" "$(printf $A invalid)" $c >> $OUT/adapted_p1_invalid.txt 2>/dev/null || status=$?
  echo "exit $status" >> $OUT/adapted_p1_invalid.txt
  rm -rf "$d"
done
# Components from other toolchains: the test builds them into
# target/tmp/toolchains (its comparisons may fail before this recording).
cargo test --release --workspace --test toolchains >/dev/null 2>&1 || true
T=target/tmp/toolchains
d=$(scratch)
wasmtime run --env B=2 --env A=1 --dir "$d::/scratch" $T/python-command.wasm tour > $OUT/python_command_tour.txt
rm -rf "$d"
wasmtime run -S http --env A=1 $T/js-command.wasm tour > $OUT/js_command_tour.txt
calls=('area(circle(2.0))' 'area(rect({x: 3, y: -4, label: "r"}))' 'area(empty)'
  'mirror({x: 1, y: 2, label: "abc"})' 'next-color(blue)' 'grant({write, exec})' 'grant({})'
  'describe([("a", some(1)), ("b", none)])' 'describe([])')
for lib in python-library js-library; do
  flags=(); [[ $lib == js-* ]] && flags=(-S http)
  : > "$OUT/${lib//-/_}.txt"
  for call in "${calls[@]}"; do
    status=0
    echo "== $call" >> "$OUT/${lib//-/_}.txt"
    wasmtime run "${flags[@]}" --invoke "$call" $T/$lib.wasm >> "$OUT/${lib//-/_}.txt" 2>/dev/null || status=$?
    echo "exit $status" >> "$OUT/${lib//-/_}.txt"
  done
done
echo "recorded into $OUT"
