//! `wasi:sockets`: `network`, `instance-network`, `ip-name-lookup`, `tcp`,
//! `tcp-create-socket`, `udp` and `udp-create-socket`, on non-blocking host
//! sockets.
//!
//! What a guest may reach is the context's network policy
//! ([`crate::WasiCtxBuilder::inherit_network`] and friends): without the
//! host's network, every address is refused with `access-denied`, as in
//! wasmtime.

use super::GetCtx;
use super::io::{InputStream, IoError, OutputStream, Pollable, TcpShared, fd_ready};
use crate::WasiCtx;
use anyhow::{Result, bail};
use rustix::io::Errno;
use rustix::net::{AddressFamily, SocketFlags, SocketType, sockopt};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use wazi::component::{Linker, Resource};
use wazi::{StoreContextMut, component_enum, component_record, component_variant};

/// Which parts of the network a guest may use.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NetworkPolicy {
    pub tcp: bool,
    pub udp: bool,
    pub ip_name_lookup: bool,
    /// Every address is allowed (otherwise none is).
    pub inherit: bool,
}

impl Default for NetworkPolicy {
    fn default() -> Self {
        NetworkPolicy { tcp: true, udp: true, ip_name_lookup: false, inherit: false }
    }
}

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

component_enum! {
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum ShutdownType { Receive, Send, Both }
}

component_record! {
    pub struct IncomingDatagram { pub data: Vec<u8>, pub remote_address: IpSocketAddress }
}

component_record! {
    pub struct OutgoingDatagram { pub data: Vec<u8>, pub remote_address: Option<IpSocketAddress> }
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

/// The error code of an OS error (as wasmtime maps them).
pub(crate) fn code_of_errno(e: Errno) -> ErrorCode {
    match e {
        Errno::PERM | Errno::ACCESS => ErrorCode::AccessDenied,
        Errno::ADDRINUSE => ErrorCode::AddressInUse,
        Errno::ADDRNOTAVAIL => ErrorCode::AddressNotBindable,
        Errno::TIMEDOUT => ErrorCode::Timeout,
        Errno::CONNREFUSED => ErrorCode::ConnectionRefused,
        Errno::CONNRESET => ErrorCode::ConnectionReset,
        Errno::CONNABORTED => ErrorCode::ConnectionAborted,
        Errno::INVAL => ErrorCode::InvalidArgument,
        Errno::HOSTUNREACH
        | Errno::HOSTDOWN
        | Errno::NETDOWN
        | Errno::NETUNREACH
        | Errno::NONET => ErrorCode::RemoteUnreachable,
        Errno::ISCONN | Errno::NOTCONN | Errno::DESTADDRREQ => ErrorCode::InvalidState,
        Errno::MSGSIZE => ErrorCode::DatagramTooLarge,
        Errno::NOMEM | Errno::NOBUFS => ErrorCode::OutOfMemory,
        Errno::OPNOTSUPP
        | Errno::NOPROTOOPT
        | Errno::PFNOSUPPORT
        | Errno::PROTONOSUPPORT
        | Errno::PROTOTYPE
        | Errno::SOCKTNOSUPPORT
        | Errno::AFNOSUPPORT => ErrorCode::NotSupported,
        Errno::AGAIN => ErrorCode::WouldBlock,
        Errno::INTR => ErrorCode::WouldBlock,
        _ => ErrorCode::Unknown,
    }
}

/// The error code of an I/O error behind a stream error.
pub(crate) fn code_of_io(os: Option<i32>, kind: std::io::ErrorKind) -> ErrorCode {
    use std::io::ErrorKind as K;
    if let Some(n) = os {
        return code_of_errno(Errno::from_raw_os_error(n));
    }
    match kind {
        K::AddrInUse => ErrorCode::AddressInUse,
        K::AddrNotAvailable => ErrorCode::AddressNotBindable,
        K::ConnectionAborted => ErrorCode::ConnectionAborted,
        K::ConnectionRefused => ErrorCode::ConnectionRefused,
        K::ConnectionReset => ErrorCode::ConnectionReset,
        K::Interrupted | K::WouldBlock => ErrorCode::WouldBlock,
        K::InvalidInput => ErrorCode::InvalidArgument,
        K::NotConnected => ErrorCode::InvalidState,
        K::OutOfMemory => ErrorCode::OutOfMemory,
        K::PermissionDenied => ErrorCode::AccessDenied,
        K::TimedOut => ErrorCode::Timeout,
        K::Unsupported => ErrorCode::NotSupported,
        _ => ErrorCode::Unknown,
    }
}

impl From<Errno> for ErrorCode {
    fn from(e: Errno) -> ErrorCode {
        code_of_errno(e)
    }
}

type SockResult<T> = Result<T, ErrorCode>;

fn family_of(f: IpAddressFamily) -> AddressFamily {
    match f {
        IpAddressFamily::Ipv4 => AddressFamily::INET,
        IpAddressFamily::Ipv6 => AddressFamily::INET6,
    }
}

fn unspecified(f: IpAddressFamily) -> SocketAddr {
    match f {
        IpAddressFamily::Ipv4 => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
        IpAddressFamily::Ipv6 => SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0),
    }
}

