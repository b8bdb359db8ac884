//! `poll_oneoff`: waits for clocks and descriptors.

use super::memory::{GuestMemory, offset};
use super::types::*;
use super::{Errno, R};
use crate::ctx::WasiCtx;
use crate::descriptors::Descriptor;
use rustix::event::{PollFd, PollFlags, Timespec};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::{Duration, Instant};

/// What a subscription waits for.
enum Wait {
    /// A deadline.
    Clock(Instant),
    /// Always ready (standard output, writing files).
    Ready,
    /// Ready, but only reported when nothing else is: wasmtime reads files
    /// in the background, so their readiness comes after anything already
    /// ready.
    FileRead,
    /// A host descriptor becoming readable or writable.
    Fd(OwnedFd, bool),
}

struct Sub {
    userdata: u64,
    kind: u8,
    fd: u32,
    wait: Wait,
}

fn read_sub(ctx: &mut WasiCtx, m: &GuestMemory<'_>, at: u32) -> R<Sub> {
    let userdata = m.read_u64(at)?;
    let kind = m.read_u8(offset(at, 8)?)?;
    match kind {
        EVENTTYPE_CLOCK => {
            let id = m.read_u32(offset(at, 16)?)?;
            let timeout = m.read_u64(offset(at, 24)?)?;
            let _precision = m.read_u64(offset(at, 32)?)?;
            let flags = m.read_u16(offset(at, 40)?)?;
            if flags & !SUBCLOCK_ABSTIME != 0 {
                return Err(Errno::Inval.into());
            }
            let absolute = flags & SUBCLOCK_ABSTIME != 0;
            let now = Instant::now();
            let deadline = match (id, absolute) {
                (1, true) => {
                    // Monotonic time is counted from the context's creation.
                    let elapsed = ctx.monotonic_now();
                    now + Duration::from_nanos(timeout.saturating_sub(elapsed))
                }
                (0 | 1, false) => now + Duration::from_nanos(timeout),
                (0, true) => {
                    let wall = super::nanos(ctx.wall_now())?;
                    now + Duration::from_nanos(timeout.saturating_sub(wall))
                }
                _ => return Err(Errno::Inval.into()),
            };
            Ok(Sub { userdata, kind, fd: 0, wait: Wait::Clock(deadline) })
        }
        EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE => {
            let fd = m.read_u32(offset(at, 16)?)?;
            let write = kind == EVENTTYPE_FD_WRITE;
            let wait = match (ctx.descriptors().get(fd)?, write) {
                (Descriptor::File(_), false) => Wait::FileRead,
                (Descriptor::File(_), true) => Wait::Ready,
                (Descriptor::Stdin(s), false) => match s.fd() {
                    Some(h) => Wait::Fd(h.try_clone_to_owned()?, false),
                    None => Wait::Ready,
                },
                (Descriptor::Stdout(s) | Descriptor::Stderr(s), true) => match s.fd() {
                    Some(_) => Wait::Ready,
                    None => Wait::Ready,
                },
                (Descriptor::Listener(l), false) => {
                    Wait::Fd(l.as_fd().try_clone_to_owned()?, false)
                }
                (Descriptor::Stream { stream, .. }, w) => {
                    Wait::Fd(stream.as_fd().try_clone_to_owned()?, w)
                }
                _ => return Err(Errno::Badf.into()),
            };
            Ok(Sub { userdata, kind, fd, wait })
        }
        _ => Err(Errno::Inval.into()),
    }
}

