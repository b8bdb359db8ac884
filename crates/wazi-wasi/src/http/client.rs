//! `wasi:http/outgoing-handler`: requests a guest sends, over hyper's
//! HTTP/1.1 client on tokio (TLS through rustls with the webpki roots).

use super::body::{Pipe, PipeBody, pump};
use super::types::*;
use anyhow::Result;
use bytes::Bytes;
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;

/// How long a connect, the response head, or a body frame may take when
/// the request's options do not say (wasmtime's defaults).
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(600);
const DEFAULT_FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(600);
const DEFAULT_BETWEEN_BYTES_TIMEOUT: Duration = Duration::from_secs(600);

impl From<hyper::Error> for ErrorCode {
    fn from(e: hyper::Error) -> ErrorCode {
        hyper_error(&e)
    }
}

/// The `error-code` for a failure of hyper's: the guest's own code when
/// its body failed, otherwise a protocol error (as wasmtime maps them).
pub(crate) fn hyper_error(e: &hyper::Error) -> ErrorCode {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(code) = s.downcast_ref::<ErrorCode>() {
            return code.clone();
        }
        source = s.source();
    }
    if e.is_timeout() {
        return ErrorCode::HttpResponseTimeout;
    }
    ErrorCode::HttpProtocolError
}

/// The request as hyper takes it, and where to connect.
struct Prepared {
    request: http::Request<BoxBody<Bytes, ErrorCode>>,
    host: String,
    port: u16,
    tls: bool,
}

fn prepare(req: OutgoingRequest) -> Result<Prepared, ErrorCode> {
    let method = match &req.method {
        Method::Get => http::Method::GET,
        Method::Head => http::Method::HEAD,
        Method::Post => http::Method::POST,
        Method::Put => http::Method::PUT,
        Method::Delete => http::Method::DELETE,
        Method::Connect => http::Method::CONNECT,
        Method::Options => http::Method::OPTIONS,
        Method::Trace => http::Method::TRACE,
        Method::Patch => http::Method::PATCH,
        Method::Other(m) => http::Method::from_bytes(m.as_bytes())
            .map_err(|_| ErrorCode::HttpRequestMethodInvalid)?,
    };
    // No scheme means https, as in wasmtime.
    let tls = match &req.scheme {
        Some(Scheme::Http) => false,
        None | Some(Scheme::Https) => true,
        Some(Scheme::Other(_)) => return Err(ErrorCode::HttpProtocolError),
    };
    let authority: http::uri::Authority = req
        .authority
        .as_deref()
        .ok_or(ErrorCode::HttpRequestUriInvalid)?
        .parse()
        .map_err(|_| ErrorCode::HttpRequestUriInvalid)?;
    let port = authority.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_string();
    let path = req.path_with_query.as_deref().ok_or(ErrorCode::HttpProtocolError)?;
    // HTTP/1.1 requests to an origin server name only the path and query
    // (origin form, RFC 9112 3.2.1); the authority goes in `Host`.
    let uri = http::Uri::builder()
        .path_and_query(path)
        .build()
        .map_err(|_| ErrorCode::HttpRequestUriInvalid)?;
    let body: BoxBody<Bytes, ErrorCode> = match req.body {
        Some(pipe) => BoxBody::new(PipeBody::new(pipe)),
        None => BoxBody::new(http_body_util::Empty::new().map_err(|never| match never {})),
    };
    let mut request = http::Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.headers_mut() = req.headers;
    // HTTP/1.1 names the host in a header, which guests may not set: the
    // request's authority, as wasmtime 48 sends it.
    let host_header = http::HeaderValue::from_str(authority.as_str())
        .map_err(|_| ErrorCode::HttpRequestUriInvalid)?;
    request.headers_mut().insert(http::header::HOST, host_header);
    Ok(Prepared { request, host, port, tls })
}

