//! The values and resources of `wasi:http/types`.

use super::body::Pipe;
use http::HeaderMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wazi::{component_record, component_variant};

component_variant! {
    /// `wasi:http/types.method`.
    #[derive(Clone, Debug, PartialEq)]
    pub enum Method { Get, Head, Post, Put, Delete, Connect, Options, Trace, Patch, Other(String) }
}

component_variant! {
    /// `wasi:http/types.scheme`.
    #[derive(Clone, Debug, PartialEq)]
    pub enum Scheme { Http, Https, Other(String) }
}

component_record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct DnsErrorPayload { pub rcode: Option<String>, pub info_code: Option<u16> }
}

component_record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct TlsAlertReceivedPayload {
        pub alert_id: Option<u8>,
        pub alert_message: Option<String>,
    }
}

component_record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct FieldSizePayload { pub field_name: Option<String>, pub field_size: Option<u32> }
}

component_variant! {
    /// `wasi:http/types.error-code` (WIT's acronyms are upper case:
    /// `DnsTimeout` is `DNS-timeout`).
    #[derive(Clone, Debug, PartialEq)]
    pub enum ErrorCode {
        DnsTimeout,
        DnsError(DnsErrorPayload),
        DestinationNotFound,
        DestinationUnavailable,
        DestinationIpProhibited,
        DestinationIpUnroutable,
        ConnectionRefused,
        ConnectionTerminated,
        ConnectionTimeout,
        ConnectionReadTimeout,
        ConnectionWriteTimeout,
        ConnectionLimitReached,
        TlsProtocolError,
        TlsCertificateError,
        TlsAlertReceived(TlsAlertReceivedPayload),
        HttpRequestDenied,
        HttpRequestLengthRequired,
        HttpRequestBodySize(Option<u64>),
        HttpRequestMethodInvalid,
        HttpRequestUriInvalid,
        HttpRequestUriTooLong,
        HttpRequestHeaderSectionSize(Option<u32>),
        HttpRequestHeaderSize(Option<FieldSizePayload>),
        HttpRequestTrailerSectionSize(Option<u32>),
        HttpRequestTrailerSize(FieldSizePayload),
        HttpResponseIncomplete,
        HttpResponseHeaderSectionSize(Option<u32>),
        HttpResponseHeaderSize(FieldSizePayload),
        HttpResponseBodySize(Option<u64>),
        HttpResponseTrailerSectionSize(Option<u32>),
        HttpResponseTrailerSize(FieldSizePayload),
        HttpResponseTransferCoding(Option<String>),
        HttpResponseContentCoding(Option<String>),
        HttpResponseTimeout,
        HttpUpgradeFailed,
        HttpProtocolError,
        LoopDetected,
        ConfigurationError,
        InternalError(Option<String>),
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ErrorCode::InternalError(Some(m)) => write!(f, "{m}"),
            e => write!(f, "{e:?}"),
        }
    }
}

impl std::error::Error for ErrorCode {}

component_variant! {
    /// `wasi:http/types.header-error`.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum HeaderError { InvalidSyntax, Forbidden, Immutable }
}

/// `wasi:http/types.fields` (headers and trailers).
pub(crate) struct Fields {
    pub(crate) map: HeaderMap,
    /// Fields given out by a request or response cannot be changed.
    pub(crate) mutable: bool,
}

/// `wasi:http/types.incoming-request`.
pub(crate) struct IncomingRequest {
    pub(crate) method: Method,
    pub(crate) scheme: Option<Scheme>,
    pub(crate) authority: Option<String>,
    pub(crate) path_with_query: Option<String>,
    pub(crate) headers: HeaderMap,
    /// Until `consume`.
    pub(crate) body: Option<Arc<Pipe>>,
}

/// `wasi:http/types.outgoing-request`.
pub(crate) struct OutgoingRequest {
    pub(crate) method: Method,
    pub(crate) scheme: Option<Scheme>,
    pub(crate) authority: Option<String>,
    pub(crate) path_with_query: Option<String>,
    pub(crate) headers: HeaderMap,
    /// Created by the first `body` call.
    pub(crate) body: Option<Arc<Pipe>>,
}

/// `wasi:http/types.request-options`: timeouts, `None` for the default.
#[derive(Clone, Default)]
pub(crate) struct RequestOptions {
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) first_byte_timeout: Option<Duration>,
    pub(crate) between_bytes_timeout: Option<Duration>,
}

