//! `wazi serve`: an HTTP/1.1 server (hyper on tokio) that hands each
//! request to a new instance of a `wasi:http/proxy` component, through its
//! `wasi:http/incoming-handler` export, as `wasmtime serve` does.

use super::body::{End, Pipe, PipeBody, pump};
use super::pool::{GuestError, Instances, Job, PoolConfig};
use super::types::*;
use crate::GetCtx;
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use wazi::Store;
use wazi::component::{
    Component, ConcurrentCall, Func, Instance, InstancePre, Linker, Resource, Val,
};

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
    /// How many requests one instance serves in all (`None`: 1 for WASI
    /// 0.2 components, 128 for WASI 0.3 ones, as in wasmtime 48).
    pub max_instance_reuse_count: Option<usize>,
    /// How many requests one instance serves at once (`None`: 16 for
    /// WASI 0.3 components; WASI 0.2 ones always serve one at a time).
    pub max_instance_concurrent_reuse_count: Option<usize>,
    /// How long an idle instance is kept for further requests.
    pub idle_instance_timeout: std::time::Duration,
    /// Whether the next instance is instantiated before a request needs
    /// it (when no running instance could take another request), so that
    /// requests do not wait for instantiation. Its store is made then: a
    /// deadline set by `new_store` starts counting before the request.
    pub prestart_instances: bool,
    /// How many requests are handled at once; more wait.
    pub max_concurrent_requests: usize,
    /// How many connections are open at once; more wait to be accepted.
    pub max_concurrent_connections: usize,
    /// Connecting here shuts the server down gracefully, as ctrl-c does.
    pub shutdown_addr: Option<SocketAddr>,
}

/// What serving needs of the WASI surfaces, which the core does not name
/// (`crate::serve` knows both).
pub(crate) struct Surfaces<T: 'static> {
    /// The version WASI 0.2's interfaces are defined at.
    pub(crate) p2_version: &'static str,
    pub(crate) p3: P3Handler<T>,
}

/// WASI 0.3's side of serving a `wasi:http/handler` export.
pub(crate) struct P3Handler<T: 'static> {
    /// The `handle` function of the export.
    pub(crate) handler: fn(&mut Store<T>, &Instance, &str) -> Result<Func>,
    /// Starts `handle` on a request.
    pub(crate) start:
        fn(&mut Store<T>, &Func, GetCtx<T>, IncomingRequest) -> Result<ConcurrentCall>,
    pub(crate) answer: Answer<T>,
}

/// Sends what `handle` returned (to the sender); for a response whose body
/// is being sent, what says when it is.
pub(crate) type Answer<T> = fn(
    &mut Store<T>,
    GetCtx<T>,
    Option<Val>,
    tokio::sync::oneshot::Sender<ResponseResult>,
) -> Result<Option<Sent>>;

/// Says whether a response's body is sent (or its client gone).
pub(crate) type Sent = Box<dyn Fn() -> bool + Send>;

/// What the server shares between requests.
struct Shared<T: 'static> {
    instances: Arc<Instances<T>>,
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// Permits for requests being handled (`--max-concurrent-requests`).
    requests: Arc<tokio::sync::Semaphore>,
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
pub(crate) fn serve<T: 'static>(
    component: Component,
    linker: Linker<T>,
    get: GetCtx<T>,
    opts: ServeOptions,
    new_store: impl Fn(u64) -> Result<Store<T>> + Send + Sync + 'static,
    surfaces: Surfaces<T>,
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
        format!("no exported instance named `wasi:http/incoming-handler@{}`", surfaces.p2_version)
    })?;
    let p3 = p2.is_none();
    let config = PoolConfig {
        reuse: opts.max_instance_reuse_count.unwrap_or(if p3 { 128 } else { 1 }).max(1),
        concurrent: if p3 {
            opts.max_instance_concurrent_reuse_count.unwrap_or(16).max(1)
        } else {
            1
        },
        idle: opts.idle_instance_timeout,
        prestart: opts.prestart_instances,
    };
    let instances = Instances::new(
        linker.instantiate_pre(&component)?,
        get,
        export,
        p3.then_some(surfaces.p3),
        Box::new(new_store),
        config,
        opts.max_instances,
    );
    let shared = Arc::new(Shared {
        instances: Arc::new(instances),
        headers: opts.headers,
        requests: Arc::new(tokio::sync::Semaphore::new(opts.max_concurrent_requests.max(1))),
    });
    // Guests run on instance threads of their own; the runtime's threads
    // only move requests and responses, and each thread more is one more
    // to wake per request: half the cores (one on two) do.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads((cores / 2).max(1))
        .enable_all()
        .build()?;
    let limits = Connections {
        header_timeout: opts.header_timeout,
        max: opts.max_concurrent_connections.max(1),
        shutdown_addr: opts.shutdown_addr,
    };
    let r = rt.block_on(accept_loop(shared, opts.addr, limits));
    // Connections are drained by now; an instance still running (a guest
    // that never finishes, after a second ctrl-c) does not hold the exit
    // (dropping the runtime would wait for its thread).
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    r
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

