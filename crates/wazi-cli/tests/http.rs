//! `wasi:http` through the real `wazi` binary, on loopback only: `wazi
//! serve` with the `p2_http_server` proxy component, and `wazi run -S http`
//! with the `p2_http_client` command as its client. Expected responses,
//! logs and transcripts are what wasmtime 48 gives for the same requests
//! (`tests/golden/p2_http_*.txt`, recorded by `scripts/record-golden.sh`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use test_programs_artifacts::{
    P2_CLI, P2_HTTP_CLIENT, P2_HTTP_SERVER, P3_HTTP_CLIENT, P3_HTTP_SERVICE,
};

mod support;
use support::{PythonServer, pattern_checksum};

/// The page wasmtime (and wazi) answers a failed request with.
const ERROR_PAGE: &str = "<!doctype html>\n<html>\n<head>\n    <title>500 Internal Server Error</title>\n</head>\n<body>\n    <center>\n        <h1>500 Internal Server Error</h1>\n        <hr>\n        wasmtime\n    </center>\n</body>\n</html>";

fn golden(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn wazi() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wazi"));
    c.env("RUST_BACKTRACE", "0");
    c
}

/// A `wazi serve` on a free loopback port, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = wazi()
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let err = stderr.clone();
        let mut lines = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            let mut line = String::new();
            while lines.read_line(&mut line).unwrap_or(0) > 0 {
                if let Some(a) = line.trim().strip_prefix("Serving HTTP on http://") {
                    let _ = tx.send(a.trim_end_matches('/').parse::<SocketAddr>().unwrap());
                }
                err.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let out = stdout.clone();
        let mut pipe = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                out.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not start: {}", stderr.lock().unwrap());
            }
        };
        Server { child, addr, stdout, stderr }
    }

    /// Waits (a bounded time) until the server's `stream` output holds
    /// `text`, and returns all of it.
    fn wait_for(&self, stream: &Mutex<String>, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = stream.lock().unwrap().clone();
            if s.contains(text) || start.elapsed() > Duration::from_secs(30) {
                return s;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn get(&self, path: &str) -> Response {
        request(self.addr, "GET", path, &[], None)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The body arrived whole (its length or last chunk was seen).
    complete: bool,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request on its own connection, read to the end.
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!("content-length: {}\r\n", b.len()));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    if let Some(b) = body {
        s.write_all(b).unwrap();
    }
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Response {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("no response head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let rest = &raw[end + 4..];
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v == "chunked");
    let (body, complete) = if chunked {
        dechunk(rest)
    } else {
        let len =
            headers.iter().find(|(n, _)| n == "content-length").map(|(_, v)| v.parse().unwrap());
        match len {
            Some(n) => (rest[..rest.len().min(n)].to_vec(), rest.len() >= n),
            None => (rest.to_vec(), true),
        }
    };
    Response { status, headers, body, complete }
}

/// A chunked body's bytes, and whether its last chunk came.
fn dechunk(mut rest: &[u8]) -> (Vec<u8>, bool) {
    let mut body = Vec::new();
    loop {
        let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") else {
            return (body, false);
        };
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap().trim(), 16);
        let Ok(size) = size else { return (body, false) };
        rest = &rest[eol + 2..];
        if size == 0 {
            return (body, true);
        }
        if rest.len() < size {
            body.extend_from_slice(rest);
            return (body, false);
        }
        body.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or(&[]);
    }
}

/// The proxy component, with `-S cli` (it is a Rust program, which
/// imports `wasi:cli/environment`).
fn proxy(extra: &[&str]) -> Server {
    let mut args = vec!["-S", "cli"];
    args.extend_from_slice(extra);
    args.push(P2_HTTP_SERVER);
    Server::start(&args)
}

#[test]
fn serve_answers_requests() {
    let server = proxy(&[]);
    let r = server.get("/hello");
    assert_eq!((r.status, r.text().as_str()), (200, "Hello, World!\n"));
    assert_eq!(r.header("content-type"), Some("text/plain"));
    assert!(r.header("date").is_some(), "{r:?}");
    let r = server.get("/status/418");
    assert_eq!((r.status, r.body.len(), r.complete), (418, 0, true));
    let r = server.get("/nothing");
    assert_eq!((r.status, r.text().as_str()), (404, "not found\n"));
    // A body of declared length, in many writes.
    let r = server.get("/big/300000");
    assert_eq!(r.header("content-length"), Some("300000"));
    assert!(r.complete);
    assert!(r.body.iter().enumerate().all(|(i, b)| *b == b'a' + (i % 26) as u8));
    assert_eq!(r.body.len(), 300_000);
    // Trailers are dropped on the wire without a `trailer` header (hyper).
    let r = server.get("/trailers");
    assert_eq!((r.text().as_str(), r.complete), ("body before trailers\n", true));
}

