//! The component model's async ABI: tasks and threads, waitables and
//! waitable sets, subtasks, streams, futures and error contexts, following
//! the `Concurrency.md` explainer and the async parts of `CanonicalABI.md`.
//!
//! Each call of an `async` function is a *task* whose implicit *thread*
//! runs on a fiber (`crate::store::fiber`): when it blocks (in
//! `waitable-set.wait`, a synchronous call of a blocked `async` callee, a
//! synchronous stream copy, ...) the built-in parks the fiber and control
//! returns to whoever resumed the thread, which for an `async`-lowered
//! caller means it gets a subtask to wait on. Threads that are waiting
//! carry a readiness condition ([`Cond`]); the store's event loop
//! ([`run_until`]) resumes the oldest ready one until what the host waits
//! for happens. Calls of functions that are not `async` keep running on
//! the caller's stack (they may not block: trying traps).
//!
//! Spec objects map onto slabs in [`AsyncState`]: handle-table entries of
//! an instance refer to them by id (`Slot::Async`). Where the spec leaves
//! a choice to the runtime (which ready thread runs, which pending event a
//! set delivers), wazi picks the oldest: runs are deterministic.

use super::abi::{Cx, What};
use super::abi_types::{FuncTy, MAX_FLAT_PARAMS, Ty};
use super::func::{ArgDest, Callee, LowerSite, ResultSrc};
use super::store::{
    ComponentStore, Components, InstanceId, LiftedFunc, Options, Resources, StringEncoding, Task,
};
use super::values::{self, Val};
use crate::func::Func as CoreFunc;
use crate::store::{FiberRun, HostFunc, StoreCore, StoreInner, Suspend};
use crate::trap::Trap;
use crate::types::{FuncType, ValType};
use anyhow::{Context, Result, anyhow, bail};
use std::sync::Arc;

pub(crate) type ThreadId = u32;
type ObjId = u32;

/// A readable end of a `future` held by the host (lifted from a component).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FutureAny(pub(crate) u32);

/// A readable end of a `stream` held by the host (lifted from a component).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StreamAny(pub(crate) u32);

/// An `error-context` value held by the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorContextAny(pub(crate) u32);

/// A slab: ids are reused after removal.
struct Slab<T> {
    items: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { items: Vec::new(), free: Vec::new() }
    }
}

impl<T> Slab<T> {
    fn insert(&mut self, t: T) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.items[i as usize] = Some(t);
                i
            }
            None => {
                self.items.push(Some(t));
                self.items.len() as u32 - 1
            }
        }
    }

    fn get(&self, i: u32) -> Option<&T> {
        self.items.get(i as usize).and_then(Option::as_ref)
    }

    fn get_mut(&mut self, i: u32) -> Option<&mut T> {
        self.items.get_mut(i as usize).and_then(Option::as_mut)
    }

    fn remove(&mut self, i: u32) -> Option<T> {
        let t = self.items.get_mut(i as usize).and_then(Option::take);
        if t.is_some() {
            self.free.push(i);
        }
        t
    }
}

// ---- events and waitables -------------------------------------------------

const EVENT_NONE: u32 = 0;
const EVENT_SUBTASK: u32 = 1;
const EVENT_STREAM_READ: u32 = 2;
const EVENT_STREAM_WRITE: u32 = 3;
const EVENT_FUTURE_READ: u32 = 4;
const EVENT_FUTURE_WRITE: u32 = 5;
const EVENT_TASK_CANCELLED: u32 = 6;

const COPY_COMPLETED: u32 = 0;
const COPY_DROPPED: u32 = 1;
const COPY_CANCELLED: u32 = 2;

/// The "blocked" return of async built-ins.
const BLOCKED: u32 = 0xffff_ffff;

/// A pending event, computed when it is delivered.
#[derive(Clone, Copy, Debug)]
enum Event {
    Subtask,
    Copy { result: u32, reclaim: bool },
}

/// What every waitable has.
struct Waitable {
    /// It has an entry in its set's ready queue.
    queued: bool,
    inst: InstanceId,
    /// Its index in `inst`'s handle table (0 until it is in the table).
    handle: u32,
    pending: Option<Event>,
    /// The waitable set it is in.
    set: Option<ObjId>,
    sync_waiter: bool,
}

impl Waitable {
    fn new(inst: InstanceId) -> Waitable {
        Waitable { queued: false, inst, handle: 0, pending: None, set: None, sync_waiter: false }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SubState {
    Starting = 0,
    Started = 1,
    Returned = 2,
    CancelledBeforeStarted = 3,
    CancelledBeforeReturned = 4,
}

impl Subtask {
    /// A subtask of a call from `site` with its core arguments `slots`.
    fn new_obj(site: &Arc<LowerSite>, slots: &[u64], state: SubState) -> Obj {
        Obj::Subtask(Subtask {
            w: Waitable::new(site.opts.instance),
            state,
            callee: None,
            lenders: Some(Vec::new()),
            cancel_requested: false,
            flat_results: Vec::new(),
            site: site.clone(),
            flat_args: slots[..site_core_params(site)].to_vec(),
            in_table: false,
        })
    }
}

impl SubState {
    fn resolved(self) -> bool {
        !matches!(self, SubState::Starting | SubState::Started)
    }
}

struct Subtask {
    w: Waitable,
    state: SubState,
    /// The callee's task (async callees).
    callee: Option<u32>,
    /// Own handles lent for `borrow` parameters; `None` once the
    /// resolution was delivered.
    lenders: Option<Vec<u32>>,
    cancel_requested: bool,
    /// Results of a synchronous lowering.
    flat_results: Vec<u64>,
    site: Arc<LowerSite>,
    flat_args: Vec<u64>,
    /// Whether the subtask is in the caller's handle table (progress is
    /// then reported as events).
    in_table: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum CopyState {
    Idle,
    Copying,
    CancellingCopy,
    Done,
}

/// A buffer of guest memory a stream or future copy reads or writes.
struct Buffer {
    opts: Options,
    resources: Resources,
    ty: Option<Ty>,
    ptr: u32,
    len: u32,
    progress: u32,
}

impl Buffer {
    fn remain(&self) -> u32 {
        self.len - self.progress
    }
}

/// The readable or writable end of a stream or future.
struct End {
    w: Waitable,
    shared: u32,
    future: bool,
    readable: bool,
    state: CopyState,
    buffer: Option<Buffer>,
}

impl End {
    fn kind(&self) -> &'static str {
        if self.future { "future" } else { "stream" }
    }

    fn event_code(&self) -> u32 {
        match (self.future, self.readable) {
            (false, true) => EVENT_STREAM_READ,
            (false, false) => EVENT_STREAM_WRITE,
            (true, true) => EVENT_FUTURE_READ,
            (true, false) => EVENT_FUTURE_WRITE,
        }
    }

    fn copying(&self) -> bool {
        matches!(self.state, CopyState::Copying | CopyState::CancellingCopy)
    }
}

/// What both ends of a stream or future share.
struct Shared {
    future: bool,
    ty: Option<Ty>,
    /// Made by the host: the element type is taken from the first
    /// lowering into a component.
    untyped: bool,
    dropped: bool,
    /// The end whose copy waits for the other side.
    pending: Option<ObjId>,
    /// The host's end, if the host holds one.
    host: Option<HostSide>,
    /// Distinguishes this state from later ones in the same slab slot
    /// (host-held ids outlive the state when a guest drops its end).
    serial: u64,
}

/// A host callback getting the store (`StoreInner<T>`) it runs in.
/// Takes what it can of the bytes given: how many (0: none yet), or
/// `None` once it takes no more (the host's reader is gone).
type HostSink = dyn FnMut(*mut (), &[u8]) -> Result<Option<usize>> + Send + Sync;
type HostEnd = dyn FnOnce(*mut ()) -> Result<()> + Send + Sync;
type HostSource = dyn FnMut(*mut (), usize) -> Result<Option<Vec<u8>>> + Send + Sync;

/// The host's end of a stream or future.
enum HostSide {
    /// The host reads a `stream<u8>` the guest writes: `sink` takes what
    /// it can of each write (the write completes with that many; if none,
    /// it waits and the event loop offers it again), `end` runs when the
    /// writer drops its end.
    Sink { sink: Box<HostSink>, end: Option<Box<HostEnd>> },
    /// The host writes a `stream<u8>`: `source(max)` gives up to `max`
    /// bytes when the guest reads, `None` at the end.
    Source(Box<HostSource>),
    /// The host writes a stream of other values: `source(max)` gives up to
    /// `max` of them, `None` at the end.
    Values(Box<HostValues>),
    /// The host writes the future's value (`None`: not yet).
    Value(Option<Val>),
    /// The host reads a future the guest writes: `sink` takes the value
    /// (`None` for a future without one).
    FutureSink(Box<HostFutureSink>),
    /// A byte stream the host made and then took back to read: the event
    /// loop moves what `source` gives to `sink`, and runs `end` at its end.
    Forward {
        source: Box<HostSource>,
        sink: Box<HostSink>,
        end: Option<Box<HostEnd>>,
        /// Bytes from `source` that `sink` had no room for yet.
        held: Vec<u8>,
    },
    /// A future the host made and then took back to read: `sink` gets the
    /// value when the host writes it.
    ValueSink(Box<HostFutureSink>),
    /// A future whose value the host gives when asked (`None`: not yet;
    /// asked again by the event loop while a guest waits to read it).
    ValuePoll(Box<HostValuePoll>),
    /// A polled future the host took back to read: the loop moves its
    /// value to `sink` once there is one.
    PollForward { poll: Box<HostValuePoll>, sink: Box<HostFutureSink> },
}

type HostValuePoll = dyn FnMut(*mut ()) -> Result<Option<Val>> + Send + Sync;

type HostFutureSink = dyn FnOnce(*mut (), Option<Val>) -> Result<()> + Send + Sync;

type HostValues = dyn FnMut(*mut (), usize) -> Result<Option<Vec<Val>>> + Send + Sync;

struct WaitableSet {
    elems: std::collections::HashSet<ObjId>,
    /// Members that got an event, oldest first (entries whose event was
    /// taken, or that left the set, are skipped when met).
    ready: std::collections::VecDeque<ObjId>,
    num_waiting: u32,
}

enum Obj {
    Set(WaitableSet),
    Subtask(Subtask),
    End(End),
    ErrorContext(u32),
}

impl Obj {
    fn waitable(&self) -> Option<&Waitable> {
        match self {
            Obj::Subtask(s) => Some(&s.w),
            Obj::End(e) => Some(&e.w),
            _ => None,
        }
    }

    fn waitable_mut(&mut self) -> Option<&mut Waitable> {
        match self {
            Obj::Subtask(s) => Some(&mut s.w),
            Obj::End(e) => Some(&mut e.w),
            _ => None,
        }
    }
}

// ---- tasks and threads ----------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum TaskState {
    Initial,
    Started,
    PendingCancel,
    CancelDelivered,
    Resolved,
}

/// Who called a task.
enum CallerSide {
    /// The host: the arguments, then the result (in `AsyncState::host_calls`).
    Host { params: Option<Vec<Val>>, result: u32 },
    /// A lowered import: the caller's subtask.
    Guest(ObjId),
}

/// Lowers a typed host call's arguments into the callee.
pub(crate) type LowerArgsFor<'a> = Box<dyn FnOnce(&mut Cx<'_>, ArgDest<'_>) -> Result<()> + 'a>;
/// Lifts a typed host call's result from the callee, keeping it.
pub(crate) type LiftResultFor<'a> = Box<dyn FnOnce(&mut Cx<'_>, ResultSrc<'_>) -> Result<()> + 'a>;
type LowerArgs = LowerArgsFor<'static>;
type LiftResult = LiftResultFor<'static>;

/// A call of an `async` function by the host.
#[derive(Default)]
struct FromHost {
    /// For a typed call ([`call_typed_from_host`]): what writes the
    /// arguments (taken when the task starts) and what takes the result
    /// (taken when it returns), instead of [`Val`]s.
    lower: Option<CallLocal<LowerArgs>>,
    lift: Option<CallLocal<LiftResult>>,
    /// The result (`Some(None)` for none, or a typed call's), once the
    /// task returned.
    result: Option<Option<Val>>,
}

/// What a typed host call keeps in the store while it runs.
struct CallLocal<T>(T);

// SAFETY: a typed host call's closures are in the store only while the
// call runs ([`call_typed_from_host`]), which holds the store borrowed
// mutably: no other thread can reach them meanwhile, and the store moves
// between threads only after they are gone.
unsafe impl<T> Send for CallLocal<T> {}
// SAFETY: as for `Send`; they are only ever used through `&mut`.
unsafe impl<T> Sync for CallLocal<T> {}

/// A task's arguments, as its caller gives them.
enum Args {
    Vals(Vec<Val>),
    Typed(LowerArgs),
}

/// The async state of a task.
pub(crate) struct AsyncTask {
    func: Arc<LiftedFunc>,
    caller: CallerSide,
    caller_inst: Option<InstanceId>,
    state: TaskState,
    implicit: ThreadId,
    threads: Vec<ThreadId>,
}

/// When a waiting thread may go on.
#[derive(Clone, Copy, Debug)]
enum Cond {
    Always,
    /// The instance's exclusive lock is free.
    NotExclusive(InstanceId),
    /// A task may enter the instance (backpressure gate).
    NoBackpressure {
        inst: InstanceId,
        exclusive: bool,
    },
    SubtaskResolved(ObjId),
    HasEvent(ObjId),
    /// The set has a pending event (and, for the callback loop, the
    /// instance's exclusive lock is free).
    SetHasEvent {
        set: ObjId,
        not_exclusive: Option<InstanceId>,
    },
}

enum ThreadState {
    Running,
    Suspended,
    Waiting(Cond),
}

/// What a fiber of a thread runs, which decides what its return means.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Entry,
    Callback,
    Explicit,
}

type After = Box<dyn FnOnce(&mut StoreCore, bool, &mut [u64]) -> Result<()> + Send + Sync>;

/// What a thread does when it is resumed.
enum Next {
    /// Start the task (the backpressure gate, then the core function).
    Start,
    /// Passed the gate's wait.
    Gate,
    /// Its fiber is parked in a built-in: finish the built-in, then resume.
    Resume(After),
    /// The callback loop waits on a set (`None`: it yielded).
    Callback(Option<u32>),
    /// An explicit thread not started yet: calls `func(arg)`.
    Explicit { func: u32, arg: u64 },
    /// A thread on the native stack (a synchronous call's): resuming it
    /// only marks it running; the loop it blocks in notices.
    Native,
    /// Nothing (running or finished).
    None,
}

impl Thread {
    fn new(
        task: u32,
        inst: InstanceId,
        fiber: Option<u32>,
        state: ThreadState,
        next: Next,
        phase: Phase,
    ) -> Thread {
        Thread {
            task,
            inst,
            fiber,
            state,
            cancellable: false,
            index: 0,
            storage: [0; 2],
            next,
            phase,
        }
    }
}

struct Thread {
    task: u32,
    inst: InstanceId,
    fiber: Option<u32>,
    state: ThreadState,
    cancellable: bool,
    /// Index in the instance's `threads` table.
    index: u32,
    storage: [u64; 2],
    next: Next,
    phase: Phase,
}

/// The store's async state.
#[derive(Default)]
pub(crate) struct AsyncState {
    objs: Slab<Obj>,
    threads: Slab<Thread>,
    shared: Slab<Shared>,
    /// Error contexts: their debug messages and how many handles name them.
    errors: Slab<(String, u32)>,
    /// The host's calls of async functions.
    host_calls: Slab<FromHost>,
    current: Option<ThreadId>,
    /// The thread a parking built-in switches to.
    switch_to: Option<ThreadId>,
    /// Waiting threads, oldest first.
    waiting: Vec<ThreadId>,
    /// Host calls still running (their callers' subtasks).
    host_pending: Vec<PendingHost>,
    /// When the first of them is due (`None`: none is pending).
    host_due: Option<std::time::Instant>,
    /// The last serial given to a host-made stream or future.
    next_serial: u64,
    /// Host-written streams a guest waits to read from whose source had
    /// nothing yet: asked again on every turn of the event loop.
    host_sources: Vec<u32>,
    /// The host source or call being asked for what it has (see
    /// [`ready_when_readable`]).
    asking: Option<Asked>,
    /// How the sources and calls that last had nothing will show they
    /// have something: `Some((fd, writable))` once the descriptor is
    /// readable (or writable), `None` by waking the loop. The loop waits
    /// for those, not a tick, when all of them have said.
    armed: Vec<(Asked, Option<(i32, bool)>)>,
    /// What ends the event loop's wait for the host early.
    waker: LoopWaker,
}

/// A host stream's source (by its shared state) or a host call (by its
/// subtask) the event loop asks again.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Asked {
    Source(u32),
    Call(ObjId),
}

/// Wakes a store's event loop from its wait for the host (a timer, a host
/// stream with nothing yet, a pending host call), from any thread: for a
/// host whose I/O becomes ready, so that the loop asks again at once
/// instead of at its next turn. It also converts into a
/// [`std::task::Waker`].
#[derive(Clone, Default)]
pub struct LoopWaker(Arc<WakeState>);

#[derive(Default)]
struct WakeState {
    woken: std::sync::Mutex<bool>,
    cv: std::sync::Condvar,
    /// Written on each wake once made (Linux): for a wait that also
    /// watches descriptors.
    #[cfg(target_os = "linux")]
    event: std::sync::OnceLock<std::os::fd::OwnedFd>,
}

impl LoopWaker {
    /// Ends the loop's current (or next) wait.
    pub fn wake(&self) {
        std::task::Wake::wake_by_ref(&self.0);
    }

