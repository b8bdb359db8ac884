//! `-W` (wasm) and `-S` (WASI) options, spelled as in `wasmtime run`:
//! `-W key[=value][,key[=value]...]`.

use anyhow::{Result, bail};
use std::time::Duration;
use wazi::{Config, StoreLimits, StoreLimitsBuilder};

/// One option: its key, the form of its value, and what it does. `None` in
/// `supported` means wazi knows the option but cannot honour `=y`.
struct Opt {
    key: &'static str,
    value: &'static str,
    help: &'static str,
}

const WASM_OPTS: &[Opt] = &[
    Opt {
        key: "fuel",
        value: "N",
        help: "Enable execution fuel with N units fuel, trapping after running out of fuel.",
    },
    Opt {
        key: "epoch-interruption",
        value: "[=y|n]",
        help: "Check an epoch counter at function entries and loop headers (used by `timeout`).",
    },
    Opt {
        key: "max-wasm-stack",
        value: "N",
        help: "Maximum size, in bytes, of the wasm call stack (values and frames each) before a stack overflow is reported.",
    },
    Opt {
        key: "max-memory-size",
        value: "N",
        help: "Maximum size, in bytes, that a linear memory is allowed to reach.",
    },
    Opt {
        key: "max-table-elements",
        value: "N",
        help: "Maximum size, in table elements, that a table is allowed to reach.",
    },
    Opt {
        key: "max-instances",
        value: "N",
        help: "Maximum number of WebAssembly instances allowed to be created.",
    },
    Opt {
        key: "max-tables",
        value: "N",
        help: "Maximum number of WebAssembly tables allowed to be created.",
    },
    Opt {
        key: "max-memories",
        value: "N",
        help: "Maximum number of WebAssembly linear memories allowed to be created.",
    },
    Opt {
        key: "trap-on-grow-failure",
        value: "[=y|n]",
        help: "Force a trap to be raised on `memory.grow` and `table.grow` failure instead of returning -1.",
    },
    Opt {
        key: "timeout",
        value: "N|Ns|Nms|..",
        help: "Maximum execution time of wasm code before timing out (1, 2s, 100ms, etc).",
    },
    Opt {
        key: "unknown-imports-trap",
        value: "[=y|n]",
        help: "Allow the main module to import unknown functions, using an implementation that immediately traps.",
    },
    Opt {
        key: "unknown-imports-default",
        value: "[=y|n]",
        help: "Allow the main module to import unknown functions, using an implementation that returns default values.",
    },
    Opt {
        key: "tail-call",
        value: "[=y|n]",
        help: "Configure support for the tail-call proposal (on by default).",
    },
    Opt {
        key: "extended-const",
        value: "[=y|n]",
        help: "Configure support for the extended-const proposal (on by default).",
    },
    Opt {
        key: "bulk-memory",
        value: "[=y|n]",
        help: "The bulk memory proposal (always on in wazi).",
    },
    Opt {
        key: "multi-value",
        value: "[=y|n]",
        help: "The multi-value proposal (always on in wazi).",
    },
    Opt {
        key: "reference-types",
        value: "[=y|n]",
        help: "The reference-types proposal (always on in wazi).",
    },
    Opt { key: "component-model", value: "[=y|n]", help: "The component model (on by default)." },
    Opt {
        key: "component-model-async",
        value: "[=y|n]",
        help: "The component model's async ABI: async functions, streams, futures (on by default).",
    },
    Opt {
        key: "component-model-more-async-builtins",
        value: "[=y|n]",
        help: "Async built-ins beyond the core set (🚝; always on in wazi).",
    },
    Opt {
        key: "component-model-async-stackful",
        value: "[=y|n]",
        help: "Async lifting without a callback (🚟; always on in wazi).",
    },
    Opt {
        key: "component-model-threading",
        value: "[=y|n]",
        help: "Cooperative threads, `thread.*` built-ins (🧵; always on in wazi).",
    },
    Opt {
        key: "component-model-error-context",
        value: "[=y|n]",
        help: "The `error-context` type (📝; always on in wazi).",
    },
    Opt {
        key: "component-model-fixed-length-lists",
        value: "[=y|n]",
        help: "Fixed-length lists (🔧; always on in wazi).",
    },
    Opt { key: "component-model-map", value: "[=y|n]", help: "Map types (always on in wazi)." },
    Opt {
        key: "component-model-implements",
        value: "[=y|n]",
        help: "`(implements ...)` names (always on in wazi).",
    },
    Opt {
        key: "component-model-gc",
        value: "[=y|n]",
        help: "The GC canonical ABI (not supported by wazi: only `=n`).",
    },
    Opt {
        key: "component-model-memory64",
        value: "[=y|n]",
        help: "64-bit memories in the canonical ABI (not supported by wazi: only `=n`).",
    },
    Opt {
        key: "simd",
        value: "[=y|n]",
        help: "Configure support for the SIMD proposal (on by default).",
    },
    Opt {
        key: "relaxed-simd",
        value: "[=y|n]",
        help: "Configure support for the relaxed-simd proposal (on by default).",
    },
    Opt {
        key: "relaxed-simd-deterministic",
        value: "[=y|n]",
        help: "Give the relaxed-simd instructions their deterministic results (those of the non-relaxed instructions) instead of x86-64's (off by default).",
    },
    Opt {
        key: "custom-page-sizes",
        value: "[=y|n]",
        help: "Configure support for the custom-page-sizes proposal (off by default).",
    },
    Opt {
        key: "wide-arithmetic",
        value: "[=y|n]",
        help: "Configure support for the wide-arithmetic proposal (off by default).",
    },
    Opt {
        key: "threads",
        value: "[=y|n]",
        help: "Configure support for the threads proposal: shared memories and atomics (on by default).",
    },
    Opt {
        key: "memory64",
        value: "[=y|n]",
        help: "Configure support for the memory64 proposal (on by default).",
    },
    Opt {
        key: "multi-memory",
        value: "[=y|n]",
        help: "Configure support for the multi-memory proposal (on by default).",
    },
    Opt {
        key: "gc",
        value: "[=y|n]",
        help: "Configure support for the GC proposal (on by default).",
    },
    Opt {
        key: "gc-support",
        value: "[=y|n]",
        help: "Whether any GC infrastructure is enabled (`=n` turns the GC proposal off).",
    },
    Opt {
        key: "function-references",
        value: "[=y|n]",
        help: "Configure support for the function-references proposal (on by default).",
    },
    Opt {
        key: "exceptions",
        value: "[=y|n]",
        help: "Configure support for the exception-handling proposal (on by default).",
    },
    Opt {
        key: "legacy-exceptions",
        value: "[=y|n]",
        help: "Configure support for the legacy exception instructions `try`, `catch`, \
               `delegate`, `rethrow` (a wazi extension; off by default, as wasmtime refuses them).",
    },
    Opt {
        key: "nan-canonicalization",
        value: "[=y|n]",
        help: "Canonicalize NaN values (not supported by wazi: only `=n`).",
    },
];

