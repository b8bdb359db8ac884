//! The descriptor table: numbered descriptors for standard streams,
//! directories, files and sockets (WASI 0.1's `fd` numbers), created from
//! the context on first use.

use crate::ctx::WasiCtx;
use crate::error::ErrorCode;
use crate::fs;
use crate::stdio::{Stdin, Stdout};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use wazi::component::ResourceTableError;

/// A descriptor.
pub(crate) enum Descriptor {
    Stdin(Stdin),
    Stdout(Stdout),
    Stderr(Stdout),
    Dir {
        dir: fs::Dir,
        /// The name it was preopened under, if it was.
        preopen: Option<String>,
    },
    File(OpenFile),
    /// A listening TCP socket (preopened).
    Listener(Arc<TcpListener>),
    /// An accepted TCP connection.
    Stream {
        stream: Arc<TcpStream>,
        nonblock: bool,
    },
}

/// An open file and what its descriptor adds to it.
pub(crate) struct OpenFile {
    pub file: fs::File,
    /// The file position: the descriptor keeps it, reads and writes go
    /// through positioned I/O.
    pub position: u64,
    pub append: bool,
    pub nonblock: bool,
}

/// The descriptor table.
pub(crate) struct Descriptors {
    used: BTreeMap<u32, Descriptor>,
    free: BTreeSet<u32>,
    /// Most descriptors open at once, standard streams and preopens
    /// included (`-S max-resources`, as wasmtime counts WASI 0.1
    /// descriptors in its resource table).
    max: usize,
}

impl Descriptors {
    /// Standard streams at 0, 1, 2, then the preopened directories, then
    /// preopened sockets.
    fn new(ctx: &WasiCtx) -> Descriptors {
        let mut t =
            Descriptors { used: BTreeMap::new(), free: BTreeSet::new(), max: ctx.max_resources };
        t.insert(Descriptor::Stdin(ctx.stdin.clone()));
        t.insert(Descriptor::Stdout(ctx.stdout.clone()));
        t.insert(Descriptor::Stderr(ctx.stderr.clone()));
        for (dir, name) in &ctx.preopens {
            t.insert(Descriptor::Dir { dir: dir.clone(), preopen: Some(name.clone()) });
        }
        for l in &ctx.listeners {
            // As wasmtime did: accept does not block; guests poll first.
            let _ = crate::net::tcp::set_nonblocking(&**l, true);
            t.insert(Descriptor::Listener(l.clone()));
        }
        t
    }

    fn insert(&mut self, d: Descriptor) {
        let _ = self.push(d);
    }

    /// Adds a descriptor: the highest freed number if any, else one past the
    /// highest in use. Fails when the table holds its maximum (wasmtime
    /// then traps, and so do WASI 0.1's callers).
    pub(crate) fn push(&mut self, d: Descriptor) -> Result<u32, ResourceTableError> {
        if self.used.len() >= self.max {
            return Err(ResourceTableError::Full);
        }
        let fd = match self.free.pop_last() {
            Some(fd) => fd,
            None => match self.used.last_key_value() {
                None => 0,
                Some((&last, _)) => match last.checked_add(1) {
                    Some(fd) => fd,
                    None => (0..u32::MAX)
                        .rev()
                        .find(|fd| !self.used.contains_key(fd))
                        .ok_or(ResourceTableError::Full)?,
                },
            },
        };
        self.used.insert(fd, d);
        Ok(fd)
    }

    /// Removes descriptor `fd`, freeing its number.
    pub(crate) fn close(&mut self, fd: u32) -> Result<Descriptor, ErrorCode> {
        let d = self.used.remove(&fd).ok_or(ErrorCode::BadDescriptor)?;
        self.free.insert(fd);
        Ok(d)
    }

    /// Moves descriptor `from` to number `to`, closing what `to` was; both
    /// must be open.
    pub(crate) fn renumber(&mut self, from: u32, to: u32) -> Result<(), ErrorCode> {
        if !self.used.contains_key(&from) || !self.used.contains_key(&to) {
            return Err(ErrorCode::BadDescriptor);
        }
        if from == to {
            return Ok(());
        }
        let desc = self.used.remove(&from).unwrap();
        self.free.insert(from);
        self.free.remove(&to);
        self.used.insert(to, desc);
        Ok(())
    }

    pub(crate) fn get(&self, fd: u32) -> Result<&Descriptor, ErrorCode> {
        self.used.get(&fd).ok_or(ErrorCode::BadDescriptor)
    }

    pub(crate) fn get_mut(&mut self, fd: u32) -> Result<&mut Descriptor, ErrorCode> {
        self.used.get_mut(&fd).ok_or(ErrorCode::BadDescriptor)
    }

    /// Descriptor `fd` if it is a file.
    pub(crate) fn file(&self, fd: u32) -> Result<&OpenFile, ErrorCode> {
        match self.used.get(&fd) {
            Some(Descriptor::File(f)) => Ok(f),
            _ => Err(ErrorCode::BadDescriptor),
        }
    }

    /// Descriptor `fd` if it is a file.
    pub(crate) fn file_mut(&mut self, fd: u32) -> Result<&mut OpenFile, ErrorCode> {
        match self.used.get_mut(&fd) {
            Some(Descriptor::File(f)) => Ok(f),
            _ => Err(ErrorCode::BadDescriptor),
        }
    }

    /// A file that has a position: standard streams are pipes
    /// (`invalid-seek`).
    pub(crate) fn seekable(&mut self, fd: u32) -> Result<&mut OpenFile, ErrorCode> {
        match self.used.get_mut(&fd) {
            Some(Descriptor::File(f)) => Ok(f),
            Some(Descriptor::Stdin(_) | Descriptor::Stdout(_) | Descriptor::Stderr(_)) => {
                Err(ErrorCode::InvalidSeek)
            }
            _ => Err(ErrorCode::BadDescriptor),
        }
    }

    /// Descriptor `fd` if it is a directory.
    pub(crate) fn dir(&self, fd: u32) -> Result<&fs::Dir, ErrorCode> {
        match self.used.get(&fd) {
            Some(Descriptor::Dir { dir, .. }) => Ok(dir),
            _ => Err(ErrorCode::BadDescriptor),
        }
    }
}

impl WasiCtx {
    /// The descriptor table, created on first use.
    pub(crate) fn descriptors(&mut self) -> &mut Descriptors {
        if self.descriptors.is_none() {
            self.descriptors = Some(Descriptors::new(self));
        }
        self.descriptors.as_mut().unwrap()
    }
}
