//! `wasi:sockets/tcp` and `tcp-create-socket`: the TCP socket's state
//! machine (bind, connect, listen, accept, shutdown), its streams and its
//! options, on the core's host sockets ([`crate::net::tcp`]).

use super::{ErrorCode, IpAddressFamily, IpSocketAddress, Network, Op, SockResult};
use crate::WasiCtx;
use crate::net::{self, Family, NetworkPolicy, tcp as host};
use crate::p2::io::{InputStream, OutputStream, Pollable, TcpShared};
use crate::p2::{GetCtx, VERSION, table_resource};
use anyhow::Result;
use rustix::io::Errno;
use rustix::net::{SocketType, sockopt};
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use wazi::StoreContextMut;
use wazi::component::{Linker, LinkerInstance, Resource};
use wazi::component_enum;

component_enum! {
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum ShutdownType { Receive, Send, Both }
}

enum TcpState {
    Default(Arc<OwnedFd>),
    /// A connect under way (or already failed: its error is reported by
    /// `finish-connect`).
    Connecting(Arc<OwnedFd>, Option<ErrorCode>),
    Listening(Arc<OwnedFd>),
    Connected {
        shared: Arc<TcpShared>,
        streams_taken: bool,
    },
    Closed(ErrorCode),
}

/// `wasi:sockets/tcp.tcp-socket`.
pub(crate) struct TcpSocket {
    state: TcpState,
    family: Family,
    backlog: i32,
    op: Option<Op>,
    bound: bool,
}

impl TcpSocket {
    fn fd(&self) -> SockResult<&Arc<OwnedFd>> {
        match &self.state {
            TcpState::Default(fd) | TcpState::Listening(fd) => Ok(fd),
            TcpState::Connected { shared, .. } => Ok(&shared.fd),
            TcpState::Connecting(..) => Err(ErrorCode::InvalidState),
            TcpState::Closed(e) => Err(*e),
        }
    }

    fn is_bound(&mut self) -> bool {
        if !self.bound {
            self.bound = match &self.state {
                TcpState::Default(fd) => {
                    net::local_addr(fd).is_ok_and(|a| a != self.family.unspecified())
                }
                _ => true,
            };
        }
        self.bound
    }

    fn connected(fd: Arc<OwnedFd>, family: Family) -> TcpSocket {
        TcpSocket {
            state: TcpState::Connected {
                shared: Arc::new(TcpShared {
                    fd,
                    read_closed: AtomicBool::new(false),
                    write_closed: AtomicBool::new(false),
                }),
                streams_taken: false,
            },
            family,
            backlog: 128,
            op: None,
            bound: true,
        }
    }

    /// The streams of a connected socket (once).
    fn take_streams(&mut self) -> SockResult<Arc<TcpShared>> {
        match &mut self.state {
            TcpState::Connected { shared, streams_taken } if !*streams_taken => {
                *streams_taken = true;
                Ok(shared.clone())
            }
            TcpState::Closed(e) => Err(*e),
            _ => Err(ErrorCode::InvalidState),
        }
    }

    /// Completes a connect if it is done; `would-block` if not yet.
    fn finish_connect(&mut self) -> SockResult<()> {
        let (fd, err) = match &self.state {
            TcpState::Connecting(fd, err) => (fd.clone(), *err),
            TcpState::Connected { .. } => return Ok(()),
            TcpState::Closed(e) => return Err(*e),
            _ => return Err(ErrorCode::InvalidState),
        };
        let result = match err {
            Some(e) => Err(e),
            None => match host::connect_outcome(&fd)? {
                None => return Err(ErrorCode::WouldBlock),
                Some(r) => r.map_err(ErrorCode::from),
            },
        };
        match result {
            Ok(()) => {
                *self = TcpSocket { op: self.op, ..TcpSocket::connected(fd, self.family) };
                Ok(())
            }
            Err(e) => {
                self.state = TcpState::Closed(e);
                Err(e)
            }
        }
    }
}

/// The error code of a failed accept: transient network failures of the
/// pending connection are `connection-aborted` (as wasmtime reports them).
fn accept_error(e: Errno) -> ErrorCode {
    match e {
        Errno::AGAIN => ErrorCode::WouldBlock,
        Errno::CONNRESET
        | Errno::NETRESET
        | Errno::HOSTUNREACH
        | Errno::HOSTDOWN
        | Errno::NETDOWN
        | Errno::NETUNREACH
        | Errno::PROTO
        | Errno::NOPROTOOPT
        | Errno::NONET
        | Errno::OPNOTSUPP => ErrorCode::ConnectionAborted,
        e => e.into(),
    }
}

