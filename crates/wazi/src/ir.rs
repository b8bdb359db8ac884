//! The register bytecode.
//!
//! A translated function is a sequence of 8-byte cells. Every instruction
//! starts with the address of its handler (direct threading), followed by its
//! operands packed in a `#[repr(C)]` layout. Operands name frame *slots*
//! (`u16` indices into the function's frame of 64-bit cells: parameters,
//! locals, then temporaries) or carry immediates.
//!
//! Two conventions the translator relies on:
//! - an instruction that produces a value stores its destination slot as the
//!   first operand (byte offset 8), so a following `local.set` can retarget it;
//! - a branch stores its relative target (in cells, from the start of the
//!   branch) as the first operand, an `i32` at byte offset 8, so forward
//!   branches can be patched once the label is bound.
//!
//! Operand layouts are named by their operands: `R` a slot, `I` an
//! immediate (hence the capitals).
//!
//! Handler names say where operands live: `_rr` both in slots, `_ri` the
//! right one immediate, `_ir` the left one immediate.

#![allow(clippy::upper_case_acronyms)]

/// A frame slot index.
pub(crate) type Slot = u16;

/// One instruction: the address of its handler (an `exec::Handler`, kept
/// opaque here so the bytecode does not depend on the executor) followed by
/// its operands.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Op<T> {
    pub h: *const (),
    pub i: T,
}

/// Size of an instruction with operands `T`, in cells.
pub(crate) const fn cells<T>() -> usize {
    let size = std::mem::size_of::<Op<T>>();
    assert!(size.is_multiple_of(8));
    size / 8
}

/// No operands.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Nil;

/// A GC object instruction (see the `struct_new`/`array_*` entries of
/// `isa`): up to four slots, a type or segment, an element's slots.
/// - `struct_new[_default]`: `d` = a struct of type `ty` with `n` slots,
///   its fields copied from `a..` (or zero);
/// - `array_new[_default]`: `d` = `b` elements of `elem` slots, each a copy
///   of `a` (or zero); `array_new_fixed`: `n` elements from `a..`;
///   `array_new_data`/`_elem`: `b` elements from offset `a` of segment `n`
///   (data elements of `elem` bytes);
/// - `array_fill`: `c` elements of array `d` from index `a` on become `b`;
///   `array_init_data`/`_elem`: `c` elements of array `d` from index `a`
///   on come from offset `b` of segment `n` (data elements of `elem`
///   bytes).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Gc {
    pub d: Slot,
    pub a: Slot,
    pub b: Slot,
    pub c: Slot,
    pub ty: u32,
    pub n: u32,
    pub elem: u8,
    /// The type's objects can hold references (the collector traces them).
    pub traced: u8,
}

/// `ref.test` / `ref.cast`: `d` = whether `a` is of heap type `heap` (an
/// id, or one of `exec::gc`'s codes for the abstract ones), null allowed
/// if `nullable`; `func`: `heap` is a function type.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Cast {
    pub d: Slot,
    pub a: Slot,
    pub heap: u32,
    pub nullable: u8,
    pub func: u8,
}

/// `d = f(a)`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RR {
    pub d: Slot,
    pub a: Slot,
}

/// `d = f(a, b)`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RRR {
    pub d: Slot,
    pub a: Slot,
    pub b: Slot,
}

/// `d = f(a, imm)` or `d = f(imm, a)`, a 32-bit immediate (an `i32`, an
/// `i64` sign-extended from 32 bits, or the bits of an `f32`).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RRI {
    pub d: Slot,
    pub a: Slot,
    pub imm: u32,
}

/// `d = f(a, imm)` with a 64-bit immediate (the bits of an `f64`).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RRI64 {
    pub d: Slot,
    pub a: Slot,
    pub imm: u64,
}

/// `d = imm` (32 bits, zero-extended).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RI {
    pub d: Slot,
    pub imm: u32,
}

/// `d = imm` (64 bits).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RI64 {
    pub d: Slot,
    pub imm: u64,
}

