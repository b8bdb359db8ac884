//! `wasi:http@0.2`: `types` and `outgoing-handler` for guests, on the
//! core's HTTP machinery (`crate::http`: body pipes, fields, the client;
//! `wazi serve` is there too).
//!
//! Requests and responses are host resources in the context's table;
//! bodies are pipes between the guest's thread and hyper on tokio, so a
//! guest streams a body while the other side sends or receives it.

use super::GetCtx;
use super::io::{InputStream, IoError, OutputStream, Pollable};
use crate::http::body::Pipe;
use crate::http::types::*;
use crate::http::{client, content_length, fields};
use anyhow::Result;
use http::HeaderMap;
use std::time::Duration;
use wazi::StoreContextMut;
use wazi::component::{Linker, Resource, ResourceType};

/// Adds `wasi:http/types` and `wasi:http/outgoing-handler` to `linker`.
pub fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    fields::add_to_linker::<T, HeaderError>(linker, get, super::VERSION)?;
    requests(linker, get)?;
    responses(linker, get)?;
    bodies(linker, get)?;
    let v = super::VERSION;
    linker.instance(&format!("wasi:http/outgoing-handler@{v}"))?.func_wrap(
        "handle",
        move |mut s: StoreContextMut<'_, T>,
              (req, opts): (Resource<OutgoingRequest>, Option<Resource<RequestOptions>>)| {
            let ctx = get(s.data_mut());
            let req = ctx.table.delete(req)?;
            let opts = match opts {
                Some(o) => ctx.table.delete(o)?,
                None => RequestOptions::default(),
            };
            Ok((match client::send(req, opts)? {
                Ok(f) => Ok(ctx.table.push(f)?),
                Err(e) => Err(e),
            },))
        },
    )?;
    Ok(())
}

/// What requests and responses share: headers, and a body that an
/// incoming message gives once (`consume`) and an outgoing one creates
/// once (`body`).
trait Message: Send + 'static {
    /// The body is the guest's to read (otherwise to write).
    const INCOMING: bool;
    /// A response (for which error a wrong body length is).
    const RESPONSE: bool;
    fn headers(&self) -> &HeaderMap;
    fn body(&mut self) -> &mut Option<std::sync::Arc<Pipe>>;
}

macro_rules! message {
    ($ty:ty, incoming: $incoming:expr, response: $response:expr) => {
        impl Message for $ty {
            const INCOMING: bool = $incoming;
            const RESPONSE: bool = $response;
            fn headers(&self) -> &HeaderMap {
                &self.headers
            }
            fn body(&mut self) -> &mut Option<std::sync::Arc<Pipe>> {
                &mut self.body
            }
        }
    };
}

message!(IncomingRequest, incoming: true, response: false);
message!(OutgoingRequest, incoming: false, response: false);
message!(IncomingResponse, incoming: true, response: true);
message!(OutgoingResponse, incoming: false, response: true);

/// Defines `headers` and `consume` (incoming) or `body` (outgoing) of the
/// message resource `name`.
fn message<T: 'static, M: Message>(
    i: &mut wazi::component::LinkerInstance<'_, T>,
    name: &str,
    get: GetCtx<T>,
) -> Result<()> {
    // The headers of a message are a copy that cannot be changed.
    i.func_wrap(
        &format!("[method]{name}.headers"),
        move |mut s: StoreContextMut<'_, T>, (m,): (Resource<M>,)| {
            let ctx = get(s.data_mut());
            let map = ctx.table.get(&m)?.headers().clone();
            Ok((ctx.table.push(Fields { map, mutable: false })?,))
        },
    )?;
    if M::INCOMING {
        i.func_wrap(
            &format!("[method]{name}.consume"),
            move |mut s: StoreContextMut<'_, T>, (m,): (Resource<M>,)| {
                let ctx = get(s.data_mut());
                let Some(pipe) = ctx.table.get_mut(&m)?.body().take() else {
                    return Ok((Err(()),));
                };
                let body = IncomingBody { pipe, stream_taken: false, finished: false };
                Ok((Ok(ctx.table.push(body)?),))
            },
        )
    } else {
        i.func_wrap(
            &format!("[method]{name}.body"),
            move |mut s: StoreContextMut<'_, T>, (m,): (Resource<M>,)| {
                let ctx = get(s.data_mut());
                let msg = ctx.table.get_mut(&m)?;
                if msg.body().is_some() {
                    return Ok((Err(()),));
                }
                let l = ctx.limits;
                let chunks = l.http_outgoing_body_buffer_chunks;
                let pipe = Pipe::outgoing(l.http_outgoing_body_chunk_size, chunks)?;
                if let Some(len) = content_length(msg.headers()) {
                    pipe.set_content_length(len, M::RESPONSE);
                }
                *msg.body() = Some(pipe.clone());
                let body = OutgoingBody { pipe, stream_taken: false, finished: false };
                Ok((Ok(ctx.table.push(body)?),))
            },
        )
    }
}

