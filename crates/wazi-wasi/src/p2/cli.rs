//! `wasi:cli`: environment, exit, the standard streams and terminals.

use super::bindings::wasi::cli::{
    environment, exit, stderr, stdin, stdout, terminal_input, terminal_output, terminal_stderr,
    terminal_stdin, terminal_stdout,
};
use super::io::{InputStream, OutputStream};
use crate::I32Exit;
use crate::ctx::Wasi;
use anyhow::Result;
use wazi::StoreContextMut;
use wazi::component::{Linker, Resource};

/// `wasi:cli/terminal-input.terminal-input`.
pub struct TerminalInput;

/// `wasi:cli/terminal-output.terminal-output`.
pub struct TerminalOutput;

/// Defines `wasi:cli`: only the standard streams (`stdin`, `stdout`,
/// `stderr`) unless `full`, which adds environment, exit and terminals.
pub(super) fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    host: Wasi<T>,
    full: bool,
) -> Result<()> {
    stdin::add_to_linker(linker, host)?;
    stdout::add_to_linker(linker, host)?;
    stderr::add_to_linker(linker, host)?;
    if !full {
        return Ok(());
    }
    environment::add_to_linker(linker, host)?;
    exit::add_to_linker(linker, host)?;
    terminal_input::add_to_linker(linker, host)?;
    terminal_output::add_to_linker(linker, host)?;
    terminal_stdin::add_to_linker(linker, host)?;
    terminal_stdout::add_to_linker(linker, host)?;
    terminal_stderr::add_to_linker(linker, host)
}

impl<T: 'static> stdin::Host<T> for Wasi<T> {
    fn get_stdin(&self, mut s: StoreContextMut<'_, T>) -> Result<Resource<InputStream>> {
        Ok(self.ctx(&mut s).table.push(InputStream::Stdin)?)
    }
}

impl<T: 'static> stdout::Host<T> for Wasi<T> {
    fn get_stdout(&self, mut s: StoreContextMut<'_, T>) -> Result<Resource<OutputStream>> {
        Ok(self.ctx(&mut s).table.push(OutputStream::Stdout)?)
    }
}

impl<T: 'static> stderr::Host<T> for Wasi<T> {
    fn get_stderr(&self, mut s: StoreContextMut<'_, T>) -> Result<Resource<OutputStream>> {
        Ok(self.ctx(&mut s).table.push(OutputStream::Stderr)?)
    }
}

impl<T: 'static> environment::Host<T> for Wasi<T> {
    fn get_environment(&self, mut s: StoreContextMut<'_, T>) -> Result<Vec<(String, String)>> {
        Ok(self.ctx(&mut s).env.clone())
    }

    fn get_arguments(&self, mut s: StoreContextMut<'_, T>) -> Result<Vec<String>> {
        Ok(self.ctx(&mut s).args.clone())
    }

    fn initial_cwd(&self, mut s: StoreContextMut<'_, T>) -> Result<Option<String>> {
        Ok(self.ctx(&mut s).initial_cwd.clone())
    }
}

impl<T: 'static> exit::Host<T> for Wasi<T> {
    fn exit(&self, _: StoreContextMut<'_, T>, status: Result<(), ()>) -> Result<()> {
        Err(I32Exit::of(status).into())
    }

    fn exit_with_code(&self, _: StoreContextMut<'_, T>, code: u8) -> Result<()> {
        Err(I32Exit(code.into()).into())
    }
}

impl<T: 'static> terminal_input::Host<T> for Wasi<T> {}

impl<T: 'static> terminal_output::Host<T> for Wasi<T> {}

impl<T: 'static> terminal_stdin::Host<T> for Wasi<T> {
    fn get_terminal_stdin(
        &self,
        mut s: StoreContextMut<'_, T>,
    ) -> Result<Option<Resource<TerminalInput>>> {
        self.ctx(&mut s).terminal(0, TerminalInput)
    }
}

impl<T: 'static> terminal_stdout::Host<T> for Wasi<T> {
    fn get_terminal_stdout(
        &self,
        mut s: StoreContextMut<'_, T>,
    ) -> Result<Option<Resource<TerminalOutput>>> {
        self.ctx(&mut s).terminal(1, TerminalOutput)
    }
}

impl<T: 'static> terminal_stderr::Host<T> for Wasi<T> {
    fn get_terminal_stderr(
        &self,
        mut s: StoreContextMut<'_, T>,
    ) -> Result<Option<Resource<TerminalOutput>>> {
        self.ctx(&mut s).terminal(2, TerminalOutput)
    }
}