/// Four slots: `d = f(a, b, c)` (also `replace_lane`, with the lane in
/// `c`).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RRRR {
    pub d: Slot,
    pub a: Slot,
    pub b: Slot,
    pub c: Slot,
}

/// Five slots: `(d, d + 1) = f(a, b, c, e)` (128-bit arithmetic on pairs
/// of i64s).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RRRRR {
    pub d: Slot,
    pub a: Slot,
    pub b: Slot,
    pub c: Slot,
    pub e: Slot,
}

/// `d = imm`, a 128-bit constant (slots `d` and `d + 1`).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RV128 {
    pub d: Slot,
    pub imm: [u64; 2],
}

/// `i8x16.shuffle`: `d = shuffle(a, b, lanes)`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Shuffle {
    pub d: Slot,
    pub a: Slot,
    pub b: Slot,
    pub lanes: [u8; 16],
}

/// A lane load `d = replace_lane(v, lane, mem[addr + offset])` or a lane
/// store `mem[addr + offset] = extract_lane(v, lane)` (then `d` is unused).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct MemLane {
    pub d: Slot,
    pub addr: Slot,
    pub v: Slot,
    pub lane: u8,
    pub offset: u32,
}

/// `d = cond ? a : b`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Select {
    pub d: Slot,
    pub c: Slot,
    pub a: Slot,
    pub b: Slot,
}

/// A load `d = mem[addr + offset]` or a store `mem[addr + offset] = v`
/// (then `d` names the value slot).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct MemOp {
    pub d: Slot,
    pub addr: Slot,
    pub offset: u32,
}

/// A load or store at a constant effective address.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct MemAbs {
    pub d: Slot,
    pub ea: u32,
}

/// A load `d = mem[(a + b) mod 2^32 + offset]` or a store
/// `mem[(a + b) mod 2^32 + offset] = d`: an `i32.add` of two slots fused
/// into the access that uses its sum as the address.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct MemIx {
    pub d: Slot,
    pub a: Slot,
    pub b: Slot,
    pub offset: u16,
}

/// A store of an immediate `mem[(a + b) mod 2^32 + offset] = imm`, the
/// immediate sign-extended to the stored width.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct StoreIxImm {
    pub a: Slot,
    pub b: Slot,
    pub offset: u16,
    pub imm: i16,
}

/// A store of an immediate `mem[addr + offset] = imm`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct StoreImm {
    pub addr: Slot,
    pub offset: u32,
    pub imm: u64,
}

/// An unconditional branch.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Br {
    pub off: i32,
}

/// A branch on one slot.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct BrR {
    pub off: i32,
    pub c: Slot,
}

/// A branch on comparing two slots.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct BrRR {
    pub off: i32,
    pub a: Slot,
    pub b: Slot,
}

/// A branch on comparing a slot with a 16-bit immediate (sign-extended).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct BrRI {
    pub off: i32,
    pub a: Slot,
    pub imm: i16,
}

/// A loop's step and test, fused from an `i32.add` of a constant to a slot
/// in place and the compare-and-branch on the sum that follows: `a += imm`,
/// then branch by `off` (cells) if the sum differs from slot `b`. Only
/// backward branches to a bound label use it: the offset fits 16 bits.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct BrStepRR {
    pub a: Slot,
    pub b: Slot,
    pub imm: i16,
    pub off: i16,
}

/// As [`BrStepRR`], comparing the sum with immediate `cmp`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct BrStepRI {
    pub a: Slot,
    pub imm: i16,
    pub cmp: i16,
    pub off: i16,
}

/// As [`BrStepRR`], the step being slot `s`: `a += s`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct BrStepRRR {
    pub a: Slot,
    pub s: Slot,
    pub b: Slot,
    pub off: i16,
}

/// `br_table`: followed by `len + 1` cells, each an `i32` offset relative to
/// the start of the `br_table` (the last one is the default).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct BrTable {
    pub c: Slot,
    pub len: u32,
}

/// A call. The callee's frame starts at `base`, where the arguments are;
/// its results are left there too.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Call {
    pub base: Slot,
    /// Function index in the instance (imported calls) or type id
    /// (indirect calls).
    pub idx: u32,
    /// The callee's code (internal calls): a `module::FuncCode`.
    pub func: *const (),
}

