//! `wasi:io`: `error`, `poll` and `streams`.

use crate::WasiCtx;
use crate::net::{fd_ready, tcp};
use anyhow::{Result, bail};
use rustix::io::Errno;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use wazi::StoreContextMut;
use wazi::component::{Linker, Resource};

/// Most bytes a `read` returns at once, and what `check-write` permits.
const MAX_CHUNK: usize = 64 * 1024;

/// `wasi:io/streams.input-stream`.
pub(crate) enum InputStream {
    Stdin,
    /// A file read from a position (`read-via-stream`).
    File {
        file: crate::fs::File,
        pos: u64,
    },
    /// The receiving half of a connected TCP socket.
    Tcp(Arc<TcpShared>),
    /// An incoming HTTP body.
    Http(Arc<crate::http::body::Pipe>),
}

/// `wasi:io/streams.output-stream`.
pub(crate) enum OutputStream {
    Stdout,
    Stderr,
    /// A file written at a position (`write-via-stream`).
    File {
        file: crate::fs::File,
        pos: u64,
    },
    /// A file written at its end (`append-via-stream`).
    Append(crate::fs::File),
    /// The sending half of a connected TCP socket.
    Tcp(Arc<TcpShared>),
    /// An outgoing HTTP body.
    Http(Arc<crate::http::body::Pipe>),
}

/// A connected TCP socket, shared by the socket resource and its streams:
/// a stream that was shut down (or reached its end) reports `closed`.
pub(crate) struct TcpShared {
    pub fd: Arc<OwnedFd>,
    pub read_closed: AtomicBool,
    pub write_closed: AtomicBool,
}

/// `wasi:io/error.error`: what went wrong, for `to-debug-string`, and the
/// filesystem error code it amounts to (`filesystem-error-code`).
pub(crate) struct IoError {
    pub(crate) debug: String,
    pub(crate) code: Option<crate::error::ErrorCode>,
    /// The OS error behind it, for `network-error-code`.
    pub(crate) io: Option<(Option<i32>, std::io::ErrorKind)>,
    /// The HTTP failure behind it, for `http-error-code`.
    pub(crate) http: Option<crate::http::types::ErrorCode>,
}

/// `wasi:io/poll.pollable`: something that becomes ready.
pub(crate) enum Pollable {
    /// Always ready (output streams, which never block).
    Ready,
    /// A file's input stream: ready, but reported by `poll` only when
    /// nothing else in the list is (wasmtime reads files on a worker thread,
    /// so its first pass finds only the others ready; WASI 0.1's
    /// `poll_oneoff` does the same for files).
    FileRead,
    /// Standard input has data or is at its end.
    StdinReadable,
    /// The monotonic clock reaches this many nanoseconds.
    Deadline(u64),
    /// A socket is readable (`write == false`) or writable.
    Fd { fd: Arc<OwnedFd>, write: bool },
}

use super::bindings::wasi::io::streams::StreamError;
use super::bindings::wasi::io::{error, poll, streams};
use crate::ctx::Wasi;

type StreamResult<T> = Result<Result<T, StreamError>>;

/// An I/O failure as a stream error: a broken pipe closes the stream (as
/// wasmtime reports it); anything else is `last-operation-failed`.
fn failed(ctx: &mut WasiCtx, e: std::io::Error) -> Result<StreamError> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Ok(StreamError::Closed);
    }
    let code = Some(crate::error::ErrorCode::from(&e));
    let io = Some((e.raw_os_error(), e.kind()));
    let err = ctx.table.push(IoError { debug: format!("{e:?}"), code, io, http: None })?;
    Ok(StreamError::LastOperationFailed(err))
}

/// A filesystem failure during a stream operation.
fn failed_fs(ctx: &mut WasiCtx, code: crate::error::ErrorCode) -> Result<StreamError> {
    let err = ctx.table.push(IoError {
        debug: format!("{code:?}"),
        code: Some(code),
        io: None,
        http: None,
    })?;
    Ok(StreamError::LastOperationFailed(err))
}

/// An HTTP body failure during a stream operation.
fn failed_http(ctx: &mut WasiCtx, code: crate::http::types::ErrorCode) -> Result<StreamError> {
    let err = ctx.table.push(IoError {
        debug: format!("{code:?}"),
        code: None,
        io: None,
        http: Some(code),
    })?;
    Ok(StreamError::LastOperationFailed(err))
}

