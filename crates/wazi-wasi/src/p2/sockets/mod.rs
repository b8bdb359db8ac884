//! `wasi:sockets`: the WIT types, `network` and `instance-network` here;
//! `ip-name-lookup` in [`name_lookup`], `tcp` and `tcp-create-socket` in
//! [`tcp`], `udp` and `udp-create-socket` in [`udp`]. The host sockets
//! themselves are the core's ([`crate::net`]).
//!
//! What a guest may reach is the context's network policy
//! ([`crate::WasiCtxBuilder::inherit_network`] and friends): without the
//! host's network, every address is refused with `access-denied`, as in
//! wasmtime.

mod name_lookup;
mod tcp;
mod udp;

use super::GetCtx;
use super::io::IoError;
use crate::net::{self, Family};
use anyhow::Result;
use rustix::io::Errno;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use wazi::component::{Linker, Resource};
use wazi::{StoreContextMut, component_enum, component_record, component_variant};

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

component_enum! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum IpAddressFamily { Ipv4, Ipv6 }
}

component_variant! {
    #[derive(Clone, Debug)]
    pub enum IpAddress { Ipv4((u8, u8, u8, u8)), Ipv6((u16, u16, u16, u16, u16, u16, u16, u16)) }
}

component_record! {
    #[derive(Clone, Debug)]
    pub struct Ipv4SocketAddress { pub port: u16, pub address: (u8, u8, u8, u8) }
}

component_record! {
    #[derive(Clone, Debug)]
    pub struct Ipv6SocketAddress {
        pub port: u16,
        pub flow_info: u32,
        pub address: (u16, u16, u16, u16, u16, u16, u16, u16),
        pub scope_id: u32,
    }
}

component_variant! {
    #[derive(Clone, Debug)]
    pub enum IpSocketAddress { Ipv4(Ipv4SocketAddress), Ipv6(Ipv6SocketAddress) }
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

impl From<IpAddressFamily> for Family {
    fn from(f: IpAddressFamily) -> Family {
        match f {
            IpAddressFamily::Ipv4 => Family::Ipv4,
            IpAddressFamily::Ipv6 => Family::Ipv6,
        }
    }
}

impl From<Family> for IpAddressFamily {
    fn from(f: Family) -> IpAddressFamily {
        match f {
            Family::Ipv4 => IpAddressFamily::Ipv4,
            Family::Ipv6 => IpAddressFamily::Ipv6,
        }
    }
}

impl From<IpSocketAddress> for SocketAddr {
    fn from(a: IpSocketAddress) -> SocketAddr {
        match a {
            IpSocketAddress::Ipv4(a) => {
                let (x0, x1, x2, x3) = a.address;
                SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(x0, x1, x2, x3), a.port))
            }
            IpSocketAddress::Ipv6(a) => {
                let (x0, x1, x2, x3, x4, x5, x6, x7) = a.address;
                let ip = Ipv6Addr::new(x0, x1, x2, x3, x4, x5, x6, x7);
                SocketAddr::V6(SocketAddrV6::new(ip, a.port, a.flow_info, a.scope_id))
            }
        }
    }
}

impl From<SocketAddr> for IpSocketAddress {
    fn from(a: SocketAddr) -> IpSocketAddress {
        match a {
            SocketAddr::V4(a) => {
                let [x0, x1, x2, x3] = a.ip().octets();
                IpSocketAddress::Ipv4(Ipv4SocketAddress {
                    port: a.port(),
                    address: (x0, x1, x2, x3),
                })
            }
            SocketAddr::V6(a) => {
                let [x0, x1, x2, x3, x4, x5, x6, x7] = a.ip().segments();
                IpSocketAddress::Ipv6(Ipv6SocketAddress {
                    port: a.port(),
                    flow_info: a.flowinfo(),
                    address: (x0, x1, x2, x3, x4, x5, x6, x7),
                    scope_id: a.scope_id(),
                })
            }
        }
    }
}

impl From<IpAddr> for IpAddress {
    fn from(a: IpAddr) -> IpAddress {
        match a {
            IpAddr::V4(a) => {
                let [x0, x1, x2, x3] = a.octets();
                IpAddress::Ipv4((x0, x1, x2, x3))
            }
            IpAddr::V6(a) => {
                let [x0, x1, x2, x3, x4, x5, x6, x7] = a.segments();
                IpAddress::Ipv6((x0, x1, x2, x3, x4, x5, x6, x7))
            }
        }
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
