#!/usr/bin/env python3
"""Exception kernels (crates/wazi-bench/programs/exceptions/exceptions.wat)
beside wasmtime, in one run: each command runs each kernel through
`--invoke KERNEL N` three times; the median wall time is printed, with the
time of N=1 (start-up and compilation) and the ratio to the first command.
The checksums printed by the commands must agree.

    python3 scripts/bench-exceptions.py \\
        'target/release/wazi run' \\
        'wasmtime run --target pulley64' \\
        'wasmtime run'
"""
import shlex
import statistics
import subprocess
import sys
import time

WAT = "crates/wazi-bench/programs/exceptions/exceptions.wat"
KERNELS = [("throwing", 300_000), ("not-throwing", 30_000_000), ("enter-only", 100_000_000)]


def timed(cmd, kernel, n):
    args = shlex.split(cmd) + ["--invoke", kernel, WAT, str(n)]
    start = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"{args} failed: {out.stderr}")
    return elapsed, out.stdout.strip()


def main():
    cmds = sys.argv[1:] or ["target/release/wazi run"]
    print(f"| kernel (n) | {' | '.join(cmds)} |")
    print(f"|---|{'---|' * len(cmds)}")
    for kernel, n in KERNELS:
        cells, base, sums = [], None, set()
        for cmd in cmds:
            runs = [timed(cmd, kernel, n) for _ in range(3)]
            sums.update(out for _, out in runs)
            t = statistics.median(e for e, _ in runs)
            startup = timed(cmd, kernel, 1)[0]
            base = base or t
            cells.append(f"{t:.3f} s (n=1: {startup:.3f} s) {t / base:.2f}x")
        if len(sums) != 1:
            raise SystemExit(f"{kernel}: checksums differ: {sums}")
        print(f"| {kernel} ({n:,}) | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
