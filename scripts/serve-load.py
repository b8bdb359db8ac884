#!/usr/bin/env python3
"""A bounded load test of `wazi serve`, on loopback only.

Starts `wazi serve` with the `p2_http_server` test component, a per-request
time limit and memory limit and a fields-size limit, then sends REQUESTS
requests at a fixed CONCURRENCY, each on its own connection, in a mix of

- normal ones (`/hello`, must answer 200 `Hello, World!`),
- trapping ones (`/trap`, 500),
- looping ones (`/loop`, stopped by `-W timeout`, 500),
- allocating ones (`/grow`, stopped by `-W max-memory-size`, 500),
- oversized ones (a 1 MB header, past what hyper reads of a request head:
  431).

It reports failures, throughput, latencies of the normal requests and the
server's resident memory after each tenth of the requests, and exits 1 if
any request got an unexpected answer, the server died, or its memory at
the end is more than a quarter (and 32 MiB) above the most it had in the
first half of the run (the memory regions wazi keeps for new instances
fill up over the first requests; growth after that is a leak).

    scripts/serve-load.py --wazi target/release/wazi \\
        --component target/guests/wasm32-wasip2/release/p2_http_server.wasm \\
        --requests 20000 --concurrency 16

`cargo test` runs it at a small size (crates/wazi-cli/tests/http.rs).
"""

import argparse
import concurrent.futures
import http.client
import re
import subprocess
import sys
import threading
import time

KINDS = [
    # (name, share in 20ths, path, extra headers, expected status)
    ("normal", 14, "/hello", {}, 200),
    ("trap", 2, "/trap", {}, 500),
    ("loop", 1, "/loop", {}, 500),
    ("grow", 1, "/grow", {}, 500),
    ("oversized", 2, "/hello", {"x-big": "b" * 1_000_000}, 431),
]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start_server(args):
    cmd = [
        args.wazi, "serve", "-S", "cli", "--addr", "127.0.0.1:0",
        "-W", "timeout=1s", "-W", f"max-memory-size={32 << 20}",
        "-S", "max-http-fields-size=16384", args.component,
    ]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    found = {}
    ready = threading.Event()

    def read_stderr():
        for line in proc.stderr:
            m = re.search(r"Serving HTTP on http://([0-9.]+):(\d+)/", line)
            if m:
                found["port"] = int(m.group(2))
                ready.set()
        ready.set()

    threading.Thread(target=read_stderr, daemon=True).start()
    if not ready.wait(60) or "port" not in found:
        proc.kill()
        sys.exit("the server did not start")
    return proc, found["port"]


def one(port, kind, timeout):
    name, _, path, headers, expected = kind
    start = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
    except Exception as e:  # a refused, reset or timed-out connection
        return name, False, f"{type(e).__name__}: {e}", time.monotonic() - start
    ok = resp.status == expected and (name != "normal" or body == b"Hello, World!\n")
    return name, ok, f"status {resp.status}", time.monotonic() - start


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--wazi", required=True)
    p.add_argument("--component", required=True)
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--deadline", type=float, default=600, help="seconds for the whole run")
    args = p.parse_args()

    schedule = [k for k in KINDS for _ in range(k[1])]
    proc, port = start_server(args)
    began = time.monotonic()
    failures = {}
    latencies = []
    samples = []  # RSS after each tenth of the requests
    done = 0
    try:
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            pending = set()
            submitted = 0
            while done < args.requests:
                if time.monotonic() - began > args.deadline:
                    failures["deadline"] = [f"{done} of {args.requests} done"]
                    break
                while submitted < args.requests and len(pending) < 2 * args.concurrency:
                    kind = schedule[submitted % len(schedule)]
                    pending.add(pool.submit(one, port, kind, 30))
                    submitted += 1
                finished, pending = concurrent.futures.wait(
                    pending, timeout=5, return_when=concurrent.futures.FIRST_COMPLETED)
                for f in finished:
                    name, ok, what, secs = f.result()
                    done += 1
                    if not ok:
                        failures.setdefault(name, []).append(what)
                    elif name == "normal":
                        latencies.append(secs)
                    if done >= (len(samples) + 1) * max(args.requests // 10, 1):
                        samples.append(rss_kib(proc.pid))
                if proc.poll() is not None:
                    failures["server"] = [f"exited with {proc.returncode}"]
                    break
            for f in pending:
                f.cancel()
        elapsed = time.monotonic() - began
        end_rss = rss_kib(proc.pid) if proc.poll() is None else 0
    finally:
        proc.kill()
        proc.wait()

    latencies.sort()
    pct = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0
    print(f"{done} requests in {elapsed:.1f} s at concurrency {args.concurrency}: "
          f"{done / elapsed:.0f} requests/s")
    print(f"normal requests: {len(latencies)} ok, latency p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms")
    print("server RSS (MiB) after each tenth: " + " ".join(f"{k / 1024:.0f}" for k in samples))
    for name, what in failures.items():
        print(f"FAILED {name}: {len(what)}, e.g. {what[0]}")
    # Kept memory regions (crates/wazi/src/store/region.rs) fill up over
    # the first requests, to a bound; what grows after the first half is
    # what a leak would add.
    settled = max(samples[:len(samples) // 2] or [end_rss])
    if end_rss > settled + max(settled // 4, 32 * 1024):
        print("FAILED: the server's memory grew")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