#[test]
fn serve_streams_request_bodies_back() {
    let server = proxy(&[]);
    let data: Vec<u8> = (0..1_500_000u32).map(|i| (i % 249) as u8).collect();
    let r = request(
        server.addr,
        "POST",
        "/echo?x=1",
        &[("content-type", "application/x-test")],
        Some(&data),
    );
    assert_eq!(r.status, 200);
    assert!(r.complete);
    assert_eq!(r.body.len(), data.len());
    assert!(r.body == data);
    assert_eq!(r.header("x-method"), Some("POST"));
    assert_eq!(r.header("x-path"), Some("/echo?x=1"));
    assert_eq!(r.header("x-scheme"), Some("http"));
    assert_eq!(r.header("x-authority"), Some(server.addr.to_string().as_str()));
    assert_eq!(r.header("content-type"), Some("application/x-test"));
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    let r = request(server.addr, "PURGE", "/echo", &[], None);
    assert_eq!((r.status, r.header("x-method"), r.body.len()), (200, Some("PURGE"), 0));
}

#[test]
fn serve_shows_requests_as_wasmtime_does() {
    // The forbidden headers (host, connection) are not shown; `-H`
    // replaces what the client sent.
    let server = proxy(&["-H", "x-injected: from the command line", "-H", "x-custom: 2"]);
    let r = request(
        server.addr,
        "GET",
        "/headers",
        &[("X-Custom", "1"), ("User-Agent", "test"), ("Keep-Alive", "5")],
        None,
    );
    assert_eq!(r.text(), "user-agent: test\nx-custom: 2\nx-injected: from the command line\n");
    let r = server.get("/fields");
    assert_eq!(r.text(), golden("p2_http_fields.txt"));
}

#[test]
fn serve_failures_get_the_error_page() {
    let server = proxy(&[]);
    for (path, log) in [
        ("/error", "error: ErrorCode::HttpRequestDenied\n"),
        ("/no-response", "error: guest never invoked `response-outparam::set` method\n"),
        (
            "/trap",
            "wasm trap: wasm `unreachable` instruction executed\n\nerror: guest never invoked `response-outparam::set` method\n",
        ),
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 500, "{path}");
        assert_eq!(r.text(), ERROR_PAGE, "{path}");
        assert_eq!(r.header("content-type"), Some("text/html; charset=UTF-8"));
        let err = server.wait_for(&server.stderr, log);
        assert!(err.contains(log), "{path}: {err}");
    }
    let err = server.stderr.lock().unwrap().clone();
    assert!(err.contains("worker failed: error while executing at wasm backtrace:"), "{err}");
    assert!(err.contains(":: trapping before a response\n"), "{err}");
    // A trap after the response started ends its body where it was.
    let r = server.get("/trap-after");
    assert_eq!((r.status, r.text().as_str()), (200, "partial"));
    // Fewer bytes than the declared length: the response fails.
    let r = request_raw(server.addr, "/length-mismatch");
    assert!(r.as_ref().is_none_or(|r| !r.complete), "{r:?}");
    let err = server.wait_for(&server.stderr, "HttpResponseBodySize");
    assert!(err.contains(":: finish: Err(ErrorCode::HttpResponseBodySize(Some(3)))\n"), "{err}");
}

/// A response, or `None` when the connection closed before any.
fn request_raw(addr: SocketAddr, path: &str) -> Option<Response> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    (!raw.is_empty()).then(|| parse_response(&raw))
}

#[test]
fn serve_prefixes_each_instances_output() {
    let server = proxy(&[]);
    assert_eq!(server.get("/hello").status, 200);
    assert_eq!(server.get("/log").text(), "logged\n");
    // The second request is the second instance (ids count from 0).
    let out = server.wait_for(&server.stdout, "line two\n");
    assert_eq!(out, "stdout [1] :: line one\nstdout [1] :: line two\n");
    let err = server.wait_for(&server.stderr, "to stderr");
    assert!(err.contains("\nstderr [1] :: to stderr\n"), "{err}");
    let server = proxy(&["--no-logging-prefix"]);
    assert_eq!(server.get("/log").status, 200);
    assert_eq!(server.wait_for(&server.stdout, "line two\n"), "line one\nline two\n");
}

