//! The instruction set, declared once.
//!
//! [`for_each_op!`] lists every instruction of the bytecode with its operand
//! layout (from [`crate::ir`]) and, for the families the translator maps
//! from wasm operators, the operator it implements. Everything else derives
//! from this list:
//! - here, the [`Opcode`] enum, each opcode's name and size, the
//!   comparisons that fuse with branches ([`Cmp`]) and the translator's
//!   tables (which opcodes implement a wasm operator, in which forms);
//! - in `exec`, the handler table (one handler per opcode, in this order)
//!   and the handlers of the SIMD families, generated from their lane
//!   functions in `exec::v128`;
//! - in `disasm`, the listing.
//!
//! Adding an instruction means one line here and one handler (a function of
//! the same name in `exec`, or a lane function in `exec::v128` for the SIMD
//! families). This module imports neither the executor nor the module
//! loader.
//!
//! Groups, in order:
//! - `plain`: `name: Layout`, emitted by hand-written translator code;
//! - `binop`: `Operator => rr ri [ir] : imm [cmp|traps]`: both operands in
//!   slots (`RRR`), right immediate, left immediate (absent for commutative
//!   operators and comparisons); `imm` is the immediate's width (`B32` in an
//!   `RRI`, `B64` in an `RRI64`); `cmp` marks comparisons that fuse with a
//!   following branch (see `br_cmp`), `traps` operators that may trap;
//! - `unop`: `Operator => name [traps]`, layout `RR`;
//! - `load`: `Operator => name abs ix plus` (`MemOp`, `MemAbs`, `MemIx`:
//!   the address is the 32-bit sum of two slots, fused from the `i32.add`
//!   before the load; `RRI`: the 32-bit sum of slot `a` and `imm`, fused
//!   from an `i32.add` of a constant, the access's offset 0);
//! - `store`: `Operator | ... => name imm abs ix ix_imm plus` (`MemOp`,
//!   `StoreImm`, `MemAbs`, `MemIx`, `StoreIxImm`, `RRI` with the value in
//!   `d`);
//! - `br_cmp`: `Cmp => rr [ri]`: compare-and-branch (`BrRR`, `BrRI`);
//! - `simd_*`: `Operator => name`, whose handler applies the lane function
//!   `exec::v128::name`: `simd_unop` (v128 -> v128, `RR`), `simd_binop`
//!   (`RRR`), `simd_ternop` (`RRRR`), `simd_shift` (v128, i32 -> v128,
//!   `RRR`), `simd_test` (v128 -> i32, `RR`), `simd_splat` (scalar -> v128,
//!   `RR`), `simd_extract` (v128 -> scalar, lane in `RRI`), `simd_replace`
//!   (v128, scalar -> v128, lane in `RRRR::c`).

#![allow(non_camel_case_types)]

use crate::ir::*;

