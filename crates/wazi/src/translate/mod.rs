//! Translation of a function body into register bytecode, in one pass over
//! its operators (validating each one first when a validator is given).
//!
//! The wasm operand stack becomes frame slots: the value at stack position
//! `p` lives in slot `num_locals + p`. The translator keeps a virtual stack
//! of operands that are not materialised yet: `local.get` pushes an alias of
//! the local and constants stay immediates, so `local.get 0; i32.const 1;
//! i32.add` becomes one `i32_add_ri` reading slot 0.
//!
//! Invariants that keep the aliases sound:
//! - before a local changes, every alias of it on the stack is copied to its
//!   stack slot (`preserve_local`);
//! - on entering a block, loop or `if`, every alias on the stack is
//!   materialised, so all paths into a join point agree on where values are;
//! - loop and `if` parameters and branch values are always in their stack
//!   slots at a join.

mod ops;

use crate::engine::Config;
use crate::exec::{
    Handler, control as ctl, memory as mem, numeric as num, table as tbl, variable as var,
};
use crate::ir::*;
use crate::module::{Compiled, FuncCode};
use crate::trap::TrapCode;
use crate::types::FuncType;
use anyhow::{Context, Result, bail};
use ops::{Binop, Cmp, Imm};
use std::mem::MaybeUninit;
use wasmparser::{
    BlockType, FuncValidator, FuncValidatorAllocations, FunctionBody, Operator, OperatorsReader,
    ValidatorResources,
};

/// What the translator needs to know about the module.
pub(crate) struct TranslateEnv<'a> {
    pub config: &'a Config,
    pub features: wasmparser::WasmFeatures,
    pub types: &'a [Option<FuncType>],
    pub type_ids: &'a [u32],
    pub funcs: &'a [u32],
    pub num_imported_funcs: u32,
    pub code: &'a [FuncCode],
}

impl TranslateEnv<'_> {
    fn func_type(&self, f: u32) -> &FuncType {
        self.types[self.funcs[f as usize] as usize].as_ref().expect("validated function type")
    }

    fn type_at(&self, t: u32) -> &FuncType {
        self.types[t as usize].as_ref().expect("validated function type")
    }
}

/// Translates (and, with a validator, validates) function `index`.
pub(crate) fn translate(
    env: &TranslateEnv<'_>,
    index: u32,
    body: &FunctionBody<'_>,
    validator: Option<FuncValidator<ValidatorResources>>,
) -> Result<Compiled> {
    let mut v = validator;
    Translator::new(env, index)?.run(body, v.as_mut())
}

/// Translates and validates function `index`, returning the validator's
/// allocations for reuse.
pub(crate) fn translate_reusing(
    env: &TranslateEnv<'_>,
    index: u32,
    body: &FunctionBody<'_>,
    mut validator: FuncValidator<ValidatorResources>,
) -> Result<(Compiled, FuncValidatorAllocations)> {
    let c = Translator::new(env, index)?.run(body, Some(&mut validator))?;
    Ok((c, validator.into_allocations()))
}

/// An operand on the virtual stack.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Opd {
    /// An alias of a local.
    Local(Slot),
    /// The value is in its stack slot.
    Temp,
    /// A constant (raw slot bits).
    Const(u64),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Body,
    Block,
    Loop,
    If,
    Else,
}

struct Ctrl {
    kind: Kind,
    /// Stack height below the block's parameters.
    height: usize,
    params: usize,
    results: usize,
    /// Branch target: the loop header, or the end.
    label: usize,
    /// For `if`: where the false path starts.
    else_label: Option<usize>,
    /// Whether a branch targets the end label.
    branched: bool,
}

enum Label {
    Bound(usize),
    /// Uses: `(cell holding the i32 offset, cell it is relative to)`.
    Pending(Vec<(usize, usize)>),
}

/// A comparison whose result could fuse into a following branch.
#[derive(Clone, Copy)]
struct CmpCand {
    pos: usize,
    dst: Slot,
    cmp: Cmp,
    a: Slot,
    /// The right operand: a slot, or an immediate (as the comparison reads
    /// it, sign-extended).
    b: Result<Slot, i64>,
}

/// An `eqz` whose result could fuse into a following branch.
#[derive(Clone, Copy)]
struct EqzCand {
    pos: usize,
    dst: Slot,
    a: Slot,
    is64: bool,
}

struct Translator<'a> {
    env: &'a TranslateEnv<'a>,
    fuel: bool,
    epoch: bool,
    code: Vec<MaybeUninit<u64>>,
    offsets: Vec<(u32, u32)>,
    num_params: usize,
    num_locals: usize,
    results: usize,
    stack: Vec<Opd>,
    max_height: usize,
    /// Number of `Opd::Local` entries on the stack.
    aliases: usize,
    ctrl: Vec<Ctrl>,
    labels: Vec<Label>,
    reachable: bool,
    /// Nesting depth of blocks inside unreachable code.
    dead_depth: usize,
    /// No instruction before this cell may be fused or retargeted: a label
    /// was bound here.
    barrier: usize,
    /// The last instruction, if it wrote a temporary: `(cell, slot)`.
    last_result: Option<(usize, Slot)>,
    last_cmp: Option<CmpCand>,
    last_eqz: Option<EqzCand>,
    /// The fuel instruction of the current block.
    fuel_op: Option<usize>,
    /// Module offset of the operator being translated.
    offset: u32,
}

