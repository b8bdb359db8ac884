//! Branches, calls and returns.

use super::exception::host_failed;
use super::numeric::handler;
use super::{Exec, Flow, Frame, Ip, Mem, Sp, dispatch, next, operands, rd, trap, trap_error, wr};
use crate::code::{Compiled, FuncCode};
use crate::ir::{
    Br, BrR, BrRI, BrRR, BrStepRI, BrStepRR, BrStepRRR, BrTable, Call, CallIndirect, CopySpan,
    Fuel, Nil, RI64, RR, TrapOp, cells,
};
use crate::store::{FuncKind, HostFunc, InstanceData};
use crate::trap::TrapCode;
use std::sync::atomic::Ordering;

handler!(fn exit(ip, sp, mem, len, x) {
    let _ = (ip, sp, mem, len, x);
    Flow::Done
});

handler!(fn trap_op(ip, sp, mem, len, x) {
    let _ = (sp, mem, len);
    let o = operands::<TrapOp>(ip);
    trap(ip, x, TrapCode::from_u8(o.code))
});

handler!(fn nop(ip, sp, mem, len, x) {
    next!(Nil, ip, sp, mem, len, x)
});

handler!(fn consume_fuel(ip, sp, mem, len, x) {
    let o = operands::<Fuel>(ip);
    x.fuel -= o.amount as i64;
    if x.fuel < 0 {
        x.fuel = 0;
        return trap(ip, x, TrapCode::OutOfFuel);
    }
    next!(Fuel, ip, sp, mem, len, x)
});

handler!(fn check_epoch(ip, sp, mem, len, x) {
    if (*x.epoch).load(Ordering::Relaxed) >= x.epoch_deadline {
        return trap(ip, x, TrapCode::Interrupt);
    }
    next!(Nil, ip, sp, mem, len, x)
});

// Zeroes the non-parameter locals on function entry: `n` slots from `d`.
handler!(fn zero_locals(ip, sp, mem, len, x) {
    let o = operands::<CopySpan>(ip);
    std::ptr::write_bytes(sp.add(o.d as usize), 0, o.n as usize);
    next!(CopySpan, ip, sp, mem, len, x)
});

handler!(fn br(ip, sp, mem, len, x) {
    let o = operands::<Br>(ip);
    dispatch!(ip.offset(o.off as isize), sp, mem, len, x)
});

handler!(fn br_nez(ip, sp, mem, len, x) {
    let o = operands::<BrR>(ip);
    if rd::<i32>(sp, o.c) != 0 {
        dispatch!(ip.offset(o.off as isize), sp, mem, len, x)
    }
    next!(BrR, ip, sp, mem, len, x)
});

handler!(fn br_eqz(ip, sp, mem, len, x) {
    let o = operands::<BrR>(ip);
    if rd::<i32>(sp, o.c) == 0 {
        dispatch!(ip.offset(o.off as isize), sp, mem, len, x)
    }
    next!(BrR, ip, sp, mem, len, x)
});

handler!(fn br_i64_nez(ip, sp, mem, len, x) {
    let o = operands::<BrR>(ip);
    if rd::<i64>(sp, o.c) != 0 {
        dispatch!(ip.offset(o.off as isize), sp, mem, len, x)
    }
    next!(BrR, ip, sp, mem, len, x)
});

handler!(fn br_i64_eqz(ip, sp, mem, len, x) {
    let o = operands::<BrR>(ip);
    if rd::<i64>(sp, o.c) == 0 {
        dispatch!(ip.offset(o.off as isize), sp, mem, len, x)
    }
    next!(BrR, ip, sp, mem, len, x)
});

