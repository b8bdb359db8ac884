//! [`WasiCtx`]: the state a guest's WASI imports work on, whichever WASI
//! version it imports, and its [`WasiCtxBuilder`].

use crate::descriptors::Descriptors;
use crate::fs::{Dir, DirPerms};
use crate::net::NetworkPolicy;
use crate::stdio::{Stdin, Stdout};
use anyhow::{Context, Result};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// Builds a [`WasiCtx`]: arguments, environment, standard streams,
/// preopened directories and sockets.
#[derive(Default)]
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    preopens: Vec<(Dir, String)>,
    stdin: Stdin,
    stdout: Stdout,
    stderr: Stdout,
    listeners: Vec<Arc<TcpListener>>,
    network: NetworkPolicy,
    initial_cwd: Option<String>,
    limits: Limits,
    config_vars: Vec<(String, String)>,
    keyvalue_data: Vec<(String, Vec<u8>)>,
    max_resources: Option<usize>,
}

/// Limits on what one call may ask of the host, as wasmtime's `-S` keys
/// set them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Most bytes `get-random-bytes` may return (`-S max-random-size`; 64
    /// MiB by default, as in wasmtime).
    pub max_random_size: u64,
    /// Most bytes a `wasi:http` `fields` may hold (`-S max-http-fields-size`).
    pub max_http_fields_size: usize,
    /// `check-write`'s permit on an outgoing HTTP body (`-S
    /// http-outgoing-body-chunk-size`; 1 MiB by default, as in wasmtime).
    pub http_outgoing_body_chunk_size: usize,
    /// Writes to an outgoing HTTP body buffered besides the one being sent
    /// (`-S http-outgoing-body-buffer-chunks`; 1 by default).
    pub http_outgoing_body_buffer_chunks: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_random_size: 64 << 20,
            max_http_fields_size: 128 * 1024,
            http_outgoing_body_chunk_size: 1 << 20,
            http_outgoing_body_buffer_chunks: 1,
        }
    }
}

