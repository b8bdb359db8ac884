//! Atomic memory accesses (the threads proposal): loads, stores,
//! read-modify-writes, compare-exchanges, `memory.atomic.wait` and
//! `memory.atomic.notify`, and `atomic.fence`. Every access is bounds
//! checked, then checked to be aligned to its size (a misaligned one
//! traps), then done with the atomic type of its size, sequentially
//! consistent. See `store::shared` on what that guarantees under races.

use super::memory::out_of_bounds;
use super::numeric::handler;
use super::{Exec, Flow, Ip, Mem, Sp, next, operands, rd, trap, wr};
use crate::ir::{MemCas, MemOp, MemRmw, Nil};
use crate::trap::TrapCode;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::atomic::{AtomicU8, AtomicU16, AtomicU32, AtomicU64};

/// Why an atomic access cannot happen.
enum Bad {
    OutOfBounds,
    Misaligned,
}

/// The address of an atomic access of `size` bytes at `ea`.
#[inline(always)]
unsafe fn at(mem: Mem, len: usize, ea: u64, size: u64) -> Result<*mut u8, Bad> {
    if ea + size > len as u64 {
        Err(Bad::OutOfBounds)
    } else if !ea.is_multiple_of(size) {
        Err(Bad::Misaligned)
    } else {
        // SAFETY: in bounds, checked just above.
        Ok(unsafe { mem.add(ea as usize) })
    }
}

/// The address of an atomic access to a `T` at `addr + offset`.
#[inline(always)]
unsafe fn operand<T>(sp: Sp, mem: Mem, len: usize, addr: u16, offset: u32) -> Result<*mut T, Bad> {
    // SAFETY: as the calling handler's.
    unsafe { at(mem, len, ea(sp, addr, offset), std::mem::size_of::<T>() as u64).map(|p| p.cast()) }
}

/// Ends a handler whose access failed.
#[cold]
#[inline(never)]
unsafe fn fail(ip: Ip, sp: Sp, mem: Mem, len: usize, x: &mut Exec, why: Bad) -> Flow {
    match why {
        // SAFETY: as the calling handler's.
        Bad::OutOfBounds => unsafe { out_of_bounds(ip, sp, mem, len, x) },
        Bad::Misaligned => trap(ip, x, TrapCode::HeapMisaligned),
    }
}

/// The effective address `addr + offset` (32-bit addresses: a 64-bit
/// memory's were clamped by `addr64`).
#[inline(always)]
unsafe fn ea(sp: Sp, addr: u16, offset: u32) -> u64 {
    // SAFETY: the slot is in the frame.
    unsafe { rd::<u32>(sp, addr) as u64 + offset as u64 }
}

macro_rules! atomic_loads {
    ($($name:ident : $A:ident $T:ty => $R:ty;)*) => {$(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<MemOp>(ip);
            let p = match operand::<$T>(sp, mem, len, o.addr, o.offset) {
                Ok(p) => p,
                Err(why) => return fail(ip, sp, mem, len, x, why),
            };
            // SAFETY: in bounds and aligned; see `store::shared`.
            let v = $A::from_ptr(p).load(SeqCst);
            wr::<$R>(sp, o.d, v as $R);
            next!(MemOp, ip, sp, mem, len, x)
        });
    )*};
}

atomic_loads! {
    i32_atomic_load : AtomicU32 u32 => u32;
    i64_atomic_load : AtomicU64 u64 => u64;
    i32_atomic_load8_u : AtomicU8 u8 => u32;
    i32_atomic_load16_u : AtomicU16 u16 => u32;
    i64_atomic_load8_u : AtomicU8 u8 => u64;
    i64_atomic_load16_u : AtomicU16 u16 => u64;
    i64_atomic_load32_u : AtomicU32 u32 => u64;
}

macro_rules! atomic_stores {
    ($($name:ident : $A:ident $T:ty;)*) => {$(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<MemOp>(ip);
            let p = match operand::<$T>(sp, mem, len, o.addr, o.offset) {
                Ok(p) => p,
                Err(why) => return fail(ip, sp, mem, len, x, why),
            };
            // SAFETY: as for loads.
            $A::from_ptr(p).store(rd::<u64>(sp, o.d) as $T, SeqCst);
            next!(MemOp, ip, sp, mem, len, x)
        });
    )*};
}