fn wazi_output(args: &[&str]) -> Output {
    let start = Instant::now();
    let out = wazi().args(args).stdin(Stdio::null()).output().unwrap();
    assert!(start.elapsed() < Duration::from_secs(120));
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Before its response is sent nothing drains a body, so the guest sees
/// exactly how much `check-write` lets it buffer: one write of the chunk
/// size per free slot of `buffer-chunks + 1`. The transcripts are what
/// `wasmtime serve -Scli` prints for the same guest and flags.
#[test]
fn serve_buffers_outgoing_bodies_as_wasmtime() {
    for (flags, permits, len) in [
        (&[][..], "stdout [0] :: permits: 1048576 1048576 0\n", 2 << 20),
        (
            &[
                "-S",
                "http-outgoing-body-chunk-size=1000",
                "-S",
                "http-outgoing-body-buffer-chunks=3",
            ][..],
            "stdout [0] :: permits: 1000 1000 1000 1000 0\n",
            4000,
        ),
    ] {
        let server = proxy(flags);
        let r = server.get("/permits");
        assert_eq!((r.status, r.body.len()), (200, len), "{flags:?}");
        assert!(r.body.iter().all(|&b| b == b'x'));
        assert_eq!(server.wait_for(&server.stdout, "permits:"), permits, "{flags:?}");
    }
    // wasmtime 48 takes 0 and panics on the first body; wazi refuses it.
    for key in ["http-outgoing-body-buffer-chunks=0", "http-outgoing-body-chunk-size=0"] {
        let out = wazi_output(&[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "-S",
            "cli",
            "-S",
            key,
            P2_HTTP_SERVER,
        ]);
        assert_eq!(out.status.code(), Some(1), "{key}");
        assert!(text(&out.stderr).contains("must be at least 1"), "{}", text(&out.stderr));
    }
}

#[test]
fn serve_needs_a_proxy_component() {
    let out = wazi_output(&["serve", "--addr", "127.0.0.1:0", P2_CLI]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("Error: no exported instance named `wasi:http/incoming-handler@0.2.12`"),
        "{}",
        text(&out.stderr)
    );
    // Without `-S cli`, only the proxy world's imports are there.
    let out = wazi_output(&["serve", "--addr", "127.0.0.1:0", P2_HTTP_SERVER]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "component imports instance `wasi:cli/environment@0.2.12`, but a matching implementation was not found in the linker"
        ),
        "{}",
        text(&out.stderr)
    );
    let out = wazi_output(&["serve", "-S", "http=n", P2_HTTP_SERVER]);
    assert!(text(&out.stderr).contains("wasi-http is required for the serve command"));
}