/// Most bytes one write may carry: `check-write`'s permit.
fn capacity(ctx: &WasiCtx, s: &OutputStream) -> Option<usize> {
    match s {
        OutputStream::Stdout => ctx.stdout.capacity(),
        OutputStream::Stderr => ctx.stderr.capacity(),
        OutputStream::File { .. } | OutputStream::Append(_) => Some(MAX_CHUNK),
        OutputStream::Tcp(t) => {
            if t.write_closed.load(Ordering::Relaxed) {
                None
            } else if fd_ready(&t.fd, true, Some(Duration::ZERO)) {
                Some(MAX_CHUNK)
            } else {
                Some(0)
            }
        }
        OutputStream::Http(p) => p.guest_capacity(),
    }
}

/// Reads up to `len` bytes: `blocking` waits for data; otherwise an empty
/// list means none is there yet. End of input is `closed`.
fn read(
    ctx: &mut WasiCtx,
    st: &Resource<InputStream>,
    len: u64,
    blocking: bool,
) -> StreamResult<Vec<u8>> {
    let len = (len as usize).min(MAX_CHUNK);
    if len == 0 {
        // A closed socket stream stays closed even for empty reads (as in
        // wasmtime); otherwise nothing to do.
        if let InputStream::Tcp(t) = ctx.table.get(st)?
            && t.read_closed.load(Ordering::Relaxed)
        {
            return Ok(Err(StreamError::Closed));
        }
        return Ok(Ok(Vec::new()));
    }
    let mut buf = vec![0; len];
    match ctx.table.get(st)? {
        InputStream::Stdin => {
            let stdin = ctx.stdin.clone();
            if !blocking && !stdin.ready() {
                return Ok(Ok(Vec::new()));
            }
            match stdin.read(&mut buf) {
                Ok(0) => Ok(Err(StreamError::Closed)),
                Ok(n) => {
                    buf.truncate(n);
                    Ok(Ok(buf))
                }
                Err(e) => Ok(Err(failed(ctx, e)?)),
            }
        }
        InputStream::File { file, pos } => match file.read_at(&mut buf, *pos) {
            Ok(0) => Ok(Err(StreamError::Closed)),
            Ok(n) => {
                buf.truncate(n);
                if let InputStream::File { pos, .. } = ctx.table.get_mut(st)? {
                    *pos += n as u64;
                }
                Ok(Ok(buf))
            }
            Err(code) => Ok(Err(failed_fs(ctx, code)?)),
        },
        InputStream::Tcp(t) => {
            let t = t.clone();
            if t.read_closed.load(Ordering::Relaxed) {
                return Ok(Err(StreamError::Closed));
            }
            // A blocking read waits for data; otherwise `AGAIN` is none yet.
            match tcp::recv(&t.fd, &mut buf, rustix::net::RecvFlags::empty(), blocking) {
                Ok(0) => {
                    t.read_closed.store(true, Ordering::Relaxed);
                    Ok(Err(StreamError::Closed))
                }
                Ok(n) => {
                    buf.truncate(n);
                    Ok(Ok(buf))
                }
                Err(Errno::AGAIN) => Ok(Ok(Vec::new())),
                Err(e) => {
                    t.read_closed.store(true, Ordering::Relaxed);
                    Ok(Err(failed(ctx, e.into())?))
                }
            }
        }
        InputStream::Http(p) => match p.clone().guest_read(len, blocking) {
            Ok(bytes) => Ok(Ok(bytes)),
            Err(crate::http::body::ReadEnd::Closed) => Ok(Err(StreamError::Closed)),
            Err(crate::http::body::ReadEnd::Failed(code)) => Ok(Err(failed_http(ctx, code)?)),
        },
    }
}