type Tcp = Resource<TcpSocket>;

/// Runs `f` on TCP socket `t`; a dead handle traps.
fn with_tcp<T: 'static, R>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    t: &Tcp,
    f: impl FnOnce(&mut TcpSocket, &NetworkPolicy) -> SockResult<R>,
) -> Result<SockResult<R>> {
    let ctx = get(s.data_mut());
    let policy = ctx.network;
    let sock = ctx.table.get_mut(t)?;
    Ok(f(sock, &policy))
}

/// Pushes the two streams of a connected socket as resources, children of
/// the socket: it cannot be dropped before them (as in wasmtime).
fn push_streams(
    ctx: &mut WasiCtx,
    socket: &Tcp,
    shared: Arc<TcpShared>,
) -> Result<(Resource<InputStream>, Resource<OutputStream>)> {
    let input = ctx.table.push_child(InputStream::Tcp(shared.clone()), socket)?;
    let output = ctx.table.push_child(OutputStream::Tcp(shared), socket)?;
    Ok((input, output))
}

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    linker.instance(&format!("wasi:sockets/tcp-create-socket@{VERSION}"))?.func_wrap(
        "create-tcp-socket",
        move |mut s: StoreContextMut<'_, T>, (family,): (IpAddressFamily,)| {
            let ctx = get(s.data_mut());
            let family = Family::from(family);
            let fd =
                match net::guest_socket(ctx.network.tcp, ctx.network, family, SocketType::STREAM) {
                    Ok(fd) => fd,
                    Err(e) => return Ok((Err(ErrorCode::from(e)),)),
                };
            let sock = TcpSocket {
                state: TcpState::Default(fd),
                family,
                backlog: 128,
                op: None,
                bound: false,
            };
            Ok((Ok(ctx.table.push(sock)?),))
        },
    )?;
    let mut i = linker.instance(&format!("wasi:sockets/tcp@{VERSION}"))?;
    table_resource::<T, TcpSocket>(&mut i, "tcp-socket", get)?;
    i.func_wrap(
        "[method]tcp-socket.start-bind",
        move |mut s: StoreContextMut<'_, T>,
              (t, net, addr): (Tcp, Resource<Network>, IpSocketAddress)| {
            get(s.data_mut()).table.get(&net)?;
            Ok((with_tcp(&mut s, get, &t, |sock, policy| {
                if sock.op.is_some() {
                    return Err(ErrorCode::ConcurrencyConflict);
                }
                let addr = SocketAddr::from(addr);
                if sock.is_bound() {
                    return Err(ErrorCode::InvalidState);
                }
                let TcpState::Default(fd) = &sock.state else {
                    return Err(ErrorCode::InvalidState);
                };
                if !net::valid_unicast(addr.ip()) || !sock.family.accepts(addr.ip()) {
                    return Err(ErrorCode::InvalidArgument);
                }
                policy.check(addr)?;
                net::bind(fd, addr, true)?;
                sock.op = Some(Op::Bind);
                Ok(())
            })?,))
        },
    )?;
    for (name, op) in [("finish-bind", Op::Bind), ("finish-listen", Op::Listen)] {
        i.func_wrap(
            &format!("[method]tcp-socket.{name}"),
            move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
                Ok((with_tcp(&mut s, get, &t, |sock, _| {
                    if sock.op != Some(op) {
                        return Err(ErrorCode::NotInProgress);
                    }
                    sock.op = None;
                    Ok(())
                })?,))
            },
        )?;
    }
    i.func_wrap(
        "[method]tcp-socket.start-connect",
        move |mut s: StoreContextMut<'_, T>,
              (t, net, addr): (Tcp, Resource<Network>, IpSocketAddress)| {
            get(s.data_mut()).table.get(&net)?;
            Ok((with_tcp(&mut s, get, &t, |sock, policy| {
                if sock.op.is_some() {
                    return Err(ErrorCode::ConcurrencyConflict);
                }
                let TcpState::Default(fd) = &sock.state else {
                    return Err(ErrorCode::InvalidState);
                };
                let addr = SocketAddr::from(addr);
                if !net::valid_unicast(addr.ip())
                    || !net::valid_remote(addr)
                    || !sock.family.accepts(addr.ip())
                {
                    return Err(ErrorCode::InvalidArgument);
                }
                let fd = fd.clone();
                // A refused address fails the connect, reported by
                // `finish-connect` (as wasmtime checks inside the connect).
                let err = match policy.check(addr) {
                    Err(e) => Some(e.into()),
                    Ok(()) => host::connect(&fd, addr).err().map(ErrorCode::from),
                };
                sock.state = TcpState::Connecting(fd, err);
                sock.op = Some(Op::Connect);
                Ok(())
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.finish-connect",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            let shared = with_tcp(&mut s, get, &t, |sock, _| {
                if sock.op != Some(Op::Connect) {
                    return Err(ErrorCode::NotInProgress);
                }
                let r = sock.finish_connect();
                if r != Err(ErrorCode::WouldBlock) {
                    sock.op = None;
                }
                r?;
                sock.take_streams()
            })?;
            let shared = match shared {
                Ok(sh) => sh,
                Err(e) => return Ok((Err(e),)),
            };
            Ok((Ok(push_streams(get(s.data_mut()), &t, shared)?),))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.start-listen",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            Ok((with_tcp(&mut s, get, &t, |sock, policy| {
                if sock.op.is_some() {
                    return Err(ErrorCode::ConcurrencyConflict);
                }
                if !sock.is_bound() {
                    return Err(ErrorCode::InvalidState);
                }
                let TcpState::Default(fd) = &sock.state else {
                    return Err(ErrorCode::InvalidState);
                };
                policy.check(net::local_addr(fd)?)?;
                host::listen(fd, sock.backlog)?;
                sock.state = TcpState::Listening(fd.clone());
                sock.op = Some(Op::Listen);
                Ok(())
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.accept",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            let accepted = with_tcp(&mut s, get, &t, |sock, policy| {
                let TcpState::Listening(fd) = &sock.state else {
                    return Err(ErrorCode::InvalidState);
                };
                // A client the policy refuses is dropped, and the next one
                // is taken.
                let client = host::accept(fd, true, |peer| policy.check(peer).is_ok())
                    .map_err(accept_error)?;
                Ok(TcpSocket::connected(Arc::new(client), sock.family))
            })?;
            let mut client = match accepted {
                Ok(c) => c,
                Err(e) => return Ok((Err(e),)),
            };
            let shared = client.take_streams().map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let ctx = get(s.data_mut());
            let sock = ctx.table.push(client)?;
            let (input, output) = push_streams(ctx, &sock, shared)?;
            Ok((Ok((sock, input, output)),))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.local-address",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            Ok((with_tcp(&mut s, get, &t, |sock, _| {
                if !sock.is_bound() {
                    return Err(ErrorCode::InvalidState);
                }
                Ok(IpSocketAddress::from(net::local_addr(sock.fd()?)?))
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.remote-address",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            Ok((with_tcp(&mut s, get, &t, |sock, _| match &sock.state {
                TcpState::Connected { shared, .. } => {
                    Ok(IpSocketAddress::from(net::peer_addr(&shared.fd)?))
                }
                TcpState::Closed(e) => Err(*e),
                _ => Err(ErrorCode::InvalidState),
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.is-listening",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            let sock = get(s.data_mut()).table.get(&t)?;
            Ok((matches!(sock.state, TcpState::Listening(_)),))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.address-family",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            Ok((IpAddressFamily::from(get(s.data_mut()).table.get(&t)?.family),))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.set-listen-backlog-size",
        move |mut s: StoreContextMut<'_, T>, (t, value): (Tcp, u64)| {
            Ok((with_tcp(&mut s, get, &t, |sock, _| {
                let value = host::backlog(value)?;
                match &sock.state {
                    TcpState::Default(_) => {}
                    TcpState::Listening(fd) => {
                        if host::listen(fd, value).is_err() {
                            return Err(ErrorCode::NotSupported);
                        }
                    }
                    TcpState::Closed(e) => return Err(*e),
                    _ => return Err(ErrorCode::InvalidState),
                }
                sock.backlog = value;
                Ok(())
            })?,))
        },
    )?;
    options(&mut i, get)?;
    i.func_wrap(
        "[method]tcp-socket.subscribe",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            let ctx = get(s.data_mut());
            let sock = ctx.table.get(&t)?;
            let p = match &sock.state {
                TcpState::Connecting(fd, None) => Pollable::Fd { fd: fd.clone(), write: true },
                // Ready for `finish-listen` first, then for `accept`.
                TcpState::Listening(fd) if sock.op != Some(Op::Listen) => {
                    Pollable::Fd { fd: fd.clone(), write: false }
                }
                _ => Pollable::Ready,
            };
            Ok((ctx.table.push_child(p, &t)?,))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.shutdown",
        move |mut s: StoreContextMut<'_, T>, (t, how): (Tcp, ShutdownType)| {
            Ok((with_tcp(&mut s, get, &t, |sock, _| {
                let TcpState::Connected { shared, streams_taken: true } = &sock.state else {
                    return Err(ErrorCode::InvalidState);
                };
                if how != ShutdownType::Send {
                    shared.read_closed.store(true, Ordering::Relaxed);
                }
                if how != ShutdownType::Receive {
                    shared.write_closed.store(true, Ordering::Relaxed);
                    let _ = host::shutdown(&shared.fd, rustix::net::Shutdown::Write);
                }
                Ok(())
            })?,))
        },
    )?;
    Ok(())
}