/// What both kinds of requests have.
trait Request: Send + 'static {
    fn method(&self) -> &Method;
    fn scheme(&self) -> &Option<Scheme>;
    fn authority(&self) -> &Option<String>;
    fn path_with_query(&self) -> &Option<String>;
}

macro_rules! request {
    ($ty:ty) => {
        impl Request for $ty {
            fn method(&self) -> &Method {
                &self.method
            }
            fn scheme(&self) -> &Option<Scheme> {
                &self.scheme
            }
            fn authority(&self) -> &Option<String> {
                &self.authority
            }
            fn path_with_query(&self) -> &Option<String> {
                &self.path_with_query
            }
        }
    };
}

request!(IncomingRequest);
request!(OutgoingRequest);

/// Defines the getters of the request resource `name`.
fn request_parts<T: 'static, R: Request>(
    i: &mut wazi::component::LinkerInstance<'_, T>,
    name: &str,
    get: GetCtx<T>,
) -> Result<()> {
    i.func_wrap(
        &format!("[method]{name}.method"),
        move |mut s: StoreContextMut<'_, T>, (r,): (Resource<R>,)| {
            Ok((get(s.data_mut()).table.get(&r)?.method().clone(),))
        },
    )?;
    i.func_wrap(
        &format!("[method]{name}.scheme"),
        move |mut s: StoreContextMut<'_, T>, (r,): (Resource<R>,)| {
            Ok((get(s.data_mut()).table.get(&r)?.scheme().clone(),))
        },
    )?;
    type Part<R> = fn(&R) -> &Option<String>;
    let parts: [(&str, Part<R>); 2] =
        [("authority", |r| r.authority()), ("path-with-query", |r| r.path_with_query())];
    for (part, field) in parts {
        i.func_wrap(
            &format!("[method]{name}.{part}"),
            move |mut s: StoreContextMut<'_, T>, (r,): (Resource<R>,)| {
                Ok((field(get(s.data_mut()).table.get(&r)?).clone(),))
            },
        )?;
    }
    Ok(())
}

