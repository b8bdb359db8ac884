//! [`Config`]: what an [`Engine`](crate::Engine) compiles and allows, and
//! [`CompilationMode`].

/// When functions are validated and translated to bytecode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CompilationMode {
    /// Validate and translate every function in `Module::new`.
    Eager,
    /// Validate every function in `Module::new`; translate each on its first
    /// call.
    #[default]
    LazyTranslation,
    /// Validate and translate each function on its first call. A function
    /// that does not validate is reported when it is first called, not when
    /// the module is loaded.
    Lazy,
}

/// Engine configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) consume_fuel: bool,
    pub(crate) epoch_interruption: bool,
    pub(crate) max_wasm_stack: usize,
    pub(crate) compilation_mode: CompilationMode,
    pub(crate) tail_call: bool,
    pub(crate) extended_const: bool,
    pub(crate) simd: bool,
    pub(crate) relaxed_simd: bool,
    pub(crate) wide_arithmetic: bool,
    pub(crate) multi_memory: bool,
    pub(crate) relaxed_simd_deterministic: bool,
    pub(crate) custom_page_sizes: bool,
    pub(crate) memory64: bool,
    pub(crate) function_references: bool,
    pub(crate) exceptions: bool,
    pub(crate) legacy_exceptions: bool,
    pub(crate) threads: bool,
    pub(crate) gc: bool,
    pub(crate) max_gc_heap_size: usize,
    pub(crate) gc_stress: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            consume_fuel: false,
            epoch_interruption: false,
            max_wasm_stack: 16 << 20,
            compilation_mode: CompilationMode::default(),
            tail_call: true,
            extended_const: true,
            simd: true,
            relaxed_simd: true,
            wide_arithmetic: false,
            multi_memory: true,
            relaxed_simd_deterministic: false,
            custom_page_sizes: false,
            memory64: true,
            function_references: true,
            exceptions: true,
            legacy_exceptions: false,
            threads: true,
            gc: true,
            max_gc_heap_size: 4 << 30,
            gc_stress: false,
        }
    }
}

impl Config {
    /// The default configuration.
    pub fn new() -> Config {
        Config::default()
    }

    /// Meter execution with fuel (see [`crate::Store::set_fuel`]). Off by
    /// default; when off, execution pays nothing for it.
    pub fn consume_fuel(&mut self, enable: bool) -> &mut Config {
        self.consume_fuel = enable;
        self
    }

    /// Check the engine's epoch at function entries and loop headers, so
    /// that [`Engine::increment_epoch`](crate::Engine::increment_epoch)
    /// can interrupt running code.
    pub fn epoch_interruption(&mut self, enable: bool) -> &mut Config {
        self.epoch_interruption = enable;
        self
    }

    /// The most memory, in bytes, the wasm call stack of one store may use
    /// for values and for frame records each (default 16 MiB). Exceeding it
    /// traps with "call stack exhausted".
    pub fn max_wasm_stack(&mut self, bytes: usize) -> &mut Config {
        self.max_wasm_stack = bytes;
        self
    }

    /// When functions are validated and translated.
    pub fn compilation_mode(&mut self, mode: CompilationMode) -> &mut Config {
        self.compilation_mode = mode;
        self
    }

    /// Accept the tail-call proposal (on by default).
    pub fn wasm_tail_call(&mut self, enable: bool) -> &mut Config {
        self.tail_call = enable;
        self
    }

    /// Accept the extended-const proposal (on by default).
    pub fn wasm_extended_const(&mut self, enable: bool) -> &mut Config {
        self.extended_const = enable;
        self
    }

    /// Accept the fixed-width SIMD proposal (`v128`; on by default, as in
    /// wasmtime).
    pub fn wasm_simd(&mut self, enable: bool) -> &mut Config {
        self.simd = enable;
        self
    }

    /// Accept the relaxed-SIMD proposal (on by default, as in wasmtime).
    /// Each relaxed instruction gives one deterministic result, the one
    /// documented on its lane function (those of wasmtime on x86-64 where
    /// the proposal allows them). It needs [`Config::wasm_simd`].
    pub fn wasm_relaxed_simd(&mut self, enable: bool) -> &mut Config {
        self.relaxed_simd = enable;
        self
    }

    /// Accept the wide-arithmetic proposal (`i64.add128`, `i64.sub128`,
    /// `i64.mul_wide_s/u`). Off by default, as in wasmtime.
    pub fn wasm_wide_arithmetic(&mut self, enable: bool) -> &mut Config {
        self.wide_arithmetic = enable;
        self
    }

    /// Give the relaxed-SIMD operators the deterministic results the
    /// proposal names (those of the non-relaxed counterparts: `swizzle`,
    /// `trunc_sat`, `bitselect`, `min`/`max`, `q15mulr_sat`, signed dot
    /// products; multiply-add stays fused), as wasmtime's option of the same
    /// name does. Off by default.
    pub fn relaxed_simd_deterministic(&mut self, enable: bool) -> &mut Config {
        self.relaxed_simd_deterministic = enable;
        self
    }

