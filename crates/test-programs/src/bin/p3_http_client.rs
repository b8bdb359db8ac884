//! A WASI 0.3 command that sends a request through `wasi:http/client`
//! (`wazi run -S http`): `p3_http_client HOST:PORT PATH` GETs
//! `http://HOST:PORT/PATH` and prints the status, the body's length and
//! whether trailers came, or the error code.

#![no_main]

use wasip3::cli::{environment, stdout};
use wasip3::http::types::{Fields, Method, Request, Response, Scheme};
use wasip3::{wit_future, wit_stream};

wasip3::cli::command::export!(Client);

struct Client;

async fn print(s: String) {
    let (mut tx, rx) = wit_stream::new();
    let done = stdout::write_via_stream(rx);
    assert!(tx.write_all(s.into_bytes()).await.is_empty());
    drop(tx);
    done.await.expect("the host wrote the stream");
}

impl wasip3::exports::cli::run::Guest for Client {
    async fn run() -> Result<(), ()> {
        let args = environment::get_arguments();
        let authority = args.get(1).cloned().unwrap_or_default();
        let path = args.get(2).cloned().unwrap_or_else(|| "/".into());
        let (_, trailers) = wit_future::new(|| Ok(None));
        let (req, _sent) = Request::new(Fields::new(), None, trailers, None);
        req.set_method(&Method::Get).expect("method");
        req.set_scheme(Some(&Scheme::Http)).expect("scheme");
        req.set_authority(Some(&authority)).expect("authority");
        req.set_path_with_query(Some(&path)).expect("path");
        match wasip3::http::client::send(req).await {
            Ok(resp) => {
                let status = resp.get_status_code();
                let (res_tx, res_rx) = wit_future::new(|| Ok(()));
                let (body, trailers) = Response::consume_body(resp, res_rx);
                let bytes = body.collect().await;
                let trailers = trailers.await.map(|t| t.is_some());
                drop(res_tx);
                print(format!("status {status}, {} bytes, trailers {trailers:?}\n", bytes.len()))
                    .await
            }
            Err(e) => print(format!("error {e:?}\n")).await,
        }
        Ok(())
    }
}
