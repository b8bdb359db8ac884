//! `wasi:http@0.3`: `types` and `client` for guests, and the host side of
//! `handler` for `wazi serve` ([`handle_request`]).
//!
//! Requests and responses are host resources in the context's table. A
//! body is a `stream<u8>` with a future of its trailers; between a guest
//! and the network the bytes go through the same pipes as WASI 0.2's
//! bodies (`crate::p2::http::body`), with hyper on tokio on the other
//! side. The host fills a guest's read of an incoming body as bytes
//! arrive, and writes each chunk a guest writes into an outgoing body out
//! as it comes; a body the host made and gets back (a request forwarded
//! as it came in) flows through the store's event loop.

use super::bindings::wasi::http::types::{HeaderError, RequestOptionsError};
use super::bindings::wasi::http::{client, types};
use crate::GetCtx;
use crate::ctx::Wasi;
use crate::http::body::{End, Pipe, ReadEnd};
use crate::http::types::{
    DnsErrorPayload, ErrorCode, FieldSizePayload, Fields, IncomingRequest, Method, OutgoingRequest,
    RequestOptions, ResponseResult, Scheme, TlsAlertReceivedPayload,
};
use crate::http::{fields, target};
use anyhow::{Context, Result, bail};
use http::HeaderMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wazi::component::__internal::kebab_from_camel;
use wazi::component::{
    FutureAny, FutureWriter, HostAsync, HostPending, Instance, Linker, Resource, ResourceAny,
    StreamAny, Val,
};
use wazi::{AsContextMut, Store, StoreContextMut};

impl From<crate::http::types::HeaderError> for HeaderError {
    fn from(e: crate::http::types::HeaderError) -> HeaderError {
        use crate::http::types::HeaderError as E2;
        match e {
            E2::InvalidSyntax => HeaderError::InvalidSyntax,
            E2::Forbidden => HeaderError::Forbidden,
            E2::Immutable => HeaderError::Immutable,
        }
    }
}

/// The body of a request or response.
pub(crate) enum Body {
    /// Made by a guest (`new`): its contents (`None`: empty), the future
    /// of its trailers, and the writer of the future `new` returned, which
    /// tells the guest how sending the body went.
    Guest { contents: Option<StreamAny>, trailers: FutureAny, result: Option<FutureWriter> },
    /// From the network: a pipe the host fills (abandoned when this goes,
    /// with the resource or its store), and the body's declared length.
    Host(Abandon, Option<u64>),
}

/// `wasi:http/types@0.3.request`.
pub(crate) struct Request {
    method: Method,
    scheme: Option<Scheme>,
    authority: Option<String>,
    path_with_query: Option<String>,
    headers: HeaderMap,
    options: Option<RequestOptions>,
    body: Body,
}

/// `wasi:http/types@0.3.response`.
pub(crate) struct Response {
    status: u16,
    headers: HeaderMap,
    body: Body,
}

/// `wasi:http/types@0.3.request-options`: those a request gives out
/// cannot be changed.
pub(crate) struct Options {
    opts: RequestOptions,
    mutable: bool,
}

/// `error-code` as a value.
fn error_code_val(e: &ErrorCode) -> Val {
    let s = |v: &Option<String>| Val::Option(v.clone().map(|s| Box::new(Val::String(s))));
    let o32 = |v: &Option<u32>| Val::Option(v.map(|n| Box::new(Val::U32(n))));
    let o64 = |v: &Option<u64>| Val::Option(v.map(|n| Box::new(Val::U64(n))));
    let field = |f: &FieldSizePayload| {
        Val::Record(vec![
            ("field-name".into(), s(&f.field_name)),
            ("field-size".into(), o32(&f.field_size)),
        ])
    };
    let payload = match e {
        ErrorCode::DnsError(DnsErrorPayload { rcode, info_code }) => Some(Val::Record(vec![
            ("rcode".into(), s(rcode)),
            ("info-code".into(), Val::Option(info_code.map(|n| Box::new(Val::U16(n))))),
        ])),
        ErrorCode::TlsAlertReceived(TlsAlertReceivedPayload { alert_id, alert_message }) => {
            Some(Val::Record(vec![
                ("alert-id".into(), Val::Option(alert_id.map(|n| Box::new(Val::U8(n))))),
                ("alert-message".into(), s(alert_message)),
            ]))
        }
        ErrorCode::HttpRequestBodySize(n) | ErrorCode::HttpResponseBodySize(n) => Some(o64(n)),
        ErrorCode::HttpRequestHeaderSectionSize(n)
        | ErrorCode::HttpRequestTrailerSectionSize(n)
        | ErrorCode::HttpResponseHeaderSectionSize(n)
        | ErrorCode::HttpResponseTrailerSectionSize(n) => Some(o32(n)),
        ErrorCode::HttpRequestHeaderSize(f) => {
            Some(Val::Option(f.as_ref().map(|f| Box::new(field(f)))))
        }
        ErrorCode::HttpRequestTrailerSize(f)
        | ErrorCode::HttpResponseHeaderSize(f)
        | ErrorCode::HttpResponseTrailerSize(f) => Some(field(f)),
        ErrorCode::HttpResponseTransferCoding(m)
        | ErrorCode::HttpResponseContentCoding(m)
        | ErrorCode::InternalError(m) => Some(s(m)),
        _ => None,
    };
    Val::Variant(case_name(e), payload.map(Box::new))
}

