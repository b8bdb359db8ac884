//! WASI 0.1 (`wasi_snapshot_preview1`) on the WASI core.
//!
//! Behaviour follows wasmtime 48 (itself WASI 0.1 on top of 0.2): the same
//! errno in each error case, the same descriptor numbering (the highest
//! freed number is reused first), reads and writes through the first
//! non-empty buffer of an iovec array, and traps for out-of-bounds or
//! misaligned guest pointers. Flags and enum values outside their types'
//! range are `EINVAL`, checked before anything else, as wasmtime's
//! generated bindings do.

mod memory;
mod poll;
mod types;

use crate::ctx::WasiCtx;
use crate::error::{ErrorCode, I32Exit};
use crate::fs::{self, Advice, NewTime, OpenFlags, Opened, Stat};
use crate::stdio::{Stdin, Stdout};
use anyhow::anyhow;
use memory::{GuestMemory, offset};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
pub(crate) use types::Errno;
use types::*;
use wazi::{Caller, Extern, Linker};

/// Why a WASI 0.1 function failed: an errno for the guest, or a trap.
pub(crate) enum Error {
    Errno(Errno),
    Trap(anyhow::Error),
}

impl From<Errno> for Error {
    fn from(e: Errno) -> Error {
        Error::Errno(e)
    }
}

impl From<ErrorCode> for Error {
    fn from(e: ErrorCode) -> Error {
        Error::Errno(e.into())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Errno(ErrorCode::from(e).into())
    }
}

type R<T> = Result<T, Error>;

/// A WASI 0.1 descriptor.
enum Desc {
    Stdin(Stdin),
    Stdout(Stdout),
    Stderr(Stdout),
    Dir {
        dir: fs::Dir,
        /// The name it was preopened under, if it was.
        preopen: Option<String>,
    },
    File(P1File),
    Listener(Arc<TcpListener>),
    Stream {
        stream: Arc<TcpStream>,
        nonblock: bool,
    },
}

struct P1File {
    file: fs::File,
    /// The file position: WASI 0.1 keeps it, reads and writes go through
    /// positioned I/O.
    position: u64,
    append: bool,
    nonblock: bool,
}

/// The descriptor table.
pub(crate) struct Fds {
    used: BTreeMap<u32, Desc>,
    free: BTreeSet<u32>,
}

impl Fds {
    /// Standard streams at 0, 1, 2, then the preopened directories, then
    /// preopened sockets.
    fn new(ctx: &WasiCtx) -> Fds {
        let mut fds = Fds { used: BTreeMap::new(), free: BTreeSet::new() };
        fds.insert(Desc::Stdin(ctx.stdin.clone()));
        fds.insert(Desc::Stdout(ctx.stdout.clone()));
        fds.insert(Desc::Stderr(ctx.stderr.clone()));
        for (dir, name) in &ctx.preopens {
            fds.insert(Desc::Dir { dir: dir.clone(), preopen: Some(name.clone()) });
        }
        for l in &ctx.listeners {
            // As wasmtime did: accept does not block; guests poll first.
            let _ = l.set_nonblocking(true);
            fds.insert(Desc::Listener(l.clone()));
        }
        fds
    }

    fn insert(&mut self, d: Desc) {
        let _ = self.push(d);
    }

    /// Adds a descriptor: the highest freed number if any, else one past the
    /// highest in use.
    fn push(&mut self, d: Desc) -> R<u32> {
        let fd = match self.free.pop_last() {
            Some(fd) => fd,
            None => match self.used.last_key_value() {
                None => 0,
                Some((&last, _)) => match last.checked_add(1) {
                    Some(fd) => fd,
                    None => (0..u32::MAX)
                        .rev()
                        .find(|fd| !self.used.contains_key(fd))
                        .ok_or(Errno::Loop)?,
                },
            },
        };
        self.used.insert(fd, d);
        Ok(fd)
    }

    fn get(&self, fd: u32) -> R<&Desc> {
        self.used.get(&fd).ok_or(Error::Errno(Errno::Badf))
    }

    fn file(&self, fd: u32) -> R<&P1File> {
        match self.used.get(&fd) {
            Some(Desc::File(f)) => Ok(f),
            _ => Err(Errno::Badf.into()),
        }
    }

    fn file_mut(&mut self, fd: u32) -> R<&mut P1File> {
        match self.used.get_mut(&fd) {
            Some(Desc::File(f)) => Ok(f),
            _ => Err(Errno::Badf.into()),
        }
    }

    /// A file that has a position: standard streams are pipes (`ESPIPE`).
    fn seekable(&mut self, fd: u32) -> R<&mut P1File> {
        match self.used.get_mut(&fd) {
            Some(Desc::File(f)) => Ok(f),
            Some(Desc::Stdin(_) | Desc::Stdout(_) | Desc::Stderr(_)) => Err(Errno::Spipe.into()),
            _ => Err(Errno::Badf.into()),
        }
    }

    fn dir(&self, fd: u32) -> R<&fs::Dir> {
        match self.used.get(&fd) {
            Some(Desc::Dir { dir, .. }) => Ok(dir),
            _ => Err(Errno::Badf.into()),
        }
    }
}

fn fds(ctx: &mut WasiCtx) -> &mut Fds {
    if ctx.p1.is_none() {
        ctx.p1 = Some(Fds::new(ctx));
    }
    ctx.p1.as_mut().unwrap()
}

/// Checks a flags argument: bits outside `all` trap, as wasmtime's
/// generated bindings do when converting arguments.
fn flags_arg<T: Into<u64>>(func: &str, ty: &str, v: T, all: T) -> R<()> {
    if v.into() & !all.into() != 0 {
        return Err(invalid_arg(func, ty, "flag"));
    }
    Ok(())
}