impl WasiCtxBuilder {
    /// A context with no arguments, environment, preopens or sockets, and
    /// standard streams that read nothing and drop what is written.
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }

    /// Appends an argument (the first is the program's name).
    pub fn arg(&mut self, arg: impl AsRef<str>) -> &mut WasiCtxBuilder {
        self.args.push(arg.as_ref().to_string());
        self
    }

    /// Appends arguments.
    pub fn args(&mut self, args: &[impl AsRef<str>]) -> &mut WasiCtxBuilder {
        for a in args {
            self.arg(a);
        }
        self
    }

    /// Sets an environment variable (appended; the guest sees every pair
    /// in order).
    pub fn env(&mut self, key: impl AsRef<str>, value: impl AsRef<str>) -> &mut WasiCtxBuilder {
        self.env.push((key.as_ref().to_string(), value.as_ref().to_string()));
        self
    }

    /// Passes the host's whole environment (variables that are not UTF-8
    /// are left out).
    pub fn inherit_env(&mut self) -> &mut WasiCtxBuilder {
        for (k, v) in std::env::vars_os() {
            if let (Ok(k), Ok(v)) = (k.into_string(), v.into_string()) {
                self.env.push((k, v));
            }
        }
        self
    }

    /// Where the guest's standard input comes from (nothing by default).
    pub fn stdin(&mut self, stdin: Stdin) -> &mut WasiCtxBuilder {
        self.stdin = stdin;
        self
    }

    /// Where the guest's standard output goes (discarded by default).
    pub fn stdout(&mut self, stdout: Stdout) -> &mut WasiCtxBuilder {
        self.stdout = stdout;
        self
    }

    /// Where the guest's standard error goes (discarded by default).
    pub fn stderr(&mut self, stderr: Stdout) -> &mut WasiCtxBuilder {
        self.stderr = stderr;
        self
    }

    /// The host's standard input.
    pub fn inherit_stdin(&mut self) -> &mut WasiCtxBuilder {
        self.stdin(Stdin::Inherit)
    }

    /// The host's standard output.
    pub fn inherit_stdout(&mut self) -> &mut WasiCtxBuilder {
        self.stdout(Stdout::InheritStdout)
    }

    /// The host's standard error.
    pub fn inherit_stderr(&mut self) -> &mut WasiCtxBuilder {
        self.stderr(Stdout::InheritStderr)
    }

    /// The host's standard input, output and error.
    pub fn inherit_stdio(&mut self) -> &mut WasiCtxBuilder {
        self.inherit_stdin().inherit_stdout().inherit_stderr()
    }

    /// Gives the guest the host directory `host`, under the name `guest`.
    /// Everything the guest reaches through it stays inside it.
    pub fn preopened_dir(
        &mut self,
        host: impl AsRef<Path>,
        guest: impl AsRef<str>,
        perms: DirPerms,
    ) -> Result<&mut WasiCtxBuilder> {
        let host = host.as_ref();
        let dir = cap_std::fs::Dir::open_ambient_dir(host, cap_std::ambient_authority())
            .with_context(|| format!("failed to open directory `{}`", host.display()))?;
        self.preopens.push((Dir::preopen(dir, perms), guest.as_ref().to_string()));
        Ok(self)
    }

    /// Gives the guest a listening TCP socket (WASI 0.1: a descriptor
    /// after the preopened directories, for `sock_accept`).
    pub fn preopened_socket(&mut self, listener: TcpListener) -> &mut WasiCtxBuilder {
        self.listeners.push(Arc::new(listener));
        self
    }

    /// Lets components use the host's network: every address and port
    /// (`wasi:sockets`). Without it, binds and connects are refused with
    /// `access-denied`.
    pub fn inherit_network(&mut self) -> &mut WasiCtxBuilder {
        self.network.inherit = true;
        self
    }

    /// Whether components may create TCP sockets (on by default).
    pub fn allow_tcp(&mut self, allow: bool) -> &mut WasiCtxBuilder {
        self.network.tcp = allow;
        self
    }

    /// Whether components may create UDP sockets (on by default).
    pub fn allow_udp(&mut self, allow: bool) -> &mut WasiCtxBuilder {
        self.network.udp = allow;
        self
    }

    /// Whether components may resolve host names (off by default).
    pub fn allow_ip_name_lookup(&mut self, allow: bool) -> &mut WasiCtxBuilder {
        self.network.ip_name_lookup = allow;
        self
    }

    /// Adds a variable `wasi:config/store` serves (when the WASI 0.2
    /// surface's `add_config_to_linker` defines it).
    pub fn config_var(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.config_vars.push((name.into(), value.into()));
        self
    }

    /// Presets `key` to `value` in the in-memory `wasi:keyvalue` buckets
    /// (when the WASI 0.2 surface's `add_keyvalue_to_linker` defines them).
    pub fn keyvalue_data(
        &mut self,
        key: impl Into<String>,
        value: impl Into<Vec<u8>>,
    ) -> &mut Self {
        self.keyvalue_data.push((key.into(), value.into()));
        self
    }

    /// The most WASI objects (streams, descriptors, sockets, HTTP values...)
    /// the guest may have at once (1,000,000 by default); creating one more
    /// traps with "resource table has no free keys".
    pub fn max_resources(&mut self, max: usize) -> &mut WasiCtxBuilder {
        self.max_resources = Some(max);
        self
    }

    /// The initial working directory `wasi:cli/environment` reports (none
    /// by default).
    pub fn initial_cwd(&mut self, cwd: impl Into<String>) -> &mut WasiCtxBuilder {
        self.initial_cwd = Some(cwd.into());
        self
    }

    /// The most bytes one `get-random-bytes` or `get-insecure-random-bytes`
    /// call may ask for (64 MiB by default); a larger request traps.
    pub fn max_random_size(&mut self, bytes: u64) -> &mut WasiCtxBuilder {
        self.limits.max_random_size = bytes;
        self
    }

    /// The most bytes a `wasi:http` `fields` (headers or trailers) may hold,
    /// counted as wasmtime counts them (128 KiB by default); growing past it
    /// traps.
    pub fn max_http_fields_size(&mut self, bytes: usize) -> &mut WasiCtxBuilder {
        self.limits.max_http_fields_size = bytes;
        self
    }

    /// The most bytes one write to an outgoing HTTP body may carry (what
    /// `check-write` permits; 1 MiB by default, as in wasmtime). At least 1.
    pub fn http_outgoing_body_chunk_size(&mut self, bytes: usize) -> &mut WasiCtxBuilder {
        self.limits.http_outgoing_body_chunk_size = bytes.max(1);
        self
    }

    /// How many writes to an outgoing HTTP body are buffered besides the
    /// one being sent before `check-write` permits nothing (1 by default,
    /// as in wasmtime): with the chunk size, what bounds the memory a body
    /// holds.
    pub fn http_outgoing_body_buffer_chunks(&mut self, chunks: usize) -> &mut WasiCtxBuilder {
        self.limits.http_outgoing_body_buffer_chunks = chunks;
        self
    }

    /// The context.
    pub fn build(&mut self) -> WasiCtx {
        let b = std::mem::take(self);
        // wasmtime's default `-S max-resources`.
        let max_resources = b.max_resources.unwrap_or(1_000_000);
        WasiCtx {
            args: b.args,
            env: b.env,
            preopens: b.preopens,
            stdin: b.stdin,
            stdout: b.stdout,
            stderr: b.stderr,
            listeners: b.listeners,
            monotonic_start: Instant::now(),
            descriptors: None,
            network: b.network,
            initial_cwd: b.initial_cwd,
            limits: b.limits,
            config_vars: b.config_vars,
            keyvalue_data: b.keyvalue_data,
            table: {
                let mut t = wazi::component::ResourceTable::new();
                t.set_max_capacity(max_resources);
                t
            },
            max_resources,
            insecure_seed: {
                let mut b = [0u8; 16];
                // Without a random source the seed is merely fixed.
                let _ = getrandom::fill(&mut b);
                u128::from_le_bytes(b)
            },
            body_lengths: Default::default(),
        }
    }
}