/// Invokes macro `$m` with the whole instruction list.
macro_rules! for_each_op {
    ($m:ident) => {
        $m! {
        plain {
            const32: RI, const64: RI64, copy: RR, copy2: Select, copy_span: CopySpan,
            select: Select,
            memory_size: RIdx, memory_grow: RIdx, memory_fill: R3Idx, memory_copy: R3Idx,
            memory_init: R3Idx, data_drop: RIdx,
            // Multi-memory: loads and stores run on the memory in the
            // registers (memory 0); an access to memory `idx` is wrapped in
            // `use_memory idx` and `use_memory 0`.
            use_memory: RIdx,
            // Memory64: a 64-bit address plus offset, clamped into a slot as
            // a 32-bit address (`u32::MAX` if it does not fit, which no
            // 64-bit memory reaches), for the 32-bit access that follows;
            // lengths are clamped the same way.
            addr64: RRI64, memory_grow64: RIdx,
            // Typed function references.
            ref_as_non_null: RR, call_ref: CallIndirect, return_call_ref: CallIndirect,
            // Exceptions: `throw_ref` throws the reference in slot `a`.
            throw: Throw, throw_ref: RR,
            atomic_fence: Nil,
            // GC (objects in the store's heap, `store::gc`). Struct fields
            // are at slot offset `idx` of object `a`; `struct_set` stores
            // slot `d`. Array elements are at index `b`; `array_set`
            // stores slot `d`. `_s8`... cut packed values on read; `128`
            // variants move v128 fields.
            struct_new: Gc, struct_new_default: Gc,
            struct_get: RIdx, struct_get128: RIdx, struct_get_s8: RIdx, struct_get_u8: RIdx,
            struct_get_s16: RIdx, struct_get_u16: RIdx, struct_set: RIdx, struct_set128: RIdx,
            array_new: Gc, array_new_default: Gc, array_new_fixed: Gc, array_new_data: Gc,
            array_new_elem: Gc,
            array_get: RRR, array_get128: RRR, array_get_s8: RRR, array_get_u8: RRR,
            array_get_s16: RRR, array_get_u16: RRR, array_set: RRR, array_set128: RRR,
            array_len: RR, array_fill: Gc, array_copy: RRRRR, array_copy128: RRRRR,
            array_init_data: Gc, array_init_elem: Gc,
            ref_i31: RR, i31_get_s: RR, i31_get_u: RR, ref_test: Cast, ref_cast: Cast,
            global_get: RIdx, global_set: RIdx, global_set_imm: RI64,
            ref_func: RIdx, ref_is_null: RR,
            table_get: RIdx, table_set: RIdx, table_size: RIdx, table_grow: R3Idx,
            table_fill: R3Idx, table_copy: R3Idx, table_init: R3Idx, elem_drop: RIdx,
            exit: Nil, trap_op: TrapOp, nop: Nil, consume_fuel: Fuel, check_epoch: Nil,
            zero_locals: CopySpan,
            br: Br, br_nez: BrR, br_eqz: BrR, br_i64_nez: BrR, br_i64_eqz: BrR,
            // A loop's step and test: `a += imm` (an `i32.add` of a constant
            // in place), then a branch on the sum: non-zero, zero (`BrRI`,
            // the step in `imm`), or unlike slot `b` or immediate `cmp`;
            // or `a += s` (of a slot), then a branch if below slot `b`;
            // the same of `i64`s for a step of a constant.
            i32_add_ri_br_nez: BrRI, i32_add_ri_br_eqz: BrRI, i32_add_ri_br_ne_rr: BrStepRR,
            i32_add_ri_br_ne_ri: BrStepRI, i32_add_rr_br_lt_u_rr: BrStepRRR,
            i64_add_ri_br_nez: BrRI, i64_add_ri_br_eqz: BrRI, i64_add_ri_br_ne_rr: BrStepRR,
            br_table: BrTable,
            return_void: Nil, return_r: RR, return_imm: RI64,
            call_internal: Call, return_call_internal: Call, call_import: Call,
            call_indirect: CallIndirect, return_call_import: Call,
            return_call_indirect: CallIndirect,
            i32_eqz: RR, i64_eqz: RR,
            // Wide arithmetic: 128-bit results in slots `d`, `d + 1`.
            i64_add128: RRRRR, i64_sub128: RRRRR, i64_mul_wide_s: RRR, i64_mul_wide_u: RRR,
            // v128 values take two slots (`d`, `d + 1`).
            copy128: RR, select128: Select, return128: RR,
            global_get128: RIdx, global_set128: RIdx,
            v128_const: RV128, i8x16_shuffle: Shuffle,
            // `d = a * b + c`, rounded twice: a multiply whose only use is
            // an add, fused into one dispatch.
            f32x4_mul_add: RRRR, f64x2_mul_add: RRRR,
            // The deterministic results of the relaxed dot products
            // (`Config::relaxed_simd_deterministic`).
            i16x8_dot_i8x16_i7x16_s_exact: RRR, i32x4_dot_i8x16_i7x16_add_s_exact: RRRR,
            v128_load: MemOp, v128_store: MemOp,
            v128_load8x8_s: MemOp, v128_load8x8_u: MemOp, v128_load16x4_s: MemOp,
            v128_load16x4_u: MemOp, v128_load32x2_s: MemOp, v128_load32x2_u: MemOp,
            v128_load8_splat: MemOp, v128_load16_splat: MemOp, v128_load32_splat: MemOp,
            v128_load64_splat: MemOp, v128_load32_zero: MemOp, v128_load64_zero: MemOp,
            v128_load8_lane: MemLane, v128_load16_lane: MemLane, v128_load32_lane: MemLane,
            v128_load64_lane: MemLane, v128_store8_lane: MemLane, v128_store16_lane: MemLane,
            v128_store32_lane: MemLane, v128_store64_lane: MemLane,
        }
        binop {
            I32Add => i32_add_rr i32_add_ri : B32,
            I32Sub => i32_sub_rr i32_sub_ri i32_sub_ir : B32,
            I32Mul => i32_mul_rr i32_mul_ri : B32,
            I32DivS => i32_div_s_rr i32_div_s_ri i32_div_s_ir : B32 traps,
            I32DivU => i32_div_u_rr i32_div_u_ri i32_div_u_ir : B32 traps,
            I32RemS => i32_rem_s_rr i32_rem_s_ri i32_rem_s_ir : B32 traps,
            I32RemU => i32_rem_u_rr i32_rem_u_ri i32_rem_u_ir : B32 traps,
            I32And => i32_and_rr i32_and_ri : B32,
            I32Or => i32_or_rr i32_or_ri : B32,
            I32Xor => i32_xor_rr i32_xor_ri : B32,
            I32Shl => i32_shl_rr i32_shl_ri i32_shl_ir : B32,
            I32ShrS => i32_shr_s_rr i32_shr_s_ri i32_shr_s_ir : B32,
            I32ShrU => i32_shr_u_rr i32_shr_u_ri i32_shr_u_ir : B32,
            I32Rotl => i32_rotl_rr i32_rotl_ri i32_rotl_ir : B32,
            I32Rotr => i32_rotr_rr i32_rotr_ri i32_rotr_ir : B32,
            I32Eq => i32_eq_rr i32_eq_ri : B32 cmp,
            I32Ne => i32_ne_rr i32_ne_ri : B32 cmp,
            I32LtS => i32_lt_s_rr i32_lt_s_ri : B32 cmp,
            I32LtU => i32_lt_u_rr i32_lt_u_ri : B32 cmp,
            I32GtS => i32_gt_s_rr i32_gt_s_ri : B32 cmp,
            I32GtU => i32_gt_u_rr i32_gt_u_ri : B32 cmp,
            I32LeS => i32_le_s_rr i32_le_s_ri : B32 cmp,
            I32LeU => i32_le_u_rr i32_le_u_ri : B32 cmp,
            I32GeS => i32_ge_s_rr i32_ge_s_ri : B32 cmp,
            I32GeU => i32_ge_u_rr i32_ge_u_ri : B32 cmp,
            I64Add => i64_add_rr i64_add_ri : B64,
            I64Sub => i64_sub_rr i64_sub_ri i64_sub_ir : B64,
            I64Mul => i64_mul_rr i64_mul_ri : B64,
            I64DivS => i64_div_s_rr i64_div_s_ri i64_div_s_ir : B64 traps,
            I64DivU => i64_div_u_rr i64_div_u_ri i64_div_u_ir : B64 traps,
            I64RemS => i64_rem_s_rr i64_rem_s_ri i64_rem_s_ir : B64 traps,
            I64RemU => i64_rem_u_rr i64_rem_u_ri i64_rem_u_ir : B64 traps,
            I64And => i64_and_rr i64_and_ri : B64,
            I64Or => i64_or_rr i64_or_ri : B64,
            I64Xor => i64_xor_rr i64_xor_ri : B64,
            I64Shl => i64_shl_rr i64_shl_ri i64_shl_ir : B64,
            I64ShrS => i64_shr_s_rr i64_shr_s_ri i64_shr_s_ir : B64,
            I64ShrU => i64_shr_u_rr i64_shr_u_ri i64_shr_u_ir : B64,
            I64Rotl => i64_rotl_rr i64_rotl_ri i64_rotl_ir : B64,
            I64Rotr => i64_rotr_rr i64_rotr_ri i64_rotr_ir : B64,
            I64Eq => i64_eq_rr i64_eq_ri : B64 cmp,
            I64Ne => i64_ne_rr i64_ne_ri : B64 cmp,
            I64LtS => i64_lt_s_rr i64_lt_s_ri : B64 cmp,
            I64LtU => i64_lt_u_rr i64_lt_u_ri : B64 cmp,
            I64GtS => i64_gt_s_rr i64_gt_s_ri : B64 cmp,
            I64GtU => i64_gt_u_rr i64_gt_u_ri : B64 cmp,
            I64LeS => i64_le_s_rr i64_le_s_ri : B64 cmp,
            I64LeU => i64_le_u_rr i64_le_u_ri : B64 cmp,
            I64GeS => i64_ge_s_rr i64_ge_s_ri : B64 cmp,
            I64GeU => i64_ge_u_rr i64_ge_u_ri : B64 cmp,
            F32Add => f32_add_rr f32_add_ri : B32,
            F32Sub => f32_sub_rr f32_sub_ri f32_sub_ir : B32,
            F32Mul => f32_mul_rr f32_mul_ri : B32,
            F32Div => f32_div_rr f32_div_ri f32_div_ir : B32,
            F32Min => f32_min_rr f32_min_ri : B32,
            F32Max => f32_max_rr f32_max_ri : B32,
            F32Copysign => f32_copysign_rr f32_copysign_ri f32_copysign_ir : B32,
            F32Eq => f32_eq_rr f32_eq_ri : B32 cmp,
            F32Ne => f32_ne_rr f32_ne_ri : B32 cmp,
            F32Lt => f32_lt_rr f32_lt_ri : B32 cmp,
            F32Gt => f32_gt_rr f32_gt_ri : B32 cmp,
            F32Le => f32_le_rr f32_le_ri : B32 cmp,
            F32Ge => f32_ge_rr f32_ge_ri : B32 cmp,
            F64Add => f64_add_rr f64_add_ri : B64,
            F64Sub => f64_sub_rr f64_sub_ri f64_sub_ir : B64,
            F64Mul => f64_mul_rr f64_mul_ri : B64,
            F64Div => f64_div_rr f64_div_ri f64_div_ir : B64,
            F64Min => f64_min_rr f64_min_ri : B64,
            F64Max => f64_max_rr f64_max_ri : B64,
            F64Copysign => f64_copysign_rr f64_copysign_ri f64_copysign_ir : B64,
            F64Eq => f64_eq_rr f64_eq_ri : B64 cmp,
            F64Ne => f64_ne_rr f64_ne_ri : B64 cmp,
            F64Lt => f64_lt_rr f64_lt_ri : B64 cmp,
            F64Gt => f64_gt_rr f64_gt_ri : B64 cmp,
            F64Le => f64_le_rr f64_le_ri : B64 cmp,
            F64Ge => f64_ge_rr f64_ge_ri : B64 cmp,
        }
        unop {
            I32Clz => i32_clz, I32Ctz => i32_ctz, I32Popcnt => i32_popcnt,
            I32Extend8S => i32_extend8_s, I32Extend16S => i32_extend16_s,
            I32WrapI64 => i32_wrap_i64,
            I64Clz => i64_clz, I64Ctz => i64_ctz, I64Popcnt => i64_popcnt,
            I64Extend8S => i64_extend8_s, I64Extend16S => i64_extend16_s,
            I64Extend32S => i64_extend32_s, I64ExtendI32S => i64_extend_i32_s,
            F32Abs => f32_abs, F32Neg => f32_neg, F32Ceil => f32_ceil, F32Floor => f32_floor,
            F32Trunc => f32_trunc, F32Nearest => f32_nearest, F32Sqrt => f32_sqrt,
            F64Abs => f64_abs, F64Neg => f64_neg, F64Ceil => f64_ceil, F64Floor => f64_floor,
            F64Trunc => f64_trunc, F64Nearest => f64_nearest, F64Sqrt => f64_sqrt,
            F32ConvertI32S => f32_convert_i32_s, F32ConvertI32U => f32_convert_i32_u,
            F32ConvertI64S => f32_convert_i64_s, F32ConvertI64U => f32_convert_i64_u,
            F32DemoteF64 => f32_demote_f64,
            F64ConvertI32S => f64_convert_i32_s, F64ConvertI32U => f64_convert_i32_u,
            F64ConvertI64S => f64_convert_i64_s, F64ConvertI64U => f64_convert_i64_u,
            F64PromoteF32 => f64_promote_f32,
            I32TruncSatF32S => i32_trunc_sat_f32_s, I32TruncSatF32U => i32_trunc_sat_f32_u,
            I32TruncSatF64S => i32_trunc_sat_f64_s, I32TruncSatF64U => i32_trunc_sat_f64_u,
            I64TruncSatF32S => i64_trunc_sat_f32_s, I64TruncSatF32U => i64_trunc_sat_f32_u,
            I64TruncSatF64S => i64_trunc_sat_f64_s, I64TruncSatF64U => i64_trunc_sat_f64_u,
            I32TruncF32S => i32_trunc_f32_s traps, I32TruncF32U => i32_trunc_f32_u traps,
            I32TruncF64S => i32_trunc_f64_s traps, I32TruncF64U => i32_trunc_f64_u traps,
            I64TruncF32S => i64_trunc_f32_s traps, I64TruncF32U => i64_trunc_f32_u traps,
            I64TruncF64S => i64_trunc_f64_s traps, I64TruncF64U => i64_trunc_f64_u traps,
        }
        load {
            I32Load => i32_load i32_load_abs i32_load_ix i32_load_plus,
            I64Load => i64_load i64_load_abs i64_load_ix i64_load_plus,
            F32Load => f32_load f32_load_abs f32_load_ix f32_load_plus,
            F64Load => f64_load f64_load_abs f64_load_ix f64_load_plus,
            I32Load8S => i32_load8_s i32_load8_s_abs i32_load8_s_ix i32_load8_s_plus,
            I32Load8U => i32_load8_u i32_load8_u_abs i32_load8_u_ix i32_load8_u_plus,
            I32Load16S => i32_load16_s i32_load16_s_abs i32_load16_s_ix i32_load16_s_plus,
            I32Load16U => i32_load16_u i32_load16_u_abs i32_load16_u_ix i32_load16_u_plus,
            I64Load8S => i64_load8_s i64_load8_s_abs i64_load8_s_ix i64_load8_s_plus,
            I64Load8U => i64_load8_u i64_load8_u_abs i64_load8_u_ix i64_load8_u_plus,
            I64Load16S => i64_load16_s i64_load16_s_abs i64_load16_s_ix i64_load16_s_plus,
            I64Load16U => i64_load16_u i64_load16_u_abs i64_load16_u_ix i64_load16_u_plus,
            I64Load32S => i64_load32_s i64_load32_s_abs i64_load32_s_ix i64_load32_s_plus,
            I64Load32U => i64_load32_u i64_load32_u_abs i64_load32_u_ix i64_load32_u_plus,
        }
        store {
            I32Store | F32Store =>
                i32_store i32_store_imm i32_store_abs i32_store_ix i32_store_ix_imm i32_store_plus,
            I64Store | F64Store =>
                i64_store i64_store_imm i64_store_abs i64_store_ix i64_store_ix_imm i64_store_plus,
            I32Store8 =>
                i32_store8 i32_store8_imm i32_store8_abs i32_store8_ix i32_store8_ix_imm i32_store8_plus,
            I32Store16 =>
                i32_store16 i32_store16_imm i32_store16_abs i32_store16_ix i32_store16_ix_imm i32_store16_plus,
            I64Store8 =>
                i64_store8 i64_store8_imm i64_store8_abs i64_store8_ix i64_store8_ix_imm i64_store8_plus,
            I64Store16 =>
                i64_store16 i64_store16_imm i64_store16_abs i64_store16_ix i64_store16_ix_imm i64_store16_plus,
            I64Store32 =>
                i64_store32 i64_store32_imm i64_store32_abs i64_store32_ix i64_store32_ix_imm i64_store32_plus,
        }
        br_cmp {
            I32Eq => br_i32_eq_rr br_i32_eq_ri, I32Ne => br_i32_ne_rr br_i32_ne_ri,
            I32LtS => br_i32_lt_s_rr br_i32_lt_s_ri, I32LtU => br_i32_lt_u_rr br_i32_lt_u_ri,
            I32GtS => br_i32_gt_s_rr br_i32_gt_s_ri, I32GtU => br_i32_gt_u_rr br_i32_gt_u_ri,
            I32LeS => br_i32_le_s_rr br_i32_le_s_ri, I32LeU => br_i32_le_u_rr br_i32_le_u_ri,
            I32GeS => br_i32_ge_s_rr br_i32_ge_s_ri, I32GeU => br_i32_ge_u_rr br_i32_ge_u_ri,
            I64Eq => br_i64_eq_rr br_i64_eq_ri, I64Ne => br_i64_ne_rr br_i64_ne_ri,
            I64LtS => br_i64_lt_s_rr br_i64_lt_s_ri, I64LtU => br_i64_lt_u_rr br_i64_lt_u_ri,
            I64GtS => br_i64_gt_s_rr br_i64_gt_s_ri, I64GtU => br_i64_gt_u_rr br_i64_gt_u_ri,
            I64LeS => br_i64_le_s_rr br_i64_le_s_ri, I64LeU => br_i64_le_u_rr br_i64_le_u_ri,
            I64GeS => br_i64_ge_s_rr br_i64_ge_s_ri, I64GeU => br_i64_ge_u_rr br_i64_ge_u_ri,
            F32Eq => br_f32_eq_rr, F32Ne => br_f32_ne_rr, F32Lt => br_f32_lt_rr,
            F32Gt => br_f32_gt_rr, F32Le => br_f32_le_rr, F32Ge => br_f32_ge_rr,
            F64Eq => br_f64_eq_rr, F64Ne => br_f64_ne_rr, F64Lt => br_f64_lt_rr,
            F64Gt => br_f64_gt_rr, F64Le => br_f64_le_rr, F64Ge => br_f64_ge_rr,
        }
        simd_unop {
            V128Not => v128_not, I8x16Abs => i8x16_abs, I8x16Neg => i8x16_neg,
            I8x16Popcnt => i8x16_popcnt,
            I16x8ExtAddPairwiseI8x16S => i16x8_extadd_pairwise_i8x16_s,
            I16x8ExtAddPairwiseI8x16U => i16x8_extadd_pairwise_i8x16_u, I16x8Abs => i16x8_abs,
            I16x8Neg => i16x8_neg, I16x8ExtendLowI8x16S => i16x8_extend_low_i8x16_s,
            I16x8ExtendHighI8x16S => i16x8_extend_high_i8x16_s,
            I16x8ExtendLowI8x16U => i16x8_extend_low_i8x16_u,
            I16x8ExtendHighI8x16U => i16x8_extend_high_i8x16_u,
            I32x4ExtAddPairwiseI16x8S => i32x4_extadd_pairwise_i16x8_s,
            I32x4ExtAddPairwiseI16x8U => i32x4_extadd_pairwise_i16x8_u, I32x4Abs => i32x4_abs,
            I32x4Neg => i32x4_neg, I32x4ExtendLowI16x8S => i32x4_extend_low_i16x8_s,
            I32x4ExtendHighI16x8S => i32x4_extend_high_i16x8_s,
            I32x4ExtendLowI16x8U => i32x4_extend_low_i16x8_u,
            I32x4ExtendHighI16x8U => i32x4_extend_high_i16x8_u, I64x2Abs => i64x2_abs,
            I64x2Neg => i64x2_neg, I64x2ExtendLowI32x4S => i64x2_extend_low_i32x4_s,
            I64x2ExtendHighI32x4S => i64x2_extend_high_i32x4_s,
            I64x2ExtendLowI32x4U => i64x2_extend_low_i32x4_u,
            I64x2ExtendHighI32x4U => i64x2_extend_high_i32x4_u, F32x4Ceil => f32x4_ceil,
            F32x4Floor => f32x4_floor, F32x4Trunc => f32x4_trunc, F32x4Nearest => f32x4_nearest,
            F32x4Abs => f32x4_abs, F32x4Neg => f32x4_neg, F32x4Sqrt => f32x4_sqrt,
            F64x2Ceil => f64x2_ceil, F64x2Floor => f64x2_floor, F64x2Trunc => f64x2_trunc,
            F64x2Nearest => f64x2_nearest, F64x2Abs => f64x2_abs, F64x2Neg => f64x2_neg,
            F64x2Sqrt => f64x2_sqrt, I32x4TruncSatF32x4S => i32x4_trunc_sat_f32x4_s,
            I32x4TruncSatF32x4U => i32x4_trunc_sat_f32x4_u,
            F32x4ConvertI32x4S => f32x4_convert_i32x4_s,
            F32x4ConvertI32x4U => f32x4_convert_i32x4_u,
            I32x4TruncSatF64x2SZero => i32x4_trunc_sat_f64x2_s_zero,
            I32x4TruncSatF64x2UZero => i32x4_trunc_sat_f64x2_u_zero,
            F64x2ConvertLowI32x4S => f64x2_convert_low_i32x4_s,
            F64x2ConvertLowI32x4U => f64x2_convert_low_i32x4_u,
            F32x4DemoteF64x2Zero => f32x4_demote_f64x2_zero,
            F64x2PromoteLowF32x4 => f64x2_promote_low_f32x4,
            I32x4RelaxedTruncF32x4S => i32x4_relaxed_trunc_f32x4_s,
            I32x4RelaxedTruncF32x4U => i32x4_relaxed_trunc_f32x4_u,
            I32x4RelaxedTruncF64x2SZero => i32x4_relaxed_trunc_f64x2_s_zero,
            I32x4RelaxedTruncF64x2UZero => i32x4_relaxed_trunc_f64x2_u_zero,
        }
        simd_binop {
            I8x16Swizzle => i8x16_swizzle, I8x16Eq => i8x16_eq, I8x16Ne => i8x16_ne,
            I8x16LtS => i8x16_lt_s, I8x16LtU => i8x16_lt_u, I8x16GtS => i8x16_gt_s,
            I8x16GtU => i8x16_gt_u, I8x16LeS => i8x16_le_s, I8x16LeU => i8x16_le_u,
            I8x16GeS => i8x16_ge_s, I8x16GeU => i8x16_ge_u, I16x8Eq => i16x8_eq,
            I16x8Ne => i16x8_ne, I16x8LtS => i16x8_lt_s, I16x8LtU => i16x8_lt_u,
            I16x8GtS => i16x8_gt_s, I16x8GtU => i16x8_gt_u, I16x8LeS => i16x8_le_s,
            I16x8LeU => i16x8_le_u, I16x8GeS => i16x8_ge_s, I16x8GeU => i16x8_ge_u,
            I32x4Eq => i32x4_eq, I32x4Ne => i32x4_ne, I32x4LtS => i32x4_lt_s,
            I32x4LtU => i32x4_lt_u, I32x4GtS => i32x4_gt_s, I32x4GtU => i32x4_gt_u,
            I32x4LeS => i32x4_le_s, I32x4LeU => i32x4_le_u, I32x4GeS => i32x4_ge_s,
            I32x4GeU => i32x4_ge_u, I64x2Eq => i64x2_eq, I64x2Ne => i64x2_ne,
            I64x2LtS => i64x2_lt_s, I64x2GtS => i64x2_gt_s, I64x2LeS => i64x2_le_s,
            I64x2GeS => i64x2_ge_s, F32x4Eq => f32x4_eq, F32x4Ne => f32x4_ne,
            F32x4Lt => f32x4_lt, F32x4Gt => f32x4_gt, F32x4Le => f32x4_le, F32x4Ge => f32x4_ge,
            F64x2Eq => f64x2_eq, F64x2Ne => f64x2_ne, F64x2Lt => f64x2_lt, F64x2Gt => f64x2_gt,
            F64x2Le => f64x2_le, F64x2Ge => f64x2_ge, V128And => v128_and,
            V128AndNot => v128_andnot, V128Or => v128_or, V128Xor => v128_xor,
            I8x16NarrowI16x8S => i8x16_narrow_i16x8_s,
            I8x16NarrowI16x8U => i8x16_narrow_i16x8_u, I8x16Add => i8x16_add,
            I8x16AddSatS => i8x16_add_sat_s, I8x16AddSatU => i8x16_add_sat_u,
            I8x16Sub => i8x16_sub, I8x16SubSatS => i8x16_sub_sat_s,
            I8x16SubSatU => i8x16_sub_sat_u, I8x16MinS => i8x16_min_s, I8x16MinU => i8x16_min_u,
            I8x16MaxS => i8x16_max_s, I8x16MaxU => i8x16_max_u, I8x16AvgrU => i8x16_avgr_u,
            I16x8Q15MulrSatS => i16x8_q15mulr_sat_s, I16x8NarrowI32x4S => i16x8_narrow_i32x4_s,
            I16x8NarrowI32x4U => i16x8_narrow_i32x4_u, I16x8Add => i16x8_add,
            I16x8AddSatS => i16x8_add_sat_s, I16x8AddSatU => i16x8_add_sat_u,
            I16x8Sub => i16x8_sub, I16x8SubSatS => i16x8_sub_sat_s,
            I16x8SubSatU => i16x8_sub_sat_u, I16x8Mul => i16x8_mul, I16x8MinS => i16x8_min_s,
            I16x8MinU => i16x8_min_u, I16x8MaxS => i16x8_max_s, I16x8MaxU => i16x8_max_u,
            I16x8AvgrU => i16x8_avgr_u, I16x8ExtMulLowI8x16S => i16x8_extmul_low_i8x16_s,
            I16x8ExtMulHighI8x16S => i16x8_extmul_high_i8x16_s,
            I16x8ExtMulLowI8x16U => i16x8_extmul_low_i8x16_u,
            I16x8ExtMulHighI8x16U => i16x8_extmul_high_i8x16_u, I32x4Add => i32x4_add,
            I32x4Sub => i32x4_sub, I32x4Mul => i32x4_mul, I32x4MinS => i32x4_min_s,
            I32x4MinU => i32x4_min_u, I32x4MaxS => i32x4_max_s, I32x4MaxU => i32x4_max_u,
            I32x4DotI16x8S => i32x4_dot_i16x8_s,
            I32x4ExtMulLowI16x8S => i32x4_extmul_low_i16x8_s,
            I32x4ExtMulHighI16x8S => i32x4_extmul_high_i16x8_s,
            I32x4ExtMulLowI16x8U => i32x4_extmul_low_i16x8_u,
            I32x4ExtMulHighI16x8U => i32x4_extmul_high_i16x8_u, I64x2Add => i64x2_add,
            I64x2Sub => i64x2_sub, I64x2Mul => i64x2_mul,
            I64x2ExtMulLowI32x4S => i64x2_extmul_low_i32x4_s,
            I64x2ExtMulHighI32x4S => i64x2_extmul_high_i32x4_s,
            I64x2ExtMulLowI32x4U => i64x2_extmul_low_i32x4_u,
            I64x2ExtMulHighI32x4U => i64x2_extmul_high_i32x4_u, F32x4Add => f32x4_add,
            F32x4Sub => f32x4_sub, F32x4Mul => f32x4_mul, F32x4Div => f32x4_div,
            F32x4Min => f32x4_min, F32x4Max => f32x4_max, F32x4PMin => f32x4_pmin,
            F32x4PMax => f32x4_pmax, F64x2Add => f64x2_add, F64x2Sub => f64x2_sub,
            F64x2Mul => f64x2_mul, F64x2Div => f64x2_div, F64x2Min => f64x2_min,
            F64x2Max => f64x2_max, F64x2PMin => f64x2_pmin, F64x2PMax => f64x2_pmax,
            I8x16RelaxedSwizzle => i8x16_relaxed_swizzle, F32x4RelaxedMin => f32x4_relaxed_min,
            F32x4RelaxedMax => f32x4_relaxed_max, F64x2RelaxedMin => f64x2_relaxed_min,
            F64x2RelaxedMax => f64x2_relaxed_max,
            I16x8RelaxedQ15mulrS => i16x8_relaxed_q15mulr_s,
            I16x8RelaxedDotI8x16I7x16S => i16x8_relaxed_dot_i8x16_i7x16_s,
        }
        simd_ternop {
            V128Bitselect => v128_bitselect, F32x4RelaxedMadd => f32x4_relaxed_madd,
            F32x4RelaxedNmadd => f32x4_relaxed_nmadd, F64x2RelaxedNmadd => f64x2_relaxed_nmadd,
            I8x16RelaxedLaneselect => i8x16_relaxed_laneselect,
            I16x8RelaxedLaneselect => i16x8_relaxed_laneselect,
            I32x4RelaxedLaneselect => i32x4_relaxed_laneselect,
            I64x2RelaxedLaneselect => i64x2_relaxed_laneselect,
            I32x4RelaxedDotI8x16I7x16AddS => i32x4_relaxed_dot_i8x16_i7x16_add_s,
            F64x2RelaxedMadd => f64x2_relaxed_madd,
        }
        simd_shift {
            I8x16Shl => i8x16_shl, I8x16ShrS => i8x16_shr_s, I8x16ShrU => i8x16_shr_u,
            I16x8Shl => i16x8_shl, I16x8ShrS => i16x8_shr_s, I16x8ShrU => i16x8_shr_u,
            I32x4Shl => i32x4_shl, I32x4ShrS => i32x4_shr_s, I32x4ShrU => i32x4_shr_u,
            I64x2Shl => i64x2_shl, I64x2ShrS => i64x2_shr_s, I64x2ShrU => i64x2_shr_u,
        }
        simd_test {
            V128AnyTrue => v128_any_true, I8x16AllTrue => i8x16_all_true,
            I8x16Bitmask => i8x16_bitmask, I16x8AllTrue => i16x8_all_true,
            I16x8Bitmask => i16x8_bitmask, I32x4AllTrue => i32x4_all_true,
            I32x4Bitmask => i32x4_bitmask, I64x2AllTrue => i64x2_all_true,
            I64x2Bitmask => i64x2_bitmask,
        }
        simd_splat {
            I8x16Splat => i8x16_splat, I16x8Splat => i16x8_splat, I32x4Splat => i32x4_splat,
            I64x2Splat => i64x2_splat, F32x4Splat => f32x4_splat, F64x2Splat => f64x2_splat,
        }
        simd_extract {
            I8x16ExtractLaneS => i8x16_extract_lane_s, I8x16ExtractLaneU => i8x16_extract_lane_u,
            I16x8ExtractLaneS => i16x8_extract_lane_s, I16x8ExtractLaneU => i16x8_extract_lane_u,
            I32x4ExtractLane => i32x4_extract_lane, I64x2ExtractLane => i64x2_extract_lane,
            F32x4ExtractLane => f32x4_extract_lane, F64x2ExtractLane => f64x2_extract_lane,
        }
        simd_replace {
            I8x16ReplaceLane => i8x16_replace_lane, I16x8ReplaceLane => i16x8_replace_lane,
            I32x4ReplaceLane => i32x4_replace_lane, I64x2ReplaceLane => i64x2_replace_lane,
            F32x4ReplaceLane => f32x4_replace_lane, F64x2ReplaceLane => f64x2_replace_lane,
        }
        // The threads proposal's atomic accesses (handlers in
        // `exec/atomic.rs`), by kind: the kind names the operand layout.
        atomic {
            I32AtomicLoad => i32_atomic_load : Load, I64AtomicLoad => i64_atomic_load : Load,
            I32AtomicLoad8U => i32_atomic_load8_u : Load,
            I32AtomicLoad16U => i32_atomic_load16_u : Load,
            I64AtomicLoad8U => i64_atomic_load8_u : Load,
            I64AtomicLoad16U => i64_atomic_load16_u : Load,
            I64AtomicLoad32U => i64_atomic_load32_u : Load,
            I32AtomicStore => i32_atomic_store : Store, I64AtomicStore => i64_atomic_store : Store,
            I32AtomicStore8 => i32_atomic_store8 : Store,
            I32AtomicStore16 => i32_atomic_store16 : Store,
            I64AtomicStore8 => i64_atomic_store8 : Store,
            I64AtomicStore16 => i64_atomic_store16 : Store,
            I64AtomicStore32 => i64_atomic_store32 : Store,
            I32AtomicRmwAdd => i32_atomic_rmw_add : Rmw, I64AtomicRmwAdd => i64_atomic_rmw_add : Rmw,
            I32AtomicRmw8AddU => i32_atomic_rmw8_add_u : Rmw,
            I32AtomicRmw16AddU => i32_atomic_rmw16_add_u : Rmw,
            I64AtomicRmw8AddU => i64_atomic_rmw8_add_u : Rmw,
            I64AtomicRmw16AddU => i64_atomic_rmw16_add_u : Rmw,
            I64AtomicRmw32AddU => i64_atomic_rmw32_add_u : Rmw,
            I32AtomicRmwSub => i32_atomic_rmw_sub : Rmw, I64AtomicRmwSub => i64_atomic_rmw_sub : Rmw,
            I32AtomicRmw8SubU => i32_atomic_rmw8_sub_u : Rmw,
            I32AtomicRmw16SubU => i32_atomic_rmw16_sub_u : Rmw,
            I64AtomicRmw8SubU => i64_atomic_rmw8_sub_u : Rmw,
            I64AtomicRmw16SubU => i64_atomic_rmw16_sub_u : Rmw,
            I64AtomicRmw32SubU => i64_atomic_rmw32_sub_u : Rmw,
            I32AtomicRmwAnd => i32_atomic_rmw_and : Rmw, I64AtomicRmwAnd => i64_atomic_rmw_and : Rmw,
            I32AtomicRmw8AndU => i32_atomic_rmw8_and_u : Rmw,
            I32AtomicRmw16AndU => i32_atomic_rmw16_and_u : Rmw,
            I64AtomicRmw8AndU => i64_atomic_rmw8_and_u : Rmw,
            I64AtomicRmw16AndU => i64_atomic_rmw16_and_u : Rmw,
            I64AtomicRmw32AndU => i64_atomic_rmw32_and_u : Rmw,
            I32AtomicRmwOr => i32_atomic_rmw_or : Rmw, I64AtomicRmwOr => i64_atomic_rmw_or : Rmw,
            I32AtomicRmw8OrU => i32_atomic_rmw8_or_u : Rmw,
            I32AtomicRmw16OrU => i32_atomic_rmw16_or_u : Rmw,
            I64AtomicRmw8OrU => i64_atomic_rmw8_or_u : Rmw,
            I64AtomicRmw16OrU => i64_atomic_rmw16_or_u : Rmw,
            I64AtomicRmw32OrU => i64_atomic_rmw32_or_u : Rmw,
            I32AtomicRmwXor => i32_atomic_rmw_xor : Rmw, I64AtomicRmwXor => i64_atomic_rmw_xor : Rmw,
            I32AtomicRmw8XorU => i32_atomic_rmw8_xor_u : Rmw,
            I32AtomicRmw16XorU => i32_atomic_rmw16_xor_u : Rmw,
            I64AtomicRmw8XorU => i64_atomic_rmw8_xor_u : Rmw,
            I64AtomicRmw16XorU => i64_atomic_rmw16_xor_u : Rmw,
            I64AtomicRmw32XorU => i64_atomic_rmw32_xor_u : Rmw,
            I32AtomicRmwXchg => i32_atomic_rmw_xchg : Rmw,
            I64AtomicRmwXchg => i64_atomic_rmw_xchg : Rmw,
            I32AtomicRmw8XchgU => i32_atomic_rmw8_xchg_u : Rmw,
            I32AtomicRmw16XchgU => i32_atomic_rmw16_xchg_u : Rmw,
            I64AtomicRmw8XchgU => i64_atomic_rmw8_xchg_u : Rmw,
            I64AtomicRmw16XchgU => i64_atomic_rmw16_xchg_u : Rmw,
            I64AtomicRmw32XchgU => i64_atomic_rmw32_xchg_u : Rmw,
            I32AtomicRmwCmpxchg => i32_atomic_rmw_cmpxchg : Cas,
            I64AtomicRmwCmpxchg => i64_atomic_rmw_cmpxchg : Cas,
            I32AtomicRmw8CmpxchgU => i32_atomic_rmw8_cmpxchg_u : Cas,
            I32AtomicRmw16CmpxchgU => i32_atomic_rmw16_cmpxchg_u : Cas,
            I64AtomicRmw8CmpxchgU => i64_atomic_rmw8_cmpxchg_u : Cas,
            I64AtomicRmw16CmpxchgU => i64_atomic_rmw16_cmpxchg_u : Cas,
            I64AtomicRmw32CmpxchgU => i64_atomic_rmw32_cmpxchg_u : Cas,
            MemoryAtomicWait32 => memory_atomic_wait32 : Wait,
            MemoryAtomicWait64 => memory_atomic_wait64 : Wait,
            MemoryAtomicNotify => memory_atomic_notify : Notify,
        }
        }
    };
}
pub(crate) use for_each_op;