/// Polls `fds` (index, descriptor, for-write) up to `timeout`; returns the
/// indices that are ready.
fn poll_fds(fds: &[(usize, BorrowedFd<'_>, bool)], timeout: Option<Duration>) -> Vec<usize> {
    let mut pfds: Vec<PollFd<'_>> = fds
        .iter()
        .map(|(_, fd, w)| PollFd::new(fd, if *w { PollFlags::OUT } else { PollFlags::IN }))
        .collect();
    let ts = timeout.map(|t| Timespec {
        tv_sec: t.as_secs().min(i64::MAX as u64) as i64,
        tv_nsec: t.subsec_nanos() as _,
    });
    loop {
        match rustix::event::poll(&mut pfds, ts.as_ref()) {
            Err(rustix::io::Errno::INTR) => continue,
            Err(_) => return fds.iter().map(|(i, _, _)| *i).collect(),
            Ok(_) => break,
        }
    }
    fds.iter()
        .zip(&pfds)
        .filter(|(_, p)| !p.revents().is_empty())
        .map(|((i, _, _), _)| *i)
        .collect()
}

pub(super) fn poll_oneoff(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    subs_ptr: u32,
    events_ptr: u32,
    n: u32,
    out: u32,
) -> R<()> {
    if n == 0 {
        // Sleeping forever is not supported (as in wasmtime).
        return Err(Errno::Inval.into());
    }
    // One relative timer is a plain sleep, whatever its clock (as wasmtime).
    if n == 1 {
        let kind = m.read_u8(offset(subs_ptr, 8)?)?;
        let flags = m.read_u16(offset(subs_ptr, 40)?)?;
        if kind == EVENTTYPE_CLOCK && flags & SUBCLOCK_ABSTIME == 0 {
            let userdata = m.read_u64(subs_ptr)?;
            let timeout = m.read_u64(offset(subs_ptr, 24)?)?;
            std::thread::sleep(Duration::from_nanos(timeout));
            m.write_u64(events_ptr, userdata)?;
            m.write_u16(offset(events_ptr, 8)?, Errno::Success as u16)?;
            m.write_u8(offset(events_ptr, 10)?, EVENTTYPE_CLOCK)?;
            m.write_u64(offset(events_ptr, 16)?, 1)?;
            m.write_u16(offset(events_ptr, 24)?, 0)?;
            return m.write_u32(out, 1);
        }
    }
    m.consume_fuel(n, SUBSCRIPTION_SIZE)?;
    m.consume_fuel(n, EVENT_SIZE)?;
    let mut subs = Vec::with_capacity(n.min(1024) as usize);
    for i in 0..n {
        subs.push(read_sub(ctx, m, offset(subs_ptr, i as u64 * SUBSCRIPTION_SIZE as u64)?)?);
    }
    let ready: Vec<usize> = loop {
        let now = Instant::now();
        let mut ready: Vec<usize> = subs
            .iter()
            .enumerate()
            .filter(|(_, s)| match s.wait {
                Wait::Clock(d) => d <= now,
                Wait::Ready => true,
                Wait::Fd(..) | Wait::FileRead => false,
            })
            .map(|(i, _)| i)
            .collect();
        let waiting: Vec<(usize, BorrowedFd<'_>, bool)> = subs
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match &s.wait {
                Wait::Fd(fd, w) => Some((i, fd.as_fd(), *w)),
                _ => None,
            })
            .collect();
        let deadline = subs
            .iter()
            .filter_map(|s| match s.wait {
                Wait::Clock(d) => Some(d),
                _ => None,
            })
            .min();
        let timeout = if ready.is_empty() {
            deadline.map(|d| d.saturating_duration_since(now))
        } else {
            Some(Duration::ZERO)
        };
        let file_reads: Vec<usize> = subs
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s.wait, Wait::FileRead))
            .map(|(i, _)| i)
            .collect();
        if !waiting.is_empty() {
            let t = if file_reads.is_empty() { timeout } else { Some(Duration::ZERO) };
            ready.extend(poll_fds(&waiting, t));
        }
        if ready.is_empty() && !file_reads.is_empty() {
            ready = file_reads;
        }
        if ready.is_empty() && waiting.is_empty() {
            std::thread::sleep(timeout.unwrap_or(Duration::ZERO));
            continue;
        }
        if !ready.is_empty() {
            ready.sort_unstable();
            break ready;
        }
    };
    let mut count = 0u32;
    for i in ready {
        let s = &subs[i];
        let (nbytes, flags) = match s.kind {
            EVENTTYPE_CLOCK => (0, 0),
            EVENTTYPE_FD_READ => match ctx.descriptors().get(s.fd)? {
                Descriptor::File(f) => {
                    let size = f.file.stat()?.size;
                    let hangup = size.saturating_sub(f.position) == 0;
                    (1, if hangup { EVENT_FD_READWRITE_HANGUP } else { 0 })
                }
                _ => (1, 0),
            },
            _ => (1, 0),
        };
        let at = offset(events_ptr, count as u64 * EVENT_SIZE as u64)?;
        m.write_u64(at, s.userdata)?;
        m.write_u16(offset(at, 8)?, Errno::Success as u16)?;
        m.write_u8(offset(at, 10)?, s.kind)?;
        m.write_u64(offset(at, 16)?, nbytes)?;
        m.write_u16(offset(at, 24)?, flags)?;
        count += 1;
    }
    m.write_u32(out, count)
}