/// The WIT case name of `e` (matched ignoring ASCII case).
fn case_name(e: &ErrorCode) -> String {
    let debug = format!("{e:?}");
    kebab_from_camel(debug.split('(').next().unwrap_or(&debug))
}

/// The `error-code` a guest gave as a value (the inverse of
/// [`error_code_val`]); a value of another shape is an `internal-error`
/// describing it.
fn error_code_of(v: &Val) -> ErrorCode {
    error_code_from(v).unwrap_or_else(|| ErrorCode::InternalError(Some(format!("{v:?}"))))
}

fn error_code_from(v: &Val) -> Option<ErrorCode> {
    const PLAIN: &[ErrorCode] = &[
        ErrorCode::DnsTimeout,
        ErrorCode::DestinationNotFound,
        ErrorCode::DestinationUnavailable,
        ErrorCode::DestinationIpProhibited,
        ErrorCode::DestinationIpUnroutable,
        ErrorCode::ConnectionRefused,
        ErrorCode::ConnectionTerminated,
        ErrorCode::ConnectionTimeout,
        ErrorCode::ConnectionReadTimeout,
        ErrorCode::ConnectionWriteTimeout,
        ErrorCode::ConnectionLimitReached,
        ErrorCode::TlsProtocolError,
        ErrorCode::TlsCertificateError,
        ErrorCode::HttpRequestDenied,
        ErrorCode::HttpRequestLengthRequired,
        ErrorCode::HttpRequestMethodInvalid,
        ErrorCode::HttpRequestUriInvalid,
        ErrorCode::HttpRequestUriTooLong,
        ErrorCode::HttpResponseIncomplete,
        ErrorCode::HttpResponseTimeout,
        ErrorCode::HttpUpgradeFailed,
        ErrorCode::HttpProtocolError,
        ErrorCode::LoopDetected,
        ErrorCode::ConfigurationError,
    ];
    let Val::Variant(name, payload) = v else { return None };
    if let Some(e) = PLAIN.iter().find(|e| case_name(e).eq_ignore_ascii_case(name)) {
        return Some(e.clone());
    }
    let p = payload.as_deref()?;
    fn opt(v: &Val) -> Option<Option<&Val>> {
        match v {
            Val::Option(o) => Some(o.as_deref()),
            _ => None,
        }
    }
    let string = |v: &Val| match opt(v)? {
        None => Some(None),
        Some(Val::String(s)) => Some(Some(s.clone())),
        _ => None,
    };
    let u64_ = |v: &Val| match opt(v)? {
        None => Some(None),
        Some(Val::U64(n)) => Some(Some(*n)),
        _ => None,
    };
    let u32_ = |v: &Val| match opt(v)? {
        None => Some(None),
        Some(Val::U32(n)) => Some(Some(*n)),
        _ => None,
    };
    let field = |rec: &Val, name: &str| match rec {
        Val::Record(fields) => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()),
        _ => None,
    };
    let field_size = |v: &Val| {
        Some(FieldSizePayload {
            field_name: string(&field(v, "field-name")?)?,
            field_size: u32_(&field(v, "field-size")?)?,
        })
    };
    let is = |case: &str| name.eq_ignore_ascii_case(case);
    Some(if is("DNS-error") {
        let info_code = match opt(&field(p, "info-code")?)? {
            None => None,
            Some(Val::U16(n)) => Some(*n),
            _ => return None,
        };
        ErrorCode::DnsError(DnsErrorPayload { rcode: string(&field(p, "rcode")?)?, info_code })
    } else if is("TLS-alert-received") {
        let alert_id = match opt(&field(p, "alert-id")?)? {
            None => None,
            Some(Val::U8(n)) => Some(*n),
            _ => return None,
        };
        let alert_message = string(&field(p, "alert-message")?)?;
        ErrorCode::TlsAlertReceived(TlsAlertReceivedPayload { alert_id, alert_message })
    } else if is("HTTP-request-body-size") {
        ErrorCode::HttpRequestBodySize(u64_(p)?)
    } else if is("HTTP-response-body-size") {
        ErrorCode::HttpResponseBodySize(u64_(p)?)
    } else if is("HTTP-request-header-section-size") {
        ErrorCode::HttpRequestHeaderSectionSize(u32_(p)?)
    } else if is("HTTP-request-trailer-section-size") {
        ErrorCode::HttpRequestTrailerSectionSize(u32_(p)?)
    } else if is("HTTP-response-header-section-size") {
        ErrorCode::HttpResponseHeaderSectionSize(u32_(p)?)
    } else if is("HTTP-response-trailer-section-size") {
        ErrorCode::HttpResponseTrailerSectionSize(u32_(p)?)
    } else if is("HTTP-request-header-size") {
        match opt(p)? {
            None => ErrorCode::HttpRequestHeaderSize(None),
            Some(f) => ErrorCode::HttpRequestHeaderSize(Some(field_size(f)?)),
        }
    } else if is("HTTP-request-trailer-size") {
        ErrorCode::HttpRequestTrailerSize(field_size(p)?)
    } else if is("HTTP-response-header-size") {
        ErrorCode::HttpResponseHeaderSize(field_size(p)?)
    } else if is("HTTP-response-trailer-size") {
        ErrorCode::HttpResponseTrailerSize(field_size(p)?)
    } else if is("HTTP-response-transfer-coding") {
        ErrorCode::HttpResponseTransferCoding(string(p)?)
    } else if is("HTTP-response-content-coding") {
        ErrorCode::HttpResponseContentCoding(string(p)?)
    } else if is("internal-error") {
        ErrorCode::InternalError(string(p)?)
    } else {
        return None;
    })
}

