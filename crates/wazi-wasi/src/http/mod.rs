//! HTTP for every WASI version: the body pipes between a guest and hyper
//! on tokio (`body`), header fields (`fields`), the WIT values and WASI
//! 0.2's resources (`types`), the client (`client`), and `wazi serve`
//! (`server`, with its instances in `pool`). WASI 0.2's and 0.3's
//! `wasi:http` surfaces are built on these.

pub(crate) mod body;
pub(crate) mod client;
pub(crate) mod fields;
pub(crate) mod pool;
pub(crate) mod server;
pub(crate) mod target;
pub(crate) mod types;

pub use server::ServeOptions;
pub(crate) use server::{Surfaces, serve};

use http::HeaderMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

/// An incoming body's declared length, and how much of it a guest has
/// read, by the stream it reads it from.
#[derive(Default)]
pub(crate) struct BodyLengths(std::collections::HashMap<wazi::component::StreamAny, BodyLength>);

struct BodyLength {
    len: u64,
    taken: Arc<AtomicU64>,
    /// Gone once the stream's source is.
    pipe: Weak<body::Pipe>,
}

impl BodyLengths {
    /// Records that `stream` carries `pipe`'s body of `len` bytes; what its
    /// reader takes is counted in `taken`.
    pub(crate) fn insert(
        &mut self,
        stream: wazi::component::StreamAny,
        len: u64,
        pipe: &Arc<body::Pipe>,
        taken: Arc<AtomicU64>,
    ) {
        // Entries of streams that are gone go first (ids are reused).
        self.0.retain(|_, l| l.pipe.upgrade().is_some_and(|p| !p.abandoned()));
        self.0.insert(stream, BodyLength { len, taken, pipe: Arc::downgrade(pipe) });
    }

    /// The length of the body `stream` carries, if it is such a stream
    /// and none of it has been read.
    pub(crate) fn unread(&mut self, stream: wazi::component::StreamAny) -> Option<u64> {
        let l = self.0.remove(&stream)?;
        // A stream whose reader dropped it abandoned its pipe (its id may
        // name another stream now).
        let live = l.pipe.upgrade().is_some_and(|p| !p.abandoned());
        (live && l.taken.load(Ordering::SeqCst) == 0).then_some(l.len)
    }
}

/// The tokio runtime HTTP work runs on: the caller's (`wazi serve`), or a
/// process-wide one started on first use.
pub(crate) fn runtime() -> tokio::runtime::Handle {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    if let Ok(h) = tokio::runtime::Handle::try_current() {
        return h;
    }
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("wazi-http")
                .enable_all()
                .build()
                .expect("failed to start the HTTP runtime")
        })
        .handle()
        .clone()
}

/// A body's declared length, from its `content-length` header.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(http::header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}