atomic_stores! {
    i32_atomic_store : AtomicU32 u32;
    i64_atomic_store : AtomicU64 u64;
    i32_atomic_store8 : AtomicU8 u8;
    i32_atomic_store16 : AtomicU16 u16;
    i64_atomic_store8 : AtomicU8 u8;
    i64_atomic_store16 : AtomicU16 u16;
    i64_atomic_store32 : AtomicU32 u32;
}

/// Read-modify-writes: `$op` of the atomic type, the old value zero-extended
/// into the result.
macro_rules! atomic_rmw {
    ($($name:ident : $A:ident $T:ty => $R:ty, $op:ident;)*) => {$(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<MemRmw>(ip);
            let p = match operand::<$T>(sp, mem, len, o.addr, o.offset) {
                Ok(p) => p,
                Err(why) => return fail(ip, sp, mem, len, x, why),
            };
            let v = rd::<u64>(sp, o.v) as $T;
            // SAFETY: as for loads.
            let old = $A::from_ptr(p).$op(v, SeqCst);
            wr::<$R>(sp, o.d, old as $R);
            next!(MemRmw, ip, sp, mem, len, x)
        });
    )*};
}

/// Every read-modify-write operator `$op` in each width.
macro_rules! atomic_rmw_widths {
    ($($op:ident: $n32:ident $n64:ident $n32_8:ident $n32_16:ident $n64_8:ident $n64_16:ident $n64_32:ident;)*) => {$(
        atomic_rmw! {
            $n32 : AtomicU32 u32 => u32, $op;
            $n64 : AtomicU64 u64 => u64, $op;
            $n32_8 : AtomicU8 u8 => u32, $op;
            $n32_16 : AtomicU16 u16 => u32, $op;
            $n64_8 : AtomicU8 u8 => u64, $op;
            $n64_16 : AtomicU16 u16 => u64, $op;
            $n64_32 : AtomicU32 u32 => u64, $op;
        }
    )*};
}

atomic_rmw_widths! {
    fetch_add: i32_atomic_rmw_add i64_atomic_rmw_add i32_atomic_rmw8_add_u
        i32_atomic_rmw16_add_u i64_atomic_rmw8_add_u i64_atomic_rmw16_add_u
        i64_atomic_rmw32_add_u;
    fetch_sub: i32_atomic_rmw_sub i64_atomic_rmw_sub i32_atomic_rmw8_sub_u
        i32_atomic_rmw16_sub_u i64_atomic_rmw8_sub_u i64_atomic_rmw16_sub_u
        i64_atomic_rmw32_sub_u;
    fetch_and: i32_atomic_rmw_and i64_atomic_rmw_and i32_atomic_rmw8_and_u
        i32_atomic_rmw16_and_u i64_atomic_rmw8_and_u i64_atomic_rmw16_and_u
        i64_atomic_rmw32_and_u;
    fetch_or: i32_atomic_rmw_or i64_atomic_rmw_or i32_atomic_rmw8_or_u
        i32_atomic_rmw16_or_u i64_atomic_rmw8_or_u i64_atomic_rmw16_or_u
        i64_atomic_rmw32_or_u;
    fetch_xor: i32_atomic_rmw_xor i64_atomic_rmw_xor i32_atomic_rmw8_xor_u
        i32_atomic_rmw16_xor_u i64_atomic_rmw8_xor_u i64_atomic_rmw16_xor_u
        i64_atomic_rmw32_xor_u;
    swap: i32_atomic_rmw_xchg i64_atomic_rmw_xchg i32_atomic_rmw8_xchg_u
        i32_atomic_rmw16_xchg_u i64_atomic_rmw8_xchg_u i64_atomic_rmw16_xchg_u
        i64_atomic_rmw32_xchg_u;
}