/// Checks an enum argument: values past `max` trap.
fn enum_arg(func: &str, ty: &str, v: u32, max: u32) -> R<()> {
    if v > max {
        return Err(invalid_arg(func, ty, "enum"));
    }
    Ok(())
}

fn invalid_arg(func: &str, ty: &str, what: &str) -> Error {
    let msg = format!("Invalid {what} value {ty}");
    Error::Trap(
        anyhow!("{msg}")
            .context(format!("In func wasi_snapshot_preview1::{func} at convert {ty}: {msg}")),
    )
}

/// Nanoseconds in a duration, as WASI 0.1 timestamps.
fn nanos(d: Duration) -> R<u64> {
    d.as_secs()
        .checked_mul(1_000_000_000)
        .and_then(|n| n.checked_add(d.subsec_nanos() as u64))
        .ok_or(Error::Errno(Errno::Overflow))
}

fn filetype(t: fs::FileType) -> u8 {
    match t {
        fs::FileType::RegularFile => FILETYPE_REGULAR_FILE,
        fs::FileType::Directory => FILETYPE_DIRECTORY,
        fs::FileType::BlockDevice => FILETYPE_BLOCK_DEVICE,
        fs::FileType::CharacterDevice => FILETYPE_CHARACTER_DEVICE,
        fs::FileType::SymbolicLink => FILETYPE_SYMBOLIC_LINK,
        fs::FileType::Socket => FILETYPE_SOCKET_STREAM,
        // WASI 0.1 has no code for FIFOs.
        fs::FileType::Fifo | fs::FileType::Unknown => FILETYPE_UNKNOWN,
    }
}

fn tty_filetype(tty: bool) -> u8 {
    if tty { FILETYPE_CHARACTER_DEVICE } else { FILETYPE_UNKNOWN }
}

/// Writes a `filestat` record.
fn write_filestat(m: &mut GuestMemory<'_>, ptr: u32, s: &Stat) -> R<()> {
    let ns = |t: Option<Duration>| nanos(t.unwrap_or_default());
    let (atim, mtim, ctim) = (ns(s.accessed)?, ns(s.modified)?, ns(s.status_changed)?);
    write_filestat_raw(
        m,
        ptr,
        1,
        s.identity,
        filetype(s.file_type),
        s.link_count,
        s.size,
        [atim, mtim, ctim],
    )
}

#[allow(clippy::too_many_arguments)]
fn write_filestat_raw(
    m: &mut GuestMemory<'_>,
    ptr: u32,
    dev: u64,
    ino: u64,
    filetype: u8,
    nlink: u64,
    size: u64,
    times: [u64; 3],
) -> R<()> {
    m.write_u64(ptr, dev)?;
    m.write_u64(offset(ptr, 8)?, ino)?;
    m.write_u8(offset(ptr, 16)?, filetype)?;
    m.write_u64(offset(ptr, 24)?, nlink)?;
    m.write_u64(offset(ptr, 32)?, size)?;
    m.write_u64(offset(ptr, 40)?, times[0])?;
    m.write_u64(offset(ptr, 48)?, times[1])?;
    m.write_u64(offset(ptr, 56)?, times[2])?;
    Ok(())
}

/// The new timestamp for `set_times`: a value, now, or unchanged. Both a
/// value and "now" is `EINVAL`.
fn new_time(set: bool, ts: u64, now: bool) -> R<NewTime> {
    match (set, now) {
        (true, true) => Err(Errno::Inval.into()),
        (true, false) => Ok(NewTime::At(SystemTime::UNIX_EPOCH + Duration::from_nanos(ts))),
        (false, true) => Ok(NewTime::Now),
        (false, false) => Ok(NewTime::NoChange),
    }
}

fn times(func: &str, atim: u64, mtim: u64, fst: u16) -> R<(NewTime, NewTime)> {
    flags_arg(func, "Fstflags", fst, FST_ALL)?;
    Ok((
        new_time(fst & FST_ATIM != 0, atim, fst & FST_ATIM_NOW != 0)?,
        new_time(fst & FST_MTIM != 0, mtim, fst & FST_MTIM_NOW != 0)?,
    ))
}

// ---- arguments, environment, clocks, random -------------------------------

fn args_get(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, argv: u32, buf: u32) -> R<()> {
    write_strings(m, argv, buf, ctx.args.iter().map(|a| vec![a.as_bytes()]))
}

fn args_sizes_get(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, count: u32, size: u32) -> R<()> {
    let n = u32::try_from(ctx.args.len()).map_err(|_| Errno::Overflow)?;
    let len: usize = ctx.args.iter().map(|a| a.len() + 1).sum();
    let len = u32::try_from(len).map_err(|_| Errno::Overflow)?;
    m.write_u32(count, n)?;
    m.write_u32(size, len)
}

fn environ_get(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, env: u32, buf: u32) -> R<()> {
    let pairs = ctx.env.iter().map(|(k, v)| vec![k.as_bytes(), b"=".as_slice(), v.as_bytes()]);
    write_strings(m, env, buf, pairs)
}

fn environ_sizes_get(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, count: u32, size: u32) -> R<()> {
    let n = u32::try_from(ctx.env.len()).map_err(|_| Errno::Overflow)?;
    let len: usize = ctx.env.iter().map(|(k, v)| k.len() + 1 + v.len() + 1).sum();
    let len = u32::try_from(len).map_err(|_| Errno::Overflow)?;
    m.write_u32(count, n)?;
    m.write_u32(size, len)
}

