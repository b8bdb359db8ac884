//! Sockets on the host, for every WASI version: the network policy, the
//! socket error codes and how OS errors map to them, address checks, and
//! creating, binding and configuring non-blocking host sockets. TCP
//! operations are in [`tcp`], UDP ones in [`udp`].

pub(crate) mod tcp;
pub(crate) mod udp;
pub(crate) mod wit;

use rustix::io::Errno;
use rustix::net::{AddressFamily, SocketFlags, SocketType, sockopt};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

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

impl NetworkPolicy {
    /// Whether the guest may use `addr` (all or nothing, by policy).
    pub(crate) fn check(&self, _addr: SocketAddr) -> Result<(), ErrorCode> {
        if self.inherit { Ok(()) } else { Err(ErrorCode::AccessDenied) }
    }
}

/// Why a socket operation failed, as `wasi:sockets/network.error-code`
/// names it (WASI 0.1 derives its errno values from OS errors instead).
/// The whole list is kept, as the interface defines it, though the core
/// never produces some codes.
#[allow(dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorCode {
    Unknown,
    AccessDenied,
    NotSupported,
    InvalidArgument,
    OutOfMemory,
    Timeout,
    ConcurrencyConflict,
    NotInProgress,
    WouldBlock,
    InvalidState,
    NewSocketLimit,
    AddressNotBindable,
    AddressInUse,
    RemoteUnreachable,
    ConnectionRefused,
    ConnectionReset,
    ConnectionAborted,
    DatagramTooLarge,
    NameUnresolvable,
    TemporaryResolverFailure,
    PermanentResolverFailure,
}

impl From<Errno> for ErrorCode {
    /// The error code of an OS error (as wasmtime maps them).
    fn from(e: Errno) -> ErrorCode {
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
}

impl ErrorCode {
    /// The error code of an I/O error behind a stream error: its OS error
    /// number `os` if it has one, else its `kind`.
    pub(crate) fn from_io(os: Option<i32>, kind: std::io::ErrorKind) -> ErrorCode {
        use std::io::ErrorKind as K;
        if let Some(n) = os {
            return ErrorCode::from(Errno::from_raw_os_error(n));
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
}

/// A result with a socket error code.
pub(crate) type SockResult<T> = Result<T, ErrorCode>;

/// An IP address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    fn host(self) -> AddressFamily {
        match self {
            Family::Ipv4 => AddressFamily::INET,
            Family::Ipv6 => AddressFamily::INET6,
        }
    }

    /// The unspecified address of the family, port 0 (an unbound socket's
    /// local address).
    pub(crate) fn unspecified(self) -> SocketAddr {
        match self {
            Family::Ipv4 => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
            Family::Ipv6 => SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0),
        }
    }

    /// Whether a socket of this family may use `addr`: IPv4-compatible
    /// (deprecated) and IPv4-mapped addresses are refused on IPv6 sockets.
    pub(crate) fn accepts(self, addr: IpAddr) -> bool {
        match (self, addr) {
            (Family::Ipv4, IpAddr::V4(_)) => true,
            (Family::Ipv6, IpAddr::V6(v6)) => {
                let compatible = matches!(v6.segments(), [0, 0, 0, 0, 0, 0, _, _])
                    && v6 != Ipv6Addr::UNSPECIFIED
                    && v6 != Ipv6Addr::LOCALHOST;
                !compatible && v6.to_ipv4_mapped().is_none()
            }
            _ => false,
        }
    }
}

/// Whether `addr` can be a peer: a specified address and a port.
pub(crate) fn valid_remote(addr: SocketAddr) -> bool {
    !addr.ip().to_canonical().is_unspecified() && addr.port() != 0
}

/// Whether `addr` is neither multicast nor broadcast.
pub(crate) fn valid_unicast(addr: IpAddr) -> bool {
    match addr.to_canonical() {
        IpAddr::V4(v4) => !v4.is_multicast() && !v4.is_broadcast(),
        IpAddr::V6(v6) => !v6.is_multicast(),
    }
}

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

/// The addresses of host `name` (an address is its own), through the
/// host's resolver.
pub(crate) fn resolve(name: &str) -> SockResult<Vec<IpAddr>> {
    match parse_host(name)? {
        Ok(ip) => Ok(vec![ip]),
        Err(domain) => {
            use std::net::ToSocketAddrs;
            match (domain.as_str(), 0).to_socket_addrs() {
                Ok(a) => Ok(a.map(|a| a.ip().to_canonical()).collect()),
                Err(_) => Err(ErrorCode::NameUnresolvable),
            }
        }
    }
}

