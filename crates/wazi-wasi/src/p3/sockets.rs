//! `wasi:sockets@0.3`: `types` (TCP and UDP sockets) and
//! `ip-name-lookup`, on the core's host sockets and network policy
//! (`crate::net`), as WASI 0.2's are.
//!
//! Waiting operations (`connect`, a listener's stream of clients, a
//! connection's `receive` stream, UDP `receive`) are non-blocking host
//! calls and streams that the store's event loop asks again while other
//! tasks run; a `send` stream writes each chunk to the socket as the guest
//! writes it.

use super::bindings::wasi::sockets::ip_name_lookup::{self, ErrorCode as LookupError, IpAddress};
use super::bindings::wasi::sockets::types::{self, ErrorCode};
use crate::ctx::Wasi;
use crate::net::wit::{IpAddressFamily, IpSocketAddress};
use crate::net::{self, Family, SockResult, tcp as host};
use anyhow::Result;
use rustix::io::Errno;
use rustix::net::{SocketType, sockopt};
use std::net::SocketAddr;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Arc, Mutex};
use wazi::StoreContextMut;
use wazi::component::__internal::kebab_from_camel;
use wazi::component::{
    FutureAny, HostAsync, HostPending, Linker, Resource, ResourceAny, StreamAny, Val,
};

impl From<net::ErrorCode> for ErrorCode {
    fn from(c: net::ErrorCode) -> ErrorCode {
        use net::ErrorCode as C;
        match c {
            C::AccessDenied => ErrorCode::AccessDenied,
            C::NotSupported => ErrorCode::NotSupported,
            C::InvalidArgument => ErrorCode::InvalidArgument,
            C::OutOfMemory | C::NewSocketLimit => ErrorCode::OutOfMemory,
            C::Timeout => ErrorCode::Timeout,
            C::InvalidState | C::ConcurrencyConflict | C::NotInProgress => ErrorCode::InvalidState,
            C::AddressNotBindable => ErrorCode::AddressNotBindable,
            C::AddressInUse => ErrorCode::AddressInUse,
            C::RemoteUnreachable => ErrorCode::RemoteUnreachable,
            C::ConnectionRefused => ErrorCode::ConnectionRefused,
            C::ConnectionReset => ErrorCode::ConnectionReset,
            C::ConnectionAborted => ErrorCode::ConnectionAborted,
            C::DatagramTooLarge => ErrorCode::DatagramTooLarge,
            C::Unknown
            | C::WouldBlock
            | C::NameUnresolvable
            | C::TemporaryResolverFailure
            | C::PermanentResolverFailure => ErrorCode::Other(None),
        }
    }
}

impl From<Errno> for ErrorCode {
    fn from(e: Errno) -> ErrorCode {
        match e {
            Errno::PIPE => ErrorCode::ConnectionBroken,
            e => net::ErrorCode::from(e).into(),
        }
    }
}

/// `error-code` as a value.
fn code_val(e: &ErrorCode) -> Val {
    match e {
        ErrorCode::Other(m) => Val::Variant(
            "other".into(),
            Some(Box::new(Val::Option(m.clone().map(|m| Box::new(Val::String(m)))))),
        ),
        e => Val::Variant(kebab_from_camel(&format!("{e:?}")), None),
    }
}

/// `result<_, error-code>` as a value.
fn status_val(r: &Result<(), ErrorCode>) -> Val {
    match r {
        Ok(()) => Val::Result(Ok(None)),
        Err(e) => Val::Result(Err(Some(Box::new(code_val(e))))),
    }
}

enum TcpState {
    Default(Arc<OwnedFd>),
    Connecting,
    Listening(Arc<OwnedFd>),
    Connected(Arc<OwnedFd>),
    Closed,
}

/// `wasi:sockets/types@0.3.tcp-socket`.
pub(crate) struct TcpSocket {
    state: TcpState,
    family: Family,
    backlog: i32,
    /// `send` and `receive` were called (each may be once).
    sending: bool,
    receiving: bool,
    /// Tells this socket from a later one in the same table slot.
    serial: u64,
}