/// The operand layout of an atomic access of kind `$k`.
macro_rules! atomic_layout {
    (Load) => {
        MemOp
    };
    (Store) => {
        MemOp
    };
    (Rmw) => {
        MemRmw
    };
    (Notify) => {
        MemRmw
    };
    (Cas) => {
        MemCas
    };
    (Wait) => {
        MemCas
    };
}

/// The immediate layout of a binary operator of immediate width `$imm`.
macro_rules! imm_layout {
    (B32) => {
        RRI
    };
    (B64) => {
        RRI64
    };
}

macro_rules! optional {
    () => {
        None
    };
    ($x:ident) => {
        Some(Opcode::$x)
    };
}

macro_rules! flag_cmp {
    ($op:ident) => {
        None
    };
    ($op:ident cmp) => {
        Some(Cmp::$op)
    };
    ($op:ident traps) => {
        None
    };
}

macro_rules! flag_traps {
    () => {
        false
    };
    (traps) => {
        true
    };
    (cmp) => {
        false
    };
}

/// Generates the opcode enum and the translator's tables from the list.
macro_rules! define_isa {
    (
        plain { $($name:ident : $L:ident,)* }
        binop { $($bop:ident => $rr:ident $ri:ident $($ir:ident)? : $imm:ident $($flag:ident)?,)* }
        unop { $($uop:ident => $un:ident $($ut:ident)?,)* }
        load { $($lop:ident => $ld:ident $lda:ident $ldx:ident $ldk:ident,)* }
        store { $($($sop:ident)|+ => $st:ident $sti:ident $sta:ident $stx:ident $stxi:ident $stk:ident,)* }
        br_cmp { $($cop:ident => $brr:ident $($bri:ident)?,)* }
        simd_unop { $($s1op:ident => $s1:ident,)* }
        simd_binop { $($s2op:ident => $s2:ident,)* }
        simd_ternop { $($s3op:ident => $s3:ident,)* }
        simd_shift { $($shop:ident => $sh:ident,)* }
        simd_test { $($top:ident => $t:ident,)* }
        simd_splat { $($spop:ident => $spl:ident,)* }
        simd_extract { $($exop:ident => $ex:ident,)* }
        simd_replace { $($reop:ident => $re:ident,)* }
        atomic { $($aop:ident => $an:ident : $ak:ident,)* }
    ) => {
        /// An instruction of the bytecode.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        #[repr(u16)]
        pub(crate) enum Opcode {
            $($name,)*
            $($rr, $ri, $($ir,)?)*
            $($un,)*
            $($ld, $lda, $ldx, $ldk,)*
            $($st, $sti, $sta, $stx, $stxi, $stk,)*
            $($brr, $($bri,)?)*
            $($s1,)* $($s2,)* $($s3,)* $($sh,)* $($t,)* $($spl,)* $($ex,)* $($re,)*
            $($an,)*
        }

        impl Opcode {
            /// Every opcode, in declaration order (the order of the handler
            /// table).
            pub(crate) const ALL: &[Opcode] = &[
                $(Opcode::$name,)*
                $(Opcode::$rr, Opcode::$ri, $(Opcode::$ir,)?)*
                $(Opcode::$un,)*
                $(Opcode::$ld, Opcode::$lda, Opcode::$ldx, Opcode::$ldk,)*
                $(Opcode::$st, Opcode::$sti, Opcode::$sta, Opcode::$stx, Opcode::$stxi, Opcode::$stk,)*
                $(Opcode::$brr, $(Opcode::$bri,)?)*
                $(Opcode::$s1,)* $(Opcode::$s2,)* $(Opcode::$s3,)* $(Opcode::$sh,)*
                $(Opcode::$t,)* $(Opcode::$spl,)* $(Opcode::$ex,)* $(Opcode::$re,)*
                $(Opcode::$an,)*
            ];

            /// The instruction's size in cells (a `br_table` is followed by
            /// its entries besides).
            pub(crate) const fn cells(self) -> usize {
                match self {
                    $(Opcode::$name => cells::<$L>(),)*
                    $(
                        Opcode::$rr => cells::<RRR>(),
                        Opcode::$ri $(| Opcode::$ir)? => cells::<imm_layout!($imm)>(),
                    )*
                    $(Opcode::$un => cells::<RR>(),)*
                    $(
                        Opcode::$ld | Opcode::$lda => cells::<MemOp>(),
                        Opcode::$ldx => cells::<MemIx>(),
                        Opcode::$ldk => cells::<RRI>(),
                    )*
                    $(
                        Opcode::$st | Opcode::$sta => cells::<MemOp>(),
                        Opcode::$sti => cells::<StoreImm>(),
                        Opcode::$stx => cells::<MemIx>(),
                        Opcode::$stxi => cells::<StoreIxImm>(),
                        Opcode::$stk => cells::<RRI>(),
                    )*
                    $(Opcode::$brr => cells::<BrRR>(), $(Opcode::$bri => cells::<BrRI>(),)?)*
                    $(Opcode::$s1 => cells::<RR>(),)*
                    $(Opcode::$s2 => cells::<RRR>(),)*
                    $(Opcode::$s3 => cells::<RRRR>(),)*
                    $(Opcode::$sh => cells::<RRR>(),)*
                    $(Opcode::$t => cells::<RR>(),)*
                    $(Opcode::$spl => cells::<RR>(),)*
                    $(Opcode::$ex => cells::<RRI>(),)*
                    $(Opcode::$re => cells::<RRRR>(),)*
                    $(Opcode::$an => cells::<atomic_layout!($ak)>(),)*
                }
            }
        }

        /// Comparisons, which fuse with a following branch.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub(crate) enum Cmp {
            $($cop,)*
        }

        impl Cmp {
            /// The compare-and-branch opcodes: both operands in slots, and
            /// the right one a 16-bit immediate (integers only).
            pub(crate) fn branch(self) -> (Opcode, Option<Opcode>) {
                match self {
                    $(Cmp::$cop => (Opcode::$brr, optional!($($bri)?)),)*
                }
            }

            /// The binary operator of this comparison.
            pub(crate) fn binop(self) -> Binop {
                match self {
                    $(Cmp::$cop => binop(&Operator::$cop).expect("comparison operator"),)*
                }
            }
        }

        /// The opcodes of binary operator `op`, if it is one.
        pub(crate) fn binop(op: &Operator<'_>) -> Option<Binop> {
            Some(match op {
                $(Operator::$bop => Binop {
                    rr: Opcode::$rr,
                    ri: Opcode::$ri,
                    ir: optional!($($ir)?),
                    imm: Imm::$imm,
                    cmp: flag_cmp!($bop $($flag)?),
                    traps: flag_traps!($($flag)?),
                },)*
                _ => return None,
            })
        }

        /// The opcode of unary operator `op` and whether it may trap.
        pub(crate) fn unop(op: &Operator<'_>) -> Option<(Opcode, bool)> {
            Some(match op {
                $(Operator::$uop => (Opcode::$un, flag_traps!($($ut)?)),)*
                _ => return None,
            })
        }

        /// The opcodes of load `op` (address in a slot, constant address,
        /// sum of two slots, sum of a slot and a constant) and its memory
        /// argument.
        pub(crate) fn load(op: &Operator<'_>) -> Option<([Opcode; 4], MemArg)> {
            Some(match op {
                $(Operator::$lop { memarg } => {
                    ([Opcode::$ld, Opcode::$lda, Opcode::$ldx, Opcode::$ldk], *memarg)
                })*
                _ => return None,
            })
        }

        /// The opcodes of store `op` (value in a slot, immediate value,
        /// constant address, address the sum of two slots with the value
        /// in a slot or immediate, address the sum of a slot and a
        /// constant) and its memory argument.
        pub(crate) fn store(op: &Operator<'_>) -> Option<([Opcode; 6], MemArg)> {
            Some(match op {
                $($(Operator::$sop { memarg })|+ => {
                    ([Opcode::$st, Opcode::$sti, Opcode::$sta, Opcode::$stx, Opcode::$stxi, Opcode::$stk], *memarg)
                })*
                _ => return None,
            })
        }

        /// The family and opcode of SIMD operator `op`, for the families
        /// whose handlers apply a lane function.
        pub(crate) fn simd(op: &Operator<'_>) -> Option<(Simd, Opcode)> {
            Some(match op {
                $(Operator::$s1op => (Simd::Unop, Opcode::$s1),)*
                $(Operator::$s2op => (Simd::Binop, Opcode::$s2),)*
                $(Operator::$s3op => (Simd::Ternop, Opcode::$s3),)*
                $(Operator::$shop => (Simd::Shift, Opcode::$sh),)*
                $(Operator::$top => (Simd::Test, Opcode::$t),)*
                $(Operator::$spop => (Simd::Splat, Opcode::$spl),)*
                $(Operator::$exop { lane } => (Simd::Extract(*lane), Opcode::$ex),)*
                $(Operator::$reop { lane } => (Simd::Replace(*lane), Opcode::$re),)*
                _ => return None,
            })
        }

        /// The kind, opcode and memory argument of atomic access `op`.
        pub(crate) fn atomic(op: &Operator<'_>) -> Option<(Atomic, Opcode, MemArg)> {
            Some(match op {
                $(Operator::$aop { memarg } => (Atomic::$ak, Opcode::$an, *memarg),)*
                _ => return None,
            })
        }
    };
}

