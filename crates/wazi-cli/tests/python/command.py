"""A `wasi:cli/command` in Python (componentize-py): `command.wasm MODE`.

- `tour`: standard library work whose output is the same everywhere:
  arguments, environment, JSON, hashes, big integers, regular expressions,
  decimal arithmetic, sorting, files in the preopened `/scratch`.
- `cat`: standard input to standard output (`os.write` until all is
  written), then its size to stderr.
- `exit N`: `sys.exit(N)`.
- `raise`: an uncaught exception.
"""

import decimal
import hashlib
import json
import os
import re
import sys
import zlib

from wit_world import exports


def tour():
    print("python", sys.version_info[:2], sys.platform)
    print("argv", sys.argv)
    print("env", sorted(os.environ.items()))
    print("json", json.dumps({"b": [1, 2.5, None, True], "a": "é"}, sort_keys=True))
    print("sha256", hashlib.sha256(b"wazi").hexdigest())
    print("crc32", zlib.crc32(b"wazi" * 1000))
    print("2**200", 2**200)
    print("sum of squares", sum(i * i for i in range(200_000)))
    print("regex", re.findall(r"(\w+)=(\d+)", "a=1, bb=22, ccc=333"))
    decimal.getcontext().prec = 30
    print("decimal", decimal.Decimal(1) / decimal.Decimal(7))
    words = "the quick brown fox jumps over the lazy dog".split()
    print("sorted", sorted(words, key=lambda w: (len(w), w)))
    os.mkdir("/scratch/dir")
    with open("/scratch/dir/data.txt", "w") as f:
        for i in range(1000):
            f.write(f"line {i}\n")
    with open("/scratch/dir/data.txt") as f:
        lines = f.readlines()
    print("lines", len(lines), lines[-1].strip())
    print("size", os.stat("/scratch/dir/data.txt").st_size)
    os.rename("/scratch/dir/data.txt", "/scratch/moved.txt")
    print("listdir", sorted(os.listdir("/scratch")), os.listdir("/scratch/dir"))
    os.rmdir("/scratch/dir")
    try:
        open("/scratch/missing.txt")
    except FileNotFoundError as e:
        print("missing", e.errno, e.strerror)
    try:
        open("/etc/passwd")
    except OSError as e:
        print("outside the preopen", type(e).__name__)


class Run(exports.Run):
    def run(self) -> None:
        mode = sys.argv[1] if len(sys.argv) > 1 else "tour"
        if mode == "tour":
            tour()
        elif mode == "cat":
            data = sys.stdin.buffer.read()
            # A write may take only part of the data (65,536 bytes at most
            # through wasi-libc here, under wasmtime too).
            view = memoryview(data)
            while view:
                view = view[os.write(1, view):]
            print("read", len(data), "bytes", file=sys.stderr)
        elif mode == "exit":
            sys.exit(int(sys.argv[2]))
        elif mode == "raise":
            raise ValueError("raised on purpose")
