//! Throwing and catching exceptions.
//!
//! Nothing is done on entering a `try_table` or `try`: each function's
//! translation lists the bytecode ranges it handles exceptions in
//! ([`TryRegion`]). A throw looks the throwing point up in the running
//! function's list, then in its callers' (each frame record holds the
//! return address, just after the call that threw), until a clause matches:
//! the frames above are dropped, the payload goes into the clause's slots
//! and execution continues at its landing code. Past the activation's entry
//! frame, the exception becomes the store's pending exception and the call
//! from the host fails with [`ThrownException`].

use super::numeric::handler;
use super::{EXIT, Exec, Flow, Ip, Mem, Sp, dispatch, operands, rd, trap, trap_error};
use crate::ir::{RR, Throw, TryRegion};
use crate::store::gc::GcPoint;
use crate::trap::{ThrownException, TrapCode};

handler!(fn throw(ip, sp, mem, len, x) {
    let _ = (mem, len);
    let exn = new_exception(ip, sp, x);
    match unwind(ip, sp, x, exn, true, false) {
        Some((ip, sp, mem, len)) => dispatch!(ip, sp, mem, len, x),
        None => Flow::Trap,
    }
});

handler!(fn throw_ref(ip, sp, mem, len, x) {
    let _ = (mem, len);
    let o = operands::<RR>(ip);
    let exn: u64 = rd(sp, o.a);
    if exn == 0 {
        return trap(ip, x, TrapCode::NullReference);
    }
    match unwind(ip, sp, x, exn, false, false) {
        Some((ip, sp, mem, len)) => dispatch!(ip, sp, mem, len, x),
        None => Flow::Trap,
    }
});

/// The exception `throw` at `ip` creates. Out of line: its frame holds
/// values whose addresses escape (the payload slice, the collector's
/// closure), which in the handler would keep its dispatch from being a
/// tail call.
#[inline(never)]
unsafe fn new_exception(ip: Ip, sp: Sp, x: &mut Exec) -> u64 {
    // SAFETY: the operands are the instruction's; the store and the running
    // instance are live.
    unsafe {
        let o = operands::<Throw>(ip);
        let tag = (&(*x.inst).tags)[o.tag as usize];
        let payload = std::slice::from_raw_parts(sp.add(o.base as usize), o.n as usize);
        let at = GcPoint { running: Some((ip, sp, x.inst)), frames: x.frames };
        (*x.store).new_exception(tag, payload, at)
    }
}

/// Throws exception `exn` from `ip` in the frame at `sp` (`is_return`: `ip`
/// is a return address, the throw happened in the call before it). `fresh`:
/// nothing else refers to the exception yet, so a clause that does not keep
/// the reference frees it. Returns where execution continues, or `None`
/// (with the trap set) when no handler of the activation catches it.
///
/// # Safety
/// `ip`, `sp` and the frame records must describe the running activation.
pub(crate) unsafe fn unwind(
    ip: Ip,
    sp: Sp,
    x: &mut Exec,
    exn: u64,
    fresh: bool,
    is_return: bool,
) -> Option<(Ip, Sp, Mem, usize)> {
    // SAFETY: frame records below `x.frames` were written by this activation
    // and its entry frame returns to `EXIT`; code entries name live code.
    unsafe {
        let store = &mut *x.store;
        let Some(tag) = store.exns.get(exn).map(|o| o.tag) else {
            x.trap_ip = ip;
            x.trap = TrapCode::Host;
            x.error = Some(anyhow::anyhow!("internal error: a dangling exception reference"));
            return None;
        };
        let (mut ip, mut sp, mut inst, mut is_return) = (ip, sp, x.inst, is_return);
        x.unwound.clear();
        while ip != EXIT.as_ptr() as Ip {
            x.unwound.push((ip as usize, is_return));
            let func = (*inst).module.inner.func_at(ip as usize - is_return as usize);
            if let Some(c) = func.and_then(|f| f.compiled())
                && !c.regions.is_empty()
            {
                let cell = ((ip as usize - c.entry() as usize) / 8) as u32 - is_return as u32;
                let tags: &[u32] = &(*inst).tags;
                if let Some(clause) = TryRegion::find(&c.regions, cell, |t| tags[t as usize] == tag)
                {
                    let o = store.exns.get(exn).expect("checked above");
                    let payload = sp.add(clause.payload as usize);
                    std::ptr::copy_nonoverlapping(o.payload.as_ptr(), payload, o.payload.len());
                    match clause.exn {
                        Some(s) => *sp.add(s as usize) = exn,
                        None if fresh => store.exns.free(exn),
                        None => {}
                    }
                    let (mem, len) = x.enter(inst);
                    return Some((c.entry().add(clause.target as usize), sp, mem, len));
                }
            }
            x.frames = x.frames.sub(1);
            let f = *x.frames;
            (ip, sp, inst, is_return) = (f.ip, f.sp, f.inst, true);
        }
        store.pending_exception = exn;
        x.trap = TrapCode::Exception;
        x.trap_ip = ip;
        None
    }
}

/// A host function called at `ip` from the frame at `sp` failed with
/// `error`: an exception it threw unwinds from there, anything else traps.
/// `tail`: the call was a tail call, whose caller's frame is gone.
#[cold]
#[inline(never)]
pub(crate) unsafe fn host_failed(
    ip: Ip,
    sp: Sp,
    x: &mut Exec,
    error: anyhow::Error,
    tail: bool,
) -> Option<(Ip, Sp, Mem, usize)> {
    // SAFETY: as for `unwind`.
    unsafe {
        if error.chain().any(|e| e.is::<crate::store::Suspend>()) {
            // The host function parked the fiber: the activation returns
            // to `StoreCore::fiber_call`, which keeps its frames.
            x.parked.3 = tail;
            x.trap = crate::trap::TrapCode::Suspend;
            return None;
        }
        let store = &mut *x.store;
        if error.root_cause().is::<ThrownException>() && store.pending_exception != 0 {
            let exn = std::mem::take(&mut store.pending_exception);
            if !tail {
                return unwind(ip, sp, x, exn, false, false);
            }
            x.frames = x.frames.sub(1);
            let f = *x.frames;
            x.inst = f.inst;
            return unwind(f.ip, f.sp, x, exn, false, true);
        }
        trap_error(ip, x, error);
        None
    }
}
