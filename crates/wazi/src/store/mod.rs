//! [`Store`]: the home of all runtime state, and the entry into the
//! interpreter.

mod entities;
pub(crate) mod exceptions;
pub(crate) mod extension;
mod fiber;
pub(crate) mod gc;
mod limits;
mod region;
pub(crate) mod shared;

pub(crate) use entities::*;
pub(crate) use fiber::{FiberRun, Suspend};
pub use limits::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};

use crate::engine::Engine;
use crate::exec::{self, EXIT, Exec, Flow, Frame, Ip, Sp};
use crate::trap::{ThrownException, Trap, TrapCode, WasmBacktrace};
use anyhow::{Result, anyhow, bail};
use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};

/// How deep host → wasm → host → wasm nesting may go before it traps (each
/// level uses native stack).
const MAX_NESTING: u32 = 200;

static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

/// The slot stack and frame records, allocated on first use. Both are
/// reserved at their maximum size up front so that addresses never change;
/// the operating system only backs the pages that are touched.
enum Stack {
    /// Anonymous memory, as fibers' stacks are: zero pages until touched,
    /// returned to the system when the store goes. (A heap allocation of
    /// this size is zeroed by a `memset` that touches every page once the
    /// allocator recycles it: milliseconds per store.)
    Mapped(fiber::FiberStack),
    /// Where the host cannot map memory.
    Heap { slots: Vec<u64>, frames: Vec<Frame> },
}

impl Stack {
    fn slots(&mut self) -> Sp {
        match self {
            Stack::Mapped(m) => m.slots(),
            Stack::Heap { slots, .. } => slots.as_mut_ptr(),
        }
    }

    fn slots_end(&mut self) -> Sp {
        match self {
            Stack::Mapped(m) => m.slots_end(),
            // SAFETY: one past the end of the allocation.
            Stack::Heap { slots, .. } => unsafe { slots.as_mut_ptr().add(slots.len()) },
        }
    }

    fn frames(&mut self) -> *mut Frame {
        match self {
            Stack::Mapped(m) => m.frames(),
            Stack::Heap { frames, .. } => frames.as_mut_ptr(),
        }
    }

    /// Where the frame records start, for reading them.
    fn frames_base(&self) -> *const Frame {
        match self {
            Stack::Mapped(m) => m.frames(),
            Stack::Heap { frames, .. } => frames.as_ptr(),
        }
    }

    fn frames_end(&mut self) -> *mut Frame {
        match self {
            Stack::Mapped(m) => m.frames_end(),
            // SAFETY: capacity marks the end of the reservation.
            Stack::Heap { frames, .. } => unsafe { frames.as_mut_ptr().add(frames.capacity()) },
        }
    }
}

/// The part of a store that does not depend on its data type.
#[doc(hidden)]
#[allow(clippy::vec_box)]
pub struct StoreCore {
    pub(crate) id: u64,
    pub(crate) engine: Engine,
    pub(crate) funcs: Vec<FuncEntity>,
    // Entities are boxed so their addresses stay put as the vectors grow:
    // instances and running code hold raw pointers to them.
    pub(crate) memories: Vec<Box<MemoryEntity>>,
    pub(crate) tables: Vec<Box<TableEntity>>,
    pub(crate) globals: Vec<Box<GlobalEntity>>,
    pub(crate) instances: Vec<Box<InstanceData>>,
    pub(crate) externs: Vec<Box<dyn Any + Send + Sync>>,
    /// Exception tags: the payload type of each.
    pub(crate) tags: Vec<TagEntity>,
    /// Exception objects.
    pub(crate) exns: exceptions::ExnHeap,
    /// GC objects (structs and arrays).
    pub(crate) gc: gc::GcHeap,
    /// The exception thrown to the host and not taken yet (0: none).
    pub(crate) pending_exception: u64,
    stack: Option<Stack>,
    /// Where the next activation's slots and frame records start.
    pub(crate) stack_top: Sp,
    pub(crate) frames_top: *mut Frame,
    /// The ends of the stack running code is on (the main one's, or the
    /// current fiber's): what nested activations are checked against.
    pub(crate) stack_limits: (Sp, *mut Frame),
    pub(crate) fuel: i64,
    pub(crate) epoch_deadline: u64,
    nesting: u32,
    /// Fibers: separate stacks that component-model threads run on, which
    /// can park in a host call and resume later (see `fiber`).
    fibers: fiber::Fibers,
    /// `StoreInner<T>` of this core (set once the store is boxed).
    pub(crate) outer: *mut (),
    /// Finds the store's resource limiter, if any.
    limiter: Option<LimiterThunk>,
    /// State of the layer above the core: the component model's instances,
    /// functions, resources and calls (see [`extension`]).
    pub(crate) ext: extension::Extension,
    /// The bytes one host call may take from the guest (lifted strings and
    /// lists, WASI 0.1 paths and buffers): wasmtime's hostcall fuel.
    pub(crate) hostcall_fuel: usize,
}