/// Writes NUL-terminated strings (each from parts) to `buf` and pointers to
/// them to `ptrs`.
fn write_strings<'a>(
    m: &mut GuestMemory<'_>,
    mut ptrs: u32,
    mut buf: u32,
    strings: impl Iterator<Item = Vec<&'a [u8]>>,
) -> R<()> {
    for parts in strings {
        m.write_u32(ptrs, buf)?;
        ptrs = offset(ptrs, 4)?;
        for p in parts {
            m.write_bytes(buf, p)?;
            buf = offset(buf, p.len() as u64)?;
        }
        m.write_u8(buf, 0)?;
        buf = offset(buf, 1)?;
    }
    Ok(())
}

/// Clock ids: 0 realtime, 1 monotonic, 2 and 3 the CPU-time clocks.
fn clock_ns(ctx: &WasiCtx, id: u32, resolution: bool) -> R<u64> {
    match id {
        0 if resolution => nanos(ctx.wall_resolution()),
        0 => nanos(ctx.wall_now()),
        1 if resolution => Ok(ctx.monotonic_resolution()),
        1 => Ok(ctx.monotonic_now()),
        // wasmtime has no CPU-time clocks and answers EBADF.
        2 | 3 => Err(Errno::Badf.into()),
        _ => Err(Errno::Inval.into()),
    }
}

fn clock_res_get(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, id: u32, out: u32) -> R<()> {
    enum_arg("clock_res_get", "Clockid", id, 3)?;
    let v = clock_ns(ctx, id, true)?;
    m.write_u64(out, v)
}

fn clock_time_get(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    id: u32,
    _precision: u64,
    out: u32,
) -> R<()> {
    enum_arg("clock_time_get", "Clockid", id, 3)?;
    let v = clock_ns(ctx, id, false)?;
    m.write_u64(out, v)
}

fn random_get(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, buf: u32, len: u32) -> R<()> {
    // wasmtime serves this through WASI 0.2's `get-random-bytes`, and so
    // its size limit (`-S max-random-size`) comes first.
    let max = ctx.limits.max_random_size;
    if u64::from(len) > max {
        let e = anyhow!("requested len {len} exceeds limit {max}");
        return Err(Error::Trap(e.context("failed to call `get-random-bytes`")));
    }
    // Straight into guest memory, checked first: a length past the memory
    // traps without the host allocating it.
    ctx.random_bytes(m.bytes_mut(buf, len)?).map_err(Error::Trap)
}

// ---- descriptors ------------------------------------------------------------

fn fd_advise(
    ctx: &mut WasiCtx,
    _m: &mut GuestMemory<'_>,
    fd: u32,
    off: u64,
    len: u64,
    advice: u32,
) -> R<()> {
    enum_arg("fd_advise", "Advice", advice, 5)?;
    let advice = match advice {
        0 => Advice::Normal,
        1 => Advice::Sequential,
        2 => Advice::Random,
        3 => Advice::WillNeed,
        4 => Advice::DontNeed,
        5 => Advice::NoReuse,
        _ => return Err(Errno::Inval.into()),
    };
    let f = fds(ctx).file(fd)?;
    Ok(f.file.advise(off, len, advice)?)
}

fn fd_allocate(
    ctx: &mut WasiCtx,
    _m: &mut GuestMemory<'_>,
    fd: u32,
    _off: u64,
    _len: u64,
) -> R<()> {
    fds(ctx).file(fd)?;
    Err(Errno::Notsup.into())
}

fn fd_close(ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>, fd: u32) -> R<()> {
    let t = fds(ctx);
    t.used.remove(&fd).ok_or(Errno::Badf)?;
    t.free.insert(fd);
    Ok(())
}

fn fd_datasync(ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>, fd: u32) -> R<()> {
    Ok(fds(ctx).file(fd)?.file.sync(true)?)
}

fn fd_sync(ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>, fd: u32) -> R<()> {
    Ok(fds(ctx).file(fd)?.file.sync(false)?)
}

/// Rights a preopened directory reports (what many libcs expect).
const PREOPEN_RIGHTS: u64 = RIGHT_PATH_CREATE_DIRECTORY
    | RIGHT_PATH_CREATE_FILE
    | RIGHT_PATH_LINK_SOURCE
    | RIGHT_PATH_LINK_TARGET
    | RIGHT_PATH_OPEN
    | RIGHT_FD_READDIR
    | RIGHT_PATH_READLINK
    | RIGHT_PATH_RENAME_SOURCE
    | RIGHT_PATH_RENAME_TARGET
    | RIGHT_PATH_SYMLINK
    | RIGHT_PATH_REMOVE_DIRECTORY
    | RIGHT_PATH_UNLINK_FILE
    | RIGHT_PATH_FILESTAT_GET
    | RIGHT_PATH_FILESTAT_SET_TIMES
    | RIGHT_FD_FILESTAT_GET
    | RIGHT_FD_FILESTAT_SET_TIMES;

const PREOPEN_INHERITING: u64 = PREOPEN_RIGHTS
    | RIGHT_FD_DATASYNC
    | RIGHT_FD_READ
    | RIGHT_FD_SEEK
    | RIGHT_FD_FDSTAT_SET_FLAGS
    | RIGHT_FD_SYNC
    | RIGHT_FD_TELL
    | RIGHT_FD_WRITE
    | RIGHT_FD_ADVISE
    | RIGHT_FD_ALLOCATE
    | RIGHT_FD_FILESTAT_GET
    | RIGHT_FD_FILESTAT_SET_SIZE
    | RIGHT_FD_FILESTAT_SET_TIMES
    | RIGHT_POLL_FD_READWRITE;