    /// Waits for `d` (`None`: as long as it takes) or until woken, or
    /// until one of `fds` is readable.
    fn wait(&self, d: Option<std::time::Duration>, fds: &[(i32, bool)]) {
        #[cfg(target_os = "linux")]
        if !fds.is_empty() {
            return self.wait_fds(d, fds);
        }
        // Elsewhere descriptors are not watched: they are asked again soon.
        let tick = std::time::Duration::from_millis(1);
        let d = if fds.is_empty() { d } else { Some(d.map_or(tick, |d| d.min(tick))) };
        let mut woken = self.0.woken.lock().unwrap_or_else(|e| e.into_inner());
        while !*woken {
            match d {
                Some(d) => {
                    woken = self.0.cv.wait_timeout(woken, d).unwrap_or_else(|e| e.into_inner()).0;
                    break;
                }
                None => woken = self.0.cv.wait(woken).unwrap_or_else(|e| e.into_inner()),
            }
        }
        *woken = false;
    }

    #[cfg(target_os = "linux")]
    fn wait_fds(&self, d: Option<std::time::Duration>, fds: &[(i32, bool)]) {
        use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
        let event = self.0.event.get_or_init(|| {
            // SAFETY: eventfd has no memory arguments; a new descriptor is
            // owned here, and a failure (-1) panics rather than being owned.
            let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
            assert!(fd >= 0, "eventfd: {}", std::io::Error::last_os_error());
            // SAFETY: `fd` was just created and is owned by nothing else.
            unsafe { OwnedFd::from_raw_fd(fd) }
        });
        // A wake before the descriptor existed, or since the last wait.
        if std::mem::take(&mut *self.0.woken.lock().unwrap_or_else(|e| e.into_inner())) {
            return;
        }
        let mut polled: Vec<libc::pollfd> = std::iter::once((event.as_raw_fd(), false))
            .chain(fds.iter().copied())
            .map(|(fd, out)| libc::pollfd {
                fd,
                events: if out { libc::POLLOUT } else { libc::POLLIN },
                revents: 0,
            })
            .collect();
        let ms = d.map_or(-1, |d| d.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32);
        // SAFETY: `polled` is a live array of `polled.len()` pollfds. An
        // error (EINTR) only ends the wait early: the loop asks again.
        unsafe { libc::poll(polled.as_mut_ptr(), polled.len() as libc::nfds_t, ms) };
        let mut count = 0u64;
        // SAFETY: reads 8 bytes into `count` from the nonblocking eventfd
        // (EAGAIN when it was not written).
        unsafe { libc::read(event.as_raw_fd(), (&raw mut count).cast(), 8) };
        *self.0.woken.lock().unwrap_or_else(|e| e.into_inner()) = false;
    }
}

impl std::task::Wake for WakeState {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        *self.woken.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cv.notify_all();
        #[cfg(target_os = "linux")]
        if let Some(event) = self.event.get() {
            let one = 1u64;
            // SAFETY: writes 8 bytes from `one` to the eventfd; a full
            // counter (EAGAIN) still leaves it readable.
            unsafe {
                libc::write(std::os::fd::AsRawFd::as_raw_fd(event), (&raw const one).cast(), 8)
            };
        }
    }
}

impl From<LoopWaker> for std::task::Waker {
    fn from(w: LoopWaker) -> std::task::Waker {
        std::task::Waker::from(w.0)
    }
}

/// The waker of `store`'s event loop.
pub fn loop_waker(mut store: impl crate::AsContextMut) -> LoopWaker {
    store.as_context_mut().0.core.ext.components_mut().a.waker.clone()
}

/// Called by a host stream's source or a pending host call that has
/// nothing yet: it will have something once `fd` is readable (or at its
/// end, or in error), so the event loop may wait for that instead of
/// asking again every millisecond. `fd` must stay open while the source or
/// call lives. Outside a source or a pending call's poll, nothing happens.
#[cfg(unix)]
pub fn ready_when_readable(mut store: impl crate::AsContextMut, fd: std::os::fd::BorrowedFd<'_>) {
    use std::os::fd::AsRawFd;
    arm(&mut store.as_context_mut().0.core, Some((fd.as_raw_fd(), false)));
}

/// As [`ready_when_readable`], for a source or call waiting to write (a
/// connection being made, a full socket buffer).
#[cfg(unix)]
pub fn ready_when_writable(mut store: impl crate::AsContextMut, fd: std::os::fd::BorrowedFd<'_>) {
    use std::os::fd::AsRawFd;
    arm(&mut store.as_context_mut().0.core, Some((fd.as_raw_fd(), true)));
}

/// Called by a host stream's source or a pending host call that has
/// nothing yet: it will wake the loop ([`loop_waker`]) when it has
/// something, so the loop need not ask it again until then.
pub fn ready_when_woken(mut store: impl crate::AsContextMut) {
    arm(&mut store.as_context_mut().0.core, None);
}

fn arm(core: &mut StoreCore, fd: Option<(i32, bool)>) {
    let a = &mut core.ext.components_mut().a;
    if let Some(k) = a.asking {
        a.armed.push((k, fd));
    }
}

impl AsyncState {
    /// Forgets what `k` armed: before it is asked again, and when its id
    /// (a slab's, reused) is given to a new stream or call.
    fn disarm(&mut self, k: Asked) {
        self.armed.retain(|(j, _)| *j != k);
    }
}

/// Asks source or call `k` with `f`: what it arms is recorded for it,
/// replacing what it armed before.
fn asking<R>(core: &mut StoreCore, k: Asked, f: impl FnOnce(*mut ()) -> R) -> R {
    core.ext.components_mut().a.disarm(k);
    asking_too(core, k, f)
}

/// As [`asking`], adding to what `k` armed (a host-to-host stream asks
/// both its source and its sink in one turn).
fn asking_too<R>(core: &mut StoreCore, k: Asked, f: impl FnOnce(*mut ()) -> R) -> R {
    core.ext.components_mut().a.asking = Some(k);
    let r = f(core.outer);
    core.ext.components_mut().a.asking = None;
    r
}

/// A host function call that has not finished: `poll` gives its result
/// once there is one; it is tried again at `deadline` (or soon, without
/// one) when nothing else can run.
struct PendingHost {
    sub: ObjId,
    deadline: Option<std::time::Instant>,
    poll: Box<HostPoll>,
}

type HostPoll = dyn FnMut(*mut ()) -> Result<Option<Option<Val>>> + Send + Sync;
type TypedPoll<T> =
    dyn FnMut(crate::StoreContextMut<'_, T>) -> Result<Option<Option<Val>>> + Send + Sync;

/// What a concurrent host function ([`crate::component::LinkerInstance::func_new_concurrent`])
/// returns when called.
pub enum HostCall<T> {
    /// The call is done: its result (`None` for a function without one).
    Ready(Option<Val>),
    /// The call goes on: the caller waits (an `async`-lowered caller gets
    /// a subtask) while other tasks run.
    Pending(HostPending<T>),
}

/// What a typed concurrent host function
/// ([`crate::component::LinkerInstance::func_wrap_concurrent`]) returns
/// when called: its result at once, or a call that goes on (whose result
/// the [`HostPending`] gives as a [`Val`] when it is done).
pub enum HostAsync<T, R> {
    /// The call is done: its result.
    Ready(R),
    /// The call goes on: the caller waits while other tasks run.
    Pending(HostPending<T>),
}

impl<T, R> HostAsync<T, R> {
    /// Maps a ready result.
    pub fn map<S>(self, f: impl FnOnce(R) -> S) -> HostAsync<T, S> {
        match self {
            HostAsync::Ready(r) => HostAsync::Ready(f(r)),
            HostAsync::Pending(p) => HostAsync::Pending(p),
        }
    }
}

/// A host call that goes on after the host function returned.
pub struct HostPending<T> {
    deadline: Option<std::time::Instant>,
    poll: Box<TypedPoll<T>>,
}

impl<T: 'static> HostPending<T> {
    /// A call that finishes when `poll` gives its result (`Some(result)`),
    /// polled at `deadline` if given, else whenever the store's event loop
    /// has nothing else to do: every millisecond, or, once `poll` has
    /// said what it waits for ([`ready_when_readable`],
    /// [`ready_when_writable`], [`ready_when_woken`]), when that happens.
    pub fn new(
        deadline: Option<std::time::Instant>,
        poll: impl FnMut(crate::StoreContextMut<'_, T>) -> Result<Option<Option<Val>>>
        + Send
        + Sync
        + 'static,
    ) -> HostPending<T> {
        HostPending { deadline, poll: Box::new(poll) }
    }

    /// A call that finishes when `future` does: an `async` host function.
    /// The store's event loop polls it, with a waker that wakes the loop
    /// ([`loop_waker`]), first when the call is made and then each time it
    /// is woken, and meanwhile runs the store's other tasks or waits. The
    /// future must not borrow the store: take what it needs from the store
    /// before making it. A future of tokio's (its timers, sockets) needs a
    /// multi-threaded tokio runtime entered (`Runtime::enter`) on the
    /// thread that runs the store, whose workers drive tokio's I/O and
    /// timers and wake the loop.
    pub fn from_future(
        future: impl std::future::Future<Output = Result<Option<Val>>> + Send + 'static,
    ) -> HostPending<T> {
        // In a mutex only to be `Sync`, which the poll closure must be:
        // the loop polls it from one thread at a time.
        let future = std::sync::Mutex::new(Box::pin(future));
        HostPending::new(None, move |mut s| {
            let waker = std::task::Waker::from(loop_waker(&mut s));
            let mut cx = std::task::Context::from_waker(&waker);
            let mut future = future.lock().unwrap_or_else(|e| e.into_inner());
            match future.as_mut().poll(&mut cx) {
                std::task::Poll::Ready(r) => r.map(Some),
                std::task::Poll::Pending => {
                    ready_when_woken(&mut s);
                    Ok(None)
                }
            }
        })
    }

    /// A call that finishes with `result` at `deadline`.
    pub fn at(deadline: std::time::Instant, result: Option<Val>) -> HostPending<T> {
        let mut result = Some(result);
        HostPending::new(Some(deadline), move |_| {
            Ok(if std::time::Instant::now() >= deadline { result.take() } else { None })
        })
    }
}

/// A concurrent host call made from `site` is pending: the caller gets a
/// subtask (async lowering) or waits for it.
pub(crate) fn host_pending<T: 'static>(
    core: &mut StoreCore,
    site: &Arc<LowerSite>,
    slots: &mut [u64],
    p: HostPending<T>,
    lenders: Vec<u32>,
) -> Result<()> {
    let caller = site.opts.instance;
    let mut obj = Subtask::new_obj(site, slots, SubState::Started);
    // The call's `borrow` arguments stay lent until it resolves.
    if let Obj::Subtask(s) = &mut obj {
        s.lenders = Some(lenders);
    }
    let sub = core.ext.components_mut().a.objs.insert(obj);
    let mut poll = p.poll;
    // SAFETY: the engine calls it with the `StoreInner<T>` of this store.
    let poll = move |outer: *mut ()| {
        poll(crate::StoreContextMut(unsafe { &mut *(outer as *mut StoreInner<T>) }))
    };
    let comps = core.ext.components_mut();
    let due = p.deadline.unwrap_or_else(std::time::Instant::now);
    comps.a.host_due = Some(comps.a.host_due.map_or(due, |d| d.min(due)));
    comps.a.disarm(Asked::Call(sub));
    comps.a.host_pending.push(PendingHost { sub, deadline: p.deadline, poll: Box::new(poll) });
    if site.opts.async_ {
        let Obj::Subtask(s) = comps.obj(sub) else { unreachable!() };
        s.in_table = true;
        let i = comps.add_handle(caller, sub)?;
        slots[0] = SubState::Started as u64 | ((i as u64) << 4);
        return Ok(());
    }
    let finish = move |core: &mut StoreCore, _: bool, slots: &mut [u64]| {
        let comps = core.ext.components_mut();
        let Some(Obj::Subtask(s)) = comps.a.objs.remove(sub) else { unreachable!() };
        for i in s.lenders.into_iter().flatten() {
            comps.instances[caller as usize].handles.undo_lend(i);
        }
        if let Some(&r) = s.flat_results.first() {
            slots[0] = r;
        }
        Ok(())
    };
    let on_fiber = comps
        .a
        .current
        .is_some_and(|t| comps.a.threads.get(t).is_some_and(|th| th.fiber.is_some()));
    if on_fiber && core.can_park() {
        return block_on(core, slots, Cond::SubtaskResolved(sub), false, finish);
    }
    // Nothing can run meanwhile: wait for this call here.
    while !core.ext.components_mut().ready(Cond::SubtaskResolved(sub)) {
        wait_host(core, Some(sub))?;
    }
    finish(core, false, slots)
}

/// Polls the pending host calls that may be done (`only`: just that
/// caller's), first sleeping until the earliest deadline if none is due;
/// finished calls resolve their subtasks.
fn wait_host(core: &mut StoreCore, only: Option<ObjId>) -> Result<()> {
    let comps = core.ext.components_mut();
    let now = std::time::Instant::now();
    let mine = |p: &PendingHost| only.is_none_or(|o| o == p.sub);
    let next = comps.a.host_pending.iter().filter(|p| mine(p)).filter_map(|p| p.deadline).min();
    let sources = only.is_none() && !comps.a.host_sources.is_empty();
    // What the host sources and calls waited on said they will be ready
    // on; those that said nothing are asked again every millisecond.
    let a = &comps.a;
    let mut fds = Vec::new();
    let mut unarmed = false;
    let mut watch = |k: Asked, timed: bool| {
        let mut said = false;
        for (j, fd) in &a.armed {
            if *j == k {
                said = true;
                fds.extend(*fd);
            }
        }
        unarmed |= !said && !timed;
    };
    if sources {
        a.host_sources.iter().for_each(|&s| watch(Asked::Source(s), false));
    }
    for p in a.host_pending.iter().filter(|p| mine(p)) {
        watch(Asked::Call(p.sub), p.deadline.is_some());
    }
    let tick = unarmed.then_some(std::time::Duration::from_millis(1));
    let waker = a.waker.clone();
    match next {
        Some(d) if d > now => waker.wait(Some(tick.map_or(d - now, |t| (d - now).min(t))), &fds),
        Some(_) => {}
        None if sources || comps.a.host_pending.iter().any(mine) => waker.wait(tick, &fds),
        None => bail!(trap("deadlock detected: event loop cannot make further progress")),
    }
    if sources {
        poll_sources(core)?;
    }
    poll_host(core, only)
}

/// Polls the pending host calls that are due (`only`: that caller's).
fn poll_host(core: &mut StoreCore, only: Option<ObjId>) -> Result<()> {
    let now = std::time::Instant::now();
    if only.is_none() && core.ext.components_mut().a.host_due.is_none_or(|d| d > now) {
        return Ok(());
    }
    let mut i = 0;
    loop {
        let comps = core.ext.components_mut();
        let Some(p) = comps.a.host_pending.get_mut(i) else {
            // When the next of those left is due.
            let a = &mut comps.a;
            a.host_due = a.host_pending.iter().map(|p| p.deadline.unwrap_or(now)).min();
            return Ok(());
        };
        if only.is_some_and(|o| o != p.sub) || p.deadline.is_some_and(|d| d > now) {
            i += 1;
            continue;
        }
        let mut pending = comps.a.host_pending.swap_remove(i);
        match asking(core, Asked::Call(pending.sub), |outer| (pending.poll)(outer))? {
            Some(v) => resolve_subtask(core, pending.sub, Some(v))?,
            None => {
                if pending.deadline.is_some_and(|d| d <= now) {
                    pending.deadline = None;
                }
                let comps = core.ext.components_mut();
                comps.a.host_pending.push(pending);
                let last = comps.a.host_pending.len() - 1;
                comps.a.host_pending.swap(i, last);
                i += 1;
            }
        }
    }
}

fn trap(msg: &str) -> anyhow::Error {
    anyhow!("wasm trap: {msg}")
}

impl ComponentStore {
    fn obj(&mut self, o: ObjId) -> &mut Obj {
        self.a.objs.get_mut(o).expect("live async object")
    }

    fn thread(&mut self, t: ThreadId) -> &mut Thread {
        self.a.threads.get_mut(t).expect("live thread")
    }

    fn atask(&mut self, t: u32) -> &mut AsyncTask {
        self.tasks[t as usize].a.as_mut().expect("async task")
    }

    fn current_thread(&self) -> Result<ThreadId> {
        self.a
            .current
            .ok_or_else(|| anyhow!("wazi: an async built-in was called outside of a task"))
    }

    /// The async object at handle `i` of `inst`.
    fn handle(&self, inst: InstanceId, i: u32) -> Result<ObjId> {
        self.instances[inst as usize].handles.get_async(i).map_err(|e| trap(&e.to_string()))
    }

    fn add_handle(&mut self, inst: InstanceId, o: ObjId) -> Result<u32> {
        let i = self.instances[inst as usize].handles.insert_async(o)?;
        if let Some(w) = self.obj(o).waitable_mut() {
            w.handle = i;
        }
        Ok(i)
    }

    fn ready(&self, c: Cond) -> bool {
        let objs = &self.a.objs;
        let has_event =
            |o: ObjId| objs.get(o).and_then(Obj::waitable).is_some_and(|w| w.pending.is_some());
        match c {
            Cond::Always => true,
            Cond::NotExclusive(i) => self.instances[i as usize].exclusive.is_none(),
            Cond::NoBackpressure { inst, exclusive } => {
                let s = &self.instances[inst as usize];
                s.backpressure == 0 && !(exclusive && s.exclusive.is_some())
            }
            Cond::SubtaskResolved(o) => {
                matches!(objs.get(o), Some(Obj::Subtask(s)) if s.state.resolved())
            }
            Cond::HasEvent(o) => has_event(o),
            Cond::SetHasEvent { set, not_exclusive } => {
                not_exclusive.is_none_or(|i| self.instances[i as usize].exclusive.is_none())
                    && matches!(objs.get(set), Some(Obj::Set(s)) if s.ready.iter().any(|&e| {
                        objs.get(e).and_then(Obj::waitable).is_some_and(|w| w.pending.is_some() && w.set == Some(set))
                    }))
            }
        }
    }

