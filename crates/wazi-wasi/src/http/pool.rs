//! The instances `wazi serve` runs requests in, as wasmtime 48 serve
//! keeps them: each instance is a worker thread that owns its store and
//! takes requests from a queue. A WASI 0.2 instance serves one request at
//! a time, a WASI 0.3 one up to `concurrent` at once (its tasks
//! interleave in the store's event loop); an instance serves at most
//! `reuse` requests in all, and stops when it has had none for `idle`,
//! or when it fails (a trap ends every request it was serving).

use super::types::{IncomingRequest, ResponseResult};
use crate::GetCtx;
use anyhow::{Result, anyhow};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wazi::Store;
use wazi::component::{Instance, InstancePre};

/// One request for a worker: the answer goes to `tx`; if there is none,
/// `failed` says why.
pub(super) struct Job {
    pub(super) request: IncomingRequest,
    pub(super) tx: tokio::sync::oneshot::Sender<ResponseResult>,
    pub(super) failed: tokio::sync::oneshot::Sender<GuestError>,
}

/// Why a request got no response.
pub(super) enum GuestError {
    Instantiate(anyhow::Error),
    /// The WASI 0.2 handler failed (reported when it did).
    Call,
    /// The instance failed (reported once, by its worker).
    Failed,
}

/// How the pool runs instances.
pub(super) struct PoolConfig {
    pub(super) reuse: usize,
    pub(super) concurrent: usize,
    pub(super) idle: Duration,
    /// Whether an instance is started before a request needs it: when no
    /// running instance has room for another request (with one request
    /// per instance, after every request), the next one is instantiated
    /// at once, so that instantiation is not part of a request's time.
    pub(super) prestart: bool,
}

/// A running worker, as the dispatcher sees it.
struct Entry {
    id: u64,
    tx: Sender<Job>,
    /// Requests sent to it and not finished.
    active: usize,
    /// Requests sent to it in all.
    total: usize,
    /// Jobs sent and not yet taken from the queue.
    queued: Arc<AtomicUsize>,
    /// Wakes the instance's event loop (a WASI 0.3 one waiting on a timer
    /// notices a new job at once).
    waker: Option<wazi::component::LoopWaker>,
}

/// A worker, as its thread sees it.
struct Worker {
    id: u64,
    rx: Receiver<Job>,
    queued: Arc<AtomicUsize>,
    /// It left the pool for having been idle.
    idled: Cell<bool>,
}

/// Why a worker left the pool.
#[derive(PartialEq)]
enum Ended {
    /// It served its share of requests, or failed serving one.
    Served,
    /// It had no request for a while.
    Idle,
    /// It could not be instantiated.
    Failed,
}

/// What a worker needs of the server.
pub(super) struct Instances<T: 'static> {
    pub(super) pre: InstancePre<T>,
    pub(super) get: GetCtx<T>,
    pub(super) export: String,
    /// Set for a WASI 0.3 component: how to serve it.
    pub(super) p3: Option<super::server::P3Handler<T>>,
    pub(super) new_store: Box<dyn Fn(u64) -> Result<Store<T>> + Send + Sync>,
    pub(super) config: PoolConfig,
    workers: Mutex<Vec<Entry>>,
    next_id: std::sync::atomic::AtomicU64,
    /// Permits for running instances (`--max-instances`).
    permits: Arc<tokio::sync::Semaphore>,
    /// Wakes requests waiting for a permit when an instance has room.
    room: tokio::sync::Notify,
}