fn fd_fdstat_get(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, fd: u32, out: u32) -> R<()> {
    let (filetype, flags, base, inheriting) = match fds(ctx).get(fd)? {
        Desc::Stdin(s) => (tty_filetype(s.is_terminal()), 0, RIGHT_FD_READ, RIGHT_FD_READ),
        Desc::Stdout(s) | Desc::Stderr(s) => {
            (tty_filetype(s.is_terminal()), 0, RIGHT_FD_WRITE, RIGHT_FD_WRITE)
        }
        Desc::Dir { preopen: Some(_), .. } => {
            (FILETYPE_DIRECTORY, 0, PREOPEN_RIGHTS, PREOPEN_INHERITING)
        }
        Desc::Dir { dir, preopen: None } => {
            let mut rights = RIGHTS_ALL
                & !(RIGHT_FD_SEEK | RIGHT_FD_FILESTAT_SET_SIZE | RIGHT_PATH_FILESTAT_SET_SIZE);
            if !dir.read {
                rights &= !(RIGHT_FD_READ | RIGHT_FD_READDIR);
            }
            // A directory's descriptor is never writable as a file.
            rights &= !RIGHT_FD_WRITE;
            (FILETYPE_DIRECTORY, 0, rights, rights)
        }
        Desc::File(f) => {
            let ft = filetype(f.file.stat()?.file_type);
            let mut rights = RIGHTS_ALL;
            if ft == FILETYPE_DIRECTORY {
                rights &=
                    !(RIGHT_FD_SEEK | RIGHT_FD_FILESTAT_SET_SIZE | RIGHT_PATH_FILESTAT_SET_SIZE);
            }
            if !f.file.read {
                rights &= !(RIGHT_FD_READ | RIGHT_FD_READDIR);
            }
            if !f.file.write {
                rights &= !RIGHT_FD_WRITE;
            }
            let mut flags = 0;
            if f.append {
                flags |= FDFLAGS_APPEND;
            }
            if f.nonblock {
                flags |= FDFLAGS_NONBLOCK;
            }
            (ft, flags, rights, rights)
        }
        Desc::Listener(_) => {
            let r = RIGHT_SOCK_ACCEPT | RIGHT_POLL_FD_READWRITE | RIGHT_FD_FDSTAT_SET_FLAGS;
            (FILETYPE_SOCKET_STREAM, FDFLAGS_NONBLOCK, r, r)
        }
        Desc::Stream { nonblock, .. } => {
            let r = RIGHT_FD_READ
                | RIGHT_FD_WRITE
                | RIGHT_POLL_FD_READWRITE
                | RIGHT_SOCK_SHUTDOWN
                | RIGHT_FD_FDSTAT_SET_FLAGS;
            (FILETYPE_SOCKET_STREAM, if *nonblock { FDFLAGS_NONBLOCK } else { 0 }, r, r)
        }
    };
    m.write_u8(out, filetype)?;
    m.write_u16(offset(out, 2)?, flags)?;
    m.write_u64(offset(out, 8)?, base)?;
    m.write_u64(offset(out, 16)?, inheriting)
}

fn fd_fdstat_set_flags(ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>, fd: u32, flags: u32) -> R<()> {
    flags_arg("fd_fdstat_set_flags", "Fdflags", flags, FDFLAGS_ALL as u32)?;
    let flags = flags as u16;
    let t = fds(ctx);
    if let Some(Desc::Stream { stream, nonblock }) = t.used.get_mut(&fd) {
        let nb = flags & FDFLAGS_NONBLOCK != 0;
        stream.set_nonblocking(nb)?;
        *nonblock = nb;
        return Ok(());
    }
    let f = t.file_mut(fd)?;
    if flags & (FDFLAGS_DSYNC | FDFLAGS_SYNC | FDFLAGS_RSYNC) != 0 {
        return Err(Errno::Inval.into());
    }
    f.append = flags & FDFLAGS_APPEND != 0;
    f.nonblock = flags & FDFLAGS_NONBLOCK != 0;
    Ok(())
}

fn fd_fdstat_set_rights(
    ctx: &mut WasiCtx,
    _m: &mut GuestMemory<'_>,
    fd: u32,
    base: u64,
    inh: u64,
) -> R<()> {
    flags_arg("fd_fdstat_set_rights", "Rights", base, RIGHTS_ALL)?;
    flags_arg("fd_fdstat_set_rights", "Rights", inh, RIGHTS_ALL)?;
    match fds(ctx).get(fd)? {
        Desc::File(_) | Desc::Dir { .. } => Err(Errno::Notsup.into()),
        _ => Err(Errno::Badf.into()),
    }
}

fn fd_filestat_get(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, fd: u32, out: u32) -> R<()> {
    let stat = match fds(ctx).get(fd)? {
        Desc::Stdin(s) => Err(tty_filetype(s.is_terminal())),
        Desc::Stdout(s) | Desc::Stderr(s) => Err(tty_filetype(s.is_terminal())),
        Desc::Listener(_) | Desc::Stream { .. } => Err(FILETYPE_SOCKET_STREAM),
        Desc::Dir { dir, .. } => Ok(dir.stat()?),
        Desc::File(f) => Ok(f.file.stat()?),
    };
    match stat {
        Ok(s) => write_filestat(m, out, &s),
        Err(ft) => write_filestat_raw(m, out, 0, 0, ft, 0, 0, [0; 3]),
    }
}

fn fd_filestat_set_size(ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>, fd: u32, size: u64) -> R<()> {
    Ok(fds(ctx).file(fd)?.file.set_size(size)?)
}

fn fd_filestat_set_times(
    ctx: &mut WasiCtx,
    _m: &mut GuestMemory<'_>,
    fd: u32,
    atim: u64,
    mtim: u64,
    fst: u32,
) -> R<()> {
    flags_arg("fd_filestat_set_times", "Fstflags", fst, FST_ALL as u32)?;
    let (a, m) = times("fd_filestat_set_times", atim, mtim, fst as u16)?;
    match fds(ctx).get(fd)? {
        Desc::File(f) => Ok(f.file.set_times(a, m)?),
        Desc::Dir { dir, .. } => Ok(dir.set_times(a, m)?),
        _ => Err(Errno::Badf.into()),
    }
}

