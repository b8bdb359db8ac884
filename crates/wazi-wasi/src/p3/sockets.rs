//! `wasi:sockets@0.3`: `types` (TCP and UDP sockets) and
//! `ip-name-lookup`, on the core's host sockets and network policy
//! (`crate::net`), as WASI 0.2's are.
//!
//! Waiting operations (`connect`, a listener's stream of clients, a
//! connection's `receive` stream, UDP `receive`) are non-blocking host
//! calls and streams that the store's event loop asks again while other
//! tasks run; a `send` stream writes each chunk to the socket as the guest
//! writes it.

use super::VERSION as V;
use crate::GetCtx;
use crate::net::wit::{IpAddressFamily, IpSocketAddress};
use crate::net::{self, Family, SockResult, tcp as host};
use anyhow::{Result, bail};
use rustix::io::Errno;
use rustix::net::{SocketType, sockopt};
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};
use wazi::component::__internal::kebab_from_camel;
use wazi::component::{
    FutureAny, HostCall, HostPending, Linker, LinkerInstance, Resource, ResourceAny, StreamAny, Val,
};
use wazi::{StoreContextMut, component_variant};

component_variant! {
    /// `wasi:sockets/types@0.3.error-code`.
    #[derive(Clone, Debug, PartialEq)]
    pub enum ErrorCode {
        AccessDenied, NotSupported, InvalidArgument, OutOfMemory, Timeout, InvalidState,
        AddressNotBindable, AddressInUse, RemoteUnreachable, ConnectionRefused,
        ConnectionBroken, ConnectionReset, ConnectionAborted, DatagramTooLarge,
        Other(Option<String>),
    }
}

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

/// Runs `f` on the socket `r` names, with the context's network policy.
fn with<T: 'static, S: 'static, R>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    r: &Resource<S>,
    f: impl FnOnce(&mut S, &net::NetworkPolicy) -> SockResult<R>,
) -> Result<Result<R, ErrorCode>> {
    let ctx = get(s.data_mut());
    let policy = ctx.network;
    Ok(f(ctx.table.get_mut(r)?, &policy).map_err(ErrorCode::from))
}

/// The socket a borrowed handle in `v` names.
fn borrowed<T: 'static, S: 'static>(
    s: &StoreContextMut<'_, T>,
    v: Option<&Val>,
) -> Result<Resource<S>> {
    match v {
        Some(Val::Resource(r)) => r.borrow_resource(s),
        _ => bail!("expected a socket"),
    }
}

