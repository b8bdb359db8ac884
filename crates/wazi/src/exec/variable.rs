//! Globals and reference instructions.

use super::numeric::handler;
use super::{Exec, Flow, Ip, Mem, Sp, next, operands, rd, wr};
use crate::ir::{RI64, RIdx, RR};

handler!(fn global_get(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    let cell = *x.globals.add(o.idx as usize);
    wr::<u64>(sp, o.d, *cell);
    next!(RIdx, ip, sp, mem, len, x)
});

// `global.set`: the value is in slot `a`.
handler!(fn global_set(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    let cell = *x.globals.add(o.idx as usize);
    *cell = rd(sp, o.a);
    next!(RIdx, ip, sp, mem, len, x)
});

// `global.set` of an immediate: `d` holds the global index.
handler!(fn global_set_imm(ip, sp, mem, len, x) {
    let o = operands::<RI64>(ip);
    let cell = *x.globals.add(o.d as usize);
    *cell = o.imm;
    next!(RI64, ip, sp, mem, len, x)
});

handler!(fn ref_func(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    let f = (*x.inst).funcs[o.idx as usize];
    wr::<u64>(sp, o.d, crate::store::func_ref(f));
    next!(RIdx, ip, sp, mem, len, x)
});

handler!(fn ref_is_null(ip, sp, mem, len, x) {
    let o = operands::<RR>(ip);
    let r: u64 = rd(sp, o.a);
    wr(sp, o.d, (r == 0) as i32);
    next!(RR, ip, sp, mem, len, x)
});

handler!(fn ref_as_non_null(ip, sp, mem, len, x) {
    let o = operands::<RR>(ip);
    let r: u64 = rd(sp, o.a);
    if r == 0 {
        return super::trap(ip, x, crate::trap::TrapCode::NullReference);
    }
    wr(sp, o.d, r);
    next!(RR, ip, sp, mem, len, x)
});