fn requests<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let v = super::VERSION;
    let mut i = linker.instance(&format!("wasi:http/types@{v}"))?;
    super::table_resource::<T, IncomingRequest>(&mut i, "incoming-request", get)?;
    super::table_resource::<T, OutgoingRequest>(&mut i, "outgoing-request", get)?;
    super::table_resource::<T, RequestOptions>(&mut i, "request-options", get)?;
    super::table_resource::<T, ResponseOutparam>(&mut i, "response-outparam", get)?;

    message::<T, IncomingRequest>(&mut i, "incoming-request", get)?;
    message::<T, OutgoingRequest>(&mut i, "outgoing-request", get)?;
    request_parts::<T, IncomingRequest>(&mut i, "incoming-request", get)?;
    request_parts::<T, OutgoingRequest>(&mut i, "outgoing-request", get)?;
    // incoming-request

    // outgoing-request
    i.func_wrap(
        "[constructor]outgoing-request",
        move |mut s: StoreContextMut<'_, T>, (h,): (Resource<Fields>,)| {
            let ctx = get(s.data_mut());
            let headers = ctx.table.delete(h)?.map;
            Ok((ctx.table.push(OutgoingRequest {
                method: Method::Get,
                scheme: None,
                authority: None,
                path_with_query: None,
                headers,
                body: None,
            })?,))
        },
    )?;
    crate::http::target::add_request_setters(
        &mut i,
        "outgoing-request",
        get,
        crate::http::target::TargetFields::<OutgoingRequest> {
            method: |r| &mut r.method,
            path_with_query: |r| &mut r.path_with_query,
            scheme: |r| &mut r.scheme,
            authority: |r| &mut r.authority,
        },
    )?;

    // request-options
    i.func_wrap("[constructor]request-options", move |mut s: StoreContextMut<'_, T>, (): ()| {
        Ok((get(s.data_mut()).table.push(RequestOptions::default())?,))
    })?;
    type Opts = Resource<RequestOptions>;
    type Field = fn(&mut RequestOptions) -> &mut Option<Duration>;
    let options: [(&str, Field); 3] = [
        ("connect-timeout", |o| &mut o.connect_timeout),
        ("first-byte-timeout", |o| &mut o.first_byte_timeout),
        ("between-bytes-timeout", |o| &mut o.between_bytes_timeout),
    ];
    for (name, field) in options {
        i.func_wrap(
            &format!("[method]request-options.{name}"),
            move |mut s: StoreContextMut<'_, T>, (o,): (Opts,)| {
                let d = *field(get(s.data_mut()).table.get_mut(&o)?);
                Ok((d.map(|d| d.as_nanos().min(u64::MAX as u128) as u64),))
            },
        )?;
        i.func_wrap(
            &format!("[method]request-options.set-{name}"),
            move |mut s: StoreContextMut<'_, T>, (o, d): (Opts, Option<u64>)| {
                *field(get(s.data_mut()).table.get_mut(&o)?) = d.map(Duration::from_nanos);
                Ok((Ok::<(), ()>(()),))
            },
        )?;
    }

    // response-outparam
    i.func_wrap(
        "[static]response-outparam.set",
        move |mut s: StoreContextMut<'_, T>,
              (param, response): (
            Resource<ResponseOutparam>,
            Result<Resource<OutgoingResponse>, ErrorCode>,
        )| {
            let ctx = get(s.data_mut());
            let param = ctx.table.delete(param)?;
            let result = match response {
                Ok(r) => {
                    let r = ctx.table.delete(r)?;
                    let mut head = http::Response::new(());
                    *head.status_mut() = http::StatusCode::from_u16(r.status)?;
                    *head.headers_mut() = r.headers;
                    let (parts, ()) = head.into_parts();
                    Ok((parts, r.body))
                }
                Err(e) => Err(e),
            };
            // The other side may be gone (the client hung up): not the
            // guest's concern.
            if let Some(tx) = param.tx.lock().unwrap_or_else(|e| e.into_inner()).take() {
                let _ = tx.send(result);
            }
            Ok(())
        },
    )?;
    Ok(())
}

type InResp = Resource<IncomingResponse>;
type OutResp = Resource<OutgoingResponse>;

fn responses<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let v = super::VERSION;
    let mut i = linker.instance(&format!("wasi:http/types@{v}"))?;
    super::table_resource::<T, IncomingResponse>(&mut i, "incoming-response", get)?;
    super::table_resource::<T, OutgoingResponse>(&mut i, "outgoing-response", get)?;
    super::table_resource::<T, FutureIncomingResponse>(&mut i, "future-incoming-response", get)?;
    message::<T, IncomingResponse>(&mut i, "incoming-response", get)?;
    message::<T, OutgoingResponse>(&mut i, "outgoing-response", get)?;

    i.func_wrap(
        "[method]incoming-response.status",
        move |mut s: StoreContextMut<'_, T>, (r,): (InResp,)| {
            Ok((get(s.data_mut()).table.get(&r)?.status,))
        },
    )?;

    i.func_wrap(
        "[constructor]outgoing-response",
        move |mut s: StoreContextMut<'_, T>, (h,): (Resource<Fields>,)| {
            let ctx = get(s.data_mut());
            let headers = ctx.table.delete(h)?.map;
            Ok((ctx.table.push(OutgoingResponse { status: 200, headers, body: None })?,))
        },
    )?;
    i.func_wrap(
        "[method]outgoing-response.status-code",
        move |mut s: StoreContextMut<'_, T>, (r,): (OutResp,)| {
            Ok((get(s.data_mut()).table.get(&r)?.status,))
        },
    )?;
    crate::http::target::add_status_setter::<T, OutgoingResponse>(
        &mut i,
        "outgoing-response",
        get,
        |r| &mut r.status,
    )?;

    type Future = Resource<FutureIncomingResponse>;
    i.func_wrap(
        "[method]future-incoming-response.subscribe",
        move |mut s: StoreContextMut<'_, T>, (f,): (Future,)| {
            let ctx = get(s.data_mut());
            let fd = ctx.table.get(&f)?.slot.ready_fd();
            Ok((ctx.table.push_child(Pollable::Fd { fd, write: false }, &f)?,))
        },
    )?;
    i.func_wrap(
        "[method]future-incoming-response.get",
        move |mut s: StoreContextMut<'_, T>, (f,): (Future,)| {
            let ctx = get(s.data_mut());
            let r = match ctx.table.get(&f)?.slot.take() {
                None => None,
                Some(None) => Some(Err(())),
                Some(Some(Err(e))) => Some(Ok(Err(e))),
                Some(Some(Ok(resp))) => Some(Ok(Ok(ctx.table.push(resp)?))),
            };
            Ok((r,))
        },
    )?;
    i.func_wrap(
        "http-error-code",
        move |mut s: StoreContextMut<'_, T>, (e,): (Resource<IoError>,)| {
            Ok((get(s.data_mut()).table.get(&e)?.http.clone(),))
        },
    )?;
    Ok(())
}

