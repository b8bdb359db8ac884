//! `wasi:sockets/udp` and `udp-create-socket`: the UDP socket (bind, peer)
//! and its incoming and outgoing datagram streams, on the core's host
//! sockets ([`crate::net::udp`]).

use super::{ErrorCode, IpAddressFamily, IpSocketAddress, Network, Op, SockResult};
use crate::ctx::Wasi;
use crate::net::{self, Family, NetworkPolicy, udp as host};
use crate::p2::bindings::wasi::sockets::udp::{IncomingDatagram, OutgoingDatagram};
use crate::p2::bindings::wasi::sockets::{udp, udp_create_socket};
use crate::p2::io::Pollable;
use anyhow::{Result, bail};
use rustix::io::Errno;
use rustix::net::SocketType;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::time::Duration;
use wazi::StoreContextMut;
use wazi::component::{Linker, Resource};

/// `wasi:sockets/udp.udp-socket`.
pub(crate) struct UdpSocket {
    fd: Arc<OwnedFd>,
    family: Family,
    bound: bool,
    remote: Option<SocketAddr>,
    op: Option<Op>,
    /// Held by the datagram streams: the socket has live streams while
    /// it is shared.
    streams: Arc<()>,
}

impl UdpSocket {
    fn is_bound(&mut self) -> bool {
        if !self.bound {
            self.bound = net::local_addr(&self.fd).is_ok_and(|a| a != self.family.unspecified());
        }
        self.bound
    }
}

/// `wasi:sockets/udp.incoming-datagram-stream`.
pub(crate) struct IncomingDatagramStream {
    fd: Arc<OwnedFd>,
    bound: bool,
    _socket: Arc<()>,
}

/// `wasi:sockets/udp.outgoing-datagram-stream`.
pub(crate) struct OutgoingDatagramStream {
    fd: Arc<OwnedFd>,
    family: Family,
    remote: Option<SocketAddr>,
    permit: usize,
    _socket: Arc<()>,
}

/// Most datagrams one `receive` or `send` handles (as wasmtime).
const MAX_DATAGRAMS: usize = 16;
const MAX_DATAGRAM_SIZE: usize = u16::MAX as usize;
const MAX_READ: usize = 64 * 1024;

type Udp = Resource<UdpSocket>;

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, host: Wasi<T>) -> Result<()> {
    udp_create_socket::add_to_linker(linker, host)?;
    udp::add_to_linker(linker, host)
}

impl<T: 'static> udp_create_socket::Host<T> for Wasi<T> {
    fn create_udp_socket(
        &self,
        mut s: StoreContextMut<'_, T>,
        family: IpAddressFamily,
    ) -> Result<Result<wazi::component::Resource<crate::p2::sockets::udp::UdpSocket>, ErrorCode>>
    {
        let get = self.get;
        let ctx = get(s.data_mut());
        let family = Family::from(family);
        let fd = match net::guest_socket(ctx.network.udp, ctx.network, family, SocketType::DGRAM) {
            Ok(fd) => fd,
            Err(e) => return Ok(Err(ErrorCode::from(e))),
        };
        let sock =
            UdpSocket { fd, family, bound: false, remote: None, op: None, streams: Arc::new(()) };
        Ok(Ok(ctx.table.push(sock)?))
    }
}

