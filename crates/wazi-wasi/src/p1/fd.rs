//! WASI 0.1's `fd_*` functions: reading, writing, seeking and describing
//! descriptors, and the `filestat` records they share with `path_*`.

use super::memory::{GuestMemory, offset};
use super::types::*;
use super::{R, enum_arg, flags_arg, nanos};
use crate::ctx::WasiCtx;
use crate::descriptors::Descriptor;
use crate::fs::{self, Advice, NewTime, Stat};
use crate::net::tcp;
use rustix::net::RecvFlags;
use std::io;
use std::time::{Duration, SystemTime};

pub(super) fn filetype(t: fs::FileType) -> u8 {
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
pub(super) fn write_filestat(m: &mut GuestMemory<'_>, ptr: u32, s: &Stat) -> R<()> {
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
pub(super) fn write_filestat_raw(
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

pub(super) fn times(func: &str, atim: u64, mtim: u64, fst: u16) -> R<(NewTime, NewTime)> {
    flags_arg(func, "Fstflags", fst, FST_ALL)?;
    Ok((
        new_time(fst & FST_ATIM != 0, atim, fst & FST_ATIM_NOW != 0)?,
        new_time(fst & FST_MTIM != 0, mtim, fst & FST_MTIM_NOW != 0)?,
    ))
}

pub(super) fn fd_advise(
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
    let f = ctx.descriptors().file(fd)?;
    Ok(f.file.advise(off, len, advice)?)
}

pub(super) fn fd_allocate(
    ctx: &mut WasiCtx,
    _m: &mut GuestMemory<'_>,
    fd: u32,
    _off: u64,
    _len: u64,
) -> R<()> {
    ctx.descriptors().file(fd)?;
    Err(Errno::Notsup.into())
}

pub(super) fn fd_close(ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>, fd: u32) -> R<()> {
    ctx.descriptors().close(fd)?;
    Ok(())
}

pub(super) fn fd_datasync(ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>, fd: u32) -> R<()> {
    Ok(ctx.descriptors().file(fd)?.file.sync(true)?)
}

pub(super) fn fd_sync(ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>, fd: u32) -> R<()> {
    Ok(ctx.descriptors().file(fd)?.file.sync(false)?)
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

pub(super) fn fd_fdstat_get(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> R<()> {
    let (filetype, flags, base, inheriting) = match ctx.descriptors().get(fd)? {
        Descriptor::Stdin(s) => (tty_filetype(s.is_terminal()), 0, RIGHT_FD_READ, RIGHT_FD_READ),
        Descriptor::Stdout(s) | Descriptor::Stderr(s) => {
            (tty_filetype(s.is_terminal()), 0, RIGHT_FD_WRITE, RIGHT_FD_WRITE)
        }
        Descriptor::Dir { preopen: Some(_), .. } => {
            (FILETYPE_DIRECTORY, 0, PREOPEN_RIGHTS, PREOPEN_INHERITING)
        }
        Descriptor::Dir { dir, preopen: None } => {
            let mut rights = RIGHTS_ALL
                & !(RIGHT_FD_SEEK | RIGHT_FD_FILESTAT_SET_SIZE | RIGHT_PATH_FILESTAT_SET_SIZE);
            if !dir.read {
                rights &= !(RIGHT_FD_READ | RIGHT_FD_READDIR);
            }
            // A directory's descriptor is never writable as a file.
            rights &= !RIGHT_FD_WRITE;
            (FILETYPE_DIRECTORY, 0, rights, rights)
        }
        Descriptor::File(f) => {
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
        Descriptor::Listener(_) => {
            let r = RIGHT_SOCK_ACCEPT | RIGHT_POLL_FD_READWRITE | RIGHT_FD_FDSTAT_SET_FLAGS;
            (FILETYPE_SOCKET_STREAM, FDFLAGS_NONBLOCK, r, r)
        }
        Descriptor::Stream { nonblock, .. } => {
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

pub(super) fn fd_fdstat_set_flags(
    ctx: &mut WasiCtx,
    _m: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
) -> R<()> {
    flags_arg("fd_fdstat_set_flags", "Fdflags", flags, FDFLAGS_ALL as u32)?;
    let flags = flags as u16;
    let t = ctx.descriptors();
    if let Ok(Descriptor::Stream { stream, nonblock }) = t.get_mut(fd) {
        let nb = flags & FDFLAGS_NONBLOCK != 0;
        tcp::set_nonblocking(&**stream, nb).map_err(io::Error::from)?;
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

pub(super) fn fd_fdstat_set_rights(
    ctx: &mut WasiCtx,
    _m: &mut GuestMemory<'_>,
    fd: u32,
    base: u64,
    inh: u64,
) -> R<()> {
    flags_arg("fd_fdstat_set_rights", "Rights", base, RIGHTS_ALL)?;
    flags_arg("fd_fdstat_set_rights", "Rights", inh, RIGHTS_ALL)?;
    match ctx.descriptors().get(fd)? {
        Descriptor::File(_) | Descriptor::Dir { .. } => Err(Errno::Notsup.into()),
        _ => Err(Errno::Badf.into()),
    }
}

pub(super) fn fd_filestat_get(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> R<()> {
    let stat = match ctx.descriptors().get(fd)? {
        Descriptor::Stdin(s) => Err(tty_filetype(s.is_terminal())),
        Descriptor::Stdout(s) | Descriptor::Stderr(s) => Err(tty_filetype(s.is_terminal())),
        Descriptor::Listener(_) | Descriptor::Stream { .. } => Err(FILETYPE_SOCKET_STREAM),
        Descriptor::Dir { dir, .. } => Ok(dir.stat()?),
        Descriptor::File(f) => Ok(f.file.stat()?),
    };
    match stat {
        Ok(s) => write_filestat(m, out, &s),
        Err(ft) => write_filestat_raw(m, out, 0, 0, ft, 0, 0, [0; 3]),
    }
}

pub(super) fn fd_filestat_set_size(
    ctx: &mut WasiCtx,
    _m: &mut GuestMemory<'_>,
    fd: u32,
    size: u64,
) -> R<()> {
    Ok(ctx.descriptors().file(fd)?.file.set_size(size)?)
}

pub(super) fn fd_filestat_set_times(
    ctx: &mut WasiCtx,
    _m: &mut GuestMemory<'_>,
    fd: u32,
    atim: u64,
    mtim: u64,
    fst: u32,
) -> R<()> {
    flags_arg("fd_filestat_set_times", "Fstflags", fst, FST_ALL as u32)?;
    let (a, m) = times("fd_filestat_set_times", atim, mtim, fst as u16)?;
    match ctx.descriptors().get(fd)? {
        Descriptor::File(f) => Ok(f.file.set_times(a, m)?),
        Descriptor::Dir { dir, .. } => Ok(dir.set_times(a, m)?),
        _ => Err(Errno::Badf.into()),
    }
}

pub(super) fn fd_read(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    out: u32,
) -> R<()> {
    let (buf, len) = m.first_iovec(iovs, n)?;
    let read = match ctx.descriptors().get_mut(fd)? {
        Descriptor::File(f) => {
            let dst = m.bytes_mut(buf, len)?;
            let read = f.file.read_at(dst, f.position)?;
            f.position = f.position.checked_add(read as u64).ok_or(Errno::Overflow)?;
            read
        }
        Descriptor::Stdin(s) => {
            let s = s.clone();
            s.read(m.bytes_mut(buf, len)?)?
        }
        Descriptor::Stream { stream, .. } => {
            let stream = stream.clone();
            tcp::recv(&*stream, m.bytes_mut(buf, len)?, RecvFlags::empty(), false)
                .map_err(io::Error::from)?
        }
        _ => return Err(Errno::Badf.into()),
    };
    m.write_u32(out, read as u32)
}

pub(super) fn fd_pread(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    pos: u64,
    out: u32,
) -> R<()> {
    let (buf, len) = m.first_iovec(iovs, n)?;
    let read = match ctx.descriptors().get(fd)? {
        Descriptor::File(f) => {
            if !f.file.read {
                return Err(Errno::Badf.into());
            }
            let file = f.file.clone();
            file.read_at(m.bytes_mut(buf, len)?, pos)?
        }
        Descriptor::Stdin(_) => return Err(Errno::Spipe.into()),
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
    let written = match ctx.descriptors().get_mut(fd)? {
        Descriptor::File(f) => {
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
        Descriptor::Stdout(s) | Descriptor::Stderr(s) => {
            if let At::Offset(_) = at {
                return Err(Errno::Spipe.into());
            }
            let s = s.clone();
            s.write_all(m.bytes(buf, len)?)?;
            len as usize
        }
        Descriptor::Stream { stream, .. } => {
            if let At::Offset(_) = at {
                return Err(Errno::Spipe.into());
            }
            let stream = stream.clone();
            tcp::send(&*stream, m.bytes(buf, len)?).map_err(io::Error::from)?
        }
        _ => return Err(Errno::Badf.into()),
    };
    m.write_u32(out, written as u32)
}

pub(super) fn fd_write(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    out: u32,
) -> R<()> {
    write_impl(ctx, m, fd, iovs, n, At::Cursor, out)
}

pub(super) fn fd_pwrite(
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

pub(super) fn fd_prestat_get(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> R<()> {
    match ctx.descriptors().get(fd)? {
        Descriptor::Dir { preopen: Some(name), .. } => {
            let len = u32::try_from(name.len()).map_err(|_| Errno::Overflow)?;
            m.write_u8(out, 0)?;
            m.write_u32(offset(out, 4)?, len)
        }
        _ => Err(Errno::Badf.into()),
    }
}

pub(super) fn fd_prestat_dir_name(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    len: u32,
) -> R<()> {
    match ctx.descriptors().get(fd)? {
        Descriptor::Dir { preopen: Some(name), .. } => {
            if name.len() > len as usize {
                return Err(Errno::Nametoolong.into());
            }
            let name = name.clone();
            m.write_bytes(path, name.as_bytes())
        }
        _ => Err(Errno::Notdir.into()),
    }
}

pub(super) fn fd_renumber(
    ctx: &mut WasiCtx,
    _m: &mut GuestMemory<'_>,
    from: u32,
    to: u32,
) -> R<()> {
    Ok(ctx.descriptors().renumber(from, to)?)
}

pub(super) fn fd_seek(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    delta: i64,
    whence: u32,
    out: u32,
) -> R<()> {
    enum_arg("fd_seek", "Whence", whence, 2)?;
    let f = ctx.descriptors().seekable(fd)?;
    let pos = match whence {
        0 if delta >= 0 => delta as u64,
        0 => return Err(Errno::Inval.into()),
        1 => f.position.checked_add_signed(delta).ok_or(Errno::Inval)?,
        _ => f.file.stat()?.size.checked_add_signed(delta).ok_or(Errno::Inval)?,
    };
    f.position = pos;
    m.write_u64(out, pos)
}

pub(super) fn fd_tell(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, fd: u32, out: u32) -> R<()> {
    let pos = ctx.descriptors().seekable(fd)?.position;
    m.write_u64(out, pos)
}

pub(super) fn fd_readdir(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    buf: u32,
    buf_len: u32,
    cookie: u64,
    out: u32,
) -> R<()> {
    let dir = ctx.descriptors().dir(fd)?.clone();
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