/// wasmtime's default hostcall fuel: 128 MiB per call.
pub(crate) const DEFAULT_HOSTCALL_FUEL: usize = 128 << 20;

// SAFETY: the raw pointers in a store point into the store's own boxes (or
// are null); moving the store to another thread moves all of them together.
unsafe impl Send for StoreCore {}
// SAFETY: shared access to a store never mutates through those pointers.
unsafe impl Sync for StoreCore {}

/// Finds the resource limiter of the `StoreInner<T>` it is given.
type LimiterThunk = fn(*mut ()) -> Option<*mut dyn ResourceLimiter>;

/// Finds a store's resource limiter in its data.
type LimiterFn<T> = Box<dyn FnMut(&mut T) -> &mut (dyn ResourceLimiter + 'static) + Send + Sync>;

/// A store's contents, boxed so their address is stable.
pub(crate) struct StoreInner<T> {
    pub core: StoreCore,
    pub data: T,
    limiter: Option<LimiterFn<T>>,
}

/// All WebAssembly state: instances, memories, tables, globals, functions,
/// and the user's data `T` that host functions can reach.
///
/// Here the data counts the calls of a host function, and fuel measures
/// the work done (one unit per operator: two `call`s):
///
/// ```
/// use wazi::{Caller, Config, Engine, Linker, Module, Store};
/// let engine = Engine::new(Config::new().consume_fuel(true))?;
/// let module = Module::new(&engine, r#"(module
///     (import "host" "tick" (func $tick))
///     (func (export "run") (call $tick) (call $tick)))"#)?;
/// let mut linker = Linker::new(&engine);
/// linker.func_wrap("host", "tick", |mut caller: Caller<'_, u32>| {
///     *caller.data_mut() += 1;
/// })?;
/// let mut store = Store::new(&engine, 0u32);
/// store.set_fuel(100)?;
/// let instance = linker.instantiate(&mut store, &module)?;
/// let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;
/// run.call(&mut store, ())?;
/// assert_eq!(*store.data(), 2);
/// assert_eq!(store.get_fuel()?, 98);
/// assert_eq!(store.into_data(), 2);
/// # Ok::<(), wazi::Error>(())
/// ```
pub struct Store<T> {
    pub(crate) inner: Box<StoreInner<T>>,
}

impl<T> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("id", &self.inner.core.id).finish()
    }
}

