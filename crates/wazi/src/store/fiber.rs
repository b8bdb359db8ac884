//! Fibers: stacks of their own for code that may stop in the middle and go
//! on later (the component model's threads).
//!
//! A fiber is a slot stack and frame-record array like the store's main
//! one. Wasm runs on it through [`StoreCore::fiber_call`]; a host function
//! it calls may *park* it by returning the [`Suspend`] error: the handler
//! that made the call stops the activation without unwinding it (the
//! frames stay on the fiber's stack, the call's record says where to go
//! on), and `fiber_call` returns [`FiberRun::Parked`]. Later the host
//! writes the parked call's results ([`StoreCore::fiber_parked_slots`])
//! and [`StoreCore::fiber_resume`] continues after the call as if it had
//! just returned. Interpreted frames never live on the native stack, so
//! parking costs no native stack and a fiber can park any number of times.
//!
//! Only the activation a fiber started with can park: a host function
//! that called back into wasm (a nested activation on native stack) is in
//! the way, and [`StoreCore::can_park`] says so.

use super::StoreCore;
use super::region;
use crate::exec::{self, Frame, Sp};
use crate::store::FuncKind;
use anyhow::{Result, anyhow, bail};

/// The error a host function returns to park the running fiber.
#[derive(Debug)]
pub(crate) struct Suspend;

impl std::fmt::Display for Suspend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fiber suspended")
    }
}

impl std::error::Error for Suspend {}

/// Where a parked activation stopped.
pub(crate) struct Parked {
    /// The activation's next free frame record (the parked call's record
    /// is there).
    pub frames: *mut Frame,
    /// The parked call's record: where its caller goes on.
    pub rec: Frame,
    /// The call's argument (and result) slots and their number.
    pub args: Sp,
    pub slots: usize,
    /// How many results the call returns.
    pub results: usize,
    /// Whether it was a tail call (its caller's frame is gone).
    pub tail: bool,
    /// The activation's entry record.
    pub entry: *mut Frame,
    pub end: Sp,
    pub frames_end: *mut Frame,
}

struct Fiber {
    stack: FiberStack,
    parked: Option<Parked>,
    /// Code runs on it now (perhaps below other fibers).
    running: bool,
    /// Frame records below this are live while the fiber is not running
    /// (for the collector).
    live_top: *mut Frame,
}

/// A fiber's slot stack and frame records: one mapping of their own,
/// whose pages the system backs (with zeros) only once they are touched,
/// so that a parked task costs the memory it used, not a whole stack.
pub(super) struct FiberStack {
    base: std::ptr::NonNull<u8>,
    bytes: usize,
    slots: usize,
    frames: usize,
}

impl FiberStack {
    pub(super) fn new(max: usize) -> Result<FiberStack> {
        let slots = (max / 8).max(1);
        let frames = (max / std::mem::size_of::<Frame>()).max(1);
        let page = 1 << 16;
        let bytes = (slots * 8 + frames * std::mem::size_of::<Frame>()).div_ceil(page) * page;
        if let Some((base, committed)) = region::take(bytes) {
            // A kept memory's reservation may be committed in part; a
            // stack is committed whole. SAFETY: `base` is a reservation of
            // `bytes` whose first `committed` (a page multiple) are.
            if committed == bytes || unsafe { region::commit(base, committed, bytes) } {
                return Ok(FiberStack { base, bytes, slots, frames });
            }
            // SAFETY: as above, and nothing refers to it.
            unsafe { region::unmap(base, bytes) };
        }
        let base = region::reserve(bytes)
            .ok_or_else(|| anyhow!("out of memory for the stack of a new task"))?;
        // SAFETY: `base` is a reservation of `bytes`.
        if !unsafe { region::commit(base, 0, bytes) } {
            // SAFETY: as above, unused.
            unsafe { region::unmap(base, bytes) };
            bail!("out of memory for the stack of a new task");
        }
        Ok(FiberStack { base, bytes, slots, frames })
    }

    pub(super) fn slots(&self) -> Sp {
        self.base.as_ptr() as Sp
    }