/// A loop's step and test (see `isa`): `a += imm`, then a branch on the sum.
macro_rules! br_step {
    ($($name:ident : $T:ty, $L:ident, $step:ident => |$v:ident, $o:ident, $sp:ident| $e:expr;)*) => {
        $(
        handler!(fn $name(ip, $sp, mem, len, x) {
            let $o = operands::<$L>(ip);
            let $v = rd::<$T>($sp, $o.a).wrapping_add(br_step!(@ $step, $T, $o, $sp));
            wr($sp, $o.a, $v);
            if $e {
                dispatch!(ip.offset($o.off as isize), $sp, mem, len, x)
            }
            next!($L, ip, $sp, mem, len, x)
        });
        )*
    };
    (@ imm, $T:ty, $o:ident, $sp:ident) => { $o.imm as $T };
    (@ slot, $T:ty, $o:ident, $sp:ident) => { rd::<$T>($sp, $o.s) };
}

br_step! {
    i32_add_ri_br_nez: i32, BrRI, imm => |v, o, sp| v != 0;
    i32_add_ri_br_eqz: i32, BrRI, imm => |v, o, sp| v == 0;
    i32_add_ri_br_ne_rr: i32, BrStepRR, imm => |v, o, sp| v != rd::<i32>(sp, o.b);
    i32_add_ri_br_ne_ri: i32, BrStepRI, imm => |v, o, sp| v != o.cmp as i32;
    i32_add_rr_br_lt_u_rr: i32, BrStepRRR, slot => |v, o, sp| (v as u32) < rd::<u32>(sp, o.b);
    i64_add_ri_br_nez: i64, BrRI, imm => |v, o, sp| v != 0;
    i64_add_ri_br_eqz: i64, BrRI, imm => |v, o, sp| v == 0;
    i64_add_ri_br_ne_rr: i64, BrStepRR, imm => |v, o, sp| v != rd::<i64>(sp, o.b);
}

/// Compare-and-branch instructions, fused from a comparison and a `br_if`
/// or `if`: `rr` compares two slots, `ri` a slot with a 16-bit immediate.
macro_rules! br_cmp {
    ($($rr:ident $($ri:ident)? : $T:ty => |$a:ident, $b:ident| $e:expr;)*) => {
        $(
        handler!(fn $rr(ip, sp, mem, len, x) {
            let o = operands::<BrRR>(ip);
            let $a: $T = rd(sp, o.a);
            let $b: $T = rd(sp, o.b);
            if $e {
                dispatch!(ip.offset(o.off as isize), sp, mem, len, x)
            }
            next!(BrRR, ip, sp, mem, len, x)
        });
        $(handler!(fn $ri(ip, sp, mem, len, x) {
            let o = operands::<BrRI>(ip);
            let $a: $T = rd(sp, o.a);
            let $b = o.imm as $T;
            if $e {
                dispatch!(ip.offset(o.off as isize), sp, mem, len, x)
            }
            next!(BrRI, ip, sp, mem, len, x)
        });)?
    )*
    };
}

br_cmp! {
    br_i32_eq_rr br_i32_eq_ri : i32 => |a, b| a == b;
    br_i32_ne_rr br_i32_ne_ri : i32 => |a, b| a != b;
    br_i32_lt_s_rr br_i32_lt_s_ri : i32 => |a, b| a < b;
    br_i32_lt_u_rr br_i32_lt_u_ri : u32 => |a, b| a < b;
    br_i32_gt_s_rr br_i32_gt_s_ri : i32 => |a, b| a > b;
    br_i32_gt_u_rr br_i32_gt_u_ri : u32 => |a, b| a > b;
    br_i32_le_s_rr br_i32_le_s_ri : i32 => |a, b| a <= b;
    br_i32_le_u_rr br_i32_le_u_ri : u32 => |a, b| a <= b;
    br_i32_ge_s_rr br_i32_ge_s_ri : i32 => |a, b| a >= b;
    br_i32_ge_u_rr br_i32_ge_u_ri : u32 => |a, b| a >= b;
    br_i64_eq_rr br_i64_eq_ri : i64 => |a, b| a == b;
    br_i64_ne_rr br_i64_ne_ri : i64 => |a, b| a != b;
    br_i64_lt_s_rr br_i64_lt_s_ri : i64 => |a, b| a < b;
    br_i64_lt_u_rr br_i64_lt_u_ri : u64 => |a, b| a < b;
    br_i64_gt_s_rr br_i64_gt_s_ri : i64 => |a, b| a > b;
    br_i64_gt_u_rr br_i64_gt_u_ri : u64 => |a, b| a > b;
    br_i64_le_s_rr br_i64_le_s_ri : i64 => |a, b| a <= b;
    br_i64_le_u_rr br_i64_le_u_ri : u64 => |a, b| a <= b;
    br_i64_ge_s_rr br_i64_ge_s_ri : i64 => |a, b| a >= b;
    br_i64_ge_u_rr br_i64_ge_u_ri : u64 => |a, b| a >= b;
    br_f32_eq_rr : f32 => |a, b| a == b;
    br_f32_ne_rr : f32 => |a, b| a != b;
    br_f32_lt_rr : f32 => |a, b| a < b;
    br_f32_gt_rr : f32 => |a, b| a > b;
    br_f32_le_rr : f32 => |a, b| a <= b;
    br_f32_ge_rr : f32 => |a, b| a >= b;
    br_f64_eq_rr : f64 => |a, b| a == b;
    br_f64_ne_rr : f64 => |a, b| a != b;
    br_f64_lt_rr : f64 => |a, b| a < b;
    br_f64_gt_rr : f64 => |a, b| a > b;
    br_f64_le_rr : f64 => |a, b| a <= b;
    br_f64_ge_rr : f64 => |a, b| a >= b;
}

