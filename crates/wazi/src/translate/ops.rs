//! Which handlers implement each numeric operator, in each operand form.

use crate::exec::Handler;
use crate::exec::control as c;
use crate::exec::numeric as n;

/// How an operator's immediate operand is encoded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Imm {
    /// 32 bits (i32, f32).
    B32,
    /// 64 bits (f64).
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

/// A binary operator's handlers.
pub(crate) struct Binop {
    pub rr: Handler,
    pub ri: Handler,
    /// The left-immediate form; `None` for commutative operators (the
    /// operands are swapped) and comparisons (the comparison is mirrored).
    pub ir: Option<Handler>,
    pub imm: Imm,
    pub cmp: Option<Cmp>,
    pub traps: bool,
}

macro_rules! binop_table {
    ($($name:ident = $rr:ident $ri:ident $ir:tt $imm:ident $cmp:tt $traps:literal;)*) => {$(
        pub(crate) static $name: Binop = Binop {
            rr: n::$rr,
            ri: n::$ri,
            ir: binop_table!(@ir $ir),
            imm: Imm::$imm,
            cmp: binop_table!(@cmp $cmp),
            traps: $traps,
        };
    )*};
    (@ir _) => { None };
    (@ir $ir:ident) => { Some(n::$ir) };
    (@cmp _) => { None };
    (@cmp $c:ident) => { Some(Cmp::$c) };
}