use wasmparser::{MemArg, Operator};

for_each_op!(define_isa);

/// How a binary operator's immediate operand is encoded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Imm {
    /// 32 bits (i32, f32), in an `RRI`.
    B32,
    /// 64 bits (i64, f64), in an `RRI64`.
    B64,
}

impl Imm {
    /// The immediate for constant bits `v`, if it can be encoded.
    pub(crate) fn encode(self, v: u64) -> Option<u64> {
        match self {
            Imm::B32 => Some(v & 0xffff_ffff),
            Imm::B64 => Some(v),
        }
    }
}

/// A binary operator's opcodes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Binop {
    pub rr: Opcode,
    pub ri: Opcode,
    /// The left-immediate form; `None` for commutative operators (the
    /// operands are swapped) and comparisons (the comparison is mirrored).
    pub ir: Option<Opcode>,
    pub imm: Imm,
    pub cmp: Option<Cmp>,
    pub traps: bool,
}

/// Kinds of atomic accesses, by their operands besides the address.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Atomic {
    /// None; a result.
    Load,
    /// The value.
    Store,
    /// The operand; the old value as result.
    Rmw,
    /// Expected and replacement values; the old value.
    Cas,
    /// Expected value and timeout; the wait's outcome.
    Wait,
    /// The count; how many waiters woke.
    Notify,
}