handler!(fn br_table(ip, sp, mem, len, x) {
    let o = operands::<BrTable>(ip);
    let i = rd::<u32>(sp, o.c).min(o.len);
    let off = *(ip.add(cells::<BrTable>() + i as usize) as *const i32);
    dispatch!(ip.offset(off as isize), sp, mem, len, x)
});

/// Pops the current frame; returns where the caller resumes.
#[inline(always)]
pub(crate) unsafe fn pop_frame(mem: Mem, len: usize, x: &mut Exec) -> (Ip, Sp, Mem, usize) {
    // SAFETY: every activation starts with an entry frame, so the frame array
    // is never empty while a function runs.
    unsafe {
        x.frames = x.frames.sub(1);
        let f = *x.frames;
        if f.inst != x.inst {
            let (mem, len) = x.enter(f.inst);
            (f.ip, f.sp, mem, len)
        } else {
            (f.ip, f.sp, mem, len)
        }
    }
}

handler!(fn return_void(ip, sp, mem, len, x) {
    let _ = (ip, sp);
    let (ip, sp, mem, len) = pop_frame(mem, len, x);
    dispatch!(ip, sp, mem, len, x)
});

// Returns the value of slot `a`.
handler!(fn return_r(ip, sp, mem, len, x) {
    let o = operands::<RR>(ip);
    *sp = *sp.add(o.a as usize);
    let (ip, sp, mem, len) = pop_frame(mem, len, x);
    dispatch!(ip, sp, mem, len, x)
});

// Returns an immediate.
handler!(fn return_imm(ip, sp, mem, len, x) {
    let o = operands::<RI64>(ip);
    *sp = o.imm;
    let (ip, sp, mem, len) = pop_frame(mem, len, x);
    dispatch!(ip, sp, mem, len, x)
});

/// Checks that a frame of `c` fits at `callee_sp` and a frame record is free.
#[inline(always)]
fn frame_fits(callee_sp: Sp, c: &Compiled, x: &Exec) -> bool {
    (x.stack_end as usize - callee_sp as usize) >= c.frame_bytes && x.frames != x.frames_end
}

/// Pushes a frame record returning to `ip` in the frame at `sp`.
#[inline(always)]
unsafe fn push_frame(ip: Ip, sp: Sp, x: &mut Exec) {
    // SAFETY: `frame_fits` checked there is room.
    unsafe {
        *x.frames = Frame { ip, sp, inst: x.inst };
        x.frames = x.frames.add(1);
    }
}