binop_table! {
    I32_ADD = i32_add_rr i32_add_ri _ B32 _ false;
    I32_SUB = i32_sub_rr i32_sub_ri i32_sub_ir B32 _ false;
    I32_MUL = i32_mul_rr i32_mul_ri _ B32 _ false;
    I32_DIV_S = i32_div_s_rr i32_div_s_ri i32_div_s_ir B32 _ true;
    I32_DIV_U = i32_div_u_rr i32_div_u_ri i32_div_u_ir B32 _ true;
    I32_REM_S = i32_rem_s_rr i32_rem_s_ri i32_rem_s_ir B32 _ true;
    I32_REM_U = i32_rem_u_rr i32_rem_u_ri i32_rem_u_ir B32 _ true;
    I32_AND = i32_and_rr i32_and_ri _ B32 _ false;
    I32_OR = i32_or_rr i32_or_ri _ B32 _ false;
    I32_XOR = i32_xor_rr i32_xor_ri _ B32 _ false;
    I32_SHL = i32_shl_rr i32_shl_ri i32_shl_ir B32 _ false;
    I32_SHR_S = i32_shr_s_rr i32_shr_s_ri i32_shr_s_ir B32 _ false;
    I32_SHR_U = i32_shr_u_rr i32_shr_u_ri i32_shr_u_ir B32 _ false;
    I32_ROTL = i32_rotl_rr i32_rotl_ri i32_rotl_ir B32 _ false;
    I32_ROTR = i32_rotr_rr i32_rotr_ri i32_rotr_ir B32 _ false;
    I32_EQ = i32_eq_rr i32_eq_ri _ B32 I32Eq false;
    I32_NE = i32_ne_rr i32_ne_ri _ B32 I32Ne false;
    I32_LT_S = i32_lt_s_rr i32_lt_s_ri _ B32 I32LtS false;
    I32_LT_U = i32_lt_u_rr i32_lt_u_ri _ B32 I32LtU false;
    I32_GT_S = i32_gt_s_rr i32_gt_s_ri _ B32 I32GtS false;
    I32_GT_U = i32_gt_u_rr i32_gt_u_ri _ B32 I32GtU false;
    I32_LE_S = i32_le_s_rr i32_le_s_ri _ B32 I32LeS false;
    I32_LE_U = i32_le_u_rr i32_le_u_ri _ B32 I32LeU false;
    I32_GE_S = i32_ge_s_rr i32_ge_s_ri _ B32 I32GeS false;
    I32_GE_U = i32_ge_u_rr i32_ge_u_ri _ B32 I32GeU false;

    I64_ADD = i64_add_rr i64_add_ri _ B64 _ false;
    I64_SUB = i64_sub_rr i64_sub_ri i64_sub_ir B64 _ false;
    I64_MUL = i64_mul_rr i64_mul_ri _ B64 _ false;
    I64_DIV_S = i64_div_s_rr i64_div_s_ri i64_div_s_ir B64 _ true;
    I64_DIV_U = i64_div_u_rr i64_div_u_ri i64_div_u_ir B64 _ true;
    I64_REM_S = i64_rem_s_rr i64_rem_s_ri i64_rem_s_ir B64 _ true;
    I64_REM_U = i64_rem_u_rr i64_rem_u_ri i64_rem_u_ir B64 _ true;
    I64_AND = i64_and_rr i64_and_ri _ B64 _ false;
    I64_OR = i64_or_rr i64_or_ri _ B64 _ false;
    I64_XOR = i64_xor_rr i64_xor_ri _ B64 _ false;
    I64_SHL = i64_shl_rr i64_shl_ri i64_shl_ir B64 _ false;
    I64_SHR_S = i64_shr_s_rr i64_shr_s_ri i64_shr_s_ir B64 _ false;
    I64_SHR_U = i64_shr_u_rr i64_shr_u_ri i64_shr_u_ir B64 _ false;
    I64_ROTL = i64_rotl_rr i64_rotl_ri i64_rotl_ir B64 _ false;
    I64_ROTR = i64_rotr_rr i64_rotr_ri i64_rotr_ir B64 _ false;
    I64_EQ = i64_eq_rr i64_eq_ri _ B64 I64Eq false;
    I64_NE = i64_ne_rr i64_ne_ri _ B64 I64Ne false;
    I64_LT_S = i64_lt_s_rr i64_lt_s_ri _ B64 I64LtS false;
    I64_LT_U = i64_lt_u_rr i64_lt_u_ri _ B64 I64LtU false;
    I64_GT_S = i64_gt_s_rr i64_gt_s_ri _ B64 I64GtS false;
    I64_GT_U = i64_gt_u_rr i64_gt_u_ri _ B64 I64GtU false;
    I64_LE_S = i64_le_s_rr i64_le_s_ri _ B64 I64LeS false;
    I64_LE_U = i64_le_u_rr i64_le_u_ri _ B64 I64LeU false;
    I64_GE_S = i64_ge_s_rr i64_ge_s_ri _ B64 I64GeS false;
    I64_GE_U = i64_ge_u_rr i64_ge_u_ri _ B64 I64GeU false;

    F32_ADD = f32_add_rr f32_add_ri _ B32 _ false;
    F32_SUB = f32_sub_rr f32_sub_ri f32_sub_ir B32 _ false;
    F32_MUL = f32_mul_rr f32_mul_ri _ B32 _ false;
    F32_DIV = f32_div_rr f32_div_ri f32_div_ir B32 _ false;
    F32_MIN = f32_min_rr f32_min_ri _ B32 _ false;
    F32_MAX = f32_max_rr f32_max_ri _ B32 _ false;
    F32_COPYSIGN = f32_copysign_rr f32_copysign_ri f32_copysign_ir B32 _ false;
    F32_EQ = f32_eq_rr f32_eq_ri _ B32 F32Eq false;
    F32_NE = f32_ne_rr f32_ne_ri _ B32 F32Ne false;
    F32_LT = f32_lt_rr f32_lt_ri _ B32 F32Lt false;
    F32_GT = f32_gt_rr f32_gt_ri _ B32 F32Gt false;
    F32_LE = f32_le_rr f32_le_ri _ B32 F32Le false;
    F32_GE = f32_ge_rr f32_ge_ri _ B32 F32Ge false;

    F64_ADD = f64_add_rr f64_add_ri _ B64 _ false;
    F64_SUB = f64_sub_rr f64_sub_ri f64_sub_ir B64 _ false;
    F64_MUL = f64_mul_rr f64_mul_ri _ B64 _ false;
    F64_DIV = f64_div_rr f64_div_ri f64_div_ir B64 _ false;
    F64_MIN = f64_min_rr f64_min_ri _ B64 _ false;
    F64_MAX = f64_max_rr f64_max_ri _ B64 _ false;
    F64_COPYSIGN = f64_copysign_rr f64_copysign_ri f64_copysign_ir B64 _ false;
    F64_EQ = f64_eq_rr f64_eq_ri _ B64 F64Eq false;
    F64_NE = f64_ne_rr f64_ne_ri _ B64 F64Ne false;
    F64_LT = f64_lt_rr f64_lt_ri _ B64 F64Lt false;
    F64_GT = f64_gt_rr f64_gt_ri _ B64 F64Gt false;
    F64_LE = f64_le_rr f64_le_ri _ B64 F64Le false;
    F64_GE = f64_ge_rr f64_ge_ri _ B64 F64Ge false;
}

/// Comparisons, which fuse with a following branch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Cmp {
    I32Eq,
    I32Ne,
    I32LtS,
    I32LtU,
    I32GtS,
    I32GtU,
    I32LeS,
    I32LeU,
    I32GeS,
    I32GeU,
    I64Eq,
    I64Ne,
    I64LtS,
    I64LtU,
    I64GtS,
    I64GtU,
    I64LeS,
    I64LeU,
    I64GeS,
    I64GeU,
    F32Eq,
    F32Ne,
    F32Lt,
    F32Gt,
    F32Le,
    F32Ge,
    F64Eq,
    F64Ne,
    F64Lt,
    F64Gt,
    F64Le,
    F64Ge,
}

