//! `wasi:sockets/tcp` and `tcp-create-socket`: the TCP socket's state
//! machine (bind, connect, listen, accept, shutdown), its streams and its
//! options, on the core's host sockets ([`crate::net::tcp`]).

use super::{ErrorCode, IpAddressFamily, IpSocketAddress, Network, Op, SockResult};
use crate::WasiCtx;
use crate::ctx::Wasi;
use crate::net::{self, Family, NetworkPolicy, tcp as host};
use crate::p2::GetCtx;
use crate::p2::bindings::wasi::sockets::tcp::ShutdownType;
use crate::p2::bindings::wasi::sockets::{tcp, tcp_create_socket};
use crate::p2::io::{InputStream, OutputStream, Pollable, TcpShared};
use anyhow::Result;
use rustix::io::Errno;
use rustix::net::{SocketType, sockopt};
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use wazi::StoreContextMut;
use wazi::component::{Linker, Resource};

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

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, host: Wasi<T>) -> Result<()> {
    tcp_create_socket::add_to_linker(linker, host)?;
    tcp::add_to_linker(linker, host)
}

type Res<R> = Result<SockResult<R>>;

/// A socket option's getter, on the socket's descriptor.
macro_rules! getter {
    ($fn:ident, $ty:ty, |$sock:ident, $fd:ident| $body:expr) => {
        fn $fn(&self, mut s: StoreContextMut<'_, T>, t: Tcp) -> Res<$ty> {
            with_tcp(&mut s, self.get, &t, |$sock, _| -> SockResult<$ty> {
                let $fd = $sock.fd()?.clone();
                $body
            })
        }
    };
}

/// A socket option's setter, on the socket's descriptor.
macro_rules! setter {
    ($fn:ident, $ty:ty, |$sock:ident, $fd:ident, $v:ident| $body:expr) => {
        fn $fn(&self, mut s: StoreContextMut<'_, T>, t: Tcp, $v: $ty) -> Res<()> {
            with_tcp(&mut s, self.get, &t, |$sock, _| -> SockResult<()> {
                let $fd = $sock.fd()?.clone();
                $body
            })
        }
    };
}

use host::KeepAliveTime::{Idle, Interval};

impl<T: 'static> tcp_create_socket::Host<T> for Wasi<T> {
    fn create_tcp_socket(
        &self,
        mut s: StoreContextMut<'_, T>,
        family: IpAddressFamily,
    ) -> Result<Result<wazi::component::Resource<crate::p2::sockets::tcp::TcpSocket>, ErrorCode>>
    {
        let get = self.get;
        let ctx = get(s.data_mut());
        let family = Family::from(family);
        let fd = match net::guest_socket(ctx.network.tcp, ctx.network, family, SocketType::STREAM) {
            Ok(fd) => fd,
            Err(e) => return Ok(Err(ErrorCode::from(e))),
        };
        let sock = TcpSocket {
            state: TcpState::Default(fd),
            family,
            backlog: 128,
            op: None,
            bound: false,
        };
        Ok(Ok(ctx.table.push(sock)?))
    }
}