handler!(fn call_internal(ip, sp, mem, len, x) {
    let o = operands::<Call>(ip);
    let func = o.func as *const FuncCode;
    let Some(c) = (*func).compiled() else {
        return compile_then(ip, sp, mem, len, x, func, call_internal);
    };
    let callee_sp = sp.add(o.base as usize);
    if !frame_fits(callee_sp, c, x) {
        return trap(ip, x, TrapCode::StackOverflow);
    }
    push_frame(ip.add(cells::<Call>()), sp, x);
    dispatch!(c.entry(), callee_sp, mem, len, x)
});

handler!(fn return_call_internal(ip, sp, mem, len, x) {
    let o = operands::<Call>(ip);
    let func = o.func as *const FuncCode;
    let Some(c) = (*func).compiled() else {
        return compile_then(ip, sp, mem, len, x, func, return_call_internal);
    };
    if !frame_fits(sp, c, x) {
        return trap(ip, x, TrapCode::StackOverflow);
    }
    // Arguments move down to slot 0: temporaries lie above the locals, so a
    // forward copy never overwrites an argument before reading it.
    for k in 0..c.num_params {
        *sp.add(k) = *sp.add(o.base as usize + k);
    }
    dispatch!(c.entry(), sp, mem, len, x)
});

/// Translates `func` (first call under lazy translation), then runs the
/// call instruction again.
#[cold]
#[inline(never)]
unsafe fn compile_then(
    ip: Ip,
    sp: Sp,
    mem: Mem,
    len: usize,
    x: &mut Exec,
    func: *const FuncCode,
    again: super::Handler,
) -> Flow {
    // SAFETY: `func` belongs to the module of the current instance, which
    // outlives the execution.
    let r = unsafe { (*func).compile(&(*x.inst).module.inner) };
    match r {
        // SAFETY: the instruction is unchanged; compiled code is now there.
        Ok(_) => unsafe { again(ip, sp, mem, len, x) },
        Err(e) => trap_error(ip, x, e),
    }
}

/// Calls a function of the store by entity: a wasm function in any
/// instance, or a host function. `next` is where the caller resumes.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn call_entity(
    ip: Ip,
    next_ip: Ip,
    sp: Sp,
    base: u16,
    mem: Mem,
    len: usize,
    x: &mut Exec,
    func: u32,
) -> Flow {
    // SAFETY: function indices in instances and tables name store entities.
    unsafe {
        let fe = &(&(*x.store).funcs)[func as usize];
        match &fe.kind {
            FuncKind::Wasm { inst, code } => {
                let (inst, code) = (*inst, *code);
                let Some(c) = (*code).compiled() else {
                    return compile_entity_then(ip, sp, mem, len, x, inst, code);
                };
                let callee_sp = sp.add(base as usize);
                if !frame_fits(callee_sp, c, x) {
                    return trap(ip, x, TrapCode::StackOverflow);
                }
                push_frame(next_ip, sp, x);
                let (mem, len) = if inst != x.inst { x.enter(inst) } else { (mem, len) };
                dispatch!(c.entry(), callee_sp, mem, len, x)
            }
            FuncKind::Host(_) => {
                if let Err(e) = call_host_entity(next_ip, sp, base, x, func) {
                    let Some((ip, sp, mem, len)) = host_failed(ip, sp, x, e, false) else {
                        return Flow::Trap;
                    };
                    dispatch!(ip, sp, mem, len, x)
                }
                let (mem, len) = x.memory_view();
                dispatch!(next_ip, sp, mem, len, x)
            }
        }
    }
}

#[cold]
#[inline(never)]
unsafe fn compile_entity_then(
    ip: Ip,
    sp: Sp,
    mem: Mem,
    len: usize,
    x: &mut Exec,
    inst: *const InstanceData,
    code: *const FuncCode,
) -> Flow {
    // SAFETY: the entity's instance owns the module the code belongs to.
    let r = unsafe { (*code).compile(&(*inst).module.inner) };
    match r {
        // SAFETY: re-runs the same call instruction, now compiled.
        Ok(_) => unsafe { (*(ip as *const super::Handler))(ip, sp, mem, len, x) },
        Err(e) => trap_error(ip, x, e),
    }
}