/// `result<_, error-code>` as a value.
fn status_val(r: &Result<(), ErrorCode>) -> Val {
    match r {
        Ok(()) => Val::Result(Ok(None)),
        Err(e) => Val::Result(Err(Some(Box::new(error_code_val(e))))),
    }
}

/// The host's handle of host resource `r`, as a value.
fn resource_val<T: 'static, R: 'static>(
    s: &mut StoreContextMut<'_, T>,
    r: Resource<R>,
) -> Result<Val> {
    Ok(Val::Resource(ResourceAny::try_from_resource(r, &mut *s)?))
}

/// An owned host resource passed as `v`.
fn own<T: 'static, R: 'static>(
    s: &mut StoreContextMut<'_, T>,
    v: Option<&Val>,
) -> Result<Resource<R>> {
    match v {
        Some(Val::Resource(r)) => r.try_into_resource(&mut *s),
        _ => bail!("expected a resource"),
    }
}

/// `result<option<trailers>, error-code>` as a value.
fn trailers_val<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    t: Result<Option<HeaderMap>, ErrorCode>,
) -> Result<Val> {
    Ok(match t {
        Ok(None) => Val::Result(Ok(Some(Box::new(Val::Option(None))))),
        Ok(Some(map)) => {
            let r = get(s.data_mut()).table.push(Fields { map, mutable: false })?;
            let v = resource_val(s, r)?;
            Val::Result(Ok(Some(Box::new(Val::Option(Some(Box::new(v)))))))
        }
        Err(e) => Val::Result(Err(Some(Box::new(error_code_val(&e))))),
    })
}

/// The trailers a guest's future gave.
fn trailers_of<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    v: Option<Val>,
) -> Result<Result<Option<HeaderMap>, ErrorCode>> {
    Ok(match v {
        Some(Val::Result(Ok(Some(t)))) => match *t {
            Val::Option(Some(f)) => {
                let f: Resource<Fields> = own(s, Some(&f))?;
                Ok(Some(get(s.data_mut()).table.delete(f)?.map))
            }
            _ => Ok(None),
        },
        Some(Val::Result(Err(Some(e)))) => Err(error_code_of(&e)),
        other => bail!("expected trailers, found {other:?}"),
    })
}

/// A body's trailers, or why it failed.
type Trailers = Result<Option<HeaderMap>, ErrorCode>;

/// The stream and trailers future a guest reads an incoming body from:
/// the stream gives what the pipe has, and at its end the future resolves
/// with the trailers (or the error that ended the body).
fn host_body<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    held: Abandon,
    len: Option<u64>,
) -> (StreamAny, FutureAny) {
    // How the body ended, once the stream has seen its end.
    let ended: Arc<Mutex<Option<Trailers>>> = Arc::default();
    let seen = ended.clone();
    let pipe = held.0.clone();
    let waker = wazi::component::loop_waker(&mut *s);
    let taken = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counted = taken.clone();
    // The trailers' poll waits for the loop's waker: the stream wakes it
    // when it ends and when it is dropped.
    let on_drop = WakeOnDrop(waker.clone());
    let stream = StreamAny::from_host(&mut *s, move |s: StoreContextMut<'_, T>, max| {
        let _wakes = &on_drop;
        let pipe = &held.0;
        let r = pipe.guest_read(max, false);
        if let Ok(bytes) = &r {
            counted.fetch_add(bytes.len() as u64, Ordering::SeqCst);
        }
        match r {
            // No bytes: none have come yet; the loop asks again when some do.
            Ok(bytes) if bytes.is_empty() => {
                pipe.wake_guest(waker.clone().into());
                wazi::component::ready_when_woken(s);
                Ok(Some(bytes))
            }
            Ok(bytes) => Ok(Some(bytes)),
            Err(end) => {
                let t = match end {
                    ReadEnd::Closed => match pipe.take_trailers() {
                        Some(Ok(t)) => Ok(t),
                        Some(Err(Some(e))) => Err(e),
                        _ => Ok(None),
                    },
                    ReadEnd::Failed(e) => Err(e),
                };
                *seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(t);
                waker.wake();
                Ok(None)
            }
        }
    });
    // The trailers once the stream has ended; if its reader dropped it
    // before, none (the rest of the body is not read).
    let trailers = FutureAny::from_host_poll(&mut *s, move |mut s: StoreContextMut<'_, T>| {
        let t = ended.lock().unwrap_or_else(|e| e.into_inner()).take();
        let t = match t {
            Some(t) => t,
            None if Arc::strong_count(&ended) == 1 => Ok(None),
            None => {
                wazi::component::ready_when_woken(&mut s);
                return Ok(None);
            }
        };
        Ok(Some(trailers_val(&mut s, get, t)?))
    });
    if let Some(len) = len {
        get(s.data_mut()).body_lengths.insert(stream, len, &pipe, taken);
    }
    (stream, trailers)
}

/// Wakes a store's event loop when dropped.
struct WakeOnDrop(wazi::component::LoopWaker);

impl Drop for WakeOnDrop {
    fn drop(&mut self) {
        self.0.wake();
    }
}

/// An incoming body's pipe that nobody reads once this is dropped: the
/// network side stops.
pub(crate) struct Abandon(Arc<Pipe>);

impl Drop for Abandon {
    fn drop(&mut self) {
        self.0.abandon();
    }
}