/// The socket address in `v`.
fn address(v: Option<&Val>) -> Result<SocketAddr> {
    let octets = |v: &Val| -> Result<Vec<u32>> {
        let Val::Tuple(t) = v else { bail!("expected an address") };
        t.iter()
            .map(|x| match x {
                Val::U8(n) => Ok(*n as u32),
                Val::U16(n) => Ok(*n as u32),
                _ => bail!("expected an address"),
            })
            .collect()
    };
    let field = |fields: &[(String, Val)], name: &str| -> Result<Val> {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| anyhow::anyhow!("no field `{name}`"))
    };
    let Some(Val::Variant(case, Some(payload))) = v else { bail!("expected a socket address") };
    let Val::Record(fields) = &**payload else { bail!("expected a socket address") };
    let Val::U16(port) = field(fields, "port")? else { bail!("expected a port") };
    let a = octets(&field(fields, "address")?)?;
    Ok(if case == "ipv4" {
        let [a0, a1, a2, a3] = a[..] else { bail!("expected an IPv4 address") };
        SocketAddr::from(([a0 as u8, a1 as u8, a2 as u8, a3 as u8], port))
    } else {
        let segs: Vec<u16> = a.iter().map(|&n| n as u16).collect();
        let segs: [u16; 8] = segs.try_into().map_err(|_| anyhow::anyhow!("bad IPv6 address"))?;
        let Val::U32(flow) = field(fields, "flow-info")? else { bail!("expected flow-info") };
        let Val::U32(scope) = field(fields, "scope-id")? else { bail!("expected scope-id") };
        SocketAddr::V6(std::net::SocketAddrV6::new(segs.into(), port, flow, scope))
    })
}

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

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let mut i = linker.instance(&format!("wasi:sockets/types@{V}"))?;
    crate::ctx::table_resource::<T, TcpSocket>(&mut i, "tcp-socket", get)?;
    crate::ctx::table_resource::<T, UdpSocket>(&mut i, "udp-socket", get)?;
    tcp(&mut i, get)?;
    tcp_options(&mut i, get)?;
    udp(&mut i, get)?;
    // The host's resolver blocks: it runs on a thread of its own while the
    // guest's other tasks go on.
    linker.instance(&format!("wasi:sockets/ip-name-lookup@{V}"))?.func_new_concurrent(
        "resolve-addresses",
        move |mut s, params| {
            let Some(Val::String(name)) = params.first() else { bail!("expected a name") };
            let lookup_val =
                |e: &str| Val::Result(Err(Some(Box::new(Val::Variant(e.into(), None)))));
            if !get(s.data_mut()).network.ip_name_lookup {
                return Ok(HostCall::Ready(Some(lookup_val("permanent-resolver-failure"))));
            }
            let slot: Arc<Mutex<Option<Val>>> = Arc::default();
            let (name, done) = (name.clone(), slot.clone());
            let waker = wazi::component::loop_waker(&mut s);
            std::thread::spawn(move || {
                let v = match net::resolve(&name) {
                    Ok(a) => Val::Result(Ok(Some(Box::new(Val::List(
                        a.into_iter().map(ip_val).collect(),
                    ))))),
                    Err(net::ErrorCode::InvalidArgument) => lookup_val("invalid-argument"),
                    Err(_) => lookup_val("name-unresolvable"),
                };
                *done.lock().unwrap_or_else(|e| e.into_inner()) = Some(v);
                waker.wake();
            });
            Ok(HostCall::Pending(HostPending::new(None, move |_| {
                Ok(slot.lock().unwrap_or_else(|e| e.into_inner()).take().map(Some))
            })))
        },
    )
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

