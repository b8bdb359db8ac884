#!/usr/bin/env python3
"""Checks that no interpreter handler dispatches by a call that returns.

With threaded dispatch every handler ends by jumping to the next one; if
the compiler turns that jump into a call (an address of the handler's
frame escaped, or a result came back through memory), the native stack
grows with every instruction run and a long-running guest overflows it.
Whether that happens depends on inlining, so it can differ between two
builds of the same source with other features: this disassembles the
given binaries (x86-64, objdump) and fails on any `wazi::exec::` function
with an indirect call through a register followed by its return.
"""
import platform
import re
import shutil
import subprocess
import sys

CALL = re.compile(r"call +\*(0x[0-9a-f]+)?\(%r[0-9a-z]+\)$")


def check(path):
    out = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", "-C", path],
        check=True, capture_output=True, text=True,
    ).stdout
    name, body, bad, handlers = None, [], [], 0

    def finish():
        nonlocal handlers
        if name is None or not name.startswith("wazi::exec::"):
            return
        handlers += 1
        for i, ins in enumerate(body):
            if CALL.match(ins):
                after = body[i + 1:i + 9]
                if any(a.startswith("ret") for a in after) and not any(
                        a.startswith("call") for a in after):
                    bad.append(f"{name}: {ins}")

    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            finish()
            name, body = m.group(1), []
        elif "\t" in line:
            body.append(line.split("\t", 1)[1].strip())
    finish()
    if handlers == 0:
        sys.exit(f"{path}: no wazi::exec:: functions found (stripped binary?)")
    for b in bad:
        print(f"{path}: dispatch by call, not a tail jump: {b}")
    print(f"{path}: {handlers} executor functions checked, {len(bad)} non-tail dispatches")
    return not bad


def main():
    if platform.machine() not in ("x86_64", "AMD64"):
        sys.exit(f"check-tail-calls: only x86-64 disassembly is understood, not {platform.machine()}")
    if shutil.which("objdump") is None:
        sys.exit("check-tail-calls: objdump (binutils) is needed")
    ok = all([check(p) for p in sys.argv[1:]])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
