//! `wazi serve`: an HTTP/1.1 server (hyper on tokio) that hands each
//! request to a new instance of a `wasi:http/proxy` component, through its
//! `wasi:http/incoming-handler` export, as `wasmtime serve` does.

use super::body::{Pipe, PipeBody, pump};
use super::types::*;
use crate::p2::GetCtx;
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use wazi::Store;
use wazi::component::{Component, InstancePre, Linker, Resource};

/// How `wazi serve` listens and what it does to requests.
pub struct ServeOptions {
    /// Where to listen (`--addr`).
    pub addr: SocketAddr,
    /// Headers set on every request before the guest sees it (`-H`): they
    /// replace whatever the client sent under the same names.
    pub headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// How long a client may take to send a request's head (and an idle
    /// connection may wait for the next one) before it is closed, so that
    /// slow clients cannot hold connections open.
    pub header_timeout: std::time::Duration,
    /// How many instances may run at once; further requests wait for one
    /// to finish.
    pub max_instances: usize,
}

/// What the server shares between requests.
struct Shared<T: 'static> {
    /// The component, its imports resolved once.
    pre: InstancePre<T>,
    get: GetCtx<T>,
    /// `wasi:http/incoming-handler@0.2.x` or `wasi:http/handler@0.3.x`,
    /// as the component names it.
    export: String,
    /// The export is WASI 0.3's.
    p3: bool,
    new_store: Box<dyn Fn(u64) -> Result<Store<T>> + Send + Sync>,
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
    next_instance: AtomicU64,
    /// Permits for running instances.
    instances: Arc<tokio::sync::Semaphore>,
}

type Body = BoxBody<Bytes, ErrorCode>;

/// The page every failed request gets, as `wasmtime serve` sends it.
const ERROR_PAGE: &str = "<!doctype html>
<html>
<head>
    <title>500 Internal Server Error</title>
</head>
<body>
    <center>
        <h1>500 Internal Server Error</h1>
        <hr>
        wasmtime
    </center>
</body>
</html>";

/// Serves HTTP on `opts.addr` until interrupted (ctrl-c). Each request
/// runs `component`'s `wasi:http/incoming-handler` in a new store from
/// `new_store(instance_id)` (ids count from 0), instantiated through
/// `linker`; `get` finds the WASI context in the store's data.
pub fn serve<T: 'static>(
    component: Component,
    linker: Linker<T>,
    get: GetCtx<T>,
    opts: ServeOptions,
    new_store: impl Fn(u64) -> Result<Store<T>> + Send + Sync + 'static,
) -> Result<()>
where
    InstancePre<T>: Send + Sync,
{
    let p3 = component
        .export_names()
        .find(|n| n.strip_prefix("wasi:http/handler@").is_some_and(|v| v.starts_with("0.3.")));
    let p2 = component.export_names().find(|n| {
        n.strip_prefix("wasi:http/incoming-handler@").is_some_and(|v| v.starts_with("0.2."))
    });
    let export = p2.or(p3).map(str::to_string).with_context(|| {
        format!("no exported instance named `wasi:http/incoming-handler@{}`", crate::p2::VERSION)
    })?;
    let shared = Arc::new(Shared {
        pre: linker.instantiate_pre(&component)?,
        get,
        p3: p2.is_none(),
        export,
        new_store: Box::new(new_store),
        headers: opts.headers,
        next_instance: AtomicU64::new(0),
        instances: Arc::new(tokio::sync::Semaphore::new(opts.max_instances.max(1))),
    });
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(accept_loop(shared, opts.addr, opts.header_timeout))
}

/// Resolves at the first SIGINT (ctrl-c) or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