const WASI_OPTS: &[Opt] = &[
    Opt {
        key: "cli",
        value: "[=y|n]",
        help: "Enable support for WASI CLI APIs, including filesystems, sockets, clocks, and random (on by default for `run`, off for `serve`).",
    },
    Opt { key: "common", value: "[=y|n]", help: "Deprecated alias for `cli`." },
    Opt {
        key: "inherit-env",
        value: "[=y|n]",
        help: "Inherit all environment variables from the parent process.",
    },
    Opt {
        key: "inherit-stdin",
        value: "[=y|n]",
        help: "Inherit stdin from the parent process. On by default.",
    },
    Opt {
        key: "inherit-stdout",
        value: "[=y|n]",
        help: "Inherit stdout from the parent process. On by default.",
    },
    Opt {
        key: "inherit-stderr",
        value: "[=y|n]",
        help: "Inherit stderr from the parent process. On by default.",
    },
    Opt {
        key: "tcplisten",
        value: "=ADDR",
        help: "Grant access to a TCP socket listening on ADDR (WASI 0.1: a descriptor after the preopened directories, for `sock_accept`).",
    },
    Opt {
        key: "preview2",
        value: "[=y|n]",
        help: "Implement WASI 0.1 on the shared WASI core (always `y` in wazi).",
    },
    Opt {
        key: "tcp",
        value: "[=y|n]",
        help: "Whether `wasi:sockets` TCP support is enabled (components).",
    },
    Opt {
        key: "udp",
        value: "[=y|n]",
        help: "Whether `wasi:sockets` UDP support is enabled (components).",
    },
    Opt {
        key: "inherit-network",
        value: "[=y|n]",
        help: "Give components the host's network (all addresses and ports).",
    },
    Opt {
        key: "allow-ip-name-lookup",
        value: "[=y|n]",
        help: "Whether `wasi:sockets/ip-name-lookup` is enabled (components).",
    },
    Opt {
        key: "http",
        value: "[=y|n]",
        help: "Enable support for WASI HTTP imports (`wasi:http/types`, `outgoing-handler`); always on for `serve`.",
    },
    Opt {
        key: "nn",
        value: "[=y|n]",
        help: "WASI neural network imports (not supported by wazi: only `=n`).",
    },
    Opt {
        key: "threads",
        value: "[=y|n]",
        help: "WASI threads (not supported by wazi: only `=n`).",
    },
    Opt {
        key: "config",
        value: "[=y|n]",
        help: "Enable support for WASI config imports (`wasi:config/store@0.2.0-rc.1`).",
    },
    Opt {
        key: "keyvalue",
        value: "[=y|n]",
        help: "Enable support for WASI key-value imports (`wasi:keyvalue@0.2.0-draft`, in memory).",
    },
    Opt {
        key: "tls",
        value: "[=y|n]",
        help: "WASI TLS imports (not supported by wazi: only `=n`).",
    },
    Opt {
        key: "listenfd",
        value: "[=y|n]",
        help: "systemd listen fds (not supported by wazi: only `=n`).",
    },
    Opt {
        key: "preview0",
        value: "[=y|n]",
        help: "Imports from the `wasi_unstable` module (not supported by wazi: only `=n`).",
    },
    Opt {
        key: "p3",
        value: "[=y|n]",
        help: "WASI 0.3 APIs (cli, clocks, random so far; on by default, as in wasmtime).",
    },
    Opt {
        key: "cli-exit-with-code",
        value: "[=y|n]",
        help: "`wasi:cli/exit.exit-with-code` (stable since WASI 0.2.12: always provided).",
    },
    Opt {
        key: "keyvalue-in-memory-data",
        value: "=<name>=<val>",
        help: "Preset data for the In-Memory provider of WASI key-value API.",
    },
    Opt {
        key: "config-var",
        value: "=<name>=<val>",
        help: "Pass a wasi config variable to the program.",
    },
    Opt {
        key: "cwd",
        value: "=val",
        help: "Initial current working directory reported through `wasi:cli/environment`.",
    },
    Opt {
        key: "max-resources",
        value: "=N",
        help: "Maximum resources the guest is allowed to create simultaneously (default \
               1,000,000).",
    },
    Opt {
        key: "max-component-handles",
        value: "=N",
        help: "Maximum live component-model handles per store (not supported by wazi yet).",
    },
    Opt {
        key: "hostcall-fuel",
        value: "=N",
        help: "Bytes a host call may copy out of the guest (strings, lists, WASI 0.1 paths \
               and buffers); past it the call fails (default 128 MiB).",
    },
    Opt {
        key: "http-outgoing-body-buffer-chunks",
        value: "=N",
        help: "Number of distinct write calls to an outgoing HTTP body's stream that are \
               buffered (default 1).",
    },
    Opt {
        key: "http-outgoing-body-chunk-size",
        value: "=N",
        help: "Largest write to an outgoing HTTP body's stream: what check-write permits \
               (default 1 MiB).",
    },
    Opt {
        key: "nn-graph",
        value: "=<format>::<dir>",
        help: "Pre-load wasi-nn graphs (not supported by wazi).",
    },
    Opt {
        key: "network-error-code",
        value: "[=y|n]",
        help: "Unstable `network-error-code` APIs (not supported by wazi: only `=n`).",
    },
    Opt {
        key: "max-random-size",
        value: "=N",
        help: "Most bytes one `get{,-insecure}-random-bytes` call may ask for; more traps \
               (default 64 MiB).",
    },
    Opt {
        key: "max-http-fields-size",
        value: "=N",
        help: "Most bytes a wasi-http `fields` (headers, trailers) may hold; growing past it \
               traps (default 128 KiB).",
    },
];

