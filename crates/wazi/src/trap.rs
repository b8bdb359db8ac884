//! Traps and wasm backtraces.

use std::fmt;

/// Every trap, once: its [`Trap`] variant (documented), its message. The
/// public [`Trap`], the executor's one-byte [`TrapCode`] and the mappings
/// between them are generated from this list.
macro_rules! traps {
    ($($(#[doc = $doc:literal])* $name:ident => $msg:literal,)*) => {
        /// Why WebAssembly code trapped. Attached to the [`crate::Error`] a
        /// call returns; get it with `error.downcast_ref::<Trap>()`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Trap {
            $($(#[doc = $doc])* $name,)*
        }

        impl Trap {
            fn message(self) -> &'static str {
                match self {
                    $(Trap::$name => $msg,)*
                }
            }
        }

        /// Trap reasons as handlers report them (one byte): every [`Trap`],
        /// and two that are not traps of their own.
        #[repr(u8)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum TrapCode {
            $($name,)*
            /// A host function or a lazy translation failed: see
            /// `Exec::error`.
            Host,
            /// An exception reached the activation's entry uncaught: it is
            /// the store's pending exception.
            Exception,
            /// A host function parked the running fiber (see
            /// `StoreCore::fiber_call`): not a trap.
            Suspend,
        }

        impl TrapCode {
            /// Every code, in discriminant order.
            const ALL: &[TrapCode] =
                &[$(TrapCode::$name,)* TrapCode::Host, TrapCode::Exception, TrapCode::Suspend];

            /// The trap, or `None` for `Host` and `Exception`.
            pub(crate) fn to_trap(self) -> Option<Trap> {
                match self {
                    $(TrapCode::$name => Some(Trap::$name),)*
                    TrapCode::Host | TrapCode::Exception | TrapCode::Suspend => None,
                }
            }
        }
    };
}

traps! {
        /// The `unreachable` instruction was executed.
        UnreachableCodeReached => "wasm `unreachable` instruction executed",
        /// Integer division or remainder by zero.
        IntegerDivisionByZero => "integer divide by zero",
        /// Integer overflow (`i32.div_s` of `MIN` by -1, float-to-int out of range).
        IntegerOverflow => "integer overflow",
        /// Conversion of NaN to an integer.
        BadConversionToInteger => "invalid conversion to integer",
        /// A linear memory access out of bounds.
        MemoryOutOfBounds => "out of bounds memory access",
        /// A table access out of bounds.
        TableOutOfBounds => "undefined element: out of bounds table access",
        /// `call_indirect` on a null table element.
        IndirectCallToNull => "uninitialized element",
        /// `call_indirect` whose callee has another type.
        BadSignature => "indirect call type mismatch",
        /// A null reference where a non-null one was needed.
        NullReference => "null reference",
        /// The wasm call stack is exhausted.
        StackOverflow => "call stack exhausted",
        /// The store ran out of fuel.
        OutOfFuel => "all fuel consumed by WebAssembly",
        /// Execution was interrupted (epoch deadline reached).
        Interrupt => "interrupt",
        /// A component instance was entered while it may not be (reentrance,
        /// or after a trap poisoned it).
        CannotEnterComponent => "cannot enter component instance",
        /// A component called an import while it may not leave (during
        /// `post-return` or `realloc`).
        CannotLeaveComponent => "cannot leave component instance",
        /// A canonical-ABI pointer was not aligned for its type.
        UnalignedPointer => "unaligned pointer",
        /// A string's bytes were outside linear memory.
        StringOutOfBounds => "string content out-of-bounds",
        /// A list's elements were outside linear memory.
        ListOutOfBounds => "list content out-of-bounds",
        /// A variant, enum, option or result had a discriminant out of range.
        InvalidDiscriminant => "invalid variant discriminant",
        /// A `char` was not a Unicode scalar value.
        InvalidChar => "invalid `char` bit pattern",
        /// An atomic access was not aligned to its size.
        HeapMisaligned => "misaligned memory access",
        /// `memory.atomic.wait` on a memory that is not shared.
        AtomicWaitNonSharedMemory => "atomic wait on non-shared memory",
        /// A GC array access out of bounds.
        ArrayOutOfBounds => "out of bounds array access",
        /// `ref.cast` of a reference that is not of the type.
        CastFailure => "cast failure",
        /// A GC allocation too large for the heap's limit.
        AllocationTooLarge => "allocation size too large",
        /// The GC heap is full, even after a collection
        /// ([`crate::Config::max_gc_heap_size`]).
        GcHeapOutOfMemory => "GC heap out of memory",
}

impl TrapCode {
    /// The code whose discriminant is `b` (as the translator wrote it).
    pub(crate) fn from_u8(b: u8) -> TrapCode {
        TrapCode::ALL[b as usize]
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm trap: {}", self.message())
    }
}

impl std::error::Error for Trap {}

/// One frame of a [`WasmBacktrace`].
#[derive(Clone, Debug)]
pub struct FrameInfo {
    module_name: Option<String>,
    func_index: u32,
    func_name: Option<String>,
    module_offset: Option<usize>,
    func_offset: Option<usize>,
}

impl FrameInfo {
    pub(crate) fn new(
        module_name: Option<String>,
        func_index: u32,
        func_name: Option<String>,
        module_offset: Option<usize>,
        func_offset: Option<usize>,
    ) -> FrameInfo {
        FrameInfo { module_name, func_index, func_name, module_offset, func_offset }
    }

    /// The function's index in its module.
    pub fn func_index(&self) -> u32 {
        self.func_index
    }

    /// The module's name from its name section, if any.
    pub fn module_name(&self) -> Option<&str> {
        self.module_name.as_deref()
    }

    /// The function's name from the name section (Rust and C++ names
    /// demangled), if any.
    pub fn func_name(&self) -> Option<&str> {
        self.func_name.as_deref()
    }

    /// Byte offset of the instruction in the module.
    pub fn module_offset(&self) -> Option<usize> {
        self.module_offset
    }

    /// Byte offset of the instruction from the start of the function body.
    pub fn func_offset(&self) -> Option<usize> {
        self.func_offset
    }
}

/// The wasm frames active when a trap happened, innermost first.
#[derive(Clone, Debug, Default)]
pub struct WasmBacktrace {
    frames: Vec<FrameInfo>,
}

impl WasmBacktrace {
    pub(crate) fn new(frames: Vec<FrameInfo>) -> WasmBacktrace {
        WasmBacktrace { frames }
    }

    /// The frames, innermost first.
    pub fn frames(&self) -> &[FrameInfo] {
        &self.frames
    }
}

impl fmt::Display for WasmBacktrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error while executing at wasm backtrace:")?;
        for (i, frame) in self.frames.iter().enumerate() {
            let name = frame.module_name.as_deref().unwrap_or("<unknown>");
            write!(f, "  {i:>3}: ")?;
            if let Some(offset) = frame.module_offset {
                write!(f, "{offset:#8x} - ")?;
            }
            match &frame.func_name {
                Some(func) => write!(f, "{name}!{func}")?,
                None => write!(f, "{name}!<wasm function {}>", frame.func_index)?,
            }
            if i + 1 < self.frames.len() {
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

/// The error a call returns when a wasm exception was thrown and not caught
/// (its root cause; see [`crate::Store::take_pending_exception`]), and the
/// error a host function returns to throw one (see [`crate::Store::throw`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrownException;

impl std::fmt::Display for ThrownException {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("thrown Wasm exception")
    }
}

impl std::error::Error for ThrownException {}