impl<'a> Translator<'a> {
    fn new(env: &'a TranslateEnv<'a>, index: u32) -> Result<Translator<'a>> {
        let ty = env.func_type(index);
        Ok(Translator {
            env,
            fuel: env.config.consume_fuel,
            epoch: env.config.epoch_interruption,
            code: Vec::new(),
            offsets: Vec::new(),
            num_params: ty.params().len(),
            num_locals: ty.params().len(),
            results: ty.results().len(),
            stack: Vec::new(),
            max_height: 0,
            aliases: 0,
            ctrl: Vec::new(),
            labels: Vec::new(),
            reachable: true,
            dead_depth: 0,
            barrier: 0,
            last_result: None,
            last_cmp: None,
            last_eqz: None,
            fuel_op: None,
            offset: 0,
        })
    }

    fn run(
        mut self,
        body: &FunctionBody<'_>,
        mut validator: Option<&mut FuncValidator<ValidatorResources>>,
    ) -> Result<Compiled> {
        let mut reader = body.get_binary_reader();
        reader.set_features(self.env.features);
        let groups = reader.read_var_u32()?;
        for _ in 0..groups {
            let offset = reader.original_position();
            let count = reader.read_var_u32()?;
            let ty: wasmparser::ValType = reader.read()?;
            if let Some(v) = validator.as_deref_mut() {
                v.define_locals(offset, count, ty)?;
            }
            self.num_locals += count as usize;
            if self.num_locals > 50_000 {
                bail!("function has too many locals");
            }
        }
        self.prologue();
        let mut ops = OperatorsReader::new(reader);
        while !ops.eof() {
            let (op, offset) = ops.read_with_offset()?;
            if let Some(v) = validator.as_deref_mut() {
                v.op(offset, &op)?;
            }
            self.offset = offset as u32;
            self.operator(op)?;
        }
        ops.finish()?;
        if !self.ctrl.is_empty() {
            bail!("function body ends inside a block");
        }
        let frame = self.num_locals + self.max_height;
        Ok(Compiled::new(self.code, frame, self.num_params, self.offsets))
    }

    fn prologue(&mut self) {
        let label = self.new_label();
        self.ctrl.push(Ctrl {
            kind: Kind::Body,
            height: 0,
            params: 0,
            results: self.results,
            label,
            else_label: None,
            branched: false,
        });
        let extra = self.num_locals - self.num_params;
        if extra > 0 {
            self.emit(
                ctl::zero_locals,
                CopySpan { d: self.num_params as Slot, a: 0, n: extra as u16 },
            );
        }
        self.start_block();
    }

    // ---- emission -------------------------------------------------------

    fn emit<T: Copy>(&mut self, h: Handler, i: T) -> usize {
        let pos = self.code.len();
        self.code.resize(pos + cells::<T>(), MaybeUninit::uninit());
        // SAFETY: the cells just reserved hold an `Op<T>` (8-byte aligned,
        // a multiple of 8 bytes long).
        unsafe { (self.code.as_mut_ptr().add(pos) as *mut Op<T>).write(Op { h, i }) };
        self.last_result = None;
        self.last_cmp = None;
        self.last_eqz = None;
        pos
    }

    /// Emits an instruction whose first operand is its destination `d`.
    fn emit_result<T: Copy>(&mut self, h: Handler, i: T, d: Slot) -> usize {
        let pos = self.emit(h, i);
        self.last_result = Some((pos, d));
        pos
    }

    /// Records the current operator's offset for the next instruction, which
    /// may trap or call.
    fn mark(&mut self) {
        self.offsets.push((self.code.len() as u32, self.offset));
    }

    /// Writes an `i32` at the start of cell `cell`.
    fn patch_i32(&mut self, cell: usize, v: i32) {
        // SAFETY: `cell` is inside `code`; the field is the first operand of
        // a branch or an entry of a `br_table`.
        unsafe { (self.code.as_mut_ptr().add(cell) as *mut i32).write(v) };
    }

    /// Whether instruction `pos` is the last one and no label follows it.
    fn is_last(&self, pos: usize, cells: usize) -> bool {
        pos >= self.barrier && pos + cells == self.code.len()
    }

    /// Starts a basic block: the fuel instruction that pays for it.
    fn start_block(&mut self) {
        if self.fuel {
            if let Some(p) = self.fuel_op
                && p + cells::<Fuel>() == self.code.len()
                && p == self.barrier
            {
                return;
            }
            let pos = self.emit(ctl::consume_fuel, Fuel { amount: 0 });
            self.fuel_op = Some(pos);
        }
    }

    /// Charges the current operator's fuel to the current block.
    fn charge(&mut self, op: &Operator<'_>) {
        if !self.fuel {
            return;
        }
        let cost = match op {
            Operator::Nop
            | Operator::Drop
            | Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::Else
            | Operator::End => 0,
            _ => 1,
        };
        if let Some(p) = self.fuel_op {
            // SAFETY: `p` is a fuel instruction in `code`.
            unsafe {
                let op = self.code.as_mut_ptr().add(p) as *mut Op<Fuel>;
                (*op).i.amount += cost;
            }
        }
    }

    // ---- labels ---------------------------------------------------------

    fn new_label(&mut self) -> usize {
        self.labels.push(Label::Pending(Vec::new()));
        self.labels.len() - 1
    }

    fn bind(&mut self, label: usize) {
        let mut pos = self.code.len();
        // A fuel instruction that nothing follows yet starts the new block.
        if let Some(p) = self.fuel_op
            && p + cells::<Fuel>() == pos
        {
            pos = p;
        }
        if let Label::Pending(uses) = std::mem::replace(&mut self.labels[label], Label::Bound(pos))
        {
            for (cell, base) in uses {
                self.patch_i32(cell, (pos as isize - base as isize) as i32);
            }
        }
        self.barrier = pos;
        self.last_result = None;
        self.last_cmp = None;
        self.last_eqz = None;
    }

    /// Makes the `i32` at `cell` the offset from `base` to `label`.
    fn use_label(&mut self, label: usize, cell: usize, base: usize) {
        match &mut self.labels[label] {
            Label::Bound(pos) => {
                let off = (*pos as isize - base as isize) as i32;
                self.patch_i32(cell, off);
            }
            Label::Pending(uses) => uses.push((cell, base)),
        }
    }

    /// Emits a branch instruction (first operand the offset) to `label`.
    fn emit_branch<T: Copy>(&mut self, h: Handler, i: T, label: usize) {
        let pos = self.emit(h, i);
        self.use_label(label, pos + 1, pos);
    }

    // ---- the virtual stack ----------------------------------------------

    fn slot_of(&self, pos: usize) -> Slot {
        (self.num_locals + pos) as Slot
    }

    fn reserve(&mut self, height: usize) -> Result<()> {
        if height > self.max_height {
            if self.num_locals + height > 1 << 16 {
                bail!(
                    "function is too complex for the interpreter: it needs more than 65536 \
                     locals and stack slots"
                );
            }
            self.max_height = height;
        }
        Ok(())
    }

    fn push(&mut self, o: Opd) -> Result<()> {
        if let Opd::Local(_) = o {
            self.aliases += 1;
        }
        self.stack.push(o);
        self.reserve(self.stack.len())
    }

    /// Pushes a temporary; returns its slot.
    fn push_temp(&mut self) -> Result<Slot> {
        let slot = self.slot_of(self.stack.len());
        self.push(Opd::Temp)?;
        Ok(slot)
    }

    /// Pops an operand and its stack position.
    fn pop(&mut self) -> (Opd, usize) {
        let o = self.stack.pop().expect("validated stack");
        if let Opd::Local(_) = o {
            self.aliases -= 1;
        }
        (o, self.stack.len())
    }

    fn truncate(&mut self, height: usize) {
        while self.stack.len() > height {
            self.pop();
        }
    }

    /// Emits `d = const`.
    fn emit_const(&mut self, d: Slot, v: u64) {
        if v <= u32::MAX as u64 {
            self.emit_result(num::const32, RI { d, imm: v as u32 }, d);
        } else {
            self.emit_result(num::const64, RI64 { d, imm: v }, d);
        }
    }

    /// The slot holding operand `o` (at stack position `pos`), materialising
    /// a constant into the position's slot.
    fn slot(&mut self, o: Opd, pos: usize) -> Slot {
        match o {
            Opd::Local(l) => l,
            Opd::Temp => self.slot_of(pos),
            Opd::Const(v) => {
                let d = self.slot_of(pos);
                self.emit_const(d, v);
                d
            }
        }
    }

    /// Moves operand `o` into slot `d`.
    fn move_to(&mut self, d: Slot, o: Opd, pos: usize) {
        match o {
            Opd::Const(v) => self.emit_const(d, v),
            Opd::Local(l) => {
                if l != d {
                    self.emit(num::copy, RR { d, a: l });
                }
            }
            Opd::Temp => {
                let s = self.slot_of(pos);
                if s != d {
                    self.emit(num::copy, RR { d, a: s });
                }
            }
        }
    }

    /// Puts the operand at stack position `pos` into its slot.
    fn materialize(&mut self, pos: usize) {
        let o = self.stack[pos];
        if o != Opd::Temp {
            let d = self.slot_of(pos);
            self.move_to(d, o, pos);
            if let Opd::Local(_) = o {
                self.aliases -= 1;
            }
            self.stack[pos] = Opd::Temp;
        }
    }

    /// Materialises every local alias on the stack.
    fn materialize_aliases(&mut self) {
        if self.aliases == 0 {
            return;
        }
        for pos in 0..self.stack.len() {
            if let Opd::Local(_) = self.stack[pos] {
                self.materialize(pos);
            }
        }
    }

    /// Copies the aliases of local `l` to their slots before `l` changes.
    fn preserve_local(&mut self, l: Slot) {
        if self.aliases == 0 {
            return;
        }
        for pos in 0..self.stack.len() {
            if self.stack[pos] == Opd::Local(l) {
                self.materialize(pos);
            }
        }
    }

    /// Copies the top `n` operands to stack positions `base..base + n`.
    fn copy_top_to(&mut self, base: usize, n: usize) {
        let h = self.stack.len();
        for k in 0..n {
            let src = h - n + k;
            let o = self.stack[src];
            let d = self.slot_of(base + k);
            self.move_to(d, o, src);
        }
    }

    // ---- operators ------------------------------------------------------

    fn block_type(&self, bt: BlockType) -> (usize, usize) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(t) => {
                let t = self.env.type_at(t);
                (t.params().len(), t.results().len())
            }
        }
    }

    fn operator(&mut self, op: Operator<'_>) -> Result<()> {
        if !self.reachable {
            match op {
                Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                    self.dead_depth += 1;
                }
                Operator::Else if self.dead_depth == 0 => self.else_()?,
                Operator::End if self.dead_depth > 0 => self.dead_depth -= 1,
                Operator::End => self.end()?,
                _ => {}
            }
            return Ok(());
        }
        self.charge(&op);
        use Operator as O;
        match op {
            O::Unreachable => {
                self.mark();
                self.emit(ctl::trap_op, TrapOp { code: TrapCode::Unreachable as u8 });
                self.reachable = false;
            }
            O::Nop => {}
            O::Block { blockty } => {
                let (params, results) = self.block_type(blockty);
                self.materialize_aliases();
                let label = self.new_label();
                self.ctrl.push(Ctrl {
                    kind: Kind::Block,
                    height: self.stack.len() - params,
                    params,
                    results,
                    label,
                    else_label: None,
                    branched: false,
                });
            }
            O::Loop { blockty } => {
                let (params, results) = self.block_type(blockty);
                self.materialize_aliases();
                let h = self.stack.len();
                for pos in h - params..h {
                    self.materialize(pos);
                }
                let label = self.new_label();
                self.bind(label);
                self.start_block();
                if self.epoch {
                    self.mark();
                    self.emit(ctl::check_epoch, Nil);
                }
                self.ctrl.push(Ctrl {
                    kind: Kind::Loop,
                    height: h - params,
                    params,
                    results,
                    label,
                    else_label: None,
                    branched: false,
                });
            }
            O::If { blockty } => {
                let (params, results) = self.block_type(blockty);
                let (c, cpos) = self.pop();
                let h = self.stack.len();
                let needs_copies =
                    self.aliases > 0 || self.stack[h - params..].iter().any(|o| *o != Opd::Temp);
                if needs_copies {
                    // Copies would separate the condition from its compare:
                    // put the condition in its slot first.
                    let c = self.slot(c, cpos);
                    self.materialize_aliases();
                    for pos in h - params..h {
                        self.materialize(pos);
                    }
                    let else_label = self.new_label();
                    self.emit_branch(ctl::br_eqz, BrR { off: 0, c }, else_label);
                    self.push_if(h - params, params, results, else_label);
                } else {
                    let else_label = self.new_label();
                    self.cond_branch(c, cpos, false, else_label);
                    self.push_if(h - params, params, results, else_label);
                }
            }
            O::Else => self.else_()?,
            O::End => self.end()?,
            O::Br { relative_depth } => {
                self.br(relative_depth)?;
                self.reachable = false;
            }
            O::BrIf { relative_depth } => self.br_if(relative_depth)?,
            O::BrTable { targets } => {
                let targets = targets
                    .targets()
                    .chain(std::iter::once(Ok(targets.default())))
                    .collect::<Result<Vec<u32>, _>>()?;
                self.br_table(&targets)?;
                self.reachable = false;
            }
            O::Return => {
                self.return_()?;
                self.reachable = false;
            }
            O::Call { function_index } => self.call(function_index, false)?,
            O::ReturnCall { function_index } => self.call(function_index, true)?,
            O::CallIndirect { type_index, table_index } => {
                self.call_indirect(type_index, table_index, false)?
            }
            O::ReturnCallIndirect { type_index, table_index } => {
                self.call_indirect(type_index, table_index, true)?
            }
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } => self.select()?,
            O::LocalGet { local_index } => self.push(Opd::Local(local_index as Slot))?,
            O::LocalSet { local_index } => self.local_set(local_index as Slot, false)?,
            O::LocalTee { local_index } => self.local_set(local_index as Slot, true)?,
            O::GlobalGet { global_index } => {
                let d = self.push_temp()?;
                self.emit_result(var::global_get, RIdx { d, a: 0, idx: global_index }, d);
            }
            O::GlobalSet { global_index } => {
                let (v, pos) = self.pop();
                match v {
                    Opd::Const(c) if global_index <= u16::MAX as u32 => {
                        self.emit(var::global_set_imm, RI64 { d: global_index as Slot, imm: c });
                    }
                    _ => {
                        let a = self.slot(v, pos);
                        self.emit(var::global_set, RIdx { d: 0, a, idx: global_index });
                    }
                }
            }

            O::I32Load { memarg } => self.load(mem::i32_load, mem::i32_load_abs, memarg)?,
            O::I64Load { memarg } => self.load(mem::i64_load, mem::i64_load_abs, memarg)?,
            O::F32Load { memarg } => self.load(mem::f32_load, mem::f32_load_abs, memarg)?,
            O::F64Load { memarg } => self.load(mem::f64_load, mem::f64_load_abs, memarg)?,
            O::I32Load8S { memarg } => self.load(mem::i32_load8_s, mem::i32_load8_s_abs, memarg)?,
            O::I32Load8U { memarg } => self.load(mem::i32_load8_u, mem::i32_load8_u_abs, memarg)?,
            O::I32Load16S { memarg } => {
                self.load(mem::i32_load16_s, mem::i32_load16_s_abs, memarg)?
            }
            O::I32Load16U { memarg } => {
                self.load(mem::i32_load16_u, mem::i32_load16_u_abs, memarg)?
            }
            O::I64Load8S { memarg } => self.load(mem::i64_load8_s, mem::i64_load8_s_abs, memarg)?,
            O::I64Load8U { memarg } => self.load(mem::i64_load8_u, mem::i64_load8_u_abs, memarg)?,
            O::I64Load16S { memarg } => {
                self.load(mem::i64_load16_s, mem::i64_load16_s_abs, memarg)?
            }
            O::I64Load16U { memarg } => {
                self.load(mem::i64_load16_u, mem::i64_load16_u_abs, memarg)?
            }
            O::I64Load32S { memarg } => {
                self.load(mem::i64_load32_s, mem::i64_load32_s_abs, memarg)?
            }
            O::I64Load32U { memarg } => {
                self.load(mem::i64_load32_u, mem::i64_load32_u_abs, memarg)?
            }
            O::I32Store { memarg } | O::F32Store { memarg } => {
                self.store([mem::i32_store, mem::i32_store_imm, mem::i32_store_abs], memarg)
            }
            O::I64Store { memarg } | O::F64Store { memarg } => {
                self.store([mem::i64_store, mem::i64_store_imm, mem::i64_store_abs], memarg)
            }
            O::I32Store8 { memarg } => {
                self.store([mem::i32_store8, mem::i32_store8_imm, mem::i32_store8_abs], memarg)
            }
            O::I32Store16 { memarg } => {
                self.store([mem::i32_store16, mem::i32_store16_imm, mem::i32_store16_abs], memarg)
            }
            O::I64Store8 { memarg } => {
                self.store([mem::i64_store8, mem::i64_store8_imm, mem::i64_store8_abs], memarg)
            }
            O::I64Store16 { memarg } => {
                self.store([mem::i64_store16, mem::i64_store16_imm, mem::i64_store16_abs], memarg)
            }
            O::I64Store32 { memarg } => {
                self.store([mem::i64_store32, mem::i64_store32_imm, mem::i64_store32_abs], memarg)
            }
            O::MemorySize { .. } => {
                let d = self.push_temp()?;
                self.emit_result(mem::memory_size, RR { d, a: 0 }, d);
            }
            O::MemoryGrow { .. } => {
                let (v, pos) = self.pop();
                let a = self.slot(v, pos);
                let d = self.push_temp()?;
                self.mark();
                self.emit_result(mem::memory_grow, RR { d, a }, d);
            }
            O::MemoryFill { .. } => self.three(mem::memory_fill, 0, 0)?,
            O::MemoryCopy { .. } => self.three(mem::memory_copy, 0, 0)?,
            O::MemoryInit { data_index, .. } => self.three(mem::memory_init, data_index, 0)?,
            O::DataDrop { data_index } => {
                self.emit(mem::data_drop, RIdx { d: 0, a: 0, idx: data_index });
            }

            O::I32Const { value } => self.push(Opd::Const(value as u32 as u64))?,
            O::I64Const { value } => self.push(Opd::Const(value as u64))?,
            O::F32Const { value } => self.push(Opd::Const(value.bits() as u64))?,
            O::F64Const { value } => self.push(Opd::Const(value.bits()))?,

            O::I32Eqz => self.eqz(false)?,
            O::I64Eqz => self.eqz(true)?,
            O::I32Eq => self.binop(&ops::I32_EQ)?,
            O::I32Ne => self.binop(&ops::I32_NE)?,
            O::I32LtS => self.binop(&ops::I32_LT_S)?,
            O::I32LtU => self.binop(&ops::I32_LT_U)?,
            O::I32GtS => self.binop(&ops::I32_GT_S)?,
            O::I32GtU => self.binop(&ops::I32_GT_U)?,
            O::I32LeS => self.binop(&ops::I32_LE_S)?,
            O::I32LeU => self.binop(&ops::I32_LE_U)?,
            O::I32GeS => self.binop(&ops::I32_GE_S)?,
            O::I32GeU => self.binop(&ops::I32_GE_U)?,
            O::I64Eq => self.binop(&ops::I64_EQ)?,
            O::I64Ne => self.binop(&ops::I64_NE)?,
            O::I64LtS => self.binop(&ops::I64_LT_S)?,
            O::I64LtU => self.binop(&ops::I64_LT_U)?,
            O::I64GtS => self.binop(&ops::I64_GT_S)?,
            O::I64GtU => self.binop(&ops::I64_GT_U)?,
            O::I64LeS => self.binop(&ops::I64_LE_S)?,
            O::I64LeU => self.binop(&ops::I64_LE_U)?,
            O::I64GeS => self.binop(&ops::I64_GE_S)?,
            O::I64GeU => self.binop(&ops::I64_GE_U)?,
            O::F32Eq => self.binop(&ops::F32_EQ)?,
            O::F32Ne => self.binop(&ops::F32_NE)?,
            O::F32Lt => self.binop(&ops::F32_LT)?,
            O::F32Gt => self.binop(&ops::F32_GT)?,
            O::F32Le => self.binop(&ops::F32_LE)?,
            O::F32Ge => self.binop(&ops::F32_GE)?,
            O::F64Eq => self.binop(&ops::F64_EQ)?,
            O::F64Ne => self.binop(&ops::F64_NE)?,
            O::F64Lt => self.binop(&ops::F64_LT)?,
            O::F64Gt => self.binop(&ops::F64_GT)?,
            O::F64Le => self.binop(&ops::F64_LE)?,
            O::F64Ge => self.binop(&ops::F64_GE)?,

            O::I32Clz => self.unop(num::i32_clz)?,
            O::I32Ctz => self.unop(num::i32_ctz)?,
            O::I32Popcnt => self.unop(num::i32_popcnt)?,
            O::I32Add => self.binop(&ops::I32_ADD)?,
            O::I32Sub => self.binop(&ops::I32_SUB)?,
            O::I32Mul => self.binop(&ops::I32_MUL)?,
            O::I32DivS => self.binop(&ops::I32_DIV_S)?,
            O::I32DivU => self.binop(&ops::I32_DIV_U)?,
            O::I32RemS => self.binop(&ops::I32_REM_S)?,
            O::I32RemU => self.binop(&ops::I32_REM_U)?,
            O::I32And => self.binop(&ops::I32_AND)?,
            O::I32Or => self.binop(&ops::I32_OR)?,
            O::I32Xor => self.binop(&ops::I32_XOR)?,
            O::I32Shl => self.binop(&ops::I32_SHL)?,
            O::I32ShrS => self.binop(&ops::I32_SHR_S)?,
            O::I32ShrU => self.binop(&ops::I32_SHR_U)?,
            O::I32Rotl => self.binop(&ops::I32_ROTL)?,
            O::I32Rotr => self.binop(&ops::I32_ROTR)?,
            O::I64Clz => self.unop(num::i64_clz)?,
            O::I64Ctz => self.unop(num::i64_ctz)?,
            O::I64Popcnt => self.unop(num::i64_popcnt)?,
            O::I64Add => self.binop(&ops::I64_ADD)?,
            O::I64Sub => self.binop(&ops::I64_SUB)?,
            O::I64Mul => self.binop(&ops::I64_MUL)?,
            O::I64DivS => self.binop(&ops::I64_DIV_S)?,
            O::I64DivU => self.binop(&ops::I64_DIV_U)?,
            O::I64RemS => self.binop(&ops::I64_REM_S)?,
            O::I64RemU => self.binop(&ops::I64_REM_U)?,
            O::I64And => self.binop(&ops::I64_AND)?,
            O::I64Or => self.binop(&ops::I64_OR)?,
            O::I64Xor => self.binop(&ops::I64_XOR)?,
            O::I64Shl => self.binop(&ops::I64_SHL)?,
            O::I64ShrS => self.binop(&ops::I64_SHR_S)?,
            O::I64ShrU => self.binop(&ops::I64_SHR_U)?,
            O::I64Rotl => self.binop(&ops::I64_ROTL)?,
            O::I64Rotr => self.binop(&ops::I64_ROTR)?,
            O::F32Abs => self.unop(num::f32_abs)?,
            O::F32Neg => self.unop(num::f32_neg)?,
            O::F32Ceil => self.unop(num::f32_ceil)?,
            O::F32Floor => self.unop(num::f32_floor)?,
            O::F32Trunc => self.unop(num::f32_trunc)?,
            O::F32Nearest => self.unop(num::f32_nearest)?,
            O::F32Sqrt => self.unop(num::f32_sqrt)?,
            O::F32Add => self.binop(&ops::F32_ADD)?,
            O::F32Sub => self.binop(&ops::F32_SUB)?,
            O::F32Mul => self.binop(&ops::F32_MUL)?,
            O::F32Div => self.binop(&ops::F32_DIV)?,
            O::F32Min => self.binop(&ops::F32_MIN)?,
            O::F32Max => self.binop(&ops::F32_MAX)?,
            O::F32Copysign => self.binop(&ops::F32_COPYSIGN)?,
            O::F64Abs => self.unop(num::f64_abs)?,
            O::F64Neg => self.unop(num::f64_neg)?,
            O::F64Ceil => self.unop(num::f64_ceil)?,
            O::F64Floor => self.unop(num::f64_floor)?,
            O::F64Trunc => self.unop(num::f64_trunc)?,
            O::F64Nearest => self.unop(num::f64_nearest)?,
            O::F64Sqrt => self.unop(num::f64_sqrt)?,
            O::F64Add => self.binop(&ops::F64_ADD)?,
            O::F64Sub => self.binop(&ops::F64_SUB)?,
            O::F64Mul => self.binop(&ops::F64_MUL)?,
            O::F64Div => self.binop(&ops::F64_DIV)?,
            O::F64Min => self.binop(&ops::F64_MIN)?,
            O::F64Max => self.binop(&ops::F64_MAX)?,
            O::F64Copysign => self.binop(&ops::F64_COPYSIGN)?,

            O::I32WrapI64 => self.unop(num::i32_wrap_i64)?,
            O::I32TruncF32S => self.unop_trap(num::i32_trunc_f32_s)?,
            O::I32TruncF32U => self.unop_trap(num::i32_trunc_f32_u)?,
            O::I32TruncF64S => self.unop_trap(num::i32_trunc_f64_s)?,
            O::I32TruncF64U => self.unop_trap(num::i32_trunc_f64_u)?,
            O::I64ExtendI32S => self.unop(num::i64_extend_i32_s)?,
            // i32 values are kept zero-extended in their slots.
            O::I64ExtendI32U => {}
            O::I64TruncF32S => self.unop_trap(num::i64_trunc_f32_s)?,
            O::I64TruncF32U => self.unop_trap(num::i64_trunc_f32_u)?,
            O::I64TruncF64S => self.unop_trap(num::i64_trunc_f64_s)?,
            O::I64TruncF64U => self.unop_trap(num::i64_trunc_f64_u)?,
            O::F32ConvertI32S => self.unop(num::f32_convert_i32_s)?,
            O::F32ConvertI32U => self.unop(num::f32_convert_i32_u)?,
            O::F32ConvertI64S => self.unop(num::f32_convert_i64_s)?,
            O::F32ConvertI64U => self.unop(num::f32_convert_i64_u)?,
            O::F32DemoteF64 => self.unop(num::f32_demote_f64)?,
            O::F64ConvertI32S => self.unop(num::f64_convert_i32_s)?,
            O::F64ConvertI32U => self.unop(num::f64_convert_i32_u)?,
            O::F64ConvertI64S => self.unop(num::f64_convert_i64_s)?,
            O::F64ConvertI64U => self.unop(num::f64_convert_i64_u)?,
            O::F64PromoteF32 => self.unop(num::f64_promote_f32)?,
            // Slots hold raw bits: reinterpretation changes nothing.
            O::I32ReinterpretF32
            | O::I64ReinterpretF64
            | O::F32ReinterpretI32
            | O::F64ReinterpretI64 => {}
            O::I32Extend8S => self.unop(num::i32_extend8_s)?,
            O::I32Extend16S => self.unop(num::i32_extend16_s)?,
            O::I64Extend8S => self.unop(num::i64_extend8_s)?,
            O::I64Extend16S => self.unop(num::i64_extend16_s)?,
            O::I64Extend32S => self.unop(num::i64_extend32_s)?,
            O::I32TruncSatF32S => self.unop(num::i32_trunc_sat_f32_s)?,
            O::I32TruncSatF32U => self.unop(num::i32_trunc_sat_f32_u)?,
            O::I32TruncSatF64S => self.unop(num::i32_trunc_sat_f64_s)?,
            O::I32TruncSatF64U => self.unop(num::i32_trunc_sat_f64_u)?,
            O::I64TruncSatF32S => self.unop(num::i64_trunc_sat_f32_s)?,
            O::I64TruncSatF32U => self.unop(num::i64_trunc_sat_f32_u)?,
            O::I64TruncSatF64S => self.unop(num::i64_trunc_sat_f64_s)?,
            O::I64TruncSatF64U => self.unop(num::i64_trunc_sat_f64_u)?,

            O::RefNull { .. } => self.push(Opd::Const(0))?,
            O::RefIsNull => self.unop(var::ref_is_null)?,
            O::RefFunc { function_index } => {
                let d = self.push_temp()?;
                self.emit_result(var::ref_func, RIdx { d, a: 0, idx: function_index }, d);
            }
            O::TableGet { table } => {
                let (i, pos) = self.pop();
                let a = self.slot(i, pos);
                let d = self.push_temp()?;
                self.mark();
                self.emit_result(tbl::table_get, RIdx { d, a, idx: table }, d);
            }
            O::TableSet { table } => {
                let (v, vpos) = self.pop();
                let (i, ipos) = self.pop();
                let a = self.slot(v, vpos);
                let d = self.slot(i, ipos);
                self.mark();
                self.emit(tbl::table_set, RIdx { d, a, idx: table });
            }
            O::TableSize { table } => {
                let d = self.push_temp()?;
                self.emit_result(tbl::table_size, RIdx { d, a: 0, idx: table }, d);
            }
            O::TableGrow { table } => {
                let (n, npos) = self.pop();
                let (init, ipos) = self.pop();
                let b = self.slot(n, npos);
                let a = self.slot(init, ipos);
                let c = self.push_temp()?;
                self.mark();
                self.emit(tbl::table_grow, R3Idx { a, b, c, idx: table, idx2: 0 });
            }
            O::TableFill { table } => self.three(tbl::table_fill, table, 0)?,
            O::TableCopy { dst_table, src_table } => {
                self.three(tbl::table_copy, dst_table, src_table)?
            }
            O::TableInit { elem_index, table } => self.three(tbl::table_init, elem_index, table)?,
            O::ElemDrop { elem_index } => {
                self.emit(tbl::elem_drop, RIdx { d: 0, a: 0, idx: elem_index });
            }
            other => bail!("unsupported instruction: {other:?}"),
        }
        Ok(())
    }

    fn push_if(&mut self, height: usize, params: usize, results: usize, else_label: usize) {
        let label = self.new_label();
        self.ctrl.push(Ctrl {
            kind: Kind::If,
            height,
            params,
            results,
            label,
            else_label: Some(else_label),
            branched: false,
        });
        self.start_block();
    }

    fn else_(&mut self) -> Result<()> {
        let f = self.ctrl.last().context("else outside if")?;
        let (height, params, results, label) = (f.height, f.params, f.results, f.label);
        if self.reachable {
            self.copy_top_to(height, results);
            self.emit_branch(ctl::br, Br { off: 0 }, label);
            self.ctrl.last_mut().unwrap().branched = true;
        }
        let else_label = self.ctrl.last_mut().unwrap().else_label.take();
        if let Some(l) = else_label {
            self.bind(l);
        }
        self.truncate(height);
        for _ in 0..params {
            self.push(Opd::Temp)?;
        }
        self.ctrl.last_mut().unwrap().kind = Kind::Else;
        self.reachable = true;
        self.start_block();
        Ok(())
    }

    fn end(&mut self) -> Result<()> {
        let f = self.ctrl.pop().context("end outside block")?;
        if f.kind == Kind::Body {
            if self.reachable {
                self.return_()?;
            }
            self.reachable = false;
            return Ok(());
        }
        if self.reachable {
            self.copy_top_to(f.height, f.results);
        }
        let mut reachable = self.reachable || f.branched;
        if let Some(l) = f.else_label {
            // An `if` without `else`: the false path falls through.
            self.bind(l);
            reachable = true;
        }
        if f.kind != Kind::Loop {
            self.bind(f.label);
        }
        self.truncate(f.height);
        for _ in 0..f.results {
            self.push(Opd::Temp)?;
        }
        self.reachable = reachable;
        if reachable {
            self.start_block();
        }
        Ok(())
    }

    /// Where a branch to depth `depth` goes: `(stack position of its values,
    /// their count, label)`, or `None` for the function body (a return).
    fn target(&mut self, depth: u32) -> Option<(usize, usize, usize)> {
        let i = self.ctrl.len() - 1 - depth as usize;
        let f = &mut self.ctrl[i];
        match f.kind {
            Kind::Body => None,
            Kind::Loop => Some((f.height, f.params, f.label)),
            _ => {
                f.branched = true;
                Some((f.height, f.results, f.label))
            }
        }
    }

    fn br(&mut self, depth: u32) -> Result<()> {
        match self.target(depth) {
            None => self.return_()?,
            Some((base, n, label)) => {
                self.copy_top_to(base, n);
                self.emit_branch(ctl::br, Br { off: 0 }, label);
            }
        }
        Ok(())
    }

    /// Whether the top `n` operands already are in stack positions
    /// `base..base + n`.
    fn in_place(&self, base: usize, n: usize) -> bool {
        let h = self.stack.len();
        n == 0 || (h - n == base && self.stack[base..].iter().all(|o| *o == Opd::Temp))
    }

    fn br_if(&mut self, depth: u32) -> Result<()> {
        let (c, cpos) = self.pop();
        match self.target(depth) {
            Some((base, n, label)) if self.in_place(base, n) => {
                self.cond_branch(c, cpos, true, label);
            }
            target => {
                // Branch around the moves (or the return) when false.
                let skip = self.new_label();
                self.cond_branch(c, cpos, false, skip);
                match target {
                    None => self.return_()?,
                    Some((base, n, label)) => {
                        self.copy_top_to(base, n);
                        self.emit_branch(ctl::br, Br { off: 0 }, label);
                    }
                }
                self.bind(skip);
                self.start_block();
            }
        }
        Ok(())
    }

    /// Branches to `label` if operand `c` (at `pos`) is non-zero
    /// (`when == true`) or zero (`when == false`), fusing a preceding
    /// comparison or `eqz` into the branch where possible.
    fn cond_branch(&mut self, c: Opd, pos: usize, when: bool, label: usize) {
        if let Opd::Const(v) = c {
            if (v as u32 != 0) == when {
                self.emit_branch(ctl::br, Br { off: 0 }, label);
            }
            return;
        }
        let slot = self.slot(c, pos);
        if c == Opd::Temp {
            if let Some(cand) = self.last_cmp {
                let size = self.code.len() - cand.pos;
                if cand.dst == slot && self.is_last(cand.pos, size) {
                    let cmp = if when { Some(cand.cmp) } else { cand.cmp.negate() };
                    if let Some(cmp) = cmp {
                        let (rr, ri) = cmp.branch();
                        let fused = match cand.b {
                            Ok(b) => Some((rr, Ok(b))),
                            Err(v) => match ri {
                                Some(ri) if v as i16 as i64 == v => Some((ri, Err(v as i16))),
                                _ => None,
                            },
                        };
                        if let Some((h, b)) = fused {
                            self.code.truncate(cand.pos);
                            match b {
                                Ok(b) => self.emit_branch(h, BrRR { off: 0, a: cand.a, b }, label),
                                Err(imm) => {
                                    self.emit_branch(h, BrRI { off: 0, a: cand.a, imm }, label)
                                }
                            }
                            return;
                        }
                    }
                }
            }
            if let Some(cand) = self.last_eqz
                && cand.dst == slot
                && self.is_last(cand.pos, cells::<RR>())
            {
                {
                    self.code.truncate(cand.pos);
                    let h = match (cand.is64, when) {
                        (false, true) => ctl::br_eqz,
                        (false, false) => ctl::br_nez,
                        (true, true) => ctl::br_i64_eqz,
                        (true, false) => ctl::br_i64_nez,
                    };
                    self.emit_branch(h, BrR { off: 0, c: cand.a }, label);
                    return;
                }
            }
        }
        let h = if when { ctl::br_nez } else { ctl::br_eqz };
        self.emit_branch(h, BrR { off: 0, c: slot }, label);
    }

    fn br_table(&mut self, targets: &[u32]) -> Result<()> {
        let (i, ipos) = self.pop();
        let c = self.slot(i, ipos);
        let len = targets.len() - 1;
        let table = self.emit(ctl::br_table, BrTable { c, len: len as u32 });
        let entries = self.code.len();
        self.code.resize(entries + targets.len(), MaybeUninit::new(0));
        // Targets that need moves or a return get a stub after the table.
        let mut stubs = Vec::new();
        for (k, &depth) in targets.iter().enumerate() {
            match self.target(depth) {
                Some((base, n, label)) if self.in_place(base, n) => {
                    self.use_label(label, entries + k, table);
                }
                target => stubs.push((k, target)),
            }
        }
        for (k, target) in stubs {
            let stub = self.code.len();
            self.patch_i32(entries + k, (stub - table) as i32);
            self.barrier = stub;
            match target {
                None => self.return_()?,
                Some((base, n, label)) => {
                    self.copy_top_to(base, n);
                    self.emit_branch(ctl::br, Br { off: 0 }, label);
                }
            }
        }
        Ok(())
    }

    fn return_(&mut self) -> Result<()> {
        let n = self.results;
        let h = self.stack.len();
        match n {
            0 => {
                self.emit(ctl::return_void, Nil);
            }
            1 => match self.stack[h - 1] {
                Opd::Const(v) => {
                    self.emit(ctl::return_imm, RI64 { d: 0, imm: v });
                }
                o => {
                    let a = self.slot(o, h - 1);
                    self.emit(ctl::return_r, RR { d: 0, a });
                }
            },
            _ => {
                // Results move to slots 0..n, which may be read by the moves
                // themselves: go through scratch slots above the stack.
                self.reserve(h + n)?;
                for k in 0..n {
                    let src = h - n + k;
                    let o = self.stack[src];
                    let d = self.slot_of(h + k);
                    self.move_to(d, o, src);
                }
                let a = self.slot_of(h);
                self.emit(num::copy_span, CopySpan { d: 0, a, n: n as u16 });
                self.emit(ctl::return_void, Nil);
            }
        }
        Ok(())
    }

    /// Puts the top `n` operands (call arguments) in their slots; returns
    /// the slot of the first.
    fn args(&mut self, n: usize) -> Slot {
        let h = self.stack.len();
        for pos in h - n..h {
            self.materialize(pos);
        }
        self.slot_of(h - n)
    }

    fn call(&mut self, f: u32, tail: bool) -> Result<()> {
        let ty = self.env.func_type(f);
        let (n, m) = (ty.params().len(), ty.results().len());
        let base = self.args(n);
        let h = self.stack.len();
        self.reserve(h - n + n.max(m))?;
        self.mark();
        if f < self.env.num_imported_funcs {
            let h = if tail { ctl::return_call_import } else { ctl::call_import };
            self.emit(h, Call { base, idx: f, func: std::ptr::null() });
        } else {
            let h = if tail { ctl::return_call_internal } else { ctl::call_internal };
            let func =
                &self.env.code[(f - self.env.num_imported_funcs) as usize] as *const FuncCode;
            self.emit(h, Call { base, idx: f, func });
        }
        self.finish_call(n, m, tail)
    }

    fn finish_call(&mut self, n: usize, m: usize, tail: bool) -> Result<()> {
        self.truncate(self.stack.len() - n);
        if tail {
            self.reachable = false;
        } else {
            for _ in 0..m {
                self.push(Opd::Temp)?;
            }
        }
        Ok(())
    }

    fn call_indirect(&mut self, type_index: u32, table: u32, tail: bool) -> Result<()> {
        let ty = self.env.type_at(type_index);
        let (n, m) = (ty.params().len(), ty.results().len());
        let (i, ipos) = self.pop();
        let base = self.args(n);
        let c = self.slot(i, ipos);
        let h = self.stack.len();
        self.reserve((h - n + n.max(m)).max(ipos + 1))?;
        let op = CallIndirect { base, c, table, ty: self.env.type_ids[type_index as usize] };
        self.mark();
        let h = if tail { ctl::return_call_indirect } else { ctl::call_indirect };
        self.emit(h, op);
        self.finish_call(n, m, tail)
    }

    fn select(&mut self) -> Result<()> {
        let (c, cpos) = self.pop();
        let (b, bpos) = self.pop();
        let (a, apos) = self.pop();
        let c = self.slot(c, cpos);
        let b = self.slot(b, bpos);
        let a = self.slot(a, apos);
        let d = self.push_temp()?;
        self.emit_result(num::select, Select { d, c, a, b }, d);
        Ok(())
    }

    fn local_set(&mut self, l: Slot, tee: bool) -> Result<()> {
        let (v, pos) = self.pop();
        let has_aliases = self.aliases > 0 && self.stack.contains(&Opd::Local(l));
        if has_aliases {
            self.preserve_local(l);
        }
        let retarget = match (v, self.last_result) {
            (Opd::Temp, Some((p, d))) => {
                !has_aliases && d == self.slot_of(pos) && p >= self.barrier
            }
            _ => false,
        };
        if retarget {
            let (p, _) = self.last_result.take().unwrap();
            // SAFETY: instruction `p` writes its result to its first operand.
            unsafe { (self.code.as_mut_ptr().add(p + 1) as *mut Slot).write(l) };
            self.last_cmp = None;
            self.last_eqz = None;
        } else {
            self.move_to(l, v, pos);
        }
        if tee {
            self.push(Opd::Local(l))?;
        }
        Ok(())
    }

    fn binop(&mut self, op: &'static Binop) -> Result<()> {
        let (b, bpos) = self.pop();
        let (a, apos) = self.pop();
        let d = self.slot_of(apos);
        // Pick the form: immediate right, immediate left, or both slots.
        let (h, a_slot, imm_or_b): (Handler, Slot, Result<Slot, u64>) = match (a, b) {
            (a, Opd::Const(v)) if !matches!(a, Opd::Const(_)) && op.imm.encode(v).is_some() => {
                let a = self.slot(a, apos);
                (op.ri, a, Err(op.imm.encode(v).unwrap()))
            }
            (Opd::Const(v), b) if op.imm.encode(v).is_some() => {
                let imm = op.imm.encode(v).unwrap();
                let bs = self.slot(b, bpos);
                match (op.ir, op.cmp) {
                    (_, Some(cmp)) => (cmp.mirror().ri, bs, Err(imm)),
                    (Some(ir), None) => (ir, bs, Err(imm)),
                    (None, None) => (op.ri, bs, Err(imm)),
                }
            }
            (a, b) => {
                let a = self.slot(a, apos);
                let b = self.slot(b, bpos);
                (op.rr, a, Ok(b))
            }
        };
        if op.traps {
            self.mark();
        }
        let pos = match imm_or_b {
            Ok(b) => self.emit_result(h, RRR { d, a: a_slot, b }, d),
            Err(imm) if op.imm == Imm::B64 => self.emit_result(h, RRI64 { d, a: a_slot, imm }, d),
            Err(imm) => self.emit_result(h, RRI { d, a: a_slot, imm: imm as u32 }, d),
        };
        self.push(Opd::Temp)?;
        // Remember comparisons for fusion with a following branch. An
        // immediate is kept as the value the comparison sees.
        if let Some(cmp) = op.cmp {
            let cmp = if matches!(a, Opd::Const(_)) && imm_or_b.is_err() {
                cmp_of(cmp.mirror())
            } else {
                cmp
            };
            let b = imm_or_b.map_err(|imm| match op.imm {
                Imm::B32 => imm as u32 as i32 as i64,
                Imm::B64 => imm as i64,
            });
            self.last_cmp = Some(CmpCand { pos, dst: d, cmp, a: a_slot, b });
        }
        Ok(())
    }

    fn eqz(&mut self, is64: bool) -> Result<()> {
        let (a, apos) = self.pop();
        let a = self.slot(a, apos);
        let d = self.slot_of(apos);
        let h = if is64 { num::i64_eqz } else { num::i32_eqz };
        let pos = self.emit_result(h, RR { d, a }, d);
        self.push(Opd::Temp)?;
        self.last_eqz = Some(EqzCand { pos, dst: d, a, is64 });
        Ok(())
    }

    fn unop(&mut self, h: Handler) -> Result<()> {
        let (a, apos) = self.pop();
        let a = self.slot(a, apos);
        let d = self.slot_of(apos);
        self.emit_result(h, RR { d, a }, d);
        self.push(Opd::Temp)
    }

    fn unop_trap(&mut self, h: Handler) -> Result<()> {
        let (a, apos) = self.pop();
        let a = self.slot(a, apos);
        let d = self.slot_of(apos);
        self.mark();
        self.emit_result(h, RR { d, a }, d);
        self.push(Opd::Temp)
    }

    fn load(&mut self, h: Handler, abs: Handler, memarg: wasmparser::MemArg) -> Result<()> {
        let (addr, pos) = self.pop();
        let d = self.slot_of(pos);
        match addr {
            Opd::Const(a) if (a as u32 as u64 + memarg.offset) <= u32::MAX as u64 => {
                let ea = (a as u32 as u64 + memarg.offset) as u32;
                self.mark();
                self.emit_result(abs, MemAbs { d, ea }, d);
            }
            _ => {
                let a = self.slot(addr, pos);
                self.mark();
                self.emit_result(h, MemOp { d, addr: a, offset: memarg.offset as u32 }, d);
            }
        }
        self.push(Opd::Temp)
    }

    fn store(&mut self, [h, imm, abs]: [Handler; 3], memarg: wasmparser::MemArg) {
        let (v, vpos) = self.pop();
        let (addr, apos) = self.pop();
        match (addr, v) {
            (Opd::Const(a), v) if (a as u32 as u64 + memarg.offset) <= u32::MAX as u64 => {
                let ea = (a as u32 as u64 + memarg.offset) as u32;
                let d = self.slot(v, vpos);
                self.mark();
                self.emit(abs, MemAbs { d, ea });
            }
            (addr, Opd::Const(c)) => {
                let a = self.slot(addr, apos);
                self.mark();
                self.emit(imm, StoreImm { addr: a, offset: memarg.offset as u32, imm: c });
            }
            (addr, v) => {
                let a = self.slot(addr, apos);
                let d = self.slot(v, vpos);
                self.mark();
                self.emit(h, MemOp { d, addr: a, offset: memarg.offset as u32 });
            }
        }
    }

    /// An instruction with three slot operands and two indices.
    fn three(&mut self, h: Handler, idx: u32, idx2: u32) -> Result<()> {
        let (c, cpos) = self.pop();
        let (b, bpos) = self.pop();
        let (a, apos) = self.pop();
        let c = self.slot(c, cpos);
        let b = self.slot(b, bpos);
        let a = self.slot(a, apos);
        self.mark();
        self.emit(h, R3Idx { a, b, c, idx, idx2 });
        Ok(())
    }
}

/// The comparison a binop table entry implements.
fn cmp_of(op: &'static Binop) -> Cmp {
    op.cmp.expect("comparison")
}