    fn start_waiting(&mut self, t: ThreadId, cond: Cond, cancellable: bool, next: Next) {
        let th = self.thread(t);
        th.state = ThreadState::Waiting(cond);
        th.cancellable = cancellable;
        th.next = next;
        self.a.waiting.push(t);
    }

    fn stop_waiting(&mut self, t: ThreadId) {
        self.a.waiting.retain(|&w| w != t);
    }

    /// Sets `o`'s pending event (and queues it in its set).
    fn set_event(&mut self, o: ObjId, e: Event) {
        let Some(w) = self.obj(o).waitable_mut() else { return };
        w.pending = Some(e);
        if let (false, Some(set)) = (w.queued, w.set) {
            w.queued = true;
            self.queue_ready(set, o);
        }
    }

    fn queue_ready(&mut self, set: ObjId, o: ObjId) {
        if let Some(Obj::Set(s)) = self.a.objs.get_mut(set) {
            s.ready.push_back(o);
        }
    }
}

// ---- the scheduler --------------------------------------------------------

/// Runs thread `t` until it blocks or finishes (`Thread.resume`).
fn resume(core: &mut StoreCore, t: ThreadId, cancelled: bool) -> Result<()> {
    let comps = core.ext.components_mut();
    comps.stop_waiting(t);
    comps.thread(t).state = ThreadState::Running;
    let prev = comps.a.current.replace(t);
    let mut r = drive(core, t, cancelled);
    // A thread that parked to switch to another: run that one now.
    while r.is_ok() {
        let comps = core.ext.components_mut();
        let Some(o) = comps.a.switch_to.take() else { break };
        comps.stop_waiting(o);
        comps.thread(o).state = ThreadState::Running;
        comps.a.current = Some(o);
        r = drive(core, o, false);
    }
    core.ext.components_mut().a.current = prev;
    r
}

/// Resumes `t` from the event loop, entering its instance as the host.
fn tick(core: &mut StoreCore, t: ThreadId) -> Result<()> {
    let comps = core.ext.components_mut();
    let inst = comps.thread(t).inst;
    let entering = comps.entering_set(inst, None);
    for &i in &entering {
        comps.instances[i as usize].may_enter = false;
    }
    resume(core, t, false)?;
    for &i in &entering {
        core.ext.components_mut().instances[i as usize].may_enter = true;
    }
    Ok(())
}

/// The oldest waiting thread that is ready and whose instance may be
/// entered, if any.
fn next_ready(comps: &ComponentStore) -> Option<ThreadId> {
    comps.a.waiting.iter().copied().find(|&t| {
        let th = comps.a.threads.get(t).expect("live thread");
        let ThreadState::Waiting(c) = th.state else { return false };
        comps.ready(c)
            && comps
                .entering_set(th.inst, None)
                .iter()
                .all(|&i| comps.instances[i as usize].may_enter)
    })
}

/// Whether some waiting thread is ready to go on (wherever it is).
fn any_ready(comps: &ComponentStore) -> bool {
    comps.a.waiting.iter().any(|&t| {
        matches!(comps.a.threads.get(t).map(|th| &th.state), Some(ThreadState::Waiting(c)) if comps.ready(*c))
    })
}

/// The event loop: resumes ready threads until `done` holds.
fn run_until(core: &mut StoreCore, mut done: impl FnMut(&mut StoreCore) -> bool) -> Result<()> {
    loop {
        if done(core) {
            return Ok(());
        }
        if !core.ext.components_mut().a.host_pending.is_empty() {
            poll_host(core, None)?;
        }
        if !core.ext.components_mut().a.host_sources.is_empty() {
            poll_sources(core)?;
        }
        if done(core) {
            return Ok(());
        }
        let comps = core.ext.components_mut();
        match next_ready(comps) {
            Some(t) => tick(core, t)?,
            None => wait_host(core, None)?,
        }
    }
}

/// Blocks the current thread in a built-in until `cond` holds, then runs
/// `after` with the built-in's slots (`Thread.wait_until`). On a fiber the
/// thread parks (the built-in returns [`Suspend`]); elsewhere it cannot
/// block and traps, unless `cond` already holds. `switch`: give other
/// threads a turn even if `cond` holds (`yield`).
fn block_on(
    core: &mut StoreCore,
    slots: &mut [u64],
    cond: Cond,
    switch: bool,
    after: impl FnOnce(&mut StoreCore, bool, &mut [u64]) -> Result<()> + Send + Sync + 'static,
) -> Result<()> {
    let comps = core.ext.components_mut();
    let Some(t) = comps.a.current else {
        // Outside any task (a start function): like a synchronous task.
        if comps.ready(cond) {
            return after(core, false, slots);
        }
        bail!(trap("cannot block a synchronous task before returning"));
    };
    let ready = comps.ready(cond);
    if ready && !switch {
        return after(core, false, slots);
    }
    let on_fiber = comps.thread(t).fiber.is_some();
    if on_fiber && core.can_park() {
        core.ext.components_mut().start_waiting(t, cond, false, Next::Resume(Box::new(after)));
        return Err(Suspend.into());
    }
    if ready {
        // A synchronous thread yielding: nothing else may run.
        return after(core, false, slots);
    }
    // On the native stack: other ready threads of the instance may make
    // the condition true; if none can run, this traps.
    core.ext.components_mut().start_waiting(t, cond, false, Next::Native);
    native_wait(core, t)?;
    after(core, false, slots)
}

/// Continues thread `t` (current) from where it stopped.
fn drive(core: &mut StoreCore, t: ThreadId, cancelled: bool) -> Result<()> {
    let comps = core.ext.components_mut();
    let next = std::mem::replace(&mut comps.thread(t).next, Next::None);
    let run = match next {
        Next::Start => match start(core, t)? {
            Some(run) => run,
            None => return Ok(()),
        },
        Next::Gate => {
            let comps = core.ext.components_mut();
            let task = comps.thread(t).task;
            let inst = comps.thread(t).inst;
            comps.instances[inst as usize].waiting_to_enter -= 1;
            if cancelled {
                resolve_task(core, task, None)?;
                return exit_thread(core, t, true);
            }
            match enter_and_call(core, t)? {
                Some(run) => run,
                None => return Ok(()),
            }
        }
        Next::Resume(after) => {
            let fiber = comps.thread(t).fiber.expect("a parked thread has a fiber");
            let phase = comps.thread(t).phase;
            let slots = core.fiber_parked_slots(fiber)? as *mut [u64];
            // SAFETY: the parked call's slots stay put on the fiber's stack
            // until it resumes, and nothing else touches them meanwhile.
            after(core, cancelled, unsafe { &mut *slots })?;
            let n = nresults(core, t, phase);
            core.fiber_resume(fiber, n)?
        }
        Next::Callback(set) => callback_event(core, t, set, cancelled)?,
        Next::Explicit { func, arg } => {
            let fiber = comps.thread(t).fiber.expect("explicit threads run on fibers");
            // SAFETY: `thread.new-indirect` checked the type `(func (param i32))`.
            unsafe { core.fiber_call(fiber, func, &[arg], 0)? }
        }
        Next::Native => {
            comps.thread(t).next = Next::Native;
            return Ok(());
        }
        Next::None => bail!("internal error: resuming a thread with nothing to do"),
    };
    finished_run(core, t, run)
}

/// Registers thread `t` in `inst`'s `threads` table; returns its index.
fn register(comps: &mut ComponentStore, inst: InstanceId, t: ThreadId) -> u32 {
    let threads = &mut comps.instances[inst as usize].threads;
    let index = match threads.iter().skip(1).position(Option::is_none) {
        Some(i) => {
            threads[i + 1] = Some(t);
            i as u32 + 1
        }
        None => {
            threads.push(Some(t));
            threads.len() as u32 - 1
        }
    };
    comps.thread(t).index = index;
    index
}

/// The thread at index `i` of `inst`'s `threads` table.
fn thread_at(comps: &mut ComponentStore, inst: InstanceId, i: u32) -> Result<ThreadId> {
    comps.instances[inst as usize]
        .threads
        .get(i as usize)
        .copied()
        .flatten()
        .filter(|&t| comps.a.threads.get(t).is_some_and(|th| th.inst == inst))
        .ok_or_else(|| trap(&format!("unknown thread index {i}")))
}

/// The current thread suspends (`yield_`: stays ready to run) and, if
/// `target` is given, switches to it. The built-in returns whether it was
/// cancelled (never: threads built-ins are not cancellable here).
fn switch(
    core: &mut StoreCore,
    slots: &mut [u64],
    target: Option<ThreadId>,
    yield_: bool,
) -> Result<()> {
    let comps = core.ext.components_mut();
    let t = comps.current_thread()?;
    let after = |_: &mut StoreCore, cancelled: bool, slots: &mut [u64]| {
        slots[0] = cancelled as u64;
        Ok(())
    };
    if comps.thread(t).fiber.is_some() && core.can_park() {
        let comps = core.ext.components_mut();
        if yield_ {
            comps.start_waiting(t, Cond::Always, false, Next::Resume(Box::new(after)));
        } else {
            let th = comps.thread(t);
            th.state = ThreadState::Suspended;
            th.next = Next::Resume(Box::new(after));
        }
        comps.a.switch_to = target;
        return Err(Suspend.into());
    }
    // A thread on the native stack runs the others from here.
    let comps = core.ext.components_mut();
    if yield_ && target.is_none() {
        // A synchronous task yielding lets one other ready thread of its
        // instance run, if there is one.
        let inst = comps.thread(t).inst;
        let other = comps.a.waiting.iter().copied().find(|&o| {
            let th = comps.a.threads.get(o).expect("live thread");
            th.inst == inst && matches!(th.state, ThreadState::Waiting(c) if comps.ready(c))
        });
        if let Some(o) = other {
            comps.thread(t).next = Next::Native;
            resume(core, o, false)?;
            let comps = core.ext.components_mut();
            comps.thread(t).state = ThreadState::Running;
            comps.a.current = Some(t);
        }
        return after(core, false, slots);
    }
    if yield_ {
        comps.start_waiting(t, Cond::Always, false, Next::Native);
    } else {
        let th = comps.thread(t);
        th.state = ThreadState::Suspended;
        th.next = Next::Native;
    }
    if let Some(o) = target {
        resume(core, o, false)?;
    }
    native_wait(core, t)?;
    after(core, false, slots)
}

/// Thread `t`, on the native stack and waiting or suspended, runs other
/// ready threads of its instance until it may go on (the end of
/// `canon_lift` for synchronous functions); traps when nothing can run.
fn native_wait(core: &mut StoreCore, t: ThreadId) -> Result<()> {
    loop {
        let comps = core.ext.components_mut();
        let th = comps.a.threads.get(t).expect("live thread");
        let go = match th.state {
            ThreadState::Running => true,
            ThreadState::Waiting(c) => comps.ready(c),
            ThreadState::Suspended => false,
        };
        if go {
            comps.stop_waiting(t);
            comps.thread(t).state = ThreadState::Running;
            comps.thread(t).next = Next::None;
            comps.a.current = Some(t);
            return Ok(());
        }
        let inst = th.inst;
        let ex = comps.instances[inst as usize].exclusive;
        let other = comps.a.waiting.iter().copied().find(|&o| {
            o != t && Some(o) != ex && {
                let th = comps.a.threads.get(o).expect("live thread");
                th.inst == inst && matches!(th.state, ThreadState::Waiting(c) if comps.ready(c))
            }
        });
        match other {
            Some(o) => resume(core, o, false)?,
            None => bail!(trap("cannot block a synchronous task before returning")),
        }
    }
}

/// How many results the function a thread's fiber runs returns.
fn nresults(core: &mut StoreCore, t: ThreadId, phase: Phase) -> usize {
    if phase == Phase::Explicit {
        return 0;
    }
    let comps = core.ext.components_mut();
    let task = comps.thread(t).task;
    let f = comps.atask(task).func.clone();
    match phase {
        Phase::Callback => 1,
        Phase::Explicit => 0,
        Phase::Entry if f.opts.callback.is_some() => 1,
        Phase::Entry if f.opts.async_ => 0,
        Phase::Entry => (f.ty.result_spills() || f.ty.result_abi.flat > 0) as usize,
    }
}

/// The start of a task's implicit thread: the backpressure gate
/// (`Task.enter_implicit_thread`).
fn start(core: &mut StoreCore, t: ThreadId) -> Result<Option<FiberRun>> {
    let comps = core.ext.components_mut();
    let task = comps.thread(t).task;
    let inst = comps.thread(t).inst;
    let exclusive = needs_exclusive(&comps.atask(task).func);
    let cond = Cond::NoBackpressure { inst, exclusive };
    if !comps.ready(cond) || comps.instances[inst as usize].waiting_to_enter > 0 {
        comps.instances[inst as usize].waiting_to_enter += 1;
        comps.start_waiting(t, cond, true, Next::Gate);
        return Ok(None);
    }
    enter_and_call(core, t)
}

/// Whether a task of `f` needs the instance's exclusive lock.
fn needs_exclusive(f: &LiftedFunc) -> bool {
    !f.opts.async_ || f.opts.callback.is_some()
}

/// Past the gate: takes the lock, registers the thread, takes the
/// arguments, lowers them and calls the core function on the fiber.
fn enter_and_call(core: &mut StoreCore, t: ThreadId) -> Result<Option<FiberRun>> {
    let comps = core.ext.components_mut();
    let task = comps.thread(t).task;
    let inst = comps.thread(t).inst;
    let f = comps.atask(task).func.clone();
    if needs_exclusive(&f) {
        comps.instances[inst as usize].exclusive = Some(t);
    }
    comps.atask(task).state = TaskState::Started;
    let args = on_start(core, task)?;
    let fused = core.ext.components_mut().atask(task).caller_inst.is_some();
    let flat = super::func::lower_args(
        core,
        &f,
        fused,
        task as usize,
        |cx, dest| match args {
            Args::Vals(args) => super::func::lower_params(cx, &f.ty, &args, dest),
            Args::Typed(lower) => lower(cx, dest),
        },
        &mut false,
    )?;
    let fiber = core.ext.components_mut().thread(t).fiber.expect("async tasks run on fibers");
    core.ext.components_mut().thread(t).phase = Phase::Entry;
    let n = nresults(core, t, Phase::Entry);
    // SAFETY: the flat arguments match the lifted core function's type
    // (validation checked it against the lifted type and options).
    Ok(Some(unsafe { core.fiber_call(fiber, f.core, &flat, n)? }))
}

/// What a run of thread `t`'s fiber ended with.
fn finished_run(core: &mut StoreCore, t: ThreadId, run: FiberRun) -> Result<()> {
    let FiberRun::Done(results) = run else { return Ok(()) };
    let comps = core.ext.components_mut();
    if comps.thread(t).phase == Phase::Explicit {
        return exit_thread(core, t, true);
    }
    let task = comps.thread(t).task;
    let f = comps.atask(task).func.clone();
    if f.opts.callback.is_some() {
        return callback_code(core, t, results[0] as u32);
    }
    if !f.opts.async_ {
        // A synchronous lift of an `async` function returns its value.
        let fused = comps.atask(task).caller_inst.is_some();
        let typed = take_typed_lift(core, task);
        let value = super::func::lift_results(core, &f, fused, &results, |cx, src| match typed {
            Some(lift) => lift(cx, src).map(|()| None),
            None => super::func::lift_result(cx, &f.ty, src),
        })?;
        task_return(core, task, value)?;
        super::func::post_return(core, &f, &results)?;
    }
    exit_thread(core, t, true)
}

/// The callback loop after the core function or callback returned `packed`.
fn callback_code(core: &mut StoreCore, t: ThreadId, packed: u32) -> Result<()> {
    let code = packed & 0xf;
    let si = packed >> 4;
    let comps = core.ext.components_mut();
    let inst = comps.thread(t).inst;
    match code {
        0 => return exit_thread(core, t, true),
        1 | 2 => {}
        _ => bail!(trap("unsupported callback code")),
    }
    comps.instances[inst as usize].exclusive = None;
    if code == 1 {
        // A cancellation already requested is delivered at once.
        let task = comps.thread(t).task;
        if comps.atask(task).state == TaskState::PendingCancel {
            comps.atask(task).state = TaskState::CancelDelivered;
            let run = callback_event(core, t, None, true)?;
            return finished_run(core, t, run);
        }
        comps.start_waiting(t, Cond::NotExclusive(inst), true, Next::Callback(None));
        return Ok(());
    }
    let set = comps.handle(inst, si)?;
    if !matches!(comps.obj(set), Obj::Set(_)) {
        bail!(trap("callback returned an index that is not a waitable set"));
    }
    if let Obj::Set(s) = comps.obj(set) {
        s.num_waiting += 1;
    }
    // A cancellation already requested is delivered at once.
    let task = comps.thread(t).task;
    if comps.atask(task).state == TaskState::PendingCancel {
        comps.atask(task).state = TaskState::CancelDelivered;
        comps.thread(t).next = Next::Callback(Some(set));
        let run = callback_event(core, t, Some(set), true)?;
        return finished_run(core, t, run);
    }
    comps.start_waiting(
        t,
        Cond::SetHasEvent { set, not_exclusive: Some(inst) },
        true,
        Next::Callback(Some(set)),
    );
    Ok(())
}