fn valid_family(addr: IpAddr, f: IpAddressFamily) -> bool {
    match (f, addr) {
        (IpAddressFamily::Ipv4, IpAddr::V4(_)) => true,
        (IpAddressFamily::Ipv6, IpAddr::V6(v6)) => {
            // IPv4-compatible (deprecated) and IPv4-mapped addresses are
            // refused on IPv6 sockets.
            let compatible = matches!(v6.segments(), [0, 0, 0, 0, 0, 0, _, _])
                && v6 != Ipv6Addr::UNSPECIFIED
                && v6 != Ipv6Addr::LOCALHOST;
            !compatible && v6.to_ipv4_mapped().is_none()
        }
        _ => false,
    }
}

fn valid_remote(addr: SocketAddr) -> bool {
    !addr.ip().to_canonical().is_unspecified() && addr.port() != 0
}

fn valid_unicast(addr: IpAddr) -> bool {
    match addr.to_canonical() {
        IpAddr::V4(v4) => !v4.is_multicast() && !v4.is_broadcast(),
        IpAddr::V6(v6) => !v6.is_multicast(),
    }
}

/// A new non-blocking socket.
fn new_socket(f: IpAddressFamily, ty: SocketType) -> SockResult<OwnedFd> {
    let fd = rustix::net::socket_with(
        family_of(f),
        ty,
        SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
        None,
    )?;
    if f == IpAddressFamily::Ipv6 {
        sockopt::set_ipv6_v6only(&fd, true)?;
    }
    Ok(fd)
}

/// A new socket for a guest: refused with `access-denied` when the
/// protocol is off or the network is not granted (as wasmtime does).
fn guest_socket(
    protocol_allowed: bool,
    policy: NetworkPolicy,
    f: IpAddressFamily,
    ty: SocketType,
) -> SockResult<Arc<OwnedFd>> {
    if !(protocol_allowed && policy.inherit) {
        return Err(ErrorCode::AccessDenied);
    }
    Ok(Arc::new(new_socket(f, ty)?))
}

fn local_addr(fd: &OwnedFd) -> SockResult<SocketAddr> {
    let a = rustix::net::getsockname(fd)?;
    SocketAddr::try_from(a).map_err(|_| ErrorCode::Unknown)
}

fn peer_addr(fd: &OwnedFd) -> SockResult<SocketAddr> {
    match rustix::net::getpeername(fd)? {
        Some(a) => SocketAddr::try_from(a).map_err(|_| ErrorCode::Unknown),
        None => Err(ErrorCode::InvalidState),
    }
}