/// Starts `req`: the future resolves to the response head (its body then
/// streams) or to why there is none.
pub(crate) fn send(
    req: OutgoingRequest,
    opts: RequestOptions,
) -> Result<Result<FutureIncomingResponse, ErrorCode>> {
    let prepared = match prepare(req) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let slot: ResponseSlot = Slot::new();
    let done = slot.clone();
    let task = super::runtime().spawn(async move {
        let r = round_trip(prepared, &opts).await;
        done.put(r);
    });
    Ok(Ok(FutureIncomingResponse { slot, task: Some(task) }))
}

async fn round_trip(p: Prepared, opts: &RequestOptions) -> Result<IncomingResponse, ErrorCode> {
    let connect = opts.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    let first_byte = opts.first_byte_timeout.unwrap_or(DEFAULT_FIRST_BYTE_TIMEOUT);
    let between = opts.between_bytes_timeout.unwrap_or(DEFAULT_BETWEEN_BYTES_TIMEOUT);
    let tcp = match tokio::time::timeout(connect, connect_tcp(&p.host, p.port)).await {
        Ok(r) => r?,
        Err(_) => return Err(ErrorCode::ConnectionTimeout),
    };
    let response = if p.tls {
        let stream = match tokio::time::timeout(connect, tls_handshake(tcp, &p.host)).await {
            Ok(r) => r?,
            Err(_) => return Err(ErrorCode::ConnectionTimeout),
        };
        exchange(hyper_util::rt::TokioIo::new(stream), p.request, first_byte).await?
    } else {
        exchange(hyper_util::rt::TokioIo::new(tcp), p.request, first_byte).await?
    };
    let (parts, body) = response.into_parts();
    let pipe = Pipe::incoming();
    tokio::spawn(pump(body, pipe.clone(), Some(between)));
    let headers = super::fields::from_wire(parts.headers);
    Ok(IncomingResponse { status: parts.status.as_u16(), headers, body: Some(pipe) })
}

/// Sends the request on a new HTTP/1.1 connection and waits for the head
/// of the response.
async fn exchange<I>(
    io: I,
    request: http::Request<BoxBody<Bytes, ErrorCode>>,
    first_byte: Duration,
) -> Result<http::Response<hyper::body::Incoming>, ErrorCode>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    match tokio::time::timeout(first_byte, sender.send_request(request)).await {
        Ok(r) => Ok(r?),
        Err(_) => Err(ErrorCode::ConnectionReadTimeout),
    }
}

async fn connect_tcp(host: &str, port: u16) -> Result<TcpStream, ErrorCode> {
    let addrs: Vec<std::net::SocketAddr> = match tokio::net::lookup_host((host, port)).await {
        Ok(a) => a.collect(),
        Err(_) => return Err(dns_error("address not available")),
    };
    if addrs.is_empty() {
        return Err(dns_error("address not available"));
    }
    let mut last = ErrorCode::ConnectionRefused;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => return Ok(s),
            Err(e) => last = connect_error(&e),
        }
    }
    Err(last)
}

fn dns_error(rcode: &str) -> ErrorCode {
    ErrorCode::DnsError(DnsErrorPayload { rcode: Some(rcode.into()), info_code: None })
}

/// A failed connect, as wasmtime names it.
fn connect_error(e: &std::io::Error) -> ErrorCode {
    match e.kind() {
        std::io::ErrorKind::AddrNotAvailable => dns_error("address not available"),
        _ => ErrorCode::ConnectionRefused,
    }
}

async fn tls_handshake(
    tcp: TcpStream,
    host: &str,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ErrorCode> {
    use tokio_rustls::rustls;
    static CONFIG: std::sync::OnceLock<Arc<rustls::ClientConfig>> = std::sync::OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("the ring provider supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Arc::new(config)
    });
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|_| dns_error("invalid dns name"))?;
    tokio_rustls::TlsConnector::from(config.clone())
        .connect(name, tcp)
        .await
        .map_err(|_| ErrorCode::TlsProtocolError)
}

impl From<std::convert::Infallible> for ErrorCode {
    fn from(never: std::convert::Infallible) -> ErrorCode {
        match never {}
    }
}
