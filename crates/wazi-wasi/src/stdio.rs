//! Standard input, output and error: the host's own (inherited), in-memory
//! pipes (for embedders and tests), or nothing.

use std::collections::VecDeque;
use std::io::{self, IsTerminal};
use std::os::fd::BorrowedFd;
use std::sync::{Arc, Mutex};

/// Where a guest's standard input comes from.
#[derive(Clone, Default)]
pub enum Stdin {
    /// Nothing: reads see end of file.
    #[default]
    Empty,
    /// The host process's standard input.
    Inherit,
    /// Bytes given by the embedder.
    Memory(MemoryInputPipe),
}

/// Where a guest's standard output or error goes.
#[derive(Clone, Default)]
pub enum Stdout {
    /// Nowhere: writes succeed and are dropped.
    #[default]
    Discard,
    /// The host process's standard output (fd 1).
    InheritStdout,
    /// The host process's standard error (fd 2).
    InheritStderr,
    /// A buffer the embedder can read.
    Memory(MemoryOutputPipe),
    /// Another output, with a prefix at the start of every line (as
    /// `wazi serve` marks each instance's output).
    Prefixed(PrefixedOutput),
}

/// An output whose lines all begin with a prefix.
#[derive(Clone)]
pub struct PrefixedOutput {
    inner: Box<Stdout>,
    prefix: Arc<str>,
    at_line_start: Arc<Mutex<bool>>,
}

impl Stdout {
    /// `inner` with `prefix` written before the first byte of every line.
    pub fn prefixed(inner: Stdout, prefix: impl Into<String>) -> Stdout {
        Stdout::Prefixed(PrefixedOutput {
            inner: Box::new(inner),
            prefix: prefix.into().into(),
            at_line_start: Arc::new(Mutex::new(true)),
        })
    }
}

/// Bytes an embedder provides as a guest's input.
#[derive(Clone, Default)]
pub struct MemoryInputPipe {
    data: Arc<Mutex<VecDeque<u8>>>,
}

impl MemoryInputPipe {
    /// A pipe the guest reads `bytes` from, then end of input.
    pub fn new(bytes: impl Into<Vec<u8>>) -> MemoryInputPipe {
        MemoryInputPipe { data: Arc::new(Mutex::new(bytes.into().into())) }
    }
}

/// A buffer collecting a guest's output, up to a capacity.
#[derive(Clone)]
pub struct MemoryOutputPipe {
    data: Arc<Mutex<Vec<u8>>>,
    capacity: usize,
}

impl MemoryOutputPipe {
    /// A pipe that accepts up to `capacity` bytes (more is a write error).
    pub fn new(capacity: usize) -> MemoryOutputPipe {
        MemoryOutputPipe { data: Arc::new(Mutex::new(Vec::new())), capacity }
    }

    /// Everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.data.lock().unwrap().clone()
    }
}

fn host_fd(which: i32) -> BorrowedFd<'static> {
    match which {
        0 => rustix::stdio::stdin(),
        1 => rustix::stdio::stdout(),
        _ => rustix::stdio::stderr(),
    }
}

/// Reads from a host descriptor, retrying interrupted calls.
fn read_fd(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match rustix::io::read(fd, &mut *buf) {
            Err(rustix::io::Errno::INTR) => continue,
            other => return other.map_err(io::Error::from),
        }
    }
}

/// Writes all of `buf` to a host descriptor.
fn write_fd(fd: BorrowedFd<'_>, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        match rustix::io::write(fd, buf) {
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => buf = &buf[n..],
        }
    }
    Ok(())
}

impl Stdin {
    /// Reads up to `buf.len()` bytes; 0 at end of input.
    pub(crate) fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stdin::Empty => Ok(0),
            Stdin::Inherit => read_fd(host_fd(0), buf),
            Stdin::Memory(p) => {
                let mut data = p.data.lock().unwrap();
                let n = buf.len().min(data.len());
                for (dst, src) in buf.iter_mut().zip(data.drain(..n)) {
                    *dst = src;
                }
                Ok(n)
            }
        }
    }

    pub(crate) fn is_terminal(&self) -> bool {
        matches!(self, Stdin::Inherit) && io::stdin().is_terminal()
    }

    /// Whether a read would return without blocking (data or end of
    /// input is there).
    pub(crate) fn ready(&self) -> bool {
        match self {
            Stdin::Inherit => fd_ready(host_fd(0), 0),
            _ => true,
        }
    }

    /// The host descriptor, if reads go to one.
    pub(crate) fn fd(&self) -> Option<BorrowedFd<'static>> {
        matches!(self, Stdin::Inherit).then(|| host_fd(0))
    }
}

/// Whether `fd` is readable (or at end of file / in error) within
/// `timeout_ms` milliseconds.
pub(crate) fn fd_ready(fd: BorrowedFd<'_>, timeout_ms: i32) -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec};
    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
    let timeout = Timespec {
        tv_sec: (timeout_ms / 1000) as _,
        tv_nsec: ((timeout_ms % 1000) * 1_000_000) as _,
    };
    let timeout = (timeout_ms >= 0).then_some(&timeout);
    match rustix::event::poll(&mut fds, timeout) {
        Ok(n) => n > 0,
        // A descriptor poll refuses reads anyway: let the read report it.
        Err(_) => true,
    }
}

impl Stdout {
    /// Bytes the stream accepts now; `None` once a memory pipe is full.
    pub(crate) fn capacity(&self) -> Option<usize> {
        match self {
            Stdout::Memory(p) => {
                let used = p.data.lock().unwrap().len();
                (used < p.capacity).then(|| p.capacity - used)
            }
            Stdout::Prefixed(p) => p.inner.capacity(),
            _ => Some(64 * 1024),
        }
    }

    /// Writes all of `buf` and flushes it.
    pub(crate) fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        match self {
            Stdout::Discard => Ok(()),
            Stdout::InheritStdout => write_fd(host_fd(1), buf),
            Stdout::InheritStderr => write_fd(host_fd(2), buf),
            Stdout::Memory(p) => {
                let mut data = p.data.lock().unwrap();
                if data.len() + buf.len() > p.capacity {
                    return Err(io::Error::new(io::ErrorKind::StorageFull, "output pipe is full"));
                }
                data.extend_from_slice(buf);
                Ok(())
            }
            Stdout::Prefixed(p) => {
                let mut at_start = p.at_line_start.lock().unwrap_or_else(|e| e.into_inner());
                let mut out = Vec::with_capacity(buf.len() + p.prefix.len());
                for line in buf.split_inclusive(|b| *b == b'\n') {
                    if *at_start {
                        out.extend_from_slice(p.prefix.as_bytes());
                    }
                    out.extend_from_slice(line);
                    *at_start = line.ends_with(b"\n");
                }
                p.inner.write_all(&out)
            }
        }
    }

    pub(crate) fn is_terminal(&self) -> bool {
        match self {
            Stdout::InheritStdout => io::stdout().is_terminal(),
            Stdout::InheritStderr => io::stderr().is_terminal(),
            _ => false,
        }
    }

    /// The host descriptor, if writes go to one.
    pub(crate) fn fd(&self) -> Option<BorrowedFd<'static>> {
        match self {
            Stdout::InheritStdout => Some(host_fd(1)),
            Stdout::InheritStderr => Some(host_fd(2)),
            _ => None,
        }
    }
}