/// The callback loop resumed: takes the event and calls the callback.
fn callback_event(
    core: &mut StoreCore,
    t: ThreadId,
    set: Option<u32>,
    cancelled: bool,
) -> Result<FiberRun> {
    let comps = core.ext.components_mut();
    let inst = comps.thread(t).inst;
    let task = comps.thread(t).task;
    let event = match set {
        Some(set) => {
            if let Obj::Set(s) = comps.obj(set) {
                s.num_waiting -= 1;
            }
            if cancelled { (EVENT_TASK_CANCELLED, 0, 0) } else { set_event(core, set)? }
        }
        None if cancelled => (EVENT_TASK_CANCELLED, 0, 0),
        None => (EVENT_NONE, 0, 0),
    };
    let comps = core.ext.components_mut();
    comps.instances[inst as usize].exclusive = Some(t);
    let f = comps.atask(task).func.clone();
    let fiber = comps.thread(t).fiber.expect("async tasks run on fibers");
    comps.thread(t).phase = Phase::Callback;
    let callback = f.opts.callback.expect("callback-lifted");
    let args = [event.0 as u64, event.1 as u64, event.2 as u64];
    // SAFETY: validation checked the callback's type `(i32 i32 i32) -> i32`.
    unsafe { core.fiber_call(fiber, callback, &args, 1) }
}

/// Thread `t` returns (`Task.exit_implicit_thread`).
fn exit_thread(core: &mut StoreCore, t: ThreadId, registered: bool) -> Result<()> {
    let comps = core.ext.components_mut();
    let th = comps.a.threads.remove(t).expect("live thread");
    if comps.a.current == Some(t) {
        comps.a.current = None;
    }
    let inst = th.inst as usize;
    if comps.instances[inst].exclusive == Some(t) {
        comps.instances[inst].exclusive = None;
    }
    if registered && th.index != 0 {
        comps.instances[inst].threads[th.index as usize] = None;
    }
    if let Some(fiber) = th.fiber {
        core.fiber_drop(fiber);
    }
    let comps = core.ext.components_mut();
    let Some(task) = comps.tasks[th.task as usize].a.as_mut() else {
        // An explicit thread of a synchronous call: the last one of a call
        // that returned frees its task.
        let task = &mut comps.tasks[th.task as usize];
        task.threads = task.threads.saturating_sub(1);
        if task.threads == 0 && task.returned {
            comps.free_task(th.task as usize);
        }
        return Ok(());
    };
    task.threads.retain(|&x| x != t);
    let (left, state) = (task.threads.len(), task.state);
    if left == 0 {
        if state != TaskState::Resolved {
            bail!(trap("async-lifted export failed to produce a result"));
        }
        core.ext.components_mut().free_task(th.task as usize);
    }
    Ok(())
}

/// The arguments of task `task` (`OnStart`).
fn on_start(core: &mut StoreCore, task: u32) -> Result<Args> {
    let comps = core.ext.components_mut();
    match &mut comps.atask(task).caller {
        CallerSide::Host { params, result } => {
            let (vals, result) = (params.take(), *result);
            if let Some(lower) = comps.a.host_calls.get_mut(result).and_then(|c| c.lower.take()) {
                return Ok(Args::Typed(lower.0));
            }
            // A typed call whose caller gave up (it failed) before the
            // task started.
            vals.map(Args::Vals).context("the host no longer waits for this call")
        }
        CallerSide::Guest(sub) => {
            let sub = *sub;
            let Obj::Subtask(s) = comps.obj(sub) else { unreachable!("subtask") };
            s.state = SubState::Started;
            if s.in_table {
                comps.set_event(sub, Event::Subtask);
            }
            let Obj::Subtask(s) = comps.obj(sub) else { unreachable!("subtask") };
            let site = s.site.clone();
            let flat = std::mem::take(&mut s.flat_args);
            let mut cx = Cx::new(core, &site.opts, &site.resources, true);
            let args = super::func::lift_params(&mut cx, &site.ty, &flat)?;
            let lenders = std::mem::take(&mut cx.lenders);
            if let Obj::Subtask(s) = core.ext.components_mut().obj(sub) {
                s.lenders = Some(lenders);
                s.flat_args = flat;
            }
            Ok(Args::Vals(args))
        }
    }
}

/// Task `task` returns `value` (or, `None`, confirms its cancellation):
/// `OnResolve`.
fn resolve_task(core: &mut StoreCore, task: u32, value: Option<Option<Val>>) -> Result<()> {
    let comps = core.ext.components_mut();
    let t = comps.atask(task);
    t.state = TaskState::Resolved;
    match t.caller {
        CallerSide::Host { result, .. } => {
            if let Some(call) = comps.a.host_calls.get_mut(result) {
                call.result = Some(value.flatten());
            }
            Ok(())
        }
        CallerSide::Guest(sub) => resolve_subtask(core, sub, value),
    }
}

/// The callee of subtask `sub` returned `value` (or, `None`, was
/// cancelled): the result goes into the caller (through the return
/// pointer, or kept as flat results for a synchronous lowering).
fn resolve_subtask(core: &mut StoreCore, sub: ObjId, value: Option<Option<Val>>) -> Result<()> {
    let comps = core.ext.components_mut();
    let Obj::Subtask(s) = comps.obj(sub) else { unreachable!("subtask") };
    if s.in_table {
        comps.set_event(sub, Event::Subtask);
    }
    let Obj::Subtask(s) = comps.obj(sub) else { unreachable!("subtask") };
    let Some(v) = value else {
        s.state = if s.state == SubState::Starting {
            SubState::CancelledBeforeStarted
        } else {
            SubState::CancelledBeforeReturned
        };
        return Ok(());
    };
    let site = s.site.clone();
    let flat_args = s.flat_args.clone();
    let mut cx = Cx::new(core, &site.opts, &site.resources, true);
    let mut flat_results = Vec::new();
    if let (Some(t), Some(v)) = (&site.ty.result, v.as_ref()) {
        if site.opts.async_ || site.ty.result_spills() {
            let ptr = *flat_args.last().context("return pointer")? as u32;
            let a = site.ty.result_abi;
            cx.check_range(ptr, a.size as u64, a.align, What::Pointer)?;
            values::store(&mut cx, t, v, ptr)?;
        } else {
            values::lower_flat(&mut cx, t, v, &mut flat_results)?;
        }
    }
    if let Obj::Subtask(s) = core.ext.components_mut().obj(sub) {
        s.state = SubState::Returned;
        s.flat_results = flat_results;
    }
    Ok(())
}

/// If task `task`'s caller is a typed host call, what lifts its result
/// (taken: a second return lifts a [`Val`], then traps).
fn take_typed_lift(core: &mut StoreCore, task: u32) -> Option<LiftResult> {
    let comps = core.ext.components_mut();
    match comps.atask(task).caller {
        CallerSide::Host { result, .. } => Some(comps.a.host_calls.get_mut(result)?.lift.take()?.0),
        CallerSide::Guest(_) => None,
    }
}

/// `Task.return_`.
fn task_return(core: &mut StoreCore, task: u32, value: Option<Val>) -> Result<()> {
    let comps = core.ext.components_mut();
    if comps.atask(task).state == TaskState::Resolved {
        bail!(trap("task.return called more than once"));
    }
    if comps.tasks[task as usize].borrows > 0 {
        bail!(trap("borrow handles still remain at the end of the call"));
    }
    resolve_task(core, task, Some(value))
}

/// Starts a task calling `f` (`Store.lift` and `canon_lift`): the call
/// runs until it blocks or returns.
fn start_task(
    core: &mut StoreCore,
    f: &Arc<LiftedFunc>,
    caller_inst: Option<InstanceId>,
    caller: CallerSide,
) -> Result<u32> {
    let entering = super::func::check_enter(core.ext.components(), f.opts.instance, caller_inst)?;
    let comps = core.ext.components_mut();
    for &i in &entering {
        comps.instances[i as usize].may_enter = false;
    }
    let task = comps.alloc_task(Task::default()) as u32;
    let inst = f.opts.instance;
    let fiber = core.fiber_new()?;
    let comps = core.ext.components_mut();
    let t = comps.a.threads.insert(Thread::new(
        task,
        inst,
        Some(fiber),
        ThreadState::Suspended,
        Next::Start,
        Phase::Entry,
    ));
    register(comps, inst, t);
    comps.tasks[task as usize].a = Some(Box::new(AsyncTask {
        func: f.clone(),
        caller,
        caller_inst,
        state: TaskState::Initial,
        implicit: t,
        threads: vec![t],
    }));
    resume(core, t, false)?;
    for &i in &entering {
        core.ext.components_mut().instances[i as usize].may_enter = true;
    }
    Ok(task)
}

/// The host calls `async` function `f` with `params`: runs the event loop
/// until the call returns its value.
pub(crate) fn call_from_host(
    core: &mut StoreCore,
    f: &Arc<LiftedFunc>,
    params: &[Val],
) -> Result<Option<Val>> {
    let call = start_from_host(core, f, params)?;
    let r = run_until(core, |core| call.done_in(core));
    let v = call.take_in(core);
    r?;
    v.context("internal error: the call returned no value")
}

/// The host calls `async` function `f` with typed arguments, which `lower`
/// writes into the callee when the task starts, and waits for it to
/// return: `lift` takes the result from the callee (and keeps it).
pub(crate) fn call_typed_from_host<'a>(
    core: &mut StoreCore,
    f: &Arc<LiftedFunc>,
    lower: LowerArgsFor<'a>,
    lift: LiftResultFor<'a>,
) -> Result<()> {
    /// Removes the call's slot, with the closures, on every way out.
    struct Slot<'c> {
        core: &'c mut StoreCore,
        slot: u32,
    }
    impl Drop for Slot<'_> {
        fn drop(&mut self) {
            self.core.ext.components_mut().a.host_calls.remove(self.slot);
        }
    }
    // SAFETY: only the lifetime bound changes. The closures stay in the
    // store while this function runs, as long as what they borrow lives:
    // the guard removes them from it (unused, or dropped unused) before it
    // returns or unwinds, and nothing else takes them out of the slot but
    // the task, which calls them at once.
    let (lower, lift) = unsafe {
        (
            std::mem::transmute::<LowerArgsFor<'a>, LowerArgs>(lower),
            std::mem::transmute::<LiftResultFor<'a>, LiftResult>(lift),
        )
    };
    let call =
        FromHost { lower: Some(CallLocal(lower)), lift: Some(CallLocal(lift)), result: None };
    let slot = core.ext.components_mut().a.host_calls.insert(call);
    let g = Slot { core, slot };
    start_task(g.core, f, None, CallerSide::Host { params: None, result: slot })?;
    run_until(g.core, |core| {
        core.ext.components_mut().a.host_calls.get(slot).is_some_and(|c| c.result.is_some())
    })
}

/// The host starts a call of `async` function `f` with `params`: it runs
/// until it first blocks, then goes on as the event loop runs.
pub(crate) fn start_from_host(
    core: &mut StoreCore,
    f: &Arc<LiftedFunc>,
    params: &[Val],
) -> Result<ConcurrentCall> {
    let slot = core.ext.components_mut().a.host_calls.insert(FromHost::default());
    let caller = CallerSide::Host { params: Some(params.to_vec()), result: slot };
    if let Err(e) = start_task(core, f, None, caller) {
        core.ext.components_mut().a.host_calls.remove(slot);
        return Err(e);
    }
    Ok(ConcurrentCall(slot))
}

/// A call of an `async` export the host started with
/// [`Func::call_concurrent`](super::Func::call_concurrent): it goes on
/// while the store's event loop runs ([`run_concurrent`], or another
/// call), and its result is there once it returned.
#[derive(Debug)]
pub struct ConcurrentCall(u32);

impl ConcurrentCall {
    /// Whether the call has returned its result.
    pub fn is_done(&self, mut store: impl crate::AsContextMut) -> bool {
        self.done_in(&mut store.as_context_mut().0.core)
    }

    /// The call's result (`Some(None)` for a function without one) once
    /// it returned, taking it; `None` while it runs.
    pub fn take(&self, mut store: impl crate::AsContextMut) -> Option<Option<Val>> {
        self.take_in(&mut store.as_context_mut().0.core)
    }

    fn done_in(&self, core: &mut StoreCore) -> bool {
        core.ext.components_mut().a.host_calls.get(self.0).is_some_and(|c| c.result.is_some())
    }

    fn take_in(&self, core: &mut StoreCore) -> Option<Option<Val>> {
        let calls = &mut core.ext.components_mut().a.host_calls;
        if calls.get(self.0).is_some_and(|c| c.result.is_some()) {
            calls.remove(self.0).and_then(|c| c.result)
        } else {
            None
        }
    }
}

/// Runs `store`'s event loop (the component model's async tasks and
/// threads, pending host calls and host streams) until `done` holds: for
/// an embedder that keeps reading a stream or future a guest still writes
/// after the call that gave it returned. Fails if nothing can make `done`
/// hold (every task waits on something only the host could do).
pub fn run_concurrent<T: 'static>(
    mut store: impl crate::AsContextMut<Data = T>,
    mut done: impl FnMut(crate::StoreContextMut<'_, T>) -> bool,
) -> Result<()> {
    let inner = store.as_context_mut().0;
    let outer = inner.core.outer;
    run_until(&mut inner.core, |_| {
        // SAFETY: `outer` is this store's `StoreInner<T>`; the loop holds
        // no borrow of it while `done` runs.
        done(crate::StoreContextMut(unsafe { &mut *(outer as *mut StoreInner<T>) }))
    })
}

// ---- lowered calls --------------------------------------------------------

/// A lowered import calling lifted function `f` where either side is
/// `async` (`canon_lower`).
pub(crate) fn lower_call(
    core: &mut StoreCore,
    site: &Arc<LowerSite>,
    f: &Arc<LiftedFunc>,
    slots: &mut [u64],
) -> Result<()> {
    let caller = site.opts.instance;
    if !site.opts.async_ && f.ty.async_ {
        // A synchronous call of an `async` function may block.
        check_blocking(core)?;
    }
    let sub =
        core.ext.components_mut().a.objs.insert(Subtask::new_obj(site, slots, SubState::Starting));
    if f.ty.async_ {
        let task = start_task(core, f, Some(caller), CallerSide::Guest(sub))?;
        if let Obj::Subtask(s) = core.ext.components_mut().obj(sub) {
            s.callee = Some(task);
        }
    } else {
        // A function that is not `async` runs to its end on this stack.
        super::func::check_enter(core.ext.components(), f.opts.instance, Some(caller))?;
        let args = {
            let comps = core.ext.components_mut();
            let Obj::Subtask(s) = comps.obj(sub) else { unreachable!() };
            s.state = SubState::Started;
            let flat = std::mem::take(&mut s.flat_args);
            let mut cx = Cx::new(core, &site.opts, &site.resources, true);
            let args = super::func::lift_params(&mut cx, &site.ty, &flat)?;
            let lenders = std::mem::take(&mut cx.lenders);
            if let Obj::Subtask(s) = core.ext.components_mut().obj(sub) {
                s.lenders = Some(lenders);
                s.flat_args = flat;
            }
            args
        };
        let value = super::func::call_lifted(
            core,
            f,
            Some(caller),
            |cx, dest| super::func::lower_params(cx, &f.ty, &args, dest),
            |cx, src| super::func::lift_result(cx, &f.ty, src),
            |_, v| Ok(v),
        )?;
        resolve_subtask(core, sub, Some(value))?;
    }
    let comps = core.ext.components_mut();
    let Obj::Subtask(s) = comps.obj(sub) else { unreachable!() };
    let starting = s.state == SubState::Starting;
    if !site.opts.async_ {
        let finish = move |core: &mut StoreCore, _: bool, slots: &mut [u64]| {
            let comps = core.ext.components_mut();
            let Some(Obj::Subtask(s)) = comps.a.objs.remove(sub) else { unreachable!() };
            for i in s.lenders.into_iter().flatten() {
                comps.instances[caller as usize].handles.undo_lend(i);
            }
            if let Some(&r) = s.flat_results.first() {
                slots[0] = r;
            }
            Ok(())
        };
        return block_on(core, slots, Cond::SubtaskResolved(sub), false, finish);
    }
    // A callee that could not start (backpressure, or its instance busy):
    // like wasmtime, the caller lets the threads that are ready run first,
    // which may let the callee start, and then reports where it got.
    let t = comps.current_thread()?;
    let comps = core.ext.components_mut();
    if starting
        && comps.thread(t).fiber.is_some()
        && core.can_park()
        && any_ready(core.ext.components_mut())
    {
        return block_on(core, slots, Cond::Always, true, move |core, _, slots| {
            report_async(core, caller, sub, slots)
        });
    }
    report_async(core, caller, sub, slots)
}

/// The status an `async`-lowered call returns: `RETURNED`, or the
/// subtask's state and its new handle.
fn report_async(
    core: &mut StoreCore,
    caller: InstanceId,
    sub: ObjId,
    slots: &mut [u64],
) -> Result<()> {
    let comps = core.ext.components_mut();
    let Obj::Subtask(s) = comps.obj(sub) else { unreachable!() };
    if s.state.resolved() {
        let Some(Obj::Subtask(s)) = comps.a.objs.remove(sub) else { unreachable!() };
        for i in s.lenders.into_iter().flatten() {
            comps.instances[caller as usize].handles.undo_lend(i);
        }
        slots[0] = SubState::Returned as u64;
        return Ok(());
    }
    let state = s.state as u64;
    s.in_table = true;
    let i = comps.add_handle(caller, sub)?;
    slots[0] = state | ((i as u64) << 4);
    Ok(())
}

/// Traps unless the current task may block: it is a call of an `async`
/// function, or it already returned its value (wasmtime checks this before
/// any blocking built-in that is not `async`).
fn check_blocking(core: &mut StoreCore) -> Result<()> {
    let comps = core.ext.components_mut();
    let may = comps.a.current.is_some_and(|t| {
        let task = comps.a.threads.get(t).expect("live thread").task;
        comps.tasks[task as usize]
            .a
            .as_ref()
            .is_some_and(|a| a.func.ty.async_ || a.state == TaskState::Resolved)
    });
    if may { Ok(()) } else { Err(trap("cannot block a synchronous task before returning")) }
}