    pub(super) fn slots_end(&self) -> Sp {
        // SAFETY: inside the mapping.
        unsafe { self.slots().add(self.slots) }
    }

    pub(super) fn frames(&self) -> *mut Frame {
        // Slots are 8-byte aligned and so is `Frame`.
        self.slots_end() as *mut Frame
    }

    pub(super) fn frames_end(&self) -> *mut Frame {
        // SAFETY: inside the mapping.
        unsafe { self.frames().add(self.frames) }
    }
}

impl Drop for FiberStack {
    fn drop(&mut self) {
        // Slots and frame records are touched from where each starts.
        let hot = [0, self.slots * 8];
        // SAFETY: the mapping is this stack's, committed whole, and
        // nothing runs on it now.
        unsafe { region::recycle(self.base, self.bytes, self.bytes, &hot, true) };
    }
}

// SAFETY: the mapping is owned by the store, which moves between threads
// as a whole.
unsafe impl Send for FiberStack {}
// SAFETY: shared access reads nothing through the pointer.
unsafe impl Sync for FiberStack {}

/// What a fiber run ended with.
pub(crate) enum FiberRun {
    /// The function returned these result slots.
    Done(Vec<u64>),
    /// A host function parked it.
    Parked,
}

/// No fiber: the main stack.
const MAIN: u32 = u32::MAX;

/// Fiber stacks kept for reuse.
const POOL: usize = 16;

/// Most fibers alive at once in a store (each reserves, but does not
/// touch, the address space of a whole wasm stack).
pub(crate) const MAX_FIBERS: usize = 10_000;

pub(crate) struct Fibers {
    all: Vec<Option<Box<Fiber>>>,
    free: Vec<u32>,
    pool: Vec<FiberStack>,
    /// The fiber the running code is on (`MAIN`: the main stack).
    current: u32,
    /// The nesting depth at which the current fiber's own activation runs.
    park_depth: u32,
    /// Live frame records of the main stack while a fiber runs.
    main_live_top: *mut Frame,
}

impl Default for Fibers {
    fn default() -> Fibers {
        Fibers {
            all: Vec::new(),
            free: Vec::new(),
            pool: Vec::new(),
            current: MAIN,
            park_depth: 0,
            main_live_top: std::ptr::null_mut(),
        }
    }
}

impl Fibers {
    /// The frame-record ranges of stacks not running now: `(first, end)`.
    pub(crate) fn idle_frames(&self) -> impl Iterator<Item = (*const Frame, *const Frame)> + '_ {
        self.all.iter().enumerate().filter_map(move |(i, f)| {
            let f = f.as_ref()?;
            (i as u32 != self.current)
                .then_some((f.stack.frames() as *const _, f.live_top as *const _))
        })
    }

    /// The main stack's live frame records when a fiber runs.
    pub(crate) fn main_frames_end(&self) -> Option<*const Frame> {
        (self.current != MAIN).then_some(self.main_live_top as *const _)
    }

    /// The frame records of the running fiber's stack, if one runs.
    pub(crate) fn current_frames(&self) -> Option<*const Frame> {
        let f = self.all.get(self.current as usize)?.as_ref()?;
        Some(f.stack.frames() as *const _)
    }
}

impl StoreCore {
    fn new_stack(&mut self) -> Result<FiberStack> {
        if let Some(s) = self.fibers.pool.pop() {
            return Ok(s);
        }
        FiberStack::new(self.engine.inner.config.max_wasm_stack)
    }

    /// A new fiber; fails past [`MAX_FIBERS`] live ones.
    pub(crate) fn fiber_new(&mut self) -> Result<u32> {
        let live = self.fibers.all.len() - self.fibers.free.len();
        if live >= MAX_FIBERS {
            bail!(
                "wasm trap: too many tasks waiting at once ({MAX_FIBERS}): each `async` call that blocks keeps one"
            );
        }
        let stack = self.new_stack()?;
        let live_top = stack.frames();
        let f = Box::new(Fiber { stack, parked: None, running: false, live_top });
        Ok(match self.fibers.free.pop() {
            Some(i) => {
                self.fibers.all[i as usize] = Some(f);
                i
            }
            None => {
                self.fibers.all.push(Some(f));
                self.fibers.all.len() as u32 - 1
            }
        })
    }

