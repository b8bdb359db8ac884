//! WASI 0.1's `path_*` functions: files and directories named by a path
//! relative to a directory descriptor.

use super::fd::{times, write_filestat};
use super::memory::GuestMemory;
use super::types::*;
use super::{R, flags_arg};
use crate::ctx::WasiCtx;
use crate::descriptors::{Descriptor, OpenFile};
use crate::fs::{OpenFlags, Opened};

pub(super) fn path_create_directory(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    p: u32,
    len: u32,
) -> R<()> {
    let dir = ctx.descriptors().dir(fd)?.clone();
    Ok(dir.create_directory_at(&m.string(p, len)?)?)
}

pub(super) fn path_filestat_get(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    p: u32,
    len: u32,
    out: u32,
) -> R<()> {
    flags_arg("path_filestat_get", "Lookupflags", flags, LOOKUP_ALL)?;
    let dir = ctx.descriptors().dir(fd)?.clone();
    let stat = dir.stat_at(flags & LOOKUP_SYMLINK_FOLLOW != 0, &m.string(p, len)?)?;
    write_filestat(m, out, &stat)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn path_filestat_set_times(
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
    let dir = ctx.descriptors().dir(fd)?.clone();
    Ok(dir.set_times_at(flags & LOOKUP_SYMLINK_FOLLOW != 0, &m.string(p, len)?, a, mt)?)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn path_link(
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
    let t = ctx.descriptors();
    let (src, dst) = (t.dir(old_fd)?.clone(), t.dir(new_fd)?.clone());
    let (old, new) = (m.string(old, old_len)?, m.string(new, new_len)?);
    Ok(src.link_at(flags & LOOKUP_SYMLINK_FOLLOW != 0, &old, &dst, &new)?)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn path_open(
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
    let t = ctx.descriptors();
    let dir = match t.get(fd)? {
        Descriptor::Dir { dir, .. } => dir.clone(),
        Descriptor::File(_) => return Err(Errno::Notdir.into()),
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
        Opened::Dir(dir) => Descriptor::Dir { dir, preopen: None },
        Opened::File(file) => Descriptor::File(OpenFile {
            file,
            position: 0,
            append: fdflags & FDFLAGS_APPEND != 0,
            nonblock: fdflags & FDFLAGS_NONBLOCK != 0,
        }),
    };
    let new_fd = ctx.descriptors().push(desc)?;
    m.write_u32(out, new_fd)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn path_readlink(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    p: u32,
    len: u32,
    buf: u32,
    buf_len: u32,
    out: u32,
) -> R<()> {
    let dir = ctx.descriptors().dir(fd)?.clone();
    let link = dir.readlink_at(&m.string(p, len)?)?;
    let bytes = &link.as_bytes()[..link.len().min(buf_len as usize)];
    m.write_bytes(buf, bytes)?;
    m.write_u32(out, bytes.len() as u32)
}

pub(super) fn path_remove_directory(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    p: u32,
    len: u32,
) -> R<()> {
    let dir = ctx.descriptors().dir(fd)?.clone();
    Ok(dir.remove_directory_at(&m.string(p, len)?)?)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn path_rename(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    old: u32,
    old_len: u32,
    new_fd: u32,
    new: u32,
    new_len: u32,
) -> R<()> {
    let t = ctx.descriptors();
    let (src, dst) = (t.dir(fd)?.clone(), t.dir(new_fd)?.clone());
    let (old, new) = (m.string(old, old_len)?, m.string(new, new_len)?);
    Ok(src.rename_at(&old, &dst, &new)?)
}

pub(super) fn path_symlink(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    old: u32,
    old_len: u32,
    fd: u32,
    new: u32,
    new_len: u32,
) -> R<()> {
    let dir = ctx.descriptors().dir(fd)?.clone();
    let (old, new) = (m.string(old, old_len)?, m.string(new, new_len)?);
    Ok(dir.symlink_at(&old, &new)?)
}

pub(super) fn path_unlink_file(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    fd: u32,
    p: u32,
    len: u32,
) -> R<()> {
    let dir = ctx.descriptors().dir(fd)?.clone();
    Ok(dir.unlink_file_at(&m.string(p, len)?)?)
}