/// Writes all of `bytes` to the stream.
fn write(ctx: &mut WasiCtx, st: &Resource<OutputStream>, bytes: &[u8]) -> StreamResult<()> {
    let r = match ctx.table.get(st)? {
        OutputStream::Stdout | OutputStream::Stderr => {
            let out = match ctx.table.get(st)? {
                OutputStream::Stdout => ctx.stdout.clone(),
                _ => ctx.stderr.clone(),
            };
            if out.capacity().is_none() {
                return Ok(Err(StreamError::Closed));
            }
            return match out.write_all(bytes) {
                Ok(()) => Ok(Ok(())),
                Err(e) => Ok(Err(failed(ctx, e)?)),
            };
        }
        OutputStream::File { file, pos } => file.write_all_at(bytes, *pos),
        OutputStream::Http(p) => {
            let p = p.clone();
            return Ok(match p.guest_write_all(bytes) {
                Ok(()) => Ok(()),
                Err(None) => Err(StreamError::Closed),
                Err(Some(code)) => Err(failed_http(ctx, code)?),
            });
        }
        OutputStream::Tcp(t) => {
            let t = t.clone();
            if t.write_closed.load(Ordering::Relaxed) {
                return Ok(Err(StreamError::Closed));
            }
            return match tcp::send_all(&t.fd, bytes) {
                Ok(()) => Ok(Ok(())),
                Err(Errno::PIPE) => {
                    t.write_closed.store(true, Ordering::Relaxed);
                    Ok(Err(StreamError::Closed))
                }
                Err(e) => {
                    t.write_closed.store(true, Ordering::Relaxed);
                    Ok(Err(failed(ctx, e.into())?))
                }
            };
        }
        OutputStream::Append(file) => file.append_all(bytes),
    };
    match r {
        Ok(n) => {
            if let OutputStream::File { pos, .. } = ctx.table.get_mut(st)? {
                *pos += n as u64;
            }
            Ok(Ok(()))
        }
        Err(code) => Ok(Err(failed_fs(ctx, code)?)),
    }
}

/// Waits until standard input or one of `fds` is ready, or `timeout`.
fn wait_any(
    stdin: Option<std::os::fd::BorrowedFd<'static>>,
    fds: &[(Arc<OwnedFd>, bool)],
    timeout: Option<Duration>,
) {
    use rustix::event::{PollFd, PollFlags, Timespec};
    let mut pfds: Vec<PollFd<'_>> = fds
        .iter()
        .map(|(fd, w)| PollFd::new(&**fd, if *w { PollFlags::OUT } else { PollFlags::IN }))
        .collect();
    let stdin_fd;
    if let Some(fd) = stdin {
        stdin_fd = fd;
        pfds.push(PollFd::new(&stdin_fd, PollFlags::IN));
    }
    let ts = timeout.map(|t| Timespec {
        tv_sec: t.as_secs().min(i64::MAX as u64) as _,
        tv_nsec: t.subsec_nanos() as _,
    });
    if pfds.is_empty() {
        if let Some(t) = timeout {
            std::thread::sleep(t);
        }
        return;
    }
    let _ = rustix::event::poll(&mut pfds, ts.as_ref());
}

/// Whether `p` is ready, waiting up to `timeout` (`None`: forever).
fn ready(ctx: &WasiCtx, p: &Pollable, timeout: Option<Duration>) -> bool {
    match p {
        Pollable::Ready | Pollable::FileRead => true,
        Pollable::Deadline(when) => {
            let now = ctx.monotonic_now();
            if now >= *when {
                return true;
            }
            let left = Duration::from_nanos(when - now);
            match timeout {
                Some(t) if t < left => false,
                _ => {
                    std::thread::sleep(left);
                    true
                }
            }
        }
        Pollable::Fd { fd, write } => fd_ready(fd, *write, timeout),
        Pollable::StdinReadable => match ctx.stdin.fd() {
            Some(fd) => {
                let ms = timeout.map_or(-1, |t| t.as_millis().min(i32::MAX as u128) as i32);
                crate::stdio::fd_ready(fd, ms)
            }
            None => true,
        },
    }
}

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, host: Wasi<T>) -> Result<()> {
    error::add_to_linker(linker, host)?;
    poll::add_to_linker(linker, host)?;
    streams::add_to_linker(linker, host)
}

type In = Resource<InputStream>;
type Out = Resource<OutputStream>;
type S<'a, T> = StoreContextMut<'a, T>;

impl<T: 'static> error::Host<T> for Wasi<T> {
    fn error_to_debug_string(
        &self,
        mut s: StoreContextMut<'_, T>,
        e: Resource<IoError>,
    ) -> Result<String> {
        let get = self.get;
        Ok(get(s.data_mut()).table.get(&e)?.debug.clone())
    }
}

