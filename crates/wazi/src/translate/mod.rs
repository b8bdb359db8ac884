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

mod gc;

use crate::code::{Compiled, FuncCode, Roots};
use crate::config::Config;
use crate::exec::simd::HANDLERS;
use crate::ir::*;
use crate::isa::{self, Atomic, Binop, Cmp, Imm, Opcode, Simd};
use crate::trap::TrapCode;
use crate::types::{FuncType, GlobalType, ValType};
use anyhow::{Context, Result, bail};
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
    /// The registered definition of every type index.
    pub defs: &'a [std::sync::Arc<crate::types::registry::Entry>],
    pub funcs: &'a [u32],
    pub num_imported_funcs: u32,
    pub code: &'a [FuncCode],
    pub globals: &'a [GlobalType],
    pub memories: &'a [crate::types::MemoryType],
    pub tables: &'a [crate::types::TableType],
    /// Type index of every tag.
    pub tags: &'a [u32],
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
    /// A constant (raw slot bits; never a v128).
    Const(u64),
}

/// An entry of the virtual stack: the operand and the slot of its stack
/// position (where it lives once materialised). A `v128` takes two slots.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Entry {
    o: Opd,
    slot: Slot,
    wide: bool,
}

/// Slots a value takes.
fn width(wide: bool) -> usize {
    if wide { 2 } else { 1 }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Body,
    Block,
    Loop,
    If,
    Else,
    /// A `try_table`'s body.
    TryTable,
    /// A legacy `try`'s body, before its first `catch`.
    Try,
    /// A legacy `catch` or `catch_all` clause: the caught exception's
    /// reference is in the slot of stack position `height`, below the
    /// payload.
    Catch,
}

struct Ctrl {
    kind: Kind,
    ty: BlockType,
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
    /// The cell where the block starts (for a `try_table` or `try`, where
    /// its handled range does).
    start: u32,
    /// The number of try regions when the block started (for a
    /// `try_table` or `try`, the index of its own).
    region: usize,
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

/// What an `i32.add` in place adds (see [`Translator::step_before`]).
#[derive(Clone, Copy)]
enum Step {
    Imm(i16),
    /// An `i64.add` of a constant.
    Imm64(i16),
    Slot(Slot),
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
    index: u32,
    fuel: bool,
    epoch: bool,
    code: Vec<MaybeUninit<u64>>,
    offsets: Vec<(u32, u32)>,
    /// Slots of the parameters, and of all locals (parameters included).
    num_params: usize,
    num_locals: usize,
    /// The first slot of each local, and whether it is a `v128`.
    locals: Vec<(Slot, bool)>,
    results: usize,
    stack: Vec<Entry>,
    /// One past the highest slot used.
    max_slot: usize,
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
    /// The last instruction emitted: `(cell, opcode)`.
    last_op: Option<(usize, Opcode)>,
    /// The instruction emitted before the last one, if nothing was removed
    /// since.
    prev_op: Option<(usize, Opcode)>,
    last_cmp: Option<CmpCand>,
    last_eqz: Option<EqzCand>,
    /// The fuel instruction of the current block.
    fuel_op: Option<usize>,
    /// Module offset of the operator being translated.
    offset: u32,
    /// Where exceptions are caught.
    regions: Vec<TryRegion>,
    /// The frame's slots that may hold traced references at each point a
    /// collection can start (see [`Roots`]).
    root_points: Vec<(u32, u32, u32)>,
    root_temps: Vec<Slot>,
    root_locals: Vec<Slot>,
}

impl<'a> Translator<'a> {
    fn new(env: &'a TranslateEnv<'a>, index: u32) -> Result<Translator<'a>> {
        let ty = env.func_type(index);
        Ok(Translator {
            env,
            index,
            fuel: env.config.consume_fuel,
            epoch: env.config.epoch_interruption,
            code: Vec::new(),
            offsets: Vec::new(),
            num_params: 0,
            num_locals: 0,
            locals: Vec::new(),
            results: ty.results().len(),
            stack: Vec::new(),
            max_slot: 0,
            aliases: 0,
            ctrl: Vec::new(),
            labels: Vec::new(),
            reachable: true,
            dead_depth: 0,
            barrier: 0,
            last_result: None,
            last_op: None,
            prev_op: None,
            last_cmp: None,
            last_eqz: None,
            fuel_op: None,
            offset: 0,
            regions: Vec::new(),
            root_points: Vec::new(),
            root_temps: Vec::new(),
            root_locals: Vec::new(),
        })
    }