fn bodies<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let v = super::VERSION;
    let mut i = linker.instance(&format!("wasi:http/types@{v}"))?;
    super::table_resource::<T, IncomingBody>(&mut i, "incoming-body", get)?;
    // A guest dropping an outgoing body without `finish` aborts it (the
    // peer sees the message fail); a body left when the store goes away
    // just ends.
    i.resource("outgoing-body", ResourceType::host::<OutgoingBody>(), move |mut s, rep| {
        let body = get(s.data_mut()).table.delete(Resource::<OutgoingBody>::new_own(rep))?;
        body.abort();
        Ok(())
    })?;
    super::table_resource::<T, FutureTrailers>(&mut i, "future-trailers", get)?;

    type InBody = Resource<IncomingBody>;
    i.func_wrap(
        "[method]incoming-body.stream",
        move |mut s: StoreContextMut<'_, T>, (b,): (InBody,)| {
            let ctx = get(s.data_mut());
            let body = ctx.table.get_mut(&b)?;
            if body.stream_taken {
                return Ok((Err(()),));
            }
            body.stream_taken = true;
            let pipe = body.pipe.clone();
            Ok((Ok(ctx.table.push_child(InputStream::Http(pipe), &b)?),))
        },
    )?;
    i.func_wrap(
        "[static]incoming-body.finish",
        move |mut s: StoreContextMut<'_, T>, (b,): (InBody,)| {
            let ctx = get(s.data_mut());
            let mut body = ctx.table.delete(b)?;
            body.finished = true;
            let pipe = body.pipe.clone();
            drop(body);
            Ok((ctx.table.push(FutureTrailers { pipe })?,))
        },
    )?;

    type Trailers = Resource<FutureTrailers>;
    i.func_wrap(
        "[method]future-trailers.subscribe",
        move |mut s: StoreContextMut<'_, T>, (f,): (Trailers,)| {
            let ctx = get(s.data_mut());
            let fd = ctx.table.get(&f)?.pipe.ready_fd();
            Ok((ctx.table.push_child(Pollable::Fd { fd, write: false }, &f)?,))
        },
    )?;
    i.func_wrap(
        "[method]future-trailers.get",
        move |mut s: StoreContextMut<'_, T>, (f,): (Trailers,)| {
            let ctx = get(s.data_mut());
            let r = match ctx.table.get(&f)?.pipe.take_trailers() {
                None => None,
                Some(Err(None)) => Some(Err(())),
                Some(Err(Some(e))) => Some(Ok(Err(e))),
                Some(Ok(None)) => Some(Ok(Ok(None))),
                Some(Ok(Some(map))) => {
                    Some(Ok(Ok(Some(ctx.table.push(Fields { map, mutable: false })?))))
                }
            };
            Ok((r,))
        },
    )?;

    type OutBody = Resource<OutgoingBody>;
    i.func_wrap(
        "[method]outgoing-body.write",
        move |mut s: StoreContextMut<'_, T>, (b,): (OutBody,)| {
            let ctx = get(s.data_mut());
            let body = ctx.table.get_mut(&b)?;
            if body.stream_taken {
                return Ok((Err(()),));
            }
            body.stream_taken = true;
            let pipe = body.pipe.clone();
            Ok((Ok(ctx.table.push_child(OutputStream::Http(pipe), &b)?),))
        },
    )?;
    i.func_wrap(
        "[static]outgoing-body.finish",
        move |mut s: StoreContextMut<'_, T>, (b, trailers): (OutBody, Option<Resource<Fields>>)| {
            let ctx = get(s.data_mut());
            let mut body = ctx.table.delete(b)?;
            let trailers = match trailers {
                Some(t) => Some(ctx.table.delete(t)?.map),
                None => None,
            };
            body.finished = true;
            Ok((body.pipe.guest_finish(trailers),))
        },
    )?;
    Ok(())
}