impl Cmp {
    /// The operator with its operands swapped (`a < b` is `b > a`).
    pub(crate) fn mirror(self) -> &'static Binop {
        use Cmp::*;
        match self {
            I32Eq => &I32_EQ,
            I32Ne => &I32_NE,
            I32LtS => &I32_GT_S,
            I32LtU => &I32_GT_U,
            I32GtS => &I32_LT_S,
            I32GtU => &I32_LT_U,
            I32LeS => &I32_GE_S,
            I32LeU => &I32_GE_U,
            I32GeS => &I32_LE_S,
            I32GeU => &I32_LE_U,
            I64Eq => &I64_EQ,
            I64Ne => &I64_NE,
            I64LtS => &I64_GT_S,
            I64LtU => &I64_GT_U,
            I64GtS => &I64_LT_S,
            I64GtU => &I64_LT_U,
            I64LeS => &I64_GE_S,
            I64LeU => &I64_GE_U,
            I64GeS => &I64_LE_S,
            I64GeU => &I64_LE_U,
            F32Eq => &F32_EQ,
            F32Ne => &F32_NE,
            F32Lt => &F32_GT,
            F32Gt => &F32_LT,
            F32Le => &F32_GE,
            F32Ge => &F32_LE,
            F64Eq => &F64_EQ,
            F64Ne => &F64_NE,
            F64Lt => &F64_GT,
            F64Gt => &F64_LT,
            F64Le => &F64_GE,
            F64Ge => &F64_LE,
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

    /// The compare-and-branch handlers: both operands in slots, and the
    /// right one a 16-bit immediate (integers only).
    pub(crate) fn branch(self) -> (Handler, Option<Handler>) {
        use Cmp::*;
        match self {
            I32Eq => (c::br_i32_eq_rr, Some(c::br_i32_eq_ri)),
            I32Ne => (c::br_i32_ne_rr, Some(c::br_i32_ne_ri)),
            I32LtS => (c::br_i32_lt_s_rr, Some(c::br_i32_lt_s_ri)),
            I32LtU => (c::br_i32_lt_u_rr, Some(c::br_i32_lt_u_ri)),
            I32GtS => (c::br_i32_gt_s_rr, Some(c::br_i32_gt_s_ri)),
            I32GtU => (c::br_i32_gt_u_rr, Some(c::br_i32_gt_u_ri)),
            I32LeS => (c::br_i32_le_s_rr, Some(c::br_i32_le_s_ri)),
            I32LeU => (c::br_i32_le_u_rr, Some(c::br_i32_le_u_ri)),
            I32GeS => (c::br_i32_ge_s_rr, Some(c::br_i32_ge_s_ri)),
            I32GeU => (c::br_i32_ge_u_rr, Some(c::br_i32_ge_u_ri)),
            I64Eq => (c::br_i64_eq_rr, Some(c::br_i64_eq_ri)),
            I64Ne => (c::br_i64_ne_rr, Some(c::br_i64_ne_ri)),
            I64LtS => (c::br_i64_lt_s_rr, Some(c::br_i64_lt_s_ri)),
            I64LtU => (c::br_i64_lt_u_rr, Some(c::br_i64_lt_u_ri)),
            I64GtS => (c::br_i64_gt_s_rr, Some(c::br_i64_gt_s_ri)),
            I64GtU => (c::br_i64_gt_u_rr, Some(c::br_i64_gt_u_ri)),
            I64LeS => (c::br_i64_le_s_rr, Some(c::br_i64_le_s_ri)),
            I64LeU => (c::br_i64_le_u_rr, Some(c::br_i64_le_u_ri)),
            I64GeS => (c::br_i64_ge_s_rr, Some(c::br_i64_ge_s_ri)),
            I64GeU => (c::br_i64_ge_u_rr, Some(c::br_i64_ge_u_ri)),
            F32Eq => (c::br_f32_eq_rr, None),
            F32Ne => (c::br_f32_ne_rr, None),
            F32Lt => (c::br_f32_lt_rr, None),
            F32Gt => (c::br_f32_gt_rr, None),
            F32Le => (c::br_f32_le_rr, None),
            F32Ge => (c::br_f32_ge_rr, None),
            F64Eq => (c::br_f64_eq_rr, None),
            F64Ne => (c::br_f64_ne_rr, None),
            F64Lt => (c::br_f64_lt_rr, None),
            F64Gt => (c::br_f64_gt_rr, None),
            F64Le => (c::br_f64_le_rr, None),
            F64Ge => (c::br_f64_ge_rr, None),
        }
    }
}