impl TcpSocket {
    fn new(state: TcpState, family: Family) -> TcpSocket {
        static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        TcpSocket { state, family, backlog: 128, sending: false, receiving: false, serial }
    }

    fn fd(&self) -> SockResult<&Arc<OwnedFd>> {
        match &self.state {
            TcpState::Default(fd) | TcpState::Listening(fd) | TcpState::Connected(fd) => Ok(fd),
            TcpState::Connecting | TcpState::Closed => Err(net::ErrorCode::InvalidState),
        }
    }

    fn is_bound(&self) -> bool {
        match &self.state {
            TcpState::Default(fd) => {
                net::local_addr(fd).is_ok_and(|a| a != self.family.unspecified())
            }
            _ => true,
        }
    }
}

/// `wasi:sockets/types@0.3.udp-socket`.
pub(crate) struct UdpSocket {
    fd: Arc<OwnedFd>,
    family: Family,
    remote: Option<SocketAddr>,
}

impl UdpSocket {
    fn is_bound(&self) -> bool {
        net::local_addr(&self.fd).is_ok_and(|a| a != self.family.unspecified())
    }
}

type Tcp = Resource<TcpSocket>;
type Udp = Resource<UdpSocket>;

/// Checks a remote address for a socket of `family` (as `connect` does).
fn check_remote(family: Family, addr: SocketAddr) -> SockResult<()> {
    if !net::valid_unicast(addr.ip()) || !net::valid_remote(addr) || !family.accepts(addr.ip()) {
        return Err(net::ErrorCode::InvalidArgument);
    }
    Ok(())
}

/// Most bytes one read of a connection's `receive` stream takes.
const MAX_READ: usize = 64 * 1024;
/// Largest UDP datagram.
const MAX_DATAGRAM: usize = u16::MAX as usize;

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, host: Wasi<T>) -> Result<()> {
    types::add_to_linker(linker, host)?;
    ip_name_lookup::add_to_linker(linker, host)
}

impl<T: 'static> Wasi<T> {
    /// Runs `f` on the socket `r` names, with the context's network policy.
    fn with_socket<S: 'static, R>(
        &self,
        s: &mut StoreContextMut<'_, T>,
        r: &Resource<S>,
        f: impl FnOnce(&mut S, &net::NetworkPolicy) -> SockResult<R>,
    ) -> Result<Result<R, ErrorCode>> {
        let ctx = self.ctx(s);
        let policy = ctx.network;
        Ok(f(ctx.table.get_mut(r)?, &policy).map_err(ErrorCode::from))
    }
}

impl<T: 'static> ip_name_lookup::Host<T> for Wasi<T> {
    // The host's resolver blocks: it runs on a thread of its own while the
    // guest's other tasks go on.
    fn resolve_addresses(
        &self,
        mut s: StoreContextMut<'_, T>,
        name: String,
    ) -> Result<HostAsync<T, Result<Vec<IpAddress>, LookupError>>> {
        if !self.ctx(&mut s).network.ip_name_lookup {
            return Ok(HostAsync::Ready(Err(LookupError::PermanentResolverFailure)));
        }
        let lookup_val = |e: &str| Val::Result(Err(Some(Box::new(Val::Variant(e.into(), None)))));
        let slot: Arc<Mutex<Option<Val>>> = Arc::default();
        let done = slot.clone();
        let waker = wazi::component::loop_waker(&mut s);
        std::thread::spawn(move || {
            let v = match net::resolve(&name) {
                Ok(a) => {
                    Val::Result(Ok(Some(Box::new(Val::List(a.into_iter().map(ip_val).collect())))))
                }
                Err(net::ErrorCode::InvalidArgument) => lookup_val("invalid-argument"),
                Err(_) => lookup_val("name-unresolvable"),
            };
            *done.lock().unwrap_or_else(|e| e.into_inner()) = Some(v);
            waker.wake();
        });
        Ok(HostAsync::Pending(HostPending::new(None, move |s| {
            let v = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
            if v.is_none() {
                // The resolving thread wakes the loop.
                wazi::component::ready_when_woken(s);
            }
            Ok(v.map(Some))
        })))
    }
}