impl<T: 'static> Store<T> {
    /// An empty store for `engine` holding `data`.
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        let mut inner = Box::new(StoreInner {
            core: StoreCore {
                id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
                engine: engine.clone(),
                funcs: Vec::new(),
                memories: Vec::new(),
                tables: Vec::new(),
                globals: Vec::new(),
                instances: Vec::new(),
                externs: Vec::new(),
                tags: Vec::new(),
                exns: Default::default(),
                gc: gc::GcHeap::new(engine.config().max_gc_heap_size, engine.config().gc_stress),
                pending_exception: 0,
                stack: None,
                stack_top: std::ptr::null_mut(),
                frames_top: std::ptr::null_mut(),
                stack_limits: (std::ptr::null_mut(), std::ptr::null_mut()),
                fuel: 0,
                epoch_deadline: 0,
                nesting: 0,
                fibers: Default::default(),
                outer: std::ptr::null_mut(),
                limiter: None,
                ext: Default::default(),
                hostcall_fuel: DEFAULT_HOSTCALL_FUEL,
            },
            data,
            limiter: None,
        });
        inner.core.outer = &mut *inner as *mut StoreInner<T> as *mut ();
        Store { inner }
    }

    /// The user data.
    pub fn data(&self) -> &T {
        &self.inner.data
    }

    /// The user data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.inner.data
    }

    /// Consumes the store, returning its data.
    pub fn into_data(self) -> T {
        let inner = *self.inner;
        inner.data
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.core.engine
    }

    /// Installs a resource limiter: `f` returns it from the store's data.
    pub fn limiter(
        &mut self,
        f: impl FnMut(&mut T) -> &mut (dyn ResourceLimiter + 'static) + Send + Sync + 'static,
    ) {
        self.inner.limiter = Some(Box::new(f));
        self.inner.core.limiter = Some(limiter_thunk::<T>);
    }

    /// Sets the remaining fuel (needs [`crate::Config::consume_fuel`]).
    /// Each wasm operator costs one unit, except `nop`, `drop`, `block`,
    /// `loop`, `else` and `end`, which are free (wasmtime's default
    /// costs). A basic block pays for all its operators on entry and traps
    /// with [`Trap::OutOfFuel`] if the fuel does not cover them, leaving 0.
    /// Values above `i64::MAX` are clamped to it. Fails if fuel is not
    /// configured.
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.inner.core.set_fuel(fuel)
    }

    /// Sets how much data (in bytes of host values) each call from the
    /// guest into the host may copy out of the guest: past it the call
    /// fails (a component's with an error, a WASI 0.1 call with `ENOMEM`),
    /// so a guest cannot make the host allocate without bound. The default
    /// is wasmtime's, 128 MiB.
    pub fn set_hostcall_fuel(&mut self, fuel: usize) {
        self.inner.core.hostcall_fuel = fuel;
    }

    /// The data each host call may copy out of the guest
    /// ([`Store::set_hostcall_fuel`]).
    pub fn hostcall_fuel(&self) -> usize {
        self.inner.core.hostcall_fuel
    }

    /// The number of exception objects alive in the store (for tests of
    /// the collector).
    #[doc(hidden)]
    pub fn live_exception_objects(&self) -> usize {
        self.inner.core.exns.live()
    }

    /// Whether an exception is pending.
    pub fn has_pending_exception(&self) -> bool {
        self.inner.core.pending_exception != 0
    }

    /// The remaining fuel. Fails if fuel is not configured
    /// ([`crate::Config::consume_fuel`]).
    pub fn get_fuel(&self) -> Result<u64> {
        self.inner.core.get_fuel()
    }

    /// Interrupt running code `ticks` epochs from now (needs
    /// [`crate::Config::epoch_interruption`]).
    pub fn set_epoch_deadline(&mut self, ticks: u64) {
        self.inner.core.set_epoch_deadline(ticks);
    }
}

fn limiter_thunk<T>(outer: *mut ()) -> Option<*mut dyn ResourceLimiter> {
    // SAFETY: `outer` is the `StoreInner<T>` this thunk was installed for;
    // the limiter and data fields are disjoint from the core, which is the
    // only part of the store the caller is using.
    unsafe {
        let inner = outer as *mut StoreInner<T>;
        let f = (*inner).limiter.as_mut()?;
        let limiter: *mut dyn ResourceLimiter = f(&mut (*inner).data);
        Some(limiter)
    }
}

