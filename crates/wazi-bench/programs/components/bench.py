"""Workloads for the component benchmark (componentize-py, CPython):
`bench.wasm KERNEL N` prints one checksum line.

- `fib N`: recursive Fibonacci (calls, small integers).
- `nbody N`: N steps of the five-body simulation (floats, attributes).
- `words N`: N rounds of splitting, counting in a dict, sorting and
  joining a text (strings, hashing, allocation).
- `noop N`: nothing (start-up).
"""

import sys
import zlib

from wit_world import exports


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def nbody(steps):
    pi = 3.14159265358979323
    mass = 4 * pi * pi
    days = 365.24
    bodies = [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, mass],
        [4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
         1.66007664274403694e-03 * days, 7.69901118419740425e-03 * days,
         -6.90460016972063023e-05 * days, 9.54791938424326609e-04 * mass],
        [8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
         -2.76742510726862411e-03 * days, 4.99852801234917238e-03 * days,
         2.30417297573763929e-05 * days, 2.85885980666130812e-04 * mass],
        [1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
         2.96460137564761618e-03 * days, 2.37847173959480950e-03 * days,
         -2.96589568540237556e-05 * days, 4.36624404335156298e-05 * mass],
        [1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
         2.68067772490389322e-03 * days, 1.62824170038242295e-03 * days,
         -9.51592254519715870e-05 * days, 5.15138902046611451e-05 * mass],
    ]
    pairs = [(bodies[i], bodies[j]) for i in range(5) for j in range(i + 1, 5)]
    dt = 0.01
    for _ in range(steps):
        for a, b in pairs:
            dx, dy, dz = a[0] - b[0], a[1] - b[1], a[2] - b[2]
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * d2 ** 0.5)
            bm, am = b[6] * mag, a[6] * mag
            a[3] -= dx * bm
            a[4] -= dy * bm
            a[5] -= dz * bm
            b[3] += dx * am
            b[4] += dy * am
            b[5] += dz * am
        for p in bodies:
            p[0] += dt * p[3]
            p[1] += dt * p[4]
            p[2] += dt * p[5]
    e = 0.0
    for a, b in pairs:
        dx, dy, dz = a[0] - b[0], a[1] - b[1], a[2] - b[2]
        e -= a[6] * b[6] / (dx * dx + dy * dy + dz * dz) ** 0.5
    for p in bodies:
        e += 0.5 * p[6] * (p[3] * p[3] + p[4] * p[4] + p[5] * p[5])
    return f"{e:.9f}"


TEXT = (
    "the quick brown fox jumps over the lazy dog while a wizard quickly "
    "jinxed the gnomes before they vaporized and five boxing wizards jump "
) * 20


def words(rounds):
    check = 0
    for r in range(rounds):
        counts = {}
        for w in (TEXT + str(r)).split():
            counts[w] = counts.get(w, 0) + 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        check = (check * 31 + zlib.crc32(" ".join(w for w, _ in top[:5]).encode())) % 1000000007
        check = (check + len(top)) % 1000000007
    return check


class Run(exports.Run):
    def run(self) -> None:
        kernel, n = sys.argv[1], int(sys.argv[2])
        if kernel == "fib":
            print(fib(n))
        elif kernel == "nbody":
            print(nbody(n))
        elif kernel == "words":
            print(words(n))
        elif kernel == "noop":
            print(n)
        else:
            raise ValueError(f"unknown kernel {kernel}")
