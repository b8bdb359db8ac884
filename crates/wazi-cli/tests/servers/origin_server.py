"""An HTTP/1.1 server built on Python's `http.server`, for testing wazi's
outgoing HTTP against a server that is not hyper.

Started by `tests/http.rs` with no arguments: it listens on a free loopback
port, prints `listening PORT` and serves until killed (or for at most 120 s).

Every response is text describing what arrived, except where a path asks
for something else:

- `/status/N`: answers with status N.
- `/big?n=N`: a body of N bytes (byte i is i % 251) with a Content-Length.
- `/chunked?n=N`: the same body sent chunked, with an `x-checksum` trailer.
- anything else: the request line exactly as received, the Host header,
  the body's size and checksum, whether it was chunked, and its trailers.
"""

import http.server
import socketserver
import sys
import threading
import urllib.parse


def pattern(n):
    return bytes(i % 251 for i in range(n))


def checksum(data):
    c = 0
    for b in data:
        c = (c * 31 + b) & 0xFFFFFFFF
    return c


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "python-http.server"

    def log_message(self, format, *args):
        pass

    def __getattr__(self, name):
        # `do_GET`, `do_POST`, ... and any other method a client invents.
        if name.startswith("do_"):
            return self.answer
        raise AttributeError(name)

    def read_body(self):
        """The request body and trailers, decoding chunked transfer coding."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
            trailers = []
            while True:
                line = self.rfile.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                trailers.append(line.decode("latin-1").strip())
            return bytes(body), True, trailers
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length), False, []

    def send(self, status, body, extra=()):
        self.send_response(status)
        for name, value in extra:
            self.send_header(name, value)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    def answer(self):
        body, chunked, trailers = self.read_body()
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path.startswith("/status/"):
            status = int(url.path[len("/status/"):])
            self.send(status, f"status {status}\n".encode())
        elif url.path == "/big":
            self.send(200, pattern(int(query["n"][0])), [("Content-Type", "application/octet-stream")])
        elif url.path == "/chunked":
            data = pattern(int(query["n"][0]))
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Trailer", "x-checksum")
            self.end_headers()
            for i in range(0, len(data), 10000):
                part = data[i:i + 10000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\nx-checksum: %d\r\n\r\n" % checksum(data))
        else:
            text = (
                f"request line: {self.requestline}\n"
                f"host: {self.headers.get('Host')}\n"
                f"x-test: {self.headers.get('x-test')}\n"
                f"body: {len(body)} bytes, checksum {checksum(body)}, chunked {chunked}\n"
                f"request trailers: {trailers}\n"
            )
            self.send(200, text.encode(), [("Content-Type", "text/plain")])


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print(f"listening {server.server_address[1]}", flush=True)
    # Never outlive a test that forgot to stop it.
    threading.Timer(120, lambda: server.shutdown()).start()
    server.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