/// The state behind a guest's WASI imports.
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) preopens: Vec<(Dir, String)>,
    pub(crate) stdin: Stdin,
    pub(crate) stdout: Stdout,
    pub(crate) stderr: Stdout,
    pub(crate) listeners: Vec<Arc<TcpListener>>,
    monotonic_start: Instant,
    /// The descriptor table (WASI 0.1's), created on first use
    /// ([`WasiCtx::descriptors`]).
    pub(crate) descriptors: Option<Descriptors>,
    /// What `wasi:sockets` may reach.
    pub(crate) network: NetworkPolicy,
    /// What `wasi:cli/environment.initial-cwd` returns.
    pub(crate) initial_cwd: Option<String>,
    pub(crate) limits: Limits,
    /// What `wasi:config/store` serves.
    pub(crate) config_vars: Vec<(String, String)>,
    /// What new in-memory `wasi:keyvalue` buckets hold.
    pub(crate) keyvalue_data: Vec<(String, Vec<u8>)>,
    /// WASI 0.2's resources (streams, pollables, errors, ...).
    pub(crate) table: wazi::component::ResourceTable,
    /// Most resources (WASI 0.2) or descriptors (WASI 0.1) held at once.
    pub(crate) max_resources: usize,
    /// What `wasi:random/insecure-seed` returns (fixed per context).
    pub(crate) insecure_seed: u128,
    /// The declared lengths of incoming HTTP bodies a guest holds as
    /// streams (WASI 0.3), so that one passed on unread keeps its length.
    pub(crate) body_lengths: crate::http::BodyLengths,
}

