#!/usr/bin/env python3
"""WebAssembly GC programs beside wasmtime, in one run: binary-trees of
depth 18 written in WAT (crates/wazi-bench/programs/gc/binary_trees.wat,
`--invoke run 18`) and the Kotlin/Wasm binary-trees of depth 16
(crates/wazi-cli/tests/kotlin/binary_trees.wasm, a WASI command). Each
command runs each program three times; the median wall time, the peak RSS
of the process (the largest of the runs) and the ratio to the first
command's time are printed. The outputs must agree.

    python3 scripts/bench-gc.py 'target/release/wazi run' \\
        'wasmtime run --target pulley64' 'wasmtime run'
"""
import os
import shlex
import statistics
import subprocess
import sys
import time

PROGRAMS = [
    ("binary-trees.wat (18)",
     ["--invoke", "run", "crates/wazi-bench/programs/gc/binary_trees.wat", "18"]),
    ("Kotlin binary_trees (16)", ["crates/wazi-cli/tests/kotlin/binary_trees.wasm"]),
]


def timed(cmd, args):
    """Wall time, peak RSS in MiB and stdout of one run."""
    start = time.perf_counter()
    p = subprocess.Popen(shlex.split(cmd) + args, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{cmd} {args} failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024, out


def main():
    cmds = sys.argv[1:] or ["target/release/wazi run"]
    print(f"| program | {' | '.join(cmds)} |")
    print(f"|---|{'---|' * len(cmds)}")
    for name, args in PROGRAMS:
        cells, base, outs = [], None, set()
        for cmd in cmds:
            runs = [timed(cmd, args) for _ in range(3)]
            outs.update(out for _, _, out in runs)
            t = statistics.median(e for e, _, _ in runs)
            rss = max(r for _, r, _ in runs)
            base = base or t
            cells.append(f"{t:.2f} s, {rss:.0f} MiB, {t / base:.2f}x")
        if len(outs) != 1:
            raise SystemExit(f"{name}: outputs differ")
        print(f"| {name} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
