//! UDP on host sockets: setting the peer, receiving and sending
//! datagrams. Calls interrupted by a signal are retried; other OS errors
//! are returned as they are.

use rustix::io::Errno;
use rustix::net::{RecvFlags, SendFlags};
use std::net::SocketAddr;
use std::os::fd::AsFd;

/// Connects `fd` to `remote` (datagrams then go there and come only from
/// there), or with `None` disconnects it.
pub(crate) fn connect(fd: impl AsFd, remote: Option<SocketAddr>) -> Result<(), Errno> {
    match remote {
        Some(addr) => rustix::net::connect(fd, &addr),
        // An `AFNOSUPPORT` answer is taken as done.
        None => match rustix::net::connect_unspec(fd) {
            Ok(()) | Err(Errno::AFNOSUPPORT) => Ok(()),
            Err(e) => Err(e),
        },
    }
}

/// Receives one datagram into `buf`: its length and sender.
pub(crate) fn recv_from(
    fd: impl AsFd,
    buf: &mut [u8],
) -> Result<(usize, Option<SocketAddr>), Errno> {
    loop {
        match rustix::net::recvfrom(&fd, &mut *buf, RecvFlags::empty()) {
            Ok((_, n, from)) => return Ok((n, from.and_then(|a| SocketAddr::try_from(a).ok()))),
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Sends one datagram to `to`, or with `None` to the connected peer.
pub(crate) fn send(fd: impl AsFd, data: &[u8], to: Option<SocketAddr>) -> Result<(), Errno> {
    let flags = SendFlags::NOSIGNAL;
    loop {
        let r = match to {
            None => rustix::net::send(&fd, data, flags),
            Some(addr) => rustix::net::sendto(&fd, data, flags, &addr),
        };
        match r {
            Ok(_) => return Ok(()),
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e),
        }
    }
}