fn fd_read(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    out: u32,
) -> R<()> {
    let (buf, len) = m.first_iovec(iovs, n)?;
    let read = match fds(ctx).used.get_mut(&fd) {
        Some(Desc::File(f)) => {
            let dst = m.bytes_mut(buf, len)?;
            let read = f.file.read_at(dst, f.position)?;
            f.position = f.position.checked_add(read as u64).ok_or(Errno::Overflow)?;
            read
        }
        Some(Desc::Stdin(s)) => {
            let s = s.clone();
            s.read(m.bytes_mut(buf, len)?)?
        }
        Some(Desc::Stream { stream, .. }) => {
            let stream = stream.clone();
            (&*stream).read(m.bytes_mut(buf, len)?)?
        }
        _ => return Err(Errno::Badf.into()),
    };
    m.write_u32(out, read as u32)
}

fn fd_pread(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    pos: u64,
    out: u32,
) -> R<()> {
    let (buf, len) = m.first_iovec(iovs, n)?;
    let read = match fds(ctx).get(fd)? {
        Desc::File(f) => {
            if !f.file.read {
                return Err(Errno::Badf.into());
            }
            let file = f.file.clone();
            file.read_at(m.bytes_mut(buf, len)?, pos)?
        }
        Desc::Stdin(_) => return Err(Errno::Spipe.into()),
        _ => return Err(Errno::Badf.into()),
    };
    m.write_u32(out, read as u32)
}

/// Where `fd_write` and `fd_pwrite` write.
#[derive(Clone, Copy)]
enum At {
    Cursor,
    Offset(u64),
}

fn write_impl(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    at: At,
    out: u32,
) -> R<()> {
    let (buf, len) = m.first_iovec(iovs, n)?;
    let written = match fds(ctx).used.get_mut(&fd) {
        Some(Desc::File(f)) => {
            let data = m.bytes(buf, len)?;
            let written = match (f.append, at) {
                // As Linux's pwrite: an offset is ignored in append mode.
                (true, _) => f.file.append(data)?,
                (false, At::Offset(pos)) => f.file.write_at(data, pos)?,
                (false, At::Cursor) => f.file.write_at(data, f.position)?,
            };
            if let At::Cursor = at {
                if f.append {
                    f.position = f.file.stat()?.size;
                } else {
                    f.position = f.position.checked_add(written as u64).ok_or(Errno::Overflow)?;
                }
            }
            written
        }
        Some(Desc::Stdout(s) | Desc::Stderr(s)) => {
            if let At::Offset(_) = at {
                return Err(Errno::Spipe.into());
            }
            let s = s.clone();
            s.write_all(m.bytes(buf, len)?)?;
            len as usize
        }
        Some(Desc::Stream { stream, .. }) => {
            if let At::Offset(_) = at {
                return Err(Errno::Spipe.into());
            }
            let stream = stream.clone();
            (&*stream).write(m.bytes(buf, len)?)?
        }
        _ => return Err(Errno::Badf.into()),
    };
    m.write_u32(out, written as u32)
}

fn fd_write(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    out: u32,
) -> R<()> {
    write_impl(ctx, m, fd, iovs, n, At::Cursor, out)
}

fn fd_pwrite(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    pos: u64,
    out: u32,
) -> R<()> {
    write_impl(ctx, m, fd, iovs, n, At::Offset(pos), out)
}

fn fd_prestat_get(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, fd: u32, out: u32) -> R<()> {
    match fds(ctx).get(fd)? {
        Desc::Dir { preopen: Some(name), .. } => {
            let len = u32::try_from(name.len()).map_err(|_| Errno::Overflow)?;
            m.write_u8(out, 0)?;
            m.write_u32(offset(out, 4)?, len)
        }
        _ => Err(Errno::Badf.into()),
    }
}

fn fd_prestat_dir_name(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    len: u32,
) -> R<()> {
    match fds(ctx).get(fd)? {
        Desc::Dir { preopen: Some(name), .. } => {
            if name.len() > len as usize {
                return Err(Errno::Nametoolong.into());
            }
            let name = name.clone();
            m.write_bytes(path, name.as_bytes())
        }
        _ => Err(Errno::Notdir.into()),
    }
}

fn fd_renumber(ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>, from: u32, to: u32) -> R<()> {
    let t = fds(ctx);
    if !t.used.contains_key(&from) || !t.used.contains_key(&to) {
        return Err(Errno::Badf.into());
    }
    if from == to {
        return Ok(());
    }
    let desc = t.used.remove(&from).unwrap();
    t.free.insert(from);
    t.free.remove(&to);
    t.used.insert(to, desc);
    Ok(())
}

fn fd_seek(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    delta: i64,
    whence: u32,
    out: u32,
) -> R<()> {
    enum_arg("fd_seek", "Whence", whence, 2)?;
    let f = fds(ctx).seekable(fd)?;
    let pos = match whence {
        0 if delta >= 0 => delta as u64,
        0 => return Err(Errno::Inval.into()),
        1 => f.position.checked_add_signed(delta).ok_or(Errno::Inval)?,
        _ => f.file.stat()?.size.checked_add_signed(delta).ok_or(Errno::Inval)?,
    };
    f.position = pos;
    m.write_u64(out, pos)
}

fn fd_tell(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, fd: u32, out: u32) -> R<()> {
    let pos = fds(ctx).seekable(fd)?.position;
    m.write_u64(out, pos)
}

