//! Shared linear memories (the threads proposal): one memory used by
//! stores on several threads at once, and the wait queues of
//! `memory.atomic.wait` and `memory.atomic.notify`.
//!
//! # Concurrency
//!
//! A shared memory's bytes are reserved at its maximum size when it is
//! created, so they never move: every store that imports the memory keeps
//! the same base pointer, and growing (under a lock) only makes more pages
//! accessible and then publishes the new length (an atomic store with
//! release ordering; readers load it with acquire ordering). Code running
//! in another thread may keep using the old, smaller length in its
//! registers; an access beyond it re-reads the length before trapping
//! (`exec::memory::out_of_bounds`), so no access to a grown page fails.
//!
//! Atomic instructions access the bytes with Rust's atomic types (each
//! access is aligned, which the instruction checks before), sequentially
//! consistent as the threads proposal requires. Plain loads and stores use
//! the same unaligned machine loads and stores as on an unshared memory.
//! Wasm allows plain and atomic accesses of any size to race on the same
//! bytes, with results the proposal defines per byte ("tearing"); Rust's
//! memory model has no such accesses, so they cannot be expressed as data
//! race free Rust. wazi upholds what can be upheld: the bytes are only ever
//! reached through raw pointers derived from the mapping (never through a
//! Rust reference while wasm may run in another thread), so the compiler
//! makes no aliasing assumption about them, and each access is a single
//! machine load or store (or an atomic read-modify-write) whose behaviour
//! under races is the hardware memory model's, as in wasmtime and every
//! engine that runs shared memories. The host's `Memory::data` on a shared
//! memory returns a slice others may write concurrently: read it only when
//! no other thread runs wasm on it.

use super::MemoryEntity;
use crate::types::MemoryType;
use anyhow::{Result, bail};
use std::collections::{HashMap, VecDeque};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// A thread waiting in `memory.atomic.wait`.
struct Waiter {
    thread: Thread,
    woken: AtomicBool,
}

pub(crate) struct SharedMemoryInner {
    base: NonNull<u8>,
    len: AtomicUsize,
    /// Owns the bytes; locked to grow.
    bytes: Mutex<MemoryEntity>,
    pub(crate) ty: MemoryType,
    /// Waiters by address.
    waiters: Mutex<HashMap<u64, VecDeque<Arc<Waiter>>>>,
}

// SAFETY: the raw base pointer names memory owned by `bytes`, which lives as
// long as `self`; all mutation of shared state goes through the locks and
// atomics.
unsafe impl Send for SharedMemoryInner {}
// SAFETY: as above.
unsafe impl Sync for SharedMemoryInner {}

/// How a wait ended (`memory.atomic.wait`'s result).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum WaitResult {
    Woken = 0,
    NotEqual = 1,
    TimedOut = 2,
}

impl SharedMemoryInner {
    pub(crate) fn new(ty: MemoryType) -> Result<Arc<SharedMemoryInner>> {
        let Some(max) = ty.maximum() else {
            bail!("shared memories must have a maximum size");
        };
        let mut m = MemoryEntity::new(ty)?;
        let max_bytes = max.min(ty.max_pages()) as usize * ty.page_size() as usize;
        if !m.fix_capacity(max_bytes) {
            bail!("failed to reserve {max_bytes} bytes for a shared memory");
        }
        let (base, len) = m.view();
        Ok(Arc::new(SharedMemoryInner {
            base: NonNull::new(base).expect("memory base"),
            len: AtomicUsize::new(len),
            bytes: Mutex::new(m),
            ty,
            waiters: Mutex::new(HashMap::new()),
        }))
    }

    pub(crate) fn base(&self) -> NonNull<u8> {
        self.base
    }

    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// Grows by `delta` pages unless that passes `max_pages`: the old size
    /// in pages, or `None`. Growing and reading the old size are one step
    /// under the lock, so concurrent growers each get their own old size.
    pub(crate) fn grow(&self, delta: u64, max_pages: u64) -> Option<u64> {
        let mut m = self.bytes.lock().unwrap();
        let page = self.ty.page_size();
        let old = m.len() as u64 / page;
        let new = old.checked_add(delta).filter(|&n| n <= max_pages)?;
        if !m.set_len((new * page) as usize) {
            return None;
        }
        self.len.store((new * page) as usize, Ordering::Release);
        Some(old)
    }

    /// Grows to `bytes` (never moving the base); false if it cannot.
    pub(crate) fn set_len(&self, bytes: usize) -> bool {
        let mut m = self.bytes.lock().unwrap();
        if bytes < m.len() {
            return true;
        }
        if !m.set_len(bytes) {
            return false;
        }
        debug_assert_eq!(m.view().0, self.base.as_ptr(), "a shared memory moved");
        self.len.store(bytes, Ordering::Release);
        true
    }

    /// `memory.atomic.wait`: blocks while the value at `ea` equals
    /// `expected` (read by `load` under the queue lock, so that no notify
    /// is lost), until notified or `timeout` (`None`: forever) passes.
    /// `interrupted` is polled every few milliseconds; when it says so the
    /// wait ends with `None`.
    pub(crate) fn wait(
        &self,
        ea: u64,
        equal: impl FnOnce() -> bool,
        timeout: Option<Duration>,
        interrupted: impl Fn() -> bool,
    ) -> Option<WaitResult> {
        let waiter = Arc::new(Waiter { thread: std::thread::current(), woken: false.into() });
        {
            let mut queues = self.waiters.lock().unwrap();
            if !equal() {
                return Some(WaitResult::NotEqual);
            }
            queues.entry(ea).or_default().push_back(waiter.clone());
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            if waiter.woken.load(Ordering::Acquire) {
                return Some(WaitResult::Woken);
            }
            let now = Instant::now();
            let expired = deadline.is_some_and(|d| now >= d);
            if expired || interrupted() {
                let mut queues = self.waiters.lock().unwrap();
                if waiter.woken.load(Ordering::Acquire) {
                    return Some(WaitResult::Woken);
                }
                if let Some(q) = queues.get_mut(&ea) {
                    q.retain(|w| !Arc::ptr_eq(w, &waiter));
                    if q.is_empty() {
                        queues.remove(&ea);
                    }
                }
                return expired.then_some(WaitResult::TimedOut);
            }
            let slice = Duration::from_millis(10);
            let nap = deadline.map_or(slice, |d| (d - now).min(slice));
            std::thread::park_timeout(nap);
        }
    }

    /// `memory.atomic.notify`: wakes up to `count` waiters at `ea`; returns
    /// how many.
    pub(crate) fn notify(&self, ea: u64, count: u32) -> u32 {
        let mut queues = self.waiters.lock().unwrap();
        let Some(q) = queues.get_mut(&ea) else { return 0 };
        let mut woken = 0;
        while woken < count {
            let Some(w) = q.pop_front() else { break };
            w.woken.store(true, Ordering::Release);
            w.thread.unpark();
            woken += 1;
        }
        if q.is_empty() {
            queues.remove(&ea);
        }
        woken
    }
}