/// A new non-blocking socket (IPv6 sockets are IPv6 only).
fn new_socket(f: Family, ty: SocketType) -> SockResult<OwnedFd> {
    let fd =
        rustix::net::socket_with(f.host(), ty, SocketFlags::NONBLOCK | SocketFlags::CLOEXEC, None)?;
    if f == Family::Ipv6 {
        sockopt::set_ipv6_v6only(&fd, true)?;
    }
    Ok(fd)
}

/// A new socket for a guest: refused with `access-denied` when the
/// protocol is off or the network is not granted (as wasmtime does).
pub(crate) fn guest_socket(
    protocol_allowed: bool,
    policy: NetworkPolicy,
    f: Family,
    ty: SocketType,
) -> SockResult<Arc<OwnedFd>> {
    if !(protocol_allowed && policy.inherit) {
        return Err(ErrorCode::AccessDenied);
    }
    Ok(Arc::new(new_socket(f, ty)?))
}

/// The address a socket is bound to.
pub(crate) fn local_addr(fd: impl AsFd) -> SockResult<SocketAddr> {
    let a = rustix::net::getsockname(fd)?;
    SocketAddr::try_from(a).map_err(|_| ErrorCode::Unknown)
}

/// The address a socket is connected to (`invalid-state` if none).
pub(crate) fn peer_addr(fd: impl AsFd) -> SockResult<SocketAddr> {
    match rustix::net::getpeername(fd)? {
        Some(a) => SocketAddr::try_from(a).map_err(|_| ErrorCode::Unknown),
        None => Err(ErrorCode::InvalidState),
    }
}

/// Binds a socket to `addr`, allowing the address to be reused when
/// `reuse` (TCP, so a restarted server can bind at once).
pub(crate) fn bind(fd: impl AsFd, addr: SocketAddr, reuse: bool) -> SockResult<()> {
    if reuse {
        let _ = sockopt::set_socket_reuseaddr(&fd, true);
    }
    rustix::net::bind(fd, &addr).map_err(|e| match e {
        Errno::AFNOSUPPORT => ErrorCode::InvalidArgument,
        e => e.into(),
    })
}

/// The unicast hop limit (IPv4's time to live).
pub(crate) fn hop_limit(fd: impl AsFd, f: Family) -> SockResult<u8> {
    match f {
        Family::Ipv4 => u8::try_from(sockopt::ip_ttl(fd)?).map_err(|_| ErrorCode::NotSupported),
        Family::Ipv6 => Ok(sockopt::ipv6_unicast_hops(fd)?),
    }
}

/// Sets the unicast hop limit; 0 is `invalid-argument`.
pub(crate) fn set_hop_limit(fd: impl AsFd, f: Family, v: u8) -> SockResult<()> {
    if v == 0 {
        return Err(ErrorCode::InvalidArgument);
    }
    match f {
        Family::Ipv4 => sockopt::set_ip_ttl(fd, v.into())?,
        Family::Ipv6 => sockopt::set_ipv6_unicast_hops(fd, Some(v))?,
    }
    Ok(())
}

/// The size of the send (`send`) or receive buffer, as set: Linux reports
/// twice the size set (the kernel's bookkeeping).
pub(crate) fn buffer_size(fd: impl AsFd, send: bool) -> SockResult<u64> {
    let v = if send {
        sockopt::socket_send_buffer_size(fd)?
    } else {
        sockopt::socket_recv_buffer_size(fd)?
    };
    Ok((v / 2) as u64)
}

/// Sets the size of the send (`send`) or receive buffer; 0 is
/// `invalid-argument`, sizes past the kernel's limit are capped.
pub(crate) fn set_buffer_size(fd: impl AsFd, v: u64, send: bool) -> SockResult<()> {
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

/// Whether `fd` is readable (or writable) within `timeout` (`None`:
/// forever); errors and hang-ups count as ready, the next call reports them.
pub(crate) fn fd_ready(fd: impl AsFd, write: bool, timeout: Option<Duration>) -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec};
    let flags = if write { PollFlags::OUT } else { PollFlags::IN };
    let mut fds = [PollFd::new(&fd, flags)];
    let ts = timeout.map(|t| Timespec {
        tv_sec: t.as_secs().min(i64::MAX as u64) as _,
        tv_nsec: t.subsec_nanos() as _,
    });
    loop {
        match rustix::event::poll(&mut fds, ts.as_ref()) {
            Ok(n) => return n > 0,
            Err(Errno::INTR) => continue,
            Err(_) => return true,
        }
    }
}
