//! `wasi:cli`: environment, exit, the standard streams and terminals.

use super::GetCtx;
use super::io::{InputStream, OutputStream};
use crate::I32Exit;
use anyhow::Result;
use wazi::StoreContextMut;
use wazi::component::Linker;

/// `wasi:cli/terminal-input.terminal-input`.
pub struct TerminalInput;

/// `wasi:cli/terminal-output.terminal-output`.
pub struct TerminalOutput;

/// Defines `wasi:cli`: only the standard streams (`stdin`, `stdout`,
/// `stderr`) unless `full`, which adds environment, exit and terminals.
pub(super) fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: GetCtx<T>,
    full: bool,
) -> Result<()> {
    let v = super::VERSION;
    linker.instance(&format!("wasi:cli/stdin@{v}"))?.func_wrap(
        "get-stdin",
        move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).table.push(InputStream::Stdin)?,))
        },
    )?;
    linker.instance(&format!("wasi:cli/stdout@{v}"))?.func_wrap(
        "get-stdout",
        move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).table.push(OutputStream::Stdout)?,))
        },
    )?;
    linker.instance(&format!("wasi:cli/stderr@{v}"))?.func_wrap(
        "get-stderr",
        move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).table.push(OutputStream::Stderr)?,))
        },
    )?;
    if !full {
        return Ok(());
    }
    {
        let mut i = linker.instance(&format!("wasi:cli/environment@{v}"))?;
        i.func_wrap("get-environment", move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).env.clone(),))
        })?;
        i.func_wrap("get-arguments", move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).args.clone(),))
        })?;
        i.func_wrap("initial-cwd", move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).initial_cwd.clone(),))
        })?;
    }
    {
        let mut i = linker.instance(&format!("wasi:cli/exit@{v}"))?;
        i.func_wrap("exit", |_: StoreContextMut<'_, T>, (status,): (Result<(), ()>,)| {
            Err::<(), _>(anyhow::Error::new(I32Exit(if status.is_ok() { 0 } else { 1 })))
        })?;
        i.func_wrap("exit-with-code", |_: StoreContextMut<'_, T>, (code,): (u8,)| {
            Err::<(), _>(anyhow::Error::new(I32Exit(code.into())))
        })?;
    }
    super::table_resource::<T, TerminalInput>(
        &mut linker.instance(&format!("wasi:cli/terminal-input@{v}"))?,
        "terminal-input",
        get,
    )?;
    super::table_resource::<T, TerminalOutput>(
        &mut linker.instance(&format!("wasi:cli/terminal-output@{v}"))?,
        "terminal-output",
        get,
    )?;
    linker.instance(&format!("wasi:cli/terminal-stdin@{v}"))?.func_wrap(
        "get-terminal-stdin",
        move |mut s: StoreContextMut<'_, T>, (): ()| {
            let ctx = get(s.data_mut());
            let t =
                if ctx.stdin.is_terminal() { Some(ctx.table.push(TerminalInput)?) } else { None };
            Ok((t,))
        },
    )?;
    for (iface, func, stderr) in [
        ("terminal-stdout", "get-terminal-stdout", false),
        ("terminal-stderr", "get-terminal-stderr", true),
    ] {
        linker.instance(&format!("wasi:cli/{iface}@{v}"))?.func_wrap(
            func,
            move |mut s: StoreContextMut<'_, T>, (): ()| {
                let ctx = get(s.data_mut());
                let tty = if stderr { ctx.stderr.is_terminal() } else { ctx.stdout.is_terminal() };
                let t = if tty { Some(ctx.table.push(TerminalOutput)?) } else { None };
                Ok((t,))
            },
        )?;
    }
    Ok(())
}