/// A body's stream and trailers future, whoever made them, and the
/// writer of the guest's result future if there is one.
fn body_parts<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    body: Body,
) -> Result<(Option<StreamAny>, FutureAny, Option<FutureWriter>)> {
    Ok(match body {
        Body::Guest { contents, trailers, result } => (contents, trailers, result),
        Body::Host(pipe, len) => {
            let (stream, trailers) = host_body(s, get, pipe, len);
            (Some(stream), trailers, None)
        }
    })
}

/// How sending a body to the network is going.
struct Sending {
    pipe: Arc<Pipe>,
    stream_done: bool,
    trailers: Option<Result<Option<HeaderMap>, ErrorCode>>,
    /// The first error writing the body met.
    failed: Option<ErrorCode>,
    result: Option<FutureWriter>,
    done: Arc<AtomicBool>,
}

/// Finishes the body once both its stream and its trailers are in: the
/// pipe ends (or fails), `done` is raised, and the guest's result future
/// resolves.
fn try_finish<T: 'static>(state: &Mutex<Sending>, s: &mut StoreContextMut<'_, T>) -> Result<()> {
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    if !st.stream_done || st.trailers.is_none() {
        return Ok(());
    }
    let r = match (st.failed.take(), st.trailers.take().expect("trailers")) {
        (Some(e), _) | (None, Err(e)) => {
            st.pipe.finish(End::Failed(e.clone()));
            Err(e)
        }
        (None, Ok(t)) => st.pipe.guest_finish(t),
    };
    let writer = st.result.take();
    st.done.store(true, Ordering::SeqCst);
    drop(st);
    match writer {
        Some(w) => w.write(&mut *s, status_val(&r)),
        None => Ok(()),
    }
}

/// Sends a body into `pipe` (which hyper reads): each chunk the guest
/// writes as it comes, then the trailers; the guest's result future tells
/// how it went. `done` is raised at the end.
fn send_body<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    body: Body,
    pipe: Arc<Pipe>,
    done: Arc<AtomicBool>,
) -> Result<()> {
    let (contents, trailers, result) = body_parts(s, get, body)?;
    let waker = wazi::component::loop_waker(&mut *s);
    let state = Arc::new(Mutex::new(Sending {
        pipe: pipe.clone(),
        stream_done: contents.is_none(),
        trailers: None,
        failed: None,
        result,
        done,
    }));
    if let Some(contents) = contents {
        let (state1, state2) = (state.clone(), state.clone());
        // A full pipe (a slow peer) makes the guest's write wait, not the
        // store's thread.
        contents.pipe_to_host_bounded(
            &mut *s,
            move |s, bytes: &[u8]| {
                let mut st = state1.lock().unwrap_or_else(|e| e.into_inner());
                match pipe.guest_write(bytes) {
                    Ok(true) => Ok(Some(bytes.len())),
                    Ok(false) => {
                        // Offered again when hyper has taken a chunk.
                        pipe.wake_guest(waker.clone().into());
                        wazi::component::ready_when_woken(s);
                        Ok(Some(0))
                    }
                    Err(e) => {
                        // The other side is gone (no code), or the body
                        // grew past its declared length: the guest's
                        // writes get `DROPPED`, and its result future the
                        // error.
                        st.failed = Some(e.unwrap_or(ErrorCode::ConnectionTerminated));
                        Ok(None)
                    }
                }
            },
            move |mut s| {
                state2.lock().unwrap_or_else(|e| e.into_inner()).stream_done = true;
                try_finish(&state2, &mut s)
            },
        )?;
    }
    trailers.pipe_to_host(&mut *s, move |mut s, v| {
        let t = trailers_of(&mut s, get, v)?;
        state.lock().unwrap_or_else(|e| e.into_inner()).trailers = Some(t);
        try_finish(&state, &mut s)
    })
}

/// The declared length of a body passed on as it came from the network
/// (an incoming body's stream handed back unread, or a response from the
/// client), which `headers` then declare too, as wasmtime passes it on.
fn pass_length<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    body: &Body,
    headers: &mut HeaderMap,
) {
    let len = match body {
        Body::Guest { contents: Some(c), .. } => get(s.data_mut()).body_lengths.unread(*c),
        Body::Host(_, len) => *len,
        Body::Guest { contents: None, .. } => None,
    };
    if let Some(len) = len
        && !headers.contains_key(http::header::CONTENT_LENGTH)
    {
        headers.insert(http::header::CONTENT_LENGTH, len.into());
    }
}

/// Whether `body` has contents (a body made without a stream is empty).
fn has_contents(body: &Body) -> bool {
    !matches!(body, Body::Guest { contents: None, .. })
}

/// Closes what a body the host holds still refers to: a guest writing
/// its stream or future gets `DROPPED`, and the body's result future
/// resolves with `why` it was never sent.
fn drop_body<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    body: Body,
    why: &ErrorCode,
) -> Result<()> {
    match body {
        Body::Guest { contents, trailers, result } => {
            if let Some(c) = contents {
                c.close(&mut *s)?;
            }
            trailers.close(&mut *s)?;
            match result {
                Some(w) => w.write(&mut *s, status_val(&Err(why.clone()))),
                None => Ok(()),
            }
        }
        // Dropping it abandons the pipe.
        Body::Host(..) => Ok(()),
    }
}

