#!/usr/bin/env python3
"""Request latency of `serve` commands: starts each server command on its
own loopback port (the `{addr}` in the command), sends 50 warm-up requests
and then 1,000 timed ones per path over one keep-alive connection, and
prints the median and the spread per request, in microseconds.

    python3 scripts/bench-serve.py \\
        'target/release/wazi serve -S cli --addr {addr} proxy.wasm' \\
        'wasmtime serve -S cli --addr {addr} proxy.wasm'

Paths are those of crates/test-programs/src/bin/p2_http_server.rs; with
`--p3` first, those of p3_http_service.rs (`/hello`, and `/stream?100`, a
100,000-byte body a guest task writes after `handle` returned).
"""
import http.client
import shlex
import socket
import statistics
import subprocess
import sys
import time

PATHS = ["/hello", "/big/100000"]
if sys.argv[1:2] == ["--p3"]:
    sys.argv.pop(1)
    PATHS = ["/hello", "/stream?100"]
WARMUP = 50
RUNS = int(__import__("os").environ.get("RUNS", "1000"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, deadline):
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"server on port {port} did not start")


for cmd in sys.argv[1:]:
    port = free_port()
    argv = shlex.split(cmd.replace("{addr}", f"127.0.0.1:{port}"))
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port, time.time() + 60)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        print(cmd)
        for path in PATHS:
            for _ in range(WARMUP):
                conn.request("GET", path)
                conn.getresponse().read()
            times = []
            for _ in range(RUNS):
                start = time.perf_counter()
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                times.append((time.perf_counter() - start) * 1e6)
                assert resp.status == 200, resp.status
            times.sort()
            print(f"  {path}: median {statistics.median(times):.0f} us, "
                  f"min {times[0]:.0f} us, max {times[-1]:.0f} us ({RUNS} requests)")
    finally:
        server.kill()
        server.wait()