impl WasiCtx {
    /// Nanoseconds since the Unix epoch.
    pub(crate) fn wall_now(&self) -> Duration {
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default()
    }

    /// The wall clock's resolution.
    pub(crate) fn wall_resolution(&self) -> Duration {
        let res = rustix::time::clock_getres(rustix::time::ClockId::Realtime);
        Duration::new(res.tv_sec as u64, res.tv_nsec as u32)
    }

    /// Nanoseconds on the monotonic clock (since the context was built).
    pub(crate) fn monotonic_now(&self) -> u64 {
        Instant::now().duration_since(self.monotonic_start).as_nanos() as u64
    }

    /// The monotonic clock's resolution, in nanoseconds.
    pub(crate) fn monotonic_resolution(&self) -> u64 {
        let res = rustix::time::clock_getres(rustix::time::ClockId::Monotonic);
        (res.tv_sec as u64) * 1_000_000_000 + res.tv_nsec as u64
    }

    /// Cryptographically secure random bytes.
    pub(crate) fn random_bytes(&self, buf: &mut [u8]) -> Result<()> {
        getrandom::fill(buf).map_err(|e| anyhow::anyhow!("failed to get random bytes: {e}"))
    }
}

/// Finds the context in the store's data.
pub type GetCtx<T> = fn(&mut T) -> &mut WasiCtx;

/// Defines resource `name` as the host type `R`, whose values live in the
/// context's table: dropping a guest's handle deletes its entry.
pub(crate) fn table_resource<T: 'static, R: 'static>(
    i: &mut wazi::component::LinkerInstance<'_, T>,
    name: &str,
    get: GetCtx<T>,
) -> Result<()> {
    i.resource(name, wazi::component::ResourceType::host::<R>(), move |mut s, rep| {
        get(s.data_mut()).table.delete(wazi::component::Resource::<R>::new_own(rep))?;
        Ok(())
    })
}

impl WasiCtx {
    /// `len` random bytes, unless that is more than the context allows
    /// (64 MiB by default, as in wasmtime): then the call traps.
    pub(crate) fn random_vec(&self, len: u64) -> Result<Vec<u8>> {
        let max = self.limits.max_random_size;
        if len > max {
            anyhow::bail!("requested len {len} exceeds limit {max}");
        }
        let mut buf = vec![0; len as usize];
        self.random_bytes(&mut buf)?;
        Ok(buf)
    }

    /// `insecure-seed`: the context's seed as two halves.
    pub(crate) fn insecure_seed_pair(&self) -> (u64, u64) {
        (self.insecure_seed as u64, (self.insecure_seed >> 64) as u64)
    }

    /// A handle to `terminal` if the standard stream (`0` stdin, `1`
    /// stdout, `2` stderr) is a terminal (`get-terminal-std*`).
    pub(crate) fn terminal<R: Send + 'static>(
        &mut self,
        stream: u8,
        terminal: R,
    ) -> Result<Option<wazi::component::Resource<R>>> {
        let tty = match stream {
            0 => self.stdin.is_terminal(),
            1 => self.stdout.is_terminal(),
            _ => self.stderr.is_terminal(),
        };
        Ok(if tty { Some(self.table.push(terminal)?) } else { None })
    }

    /// A random `u64`.
    pub(crate) fn random_u64(&self) -> Result<u64> {
        let mut b = [0; 8];
        self.random_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
}

/// The `run` function of `component`'s export `export` (an instance of
/// `wasi:cli/run`), instantiated in `store`.
pub(crate) fn run_func<T: 'static>(
    store: &mut wazi::Store<T>,
    linker: &wazi::component::Linker<T>,
    component: &wazi::component::Component,
    export: &str,
) -> Result<(wazi::component::Instance, wazi::component::ComponentExportIndex)> {
    let instance = linker.instantiate(&mut *store, component)?;
    let run = export_func(store, &instance, export, "run")?;
    Ok((instance, run))
}

