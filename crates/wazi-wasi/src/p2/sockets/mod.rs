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
use wazi::component::{Linker, Resource};
use wazi::{StoreContextMut, component_enum};

pub(crate) use crate::net::wit::{IpAddress, IpAddressFamily, IpSocketAddress};

component_enum! {
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum ErrorCode {
        Unknown, AccessDenied, NotSupported, InvalidArgument, OutOfMemory, Timeout,
        ConcurrencyConflict, NotInProgress, WouldBlock, InvalidState, NewSocketLimit,
        AddressNotBindable, AddressInUse, RemoteUnreachable, ConnectionRefused, ConnectionReset,
        ConnectionAborted, DatagramTooLarge, NameUnresolvable, TemporaryResolverFailure,
        PermanentResolverFailure,
    }
}

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
    let v = super::VERSION;
    {
        let mut i = linker.instance(&format!("wasi:sockets/network@{v}"))?;
        super::table_resource::<T, Network>(&mut i, "network", get)?;
        i.func_wrap(
            "network-error-code",
            move |mut s: StoreContextMut<'_, T>, (e,): (Resource<IoError>,)| {
                let err = get(s.data_mut()).table.get(&e)?;
                Ok((err.io.map(|(os, kind)| ErrorCode::from(net::ErrorCode::from_io(os, kind))),))
            },
        )?;
    }
    linker
        .instance(&format!("wasi:sockets/instance-network@{v}"))?
        .func_wrap("instance-network", move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).table.push(Network)?,))
        })?;
    name_lookup::add_to_linker(linker, get)?;
    tcp::add_to_linker(linker, get)?;
    udp::add_to_linker(linker, get)?;
    Ok(())
}