impl<T: 'static> Instances<T>
where
    InstancePre<T>: Send + Sync,
{
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        pre: InstancePre<T>,
        get: GetCtx<T>,
        export: String,
        p3: Option<super::server::P3Handler<T>>,
        new_store: Box<dyn Fn(u64) -> Result<Store<T>> + Send + Sync>,
        config: PoolConfig,
        max_instances: usize,
    ) -> Instances<T> {
        Instances {
            pre,
            get,
            export,
            p3,
            new_store,
            config,
            workers: Mutex::new(Vec::new()),
            next_id: Default::default(),
            permits: Arc::new(tokio::sync::Semaphore::new(max_instances.max(1))),
            room: tokio::sync::Notify::new(),
        }
    }

    fn workers(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.workers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hands `job` to an instance with room for it, else to a new one
    /// once one may start.
    pub(super) async fn dispatch(self: &Arc<Self>, mut job: Job) {
        loop {
            // Registered before looking, so that room made meanwhile is
            // not missed.
            let room = self.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            job = match self.offer(job) {
                None => return,
                Some(job) => job,
            };
            // A permit frees when an instance ends; room, when one
            // finishes a request or the thread of one that has served
            // its share goes on as the next (keeping its permit).
            let permit = tokio::select! {
                p = self.permits.clone().acquire_owned() => p,
                _ = room => continue,
            };
            let Ok(permit) = permit else { return };
            // An instance may have got room meanwhile (one another request
            // started while this one waited): checking and adding the new
            // one under one lock, two requests arriving at once share it.
            let mut workers = self.workers();
            if let Some(job) = Self::offer_to(&self.config, &mut workers, job) {
                self.start(&mut workers, Some(job), permit);
            }
            return;
        }
    }

    /// Adds a worker to the pool (with `job`, if any, as its first) and
    /// starts its thread, which holds `permit` while it runs. When its
    /// instance has served its share, the thread goes on as the next
    /// instance if no other has room for a request (see
    /// [`PoolConfig::prestart`]): instantiated before a request needs it,
    /// without waking another thread.
    fn start(
        self: &Arc<Self>,
        workers: &mut Vec<Entry>,
        job: Option<Job>,
        permit: tokio::sync::OwnedSemaphorePermit,
    ) {
        let mut worker = self.register(workers, job);
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            while me.run_worker(&worker) == Ended::Served && me.config.prestart {
                let mut workers = me.workers();
                if workers.iter().any(|w| Self::has_room(&me.config, w)) {
                    break;
                }
                worker = me.register(&mut workers, None);
            }
            drop(permit);
        });
    }

    /// Adds a worker to the pool, with `job`, if any, as its first.
    fn register(&self, workers: &mut Vec<Entry>, job: Option<Job>) -> Worker {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (tx, rx) = std::sync::mpsc::channel();
        let n = usize::from(job.is_some());
        let queued = Arc::new(AtomicUsize::new(n));
        if let Some(job) = job {
            let _ = tx.send(job);
        }
        let entry = Entry { id, tx, active: n, total: n, queued: queued.clone(), waker: None };
        workers.push(entry);
        if n == 0 {
            self.room.notify_waiters();
        }
        Worker { id, rx, queued, idled: Cell::new(false) }
    }

    fn has_room(c: &PoolConfig, w: &Entry) -> bool {
        w.active < c.concurrent && w.total < c.reuse
    }

    /// Sends `job` to a running instance with room; gives it back if none.
    fn offer(&self, job: Job) -> Option<Job> {
        Self::offer_to(&self.config, &mut self.workers(), job)
    }

    /// [`offer`](Self::offer), with the workers locked.
    fn offer_to(c: &PoolConfig, workers: &mut [Entry], job: Job) -> Option<Job> {
        let Some(w) = workers.iter_mut().find(|w| Self::has_room(c, w)) else {
            return Some(job);
        };
        w.queued.fetch_add(1, Ordering::SeqCst);
        match w.tx.send(job) {
            Ok(()) => {
                w.active += 1;
                w.total += 1;
                if let Some(waker) = &w.waker {
                    waker.wake();
                }
                None
            }
            Err(e) => {
                w.queued.fetch_sub(1, Ordering::SeqCst);
                Some(e.0)
            }
        }
    }

    /// A request of worker `id` is finished.
    fn finished(&self, id: u64) {
        let mut workers = self.workers();
        if let Some(w) = workers.iter_mut().find(|w| w.id == id) {
            w.active -= 1;
            if Self::has_room(&self.config, w) {
                self.room.notify_waiters();
            }
        }
    }

    /// Worker `id` leaves the pool if it serves nothing and has served
    /// its share or been idle; then no request comes to it any more.
    fn try_leave(&self, id: u64, idle: bool) -> bool {
        let mut workers = self.workers();
        let Some(i) = workers.iter().position(|w| w.id == id) else { return true };
        let w = &workers[i];
        if w.active == 0 && (idle || w.total >= self.config.reuse) {
            workers.remove(i);
            return true;
        }
        false
    }

    /// Worker `id` leaves the pool at once (it failed).
    fn leave(&self, id: u64) {
        self.workers().retain(|w| w.id != id);
    }

    /// Runs worker `w`'s instance until it leaves the pool.
    fn run_worker(&self, w: &Worker) -> Ended {
        let (id, rx) = (w.id, &w.rx);
        let setup = (|| {
            let mut store = (self.new_store)(id)?;
            let instance = self.pre.instantiate(&mut store)?;
            Ok::<_, anyhow::Error>((store, instance))
        })();
        let (mut store, instance) = match setup {
            Ok(s) => s,
            Err(e) => {
                self.leave(id);
                let message = format!("{e:?}");
                while let Ok(job) = rx.try_recv() {
                    let _ = job.failed.send(GuestError::Instantiate(anyhow!("{message}")));
                }
                return Ended::Failed;
            }
        };
        if let Some(w) = self.workers().iter_mut().find(|w| w.id == id) {
            w.waker = Some(wazi::component::loop_waker(&mut store));
        }
        let r = if let Some(p3) = &self.p3 {
            self.serve_p3(p3, w, &mut store, &instance)
        } else {
            self.serve_p2(w, &mut store, &instance)
        };
        if let Err(e) = r {
            // As wasmtime 48 reports a failed instance.
            eprintln!("worker failed: {e:?}");
        }
        if w.idled.get() { Ended::Idle } else { Ended::Served }
    }

    /// Waits for the next job, or leaves the pool (`None`) when it has
    /// served its share or been idle (then `w.idled` is set).
    fn next_job(&self, w: &Worker) -> Option<Job> {
        let (id, rx, queued) = (w.id, &w.rx, &*w.queued);
        loop {
            if self.try_leave(id, false) {
                // Jobs sent before it left still get served.
                return rx.try_recv().ok().inspect(|_| {
                    queued.fetch_sub(1, Ordering::SeqCst);
                });
            }
            match rx.recv_timeout(self.config.idle) {
                Ok(job) => {
                    queued.fetch_sub(1, Ordering::SeqCst);
                    return Some(job);
                }
                Err(RecvTimeoutError::Timeout) => {
                    if self.try_leave(id, true) {
                        w.idled.set(true);
                        return None;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    w.idled.set(true);
                    return None;
                }
            }
        }
    }

    /// A WASI 0.2 instance: one request at a time.
    fn serve_p2(&self, w: &Worker, store: &mut Store<T>, instance: &Instance) -> Result<()> {
        let (id, rx) = (w.id, &w.rx);
        while let Some(job) = self.next_job(w) {
            let r =
                super::server::run_p2(store, instance, &self.export, self.get, job.request, job.tx);
            self.finished(id);
            if let Err(e) = r {
                // A failed handler leaves the instance unusable.
                let _ = job.failed.send(e);
                self.fail_queued(id, rx);
                return Ok(());
            }
        }
        Ok(())
    }

    /// Gives up on the jobs still queued for worker `id`, which failed.
    fn fail_queued(&self, id: u64, rx: &Receiver<Job>) {
        self.leave(id);
        while let Ok(job) = rx.try_recv() {
            let _ = job.failed.send(GuestError::Failed);
        }
    }

    /// A WASI 0.3 instance: up to `concurrent` requests at once, their
    /// tasks interleaved by the store's event loop.
    fn serve_p3(
        &self,
        p3: &super::server::P3Handler<T>,
        w: &Worker,
        store: &mut Store<T>,
        instance: &Instance,
    ) -> Result<()> {
        let (id, rx, queued) = (w.id, &w.rx, &*w.queued);
        struct InFlight {
            call: wazi::component::ConcurrentCall,
            tx: Option<tokio::sync::oneshot::Sender<ResponseResult>>,
            failed: tokio::sync::oneshot::Sender<GuestError>,
            sent: Option<super::server::Sent>,
        }
        let handle = (p3.handler)(store, instance, &self.export)?;
        let mut flying: Vec<InFlight> = Vec::new();
        let r = (|| -> Result<()> {
            loop {
                let job = if flying.is_empty() {
                    match self.next_job(w) {
                        Some(job) => Some(job),
                        None => return Ok(()),
                    }
                } else {
                    rx.try_recv().ok().inspect(|_| {
                        queued.fetch_sub(1, Ordering::SeqCst);
                    })
                };
                if let Some(job) = job {
                    let call = (p3.start)(store, &handle, self.get, job.request)?;
                    flying.push(InFlight {
                        call,
                        tx: Some(job.tx),
                        failed: job.failed,
                        sent: None,
                    });
                    continue;
                }
                // Run until a request can be answered or is done, or
                // another one comes.
                wazi::component::run_concurrent(&mut *store, |mut s| {
                    queued.load(Ordering::SeqCst) > 0
                        || flying.iter().any(|f| match &f.sent {
                            Some(sent) => sent(),
                            None => f.call.is_done(&mut s),
                        })
                })?;
                let mut i = 0;
                while i < flying.len() {
                    let f = &mut flying[i];
                    if f.sent.is_none()
                        && let Some(result) = f.call.take(&mut *store)
                    {
                        let tx = f.tx.take().expect("unanswered");
                        f.sent = (p3.answer)(store, self.get, result, tx)?;
                        if f.sent.is_none() {
                            flying.swap_remove(i);
                            self.finished(id);
                            continue;
                        }
                    }
                    if flying[i].sent.as_ref().is_some_and(|sent| sent()) {
                        flying.swap_remove(i);
                        self.finished(id);
                        continue;
                    }
                    i += 1;
                }
            }
        })();
        if r.is_err() {
            // Every request of the instance fails with it.
            for f in flying {
                let _ = f.failed.send(GuestError::Failed);
            }
            self.fail_queued(id, rx);
        }
        r
    }
}