impl StoreCore {
    pub(crate) fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        if !self.engine.inner.config.consume_fuel {
            bail!("fuel is not configured in this store");
        }
        self.fuel = fuel.min(i64::MAX as u64) as i64;
        Ok(())
    }

    pub(crate) fn get_fuel(&self) -> Result<u64> {
        if !self.engine.inner.config.consume_fuel {
            bail!("fuel is not configured in this store");
        }
        Ok(self.fuel.max(0) as u64)
    }

    pub(crate) fn set_epoch_deadline(&mut self, ticks: u64) {
        let now = self.engine.inner.epoch.load(Ordering::Relaxed);
        self.epoch_deadline = now.saturating_add(ticks);
    }

    /// The store's resource limiter.
    pub(crate) fn limiter(&mut self) -> Option<&mut dyn ResourceLimiter> {
        let thunk = self.limiter?;
        // SAFETY: the thunk returns a limiter living in the store's data,
        // which outlives this borrow of the store.
        thunk(self.outer).map(|l| unsafe { &mut *l })
    }

    /// Checks the store may hold one more entity of a kind.
    pub(crate) fn check_count(&mut self, kind: &str, have: usize) -> Result<()> {
        let max = match self.limiter() {
            None => match kind {
                "instance" => limits::DEFAULT_INSTANCE_LIMIT,
                "table" => limits::DEFAULT_TABLE_LIMIT,
                _ => limits::DEFAULT_MEMORY_LIMIT,
            },
            Some(l) => match kind {
                "instance" => l.instances(),
                "table" => l.tables(),
                _ => l.memories(),
            },
        };
        if have >= max {
            bail!("resource limit exceeded: {kind} count too high at {}", have + 1);
        }
        Ok(())
    }

    pub(crate) fn new_memory(&mut self, ty: crate::types::MemoryType) -> Result<u32> {
        self.check_count("memory", self.memories.len())?;
        let page = ty.page_size() as usize;
        if ty.minimum() > ty.max_pages() {
            bail!("memory minimum size of {} pages exceeds memory limits", ty.minimum());
        }
        let bytes = ty.minimum() as usize * page;
        let max = ty.maximum().map(|m| m.min(ty.max_pages()) as usize * page);
        if let Some(l) = self.limiter()
            && !l.memory_growing(0, bytes, max)?
        {
            bail!("memory minimum size of {} pages exceeds memory limits", ty.minimum());
        }
        let m = if ty.is_shared() {
            MemoryEntity::from_shared(shared::SharedMemoryInner::new(ty)?)
        } else {
            MemoryEntity::new(ty)?
        };
        self.memories.push(Box::new(m));
        Ok(self.memories.len() as u32 - 1)
    }

    pub(crate) fn new_table(&mut self, ty: crate::types::TableType, init: u64) -> Result<u32> {
        self.check_count("table", self.tables.len())?;
        let n = ty.minimum() as usize;
        if let Some(l) = self.limiter()
            && !l.table_growing(0, n, ty.maximum().map(|m| m as usize))?
        {
            bail!("table minimum size of {n} elements exceeds table limits");
        }
        if n as u64 > MAX_TABLE_ELEMENTS {
            bail!("table minimum size of {n} elements is too large");
        }
        self.tables.push(Box::new(TableEntity { elems: vec![init; n], ty }));
        Ok(self.tables.len() as u32 - 1)
    }

    pub(crate) fn new_global(&mut self, ty: crate::types::GlobalType, value: u128) -> u32 {
        let value = [value as u64, (value >> 64) as u64].into();
        self.globals.push(Box::new(GlobalEntity { value, ty }));
        self.globals.len() as u32 - 1
    }

    /// Grows memory `m` by `delta` pages: the old size, or `None` if it
    /// cannot grow (past its maximum, the limiter's, or out of host memory).
    pub(crate) fn grow_memory(&mut self, m: *mut MemoryEntity, delta: u64) -> Result<Option<u64>> {
        // SAFETY: `m` is a memory of this store.
        let mem = unsafe { &mut *m };
        let old = mem.pages();
        let new = old + delta;
        if new > mem.max_pages() {
            return Ok(None);
        }
        let page = mem.ty.page_size() as usize;
        let (cur, want) = (mem.len(), new as usize * page);
        let max = mem.ty.maximum().map(|m| m.min(mem.ty.max_pages()) as usize * page);
        if let Some(l) = self.limiter()
            && !l.memory_growing(cur, want, max)?
        {
            return Ok(None);
        }
        // SAFETY: as above; the limiter does not touch memories.
        let mem = unsafe { &mut *m };
        if let Some(s) = &mem.shared {
            return Ok(s.grow(delta, mem.max_pages()));
        }
        if !mem.set_len(want) {
            if let Some(l) = self.limiter() {
                l.memory_grow_failed(anyhow!("failed to allocate {want} bytes"))?;
            }
            return Ok(None);
        }
        Ok(Some(old))
    }

    /// Grows table `t` by `delta` elements set to `init`: the old size, or
    /// `None` if it cannot grow.
    pub(crate) fn grow_table(
        &mut self,
        t: *mut TableEntity,
        delta: u64,
        init: u64,
    ) -> Result<Option<u64>> {
        // SAFETY: `t` is a table of this store.
        let table = unsafe { &mut *t };
        let old = table.elems.len() as u64;
        let new = old + delta;
        if new > table.max_elements() {
            return Ok(None);
        }
        let max = table.ty.maximum().map(|m| m as usize);
        if let Some(l) = self.limiter()
            && !l.table_growing(old as usize, new as usize, max)?
        {
            return Ok(None);
        }
        // SAFETY: as above.
        let table = unsafe { &mut *t };
        if table.elems.try_reserve_exact(delta as usize).is_err() {
            if let Some(l) = self.limiter() {
                l.table_grow_failed(anyhow!("failed to allocate {new} table elements"))?;
            }
            return Ok(None);
        }
        table.elems.resize(new as usize, init);
        Ok(Some(old))
    }

    fn stack(&mut self) -> &mut Stack {
        let max = self.engine.inner.config.max_wasm_stack;
        self.stack.get_or_insert_with(|| {
            // Zeroed, so that every slot below the top is initialised: the
            // exception collector reads them.
            let mut s = match fiber::FiberStack::new(max) {
                Ok(m) => Stack::Mapped(m),
                Err(_) => Stack::Heap {
                    slots: vec![0; max / 8],
                    frames: Vec::with_capacity(max / std::mem::size_of::<Frame>()),
                },
            };
            self.stack_top = s.slots();
            self.frames_top = s.frames();
            self.stack_limits = (s.slots_end(), s.frames_end());
            s
        })
    }

    /// Makes sure the main stack exists (before a fiber first runs: its
    /// pointers are what switching back restores).
    pub(crate) fn ensure_stack(&mut self) {
        self.stack();
    }

    /// Calls store function `func`: `write` puts the arguments in the slots,
    /// `read` takes the results from them.
    ///
    /// # Safety
    /// `self` must be the core of a live `StoreInner` (`self.outer`), and
    /// `write` must only write the function's parameters.
    pub(crate) unsafe fn invoke(
        &mut self,
        func: u32,
        write: &mut dyn FnMut(&mut [u64]),
        read: &mut dyn FnMut(&[u64]),
    ) -> Result<()> {
        if self.nesting >= MAX_NESTING {
            return Err(anyhow::Error::new(Trap::StackOverflow));
        }
        // On the stack running code is on: the main one, or a fiber's when
        // a host function called from a fiber calls back into wasm.
        self.stack();
        let (end, frames_end) = self.stack_limits;
        let fe = &self.funcs[func as usize];
        let base = self.stack_top;
        let (inst, code, slots) = match &fe.kind {
            FuncKind::Wasm { inst, code } => {
                // SAFETY: function entities name live instances and code.
                let (inst, code) = (*inst, unsafe { &**code });
                // SAFETY: as above.
                let c = code.compile(unsafe { &(*inst).module.inner })?;
                let ty = unsafe { (*inst).module.inner.func_type(code.index) };
                let slots = ty.call_slots().max(c.frame_bytes / 8);
                (inst, Some(c as *const crate::code::Compiled), slots)
            }
            FuncKind::Host(h) => (std::ptr::null(), None, h.slots),
        };
        if (end as usize - base as usize) / 8 < slots || self.frames_top == frames_end {
            return Err(anyhow::Error::new(Trap::StackOverflow));
        }
        // SAFETY: `slots` slots from `base` are inside the reserved stack.
        let args = unsafe { std::slice::from_raw_parts_mut(base, slots) };
        write(args);
        let saved = (self.stack_top, self.frames_top);
        self.nesting += 1;
        let result = match code {
            None => {
                let FuncKind::Host(h) = &self.funcs[func as usize].kind else { unreachable!() };
                let h = h.clone();
                // SAFETY: `base` has `h.slots` slots; nested calls start above.
                unsafe {
                    self.stack_top = base.add(h.slots);
                    let args = std::slice::from_raw_parts_mut(base, h.slots);
                    (h.call)(self.outer, std::ptr::null(), args)
                }
            }
            Some(c) => {
                // SAFETY: `c` is compiled code of `inst`'s module; the entry
                // frame makes its final return end the run.
                match unsafe { self.run_wasm(inst, &*c, base, end, frames_end) } {
                    Ok(None) => Ok(()),
                    Ok(Some(_)) => Err(anyhow!(
                        "wazi: a component-model thread tried to block where it cannot be suspended"
                    )),
                    Err(e) => Err(e),
                }
            }
        };
        self.nesting -= 1;
        self.stack_top = saved.0;
        self.frames_top = saved.1;
        result?;
        // SAFETY: as for `args`.
        read(unsafe { std::slice::from_raw_parts(base, slots) });
        Ok(())
    }

    /// Runs compiled function `c` of `inst` with its frame at `base` until
    /// it returns (`None`) or a host function parks it (the parked state).
    unsafe fn run_wasm(
        &mut self,
        inst: *const InstanceData,
        c: &crate::code::Compiled,
        base: Sp,
        end: Sp,
        frames_end: *mut Frame,
    ) -> Result<Option<fiber::Parked>> {
        // SAFETY: the caller checked there is room for a frame record.
        unsafe {
            let entry = self.frames_top;
            *entry = Frame { ip: EXIT.as_ptr() as Ip, sp: base, inst };
            let mut x = self.new_exec(inst, entry.add(1), end, frames_end);
            let (mem, len) = x.enter(inst);
            let flow = exec::run(c.entry(), base, mem, len, &mut x);
            self.finish_run(flow, x, entry)
        }
    }

    /// Executor state for an activation of `inst` whose next frame record
    /// is `frames`.
    fn new_exec(
        &mut self,
        inst: *const InstanceData,
        frames: *mut Frame,
        end: Sp,
        frames_end: *mut Frame,
    ) -> Exec {
        Exec {
            inst,
            globals: std::ptr::null(),
            frames,
            frames_end,
            stack_end: end,
            fuel: self.fuel,
            epoch: &self.engine.inner.epoch,
            epoch_deadline: self.epoch_deadline,
            store: self,
            host: self.outer,
            trap: TrapCode::UnreachableCodeReached,
            trap_ip: std::ptr::null(),
            error: None,
            unwound: Vec::new(),
            parked: (std::ptr::null_mut(), 0, 0, false),
            #[cfg(not(wazi_tail_dispatch))]
            regs: exec::Regs { ip: std::ptr::null(), sp: end, mem: std::ptr::null_mut(), len: 0 },
        }
    }

    /// What an activation that started with frame record `entry` ended with.
    fn finish_run(
        &mut self,
        flow: Flow,
        mut x: Exec,
        entry: *mut Frame,
    ) -> Result<Option<fiber::Parked>> {
        self.fuel = x.fuel;
        match flow {
            Flow::Done => Ok(None),
            // SAFETY: a parking host call wrote its caller's record at
            // `x.frames` (`call_host`).
            _ if x.trap == TrapCode::Suspend => Ok(Some(unsafe {
                fiber::Parked {
                    frames: x.frames,
                    rec: *x.frames,
                    args: x.parked.0,
                    slots: x.parked.1,
                    results: x.parked.2,
                    tail: x.parked.3,
                    entry,
                    end: x.stack_end,
                    frames_end: x.frames_end,
                }
            })),
            _ if x.trap == TrapCode::Exception => {
                let bt = self.backtrace(std::mem::take(&mut x.unwound));
                let e = anyhow::Error::new(ThrownException);
                Err(if bt.frames().is_empty() { e } else { e.context(bt) })
            }
            _ => Err(self.trap_error(&mut x, entry)),
        }
    }

    /// Turns a trap into an error carrying a wasm backtrace.
    fn trap_error(&self, x: &mut Exec, entry: *mut Frame) -> anyhow::Error {
        let mut ips = vec![(x.trap_ip as usize, false)];
        // SAFETY: frame records from the entry frame up to `x.frames` were
        // written by this activation.
        unsafe {
            let mut f = x.frames.sub(1);
            while f > entry {
                ips.push(((*f).ip as usize, true));
                f = f.sub(1);
            }
        }
        let bt = self.backtrace(ips);
        let error = match x.trap.to_trap() {
            Some(t) => anyhow::Error::new(t),
            None => x.error.take().unwrap_or_else(|| anyhow!("host function failed")),
        };
        if bt.frames().is_empty() { error } else { error.context(bt) }
    }

    /// The backtrace of instruction addresses `ips`, innermost first (each
    /// with whether it is a return address): every address is in a module
    /// instantiated in this store.
    fn backtrace(&self, ips: Vec<(usize, bool)>) -> WasmBacktrace {
        let mut seen = std::collections::HashSet::new();
        let mut modules: Vec<&crate::module::ModuleInner> = Vec::new();
        for inst in &self.instances {
            let m = &*inst.module.inner;
            if seen.insert(m as *const crate::module::ModuleInner) {
                modules.push(m);
            }
        }
        // Neighbouring frames are mostly in one module: look there first.
        let mut last = 0;
        let frames = ips
            .into_iter()
            .filter_map(|(ip, is_return)| {
                let order = std::iter::once(last).chain((0..modules.len()).filter(|&i| i != last));
                for i in order {
                    if let Some(f) = modules.get(i).and_then(|m| m.frame_at(ip, is_return)) {
                        last = i;
                        return Some(f);
                    }
                }
                None
            })
            .collect();
        WasmBacktrace::new(frames)
    }
}