/// `consume-body`: the body's stream (an empty one for a body made
/// without) and trailers future; the guest's `res` future is passed on to
/// the body's maker.
fn consume<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    body: Body,
    res: FutureAny,
) -> Result<(StreamAny, FutureAny)> {
    let (contents, trailers, result) = body_parts(s, get, body)?;
    let contents = match contents {
        Some(c) => c,
        None => StreamAny::from_host(&mut *s, |_: StoreContextMut<'_, T>, _| Ok(None)),
    };
    match result {
        Some(w) => {
            res.pipe_to_host(&mut *s, move |s, v| w.write(s, v.unwrap_or(Val::Result(Ok(None)))))?
        }
        None => res.pipe_to_host(&mut *s, |_, _| Ok(()))?,
    }
    Ok((contents, trailers))
}

/// The headers of a message, as a `fields` that cannot be changed.
fn headers_of<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    map: HeaderMap,
) -> Result<Resource<Fields>> {
    Ok(get(s.data_mut()).table.push(Fields { map, mutable: false })?)
}

/// The parts `new` of a request and a response take: headers, contents
/// and trailers, as a body with its result future.
fn new_message<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    headers: Resource<Fields>,
    contents: Option<StreamAny>,
    trailers: FutureAny,
) -> Result<(HeaderMap, Body, FutureAny)> {
    let headers = get(s.data_mut()).table.delete(headers)?.map;
    let (result, writer) = FutureAny::from_host(&mut *s);
    let body = Body::Guest { contents, trailers, result: Some(writer) };
    Ok((headers, body, result))
}

type Req = Resource<Request>;
type Resp = Resource<Response>;
type Opts = Resource<Options>;
type F = Resource<Fields>;

/// Defines `wasi:http/types` and `wasi:http/client`.
pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, host: Wasi<T>) -> Result<()> {
    types::add_to_linker(linker, host)?;
    client::add_to_linker(linker, host)
}

/// A dropped message closes its body's ends.
fn drop_message<T: 'static>(s: &mut StoreContextMut<'_, T>, body: Body) -> Result<()> {
    let unsent = ErrorCode::InternalError(Some("dropped before it was sent".into()));
    drop_body(s, body, &unsent)
}

/// A request option's field.
type OptionField = fn(&mut RequestOptions) -> &mut Option<Duration>;

impl<T: 'static> Wasi<T> {
    fn get_option(
        &self,
        s: &mut StoreContextMut<'_, T>,
        o: &Opts,
        field: OptionField,
    ) -> Result<Option<u64>> {
        let d = *field(&mut self.ctx(s).table.get_mut(o)?.opts);
        Ok(d.map(|d| d.as_nanos().min(u64::MAX as u128) as u64))
    }

    fn set_option(
        &self,
        s: &mut StoreContextMut<'_, T>,
        o: &Opts,
        d: Option<u64>,
        field: OptionField,
    ) -> Result<Result<(), RequestOptionsError>> {
        let o = self.ctx(s).table.get_mut(o)?;
        if !o.mutable {
            return Ok(Err(RequestOptionsError::Immutable));
        }
        *field(&mut o.opts) = d.map(Duration::from_nanos);
        Ok(Ok(()))
    }
}