/// Keep-alive, hop limit and buffer sizes of TCP sockets.
fn options<T: 'static>(i: &mut LinkerInstance<'_, T>, get: GetCtx<T>) -> Result<()> {
    macro_rules! getter {
        ($name:literal, $ty:ty, |$sock:ident, $fd:ident| $body:expr) => {
            i.func_wrap(
                concat!("[method]tcp-socket.", $name),
                move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
                    Ok((with_tcp(&mut s, get, &t, |$sock, _| -> SockResult<$ty> {
                        let $fd = $sock.fd()?.clone();
                        $body
                    })?,))
                },
            )?;
        };
    }
    macro_rules! setter {
        ($name:literal, $ty:ty, |$sock:ident, $fd:ident, $v:ident| $body:expr) => {
            i.func_wrap(
                concat!("[method]tcp-socket.", $name),
                move |mut s: StoreContextMut<'_, T>, (t, $v): (Tcp, $ty)| {
                    Ok((with_tcp(&mut s, get, &t, |$sock, _| -> SockResult<()> {
                        let $fd = $sock.fd()?.clone();
                        $body
                    })?,))
                },
            )?;
        };
    }
    getter!("keep-alive-enabled", bool, |_sock, fd| Ok(sockopt::socket_keepalive(&*fd)?));
    setter!("set-keep-alive-enabled", bool, |_sock, fd, v| {
        Ok(sockopt::set_socket_keepalive(&*fd, v)?)
    });
    use host::KeepAliveTime::{Idle, Interval};
    getter!("keep-alive-idle-time", u64, |_sock, fd| Ok(host::keepalive_time(&fd, Idle)?));
    setter!("set-keep-alive-idle-time", u64, |_sock, fd, v| {
        Ok(host::set_keepalive_time(&fd, Idle, v)?)
    });
    getter!("keep-alive-interval", u64, |_sock, fd| Ok(host::keepalive_time(&fd, Interval)?));
    setter!("set-keep-alive-interval", u64, |_sock, fd, v| {
        Ok(host::set_keepalive_time(&fd, Interval, v)?)
    });
    getter!("keep-alive-count", u32, |_sock, fd| Ok(sockopt::tcp_keepcnt(&*fd)?));
    setter!("set-keep-alive-count", u32, |_sock, fd, v| Ok(host::set_keepalive_count(&fd, v)?));
    getter!("hop-limit", u8, |sock, fd| Ok(net::hop_limit(&fd, sock.family)?));
    setter!("set-hop-limit", u8, |sock, fd, v| Ok(net::set_hop_limit(&fd, sock.family, v)?));
    getter!("receive-buffer-size", u64, |_sock, fd| Ok(net::buffer_size(&fd, false)?));
    setter!("set-receive-buffer-size", u64, |_sock, fd, v| {
        Ok(net::set_buffer_size(&fd, v, false)?)
    });
    getter!("send-buffer-size", u64, |_sock, fd| Ok(net::buffer_size(&fd, true)?));
    setter!("set-send-buffer-size", u64, |_sock, fd, v| Ok(net::set_buffer_size(&fd, v, true)?));
    Ok(())
}
