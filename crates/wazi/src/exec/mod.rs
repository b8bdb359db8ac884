//! The interpreter.
//!
//! Handlers share one signature: the instruction pointer, the frame pointer
//! (slot 0 of the current frame), the base and length of the current
//! instance's memory, and the executor state. Hot state travels in argument
//! registers; everything else lives in [`Exec`].
//!
//! Two dispatch backends share the handlers (see `build.rs`):
//! - threaded: each handler ends by calling the next handler in tail
//!   position, which LLVM compiles to a jump;
//! - loop: each handler stores the registers in [`Exec`] and returns to
//!   [`run`], which calls the next handler.
//!
//! Wasm calls never recurse on the native stack: frames are records in a
//! heap-allocated array, values live in a heap-allocated slot stack, and both
//! are bounded by [`crate::Config::max_wasm_stack`].

pub(crate) mod atomic;
pub(crate) mod control;
pub(crate) mod exception;
pub(crate) mod gc;
pub(crate) mod memory;
pub(crate) mod numeric;
pub(crate) mod simd;
pub(crate) mod table;
pub(crate) mod v128;
pub(crate) mod variable;

use crate::store::{InstanceData, StoreCore};
use crate::trap::TrapCode;
use std::sync::atomic::AtomicU64;

pub(crate) use crate::code::Ip;
/// Frame pointer: slot 0 of the current frame.
pub(crate) type Sp = *mut u64;
/// Base of the current instance's linear memory.
pub(crate) type Mem = *mut u8;

/// An instruction handler.
pub(crate) type Handler = unsafe fn(Ip, Sp, Mem, usize, &mut Exec) -> Flow;

/// What a handler chain ends with.
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Flow {
    /// Loop backend only: run the next handler.
    #[cfg_attr(wazi_tail_dispatch, allow(dead_code))]
    Continue,
    /// The activation's entry frame returned.
    Done,
    /// A trap; details are in [`Exec::trap`].
    Trap,
}

/// A suspended caller: where to resume when the callee returns.
#[derive(Clone, Copy)]
pub(crate) struct Frame {
    pub ip: Ip,
    pub sp: Sp,
    pub inst: *const InstanceData,
}

/// Registers of the loop backend.
#[cfg(not(wazi_tail_dispatch))]
#[derive(Clone, Copy)]
pub(crate) struct Regs {
    pub ip: Ip,
    pub sp: Sp,
    pub mem: Mem,
    pub len: usize,
}

/// Executor state of one activation (one entry from the host into wasm).
pub(crate) struct Exec {
    /// The instance of the running function.
    pub inst: *const InstanceData,
    /// `inst`'s global cells.
    pub globals: *const *mut u64,
    /// Next free frame record.
    pub frames: *mut Frame,
    /// End of the frame record array.
    pub frames_end: *mut Frame,
    /// End of the slot stack.
    pub stack_end: Sp,
    /// Remaining fuel (only consulted by fuel instructions).
    pub fuel: i64,
    /// Epoch counter of the engine and the deadline (epoch instructions).
    pub epoch: *const AtomicU64,
    pub epoch_deadline: u64,
    /// The store.
    pub store: *mut StoreCore,
    /// The store including its user data (`StoreInner<T>`), for host calls.
    pub host: *mut (),
    /// Set when a handler returns [`Flow::Trap`].
    pub trap: TrapCode,
    pub trap_ip: Ip,
    pub error: Option<anyhow::Error>,
    /// The frames the last exception unwound: `(instruction address,
    /// whether it is a return address)`, for the backtrace of one that
    /// leaves the activation.
    pub unwound: Vec<(usize, bool)>,
    /// Set when a host function parks the fiber ([`crate::trap::TrapCode::Suspend`]):
    /// the parked call's argument slots, their number, its result count,
    /// and whether it was a tail call.
    pub parked: (Sp, usize, usize, bool),
    #[cfg(not(wazi_tail_dispatch))]
    pub regs: Regs,
}

/// Continues with the handler at `ip`.
macro_rules! dispatch {
    ($ip:expr, $sp:expr, $mem:expr, $len:expr, $x:expr) => {{
        let ip: $crate::exec::Ip = $ip;
        #[cfg(wazi_tail_dispatch)]
        {
            // SAFETY: every instruction starts with a handler address written
            // by the translator, and `ip` points at an instruction.
            #[allow(unused_unsafe)]
            let flow = unsafe { (*(ip as *const $crate::exec::Handler))(ip, $sp, $mem, $len, $x) };
            return flow;
        }
        #[cfg(not(wazi_tail_dispatch))]
        {
            $x.regs = $crate::exec::Regs { ip, sp: $sp, mem: $mem, len: $len };
            return $crate::exec::Flow::Continue;
        }
    }};
}
pub(crate) use dispatch;