impl<T: 'static> poll::Host<T> for Wasi<T> {
    fn pollable_ready(&self, mut s: StoreContextMut<'_, T>, p: Resource<Pollable>) -> Result<bool> {
        let get = self.get;
        let ctx = get(s.data_mut());
        Ok(ready(ctx, ctx.table.get(&p)?, Some(Duration::ZERO)))
    }

    fn pollable_block(&self, mut s: StoreContextMut<'_, T>, p: Resource<Pollable>) -> Result<()> {
        let get = self.get;
        let ctx = get(s.data_mut());
        ready(ctx, ctx.table.get(&p)?, None);
        Ok(())
    }

    fn poll(
        &self,
        mut s: StoreContextMut<'_, T>,
        list: Vec<Resource<Pollable>>,
    ) -> Result<Vec<u32>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        if list.is_empty() {
            bail!("empty poll list");
        }
        if list.len() > u32::MAX as usize {
            bail!("poll list too long");
        }
        loop {
            let mut out = Vec::new();
            let mut file_reads = Vec::new();
            for (k, p) in list.iter().enumerate() {
                match ctx.table.get(p)? {
                    Pollable::FileRead => file_reads.push(k as u32),
                    p if ready(ctx, p, Some(Duration::ZERO)) => out.push(k as u32),
                    _ => {}
                }
            }
            if out.is_empty() {
                out = file_reads;
            }
            if !out.is_empty() {
                return Ok(out);
            }
            // Nothing is ready: wait for the first that can be —
            // a descriptor or the nearest deadline.
            let mut deadline = None;
            let mut fds: Vec<(Arc<OwnedFd>, bool)> = Vec::new();
            let mut stdin = None;
            for p in &list {
                match ctx.table.get(p)? {
                    Pollable::Deadline(w) => {
                        deadline = Some(deadline.map_or(*w, |d: u64| d.min(*w)))
                    }
                    Pollable::StdinReadable => stdin = ctx.stdin.fd(),
                    Pollable::Fd { fd, write } => fds.push((fd.clone(), *write)),
                    Pollable::Ready | Pollable::FileRead => {}
                }
            }
            let wait =
                deadline.map(|d| Duration::from_nanos(d.saturating_sub(ctx.monotonic_now())));
            wait_any(stdin, &fds, wait);
        }
    }
}

