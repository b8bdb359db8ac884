//! `wasi:io`: `error`, `poll` and `streams`.

use super::GetCtx;
use crate::WasiCtx;
use crate::stdio::{Stdin, Stdout};
use anyhow::{Result, bail};
use std::time::Duration;
use wazi::component::{Linker, Resource, ResourceType};
use wazi::{StoreContextMut, component_variant};

/// Most bytes a `read` returns at once, and what `check-write` permits.
const MAX_CHUNK: usize = 64 * 1024;

/// `wasi:io/streams.input-stream`.
pub enum InputStream {
    Stdin,
}

/// `wasi:io/streams.output-stream`.
pub enum OutputStream {
    Stdout,
    Stderr,
}

/// `wasi:io/error.error`: what went wrong, for `to-debug-string`.
pub struct IoError(pub String);

/// `wasi:io/poll.pollable`: something that becomes ready.
pub enum Pollable {
    /// Always ready (output streams, which never block).
    Ready,
    /// Standard input has data or is at its end.
    StdinReadable,
    /// The monotonic clock reaches this many nanoseconds.
    Deadline(u64),
}

component_variant! {
    /// `wasi:io/streams.stream-error`.
    pub enum StreamError {
        LastOperationFailed(Resource<IoError>),
        Closed,
    }
}

type StreamResult<T> = Result<Result<T, StreamError>>;

/// An I/O failure as a stream error: a broken pipe closes the stream (as
/// wasmtime reports it); anything else is `last-operation-failed`.
fn failed(ctx: &mut WasiCtx, e: std::io::Error) -> Result<StreamError> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Ok(StreamError::Closed);
    }
    let err = ctx.table.push(IoError(format!("{e:?}")))?;
    Ok(StreamError::LastOperationFailed(err))
}

impl OutputStream {
    fn target(&self, ctx: &WasiCtx) -> Stdout {
        match self {
            OutputStream::Stdout => ctx.stdout.clone(),
            OutputStream::Stderr => ctx.stderr.clone(),
        }
    }
}

fn output(ctx: &WasiCtx, s: &Resource<OutputStream>) -> Result<Stdout> {
    Ok(ctx.table.get(s)?.target(ctx))
}

fn stdin_of(ctx: &WasiCtx, s: &Resource<InputStream>) -> Result<Stdin> {
    match ctx.table.get(s)? {
        InputStream::Stdin => Ok(ctx.stdin.clone()),
    }
}

/// Reads up to `len` bytes: `blocking` waits for data; otherwise an empty
/// list means none is there yet. End of input is `closed`.
fn read(ctx: &mut WasiCtx, stdin: &Stdin, len: u64, blocking: bool) -> StreamResult<Vec<u8>> {
    let len = (len as usize).min(MAX_CHUNK);
    if len == 0 {
        return Ok(Ok(Vec::new()));
    }
    if !blocking && !stdin.ready() {
        return Ok(Ok(Vec::new()));
    }
    let mut buf = vec![0; len];
    match stdin.read(&mut buf) {
        Ok(0) => Ok(Err(StreamError::Closed)),
        Ok(n) => {
            buf.truncate(n);
            Ok(Ok(buf))
        }
        Err(e) => Ok(Err(failed(ctx, e)?)),
    }
}

fn write(ctx: &mut WasiCtx, out: &Stdout, bytes: &[u8]) -> StreamResult<()> {
    if out.capacity().is_none() {
        return Ok(Err(StreamError::Closed));
    }
    match out.write_all(bytes) {
        Ok(()) => Ok(Ok(())),
        Err(e) => Ok(Err(failed(ctx, e)?)),
    }
}

