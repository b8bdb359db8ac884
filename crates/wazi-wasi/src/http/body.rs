//! HTTP bodies: byte pipes between a guest, which runs on its own thread
//! and blocks or polls, and hyper on tokio, which awaits.
//!
//! A [`Pipe`] has one guest side and one async side. For an incoming body
//! the guest reads (through an `input-stream`) what a tokio task pumps in
//! from the network; for an outgoing body the guest writes and hyper pulls
//! frames from [`PipeBody`]. The guest's readiness is a [`Signal`]: a
//! descriptor that is readable exactly while the guest can make progress,
//! so `wasi:io/poll` waits on bodies as on sockets.

use super::types::ErrorCode;
use bytes::Bytes;
use http::HeaderMap;
use std::collections::VecDeque;
use std::os::fd::OwnedFd;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

/// Bytes buffered in an incoming body's pipe from which the network side
/// waits.
const INCOMING_BUFFERED: usize = 2 << 20;

/// A level-triggered readiness flag with a descriptor to wait on, which
/// is readable while the flag is raised: an eventfd on Linux, elsewhere
/// the read end of a pipe holding one byte. The descriptor is made when
/// first asked for (most bodies are never polled: making it, raising it
/// and closing it were three system calls per body).
pub(crate) struct Signal {
    state: Mutex<SignalState>,
}

struct SignalState {
    raised: bool,
    /// The read and write ends, once made.
    fds: Option<(Arc<OwnedFd>, Arc<OwnedFd>)>,
}

impl Signal {
    pub(crate) fn new() -> Signal {
        Signal { state: Mutex::new(SignalState { raised: false, fds: None }) }
    }

    fn lock(&self) -> MutexGuard<'_, SignalState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn make() -> std::io::Result<(Arc<OwnedFd>, Arc<OwnedFd>)> {
        use rustix::event::EventfdFlags;
        let fd =
            Arc::new(rustix::event::eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?);
        Ok((fd.clone(), fd))
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn make() -> std::io::Result<(Arc<OwnedFd>, Arc<OwnedFd>)> {
        let (rx, tx) = rustix::pipe::pipe()?;
        for fd in [&rx, &tx] {
            rustix::io::ioctl_fionbio(fd, true)?;
            rustix::io::fcntl_setfd(fd, rustix::io::FdFlags::CLOEXEC)?;
        }
        Ok((Arc::new(rx), Arc::new(tx)))
    }

    /// Makes the descriptor readable (`raise`) or not.
    fn mark((rx, tx): &(Arc<OwnedFd>, Arc<OwnedFd>), raise: bool) {
        // An eventfd takes an 8-byte count; a pipe, one byte.
        let n = if cfg!(any(target_os = "linux", target_os = "android")) { 8 } else { 1 };
        if raise {
            let _ = rustix::io::write(&**tx, &1u64.to_ne_bytes()[..n]);
        } else {
            let mut b = [0u8; 8];
            let _ = rustix::io::read(&**rx, &mut b[..n]);
        }
    }

    /// Sets the flag to `ready` (callers hold the lock of the state it
    /// reflects, so the flag never disagrees with it for long).
    pub(crate) fn set(&self, ready: bool) {
        let mut st = self.lock();
        if st.raised != ready {
            st.raised = ready;
            if let Some(fds) = &st.fds {
                Self::mark(fds, ready);
            }
        }
    }

    /// The descriptor that is readable while the flag is raised.
    pub(crate) fn fd(&self) -> std::io::Result<Arc<OwnedFd>> {
        let mut st = self.lock();
        if let Some((rx, _)) = &st.fds {
            return Ok(rx.clone());
        }
        let fds = Self::make()?;
        if st.raised {
            Self::mark(&fds, true);
        }
        let rx = fds.0.clone();
        st.fds = Some(fds);
        Ok(rx)
    }

    /// Waits until the flag is raised (or, if no descriptor can be made,
    /// a millisecond: callers check their state again either way).
    pub(crate) fn wait(&self) {
        if self.lock().raised {
            return;
        }
        match self.fd() {
            Ok(fd) => {
                crate::net::fd_ready(&fd, false, None);
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(1)),
        }
    }
}

/// How the writing side ended a body.
pub(crate) enum End {
    /// Complete, with trailers or without.
    Done(Option<HeaderMap>),
    /// Failed or aborted.
    Failed(ErrorCode),
}

