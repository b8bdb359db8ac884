//! Table instructions. Table elements are raw references (see
//! [`crate::store::func_ref`]): 0 is null.

use super::numeric::handler;
use super::{Exec, Flow, Ip, Mem, Sp, next, operands, rd, trap, trap_error, wr};
use crate::ir::{R3Idx, RIdx};
use crate::trap::TrapCode;

handler!(fn table_get(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    let t = &*(*x.inst).tables[o.idx as usize];
    let i: u32 = rd(sp, o.a);
    match t.elems.get(i as usize) {
        Some(&r) => wr(sp, o.d, r),
        None => return trap(ip, x, TrapCode::TableOutOfBounds),
    }
    next!(RIdx, ip, sp, mem, len, x)
});

// `table.set i v`: `d` holds `i`, `a` holds `v`.
handler!(fn table_set(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    let t = &mut *(*x.inst).tables[o.idx as usize];
    let i: u32 = rd(sp, o.d);
    match t.elems.get_mut(i as usize) {
        Some(r) => *r = rd(sp, o.a),
        None => return trap(ip, x, TrapCode::TableOutOfBounds),
    }
    next!(RIdx, ip, sp, mem, len, x)
});

handler!(fn table_size(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    let t = &*(*x.inst).tables[o.idx as usize];
    wr(sp, o.d, t.elems.len() as u32);
    next!(RIdx, ip, sp, mem, len, x)
});

// `table.grow init delta`: `a` holds `init`, `b` holds `delta`, the result
// goes to `c`.
handler!(fn table_grow(ip, sp, mem, len, x) {
    let o = operands::<R3Idx>(ip);
    let init: u64 = rd(sp, o.a);
    let delta: u32 = rd(sp, o.b);
    let table = (*x.inst).tables[o.idx as usize];
    match crate::store::grow_table_from_wasm(x, table, delta, init) {
        Ok(r) => wr(sp, o.c, r),
        Err(e) => return trap_error(ip, x, e),
    }
    next!(R3Idx, ip, sp, mem, len, x)
});

// `table.fill i v n`.
handler!(fn table_fill(ip, sp, mem, len, x) {
    let o = operands::<R3Idx>(ip);
    let t = &mut *(*x.inst).tables[o.idx as usize];
    let i = rd::<u32>(sp, o.a) as usize;
    let v: u64 = rd(sp, o.b);
    let n = rd::<u32>(sp, o.c) as usize;
    if i + n > t.elems.len() {
        return trap(ip, x, TrapCode::TableOutOfBounds);
    }
    t.elems[i..i + n].fill(v);
    next!(R3Idx, ip, sp, mem, len, x)
});

// `table.copy d s n` from table `idx2` to table `idx`.
handler!(fn table_copy(ip, sp, mem, len, x) {
    let o = operands::<R3Idx>(ip);
    let d = rd::<u32>(sp, o.a) as usize;
    let s = rd::<u32>(sp, o.b) as usize;
    let n = rd::<u32>(sp, o.c) as usize;
    let dst = (*x.inst).tables[o.idx as usize];
    let src = (*x.inst).tables[o.idx2 as usize];
    if s + n > (*src).elems.len() || d + n > (*dst).elems.len() {
        return trap(ip, x, TrapCode::TableOutOfBounds);
    }
    if dst == src {
        (*dst).elems.copy_within(s..s + n, d);
    } else {
        let from = &(&(*src).elems)[s..s + n];
        (&mut (*dst).elems)[d..d + n].copy_from_slice(from);
    }
    next!(R3Idx, ip, sp, mem, len, x)
});

// `table.init seg d s n` into table `idx2`, element segment `idx`.
handler!(fn table_init(ip, sp, mem, len, x) {
    let o = operands::<R3Idx>(ip);
    let d = rd::<u32>(sp, o.a) as usize;
    let s = rd::<u32>(sp, o.b) as usize;
    let n = rd::<u32>(sp, o.c) as usize;
    let inst = &*x.inst;
    let t = &mut *inst.tables[o.idx2 as usize];
    let seg = inst.elem_segment(o.idx);
    if s + n > seg.len() || d + n > t.elems.len() {
        return trap(ip, x, TrapCode::TableOutOfBounds);
    }
    t.elems[d..d + n].copy_from_slice(&seg[s..s + n]);
    next!(R3Idx, ip, sp, mem, len, x)
});

handler!(fn elem_drop(ip, sp, mem, len, x) {
    let o = operands::<RIdx>(ip);
    (*x.inst).drop_elem(o.idx);
    next!(RIdx, ip, sp, mem, len, x)
});