/// Calls store function `func`, a host function, from the frame at `sp`
/// with its arguments at slot `base`; the caller resumes at `ret`. The
/// function is kept alive (and released) here, so that the calling handler
/// has nothing left to drop and can dispatch by a jump.
#[inline(never)]
unsafe fn call_host_entity(
    ret: Ip,
    sp: Sp,
    base: u16,
    x: &mut Exec,
    func: u32,
) -> anyhow::Result<()> {
    // SAFETY: `func` names a host function of the executor's store.
    unsafe {
        let FuncKind::Host(h) = &(&(*x.store).funcs)[func as usize].kind else {
            unreachable!("not a host function")
        };
        let h = h.clone();
        call_host(ret, sp, sp.add(base as usize), x, &h)
    }
}

/// Calls host function `h` from the frame at `sp` (resuming at `ret`) with
/// its arguments (and then results) at `args`.
#[inline(never)]
pub(crate) unsafe fn call_host(
    ret: Ip,
    sp: Sp,
    args: Sp,
    x: &mut Exec,
    h: &HostFunc,
) -> anyhow::Result<()> {
    // SAFETY: the translator reserved `h.slots` slots at `args` in the
    // caller's frame; the store stays alive for the call.
    unsafe {
        if x.frames == x.frames_end {
            return Err(anyhow::Error::new(crate::trap::Trap::StackOverflow));
        }
        // A frame record for the caller, above this activation's (so
        // returning and unwinding never see it): the collector finds the
        // calling frame's references through it.
        *x.frames = Frame { ip: ret, sp, inst: x.inst };
        let store = &mut *x.store;
        // A host function may call back into wasm: nested activations start
        // above this call's slots and frame records.
        let saved = (store.stack_top, store.frames_top, store.fuel);
        store.stack_top = args.add(h.slots);
        store.frames_top = x.frames.add(1);
        store.fuel = x.fuel;
        let slots = std::slice::from_raw_parts_mut(args, h.slots);
        let r = (h.call)(x.host, x.inst, slots);
        if r.is_err() {
            x.parked = (args, h.slots, h.num_results, false);
        }
        let store = &mut *x.store;
        x.fuel = store.fuel;
        store.stack_top = saved.0;
        store.frames_top = saved.1;
        store.fuel = saved.2;
        r
    }
}

handler!(fn call_import(ip, sp, mem, len, x) {
    let o = operands::<Call>(ip);
    let f = (*x.inst).funcs[o.idx as usize];
    call_entity(ip, ip.add(cells::<Call>()), sp, o.base, mem, len, x, f)
});

handler!(fn call_indirect(ip, sp, mem, len, x) {
    let o = operands::<CallIndirect>(ip);
    let f = match resolve_indirect(o, sp, x) {
        Ok(f) => f,
        Err(code) => return trap(ip, x, code),
    };
    call_entity(ip, ip.add(cells::<CallIndirect>()), sp, o.base, mem, len, x, f)
});

/// Looks up the callee of `call_indirect`: checks bounds, null and type.
/// Whether a function of type `actual` may be called as one of type
/// `expected`, which is not the same: only if it is a declared subtype.
#[cold]
fn signature_matches(actual: u32, expected: u32) -> bool {
    crate::types::registry::is_subtype(actual, expected)
}

#[inline(always)]
unsafe fn resolve_indirect(o: &CallIndirect, sp: Sp, x: &Exec) -> Result<u32, TrapCode> {
    // SAFETY: table indices in translated code name tables of the instance.
    unsafe {
        let i: u32 = rd(sp, o.c);
        let t = &*(*x.inst).tables[o.table as usize];
        let r = *t.elems.get(i as usize).ok_or(TrapCode::TableOutOfBounds)?;
        if r == 0 {
            return Err(TrapCode::IndirectCallToNull);
        }
        let f = (r - 1) as u32;
        let ty = (&(*x.store).funcs)[f as usize].ty;
        if ty != o.ty && !signature_matches(ty, o.ty) {
            return Err(TrapCode::BadSignature);
        }
        Ok(f)
    }
}