fn bind(fd: &OwnedFd, addr: SocketAddr, reuse: bool) -> SockResult<()> {
    if reuse {
        let _ = sockopt::set_socket_reuseaddr(fd, true);
    }
    rustix::net::bind(fd, &addr).map_err(|e| match e {
        Errno::AFNOSUPPORT => ErrorCode::InvalidArgument,
        e => e.into(),
    })
}

fn hop_limit(fd: &OwnedFd, f: IpAddressFamily) -> SockResult<u8> {
    match f {
        IpAddressFamily::Ipv4 => {
            u8::try_from(sockopt::ip_ttl(fd)?).map_err(|_| ErrorCode::NotSupported)
        }
        IpAddressFamily::Ipv6 => Ok(sockopt::ipv6_unicast_hops(fd)?),
    }
}

fn set_hop_limit(fd: &OwnedFd, f: IpAddressFamily, v: u8) -> SockResult<()> {
    if v == 0 {
        return Err(ErrorCode::InvalidArgument);
    }
    match f {
        IpAddressFamily::Ipv4 => sockopt::set_ip_ttl(fd, v.into())?,
        IpAddressFamily::Ipv6 => sockopt::set_ipv6_unicast_hops(fd, Some(v))?,
    }
    Ok(())
}

/// Linux reports twice the size set (the kernel's bookkeeping).
fn get_buffer_size(v: usize) -> u64 {
    (v / 2) as u64
}

fn set_buffer_size(fd: &OwnedFd, v: u64, send: bool) -> SockResult<()> {
    if v == 0 {
        return Err(ErrorCode::InvalidArgument);
    }
    let v = usize::try_from(v).unwrap_or(usize::MAX).clamp(1, i32::MAX as usize);
    let r = if send {
        sockopt::set_socket_send_buffer_size(fd, v)
    } else {
        sockopt::set_socket_recv_buffer_size(fd, v)
    };
    match r {
        Ok(()) | Err(Errno::NOBUFS) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The resource `wasi:sockets/network.network`.
pub(crate) struct Network;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Bind,
    Connect,
    Listen,
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
    family: IpAddressFamily,
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
                    local_addr(fd).is_ok_and(|a| a != unspecified(self.family))
                }
                _ => true,
            };
        }
        self.bound
    }

    fn connected(fd: Arc<OwnedFd>, family: IpAddressFamily) -> TcpSocket {
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
            None => {
                if !fd_ready(&fd, true, Some(Duration::ZERO)) {
                    return Err(ErrorCode::WouldBlock);
                }
                match sockopt::socket_error(&*fd)? {
                    Ok(()) => Ok(()),
                    Err(e) => Err(ErrorCode::from(e)),
                }
            }
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

/// `wasi:sockets/udp.udp-socket`.
pub(crate) struct UdpSocket {
    fd: Arc<OwnedFd>,
    family: IpAddressFamily,
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
            self.bound = local_addr(&self.fd).is_ok_and(|a| a != unspecified(self.family));
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
    family: IpAddressFamily,
    remote: Option<SocketAddr>,
    permit: usize,
    _socket: Arc<()>,
}

/// `wasi:sockets/ip-name-lookup.resolve-address-stream`.
pub(crate) struct ResolveAddressStream {
    addrs: std::vec::IntoIter<IpAddr>,
}

/// Most datagrams one `receive` or `send` handles (as wasmtime).
const MAX_DATAGRAMS: usize = 16;
const MAX_DATAGRAM_SIZE: usize = u16::MAX as usize;
const MAX_READ: usize = 64 * 1024;

/// A name to look up, or the address it already is.
fn parse_host(name: &str) -> SockResult<Result<IpAddr, String>> {
    if let Ok(v4) = name.parse::<Ipv4Addr>() {
        return Ok(Ok(IpAddr::V4(v4)));
    }
    if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']'))
        && let Ok(v6) = inner.parse::<Ipv6Addr>()
    {
        return Ok(Ok(IpAddr::V6(v6)));
    }
    if let Ok(v6) = name.parse::<Ipv6Addr>() {
        return Ok(Ok(IpAddr::V6(v6)));
    }
    // A domain: the characters a URL host may hold.
    let forbidden = |c: char| c.is_control() || c.is_whitespace() || "#%/:<>?@[\\]^|".contains(c);
    if name.is_empty() || name.chars().any(forbidden) {
        return Err(ErrorCode::InvalidArgument);
    }
    Ok(Err(name.to_ascii_lowercase()))
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
                Ok((err.io.map(|(os, kind)| code_of_io(os, kind)),))
            },
        )?;
    }
    linker
        .instance(&format!("wasi:sockets/instance-network@{v}"))?
        .func_wrap("instance-network", move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).table.push(Network)?,))
        })?;
    name_lookup(linker, get)?;
    tcp(linker, get)?;
    udp(linker, get)?;
    Ok(())
}

