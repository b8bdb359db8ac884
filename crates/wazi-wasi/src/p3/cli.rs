//! `wasi:cli@0.3`: environment, exit, terminals and the standard streams,
//! which are `stream<u8>`s: the guest writes stdout and stderr through a
//! stream the host reads, and reads stdin from one the host writes.

use super::bindings::wasi::cli::{
    environment, exit, stderr, stdin, stdout, terminal_input, terminal_output, terminal_stderr,
    terminal_stdin, terminal_stdout,
};
use crate::I32Exit;
use crate::ctx::Wasi;
use anyhow::Result;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use wazi::StoreContextMut;
use wazi::component::{FutureAny, Linker, Resource, StreamAny, Val};

/// `wasi:cli/terminal-input@0.3.terminal-input`.
pub struct TerminalInput;

/// `wasi:cli/terminal-output@0.3.terminal-output`.
pub struct TerminalOutput;

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, host: Wasi<T>) -> Result<()> {
    environment::add_to_linker(linker, host)?;
    exit::add_to_linker(linker, host)?;
    stdin::add_to_linker(linker, host)?;
    stdout::add_to_linker(linker, host)?;
    stderr::add_to_linker(linker, host)?;
    terminal_input::add_to_linker(linker, host)?;
    terminal_output::add_to_linker(linker, host)?;
    terminal_stdin::add_to_linker(linker, host)?;
    terminal_stdout::add_to_linker(linker, host)?;
    terminal_stderr::add_to_linker(linker, host)
}

/// `result<_, error-code>` as a value: `Ok`, or `error-code.io`.
fn status(ok: bool) -> Val {
    if ok {
        Val::Result(Ok(None))
    } else {
        Val::Result(Err(Some(Box::new(Val::Enum("io".into())))))
    }
}

impl<T: 'static> environment::Host<T> for Wasi<T> {
    fn get_environment(&self, mut s: StoreContextMut<'_, T>) -> Result<Vec<(String, String)>> {
        Ok(self.ctx(&mut s).env.clone())
    }

    fn get_arguments(&self, mut s: StoreContextMut<'_, T>) -> Result<Vec<String>> {
        Ok(self.ctx(&mut s).args.clone())
    }

    fn get_initial_cwd(&self, mut s: StoreContextMut<'_, T>) -> Result<Option<String>> {
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

impl<T: 'static> Wasi<T> {
    /// `stdout` and `stderr`: the host reads the guest's stream and writes
    /// each chunk out as it comes; the returned future resolves when the
    /// guest drops its writable end (an error if a write failed).
    fn write_via_stream(
        &self,
        mut s: StoreContextMut<'_, T>,
        data: StreamAny,
        stderr: bool,
    ) -> Result<FutureAny> {
        let get = self.get;
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
        Ok(future)
    }
}

impl<T: 'static> stdout::Host<T> for Wasi<T> {
    fn write_via_stream(&self, s: StoreContextMut<'_, T>, data: StreamAny) -> Result<FutureAny> {
        Wasi::write_via_stream(self, s, data, false)
    }
}

impl<T: 'static> stderr::Host<T> for Wasi<T> {
    fn write_via_stream(&self, s: StoreContextMut<'_, T>, data: StreamAny) -> Result<FutureAny> {
        Wasi::write_via_stream(self, s, data, true)
    }
}

impl<T: 'static> stdin::Host<T> for Wasi<T> {
    /// A stream the host fills from the context's stdin when the guest
    /// reads, and a future that resolves at the end of input.
    fn read_via_stream(&self, mut s: StoreContextMut<'_, T>) -> Result<(StreamAny, FutureAny)> {
        let get = self.get;
        let (future, writer) = FutureAny::from_host(&mut s);
        let mut writer = Some(writer);
        let stream = StreamAny::from_host(&mut s, move |mut s: StoreContextMut<'_, T>, max| {
            // Input that has not come yet lets the other tasks run; the
            // loop waits for it with them.
            let stdin = &get(s.data_mut()).stdin;
            if !stdin.ready() {
                if let Some(fd) = stdin.fd() {
                    wazi::component::ready_when_readable(&mut s, fd);
                }
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
        Ok((stream, future))
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
