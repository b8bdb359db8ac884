//! WASI 0.1's view of the program's surroundings: arguments, environment,
//! clocks, random bytes, `proc_raise` and `sched_yield`.

use super::memory::{GuestMemory, offset};
use super::types::Errno;
use super::{Error, R, enum_arg, nanos};
use crate::ctx::WasiCtx;
use anyhow::anyhow;

pub(super) fn args_get(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, argv: u32, buf: u32) -> R<()> {
    write_strings(m, argv, buf, ctx.args.iter().map(|a| vec![a.as_bytes()]))
}

pub(super) fn args_sizes_get(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    count: u32,
    size: u32,
) -> R<()> {
    let n = u32::try_from(ctx.args.len()).map_err(|_| Errno::Overflow)?;
    let len: usize = ctx.args.iter().map(|a| a.len() + 1).sum();
    let len = u32::try_from(len).map_err(|_| Errno::Overflow)?;
    m.write_u32(count, n)?;
    m.write_u32(size, len)
}

pub(super) fn environ_get(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, env: u32, buf: u32) -> R<()> {
    let pairs = ctx.env.iter().map(|(k, v)| vec![k.as_bytes(), b"=".as_slice(), v.as_bytes()]);
    write_strings(m, env, buf, pairs)
}

pub(super) fn environ_sizes_get(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    count: u32,
    size: u32,
) -> R<()> {
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

pub(super) fn clock_res_get(
    ctx: &mut WasiCtx,
    m: &mut GuestMemory<'_>,
    id: u32,
    out: u32,
) -> R<()> {
    enum_arg("clock_res_get", "Clockid", id, 3)?;
    let v = clock_ns(ctx, id, true)?;
    m.write_u64(out, v)
}

pub(super) fn clock_time_get(
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

pub(super) fn random_get(ctx: &mut WasiCtx, m: &mut GuestMemory<'_>, buf: u32, len: u32) -> R<()> {
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

pub(super) fn proc_raise(_ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>, sig: u32) -> R<()> {
    enum_arg("proc_raise", "Signal", sig, 30)?;
    Err(Errno::Notsup.into())
}

pub(super) fn sched_yield(_ctx: &mut WasiCtx, _m: &mut GuestMemory<'_>) -> R<()> {
    std::thread::yield_now();
    Ok(())
}