struct State {
    chunks: VecDeque<Bytes>,
    buffered: usize,
    end: Option<End>,
    /// Trailers were handed out (`future-trailers.get`, or to hyper).
    trailers_taken: bool,
    /// The reading side wants no more data.
    reader_gone: bool,
    /// Nobody wants the rest at all, trailers included.
    abandoned: bool,
    /// The async reader (hyper) waiting for data.
    rx_waker: Option<Waker>,
    /// The async writer (the pump task) waiting for room.
    tx_waker: Option<Waker>,
    /// An outgoing body's declared `content-length`, and what a response's
    /// (`true`) or a request's wrong size is called.
    content_length: Option<(u64, bool)>,
    /// Bytes the guest wrote to an outgoing body.
    written: u64,
}

/// What a guest read gives instead of bytes.
pub(crate) enum ReadEnd {
    /// The body is complete.
    Closed,
    Failed(ErrorCode),
}

/// A body's bytes between its two sides.
pub(crate) struct Pipe {
    state: Mutex<State>,
    signal: Signal,
    /// The guest reads this pipe (an incoming body); otherwise it writes.
    guest_reads: bool,
    /// Room: for an incoming body, the bytes buffered from which the
    /// network side waits; for an outgoing one, the guest's writes
    /// queued from which `check-write` permits nothing.
    room: usize,
    /// Most bytes one guest `write` to an outgoing body may carry
    /// (`check-write`'s permit).
    pub(crate) permit: usize,
}

impl Pipe {
    /// An incoming body's pipe: the guest reads it.
    pub(crate) fn incoming() -> Arc<Pipe> {
        Pipe::with(true, INCOMING_BUFFERED, 0)
    }

    /// An outgoing body's pipe, buffered as wasmtime's `-S
    /// http-outgoing-body-chunk-size` and `-S
    /// http-outgoing-body-buffer-chunks` set it: `check-write` permits
    /// `chunk_size` bytes while at most `buffer_chunks` writes are queued
    /// (wasmtime's channel of `buffer_chunks + 1` writes, one slot kept
    /// free), so a body holds at most `(buffer_chunks + 1) * chunk_size`
    /// bytes.
    pub(crate) fn outgoing(chunk_size: usize, buffer_chunks: usize) -> Arc<Pipe> {
        Pipe::with(false, buffer_chunks.saturating_add(1), chunk_size)
    }