fn fd_readdir(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    buf: u32,
    buf_len: u32,
    cookie: u64,
    out: u32,
) -> R<()> {
    let dir = fds(ctx).dir(fd)?.clone();
    let entries = dir.read_directory()?;
    let dir_ino = dir.stat()?.identity;
    let cookie = usize::try_from(cookie).map_err(|_| Errno::Overflow)?;
    // `.` and `..` first (both with the directory's own inode, as
    // wasmtime), then the entries; each entry's cookie is its position + 1.
    let mut list: Vec<(u64, u8, String)> =
        vec![(dir_ino, FILETYPE_DIRECTORY, ".".into()), (dir_ino, FILETYPE_DIRECTORY, "..".into())];
    for (name, ty) in entries {
        let ino = dir.stat_at(false, &name)?.identity;
        list.push((ino, filetype(ty), name));
    }
    let mut cap = buf_len;
    let mut at = buf;
    for (i, (ino, ty, name)) in list.into_iter().enumerate().skip(cookie) {
        let mut dirent = [0u8; DIRENT_SIZE as usize];
        dirent[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        dirent[8..16].copy_from_slice(&ino.to_le_bytes());
        let namlen = u32::try_from(name.len()).map_err(|_| Errno::Overflow)?;
        dirent[16..20].copy_from_slice(&namlen.to_le_bytes());
        dirent[20] = ty;
        let n = cap.min(DIRENT_SIZE);
        m.write_bytes(at, &dirent[..n as usize])?;
        at = offset(at, n as u64)?;
        cap -= n;
        if cap == 0 {
            return m.write_u32(out, buf_len);
        }
        let name = &name.as_bytes()[..name.len().min(cap as usize)];
        m.write_bytes(at, name)?;
        at = offset(at, name.len() as u64)?;
        cap -= name.len() as u32;
        if cap == 0 {
            return m.write_u32(out, buf_len);
        }
    }
    m.write_u32(out, buf_len - cap)
}

// ---- paths --------------------------------------------------------------------

fn path_create_directory(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    p: u32,
    len: u32,
) -> R<()> {
    let dir = fds(ctx).dir(fd)?.clone();
    Ok(dir.create_directory_at(&m.string(p, len)?)?)
}

fn path_filestat_get(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    p: u32,
    len: u32,
    out: u32,
) -> R<()> {
    flags_arg("path_filestat_get", "Lookupflags", flags, LOOKUP_ALL)?;
    let dir = fds(ctx).dir(fd)?.clone();
    let stat = dir.stat_at(flags & LOOKUP_SYMLINK_FOLLOW != 0, &m.string(p, len)?)?;
    write_filestat(m, out, &stat)
}

#[allow(clippy::too_many_arguments)]
fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    p: u32,
    len: u32,
    atim: u64,
    mtim: u64,
    fst: u32,
) -> R<()> {
    flags_arg("path_filestat_set_times", "Lookupflags", flags, LOOKUP_ALL)?;
    flags_arg("path_filestat_set_times", "Fstflags", fst, FST_ALL as u32)?;
    let (a, mt) = times("path_filestat_set_times", atim, mtim, fst as u16)?;
    let dir = fds(ctx).dir(fd)?.clone();
    Ok(dir.set_times_at(flags & LOOKUP_SYMLINK_FOLLOW != 0, &m.string(p, len)?, a, mt)?)
}

#[allow(clippy::too_many_arguments)]
fn path_link(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    old_fd: u32,
    flags: u32,
    old: u32,
    old_len: u32,
    new_fd: u32,
    new: u32,
    new_len: u32,
) -> R<()> {
    flags_arg("path_link", "Lookupflags", flags, LOOKUP_ALL)?;
    let t = fds(ctx);
    let (src, dst) = (t.dir(old_fd)?.clone(), t.dir(new_fd)?.clone());
    let (old, new) = (m.string(old, old_len)?, m.string(new, new_len)?);
    Ok(src.link_at(flags & LOOKUP_SYMLINK_FOLLOW != 0, &old, &dst, &new)?)
}

#[allow(clippy::too_many_arguments)]
fn path_open(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    dirflags: u32,
    p: u32,
    len: u32,
    oflags: u32,
    base: u64,
    inh: u64,
    fdflags: u32,
    out: u32,
) -> R<()> {
    const F: &str = "path_open";
    flags_arg(F, "Lookupflags", dirflags, LOOKUP_ALL)?;
    flags_arg(F, "Oflags", oflags, OFLAGS_ALL as u32)?;
    flags_arg(F, "Rights", base, RIGHTS_ALL)?;
    flags_arg(F, "Rights", inh, RIGHTS_ALL)?;
    flags_arg(F, "Fdflags", fdflags, FDFLAGS_ALL as u32)?;
    let (oflags, fdflags) = (oflags as u16, fdflags as u16);
    let path = m.string(p, len)?;
    let read = base & RIGHT_FD_READ != 0;
    let write = base & RIGHT_FD_WRITE != 0;
    let sync = fdflags & (FDFLAGS_SYNC | FDFLAGS_DSYNC | FDFLAGS_RSYNC) != 0;
    let t = fds(ctx);
    let dir = match t.get(fd)? {
        Desc::Dir { dir, .. } => dir.clone(),
        Desc::File(_) => return Err(Errno::Notdir.into()),
        _ => return Err(Errno::Badf.into()),
    };
    let oflags = OpenFlags {
        create: oflags & OFLAGS_CREAT != 0,
        directory: oflags & OFLAGS_DIRECTORY != 0,
        exclusive: oflags & OFLAGS_EXCL != 0,
        truncate: oflags & OFLAGS_TRUNC != 0,
    };
    let opened =
        dir.open_at(dirflags & LOOKUP_SYMLINK_FOLLOW != 0, &path, oflags, read, write, sync)?;
    let desc = match opened {
        Opened::Dir(dir) => Desc::Dir { dir, preopen: None },
        Opened::File(file) => Desc::File(P1File {
            file,
            position: 0,
            append: fdflags & FDFLAGS_APPEND != 0,
            nonblock: fdflags & FDFLAGS_NONBLOCK != 0,
        }),
    };
    let new_fd = fds(ctx).push(desc)?;
    m.write_u32(out, new_fd)
}

