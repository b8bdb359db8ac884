//! WASI 0.1's `sock_*` functions on preopened listening sockets and the
//! connections they accept, through the core's TCP operations
//! ([`crate::net::tcp`], which `wasi:sockets` uses too). OS errors become
//! errno values as every other I/O error does.

use super::memory::GuestMemory;
use super::types::*;
use super::{R, flags_arg};
use crate::ctx::WasiCtx;
use crate::descriptors::Descriptor;
use crate::net::tcp;
use rustix::net::{RecvFlags, Shutdown};
use std::io;
use std::net::TcpStream;
use std::sync::Arc;

pub(super) fn sock_accept(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    out: u32,
) -> R<()> {
    flags_arg("sock_accept", "Fdflags", flags, FDFLAGS_ALL as u32)?;
    let flags = flags as u16;
    let t = ctx.descriptors();
    let listener = match t.get(fd)? {
        Descriptor::Listener(l) => l.clone(),
        _ => return Err(Errno::Notsock.into()),
    };
    let nonblock = flags & FDFLAGS_NONBLOCK != 0;
    // A preopened socket is the embedder's grant: every client is admitted.
    let stream = tcp::accept(&*listener, nonblock, |_| true).map_err(io::Error::from)?;
    let stream = Arc::new(TcpStream::from(stream));
    let new_fd = t.push(Descriptor::Stream { stream, nonblock })?;
    m.write_u32(out, new_fd)
}

fn stream_of(ctx: &mut WasiCtx, fd: u32) -> R<Arc<TcpStream>> {
    match ctx.descriptors().get(fd)? {
        Descriptor::Stream { stream, .. } => Ok(stream.clone()),
        _ => Err(Errno::Notsock.into()),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn sock_recv(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    flags: u32,
    out_len: u32,
    out_flags: u32,
) -> R<()> {
    flags_arg("sock_recv", "Riflags", flags, (RIFLAGS_RECV_PEEK | RIFLAGS_RECV_WAITALL) as u32)?;
    let flags = flags as u16;
    let stream = stream_of(ctx, fd)?;
    let (buf, len) = m.first_iovec(iovs, n)?;
    let mut rf = RecvFlags::empty();
    if flags & RIFLAGS_RECV_PEEK != 0 {
        rf |= RecvFlags::PEEK;
    }
    if flags & RIFLAGS_RECV_WAITALL != 0 {
        rf |= RecvFlags::WAITALL;
    }
    let dst = m.bytes_mut(buf, len)?;
    let read = tcp::recv(&*stream, dst, rf, false).map_err(io::Error::from)?;
    m.write_u32(out_len, read as u32)?;
    m.write_u16(out_flags, 0)
}

pub(super) fn sock_send(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    flags: u32,
    out: u32,
) -> R<()> {
    // `siflags` has no flags defined.
    flags_arg("sock_send", "Siflags", flags, 0)?;
    let stream = stream_of(ctx, fd)?;
    let (buf, len) = m.first_iovec(iovs, n)?;
    let written = tcp::send(&*stream, m.bytes(buf, len)?).map_err(io::Error::from)?;
    m.write_u32(out, written as u32)
}

pub(super) fn sock_shutdown(
    ctx: &mut WasiCtx,
    _m: &mut GuestMemory<'_>,
    fd: u32,
    how: u32,
) -> R<()> {
    flags_arg("sock_shutdown", "Sdflags", how, (SDFLAGS_RD | SDFLAGS_WR) as u32)?;
    let how = how as u8;
    let how = match how {
        h if h == SDFLAGS_RD => Shutdown::Read,
        h if h == SDFLAGS_WR => Shutdown::Write,
        h if h == SDFLAGS_RD | SDFLAGS_WR => Shutdown::Both,
        _ => return Err(Errno::Inval.into()),
    };
    let stream = stream_of(ctx, fd)?;
    Ok(tcp::shutdown(&*stream, how).map_err(io::Error::from)?)
}