impl<T: 'static> tcp::Host<T> for Wasi<T> {
    fn tcp_socket_start_bind(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
        net: Resource<Network>,
        addr: IpSocketAddress,
    ) -> Result<Result<(), ErrorCode>> {
        let get = self.get;
        get(s.data_mut()).table.get(&net)?;
        with_tcp(&mut s, get, &t, |sock, policy| {
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
        })
    }

    fn tcp_socket_start_connect(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
        net: Resource<Network>,
        addr: IpSocketAddress,
    ) -> Result<Result<(), ErrorCode>> {
        let get = self.get;
        get(s.data_mut()).table.get(&net)?;
        with_tcp(&mut s, get, &t, |sock, policy| {
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
        })
    }

    fn tcp_socket_finish_connect(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
    ) -> Result<
        Result<
            (
                wazi::component::Resource<crate::p2::io::InputStream>,
                wazi::component::Resource<crate::p2::io::OutputStream>,
            ),
            ErrorCode,
        >,
    > {
        let get = self.get;
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
            Err(e) => return Ok(Err(e)),
        };
        Ok(Ok(push_streams(get(s.data_mut()), &t, shared)?))
    }

    fn tcp_socket_start_listen(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
    ) -> Result<Result<(), ErrorCode>> {
        let get = self.get;
        with_tcp(&mut s, get, &t, |sock, policy| {
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
        })
    }

    fn tcp_socket_accept(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
    ) -> Result<
        Result<
            (
                wazi::component::Resource<crate::p2::sockets::tcp::TcpSocket>,
                wazi::component::Resource<crate::p2::io::InputStream>,
                wazi::component::Resource<crate::p2::io::OutputStream>,
            ),
            ErrorCode,
        >,
    > {
        let get = self.get;
        let accepted = with_tcp(&mut s, get, &t, |sock, policy| {
            let TcpState::Listening(fd) = &sock.state else {
                return Err(ErrorCode::InvalidState);
            };
            // A client the policy refuses is dropped, and the next one
            // is taken.
            let client =
                host::accept(fd, true, |peer| policy.check(peer).is_ok()).map_err(accept_error)?;
            Ok(TcpSocket::connected(Arc::new(client), sock.family))
        })?;
        let mut client = match accepted {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let shared = client.take_streams().map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let ctx = get(s.data_mut());
        let sock = ctx.table.push(client)?;
        let (input, output) = push_streams(ctx, &sock, shared)?;
        Ok(Ok((sock, input, output)))
    }

    fn tcp_socket_local_address(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
    ) -> Result<Result<crate::p2::bindings::wasi::sockets::tcp::IpSocketAddress, ErrorCode>> {
        let get = self.get;
        with_tcp(&mut s, get, &t, |sock, _| {
            if !sock.is_bound() {
                return Err(ErrorCode::InvalidState);
            }
            Ok(IpSocketAddress::from(net::local_addr(sock.fd()?)?))
        })
    }

    fn tcp_socket_remote_address(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
    ) -> Result<Result<crate::p2::bindings::wasi::sockets::tcp::IpSocketAddress, ErrorCode>> {
        let get = self.get;
        with_tcp(&mut s, get, &t, |sock, _| match &sock.state {
            TcpState::Connected { shared, .. } => {
                Ok(IpSocketAddress::from(net::peer_addr(&shared.fd)?))
            }
            TcpState::Closed(e) => Err(*e),
            _ => Err(ErrorCode::InvalidState),
        })
    }

    fn tcp_socket_is_listening(&self, mut s: StoreContextMut<'_, T>, t: Tcp) -> Result<bool> {
        let get = self.get;
        let sock = get(s.data_mut()).table.get(&t)?;
        Ok(matches!(sock.state, TcpState::Listening(_)))
    }

    fn tcp_socket_address_family(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
    ) -> Result<crate::p2::bindings::wasi::sockets::tcp::IpAddressFamily> {
        let get = self.get;
        Ok(IpAddressFamily::from(get(s.data_mut()).table.get(&t)?.family))
    }

    fn tcp_socket_set_listen_backlog_size(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
        value: u64,
    ) -> Result<Result<(), ErrorCode>> {
        let get = self.get;
        with_tcp(&mut s, get, &t, |sock, _| {
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
        })
    }

    fn tcp_socket_subscribe(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
    ) -> Result<wazi::component::Resource<crate::p2::io::Pollable>> {
        let get = self.get;
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
        Ok(ctx.table.push_child(p, &t)?)
    }

    fn tcp_socket_shutdown(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
        how: ShutdownType,
    ) -> Result<Result<(), ErrorCode>> {
        let get = self.get;
        with_tcp(&mut s, get, &t, |sock, _| {
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
        })
    }

    fn tcp_socket_finish_bind(&self, mut s: StoreContextMut<'_, T>, t: Tcp) -> Res<()> {
        finish(&mut s, self.get, &t, Op::Bind)
    }

    fn tcp_socket_finish_listen(&self, mut s: StoreContextMut<'_, T>, t: Tcp) -> Res<()> {
        finish(&mut s, self.get, &t, Op::Listen)
    }

    // Keep-alive, hop limit and buffer sizes.
    getter!(tcp_socket_keep_alive_enabled, bool, |_sock, fd| Ok(sockopt::socket_keepalive(&*fd)?));
    setter!(tcp_socket_set_keep_alive_enabled, bool, |_sock, fd, v| {
        Ok(sockopt::set_socket_keepalive(&*fd, v)?)
    });
    getter!(tcp_socket_keep_alive_idle_time, u64, |_sock, fd| Ok(host::keepalive_time(&fd, Idle)?));
    setter!(tcp_socket_set_keep_alive_idle_time, u64, |_sock, fd, v| {
        Ok(host::set_keepalive_time(&fd, Idle, v)?)
    });
    getter!(tcp_socket_keep_alive_interval, u64, |_sock, fd| {
        Ok(host::keepalive_time(&fd, Interval)?)
    });
    setter!(tcp_socket_set_keep_alive_interval, u64, |_sock, fd, v| {
        Ok(host::set_keepalive_time(&fd, Interval, v)?)
    });
    getter!(tcp_socket_keep_alive_count, u32, |_sock, fd| Ok(sockopt::tcp_keepcnt(&*fd)?));
    setter!(tcp_socket_set_keep_alive_count, u32, |_sock, fd, v| {
        Ok(host::set_keepalive_count(&fd, v)?)
    });
    getter!(tcp_socket_hop_limit, u8, |sock, fd| Ok(net::hop_limit(&fd, sock.family)?));
    setter!(tcp_socket_set_hop_limit, u8, |sock, fd, v| Ok(net::set_hop_limit(
        &fd,
        sock.family,
        v
    )?));
    getter!(tcp_socket_receive_buffer_size, u64, |_sock, fd| Ok(net::buffer_size(&fd, false)?));
    setter!(tcp_socket_set_receive_buffer_size, u64, |_sock, fd, v| {
        Ok(net::set_buffer_size(&fd, v, false)?)
    });
    getter!(tcp_socket_send_buffer_size, u64, |_sock, fd| Ok(net::buffer_size(&fd, true)?));
    setter!(tcp_socket_set_send_buffer_size, u64, |_sock, fd, v| {
        Ok(net::set_buffer_size(&fd, v, true)?)
    });
}

/// `finish-bind` and `finish-listen`: the end of `op`, if it was started.
fn finish<T: 'static>(s: &mut StoreContextMut<'_, T>, get: GetCtx<T>, t: &Tcp, op: Op) -> Res<()> {
    with_tcp(s, get, t, |sock, _| {
        if sock.op != Some(op) {
            return Err(ErrorCode::NotInProgress);
        }
        sock.op = None;
        Ok(())
    })
}
