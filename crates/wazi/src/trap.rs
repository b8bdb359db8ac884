//! Traps and wasm backtraces.

use std::fmt;

/// Why WebAssembly code trapped. Attached to the [`crate::Error`] a call
/// returns; get it with `error.downcast_ref::<Trap>()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Trap {
    /// The `unreachable` instruction was executed.
    UnreachableCodeReached,
    /// Integer division or remainder by zero.
    IntegerDivisionByZero,
    /// Integer overflow (`i32.div_s` of `MIN` by -1, float-to-int out of range).
    IntegerOverflow,
    /// Conversion of NaN to an integer.
    BadConversionToInteger,
    /// A linear memory access out of bounds.
    MemoryOutOfBounds,
    /// A table access out of bounds.
    TableOutOfBounds,
    /// `call_indirect` on a null table element.
    IndirectCallToNull,
    /// `call_indirect` whose callee has another type.
    BadSignature,
    /// A null reference where a non-null one was needed.
    NullReference,
    /// The wasm call stack is exhausted.
    StackOverflow,
    /// The store ran out of fuel.
    OutOfFuel,
    /// Execution was interrupted (epoch deadline reached).
    Interrupt,
    /// A component instance was entered while it may not be (reentrance,
    /// or after a trap poisoned it).
    CannotEnterComponent,
    /// A component called an import while it may not leave (during
    /// `post-return` or `realloc`).
    CannotLeaveComponent,
    /// A canonical-ABI pointer was not aligned for its type.
    UnalignedPointer,
    /// A string's bytes were outside linear memory.
    StringOutOfBounds,
    /// A list's elements were outside linear memory.
    ListOutOfBounds,
    /// A variant, enum, option or result had a discriminant out of range.
    InvalidDiscriminant,
    /// A `char` was not a Unicode scalar value.
    InvalidChar,
    /// An atomic access was not aligned to its size.
    HeapMisaligned,
    /// `memory.atomic.wait` on a memory that is not shared.
    AtomicWaitNonSharedMemory,
}

impl Trap {
    fn message(self) -> &'static str {
        match self {
            Trap::UnreachableCodeReached => "wasm `unreachable` instruction executed",
            Trap::IntegerDivisionByZero => "integer divide by zero",
            Trap::IntegerOverflow => "integer overflow",
            Trap::BadConversionToInteger => "invalid conversion to integer",
            Trap::MemoryOutOfBounds => "out of bounds memory access",
            Trap::TableOutOfBounds => "undefined element: out of bounds table access",
            Trap::IndirectCallToNull => "uninitialized element",
            Trap::BadSignature => "indirect call type mismatch",
            Trap::NullReference => "null reference",
            Trap::StackOverflow => "call stack exhausted",
            Trap::OutOfFuel => "all fuel consumed by WebAssembly",
            Trap::Interrupt => "interrupt",
            Trap::CannotEnterComponent => "cannot enter component instance",
            Trap::CannotLeaveComponent => "cannot leave component instance",
            Trap::UnalignedPointer => "unaligned pointer",
            Trap::StringOutOfBounds => "string content out-of-bounds",
            Trap::ListOutOfBounds => "list content out-of-bounds",
            Trap::InvalidDiscriminant => "invalid variant discriminant",
            Trap::InvalidChar => "invalid `char` bit pattern",
            Trap::HeapMisaligned => "misaligned memory access",
            Trap::AtomicWaitNonSharedMemory => "atomic wait on non-shared memory",
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm trap: {}", self.message())
    }
}

impl std::error::Error for Trap {}

/// Trap reasons as handlers report them (one byte).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TrapCode {
    Unreachable,
    DivByZero,
    IntegerOverflow,
    BadConversionToInteger,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallToNull,
    BadSignature,
    NullReference,
    StackOverflow,
    OutOfFuel,
    Interrupt,
    /// A host function or a lazy translation failed: see `Exec::error`.
    Host,
    /// An exception reached the activation's entry uncaught: it is the
    /// store's pending exception.
    Exception,
    HeapMisaligned,
    AtomicWaitNonSharedMemory,
}

impl TrapCode {
    pub(crate) fn from_u8(b: u8) -> TrapCode {
        const ALL: [TrapCode; 16] = [
            TrapCode::Unreachable,
            TrapCode::DivByZero,
            TrapCode::IntegerOverflow,
            TrapCode::BadConversionToInteger,
            TrapCode::MemoryOutOfBounds,
            TrapCode::TableOutOfBounds,
            TrapCode::IndirectCallToNull,
            TrapCode::BadSignature,
            TrapCode::NullReference,
            TrapCode::StackOverflow,
            TrapCode::OutOfFuel,
            TrapCode::Interrupt,
            TrapCode::Host,
            TrapCode::Exception,
            TrapCode::HeapMisaligned,
            TrapCode::AtomicWaitNonSharedMemory,
        ];
        ALL[b as usize]
    }

    pub(crate) fn to_trap(self) -> Option<Trap> {
        Some(match self {
            TrapCode::Unreachable => Trap::UnreachableCodeReached,
            TrapCode::DivByZero => Trap::IntegerDivisionByZero,
            TrapCode::IntegerOverflow => Trap::IntegerOverflow,
            TrapCode::BadConversionToInteger => Trap::BadConversionToInteger,
            TrapCode::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
            TrapCode::TableOutOfBounds => Trap::TableOutOfBounds,
            TrapCode::IndirectCallToNull => Trap::IndirectCallToNull,
            TrapCode::BadSignature => Trap::BadSignature,
            TrapCode::NullReference => Trap::NullReference,
            TrapCode::StackOverflow => Trap::StackOverflow,
            TrapCode::OutOfFuel => Trap::OutOfFuel,
            TrapCode::Interrupt => Trap::Interrupt,
            TrapCode::HeapMisaligned => Trap::HeapMisaligned,
            TrapCode::AtomicWaitNonSharedMemory => Trap::AtomicWaitNonSharedMemory,
            TrapCode::Host | TrapCode::Exception => return None,
        })
    }
}

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