    fn run(
        mut self,
        body: &FunctionBody<'_>,
        mut validator: Option<&mut FuncValidator<ValidatorResources>>,
    ) -> Result<Compiled> {
        let params = self.env.func_type(self.index).params();
        for t in params {
            self.add_locals(1, *t == ValType::V128, t.is_traced())?;
        }
        self.num_params = self.num_locals;
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
            let traced = matches!(ty, wasmparser::ValType::Ref(_))
                && crate::types::ValType::from_wasmparser(ty, self.env.type_ids)?.is_traced();
            self.add_locals(count as usize, ty == wasmparser::ValType::V128, traced)?;
        }
        self.max_slot = self.num_locals;
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
        self.root_points.sort_unstable_by_key(|p| p.0);
        let roots = Roots {
            locals: self.root_locals.into(),
            points: self.root_points.into(),
            temps: self.root_temps.into(),
        };
        Ok(Compiled::new(
            self.code,
            self.max_slot,
            self.num_params,
            self.offsets,
            self.regions,
            roots,
        ))
    }

    /// Declares `count` more locals (`traced`: of a type whose references
    /// the collector follows).
    fn add_locals(&mut self, count: usize, wide: bool, traced: bool) -> Result<()> {
        if self.locals.len() + count > 50_000 {
            bail!("function has too many locals");
        }
        for _ in 0..count {
            self.locals.push((self.num_locals as Slot, wide));
            if traced {
                self.root_locals.push(self.num_locals as Slot);
            }
            self.num_locals += width(wide);
        }
        Ok(())
    }

    /// Notes the temporaries among the bottom `height` stack entries, for
    /// a collection point recorded next by [`Translator::root_point`].
    /// Constants and local aliases hold nothing in their slots, and a
    /// `v128` is no reference.
    fn root_temps(&mut self, height: usize) -> u32 {
        let start = self.root_temps.len() as u32;
        for e in &self.stack[..height] {
            if e.o == Opd::Temp && !e.wide {
                self.root_temps.push(e.slot);
            }
        }
        start
    }

    /// Records a collection point at cell `cell` (a return address if
    /// `is_return`) whose live temporaries were noted from `start`.
    fn root_point(&mut self, start: u32, cell: usize, is_return: bool) {
        let end = self.root_temps.len() as u32;
        self.root_points.push((Roots::key(cell, is_return), start, end));
    }

    fn prologue(&mut self) {
        let label = self.new_label();
        self.ctrl.push(Ctrl {
            kind: Kind::Body,
            ty: BlockType::Empty,
            height: 0,
            params: 0,
            results: self.results,
            label,
            else_label: None,
            branched: false,
            start: self.code.len() as u32,
            region: self.regions.len(),
        });
        let extra = self.num_locals - self.num_params;
        if extra > 0 {
            self.emit(
                Opcode::zero_locals,
                CopySpan { d: self.num_params as Slot, a: 0, n: extra as u16 },
            );
        }
        self.start_block();
    }

    // ---- emission -------------------------------------------------------

    fn emit<T: Copy>(&mut self, op: Opcode, i: T) -> usize {
        debug_assert_eq!(op.cells(), cells::<T>(), "layout of {op:?}");
        let pos = self.code.len();
        self.code.resize(pos + cells::<T>(), MaybeUninit::uninit());
        let h = HANDLERS[op as usize] as *const ();
        // SAFETY: the cells just reserved hold an `Op<T>` (8-byte aligned,
        // a multiple of 8 bytes long).
        unsafe { (self.code.as_mut_ptr().add(pos) as *mut Op<T>).write(Op { h, i }) };
        self.prev_op = self.last_op;
        self.last_op = Some((pos, op));
        self.last_result = None;
        self.last_cmp = None;
        self.last_eqz = None;
        pos
    }

    /// Emits an instruction whose first operand is its destination `d`.
    fn emit_result<T: Copy>(&mut self, op: Opcode, i: T, d: Slot) -> usize {
        let pos = self.emit(op, i);
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
            let pos = self.emit(Opcode::consume_fuel, Fuel { amount: 0 });
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
    fn emit_branch<T: Copy>(&mut self, op: Opcode, i: T, label: usize) {
        let pos = self.emit(op, i);
        self.use_label(label, pos + 1, pos);
    }

    // ---- the virtual stack ----------------------------------------------

    /// The slot where the next pushed operand goes.
    fn next_slot(&self) -> usize {
        match self.stack.last() {
            Some(e) => e.slot as usize + width(e.wide),
            None => self.num_locals,
        }
    }

    /// The slot of stack position `pos` (at most the stack's height).
    fn slot_at(&self, pos: usize) -> usize {
        match self.stack.get(pos) {
            Some(e) => e.slot as usize,
            None => self.next_slot(),
        }
    }

    /// Makes sure slots below `end` exist in the frame.
    fn reserve(&mut self, end: usize) -> Result<()> {
        if end > self.max_slot {
            if end > 1 << 16 {
                bail!(
                    "function is too complex for the interpreter: it needs more than 65536 \
                     locals and stack slots"
                );
            }
            self.max_slot = end;
        }
        Ok(())
    }

    fn push_wide(&mut self, o: Opd, wide: bool) -> Result<()> {
        if let Opd::Local(_) = o {
            self.aliases += 1;
        }
        let slot = self.next_slot();
        self.reserve(slot + width(wide))?;
        self.stack.push(Entry { o, slot: slot as Slot, wide });
        Ok(())
    }

    fn push(&mut self, o: Opd) -> Result<()> {
        self.push_wide(o, false)
    }

    /// Pushes a temporary; returns its slot.
    fn push_temp(&mut self) -> Result<Slot> {
        self.push_temp_wide(false)
    }

    /// Pushes a temporary that may be a `v128`; returns its slot.
    fn push_temp_wide(&mut self, wide: bool) -> Result<Slot> {
        self.push_wide(Opd::Temp, wide)?;
        Ok(self.stack.last().unwrap().slot)
    }

    /// Pops an operand; returns it and the slot of its stack position.
    fn pop(&mut self) -> (Opd, Slot) {
        let e = self.pop_entry();
        (e.o, e.slot)
    }

    fn pop_entry(&mut self) -> Entry {
        let e = self.stack.pop().expect("validated stack");
        if let Opd::Local(_) = e.o {
            self.aliases -= 1;
        }
        e
    }

    fn truncate(&mut self, height: usize) {
        while self.stack.len() > height {
            self.pop();
        }
    }

    /// Emits `d = const`.
    fn emit_const(&mut self, d: Slot, v: u64) {
        if v <= u32::MAX as u64 {
            self.emit_result(Opcode::const32, RI { d, imm: v as u32 }, d);
        } else {
            self.emit_result(Opcode::const64, RI64 { d, imm: v }, d);
        }
    }

    /// The slot holding operand `o` (whose stack position has slot `s`),
    /// materialising a constant into `s`.
    fn slot(&mut self, o: Opd, s: Slot) -> Slot {
        match o {
            Opd::Local(l) => l,
            Opd::Temp => s,
            Opd::Const(v) => {
                self.emit_const(s, v);
                s
            }
        }
    }

    /// Moves operand `o` (at the stack position of slot `s`) into slot `d`.
    fn move_to(&mut self, d: Slot, o: Opd, s: Slot, wide: bool) {
        let copy_op = if wide { Opcode::copy128 } else { Opcode::copy };
        match o {
            Opd::Const(v) => self.emit_const(d, v),
            Opd::Local(l) => {
                if l != d {
                    self.emit(copy_op, RR { d, a: l });
                }
            }
            Opd::Temp => {
                if s != d {
                    self.emit(copy_op, RR { d, a: s });
                }
            }
        }
    }

    /// Puts the operand at stack position `pos` into its slot.
    fn materialize(&mut self, pos: usize) {
        let e = self.stack[pos];
        if e.o != Opd::Temp {
            self.move_to(e.slot, e.o, e.slot, e.wide);
            if let Opd::Local(_) = e.o {
                self.aliases -= 1;
            }
            self.stack[pos].o = Opd::Temp;
        }
    }

    /// Materialises every local alias on the stack.
    fn materialize_aliases(&mut self) {
        if self.aliases == 0 {
            return;
        }
        for pos in 0..self.stack.len() {
            if let Opd::Local(_) = self.stack[pos].o {
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
            if self.stack[pos].o == Opd::Local(l) {
                self.materialize(pos);
            }
        }
    }

    /// Copies the top `n` operands to the slots of stack positions
    /// `base..base + n` (below them, or theirs).
    fn copy_top_to(&mut self, base: usize, n: usize) {
        let h = self.stack.len();
        let mut d = self.slot_at(base);
        for k in 0..n {
            let e = self.stack[h - n + k];
            self.move_to(d as Slot, e.o, e.slot, e.wide);
            d += width(e.wide);
        }
    }

    /// Whether a value of type `t` takes two slots.
    fn is_wide(t: ValType) -> bool {
        t.slots() == 2
    }

    /// Pushes temporaries for values of types `tys`.
    fn push_temps(&mut self, tys: impl IntoIterator<Item = bool>) -> Result<()> {
        for wide in tys {
            self.push_wide(Opd::Temp, wide)?;
        }
        Ok(())
    }

    /// Which of a block type's parameters (`results == false`) or results
    /// are `v128`s.
    fn block_widths(&self, bt: BlockType, results: bool) -> Vec<bool> {
        match bt {
            BlockType::Empty => Vec::new(),
            BlockType::Type(t) => {
                if results {
                    vec![t == wasmparser::ValType::V128]
                } else {
                    Vec::new()
                }
            }
            BlockType::FuncType(t) => {
                let t = self.env.type_at(t);
                let tys = if results { t.results() } else { t.params() };
                tys.iter().map(|t| Self::is_wide(*t)).collect()
            }
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
                Operator::Block { .. }
                | Operator::Loop { .. }
                | Operator::If { .. }
                | Operator::TryTable { .. }
                | Operator::Try { .. } => {
                    self.dead_depth += 1;
                }
                Operator::Else if self.dead_depth == 0 => self.else_()?,
                Operator::Catch { tag_index } if self.dead_depth == 0 => {
                    self.catch_(Some(tag_index))?
                }
                Operator::CatchAll if self.dead_depth == 0 => self.catch_(None)?,
                Operator::Delegate { relative_depth } if self.dead_depth == 0 => {
                    self.delegate(relative_depth)?
                }
                Operator::End | Operator::Delegate { .. } if self.dead_depth > 0 => {
                    self.dead_depth -= 1
                }
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
                self.emit(Opcode::trap_op, TrapOp { code: TrapCode::UnreachableCodeReached as u8 });
                self.reachable = false;
            }
            O::Nop => {}
            O::Block { blockty } => {
                self.materialize_aliases();
                self.push_ctrl(Kind::Block, blockty, self.regions.len());
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
                    self.emit(Opcode::check_epoch, Nil);
                }
                self.ctrl.push(Ctrl {
                    kind: Kind::Loop,
                    ty: blockty,
                    height: h - params,
                    params,
                    results,
                    label,
                    else_label: None,
                    branched: false,
                    start: self.code.len() as u32,
                    region: self.regions.len(),
                });
            }
            O::If { blockty } => {
                let (params, results) = self.block_type(blockty);
                let (c, cpos) = self.pop();
                let h = self.stack.len();
                let needs_copies =
                    self.aliases > 0 || self.stack[h - params..].iter().any(|e| e.o != Opd::Temp);
                if needs_copies {
                    // Copies would separate the condition from its compare:
                    // put the condition in its slot first.
                    let c = self.slot(c, cpos);
                    self.materialize_aliases();
                    for pos in h - params..h {
                        self.materialize(pos);
                    }
                    let else_label = self.new_label();
                    self.emit_branch(Opcode::br_eqz, BrR { off: 0, c }, else_label);
                    self.push_if(blockty, h - params, params, results, else_label);
                } else {
                    let else_label = self.new_label();
                    self.cond_branch(c, cpos, false, else_label);
                    self.push_if(blockty, h - params, params, results, else_label);
                }
            }
            O::Else => self.else_()?,
            O::End => self.end()?,
            O::TryTable { try_table } => self.try_table(try_table)?,
            O::Try { blockty } => self.try_(blockty)?,
            O::Catch { tag_index } => self.catch_(Some(tag_index))?,
            O::CatchAll => self.catch_(None)?,
            O::Delegate { relative_depth } => self.delegate(relative_depth)?,
            O::Throw { tag_index } => self.throw(tag_index)?,
            O::AtomicFence { .. } => {
                self.emit(Opcode::atomic_fence, Nil);
            }
            O::ThrowRef => {
                let (o, pos) = self.pop();
                let a = self.slot(o, pos);
                self.mark();
                self.emit(Opcode::throw_ref, RR { d: 0, a });
                self.reachable = false;
            }
            O::Rethrow { relative_depth } => {
                // The target is a legacy catch (validated): its exception's
                // reference is below its payload.
                let f = &self.ctrl[self.ctrl.len() - 1 - relative_depth as usize];
                let a = self.slot_at(f.height) as Slot;
                self.mark();
                self.emit(Opcode::throw_ref, RR { d: 0, a });
                self.reachable = false;
            }
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
            O::LocalGet { local_index } => {
                let (l, wide) = self.locals[local_index as usize];
                self.push_wide(Opd::Local(l), wide)?
            }
            O::LocalSet { local_index } => self.local_set(local_index, false)?,
            O::LocalTee { local_index } => self.local_set(local_index, true)?,
            O::GlobalGet { global_index } => {
                let wide = self.global_is_wide(global_index);
                let d = self.push_temp_wide(wide)?;
                let op = if wide { Opcode::global_get128 } else { Opcode::global_get };
                self.emit_result(op, RIdx { d, a: 0, idx: global_index }, d);
            }
            O::GlobalSet { global_index } => {
                let (v, pos) = self.pop();
                match v {
                    Opd::Const(c) if global_index <= u16::MAX as u32 => {
                        self.emit(Opcode::global_set_imm, RI64 { d: global_index as Slot, imm: c });
                    }
                    _ => {
                        let a = self.slot(v, pos);
                        let op = if self.global_is_wide(global_index) {
                            Opcode::global_set128
                        } else {
                            Opcode::global_set
                        };
                        self.emit(op, RIdx { d: 0, a, idx: global_index });
                    }
                }
            }

            O::MemoryGrow { mem } if self.is_memory64(mem) => {
                self.clamp64(0, 0);
                let (v, pos) = self.pop();
                let a = self.slot(v, pos);
                let d = self.push_temp()?;
                self.mark();
                self.emit_result(Opcode::memory_grow64, RIdx { d, a, idx: mem }, d);
            }
            O::MemoryFill { mem } if self.is_memory64(mem) => {
                self.clamp64(0, 0);
                self.clamp64(2, 0);
                self.three(Opcode::memory_fill, mem, 0)?
            }
            O::MemoryCopy { dst_mem, src_mem }
                if self.is_memory64(dst_mem) || self.is_memory64(src_mem) =>
            {
                // The length is 64-bit only if both memories are.
                if self.is_memory64(dst_mem) && self.is_memory64(src_mem) {
                    self.clamp64(0, 0);
                }
                if self.is_memory64(src_mem) {
                    self.clamp64(1, 0);
                }
                if self.is_memory64(dst_mem) {
                    self.clamp64(2, 0);
                }
                self.three(Opcode::memory_copy, dst_mem, src_mem)?
            }
            O::MemoryInit { data_index, mem } if self.is_memory64(mem) => {
                self.clamp64(2, 0);
                self.three(Opcode::memory_init, data_index, mem)?
            }
            O::MemorySize { mem } => {
                let d = self.push_temp()?;
                self.emit_result(Opcode::memory_size, RIdx { d, a: 0, idx: mem }, d);
            }
            O::MemoryGrow { mem } => {
                let (v, pos) = self.pop();
                let a = self.slot(v, pos);
                let d = self.push_temp()?;
                self.mark();
                self.emit_result(Opcode::memory_grow, RIdx { d, a, idx: mem }, d);
            }
            O::MemoryFill { mem } => self.three(Opcode::memory_fill, mem, 0)?,
            O::MemoryCopy { dst_mem, src_mem } => {
                self.three(Opcode::memory_copy, dst_mem, src_mem)?
            }
            O::MemoryInit { data_index, mem } => {
                self.three(Opcode::memory_init, data_index, mem)?
            }
            O::DataDrop { data_index } => {
                self.emit(Opcode::data_drop, RIdx { d: 0, a: 0, idx: data_index });
            }

            O::I32Const { value } => self.push(Opd::Const(value as u32 as u64))?,
            O::I64Const { value } => self.push(Opd::Const(value as u64))?,
            O::F32Const { value } => self.push(Opd::Const(value.bits() as u64))?,
            O::F64Const { value } => self.push(Opd::Const(value.bits()))?,

            O::I32Eqz => self.eqz(false)?,
            O::I64Eqz => self.eqz(true)?,
            // i32 values are kept zero-extended in their slots.
            O::I64ExtendI32U => {}
            // Slots hold raw bits: reinterpretation changes nothing.
            O::I32ReinterpretF32
            | O::I64ReinterpretF64
            | O::F32ReinterpretI32
            | O::F64ReinterpretI64 => {}

            O::RefNull { .. } => self.push(Opd::Const(0))?,
            O::RefIsNull => self.unop(Opcode::ref_is_null)?,
            O::RefFunc { function_index } => {
                let d = self.push_temp()?;
                self.emit_result(Opcode::ref_func, RIdx { d, a: 0, idx: function_index }, d);
            }
            O::TableGet { table } => {
                if self.is_table64(table) {
                    self.clamp64(0, 0);
                }
                let (i, pos) = self.pop();
                let a = self.slot(i, pos);
                let d = self.push_temp()?;
                self.mark();
                self.emit_result(Opcode::table_get, RIdx { d, a, idx: table }, d);
            }
            O::TableSet { table } => {
                if self.is_table64(table) {
                    self.clamp64(1, 0);
                }
                let (v, vpos) = self.pop();
                let (i, ipos) = self.pop();
                let a = self.slot(v, vpos);
                let d = self.slot(i, ipos);
                self.mark();
                self.emit(Opcode::table_set, RIdx { d, a, idx: table });
            }
            O::TableSize { table } => {
                let d = self.push_temp()?;
                self.emit_result(Opcode::table_size, RIdx { d, a: 0, idx: table }, d);
            }
            O::TableGrow { table } => {
                let table64 = self.is_table64(table);
                if table64 {
                    self.clamp64(0, 0);
                }
                let (n, npos) = self.pop();
                let (init, ipos) = self.pop();
                let b = self.slot(n, npos);
                let a = self.slot(init, ipos);
                let c = self.push_temp()?;
                self.mark();
                self.emit(Opcode::table_grow, R3Idx { a, b, c, idx: table, idx2: 0 });
                if table64 {
                    // -1 (failure) as an i64; sizes are below 2^31 anyway.
                    self.unop(Opcode::i64_extend_i32_s)?;
                }
            }
            O::TableFill { table } => {
                if self.is_table64(table) {
                    self.clamp64(0, 0);
                    self.clamp64(2, 0);
                }
                self.three(Opcode::table_fill, table, 0)?
            }
            O::TableCopy { dst_table, src_table } => {
                let (d64, s64) = (self.is_table64(dst_table), self.is_table64(src_table));
                // The length is 64-bit only if both tables are.
                if d64 && s64 {
                    self.clamp64(0, 0);
                }
                if s64 {
                    self.clamp64(1, 0);
                }
                if d64 {
                    self.clamp64(2, 0);
                }
                self.three(Opcode::table_copy, dst_table, src_table)?
            }
            O::TableInit { elem_index, table } => {
                if self.is_table64(table) {
                    self.clamp64(2, 0);
                }
                self.three(Opcode::table_init, elem_index, table)?
            }
            O::ElemDrop { elem_index } => {
                self.emit(Opcode::elem_drop, RIdx { d: 0, a: 0, idx: elem_index });
            }
            O::RefAsNonNull => self.unop_trap(Opcode::ref_as_non_null)?,
            O::BrOnNull { relative_depth } => self.br_on_null(relative_depth)?,
            O::BrOnNonNull { relative_depth } => self.br_on_non_null(relative_depth)?,
            O::CallRef { type_index } => self.call_ref(type_index, false)?,
            O::ReturnCallRef { type_index } => self.call_ref(type_index, true)?,
            O::I64Add128 | O::I64Sub128 => {
                let (e, es) = self.pop();
                let (c, cs) = self.pop();
                let (b, bs) = self.pop();
                let (a, as_) = self.pop();
                let e = self.slot(e, es);
                let c = self.slot(c, cs);
                let b = self.slot(b, bs);
                let a = self.slot(a, as_);
                let op = if matches!(op, O::I64Add128) {
                    Opcode::i64_add128
                } else {
                    Opcode::i64_sub128
                };
                let d = self.push_temp()?;
                self.push_temp()?;
                self.emit(op, RRRRR { d, a, b, c, e });
            }
            O::I64MulWideS | O::I64MulWideU => {
                let (b, bs) = self.pop();
                let (a, as_) = self.pop();
                let b = self.slot(b, bs);
                let a = self.slot(a, as_);
                let op = if matches!(op, O::I64MulWideS) {
                    Opcode::i64_mul_wide_s
                } else {
                    Opcode::i64_mul_wide_u
                };
                let d = self.push_temp()?;
                self.push_temp()?;
                self.emit(op, RRR { d, a, b });
            }
            O::V128Const { value } => {
                let d = self.push_temp_wide(true)?;
                let v = value.i128() as u128;
                let imm = [v as u64, (v >> 64) as u64];
                self.emit_result(Opcode::v128_const, RV128 { d, imm }, d);
            }
            O::I8x16Shuffle { lanes } => {
                let (b, bs) = self.pop();
                let (a, as_) = self.pop();
                let b = self.slot(b, bs);
                let a = self.slot(a, as_);
                let d = self.push_temp_wide(true)?;
                self.emit_result(Opcode::i8x16_shuffle, Shuffle { d, a, b, lanes }, d);
            }
            O::V128Load { memarg } => self.v128_load(Opcode::v128_load, memarg)?,
            O::V128Load8x8S { memarg } => self.v128_load(Opcode::v128_load8x8_s, memarg)?,
            O::V128Load8x8U { memarg } => self.v128_load(Opcode::v128_load8x8_u, memarg)?,
            O::V128Load16x4S { memarg } => self.v128_load(Opcode::v128_load16x4_s, memarg)?,
            O::V128Load16x4U { memarg } => self.v128_load(Opcode::v128_load16x4_u, memarg)?,
            O::V128Load32x2S { memarg } => self.v128_load(Opcode::v128_load32x2_s, memarg)?,
            O::V128Load32x2U { memarg } => self.v128_load(Opcode::v128_load32x2_u, memarg)?,
            O::V128Load8Splat { memarg } => self.v128_load(Opcode::v128_load8_splat, memarg)?,
            O::V128Load16Splat { memarg } => self.v128_load(Opcode::v128_load16_splat, memarg)?,
            O::V128Load32Splat { memarg } => self.v128_load(Opcode::v128_load32_splat, memarg)?,
            O::V128Load64Splat { memarg } => self.v128_load(Opcode::v128_load64_splat, memarg)?,
            O::V128Load32Zero { memarg } => self.v128_load(Opcode::v128_load32_zero, memarg)?,
            O::V128Load64Zero { memarg } => self.v128_load(Opcode::v128_load64_zero, memarg)?,
            O::V128Store { memarg } => self.memory_access(memarg, 1, |t, memarg| {
                let (v, vs) = t.pop();
                let (addr, as_) = t.pop();
                let addr = t.slot(addr, as_);
                let d = t.slot(v, vs);
                t.mark();
                t.emit(Opcode::v128_store, MemOp { d, addr, offset: memarg.offset as u32 });
                Ok(())
            })?,
            O::V128Load8Lane { memarg, lane } => {
                self.lane_op(Opcode::v128_load8_lane, memarg, lane, true)?
            }
            O::V128Load16Lane { memarg, lane } => {
                self.lane_op(Opcode::v128_load16_lane, memarg, lane, true)?
            }
            O::V128Load32Lane { memarg, lane } => {
                self.lane_op(Opcode::v128_load32_lane, memarg, lane, true)?
            }
            O::V128Load64Lane { memarg, lane } => {
                self.lane_op(Opcode::v128_load64_lane, memarg, lane, true)?
            }
            O::V128Store8Lane { memarg, lane } => {
                self.lane_op(Opcode::v128_store8_lane, memarg, lane, false)?
            }
            O::V128Store16Lane { memarg, lane } => {
                self.lane_op(Opcode::v128_store16_lane, memarg, lane, false)?
            }
            O::V128Store32Lane { memarg, lane } => {
                self.lane_op(Opcode::v128_store32_lane, memarg, lane, false)?
            }
            O::V128Store64Lane { memarg, lane } => {
                self.lane_op(Opcode::v128_store64_lane, memarg, lane, false)?
            }
            other => {
                if self.gc(&other)? {
                } else if let Some(b) = isa::binop(&other) {
                    self.binop(b)?
                } else if let Some((op, traps)) = isa::unop(&other) {
                    if traps { self.unop_trap(op)? } else { self.unop(op)? }
                } else if let Some((ops, memarg)) = isa::load(&other) {
                    self.memory_access(memarg, 0, |t, memarg| t.load(ops, memarg))?
                } else if let Some((ops, memarg)) = isa::store(&other) {
                    self.memory_access(memarg, 1, |t, memarg| {
                        t.store(ops, memarg);
                        Ok(())
                    })?
                } else if let Some((family, op)) = isa::simd(&other) {
                    self.simd(family, op)?
                } else if let Some((kind, op, memarg)) = isa::atomic(&other) {
                    self.atomic(kind, op, memarg)?
                } else {
                    bail!("unsupported instruction: {other:?}")
                }
            }
        }
        Ok(())
    }

    fn push_if(
        &mut self,
        ty: BlockType,
        height: usize,
        params: usize,
        results: usize,
        else_label: usize,
    ) {
        let label = self.new_label();
        self.ctrl.push(Ctrl {
            kind: Kind::If,
            ty,
            height,
            params,
            results,
            label,
            else_label: Some(else_label),
            branched: false,
            start: self.code.len() as u32,
            region: self.regions.len(),
        });
        self.start_block();
    }

    fn else_(&mut self) -> Result<()> {
        let f = self.ctrl.last().context("else outside if")?;
        let (ty, height, results, label) = (f.ty, f.height, f.results, f.label);
        if self.reachable {
            self.copy_top_to(height, results);
            self.emit_branch(Opcode::br, Br { off: 0 }, label);
            self.ctrl.last_mut().unwrap().branched = true;
        }
        let else_label = self.ctrl.last_mut().unwrap().else_label.take();
        if let Some(l) = else_label {
            self.bind(l);
        }
        self.truncate(height);
        let params = self.block_widths(ty, false);
        self.push_temps(params)?;
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
        if matches!(f.kind, Kind::TryTable | Kind::Try) {
            self.regions[f.region].end = self.code.len() as u32;
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
        let results = self.block_widths(f.ty, true);
        self.push_temps(results)?;
        self.reachable = reachable;
        if reachable {
            self.start_block();
        }
        Ok(())
    }

    /// The slot widths of tag `tag`'s payload.
    fn tag_widths(&self, tag: u32) -> Vec<bool> {
        let t = self.env.type_at(self.env.tags[tag as usize]);
        t.params().iter().map(|t| Self::is_wide(*t)).collect()
    }

    /// Stops fusion and retargeting across the current cell (a handled
    /// range or landing code starts here); returns the cell where the new
    /// basic block starts (a fuel instruction nothing follows yet starts it).
    fn fence(&mut self) -> u32 {
        let l = self.new_label();
        self.bind(l);
        match self.labels[l] {
            Label::Bound(pos) => pos as u32,
            Label::Pending(_) => unreachable!("just bound"),
        }
    }

    /// Pushes a control frame of `kind` for a block of type `ty` whose
    /// parameters are on the stack.
    fn push_ctrl(&mut self, kind: Kind, ty: BlockType, region: usize) {
        let (params, results) = self.block_type(ty);
        let label = self.new_label();
        self.ctrl.push(Ctrl {
            kind,
            ty,
            height: self.stack.len() - params,
            params,
            results,
            label,
            else_label: None,
            branched: false,
            start: self.code.len() as u32,
            region,
        });
    }

    /// `try_table`: the landing code of each catch clause (moving the
    /// payload where the clause's label wants it) comes first, jumped
    /// over; then the body, the handled range.
    fn try_table(&mut self, t: wasmparser::TryTable) -> Result<()> {
        let (params, _) = self.block_type(t.ty);
        self.materialize_aliases();
        let height = self.stack.len() - params;
        let mut clauses = Vec::new();
        if !t.catches.is_empty() {
            let body = self.new_label();
            self.emit_branch(Opcode::br, Br { off: 0 }, body);
            // The landing code runs with the block's parameters gone.
            let params = self.stack.split_off(height);
            for c in &t.catches {
                use wasmparser::Catch as C;
                let (tag, label, keep) = match *c {
                    C::One { tag, label } => (Some(tag), label, false),
                    C::OneRef { tag, label } => (Some(tag), label, true),
                    C::All { label } => (None, label, false),
                    C::AllRef { label } => (None, label, true),
                };
                let target = self.fence();
                let payload = self.next_slot() as Slot;
                if let Some(tag) = tag {
                    self.push_temps(self.tag_widths(tag))?;
                }
                let exn = if keep { Some(self.push_temp()?) } else { None };
                clauses.push(CatchClause { tag, target, payload, exn });
                self.br(label)?;
                self.truncate(height);
            }
            self.stack.extend(params);
            self.bind(body);
        } else {
            self.fence();
        }
        let start = self.code.len() as u32;
        let region = self.regions.len();
        self.regions.push(TryRegion { start, end: start, kind: RegionKind::Catch(clauses) });
        self.push_ctrl(Kind::TryTable, t.ty, region);
        self.start_block();
        Ok(())
    }

    /// A legacy `try`: its body is the handled range; the catch clauses
    /// follow it.
    fn try_(&mut self, ty: BlockType) -> Result<()> {
        self.materialize_aliases();
        self.fence();
        let start = self.code.len() as u32;
        let region = self.regions.len();
        self.regions.push(TryRegion { start, end: start, kind: RegionKind::Catch(Vec::new()) });
        self.push_ctrl(Kind::Try, ty, region);
        Ok(())
    }

    /// A legacy `catch` (`tag: Some`) or `catch_all`: ends the body or the
    /// previous clause, and starts this clause's code, where the exception's
    /// reference and payload arrive.
    fn catch_(&mut self, tag: Option<u32>) -> Result<()> {
        let f = self.ctrl.last().context("catch outside try")?;
        let (kind, height, results, label, region) =
            (f.kind, f.height, f.results, f.label, f.region);
        if self.reachable {
            self.copy_top_to(height, results);
            self.emit_branch(Opcode::br, Br { off: 0 }, label);
            self.ctrl.last_mut().unwrap().branched = true;
        }
        if kind == Kind::Try {
            self.regions[region].end = self.code.len() as u32;
        }
        self.truncate(height);
        let target = self.fence();
        let exn = self.push_temp()?;
        let payload = self.next_slot() as Slot;
        if let Some(tag) = tag {
            self.push_temps(self.tag_widths(tag))?;
        }
        if let RegionKind::Catch(clauses) = &mut self.regions[region].kind {
            clauses.push(CatchClause { tag, target, payload, exn: Some(exn) });
        }
        self.ctrl.last_mut().unwrap().kind = Kind::Catch;
        self.reachable = true;
        self.start_block();
        Ok(())
    }

    /// A legacy `delegate`: ends the `try`, whose range hands exceptions to
    /// the handlers of the block `depth` levels out, as if thrown directly
    /// in that block.
    fn delegate(&mut self, depth: u32) -> Result<()> {
        let region = self.ctrl.last().context("delegate outside try")?.region;
        self.regions[region].end = self.code.len() as u32;
        let t = &self.ctrl[self.ctrl.len() - 2 - depth as usize];
        let (point, upto) = match t.kind {
            Kind::Try | Kind::TryTable => (t.start, t.region + 1),
            Kind::Body => (0, 0),
            _ => (t.start, t.region),
        };
        self.regions[region].kind = RegionKind::Delegate { point, upto: upto as u32 };
        self.ctrl.last_mut().unwrap().kind = Kind::Block;
        self.end()
    }

    /// `throw`: the payload is the top operands.
    fn throw(&mut self, tag: u32) -> Result<()> {
        let widths = self.tag_widths(tag);
        let n = widths.len();
        let slots: usize = widths.iter().map(|&w| width(w)).sum();
        let base = self.args(n);
        // The payload is read after a collection the throw may start.
        let live = self.root_temps(self.stack.len());
        self.reserve(base as usize + slots)?;
        self.mark();
        let at = self.emit(Opcode::throw, Throw { base, n: slots as u16, tag });
        self.root_point(live, at, false);
        self.truncate(self.stack.len() - n);
        self.reachable = false;
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
                self.emit_branch(Opcode::br, Br { off: 0 }, label);
            }
        }
        Ok(())
    }

    /// Whether the top `n` operands already are in stack positions
    /// `base..base + n`.
    fn in_place(&self, base: usize, n: usize) -> bool {
        let h = self.stack.len();
        n == 0 || (h - n == base && self.stack[base..].iter().all(|e| e.o == Opd::Temp))
    }

    fn br_if(&mut self, depth: u32) -> Result<()> {
        let (c, cpos) = self.pop();
        self.branch_if(depth, |t, when, label| t.cond_branch(c, cpos, when, label))
    }

    /// A conditional branch to depth `depth`: `branch(self, when, label)`
    /// emits a branch to `label` taken when the condition equals `when`.
    /// Where the branch values are in place it branches to the target;
    /// otherwise it branches around the moves (or the return) when false.
    fn branch_if(
        &mut self,
        depth: u32,
        mut branch: impl FnMut(&mut Self, bool, usize),
    ) -> Result<()> {
        match self.target(depth) {
            Some((base, n, label)) if self.in_place(base, n) => branch(self, true, label),
            target => {
                let skip = self.new_label();
                branch(self, false, skip);
                match target {
                    None => self.return_()?,
                    Some((base, n, label)) => {
                        self.copy_top_to(base, n);
                        self.emit_branch(Opcode::br, Br { off: 0 }, label);
                    }
                }
                self.bind(skip);
                self.start_block();
            }
        }
        Ok(())
    }

    /// Branches to `label` if reference `c` (at `pos`) is non-null
    /// (`when == true`) or null (`when == false`).
    fn ref_branch(&mut self, c: Opd, pos: Slot, when: bool, label: usize) {
        if let Opd::Const(v) = c {
            if (v != 0) == when {
                self.emit_branch(Opcode::br, Br { off: 0 }, label);
            }
            return;
        }
        let slot = self.slot(c, pos);
        let op = if when { Opcode::br_i64_nez } else { Opcode::br_i64_eqz };
        self.emit_branch(op, BrR { off: 0, c: slot }, label);
    }

    /// `br_on_null`: branches without the reference when it is null, else
    /// leaves it on the stack.
    fn br_on_null(&mut self, depth: u32) -> Result<()> {
        let e = self.pop_entry();
        self.branch_if(depth, |t, when, label| t.ref_branch(e.o, e.slot, !when, label))?;
        self.push_wide(e.o, false)
    }

    /// `br_on_non_null`: branches with the reference when it is not null,
    /// else drops it.
    fn br_on_non_null(&mut self, depth: u32) -> Result<()> {
        let e = *self.stack.last().expect("validated stack");
        self.branch_if(depth, |t, when, label| t.ref_branch(e.o, e.slot, when, label))?;
        self.pop();
        Ok(())
    }

    /// `call_ref` / `return_call_ref` of a function of type `type_index`.
    fn call_ref(&mut self, type_index: u32, tail: bool) -> Result<()> {
        let ty = self.env.type_at(type_index);
        let (n, slots) = (ty.params().len(), ty.call_slots());
        let (r, rpos) = self.pop();
        let live = self.root_temps(self.stack.len() - n);
        let base = self.args(n);
        let c = self.slot(r, rpos);
        self.reserve((base as usize + slots).max(rpos as usize + 1))?;
        self.mark();
        let op = if tail { Opcode::return_call_ref } else { Opcode::call_ref };
        let id = self.env.type_ids[type_index as usize];
        self.emit(op, CallIndirect { base, c, table: 0, ty: id });
        self.root_point(live, self.code.len(), true);
        self.finish_call(n, ty, tail)
    }

    /// Branches to `label` if operand `c` (at `pos`) is non-zero
    /// (`when == true`) or zero (`when == false`), fusing a preceding
    /// comparison or `eqz` into the branch where possible.
    fn cond_branch(&mut self, c: Opd, pos: Slot, when: bool, label: usize) {
        if let Opd::Const(v) = c {
            if (v as u32 != 0) == when {
                self.emit_branch(Opcode::br, Br { off: 0 }, label);
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
                            if self.step_branch(cmp, cand.pos, cand.a, b, label) {
                                return;
                            }
                            self.forget_from(cand.pos);
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
                    if self.step_test(cand.pos, cand.a, cand.is64, !when, label) {
                        return;
                    }
                    self.forget_from(cand.pos);
                    let h = match (cand.is64, when) {
                        (false, true) => Opcode::br_eqz,
                        (false, false) => Opcode::br_nez,
                        (true, true) => Opcode::br_i64_eqz,
                        (true, false) => Opcode::br_i64_nez,
                    };
                    self.emit_branch(h, BrR { off: 0, c: cand.a }, label);
                    return;
                }
            }
        }
        if let Opd::Local(l) = c
            && self.step_test(self.code.len(), l, false, when, label)
        {
            return;
        }
        let h = if when { Opcode::br_nez } else { Opcode::br_eqz };
        self.emit_branch(h, BrR { off: 0, c: slot }, label);
    }

    /// The last or the one but last instruction emitted, if it ends at cell
    /// `end` and no label follows its start: its cell and opcode.
    fn op_ending_at(&self, end: usize) -> Option<(usize, Opcode)> {
        [self.last_op, self.prev_op]
            .into_iter()
            .flatten()
            .find(|&(p, op)| p + op.cells() == end && p >= self.barrier)
    }

    /// If the instruction ending at cell `end` is an `i32.add` (or an
    /// `i64.add` of a constant) to slot `a` in place, with no label after
    /// it: its cell and what it adds (a constant that fits 16 bits, or
    /// another slot).
    fn step_before(&self, end: usize, a: Slot) -> Option<(usize, Step)> {
        let (pos, op) = self.op_ending_at(end)?;
        let step = match op {
            Opcode::i32_add_ri => {
                // SAFETY: the instruction at `pos` is an `Op<RRI>`.
                let i = unsafe { (*(self.code.as_ptr().add(pos) as *const Op<RRI>)).i };
                let imm = i.imm as i32;
                (i.d == a && i.a == a && imm as i16 as i32 == imm).then_some(Step::Imm(imm as i16))
            }
            Opcode::i64_add_ri => {
                // SAFETY: the instruction at `pos` is an `Op<RRI64>`.
                let i = unsafe { (*(self.code.as_ptr().add(pos) as *const Op<RRI64>)).i };
                let imm = i.imm as i64;
                (i.d == a && i.a == a && imm as i16 as i64 == imm)
                    .then_some(Step::Imm64(imm as i16))
            }
            Opcode::i32_add_rr => {
                // SAFETY: the instruction at `pos` is an `Op<RRR>`.
                let i = unsafe { (*(self.code.as_ptr().add(pos) as *const Op<RRR>)).i };
                match i.d == a {
                    true if i.a == a => Some(Step::Slot(i.b)),
                    true if i.b == a => Some(Step::Slot(i.a)),
                    _ => None,
                }
            }
            _ => None,
        }?;
        Some((pos, step))
    }

    /// Fuses the instruction ending at cell `end`, if it adds a constant to
    /// slot `a` in place (an `i64` if `is64`), with the test of `a` that
    /// follows it (and any instruction after it, which the caller made sure
    /// is no longer needed): a branch to `label` taken if the sum is
    /// non-zero (`nez`) or zero. Whether it did.
    fn step_test(&mut self, end: usize, a: Slot, is64: bool, nez: bool, label: usize) -> bool {
        let (p, imm) = match self.step_before(end, a) {
            Some((p, Step::Imm(imm))) if !is64 => (p, imm),
            Some((p, Step::Imm64(imm))) if is64 => (p, imm),
            _ => return false,
        };
        self.forget_from(p);
        let h = match (is64, nez) {
            (false, true) => Opcode::i32_add_ri_br_nez,
            (false, false) => Opcode::i32_add_ri_br_eqz,
            (true, true) => Opcode::i64_add_ri_br_nez,
            (true, false) => Opcode::i64_add_ri_br_eqz,
        };
        self.emit_branch(h, BrRI { off: 0, a, imm }, label);
        true
    }

    /// A loop's back edge: fuses comparison `cmp` at `cmp_pos` (of slot `a`
    /// with `b`, a slot or an immediate) and the `i32.add` just before it,
    /// which stepped one of its operands in place, into one branch to
    /// `label`, if the label is bound within 16 bits' reach: `ne` after an
    /// add of a constant (to either operand: `ne` is symmetric; `i64` too
    /// for two slots), `lt_u` of two slots after an add of a slot to the
    /// left one. Whether it did.
    fn step_branch(
        &mut self,
        cmp: Cmp,
        cmp_pos: usize,
        a: Slot,
        b: Result<Slot, i16>,
        label: usize,
    ) -> bool {
        let Label::Bound(target) = self.labels[label] else { return false };
        let left = self.step_before(cmp_pos, a);
        let right = b.ok().and_then(|b| self.step_before(cmp_pos, b));
        let Some((p, _)) = left.or(right) else { return false };
        let Ok(off) = i16::try_from(target as isize - p as isize) else { return false };
        let (left, right) = (left.map(|l| l.1), right.map(|r| r.1));
        match (cmp, b, left, right) {
            (Cmp::I32Ne, Ok(b), Some(Step::Imm(imm)), _) => {
                self.fuse_step(p, Opcode::i32_add_ri_br_ne_rr, BrStepRR { a, b, imm, off })
            }
            (Cmp::I32Ne, Ok(b), _, Some(Step::Imm(imm))) => {
                self.fuse_step(p, Opcode::i32_add_ri_br_ne_rr, BrStepRR { a: b, b: a, imm, off })
            }
            (Cmp::I32Ne, Err(cmp), Some(Step::Imm(imm)), _) => {
                self.fuse_step(p, Opcode::i32_add_ri_br_ne_ri, BrStepRI { a, imm, cmp, off })
            }
            (Cmp::I64Ne, Ok(b), Some(Step::Imm64(imm)), _) => {
                self.fuse_step(p, Opcode::i64_add_ri_br_ne_rr, BrStepRR { a, b, imm, off })
            }
            (Cmp::I64Ne, Ok(b), _, Some(Step::Imm64(imm))) => {
                self.fuse_step(p, Opcode::i64_add_ri_br_ne_rr, BrStepRR { a: b, b: a, imm, off })
            }
            (Cmp::I32LtU, Ok(b), Some(Step::Slot(s)), _) => {
                self.fuse_step(p, Opcode::i32_add_rr_br_lt_u_rr, BrStepRRR { a, s, b, off })
            }
            _ => return false,
        }
        true
    }

    /// Replaces the step at `pos` and what follows it with `op`.
    fn fuse_step<T: Copy>(&mut self, pos: usize, op: Opcode, i: T) {
        self.forget_from(pos);
        self.emit(op, i);
    }

    fn br_table(&mut self, targets: &[u32]) -> Result<()> {
        let (i, ipos) = self.pop();
        let c = self.slot(i, ipos);
        let len = targets.len() - 1;
        let table = self.emit(Opcode::br_table, BrTable { c, len: len as u32 });
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
                    self.emit_branch(Opcode::br, Br { off: 0 }, label);
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
                self.emit(Opcode::return_void, Nil);
            }
            1 => match self.stack[h - 1] {
                Entry { o: Opd::Const(v), .. } => {
                    self.emit(Opcode::return_imm, RI64 { d: 0, imm: v });
                }
                Entry { o, slot, wide } => {
                    let a = self.slot(o, slot);
                    let op = if wide { Opcode::return128 } else { Opcode::return_r };
                    self.emit(op, RR { d: 0, a });
                }
            },
            _ => {
                // Results move to slots from 0, which may be read by the
                // moves themselves: go through scratch slots above the stack.
                let scratch = self.next_slot();
                let total: usize = self.stack[h - n..].iter().map(|e| width(e.wide)).sum();
                self.reserve(scratch + total)?;
                let mut d = scratch;
                for k in 0..n {
                    let e = self.stack[h - n + k];
                    self.move_to(d as Slot, e.o, e.slot, e.wide);
                    d += width(e.wide);
                }
                let a = scratch as Slot;
                self.emit(Opcode::copy_span, CopySpan { d: 0, a, n: total as u16 });
                self.emit(Opcode::return_void, Nil);
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
        self.slot_at(h - n) as Slot
    }

    fn call(&mut self, f: u32, tail: bool) -> Result<()> {
        let ty = self.env.func_type(f);
        let (n, slots) = (ty.params().len(), ty.call_slots());
        let live = self.root_temps(self.stack.len() - n);
        let base = self.args(n);
        self.reserve(base as usize + slots)?;
        self.mark();
        if f < self.env.num_imported_funcs {
            let h = if tail { Opcode::return_call_import } else { Opcode::call_import };
            self.emit(h, Call { base, idx: f, func: std::ptr::null() });
        } else {
            let h = if tail { Opcode::return_call_internal } else { Opcode::call_internal };
            let func =
                &self.env.code[(f - self.env.num_imported_funcs) as usize] as *const FuncCode;
            self.emit(h, Call { base, idx: f, func: func as *const () });
        }
        self.root_point(live, self.code.len(), true);
        self.finish_call(n, ty, tail)
    }

    fn finish_call(&mut self, n: usize, ty: &FuncType, tail: bool) -> Result<()> {
        self.truncate(self.stack.len() - n);
        if tail {
            self.reachable = false;
        } else {
            self.push_temps(ty.results().iter().map(|t| Self::is_wide(*t)))?;
        }
        Ok(())
    }

    fn call_indirect(&mut self, type_index: u32, table: u32, tail: bool) -> Result<()> {
        if self.is_table64(table) {
            self.clamp64(0, 0);
        }
        let ty = self.env.type_at(type_index);
        let (n, slots) = (ty.params().len(), ty.call_slots());
        let (i, ipos) = self.pop();
        let live = self.root_temps(self.stack.len() - n);
        let base = self.args(n);
        let c = self.slot(i, ipos);
        self.reserve((base as usize + slots).max(ipos as usize + 1))?;
        let op = CallIndirect { base, c, table, ty: self.env.type_ids[type_index as usize] };
        self.mark();
        let h = if tail { Opcode::return_call_indirect } else { Opcode::call_indirect };
        self.emit(h, op);
        self.root_point(live, self.code.len(), true);
        self.finish_call(n, ty, tail)
    }

    fn select(&mut self) -> Result<()> {
        let (c, cpos) = self.pop();
        let (b, bpos) = self.pop();
        let Entry { o: a, slot: apos, wide } = self.pop_entry();
        let c = self.slot(c, cpos);
        let b = self.slot(b, bpos);
        let a = self.slot(a, apos);
        let d = self.push_temp_wide(wide)?;
        let op = if wide { Opcode::select128 } else { Opcode::select };
        self.emit_result(op, Select { d, c, a, b }, d);
        Ok(())
    }

    fn local_set(&mut self, index: u32, tee: bool) -> Result<()> {
        let (l, wide) = self.locals[index as usize];
        let (v, pos) = self.pop();
        let has_aliases = self.aliases > 0 && self.stack.iter().any(|e| e.o == Opd::Local(l));
        if has_aliases {
            self.preserve_local(l);
        }
        let retarget = match (v, self.last_result) {
            (Opd::Temp, Some((p, d))) => !has_aliases && d == pos && p >= self.barrier,
            _ => false,
        };
        if retarget {
            let (p, _) = self.last_result.take().unwrap();
            // SAFETY: instruction `p` writes its result to its first operand.
            unsafe { (self.code.as_mut_ptr().add(p + 1) as *mut Slot).write(l) };
            self.last_cmp = None;
            self.last_eqz = None;
        } else {
            self.move_to(l, v, pos, wide);
        }
        if tee {
            self.push_wide(Opd::Local(l), wide)?;
        }
        Ok(())
    }

    fn binop(&mut self, op: Binop) -> Result<()> {
        let (b, bpos) = self.pop();
        let (a, apos) = self.pop();
        let d = apos;
        // Pick the form: immediate right, immediate left, or both slots.
        let (h, a_slot, imm_or_b): (Opcode, Slot, Result<Slot, u64>) = match (a, b) {
            (a, Opd::Const(v)) if !matches!(a, Opd::Const(_)) && op.imm.encode(v).is_some() => {
                let a = self.slot(a, apos);
                (op.ri, a, Err(op.imm.encode(v).unwrap()))
            }
            (Opd::Const(v), b) if op.imm.encode(v).is_some() => {
                let imm = op.imm.encode(v).unwrap();
                let bs = self.slot(b, bpos);
                match (op.ir, op.cmp) {
                    (_, Some(cmp)) => (cmp.mirror().binop().ri, bs, Err(imm)),
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
            let cmp =
                if matches!(a, Opd::Const(_)) && imm_or_b.is_err() { cmp.mirror() } else { cmp };
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
        let d = apos;
        let h = if is64 { Opcode::i64_eqz } else { Opcode::i32_eqz };
        let pos = self.emit_result(h, RR { d, a }, d);
        self.push(Opd::Temp)?;
        self.last_eqz = Some(EqzCand { pos, dst: d, a, is64 });
        Ok(())
    }

    fn unop(&mut self, op: Opcode) -> Result<()> {
        let (a, apos) = self.pop();
        let a = self.slot(a, apos);
        self.emit_result(op, RR { d: apos, a }, apos);
        self.push(Opd::Temp)
    }

    fn unop_trap(&mut self, op: Opcode) -> Result<()> {
        let (a, apos) = self.pop();
        let a = self.slot(a, apos);
        self.mark();
        self.emit_result(op, RR { d: apos, a }, apos);
        self.push(Opd::Temp)
    }

    fn load(&mut self, [op, abs, ix, plus]: [Opcode; 4], memarg: wasmparser::MemArg) -> Result<()> {
        let (addr, d) = self.pop();
        match addr {
            Opd::Const(a) if (a as u32 as u64 + memarg.offset) <= u32::MAX as u64 => {
                let ea = (a as u32 as u64 + memarg.offset) as u32;
                self.mark();
                self.emit_result(abs, MemAbs { d, ea }, d);
            }
            _ => match self.address_add(addr, d, memarg.offset) {
                Some((pos, add)) => {
                    self.forget_from(pos);
                    self.mark();
                    match add {
                        AddressAdd::Slots(a, b) => {
                            let offset = memarg.offset as u16;
                            self.emit_result(ix, MemIx { d, a, b, offset }, d)
                        }
                        AddressAdd::Plus(a, imm) => self.emit_result(plus, RRI { d, a, imm }, d),
                    };
                }
                None => {
                    let a = self.slot(addr, d);
                    self.mark();
                    let offset = memarg.offset as u32;
                    self.emit_result(op, MemOp { d, addr: a, offset }, d);
                }
            },
        }
        self.push(Opd::Temp)
    }

    fn store(&mut self, [h, imm, abs, ix, ix_imm, plus]: [Opcode; 6], memarg: wasmparser::MemArg) {
        let (v, vpos) = self.pop();
        let (addr, apos) = self.pop();
        // With the address's `i32.add` the instruction just before, the
        // value is a constant or a local (a computed one would have been
        // emitted after the add). No fused form stores an immediate at a
        // slot plus a constant.
        if let Some((pos, add)) = self.address_add(addr, apos, memarg.offset) {
            let offset = memarg.offset as u16;
            let fused = match (add, v) {
                (AddressAdd::Slots(a, b), Opd::Local(d)) => {
                    Some(FusedStore::Ix(MemIx { d, a, b, offset }))
                }
                (AddressAdd::Slots(a, b), Opd::Const(c)) if imm16_stores(h, c) => {
                    Some(FusedStore::IxImm(StoreIxImm { a, b, offset, imm: c as i16 }))
                }
                (AddressAdd::Plus(a, imm), Opd::Local(d)) => {
                    Some(FusedStore::Plus(RRI { d, a, imm }))
                }
                _ => None,
            };
            if let Some(fused) = fused {
                self.forget_from(pos);
                self.mark();
                match fused {
                    FusedStore::Ix(i) => self.emit(ix, i),
                    FusedStore::IxImm(i) => self.emit(ix_imm, i),
                    FusedStore::Plus(i) => self.emit(plus, i),
                };
                return;
            }
        }
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

    /// The address computation the access that follows may take over: if
    /// address operand `addr` (at the stack position of slot `t`) is the
    /// sum the instruction just before computed with an `i32.add` of two
    /// slots (the access's `offset` fitting 16 bits) or of a slot and a
    /// constant (the offset 0), that instruction's position and operands.
    /// The access reads them itself, at once, so nothing can have changed
    /// them; [`forget_from`](Self::forget_from) then removes the add.
    fn address_add(&self, addr: Opd, t: Slot, offset: u64) -> Option<(usize, AddressAdd)> {
        if addr != Opd::Temp || offset > u16::MAX as u64 {
            return None;
        }
        let (pos, op) = self.last_op?;
        let (_, sum) = self.last_result?;
        if sum != t {
            return None;
        }
        let add = match op {
            Opcode::i32_add_rr if self.is_last(pos, cells::<RRR>()) => {
                // SAFETY: the instruction at `pos` is an `Op<RRR>`.
                let i = unsafe { (*(self.code.as_ptr().add(pos) as *const Op<RRR>)).i };
                AddressAdd::Slots(i.a, i.b)
            }
            Opcode::i32_add_ri if offset == 0 && self.is_last(pos, cells::<RRI>()) => {
                // SAFETY: the instruction at `pos` is an `Op<RRI>`.
                let i = unsafe { (*(self.code.as_ptr().add(pos) as *const Op<RRI>)).i };
                AddressAdd::Plus(i.a, i.imm)
            }
            _ => return None,
        };
        Some((pos, add))
    }

    /// Removes the last instruction, at `pos`, which computed nothing else
    /// that is still needed.
    fn forget_from(&mut self, pos: usize) {
        self.code.truncate(pos);
        self.offsets.retain(|(cell, _)| (*cell as usize) < pos);
        self.last_op = None;
        self.prev_op = None;
        self.last_result = None;
    }

    /// An instruction with three slot operands and two indices.
    fn three(&mut self, op: Opcode, idx: u32, idx2: u32) -> Result<()> {
        let (c, cpos) = self.pop();
        let (b, bpos) = self.pop();
        let (a, apos) = self.pop();
        let c = self.slot(c, cpos);
        let b = self.slot(b, bpos);
        let a = self.slot(a, apos);
        self.mark();
        self.emit(op, R3Idx { a, b, c, idx, idx2 });
        Ok(())
    }

    fn global_is_wide(&self, index: u32) -> bool {
        *self.env.globals[index as usize].content() == ValType::V128
    }

    /// Whether table `table` is indexed by `i64`: its index operands are
    /// clamped to 32 bits (past 2^32 - 1 every index is out of bounds).
    fn is_table64(&self, table: u32) -> bool {
        self.env.tables.get(table as usize).is_some_and(|t| t.is_64())
    }

    fn is_memory64(&self, memory: u32) -> bool {
        self.env.memories.get(memory as usize).is_some_and(|m| m.is_64())
    }

    /// Replaces the 64-bit operand `depth` below the top of the stack with
    /// its value plus `offset`, clamped to a 32-bit address (`u32::MAX` when
    /// it does not fit, which is out of bounds of every 64-bit memory).
    fn clamp64(&mut self, depth: usize, offset: u64) {
        let pos = self.stack.len() - 1 - depth;
        let e = self.stack[pos];
        if let Opd::Const(v) = e.o {
            self.stack[pos].o = Opd::Const(crate::exec::memory::clamp_address(v, offset) as u64);
            return;
        }
        let a = match e.o {
            Opd::Local(l) => {
                self.aliases -= 1;
                l
            }
            _ => e.slot,
        };
        self.emit(Opcode::addr64, RRI64 { d: e.slot, a, imm: offset });
        self.stack[pos].o = Opd::Temp;
    }

    /// An access to memory `target` with memory argument `memarg`, whose
    /// address is `depth` below the top of the stack, emitted by `f` with the
    /// memory argument it should use: for a 64-bit memory the address is
    /// first clamped (offset included) to 32 bits, and `f` gets offset 0.
    fn memory_access(
        &mut self,
        memarg: wasmparser::MemArg,
        depth: usize,
        f: impl FnOnce(&mut Self, wasmparser::MemArg) -> Result<()>,
    ) -> Result<()> {
        let memory = match memarg.target {
            wasmparser::MemArgTarget::Memory(m) => m,
            wasmparser::MemArgTarget::Array(_) => {
                bail!("loads and stores on GC arrays are not supported")
            }
        };
        let mut memarg = memarg;
        if self.is_memory64(memory) {
            self.clamp64(depth, memarg.offset);
            memarg.offset = 0;
        }
        if memory == 0 {
            return f(self, memarg);
        }
        // Point the registers at memory `memory` for the access, and back.
        self.emit(Opcode::use_memory, RIdx { d: 0, a: 0, idx: memory });
        f(self, memarg)?;
        self.emit(Opcode::use_memory, RIdx { d: 0, a: 0, idx: 0 });
        Ok(())
    }

    /// An atomic access of kind `kind`: the address and the kind's
    /// operands are on the stack.
    fn atomic(&mut self, kind: Atomic, op: Opcode, memarg: wasmparser::MemArg) -> Result<()> {
        let n = match kind {
            Atomic::Load => 0,
            Atomic::Store | Atomic::Rmw | Atomic::Notify => 1,
            Atomic::Cas | Atomic::Wait => 2,
        };
        self.memory_access(memarg, n, |t, memarg| {
            let mut vals = [0; 2];
            for k in (0..n).rev() {
                let (o, pos) = t.pop();
                vals[k] = t.slot(o, pos);
            }
            let (addr, apos) = t.pop();
            let addr = t.slot(addr, apos);
            let offset = memarg.offset as u32;
            t.mark();
            match kind {
                Atomic::Store => {
                    t.emit(op, MemOp { d: vals[0], addr, offset });
                }
                Atomic::Load => {
                    let d = t.push_temp()?;
                    t.emit_result(op, MemOp { d, addr, offset }, d);
                }
                Atomic::Rmw | Atomic::Notify => {
                    let d = t.push_temp()?;
                    t.emit_result(op, MemRmw { d, addr, v: vals[0], offset }, d);
                }
                Atomic::Cas | Atomic::Wait => {
                    let d = t.push_temp()?;
                    let (a, b) = (vals[0], vals[1]);
                    t.emit_result(op, MemCas { d, addr, a, b, offset }, d);
                }
            }
            Ok(())
        })
    }

    /// A `v128` load: `d = f(mem[addr + offset])`.
    fn v128_load(&mut self, op: Opcode, memarg: wasmparser::MemArg) -> Result<()> {
        self.memory_access(memarg, 0, |t, memarg| {
            let (addr, d) = t.pop();
            let a = t.slot(addr, d);
            let d = t.push_temp_wide(true)?;
            t.mark();
            t.emit_result(op, MemOp { d, addr: a, offset: memarg.offset as u32 }, d);
            Ok(())
        })
    }

    /// A lane load (which pushes the updated vector) or a lane store.
    fn lane_op(
        &mut self,
        op: Opcode,
        memarg: wasmparser::MemArg,
        lane: u8,
        load: bool,
    ) -> Result<()> {
        self.memory_access(memarg, 1, |t, memarg| {
            let (v, vs) = t.pop();
            let (addr, as_) = t.pop();
            let v = t.slot(v, vs);
            let addr = t.slot(addr, as_);
            let offset = memarg.offset as u32;
            t.mark();
            if load {
                let d = t.push_temp_wide(true)?;
                t.emit_result(op, MemLane { d, addr, v, lane, offset }, d);
            } else {
                t.emit(op, MemLane { d: 0, addr, v, lane, offset });
            }
            Ok(())
        })
    }

    /// An operator of a SIMD family whose handler applies a lane function.
    fn simd(&mut self, family: Simd, op: Opcode) -> Result<()> {
        let op = if self.env.config.relaxed_simd_deterministic { deterministic(op) } else { op };
        match family {
            Simd::Unop | Simd::Test | Simd::Splat => {
                let (a, s) = self.pop();
                let a = self.slot(a, s);
                let d = self.push_temp_wide(family != Simd::Test)?;
                self.emit_result(op, RR { d, a }, d);
            }
            Simd::Binop | Simd::Shift => {
                if let Some(fused) = self.mul_add(op) {
                    return fused;
                }
                let (b, bs) = self.pop();
                let (a, as_) = self.pop();
                let b = self.slot(b, bs);
                let a = self.slot(a, as_);
                let d = self.push_temp_wide(true)?;
                self.emit_result(op, RRR { d, a, b }, d);
            }
            Simd::Ternop => {
                let (c, cs) = self.pop();
                let (b, bs) = self.pop();
                let (a, as_) = self.pop();
                let c = self.slot(c, cs);
                let b = self.slot(b, bs);
                let a = self.slot(a, as_);
                let d = self.push_temp_wide(true)?;
                self.emit_result(op, RRRR { d, a, b, c }, d);
            }
            Simd::Extract(lane) => {
                let (a, s) = self.pop();
                let a = self.slot(a, s);
                let d = self.push_temp()?;
                self.emit_result(op, RRI { d, a, imm: lane as u32 }, d);
            }
            Simd::Replace(lane) => {
                let (b, bs) = self.pop();
                let (a, as_) = self.pop();
                let b = self.slot(b, bs);
                let a = self.slot(a, as_);
                let d = self.push_temp_wide(true)?;
                self.emit_result(op, RRRR { d, a, b, c: lane as Slot }, d);
            }
        }
        Ok(())
    }
}

impl Translator<'_> {
    /// Fuses a float vector add whose operand is the temporary the
    /// instruction just before computed with a multiply into one
    /// `mul_add` (the same two roundings, one dispatch).
    fn mul_add(&mut self, add: Opcode) -> Option<Result<()>> {
        let (mul, fused) = match add {
            Opcode::f32x4_add => (Opcode::f32x4_mul, Opcode::f32x4_mul_add),
            Opcode::f64x2_add => (Opcode::f64x2_mul, Opcode::f64x2_mul_add),
            _ => return None,
        };
        let (pos, op) = self.last_op?;
        let (_, t) = self.last_result?;
        let h = self.stack.len();
        let (x, y) = (self.stack[h - 2], self.stack[h - 1]);
        let product_is = |e: Entry| e.o == Opd::Temp && e.slot == t;
        if op != mul || !self.is_last(pos, cells::<RRR>()) || !(product_is(x) || product_is(y)) {
            return None;
        }
        // SAFETY: the instruction at `pos` is the multiply, an `Op<RRR>`.
        let m = unsafe { (*(self.code.as_ptr().add(pos) as *const Op<RRR>)).i };
        self.forget_from(pos);
        let other = if product_is(y) { x } else { y };
        self.pop();
        self.pop();
        let c = self.slot(other.o, other.slot);
        let d = match self.push_temp_wide(true) {
            Ok(d) => d,
            Err(e) => return Some(Err(e)),
        };
        self.emit_result(fused, RRRR { d, a: m.a, b: m.b, c }, d);
        Some(Ok(()))
    }
}

/// An address computation fused into the access that uses it.
#[derive(Clone, Copy)]
enum AddressAdd {
    /// The sum of two slots.
    Slots(Slot, Slot),
    /// The sum of a slot and a constant (as `i32_add_ri` holds it).
    Plus(Slot, u32),
}

/// A store with its address computation fused in.
enum FusedStore {
    Ix(MemIx),
    IxImm(StoreIxImm),
    Plus(RRI),
}

/// Whether store `op` of immediate `c` stores the same bytes with `c` cut
/// to an `i16` and sign-extended (as `StoreIxImm` holds it).
fn imm16_stores(op: Opcode, c: u64) -> bool {
    if op == Opcode::i64_store {
        c == c as i16 as i64 as u64
    } else {
        // Every other store writes at most the low 32 bits.
        c as u32 == c as i16 as i32 as u32
    }
}

/// The opcode giving relaxed operator `op` its deterministic result (the
/// non-relaxed counterpart's), or `op` itself.
fn deterministic(op: Opcode) -> Opcode {
    use Opcode as O;
    match op {
        O::i8x16_relaxed_swizzle => O::i8x16_swizzle,
        O::i32x4_relaxed_trunc_f32x4_s => O::i32x4_trunc_sat_f32x4_s,
        O::i32x4_relaxed_trunc_f32x4_u => O::i32x4_trunc_sat_f32x4_u,
        O::i32x4_relaxed_trunc_f64x2_s_zero => O::i32x4_trunc_sat_f64x2_s_zero,
        O::i32x4_relaxed_trunc_f64x2_u_zero => O::i32x4_trunc_sat_f64x2_u_zero,
        O::i8x16_relaxed_laneselect
        | O::i16x8_relaxed_laneselect
        | O::i32x4_relaxed_laneselect
        | O::i64x2_relaxed_laneselect => O::v128_bitselect,
        O::f32x4_relaxed_min => O::f32x4_min,
        O::f32x4_relaxed_max => O::f32x4_max,
        O::f64x2_relaxed_min => O::f64x2_min,
        O::f64x2_relaxed_max => O::f64x2_max,
        O::i16x8_relaxed_q15mulr_s => O::i16x8_q15mulr_sat_s,
        O::i16x8_relaxed_dot_i8x16_i7x16_s => O::i16x8_dot_i8x16_i7x16_s_exact,
        O::i32x4_relaxed_dot_i8x16_i7x16_add_s => O::i32x4_dot_i8x16_i7x16_add_s_exact,
        other => other,
    }
}