/// Whether `p` is ready, waiting up to `timeout` (`None`: forever).
fn ready(ctx: &WasiCtx, p: &Pollable, timeout: Option<Duration>) -> bool {
    match p {
        Pollable::Ready => true,
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
        Pollable::StdinReadable => match ctx.stdin.fd() {
            Some(fd) => {
                let ms = timeout.map_or(-1, |t| t.as_millis().min(i32::MAX as u128) as i32);
                crate::stdio::fd_ready(fd, ms)
            }
            None => true,
        },
    }
}

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let v = super::VERSION;
    {
        let mut i = linker.instance(&format!("wasi:io/error@{v}"))?;
        i.resource("error", ResourceType::host::<IoError>(), move |mut s, rep| {
            get(s.data_mut()).table.delete(Resource::<IoError>::new_own(rep))?;
            Ok(())
        })?;
        i.func_wrap(
            "[method]error.to-debug-string",
            move |mut s: StoreContextMut<'_, T>, (e,): (Resource<IoError>,)| {
                Ok((get(s.data_mut()).table.get(&e)?.0.clone(),))
            },
        )?;
    }
    {
        let mut i = linker.instance(&format!("wasi:io/poll@{v}"))?;
        i.resource("pollable", ResourceType::host::<Pollable>(), move |mut s, rep| {
            get(s.data_mut()).table.delete(Resource::<Pollable>::new_own(rep))?;
            Ok(())
        })?;
        i.func_wrap(
            "[method]pollable.ready",
            move |mut s: StoreContextMut<'_, T>, (p,): (Resource<Pollable>,)| {
                let ctx = get(s.data_mut());
                Ok((ready(ctx, ctx.table.get(&p)?, Some(Duration::ZERO)),))
            },
        )?;
        i.func_wrap(
            "[method]pollable.block",
            move |mut s: StoreContextMut<'_, T>, (p,): (Resource<Pollable>,)| {
                let ctx = get(s.data_mut());
                ready(ctx, ctx.table.get(&p)?, None);
                Ok(())
            },
        )?;
        i.func_wrap(
            "poll",
            move |mut s: StoreContextMut<'_, T>, (list,): (Vec<Resource<Pollable>>,)| {
                let ctx = get(s.data_mut());
                if list.is_empty() {
                    bail!("empty poll list");
                }
                if list.len() > u32::MAX as usize {
                    bail!("poll list too long");
                }
                loop {
                    let mut out = Vec::new();
                    for (k, p) in list.iter().enumerate() {
                        if ready(ctx, ctx.table.get(p)?, Some(Duration::ZERO)) {
                            out.push(k as u32);
                        }
                    }
                    if !out.is_empty() {
                        return Ok((out,));
                    }
                    // Nothing is ready: wait for the first that can be,
                    // standard input or the nearest deadline.
                    let mut deadline = None;
                    let mut stdin = false;
                    for p in &list {
                        match ctx.table.get(p)? {
                            Pollable::Deadline(w) => {
                                deadline = Some(deadline.map_or(*w, |d: u64| d.min(*w)))
                            }
                            Pollable::StdinReadable => stdin = true,
                            Pollable::Ready => {}
                        }
                    }
                    let wait = deadline
                        .map(|d| Duration::from_nanos(d.saturating_sub(ctx.monotonic_now())));
                    if stdin {
                        ready(ctx, &Pollable::StdinReadable, wait);
                    } else if let Some(w) = wait {
                        std::thread::sleep(w);
                    }
                }
            },
        )?;
    }
    let mut i = linker.instance(&format!("wasi:io/streams@{v}"))?;
    i.resource("input-stream", ResourceType::host::<InputStream>(), move |mut s, rep| {
        get(s.data_mut()).table.delete(Resource::<InputStream>::new_own(rep))?;
        Ok(())
    })?;
    i.resource("output-stream", ResourceType::host::<OutputStream>(), move |mut s, rep| {
        get(s.data_mut()).table.delete(Resource::<OutputStream>::new_own(rep))?;
        Ok(())
    })?;
    for (name, blocking) in [("read", false), ("blocking-read", true)] {
        i.func_wrap(
            &format!("[method]input-stream.{name}"),
            move |mut s: StoreContextMut<'_, T>, (st, len): (Resource<InputStream>, u64)| {
                let ctx = get(s.data_mut());
                let stdin = stdin_of(ctx, &st)?;
                Ok((read(ctx, &stdin, len, blocking)?,))
            },
        )?;
    }
    for (name, blocking) in [("skip", false), ("blocking-skip", true)] {
        i.func_wrap(
            &format!("[method]input-stream.{name}"),
            move |mut s: StoreContextMut<'_, T>, (st, len): (Resource<InputStream>, u64)| {
                let ctx = get(s.data_mut());
                let stdin = stdin_of(ctx, &st)?;
                Ok((read(ctx, &stdin, len, blocking)?.map(|b| b.len() as u64),))
            },
        )?;
    }
    i.func_wrap(
        "[method]input-stream.subscribe",
        move |mut s: StoreContextMut<'_, T>, (st,): (Resource<InputStream>,)| {
            let ctx = get(s.data_mut());
            let p = match ctx.table.get(&st)? {
                InputStream::Stdin => Pollable::StdinReadable,
            };
            Ok((ctx.table.push(p)?,))
        },
    )?;
    i.func_wrap(
        "[method]output-stream.check-write",
        move |mut s: StoreContextMut<'_, T>, (st,): (Resource<OutputStream>,)| {
            let ctx = get(s.data_mut());
            Ok((match output(ctx, &st)?.capacity() {
                Some(n) => Ok(n as u64),
                None => Err(StreamError::Closed),
            },))
        },
    )?;
    i.func_wrap(
        "[method]output-stream.write",
        move |mut s: StoreContextMut<'_, T>, (st, bytes): (Resource<OutputStream>, Vec<u8>)| {
            let ctx = get(s.data_mut());
            let out = output(ctx, &st)?;
            Ok((write(ctx, &out, &bytes)?,))
        },
    )?;
    i.func_wrap(
        "[method]output-stream.blocking-write-and-flush",
        move |mut s: StoreContextMut<'_, T>, (st, bytes): (Resource<OutputStream>, Vec<u8>)| {
            if bytes.len() > 4096 {
                bail!("Buffer too large for blocking-write-and-flush (expected at most 4096)");
            }
            let ctx = get(s.data_mut());
            let out = output(ctx, &st)?;
            Ok((write(ctx, &out, &bytes)?,))
        },
    )?;
    i.func_wrap(
        "[method]output-stream.write-zeroes",
        move |mut s: StoreContextMut<'_, T>, (st, len): (Resource<OutputStream>, u64)| {
            let ctx = get(s.data_mut());
            let out = output(ctx, &st)?;
            Ok((write(ctx, &out, &vec![0; len.min(MAX_CHUNK as u64) as usize])?,))
        },
    )?;
    i.func_wrap(
        "[method]output-stream.blocking-write-zeroes-and-flush",
        move |mut s: StoreContextMut<'_, T>, (st, len): (Resource<OutputStream>, u64)| {
            if len > 4096 {
                bail!(
                    "Buffer too large for blocking-write-zeroes-and-flush (expected at most 4096)"
                );
            }
            let ctx = get(s.data_mut());
            let out = output(ctx, &st)?;
            Ok((write(ctx, &out, &vec![0; len as usize])?,))
        },
    )?;
    for name in ["flush", "blocking-flush"] {
        i.func_wrap(
            &format!("[method]output-stream.{name}"),
            move |mut s: StoreContextMut<'_, T>, (st,): (Resource<OutputStream>,)| {
                // Writes reach the host stream as they are made.
                let ctx = get(s.data_mut());
                Ok((match output(ctx, &st)?.capacity() {
                    Some(_) => Ok(()),
                    None => Err(StreamError::Closed),
                },))
            },
        )?;
    }
    i.func_wrap(
        "[method]output-stream.subscribe",
        move |mut s: StoreContextMut<'_, T>, (st,): (Resource<OutputStream>,)| {
            let ctx = get(s.data_mut());
            ctx.table.get(&st)?;
            Ok((ctx.table.push(Pollable::Ready)?,))
        },
    )?;
    for (name, blocking) in [("splice", false), ("blocking-splice", true)] {
        i.func_wrap(
            &format!("[method]output-stream.{name}"),
            move |mut s: StoreContextMut<'_, T>,
                  (dst, src, len): (Resource<OutputStream>, Resource<InputStream>, u64)| {
                let ctx = get(s.data_mut());
                let out = output(ctx, &dst)?;
                let stdin = stdin_of(ctx, &src)?;
                let Some(permit) = out.capacity() else {
                    return Ok((Err(StreamError::Closed),));
                };
                let bytes = match read(ctx, &stdin, len.min(permit as u64), blocking)? {
                    Ok(b) => b,
                    Err(e) => return Ok((Err(e),)),
                };
                Ok((write(ctx, &out, &bytes)?.map(|()| bytes.len() as u64),))
            },
        )?;
    }
    Ok(())
}