    /// Frees fiber `id` (parked frames and all).
    pub(crate) fn fiber_drop(&mut self, id: u32) {
        // A fiber code runs on stays until it is left (its owner is gone).
        if self.fibers.all.get(id as usize).and_then(Option::as_ref).is_some_and(|f| f.running) {
            return;
        }
        if let Some(f) = self.fibers.all.get_mut(id as usize).and_then(Option::take) {
            if self.fibers.pool.len() < POOL {
                self.fibers.pool.push(f.stack);
            }
            self.fibers.free.push(id);
        }
    }

    /// Whether a host function running now may park: it was called by the
    /// activation a fiber started with.
    pub(crate) fn can_park(&self) -> bool {
        self.fibers.current != MAIN && self.nesting == self.fibers.park_depth
    }

    fn fiber_is_running(&self, id: u32) -> bool {
        self.fibers.all.get(id as usize).and_then(Option::as_ref).is_some_and(|f| f.running)
    }

    /// Whether fiber `id` is parked.
    pub(crate) fn fiber_is_parked(&self, id: u32) -> bool {
        self.fibers
            .all
            .get(id as usize)
            .and_then(Option::as_ref)
            .is_some_and(|f| f.parked.is_some())
    }

    /// The argument slots of fiber `id`'s parked call, where its results go
    /// before it resumes.
    pub(crate) fn fiber_parked_slots(&mut self, id: u32) -> Result<&mut [u64]> {
        let p = self
            .fibers
            .all
            .get(id as usize)
            .and_then(Option::as_ref)
            .and_then(|f| f.parked.as_ref());
        let p = p.ok_or_else(|| anyhow!("internal error: resuming a fiber that is not parked"))?;
        // SAFETY: the slots are in the fiber's stack, which nothing else
        // uses while it is parked.
        Ok(unsafe { std::slice::from_raw_parts_mut(p.args, p.slots) })
    }

    /// Switches to fiber `id` for `run`, then back.
    fn on_fiber<R>(
        &mut self,
        id: u32,
        run: impl FnOnce(&mut StoreCore, Sp, Sp, *mut Frame) -> R,
    ) -> R {
        self.ensure_stack();
        let saved = (
            self.stack_top,
            self.frames_top,
            self.stack_limits,
            self.fibers.current,
            self.fibers.park_depth,
        );
        if self.fibers.current == MAIN {
            self.fibers.main_live_top = self.frames_top;
        } else if let Some(f) = self.fibers.all[self.fibers.current as usize].as_mut() {
            f.live_top = self.frames_top;
        }
        let f = self.fibers.all[id as usize].as_mut().expect("live fiber");
        let (base, end, frames_end) = (f.stack.slots(), f.stack.slots_end(), f.stack.frames_end());
        f.running = true;
        self.stack_top = base;
        self.frames_top = f.stack.frames();
        self.stack_limits = (end, frames_end);
        self.fibers.current = id;
        self.nesting += 1;
        self.fibers.park_depth = self.nesting;
        let r = run(self, base, end, frames_end);
        self.nesting -= 1;
        (
            self.stack_top,
            self.frames_top,
            self.stack_limits,
            self.fibers.current,
            self.fibers.park_depth,
        ) = saved;
        if let Some(f) = self.fibers.all[id as usize].as_mut() {
            f.running = false;
        }
        r
    }

    /// Records how fiber `id` ended a run.
    fn fiber_ran(&mut self, id: u32, r: Result<Option<Parked>>) -> Result<bool> {
        let f = self.fibers.all[id as usize].as_mut().expect("live fiber");
        match r {
            Ok(Some(p)) => {
                // SAFETY: the parked call's record is inside the array.
                f.live_top = unsafe { p.frames.add(1) };
                f.parked = Some(p);
                Ok(true)
            }
            Ok(None) => {
                f.live_top = f.stack.frames();
                Ok(false)
            }
            Err(e) => {
                f.live_top = f.stack.frames();
                Err(e)
            }
        }
    }

