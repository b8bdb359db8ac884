//! TCP on host sockets: connecting, listening, accepting, receiving,
//! sending and shutting down, for WASI 0.1's preopened sockets and WASI
//! 0.2's `wasi:sockets/tcp` alike. Calls interrupted by a signal are
//! retried; other OS errors are returned as they are, for each surface to
//! map.

use super::fd_ready;
use rustix::io::Errno;
use rustix::net::{RecvFlags, SendFlags, Shutdown, SocketFlags, sockopt};
use std::net::SocketAddr;
use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;

/// Starts connecting non-blocking socket `fd` to `addr`: `Ok` once the
/// connect is under way (or done).
pub(crate) fn connect(fd: impl AsFd, addr: SocketAddr) -> Result<(), Errno> {
    match rustix::net::connect(fd, &addr) {
        Ok(()) | Err(Errno::INPROGRESS) | Err(Errno::INTR) => Ok(()),
        Err(e) => Err(e),
    }
}

/// How a connect started by [`connect`] ended: `None` while it is still
/// under way, else its result (the outer error: the socket could not be
/// asked).
pub(crate) fn connect_outcome(fd: impl AsFd) -> Result<Option<Result<(), Errno>>, Errno> {
    if !fd_ready(&fd, true, Some(Duration::ZERO)) {
        return Ok(None);
    }
    Ok(Some(sockopt::socket_error(fd)?))
}

/// Listens on bound socket `fd` with room for `backlog` pending
/// connections (also how a listening socket's backlog is changed).
pub(crate) fn listen(fd: impl AsFd, backlog: i32) -> Result<(), Errno> {
    rustix::net::listen(fd, backlog)
}

/// Accepts a connection on listening socket `fd`; the new socket is
/// non-blocking if `nonblock`. A client whose address `admit` refuses is
/// reset and the next one taken. A listener with no client waiting
/// returns `AGAIN` if it is non-blocking.
pub(crate) fn accept(
    fd: impl AsFd,
    nonblock: bool,
    admit: impl Fn(SocketAddr) -> bool,
) -> Result<OwnedFd, Errno> {
    let mut flags = SocketFlags::CLOEXEC;
    if nonblock {
        flags |= SocketFlags::NONBLOCK;
    }
    loop {
        let (client, addr) = match rustix::net::acceptfrom_with(&fd, flags) {
            Ok(r) => r,
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e),
        };
        let peer = addr.and_then(|a| SocketAddr::try_from(a).ok());
        if peer.is_some_and(|p| !admit(p)) {
            let _ = sockopt::set_socket_linger(&client, Some(Duration::ZERO));
            continue;
        }
        return Ok(client);
    }
}

/// Receives into `buf` from connected socket `fd`: the number of bytes
/// read, 0 at the end of the stream. With `wait`, a non-blocking socket
/// with nothing to read is waited on instead of returning `AGAIN`.
pub(crate) fn recv(
    fd: impl AsFd,
    buf: &mut [u8],
    flags: RecvFlags,
    wait: bool,
) -> Result<usize, Errno> {
    loop {
        match rustix::net::recv(&fd, &mut *buf, flags) {
            Ok((n, _)) => return Ok(n),
            Err(Errno::INTR) => continue,
            Err(Errno::AGAIN) if wait => {
                fd_ready(&fd, false, None);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Sends what one call takes of `bytes` on connected socket `fd` (a
/// closed peer is `PIPE`, never a signal): the number of bytes sent.
pub(crate) fn send(fd: impl AsFd, bytes: &[u8]) -> Result<usize, Errno> {
    loop {
        match rustix::net::send(&fd, bytes, SendFlags::NOSIGNAL) {
            Err(Errno::INTR) => continue,
            r => return r,
        }
    }
}

/// Sends all of `bytes`, waiting whenever a non-blocking socket is full.
pub(crate) fn send_all(fd: impl AsFd, bytes: &[u8]) -> Result<(), Errno> {
    let mut done = 0;
    while done < bytes.len() {
        match send(&fd, &bytes[done..]) {
            Ok(n) => done += n,
            Err(Errno::AGAIN) => {
                fd_ready(&fd, true, None);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Shuts down the receiving side, the sending side, or both.
pub(crate) fn shutdown(fd: impl AsFd, how: Shutdown) -> Result<(), Errno> {
    rustix::net::shutdown(fd, how)
}

/// Makes `fd` blocking or not (WASI 0.1's `FDFLAGS_NONBLOCK`).
pub(crate) fn set_nonblocking(fd: impl AsFd, nonblock: bool) -> Result<(), Errno> {
    rustix::io::ioctl_fionbio(fd, nonblock)
}

/// Which keep-alive time a guest reads or sets.
#[derive(Clone, Copy)]
pub(crate) enum KeepAliveTime {
    Idle,
    Interval,
}

/// A keep-alive time, in nanoseconds.
pub(crate) fn keepalive_time(fd: impl AsFd, which: KeepAliveTime) -> super::SockResult<u64> {
    let d = match which {
        KeepAliveTime::Idle => sockopt::tcp_keepidle(fd)?,
        KeepAliveTime::Interval => sockopt::tcp_keepintvl(fd)?,
    };
    Ok(d.as_nanos().try_into().unwrap_or(u64::MAX))
}

/// Sets a keep-alive time of `nanos` nanoseconds, clamped to what the
/// host takes (1 s to `i16::MAX` s, as wasmtime clamps it); 0 is invalid.
pub(crate) fn set_keepalive_time(
    fd: impl AsFd,
    which: KeepAliveTime,
    nanos: u64,
) -> super::SockResult<()> {
    const NANOS: u64 = 1_000_000_000;
    if nanos == 0 {
        return Err(super::ErrorCode::InvalidArgument);
    }
    let d = Duration::from_nanos(nanos.clamp(NANOS, i16::MAX as u64 * NANOS));
    match which {
        KeepAliveTime::Idle => sockopt::set_tcp_keepidle(fd, d)?,
        KeepAliveTime::Interval => sockopt::set_tcp_keepintvl(fd, d)?,
    }
    Ok(())
}

/// Sets the keep-alive probe count, clamped to what the host takes; 0 is
/// invalid.
pub(crate) fn set_keepalive_count(fd: impl AsFd, n: u32) -> super::SockResult<()> {
    if n == 0 {
        return Err(super::ErrorCode::InvalidArgument);
    }
    Ok(sockopt::set_tcp_keepcnt(fd, n.min(i8::MAX as u32))?)
}

/// A listen backlog a guest asks for, as the host takes it; 0 is invalid.
pub(crate) fn backlog(value: u64) -> super::SockResult<i32> {
    if value == 0 {
        return Err(super::ErrorCode::InvalidArgument);
    }
    Ok(i32::try_from(value).unwrap_or(i32::MAX))
}