fn name_lookup<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let v = super::VERSION;
    let mut i = linker.instance(&format!("wasi:sockets/ip-name-lookup@{v}"))?;
    super::table_resource::<T, ResolveAddressStream>(&mut i, "resolve-address-stream", get)?;
    i.func_wrap(
        "resolve-addresses",
        move |mut s: StoreContextMut<'_, T>, (net, name): (Resource<Network>, String)| {
            let ctx = get(s.data_mut());
            ctx.table.get(&net)?;
            if !ctx.network.ip_name_lookup {
                return Ok((Err(ErrorCode::PermanentResolverFailure),));
            }
            let addrs = match parse_host(&name) {
                Err(e) => return Ok((Err(e),)),
                Ok(Ok(ip)) => vec![ip],
                Ok(Err(domain)) => {
                    use std::net::ToSocketAddrs;
                    match (domain.as_str(), 0).to_socket_addrs() {
                        Ok(a) => a.map(|a| a.ip().to_canonical()).collect(),
                        Err(_) => return Ok((Err(ErrorCode::NameUnresolvable),)),
                    }
                }
            };
            let stream = ResolveAddressStream { addrs: addrs.into_iter() };
            Ok((Ok(ctx.table.push(stream)?),))
        },
    )?;
    i.func_wrap(
        "[method]resolve-address-stream.resolve-next-address",
        move |mut s: StoreContextMut<'_, T>, (st,): (Resource<ResolveAddressStream>,)| {
            let stream = get(s.data_mut()).table.get_mut(&st)?;
            Ok((Ok::<_, ErrorCode>(stream.addrs.next().map(IpAddress::from)),))
        },
    )?;
    i.func_wrap(
        "[method]resolve-address-stream.subscribe",
        move |mut s: StoreContextMut<'_, T>, (st,): (Resource<ResolveAddressStream>,)| {
            let ctx = get(s.data_mut());
            ctx.table.get(&st)?;
            Ok((ctx.table.push_child(Pollable::Ready, &st)?,))
        },
    )?;
    Ok(())
}

type Tcp = Resource<TcpSocket>;

/// Runs `f` on TCP socket `t`; a dead handle traps.
fn with_tcp<T: 'static, R>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    t: &Tcp,
    f: impl FnOnce(&mut TcpSocket, &WasiCtxParts) -> SockResult<R>,
) -> Result<SockResult<R>> {
    let ctx = get(s.data_mut());
    let parts = WasiCtxParts { policy: ctx.network };
    let sock = ctx.table.get_mut(t)?;
    Ok(f(sock, &parts))
}

/// What socket operations need of the context besides the socket.
struct WasiCtxParts {
    policy: NetworkPolicy,
}

