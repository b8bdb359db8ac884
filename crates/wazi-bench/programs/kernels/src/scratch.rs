//! The kernels' working memory.
//!
//! In wasm, every kernel call borrows one scratch arena that starts at
//! `__heap_base` (the end of the module's static data and stack) and grows
//! linear memory with `memory.grow` when a call needs more than the memory
//! has. The arena is reused by every later call and never shrinks, so a
//! benchmark that calls the same kernel repeatedly grows memory only once,
//! and a fresh instance starts with the linker's small initial memory.
//!
//! On the host (unit tests), the arena is an ordinary `Vec`.

/// Element types that the arena may hold: plain data for which every bit
/// pattern is a valid value, so reused (or zeroed) memory can be handed out
/// without initialising it. The kernels fill their arrays themselves.
///
/// # Safety
/// Implement only for types valid for any bit pattern, with no drop glue.
pub unsafe trait Plain: Copy + Default {}
unsafe impl Plain for u8 {}
unsafe impl Plain for u32 {}
unsafe impl Plain for f64 {}

/// Calls `f` with a scratch slice of `len` elements of `T`, whose contents
/// are unspecified. Traps if linear memory cannot grow that far.
#[cfg(target_arch = "wasm32")]
pub fn with_scratch<T: Plain, R>(len: usize, f: impl FnOnce(&mut [T]) -> R) -> R {
    use core::arch::wasm32::{memory_grow, memory_size};

    const PAGE: usize = 65536;
    unsafe extern "C" {
        // Defined by wasm-ld: the first address after static data and stack.
        static __heap_base: u8;
    }

    let base = ((&raw const __heap_base) as usize).next_multiple_of(16);
    let Some(end) = len
        .checked_mul(size_of::<T>())
        .and_then(|bytes| base.checked_add(bytes))
    else {
        super::trap()
    };
    let have = memory_size(0) * PAGE;
    if end > have && memory_grow(0, (end - have).div_ceil(PAGE)) == usize::MAX {
        super::trap();
    }
    // SAFETY: [base, end) is inside linear memory (just checked or grown),
    // above everything the linker placed, and used by nothing else: kernels
    // are not re-entrant and the module has no allocator. `base` is 16-byte
    // aligned, enough for any `Plain` type, and `T: Plain` makes whatever
    // bytes are there valid values.
    let slice = unsafe { core::slice::from_raw_parts_mut(base as *mut T, len) };
    f(slice)
}

/// Calls `f` with a scratch slice of `len` elements of `T` (host version).
#[cfg(not(target_arch = "wasm32"))]
pub fn with_scratch<T: Plain, R>(len: usize, f: impl FnOnce(&mut [T]) -> R) -> R {
    let mut buf = vec![T::default(); len];
    f(&mut buf)
}