/// `ip-address` as a value.
fn ip_val(a: std::net::IpAddr) -> Val {
    match a {
        std::net::IpAddr::V4(a) => Val::Variant(
            "ipv4".into(),
            Some(Box::new(Val::Tuple(a.octets().iter().map(|&b| Val::U8(b)).collect()))),
        ),
        std::net::IpAddr::V6(a) => Val::Variant(
            "ipv6".into(),
            Some(Box::new(Val::Tuple(a.segments().iter().map(|&s| Val::U16(s)).collect()))),
        ),
    }
}

type Res<R> = Result<Result<R, ErrorCode>>;

/// A socket option's getter and setter, on the socket's descriptor.
macro_rules! option {
    ($get_fn:ident, $set_fn:ident, $sock_ty:ty, $ty:ty,
     |$sock:ident| $get:expr, |$v:ident| $set:expr) => {
        fn $get_fn(&self, mut s: StoreContextMut<'_, T>, r: Resource<$sock_ty>) -> Res<$ty> {
            self.with_socket(&mut s, &r, |$sock, _| -> SockResult<$ty> { $get })
        }

        fn $set_fn(
            &self,
            mut s: StoreContextMut<'_, T>,
            r: Resource<$sock_ty>,
            $v: $ty,
        ) -> Res<()> {
            self.with_socket(&mut s, &r, |$sock, _| -> SockResult<()> { $set })
        }
    };
}

use host::KeepAliveTime::{Idle, Interval};

