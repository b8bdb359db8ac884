//! A `wasi:http/outgoing-handler` client (`wazi run -S http`):
//! `p2_http_client METHOD URL [BODY_BYTES [trailer]]` sends the request
//! (with a body of BODY_BYTES bytes, streamed in 4 KiB writes, when given,
//! and an `x-checksum` trailer after it with `trailer`) and prints
//! the status, the response headers (sorted, without `date`) and the body.
//! Errors are printed, not panicked on.
//!
//! `p2_http_client options`: prints what `request-options` and an
//! `outgoing-request` hold after a series of changes.

use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    Fields, IncomingBody, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use wasip2::io::streams::StreamError;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("options") {
        options();
        return;
    }
    let method = match args[1].as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "HEAD" => Method::Head,
        other => Method::Other(other.to_string()),
    };
    let url = &args[2];
    let body_len: Option<usize> = args.get(3).map(|n| n.parse().unwrap());
    let with_trailer = args.get(4).map(String::as_str) == Some("trailer");
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url.as_str()),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let headers = Fields::new();
    headers.append("x-test", b"wazi").unwrap();
    if let Some(n) = body_len {
        headers.append("content-type", b"application/octet-stream").unwrap();
        if n % 2 == 0 {
            // Even sizes declare their length; odd ones are chunked.
            headers.append("content-length", n.to_string().as_bytes()).unwrap();
        }
    }
    if with_trailer {
        // HTTP/1.1 senders declare the trailers they will send.
        headers.append("trailer", b"x-checksum").unwrap();
    }
    let req = OutgoingRequest::new(headers);
    req.set_method(&method).unwrap();
    match scheme {
        Some("http") => req.set_scheme(Some(&Scheme::Http)).unwrap(),
        Some("https") => req.set_scheme(Some(&Scheme::Https)).unwrap(),
        Some(other) => req.set_scheme(Some(&Scheme::Other(other.into()))).unwrap(),
        None => {}
    }
    req.set_authority(Some(authority)).unwrap();
    req.set_path_with_query(Some(path)).unwrap();
    let body = req.body().unwrap();
    let opts = RequestOptions::new();
    opts.set_connect_timeout(Some(5_000_000_000)).unwrap();
    let future = match outgoing_handler::handle(req, Some(opts)) {
        Ok(f) => f,
        Err(e) => {
            println!("handle error: {e:?}");
            return;
        }
    };
    // The body streams after `handle`, as the request is being sent.
    let mut trailers = None;
    if let Some(n) = body_len {
        let data: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
        if with_trailer {
            let t = Fields::new();
            t.append("x-checksum", checksum(&data).to_string().as_bytes()).unwrap();
            trailers = Some(t);
        }
        let stream = body.write().unwrap();
        for chunk in data.chunks(4096) {
            if let Err(e) = stream.blocking_write_and_flush(chunk) {
                println!("write error: {e:?}");
                break;
            }
        }
        drop(stream);
    }
    if let Err(e) = OutgoingBody::finish(body, trailers) {
        println!("finish error: {e:?}");
    }
    future.subscribe().block();
    let resp = match future.get().unwrap().unwrap() {
        Ok(r) => r,
        Err(e) => {
            println!("response error: {e:?}");
            return;
        }
    };
    println!("status {}", resp.status());
    let mut headers: Vec<String> = resp
        .headers()
        .entries()
        .into_iter()
        .filter(|(n, _)| n != "date")
        .map(|(n, v)| format!("{n}: {}", String::from_utf8_lossy(&v)))
        .collect();
    headers.sort();
    for h in headers {
        println!("{h}");
    }
    let body = resp.consume().unwrap();
    let data = read_all(&body);
    match String::from_utf8(data.clone()) {
        Ok(text) if text.len() < 2000 => print!("{text}"),
        _ => println!("<{} bytes, checksum {}>", data.len(), checksum(&data)),
    }
    let trailers = IncomingBody::finish(body);
    trailers.subscribe().block();
    match trailers.get() {
        Some(Ok(Ok(Some(t)))) => println!("trailers: {:?}", t.entries()),
        Some(Ok(Ok(None))) => println!("no trailers"),
        other => println!("trailers: {other:?}"),
    }
}

fn read_all(body: &IncomingBody) -> Vec<u8> {
    let stream = body.stream().unwrap();
    let mut all = Vec::new();
    loop {
        match stream.blocking_read(65536) {
            Ok(b) => all.extend(b),
            Err(StreamError::Closed) => break,
            Err(e) => {
                println!("read error: {e:?}");
                break;
            }
        }
    }
    all
}

fn checksum(data: &[u8]) -> u32 {
    data.iter().fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(*b as u32))
}

fn options() {
    let o = RequestOptions::new();
    println!("connect default: {:?}", o.connect_timeout());
    println!("set connect: {:?}", o.set_connect_timeout(Some(1_000)));
    println!("connect: {:?}", o.connect_timeout());
    println!("set first-byte: {:?}", o.set_first_byte_timeout(Some(2_000)));
    println!("first-byte: {:?}", o.first_byte_timeout());
    println!("set between-bytes: {:?}", o.set_between_bytes_timeout(None));
    println!("between-bytes: {:?}", o.between_bytes_timeout());
    let req = OutgoingRequest::new(Fields::new());
    println!("body once: {:?}", req.body().map(|_| ()));
    println!("body twice: {:?}", req.body().map(|_| ()));
    // A request without an authority or path fails at once.
    let no_authority = OutgoingRequest::new(Fields::new());
    no_authority.set_scheme(Some(&Scheme::Http)).unwrap();
    no_authority.set_path_with_query(Some("/")).unwrap();
    println!("no authority: {:?}", outgoing_handler::handle(no_authority, None).map(|_| ()));
    let no_path = OutgoingRequest::new(Fields::new());
    no_path.set_scheme(Some(&Scheme::Http)).unwrap();
    no_path.set_authority(Some("localhost:1")).unwrap();
    println!("no path: {:?}", outgoing_handler::handle(no_path, None).map(|_| ()));
    let other_scheme = OutgoingRequest::new(Fields::new());
    other_scheme.set_scheme(Some(&Scheme::Other("ftp".into()))).unwrap();
    other_scheme.set_authority(Some("localhost:1")).unwrap();
    other_scheme.set_path_with_query(Some("/")).unwrap();
    println!("ftp: {:?}", outgoing_handler::handle(other_scheme, None).map(|_| ()));
}