fn listing(flag: &str, opts: &[Opt]) -> String {
    let width = opts.iter().map(|o| o.key.len() + o.value.len()).max().unwrap_or(0);
    let mut out = String::new();
    for o in opts {
        let kv = format!("{}{}", o.key, o.value);
        out.push_str(&format!("  {flag} {kv:>width$} -- {}\n", o.help));
    }
    out
}

/// Splits `-W a=1,b` options into `(key, value)` pairs; `help` prints the
/// list of options and exits.
fn pairs(
    flag: &str,
    kind: &str,
    specs: &[String],
    opts: &[Opt],
) -> Result<Vec<(String, Option<String>)>> {
    let mut out = Vec::new();
    for spec in specs {
        for item in spec.split(',').filter(|s| !s.is_empty()) {
            let (k, v) = match item.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (item.to_string(), None),
            };
            if k == "help" || k == "help-long" {
                print!("Available {kind} options:\n\n{}", listing(flag, opts));
                std::process::exit(0);
            }
            if !opts.iter().any(|o| o.key == k) {
                // A usage error, reported as clap reports them.
                eprint!(
                    "error: unknown {flag} / --{kind} option: {k}\n\nvalid options are:\n{}",
                    listing(flag, opts)
                );
                std::process::exit(2);
            }
            out.push((k, v));
        }
    }
    Ok(out)
}