/// `memory.grow` from running code: the old size in pages, or -1.
pub(crate) fn grow_memory_from_wasm(x: &mut Exec, idx: u32, delta: u32) -> Result<u32> {
    // SAFETY: the executor's instance and store are live; `idx` names a
    // memory of the instance (validated).
    unsafe {
        let m = (&(*x.inst).memories)[idx as usize];
        match (*x.store).grow_memory(m, delta as u64)? {
            Some(old) => Ok(old as u32),
            None => Ok(u32::MAX),
        }
    }
}

/// `table.grow` from running code: the old size, or -1.
pub(crate) fn grow_table_from_wasm(
    x: &mut Exec,
    t: *mut TableEntity,
    delta: u32,
    init: u64,
) -> Result<u32> {
    // SAFETY: the executor's store is live; `t` is one of its tables.
    unsafe {
        match (*x.store).grow_table(t, delta as u64, init)? {
            Some(old) => Ok(old as u32),
            None => Ok(u32::MAX),
        }
    }
}

// ---- contexts -------------------------------------------------------------

/// A shared borrow of a store.
pub struct StoreContext<'a, T>(pub(crate) &'a StoreInner<T>);

/// An exclusive borrow of a store.
pub struct StoreContextMut<'a, T>(pub(crate) &'a mut StoreInner<T>);

