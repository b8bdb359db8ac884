//! Constant expressions (global initialisers, segment offsets and elements).

use crate::trap::TrapCode;
use anyhow::{Result, bail};
use wasmparser::Operator;

/// One instruction of a constant expression.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ConstOp {
    /// A constant, as raw slot bits (two slots for a v128).
    Value(u128),
    RefFunc(u32),
    GlobalGet(u32),
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
    /// `ref.i31`.
    RefI31,
    /// A GC allocation of type index `ty` (see [`GcNew`]).
    GcNew(GcNew, u32),
}

/// The GC allocations a constant expression can make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GcNew {
    /// `struct.new`: the fields are on the stack.
    Struct,
    /// `struct.new_default`.
    StructDefault,
    /// `array.new`: the element and the length are on the stack.
    Array,
    /// `array.new_default`: the length is on the stack.
    ArrayDefault,
    /// `array.new_fixed n`: `n` elements are on the stack.
    ArrayFixed(u32),
}

/// A validated constant expression.
#[derive(Clone, Debug)]
pub(crate) struct ConstExpr {
    ops: Box<[ConstOp]>,
}

/// What a constant expression may read while it is evaluated.
pub(crate) trait ConstEnv {
    /// The raw value of global `index`.
    fn global(&self, index: u32) -> u128;
    /// The raw reference to function `index` of the instance.
    fn func_ref(&self, index: u32) -> u64;
    /// The number of operands `op` of type index `ty` pops.
    fn gc_operands(&self, op: GcNew, ty: u32) -> usize;
    /// Allocates a GC object (`op` of type index `ty`) from its operands.
    fn gc_new(&mut self, op: GcNew, ty: u32, operands: &[u128]) -> Result<u64, TrapCode>;
}

impl ConstExpr {
    pub(crate) fn ref_func(f: u32) -> ConstExpr {
        ConstExpr { ops: Box::new([ConstOp::RefFunc(f)]) }
    }

    /// Reads an expression the validator has accepted.
    pub(crate) fn parse(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr> {
        let mut ops = Vec::new();
        let mut reader = expr.get_operators_reader();
        loop {
            let op = reader.read()?;
            ops.push(match op {
                Operator::I32Const { value } => ConstOp::Value(value as u32 as u128),
                Operator::I64Const { value } => ConstOp::Value(value as u64 as u128),
                Operator::F32Const { value } => ConstOp::Value(value.bits() as u128),
                Operator::F64Const { value } => ConstOp::Value(value.bits() as u128),
                Operator::V128Const { value } => ConstOp::Value(value.i128() as u128),
                Operator::RefNull { .. } => ConstOp::Value(0),
                Operator::RefFunc { function_index } => ConstOp::RefFunc(function_index),
                Operator::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
                Operator::I32Add => ConstOp::I32Add,
                Operator::I32Sub => ConstOp::I32Sub,
                Operator::I32Mul => ConstOp::I32Mul,
                Operator::I64Add => ConstOp::I64Add,
                Operator::I64Sub => ConstOp::I64Sub,
                Operator::I64Mul => ConstOp::I64Mul,
                Operator::RefI31 => ConstOp::RefI31,
                // The conversions keep a reference's bits (`store::gc`).
                Operator::AnyConvertExtern | Operator::ExternConvertAny => continue,
                Operator::StructNew { struct_type_index: t } => ConstOp::GcNew(GcNew::Struct, t),
                Operator::StructNewDefault { struct_type_index: t } => {
                    ConstOp::GcNew(GcNew::StructDefault, t)
                }
                Operator::ArrayNew { array_type_index: t } => ConstOp::GcNew(GcNew::Array, t),
                Operator::ArrayNewDefault { array_type_index: t } => {
                    ConstOp::GcNew(GcNew::ArrayDefault, t)
                }
                Operator::ArrayNewFixed { array_type_index: t, array_size: n } => {
                    ConstOp::GcNew(GcNew::ArrayFixed(n), t)
                }
                Operator::End => break,
                other => bail!("unsupported instruction in constant expression: {other:?}"),
            });
        }
        Ok(ConstExpr { ops: ops.into() })
    }

    /// Evaluates the expression to raw slot bits. Only a GC allocation
    /// can fail.
    pub(crate) fn eval(&self, env: &mut dyn ConstEnv) -> Result<u128, TrapCode> {
        if let [op] = *self.ops
            && !matches!(op, ConstOp::GcNew(..))
        {
            return Ok(eval_leaf(op, env));
        }
        let mut stack: Vec<u128> = Vec::with_capacity(4);
        for &op in self.ops.iter() {
            let bin = |stack: &mut Vec<u128>, f: &dyn Fn(u64, u64) -> u64| {
                let b = stack.pop().unwrap_or(0);
                let a = stack.pop().unwrap_or(0);
                stack.push(f(a as u64, b as u64) as u128);
            };
            match op {
                ConstOp::I32Add => {
                    bin(&mut stack, &|a, b| (a as u32).wrapping_add(b as u32) as u64)
                }
                ConstOp::I32Sub => {
                    bin(&mut stack, &|a, b| (a as u32).wrapping_sub(b as u32) as u64)
                }
                ConstOp::I32Mul => {
                    bin(&mut stack, &|a, b| (a as u32).wrapping_mul(b as u32) as u64)
                }
                ConstOp::I64Add => bin(&mut stack, &|a, b| a.wrapping_add(b)),
                ConstOp::I64Sub => bin(&mut stack, &|a, b| a.wrapping_sub(b)),
                ConstOp::I64Mul => bin(&mut stack, &|a, b| a.wrapping_mul(b)),
                ConstOp::RefI31 => {
                    let v = stack.pop().unwrap_or(0);
                    stack.push(crate::store::gc::i31_ref(v as u32) as u128);
                }
                ConstOp::GcNew(op, ty) => {
                    let n = env.gc_operands(op, ty).min(stack.len());
                    let at = stack.len() - n;
                    let r = env.gc_new(op, ty, &stack[at..])?;
                    stack.truncate(at);
                    stack.push(r as u128);
                }
                leaf => stack.push(eval_leaf(leaf, env)),
            }
        }
        Ok(stack.pop().unwrap_or(0))
    }
}

fn eval_leaf(op: ConstOp, env: &dyn ConstEnv) -> u128 {
    match op {
        ConstOp::Value(v) => v,
        ConstOp::RefFunc(f) => env.func_ref(f) as u128,
        ConstOp::GlobalGet(g) => env.global(g),
        _ => 0,
    }
}