fn boolean(key: &str, v: &Option<String>) -> Result<bool> {
    match v.as_deref() {
        None | Some("y") | Some("yes") | Some("true") => Ok(true),
        Some("n") | Some("no") | Some("false") => Ok(false),
        Some(other) => bail!("invalid value `{other}` for `{key}`: expected y or n"),
    }
}

fn number(key: &str, v: &Option<String>) -> Result<u64> {
    let Some(v) = v else { bail!("option `{key}` needs a value") };
    v.replace('_', "").parse().map_err(|e| anyhow::anyhow!("invalid value `{v}` for `{key}`: {e}"))
}

/// `N` (seconds) or `N` with a unit: ns, us, ms, s, m, h.
pub fn duration(key: &str, v: &Option<String>) -> Result<Duration> {
    let Some(v) = v else { bail!("option `{key}` needs a value") };
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (n, unit) = v.split_at(split);
    let n: u64 = n.parse().map_err(|_| anyhow::anyhow!("invalid duration `{v}` for `{key}`"))?;
    Ok(match unit {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "us" | "μs" => Duration::from_micros(n),
        "ns" => Duration::from_nanos(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        _ => bail!("invalid duration `{v}` for `{key}`: unknown unit `{unit}`"),
    })
}

/// Parsed `-W` options.
#[derive(Default)]
pub struct WasmOptions {
    pub fuel: Option<u64>,
    pub timeout: Option<Duration>,
    pub unknown_imports_trap: bool,
    pub unknown_imports_default: bool,
    max_wasm_stack: Option<u64>,
    max_memory_size: Option<u64>,
    max_table_elements: Option<u64>,
    max_instances: Option<u64>,
    max_tables: Option<u64>,
    max_memories: Option<u64>,
    trap_on_grow_failure: bool,
    tail_call: Option<bool>,
    extended_const: Option<bool>,
    simd: Option<bool>,
    relaxed_simd: Option<bool>,
    wide_arithmetic: Option<bool>,
    multi_memory: Option<bool>,
    relaxed_simd_deterministic: Option<bool>,
    custom_page_sizes: Option<bool>,
    memory64: Option<bool>,
    function_references: Option<bool>,
    gc: Option<bool>,
    exceptions: Option<bool>,
    legacy_exceptions: Option<bool>,
    threads: Option<bool>,
}

impl WasmOptions {
    pub fn parse(specs: &[String]) -> Result<WasmOptions> {
        let mut o = WasmOptions::default();
        for (k, v) in pairs("-W", "wasm", specs, WASM_OPTS)? {
            match k.as_str() {
                "fuel" => o.fuel = Some(number(&k, &v)?),
                "epoch-interruption" => {
                    boolean(&k, &v)?;
                }
                "max-wasm-stack" => o.max_wasm_stack = Some(number(&k, &v)?),
                "max-memory-size" => o.max_memory_size = Some(number(&k, &v)?),
                "max-table-elements" => o.max_table_elements = Some(number(&k, &v)?),
                "max-instances" => o.max_instances = Some(number(&k, &v)?),
                "max-tables" => o.max_tables = Some(number(&k, &v)?),
                "max-memories" => o.max_memories = Some(number(&k, &v)?),
                "trap-on-grow-failure" => o.trap_on_grow_failure = boolean(&k, &v)?,
                "timeout" => o.timeout = Some(duration(&k, &v)?),
                "unknown-imports-trap" => o.unknown_imports_trap = boolean(&k, &v)?,
                "unknown-imports-default" => o.unknown_imports_default = boolean(&k, &v)?,
                "tail-call" => o.tail_call = Some(boolean(&k, &v)?),
                "extended-const" => o.extended_const = Some(boolean(&k, &v)?),
                "simd" => o.simd = Some(boolean(&k, &v)?),
                "relaxed-simd" => o.relaxed_simd = Some(boolean(&k, &v)?),
                "wide-arithmetic" => o.wide_arithmetic = Some(boolean(&k, &v)?),
                "multi-memory" => o.multi_memory = Some(boolean(&k, &v)?),
                "custom-page-sizes" => o.custom_page_sizes = Some(boolean(&k, &v)?),
                "memory64" => o.memory64 = Some(boolean(&k, &v)?),
                "function-references" => o.function_references = Some(boolean(&k, &v)?),
                "gc" | "gc-support" => o.gc = Some(boolean(&k, &v)? && o.gc != Some(false)),
                "exceptions" => o.exceptions = Some(boolean(&k, &v)?),
                "threads" => o.threads = Some(boolean(&k, &v)?),
                "legacy-exceptions" => o.legacy_exceptions = Some(boolean(&k, &v)?),
                "relaxed-simd-deterministic" => {
                    o.relaxed_simd_deterministic = Some(boolean(&k, &v)?)
                }
                "bulk-memory"
                | "multi-value"
                | "reference-types"
                | "component-model"
                | "component-model-async"
                | "component-model-more-async-builtins"
                | "component-model-async-stackful"
                | "component-model-threading"
                | "component-model-error-context"
                | "component-model-fixed-length-lists"
                | "component-model-map"
                | "component-model-implements" => {
                    if !boolean(&k, &v)? {
                        bail!("wazi: -W {k}=n is not supported: wazi always enables {k}");
                    }
                }
                _ => {
                    if boolean(&k, &v)? {
                        bail!("wazi: -W {k} is not supported: wazi does not implement it");
                    }
                }
            }
        }
        Ok(o)
    }

    pub fn configure(&self, config: &mut Config) -> Result<()> {
        if let Some(f) = self.tail_call {
            config.wasm_tail_call(f);
        }
        if let Some(f) = self.extended_const {
            config.wasm_extended_const(f);
        }
        if let Some(f) = self.simd {
            config.wasm_simd(f);
        }
        if let Some(f) = self.relaxed_simd {
            config.wasm_relaxed_simd(f);
        }
        if let Some(f) = self.wide_arithmetic {
            config.wasm_wide_arithmetic(f);
        }
        if let Some(f) = self.multi_memory {
            config.wasm_multi_memory(f);
        }
        if let Some(f) = self.relaxed_simd_deterministic {
            config.relaxed_simd_deterministic(f);
        }
        if let Some(f) = self.custom_page_sizes {
            config.wasm_custom_page_sizes(f);
        }
        if let Some(f) = self.memory64 {
            config.wasm_memory64(f);
        }
        if let Some(f) = self.function_references {
            config.wasm_function_references(f);
        }
        if let Some(f) = self.gc {
            config.wasm_gc(f);
        }
        if let Some(f) = self.exceptions {
            config.wasm_exceptions(f);
        }
        if let Some(f) = self.threads {
            config.wasm_threads(f);
        }
        if let Some(f) = self.legacy_exceptions {
            config.wasm_legacy_exceptions(f);
        }
        if self.fuel.is_some() {
            config.consume_fuel(true);
        }
        if self.timeout.is_some() {
            config.epoch_interruption(true);
        }
        if let Some(s) = self.max_wasm_stack {
            config.max_wasm_stack(usize::try_from(s)?);
        }
        Ok(())
    }

    pub fn limits(&self) -> StoreLimits {
        let mut b = StoreLimitsBuilder::new().trap_on_grow_failure(self.trap_on_grow_failure);
        if let Some(n) = self.max_memory_size {
            b = b.memory_size(n as usize);
        }
        if let Some(n) = self.max_table_elements {
            b = b.table_elements(n as usize);
        }
        if let Some(n) = self.max_instances {
            b = b.instances(n as usize);
        }
        if let Some(n) = self.max_tables {
            b = b.tables(n as usize);
        }
        if let Some(n) = self.max_memories {
            b = b.memories(n as usize);
        }
        b.build()
    }
}

/// Parsed `-S` options.
pub struct WasiOptions {
    /// `-S cli`, when given (its default depends on the command).
    pub cli: Option<bool>,
    /// `-S p3`, when given (on by default).
    pub p3: Option<bool>,
    pub http: bool,
    pub inherit_env: bool,
    pub inherit_stdin: bool,
    pub inherit_stdout: bool,
    pub inherit_stderr: bool,
    pub tcplisten: Vec<String>,
    pub tcp: bool,
    pub udp: bool,
    pub inherit_network: bool,
    pub allow_ip_name_lookup: bool,
    pub cwd: Option<String>,
    pub config: bool,
    pub config_vars: Vec<(String, String)>,
    pub keyvalue: bool,
    pub max_resources: Option<usize>,
    /// `-S hostcall-fuel`: see [`wazi::Store::set_hostcall_fuel`].
    pub hostcall_fuel: Option<usize>,
    pub keyvalue_data: Vec<(String, String)>,
    pub max_random_size: Option<u64>,
    pub max_http_fields_size: Option<usize>,
    pub http_outgoing_body_buffer_chunks: Option<usize>,
    pub http_outgoing_body_chunk_size: Option<usize>,
}

impl WasiOptions {
    pub fn parse(specs: &[String]) -> Result<WasiOptions> {
        let mut o = WasiOptions {
            cli: None,
            p3: None,
            http: false,
            inherit_env: false,
            inherit_stdin: true,
            inherit_stdout: true,
            inherit_stderr: true,
            tcplisten: Vec::new(),
            tcp: true,
            udp: true,
            inherit_network: false,
            allow_ip_name_lookup: false,
            cwd: None,
            config: false,
            config_vars: Vec::new(),
            keyvalue: false,
            max_resources: None,
            hostcall_fuel: None,
            keyvalue_data: Vec::new(),
            max_random_size: None,
            max_http_fields_size: None,
            http_outgoing_body_buffer_chunks: None,
            http_outgoing_body_chunk_size: None,
        };
        for (k, v) in pairs("-S", "wasi", specs, WASI_OPTS)? {
            match k.as_str() {
                "cli" | "common" => o.cli = Some(boolean(&k, &v)?),
                "http" => o.http = boolean(&k, &v)?,
                "p3" => o.p3 = Some(boolean(&k, &v)?),
                "inherit-env" => o.inherit_env = boolean(&k, &v)?,
                "inherit-stdin" => o.inherit_stdin = boolean(&k, &v)?,
                "inherit-stdout" => o.inherit_stdout = boolean(&k, &v)?,
                "inherit-stderr" => o.inherit_stderr = boolean(&k, &v)?,
                "tcplisten" => match v {
                    Some(addr) => o.tcplisten.push(addr),
                    None => bail!("option `tcplisten` needs an address"),
                },
                "preview2" => {
                    if !boolean(&k, &v)? {
                        bail!("the `-Spreview2=n` flag is no longer supported");
                    }
                }
                // Networking of components (`wasi:sockets`).
                "tcp" => o.tcp = boolean(&k, &v)?,
                "udp" => o.udp = boolean(&k, &v)?,
                "inherit-network" => o.inherit_network = boolean(&k, &v)?,
                "allow-ip-name-lookup" => o.allow_ip_name_lookup = boolean(&k, &v)?,
                "config" => o.config = boolean(&k, &v)?,
                "keyvalue" => o.keyvalue = boolean(&k, &v)?,
                "keyvalue-in-memory-data" => match v.as_deref().and_then(|v| v.split_once('=')) {
                    Some((key, value)) => o.keyvalue_data.push((key.into(), value.into())),
                    None => bail!("option `keyvalue-in-memory-data` needs `<name>=<val>`"),
                },
                "config-var" => match v.as_deref().and_then(|v| v.split_once('=')) {
                    Some((name, value)) => o.config_vars.push((name.into(), value.into())),
                    None => bail!("option `config-var` needs `<name>=<val>`"),
                },
                "cwd" => match v {
                    Some(dir) => o.cwd = Some(dir),
                    None => bail!("option `cwd` needs a directory"),
                },
                "max-random-size" => o.max_random_size = Some(number(&k, &v)?),
                "max-resources" => o.max_resources = Some(number(&k, &v)? as usize),
                "hostcall-fuel" => o.hostcall_fuel = Some(number(&k, &v)? as usize),
                "max-component-handles" | "nn-graph" => {
                    bail!("wazi: -S {k} is not supported yet")
                }
                "http-outgoing-body-buffer-chunks" => match number(&k, &v)? {
                    // wasmtime 48 accepts 0 and then panics on the first body.
                    0 => bail!("option `{k}` must be at least 1"),
                    n => o.http_outgoing_body_buffer_chunks = Some(n as usize),
                },
                "http-outgoing-body-chunk-size" => match number(&k, &v)? {
                    // No write could ever be made to a body.
                    0 => bail!("option `{k}` must be at least 1"),
                    n => o.http_outgoing_body_chunk_size = Some(n as usize),
                },
                "max-http-fields-size" => o.max_http_fields_size = Some(number(&k, &v)? as usize),
                // `exit-with-code` is stable since WASI 0.2.12: always there.
                "cli-exit-with-code" => {
                    boolean(&k, &v)?;
                }
                _ => {
                    if boolean(&k, &v)? {
                        bail!("wazi: -S {k} is not supported");
                    }
                }
            }
        }
        Ok(o)
    }
}

/// Every `-W` and `-S` option, for `wazi help run`.
pub fn help_text() -> String {
    format!(
        "Options for -W (--wasm KEY[=VAL[,..]]):\n{}\nOptions for -S (--wasi KEY[=VAL[,..]]):\n{}",
        listing("-W", WASM_OPTS),
        listing("-S", WASI_OPTS)
    )
}
