//! `wasi:http@0.2`: `types` and `outgoing-handler` for guests, on the
//! core's HTTP machinery (`crate::http`: body pipes, fields, the client;
//! `wazi serve` is there too).
//!
//! Requests and responses are host resources in the context's table;
//! bodies are pipes between the guest's thread and hyper on tokio, so a
//! guest streams a body while the other side sends or receives it.

use super::GetCtx;
use super::bindings::wasi::http::{outgoing_handler, types};
use super::io::{InputStream, IoError, OutputStream, Pollable};
use crate::WasiCtx;
use crate::ctx::Wasi;
use crate::http::body::Pipe;
use crate::http::target;
use crate::http::types::*;
use crate::http::{client, content_length, fields};
use anyhow::Result;
use http::HeaderMap;
use std::time::Duration;
use wazi::StoreContextMut;
use wazi::component::{Linker, Resource};

/// What requests and responses share: headers, and a body that an
/// incoming message gives once (`consume`) and an outgoing one creates
/// once (`body`).
trait Message: Send + 'static {
    /// A response (for which error a wrong body length is).
    const RESPONSE: bool;
    fn headers(&self) -> &HeaderMap;
    fn body(&mut self) -> &mut Option<std::sync::Arc<Pipe>>;
}

macro_rules! message {
    ($ty:ty, response: $response:expr) => {
        impl Message for $ty {
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

message!(IncomingRequest, response: false);
message!(OutgoingRequest, response: false);
message!(IncomingResponse, response: true);
message!(OutgoingResponse, response: true);

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

/// Adds `wasi:http/types` and `wasi:http/outgoing-handler` to `linker`.
pub fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let host = Wasi { get };
    types::add_to_linker(linker, host)?;
    outgoing_handler::add_to_linker(linker, host)
}

/// The headers of a message: a copy that cannot be changed.
fn headers<M: Message>(ctx: &mut WasiCtx, m: &Resource<M>) -> Result<Resource<Fields>> {
    let map = ctx.table.get(m)?.headers().clone();
    Ok(ctx.table.push(Fields { map, mutable: false })?)
}

/// `consume` of an incoming message: its body, once.
fn consume<M: Message>(
    ctx: &mut WasiCtx,
    m: &Resource<M>,
) -> Result<Result<Resource<IncomingBody>, ()>> {
    let Some(pipe) = ctx.table.get_mut(m)?.body().take() else {
        return Ok(Err(()));
    };
    let body = IncomingBody { pipe, stream_taken: false, finished: false };
    Ok(Ok(ctx.table.push(body)?))
}

/// `body` of an outgoing message: its body, once.
fn body<M: Message>(
    ctx: &mut WasiCtx,
    m: &Resource<M>,
) -> Result<Result<Resource<OutgoingBody>, ()>> {
    let l = ctx.limits;
    let msg = ctx.table.get_mut(m)?;
    if msg.body().is_some() {
        return Ok(Err(()));
    }
    let chunks = l.http_outgoing_body_buffer_chunks;
    let pipe = Pipe::outgoing(l.http_outgoing_body_chunk_size, chunks);
    if let Some(len) = content_length(msg.headers()) {
        pipe.set_content_length(len, M::RESPONSE);
    }
    *msg.body() = Some(pipe.clone());
    let body = OutgoingBody { pipe, stream_taken: false, finished: false };
    Ok(Ok(ctx.table.push(body)?))
}

type Opts = Resource<RequestOptions>;
type OptionField = fn(&mut RequestOptions) -> &mut Option<Duration>;

fn get_option(ctx: &mut WasiCtx, o: &Opts, field: OptionField) -> Result<Option<u64>> {
    let d = *field(ctx.table.get_mut(o)?);
    Ok(d.map(|d| d.as_nanos().min(u64::MAX as u128) as u64))
}

fn set_option(
    ctx: &mut WasiCtx,
    o: &Opts,
    d: Option<u64>,
    field: OptionField,
) -> Result<Result<(), ()>> {
    *field(ctx.table.get_mut(o)?) = d.map(Duration::from_nanos);
    Ok(Ok(()))
}

type S<'a, T> = StoreContextMut<'a, T>;
type F = Resource<Fields>;
type InReq = Resource<IncomingRequest>;
type OutReq = Resource<OutgoingRequest>;
type InResp = Resource<IncomingResponse>;
type OutResp = Resource<OutgoingResponse>;
type InBody = Resource<IncomingBody>;
type OutBody = Resource<OutgoingBody>;
type Trailers = Resource<FutureTrailers>;
type Future = Resource<FutureIncomingResponse>;

impl<T: 'static> outgoing_handler::Host<T> for Wasi<T> {
    fn handle(
        &self,
        mut s: StoreContextMut<'_, T>,
        req: Resource<OutgoingRequest>,
        opts: Option<Resource<RequestOptions>>,
    ) -> Result<
        Result<
            wazi::component::Resource<crate::http::types::FutureIncomingResponse>,
            crate::p2::bindings::wasi::http::outgoing_handler::ErrorCode,
        >,
    > {
        let get = self.get;
        let ctx = get(s.data_mut());
        let req = ctx.table.delete(req)?;
        let opts = match opts {
            Some(o) => ctx.table.delete(o)?,
            None => RequestOptions::default(),
        };
        Ok(match client::send(req, opts)? {
            Ok(f) => Ok(ctx.table.push(f)?),
            Err(e) => Err(e),
        })
    }
}

impl<T: 'static> types::Host<T> for Wasi<T> {
    /// A guest dropping an outgoing body without `finish` aborts it (the
    /// peer sees the message fail); a body left when the store goes away
    /// just ends.
    fn outgoing_body_drop(&self, mut s: S<'_, T>, it: Resource<OutgoingBody>) -> Result<()> {
        self.ctx(&mut s).table.delete(it)?.abort();
        Ok(())
    }

    fn fields_new(&self, mut s: S<'_, T>) -> Result<F> {
        fields::new(self.ctx(&mut s))
    }

    fn fields_from_list(
        &self,
        mut s: S<'_, T>,
        entries: Vec<(String, Vec<u8>)>,
    ) -> Result<Result<F, HeaderError>> {
        fields::from_list(self.ctx(&mut s), entries)
    }

    fn fields_get(&self, mut s: S<'_, T>, f: F, name: String) -> Result<Vec<Vec<u8>>> {
        fields::get(self.ctx(&mut s), &f, &name)
    }

    fn fields_has(&self, mut s: S<'_, T>, f: F, name: String) -> Result<bool> {
        fields::has(self.ctx(&mut s), &f, &name)
    }

    fn fields_set(
        &self,
        mut s: S<'_, T>,
        f: F,
        name: String,
        values: Vec<Vec<u8>>,
    ) -> Result<Result<(), HeaderError>> {
        fields::set(self.ctx(&mut s), &f, &name, values)
    }

    fn fields_delete(
        &self,
        mut s: S<'_, T>,
        f: F,
        name: String,
    ) -> Result<Result<(), HeaderError>> {
        fields::delete(self.ctx(&mut s), &f, &name)
    }

    fn fields_append(
        &self,
        mut s: S<'_, T>,
        f: F,
        name: String,
        value: Vec<u8>,
    ) -> Result<Result<(), HeaderError>> {
        fields::append(self.ctx(&mut s), &f, &name, &value)
    }

    fn fields_entries(&self, mut s: S<'_, T>, f: F) -> Result<Vec<(String, Vec<u8>)>> {
        fields::entries(self.ctx(&mut s), &f)
    }

    fn fields_clone(&self, mut s: S<'_, T>, f: F) -> Result<F> {
        fields::clone(self.ctx(&mut s), &f)
    }

    fn incoming_request_method(&self, mut s: S<'_, T>, r: InReq) -> Result<Method> {
        Ok(self.ctx(&mut s).table.get(&r)?.method().clone())
    }

    fn incoming_request_path_with_query(
        &self,
        mut s: S<'_, T>,
        r: InReq,
    ) -> Result<Option<String>> {
        Ok(self.ctx(&mut s).table.get(&r)?.path_with_query().clone())
    }

    fn incoming_request_scheme(&self, mut s: S<'_, T>, r: InReq) -> Result<Option<Scheme>> {
        Ok(self.ctx(&mut s).table.get(&r)?.scheme().clone())
    }

    fn incoming_request_authority(&self, mut s: S<'_, T>, r: InReq) -> Result<Option<String>> {
        Ok(self.ctx(&mut s).table.get(&r)?.authority().clone())
    }

    fn incoming_request_headers(&self, mut s: S<'_, T>, r: InReq) -> Result<F> {
        headers(self.ctx(&mut s), &r)
    }

    fn incoming_request_consume(
        &self,
        mut s: S<'_, T>,
        r: InReq,
    ) -> Result<Result<Resource<IncomingBody>, ()>> {
        consume(self.ctx(&mut s), &r)
    }

    fn outgoing_request_body(
        &self,
        mut s: S<'_, T>,
        r: OutReq,
    ) -> Result<Result<Resource<OutgoingBody>, ()>> {
        body(self.ctx(&mut s), &r)
    }

    fn outgoing_request_method(&self, mut s: S<'_, T>, r: OutReq) -> Result<Method> {
        Ok(self.ctx(&mut s).table.get(&r)?.method().clone())
    }

    fn outgoing_request_set_method(
        &self,
        mut s: S<'_, T>,
        r: OutReq,
        m: Method,
    ) -> Result<Result<(), ()>> {
        let field: fn(&mut OutgoingRequest) -> &mut Method = |r| &mut r.method;
        target::set(self.ctx(&mut s), &r, m, target::valid_method, field)
    }

    fn outgoing_request_path_with_query(
        &self,
        mut s: S<'_, T>,
        r: OutReq,
    ) -> Result<Option<String>> {
        Ok(self.ctx(&mut s).table.get(&r)?.path_with_query().clone())
    }

    fn outgoing_request_set_path_with_query(
        &self,
        mut s: S<'_, T>,
        r: OutReq,
        p: Option<String>,
    ) -> Result<Result<(), ()>> {
        let field: fn(&mut OutgoingRequest) -> &mut _ = |r| &mut r.path_with_query;
        target::set(self.ctx(&mut s), &r, p, target::valid_path_with_query, field)
    }

    fn outgoing_request_scheme(&self, mut s: S<'_, T>, r: OutReq) -> Result<Option<Scheme>> {
        Ok(self.ctx(&mut s).table.get(&r)?.scheme().clone())
    }

    fn outgoing_request_set_scheme(
        &self,
        mut s: S<'_, T>,
        r: OutReq,
        scheme: Option<Scheme>,
    ) -> Result<Result<(), ()>> {
        let field: fn(&mut OutgoingRequest) -> &mut _ = |r| &mut r.scheme;
        target::set(self.ctx(&mut s), &r, scheme, target::valid_scheme, field)
    }

    fn outgoing_request_authority(&self, mut s: S<'_, T>, r: OutReq) -> Result<Option<String>> {
        Ok(self.ctx(&mut s).table.get(&r)?.authority().clone())
    }

    fn outgoing_request_set_authority(
        &self,
        mut s: S<'_, T>,
        r: OutReq,
        a: Option<String>,
    ) -> Result<Result<(), ()>> {
        let field: fn(&mut OutgoingRequest) -> &mut _ = |r| &mut r.authority;
        target::set(self.ctx(&mut s), &r, a, target::valid_authority, field)
    }

    fn outgoing_request_headers(&self, mut s: S<'_, T>, r: OutReq) -> Result<F> {
        headers(self.ctx(&mut s), &r)
    }

    fn request_options_connect_timeout(&self, mut s: S<'_, T>, o: Opts) -> Result<Option<u64>> {
        get_option(self.ctx(&mut s), &o, |o| &mut o.connect_timeout)
    }

    fn request_options_set_connect_timeout(
        &self,
        mut s: S<'_, T>,
        o: Opts,
        d: Option<u64>,
    ) -> Result<Result<(), ()>> {
        set_option(self.ctx(&mut s), &o, d, |o| &mut o.connect_timeout)
    }

    fn request_options_first_byte_timeout(&self, mut s: S<'_, T>, o: Opts) -> Result<Option<u64>> {
        get_option(self.ctx(&mut s), &o, |o| &mut o.first_byte_timeout)
    }

    fn request_options_set_first_byte_timeout(
        &self,
        mut s: S<'_, T>,
        o: Opts,
        d: Option<u64>,
    ) -> Result<Result<(), ()>> {
        set_option(self.ctx(&mut s), &o, d, |o| &mut o.first_byte_timeout)
    }

    fn request_options_between_bytes_timeout(
        &self,
        mut s: S<'_, T>,
        o: Opts,
    ) -> Result<Option<u64>> {
        get_option(self.ctx(&mut s), &o, |o| &mut o.between_bytes_timeout)
    }

    fn request_options_set_between_bytes_timeout(
        &self,
        mut s: S<'_, T>,
        o: Opts,
        d: Option<u64>,
    ) -> Result<Result<(), ()>> {
        set_option(self.ctx(&mut s), &o, d, |o| &mut o.between_bytes_timeout)
    }

    fn incoming_response_headers(&self, mut s: S<'_, T>, r: InResp) -> Result<F> {
        headers(self.ctx(&mut s), &r)
    }

    fn incoming_response_consume(
        &self,
        mut s: S<'_, T>,
        r: InResp,
    ) -> Result<Result<Resource<IncomingBody>, ()>> {
        consume(self.ctx(&mut s), &r)
    }

    fn outgoing_response_set_status_code(
        &self,
        mut s: S<'_, T>,
        r: OutResp,
        code: u16,
    ) -> Result<Result<(), ()>> {
        let field: fn(&mut OutgoingResponse) -> &mut u16 = |r| &mut r.status;
        target::set(self.ctx(&mut s), &r, code, target::valid_status, field)
    }

    fn outgoing_response_headers(&self, mut s: S<'_, T>, r: OutResp) -> Result<F> {
        headers(self.ctx(&mut s), &r)
    }

    fn outgoing_response_body(
        &self,
        mut s: S<'_, T>,
        r: OutResp,
    ) -> Result<Result<Resource<OutgoingBody>, ()>> {
        body(self.ctx(&mut s), &r)
    }

    fn outgoing_request_new(
        &self,
        mut s: StoreContextMut<'_, T>,
        h: Resource<Fields>,
    ) -> Result<wazi::component::Resource<crate::http::types::OutgoingRequest>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        let headers = ctx.table.delete(h)?.map;
        Ok(ctx.table.push(OutgoingRequest {
            method: Method::Get,
            scheme: None,
            authority: None,
            path_with_query: None,
            headers,
            body: None,
        })?)
    }

    fn request_options_new(
        &self,
        mut s: StoreContextMut<'_, T>,
    ) -> Result<wazi::component::Resource<crate::http::types::RequestOptions>> {
        let get = self.get;
        Ok(get(s.data_mut()).table.push(RequestOptions::default())?)
    }

    fn response_outparam_set(
        &self,
        mut s: StoreContextMut<'_, T>,
        param: Resource<ResponseOutparam>,
        response: Result<Resource<OutgoingResponse>, ErrorCode>,
    ) -> Result<()> {
        let get = self.get;
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
    }

    fn incoming_response_status(&self, mut s: StoreContextMut<'_, T>, r: InResp) -> Result<u16> {
        let get = self.get;
        Ok(get(s.data_mut()).table.get(&r)?.status)
    }

    fn outgoing_response_new(
        &self,
        mut s: StoreContextMut<'_, T>,
        h: Resource<Fields>,
    ) -> Result<wazi::component::Resource<crate::http::types::OutgoingResponse>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        let headers = ctx.table.delete(h)?.map;
        Ok(ctx.table.push(OutgoingResponse { status: 200, headers, body: None })?)
    }

    fn outgoing_response_status_code(
        &self,
        mut s: StoreContextMut<'_, T>,
        r: OutResp,
    ) -> Result<u16> {
        let get = self.get;
        Ok(get(s.data_mut()).table.get(&r)?.status)
    }

    fn future_incoming_response_subscribe(
        &self,
        mut s: StoreContextMut<'_, T>,
        f: Future,
    ) -> Result<wazi::component::Resource<crate::p2::io::Pollable>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        let fd = ctx.table.get(&f)?.slot.ready_fd()?;
        Ok(ctx.table.push_child(Pollable::Fd { fd, write: false }, &f)?)
    }

    fn future_incoming_response_get(
        &self,
        mut s: StoreContextMut<'_, T>,
        f: Future,
    ) -> Result<
        Option<
            Result<
                Result<
                    wazi::component::Resource<crate::http::types::IncomingResponse>,
                    crate::http::types::ErrorCode,
                >,
                (),
            >,
        >,
    > {
        let get = self.get;
        let ctx = get(s.data_mut());
        let r = match ctx.table.get(&f)?.slot.take() {
            None => None,
            Some(None) => Some(Err(())),
            Some(Some(Err(e))) => Some(Ok(Err(e))),
            Some(Some(Ok(resp))) => Some(Ok(Ok(ctx.table.push(resp)?))),
        };
        Ok(r)
    }

    fn http_error_code(
        &self,
        mut s: StoreContextMut<'_, T>,
        e: Resource<IoError>,
    ) -> Result<Option<crate::http::types::ErrorCode>> {
        let get = self.get;
        Ok(get(s.data_mut()).table.get(&e)?.http.clone())
    }

    fn incoming_body_stream(
        &self,
        mut s: StoreContextMut<'_, T>,
        b: InBody,
    ) -> Result<Result<wazi::component::Resource<crate::p2::io::InputStream>, ()>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        let body = ctx.table.get_mut(&b)?;
        if body.stream_taken {
            return Ok(Err(()));
        }
        body.stream_taken = true;
        let pipe = body.pipe.clone();
        Ok(Ok(ctx.table.push_child(InputStream::Http(pipe), &b)?))
    }

    fn incoming_body_finish(
        &self,
        mut s: StoreContextMut<'_, T>,
        b: InBody,
    ) -> Result<wazi::component::Resource<crate::http::types::FutureTrailers>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        let mut body = ctx.table.delete(b)?;
        body.finished = true;
        let pipe = body.pipe.clone();
        drop(body);
        Ok(ctx.table.push(FutureTrailers { pipe })?)
    }

    fn future_trailers_subscribe(
        &self,
        mut s: StoreContextMut<'_, T>,
        f: Trailers,
    ) -> Result<wazi::component::Resource<crate::p2::io::Pollable>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        let fd = ctx.table.get(&f)?.pipe.ready_fd()?;
        Ok(ctx.table.push_child(Pollable::Fd { fd, write: false }, &f)?)
    }

    fn future_trailers_get(
        &self,
        mut s: StoreContextMut<'_, T>,
        f: Trailers,
    ) -> Result<
        Option<
            Result<
                Result<
                    Option<wazi::component::Resource<crate::http::types::Fields>>,
                    crate::http::types::ErrorCode,
                >,
                (),
            >,
        >,
    > {
        let get = self.get;
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
        Ok(r)
    }

    fn outgoing_body_write(
        &self,
        mut s: StoreContextMut<'_, T>,
        b: OutBody,
    ) -> Result<Result<wazi::component::Resource<crate::p2::io::OutputStream>, ()>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        let body = ctx.table.get_mut(&b)?;
        if body.stream_taken {
            return Ok(Err(()));
        }
        body.stream_taken = true;
        let pipe = body.pipe.clone();
        Ok(Ok(ctx.table.push_child(OutputStream::Http(pipe), &b)?))
    }

    fn outgoing_body_finish(
        &self,
        mut s: StoreContextMut<'_, T>,
        b: OutBody,
        trailers: Option<Resource<Fields>>,
    ) -> Result<Result<(), crate::http::types::ErrorCode>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        let mut body = ctx.table.delete(b)?;
        let trailers = match trailers {
            Some(t) => Some(ctx.table.delete(t)?.map),
            None => None,
        };
        body.finished = true;
        Ok(body.pipe.guest_finish(trailers))
    }
}