/// How many core parameters a lowered import of `site` takes.
fn site_core_params(site: &LowerSite) -> usize {
    if site.opts.async_ {
        site.ty.async_core_signature(true, false).0.len()
    } else {
        site.ty.core_signature(true).0.len()
    }
}

/// The core type of `canon lower async` of `ty`.
pub(crate) fn async_lower_type(ty: &FuncTy) -> FuncType {
    let (p, r) = ty.async_core_signature(true, false);
    FuncType::new(p.iter().map(conv), r.iter().map(conv))
}

fn conv(t: &wasmparser::ValType) -> ValType {
    match t {
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        _ => ValType::I32,
    }
}

/// Whether a call of `f` through `site` takes the async path.
pub(crate) fn is_async_call(site: &LowerSite) -> bool {
    site.opts.async_ || matches!(&site.callee, Callee::Lifted(f) if f.ty.async_)
}

/// The subtask's event (`subtask_event`), delivering the resolution.
fn subtask_event(comps: &mut ComponentStore, o: ObjId) -> (u32, u32, u32) {
    let Obj::Subtask(s) = comps.obj(o) else { unreachable!("subtask") };
    let (inst, handle, state) = (s.w.inst, s.w.handle, s.state);
    if state.resolved()
        && let Some(lenders) = s.lenders.take()
    {
        for i in lenders {
            comps.instances[inst as usize].handles.undo_lend(i);
        }
    }
    (EVENT_SUBTASK, handle, state as u32)
}

/// Takes the pending event of waitable `o`.
fn take_event(core: &mut StoreCore, o: ObjId) -> Result<(u32, u32, u32)> {
    let comps = core.ext.components_mut();
    let e =
        comps.obj(o).waitable_mut().and_then(|w| w.pending.take()).context("no pending event")?;
    Ok(match e {
        Event::Subtask => subtask_event(comps, o),
        Event::Copy { result, reclaim } => copy_event(comps, o, result, reclaim),
    })
}

/// Takes a pending event of set `set` (the oldest member's first).
fn set_event(core: &mut StoreCore, set: ObjId) -> Result<(u32, u32, u32)> {
    let comps = core.ext.components_mut();
    let o = loop {
        let Some(Obj::Set(s)) = comps.a.objs.get_mut(set) else {
            bail!(trap("not a waitable set"))
        };
        let o = s.ready.pop_front().context("internal error: no pending event in the set")?;
        let Some(w) = comps.a.objs.get_mut(o).and_then(Obj::waitable_mut) else { continue };
        if w.set != Some(set) {
            continue;
        }
        w.queued = false;
        if w.pending.is_some() {
            break o;
        }
    };
    take_event(core, o)
}

// ---- built-ins ------------------------------------------------------------

/// The static description of a built-in (from `canon` definitions).
#[derive(Clone, Debug)]
pub(crate) enum Builtin {
    TaskReturn {
        result: Option<Ty>,
        memory: Option<u32>,
        encoding: StringEncoding,
    },
    TaskCancel,
    ContextGet {
        slot: u32,
        i64: bool,
    },
    ContextSet {
        slot: u32,
        i64: bool,
    },
    BackpressureInc,
    BackpressureDec,
    Yield,
    WaitableSetNew,
    WaitableSetWait {
        memory: u32,
    },
    WaitableSetPoll {
        memory: u32,
    },
    WaitableSetDrop,
    WaitableJoin,
    SubtaskDrop,
    SubtaskCancel {
        async_: bool,
    },
    New {
        future: bool,
        ty: Option<Ty>,
    },
    Read {
        future: bool,
        ty: Option<Ty>,
        memory: Option<u32>,
        realloc: Option<u32>,
        encoding: StringEncoding,
        async_: bool,
    },
    Write {
        future: bool,
        ty: Option<Ty>,
        memory: Option<u32>,
        realloc: Option<u32>,
        encoding: StringEncoding,
        async_: bool,
    },
    CancelRead {
        future: bool,
        ty: Option<Ty>,
        async_: bool,
    },
    CancelWrite {
        future: bool,
        ty: Option<Ty>,
        async_: bool,
    },
    DropReadable {
        future: bool,
        ty: Option<Ty>,
    },
    DropWritable {
        future: bool,
        ty: Option<Ty>,
    },
    ErrorContextNew {
        memory: Option<u32>,
        encoding: StringEncoding,
    },
    ErrorContextDebugMessage {
        memory: Option<u32>,
        realloc: Option<u32>,
        encoding: StringEncoding,
    },
    ErrorContextDrop,
    ThreadIndex,
    /// `thread.new-indirect` of functions in table `table`.
    ThreadNewIndirect {
        table: u32,
    },
    ThreadResumeLater,
    ThreadSuspend,
    /// `thread.{suspend,yield}-then-{resume,promote}`.
    ThreadSwitch {
        yield_: bool,
        promote: bool,
    },
}

impl Builtin {
    /// Binds the component's core memory and function indices in the
    /// built-in's options to store indices.
    pub(crate) fn bind(
        &mut self,
        memory: impl Fn(u32) -> u32,
        func: impl Fn(u32) -> u32,
        table: impl Fn(u32) -> u32,
    ) {
        match self {
            Builtin::ThreadNewIndirect { table: t } => *t = table(*t),
            Builtin::TaskReturn { memory: m, .. } | Builtin::ErrorContextNew { memory: m, .. } => {
                *m = m.map(&memory)
            }
            Builtin::WaitableSetWait { memory: m } | Builtin::WaitableSetPoll { memory: m } => {
                *m = memory(*m)
            }
            Builtin::Read { memory: m, realloc: r, .. }
            | Builtin::Write { memory: m, realloc: r, .. }
            | Builtin::ErrorContextDebugMessage { memory: m, realloc: r, .. } => {
                *m = m.map(&memory);
                *r = r.map(&func);
            }
            _ => {}
        }
    }

    fn core_type(&self) -> FuncType {
        use ValType::{I32, I64};
        let f = |p: &[ValType], r: &[ValType]| FuncType::new(p.iter().copied(), r.iter().copied());
        match self {
            Builtin::TaskReturn { result, .. } => {
                let mut params = Vec::new();
                if let Some(t) = result {
                    if t.abi().flat as usize > MAX_FLAT_PARAMS {
                        params.push(wasmparser::ValType::I32);
                    } else {
                        t.push_flat(&mut params);
                    }
                }
                FuncType::new(params.iter().map(conv), [])
            }
            Builtin::TaskCancel | Builtin::BackpressureInc | Builtin::BackpressureDec => {
                f(&[], &[])
            }
            Builtin::ContextGet { i64, .. } => f(&[], &[if *i64 { I64 } else { I32 }]),
            Builtin::ContextSet { i64, .. } => f(&[if *i64 { I64 } else { I32 }], &[]),
            Builtin::Yield
            | Builtin::WaitableSetNew
            | Builtin::ThreadIndex
            | Builtin::ThreadSuspend => f(&[], &[I32]),
            Builtin::ThreadNewIndirect { .. } => f(&[I32, I32], &[I32]),
            Builtin::ThreadResumeLater => f(&[I32], &[]),
            Builtin::ThreadSwitch { .. } => f(&[I32], &[I32]),
            Builtin::WaitableSetWait { .. } | Builtin::WaitableSetPoll { .. } => {
                f(&[I32, I32], &[I32])
            }
            Builtin::WaitableSetDrop
            | Builtin::SubtaskDrop
            | Builtin::DropReadable { .. }
            | Builtin::DropWritable { .. }
            | Builtin::ErrorContextDrop => f(&[I32], &[]),
            Builtin::WaitableJoin | Builtin::ErrorContextDebugMessage { .. } => f(&[I32, I32], &[]),
            Builtin::SubtaskCancel { .. }
            | Builtin::CancelRead { .. }
            | Builtin::CancelWrite { .. } => f(&[I32], &[I32]),
            Builtin::New { .. } => f(&[], &[I64]),
            Builtin::Read { future: true, .. } | Builtin::Write { future: true, .. } => {
                f(&[I32, I32], &[I32])
            }
            Builtin::Read { .. } | Builtin::Write { .. } => f(&[I32, I32, I32], &[I32]),
            Builtin::ErrorContextNew { .. } => f(&[I32, I32], &[I32]),
        }
    }
}

/// The core function of built-in `b` in instance `inst` (`memory` and
/// `realloc` already bound to store indices).
pub(crate) fn builtin<T: 'static>(
    core: &mut StoreCore,
    b: Builtin,
    inst: InstanceId,
    resources: Resources,
) -> CoreFunc {
    let ty = b.core_type();
    let b = Arc::new(b);
    let call = move |outer: *mut (), _: *const crate::store::InstanceData, slots: &mut [u64]| {
        // SAFETY: core functions of a store are only called with that
        // store's `StoreInner<T>`.
        let inner = unsafe { &mut *(outer as *mut StoreInner<T>) };
        let core = &mut inner.core;
        // Thread-local storage and backpressure may be used anywhere
        // (post-return included); everything else leaves the instance.
        let anywhere = matches!(
            *b,
            Builtin::ContextGet { .. }
                | Builtin::ContextSet { .. }
                | Builtin::BackpressureInc
                | Builtin::BackpressureDec
        );
        if !anywhere && !core.ext.components_mut().instances[inst as usize].may_leave {
            return Err(Trap::CannotLeaveComponent.into());
        }
        run_builtin(core, &b, inst, &resources, slots)
    };
    let host = HostFunc {
        type_id: core.engine.type_id(&ty),
        slots: ty.call_slots(),
        num_results: ty.result_slots(),
        call: Box::new(call),
    };
    CoreFunc::from_host(core, Arc::new(host))
}

fn opts_of(
    inst: InstanceId,
    memory: Option<u32>,
    realloc: Option<u32>,
    encoding: StringEncoding,
) -> Options {
    Options {
        instance: inst,
        memory,
        realloc,
        post_return: None,
        encoding,
        async_: false,
        callback: None,
    }
}

fn run_builtin(
    core: &mut StoreCore,
    b: &Builtin,
    inst: InstanceId,
    resources: &Resources,
    slots: &mut [u64],
) -> Result<()> {
    let arg = |k: usize| slots[k] as u32;
    match b {
        Builtin::TaskReturn { result, memory, encoding } => {
            let comps = core.ext.components_mut();
            let t = comps.current_thread()?;
            let task = comps.thread(t).task;
            let f = comps.tasks[task as usize].a.as_ref().map(|a| a.func.clone());
            let Some(f) = f.filter(|f| f.opts.async_) else {
                bail!(trap("task.return called by a task that was not lifted `async`"))
            };
            let same_type = match (result, &f.ty.result) {
                (None, None) => true,
                (Some(a), Some(b)) => a.same(b),
                _ => false,
            };
            if !same_type {
                bail!(trap("invalid `task.return` signature and/or options for current task"));
            }
            if memory.is_some() && (*memory != f.opts.memory || *encoding != f.opts.encoding) {
                bail!(trap("invalid `task.return` signature and/or options for current task"));
            }
            let fused = comps.atask(task).caller_inst.is_some();
            let typed = take_typed_lift(core, task);
            let mut cx = Cx::new(core, &f.opts, &f.resources, fused);
            cx.task = Some(task as usize);
            let src = match &f.ty.result {
                Some(t) if t.abi().flat as usize > MAX_FLAT_PARAMS => {
                    let ptr = arg(0);
                    let a = t.abi();
                    cx.check_range(ptr, a.size as u64, a.align, What::Pointer)?;
                    ResultSrc::Memory(ptr)
                }
                _ => ResultSrc::Flat(slots),
            };
            let value = match typed {
                Some(lift) => lift(&mut cx, src).map(|()| None)?,
                None => super::func::lift_result(&mut cx, &f.ty, src)?,
            };
            task_return(core, task, value)
        }
        Builtin::TaskCancel => {
            let comps = core.ext.components_mut();
            let t = comps.current_thread()?;
            let task = comps.thread(t).task;
            let Some(a) = comps.tasks[task as usize].a.as_ref().filter(|a| a.func.opts.async_)
            else {
                bail!(trap("task.cancel called by a task that was not lifted `async`"))
            };
            if a.state != TaskState::CancelDelivered {
                bail!(trap("`task.cancel` called by task which has not been cancelled"));
            }
            if comps.tasks[task as usize].borrows > 0 {
                bail!(trap("borrow handles still remain at the end of the call"));
            }
            resolve_task(core, task, None)
        }
        Builtin::ContextGet { slot, .. } => {
            let comps = core.ext.components_mut();
            let t = comps.current_thread()?;
            slots[0] = comps.thread(t).storage[*slot as usize];
            Ok(())
        }
        Builtin::ContextSet { slot, .. } => {
            let comps = core.ext.components_mut();
            let t = comps.current_thread()?;
            comps.thread(t).storage[*slot as usize] = slots[0];
            Ok(())
        }
        Builtin::BackpressureInc => {
            let s = &mut core.ext.components_mut().instances[inst as usize];
            if s.backpressure == u16::MAX as u32 {
                bail!(trap("backpressure counter overflow"));
            }
            s.backpressure += 1;
            Ok(())
        }
        Builtin::BackpressureDec => {
            let s = &mut core.ext.components_mut().instances[inst as usize];
            if s.backpressure == 0 {
                bail!(trap("backpressure counter underflow"));
            }
            s.backpressure -= 1;
            Ok(())
        }
        Builtin::Yield => block_on(core, slots, Cond::Always, true, |_, cancelled, slots| {
            slots[0] = cancelled as u64;
            Ok(())
        }),
        Builtin::ThreadNewIndirect { table } => {
            let comps = core.ext.components_mut();
            let cur = comps.current_thread()?;
            let task = comps.thread(cur).task;
            let t = &core.tables[*table as usize];
            let r = *t.elems.get(arg(0) as usize).ok_or(Trap::TableOutOfBounds)?;
            if r == 0 {
                bail!(Trap::IndirectCallToNull);
            }
            let func = (r - 1) as u32;
            let want = core.engine.type_id(&FuncType::new([ValType::I32], []));
            if core.funcs[func as usize].ty != want {
                bail!(Trap::BadSignature);
            }
            let fiber = core.fiber_new()?;
            let comps = core.ext.components_mut();
            let t = comps.a.threads.insert(Thread::new(
                task,
                inst,
                Some(fiber),
                ThreadState::Suspended,
                Next::Explicit { func, arg: slots[1] },
                Phase::Explicit,
            ));
            let index = register(comps, inst, t);
            if let Some(a) = comps.tasks[task as usize].a.as_mut() {
                a.threads.push(t);
            } else {
                comps.tasks[task as usize].threads += 1;
            }
            slots[0] = index as u64;
            Ok(())
        }
        Builtin::ThreadResumeLater => {
            let comps = core.ext.components_mut();
            let other = thread_at(comps, inst, arg(0))?;
            if !matches!(comps.thread(other).state, ThreadState::Suspended) {
                bail!(trap("cannot resume thread which is not suspended"));
            }
            let next = std::mem::replace(&mut comps.thread(other).next, Next::None);
            comps.start_waiting(other, Cond::Always, false, next);
            Ok(())
        }
        Builtin::ThreadSuspend => {
            check_blocking(core)?;
            switch(core, slots, None, false)
        }
        Builtin::ThreadSwitch { yield_, promote } => {
            let comps = core.ext.components_mut();
            let other = thread_at(comps, inst, arg(0))?;
            let state = match comps.thread(other).state {
                ThreadState::Suspended => None,
                ThreadState::Waiting(c) => Some(Some(c)),
                ThreadState::Running => Some(None),
            };
            let target = match (state, promote) {
                (None, false) => Some(other),
                (_, false) => bail!(trap("cannot resume thread which is not suspended")),
                (Some(Some(c)), true) if comps.ready(c) => {
                    comps.stop_waiting(other);
                    Some(other)
                }
                (_, true) => None,
            };
            switch(core, slots, target, *yield_)
        }
        Builtin::ThreadIndex => {
            let comps = core.ext.components_mut();
            let t = comps.current_thread()?;
            slots[0] = comps.thread(t).index as u64;
            Ok(())
        }
        Builtin::WaitableSetNew => {
            let comps = core.ext.components_mut();
            let o = comps.a.objs.insert(Obj::Set(WaitableSet {
                elems: Default::default(),
                ready: Default::default(),
                num_waiting: 0,
            }));
            slots[0] = comps.add_handle(inst, o)? as u64;
            Ok(())
        }
        Builtin::WaitableSetWait { memory } | Builtin::WaitableSetPoll { memory } => {
            let poll = matches!(b, Builtin::WaitableSetPoll { .. });
            if !poll {
                check_blocking(core)?;
            }
            let comps = core.ext.components_mut();
            let set = comps.handle(inst, arg(0))?;
            if !matches!(comps.obj(set), Obj::Set(_)) {
                bail!(trap("handle is not a waitable set"));
            }
            let ptr = arg(1);
            let opts = opts_of(inst, Some(*memory), None, StringEncoding::Utf8);
            let write = move |core: &mut StoreCore, e: (u32, u32, u32), slots: &mut [u64]| {
                let mut cx = Cx::new(core, &opts, &[], true);
                cx.check_range(ptr, 8, 4, What::Pointer)?;
                cx.bytes_mut(ptr, 4)?.copy_from_slice(&e.1.to_le_bytes());
                cx.bytes_mut(ptr + 4, 4)?.copy_from_slice(&e.2.to_le_bytes());
                slots[0] = e.0 as u64;
                Ok(())
            };
            if poll {
                let e = if core
                    .ext
                    .components_mut()
                    .ready(Cond::SetHasEvent { set, not_exclusive: None })
                {
                    set_event(core, set)?
                } else {
                    (EVENT_NONE, 0, 0)
                };
                return write(core, e, slots);
            }
            if let Obj::Set(s) = comps.obj(set) {
                s.num_waiting += 1;
            }
            let cond = Cond::SetHasEvent { set, not_exclusive: None };
            block_on(core, slots, cond, false, move |core, cancelled, slots| {
                if let Some(Obj::Set(s)) = core.ext.components_mut().a.objs.get_mut(set) {
                    s.num_waiting -= 1;
                }
                let e =
                    if cancelled { (EVENT_TASK_CANCELLED, 0, 0) } else { set_event(core, set)? };
                write(core, e, slots)
            })
        }
        Builtin::WaitableSetDrop => {
            let comps = core.ext.components_mut();
            let set = comps.handle(inst, arg(0))?;
            let Obj::Set(s) = comps.obj(set) else { bail!(trap("handle is not a waitable set")) };
            if !s.elems.is_empty() {
                bail!(trap("cannot drop waitable set which still has waitables"));
            }
            if s.num_waiting > 0 {
                bail!(trap("cannot drop waitable set with waiters"));
            }
            comps.instances[inst as usize].handles.remove_async(arg(0))?;
            comps.a.objs.remove(set);
            Ok(())
        }
        Builtin::WaitableJoin => {
            let comps = core.ext.components_mut();
            let w = comps.handle(inst, arg(0))?;
            let Some(wt) = comps.obj(w).waitable() else { bail!(trap("handle is not a waitable")) };
            if wt.sync_waiter {
                bail!(trap("waitable cannot be used synchronously while added to a waitable set"));
            }
            let new = match arg(1) {
                0 => None,
                si => {
                    let set = comps.handle(inst, si)?;
                    if !matches!(comps.obj(set), Obj::Set(_)) {
                        bail!(trap("handle is not a waitable set"));
                    }
                    Some(set)
                }
            };
            join(comps, w, new);
            Ok(())
        }
        Builtin::SubtaskDrop => {
            let comps = core.ext.components_mut();
            let o = comps.handle(inst, arg(0))?;
            let Obj::Subtask(s) = comps.obj(o) else { bail!(trap("handle is not a subtask")) };
            if s.lenders.is_some() {
                bail!(trap("cannot drop a subtask which has not yet resolved"));
            }
            comps.instances[inst as usize].handles.remove_async(arg(0))?;
            join(comps, o, None);
            comps.a.objs.remove(o);
            Ok(())
        }
        Builtin::SubtaskCancel { async_ } => subtask_cancel(core, inst, arg(0), *async_, slots),
        Builtin::New { future, ty } => {
            let comps = core.ext.components_mut();
            let shared = comps.a.shared.insert(Shared {
                future: *future,
                ty: ty.clone(),
                untyped: false,
                dropped: false,
                pending: None,
                host: None,
                serial: 0,
            });
            comps.a.disarm(Asked::Source(shared));
            let end = |readable| {
                Obj::End(End {
                    w: Waitable::new(inst),
                    shared,
                    future: *future,
                    readable,
                    state: CopyState::Idle,
                    buffer: None,
                })
            };
            let r = comps.a.objs.insert(end(true));
            let w = comps.a.objs.insert(end(false));
            let ri = comps.add_handle(inst, r)?;
            let wi = comps.add_handle(inst, w)?;
            slots[0] = ri as u64 | ((wi as u64) << 32);
            Ok(())
        }
        Builtin::Read { future, ty, memory, realloc, encoding, async_ }
        | Builtin::Write { future, ty, memory, realloc, encoding, async_ } => {
            let readable = matches!(b, Builtin::Read { .. });
            let opts = opts_of(inst, *memory, *realloc, *encoding);
            let (ptr, n) = if *future { (arg(1), 1) } else { (arg(1), arg(2)) };
            copy(
                core,
                inst,
                arg(0),
                readable,
                *future,
                ty,
                opts,
                resources.clone(),
                ptr,
                n,
                *async_,
                slots,
            )
        }
        Builtin::CancelRead { future, ty, async_ }
        | Builtin::CancelWrite { future, ty, async_ } => {
            let readable = matches!(b, Builtin::CancelRead { .. });
            cancel_copy(core, inst, arg(0), readable, *future, ty, *async_, slots)
        }
        Builtin::DropReadable { future, ty } | Builtin::DropWritable { future, ty } => {
            let readable = matches!(b, Builtin::DropReadable { .. });
            drop_end(core, inst, arg(0), readable, *future, ty)
        }
        Builtin::ErrorContextNew { memory, encoding } => {
            let opts = opts_of(inst, *memory, None, *encoding);
            let msg = Cx::new(core, &opts, &[], true).load_string(arg(0), arg(1))?;
            let comps = core.ext.components_mut();
            let e = comps.a.errors.insert((msg, 1));
            let o = comps.a.objs.insert(Obj::ErrorContext(e));
            slots[0] = comps.add_handle(inst, o)? as u64;
            Ok(())
        }
        Builtin::ErrorContextDebugMessage { memory, realloc, encoding } => {
            let comps = core.ext.components_mut();
            let o = comps.handle(inst, arg(0))?;
            let Obj::ErrorContext(e) = *comps.obj(o) else {
                bail!(trap("handle is not an error context"))
            };
            let msg = comps.a.errors.get(e).map(|(m, _)| m.clone()).unwrap_or_default();
            let opts = opts_of(inst, *memory, *realloc, *encoding);
            let mut cx = Cx::new(core, &opts, &[], true);
            let ptr = arg(1);
            cx.check_range(ptr, 8, 4, What::Pointer)?;
            let (p, l) = cx.store_string(&msg)?;
            cx.bytes_mut(ptr, 4)?.copy_from_slice(&p.to_le_bytes());
            cx.bytes_mut(ptr + 4, 4)?.copy_from_slice(&l.to_le_bytes());
            Ok(())
        }
        Builtin::ErrorContextDrop => {
            let comps = core.ext.components_mut();
            let o = comps.handle(inst, arg(0))?;
            let Obj::ErrorContext(e) = *comps.obj(o) else {
                bail!(trap("handle is not an error context"));
            };
            comps.instances[inst as usize].handles.remove_async(arg(0))?;
            comps.a.objs.remove(o);
            if let Some((_, refs)) = comps.a.errors.get_mut(e) {
                *refs -= 1;
                if *refs == 0 {
                    comps.a.errors.remove(e);
                }
            }
            Ok(())
        }
    }
}