/// A tail call to a store function: the current frame is replaced.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn return_call_entity(
    ip: Ip,
    next_ip: Ip,
    sp: Sp,
    base: u16,
    mem: Mem,
    len: usize,
    x: &mut Exec,
    func: u32,
) -> Flow {
    // SAFETY: as in `call_entity`.
    unsafe {
        let fe = &(&(*x.store).funcs)[func as usize];
        match &fe.kind {
            FuncKind::Wasm { inst, code } => {
                let (inst, code) = (*inst, *code);
                let Some(c) = (*code).compiled() else {
                    return compile_entity_then(ip, sp, mem, len, x, inst, code);
                };
                if !frame_fits(sp, c, x) {
                    return trap(ip, x, TrapCode::StackOverflow);
                }
                for k in 0..c.num_params {
                    *sp.add(k) = *sp.add(base as usize + k);
                }
                let (mem, len) = if inst != x.inst { x.enter(inst) } else { (mem, len) };
                dispatch!(c.entry(), sp, mem, len, x)
            }
            FuncKind::Host(h) => {
                let num_results = h.num_results;
                if let Err(e) = call_host_entity(next_ip, sp, base, x, func) {
                    let Some((ip, sp, mem, len)) = host_failed(ip, sp, x, e, true) else {
                        return Flow::Trap;
                    };
                    dispatch!(ip, sp, mem, len, x)
                }
                for k in 0..num_results {
                    *sp.add(k) = *sp.add(base as usize + k);
                }
                let (mem, len) = x.memory_view();
                let (ip, sp, mem, len) = pop_frame(mem, len, x);
                dispatch!(ip, sp, mem, len, x)
            }
        }
    }
}

handler!(fn return_call_import(ip, sp, mem, len, x) {
    let o = operands::<Call>(ip);
    let f = (*x.inst).funcs[o.idx as usize];
    return_call_entity(ip, ip.add(cells::<Call>()), sp, o.base, mem, len, x, f)
});

handler!(fn return_call_indirect(ip, sp, mem, len, x) {
    let o = operands::<CallIndirect>(ip);
    let f = match resolve_indirect(o, sp, x) {
        Ok(f) => f,
        Err(code) => return trap(ip, x, code),
    };
    return_call_entity(ip, ip.add(cells::<CallIndirect>()), sp, o.base, mem, len, x, f)
});

// `call_ref`: the callee is the function reference in slot `c`. Validation,
// linking and the host API checked its type; the signature is compared
// once more (one comparison, as `call_indirect` does), so that a reference
// of another type could never make the callee read the wrong slots.
handler!(fn call_ref(ip, sp, mem, len, x) {
    let o = operands::<CallIndirect>(ip);
    let f = match resolve_ref(o, sp, x) {
        Ok(f) => f,
        Err(code) => return trap(ip, x, code),
    };
    call_entity(ip, ip.add(cells::<CallIndirect>()), sp, o.base, mem, len, x, f)
});

handler!(fn return_call_ref(ip, sp, mem, len, x) {
    let o = operands::<CallIndirect>(ip);
    let f = match resolve_ref(o, sp, x) {
        Ok(f) => f,
        Err(code) => return trap(ip, x, code),
    };
    return_call_entity(ip, ip.add(cells::<CallIndirect>()), sp, o.base, mem, len, x, f)
});

/// The callee of `call_ref`: not null, of the expected signature.
#[inline(always)]
unsafe fn resolve_ref(o: &CallIndirect, sp: Sp, x: &Exec) -> Result<u32, TrapCode> {
    // SAFETY: slot `c` is in the frame; the store is live.
    unsafe {
        let r: u64 = rd(sp, o.c);
        if r == 0 {
            return Err(TrapCode::NullReference);
        }
        let f = (r - 1) as u32;
        let funcs = &(*x.store).funcs;
        match funcs.get(f as usize) {
            Some(fe) if fe.ty == o.ty || signature_matches(fe.ty, o.ty) => Ok(f),
            _ => Err(TrapCode::BadSignature),
        }
    }
}
