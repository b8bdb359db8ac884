//! A `wasi:http/proxy` component for `wazi serve`: what it answers depends
//! on the request path.
//!
//! - `/hello`: 200, `Hello, World!`;
//! - `/echo`: the request body back, with `x-method`, `x-path` and the
//!   request's `content-type`, streamed as it is read;
//! - `/headers`: the request headers, sorted, one `name: value` per line;
//! - `/status/N`: an empty response with status N;
//! - `/big/N`: N bytes of a repeating alphabet, in 4 KiB writes;
//! - `/trailers`: a body followed by trailers;
//! - `/length-mismatch`: declares `content-length: 10` and writes 3 bytes;
//! - `/permits`: before sending the response (so nothing drains its body),
//!   writes what `check-write` permits until it permits nothing, prints
//!   the permits, then sends the response with those bytes;
//! - `/log`: prints to stdout and stderr, then answers `logged`;
//! - `/error`: sets the response to an `error-code`;
//! - `/no-response`: returns without setting the response;
//! - `/trap`: panics before responding;
//! - `/trap-after`: sends the head and part of the body, then panics;
//! - `/loop`: never returns (for `-W timeout`);
//! - `/grow`: allocates without end (for `-W max-memory-size`);
//! - `/fetch?URL`: requests URL through `wasi:http/outgoing-handler` and
//!   answers with its status and body;
//! - `/instance`: `instance ID request N`: its `INSTANCE_ID` and how many
//!   requests this instance was given (a static in zeroed memory);
//! - `/fields`: exercises `fields` (validation, immutability) and answers
//!   with a transcript.
//! - anything else: 404.

use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, IncomingRequest, Method, OutgoingBody, OutgoingRequest, OutgoingResponse,
    ResponseOutparam, Scheme,
};
use wasip2::io::streams::StreamError;

struct Handler;

wasip2::http::proxy::export!(Handler);

fn main() {}

fn respond(out: ResponseOutparam, status: u16, headers: &[(&str, &str)], body: &[u8]) {
    let fields = Fields::new();
    for (n, v) in headers {
        fields.append(n, v.as_bytes()).unwrap();
    }
    let resp = OutgoingResponse::new(fields);
    resp.set_status_code(status).unwrap();
    let b = resp.body().unwrap();
    ResponseOutparam::set(out, Ok(resp));
    write_all(&b, body);
    OutgoingBody::finish(b, None).unwrap();
}

fn write_all(body: &OutgoingBody, data: &[u8]) {
    let stream = body.write().unwrap();
    for chunk in data.chunks(4096) {
        stream.blocking_write_and_flush(chunk).unwrap();
    }
}

fn read_all(req_body: &wasip2::http::types::IncomingBody) -> Vec<u8> {
    let stream = req_body.stream().unwrap();
    let mut all = Vec::new();
    loop {
        match stream.blocking_read(65536) {
            Ok(b) => all.extend(b),
            Err(StreamError::Closed) => break,
            Err(e) => panic!("read failed: {e:?}"),
        }
    }
    all
}

fn method_name(m: &Method) -> String {
    match m {
        Method::Get => "GET".into(),
        Method::Head => "HEAD".into(),
        Method::Post => "POST".into(),
        Method::Put => "PUT".into(),
        Method::Delete => "DELETE".into(),
        Method::Connect => "CONNECT".into(),
        Method::Options => "OPTIONS".into(),
        Method::Trace => "TRACE".into(),
        Method::Patch => "PATCH".into(),
        Method::Other(s) => s.clone(),
    }
}

/// Requests this instance has been given.
static REQUESTS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