/// The SIMD families whose handlers are generated from lane functions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Simd {
    Unop,
    Binop,
    Ternop,
    Shift,
    Test,
    Splat,
    /// With the lane.
    Extract(u8),
    Replace(u8),
}

impl Cmp {
    /// The comparison with its operands swapped (`a < b` is `b > a`).
    pub(crate) fn mirror(self) -> Cmp {
        use Cmp::*;
        match self {
            I32LtS => I32GtS,
            I32LtU => I32GtU,
            I32GtS => I32LtS,
            I32GtU => I32LtU,
            I32LeS => I32GeS,
            I32LeU => I32GeU,
            I32GeS => I32LeS,
            I32GeU => I32LeU,
            I64LtS => I64GtS,
            I64LtU => I64GtU,
            I64GtS => I64LtS,
            I64GtU => I64LtU,
            I64LeS => I64GeS,
            I64LeU => I64GeU,
            I64GeS => I64LeS,
            I64GeU => I64LeU,
            F32Lt => F32Gt,
            F32Gt => F32Lt,
            F32Le => F32Ge,
            F32Ge => F32Le,
            F64Lt => F64Gt,
            F64Gt => F64Lt,
            F64Le => F64Ge,
            F64Ge => F64Le,
            eq_or_ne => eq_or_ne,
        }
    }