#[allow(clippy::too_many_arguments)]
fn path_readlink(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    p: u32,
    len: u32,
    buf: u32,
    buf_len: u32,
    out: u32,
) -> R<()> {
    let dir = fds(ctx).dir(fd)?.clone();
    let link = dir.readlink_at(&m.string(p, len)?)?;
    let bytes = &link.as_bytes()[..link.len().min(buf_len as usize)];
    m.write_bytes(buf, bytes)?;
    m.write_u32(out, bytes.len() as u32)
}

fn path_remove_directory(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    p: u32,
    len: u32,
) -> R<()> {
    let dir = fds(ctx).dir(fd)?.clone();
    Ok(dir.remove_directory_at(&m.string(p, len)?)?)
}

#[allow(clippy::too_many_arguments)]
fn path_rename(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    old: u32,
    old_len: u32,
    new_fd: u32,
    new: u32,
    new_len: u32,
) -> R<()> {
    let t = fds(ctx);
    let (src, dst) = (t.dir(fd)?.clone(), t.dir(new_fd)?.clone());
    let (old, new) = (m.string(old, old_len)?, m.string(new, new_len)?);
    Ok(src.rename_at(&old, &dst, &new)?)
}

fn path_symlink(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    old: u32,
    old_len: u32,
    fd: u32,
    new: u32,
    new_len: u32,
) -> R<()> {
    let dir = fds(ctx).dir(fd)?.clone();
    let (old, new) = (m.string(old, old_len)?, m.string(new, new_len)?);
    Ok(dir.symlink_at(&old, &new)?)
}

fn path_unlink_file(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    p: u32,
    len: u32,
) -> R<()> {
    let dir = fds(ctx).dir(fd)?.clone();
    Ok(dir.unlink_file_at(&m.string(p, len)?)?)
}

// ---- processes, scheduling ----------------------------------------------------

fn proc_raise(_ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>, sig: u32) -> R<()> {
    enum_arg("proc_raise", "Signal", sig, 30)?;
    Err(Errno::Notsup.into())
}

fn sched_yield(_ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>) -> R<()> {
    std::thread::yield_now();
    Ok(())
}

// ---- sockets ------------------------------------------------------------------

fn sock_accept(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, fd: u32, flags: u32, out: u32) -> R<()> {
    flags_arg("sock_accept", "Fdflags", flags, FDFLAGS_ALL as u32)?;
    let flags = flags as u16;
    let t = fds(ctx);
    let listener = match t.get(fd)? {
        Desc::Listener(l) => l.clone(),
        _ => return Err(Errno::Notsock.into()),
    };
    let (stream, _) = listener.accept()?;
    let nonblock = flags & FDFLAGS_NONBLOCK != 0;
    stream.set_nonblocking(nonblock)?;
    let new_fd = t.push(Desc::Stream { stream: Arc::new(stream), nonblock })?;
    m.write_u32(out, new_fd)
}

fn stream_of(ctx: &mut WasiCtx, fd: u32) -> R<Arc<TcpStream>> {
    match fds(ctx).get(fd)? {
        Desc::Stream { stream, .. } => Ok(stream.clone()),
        _ => Err(Errno::Notsock.into()),
    }
}

#[allow(clippy::too_many_arguments)]
fn sock_recv(
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
    let mut rf = rustix::net::RecvFlags::empty();
    if flags & RIFLAGS_RECV_PEEK != 0 {
        rf |= rustix::net::RecvFlags::PEEK;
    }
    if flags & RIFLAGS_RECV_WAITALL != 0 {
        rf |= rustix::net::RecvFlags::WAITALL;
    }
    let dst = m.bytes_mut(buf, len)?;
    let (read, _) = rustix::net::recv(&*stream, dst, rf).map_err(std::io::Error::from)?;
    m.write_u32(out_len, read as u32)?;
    m.write_u16(out_flags, 0)
}

fn sock_send(
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
    let written = (&*stream).write(m.bytes(buf, len)?)?;
    m.write_u32(out, written as u32)
}

fn sock_shutdown(ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>, fd: u32, how: u32) -> R<()> {
    flags_arg("sock_shutdown", "Sdflags", how, (SDFLAGS_RD | SDFLAGS_WR) as u32)?;
    let how = how as u8;
    let how = match how {
        h if h == SDFLAGS_RD => std::net::Shutdown::Read,
        h if h == SDFLAGS_WR => std::net::Shutdown::Write,
        h if h == SDFLAGS_RD | SDFLAGS_WR => std::net::Shutdown::Both,
        _ => return Err(Errno::Inval.into()),
    };
    let stream = stream_of(ctx, fd)?;
    Ok(stream.shutdown(how)?)
}

// ---- linking ------------------------------------------------------------------

/// The guest's exported memory.
fn memory_of<T>(caller: &mut Caller<'_, T>) -> anyhow::Result<wazi::Memory> {
    match caller.get_export("memory") {
        Some(Extern::Memory(m)) => Ok(m),
        _ => Err(anyhow!("missing required memory export")),
    }
}

/// Turns an implementation's result into the errno it returns to wasm.
fn finish(r: R<()>) -> anyhow::Result<i32> {
    match r {
        Ok(()) => Ok(Errno::Success as i32),
        Err(Error::Errno(e)) => Ok(e as i32),
        Err(Error::Trap(e)) => Err(e),
    }
}