impl<T> StoreContext<'_, T> {
    /// The store's user data.
    pub fn data(&self) -> &T {
        &self.0.data
    }

    /// The store's engine.
    pub fn engine(&self) -> &Engine {
        &self.0.core.engine
    }

    /// The remaining fuel, as [`Store::get_fuel`].
    pub fn get_fuel(&self) -> Result<u64> {
        self.0.core.get_fuel()
    }
}

impl<T> StoreContextMut<'_, T> {
    /// The store's user data.
    pub fn data(&self) -> &T {
        &self.0.data
    }

    /// The store's user data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.0.data
    }

    /// The store's engine.
    pub fn engine(&self) -> &Engine {
        &self.0.core.engine
    }

    /// The remaining fuel, as [`Store::get_fuel`].
    pub fn get_fuel(&self) -> Result<u64> {
        self.0.core.get_fuel()
    }

    /// Sets the remaining fuel, as [`Store::set_fuel`].
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.0.core.set_fuel(fuel)
    }

    /// Sets the epoch deadline, as [`Store::set_epoch_deadline`].
    pub fn set_epoch_deadline(&mut self, ticks: u64) {
        self.0.core.set_epoch_deadline(ticks)
    }
}

/// Something that can be read as a store.
pub trait AsContext {
    /// The type of the store's user data.
    type Data;
    /// A shared borrow of the store.
    fn as_context(&self) -> StoreContext<'_, Self::Data>;
}

/// Something that can be used as a store.
pub trait AsContextMut: AsContext {
    /// An exclusive borrow of the store.
    fn as_context_mut(&mut self) -> StoreContextMut<'_, Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(&self.inner)
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(&mut self.inner)
    }
}

impl<T> AsContext for StoreContext<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}

impl<T> AsContext for StoreContextMut<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}

impl<T> AsContextMut for StoreContextMut<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.0)
    }
}

impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, C::Data> {
        (**self).as_context_mut()
    }
}

/// A handle to an entity of a particular store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Stored {
    pub store: u64,
    pub index: u32,
}

impl Stored {
    /// Checks the handle belongs to `core`'s store.
    #[track_caller]
    pub(crate) fn check(&self, core: &StoreCore) -> usize {
        assert_eq!(self.store, core.id, "object used with the wrong store");
        self.index as usize
    }
}
