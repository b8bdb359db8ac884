//! `wasi:cli@0.3`: environment, exit, terminals and the standard streams,
//! which are `stream<u8>`s: the guest writes stdout and stderr through a
//! stream the host reads, and reads stdin from one the host writes.

use super::VERSION as V;
use crate::GetCtx;
use anyhow::{Result, bail};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use wazi::StoreContextMut;
use wazi::component::{FutureAny, Linker, StreamAny, Val};

/// `wasi:cli/terminal-input@0.3.terminal-input`.
pub struct TerminalInput;

/// `wasi:cli/terminal-output@0.3.terminal-output`.
pub struct TerminalOutput;

/// `result<_, error-code>` as a value: `Ok`, or `error-code.io`.
fn status(ok: bool) -> Val {
    if ok {
        Val::Result(Ok(None))
    } else {
        Val::Result(Err(Some(Box::new(Val::Enum("io".into())))))
    }
}

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    {
        let mut i = linker.instance(&format!("wasi:cli/environment@{V}"))?;
        i.func_wrap("get-environment", move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).env.clone(),))
        })?;
        i.func_wrap("get-arguments", move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).args.clone(),))
        })?;
        i.func_wrap("get-initial-cwd", move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).initial_cwd.clone(),))
        })?;
    }
    // `stdout` and `stderr`: the host reads the guest's stream and writes
    // each chunk out as it comes; the returned future resolves when the
    // guest drops its writable end (an error if a write failed).
    for (iface, stderr) in [("stdout", false), ("stderr", true)] {
        linker.instance(&format!("wasi:cli/{iface}@{V}"))?.func_new(
            "write-via-stream",
            move |mut s, params, results| {
                let Some(Val::Stream(data)) = params.first() else { bail!("expected a stream") };
                let (future, writer) = FutureAny::from_host(&mut s);
                let failed = Arc::new(AtomicBool::new(false));
                let failed2 = failed.clone();
                data.pipe_to_host(
                    &mut s,
                    move |mut s: StoreContextMut<'_, T>, bytes: &[u8]| {
                        let ctx = get(s.data_mut());
                        let out = if stderr { &ctx.stderr } else { &ctx.stdout };
                        if out.write_all(bytes).is_err() {
                            failed.store(true, Ordering::Relaxed);
                        }
                        Ok(())
                    },
                    move |s| writer.write(s, status(!failed2.load(Ordering::Relaxed))),
                )?;
                results[0] = Val::Future(future);
                Ok(())
            },
        )?;
    }
    // `stdin`: a stream the host fills from the context's stdin when the
    // guest reads, and a future that resolves at the end of input.
    linker.instance(&format!("wasi:cli/stdin@{V}"))?.func_new(
        "read-via-stream",
        move |mut s, _, results| {
            let (future, writer) = FutureAny::from_host(&mut s);
            let mut writer = Some(writer);
            let stream = StreamAny::from_host(&mut s, move |mut s: StoreContextMut<'_, T>, max| {
                // Input that has not come yet lets the other tasks run.
                if !get(s.data_mut()).stdin.ready() {
                    return Ok(Some(Vec::new()));
                }
                let mut buf = vec![0; max.min(64 << 10)];
                let r = get(s.data_mut()).stdin.read(&mut buf);
                match r {
                    Ok(n) if n > 0 => {
                        buf.truncate(n);
                        Ok(Some(buf))
                    }
                    r => {
                        if let Some(w) = writer.take() {
                            w.write(&mut s, status(r.is_ok()))?;
                        }
                        Ok(None)
                    }
                }
            });
            results[0] = Val::Tuple(vec![Val::Stream(stream), Val::Future(future)]);
            Ok(())
        },
    )?;
    crate::ctx::add_exit_and_terminals_to_linker(
        linker,
        get,
        V,
        || TerminalInput,
        || TerminalOutput,
    )
}