/// `call_indirect`: the table index is in slot `c`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct CallIndirect {
    pub base: Slot,
    pub c: Slot,
    pub table: u32,
    pub ty: u32,
}

/// Copy `n` consecutive slots from `a` to `d` (regions never overlap
/// wrongly: `d <= a` or disjoint).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct CopySpan {
    pub d: Slot,
    pub a: Slot,
    pub n: u16,
}

/// An operation with a slot and an index (globals, tables, segments...).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RIdx {
    pub d: Slot,
    pub a: Slot,
    pub idx: u32,
}

/// Three slots and an index (`table.init`, `memory.init`, `table.fill`...).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct R3Idx {
    pub a: Slot,
    pub b: Slot,
    pub c: Slot,
    pub idx: u32,
    pub idx2: u32,
}

/// Fuel consumption for the following block.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Fuel {
    pub amount: u64,
}

/// A trap (`unreachable`, or a statically known trap).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct TrapOp {
    pub code: u8,
}

/// `throw`: an exception of the instance's tag `tag` whose payload is the
/// `n` slots from `base`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Throw {
    pub base: Slot,
    pub n: u16,
    pub tag: u32,
}

/// A range of a function's bytecode where thrown exceptions are handled:
/// the body of a `try_table` or of a legacy `try`. Ranges nest; the
/// innermost range holding a point comes last among those holding it.
pub(crate) struct TryRegion {
    /// Cells `start..end` of the function's code.
    pub start: u32,
    pub end: u32,
    pub kind: RegionKind,
}

pub(crate) enum RegionKind {
    /// Catch clauses, tried in order.
    Catch(Vec<CatchClause>),
    /// A legacy `delegate`: the search goes on as if the exception had been
    /// thrown at cell `point`, among the regions before index `upto` only.
    Delegate { point: u32, upto: u32 },
}

/// Where a catch clause lands: its payload goes to the slots from
/// `payload`, the exception reference (if it keeps one) to slot `exn`, and
/// execution goes on at cell `target`.
#[derive(Clone, Copy)]
pub(crate) struct CatchClause {
    /// The instance's tag index; `None` catches every exception.
    pub tag: Option<u32>,
    pub target: u32,
    pub payload: Slot,
    pub exn: Option<Slot>,
}

impl TryRegion {
    /// The clause catching an exception thrown at cell `point`, searching
    /// outwards from the innermost region; `matches` tells whether a tag
    /// index names the exception's tag.
    pub(crate) fn find(
        regions: &[TryRegion],
        mut point: u32,
        matches: impl Fn(u32) -> bool,
    ) -> Option<CatchClause> {
        let mut upto = regions.len();
        'search: loop {
            for (i, r) in regions[..upto].iter().enumerate().rev() {
                if !(r.start <= point && point < r.end) {
                    continue;
                }
                match &r.kind {
                    RegionKind::Catch(clauses) => {
                        let hit = clauses.iter().find(|c| c.tag.is_none_or(&matches));
                        if let Some(c) = hit {
                            return Some(*c);
                        }
                    }
                    RegionKind::Delegate { point: p, upto: u } => {
                        // Targets always come before the delegating region,
                        // so the search ends.
                        debug_assert!((*u as usize) <= i);
                        point = *p;
                        upto = (*u as usize).min(i);
                        continue 'search;
                    }
                }
            }
            return None;
        }
    }
}

/// An atomic read-modify-write `d = op(mem[addr + offset], v)` (or
/// `memory.atomic.notify` with the count in `v`).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct MemRmw {
    pub d: Slot,
    pub addr: Slot,
    pub v: Slot,
    pub offset: u32,
}

/// An atomic compare-exchange of `a` (expected) for `b` (replacement) at
/// `addr + offset`, or a `memory.atomic.wait` for value `a` with the
/// timeout in `b`; the result goes to `d`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct MemCas {
    pub d: Slot,
    pub addr: Slot,
    pub a: Slot,
    pub b: Slot,
    pub offset: u32,
}