/// Continues with the instruction after the current one (operands `T`).
macro_rules! next {
    ($T:ty, $ip:expr, $sp:expr, $mem:expr, $len:expr, $x:expr) => {
        $crate::exec::dispatch!(unsafe { $ip.add($crate::ir::cells::<$T>()) }, $sp, $mem, $len, $x)
    };
}
pub(crate) use next;

/// Reads the operands of the instruction at `ip`.
///
/// # Safety
/// `ip` must point at an instruction whose operands have layout `T`.
#[inline(always)]
pub(crate) unsafe fn operands<'a, T>(ip: Ip) -> &'a T {
    // SAFETY: the caller guarantees the layout; instructions are 8-byte
    // aligned in a `Box<[u64]>` that outlives the execution.
    unsafe { &(*(ip as *const crate::ir::Op<T>)).i }
}

/// A value that fits a 64-bit slot.
pub(crate) trait Cell: Copy {
    fn from_cell(c: u64) -> Self;
    fn to_cell(self) -> u64;
}

macro_rules! cell_int {
    ($($t:ty => $u:ty),*) => {$(
        impl Cell for $t {
            #[inline(always)]
            fn from_cell(c: u64) -> Self { c as $u as $t }
            #[inline(always)]
            fn to_cell(self) -> u64 { self as $u as u64 }
        }
    )*};
}
cell_int!(i32 => u32, u32 => u32, i64 => u64, u64 => u64);

impl Cell for f32 {
    #[inline(always)]
    fn from_cell(c: u64) -> Self {
        f32::from_bits(c as u32)
    }
    #[inline(always)]
    fn to_cell(self) -> u64 {
        self.to_bits() as u64
    }
}

impl Cell for f64 {
    #[inline(always)]
    fn from_cell(c: u64) -> Self {
        f64::from_bits(c)
    }
    #[inline(always)]
    fn to_cell(self) -> u64 {
        self.to_bits()
    }
}

/// Reads slot `s`.
///
/// # Safety
/// `s` must be a slot of the current frame (the translator guarantees it).
#[inline(always)]
pub(crate) unsafe fn rd<T: Cell>(sp: Sp, s: u16) -> T {
    // SAFETY: slots below the frame size are inside the slot stack, which the
    // call instruction checked before entering the frame.
    T::from_cell(unsafe { *sp.add(s as usize) })
}

/// Writes slot `s`.
///
/// # Safety
/// As for [`rd`].
#[inline(always)]
pub(crate) unsafe fn wr<T: Cell>(sp: Sp, s: u16, v: T) {
    // SAFETY: as in `rd`.
    unsafe { *sp.add(s as usize) = v.to_cell() }
}

/// Ends the handler chain with a trap at `ip`.
#[cold]
#[inline(never)]
pub(crate) fn trap(ip: Ip, x: &mut Exec, code: TrapCode) -> Flow {
    x.trap = code;
    x.trap_ip = ip;
    Flow::Trap
}

/// Ends the handler chain with an error raised by the host.
#[cold]
#[inline(never)]
pub(crate) fn trap_error(ip: Ip, x: &mut Exec, error: anyhow::Error) -> Flow {
    x.error = Some(error);
    trap(ip, x, TrapCode::Host)
}

impl Exec {
    /// Makes `inst` the current instance; returns its memory view.
    #[inline(always)]
    pub(crate) unsafe fn enter(&mut self, inst: *const InstanceData) -> (Mem, usize) {
        self.inst = inst;
        // SAFETY: instances live as long as their store, which outlives `self`.
        let inst = unsafe { &*inst };
        self.globals = inst.globals.as_ptr();
        inst.memory_view()
    }

    /// The current instance's memory view, re-read after anything that may
    /// have grown or replaced it (host calls, `memory.grow`).
    #[inline(always)]
    pub(crate) unsafe fn memory_view(&self) -> (Mem, usize) {
        // SAFETY: as in `enter`.
        unsafe { (*self.inst).memory_view() }
    }
}

/// Runs the handler chain starting at `ip` until the activation returns or
/// traps.
///
/// # Safety
/// `ip` must be the entry of a translated function whose frame starts at
/// `sp`, and `x` must describe a store whose frame array has an entry frame
/// returning to [`EXIT`].
pub(crate) unsafe fn run(ip: Ip, sp: Sp, mem: Mem, len: usize, x: &mut Exec) -> Flow {
    #[cfg(wazi_tail_dispatch)]
    {
        // SAFETY: see the function's contract.
        unsafe { (*(ip as *const Handler))(ip, sp, mem, len, x) }
    }
    #[cfg(not(wazi_tail_dispatch))]
    {
        x.regs = Regs { ip, sp, mem, len };
        loop {
            let r = x.regs;
            // SAFETY: handlers only ever store instruction addresses in `regs.ip`.
            let flow = unsafe { (*(r.ip as *const Handler))(r.ip, r.sp, r.mem, r.len, x) };
            if flow != Flow::Continue {
                return flow;
            }
        }
    }
}

/// The instruction an activation's entry frame returns to.
pub(crate) static EXIT: [Handler; 1] = [control::exit];