async fn accept_loop<T: 'static>(
    shared: Arc<Shared<T>>,
    addr: SocketAddr,
    header_timeout: std::time::Duration,
) -> Result<()>
where
    InstancePre<T>: Send + Sync,
{
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr).with_context(|| format!("failed to bind to address '{addr}'"))?;
    let listener = socket.listen(100)?;
    eprintln!("Serving HTTP on http://{}/", listener.local_addr()?);
    let active = Arc::new(AtomicUsize::new(0));
    let idle = Arc::new(tokio::sync::Notify::new());
    // Raised at shutdown: every connection finishes the request it is
    // serving, if any, and closes.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stop = shutdown_signal();
    tokio::pin!(stop);
    loop {
        let (stream, _) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {e}");
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let (active, idle) = (active.clone(), idle.clone());
        let mut stop_rx = stop_rx.clone();
        active.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(shared, req).await) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(io, service);
            tokio::pin!(conn);
            let r = tokio::select! {
                r = conn.as_mut() => r,
                _ = async { stop_rx.wait_for(|stop| *stop).await.is_ok() } => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            // Malformed requests and slow clients end their connection
            // (hyper answers the former with 400); neither is the server's
            // error.
            if let Err(e) = r
                && !e.is_parse()
                && !e.is_timeout()
                && !e.is_incomplete_message()
            {
                eprintln!("error: {e:?}");
            }
            if active.fetch_sub(1, Ordering::SeqCst) == 1 {
                idle.notify_waiters();
            }
        });
    }
    // Graceful shutdown: idle connections close, busy ones finish their
    // request, unless interrupted again.
    let _ = stop_tx.send(true);
    if active.load(Ordering::SeqCst) > 0 {
        eprintln!("Waiting for child tasks to exit, ctrl-c again to quit sooner...");
        tokio::select! {
            _ = async {
                while active.load(Ordering::SeqCst) > 0 {
                    let wait = idle.notified();
                    if active.load(Ordering::SeqCst) == 0 {
                        break;
                    }
                    wait.await;
                }
            } => {}
            _ = shutdown_signal() => {}
        }
    }
    Ok(())
}

fn error_page() -> http::Response<Body> {
    let mut resp = http::Response::new(
        http_body_util::Full::new(Bytes::from_static(ERROR_PAGE.as_bytes()))
            .map_err(|never| match never {})
            .boxed(),
    );
    *resp.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    resp
}

/// One request: the guest's response, or the error page (the reason goes
/// to standard error).
async fn handle<T: 'static>(
    shared: Arc<Shared<T>>,
    req: http::Request<hyper::body::Incoming>,
) -> http::Response<Body>
where
    InstancePre<T>: Send + Sync,
{
    match respond(shared, req).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e:?}");
            error_page()
        }
    }
}