fn client(args: &[&str]) -> String {
    let mut all = vec!["run", "-S", "http", P2_HTTP_CLIENT];
    all.extend_from_slice(args);
    let out = wazi_output(&all);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn client_requests_through_outgoing_handler() {
    let server = proxy(&[]);
    let base = format!("http://{}", server.addr);
    assert_eq!(
        client(&["GET", &format!("{base}/hello")]),
        "status 200\ncontent-type: text/plain\nHello, World!\nno trailers\n"
    );
    assert_eq!(
        client(&["HEAD", &format!("{base}/hello")]),
        "status 200\ncontent-type: text/plain\nno trailers\n"
    );
    // Request bodies stream while the request is sent: with a declared
    // length (even sizes) and chunked (odd).
    for (n, checksum) in [(100_000, 2542600531u32), (99_999, 1467492690)] {
        assert_eq!(
            client(&["POST", &format!("{base}/echo"), &n.to_string()]),
            format!(
                "status 200\ncontent-type: application/octet-stream\nx-authority: {}\n\
                 x-method: POST\nx-path: /echo\nx-scheme: http\n<{n} bytes, checksum {checksum}>\n\
                 no trailers\n",
                server.addr
            )
        );
    }
    assert_eq!(
        client(&["GET", &format!("{base}/headers")]),
        "status 200\nx-test: wazi\nno trailers\n"
    );
    // TLS to a plain HTTP server fails its handshake.
    assert_eq!(
        client(&["GET", &format!("https://{}/hello", server.addr)]),
        "response error: ErrorCode::TlsProtocolError\n"
    );
    // No scheme means https.
    assert_eq!(
        client(&["GET", &format!("{}/hello", server.addr)]),
        "response error: ErrorCode::TlsProtocolError\n"
    );
}

#[test]
fn client_errors_are_error_codes() {
    assert_eq!(client(&["options"]), golden("p2_http_options.txt"));
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    assert_eq!(
        client(&["GET", &format!("http://127.0.0.1:{port}/")]),
        "response error: ErrorCode::ConnectionRefused\n"
    );
    // Without `-S http` the imports are missing, as in wasmtime.
    let out = wazi_output(&["run", P2_HTTP_CLIENT, "GET", "http://127.0.0.1:1/"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "component imports instance `wasi:http/types@0.2.12`, but a matching implementation was not found in the linker"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn serve_limits_the_size_of_fields() {
    // `/echo` answers with x-method and x-path fields: within a limit of
    // 1,000 bytes for a short path, past it for a long one (wasmtime counts,
    // and so does wazi, each name and value with its host size).
    let server = proxy(&["-S", "max-http-fields-size=1000"]);
    let r = request(server.addr, "POST", "/echo", &[], Some(b"hi"));
    assert_eq!((r.status, r.text().as_str()), (200, "hi"));
    let long = format!("/echo?{}", "a".repeat(2000));
    let r = request(server.addr, "POST", &long, &[], Some(b"hi"));
    assert_eq!(r.status, 500);
    let err = server.wait_for(&server.stderr, "exceeds limit");
    assert!(err.contains("total size of fields exceeds limit"), "{err}");
    // The default limit lets it through.
    let server = proxy(&[]);
    let r = request(server.addr, "POST", &long, &[], Some(b"hi"));
    assert_eq!(r.status, 200);
}

#[test]
fn client_interoperates_with_python_http_server() {
    let py = PythonServer::start();
    let host = py.base.trim_start_matches("http://");
    let echo = |method: &str, target: &str, body: &str| {
        let body =
            body.replace("REQ", &format!("{method} {target} HTTP/1.1")).replace("HOST", host);
        format!(
            "status 200\ncontent-length: {}\ncontent-type: text/plain\nserver: python-http.server\n{body}no trailers\n",
            body.len()
        )
    };
    // Every transcript here is also what wasmtime 48 prints for the same
    // request (checked by hand). Origin form with the query, a Host header,
    // the guest's own header.
    // A request whose body the guest opened and finished empty goes out
    // chunked, except for GET (hyper's rule, and so wasmtime 48's too).
    let plain = |chunked| {
        format!(
            "request line: REQ\nhost: HOST\nx-test: wazi\nbody: 0 bytes, checksum 0, chunked {chunked}\nrequest trailers: []\n"
        )
    };
    for (method, chunked) in
        [("GET", "False"), ("DELETE", "True"), ("OPTIONS", "True"), ("PURGE", "True")]
    {
        assert_eq!(
            client(&[method, &format!("{}/echo?a=1&b=two%20words", py.base)]),
            echo(method, "/echo?a=1&b=two%20words", &plain(chunked)),
            "{method}"
        );
    }
    assert_eq!(client(&["GET", &py.base]), echo("GET", "/", &plain("False")));
    // Request bodies: a declared length (even sizes), chunked (odd), with a
    // trailer the request declared, and a large one each way.
    for (method, n, extra, chunked, trailers) in [
        ("POST", 10usize, "", "False", "[]".to_string()),
        ("PUT", 11, "", "True", "[]".to_string()),
        ("PATCH", 2_000_001, "", "True", "[]".to_string()),
        ("POST", 2_000_000, "", "False", "[]".to_string()),
        (
            "POST",
            12_345,
            "trailer",
            "True",
            format!("['x-checksum: {}']", pattern_checksum(12_345)),
        ),
    ] {
        let body = format!(
            "request line: REQ\nhost: HOST\nx-test: wazi\nbody: {n} bytes, checksum {}, chunked {chunked}\nrequest trailers: {trailers}\n",
            pattern_checksum(n)
        );
        let mut args = vec![method.to_string(), format!("{}/upload", py.base), n.to_string()];
        if !extra.is_empty() {
            args.push(extra.into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(client(&args), echo(method, "/upload", &body), "{method} {n} {extra}");
    }
    // Large response bodies, with a length and chunked (with a trailer).
    let n = 3_000_000;
    assert_eq!(
        client(&["GET", &format!("{}/big?n={n}", py.base)]),
        format!(
            "status 200\ncontent-length: {n}\ncontent-type: application/octet-stream\nserver: python-http.server\n<{n} bytes, checksum {}>\nno trailers\n",
            pattern_checksum(n)
        )
    );
    let out = client(&["GET", &format!("{}/chunked?n={n}", py.base)]);
    let sum = pattern_checksum(n);
    let sum_bytes: Vec<u8> = sum.to_string().into_bytes();
    assert_eq!(
        out,
        format!(
            "status 200\nserver: python-http.server\ntrailer: x-checksum\n<{n} bytes, checksum {sum}>\ntrailers: [(\"x-checksum\", {sum_bytes:?})]\n"
        )
    );
    // Status codes come through as sent, with and without bodies.
    for status in [201, 204, 301, 404, 418, 500, 503] {
        let out = client(&["GET", &format!("{}/status/{status}", py.base)]);
        let expected = if status == 204 {
            "status 204\nserver: python-http.server\nno trailers\n".to_string()
        } else {
            format!(
                "status {status}\ncontent-length: 11\nserver: python-http.server\nstatus {status}\nno trailers\n"
            )
        };
        assert_eq!(out, expected);
    }
}

#[test]
fn serve_closes_slow_and_malformed_connections() {
    let server = proxy(&["--header-timeout", "1s"]);
    // A client that never finishes its request head is cut off after the
    // header timeout, and others are served meanwhile.
    let mut slow = TcpStream::connect(server.addr).unwrap();
    slow.write_all(b"GET /hello HTTP/1.1\r\nhost: x\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let start = Instant::now();
    assert_eq!(server.get("/hello").status, 200);
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    let waited = start.elapsed();
    assert!(rest.is_empty() && waited < Duration::from_secs(15), "{rest:?} after {waited:?}");
    // Garbage gets 400 and the connection closes; the server goes on.
    let mut bad = TcpStream::connect(server.addr).unwrap();
    bad.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    bad.write_all(b"NOT HTTP AT ALL\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    let _ = bad.read_to_end(&mut raw);
    assert_eq!(parse_response(&raw).status, 400);
    assert_eq!(server.get("/hello").status, 200);
    // Neither is reported as a server error.
    assert!(!server.stderr.lock().unwrap().contains("error:"), "{}", server.stderr.lock().unwrap());
}

/// A `POST /echo` of 10 bytes with only the first 5 (`hello`) sent, once
/// the guest has echoed them: its instance is running.
struct HalfSentEcho {
    stream: TcpStream,
    head: Vec<u8>,
}

impl HalfSentEcho {
    fn start(addr: SocketAddr) -> HalfSentEcho {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        stream
            .write_all(
                b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\nconnection: close\r\n\r\nhello",
            )
            .unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(5).any(|w| w == b"hello") {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0, "{}", String::from_utf8_lossy(&head));
            head.extend_from_slice(&buf[..n]);
        }
        HalfSentEcho { stream, head }
    }

    /// Sends the other 5 bytes (`world`) and reads the whole response.
    fn finish(mut self) -> Response {
        self.stream.write_all(b"world").unwrap();
        let _ = self.stream.read_to_end(&mut self.head);
        parse_response(&self.head)
    }
}

#[test]
fn serve_drains_in_flight_requests_on_sigterm() {
    let mut server = proxy(&[]);
    // An idle keep-alive connection, and a request whose body is half sent.
    let mut idle = TcpStream::connect(server.addr).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    idle.write_all(b"GET /hello HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
    let mut buf = [0u8; 4096];
    let mut got = Vec::new();
    while !got.ends_with(b"0\r\n\r\n") {
        let n = idle.read(&mut buf).unwrap();
        assert!(n > 0, "{}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    let busy = HalfSentEcho::start(server.addr);
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    // The idle connection closes at once.
    assert_eq!(idle.read(&mut buf).unwrap_or(0), 0);
    // The busy one completes.
    let r = busy.finish();
    assert_eq!((r.status, r.text().as_str(), r.complete), (200, "helloworld", true));
    // Then the server exits by itself, successfully.
    let start = Instant::now();
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn serve_load_mix_keeps_serving() {
    // scripts/serve-load.py at a small size: normal requests among
    // trapping, looping, allocating and oversized ones all get their
    // answers, and the server's memory stays flat.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/serve-load.py");
    let mut child = Command::new("python3")
        .arg(script)
        .args(["--wazi", env!("CARGO_BIN_EXE_wazi"), "--component", P2_HTTP_SERVER])
        .args(["--requests", "600", "--concurrency", "6", "--deadline", "120"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("the load test did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}{}", text(&out.stderr));
    assert!(report.contains("normal requests: 420 ok"), "{report}");
}

#[test]
fn wasi_0_2_requests_each_get_a_new_instance() {
    // As in wasmtime 48: one instance per request. The next one is made
    // before its request comes (on the thread of the last), in memory
    // used before: its statics must still start at zero.
    let server = proxy(&[]);
    let seen: Vec<String> = (0..4).map(|_| server.get("/instance").text()).collect();
    let want: Vec<String> = (0..4).map(|i| format!("instance {i} request 1\n")).collect();
    assert_eq!(seen, want);
    // A client that waits between requests finds the same.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(server.get("/instance").text(), "instance 4 request 1\n");
}

#[test]
fn serve_timeout_counts_from_the_request() {
    // An instance made ahead of its request would have spent its time
    // waiting for it: with `-W timeout` instances are made when requests
    // come, so one after a pause longer than the timeout still runs.
    let server = proxy(&["-W", "timeout=400ms", "--idle-instance-timeout", "10s"]);
    assert_eq!(server.get("/hello").text(), "Hello, World!\n");
    std::thread::sleep(Duration::from_millis(1000));
    let r = server.get("/hello");
    assert_eq!((r.status, r.text().as_str()), (200, "Hello, World!\n"));
    // The timeout still holds within a request.
    assert_eq!(server.get("/loop").status, 500);
}

#[test]
fn serve_runs_at_most_max_instances_at_once() {
    // Idle instances are kept long: a request waiting for an instance
    // must not wait for one to go idle (the thread of a finished instance
    // goes on as the next, with its permit).
    let server = proxy(&["--max-instances", "1", "--idle-instance-timeout", "60s"]);
    // The one instance is busy echoing a body that is half sent.
    let busy = HalfSentEcho::start(server.addr);
    let mut buf = [0u8; 4096];
    // Another request waits for it.
    let mut waiting = TcpStream::connect(server.addr).unwrap();
    waiting.write_all(b"GET /hello HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").unwrap();
    waiting.set_read_timeout(Some(Duration::from_millis(700))).unwrap();
    let early = waiting.read(&mut buf);
    assert!(early.is_err(), "answered while the only instance was busy: {early:?}");
    // Once the first finishes, the second runs.
    assert_eq!(busy.finish().text(), "helloworld");
    waiting.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut raw = Vec::new();
    let _ = waiting.read_to_end(&mut raw);
    let r = parse_response(&raw);
    assert_eq!((r.status, r.text().as_str()), (200, "Hello, World!\n"));
}

/// The WASI 0.3 service (`wasi:http/handler@0.3`), with `-S cli` (a Rust
/// program imports `wasi:cli/environment@0.2`, under wasmtime 48 too).
fn service(extra: &[&str]) -> Server {
    let mut args = vec!["-S", "cli"];
    args.extend_from_slice(extra);
    args.push(P3_HTTP_SERVICE);
    Server::start(&args)
}

#[test]
fn serve_answers_with_wasi_0_3_services() {
    // Each answer here is what wasmtime 48 serve gives the same request
    // (checked side by side).
    let server = service(&[]);
    let r = server.get("/hello");
    assert_eq!((r.status, r.text().as_str()), (200, "Hello from a WASI 0.3 service!\n"));
    assert_eq!(r.header("x-wazi"), Some("p3"));
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    let r = server.get("/nowhere");
    assert_eq!((r.status, r.text().as_str()), (404, "not found: /nowhere\n"));
    // Written by a guest task after `handle` returned, then trailers.
    let r = server.get("/stream?300");
    assert!(r.complete, "{r:?}");
    assert_eq!(r.body.len(), 300_000);
    assert!(
        r.body.chunks(1000).enumerate().all(|(i, c)| c.iter().all(|&b| b == b'a' + (i % 26) as u8))
    );
    // The guest reads the whole request body, then answers.
    let r = request(server.addr, "POST", "/upper", &[], Some(b"make me loud"));
    assert_eq!((r.status, r.text().as_str()), (200, "MAKE ME LOUD"));
    assert_eq!(r.header("content-length"), Some("12"));
    // The request's own stream handed back as the response's.
    let data: Vec<u8> = (0..1_500_000u32).map(|i| (i % 249) as u8).collect();
    let r = request(server.addr, "POST", "/echo", &[], Some(&data));
    assert_eq!(r.status, 200);
    assert!(r.complete && r.body == data, "{} of {} bytes", r.body.len(), data.len());
    // Passed on unread, the body keeps its declared length, as in wasmtime.
    assert_eq!(r.header("content-length"), Some("1500000"));
    let r =
        request(server.addr, "GET", "/headers", &[("x-one", "1"), ("connection", "close")], None);
    assert_eq!(r.text(), "x-one: 1\n");
    let r = server.get("/sleep?20");
    assert_eq!(r.text(), "slept\n");
    // A body dropped unread still has its trailers future resolve.
    let r = request(server.addr, "POST", "/unread", &[], Some(&data[..100_000]));
    assert_eq!((r.status, r.text().as_str()), (200, "trailers: none\n"));
    // An error code and a trap get the error page; the server goes on.
    let r = server.get("/denied");
    assert_eq!((r.status, r.text().as_str()), (500, ERROR_PAGE));
    let err = server.wait_for(&server.stderr, "HttpRequestDenied");
    assert!(err.contains("error: ErrorCode::HttpRequestDenied"), "{err}");
    let r = server.get("/trap");
    assert_eq!((r.status, r.text().as_str()), (500, ERROR_PAGE));
    // The worker's report and the request's come from two threads.
    server.wait_for(&server.stderr, "wasm trap");
    let err = server.wait_for(&server.stderr, "worker trapped or panicked");
    assert!(err.contains("the guest traps") && err.contains("worker trapped or panicked"), "{err}");
    assert_eq!(server.get("/hello").status, 200);
}

#[test]
fn wasi_0_3_services_send_requests_with_the_client() {
    let py = PythonServer::start();
    let host = py.base.trim_start_matches("http://");
    let server = service(&[]);
    let sum = |s: &str| s.bytes().map(u64::from).sum::<u64>();
    let r = server.get(&format!("/fetch?{host}/status/201"));
    let body = "status 201\n";
    assert_eq!(
        r.text(),
        format!("fetched 201, 11 bytes, sum {}, trailers none\n{body}", sum(body))
    );
    // A chunked body with a trailer, through the guest's stream and future.
    let n = 200_000;
    let total: u64 = (0..n).map(|i| (i % 251) as u64).sum();
    let r = server.get(&format!("/fetch?{host}/chunked?n={n}"));
    assert_eq!(
        r.text(),
        format!(
            "fetched 200, {n} bytes, sum {total}, trailers x-checksum={}\n",
            pattern_checksum(n)
        )
    );
    // The service calling itself.
    let r = server.get(&format!("/fetch?{}/hello", server.addr));
    let hello = "Hello from a WASI 0.3 service!\n";
    assert_eq!(
        r.text(),
        format!("fetched 200, 31 bytes, sum {}, trailers none\n{hello}", sum(hello))
    );
    // Nobody listening: the guest gets `connection-refused` and returns it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let r = server.get(&format!("/fetch?{closed}/"));
    assert_eq!(r.status, 500);
    let err = server.wait_for(&server.stderr, "ConnectionRefused");
    assert!(err.contains("error: ErrorCode::ConnectionRefused"), "{err}");
}

#[test]
fn wasi_0_3_services_serve_concurrent_requests() {
    let server = service(&[]);
    let addr = server.addr;
    let handles: Vec<_> = (0..24)
        .map(|i| {
            std::thread::spawn(move || {
                let path = match i % 3 {
                    0 => "/sleep?30".to_string(),
                    1 => "/stream?50".to_string(),
                    _ => "/hello".to_string(),
                };
                let r = request(addr, "GET", &path, &[], None);
                (i, r.status, r.complete, r.body.len())
            })
        })
        .collect();
    for h in handles {
        let (i, status, complete, len) = h.join().unwrap();
        let want = [6, 50_000, 31][i % 3];
        assert_eq!((status, complete, len), (200, true, want), "request {i}");
    }
}

#[test]
fn wasi_0_3_instances_serve_many_requests_as_wasmtime() {
    // One after the other: the same instance (wasmtime 48 reuses a WASI
    // 0.3 instance for up to 128 requests).
    let server = service(&[]);
    for n in 1..=3 {
        assert_eq!(server.get("/instance").text(), format!("instance 0 request {n}\n"));
    }
    drop(server);
    let server = service(&["--max-instance-reuse-count", "2"]);
    let seen: Vec<String> = (0..3).map(|_| server.get("/instance").text()).collect();
    assert_eq!(
        seen,
        ["instance 0 request 1\n", "instance 0 request 2\n", "instance 1 request 1\n"]
    );
    drop(server);
    // At once: one instance takes them all (up to 16), or one each. Each
    // request sleeps 1.5 s, so that all four are under way at once even
    // when the machine is busy (a finished one would free its instance).
    for (flags, want) in [(vec![], 1), (vec!["--max-instance-concurrent-reuse-count", "1"], 4)] {
        let server = service(&flags);
        let addr = server.addr;
        let answers: Vec<String> = (0..4)
            .map(|_| std::thread::spawn(move || request(addr, "GET", "/instance?1500", &[], None)))
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap().text())
            .collect();
        let instances: std::collections::BTreeSet<&str> =
            answers.iter().map(|a| a.split(' ').nth(1).unwrap()).collect();
        assert_eq!(instances.len(), want, "{flags:?}: {answers:?}");
    }
}

#[test]
fn wasi_0_3_slow_client_does_not_stall_its_instance() {
    // A client that asks for 20 MB and reads none of it: the guest's writes
    // wait for room, while the same instance answers the others.
    let server = service(&[]);
    let mut slow = TcpStream::connect(server.addr).unwrap();
    slow.write_all(b"GET /stream?20000 HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    for _ in 0..3 {
        let r = server.get("/instance");
        assert_eq!(r.status, 200);
        assert!(r.text().starts_with("instance 0 request"), "{}", r.text());
    }
    // The slow response is still whole once read.
    slow.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut got = 0usize;
    let mut buf = vec![0; 1 << 16];
    let start = Instant::now();
    while got < 20_000_000 && start.elapsed() < Duration::from_secs(60) {
        match slow.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    assert!(got > 20_000_000, "read {got} bytes");
}

#[test]
fn wasi_0_3_commands_fetch_with_the_client() {
    // `wazi run -S http` gives a WASI 0.3 command `wasi:http/client`; the
    // transcripts are wasmtime 48's for the same commands.
    let py = PythonServer::start();
    let host = py.base.trim_start_matches("http://");
    let fetch =
        |path: &str| text(&wazi_output(&["run", "-S", "http", P3_HTTP_CLIENT, host, path]).stdout);
    assert_eq!(fetch("/status/201"), "status 201, 11 bytes, trailers Ok(false)\n");
    assert_eq!(fetch("/chunked?n=100000"), "status 200, 100000 bytes, trailers Ok(true)\n");
    assert_eq!(fetch("/big?n=300000"), "status 200, 300000 bytes, trailers Ok(false)\n");
    // Without `-S http` the import is missing, named as wasmtime names it.
    let out = wazi_output(&["run", P3_HTTP_CLIENT, host, "/"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "component imports instance `wasi:http/types@0.3.2`, but a matching implementation was not found in the linker"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn wasi_0_3_echo_waiting_for_the_body_sleeps() {
    // `/echo` hands the request's body stream (and trailers) back as the
    // response's: while the client sends nothing more, the instance's
    // event loop sleeps until the body's pipe wakes it, where it asked
    // again every millisecond (882 wake-ups in this second).
    let server = service(&[]);
    let mut c = TcpStream::connect(server.addr).unwrap();
    c.write_all(
        b"POST /echo HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let before = support::context_switches(server.child.id());
    std::thread::sleep(Duration::from_secs(1));
    let during = support::context_switches(server.child.id()) - before;
    c.write_all(b"6\r\n world\r\n0\r\n\r\n").unwrap();
    c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut got = Vec::new();
    let mut buf = [0; 4096];
    while !got.ends_with(b"0\r\n\r\n") {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&got);
    assert!(text.ends_with("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), "{text}");
    assert!(during < 100, "{during} wake-ups in a second of waiting for the body");
}