/// Moves waitable `w` into set `new` (or out of any).
fn join(comps: &mut ComponentStore, w: ObjId, new: Option<ObjId>) {
    let old = comps.obj(w).waitable().and_then(|x| x.set);
    if let Some(old) = old
        && let Some(Obj::Set(s)) = comps.a.objs.get_mut(old)
    {
        s.elems.remove(&w);
    }
    let mut pending = false;
    if let Some(x) = comps.obj(w).waitable_mut() {
        x.set = new;
        pending = x.pending.is_some() && new.is_some();
        x.queued = pending;
    }
    if let Some(new) = new
        && let Obj::Set(s) = comps.obj(new)
    {
        s.elems.insert(w);
        if pending {
            s.ready.push_back(w);
        }
    }
}

fn subtask_cancel(
    core: &mut StoreCore,
    inst: InstanceId,
    i: u32,
    async_: bool,
    slots: &mut [u64],
) -> Result<()> {
    if !async_ {
        check_blocking(core)?;
    }
    let comps = core.ext.components_mut();
    let o = comps.handle(inst, i)?;
    let Obj::Subtask(s) = comps.obj(o) else { bail!(trap("handle is not a subtask")) };
    if s.lenders.is_none() {
        bail!(trap("`subtask.cancel` called after terminal status delivered"));
    }
    if s.cancel_requested {
        bail!(trap("`subtask.cancel` called more than once"));
    }
    if s.w.set.is_some() && !async_ {
        bail!(trap("waitable cannot be used synchronously while added to a waitable set"));
    }
    if !s.state.resolved() {
        s.cancel_requested = true;
        let callee = s.callee;
        if let Some(task) = callee {
            request_cancellation(core, task, Some(inst))?;
        }
        let comps = core.ext.components_mut();
        let Obj::Subtask(s) = comps.obj(o) else { unreachable!() };
        if !s.state.resolved() {
            if async_ {
                slots[0] = BLOCKED as u64;
                return Ok(());
            }
            s.w.sync_waiter = true;
            return block_on(
                core,
                slots,
                Cond::SubtaskResolved(o),
                false,
                move |core, _, slots| {
                    let comps = core.ext.components_mut();
                    if let Obj::Subtask(s) = comps.obj(o) {
                        s.w.sync_waiter = false;
                        s.w.pending = None;
                    }
                    slots[0] = subtask_event(comps, o).2 as u64;
                    Ok(())
                },
            );
        }
    }
    let comps = core.ext.components_mut();
    if let Obj::Subtask(s) = comps.obj(o) {
        s.w.pending = None;
    }
    slots[0] = subtask_event(comps, o).2 as u64;
    Ok(())
}