impl<T: 'static> types::Host<T> for Wasi<T> {
    fn request_drop(&self, mut s: StoreContextMut<'_, T>, it: Req) -> Result<()> {
        let r = self.ctx(&mut s).table.delete(it)?;
        drop_message(&mut s, r.body)
    }

    fn response_drop(&self, mut s: StoreContextMut<'_, T>, it: Resp) -> Result<()> {
        let r = self.ctx(&mut s).table.delete(it)?;
        drop_message(&mut s, r.body)
    }

    fn fields_new(&self, mut s: StoreContextMut<'_, T>) -> Result<F> {
        fields::new(self.ctx(&mut s))
    }

    fn fields_from_list(
        &self,
        mut s: StoreContextMut<'_, T>,
        entries: Vec<(String, Vec<u8>)>,
    ) -> Result<Result<F, HeaderError>> {
        Ok(fields::from_list(self.ctx(&mut s), entries)?.map_err(HeaderError::from))
    }

    fn fields_get(
        &self,
        mut s: StoreContextMut<'_, T>,
        f: F,
        name: String,
    ) -> Result<Vec<Vec<u8>>> {
        fields::get(self.ctx(&mut s), &f, &name)
    }

    fn fields_has(&self, mut s: StoreContextMut<'_, T>, f: F, name: String) -> Result<bool> {
        fields::has(self.ctx(&mut s), &f, &name)
    }

    fn fields_set(
        &self,
        mut s: StoreContextMut<'_, T>,
        f: F,
        name: String,
        values: Vec<Vec<u8>>,
    ) -> Result<Result<(), HeaderError>> {
        Ok(fields::set(self.ctx(&mut s), &f, &name, values)?.map_err(HeaderError::from))
    }

    fn fields_delete(
        &self,
        mut s: StoreContextMut<'_, T>,
        f: F,
        name: String,
    ) -> Result<Result<(), HeaderError>> {
        Ok(fields::delete(self.ctx(&mut s), &f, &name)?.map_err(HeaderError::from))
    }

    fn fields_get_and_delete(
        &self,
        mut s: StoreContextMut<'_, T>,
        f: F,
        name: String,
    ) -> Result<Result<Vec<Vec<u8>>, HeaderError>> {
        Ok(fields::get_and_delete(self.ctx(&mut s), &f, &name)?.map_err(HeaderError::from))
    }

    fn fields_append(
        &self,
        mut s: StoreContextMut<'_, T>,
        f: F,
        name: String,
        value: Vec<u8>,
    ) -> Result<Result<(), HeaderError>> {
        Ok(fields::append(self.ctx(&mut s), &f, &name, &value)?.map_err(HeaderError::from))
    }

    fn fields_copy_all(
        &self,
        mut s: StoreContextMut<'_, T>,
        f: F,
    ) -> Result<Vec<(String, Vec<u8>)>> {
        fields::entries(self.ctx(&mut s), &f)
    }

    fn fields_clone(&self, mut s: StoreContextMut<'_, T>, f: F) -> Result<F> {
        fields::clone(self.ctx(&mut s), &f)
    }

    fn request_new(
        &self,
        mut s: StoreContextMut<'_, T>,
        headers: F,
        contents: Option<StreamAny>,
        trailers: FutureAny,
        options: Option<Opts>,
    ) -> Result<(Req, FutureAny)> {
        let (headers, body, result) = new_message(&mut s, self.get, headers, contents, trailers)?;
        let options = match options {
            Some(o) => Some(self.ctx(&mut s).table.delete(o)?.opts),
            None => None,
        };
        let req = Request {
            method: Method::Get,
            scheme: None,
            authority: None,
            path_with_query: None,
            headers,
            options,
            body,
        };
        Ok((self.ctx(&mut s).table.push(req)?, result))
    }

    fn request_get_method(&self, mut s: StoreContextMut<'_, T>, r: Req) -> Result<Method> {
        Ok(self.ctx(&mut s).table.get(&r)?.method.clone())
    }

    fn request_set_method(
        &self,
        mut s: StoreContextMut<'_, T>,
        r: Req,
        m: Method,
    ) -> Result<Result<(), ()>> {
        target::set(self.ctx(&mut s), &r, m, target::valid_method, |r: &mut Request| &mut r.method)
    }

    fn request_get_path_with_query(
        &self,
        mut s: StoreContextMut<'_, T>,
        r: Req,
    ) -> Result<Option<String>> {
        Ok(self.ctx(&mut s).table.get(&r)?.path_with_query.clone())
    }

    fn request_set_path_with_query(
        &self,
        mut s: StoreContextMut<'_, T>,
        r: Req,
        p: Option<String>,
    ) -> Result<Result<(), ()>> {
        let field: fn(&mut Request) -> &mut _ = |r| &mut r.path_with_query;
        target::set(self.ctx(&mut s), &r, p, target::valid_path_with_query, field)
    }

    fn request_get_scheme(&self, mut s: StoreContextMut<'_, T>, r: Req) -> Result<Option<Scheme>> {
        Ok(self.ctx(&mut s).table.get(&r)?.scheme.clone())
    }

    fn request_set_scheme(
        &self,
        mut s: StoreContextMut<'_, T>,
        r: Req,
        scheme: Option<Scheme>,
    ) -> Result<Result<(), ()>> {
        let field: fn(&mut Request) -> &mut _ = |r| &mut r.scheme;
        target::set(self.ctx(&mut s), &r, scheme, target::valid_scheme, field)
    }

    fn request_get_authority(
        &self,
        mut s: StoreContextMut<'_, T>,
        r: Req,
    ) -> Result<Option<String>> {
        Ok(self.ctx(&mut s).table.get(&r)?.authority.clone())
    }

    fn request_set_authority(
        &self,
        mut s: StoreContextMut<'_, T>,
        r: Req,
        a: Option<String>,
    ) -> Result<Result<(), ()>> {
        let field: fn(&mut Request) -> &mut _ = |r| &mut r.authority;
        target::set(self.ctx(&mut s), &r, a, target::valid_authority, field)
    }

    fn request_get_options(&self, mut s: StoreContextMut<'_, T>, r: Req) -> Result<Option<Opts>> {
        let ctx = self.ctx(&mut s);
        let Some(opts) = ctx.table.get(&r)?.options.clone() else { return Ok(None) };
        Ok(Some(ctx.table.push(Options { opts, mutable: false })?))
    }

    fn request_get_headers(&self, mut s: StoreContextMut<'_, T>, r: Req) -> Result<F> {
        let map = self.ctx(&mut s).table.get(&r)?.headers.clone();
        headers_of(&mut s, self.get, map)
    }

    fn request_consume_body(
        &self,
        mut s: StoreContextMut<'_, T>,
        r: Req,
        res: FutureAny,
    ) -> Result<(StreamAny, FutureAny)> {
        let body = self.ctx(&mut s).table.delete(r)?.body;
        consume(&mut s, self.get, body, res)
    }

    fn request_options_new(&self, mut s: StoreContextMut<'_, T>) -> Result<Opts> {
        let opts = Options { opts: RequestOptions::default(), mutable: true };
        Ok(self.ctx(&mut s).table.push(opts)?)
    }

    fn request_options_get_connect_timeout(
        &self,
        mut s: StoreContextMut<'_, T>,
        o: Opts,
    ) -> Result<Option<u64>> {
        self.get_option(&mut s, &o, |o| &mut o.connect_timeout)
    }

    fn request_options_set_connect_timeout(
        &self,
        mut s: StoreContextMut<'_, T>,
        o: Opts,
        d: Option<u64>,
    ) -> Result<Result<(), RequestOptionsError>> {
        self.set_option(&mut s, &o, d, |o| &mut o.connect_timeout)
    }

    fn request_options_get_first_byte_timeout(
        &self,
        mut s: StoreContextMut<'_, T>,
        o: Opts,
    ) -> Result<Option<u64>> {
        self.get_option(&mut s, &o, |o| &mut o.first_byte_timeout)
    }

    fn request_options_set_first_byte_timeout(
        &self,
        mut s: StoreContextMut<'_, T>,
        o: Opts,
        d: Option<u64>,
    ) -> Result<Result<(), RequestOptionsError>> {
        self.set_option(&mut s, &o, d, |o| &mut o.first_byte_timeout)
    }

    fn request_options_get_between_bytes_timeout(
        &self,
        mut s: StoreContextMut<'_, T>,
        o: Opts,
    ) -> Result<Option<u64>> {
        self.get_option(&mut s, &o, |o| &mut o.between_bytes_timeout)
    }

    fn request_options_set_between_bytes_timeout(
        &self,
        mut s: StoreContextMut<'_, T>,
        o: Opts,
        d: Option<u64>,
    ) -> Result<Result<(), RequestOptionsError>> {
        self.set_option(&mut s, &o, d, |o| &mut o.between_bytes_timeout)
    }

    fn request_options_clone(&self, mut s: StoreContextMut<'_, T>, o: Opts) -> Result<Opts> {
        let ctx = self.ctx(&mut s);
        let opts = ctx.table.get(&o)?.opts.clone();
        Ok(ctx.table.push(Options { opts, mutable: true })?)
    }

    fn response_new(
        &self,
        mut s: StoreContextMut<'_, T>,
        headers: F,
        contents: Option<StreamAny>,
        trailers: FutureAny,
    ) -> Result<(Resp, FutureAny)> {
        let (headers, body, result) = new_message(&mut s, self.get, headers, contents, trailers)?;
        let r = self.ctx(&mut s).table.push(Response { status: 200, headers, body })?;
        Ok((r, result))
    }

    fn response_get_status_code(&self, mut s: StoreContextMut<'_, T>, r: Resp) -> Result<u16> {
        Ok(self.ctx(&mut s).table.get(&r)?.status)
    }

    fn response_set_status_code(
        &self,
        mut s: StoreContextMut<'_, T>,
        r: Resp,
        code: u16,
    ) -> Result<Result<(), ()>> {
        let field: fn(&mut Response) -> &mut u16 = |r| &mut r.status;
        target::set(self.ctx(&mut s), &r, code, target::valid_status, field)
    }

    fn response_get_headers(&self, mut s: StoreContextMut<'_, T>, r: Resp) -> Result<F> {
        let map = self.ctx(&mut s).table.get(&r)?.headers.clone();
        headers_of(&mut s, self.get, map)
    }

    fn response_consume_body(
        &self,
        mut s: StoreContextMut<'_, T>,
        r: Resp,
        res: FutureAny,
    ) -> Result<(StreamAny, FutureAny)> {
        let body = self.ctx(&mut s).table.delete(r)?.body;
        consume(&mut s, self.get, body, res)
    }
}

