//! A WASI 0.3 HTTP service (`wasi:http/handler@0.3`, an `async` export
//! lifted by wit-bindgen), answering by path:
//!
//! - `/hello`: `Hello from a WASI 0.3 service!` with header `x-wazi: p3`;
//! - `/echo`: the request's own body stream and trailers, passed back
//!   untouched as the response's (the host moves the bytes itself);
//! - `/unread`: drops the request's body stream unread, then awaits its
//!   trailers and answers `trailers: none` (or what came);
//! - `/upper`: reads the whole request body, answers it in upper case
//!   with a `content-length`;
//! - `/stream?N`: N chunks of 1000 bytes, written by a task of the guest
//!   after `handle` has returned, then trailers `x-chunks: N`;
//! - `/sleep?MS`: waits MS milliseconds (a clock wait), then answers
//!   `slept`;
//! - `/fetch?AUTHORITY/PATH`: sends `GET http://AUTHORITY/PATH` with
//!   `wasi:http/client` and answers `fetched STATUS, N bytes, sum S,
//!   trailers T` and, for a short body, the body;
//! - `/headers`: the request's headers, sorted, one `name: value` a line;
//! - `/instance?MS`: waits MS milliseconds, then answers `instance ID
//!   request N`: its `INSTANCE_ID` and how many requests it was given;
//! - `/denied`: returns `error-code.HTTP-request-denied`;
//! - `/trap`: panics;
//! - otherwise 404 `not found: PATH`.

#![no_main]

use wasip3::http::types::{ErrorCode, Fields, Method, Request, Response, Scheme};
use wasip3::{wit_bindgen, wit_future, wit_stream};

wasip3::http::service::export!(Service);

struct Service;

/// Requests this instance has been given.
static REQUESTS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A response with `body` (and `headers`), its trailers none.
fn respond(status: u16, headers: Vec<(String, Vec<u8>)>, body: Vec<u8>) -> Response {
    let headers = Fields::from_list(&headers).expect("valid headers");
    let (mut tx, rx) = wit_stream::new();
    let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
    let (response, _sent) = Response::new(headers, Some(rx), trailers_rx);
    let _ = response.set_status_code(status);
    drop(trailers_tx);
    wit_bindgen::spawn_local(async move {
        let rest = tx.write_all(body).await;
        assert!(rest.is_empty());
    });
    response
}

impl wasip3::exports::http::handler::Guest for Service {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let pq = request.get_path_with_query().unwrap_or_default();
        let (path, query) = pq.split_once('?').unwrap_or((&pq, ""));
        match path {
            "/hello" => Ok(respond(
                200,
                vec![("x-wazi".into(), b"p3".to_vec())],
                b"Hello from a WASI 0.3 service!\n".to_vec(),
            )),
            "/echo" => {
                let headers = Fields::new();
                let (res_tx, res_rx) = wit_future::new(|| Ok(()));
                let (body, trailers) = Request::consume_body(request, res_rx);
                drop(res_tx);
                let (response, _sent) = Response::new(headers, Some(body), trailers);
                Ok(response)
            }
            "/unread" => {
                // Drops the body stream unread, then awaits the trailers.
                let (res_tx, res_rx) = wit_future::new(|| Ok(()));
                let (body, trailers) = Request::consume_body(request, res_rx);
                drop(body);
                let t = match trailers.await {
                    Ok(Some(_)) => "some".to_string(),
                    Ok(None) => "none".to_string(),
                    Err(e) => format!("{e:?}"),
                };
                drop(res_tx);
                Ok(respond(200, vec![], format!("trailers: {t}\n").into_bytes()))
            }
            "/upper" => {
                let (res_tx, res_rx) = wit_future::new(|| Ok(()));
                let (body, trailers) = Request::consume_body(request, res_rx);
                let bytes = body.collect().await;
                let _ = trailers.await;
                drop(res_tx);
                let len = bytes.len().to_string().into_bytes();
                Ok(respond(200, vec![("content-length".into(), len)], bytes.to_ascii_uppercase()))
            }
            "/stream" => {
                let n: usize = query.parse().unwrap_or(1);
                let (mut tx, rx) = wit_stream::new();
                let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
                let (response, _sent) = Response::new(Fields::new(), Some(rx), trailers_rx);
                wit_bindgen::spawn_local(async move {
                    for i in 0..n {
                        let chunk = vec![b'a' + (i % 26) as u8; 1000];
                        let rest = tx.write_all(chunk).await;
                        assert!(rest.is_empty());
                    }
                    drop(tx);
                    let trailers =
                        Fields::from_list(&[("x-chunks".into(), n.to_string().into_bytes())])
                            .expect("valid trailers");
                    trailers_tx.write(Ok(Some(trailers))).await.expect("trailers read");
                });
                Ok(response)
            }
            "/sleep" => {
                let ms: u64 = query.parse().unwrap_or(0);
                wasip3::clocks::monotonic_clock::wait_for(ms * 1_000_000).await;
                Ok(respond(200, vec![], b"slept\n".to_vec()))
            }
            "/fetch" => {
                let (authority, path) = query.split_once('/').unwrap_or((query, ""));
                let (_, trailers) = wit_future::new(|| Ok(None));
                let (req, _sent) = Request::new(Fields::new(), None, trailers, None);
                req.set_method(&Method::Get).expect("method");
                req.set_scheme(Some(&Scheme::Http)).expect("scheme");
                req.set_authority(Some(authority)).expect("authority");
                req.set_path_with_query(Some(&format!("/{path}"))).expect("path");
                let resp = wasip3::http::client::send(req).await?;
                let status = resp.get_status_code();
                let (res_tx, res_rx) = wit_future::new(|| Ok(()));
                let (body, trailers) = Response::consume_body(resp, res_rx);
                let bytes = body.collect().await;
                let trailers = match trailers.await {
                    Ok(Some(t)) => t
                        .copy_all()
                        .into_iter()
                        .map(|(n, v)| format!("{n}={}", String::from_utf8_lossy(&v)))
                        .collect::<Vec<_>>()
                        .join(","),
                    Ok(None) => "none".into(),
                    Err(e) => format!("error {e:?}"),
                };
                drop(res_tx);
                let sum: u64 = bytes.iter().map(|&b| b as u64).sum();
                let mut out = format!(
                    "fetched {status}, {} bytes, sum {sum}, trailers {trailers}\n",
                    bytes.len()
                );
                if bytes.len() < 100 {
                    out.push_str(&String::from_utf8_lossy(&bytes));
                }
                Ok(respond(200, vec![], out.into_bytes()))
            }
            "/headers" => {
                let mut lines: Vec<String> = request
                    .get_headers()
                    .copy_all()
                    .into_iter()
                    .map(|(n, v)| format!("{n}: {}\n", String::from_utf8_lossy(&v)))
                    .collect();
                lines.sort();
                Ok(respond(200, vec![], lines.concat().into_bytes()))
            }
            "/instance" => {
                let n = REQUESTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                let ms: u64 = query.parse().unwrap_or(0);
                wasip3::clocks::monotonic_clock::wait_for(ms * 1_000_000).await;
                let id = wasip3::cli::environment::get_environment()
                    .into_iter()
                    .find(|(k, _)| k == "INSTANCE_ID")
                    .map_or("?".to_string(), |(_, v)| v);
                Ok(respond(200, vec![], format!("instance {id} request {n}\n").into_bytes()))
            }
            "/denied" => Err(ErrorCode::HttpRequestDenied),
            "/trap" => panic!("the guest traps"),
            _ => Ok(respond(404, vec![], format!("not found: {path}\n").into_bytes())),
        }
    }
}
