//! Constant expressions (global initialisers, segment offsets and elements).

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
                Operator::End => break,
                other => bail!("unsupported instruction in constant expression: {other:?}"),
            });
        }
        Ok(ConstExpr { ops: ops.into() })
    }

    /// Evaluates the expression to raw slot bits.
    pub(crate) fn eval(&self, env: &dyn ConstEnv) -> u128 {
        if let [op] = *self.ops {
            return eval_leaf(op, env);
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
                leaf => stack.push(eval_leaf(leaf, env)),
            }
        }
        stack.pop().unwrap_or(0)
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
