//! Translation of the GC proposal's instructions (see `exec::gc` for what
//! each bytecode instruction does).

use super::{Opd, Translator};
use crate::exec::gc::heap_code;
use crate::ir::*;
use crate::isa::{self, Opcode};
use crate::types::registry::Layout;
use crate::types::{CompositeType, FieldType, RefType, StorageType, ValType};
use anyhow::{Result, bail};
use wasmparser::Operator;

impl Translator<'_> {
    /// The id and layout of struct or array type index `t`.
    fn gc_type(&self, t: u32) -> (u32, &Layout) {
        let layout = self.env.defs[t as usize].layout.as_ref().expect("validated: a GC type");
        (self.env.type_ids[t as usize], layout)
    }

    /// Field `f` of struct type index `t` and its slot offset.
    fn field(&self, t: u32, f: u32) -> (FieldType, u32) {
        let (_, layout) = self.gc_type(t);
        match self.env.defs[t as usize].composite() {
            CompositeType::Struct(s) => (s.fields()[f as usize], layout.offsets[f as usize]),
            _ => unreachable!("validated: a struct type"),
        }
    }

    /// The element type of array type index `t`.
    fn element(&self, t: u32) -> FieldType {
        match self.env.defs[t as usize].composite() {
            CompositeType::Array(a) => *a.element(),
            _ => unreachable!("validated: an array type"),
        }
    }

    /// The operand in a slot, popped.
    fn pop_slot(&mut self) -> Slot {
        let (o, pos) = self.pop();
        self.slot(o, pos)
    }

    /// Translates `op` if it is a GC instruction; returns whether it was.
    pub(super) fn gc(&mut self, op: &Operator<'_>) -> Result<bool> {
        use Operator as O;
        match *op {
            O::StructNew { struct_type_index: t }
            | O::StructNewDefault { struct_type_index: t } => {
                let live = self.root_temps(self.stack.len());
                let (ty, layout) = self.gc_type(t);
                let (n, traced) = (layout.slots, layout.traced as u8);
                let (handler, a) = if let O::StructNew { .. } = op {
                    let count = match self.env.defs[t as usize].composite() {
                        CompositeType::Struct(s) => s.fields().len(),
                        _ => 0,
                    };
                    let base = self.args(count);
                    self.truncate(self.stack.len() - count);
                    (Opcode::struct_new, base)
                } else {
                    (Opcode::struct_new_default, 0)
                };
                let d = self.push_temp()?;
                // The fields are read before the result is written.
                self.reserve(a as usize + n as usize)?;
                self.mark();
                let i = Gc { d, a, b: 0, c: 0, ty, n, elem: 0, traced };
                let at = self.emit_result(handler, i, d);
                self.root_point(live, at, false);
            }
            O::StructGet { struct_type_index: t, field_index: f }
            | O::StructGetS { struct_type_index: t, field_index: f }
            | O::StructGetU { struct_type_index: t, field_index: f } => {
                let (field, idx) = self.field(t, f);
                let signed = matches!(op, O::StructGetS { .. });
                let handler = match field.storage {
                    StorageType::I8 if signed => Opcode::struct_get_s8,
                    StorageType::I8 => Opcode::struct_get_u8,
                    StorageType::I16 if signed => Opcode::struct_get_s16,
                    StorageType::I16 => Opcode::struct_get_u16,
                    StorageType::Val(ValType::V128) => Opcode::struct_get128,
                    StorageType::Val(_) => Opcode::struct_get,
                };
                let a = self.pop_slot();
                let d = self.push_temp_wide(handler == Opcode::struct_get128)?;
                self.mark();
                self.emit_result(handler, RIdx { d, a, idx }, d);
            }
            O::StructSet { struct_type_index: t, field_index: f } => {
                let (field, idx) = self.field(t, f);
                let v = self.pop_slot();
                let a = self.pop_slot();
                let handler = match field.storage {
                    StorageType::Val(ValType::V128) => Opcode::struct_set128,
                    _ => Opcode::struct_set,
                };
                self.mark();
                self.emit(handler, RIdx { d: v, a, idx });
            }
            O::ArrayNew { array_type_index: t } | O::ArrayNewDefault { array_type_index: t } => {
                let live = self.root_temps(self.stack.len());
                let (ty, layout) = self.gc_type(t);
                let (elem, traced) = (layout.slots as u8, layout.traced as u8);
                let b = self.pop_slot();
                let (handler, a) = match op {
                    O::ArrayNew { .. } => (Opcode::array_new, self.pop_slot()),
                    _ => (Opcode::array_new_default, 0),
                };
                let d = self.push_temp()?;
                self.mark();
                let at = self.emit_result(handler, Gc { d, a, b, c: 0, ty, n: 0, elem, traced }, d);
                self.root_point(live, at, false);
            }
            O::ArrayNewFixed { array_type_index: t, array_size: n } => {
                let live = self.root_temps(self.stack.len());
                let (ty, layout) = self.gc_type(t);
                let (elem, traced) = (layout.slots as u8, layout.traced as u8);
                let a = self.args(n as usize);
                self.truncate(self.stack.len() - n as usize);
                let d = self.push_temp()?;
                self.reserve(a as usize + n as usize * elem as usize)?;
                self.mark();
                let i = Gc { d, a, b: 0, c: 0, ty, n, elem, traced };
                let at = self.emit_result(Opcode::array_new_fixed, i, d);
                self.root_point(live, at, false);
            }
            O::ArrayNewData { array_type_index: t, array_data_index: seg }
            | O::ArrayNewElem { array_type_index: t, array_elem_index: seg } => {
                let live = self.root_temps(self.stack.len());
                let (ty, _) = self.gc_type(t);
                let (handler, elem) = match op {
                    O::ArrayNewData { .. } => {
                        (Opcode::array_new_data, self.element(t).storage.byte_size() as u8)
                    }
                    _ => (Opcode::array_new_elem, 1),
                };
                let b = self.pop_slot();
                let a = self.pop_slot();
                let d = self.push_temp()?;
                self.mark();
                let i = Gc { d, a, b, c: 0, ty, n: seg, elem, traced: 1 };
                let at = self.emit_result(handler, i, d);
                self.root_point(live, at, false);
            }
            O::ArrayGet { array_type_index: t }
            | O::ArrayGetS { array_type_index: t }
            | O::ArrayGetU { array_type_index: t } => {
                let signed = matches!(op, O::ArrayGetS { .. });
                let handler = match self.element(t).storage {
                    StorageType::I8 if signed => Opcode::array_get_s8,
                    StorageType::I8 => Opcode::array_get_u8,
                    StorageType::I16 if signed => Opcode::array_get_s16,
                    StorageType::I16 => Opcode::array_get_u16,
                    StorageType::Val(ValType::V128) => Opcode::array_get128,
                    StorageType::Val(_) => Opcode::array_get,
                };
                let b = self.pop_slot();
                let a = self.pop_slot();
                let d = self.push_temp_wide(handler == Opcode::array_get128)?;
                self.mark();
                self.emit_result(handler, RRR { d, a, b }, d);
            }
            O::ArraySet { array_type_index: t } => {
                let handler = match self.element(t).storage {
                    StorageType::Val(ValType::V128) => Opcode::array_set128,
                    _ => Opcode::array_set,
                };
                let d = self.pop_slot();
                let b = self.pop_slot();
                let a = self.pop_slot();
                self.mark();
                self.emit(handler, RRR { d, a, b });
            }
            O::ArrayLen => self.unop_trap(Opcode::array_len)?,
            O::ArrayFill { array_type_index: t } => {
                let (_, layout) = self.gc_type(t);
                let elem = layout.slots as u8;
                let c = self.pop_slot();
                let b = self.pop_slot();
                let a = self.pop_slot();
                let d = self.pop_slot();
                self.mark();
                self.emit(Opcode::array_fill, Gc { d, a, b, c, ty: 0, n: 0, elem, traced: 0 });
            }
            O::ArrayCopy { array_type_index_dst: t, .. } => {
                let (_, layout) = self.gc_type(t);
                let handler =
                    if layout.slots == 2 { Opcode::array_copy128 } else { Opcode::array_copy };
                let e = self.pop_slot();
                let c = self.pop_slot();
                let b = self.pop_slot();
                let a = self.pop_slot();
                let d = self.pop_slot();
                self.mark();
                self.emit(handler, RRRRR { d, a, b, c, e });
            }
            O::ArrayInitData { array_type_index: t, array_data_index: seg }
            | O::ArrayInitElem { array_type_index: t, array_elem_index: seg } => {
                let (handler, elem) = match op {
                    O::ArrayInitData { .. } => {
                        (Opcode::array_init_data, self.element(t).storage.byte_size() as u8)
                    }
                    _ => (Opcode::array_init_elem, 1),
                };
                let c = self.pop_slot();
                let b = self.pop_slot();
                let a = self.pop_slot();
                let d = self.pop_slot();
                self.mark();
                self.emit(handler, Gc { d, a, b, c, ty: 0, n: seg, elem, traced: 0 });
            }
            O::RefI31 => self.unop(Opcode::ref_i31)?,
            O::I31GetS => self.unop_trap(Opcode::i31_get_s)?,
            O::I31GetU => self.unop_trap(Opcode::i31_get_u)?,
            O::RefEq => {
                let eq = isa::binop(&O::I64Eq).expect("i64.eq is a binary operator");
                self.binop(eq)?
            }
            // Both conversions keep the reference's bits (`store::gc`).
            O::AnyConvertExtern | O::ExternConvertAny => {}
            O::RefTestNonNull { hty } | O::RefTestNullable { hty } => {
                let nullable = matches!(op, O::RefTestNullable { .. });
                let cast = self.cast(hty, nullable)?;
                let (o, pos) = self.pop();
                let a = self.slot(o, pos);
                self.emit_result(Opcode::ref_test, Cast { d: pos, a, ..cast }, pos);
                self.push(Opd::Temp)?;
            }
            O::RefCastNonNull { hty } | O::RefCastNullable { hty } => {
                let nullable = matches!(op, O::RefCastNullable { .. });
                let cast = self.cast(hty, nullable)?;
                let (o, pos) = self.pop();
                let a = self.slot(o, pos);
                self.mark();
                self.emit_result(Opcode::ref_cast, Cast { d: pos, a, ..cast }, pos);
                self.push(Opd::Temp)?;
            }
            O::BrOnCast { relative_depth, to_ref_type, .. } => {
                self.br_on_cast(relative_depth, to_ref_type, true)?
            }
            O::BrOnCastFail { relative_depth, to_ref_type, .. } => {
                self.br_on_cast(relative_depth, to_ref_type, false)?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The test of heap type `hty` (null passing if `nullable`), slots
    /// left to fill.
    fn cast(&self, hty: wasmparser::HeapType, nullable: bool) -> Result<Cast> {
        let Some(r) = wasmparser::RefType::new(nullable, hty) else {
            bail!("unsupported heap type {hty:?}")
        };
        let r = RefType::from_wasmparser(r, self.env.type_ids)?;
        let heap = ValType::from(r).as_ref().expect("a reference type").1;
        let (heap, func) = heap_code(heap);
        Ok(Cast { d: 0, a: 0, heap, nullable: nullable as u8, func: func as u8 })
    }

    /// `br_on_cast` (`on_match`) or `br_on_cast_fail`: tests the reference
    /// on top of the stack into a slot above it, then branches on the
    /// result with the reference still on the stack.
    fn br_on_cast(&mut self, depth: u32, to: wasmparser::RefType, on_match: bool) -> Result<()> {
        let cast = self.cast(to.heap_type(), to.is_nullable())?;
        let e = *self.stack.last().expect("validated stack");
        let a = self.slot(e.o, e.slot);
        let d = self.push_temp()?;
        self.emit(Opcode::ref_test, Cast { d, a, ..cast });
        self.pop();
        self.branch_if(depth, |t, when, label| {
            let op = if when == on_match { Opcode::br_nez } else { Opcode::br_eqz };
            t.emit_branch(op, BrR { off: 0, c: d }, label);
        })
    }
}
