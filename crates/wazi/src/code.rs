//! Compiled code: a defined function's [`FuncCode`] (where its body is and,
//! once translated, its [`Compiled`] bytecode) and the instruction pointer
//! [`Ip`] into it. The translator makes it, the module owns it, the store
//! and the executor run it; this module imports none of them.

use std::mem::MaybeUninit;
use std::ops::Range;
use std::sync::OnceLock;

/// Instruction pointer: the first cell of an instruction.
pub(crate) type Ip = *const u64;

/// A defined function: where its body is and, once translated, its bytecode.
pub(crate) struct FuncCode {
    /// Function index in the module.
    pub index: u32,
    pub(crate) body: Range<usize>,
    pub(crate) compiled: OnceLock<Compiled>,
}

/// A function's bytecode.
pub(crate) struct Compiled {
    code: Box<[MaybeUninit<u64>]>,
    /// Size of the frame (locals and temporaries), in bytes.
    pub frame_bytes: usize,
    pub num_params: usize,
    /// `(cell index, offset in the module)` of instructions that may trap or
    /// call, ascending.
    pub(crate) offsets: Box<[(u32, u32)]>,
    /// Where exceptions are caught, innermost last.
    pub regions: Box<[crate::ir::TryRegion]>,
    /// Which slots may hold references where a collection can start.
    pub(crate) roots: Roots,
}

/// The slots of a function's frame that may hold a reference the collector
/// traces (a GC object, an exception, or an `externref` converted from
/// one), at each point a collection can start: an instruction that
/// allocates, and the return address of each call. The locals are known
/// by their types; of the temporaries, only those holding an operand at
/// that point count, so a dead value left in a slot keeps nothing alive.
#[derive(Default)]
pub(crate) struct Roots {
    /// Slots of the locals (parameters included) whose type is traced.
    pub locals: Box<[u16]>,
    /// `(key, start, end)`: the temporaries at a point are
    /// `temps[start..end]`. The key is the instruction's cell index times
    /// two, plus one for a return address. Sorted by key.
    pub points: Box<[(u32, u32, u32)]>,
    pub temps: Box<[u16]>,
}

impl Roots {
    /// The key of cell `cell`: an instruction, or a return address.
    pub(crate) fn key(cell: usize, is_return: bool) -> u32 {
        (cell * 2 + is_return as usize) as u32
    }
}

impl Compiled {
    pub(crate) fn new(
        code: Vec<MaybeUninit<u64>>,
        frame_slots: usize,
        num_params: usize,
        offsets: Vec<(u32, u32)>,
        regions: Vec<crate::ir::TryRegion>,
        roots: Roots,
    ) -> Compiled {
        Compiled {
            code: code.into_boxed_slice(),
            frame_bytes: frame_slots * 8,
            num_params,
            offsets: offsets.into_boxed_slice(),
            regions: regions.into_boxed_slice(),
            roots,
        }
    }

    /// The frame slots that may hold traced references when a collection
    /// starts at `ip` (a return address if `is_return`): the traced locals
    /// and the live temporaries. `None` if no collection can start there.
    pub(crate) fn roots_at(&self, ip: usize, is_return: bool) -> Option<(&[u16], &[u16])> {
        let cell = (ip.checked_sub(self.code.as_ptr() as usize)?) / 8;
        let key = Roots::key(cell, is_return);
        let r = &self.roots;
        let i = r.points.binary_search_by_key(&key, |p| p.0).ok()?;
        let (_, start, end) = r.points[i];
        Some((&r.locals, &r.temps[start as usize..end as usize]))
    }

    /// The first instruction.
    #[inline(always)]
    pub(crate) fn entry(&self) -> Ip {
        self.code.as_ptr() as Ip
    }

    /// The code's size in bytes.
    pub(crate) fn code_bytes(&self) -> usize {
        self.code.len() * 8
    }

    pub(crate) fn range(&self) -> Range<usize> {
        let start = self.code.as_ptr() as usize;
        start..start + self.code.len() * 8
    }

    /// The module offset of the instruction at `ip` (or, for a return
    /// address, of the call before it).
    pub(crate) fn module_offset(&self, ip: usize, is_return: bool) -> Option<u32> {
        let base = self.code.as_ptr() as usize;
        let mut cell = ((ip - base) / 8) as u32;
        if is_return {
            cell = cell.checked_sub(1)?;
        }
        let i = self.offsets.partition_point(|&(c, _)| c <= cell);
        i.checked_sub(1).map(|i| self.offsets[i].1)
    }

    /// The raw cells, for the disassembler.
    pub(crate) fn cells(&self) -> &[MaybeUninit<u64>] {
        &self.code
    }
}

impl FuncCode {
    /// The bytecode, if translated.
    #[inline(always)]
    pub(crate) fn compiled(&self) -> Option<&Compiled> {
        self.compiled.get()
    }
}
