//! `wasi:cli`: environment, exit, the standard streams and terminals.

use super::GetCtx;
use super::io::{InputStream, OutputStream};
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
    crate::ctx::add_exit_and_terminals_to_linker(
        linker,
        get,
        v,
        || TerminalInput,
        || TerminalOutput,
    )
}