/// Compare-exchanges: the expected value is wrapped to the access's width
/// (as the proposal says), the old value zero-extended into the result.
macro_rules! atomic_cas {
    ($($name:ident : $A:ident $T:ty => $R:ty;)*) => {$(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<MemCas>(ip);
            let p = match operand::<$T>(sp, mem, len, o.addr, o.offset) {
                Ok(p) => p,
                Err(why) => return fail(ip, sp, mem, len, x, why),
            };
            let expected = rd::<u64>(sp, o.a) as $T;
            let new = rd::<u64>(sp, o.b) as $T;
            // SAFETY: as for loads.
            let old = match $A::from_ptr(p).compare_exchange(expected, new, SeqCst, SeqCst) {
                Ok(v) | Err(v) => v,
            };
            wr::<$R>(sp, o.d, old as $R);
            next!(MemCas, ip, sp, mem, len, x)
        });
    )*};
}

atomic_cas! {
    i32_atomic_rmw_cmpxchg : AtomicU32 u32 => u32;
    i64_atomic_rmw_cmpxchg : AtomicU64 u64 => u64;
    i32_atomic_rmw8_cmpxchg_u : AtomicU8 u8 => u32;
    i32_atomic_rmw16_cmpxchg_u : AtomicU16 u16 => u32;
    i64_atomic_rmw8_cmpxchg_u : AtomicU8 u8 => u64;
    i64_atomic_rmw16_cmpxchg_u : AtomicU16 u16 => u64;
    i64_atomic_rmw32_cmpxchg_u : AtomicU32 u32 => u64;
}

handler!(fn atomic_fence(ip, sp, mem, len, x) {
    std::sync::atomic::fence(SeqCst);
    next!(Nil, ip, sp, mem, len, x)
});

macro_rules! atomic_wait {
    ($($name:ident : $A:ident $T:ty;)*) => {$(
        handler!(fn $name(ip, sp, mem, len, x) {
            let o = operands::<MemCas>(ip);
            let size = std::mem::size_of::<$T>() as u64;
            let ea = ea(sp, o.addr, o.offset);
            let p = match at(mem, len, ea, size) {
                Ok(p) => p as *mut $T,
                Err(why) => return fail(ip, sp, mem, len, x, why),
            };
            let Some(shared) = (*x.inst).shared_memory_at(mem).cloned() else {
                return trap(ip, x, TrapCode::AtomicWaitNonSharedMemory);
            };
            let expected = rd::<u64>(sp, o.a) as $T;
            let timeout = rd::<i64>(sp, o.b);
            let timeout = (timeout >= 0).then(|| std::time::Duration::from_nanos(timeout as u64));
            let (epoch, deadline) = (x.epoch, x.epoch_deadline);
            let store = &*x.store;
            let check_epoch = store.engine.inner.config.epoch_interruption;
            let r = shared.wait(
                ea,
                // SAFETY: as for loads.
                || $A::from_ptr(p).load(SeqCst) == expected,
                timeout,
                || check_epoch && (*epoch).load(std::sync::atomic::Ordering::Relaxed) >= deadline,
            );
            match r {
                Some(r) => wr::<u32>(sp, o.d, r as u32),
                None => return trap(ip, x, TrapCode::Interrupt),
            }
            next!(MemCas, ip, sp, mem, len, x)
        });
    )*};
}

atomic_wait! {
    memory_atomic_wait32 : AtomicU32 u32;
    memory_atomic_wait64 : AtomicU64 u64;
}

handler!(fn memory_atomic_notify(ip, sp, mem, len, x) {
    let o = operands::<MemRmw>(ip);
    let ea = ea(sp, o.addr, o.offset);
    if let Err(why) = at(mem, len, ea, 4) {
        return fail(ip, sp, mem, len, x, why);
    }
    let count: u32 = rd(sp, o.v);
    wr::<u32>(sp, o.d, notify(x, mem, ea, count));
    next!(MemRmw, ip, sp, mem, len, x)
});

/// Wakes up to `count` waiters at `ea` of the memory at `mem` (none for an
/// unshared memory). Out of line, so that the handler's dispatch stays a
/// tail call.
#[inline(never)]
fn notify(x: &Exec, mem: Mem, ea: u64, count: u32) -> u32 {
    // SAFETY: the executor's instance is live while its code runs.
    unsafe { (*x.inst).shared_memory_at(mem).map_or(0, |s| s.notify(ea, count)) }
}
