//! `wasi:sockets/udp` and `udp-create-socket`: the UDP socket (bind, peer)
//! and its incoming and outgoing datagram streams, on the core's host
//! sockets ([`crate::net::udp`]).

use super::{ErrorCode, IpAddressFamily, IpSocketAddress, Network, Op, SockResult};
use crate::net::{self, Family, NetworkPolicy, udp as host};
use crate::p2::io::Pollable;
use crate::p2::{GetCtx, VERSION, table_resource};
use anyhow::{Result, bail};
use rustix::io::Errno;
use rustix::net::SocketType;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::time::Duration;
use wazi::component::{Linker, Resource};
use wazi::{StoreContextMut, component_record};

component_record! {
    pub struct IncomingDatagram { pub data: Vec<u8>, pub remote_address: IpSocketAddress }
}

component_record! {
    pub struct OutgoingDatagram { pub data: Vec<u8>, pub remote_address: Option<IpSocketAddress> }
}

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

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    linker.instance(&format!("wasi:sockets/udp-create-socket@{VERSION}"))?.func_wrap(
        "create-udp-socket",
        move |mut s: StoreContextMut<'_, T>, (family,): (IpAddressFamily,)| {
            let ctx = get(s.data_mut());
            let family = Family::from(family);
            let fd =
                match net::guest_socket(ctx.network.udp, ctx.network, family, SocketType::DGRAM) {
                    Ok(fd) => fd,
                    Err(e) => return Ok((Err(ErrorCode::from(e)),)),
                };
            let sock = UdpSocket {
                fd,
                family,
                bound: false,
                remote: None,
                op: None,
                streams: Arc::new(()),
            };
            Ok((Ok(ctx.table.push(sock)?),))
        },
    )?;
    let mut i = linker.instance(&format!("wasi:sockets/udp@{VERSION}"))?;
    table_resource::<T, UdpSocket>(&mut i, "udp-socket", get)?;
    table_resource::<T, IncomingDatagramStream>(&mut i, "incoming-datagram-stream", get)?;
    table_resource::<T, OutgoingDatagramStream>(&mut i, "outgoing-datagram-stream", get)?;
    i.func_wrap(
        "[method]udp-socket.start-bind",
        move |mut s: StoreContextMut<'_, T>,
              (u, net, addr): (Udp, Resource<Network>, IpSocketAddress)| {
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
            Ok((r,))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.finish-bind",
        move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
            let sock = get(s.data_mut()).table.get_mut(&u)?;
            if sock.op != Some(Op::Bind) {
                return Ok((Err(ErrorCode::NotInProgress),));
            }
            sock.op = None;
            Ok((Ok(()),))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.stream",
        move |mut s: StoreContextMut<'_, T>, (u, remote): (Udp, Option<IpSocketAddress>)| {
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
                sock.remote =
                    net::peer_addr(&sock.fd).ok().filter(|a| *a != sock.family.unspecified());
                Ok(r?)
            })();
            if let Err(e) = r {
                return Ok((Err(e),));
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
            Ok((Ok((incoming, outgoing)),))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.local-address",
        move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
            let sock = get(s.data_mut()).table.get_mut(&u)?;
            if !sock.is_bound() {
                return Ok((Err(ErrorCode::InvalidState),));
            }
            Ok((net::local_addr(&sock.fd).map(IpSocketAddress::from).map_err(ErrorCode::from),))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.remote-address",
        move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
            let sock = get(s.data_mut()).table.get(&u)?;
            Ok((sock.remote.map(IpSocketAddress::from).ok_or(ErrorCode::InvalidState),))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.address-family",
        move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
            Ok((IpAddressFamily::from(get(s.data_mut()).table.get(&u)?.family),))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.unicast-hop-limit",
        move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
            let sock = get(s.data_mut()).table.get(&u)?;
            Ok((net::hop_limit(&sock.fd, sock.family).map_err(ErrorCode::from),))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.set-unicast-hop-limit",
        move |mut s: StoreContextMut<'_, T>, (u, v): (Udp, u8)| {
            let sock = get(s.data_mut()).table.get(&u)?;
            Ok((net::set_hop_limit(&sock.fd, sock.family, v).map_err(ErrorCode::from),))
        },
    )?;
    for (name, send) in [("receive-buffer-size", false), ("send-buffer-size", true)] {
        i.func_wrap(
            &format!("[method]udp-socket.{name}"),
            move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
                let fd = get(s.data_mut()).table.get(&u)?.fd.clone();
                Ok((net::buffer_size(&fd, send).map_err(ErrorCode::from),))
            },
        )?;
        i.func_wrap(
            &format!("[method]udp-socket.set-{name}"),
            move |mut s: StoreContextMut<'_, T>, (u, v): (Udp, u64)| {
                let fd = get(s.data_mut()).table.get(&u)?.fd.clone();
                Ok((net::set_buffer_size(&fd, v, send).map_err(ErrorCode::from),))
            },
        )?;
    }
    i.func_wrap(
        "[method]udp-socket.subscribe",
        move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
            let ctx = get(s.data_mut());
            ctx.table.get(&u)?;
            Ok((ctx.table.push_child(Pollable::Ready, &u)?,))
        },
    )?;
    i.func_wrap(
        "[method]incoming-datagram-stream.receive",
        move |mut s: StoreContextMut<'_, T>, (st, max): (Resource<IncomingDatagramStream>, u64)| {
            let ctx = get(s.data_mut());
            let policy = ctx.network;
            let stream = ctx.table.get(&st)?;
            let max = usize::try_from(max).unwrap_or(usize::MAX).min(MAX_DATAGRAMS);
            let mut out = Vec::new();
            if max == 0 {
                return Ok((Ok(out),));
            }
            if !stream.bound && net::local_addr(&stream.fd).is_err() {
                return Ok((Err(ErrorCode::InvalidState),));
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
                    Err(e) => return Ok((Err(e.into()),)),
                }
            }
            Ok((Ok(out),))
        },
    )?;
    i.func_wrap(
        "[method]incoming-datagram-stream.subscribe",
        move |mut s: StoreContextMut<'_, T>, (st,): (Resource<IncomingDatagramStream>,)| {
            let ctx = get(s.data_mut());
            let fd = ctx.table.get(&st)?.fd.clone();
            Ok((ctx.table.push_child(Pollable::Fd { fd, write: false }, &st)?,))
        },
    )?;
    i.func_wrap(
        "[method]outgoing-datagram-stream.check-send",
        move |mut s: StoreContextMut<'_, T>, (st,): (Resource<OutgoingDatagramStream>,)| {
            let stream = get(s.data_mut()).table.get_mut(&st)?;
            let n = if net::fd_ready(&stream.fd, true, Some(Duration::ZERO)) {
                MAX_DATAGRAMS
            } else {
                0
            };
            stream.permit = n;
            Ok((Ok::<_, ErrorCode>(n as u64),))
        },
    )?;
    i.func_wrap(
        "[method]outgoing-datagram-stream.send",
        move |mut s: StoreContextMut<'_, T>,
              (st, datagrams): (Resource<OutgoingDatagramStream>, Vec<OutgoingDatagram>)| {
            let ctx = get(s.data_mut());
            let policy = ctx.network;
            let stream = ctx.table.get_mut(&st)?;
            if datagrams.is_empty() {
                return Ok((Ok(0u64),));
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
                    Err(e) => return Ok((Err(e),)),
                }
            }
            Ok((Ok(count),))
        },
    )?;
    i.func_wrap(
        "[method]outgoing-datagram-stream.subscribe",
        move |mut s: StoreContextMut<'_, T>, (st,): (Resource<OutgoingDatagramStream>,)| {
            let ctx = get(s.data_mut());
            let fd = ctx.table.get(&st)?.fd.clone();
            Ok((ctx.table.push_child(Pollable::Fd { fd, write: true }, &st)?,))
        },
    )?;
    Ok(())
}

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