impl wasip2::exports::http::incoming_handler::Guest for Handler {
    fn handle(req: IncomingRequest, out: ResponseOutparam) {
        let path = req.path_with_query().unwrap_or_default();
        let (route, query) = path.split_once('?').unwrap_or((&path, ""));
        let segments: Vec<&str> = route.trim_start_matches('/').split('/').collect();
        match segments.as_slice() {
            ["hello"] => respond(out, 200, &[("content-type", "text/plain")], b"Hello, World!\n"),
            ["echo"] => {
                let headers = req.headers();
                let ct = headers.get("content-type");
                drop(headers);
                let fields = Fields::new();
                fields.append("x-method", method_name(&req.method()).as_bytes()).unwrap();
                fields.append("x-path", path.as_bytes()).unwrap();
                let scheme = match req.scheme() {
                    Some(Scheme::Http) => "http".to_string(),
                    Some(Scheme::Https) => "https".to_string(),
                    Some(Scheme::Other(s)) => s,
                    None => "none".to_string(),
                };
                fields.append("x-scheme", scheme.as_bytes()).unwrap();
                fields
                    .append("x-authority", req.authority().unwrap_or_default().as_bytes())
                    .unwrap();
                for v in ct {
                    fields.append("content-type", &v).unwrap();
                }
                let resp = OutgoingResponse::new(fields);
                let body = resp.body().unwrap();
                ResponseOutparam::set(out, Ok(resp));
                let req_body = req.consume().unwrap();
                {
                    let input = req_body.stream().unwrap();
                    let output = body.write().unwrap();
                    loop {
                        match input.blocking_read(16384) {
                            Ok(b) => output.blocking_write_and_flush_all(&b),
                            Err(StreamError::Closed) => break,
                            Err(e) => panic!("read failed: {e:?}"),
                        }
                    }
                }
                OutgoingBody::finish(body, None).unwrap();
            }
            ["headers"] => {
                let mut lines: Vec<String> = req
                    .headers()
                    .entries()
                    .into_iter()
                    .map(|(n, v)| format!("{n}: {}", String::from_utf8_lossy(&v)))
                    .collect();
                lines.sort();
                let mut text = lines.join("\n");
                text.push('\n');
                respond(out, 200, &[], text.as_bytes());
            }
            ["status", n] => respond(out, n.parse().unwrap(), &[], b""),
            ["big", n] => {
                let n: usize = n.parse().unwrap();
                let data: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
                respond(out, 200, &[("content-length", &n.to_string())], &data);
            }
            ["trailers"] => {
                let resp = OutgoingResponse::new(Fields::new());
                let body = resp.body().unwrap();
                ResponseOutparam::set(out, Ok(resp));
                write_all(&body, b"body before trailers\n");
                let trailers =
                    Fields::from_list(&[("x-checksum".into(), b"abc".to_vec())]).unwrap();
                OutgoingBody::finish(body, Some(trailers)).unwrap();
            }
            ["length-mismatch"] => {
                let fields =
                    Fields::from_list(&[("content-length".into(), b"10".to_vec())]).unwrap();
                let resp = OutgoingResponse::new(fields);
                let body = resp.body().unwrap();
                ResponseOutparam::set(out, Ok(resp));
                write_all(&body, b"abc");
                let r = OutgoingBody::finish(body, None);
                // One write, so the line stays whole among the server's.
                let line = format!("finish: {r:?}\n");
                eprint!("{line}");
            }
            ["permits"] => {
                let resp = OutgoingResponse::new(Fields::new());
                let body = resp.body().unwrap();
                let stream = body.write().unwrap();
                let mut permits = Vec::new();
                for _ in 0..64 {
                    let n = stream.check_write().unwrap();
                    permits.push(n.to_string());
                    if n == 0 {
                        break;
                    }
                    stream.write(&vec![b'x'; n as usize]).unwrap();
                }
                // One write, so the line stays whole among the server's.
                print!("{}", format!("permits: {}\n", permits.join(" ")));
                drop(stream);
                ResponseOutparam::set(out, Ok(resp));
                OutgoingBody::finish(body, None).unwrap();
            }
            ["log"] => {
                println!("line one");
                println!("line two");
                eprintln!("to stderr");
                respond(out, 200, &[], b"logged\n");
            }
            ["error"] => ResponseOutparam::set(out, Err(ErrorCode::HttpRequestDenied)),
            ["no-response"] => {}
            ["trap"] => panic!("trapping before a response"),
            ["loop"] => {
                // Spins until the host's time limit stops it.
                let mut n = 0u64;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            ["grow"] => {
                // Allocates until the host's memory limit stops it.
                let mut blocks = Vec::new();
                loop {
                    blocks.push(std::hint::black_box(vec![1u8; 1 << 20]));
                }
            }
            ["trap-after"] => {
                let resp = OutgoingResponse::new(Fields::new());
                let body = resp.body().unwrap();
                ResponseOutparam::set(out, Ok(resp));
                write_all(&body, b"partial");
                panic!("trapping mid-body");
            }
            ["fetch"] => {
                let text = fetch(query);
                respond(out, 200, &[], text.as_bytes());
            }
            ["instance"] => {
                let n = REQUESTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                let id = wasip2::cli::environment::get_environment()
                    .into_iter()
                    .find(|(k, _)| k == "INSTANCE_ID")
                    .map_or("?".to_string(), |(_, v)| v);
                respond(out, 200, &[], format!("instance {id} request {n}\n").as_bytes())
            }
            ["fields"] => {
                let text = fields_transcript(&req);
                respond(out, 200, &[], text.as_bytes());
            }
            _ => respond(out, 404, &[], b"not found\n"),
        }
    }
}

trait WriteAll {
    fn blocking_write_and_flush_all(&self, data: &[u8]);
}

impl WriteAll for wasip2::io::streams::OutputStream {
    fn blocking_write_and_flush_all(&self, data: &[u8]) {
        for chunk in data.chunks(4096) {
            self.blocking_write_and_flush(chunk).unwrap();
        }
    }
}

/// `http://host:port/path` -> a request's parts.
fn fetch(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let req = OutgoingRequest::new(Fields::new());
    req.set_scheme(Some(&if scheme == "https" { Scheme::Https } else { Scheme::Http })).unwrap();
    req.set_authority(Some(authority)).unwrap();
    req.set_path_with_query(Some(path)).unwrap();
    let future = match outgoing_handler::handle(req, None) {
        Ok(f) => f,
        Err(e) => return format!("handle error: {e:?}\n"),
    };
    future.subscribe().block();
    let resp = match future.get().unwrap().unwrap() {
        Ok(r) => r,
        Err(e) => return format!("response error: {e:?}\n"),
    };
    let status = resp.status();
    let body = resp.consume().unwrap();
    let data = read_all(&body);
    drop(body);
    format!("status {status}\n{}", String::from_utf8_lossy(&data))
}

fn fields_transcript(req: &IncomingRequest) -> String {
    let mut t = String::new();
    let f = Fields::new();
    t += &format!("append ok: {:?}\n", f.append("x-a", b"1"));
    t += &format!("append again: {:?}\n", f.append("X-A", b"2"));
    t += &format!("get x-a: {:?}\n", f.get("x-a"));
    t += &format!("has X-a: {}\n", f.has("X-a"));
    t += &format!("bad name: {:?}\n", f.append("bad name", b"v"));
    t += &format!("bad value: {:?}\n", f.append("x-b", b"a\nb"));
    for forbidden in ["connection", "Host", "transfer-encoding", "keep-alive", "upgrade"] {
        t += &format!("forbidden {forbidden}: {:?}\n", f.append(forbidden, b"x"));
    }
    t += &format!("set: {:?}\n", f.set("x-a", &[b"3".to_vec(), b"4".to_vec()]));
    t += &format!("entries: {:?}\n", f.entries());
    t += &format!("delete: {:?}\n", f.delete("x-a"));
    t += &format!("get deleted: {:?}\n", f.get("x-a"));
    let from = Fields::from_list(&[("a".into(), b"1".to_vec()), ("b".into(), b"2".to_vec())]);
    t += &format!("from-list: {:?}\n", from.map(|f| f.entries()));
    let bad = Fields::from_list(&[("connection".into(), b"close".to_vec())]);
    t += &format!("from-list forbidden: {:?}\n", bad.map(|_| ()));
    let bad = Fields::from_list(&[("a b".into(), b"1".to_vec())]);
    t += &format!("from-list bad name: {:?}\n", bad.map(|_| ()));
    let headers = req.headers();
    t += &format!("request headers append: {:?}\n", headers.append("x-new", b"1"));
    t += &format!("request headers delete: {:?}\n", headers.delete("user-agent"));
    let copy = headers.clone();
    t += &format!("clone append: {:?}\n", copy.append("x-new", b"1"));
    drop(headers);
    let resp = OutgoingResponse::new(Fields::new());
    let rh = resp.headers();
    t += &format!("response headers append: {:?}\n", rh.append("x-late", b"1"));
    drop(rh);
    t += &format!("status 99: {:?}\n", resp.set_status_code(99));
    t += &format!("status 1000: {:?}\n", resp.set_status_code(1000));
    t += &format!("status default: {}\n", resp.status_code());
    t += &format!("body once: {:?}\n", resp.body().map(|_| ()));
    t += &format!("body twice: {:?}\n", resp.body().map(|_| ()));
    let oreq = OutgoingRequest::new(Fields::new());
    t += &format!("request method: {:?}\n", oreq.method());
    t += &format!("request scheme: {:?}\n", oreq.scheme());
    t += &format!("request authority: {:?}\n", oreq.authority());
    t += &format!("request path: {:?}\n", oreq.path_with_query());
    t += &format!("set bad method: {:?}\n", oreq.set_method(&Method::Other("bad method".into())));
    t += &format!("set other method: {:?}\n", oreq.set_method(&Method::Other("PURGE".into())));
    t += &format!("set bad authority: {:?}\n", oreq.set_authority(Some("bad authority")));
    t += &format!("set bad path: {:?}\n", oreq.set_path_with_query(Some("bad path")));
    t += &format!(
        "set bad scheme: {:?}\n",
        oreq.set_scheme(Some(&Scheme::Other("bad scheme".into())))
    );
    t += &format!("set other scheme: {:?}\n", oreq.set_scheme(Some(&Scheme::Other("ftp".into()))));
    let oh = oreq.headers();
    t += &format!("request headers append: {:?}\n", oh.append("x-late", b"1"));
    t
}
