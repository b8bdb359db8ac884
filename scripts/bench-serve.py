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

Then, for `/hello`, throughput: CONCURRENCY (8) keep-alive connections
send RUNS * 4 requests in all at once; it prints requests per second and
the server's CPU time per request (user and system, from /proc).
"""
import http.client
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time

PATHS = ["/hello", "/big/100000"]
if sys.argv[1:2] == ["--p3"]:
    sys.argv.pop(1)
    PATHS = ["/hello", "/stream?100"]
WARMUP = 50
RUNS = int(__import__("os").environ.get("RUNS", "1000"))
CONCURRENCY = int(__import__("os").environ.get("CONCURRENCY", "8"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_cpu_us(pid):
    """User plus system CPU time of process `pid`, in microseconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = __import__("os").sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) * 1e6 / ticks


def throughput(port, pid, total):
    """Requests per second and server CPU per request for `/hello` sent
    on CONCURRENCY connections at once."""
    failures = []

    def client(n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(n):
            conn.request("GET", PATHS[0])
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                failures.append(resp.status)

    each = total // CONCURRENCY
    threads = [threading.Thread(target=client, args=(each,)) for _ in range(CONCURRENCY)]
    cpu = server_cpu_us(pid)
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    cpu = server_cpu_us(pid) - cpu
    assert not failures, failures
    n = each * CONCURRENCY
    print(f"  {PATHS[0]} x{CONCURRENCY} connections: {n / elapsed:.0f} requests/s, "
          f"server CPU {cpu / n:.0f} us/request ({n} requests)")


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
        throughput(port, server.pid, RUNS * 4)
    finally:
        server.kill()
        server.wait()
