//! `wasi:sockets`: the WIT types, `network` and `instance-network` here;
//! `ip-name-lookup` in [`name_lookup`], `tcp` and `tcp-create-socket` in
//! [`tcp`], `udp` and `udp-create-socket` in [`udp`]. The host sockets
//! themselves are the core's ([`crate::net`]).
//!
//! What a guest may reach is the context's network policy
//! ([`crate::WasiCtxBuilder::inherit_network`] and friends): without the
//! host's network, every address is refused with `access-denied`, as in
//! wasmtime.

pub(crate) mod name_lookup;
pub(crate) mod tcp;
pub(crate) mod udp;

use super::GetCtx;
use super::io::IoError;
use crate::net;
use anyhow::Result;
use rustix::io::Errno;
use wazi::StoreContextMut;
use wazi::component::{Linker, Resource};

pub(crate) use super::bindings::wasi::sockets::network::ErrorCode;
use super::bindings::wasi::sockets::{instance_network, network};
use crate::ctx::Wasi;

pub(crate) use crate::net::wit::{IpAddress, IpAddressFamily, IpSocketAddress};

impl From<net::ErrorCode> for ErrorCode {
    fn from(c: net::ErrorCode) -> ErrorCode {
        use net::ErrorCode as C;
        match c {
            C::Unknown => ErrorCode::Unknown,
            C::AccessDenied => ErrorCode::AccessDenied,
            C::NotSupported => ErrorCode::NotSupported,
            C::InvalidArgument => ErrorCode::InvalidArgument,
            C::OutOfMemory => ErrorCode::OutOfMemory,
            C::Timeout => ErrorCode::Timeout,
            C::ConcurrencyConflict => ErrorCode::ConcurrencyConflict,
            C::NotInProgress => ErrorCode::NotInProgress,
            C::WouldBlock => ErrorCode::WouldBlock,
            C::InvalidState => ErrorCode::InvalidState,
            C::NewSocketLimit => ErrorCode::NewSocketLimit,
            C::AddressNotBindable => ErrorCode::AddressNotBindable,
            C::AddressInUse => ErrorCode::AddressInUse,
            C::RemoteUnreachable => ErrorCode::RemoteUnreachable,
            C::ConnectionRefused => ErrorCode::ConnectionRefused,
            C::ConnectionReset => ErrorCode::ConnectionReset,
            C::ConnectionAborted => ErrorCode::ConnectionAborted,
            C::DatagramTooLarge => ErrorCode::DatagramTooLarge,
            C::NameUnresolvable => ErrorCode::NameUnresolvable,
            C::TemporaryResolverFailure => ErrorCode::TemporaryResolverFailure,
            C::PermanentResolverFailure => ErrorCode::PermanentResolverFailure,
        }
    }
}

impl From<Errno> for ErrorCode {
    fn from(e: Errno) -> ErrorCode {
        net::ErrorCode::from(e).into()
    }
}

type SockResult<T> = Result<T, ErrorCode>;

/// The resource `wasi:sockets/network.network`.
pub(crate) struct Network;

/// The two-step operation a socket has started (`start-*` called, its
/// `finish-*` not yet).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Bind,
    Connect,
    Listen,
}

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let host = Wasi { get };
    network::add_to_linker(linker, host)?;
    // `network-error-code` is unstable in the WIT (feature
    // `network-error-code`), so the bindings leave it out; wazi defines it
    // anyway (wasmtime only with `-S network-error-code`).
    linker.instance(network::NAME)?.func_wrap(
        "network-error-code",
        move |mut s: StoreContextMut<'_, T>, (e,): (Resource<IoError>,)| {
            let err = get(s.data_mut()).table.get(&e)?;
            Ok((err.io.map(|(os, kind)| ErrorCode::from(net::ErrorCode::from_io(os, kind))),))
        },
    )?;
    instance_network::add_to_linker(linker, host)?;
    name_lookup::add_to_linker(linker, host)?;
    tcp::add_to_linker(linker, host)?;
    udp::add_to_linker(linker, host)?;
    Ok(())
}

impl<T: 'static> network::Host<T> for Wasi<T> {}

impl<T: 'static> instance_network::Host<T> for Wasi<T> {
    fn instance_network(&self, mut s: StoreContextMut<'_, T>) -> Result<Resource<Network>> {
        Ok(self.ctx(&mut s).table.push(Network)?)
    }
}