async fn respond<T: 'static>(
    shared: Arc<Shared<T>>,
    req: http::Request<hyper::body::Incoming>,
) -> Result<http::Response<Body>>
where
    InstancePre<T>: Send + Sync,
{
    let (mut parts, body) = req.into_parts();
    for (name, _) in &shared.headers {
        parts.headers.remove(name);
    }
    for (name, value) in &shared.headers {
        parts.headers.append(name.clone(), value.clone());
    }
    let authority = match parts.uri.authority() {
        Some(a) => a.to_string(),
        None => match parts.headers.get(http::header::HOST).map(|h| h.to_str()) {
            Some(Ok(h)) => h.to_string(),
            _ => bail!("invalid HTTP request missing authority in URI and host header"),
        },
    };
    let pipe = Pipe::incoming()?;
    tokio::spawn(pump(body, pipe.clone(), None));
    let request = IncomingRequest {
        method: method_of(&parts.method),
        scheme: Some(Scheme::Http),
        authority: Some(authority),
        path_with_query: parts.uri.path_and_query().map(|p| p.to_string()),
        headers: super::fields::from_wire(parts.headers),
        body: Some(pipe),
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    // The instance runs once there is room for it, and gives the room back
    // when its handler returns.
    let permit = shared.instances.clone().acquire_owned().await?;
    let worker = {
        let shared = shared.clone();
        tokio::task::spawn_blocking(move || {
            let r = run_guest(&shared, request, tx);
            drop(permit);
            r
        })
    };
    match rx.await {
        Ok(Ok((parts, body))) => {
            let body = match body {
                Some(pipe) => PipeBody::new(pipe).boxed(),
                None => http_body_util::Empty::new().map_err(|never| match never {}).boxed(),
            };
            Ok(http::Response::from_parts(parts, body))
        }
        Ok(Err(code)) => bail!("ErrorCode::{code:?}"),
        Err(_) => {
            let never_set = "guest never invoked `response-outparam::set` method";
            match worker.await {
                Ok(Ok(())) | Ok(Err(GuestError::Call)) => bail!(never_set),
                Ok(Err(GuestError::Instantiate(e))) => Err(e.context("instantiation error")),
                Ok(Err(GuestError::Failed(e))) => {
                    // As wasmtime 48 reports a failed WASI 0.3 instance.
                    eprintln!("error: worker trapped or panicked");
                    eprintln!("worker failed: {e:?}");
                    Ok(error_page())
                }
                Err(e) => bail!("worker trapped or panicked: {e}"),
            }
        }
    }
}

enum GuestError {
    Instantiate(anyhow::Error),
    /// The handler failed (reported when it did).
    Call,
    /// A WASI 0.3 instance failed (reported with the request's error).
    Failed(anyhow::Error),
}

/// Instantiates the component in a new store and calls its handler with
/// `request` and an outparam that answers through `tx`.
fn run_guest<T: 'static>(
    shared: &Shared<T>,
    request: IncomingRequest,
    tx: tokio::sync::oneshot::Sender<ResponseResult>,
) -> Result<(), GuestError>
where
    InstancePre<T>: Send + Sync,
{
    let id = shared.next_instance.fetch_add(1, Ordering::SeqCst);
    let mut store = (shared.new_store)(id).map_err(GuestError::Instantiate)?;
    let instance = shared.pre.instantiate(&mut store).map_err(GuestError::Instantiate)?;
    if shared.p3 {
        let r = crate::p3::handle_request(
            &mut store,
            &instance,
            &shared.export,
            shared.get,
            request,
            tx,
        );
        return r.map_err(GuestError::Failed);
    }
    let mut lookup = || -> Result<_> {
        let iface = instance
            .get_export_index(&mut store, None, &shared.export)
            .with_context(|| format!("no export `{}`", shared.export))?;
        let handle = instance
            .get_export_index(&mut store, Some(&iface), "handle")
            .with_context(|| format!("`{}` has no `handle` function", shared.export))?;
        instance.get_typed_func::<(Resource<IncomingRequest>, Resource<ResponseOutparam>), ()>(
            &mut store, &handle,
        )
    };
    let handle = lookup().map_err(GuestError::Instantiate)?;
    let ctx = (shared.get)(store.data_mut());
    let push = |ctx: &mut crate::WasiCtx| -> Result<_> {
        Ok((ctx.table.push(request)?, ctx.table.push(ResponseOutparam { tx })?))
    };
    let (req, out) = push(ctx).map_err(GuestError::Instantiate)?;
    // A failure is reported while the store (and so the outparam) is
    // still alive: before the missing response is.
    if let Err(e) = handle.call(&mut store, (req, out)) {
        eprintln!("worker failed: {e:?}\n");
        return Err(GuestError::Call);
    }
    Ok(())
}

fn method_of(m: &http::Method) -> Method {
    match *m {
        http::Method::GET => Method::Get,
        http::Method::HEAD => Method::Head,
        http::Method::POST => Method::Post,
        http::Method::PUT => Method::Put,
        http::Method::DELETE => Method::Delete,
        http::Method::CONNECT => Method::Connect,
        http::Method::OPTIONS => Method::Options,
        http::Method::TRACE => Method::Trace,
        http::Method::PATCH => Method::Patch,
        _ => Method::Other(m.as_str().to_string()),
    }
}