impl WasiCtxParts {
    /// Whether the guest may use `addr` (all or nothing, by policy).
    fn check(&self, _addr: SocketAddr) -> SockResult<()> {
        if self.policy.inherit { Ok(()) } else { Err(ErrorCode::AccessDenied) }
    }
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

fn tcp<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let v = super::VERSION;
    linker.instance(&format!("wasi:sockets/tcp-create-socket@{v}"))?.func_wrap(
        "create-tcp-socket",
        move |mut s: StoreContextMut<'_, T>, (family,): (IpAddressFamily,)| {
            let ctx = get(s.data_mut());
            let fd = match guest_socket(ctx.network.tcp, ctx.network, family, SocketType::STREAM) {
                Ok(fd) => fd,
                Err(e) => return Ok((Err(e),)),
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
    let mut i = linker.instance(&format!("wasi:sockets/tcp@{v}"))?;
    super::table_resource::<T, TcpSocket>(&mut i, "tcp-socket", get)?;
    i.func_wrap(
        "[method]tcp-socket.start-bind",
        move |mut s: StoreContextMut<'_, T>,
              (t, net, addr): (Tcp, Resource<Network>, IpSocketAddress)| {
            get(s.data_mut()).table.get(&net)?;
            Ok((with_tcp(&mut s, get, &t, |sock, cx| {
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
                if !valid_unicast(addr.ip()) || !valid_family(addr.ip(), sock.family) {
                    return Err(ErrorCode::InvalidArgument);
                }
                cx.check(addr)?;
                bind(fd, addr, true)?;
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
            Ok((with_tcp(&mut s, get, &t, |sock, cx| {
                if sock.op.is_some() {
                    return Err(ErrorCode::ConcurrencyConflict);
                }
                let TcpState::Default(fd) = &sock.state else {
                    return Err(ErrorCode::InvalidState);
                };
                let addr = SocketAddr::from(addr);
                if !valid_unicast(addr.ip())
                    || !valid_remote(addr)
                    || !valid_family(addr.ip(), sock.family)
                {
                    return Err(ErrorCode::InvalidArgument);
                }
                let fd = fd.clone();
                // A refused address fails the connect, reported by
                // `finish-connect` (as wasmtime checks inside the connect).
                let err = match cx.check(addr) {
                    Err(e) => Some(e),
                    Ok(()) => match rustix::net::connect(&*fd, &addr) {
                        Ok(()) | Err(Errno::INPROGRESS) | Err(Errno::INTR) => None,
                        Err(e) => Some(ErrorCode::from(e)),
                    },
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
            Ok((with_tcp(&mut s, get, &t, |sock, cx| {
                if sock.op.is_some() {
                    return Err(ErrorCode::ConcurrencyConflict);
                }
                if !sock.is_bound() {
                    return Err(ErrorCode::InvalidState);
                }
                let TcpState::Default(fd) = &sock.state else {
                    return Err(ErrorCode::InvalidState);
                };
                cx.check(local_addr(fd)?)?;
                rustix::net::listen(&**fd, sock.backlog)?;
                sock.state = TcpState::Listening(fd.clone());
                sock.op = Some(Op::Listen);
                Ok(())
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.accept",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            let accepted = with_tcp(&mut s, get, &t, |sock, cx| {
                let TcpState::Listening(fd) = &sock.state else {
                    return Err(ErrorCode::InvalidState);
                };
                loop {
                    let (client, addr) = match rustix::net::acceptfrom_with(
                        &**fd,
                        SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
                    ) {
                        Ok(r) => r,
                        Err(Errno::AGAIN) => return Err(ErrorCode::WouldBlock),
                        Err(Errno::INTR) => continue,
                        Err(
                            Errno::CONNRESET
                            | Errno::NETRESET
                            | Errno::HOSTUNREACH
                            | Errno::HOSTDOWN
                            | Errno::NETDOWN
                            | Errno::NETUNREACH
                            | Errno::PROTO
                            | Errno::NOPROTOOPT
                            | Errno::NONET
                            | Errno::OPNOTSUPP,
                        ) => return Err(ErrorCode::ConnectionAborted),
                        Err(e) => return Err(e.into()),
                    };
                    let peer = addr.and_then(|a| SocketAddr::try_from(a).ok());
                    // A client the policy refuses is dropped, and the next one
                    // is taken.
                    if peer.is_some_and(|p| cx.check(p).is_err()) {
                        let _ = sockopt::set_socket_linger(&client, Some(Duration::ZERO));
                        continue;
                    }
                    return Ok(TcpSocket::connected(Arc::new(client), sock.family));
                }
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
                local_addr(sock.fd()?).map(IpSocketAddress::from)
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.remote-address",
        move |mut s: StoreContextMut<'_, T>, (t,): (Tcp,)| {
            Ok((with_tcp(&mut s, get, &t, |sock, _| match &sock.state {
                TcpState::Connected { shared, .. } => {
                    peer_addr(&shared.fd).map(IpSocketAddress::from)
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
            Ok((get(s.data_mut()).table.get(&t)?.family,))
        },
    )?;
    i.func_wrap(
        "[method]tcp-socket.set-listen-backlog-size",
        move |mut s: StoreContextMut<'_, T>, (t, value): (Tcp, u64)| {
            Ok((with_tcp(&mut s, get, &t, |sock, _| {
                if value == 0 {
                    return Err(ErrorCode::InvalidArgument);
                }
                let value = i32::try_from(value).unwrap_or(i32::MAX).max(1);
                match &sock.state {
                    TcpState::Default(_) => {}
                    TcpState::Listening(fd) => {
                        if rustix::net::listen(&**fd, value).is_err() {
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
    tcp_options(&mut i, get)?;
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
                    let _ = rustix::net::shutdown(&*shared.fd, rustix::net::Shutdown::Write);
                }
                Ok(())
            })?,))
        },
    )?;
    Ok(())
}

/// Keep-alive, hop limit and buffer sizes of TCP sockets.
fn tcp_options<T: 'static>(
    i: &mut wazi::component::LinkerInstance<'_, T>,
    get: GetCtx<T>,
) -> Result<()> {
    const NANOS: u64 = 1_000_000_000;
    let clamp_time = |v: u64| v.clamp(NANOS, i16::MAX as u64 * NANOS);
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
    getter!("keep-alive-idle-time", u64, |_sock, fd| {
        Ok(sockopt::tcp_keepidle(&*fd)?.as_nanos().try_into().unwrap_or(u64::MAX))
    });
    setter!("set-keep-alive-idle-time", u64, |_sock, fd, v| {
        if v == 0 {
            return Err(ErrorCode::InvalidArgument);
        }
        Ok(sockopt::set_tcp_keepidle(&*fd, Duration::from_nanos(clamp_time(v)))?)
    });
    getter!("keep-alive-interval", u64, |_sock, fd| {
        Ok(sockopt::tcp_keepintvl(&*fd)?.as_nanos().try_into().unwrap_or(u64::MAX))
    });
    setter!("set-keep-alive-interval", u64, |_sock, fd, v| {
        if v == 0 {
            return Err(ErrorCode::InvalidArgument);
        }
        Ok(sockopt::set_tcp_keepintvl(&*fd, Duration::from_nanos(clamp_time(v)))?)
    });
    getter!("keep-alive-count", u32, |_sock, fd| Ok(sockopt::tcp_keepcnt(&*fd)?));
    setter!("set-keep-alive-count", u32, |_sock, fd, v| {
        if v == 0 {
            return Err(ErrorCode::InvalidArgument);
        }
        Ok(sockopt::set_tcp_keepcnt(&*fd, v.clamp(1, i8::MAX as u32))?)
    });
    getter!("hop-limit", u8, |sock, fd| hop_limit(&fd, sock.family));
    setter!("set-hop-limit", u8, |sock, fd, v| set_hop_limit(&fd, sock.family, v));
    getter!("receive-buffer-size", u64, |_sock, fd| {
        Ok(get_buffer_size(sockopt::socket_recv_buffer_size(&*fd)?))
    });
    setter!("set-receive-buffer-size", u64, |_sock, fd, v| set_buffer_size(&fd, v, false));
    getter!("send-buffer-size", u64, |_sock, fd| {
        Ok(get_buffer_size(sockopt::socket_send_buffer_size(&*fd)?))
    });
    setter!("set-send-buffer-size", u64, |_sock, fd, v| set_buffer_size(&fd, v, true));
    Ok(())
}

type Udp = Resource<UdpSocket>;

fn udp<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let v = super::VERSION;
    linker.instance(&format!("wasi:sockets/udp-create-socket@{v}"))?.func_wrap(
        "create-udp-socket",
        move |mut s: StoreContextMut<'_, T>, (family,): (IpAddressFamily,)| {
            let ctx = get(s.data_mut());
            let fd = match guest_socket(ctx.network.udp, ctx.network, family, SocketType::DGRAM) {
                Ok(fd) => fd,
                Err(e) => return Ok((Err(e),)),
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
    let mut i = linker.instance(&format!("wasi:sockets/udp@{v}"))?;
    super::table_resource::<T, UdpSocket>(&mut i, "udp-socket", get)?;
    super::table_resource::<T, IncomingDatagramStream>(&mut i, "incoming-datagram-stream", get)?;
    super::table_resource::<T, OutgoingDatagramStream>(&mut i, "outgoing-datagram-stream", get)?;
    i.func_wrap(
        "[method]udp-socket.start-bind",
        move |mut s: StoreContextMut<'_, T>,
              (u, net, addr): (Udp, Resource<Network>, IpSocketAddress)| {
            let ctx = get(s.data_mut());
            ctx.table.get(&net)?;
            let policy = WasiCtxParts { policy: ctx.network };
            let sock = ctx.table.get_mut(&u)?;
            let r = (|| {
                if sock.op.is_some() {
                    return Err(ErrorCode::ConcurrencyConflict);
                }
                let addr = SocketAddr::from(addr);
                if sock.is_bound() {
                    return Err(ErrorCode::InvalidState);
                }
                if !valid_family(addr.ip(), sock.family) {
                    return Err(ErrorCode::InvalidArgument);
                }
                policy.check(addr)?;
                bind(&sock.fd, addr, false)?;
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
            let policy = WasiCtxParts { policy: ctx.network };
            let sock = ctx.table.get_mut(&u)?;
            if Arc::strong_count(&sock.streams) > 1 {
                bail!("UDP streams not dropped yet");
            }
            let r = (|| {
                if !sock.is_bound() {
                    return Err(ErrorCode::InvalidState);
                }
                match remote {
                    Some(addr) => {
                        let addr = SocketAddr::from(addr);
                        if !valid_family(addr.ip(), sock.family) || !valid_remote(addr) {
                            return Err(ErrorCode::InvalidArgument);
                        }
                        policy.check(addr)?;
                        let r = rustix::net::connect(&*sock.fd, &addr);
                        sock.remote =
                            peer_addr(&sock.fd).ok().filter(|a| *a != unspecified(sock.family));
                        r?;
                    }
                    None if sock.remote.is_some() => {
                        sock.bound = true;
                        let r = rustix::net::connect_unspec(&*sock.fd);
                        sock.remote =
                            peer_addr(&sock.fd).ok().filter(|a| *a != unspecified(sock.family));
                        match r {
                            Ok(()) | Err(Errno::AFNOSUPPORT) => {}
                            Err(e) => return Err(e.into()),
                        }
                    }
                    None => {}
                }
                Ok(())
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
            Ok((local_addr(&sock.fd).map(IpSocketAddress::from),))
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
            Ok((get(s.data_mut()).table.get(&u)?.family,))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.unicast-hop-limit",
        move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
            let sock = get(s.data_mut()).table.get(&u)?;
            Ok((hop_limit(&sock.fd, sock.family),))
        },
    )?;
    i.func_wrap(
        "[method]udp-socket.set-unicast-hop-limit",
        move |mut s: StoreContextMut<'_, T>, (u, v): (Udp, u8)| {
            let sock = get(s.data_mut()).table.get(&u)?;
            Ok((set_hop_limit(&sock.fd, sock.family, v),))
        },
    )?;
    for (name, send) in [("receive-buffer-size", false), ("send-buffer-size", true)] {
        i.func_wrap(
            &format!("[method]udp-socket.{name}"),
            move |mut s: StoreContextMut<'_, T>, (u,): (Udp,)| {
                let fd = get(s.data_mut()).table.get(&u)?.fd.clone();
                let r = if send {
                    sockopt::socket_send_buffer_size(&*fd)
                } else {
                    sockopt::socket_recv_buffer_size(&*fd)
                };
                Ok((r.map(get_buffer_size).map_err(ErrorCode::from),))
            },
        )?;
        i.func_wrap(
            &format!("[method]udp-socket.set-{name}"),
            move |mut s: StoreContextMut<'_, T>, (u, v): (Udp, u64)| {
                let fd = get(s.data_mut()).table.get(&u)?.fd.clone();
                Ok((set_buffer_size(&fd, v, send),))
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
            let policy = WasiCtxParts { policy: ctx.network };
            let stream = ctx.table.get(&st)?;
            let max = usize::try_from(max).unwrap_or(usize::MAX).min(MAX_DATAGRAMS);
            let mut out = Vec::new();
            if max == 0 {
                return Ok((Ok(out),));
            }
            if !stream.bound && local_addr(&stream.fd).is_err() {
                return Ok((Err(ErrorCode::InvalidState),));
            }
            let mut sum = 0;
            while out.len() < max && sum < MAX_READ {
                let mut buf = vec![0u8; MAX_DATAGRAM_SIZE];
                match rustix::net::recvfrom(
                    &*stream.fd,
                    &mut buf[..],
                    rustix::net::RecvFlags::empty(),
                ) {
                    Ok((_, n, from)) => {
                        let Some(from) = from.and_then(|a| SocketAddr::try_from(a).ok()) else {
                            continue;
                        };
                        if policy.check(from).is_err() {
                            continue;
                        }
                        buf.truncate(n);
                        sum += 1 + n;
                        out.push(IncomingDatagram { data: buf, remote_address: from.into() });
                    }
                    Err(Errno::AGAIN) => break,
                    Err(Errno::INTR) => continue,
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
            let n =
                if fd_ready(&stream.fd, true, Some(Duration::ZERO)) { MAX_DATAGRAMS } else { 0 };
            stream.permit = n;
            Ok((Ok::<_, ErrorCode>(n as u64),))
        },
    )?;
    i.func_wrap(
        "[method]outgoing-datagram-stream.send",
        move |mut s: StoreContextMut<'_, T>,
              (st, datagrams): (Resource<OutgoingDatagramStream>, Vec<OutgoingDatagram>)| {
            let ctx = get(s.data_mut());
            let policy = WasiCtxParts { policy: ctx.network };
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

fn send_datagram(
    stream: &OutgoingDatagramStream,
    policy: &WasiCtxParts,
    d: OutgoingDatagram,
) -> SockResult<()> {
    if d.data.len() > MAX_DATAGRAM_SIZE {
        return Err(ErrorCode::DatagramTooLarge);
    }
    let addr = match d.remote_address.map(SocketAddr::from) {
        Some(addr) => {
            if !valid_remote(addr) || !valid_family(addr.ip(), stream.family) {
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
    let flags = rustix::net::SendFlags::NOSIGNAL;
    loop {
        let r = if stream.remote == Some(addr) {
            rustix::net::send(&*stream.fd, &d.data, flags)
        } else {
            rustix::net::sendto(&*stream.fd, &d.data, flags, &addr)
        };
        match r {
            Ok(_) => return Ok(()),
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}