impl<T: 'static> types::Host<T> for Wasi<T> {
    fn tcp_socket_create(
        &self,
        mut s: StoreContextMut<'_, T>,
        family: IpAddressFamily,
    ) -> Res<Tcp> {
        let ctx = self.ctx(&mut s);
        let family = Family::from(family);
        let r = net::guest_socket(ctx.network.tcp, ctx.network, family, SocketType::STREAM);
        Ok(match r {
            Ok(fd) => Ok(ctx.table.push(TcpSocket::new(TcpState::Default(fd), family))?),
            Err(e) => Err(ErrorCode::from(e)),
        })
    }

    fn tcp_socket_bind(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
        addr: IpSocketAddress,
    ) -> Res<()> {
        self.with_socket(&mut s, &t, |sock, policy| {
            let addr = SocketAddr::from(addr);
            if sock.is_bound() {
                return Err(net::ErrorCode::InvalidState);
            }
            let TcpState::Default(fd) = &sock.state else {
                return Err(net::ErrorCode::InvalidState);
            };
            if !net::valid_unicast(addr.ip()) || !sock.family.accepts(addr.ip()) {
                return Err(net::ErrorCode::InvalidArgument);
            }
            policy.check(addr)?;
            net::bind(fd, addr, true)
        })
    }

    /// Starts a non-blocking connect; the call goes on until it is done,
    /// while other tasks run.
    fn tcp_socket_connect(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
        addr: IpSocketAddress,
    ) -> Result<HostAsync<T, Result<(), ErrorCode>>> {
        let addr = SocketAddr::from(addr);
        let started = self.with_socket(&mut s, &t, |sock, policy| {
            let TcpState::Default(fd) = &sock.state else {
                return Err(net::ErrorCode::InvalidState);
            };
            check_remote(sock.family, addr)?;
            let fd = fd.clone();
            let r = policy.check(addr).and_then(|()| Ok(host::connect(&fd, addr)?));
            sock.state = match r {
                Ok(()) => TcpState::Connecting,
                Err(_) => TcpState::Closed,
            };
            r.map(|()| (fd, sock.serial))
        })?;
        let (fd, serial) = match started {
            Ok(x) => x,
            Err(e) => return Ok(HostAsync::Ready(Err(e))),
        };
        let (rep, get) = (t.rep(), self.get);
        Ok(HostAsync::Pending(HostPending::new(None, move |mut s: StoreContextMut<'_, T>| {
            let outcome = match host::connect_outcome(&fd) {
                Ok(None) => {
                    wazi::component::ready_when_writable(&mut s, fd.as_fd());
                    return Ok(None);
                }
                Ok(Some(r)) => r,
                Err(e) => Err(e),
            };
            // The guest may have dropped the socket meanwhile (its slot may
            // hold another one now): then only the call's result is left.
            if let Ok(sock) = get(s.data_mut()).table.get_mut(&Tcp::new_borrow(rep))
                && sock.serial == serial
            {
                sock.state = match outcome {
                    Ok(()) => TcpState::Connected(fd.clone()),
                    Err(_) => TcpState::Closed,
                };
            }
            Ok(Some(Some(status_val(&outcome.map_err(ErrorCode::from)))))
        })))
    }

    /// A stream of the connections clients make, accepted as the guest
    /// reads it.
    fn tcp_socket_listen(&self, mut s: StoreContextMut<'_, T>, t: Tcp) -> Res<StreamAny> {
        let r = self.with_socket(&mut s, &t, |sock, policy| {
            if !sock.is_bound() {
                // Listening binds an unbound socket to any port, as
                // wasmtime's does.
                if let TcpState::Default(fd) = &sock.state {
                    let any = sock.family.unspecified();
                    policy.check(any)?;
                    net::bind(fd, any, true)?;
                }
            }
            let TcpState::Default(fd) = &sock.state else {
                return Err(net::ErrorCode::InvalidState);
            };
            policy.check(net::local_addr(fd)?)?;
            host::listen(fd, sock.backlog)?;
            let fd = fd.clone();
            sock.state = TcpState::Listening(fd.clone());
            Ok((fd, sock.family))
        })?;
        let (fd, family) = match r {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        let get = self.get;
        let clients =
            StreamAny::from_host_values(&mut s, move |mut s: StoreContextMut<'_, T>, max| {
                let policy = get(s.data_mut()).network;
                let mut out = Vec::new();
                let mut none_waiting = false;
                while out.len() < max {
                    match host::accept(&fd, true, |peer| policy.check(peer).is_ok()) {
                        Ok(client) => {
                            let sock =
                                TcpSocket::new(TcpState::Connected(Arc::new(client)), family);
                            let r = get(s.data_mut()).table.push(sock)?;
                            out.push(Val::Resource(ResourceAny::try_from_resource(r, &mut s)?));
                        }
                        // None waiting (an empty batch: the read waits), or a
                        // client that went away: the next one is taken later.
                        Err(e) => {
                            none_waiting = e == Errno::AGAIN;
                            break;
                        }
                    }
                }
                // Readable again when a client comes; after another error
                // (out of descriptors) the connection is still queued and
                // the listener readable, so the loop asks again later.
                if out.is_empty() && none_waiting {
                    wazi::component::ready_when_readable(&mut s, fd.as_fd());
                }
                Ok(Some(out))
            });
        Ok(Ok(clients))
    }

    /// Each chunk the guest writes goes to the socket; at the end of the
    /// stream the sending side shuts down and the future resolves.
    fn tcp_socket_send(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
        data: StreamAny,
    ) -> Result<FutureAny> {
        let r = self.with_socket(&mut s, &t, |sock, _| match &sock.state {
            TcpState::Connected(fd) if !sock.sending => {
                sock.sending = true;
                Ok(fd.clone())
            }
            _ => Err(net::ErrorCode::InvalidState),
        })?;
        let (future, writer) = FutureAny::from_host(&mut s);
        let fd = match r {
            Ok(fd) => fd,
            Err(e) => {
                data.close(&mut s)?;
                writer.write(&mut s, status_val(&Err(e)))?;
                return Ok(future);
            }
        };
        let failed: Arc<Mutex<Option<ErrorCode>>> = Arc::default();
        let (failed2, fd2) = (failed.clone(), fd.clone());
        // A full send buffer makes the guest's write wait (partly sent
        // writes complete with what went), not the store's thread.
        data.pipe_to_host_bounded(
            &mut s,
            move |_, bytes: &[u8]| {
                match host::send(&fd, bytes) {
                    Ok(n) => Ok(Some(n)),
                    Err(Errno::AGAIN) => Ok(Some(0)),
                    Err(e) => {
                        // The connection failed: the guest's writes get
                        // `DROPPED`, and the future the error.
                        *failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(e.into());
                        Ok(None)
                    }
                }
            },
            move |s| {
                let _ = host::shutdown(&fd2, rustix::net::Shutdown::Write);
                let f = failed2.lock().unwrap_or_else(|e| e.into_inner()).take();
                writer.write(s, status_val(&f.map_or(Ok(()), Err)))
            },
        )?;
        Ok(future)
    }

    /// A stream of what the peer sends, read as the guest reads it; its
    /// future resolves at the end (the peer's shutdown, or an error).
    fn tcp_socket_receive(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
    ) -> Result<(StreamAny, FutureAny)> {
        let r = self.with_socket(&mut s, &t, |sock, _| match &sock.state {
            TcpState::Connected(fd) if !sock.receiving => {
                sock.receiving = true;
                Ok(fd.clone())
            }
            _ => Err(net::ErrorCode::InvalidState),
        })?;
        // How the stream ended, once it has (not receivable: at once).
        let ended: Arc<Mutex<Option<Result<(), ErrorCode>>>> = Arc::default();
        let mut fd = r.as_ref().ok().cloned();
        if let Err(e) = r {
            *ended.lock().unwrap_or_else(|e| e.into_inner()) = Some(Err(e));
        }
        let seen = ended.clone();
        let stream = StreamAny::from_host(&mut s, move |mut s: StoreContextMut<'_, T>, max| {
            let end = |r| *seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
            let Some(sock) = &fd else { return Ok(None) };
            let mut buf = vec![0; max.min(MAX_READ)];
            match host::recv(sock, &mut buf, rustix::net::RecvFlags::empty(), false) {
                Ok(0) => {
                    fd = None;
                    end(Ok(()));
                    Ok(None)
                }
                Ok(n) => {
                    buf.truncate(n);
                    Ok(Some(buf))
                }
                // Nothing yet: the read waits for the socket.
                Err(Errno::AGAIN) => {
                    wazi::component::ready_when_readable(&mut s, sock.as_fd());
                    Ok(Some(Vec::new()))
                }
                Err(e) => {
                    fd = None;
                    end(Err(e.into()));
                    Ok(None)
                }
            }
        });
        // Resolves once the stream has ended, or at once if its reader
        // dropped it before (nothing more is received).
        let future = FutureAny::from_host_poll(&mut s, move |_: StoreContextMut<'_, T>| {
            let r = ended.lock().unwrap_or_else(|e| e.into_inner()).take();
            Ok(match r {
                Some(r) => Some(status_val(&r)),
                None if Arc::strong_count(&ended) == 1 => Some(status_val(&Ok(()))),
                None => None,
            })
        });
        Ok((stream, future))
    }

    fn tcp_socket_get_local_address(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
    ) -> Res<IpSocketAddress> {
        self.with_socket(&mut s, &t, |sock, _| {
            if !sock.is_bound() {
                return Err(net::ErrorCode::InvalidState);
            }
            Ok(IpSocketAddress::from(net::local_addr(sock.fd()?)?))
        })
    }

    fn tcp_socket_get_remote_address(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
    ) -> Res<IpSocketAddress> {
        self.with_socket(&mut s, &t, |sock, _| match &sock.state {
            TcpState::Connected(fd) => Ok(IpSocketAddress::from(net::peer_addr(fd)?)),
            _ => Err(net::ErrorCode::InvalidState),
        })
    }

    fn tcp_socket_get_is_listening(&self, mut s: StoreContextMut<'_, T>, t: Tcp) -> Result<bool> {
        Ok(matches!(self.ctx(&mut s).table.get(&t)?.state, TcpState::Listening(_)))
    }

    fn tcp_socket_get_address_family(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
    ) -> Result<IpAddressFamily> {
        Ok(IpAddressFamily::from(self.ctx(&mut s).table.get(&t)?.family))
    }

    fn tcp_socket_set_listen_backlog_size(
        &self,
        mut s: StoreContextMut<'_, T>,
        t: Tcp,
        value: u64,
    ) -> Res<()> {
        self.with_socket(&mut s, &t, |sock, _| {
            let value = host::backlog(value)?;
            match &sock.state {
                TcpState::Default(_) => {}
                TcpState::Listening(fd) => {
                    host::listen(fd, value).map_err(|_| net::ErrorCode::NotSupported)?
                }
                _ => return Err(net::ErrorCode::InvalidState),
            }
            sock.backlog = value;
            Ok(())
        })
    }

    option!(
        tcp_socket_get_keep_alive_enabled,
        tcp_socket_set_keep_alive_enabled,
        TcpSocket,
        bool,
        |sock| Ok(sockopt::socket_keepalive(&**sock.fd()?)?),
        |v| Ok(sockopt::set_socket_keepalive(&**sock.fd()?, v)?)
    );
    option!(
        tcp_socket_get_keep_alive_idle_time,
        tcp_socket_set_keep_alive_idle_time,
        TcpSocket,
        u64,
        |sock| host::keepalive_time(sock.fd()?, Idle),
        |v| host::set_keepalive_time(sock.fd()?, Idle, v)
    );
    option!(
        tcp_socket_get_keep_alive_interval,
        tcp_socket_set_keep_alive_interval,
        TcpSocket,
        u64,
        |sock| host::keepalive_time(sock.fd()?, Interval),
        |v| host::set_keepalive_time(sock.fd()?, Interval, v)
    );
    option!(
        tcp_socket_get_keep_alive_count,
        tcp_socket_set_keep_alive_count,
        TcpSocket,
        u32,
        |sock| Ok(sockopt::tcp_keepcnt(&**sock.fd()?)?),
        |v| host::set_keepalive_count(sock.fd()?, v)
    );
    option!(
        tcp_socket_get_hop_limit,
        tcp_socket_set_hop_limit,
        TcpSocket,
        u8,
        |sock| net::hop_limit(sock.fd()?, sock.family),
        |v| net::set_hop_limit(sock.fd()?, sock.family, v)
    );
    option!(
        tcp_socket_get_receive_buffer_size,
        tcp_socket_set_receive_buffer_size,
        TcpSocket,
        u64,
        |sock| net::buffer_size(sock.fd()?, false),
        |v| net::set_buffer_size(sock.fd()?, v, false)
    );
    option!(
        tcp_socket_get_send_buffer_size,
        tcp_socket_set_send_buffer_size,
        TcpSocket,
        u64,
        |sock| net::buffer_size(sock.fd()?, true),
        |v| net::set_buffer_size(sock.fd()?, v, true)
    );

    fn udp_socket_create(
        &self,
        mut s: StoreContextMut<'_, T>,
        family: IpAddressFamily,
    ) -> Res<Udp> {
        let ctx = self.ctx(&mut s);
        let family = Family::from(family);
        let r = net::guest_socket(ctx.network.udp, ctx.network, family, SocketType::DGRAM);
        Ok(match r {
            Ok(fd) => Ok(ctx.table.push(UdpSocket { fd, family, remote: None })?),
            Err(e) => Err(ErrorCode::from(e)),
        })
    }

    fn udp_socket_bind(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
        addr: IpSocketAddress,
    ) -> Res<()> {
        self.with_socket(&mut s, &u, |sock, policy| {
            let addr = SocketAddr::from(addr);
            if sock.is_bound() {
                return Err(net::ErrorCode::InvalidState);
            }
            if !sock.family.accepts(addr.ip()) {
                return Err(net::ErrorCode::InvalidArgument);
            }
            policy.check(addr)?;
            net::bind(&sock.fd, addr, false)
        })
    }

    fn udp_socket_connect(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
        addr: IpSocketAddress,
    ) -> Res<()> {
        self.with_socket(&mut s, &u, |sock, policy| {
            let addr = SocketAddr::from(addr);
            check_remote(sock.family, addr)?;
            policy.check(addr)?;
            if !sock.is_bound() {
                net::bind(&sock.fd, sock.family.unspecified(), false)?;
            }
            net::udp::connect(&sock.fd, Some(addr))?;
            sock.remote = Some(addr);
            Ok(())
        })
    }

    fn udp_socket_disconnect(&self, mut s: StoreContextMut<'_, T>, u: Udp) -> Res<()> {
        self.with_socket(&mut s, &u, |sock, _| {
            if sock.remote.is_none() {
                return Err(net::ErrorCode::InvalidState);
            }
            net::udp::connect(&sock.fd, None)?;
            sock.remote = None;
            Ok(())
        })
    }

    fn udp_socket_send(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
        data: Vec<u8>,
        to: Option<IpSocketAddress>,
    ) -> Result<HostAsync<T, Result<(), ErrorCode>>> {
        let to = to.map(SocketAddr::from);
        let r = self.with_socket(&mut s, &u, |sock, policy| {
            if data.len() > MAX_DATAGRAM {
                return Err(net::ErrorCode::DatagramTooLarge);
            }
            let to = match (to, sock.remote) {
                (Some(a), Some(r)) if a != r => return Err(net::ErrorCode::InvalidArgument),
                (Some(a), None) => {
                    check_remote(sock.family, a)?;
                    policy.check(a)?;
                    if !sock.is_bound() {
                        net::bind(&sock.fd, sock.family.unspecified(), false)?;
                    }
                    Some(a)
                }
                (_, Some(_)) => None,
                (None, None) => return Err(net::ErrorCode::InvalidArgument),
            };
            Ok((sock.fd.clone(), to))
        })?;
        let (fd, to) = match r {
            Ok(x) => x,
            Err(e) => return Ok(HostAsync::Ready(Err(e))),
        };
        let attempt = move |s: Option<StoreContextMut<'_, T>>| match net::udp::send(&fd, &data, to)
        {
            Err(Errno::AGAIN) => {
                if let Some(s) = s {
                    wazi::component::ready_when_writable(s, fd.as_fd());
                }
                None
            }
            r => Some(r.map_err(ErrorCode::from)),
        };
        Ok(match attempt(None) {
            Some(r) => HostAsync::Ready(r),
            None => HostAsync::Pending(HostPending::new(None, move |s| {
                Ok(attempt(Some(s)).map(|r| Some(status_val(&r))))
            })),
        })
    }

    fn udp_socket_receive(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
    ) -> Result<HostAsync<T, Result<(Vec<u8>, IpSocketAddress), ErrorCode>>> {
        let r = self.with_socket(&mut s, &u, |sock, _| {
            if !sock.is_bound() {
                return Err(net::ErrorCode::InvalidState);
            }
            Ok(sock.fd.clone())
        })?;
        let fd = match r {
            Ok(fd) => fd,
            Err(e) => return Ok(HostAsync::Ready(Err(e))),
        };
        let attempt = move |s: Option<StoreContextMut<'_, T>>| {
            let mut buf = vec![0; MAX_DATAGRAM];
            match net::udp::recv_from(&fd, &mut buf) {
                Err(Errno::AGAIN) => {
                    if let Some(s) = s {
                        wazi::component::ready_when_readable(s, fd.as_fd());
                    }
                    None
                }
                Err(e) => Some(Err(ErrorCode::from(e))),
                Ok((n, from)) => {
                    let from = from.unwrap_or_else(|| {
                        net::peer_addr(&fd).unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)))
                    });
                    buf.truncate(n);
                    Some(Ok((buf, from)))
                }
            }
        };
        let val = |r: Result<(Vec<u8>, SocketAddr), ErrorCode>| match r {
            Ok((data, from)) => {
                let data = Val::List(data.into_iter().map(Val::U8).collect());
                Val::Result(Ok(Some(Box::new(Val::Tuple(vec![data, addr_val(from)])))))
            }
            Err(e) => Val::Result(Err(Some(Box::new(code_val(&e))))),
        };
        Ok(match attempt(None) {
            Some(r) => HostAsync::Ready(r.map(|(d, a)| (d, IpSocketAddress::from(a)))),
            None => HostAsync::Pending(HostPending::new(None, move |s| {
                Ok(attempt(Some(s)).map(|r| Some(val(r))))
            })),
        })
    }

    fn udp_socket_get_local_address(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
    ) -> Res<IpSocketAddress> {
        self.with_socket(&mut s, &u, |sock, _| {
            if !sock.is_bound() {
                return Err(net::ErrorCode::InvalidState);
            }
            Ok(IpSocketAddress::from(net::local_addr(&sock.fd)?))
        })
    }

    fn udp_socket_get_remote_address(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
    ) -> Res<IpSocketAddress> {
        self.with_socket(&mut s, &u, |sock, _| match sock.remote {
            Some(r) => Ok(IpSocketAddress::from(r)),
            None => Err(net::ErrorCode::InvalidState),
        })
    }

    fn udp_socket_get_address_family(
        &self,
        mut s: StoreContextMut<'_, T>,
        u: Udp,
    ) -> Result<IpAddressFamily> {
        Ok(IpAddressFamily::from(self.ctx(&mut s).table.get(&u)?.family))
    }

    option!(
        udp_socket_get_unicast_hop_limit,
        udp_socket_set_unicast_hop_limit,
        UdpSocket,
        u8,
        |sock| net::hop_limit(&sock.fd, sock.family),
        |v| net::set_hop_limit(&sock.fd, sock.family, v)
    );
    option!(
        udp_socket_get_receive_buffer_size,
        udp_socket_set_receive_buffer_size,
        UdpSocket,
        u64,
        |sock| net::buffer_size(&sock.fd, false),
        |v| net::set_buffer_size(&sock.fd, v, false)
    );
    option!(
        udp_socket_get_send_buffer_size,
        udp_socket_set_send_buffer_size,
        UdpSocket,
        u64,
        |sock| net::buffer_size(&sock.fd, true),
        |v| net::set_buffer_size(&sock.fd, v, true)
    );
}

/// `ip-socket-address` as a value.
fn addr_val(a: SocketAddr) -> Val {
    let u8s = |o: [u8; 4]| Val::Tuple(o.iter().map(|&b| Val::U8(b)).collect());
    match a {
        SocketAddr::V4(a) => Val::Variant(
            "ipv4".into(),
            Some(Box::new(Val::Record(vec![
                ("port".into(), Val::U16(a.port())),
                ("address".into(), u8s(a.ip().octets())),
            ]))),
        ),
        SocketAddr::V6(a) => Val::Variant(
            "ipv6".into(),
            Some(Box::new(Val::Record(vec![
                ("port".into(), Val::U16(a.port())),
                ("flow-info".into(), Val::U32(a.flowinfo())),
                (
                    "address".into(),
                    Val::Tuple(a.ip().segments().iter().map(|&s| Val::U16(s)).collect()),
                ),
                ("scope-id".into(), Val::U32(a.scope_id())),
            ]))),
        ),
    }
}