fn tcp<T: 'static>(i: &mut LinkerInstance<'_, T>, get: GetCtx<T>) -> Result<()> {
    i.func_wrap(
        "[static]tcp-socket.create",
        move |mut s: StoreContextMut<'_, T>, (family,): (IpAddressFamily,)| {
            let ctx = get(s.data_mut());
            let family = Family::from(family);
            let r = net::guest_socket(ctx.network.tcp, ctx.network, family, SocketType::STREAM);
            Ok((match r {
                Ok(fd) => Ok(ctx.table.push(TcpSocket::new(TcpState::Default(fd), family))?),
                Err(e) => Err(ErrorCode::from(e)),
            },))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.bind",
        move |mut s: StoreContextMut<'_, T>, (t, addr): (Tcp, IpSocketAddress)| {
            Ok((with(&mut s, get, &t, |sock, policy| {
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
            })?,))
        },
    )?;
    // `connect` starts a non-blocking connect; the call goes on until it
    // is done, while other tasks run.
    i.func_new_concurrent("[method]tcp-socket.connect", move |mut s, params| {
        let t: Tcp = borrowed(&s, params.first())?;
        let addr = address(params.get(1))?;
        let started = with(&mut s, get, &t, |sock, policy| {
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
            Err(e) => return Ok(HostCall::Ready(Some(status_val(&Err(e))))),
        };
        let rep = t.rep();
        Ok(HostCall::Pending(HostPending::new(None, move |mut s: StoreContextMut<'_, T>| {
            let outcome = match host::connect_outcome(&fd) {
                Ok(None) => return Ok(None),
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
    })?;
    // `listen`: a stream of the connections clients make, accepted as the
    // guest reads it.
    i.func_new("[method]tcp-socket.listen", move |mut s, params, results| {
        let t: Tcp = borrowed(&s, params.first())?;
        let r = with(&mut s, get, &t, |sock, policy| {
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
            Err(e) => {
                results[0] = Val::Result(Err(Some(Box::new(code_val(&e)))));
                return Ok(());
            }
        };
        let clients =
            StreamAny::from_host_values(&mut s, move |mut s: StoreContextMut<'_, T>, max| {
                let policy = get(s.data_mut()).network;
                let mut out = Vec::new();
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
                        Err(_) => break,
                    }
                }
                Ok(Some(out))
            });
        results[0] = Val::Result(Ok(Some(Box::new(Val::Stream(clients)))));
        Ok(())
    })?;
    // `send`: each chunk the guest writes goes to the socket; at the end
    // of the stream the sending side shuts down and the future resolves.
    i.func_new("[method]tcp-socket.send", move |mut s, params, results| {
        let t: Tcp = borrowed(&s, params.first())?;
        let Some(Val::Stream(data)) = params.get(1) else { bail!("expected a stream") };
        let r = with(&mut s, get, &t, |sock, _| match &sock.state {
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
                results[0] = Val::Future(future);
                return Ok(());
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
        results[0] = Val::Future(future);
        Ok(())
    })?;
    // `receive`: a stream of what the peer sends, read as the guest reads
    // it; its future resolves at the end (the peer's shutdown, or an
    // error).
    i.func_new("[method]tcp-socket.receive", move |mut s, params, results| {
        let t: Tcp = borrowed(&s, params.first())?;
        let r = with(&mut s, get, &t, |sock, _| match &sock.state {
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
        let stream = StreamAny::from_host(&mut s, move |_: StoreContextMut<'_, T>, max| {
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
                // Nothing yet: the read waits and the loop asks again.
                Err(Errno::AGAIN) => Ok(Some(Vec::new())),
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
        results[0] = Val::Tuple(vec![Val::Stream(stream), Val::Future(future)]);
        Ok(())
    })?;
    i.func_wrap(
        "[method]tcp-socket.get-local-address",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            Ok((with(&mut s, get, &t, |sock, _| {
                if !sock.is_bound() {
                    return Err(net::ErrorCode::InvalidState);
                }
                Ok(IpSocketAddress::from(net::local_addr(sock.fd()?)?))
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.get-remote-address",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            Ok((with(&mut s, get, &t, |sock, _| match &sock.state {
                TcpState::Connected(fd) => Ok(IpSocketAddress::from(net::peer_addr(fd)?)),
                _ => Err(net::ErrorCode::InvalidState),
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.get-is-listening",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            Ok((matches!(get(s.data_mut()).table.get(&t)?.state, TcpState::Listening(_)),))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.get-address-family",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            Ok((IpAddressFamily::from(get(s.data_mut()).table.get(&t)?.family),))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.set-listen-backlog-size",
        move |mut s: StoreContextMut<'_, T>, (t, value): (Tcp, u64)| {
            Ok((with(&mut s, get, &t, |sock, _| {
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
            })?,))
        },
    )?;
    Ok(())
}

/// Keep-alive, hop limit and buffer sizes of TCP sockets.
fn tcp_options<T: 'static>(i: &mut LinkerInstance<'_, T>, get: GetCtx<T>) -> Result<()> {
    macro_rules! option {
        ($name:literal, $ty:ty, |$sock:ident, $fd:ident| $get:expr, |$v:ident| $set:expr) => {
            i.func_wrap(
                concat!("[method]tcp-socket.get-", $name),
                move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
                    Ok((with(&mut s, get, &t, |$sock, _| -> SockResult<$ty> {
                        let $fd = $sock.fd()?.clone();
                        $get
                    })?,))
                },
            )?;
            i.func_wrap(
                concat!("[method]tcp-socket.set-", $name),
                move |mut s: StoreContextMut<'_, T>, (t, $v): (Tcp, $ty)| {
                    Ok((with(&mut s, get, &t, |$sock, _| -> SockResult<()> {
                        let $fd = $sock.fd()?.clone();
                        $set
                    })?,))
                },
            )?;
        };
    }
    option!("keep-alive-enabled", bool, |_sock, fd| Ok(sockopt::socket_keepalive(&*fd)?), |v| Ok(
        sockopt::set_socket_keepalive(&*fd, v)?
    ));
    use host::KeepAliveTime::{Idle, Interval};
    option!("keep-alive-idle-time", u64, |_sock, fd| host::keepalive_time(&fd, Idle), |v| {
        host::set_keepalive_time(&fd, Idle, v)
    });
    option!("keep-alive-interval", u64, |_sock, fd| host::keepalive_time(&fd, Interval), |v| {
        host::set_keepalive_time(&fd, Interval, v)
    });
    option!("keep-alive-count", u32, |_sock, fd| Ok(sockopt::tcp_keepcnt(&*fd)?), |v| {
        host::set_keepalive_count(&fd, v)
    });
    option!("hop-limit", u8, |sock, fd| net::hop_limit(&fd, sock.family), |v| net::set_hop_limit(
        &fd,
        sock.family,
        v
    ));
    option!("receive-buffer-size", u64, |_sock, fd| net::buffer_size(&fd, false), |v| {
        net::set_buffer_size(&fd, v, false)
    });
    option!("send-buffer-size", u64, |_sock, fd| net::buffer_size(&fd, true), |v| {
        net::set_buffer_size(&fd, v, true)
    });
    Ok(())
}

fn udp<T: 'static>(i: &mut LinkerInstance<'_, T>, get: GetCtx<T>) -> Result<()> {
    i.func_wrap(
        "[static]udp-socket.create",
        move |mut s: StoreContextMut<'_, T>, (family,): (IpAddressFamily,)| {
            let ctx = get(s.data_mut());
            let family = Family::from(family);
            let r = net::guest_socket(ctx.network.udp, ctx.network, family, SocketType::DGRAM);
            Ok((match r {
                Ok(fd) => Ok(ctx.table.push(UdpSocket { fd, family, remote: None })?),
                Err(e) => Err(ErrorCode::from(e)),
            },))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.bind",
        move |mut s: StoreContextMut<'_, T>, (u, addr): (Udp, IpSocketAddress)| {
            Ok((with(&mut s, get, &u, |sock, policy| {
                let addr = SocketAddr::from(addr);
                if sock.is_bound() {
                    return Err(net::ErrorCode::InvalidState);
                }
                if !sock.family.accepts(addr.ip()) {
                    return Err(net::ErrorCode::InvalidArgument);
                }
                policy.check(addr)?;
                net::bind(&sock.fd, addr, false)
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.connect",
        move |mut s: StoreContextMut<'_, T>, (u, addr): (Udp, IpSocketAddress)| {
            Ok((with(&mut s, get, &u, |sock, policy| {
                let addr = SocketAddr::from(addr);
                check_remote(sock.family, addr)?;
                policy.check(addr)?;
                if !sock.is_bound() {
                    net::bind(&sock.fd, sock.family.unspecified(), false)?;
                }
                net::udp::connect(&sock.fd, Some(addr))?;
                sock.remote = Some(addr);
                Ok(())
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.disconnect",
        move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
            Ok((with(&mut s, get, &u, |sock, _| {
                if sock.remote.is_none() {
                    return Err(net::ErrorCode::InvalidState);
                }
                net::udp::connect(&sock.fd, None)?;
                sock.remote = None;
                Ok(())
            })?,))
        },
    )?;
    i.func_new_concurrent("[method]udp-socket.send", move |mut s, params| {
        let u: Udp = borrowed(&s, params.first())?;
        let Some(Val::List(data)) = params.get(1) else { bail!("expected a list") };
        let data: Vec<u8> = data.iter().map(|v| if let Val::U8(b) = v { *b } else { 0 }).collect();
        let to = match params.get(2) {
            Some(Val::Option(Some(a))) => Some(address(Some(a))?),
            _ => None,
        };
        let r = with(&mut s, get, &u, |sock, policy| {
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
            Err(e) => return Ok(HostCall::Ready(Some(status_val(&Err(e))))),
        };
        let attempt = move || match net::udp::send(&fd, &data, to) {
            Err(Errno::AGAIN) => None,
            r => Some(status_val(&r.map_err(ErrorCode::from))),
        };
        Ok(match attempt() {
            Some(v) => HostCall::Ready(Some(v)),
            None => HostCall::Pending(HostPending::new(None, move |_| Ok(attempt().map(Some)))),
        })
    })?;
    i.func_new_concurrent("[method]udp-socket.receive", move |mut s, params| {
        let u: Udp = borrowed(&s, params.first())?;
        let r = with(&mut s, get, &u, |sock, _| {
            if !sock.is_bound() {
                return Err(net::ErrorCode::InvalidState);
            }
            Ok(sock.fd.clone())
        })?;
        let fd = match r {
            Ok(fd) => fd,
            Err(e) => {
                return Ok(HostCall::Ready(Some(Val::Result(Err(Some(Box::new(code_val(&e))))))));
            }
        };
        let attempt = move || {
            let mut buf = vec![0; MAX_DATAGRAM];
            match net::udp::recv_from(&fd, &mut buf) {
                Err(Errno::AGAIN) => None,
                Err(e) => Some(Val::Result(Err(Some(Box::new(code_val(&e.into())))))),
                Ok((n, from)) => {
                    let from = from.unwrap_or_else(|| {
                        net::peer_addr(&fd).unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)))
                    });
                    let data = Val::List(buf[..n].iter().map(|&b| Val::U8(b)).collect());
                    Some(Val::Result(Ok(Some(Box::new(Val::Tuple(vec![data, addr_val(from)]))))))
                }
            }
        };
        Ok(match attempt() {
            Some(v) => HostCall::Ready(Some(v)),
            None => HostCall::Pending(HostPending::new(None, move |_| Ok(attempt().map(Some)))),
        })
    })?;
    i.func_wrap(
        "[method]udp-socket.get-local-address",
        move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
            Ok((with(&mut s, get, &u, |sock, _| {
                if !sock.is_bound() {
                    return Err(net::ErrorCode::InvalidState);
                }
                Ok(IpSocketAddress::from(net::local_addr(&sock.fd)?))
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.get-remote-address",
        move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
            Ok((with(&mut s, get, &u, |sock, _| match sock.remote {
                Some(r) => Ok(IpSocketAddress::from(r)),
                None => Err(net::ErrorCode::InvalidState),
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.get-address-family",
        move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
            Ok((IpAddressFamily::from(get(s.data_mut()).table.get(&u)?.family),))
        },
    )?;
    macro_rules! option {
        ($name:literal, $ty:ty, |$sock:ident| $get:expr, |$v:ident| $set:expr) => {
            i.func_wrap(
                concat!("[method]udp-socket.get-", $name),
                move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
                    Ok((with(&mut s, get, &u, |$sock, _| -> SockResult<$ty> { $get })?,))
                },
            )?;
            i.func_wrap(
                concat!("[method]udp-socket.set-", $name),
                move |mut s: StoreContextMut<'_, T>, (u, $v): (Udp, $ty)| {
                    Ok((with(&mut s, get, &u, |$sock, _| -> SockResult<()> { $set })?,))
                },
            )?;
        };
    }
    option!("unicast-hop-limit", u8, |sock| net::hop_limit(&sock.fd, sock.family), |v| {
        net::set_hop_limit(&sock.fd, sock.family, v)
    });
    option!("receive-buffer-size", u64, |sock| net::buffer_size(&sock.fd, false), |v| {
        net::set_buffer_size(&sock.fd, v, false)
    });
    option!("send-buffer-size", u64, |sock| net::buffer_size(&sock.fd, true), |v| {
        net::set_buffer_size(&sock.fd, v, true)
    });
    Ok(())
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