    /// The comparison that is true exactly when this one is false. Float
    /// comparisons have none (NaN makes both `a < b` and `a >= b` false).
    pub(crate) fn negate(self) -> Option<Cmp> {
        use Cmp::*;
        Some(match self {
            I32Eq => I32Ne,
            I32Ne => I32Eq,
            I32LtS => I32GeS,
            I32LtU => I32GeU,
            I32GtS => I32LeS,
            I32GtU => I32LeU,
            I32LeS => I32GtS,
            I32LeU => I32GtU,
            I32GeS => I32LtS,
            I32GeU => I32LtU,
            I64Eq => I64Ne,
            I64Ne => I64Eq,
            I64LtS => I64GeS,
            I64LtU => I64GeU,
            I64GtS => I64LeS,
            I64GtU => I64LeU,
            I64LeS => I64GtS,
            I64LeU => I64GtU,
            I64GeS => I64LtS,
            I64GeU => I64LtU,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcodes_are_listed_in_order() {
        for (k, op) in Opcode::ALL.iter().enumerate() {
            assert_eq!(*op as usize, k, "{op:?}");
            assert!(op.cells() >= 1);
        }
    }

    #[test]
    fn mirrored_comparisons_are_involutions() {
        let all = [Cmp::I32LtS, Cmp::I64GeU, Cmp::F32Lt, Cmp::F64Eq, Cmp::I32Ne];
        for c in all {
            assert_eq!(c.mirror().mirror(), c);
            assert_eq!(c.binop().cmp, Some(c));
        }
    }
}