impl<T: 'static> streams::Host<T> for Wasi<T> {
    // Dropping a socket's stream shuts that direction down, so the peer
    // sees the end of the data.
    fn input_stream_drop(&self, mut s: S<'_, T>, it: In) -> Result<()> {
        if let InputStream::Tcp(t) = self.ctx(&mut s).table.delete(it)? {
            t.read_closed.store(true, Ordering::Relaxed);
            let _ = tcp::shutdown(&t.fd, rustix::net::Shutdown::Read);
        }
        Ok(())
    }

    fn output_stream_drop(&self, mut s: S<'_, T>, it: Out) -> Result<()> {
        if let OutputStream::Tcp(t) = self.ctx(&mut s).table.delete(it)? {
            t.write_closed.store(true, Ordering::Relaxed);
            let _ = tcp::shutdown(&t.fd, rustix::net::Shutdown::Write);
        }
        Ok(())
    }

    fn input_stream_read(&self, mut s: S<'_, T>, st: In, len: u64) -> StreamResult<Vec<u8>> {
        read(self.ctx(&mut s), &st, len, false)
    }

    fn input_stream_blocking_read(
        &self,
        mut s: S<'_, T>,
        st: In,
        len: u64,
    ) -> StreamResult<Vec<u8>> {
        read(self.ctx(&mut s), &st, len, true)
    }

    fn input_stream_skip(&self, mut s: S<'_, T>, st: In, len: u64) -> StreamResult<u64> {
        Ok(read(self.ctx(&mut s), &st, len, false)?.map(|b| b.len() as u64))
    }

    fn input_stream_blocking_skip(&self, mut s: S<'_, T>, st: In, len: u64) -> StreamResult<u64> {
        Ok(read(self.ctx(&mut s), &st, len, true)?.map(|b| b.len() as u64))
    }

    fn output_stream_flush(&self, mut s: S<'_, T>, st: Out) -> StreamResult<()> {
        flush(self.ctx(&mut s), &st)
    }

    fn output_stream_blocking_flush(&self, mut s: S<'_, T>, st: Out) -> StreamResult<()> {
        flush(self.ctx(&mut s), &st)
    }

    fn output_stream_splice(
        &self,
        mut s: S<'_, T>,
        dst: Out,
        src: In,
        len: u64,
    ) -> StreamResult<u64> {
        splice(self.ctx(&mut s), &dst, &src, len, false)
    }

    fn output_stream_blocking_splice(
        &self,
        mut s: S<'_, T>,
        dst: Out,
        src: In,
        len: u64,
    ) -> StreamResult<u64> {
        splice(self.ctx(&mut s), &dst, &src, len, true)
    }

    fn input_stream_subscribe(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Resource<InputStream>,
    ) -> Result<wazi::component::Resource<crate::p2::io::Pollable>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        let p = match ctx.table.get(&st)? {
            InputStream::Stdin => Pollable::StdinReadable,
            InputStream::File { .. } => Pollable::FileRead,
            InputStream::Tcp(t) if !t.read_closed.load(Ordering::Relaxed) => {
                Pollable::Fd { fd: t.fd.clone(), write: false }
            }
            InputStream::Tcp(_) => Pollable::Ready,
            InputStream::Http(p) => Pollable::Fd { fd: p.ready_fd()?, write: false },
        };
        Ok(ctx.table.push_child(p, &st)?)
    }

    fn output_stream_check_write(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Resource<OutputStream>,
    ) -> Result<Result<u64, StreamError>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        Ok(match capacity(ctx, ctx.table.get(&st)?) {
            Some(n) => Ok(n as u64),
            None => Err(StreamError::Closed),
        })
    }

    fn output_stream_write(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Resource<OutputStream>,
        bytes: Vec<u8>,
    ) -> Result<Result<(), StreamError>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        // A body with no room (check-write said 0), or a write past the
        // permit, traps, as in wasmtime.
        if let OutputStream::Http(p) = ctx.table.get(&st)?
            && (p.guest_capacity() == Some(0) || bytes.len() > p.permit)
        {
            bail!("write exceeded budget");
        }
        write(ctx, &st, &bytes)
    }

    fn output_stream_blocking_write_and_flush(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Resource<OutputStream>,
        bytes: Vec<u8>,
    ) -> Result<Result<(), StreamError>> {
        let get = self.get;
        if bytes.len() > 4096 {
            bail!("Buffer too large for blocking-write-and-flush (expected at most 4096)");
        }
        write(get(s.data_mut()), &st, &bytes)
    }

    fn output_stream_write_zeroes(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Resource<OutputStream>,
        len: u64,
    ) -> Result<Result<(), StreamError>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        // Like `write`, no more than `check-write` allows (wasmtime traps).
        match capacity(ctx, ctx.table.get(&st)?) {
            None => return Ok(Err(StreamError::Closed)),
            Some(n) if len > n as u64 => {
                bail!("cannot write more zeroes than `check_write` allows")
            }
            Some(_) => {}
        }
        write(ctx, &st, &vec![0; len as usize])
    }

    fn output_stream_blocking_write_zeroes_and_flush(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Resource<OutputStream>,
        len: u64,
    ) -> Result<Result<(), StreamError>> {
        let get = self.get;
        if len > 4096 {
            bail!("Buffer too large for blocking-write-zeroes-and-flush (expected at most 4096)");
        }
        write(get(s.data_mut()), &st, &vec![0; len as usize])
    }

    fn output_stream_subscribe(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Resource<OutputStream>,
    ) -> Result<wazi::component::Resource<crate::p2::io::Pollable>> {
        let get = self.get;
        let ctx = get(s.data_mut());
        let p = match ctx.table.get(&st)? {
            OutputStream::Tcp(t) if !t.write_closed.load(Ordering::Relaxed) => {
                Pollable::Fd { fd: t.fd.clone(), write: true }
            }
            OutputStream::Http(p) => Pollable::Fd { fd: p.ready_fd()?, write: false },
            _ => Pollable::Ready,
        };
        Ok(ctx.table.push_child(p, &st)?)
    }
}

/// `flush`: writes reach the host stream as they are made.
fn flush(ctx: &mut WasiCtx, st: &Out) -> StreamResult<()> {
    Ok(match capacity(ctx, ctx.table.get(st)?) {
        Some(_) => Ok(()),
        None => Err(StreamError::Closed),
    })
}

/// `splice`: what `src` gives, up to what `dst` takes.
fn splice(ctx: &mut WasiCtx, dst: &Out, src: &In, len: u64, blocking: bool) -> StreamResult<u64> {
    let Some(permit) = capacity(ctx, ctx.table.get(dst)?) else {
        return Ok(Err(StreamError::Closed));
    };
    let bytes = match read(ctx, src, len.min(permit as u64), blocking)? {
        Ok(b) => b,
        Err(e) => return Ok(Err(e)),
    };
    Ok(write(ctx, dst, &bytes)?.map(|()| bytes.len() as u64))
}