/// `Task.request_cancellation`.
fn request_cancellation(core: &mut StoreCore, task: u32, caller: Option<InstanceId>) -> Result<()> {
    let comps = core.ext.components_mut();
    let Some(a) = comps.tasks.get(task as usize).and_then(|t| t.a.as_ref()) else { return Ok(()) };
    match a.state {
        TaskState::Initial => {
            let t = a.implicit;
            comps.atask(task).state = TaskState::CancelDelivered;
            resume(core, t, true)
        }
        TaskState::Started => {
            let f = a.func.clone();
            let implicit = a.implicit;
            let inst = f.opts.instance;
            let mut candidates: Vec<ThreadId> = a
                .threads
                .iter()
                .copied()
                .filter(|&t| {
                    comps.a.threads.get(t).is_some_and(|th| {
                        th.cancellable && matches!(th.state, ThreadState::Waiting(_))
                    })
                })
                .collect();
            let ex = comps.instances[inst as usize].exclusive;
            if needs_exclusive(&f) && ex.is_some() && ex != Some(implicit) {
                candidates.retain(|&t| t != implicit);
            }
            let entering = comps.entering_set(inst, caller);
            let may_enter = entering.iter().all(|&i| comps.instances[i as usize].may_enter);
            if let (Some(&t), true) = (candidates.first(), may_enter) {
                comps.atask(task).state = TaskState::CancelDelivered;
                for &i in &entering {
                    comps.instances[i as usize].may_enter = false;
                }
                resume(core, t, true)?;
                for &i in &entering {
                    core.ext.components_mut().instances[i as usize].may_enter = true;
                }
            } else {
                comps.atask(task).state = TaskState::PendingCancel;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

// ---- streams and futures --------------------------------------------------

/// The end at handle `i` of `inst`, checked to be of the expected kind and
/// element type.
fn end_at(
    comps: &mut ComponentStore,
    inst: InstanceId,
    i: u32,
    readable: bool,
    future: bool,
    ty: &Option<Ty>,
) -> Result<ObjId> {
    let o = comps.handle(inst, i)?;
    let Obj::End(e) = comps.obj(o) else { bail!(trap("handle is not a stream or future end")) };
    if e.readable != readable || e.future != future {
        bail!(trap("handle is not the expected stream or future end"));
    }
    let shared = e.shared;
    let same = match (&comps.a.shared.get(shared).expect("shared").ty, ty) {
        (None, None) => true,
        (Some(a), Some(b)) => a.same(b),
        _ => false,
    };
    if !same {
        bail!(trap("stream or future used with the wrong type"));
    }
    Ok(o)
}

fn end(comps: &mut ComponentStore, o: ObjId) -> &mut End {
    match comps.obj(o) {
        Obj::End(e) => e,
        _ => unreachable!("an end"),
    }
}

/// `stream.{read,write}` and `future.{read,write}` (`stream_copy`,
/// `future_copy`).
#[allow(clippy::too_many_arguments)]
fn copy(
    core: &mut StoreCore,
    inst: InstanceId,
    i: u32,
    readable: bool,
    future: bool,
    ty: &Option<Ty>,
    opts: Options,
    resources: Resources,
    ptr: u32,
    n: u32,
    async_: bool,
    slots: &mut [u64],
) -> Result<()> {
    if !async_ {
        check_blocking(core)?;
    }
    let comps = core.ext.components_mut();
    let o = end_at(comps, inst, i, readable, future, ty)?;
    let e = end(comps, o);
    if e.state == CopyState::Done {
        bail!(trap(&match (future, readable) {
            (false, true) =>
                "cannot read from stream after being notified that the writable end dropped"
                    .to_string(),
            (false, false) =>
                "cannot write to stream after being notified that the readable end dropped"
                    .to_string(),
            (true, true) => "cannot read from future after previous read succeeded".to_string(),
            (true, false) =>
                "cannot write to future after previous write succeeded or readable end dropped"
                    .to_string(),
        }));
    }
    if e.state != CopyState::Idle {
        bail!(trap("cannot have concurrent operations active on a future/stream"));
    }
    if e.w.set.is_some() && !async_ {
        bail!(trap("waitable cannot be used synchronously while added to a waitable set"));
    }
    if n > (1 << 28) - 1 {
        bail!(trap("buffer too long"));
    }
    if let Some(t) = ty
        && n > 0
    {
        let a = t.abi();
        let cx = Cx::new(core, &opts, &resources, true);
        cx.check_range(ptr, a.size as u64 * n as u64, a.align, What::List)?;
    }
    let comps = core.ext.components_mut();
    let e = end(comps, o);
    e.state = CopyState::Copying;
    e.buffer = Some(Buffer { opts, resources, ty: ty.clone(), ptr, len: n, progress: 0 });
    let shared = e.shared;
    if readable {
        shared_read(core, shared, o)?;
    } else {
        shared_write(core, shared, o)?;
    }
    finish_copy(core, o, async_, slots)
}

/// The end of a copy or cancellation: the event now, `BLOCKED`, or (sync)
/// waiting for it.
fn finish_copy(core: &mut StoreCore, o: ObjId, async_: bool, slots: &mut [u64]) -> Result<()> {
    let comps = core.ext.components_mut();
    if end(comps, o).w.pending.is_some() {
        slots[0] = take_event(core, o)?.2 as u64;
        return Ok(());
    }
    if async_ {
        slots[0] = BLOCKED as u64;
        return Ok(());
    }
    end(comps, o).w.sync_waiter = true;
    block_on(core, slots, Cond::HasEvent(o), false, move |core, _, slots| {
        end(core.ext.components_mut(), o).w.sync_waiter = false;
        slots[0] = take_event(core, o)?.2 as u64;
        Ok(())
    })
}

/// The event of a copy on end `o` (`stream_event`, `future_event`).
fn copy_event(comps: &mut ComponentStore, o: ObjId, result: u32, reclaim: bool) -> (u32, u32, u32) {
    let e = end(comps, o);
    let shared = e.shared;
    let future = e.future;
    let progress = e.buffer.as_ref().map_or(0, |b| b.progress);
    e.state = if result == COPY_DROPPED || (future && result == COPY_COMPLETED) {
        CopyState::Done
    } else {
        CopyState::Idle
    };
    e.buffer = None;
    let (code, handle) = (e.event_code(), e.w.handle);
    if reclaim
        && let Some(s) = comps.a.shared.get_mut(shared)
        && s.pending == Some(o)
    {
        s.pending = None;
    }
    let payload = if future { result } else { result | (progress << 4) };
    (code, handle, payload)
}

/// Copies `n` elements from `src`'s buffer into `dst`'s.
fn copy_elems(core: &mut StoreCore, src: ObjId, dst: ObjId, n: u32) -> Result<()> {
    let comps = core.ext.components_mut();
    let (sinst, dinst) = (end(comps, src).w.inst, end(comps, dst).w.inst);
    let sb = end(comps, src).buffer.take().expect("buffer");
    let r = (|| {
        let mut vals = Vec::new();
        if let Some(t) = &sb.ty {
            let size = t.abi().size;
            let mut cx = Cx::new(core, &sb.opts, &sb.resources, true);
            for k in 0..n {
                vals.push(values::load(&mut cx, t, sb.ptr + (sb.progress + k) * size)?);
            }
        }
        let comps = core.ext.components_mut();
        let db = end(comps, dst).buffer.take().expect("buffer");
        let r = (|| {
            if let Some(t) = &db.ty {
                let size = t.abi().size;
                let mut cx = Cx::new(core, &db.opts, &db.resources, true);
                for (k, v) in vals.iter().enumerate() {
                    values::store(&mut cx, t, v, db.ptr + (db.progress + k as u32) * size)?;
                }
            }
            Ok::<(), anyhow::Error>(())
        })();
        let mut db = db;
        db.progress += n;
        end(core.ext.components_mut(), dst).buffer = Some(db);
        r
    })();
    let mut sb = sb;
    sb.progress += n;
    end(core.ext.components_mut(), src).buffer = Some(sb);
    let _ = (sinst, dinst);
    r
}

fn remain(comps: &mut ComponentStore, o: ObjId) -> u32 {
    end(comps, o).buffer.as_ref().map_or(0, Buffer::remain)
}

fn zero_length(comps: &mut ComponentStore, o: ObjId) -> bool {
    end(comps, o).buffer.as_ref().is_none_or(|b| b.len == 0)
}

/// Both sides of a copy are in `inst` with an element type that is neither
/// empty nor a number (a temporary restriction of the spec).
fn check_same_instance(comps: &mut ComponentStore, a: ObjId, b: ObjId, shared: u32) -> Result<()> {
    let s = comps.a.shared.get(shared).expect("shared");
    let plain = s.ty.as_ref().is_none_or(Ty::is_number);
    let future = s.future;
    if !plain && end(comps, a).w.inst == end(comps, b).w.inst {
        let kind = if future { "future" } else { "stream" };
        bail!(trap(&format!("cannot read from and write to intra-component {kind}")));
    }
    Ok(())
}

fn reset_and_notify(comps: &mut ComponentStore, shared: u32, result: u32) {
    let s = comps.a.shared.get_mut(shared).expect("shared");
    if let Some(p) = s.pending.take() {
        comps.set_event(p, Event::Copy { result, reclaim: false });
    }
}

/// Most bytes of a guest's write offered to a host sink at once (the write
/// completes with what the sink took).
const MAX_OFFER: usize = 1 << 20;

/// The bytes of `o`'s buffer not copied yet (a `stream<u8>`'s), up to
/// [`MAX_OFFER`].
fn buffer_bytes(core: &mut StoreCore, o: ObjId) -> Result<Vec<u8>> {
    let b = end(core.ext.components_mut(), o).buffer.take().expect("buffer");
    // At most `MAX_OFFER` at a time: a sink that takes a little of each
    // offer does not get the whole rest copied again each time.
    let r = Cx::new(core, &b.opts, &b.resources, true)
        .bytes(b.ptr + b.progress, (b.remain() as usize).min(MAX_OFFER))
        .map(<[u8]>::to_vec);
    end(core.ext.components_mut(), o).buffer = Some(b);
    r
}

/// Writes `bytes` into `o`'s buffer (as many as fit).
fn fill_buffer(core: &mut StoreCore, o: ObjId, bytes: &[u8]) -> Result<()> {
    let mut b = end(core.ext.components_mut(), o).buffer.take().expect("buffer");
    let n = bytes.len().min(b.remain() as usize);
    let r = Cx::new(core, &b.opts, &b.resources, true)
        .bytes_mut(b.ptr + b.progress, n)
        .map(|m| m.copy_from_slice(&bytes[..n]));
    b.progress += n as u32;
    end(core.ext.components_mut(), o).buffer = Some(b);
    r
}

/// Stores the future value `v` into `o`'s buffer.
fn store_value(core: &mut StoreCore, o: ObjId, v: &Val) -> Result<()> {
    let mut b = end(core.ext.components_mut(), o).buffer.take().expect("buffer");
    let r = match &b.ty {
        Some(t) => values::store(&mut Cx::new(core, &b.opts, &b.resources, true), t, v, b.ptr),
        None => Ok(()),
    };
    b.progress = 1;
    end(core.ext.components_mut(), o).buffer = Some(b);
    r
}

fn is_bytes(ty: &Option<Ty>) -> bool {
    matches!(ty, Some(Ty::U8 | Ty::S8))
}

/// A guest read of a stream or future the host writes.
fn host_read(core: &mut StoreCore, shared: u32, r: ObjId) -> Result<()> {
    let comps = core.ext.components_mut();
    let s = comps.a.shared.get_mut(shared).expect("shared");
    match s.host.take() {
        Some(HostSide::Value(Some(v))) => {
            s.host = Some(HostSide::Value(None));
            s.dropped = true;
            store_value(core, r, &v)?;
            core.ext
                .components_mut()
                .set_event(r, Event::Copy { result: COPY_COMPLETED, reclaim: false });
        }
        Some(HostSide::Value(None)) => {
            s.host = Some(HostSide::Value(None));
            s.pending = Some(r);
        }
        Some(HostSide::ValuePoll(mut poll)) => {
            let got = asking(core, Asked::Source(shared), &mut poll);
            let comps = core.ext.components_mut();
            let s = comps.a.shared.get_mut(shared).expect("shared");
            match got? {
                Some(v) => {
                    s.host = Some(HostSide::Value(None));
                    s.dropped = true;
                    store_value(core, r, &v)?;
                    core.ext
                        .components_mut()
                        .set_event(r, Event::Copy { result: COPY_COMPLETED, reclaim: false });
                }
                None => {
                    s.host = Some(HostSide::ValuePoll(poll));
                    not_ready(comps, shared, r);
                }
            }
        }
        Some(HostSide::Source(mut source)) => {
            let want = remain(comps, r) as usize;
            if want == 0 {
                comps.a.shared.get_mut(shared).expect("shared").host =
                    Some(HostSide::Source(source));
                comps.set_event(r, Event::Copy { result: COPY_COMPLETED, reclaim: false });
                return Ok(());
            }
            if !is_bytes(&comps.a.shared.get(shared).expect("shared").ty) {
                bail!("wazi: host streams carry bytes only");
            }
            let got = asking(core, Asked::Source(shared), |outer| source(outer, want));
            let comps = core.ext.components_mut();
            comps.a.shared.get_mut(shared).expect("shared").host = Some(HostSide::Source(source));
            match got? {
                Some(bytes) if bytes.is_empty() => not_ready(comps, shared, r),
                Some(bytes) => {
                    fill_buffer(core, r, &bytes)?;
                    core.ext
                        .components_mut()
                        .set_event(r, Event::Copy { result: COPY_COMPLETED, reclaim: false });
                }
                None => {
                    let s = comps.a.shared.get_mut(shared).expect("shared");
                    s.dropped = true;
                    s.host = None;
                    comps.set_event(r, Event::Copy { result: COPY_DROPPED, reclaim: false });
                }
            }
        }
        Some(HostSide::Values(mut source)) => {
            let want = remain(comps, r) as usize;
            if want == 0 {
                comps.a.shared.get_mut(shared).expect("shared").host =
                    Some(HostSide::Values(source));
                comps.set_event(r, Event::Copy { result: COPY_COMPLETED, reclaim: false });
                return Ok(());
            }
            let got = asking(core, Asked::Source(shared), |outer| source(outer, want));
            let comps = core.ext.components_mut();
            comps.a.shared.get_mut(shared).expect("shared").host = Some(HostSide::Values(source));
            match got? {
                Some(vals) if vals.is_empty() => not_ready(comps, shared, r),
                Some(vals) => {
                    let mut b = end(comps, r).buffer.take().expect("buffer");
                    let res = (|| {
                        let t = b.ty.clone().context("a stream of values without a type")?;
                        let size = t.abi().size;
                        let mut cx = Cx::new(core, &b.opts, &b.resources, true);
                        for v in vals.iter().take(b.remain() as usize) {
                            values::store(&mut cx, &t, v, b.ptr + b.progress * size)?;
                            b.progress += 1;
                        }
                        Ok::<(), anyhow::Error>(())
                    })();
                    end(core.ext.components_mut(), r).buffer = Some(b);
                    res?;
                    core.ext
                        .components_mut()
                        .set_event(r, Event::Copy { result: COPY_COMPLETED, reclaim: false });
                }
                None => {
                    let s = comps.a.shared.get_mut(shared).expect("shared");
                    s.dropped = true;
                    s.host = None;
                    comps.set_event(r, Event::Copy { result: COPY_DROPPED, reclaim: false });
                }
            }
        }
        other => {
            s.host = other;
            bail!("internal error: a host read end read by a guest");
        }
    }
    Ok(())
}

/// The host's source had nothing for reader `r` yet: the read waits, and
/// the event loop asks the source again.
fn not_ready(comps: &mut ComponentStore, shared: u32, r: ObjId) {
    comps.a.shared.get_mut(shared).expect("shared").pending = Some(r);
    if !comps.a.host_sources.contains(&shared) {
        comps.a.host_sources.push(shared);
    }
}

/// Asks the sources of the host streams guests wait on again.
fn poll_sources(core: &mut StoreCore) -> Result<()> {
    let sources = std::mem::take(&mut core.ext.components_mut().a.host_sources);
    for shared in sources {
        let comps = core.ext.components_mut();
        // A read cancelled or an end dropped meanwhile leaves nothing to do.
        let Some(s) = comps.a.shared.get_mut(shared) else { continue };
        if matches!(s.host, Some(HostSide::Forward { .. })) {
            forward(core, shared)?;
            continue;
        }
        if matches!(s.host, Some(HostSide::Sink { .. })) {
            // A write the sink had no room for.
            if let Some(w) = s.pending.take() {
                host_write(core, shared, w)?;
            }
            continue;
        }
        if matches!(s.host, Some(HostSide::PollForward { .. })) {
            poll_forward(core, shared)?;
            continue;
        }
        if !matches!(
            s.host,
            Some(HostSide::Source(_) | HostSide::Values(_) | HostSide::ValuePoll(_))
        ) {
            continue;
        }
        let Some(r) = s.pending.take() else { continue };
        host_read(core, shared, r)?;
    }
    Ok(())
}

/// Asks a polled future the host took back for its value: once there is
/// one it goes to the sink and the state goes; otherwise the loop asks
/// again.
fn poll_forward(core: &mut StoreCore, shared: u32) -> Result<()> {
    let comps = core.ext.components_mut();
    let Some(HostSide::PollForward { mut poll, sink }) =
        comps.a.shared.get_mut(shared).and_then(|s| s.host.take())
    else {
        return Ok(());
    };
    let got = asking(core, Asked::Source(shared), &mut poll);
    let comps = core.ext.components_mut();
    match got {
        Ok(Some(v)) => {
            comps.a.shared.remove(shared);
            sink(core.outer, Some(v))
        }
        Ok(None) => {
            comps.a.shared.get_mut(shared).expect("shared").host =
                Some(HostSide::PollForward { poll, sink });
            comps.a.host_sources.push(shared);
            Ok(())
        }
        Err(e) => {
            comps.a.shared.remove(shared);
            Err(e)
        }
    }
}

/// Most bytes one turn of the event loop moves through a host-to-host
/// stream.
const FORWARD_PER_TURN: usize = 1 << 20;

/// Moves what a host-to-host stream's source has to its sink; at the end
/// the state goes and the sink's `end` runs, otherwise the loop asks again.
fn forward(core: &mut StoreCore, shared: u32) -> Result<()> {
    let comps = core.ext.components_mut();
    let Some(HostSide::Forward { mut source, mut sink, end, mut held }) =
        comps.a.shared.get_mut(shared).and_then(|s| s.host.take())
    else {
        return Ok(());
    };
    let mut moved = 0;
    let me = Asked::Source(shared);
    core.ext.components_mut().a.disarm(me);
    let r = (|| {
        loop {
            if !held.is_empty() {
                let Some(n) = asking_too(core, me, |outer| sink(outer, &held))? else {
                    return Ok(false);
                };
                let n = n.min(held.len());
                held.drain(..n);
                moved += n;
                if !held.is_empty() {
                    // No room: asked again on the next turn.
                    return Ok(true);
                }
            }
            if moved >= FORWARD_PER_TURN {
                return Ok(true);
            }
            match asking_too(core, me, |outer| source(outer, 64 << 10))? {
                Some(bytes) if bytes.is_empty() => return Ok(true),
                Some(bytes) => held = bytes,
                None => return Ok(false),
            }
        }
    })();
    let comps = core.ext.components_mut();
    match r {
        Ok(true) => {
            comps.a.shared.get_mut(shared).expect("shared").host =
                Some(HostSide::Forward { source, sink, end, held });
            comps.a.host_sources.push(shared);
            Ok(())
        }
        Ok(false) => {
            comps.a.shared.remove(shared);
            match end {
                Some(end) => end(core.outer),
                None => Ok(()),
            }
        }
        Err(e) => {
            comps.a.shared.remove(shared);
            Err(e)
        }
    }
}

/// A guest write into a stream the host reads.
fn host_write(core: &mut StoreCore, shared: u32, w: ObjId) -> Result<()> {
    let comps = core.ext.components_mut();
    let s = comps.a.shared.get_mut(shared).expect("shared");
    let ty_bytes = is_bytes(&s.ty);
    let Some(HostSide::Sink { mut sink, end: on_end }) = s.host.take() else {
        bail!("internal error: a guest write to a stream without a host reader");
    };
    let r = if remain(comps, w) == 0 {
        Ok(Some(true))
    } else if !ty_bytes {
        Err(anyhow!("wazi: host streams carry bytes only"))
    } else {
        buffer_bytes(core, w).and_then(|bytes| {
            let got = asking(core, Asked::Source(shared), |outer| sink(outer, &bytes));
            let Some(n) = got? else { return Ok(None) };
            let n = n.min(bytes.len());
            if let Some(b) = end(core.ext.components_mut(), w).buffer.as_mut() {
                b.progress += n as u32;
            }
            Ok(Some(n > 0))
        })
    };
    let comps = core.ext.components_mut();
    let s = comps.a.shared.get_mut(shared).expect("shared");
    let Some(took) = r? else {
        // The host's reader is gone: this write and later ones get
        // `DROPPED`, and the reader's `end` runs.
        s.dropped = true;
        comps.set_event(w, Event::Copy { result: COPY_DROPPED, reclaim: false });
        return match on_end {
            Some(end) => end(core.outer),
            None => Ok(()),
        };
    };
    s.host = Some(HostSide::Sink { sink, end: on_end });
    if !took {
        // No room yet: the write waits, and the loop offers it again.
        s.pending = Some(w);
        if !comps.a.host_sources.contains(&shared) {
            comps.a.host_sources.push(shared);
        }
        return Ok(());
    }
    comps.set_event(w, Event::Copy { result: COPY_COMPLETED, reclaim: false });
    Ok(())
}

/// A guest write of a future the host reads: the host gets the value.
fn host_future_write(core: &mut StoreCore, shared: u32, w: ObjId) -> Result<()> {
    let comps = core.ext.components_mut();
    let s = comps.a.shared.get_mut(shared).expect("shared");
    let Some(HostSide::FutureSink(sink)) = s.host.take() else {
        bail!("internal error: a guest write to a future without a host reader");
    };
    // The host's end is done with: the writer's drop frees the state.
    s.dropped = true;
    let mut b = end(comps, w).buffer.take().expect("buffer");
    let value = match &b.ty {
        // Lifted for the host: handles in it go to the host's table.
        Some(t) => Some(values::load(&mut Cx::new(core, &b.opts, &b.resources, false), t, b.ptr)?),
        None => None,
    };
    b.progress = 1;
    end(core.ext.components_mut(), w).buffer = Some(b);
    core.ext.components_mut().set_event(w, Event::Copy { result: COPY_COMPLETED, reclaim: false });
    sink(core.outer, value)
}

fn shared_read(core: &mut StoreCore, shared: u32, r: ObjId) -> Result<()> {
    let s = core.ext.components_mut().a.shared.get_mut(shared).expect("shared");
    if s.host.is_some() && !s.dropped {
        return host_read(core, shared, r);
    }
    rendezvous(core, shared, r, true)
}

fn shared_write(core: &mut StoreCore, shared: u32, w: ObjId) -> Result<()> {
    let s = core.ext.components_mut().a.shared.get_mut(shared).expect("shared");
    if matches!(s.host, Some(HostSide::Sink { .. })) && !s.dropped {
        return host_write(core, shared, w);
    }
    if matches!(s.host, Some(HostSide::FutureSink(_))) && !s.dropped {
        return host_future_write(core, shared, w);
    }
    rendezvous(core, shared, w, false)
}

/// A guest's copy on end `me` (the reader if `reading`) meets whatever
/// the other end has pending (`SharedStreamImpl.read`/`write` and the
/// future ones): it waits if nothing is, else copies what fits.
fn rendezvous(core: &mut StoreCore, shared: u32, me: ObjId, reading: bool) -> Result<()> {
    let comps = core.ext.components_mut();
    let s = comps.a.shared.get_mut(shared).expect("shared");
    if s.dropped {
        comps.set_event(me, Event::Copy { result: COPY_DROPPED, reclaim: false });
        return Ok(());
    }
    let Some(other) = s.pending else {
        s.pending = Some(me);
        return Ok(());
    };
    let future = s.future;
    let (r, w) = if reading { (me, other) } else { (other, me) };
    check_same_instance(comps, r, w, shared)?;
    if future {
        copy_elems(core, w, r, 1)?;
        let comps = core.ext.components_mut();
        reset_and_notify(comps, shared, COPY_COMPLETED);
        comps.set_event(me, Event::Copy { result: COPY_COMPLETED, reclaim: false });
        return Ok(());
    }
    if remain(comps, other) > 0 {
        let n = remain(comps, r).min(remain(comps, w));
        if n > 0 {
            copy_elems(core, w, r, n)?;
            core.ext
                .components_mut()
                .set_event(other, Event::Copy { result: COPY_COMPLETED, reclaim: true });
        }
        core.ext
            .components_mut()
            .set_event(me, Event::Copy { result: COPY_COMPLETED, reclaim: false });
    } else if !reading && zero_length(comps, w) && zero_length(comps, r) {
        // A zero-length write meeting a zero-length read completes; the
        // read stays pending.
        comps.set_event(me, Event::Copy { result: COPY_COMPLETED, reclaim: false });
    } else {
        reset_and_notify(comps, shared, COPY_COMPLETED);
        comps.a.shared.get_mut(shared).expect("shared").pending = Some(me);
    }
    Ok(())
}

/// `{stream,future}.cancel-{read,write}` (`cancel_copy`).
#[allow(clippy::too_many_arguments)]
fn cancel_copy(
    core: &mut StoreCore,
    inst: InstanceId,
    i: u32,
    readable: bool,
    future: bool,
    ty: &Option<Ty>,
    async_: bool,
    slots: &mut [u64],
) -> Result<()> {
    if !async_ {
        check_blocking(core)?;
    }
    let comps = core.ext.components_mut();
    let o = end_at(comps, inst, i, readable, future, ty)?;
    let e = end(comps, o);
    if e.state != CopyState::Copying || e.w.sync_waiter {
        bail!(trap(&format!("cancel of a {} end without a copy in progress", e.kind())));
    }
    if e.w.set.is_some() && !async_ {
        bail!(trap("waitable cannot be used synchronously while added to a waitable set"));
    }
    e.state = CopyState::CancellingCopy;
    if !future
        && let Some(Event::Copy { result, .. }) = &mut e.w.pending
        && *result == COPY_COMPLETED
    {
        // Elements already copied: the copy ends cancelled with them
        // counted, as wasmtime reports it.
        *result = COPY_CANCELLED;
    }
    if e.w.pending.is_none() {
        let shared = e.shared;
        let s = comps.a.shared.get_mut(shared).expect("shared");
        if s.pending == Some(o) {
            reset_and_notify(comps, shared, COPY_CANCELLED);
        }
    }
    finish_copy(core, o, async_, slots)
}

/// `{stream,future}.drop-{readable,writable}`.
fn drop_end(
    core: &mut StoreCore,
    inst: InstanceId,
    i: u32,
    readable: bool,
    future: bool,
    ty: &Option<Ty>,
) -> Result<()> {
    let comps = core.ext.components_mut();
    let o = end_at(comps, inst, i, readable, future, ty)?;
    let e = end(comps, o);
    if e.copying() {
        let verb = if readable { "remove" } else { "drop" };
        bail!(trap(&format!("cannot {verb} busy {}", e.kind())));
    }
    if future && !readable && e.state != CopyState::Done {
        bail!(trap("cannot drop future write end without first writing a value"));
    }
    let shared = e.shared;
    comps.instances[inst as usize].handles.remove_async(i)?;
    join(comps, o, None);
    comps.a.objs.remove(o);
    drop_shared(core, shared)
}

/// One end of `shared` is gone: the other end's pending copy ends with
/// `DROPPED` (a host reader's `end` runs); when both are gone the state
/// goes.
fn drop_shared(core: &mut StoreCore, shared: u32) -> Result<()> {
    let comps = core.ext.components_mut();
    let s = comps.a.shared.get_mut(shared).expect("shared");
    if s.dropped {
        comps.a.shared.remove(shared);
        return Ok(());
    }
    s.dropped = true;
    match s.host.take() {
        Some(HostSide::Sink { end: Some(end), .. }) => {
            comps.a.shared.remove(shared);
            end(core.outer)
        }
        Some(_) => {
            comps.a.shared.remove(shared);
            Ok(())
        }
        None => {
            reset_and_notify(comps, shared, COPY_DROPPED);
            Ok(())
        }
    }
}

// ---- values ---------------------------------------------------------------

/// Lifts a `stream` or `future` from handle `i` of the lifting instance
/// (`lift_async_value`): the readable end leaves the instance.
pub(crate) fn lift_end(cx: &mut Cx<'_>, i: u32, future: bool, ty: &Option<Arc<Ty>>) -> Result<u32> {
    let inst = cx.instance();
    let comps = cx.core.ext.components_mut();
    let ty: Option<Ty> = ty.as_ref().map(|t| (**t).clone());
    let o = end_at(comps, inst, i, true, future, &ty)?;
    let e = end(comps, o);
    let kind = e.kind();
    match e.state {
        CopyState::Idle => {}
        CopyState::Done if future => {
            bail!(trap("cannot lift future after previous read succeeded"))
        }
        CopyState::Done => {
            bail!(trap("cannot lift stream after being notified that the writable end dropped"))
        }
        _ => bail!(trap(&format!("cannot lift {kind} while a copy is in progress"))),
    }
    if e.w.set.is_some() {
        bail!(trap(&format!("cannot lift {kind} while it's in a waitable set")));
    }
    let shared = e.shared;
    comps.instances[inst as usize].handles.remove_async(i)?;
    comps.a.objs.remove(o);
    Ok(shared)
}

/// Lowers the readable end of `shared` (of element type `ty`) into the
/// lowering instance.
pub(crate) fn lower_end(
    cx: &mut Cx<'_>,
    shared: u32,
    future: bool,
    ty: &Option<Arc<Ty>>,
) -> Result<u32> {
    let inst = cx.instance();
    let comps = cx.core.ext.components_mut();
    let Some(s) = comps.a.shared.get_mut(shared) else {
        bail!("unknown {} handle", if future { "future" } else { "stream" });
    };
    if s.future != future {
        bail!(
            "a {} where a {} is expected",
            if s.future { "future" } else { "stream" },
            if future { "future" } else { "stream" }
        );
    }
    if s.untyped {
        s.ty = ty.as_ref().map(|t| (**t).clone());
        s.untyped = false;
    }
    let o = comps.a.objs.insert(Obj::End(End {
        w: Waitable::new(inst),
        shared,
        future,
        readable: true,
        state: CopyState::Idle,
        buffer: None,
    }));
    comps.add_handle(inst, o)
}

/// Lifts an `error-context` from handle `i` (it stays in the instance).
pub(crate) fn lift_error_context(cx: &mut Cx<'_>, i: u32) -> Result<u32> {
    let inst = cx.instance();
    let comps = cx.core.ext.components_mut();
    let o = comps.handle(inst, i)?;
    match comps.obj(o) {
        Obj::ErrorContext(e) => Ok(*e),
        _ => bail!(trap("handle is not an error context")),
    }
}

/// Lowers error context `e` into the lowering instance.
pub(crate) fn lower_error_context(cx: &mut Cx<'_>, e: u32) -> Result<u32> {
    let inst = cx.instance();
    let comps = cx.core.ext.components_mut();
    match comps.a.errors.get_mut(e) {
        Some((_, refs)) => *refs += 1,
        None => bail!("unknown error-context handle"),
    }
    let o = comps.a.objs.insert(Obj::ErrorContext(e));
    comps.add_handle(inst, o)
}

// ---- threads of synchronous calls -----------------------------------------

/// A thread for a synchronous call of lifted `f` (task `task`), running on
/// the caller's stack: it is the current thread until [`leave_sync`].
pub(crate) fn enter_sync(
    core: &mut StoreCore,
    task: usize,
    inst: InstanceId,
) -> (ThreadId, Option<ThreadId>) {
    let comps = core.ext.components_mut();
    let t = comps.a.threads.insert(Thread::new(
        task as u32,
        inst,
        None,
        ThreadState::Running,
        Next::None,
        Phase::Entry,
    ));
    register(comps, inst, t);
    (t, comps.a.current.replace(t))
}

/// The synchronous call's thread ends.
pub(crate) fn leave_sync(core: &mut StoreCore, t: (ThreadId, Option<ThreadId>)) {
    let comps = core.ext.components_mut();
    if let Some(th) = comps.a.threads.remove(t.0) {
        comps.instances[th.inst as usize].threads[th.index as usize] = None;
        comps.stop_waiting(t.0);
    }
    comps.a.current = t.1;
}

// ---- the host's ends --------------------------------------------------------

fn new_host_shared(comps: &mut ComponentStore, future: bool, host: HostSide) -> u32 {
    comps.a.next_serial += 1;
    let serial = comps.a.next_serial;
    let shared = comps.a.shared.insert(Shared {
        future,
        ty: None,
        untyped: true,
        dropped: false,
        pending: None,
        host: Some(host),
        serial,
    });
    comps.a.disarm(Asked::Source(shared));
    shared
}

impl StreamAny {
    /// Makes the host the reader of this `stream<u8>`: `sink` gets the
    /// bytes of each write as the guest makes it (so writes never wait),
    /// and `end` runs once the guest drops its writable end.
    pub fn pipe_to_host<T: 'static>(
        self,
        store: impl crate::AsContextMut<Data = T>,
        mut sink: impl FnMut(crate::StoreContextMut<'_, T>, &[u8]) -> Result<()> + Send + Sync + 'static,
        end: impl FnOnce(crate::StoreContextMut<'_, T>) -> Result<()> + Send + Sync + 'static,
    ) -> Result<()> {
        self.pipe_to_host_bounded(
            store,
            move |s, bytes| {
                sink(s, bytes)?;
                Ok(Some(bytes.len()))
            },
            end,
        )
    }

    /// As [`pipe_to_host`](StreamAny::pipe_to_host), with backpressure:
    /// `sink` takes what it has room for of each write and says how many
    /// bytes; the write completes with that many, or, if none, waits (other
    /// tasks run) and is offered again soon. `None` says the host takes no
    /// more (its reader is gone): the write, and every later one, gets
    /// `DROPPED`, and `end` runs.
    pub fn pipe_to_host_bounded<T: 'static>(
        self,
        mut store: impl crate::AsContextMut<Data = T>,
        mut sink: impl FnMut(crate::StoreContextMut<'_, T>, &[u8]) -> Result<Option<usize>>
        + Send
        + Sync
        + 'static,
        end: impl FnOnce(crate::StoreContextMut<'_, T>) -> Result<()> + Send + Sync + 'static,
    ) -> Result<()> {
        let inner = store.as_context_mut().0;
        let comps = inner.core.ext.components_mut();
        let Some(s) = comps.a.shared.get_mut(self.0) else { bail!("unknown stream handle") };
        if s.future || !matches!(s.host, None | Some(HostSide::Source(_))) {
            bail!("the stream is not a byte stream the host can read");
        }
        // SAFETY (both closures): the engine calls them with the
        // `StoreInner<T>` of the store the stream belongs to.
        let sink = move |outer: *mut (), bytes: &[u8]| {
            sink(crate::StoreContextMut(unsafe { &mut *(outer as *mut StoreInner<T>) }), bytes)
        };
        let end = move |outer: *mut ()| {
            end(crate::StoreContextMut(unsafe { &mut *(outer as *mut StoreInner<T>) }))
        };
        if let Some(HostSide::Source(source)) = s.host.take() {
            // A stream the host made: the host feeds itself.
            s.host = Some(HostSide::Forward {
                source,
                sink: Box::new(sink),
                end: Some(Box::new(end)),
                held: Vec::new(),
            });
            comps.a.host_sources.push(self.0);
            return Ok(());
        }
        s.host = Some(HostSide::Sink { sink: Box::new(sink), end: Some(Box::new(end)) });
        if s.dropped {
            // The writer is gone already.
            if let Some(HostSide::Sink { end: Some(end), .. }) = s.host.take() {
                comps.a.shared.remove(self.0);
                return end(inner.core.outer);
            }
        }
        // A write the guest made before the host took its end.
        if let Some(w) = s.pending.take() {
            host_write(&mut inner.core, self.0, w)?;
        }
        Ok(())
    }

    /// Drops the host's readable end: a guest writing gets `DROPPED`.
    pub fn close(self, mut store: impl crate::AsContextMut) -> Result<()> {
        close_host_reader(&mut store.as_context_mut().0.core, self.0)
    }

    /// A new `stream<u8>` the host writes, for a guest to read: when the
    /// guest reads up to `max` bytes, `source(max)` gives them, `None` at
    /// the end of the stream, or no bytes if it has none yet: then the read
    /// waits (other tasks run) and the source is asked again soon.
    pub fn from_host<T: 'static>(
        mut store: impl crate::AsContextMut<Data = T>,
        source: impl FnMut(crate::StoreContextMut<'_, T>, usize) -> Result<Option<Vec<u8>>>
        + Send
        + Sync
        + 'static,
    ) -> StreamAny {
        let comps = store.as_context_mut().0.core.ext.components_mut();
        StreamAny(new_host_shared(comps, false, HostSide::Source(Box::new(erase(source)))))
    }

    /// A new stream of values the host writes, for a guest to read: when
    /// the guest reads up to `max` elements, `source(max)` gives them (each
    /// of the stream's element type), `None` at the end, or none if it has
    /// none yet: then the read waits and the source is asked again soon.
    pub fn from_host_values<T: 'static>(
        mut store: impl crate::AsContextMut<Data = T>,
        source: impl FnMut(crate::StoreContextMut<'_, T>, usize) -> Result<Option<Vec<Val>>>
        + Send
        + Sync
        + 'static,
    ) -> StreamAny {
        let comps = store.as_context_mut().0.core.ext.components_mut();
        StreamAny(new_host_shared(comps, false, HostSide::Values(Box::new(erase(source)))))
    }
}

/// The host drops the readable end of `shared`, which a guest writes: the
/// state stays until the guest's end goes too.
fn close_host_reader(core: &mut StoreCore, shared: u32) -> Result<()> {
    let comps = core.ext.components_mut();
    let Some(s) = comps.a.shared.get_mut(shared) else { return Ok(()) };
    match s.host {
        Some(HostSide::Sink { .. } | HostSide::FutureSink(_)) => s.host = None,
        Some(HostSide::Forward { .. } | HostSide::ValueSink(_) | HostSide::PollForward { .. }) => {
            // Both ends were the host's.
            comps.a.shared.remove(shared);
            return Ok(());
        }
        _ => {}
    }
    drop_shared(core, shared)
}

/// A host callback over the store, as the engine calls it: with the
/// `StoreInner<T>` of the store it was made for.
fn erase<T: 'static, A, R>(
    mut f: impl FnMut(crate::StoreContextMut<'_, T>, A) -> R,
) -> impl FnMut(*mut (), A) -> R {
    // SAFETY: the engine calls host callbacks of a store only with that
    // store's `StoreInner<T>`.
    move |outer, a| f(crate::StoreContextMut(unsafe { &mut *(outer as *mut StoreInner<T>) }), a)
}

impl FutureAny {
    /// Makes the host the reader of this future: `sink` gets its value
    /// (`None` for a future without one) when the guest writes it.
    pub fn pipe_to_host<T: 'static>(
        self,
        mut store: impl crate::AsContextMut<Data = T>,
        sink: impl FnOnce(crate::StoreContextMut<'_, T>, Option<Val>) -> Result<()>
        + Send
        + Sync
        + 'static,
    ) -> Result<()> {
        let inner = store.as_context_mut().0;
        let comps = inner.core.ext.components_mut();
        let Some(s) = comps.a.shared.get_mut(self.0) else { bail!("unknown future handle") };
        if !s.future || !matches!(s.host, None | Some(HostSide::Value(_) | HostSide::ValuePoll(_)))
        {
            bail!("the future is not one the host can read");
        }
        if s.dropped && s.host.is_none() {
            bail!("the future's writer is gone");
        }
        // SAFETY: the engine calls it with the `StoreInner<T>` of the
        // store the future belongs to.
        let sink = move |outer: *mut (), v: Option<Val>| {
            sink(crate::StoreContextMut(unsafe { &mut *(outer as *mut StoreInner<T>) }), v)
        };
        match s.host.take() {
            // A future the host made: its value goes straight to `sink`.
            Some(HostSide::Value(Some(v))) => {
                comps.a.shared.remove(self.0);
                return sink(inner.core.outer, Some(v));
            }
            Some(HostSide::Value(None)) => {
                s.host = Some(HostSide::ValueSink(Box::new(sink)));
                return Ok(());
            }
            Some(HostSide::ValuePoll(poll)) => {
                s.host = Some(HostSide::PollForward { poll, sink: Box::new(sink) });
                comps.a.host_sources.push(self.0);
                return Ok(());
            }
            _ => {}
        }
        s.host = Some(HostSide::FutureSink(Box::new(sink)));
        // A write the guest made before the host took its end.
        if let Some(w) = s.pending.take() {
            host_future_write(&mut inner.core, self.0, w)?;
        }
        Ok(())
    }

    /// Drops the host's readable end: a guest writing gets `DROPPED`.
    pub fn close(self, mut store: impl crate::AsContextMut) -> Result<()> {
        close_host_reader(&mut store.as_context_mut().0.core, self.0)
    }
}

/// The host's writable end of a future ([`FutureAny::from_host`]).
#[derive(Debug)]
pub struct FutureWriter(u32, u64);

impl FutureAny {
    /// A new future whose value `poll` gives when a guest reads it
    /// (`None`: not yet; the read waits and is asked again soon).
    pub fn from_host_poll<T: 'static>(
        mut store: impl crate::AsContextMut<Data = T>,
        poll: impl FnMut(crate::StoreContextMut<'_, T>) -> Result<Option<Val>> + Send + Sync + 'static,
    ) -> FutureAny {
        let mut poll = poll;
        let comps = store.as_context_mut().0.core.ext.components_mut();
        // SAFETY: the engine calls it with the `StoreInner<T>` of this
        // store.
        let poll = move |outer: *mut ()| {
            poll(crate::StoreContextMut(unsafe { &mut *(outer as *mut StoreInner<T>) }))
        };
        FutureAny(new_host_shared(comps, true, HostSide::ValuePoll(Box::new(poll))))
    }

    /// A new future the host resolves with [`FutureWriter::write`], for a
    /// guest to read.
    pub fn from_host(mut store: impl crate::AsContextMut) -> (FutureAny, FutureWriter) {
        let core = &mut store.as_context_mut().0.core;
        let comps = core.ext.components_mut();
        let id = new_host_shared(comps, true, HostSide::Value(None));
        let serial = comps.a.shared.get(id).map_or(0, |s| s.serial);
        (FutureAny(id), FutureWriter(id, serial))
    }
}

impl FutureWriter {
    /// Resolves the future with `value`: a guest reading it now gets it at
    /// once, one reading later when it reads.
    pub fn write(self, mut store: impl crate::AsContextMut, value: Val) -> Result<()> {
        let core = &mut store.as_context_mut().0.core;
        write_host_future(core, self.0, self.1, value)
    }
}

pub(crate) fn write_host_future(
    core: &mut StoreCore,
    id: u32,
    serial: u64,
    value: Val,
) -> Result<()> {
    let comps = core.ext.components_mut();
    let Some(s) = comps.a.shared.get_mut(id).filter(|s| s.serial == serial) else {
        // The reader dropped its end: nobody wants the value.
        return Ok(());
    };
    if let Some(HostSide::ValueSink(_)) = s.host {
        let Some(HostSide::ValueSink(sink)) = s.host.take() else { unreachable!() };
        comps.a.shared.remove(id);
        return sink(core.outer, Some(value));
    }
    match s.pending.take() {
        Some(r) => {
            s.dropped = true;
            s.host = Some(HostSide::Value(None));
            store_value(core, r, &value)?;
            core.ext
                .components_mut()
                .set_event(r, Event::Copy { result: COPY_COMPLETED, reclaim: false });
        }
        None => s.host = Some(HostSide::Value(Some(value))),
    }
    Ok(())
}