/// The response a handler produced: head and body, or an error.
pub(crate) type ResponseResult = Result<(http::response::Parts, Option<Arc<Pipe>>), ErrorCode>;

/// `wasi:http/types.response-outparam`: where `set` sends the response.
pub(crate) struct ResponseOutparam {
    /// Taken when the response is set (or, for an instance that goes on
    /// serving, when the handler returned without setting one).
    pub(crate) tx: Arc<Mutex<Option<tokio::sync::oneshot::Sender<ResponseResult>>>>,
}

/// `wasi:http/types.outgoing-response`.
pub(crate) struct OutgoingResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Arc<Pipe>>,
}

/// `wasi:http/types.incoming-response`.
pub(crate) struct IncomingResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    /// Until `consume`.
    pub(crate) body: Option<Arc<Pipe>>,
}

/// `wasi:http/types.incoming-body`.
pub(crate) struct IncomingBody {
    pub(crate) pipe: Arc<Pipe>,
    pub(crate) stream_taken: bool,
    /// `finish` turned it into a `future-trailers`.
    pub(crate) finished: bool,
}

impl Drop for IncomingBody {
    fn drop(&mut self) {
        if self.finished {
            // The rest is discarded until the trailers come.
            self.pipe.stop_reading();
        } else {
            self.pipe.abandon();
        }
    }
}

/// `wasi:http/types.future-trailers`.
pub(crate) struct FutureTrailers {
    pub(crate) pipe: Arc<Pipe>,
}

impl Drop for FutureTrailers {
    fn drop(&mut self) {
        self.pipe.abandon();
    }
}

impl Drop for IncomingRequest {
    fn drop(&mut self) {
        if let Some(p) = self.body.take() {
            p.abandon();
        }
    }
}

impl Drop for IncomingResponse {
    fn drop(&mut self) {
        if let Some(p) = self.body.take() {
            p.abandon();
        }
    }
}

/// `wasi:http/types.outgoing-body`.
pub(crate) struct OutgoingBody {
    pub(crate) pipe: Arc<Pipe>,
    pub(crate) stream_taken: bool,
    /// `finish` was called (dropping it otherwise aborts the body).
    pub(crate) finished: bool,
}

impl OutgoingBody {
    /// Ends the body as failed (the guest gave it up).
    pub(crate) fn abort(mut self) {
        self.finished = true;
        self.pipe.finish(super::body::End::Failed(ErrorCode::HttpProtocolError));
    }
}

impl Drop for OutgoingBody {
    fn drop(&mut self) {
        if !self.finished {
            self.pipe.finish(super::body::End::Done(None));
        }
    }
}

/// What a request eventually gives: the response, or why not.
pub(crate) type ResponseSlot = Arc<Slot<Result<IncomingResponse, ErrorCode>>>;

/// `wasi:http/types.future-incoming-response`.
pub(crate) struct FutureIncomingResponse {
    pub(crate) slot: ResponseSlot,
    /// The request task, aborted when the future is dropped unresolved.
    pub(crate) task: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for FutureIncomingResponse {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// A value that arrives later, with a descriptor that is readable once
/// it has (for `subscribe`).
pub(crate) struct Slot<T> {
    value: Mutex<SlotState<T>>,
    signal: super::body::Signal,
}

enum SlotState<T> {
    Pending,
    Ready(T),
    Taken,
}

impl<T> Slot<T> {
    pub(crate) fn new() -> Arc<Slot<T>> {
        Arc::new(Slot { value: Mutex::new(SlotState::Pending), signal: super::body::Signal::new() })
    }

    /// Fills the slot (the first value wins).
    pub(crate) fn put(&self, v: T) {
        let mut st = self.value.lock().unwrap_or_else(|e| e.into_inner());
        if let SlotState::Pending = *st {
            *st = SlotState::Ready(v);
        }
        self.signal.set(true);
    }

    /// `None` while pending; `Some(Some(v))` once; `Some(None)` after.
    pub(crate) fn take(&self) -> Option<Option<T>> {
        let mut st = self.value.lock().unwrap_or_else(|e| e.into_inner());
        match std::mem::replace(&mut *st, SlotState::Taken) {
            SlotState::Pending => {
                *st = SlotState::Pending;
                None
            }
            SlotState::Ready(v) => Some(Some(v)),
            SlotState::Taken => Some(None),
        }
    }

    pub(crate) fn ready_fd(&self) -> std::io::Result<Arc<std::os::fd::OwnedFd>> {
        self.signal.fd()
    }
}