    fn with(guest_reads: bool, room: usize, permit: usize) -> Arc<Pipe> {
        let pipe = Arc::new(Pipe {
            state: Mutex::new(State {
                chunks: VecDeque::new(),
                buffered: 0,
                end: None,
                trailers_taken: false,
                reader_gone: false,
                abandoned: false,
                rx_waker: None,
                tx_waker: None,
                content_length: None,
                written: 0,
            }),
            signal: Signal::new(),
            guest_reads,
            room,
            permit,
        });
        // An empty outgoing body has room: a guest may wait for that
        // before its first write.
        pipe.refresh(&pipe.lock());
        pipe
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the guest's side can go on in state `st`: data or the end
    /// to read, or room to write or nobody left to read.
    fn guest_ready(&self, st: &State) -> bool {
        if self.guest_reads {
            !st.chunks.is_empty() || st.end.is_some()
        } else {
            st.reader_gone || st.end.is_some() || st.chunks.len() < self.room
        }
    }

    /// Updates the guest's readiness to `st` (called with the lock held).
    fn refresh(&self, st: &State) {
        self.signal.set(self.guest_ready(st));
    }

    /// The descriptor a guest's pollable waits on.
    pub(crate) fn ready_fd(&self) -> std::io::Result<Arc<OwnedFd>> {
        self.signal.fd()
    }

    // ---- the guest reads (incoming bodies) ----

    /// Up to `max` bytes; an empty result means none yet (only when not
    /// `blocking`).
    pub(crate) fn guest_read(&self, max: usize, blocking: bool) -> Result<Vec<u8>, ReadEnd> {
        loop {
            {
                let mut st = self.lock();
                if let Some(front) = st.chunks.front_mut() {
                    let n = max.min(front.len());
                    let out = front.split_to(n).to_vec();
                    if front.is_empty() {
                        st.chunks.pop_front();
                    }
                    st.buffered -= n;
                    if let Some(w) = st.tx_waker.take() {
                        w.wake();
                    }
                    self.refresh(&st);
                    return Ok(out);
                }
                match &st.end {
                    Some(End::Done(_)) => return Err(ReadEnd::Closed),
                    Some(End::Failed(e)) => return Err(ReadEnd::Failed(e.clone())),
                    None if !blocking => return Ok(Vec::new()),
                    None => {}
                }
            }
            self.signal.wait();
        }
    }

    /// The guest wants no more data (it finished or dropped the body):
    /// what is buffered or still arrives is discarded, and the guest's
    /// readiness becomes "the body has ended" (for `future-trailers`).
    pub(crate) fn stop_reading(&self) {
        let mut st = self.lock();
        st.reader_gone = true;
        st.chunks.clear();
        st.buffered = 0;
        if let Some(w) = st.tx_waker.take() {
            w.wake();
        }
        self.refresh(&st);
    }

    /// Nobody will read the body or its trailers: the pump stops.
    pub(crate) fn abandon(&self) {
        self.lock().abandoned = true;
        self.stop_reading();
    }

    /// Whether the reading side is gone (hyper dropped an outgoing body,
    /// or the guest stopped reading an incoming one).
    pub(crate) fn reader_gone(&self) -> bool {
        self.lock().reader_gone
    }

    /// Whether [`Pipe::abandon`] was called.
    pub(crate) fn abandoned(&self) -> bool {
        self.lock().abandoned
    }

    /// The trailers once the body has ended: `None` before; then once
    /// `Some(result)`, then `Some(Err(None))` (already taken).
    pub(crate) fn take_trailers(&self) -> Option<Result<Option<HeaderMap>, Option<ErrorCode>>> {
        let mut st = self.lock();
        if st.trailers_taken {
            return Some(Err(None));
        }
        let r = match st.end.as_mut()? {
            End::Done(t) => Ok(t.take()),
            End::Failed(e) => Err(Some(e.clone())),
        };
        st.trailers_taken = true;
        Some(r)
    }

    // ---- the async side writes (incoming bodies) ----

    /// Adds `data`, waiting while the pipe is full; `false` once the
    /// reader is gone (the data is dropped).
    pub(crate) async fn push(&self, mut data: Option<Bytes>) -> bool {
        std::future::poll_fn(|cx| {
            let mut st = self.lock();
            if st.reader_gone {
                return Poll::Ready(false);
            }
            if st.buffered >= self.room {
                st.tx_waker = Some(cx.waker().clone());
                return Poll::Pending;
            }
            if let Some(d) = data.take()
                && !d.is_empty()
            {
                st.buffered += d.len();
                st.chunks.push_back(d);
            }
            if let Some(w) = st.rx_waker.take() {
                w.wake();
            }
            self.refresh(&st);
            Poll::Ready(true)
        })
        .await
    }

    /// Ends the body (either side that writes calls this once; later
    /// calls are ignored).
    pub(crate) fn finish(&self, end: End) {
        let mut st = self.lock();
        if st.end.is_none() {
            st.end = Some(end);
        }
        if let Some(w) = st.rx_waker.take() {
            w.wake();
        }
        self.refresh(&st);
    }

    // ---- the guest writes (outgoing bodies) ----

    /// Bytes the guest may write now (a full permit while there is room,
    /// none when the pipe is full); `None` once the reader is gone.
    pub(crate) fn guest_capacity(&self) -> Option<usize> {
        let st = self.lock();
        if st.reader_gone || st.end.is_some() {
            return None;
        }
        Some(if st.chunks.len() < self.room { self.permit } else { 0 })
    }

    /// Declares an outgoing body's length (its `content-length` header):
    /// writing more, or finishing with less, is an error.
    pub(crate) fn set_content_length(&self, len: u64, response: bool) {
        self.lock().content_length = Some((len, response));
    }

    /// The error for a body of `size` bytes against its declared length.
    fn size_error(st: &State, size: u64) -> Option<ErrorCode> {
        let (len, response) = st.content_length?;
        let code = if response {
            ErrorCode::HttpResponseBodySize(Some(size))
        } else {
            ErrorCode::HttpRequestBodySize(Some(size))
        };
        (size != len).then_some(code)
    }

    /// Queues all of `bytes` for the reader, waiting while the pipe is
    /// full. `Err(None)` once the reader is gone. Past the declared length
    /// the bytes are still queued and the error is the body size so far
    /// (as wasmtime reports it).
    pub(crate) fn guest_write_all(&self, bytes: &[u8]) -> Result<(), Option<ErrorCode>> {
        while !self.guest_write(bytes)? {
            self.signal.wait();
        }
        Ok(())
    }

    /// Queues `bytes` if there is room (`false`: none yet, nothing
    /// queued); an error once the reader is gone (`None`) or the body
    /// outgrew its declared length.
    pub(crate) fn guest_write(&self, bytes: &[u8]) -> Result<bool, Option<ErrorCode>> {
        let mut st = self.lock();
        if st.reader_gone || st.end.is_some() {
            return Err(None);
        }
        if st.chunks.len() >= self.room {
            return Ok(false);
        }
        st.written += bytes.len() as u64;
        if !bytes.is_empty() {
            st.buffered += bytes.len();
            st.chunks.push_back(Bytes::copy_from_slice(bytes));
        }
        if let Some(w) = st.rx_waker.take() {
            w.wake();
        }
        self.refresh(&st);
        match st.content_length {
            Some((len, _)) if st.written > len => Err(Pipe::size_error(&st, st.written)),
            _ => Ok(true),
        }
    }

    /// Completes an outgoing body: with fewer or more bytes than declared
    /// it is an error, and the body fails.
    pub(crate) fn guest_finish(&self, trailers: Option<HeaderMap>) -> Result<(), ErrorCode> {
        let st = self.lock();
        if let Some(e) = Pipe::size_error(&st, st.written) {
            drop(st);
            self.finish(End::Failed(ErrorCode::HttpProtocolError));
            return Err(e);
        }
        drop(st);
        self.finish(End::Done(trailers));
        Ok(())
    }

    // ---- the async side reads (outgoing bodies) ----

    fn poll_frame(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, ErrorCode>>> {
        let mut st = self.lock();
        if let Some(chunk) = st.chunks.pop_front() {
            st.buffered -= chunk.len();
            if let Some(w) = st.tx_waker.take() {
                w.wake();
            }
            self.refresh(&st);
            return Poll::Ready(Some(Ok(http_body::Frame::data(chunk))));
        }
        match st.end.as_mut() {
            Some(End::Done(t)) => {
                let t = t.take();
                st.trailers_taken = true;
                Poll::Ready(t.map(|t| Ok(http_body::Frame::trailers(t))))
            }
            Some(End::Failed(e)) => {
                let e = e.clone();
                Poll::Ready(Some(Err(e)))
            }
            None => {
                st.rx_waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }

    fn reader_dropped(&self) {
        let mut st = self.lock();
        st.reader_gone = true;
        st.chunks.clear();
        st.buffered = 0;
        if let Some(w) = st.tx_waker.take() {
            w.wake();
        }
        self.refresh(&st);
    }

    /// Wakes `w` when the guest's side can go on: data or the end for an
    /// incoming body, room or a gone reader for an outgoing one (for a
    /// guest that does not block on the pipe: WASI 0.3's event loop).
    pub(crate) fn wake_guest(&self, w: std::task::Waker) {
        let mut st = self.lock();
        // What came since the guest last looked wakes it now: the loop
        // waits for this wake alone.
        if self.guest_ready(&st) {
            drop(st);
            return w.wake();
        }
        if self.guest_reads {
            st.rx_waker = Some(w);
        } else {
            st.tx_waker = Some(w);
        }
    }
}

/// The reading end of an outgoing body, for hyper. Dropping it tells the
/// guest the peer is gone.
pub(crate) struct PipeBody {
    pipe: Arc<Pipe>,
    done: bool,
}

impl PipeBody {
    pub(crate) fn new(pipe: Arc<Pipe>) -> PipeBody {
        PipeBody { pipe, done: false }
    }
}

impl http_body::Body for PipeBody {
    type Data = Bytes;
    type Error = ErrorCode;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, ErrorCode>>> {
        if self.done {
            return Poll::Ready(None);
        }
        let r = self.pipe.poll_frame(cx);
        if let Poll::Ready(None | Some(Err(_))) = &r {
            self.done = true;
        }
        if let Poll::Ready(Some(Ok(f))) = &r
            && f.is_trailers()
        {
            self.done = true;
        }
        r
    }
}

impl Drop for PipeBody {
    fn drop(&mut self) {
        self.pipe.reader_dropped();
    }
}

/// Copies a hyper body into `pipe` (an incoming body) until it ends, the
/// guest stops reading, or a frame takes longer than `between_bytes`.
pub(crate) async fn pump<B>(
    mut body: B,
    pipe: Arc<Pipe>,
    between_bytes: Option<std::time::Duration>,
) where
    B: http_body::Body<Data = Bytes> + Unpin,
    B::Error: Into<ErrorCode>,
{
    use http_body_util::BodyExt;
    let mut trailers = None;
    loop {
        let next = body.frame();
        let frame = match between_bytes {
            Some(t) => match tokio::time::timeout(t, next).await {
                Ok(f) => f,
                Err(_) => {
                    pipe.finish(End::Failed(ErrorCode::ConnectionReadTimeout));
                    return;
                }
            },
            None => next.await,
        };
        match frame {
            None => break,
            Some(Err(e)) => {
                pipe.finish(End::Failed(e.into()));
                return;
            }
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => {
                    if !pipe.push(Some(data)).await {
                        // Nobody reads: keep going only for the trailers,
                        // if someone waits for them.
                        if pipe.abandoned() {
                            return;
                        }
                        continue;
                    }
                }
                Err(frame) => {
                    if let Ok(t) = frame.into_trailers() {
                        let t = super::fields::from_wire(t);
                        match &mut trailers {
                            None => trailers = Some(t),
                            Some(all) => all.extend(t),
                        }
                    }
                }
            },
        }
    }
    pipe.finish(End::Done(trailers));
}
