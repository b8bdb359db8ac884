//! A listing of translated bytecode, for debugging and translation tests.

use crate::code::Compiled;
use crate::exec::simd::HANDLERS;
use crate::ir::*;
use crate::isa::Opcode;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::OnceLock;

/// Every handler's opcode, by address. Handlers whose code is identical
/// may be merged by the compiler into one address: it names the first
/// declared of them (`f32_store` is listed as `i32_store`).
fn handlers() -> &'static HashMap<usize, Opcode> {
    static TABLE: OnceLock<HashMap<usize, Opcode>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::new();
        for &op in Opcode::ALL {
            map.entry(HANDLERS[op as usize] as usize).or_insert(op);
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
        let Some(&op) = table.get(&h) else {
            let _ = writeln!(out, "{pos:5}: <unknown handler {h:#x}>");
            break;
        };
        let mut size = op.cells();
        if op == Opcode::br_table {
            // SAFETY: a `br_table` instruction's operands are initialised.
            let op = unsafe { &*(cells.as_ptr().add(pos) as *const Op<BrTable>) };
            size += op.i.len as usize + 1;
        }
        let _ = write!(out, "{pos:5}: {op:?}");
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