/// Defines every `wasi_snapshot_preview1` function in `linker`. `get`
/// finds the [`WasiCtx`] in the store's data.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Copy + Send + Sync + 'static,
) -> anyhow::Result<()> {
    const M: &str = "wasi_snapshot_preview1";
    // Each function: guest-side parameters (all i32 or i64) converted to
    // the unsigned values the implementation takes.
    macro_rules! define {
        ($($name:ident($($arg:ident : $wasm:ty => $host:ty),*);)*) => {$(
            linker.func_wrap(M, stringify!($name), move |mut caller: Caller<'_, T>, $($arg: $wasm),*| -> anyhow::Result<i32> {
                let memory = memory_of(&mut caller)?;
                let fuel = caller.hostcall_fuel();
                let (bytes, data) = memory.data_and_store_mut(&mut caller);
                let mut mem = GuestMemory::new(bytes, fuel);
                finish($name(get(data), &mut mem, $($arg as $host),*))
            })?;
        )*};
    }
    define! {
        args_get(argv: i32 => u32, buf: i32 => u32);
        args_sizes_get(count: i32 => u32, size: i32 => u32);
        environ_get(env: i32 => u32, buf: i32 => u32);
        environ_sizes_get(count: i32 => u32, size: i32 => u32);
        clock_res_get(id: i32 => u32, out: i32 => u32);
        clock_time_get(id: i32 => u32, precision: i64 => u64, out: i32 => u32);
        fd_advise(fd: i32 => u32, off: i64 => u64, len: i64 => u64, advice: i32 => u32);
        fd_allocate(fd: i32 => u32, off: i64 => u64, len: i64 => u64);
        fd_close(fd: i32 => u32);
        fd_datasync(fd: i32 => u32);
        fd_fdstat_get(fd: i32 => u32, out: i32 => u32);
        fd_fdstat_set_flags(fd: i32 => u32, flags: i32 => u32);
        fd_fdstat_set_rights(fd: i32 => u32, base: i64 => u64, inh: i64 => u64);
        fd_filestat_get(fd: i32 => u32, out: i32 => u32);
        fd_filestat_set_size(fd: i32 => u32, size: i64 => u64);
        fd_filestat_set_times(fd: i32 => u32, atim: i64 => u64, mtim: i64 => u64, fst: i32 => u32);
        fd_pread(fd: i32 => u32, iovs: i32 => u32, n: i32 => u32, off: i64 => u64, out: i32 => u32);
        fd_prestat_get(fd: i32 => u32, out: i32 => u32);
        fd_prestat_dir_name(fd: i32 => u32, path: i32 => u32, len: i32 => u32);
        fd_pwrite(fd: i32 => u32, iovs: i32 => u32, n: i32 => u32, off: i64 => u64, out: i32 => u32);
        fd_read(fd: i32 => u32, iovs: i32 => u32, n: i32 => u32, out: i32 => u32);
        fd_readdir(fd: i32 => u32, buf: i32 => u32, len: i32 => u32, cookie: i64 => u64, out: i32 => u32);
        fd_renumber(from: i32 => u32, to: i32 => u32);
        fd_seek(fd: i32 => u32, delta: i64 => i64, whence: i32 => u32, out: i32 => u32);
        fd_sync(fd: i32 => u32);
        fd_tell(fd: i32 => u32, out: i32 => u32);
        fd_write(fd: i32 => u32, iovs: i32 => u32, n: i32 => u32, out: i32 => u32);
        path_create_directory(fd: i32 => u32, p: i32 => u32, len: i32 => u32);
        path_filestat_get(fd: i32 => u32, flags: i32 => u32, p: i32 => u32, len: i32 => u32, out: i32 => u32);
        path_filestat_set_times(fd: i32 => u32, flags: i32 => u32, p: i32 => u32, len: i32 => u32, atim: i64 => u64, mtim: i64 => u64, fst: i32 => u32);
        path_link(fd: i32 => u32, flags: i32 => u32, old: i32 => u32, old_len: i32 => u32, new_fd: i32 => u32, new: i32 => u32, new_len: i32 => u32);
        path_open(fd: i32 => u32, dirflags: i32 => u32, p: i32 => u32, len: i32 => u32, oflags: i32 => u32, base: i64 => u64, inh: i64 => u64, fdflags: i32 => u32, out: i32 => u32);
        path_readlink(fd: i32 => u32, p: i32 => u32, len: i32 => u32, buf: i32 => u32, buf_len: i32 => u32, out: i32 => u32);
        path_remove_directory(fd: i32 => u32, p: i32 => u32, len: i32 => u32);
        path_rename(fd: i32 => u32, old: i32 => u32, old_len: i32 => u32, new_fd: i32 => u32, new: i32 => u32, new_len: i32 => u32);
        path_symlink(old: i32 => u32, old_len: i32 => u32, fd: i32 => u32, new: i32 => u32, new_len: i32 => u32);
        path_unlink_file(fd: i32 => u32, p: i32 => u32, len: i32 => u32);
        poll_oneoff(subs: i32 => u32, events: i32 => u32, n: i32 => u32, out: i32 => u32);
        proc_raise(sig: i32 => u32);
        sched_yield();
        random_get(buf: i32 => u32, len: i32 => u32);
        sock_accept(fd: i32 => u32, flags: i32 => u32, out: i32 => u32);
        sock_recv(fd: i32 => u32, iovs: i32 => u32, n: i32 => u32, flags: i32 => u32, out_len: i32 => u32, out_flags: i32 => u32);
        sock_send(fd: i32 => u32, iovs: i32 => u32, n: i32 => u32, flags: i32 => u32, out: i32 => u32);
        sock_shutdown(fd: i32 => u32, how: i32 => u32);
    }
    linker.func_wrap(M, "proc_exit", |code: i32| -> anyhow::Result<()> {
        // WASI reserves statuses from 126 up.
        if code as u32 >= 126 {
            return Err(anyhow!("exit with invalid exit status outside of [0..126)"));
        }
        Err(I32Exit(code).into())
    })?;
    Ok(())
}

use poll::poll_oneoff;