/// What bounds the server's connections.
struct Connections {
    header_timeout: std::time::Duration,
    /// Connections open at once.
    max: usize,
    shutdown_addr: Option<SocketAddr>,
}

/// Resolves at the first SIGINT, SIGTERM or connection to `addr`.
async fn stop_requested(addr: Option<tokio::net::TcpListener>) {
    match addr {
        Some(l) => tokio::select! {
            _ = shutdown_signal() => {}
            _ = l.accept() => {}
        },
        None => shutdown_signal().await,
    }
}

async fn accept_loop<T: 'static>(
    shared: Arc<Shared<T>>,
    addr: SocketAddr,
    limits: Connections,
) -> Result<()>
where
    InstancePre<T>: Send + Sync,
{
    let header_timeout = limits.header_timeout;
    let shutdown = match limits.shutdown_addr {
        Some(a) => {
            let l = tokio::net::TcpListener::bind(a)
                .await
                .with_context(|| format!("failed to bind to address '{a}'"))?;
            eprintln!("Listening for shutdown on tcp://{}/", l.local_addr()?);
            Some(l)
        }
        None => None,
    };
    let connections = Arc::new(tokio::sync::Semaphore::new(limits.max));
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
    let stop = stop_requested(shutdown);
    tokio::pin!(stop);
    loop {
        let (permit, (stream, _)) = tokio::select! {
            r = async {
                let permit = connections.clone().acquire_owned().await?;
                Ok::<_, anyhow::Error>((permit, listener.accept().await?))
            } => match r {
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
            drop(permit);
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
    let pipe = Pipe::incoming();
    if http_body::Body::is_end_stream(&body) {
        // No body (most GETs): no task to copy it, which would wake
        // another worker thread.
        pipe.finish(End::Done(None));
    } else {
        tokio::spawn(pump(body, pipe.clone(), None));
    }
    let request = IncomingRequest {
        method: method_of(&parts.method),
        scheme: Some(Scheme::Http),
        authority: Some(authority),
        path_with_query: parts.uri.path_and_query().map(|p| p.to_string()),
        headers: super::fields::from_wire(parts.headers),
        body: Some(pipe),
    };
    // Until the response head is in, the request holds a permit.
    let _permit = shared.requests.clone().acquire_owned().await?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (failed, failed_rx) = tokio::sync::oneshot::channel();
    shared.instances.dispatch(Job { request, tx, failed }).await;
    match rx.await {
        Ok(Ok((parts, body))) => {
            let body = match body {
                Some(pipe) => PipeBody::new(pipe).boxed(),
                None => http_body_util::Empty::new().map_err(|never| match never {}).boxed(),
            };
            Ok(http::Response::from_parts(parts, body))
        }
        Ok(Err(code)) => bail!("ErrorCode::{code:?}"),
        Err(_) => match failed_rx.await {
            Ok(GuestError::Instantiate(e)) => Err(e.context("instantiation error")),
            Ok(GuestError::Failed) => bail!("worker trapped or panicked"),
            Ok(GuestError::Call) | Err(_) if shared.instances.p3.is_none() => {
                bail!("guest never invoked `response-outparam::set` method")
            }
            Ok(GuestError::Call) | Err(_) => bail!("worker trapped or panicked"),
        },
    }
}

/// Calls a WASI 0.2 instance's handler with `request` and an outparam
/// that answers through `tx`.
pub(super) fn run_p2<T: 'static>(
    store: &mut Store<T>,
    instance: &wazi::component::Instance,
    export: &str,
    get: GetCtx<T>,
    request: IncomingRequest,
    tx: tokio::sync::oneshot::Sender<ResponseResult>,
) -> Result<(), GuestError> {
    let mut lookup = || -> Result<_> {
        let handle = crate::ctx::export_func(store, instance, export, "handle")?;
        instance.get_typed_func::<(Resource<IncomingRequest>, Resource<ResponseOutparam>), ()>(
            &mut *store,
            &handle,
        )
    };
    let handle = lookup().map_err(GuestError::Instantiate)?;
    let tx = Arc::new(std::sync::Mutex::new(Some(tx)));
    let ctx = get(store.data_mut());
    let push = |ctx: &mut crate::WasiCtx| -> Result<_> {
        Ok((ctx.table.push(request)?, ctx.table.push(ResponseOutparam { tx: tx.clone() })?))
    };
    let (req, out) = push(ctx).map_err(GuestError::Instantiate)?;
    // A failure is reported while the store (and so the outparam) is
    // still alive: before the missing response is.
    let r = handle.call(&mut *store, (req, out));
    // An instance serving further requests keeps its store: a response
    // never set is missing now.
    tx.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Err(e) = r {
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