impl<T: 'static> client::Host<T> for Wasi<T> {
    fn send(
        &self,
        mut s: StoreContextMut<'_, T>,
        r: Req,
    ) -> Result<HostAsync<T, Result<Resp, ErrorCode>>> {
        let req = self.ctx(&mut s).table.delete(r)?;
        send(&mut s, self.get, req)
    }
}

/// `client.send`: the request goes out over hyper (as WASI 0.2's
/// `outgoing-handler` sends it) with its body streaming from the guest;
/// the call is done when the response head is in, and its body streams to
/// the guest as it comes.
fn send<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    req: Request,
) -> Result<HostAsync<T, Result<Resource<Response>, ErrorCode>>> {
    let mut req = req;
    pass_length(s, get, &req.body, &mut req.headers);
    let l = get(s.data_mut()).limits;
    let pipe = Pipe::outgoing(l.http_outgoing_body_chunk_size, l.http_outgoing_body_buffer_chunks);
    if let Some(len) = crate::http::content_length(&req.headers) {
        pipe.set_content_length(len, false);
    }
    let out = OutgoingRequest {
        method: req.method,
        scheme: req.scheme,
        authority: req.authority,
        path_with_query: req.path_with_query,
        headers: req.headers,
        body: has_contents(&req.body).then(|| pipe.clone()),
    };
    let fut = match crate::http::client::send(out, req.options.unwrap_or_default())? {
        Ok(f) => f,
        Err(e) => {
            drop_body(s, req.body, &e)?;
            return Ok(HostAsync::Ready(Err(e)));
        }
    };
    send_body(s, get, req.body, pipe, Arc::new(AtomicBool::new(false)))?;
    Ok(HostAsync::Pending(HostPending::new(None, move |mut s: StoreContextMut<'_, T>| {
        let resp = match fut.slot.take() {
            None => {
                // The response's signal becomes readable when it comes.
                if let Ok(fd) = fut.slot.ready_fd() {
                    wazi::component::ready_when_readable(&mut s, std::os::fd::AsFd::as_fd(&*fd));
                }
                return Ok(None);
            }
            Some(None) => bail!("the response was taken already"),
            Some(Some(Err(e))) => {
                return Ok(Some(Some(Val::Result(Err(Some(Box::new(error_code_val(&e))))))));
            }
            Some(Some(Ok(r))) => r,
        };
        let mut resp = resp;
        let body = match resp.body.take() {
            Some(pipe) => Body::Host(Abandon(pipe), crate::http::content_length(&resp.headers)),
            None => bail!("a response without a body"),
        };
        let headers = std::mem::take(&mut resp.headers);
        let r = Response { status: resp.status, headers, body };
        let r = get(s.data_mut()).table.push(r)?;
        Ok(Some(Some(Val::Result(Ok(Some(Box::new(resource_val(&mut s, r)?)))))))
    })))
}

