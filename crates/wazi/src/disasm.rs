//! A listing of translated bytecode, for debugging and translation tests.

use crate::exec::{Handler, control, memory, numeric, table, variable};
use crate::ir::*;
use crate::module::Compiled;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::OnceLock;

/// Every handler: its name and its size in cells (`br_table` is followed by
/// its entries).
fn handlers() -> &'static HashMap<usize, (&'static str, usize)> {
    static TABLE: OnceLock<HashMap<usize, (&'static str, usize)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        macro_rules! single {
            ($($m:ident :: $h:ident : $T:ty),* $(,)?) => {
                [$(($m::$h as Handler, stringify!($h), cells::<$T>())),*]
            };
        }
        let singles = single![
            numeric::const32: RI,
            numeric::const64: RI64,
            numeric::copy: RR,
            numeric::copy2: Select,
            numeric::copy_span: CopySpan,
            numeric::select: Select,
            memory::memory_size: RR,
            memory::memory_grow: RR,
            memory::memory_fill: R3Idx,
            memory::memory_copy: R3Idx,
            memory::memory_init: R3Idx,
            memory::data_drop: RIdx,
            variable::global_get: RIdx,
            variable::global_set: RIdx,
            variable::global_set_imm: RI64,
            variable::ref_func: RIdx,
            variable::ref_is_null: RR,
            table::table_get: RIdx,
            table::table_set: RIdx,
            table::table_size: RIdx,
            table::table_grow: R3Idx,
            table::table_fill: R3Idx,
            table::table_copy: R3Idx,
            table::table_init: R3Idx,
            table::elem_drop: RIdx,
            control::exit: Nil,
            control::trap_op: TrapOp,
            control::nop: Nil,
            control::consume_fuel: Fuel,
            control::check_epoch: Nil,
            control::zero_locals: CopySpan,
            control::br: Br,
            control::br_nez: BrR,
            control::br_eqz: BrR,
            control::br_i64_nez: BrR,
            control::br_i64_eqz: BrR,
            control::br_table: BrTable,
            control::return_void: Nil,
            control::return_r: RR,
            control::return_imm: RI64,
            control::call_internal: Call,
            control::return_call_internal: Call,
            control::call_import: Call,
            control::call_indirect: CallIndirect,
            control::return_call_import: Call,
            control::return_call_indirect: CallIndirect,
        ];
        let lists = [
            numeric::BINOPS,
            numeric::BINOPS_TRAP,
            numeric::UNOPS,
            numeric::UNOPS_TRAP,
            memory::LOADS,
            memory::STORES,
            control::BR_CMP,
        ];
        let mut map = HashMap::new();
        for (h, name, size) in
            singles.into_iter().chain(lists.iter().flat_map(|l| l.iter().copied()))
        {
            map.insert(h as usize, (name, size));
        }
        map
    })
}

/// One line per instruction: cell index, handler name, operand cells in hex.
pub(crate) fn disassemble(c: &Compiled) -> String {
    let cells = c.cells();
    let table = handlers();
    let mut out = String::new();
    let mut pos = 0;
    while pos < cells.len() {
        // SAFETY: every instruction starts with an initialised handler cell.
        let h = unsafe { cells[pos].assume_init() } as usize;
        let Some(&(name, mut size)) = table.get(&h) else {
            let _ = writeln!(out, "{pos:5}: <unknown handler {h:#x}>");
            break;
        };
        if name == "br_table" {
            // SAFETY: a `br_table` instruction's operands are initialised.
            let op = unsafe { &*(cells.as_ptr().add(pos) as *const Op<BrTable>) };
            size += op.i.len as usize + 1;
        }
        let _ = write!(out, "{pos:5}: {name}");
        for k in 1..size.min(cells.len() - pos) {
            // Padding inside operands may be uninitialised: print bytes we
            // know are written only through their typed view is not possible
            // generically, so show the raw cell via a byte copy.
            let mut bytes = [0u8; 8];
            // SAFETY: reading the cell's bytes as `MaybeUninit<u8>`s and
            // treating padding as zero is only for display.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    cells.as_ptr().add(pos + k) as *const u8,
                    bytes.as_mut_ptr(),
                    8,
                )
            };
            let _ = write!(out, " {:016x}", u64::from_le_bytes(bytes));
        }
        out.push('\n');
        pos += size;
    }
    out
}