    /// Accept the custom-page-sizes proposal: memories of 1-byte pages
    /// (off by default, as in wasmtime).
    pub fn wasm_custom_page_sizes(&mut self, enable: bool) -> &mut Config {
        self.custom_page_sizes = enable;
        self
    }

    /// Accept the memory64 proposal: memories with 64-bit addresses (on by
    /// default, as in wasmtime). wazi keeps such memories below 4 GiB.
    pub fn wasm_memory64(&mut self, enable: bool) -> &mut Config {
        self.memory64 = enable;
        self
    }

    /// Accept the function-references proposal: typed function references,
    /// `call_ref`, `br_on_null` and friends (on by default, as in wasmtime,
    /// where the GC proposal it belongs to is on).
    pub fn wasm_function_references(&mut self, enable: bool) -> &mut Config {
        self.function_references = enable;
        self
    }

    /// Accept the exception-handling proposal: tags, `throw`, `throw_ref`,
    /// `try_table` and `exnref` (on by default, as in wasmtime).
    pub fn wasm_exceptions(&mut self, enable: bool) -> &mut Config {
        self.exceptions = enable;
        self
    }

    /// Also accept the legacy exception instructions (`try`, `catch`,
    /// `catch_all`, `delegate`, `rethrow`) that toolchains emitted before
    /// the proposal's final form, for modules built with older compilers
    /// (needs [`Config::wasm_exceptions`]). Off by default: wasmtime 48
    /// refuses them.
    pub fn wasm_legacy_exceptions(&mut self, enable: bool) -> &mut Config {
        self.legacy_exceptions = enable;
        self
    }

    /// Accept the threads proposal: shared memories, atomic instructions,
    /// `memory.atomic.wait`/`notify` and `atomic.fence` (on by default, as
    /// in wasmtime). Threads themselves come from the embedder, which runs
    /// stores on several threads over one [`crate::SharedMemory`].
    pub fn wasm_threads(&mut self, enable: bool) -> &mut Config {
        self.threads = enable;
        self
    }

    /// Accept the GC proposal: struct, array and `i31` references, the
    /// `any`/`eq` hierarchy, recursive type groups, subtyping and casts (on
    /// by default, as in wasmtime; needs function references).
    pub fn wasm_gc(&mut self, enable: bool) -> &mut Config {
        self.gc = enable;
        self
    }

    /// The most bytes a store's GC heap may use (4 GiB by default): an
    /// allocation past it, after a collection, traps with
    /// [`crate::Trap::GcHeapOutOfMemory`]. Each object counts its fields
    /// (8 bytes each, 16 for a `v128`) and a 32-byte header.
    pub fn max_gc_heap_size(&mut self, bytes: usize) -> &mut Config {
        self.max_gc_heap_size = bytes;
        self
    }

    /// Collect before every allocation of a GC object or exception (off by
    /// default): slow, for testing that the collector keeps everything
    /// reachable (the `gc` fuzz target runs each module both ways).
    #[doc(hidden)]
    pub fn gc_stress(&mut self, on: bool) -> &mut Config {
        self.gc_stress = on;
        self
    }

    /// Accept the multi-memory proposal: any number of memories per
    /// module (on by default, as in wasmtime).
    pub fn wasm_multi_memory(&mut self, enable: bool) -> &mut Config {
        self.multi_memory = enable;
        self
    }

    /// The WebAssembly features wazi validates against.
    pub(crate) fn features(&self) -> wasmparser::WasmFeatures {
        use wasmparser::WasmFeatures as F;
        let mut f = F::MUTABLE_GLOBAL
            | F::SATURATING_FLOAT_TO_INT
            | F::SIGN_EXTENSION
            | F::MULTI_VALUE
            | F::REFERENCE_TYPES
            | F::BULK_MEMORY
            | F::FLOATS
            | F::GC_TYPES;
        if self.tail_call {
            f |= F::TAIL_CALL;
        }
        if self.extended_const {
            f |= F::EXTENDED_CONST;
        }
        if self.multi_memory {
            f |= F::MULTI_MEMORY;
        }
        if self.function_references {
            f |= F::FUNCTION_REFERENCES;
            if self.gc {
                f |= F::GC;
            }
        }
        if self.memory64 {
            f |= F::MEMORY64;
        }
        if self.custom_page_sizes {
            f |= F::CUSTOM_PAGE_SIZES;
        }
        if self.wide_arithmetic {
            f |= F::WIDE_ARITHMETIC;
        }
        if self.threads {
            f |= F::THREADS;
        }
        if self.exceptions {
            f |= F::EXCEPTIONS;
            if self.legacy_exceptions {
                f |= F::LEGACY_EXCEPTIONS;
            }
        }
        if self.simd {
            f |= F::SIMD;
            if self.relaxed_simd {
                f |= F::RELAXED_SIMD;
            }
        }
        f
    }
}