/// The `handle` function of `export` (a `wasi:http/handler@0.3.x`) in
/// `instance`.
pub(crate) fn handler<T: 'static>(
    store: &mut Store<T>,
    instance: &Instance,
    export: &str,
) -> Result<wazi::component::Func> {
    let handle = crate::ctx::export_func(store, instance, export, "handle")?;
    instance.get_func(&mut *store, &handle).context("`handle` is not a function")
}

/// Starts `handle` on `request`: it goes on as the store's event loop
/// runs, beside the instance's other requests.
pub(crate) fn start_request<T: 'static>(
    store: &mut Store<T>,
    handle: &wazi::component::Func,
    get: GetCtx<T>,
    request: IncomingRequest,
) -> Result<wazi::component::ConcurrentCall> {
    let mut r = request;
    let len = crate::http::content_length(&r.headers);
    let req = Request {
        method: r.method.clone(),
        scheme: r.scheme.take(),
        authority: r.authority.take(),
        path_with_query: r.path_with_query.take(),
        headers: std::mem::take(&mut r.headers),
        options: None,
        body: Body::Host(Abandon(r.body.take().context("a request without a body")?), len),
    };
    let req = get(store.data_mut()).table.push(req)?;
    let arg = resource_val(&mut store.as_context_mut(), req)?;
    handle.call_concurrent(&mut *store, &[arg])
}

/// What `handle` returned (`result<response, error-code>`) goes to `tx`:
/// the response's head and its body's pipe, whose bytes then flow as the
/// store's event loop runs; `None` if there is no body to send.
pub(crate) fn answer<T: 'static>(
    store: &mut Store<T>,
    get: GetCtx<T>,
    result: Option<Val>,
    tx: tokio::sync::oneshot::Sender<ResponseResult>,
) -> Result<Option<crate::http::server::Sent>> {
    let mut s = store.as_context_mut();
    let resp: Resp = match &result {
        Some(Val::Result(Ok(Some(r)))) => own(&mut s, Some(r))?,
        Some(Val::Result(Err(Some(e)))) => {
            let _ = tx.send(Err(error_code_of(e)));
            return Ok(None);
        }
        other => bail!("`handle` returned {other:?}"),
    };
    let mut resp = get(s.data_mut()).table.delete(resp)?;
    pass_length(&mut s, get, &resp.body, &mut resp.headers);
    let l = get(s.data_mut()).limits;
    let pipe = Pipe::outgoing(l.http_outgoing_body_chunk_size, l.http_outgoing_body_buffer_chunks);
    if let Some(len) = crate::http::content_length(&resp.headers) {
        pipe.set_content_length(len, true);
    }
    let mut head = http::Response::new(());
    *head.status_mut() = http::StatusCode::from_u16(resp.status)?;
    *head.headers_mut() = resp.headers;
    let (parts, ()) = head.into_parts();
    let body = has_contents(&resp.body).then(|| pipe.clone());
    let done = Arc::new(AtomicBool::new(false));
    send_body(&mut s, get, resp.body, pipe.clone(), done.clone())?;
    // The client may be gone: the guest's writes then go nowhere.
    let _ = tx.send(Ok((parts, body)));
    // Sent once the body is, or the client is gone.
    Ok(Some(Box::new(move || done.load(Ordering::SeqCst) || pipe.reader_gone())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `error-code`, with and without payloads, survives the trip
    /// through a value (as a guest's future or handler gives it back).
    #[test]
    fn error_codes_round_trip_through_values() {
        let field = FieldSizePayload { field_name: Some("x-a".into()), field_size: Some(9) };
        let codes = [
            ErrorCode::DnsTimeout,
            ErrorCode::DnsError(DnsErrorPayload {
                rcode: Some("NXDOMAIN".into()),
                info_code: Some(3),
            }),
            ErrorCode::TlsAlertReceived(TlsAlertReceivedPayload {
                alert_id: Some(40),
                alert_message: None,
            }),
            ErrorCode::HttpRequestBodySize(Some(5)),
            ErrorCode::HttpResponseBodySize(None),
            ErrorCode::HttpRequestHeaderSectionSize(Some(1)),
            ErrorCode::HttpRequestTrailerSectionSize(None),
            ErrorCode::HttpResponseHeaderSectionSize(Some(2)),
            ErrorCode::HttpResponseTrailerSectionSize(Some(3)),
            ErrorCode::HttpRequestHeaderSize(Some(field.clone())),
            ErrorCode::HttpRequestHeaderSize(None),
            ErrorCode::HttpRequestTrailerSize(field.clone()),
            ErrorCode::HttpResponseHeaderSize(field.clone()),
            ErrorCode::HttpResponseTrailerSize(field),
            ErrorCode::HttpResponseTransferCoding(Some("gzip".into())),
            ErrorCode::HttpResponseContentCoding(None),
            ErrorCode::HttpUpgradeFailed,
            ErrorCode::InternalError(Some("boom".into())),
            ErrorCode::InternalError(None),
        ];
        for c in codes {
            assert_eq!(error_code_of(&error_code_val(&c)), c);
        }
        let odd = Val::Variant("HTTP-request-body-size".into(), Some(Box::new(Val::U8(1))));
        assert!(matches!(error_code_of(&odd), ErrorCode::InternalError(Some(_))));
    }
}
