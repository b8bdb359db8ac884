#!/usr/bin/env python3
"""Wall time of whole commands: runs each command 20 times (after one
warm-up run) and prints the median and the spread, in milliseconds.

    python3 scripts/bench-run.py 'target/release/wazi run hello.wasm' ...
"""
import os
import shlex
import statistics
import subprocess
import sys
import time

RUNS = int(os.environ.get("RUNS", "20"))

for cmd in sys.argv[1:]:
    argv = shlex.split(cmd)
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"{cmd}\n  median {statistics.median(times):.2f} ms, "
          f"min {times[0]:.2f} ms, max {times[-1]:.2f} ms ({RUNS} runs)")