/// The index of function `func` of `instance`'s exported interface
/// `export`.
pub(crate) fn export_func<T: 'static>(
    store: &mut wazi::Store<T>,
    instance: &wazi::component::Instance,
    export: &str,
    func: &str,
) -> Result<wazi::component::ComponentExportIndex> {
    use anyhow::Context;
    let iface = instance
        .get_export_index(&mut *store, None, export)
        .with_context(|| format!("no export `{export}`"))?;
    instance
        .get_export_index(&mut *store, Some(&iface), func)
        .with_context(|| format!("`{export}` has no `{func}` function"))
}

/// What a failed `run` call ends with: an exit stays one, anything else
/// (a trap, a host error) says where it came from, as wasmtime does.
pub(crate) fn run_failed(e: anyhow::Error) -> anyhow::Error {
    if e.is::<crate::I32Exit>() { e } else { e.context("failed to invoke `run` function") }
}

/// The host of WASI 0.2 and 0.3: implements the `Host` traits generated
/// from their WIT (`p2::bindings`, `p3::bindings`), finding the
/// [`WasiCtx`] in the store's data with `get`.
pub(crate) struct Wasi<T> {
    pub(crate) get: GetCtx<T>,
}

impl<T> Clone for Wasi<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Wasi<T> {}

impl<T: 'static> Wasi<T> {
    /// The context, in the store `s`.
    pub(crate) fn ctx<'a>(&self, s: &'a mut wazi::StoreContextMut<'_, T>) -> &'a mut WasiCtx {
        (self.get)(s.data_mut())
    }
}

/// The default destructor of the generated bindings' resources: a guest
/// dropping its handle deletes the host's entry from the context's table.
pub(crate) trait DropFromTable<T> {
    fn drop_resource<R: 'static>(
        &self,
        store: wazi::StoreContextMut<'_, T>,
        it: wazi::component::Resource<R>,
    ) -> Result<()>;
}

impl<T: 'static> DropFromTable<T> for Wasi<T> {
    fn drop_resource<R: 'static>(
        &self,
        mut store: wazi::StoreContextMut<'_, T>,
        it: wazi::component::Resource<R>,
    ) -> Result<()> {
        self.ctx(&mut store).table.delete(it)?;
        Ok(())
    }
}

/// Implements `wasi:random`'s `random`, `insecure` and `insecure-seed`
/// (whose function is `$seed`) of one WASI version's bindings for
/// [`Wasi`]: the same sources in WASI 0.2 and 0.3.
macro_rules! random_host {
    ($random:path, $insecure:path, $insecure_seed:path, $seed:ident) => {
        impl<T: 'static> $random for crate::ctx::Wasi<T> {
            fn get_random_bytes(
                &self,
                mut s: wazi::StoreContextMut<'_, T>,
                len: u64,
            ) -> anyhow::Result<Vec<u8>> {
                self.ctx(&mut s).random_vec(len)
            }

            fn get_random_u64(&self, mut s: wazi::StoreContextMut<'_, T>) -> anyhow::Result<u64> {
                self.ctx(&mut s).random_u64()
            }
        }

        impl<T: 'static> $insecure for crate::ctx::Wasi<T> {
            fn get_insecure_random_bytes(
                &self,
                mut s: wazi::StoreContextMut<'_, T>,
                len: u64,
            ) -> anyhow::Result<Vec<u8>> {
                self.ctx(&mut s).random_vec(len)
            }

            fn get_insecure_random_u64(
                &self,
                mut s: wazi::StoreContextMut<'_, T>,
            ) -> anyhow::Result<u64> {
                self.ctx(&mut s).random_u64()
            }
        }

        impl<T: 'static> $insecure_seed for crate::ctx::Wasi<T> {
            fn $seed(&self, mut s: wazi::StoreContextMut<'_, T>) -> anyhow::Result<(u64, u64)> {
                Ok(self.ctx(&mut s).insecure_seed_pair())
            }
        }
    };
}
pub(crate) use random_host;