    /// Calls store function `func` with `args` on idle fiber `id`,
    /// returning its first `nresults` result slots or that it parked.
    ///
    /// # Safety
    /// As for [`StoreCore::invoke`]: `args` must match the function's
    /// parameters.
    pub(crate) unsafe fn fiber_call(
        &mut self,
        id: u32,
        func: u32,
        args: &[u64],
        nresults: usize,
    ) -> Result<FiberRun> {
        if self.nesting >= super::MAX_NESTING {
            return Err(anyhow::Error::new(crate::trap::Trap::StackOverflow));
        }
        if self.fiber_is_parked(id) || self.fiber_is_running(id) {
            bail!("internal error: call on a fiber that is in use");
        }
        let (inst, code) = match &self.funcs[func as usize].kind {
            FuncKind::Wasm { inst, code } => (*inst, *code),
            FuncKind::Host(_) => {
                // A host function lifted as it is never parks: it runs
                // where the caller is.
                let mut out = Vec::new();
                // SAFETY: as the caller promises.
                unsafe {
                    self.invoke(func, &mut |s| s[..args.len()].copy_from_slice(args), &mut |s| {
                        out.extend_from_slice(&s[..nresults])
                    })?;
                }
                return Ok(FiberRun::Done(out));
            }
        };
        // SAFETY: function entities name live instances and code.
        let c = unsafe { (*code).compile(&(*inst).module.inner)? } as *const crate::code::Compiled;
        let r = self.on_fiber(id, |core, base, end, frames_end| {
            // SAFETY: the fiber's stack is empty; the entry frame and the
            // arguments fit (the stack is as large as the main one).
            unsafe {
                let ty = (*inst).module.inner.func_type((*code).index);
                let slots = ty.call_slots().max((*c).frame_bytes / 8);
                if (end as usize - base as usize) / 8 < slots {
                    return Err(anyhow::Error::new(crate::trap::Trap::StackOverflow));
                }
                std::slice::from_raw_parts_mut(base, args.len()).copy_from_slice(args);
                let r = core.run_wasm(inst, &*c, base, end, frames_end);
                Ok((r, std::slice::from_raw_parts(base, nresults).to_vec()))
            }
        })?;
        let (r, results) = r;
        Ok(if self.fiber_ran(id, r)? { FiberRun::Parked } else { FiberRun::Done(results) })
    }

    /// Resumes parked fiber `id` after its parked call (whose results the
    /// caller wrote into [`StoreCore::fiber_parked_slots`]); on return,
    /// its first `nresults` result slots.
    pub(crate) fn fiber_resume(&mut self, id: u32, nresults: usize) -> Result<FiberRun> {
        if self.nesting >= super::MAX_NESTING {
            return Err(anyhow::Error::new(crate::trap::Trap::StackOverflow));
        }
        let p = self.fibers.all[id as usize]
            .as_mut()
            .filter(|f| !f.running)
            .and_then(|f| f.parked.take())
            .ok_or_else(|| anyhow!("internal error: resuming a fiber that is not parked"))?;
        let r = self.on_fiber(id, |core, base, _, _| {
            // SAFETY: the parked frames are intact on the fiber's stack; the
            // parked call's results are in its argument slots.
            unsafe {
                let mut x = core.new_exec(p.rec.inst, p.frames, p.end, p.frames_end);
                let (ip, sp) = if p.tail {
                    for k in 0..p.results {
                        *p.rec.sp.add(k) = *p.args.add(k);
                    }
                    x.frames = p.frames.sub(1);
                    let f = *x.frames;
                    x.inst = f.inst;
                    (f.ip, f.sp)
                } else {
                    (p.rec.ip, p.rec.sp)
                };
                let (mem, len) = x.enter(x.inst);
                let flow = exec::run(ip, sp, mem, len, &mut x);
                let r = core.finish_run(flow, x, p.entry);
                (r, std::slice::from_raw_parts(base, nresults).to_vec())
            }
        });
        let (r, results) = r;
        Ok(if self.fiber_ran(id, r)? { FiberRun::Parked } else { FiberRun::Done(results) })
    }
}
