#!/usr/bin/env python3
"""Prints the benchmark results of the last `cargo bench -p wazi-bench` run
as Markdown tables: each benchmark's mean time in wazi and its peer from the
same run, their ratio, and the geometric mean of the ratios."""
import json
import math
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")


def mean_ms(path):
    est = json.loads((path / "new" / "estimates.json").read_text())
    return est["mean"]["point_estimate"] / 1e6


def pairs(group_dirs):
    """(name, wazi_ms, peer_ms) for each benchmark with both engines."""
    rows = []
    for group, wazi, peer in group_dirs:
        if (wazi / "new").exists() and (peer / "new").exists():
            rows.append((group, mean_ms(wazi), mean_ms(peer)))
    return rows


def table(title, rows, peer):
    print(f"### {title}\n")
    print(f"| benchmark | wazi | {peer} | wazi / {peer} |")
    print("|---|---:|---:|---:|")
    logs = []
    for name, a, b in rows:
        logs.append(math.log(a / b))
        print(f"| {name} | {a:.2f} ms | {b:.2f} ms | {a / b:.2f} |")
    if logs:
        print(f"| **geometric mean** | | | **{math.exp(sum(logs) / len(logs)):.2f}** |")
    print()


execute = sorted(p for p in root.glob("execute_*") if p.is_dir())
table(
    "Execution (eager translation in both)",
    pairs((p.name.removeprefix("execute_"), p / "wazi", p / "wasmi") for p in execute),
    "wasmi",
)
for kind, title in [("simd", "SIMD kernels (+simd128)"), ("scalar", "The same kernels, scalar")]:
    dirs = sorted(p for p in root.glob(f"{kind}_*") if p.is_dir())
    table(
        f"{title}, eager translation in both",
        pairs((p.name.removeprefix(f"{kind}_"), p / "wazi", p / "wasmi") for p in dirs),
        "wasmi",
    )
startup = root / "startup"
if startup.exists():
    modes = ["eager", "lazy-translation", "lazy"]
    table(
        "Start-up: compile + instantiate startup.wasm",
        pairs((m, startup / f"wazi_{m}", startup / f"wasmi_{m}") for m in modes),
        "wasmi",
    )
for group in sorted(p for p in root.glob("calls_*") if p.is_dir()):
    print(f"### {group.name}\n")
    for f in sorted(q for q in group.iterdir() if (q / "new").exists()):
        print(f"- {f.name}: {mean_ms(f) * 1e3:.1f} µs")
    print()
