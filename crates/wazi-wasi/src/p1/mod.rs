//! WASI 0.1 (`wasi_snapshot_preview1`) on the WASI core.
//!
//! Behaviour follows wasmtime 48 (itself WASI 0.1 on top of 0.2): the same
//! errno in each error case, the same descriptor numbering (the highest
//! freed number is reused first), reads and writes through the first
//! non-empty buffer of an iovec array, and traps for out-of-bounds or
//! misaligned guest pointers. Flags and enum values outside their types'
//! range are `EINVAL`, checked before anything else, as wasmtime's
//! generated bindings do.
//!
//! The functions are grouped as the ABI groups them: `env.rs` (arguments,
//! environment, clocks, random), `fd.rs`, `path.rs`, `sockets.rs` and
//! `poll.rs`; `memory.rs` reads and writes guest memory, `types.rs` holds
//! the ABI's numbers. The descriptor table is the core's
//! (`crate::descriptors`).

mod env;
mod fd;
mod memory;
mod path;
mod poll;
mod sockets;
mod types;

use crate::ctx::WasiCtx;
use crate::error::{ErrorCode, I32Exit};
use anyhow::anyhow;
use env::*;
use fd::*;
use memory::GuestMemory;
use path::*;
use poll::poll_oneoff;
use sockets::*;
use std::time::Duration;
use types::Errno;
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

/// A full descriptor table traps, as in wasmtime.
impl From<wazi::component::ResourceTableError> for Error {
    fn from(e: wazi::component::ResourceTableError) -> Error {
        Error::Trap(e.into())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Errno(ErrorCode::from(e).into())
    }
}

type R<T> = Result<T, Error>;

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