impl<T: 'static> udp::Host<T> for Wasi<T> {
    fn udp_socket_start_bind(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
        net: Resource<Network>,
        addr: IpSocketAddress,
    ) -> Result<Result<(), ErrorCode>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        ctx.table.get(&net)?;
        let policy = ctx.network;
        let sock = ctx.table.get_mut(&u)?;
        let r = (|| {
            if sock.op.is_some() {
                return Err(ErrorCode::ConcurrencyConflict);
            }
            let addr = SocketAddr::from(addr);
            if sock.is_bound() {
                return Err(ErrorCode::InvalidState);
            }
            if !sock.family.accepts(addr.ip()) {
                return Err(ErrorCode::InvalidArgument);
            }
            policy.check(addr)?;
            net::bind(&sock.fd, addr, false)?;
            sock.op = Some(Op::Bind);
            Ok(())
        })();
        Ok(r)
    }

    fn udp_socket_finish_bind(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
    ) -> Result<Result<(), ErrorCode>> {
        let get = self.get;
        let sock = get(s.data_mut()).table.get_mut(&u)?;
        if sock.op != Some(Op::Bind) {
            return Ok(Err(ErrorCode::NotInProgress));
        }
        sock.op = None;
        Ok(Ok(()))
    }

    fn udp_socket_stream(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
        remote: Option<IpSocketAddress>,
    ) -> Result<
        Result<
            (
                wazi::component::Resource<crate::p2::sockets::udp::IncomingDatagramStream>,
                wazi::component::Resource<crate::p2::sockets::udp::OutgoingDatagramStream>,
            ),
            ErrorCode,
        >,
    > {
        let get = self.get;
        let ctx = get(s.data_mut());
        let policy = ctx.network;
        let sock = ctx.table.get_mut(&u)?;
        if Arc::strong_count(&sock.streams) > 1 {
            bail!("UDP streams not dropped yet");
        }
        let r = (|| {
            if !sock.is_bound() {
                return Err(ErrorCode::InvalidState);
            }
            let peer = match remote {
                Some(addr) => {
                    let addr = SocketAddr::from(addr);
                    if !sock.family.accepts(addr.ip()) || !net::valid_remote(addr) {
                        return Err(ErrorCode::InvalidArgument);
                    }
                    policy.check(addr)?;
                    Some(addr)
                }
                None if sock.remote.is_some() => {
                    sock.bound = true;
                    None
                }
                None => return Ok(()),
            };
            let r = host::connect(&sock.fd, peer);
            sock.remote = net::peer_addr(&sock.fd).ok().filter(|a| *a != sock.family.unspecified());
            Ok(r?)
        })();
        if let Err(e) = r {
            return Ok(Err(e));
        }
        let incoming = IncomingDatagramStream {
            fd: sock.fd.clone(),
            bound: sock.bound,
            _socket: sock.streams.clone(),
        };
        let outgoing = OutgoingDatagramStream {
            fd: sock.fd.clone(),
            family: sock.family,
            remote: sock.remote,
            permit: 0,
            _socket: sock.streams.clone(),
        };
        // Children of the socket, as in wasmtime.
        let incoming = ctx.table.push_child(incoming, &u)?;
        let outgoing = ctx.table.push_child(outgoing, &u)?;
        Ok(Ok((incoming, outgoing)))
    }

    fn udp_socket_local_address(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
    ) -> Result<Result<crate::p2::bindings::wasi::sockets::udp::IpSocketAddress, ErrorCode>> {
        let get = self.get;
        let sock = get(s.data_mut()).table.get_mut(&u)?;
        if !sock.is_bound() {
            return Ok(Err(ErrorCode::InvalidState));
        }
        Ok(net::local_addr(&sock.fd).map(IpSocketAddress::from).map_err(ErrorCode::from))
    }

    fn udp_socket_remote_address(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
    ) -> Result<Result<crate::p2::bindings::wasi::sockets::udp::IpSocketAddress, ErrorCode>> {
        let get = self.get;
        let sock = get(s.data_mut()).table.get(&u)?;
        Ok(sock.remote.map(IpSocketAddress::from).ok_or(ErrorCode::InvalidState))
    }

    fn udp_socket_address_family(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
    ) -> Result<crate::p2::bindings::wasi::sockets::udp::IpAddressFamily> {
        let get = self.get;
        Ok(IpAddressFamily::from(get(s.data_mut()).table.get(&u)?.family))
    }

    fn udp_socket_unicast_hop_limit(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
    ) -> Result<Result<u8, ErrorCode>> {
        let get = self.get;
        let sock = get(s.data_mut()).table.get(&u)?;
        Ok(net::hop_limit(&sock.fd, sock.family).map_err(ErrorCode::from))
    }

    fn udp_socket_set_unicast_hop_limit(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
        v: u8,
    ) -> Result<Result<(), ErrorCode>> {
        let get = self.get;
        let sock = get(s.data_mut()).table.get(&u)?;
        Ok(net::set_hop_limit(&sock.fd, sock.family, v).map_err(ErrorCode::from))
    }

    fn udp_socket_subscribe(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
    ) -> Result<wazi::component::Resource<crate::p2::io::Pollable>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        ctx.table.get(&u)?;
        Ok(ctx.table.push_child(Pollable::Ready, &u)?)
    }

    fn incoming_datagram_stream_receive(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Resource<IncomingDatagramStream>,
        max: u64,
    ) -> Result<Result<Vec<crate::p2::bindings::wasi::sockets::udp::IncomingDatagram>, ErrorCode>>
    {
        let get = self.get;
        let ctx = get(s.data_mut());
        let policy = ctx.network;
        let stream = ctx.table.get(&st)?;
        let max = usize::try_from(max).unwrap_or(usize::MAX).min(MAX_DATAGRAMS);
        let mut out = Vec::new();
        if max == 0 {
            return Ok(Ok(out));
        }
        if !stream.bound && net::local_addr(&stream.fd).is_err() {
            return Ok(Err(ErrorCode::InvalidState));
        }
        let mut sum = 0;
        while out.len() < max && sum < MAX_READ {
            let mut buf = vec![0u8; MAX_DATAGRAM_SIZE];
            match host::recv_from(&stream.fd, &mut buf) {
                Ok((n, from)) => {
                    let Some(from) = from else { continue };
                    if policy.check(from).is_err() {
                        continue;
                    }
                    buf.truncate(n);
                    sum += 1 + n;
                    out.push(IncomingDatagram { data: buf, remote_address: from.into() });
                }
                Err(Errno::AGAIN) => break,
                Err(_) if !out.is_empty() => break,
                Err(e) => return Ok(Err(e.into())),
            }
        }
        Ok(Ok(out))
    }

    fn incoming_datagram_stream_subscribe(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Resource<IncomingDatagramStream>,
    ) -> Result<wazi::component::Resource<crate::p2::io::Pollable>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        let fd = ctx.table.get(&st)?.fd.clone();
        Ok(ctx.table.push_child(Pollable::Fd { fd, write: false }, &st)?)
    }

    fn outgoing_datagram_stream_check_send(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Resource<OutgoingDatagramStream>,
    ) -> Result<Result<u64, ErrorCode>> {
        let get = self.get;
        let stream = get(s.data_mut()).table.get_mut(&st)?;
        let n =
            if net::fd_ready(&stream.fd, true, Some(Duration::ZERO)) { MAX_DATAGRAMS } else { 0 };
        stream.permit = n;
        Ok(Ok::<_, ErrorCode>(n as u64))
    }

    fn outgoing_datagram_stream_send(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Resource<OutgoingDatagramStream>,
        datagrams: Vec<OutgoingDatagram>,
    ) -> Result<Result<u64, ErrorCode>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        let policy = ctx.network;
        let stream = ctx.table.get_mut(&st)?;
        if datagrams.is_empty() {
            return Ok(Ok(0u64));
        }
        if datagrams.len() > stream.permit {
            bail!("unpermitted: argument exceeds permitted size");
        }
        stream.permit = 0;
        let mut count = 0u64;
        for d in datagrams {
            match send_datagram(stream, &policy, d) {
                Ok(()) => count += 1,
                Err(ErrorCode::WouldBlock) => break,
                Err(_) if count > 0 => break,
                Err(e) => return Ok(Err(e)),
            }
        }
        Ok(Ok(count))
    }

    fn outgoing_datagram_stream_subscribe(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Resource<OutgoingDatagramStream>,
    ) -> Result<wazi::component::Resource<crate::p2::io::Pollable>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        let fd = ctx.table.get(&st)?.fd.clone();
        Ok(ctx.table.push_child(Pollable::Fd { fd, write: true }, &st)?)
    }

    fn udp_socket_receive_buffer_size(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
    ) -> SockRes<u64> {
        let fd = self.ctx(&mut s).table.get(&u)?.fd.clone();
        Ok(net::buffer_size(&fd, false).map_err(ErrorCode::from))
    }

    fn udp_socket_set_receive_buffer_size(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
        v: u64,
    ) -> SockRes<()> {
        let fd = self.ctx(&mut s).table.get(&u)?.fd.clone();
        Ok(net::set_buffer_size(&fd, v, false).map_err(ErrorCode::from))
    }

    fn udp_socket_send_buffer_size(&self, mut s: StoreContextMut<'_, T>, u: Udp) -> SockRes<u64> {
        let fd = self.ctx(&mut s).table.get(&u)?.fd.clone();
        Ok(net::buffer_size(&fd, true).map_err(ErrorCode::from))
    }

    fn udp_socket_set_send_buffer_size(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
        v: u64,
    ) -> SockRes<()> {
        let fd = self.ctx(&mut s).table.get(&u)?.fd.clone();
        Ok(net::set_buffer_size(&fd, v, true).map_err(ErrorCode::from))
    }
}

/// A socket call's result: an `error-code` for the guest, or a trap.
type SockRes<R> = Result<Result<R, ErrorCode>>;

/// Sends one datagram, to its address or the stream's peer.
fn send_datagram(
    stream: &OutgoingDatagramStream,
    policy: &NetworkPolicy,
    d: OutgoingDatagram,
) -> SockResult<()> {
    if d.data.len() > MAX_DATAGRAM_SIZE {
        return Err(ErrorCode::DatagramTooLarge);
    }
    let addr = match d.remote_address.map(SocketAddr::from) {
        Some(addr) => {
            if !net::valid_remote(addr) || !stream.family.accepts(addr.ip()) {
                return Err(ErrorCode::InvalidArgument);
            }
            if stream.remote.is_some_and(|r| r != addr) {
                return Err(ErrorCode::InvalidArgument);
            }
            addr
        }
        None => stream.remote.ok_or(ErrorCode::InvalidArgument)?,
    };
    policy.check(addr)?;
    let to = (stream.remote != Some(addr)).then_some(addr);
    Ok(host::send(&stream.fd, &d.data, to)?)
}
