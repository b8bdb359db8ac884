//! `wasi:filesystem@0.3`: `types` and `preopens`, on the same sandboxed
//! directories and files as WASI 0.1 and 0.2 (`crate::fs`). File contents
//! and directory listings travel in streams: the host fills a read stream
//! as the guest reads it, writes each chunk of a write stream as the guest
//! writes it, and resolves the accompanying future at the end.

use super::bindings::wasi::filesystem::preopens;
use super::bindings::wasi::filesystem::types::{
    self, Advice, DescriptorFlags, DescriptorStat, DescriptorType, ErrorCode, Instant,
    MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use crate::ctx::Wasi;
use crate::error::ErrorCode as Code;
use crate::fs::{self, Dir, File, NewTime, OpenFlags as CoreOpenFlags, Opened};
use anyhow::Result;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use wazi::StoreContextMut;
use wazi::component::{FutureAny, FutureWriter, HostAsync, Linker, Resource, StreamAny, Val};

/// `wasi:filesystem/types@0.3.descriptor`.
pub(crate) enum Descriptor {
    File(File),
    Dir(Dir),
}

/// The `error-code` case name of `c`.
fn code_name(c: Code) -> String {
    let debug = format!("{:?}", ErrorCode::from(c));
    let mut name = String::new();
    for (i, ch) in debug.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            name.push('-');
        }
        name.push(ch.to_ascii_lowercase());
    }
    name
}

/// `error-code` as a value.
fn code_val(c: Code) -> Val {
    Val::Variant(code_name(c), None)
}

/// `result<_, error-code>` as a value.
fn status_val(r: Result<(), Code>) -> Val {
    match r {
        Ok(()) => Val::Result(Ok(None)),
        Err(c) => Val::Result(Err(Some(Box::new(code_val(c))))),
    }
}

impl From<Code> for ErrorCode {
    fn from(c: Code) -> ErrorCode {
        match c {
            Code::Access => ErrorCode::Access,
            Code::Already => ErrorCode::Already,
            Code::BadDescriptor => ErrorCode::BadDescriptor,
            Code::Busy => ErrorCode::Busy,
            Code::Deadlock => ErrorCode::Deadlock,
            Code::Quota => ErrorCode::Quota,
            Code::Exist => ErrorCode::Exist,
            Code::FileTooLarge => ErrorCode::FileTooLarge,
            Code::IllegalByteSequence => ErrorCode::IllegalByteSequence,
            Code::InProgress => ErrorCode::InProgress,
            Code::Interrupted => ErrorCode::Interrupted,
            Code::Invalid => ErrorCode::Invalid,
            Code::IsDirectory => ErrorCode::IsDirectory,
            Code::Loop => ErrorCode::Loop,
            Code::TooManyLinks => ErrorCode::TooManyLinks,
            Code::MessageSize => ErrorCode::MessageSize,
            Code::NameTooLong => ErrorCode::NameTooLong,
            Code::NoDevice => ErrorCode::NoDevice,
            Code::NoEntry => ErrorCode::NoEntry,
            Code::NoLock => ErrorCode::NoLock,
            Code::InsufficientMemory => ErrorCode::InsufficientMemory,
            Code::InsufficientSpace => ErrorCode::InsufficientSpace,
            Code::NotDirectory => ErrorCode::NotDirectory,
            Code::NotEmpty => ErrorCode::NotEmpty,
            Code::NotRecoverable => ErrorCode::NotRecoverable,
            Code::Unsupported => ErrorCode::Unsupported,
            Code::NoTty => ErrorCode::NoTty,
            Code::NoSuchDevice => ErrorCode::NoSuchDevice,
            Code::Overflow => ErrorCode::Overflow,
            Code::NotPermitted => ErrorCode::NotPermitted,
            Code::Pipe => ErrorCode::Pipe,
            Code::ReadOnly => ErrorCode::ReadOnly,
            Code::InvalidSeek => ErrorCode::InvalidSeek,
            Code::TextFileBusy => ErrorCode::TextFileBusy,
            Code::CrossDevice => ErrorCode::CrossDevice,
            // `would-block` is gone in 0.3; network codes do not arise here.
            _ => ErrorCode::Io,
        }
    }
}

fn instant(d: Option<Duration>) -> Option<Instant> {
    d.map(|d| Instant { seconds: d.as_secs() as i64, nanoseconds: d.subsec_nanos() })
}

fn file_type(t: fs::FileType) -> DescriptorType {
    match t {
        fs::FileType::Unknown => DescriptorType::Other(None),
        fs::FileType::BlockDevice => DescriptorType::BlockDevice,
        fs::FileType::CharacterDevice => DescriptorType::CharacterDevice,
        fs::FileType::Directory => DescriptorType::Directory,
        fs::FileType::Fifo => DescriptorType::Fifo,
        fs::FileType::SymbolicLink => DescriptorType::SymbolicLink,
        fs::FileType::RegularFile => DescriptorType::RegularFile,
        fs::FileType::Socket => DescriptorType::Socket,
    }
}

/// `descriptor-type` as a value (for directory entries).
fn file_type_val(t: fs::FileType) -> Val {
    let name = match t {
        fs::FileType::Unknown => {
            return Val::Variant("other".into(), Some(Box::new(Val::Option(None))));
        }
        fs::FileType::BlockDevice => "block-device",
        fs::FileType::CharacterDevice => "character-device",
        fs::FileType::Directory => "directory",
        fs::FileType::Fifo => "fifo",
        fs::FileType::SymbolicLink => "symbolic-link",
        fs::FileType::RegularFile => "regular-file",
        fs::FileType::Socket => "socket",
    };
    Val::Variant(name.into(), None)
}

fn stat_of(s: fs::Stat) -> DescriptorStat {
    DescriptorStat {
        r#type: file_type(s.file_type),
        link_count: s.link_count,
        size: s.size,
        data_access_timestamp: instant(s.accessed),
        data_modification_timestamp: instant(s.modified),
        status_change_timestamp: instant(s.status_changed),
    }
}

fn hash_of(s: &fs::Stat) -> MetadataHashValue {
    MetadataHashValue { lower: s.identity, upper: s.identity.rotate_left(32) ^ s.size }
}

fn new_time(t: NewTimestamp) -> Result<NewTime, Code> {
    Ok(match t {
        NewTimestamp::NoChange => NewTime::NoChange,
        NewTimestamp::Now => NewTime::Now,
        NewTimestamp::Timestamp(d) => {
            if d.nanoseconds >= 1_000_000_000 || d.seconds < 0 {
                return Err(Code::Invalid);
            }
            let since = Duration::new(d.seconds as u64, d.nanoseconds);
            NewTime::At(SystemTime::UNIX_EPOCH.checked_add(since).ok_or(Code::Overflow)?)
        }
    })
}

/// The result of an `async` method, which runs to its end when called.
type FsResult<T, R> = Result<HostAsync<T, Result<R, ErrorCode>>>;

impl Descriptor {
    fn file(&self) -> Result<&File, Code> {
        match self {
            Descriptor::File(f) => Ok(f),
            Descriptor::Dir(_) => Err(Code::BadDescriptor),
        }
    }

    fn dir(&self) -> Result<&Dir, Code> {
        match self {
            Descriptor::Dir(d) => Ok(d),
            Descriptor::File(_) => Err(Code::NotDirectory),
        }
    }

    fn stat(&self) -> Result<fs::Stat, Code> {
        match self {
            Descriptor::File(f) => f.stat(),
            Descriptor::Dir(d) => d.stat(),
        }
    }
}

impl<T: 'static> Wasi<T> {
    /// Runs `f` on descriptor `d`.
    fn with<R>(
        &self,
        s: &mut StoreContextMut<'_, T>,
        d: &Resource<Descriptor>,
        f: impl FnOnce(&Descriptor) -> Result<R, Code>,
    ) -> FsResult<T, R> {
        let desc = self.ctx(s).table.get(d)?;
        Ok(HostAsync::Ready(f(desc).map_err(ErrorCode::from)))
    }

    /// Runs `f` on two directories.
    fn with2<R>(
        &self,
        s: &mut StoreContextMut<'_, T>,
        a: &Resource<Descriptor>,
        b: &Resource<Descriptor>,
        f: impl FnOnce(&Dir, &Dir) -> Result<R, Code>,
    ) -> FsResult<T, R> {
        let table = &self.ctx(s).table;
        let (a, b) = (table.get(a)?, table.get(b)?);
        Ok(HostAsync::Ready(a.dir().and_then(|a| f(a, b.dir()?)).map_err(ErrorCode::from)))
    }
}

/// Most bytes one read of a file stream takes.
const MAX_READ: usize = 64 * 1024;

/// Hands `data` to the host, writing each chunk at the file's position
/// (or its end, `append`); the future resolves when the guest drops its
/// end, with the first error if a write failed.
fn write_stream<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    file: Result<File, Code>,
    data: StreamAny,
    offset: Option<u64>,
) -> Result<FutureAny> {
    let (future, writer) = FutureAny::from_host(&mut *s);
    let file = match file.and_then(|f| f.perms.check_write().map(|()| f)) {
        Ok(f) => f,
        Err(c) => {
            data.close(&mut *s)?;
            writer.write(&mut *s, status_val(Err(c)))?;
            return Ok(future);
        }
    };
    let state = Arc::new(Mutex::new((offset, None::<Code>)));
    let state2 = state.clone();
    data.pipe_to_host(
        &mut *s,
        move |_: StoreContextMut<'_, T>, bytes: &[u8]| {
            let mut st = state.lock().unwrap();
            if st.1.is_some() {
                return Ok(());
            }
            let r = match st.0 {
                Some(pos) => file.write_all_at(bytes, pos),
                None => file.append_all(bytes),
            };
            match r {
                Ok(n) => st.0 = st.0.map(|p| p + n as u64),
                Err(c) => st.1 = Some(c),
            }
            Ok(())
        },
        move |s| {
            let err = state2.lock().unwrap().1;
            writer.write(s, status_val(err.map_or(Ok(()), Err)))
        },
    )?;
    Ok(future)
}

/// A stream the host fills from `file` at `offset` as the guest reads,
/// and the future that resolves at its end.
fn read_stream<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    file: Result<File, Code>,
    offset: u64,
) -> Result<(StreamAny, FutureAny)> {
    let (future, writer) = FutureAny::from_host(&mut *s);
    let mut writer: Option<FutureWriter> = Some(writer);
    let mut pos = offset;
    let stream = StreamAny::from_host(&mut *s, move |mut s: StoreContextMut<'_, T>, max| {
        let r = match &file {
            Ok(f) => {
                let mut buf = vec![0; max.min(MAX_READ)];
                f.read_at(&mut buf, pos).map(|n| {
                    buf.truncate(n);
                    buf
                })
            }
            Err(c) => Err(*c),
        };
        match r {
            Ok(buf) if !buf.is_empty() => {
                pos += buf.len() as u64;
                Ok(Some(buf))
            }
            r => {
                if let Some(w) = writer.take() {
                    w.write(&mut s, status_val(r.map(|_| ())))?;
                }
                Ok(None)
            }
        }
    });
    Ok((stream, future))
}

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, host: Wasi<T>) -> Result<()> {
    preopens::add_to_linker(linker, host)?;
    types::add_to_linker(linker, host)
}

impl<T: 'static> preopens::Host<T> for Wasi<T> {
    fn get_directories(
        &self,
        mut s: StoreContextMut<'_, T>,
    ) -> Result<Vec<(Resource<Descriptor>, String)>> {
        let ctx = self.ctx(&mut s);
        let preopens: Vec<(Dir, String)> = ctx.preopens.clone();
        let mut out = Vec::with_capacity(preopens.len());
        for (dir, name) in preopens {
            out.push((ctx.table.push(Descriptor::Dir(dir))?, name));
        }
        Ok(out)
    }
}

type D = Resource<Descriptor>;

impl<T: 'static> types::Host<T> for Wasi<T> {
    fn descriptor_read_via_stream(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        offset: u64,
    ) -> Result<(StreamAny, FutureAny)> {
        let file = match self.ctx(&mut s).table.get(&d)? {
            Descriptor::File(f) if f.read => Ok(f.clone()),
            Descriptor::File(_) => Err(Code::BadDescriptor),
            Descriptor::Dir(_) => Err(Code::IsDirectory),
        };
        read_stream(&mut s, file, offset)
    }

    fn descriptor_write_via_stream(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        data: StreamAny,
        offset: u64,
    ) -> Result<FutureAny> {
        let file = self.ctx(&mut s).table.get(&d)?.file().cloned();
        write_stream(&mut s, file, data, Some(offset))
    }

    fn descriptor_append_via_stream(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        data: StreamAny,
    ) -> Result<FutureAny> {
        let file = self.ctx(&mut s).table.get(&d)?.file().cloned();
        write_stream(&mut s, file, data, None)
    }

    fn descriptor_read_directory(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
    ) -> Result<(StreamAny, FutureAny)> {
        let entries = self.ctx(&mut s).table.get(&d)?.dir().and_then(|d| d.read_directory());
        let (future, writer) = FutureAny::from_host(&mut s);
        let (mut entries, status) = match entries {
            Ok(e) => (e.into_iter(), Ok(())),
            Err(c) => (Vec::new().into_iter(), Err(c)),
        };
        let mut writer = Some((writer, status));
        let stream =
            StreamAny::from_host_values(&mut s, move |mut s: StoreContextMut<'_, T>, max| {
                let batch: Vec<Val> = entries
                    .by_ref()
                    .take(max)
                    .map(|(name, ty)| {
                        Val::Record(vec![
                            ("type".into(), file_type_val(ty)),
                            ("name".into(), Val::String(name)),
                        ])
                    })
                    .collect();
                if batch.is_empty() {
                    if let Some((w, status)) = writer.take() {
                        w.write(&mut s, status_val(status))?;
                    }
                    return Ok(None);
                }
                Ok(Some(batch))
            });
        Ok((stream, future))
    }

    fn descriptor_advise(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        offset: u64,
        len: u64,
        advice: Advice,
    ) -> FsResult<T, ()> {
        let advice = match advice {
            Advice::Normal => fs::Advice::Normal,
            Advice::Sequential => fs::Advice::Sequential,
            Advice::Random => fs::Advice::Random,
            Advice::WillNeed => fs::Advice::WillNeed,
            Advice::DontNeed => fs::Advice::DontNeed,
            Advice::NoReuse => fs::Advice::NoReuse,
        };
        self.with(&mut s, &d, |d| d.file()?.advise(offset, len, advice))
    }

    fn descriptor_sync_data(&self, mut s: StoreContextMut<'_, T>, d: D) -> FsResult<T, ()> {
        self.with(&mut s, &d, |d| match d {
            Descriptor::File(f) => f.sync(true),
            Descriptor::Dir(d) => d.sync(),
        })
    }

    fn descriptor_sync(&self, mut s: StoreContextMut<'_, T>, d: D) -> FsResult<T, ()> {
        self.with(&mut s, &d, |d| match d {
            Descriptor::File(f) => f.sync(false),
            Descriptor::Dir(d) => d.sync(),
        })
    }

    fn descriptor_get_flags(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
    ) -> FsResult<T, DescriptorFlags> {
        self.with(&mut s, &d, |d| {
            let mut f = DescriptorFlags::default();
            match d {
                Descriptor::File(file) => {
                    f.read = file.read;
                    f.write = file.write;
                }
                Descriptor::Dir(dir) => {
                    f.read = dir.read;
                    f.mutate_directory = dir.mutate;
                }
            }
            Ok(f)
        })
    }

    fn descriptor_get_type(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
    ) -> FsResult<T, DescriptorType> {
        self.with(&mut s, &d, |d| match d {
            Descriptor::File(f) => Ok(file_type(f.stat()?.file_type)),
            Descriptor::Dir(_) => Ok(DescriptorType::Directory),
        })
    }

    fn descriptor_set_size(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        size: u64,
    ) -> FsResult<T, ()> {
        self.with(&mut s, &d, |d| d.file()?.set_size(size))
    }

    fn descriptor_set_times(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        a: NewTimestamp,
        m: NewTimestamp,
    ) -> FsResult<T, ()> {
        self.with(&mut s, &d, |d| {
            let (a, m) = (new_time(a)?, new_time(m)?);
            match d {
                Descriptor::File(f) => f.set_times(a, m),
                Descriptor::Dir(d) => d.set_times(a, m),
            }
        })
    }

    fn descriptor_create_directory_at(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        path: String,
    ) -> FsResult<T, ()> {
        self.with(&mut s, &d, |d| d.dir()?.create_directory_at(&path))
    }

    fn descriptor_stat(&self, mut s: StoreContextMut<'_, T>, d: D) -> FsResult<T, DescriptorStat> {
        self.with(&mut s, &d, |d| d.stat().map(stat_of))
    }

    fn descriptor_stat_at(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        flags: PathFlags,
        path: String,
    ) -> FsResult<T, DescriptorStat> {
        self.with(&mut s, &d, |d| d.dir()?.stat_at(flags.symlink_follow, &path).map(stat_of))
    }

    fn descriptor_set_times_at(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        flags: PathFlags,
        path: String,
        a: NewTimestamp,
        m: NewTimestamp,
    ) -> FsResult<T, ()> {
        self.with(&mut s, &d, |d| {
            d.dir()?.set_times_at(flags.symlink_follow, &path, new_time(a)?, new_time(m)?)
        })
    }

    fn descriptor_link_at(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        flags: PathFlags,
        old: String,
        new_d: D,
        new: String,
    ) -> FsResult<T, ()> {
        self.with2(&mut s, &d, &new_d, |a, b| a.link_at(flags.symlink_follow, &old, b, &new))
    }

    fn descriptor_open_at(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        pflags: PathFlags,
        path: String,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<T, D> {
        let HostAsync::Ready(opened) = self.with(&mut s, &d, |d| {
            let oflags = CoreOpenFlags {
                create: oflags.create,
                directory: oflags.directory,
                exclusive: oflags.exclusive,
                truncate: oflags.truncate,
            };
            let sync = flags.file_integrity_sync
                || flags.data_integrity_sync
                || flags.requested_write_sync;
            d.dir()?.open_at(pflags.symlink_follow, &path, oflags, flags.read, flags.write, sync)
        })?
        else {
            unreachable!("file operations run to their end")
        };
        let desc = match opened {
            Ok(Opened::File(f)) => Descriptor::File(f),
            Ok(Opened::Dir(d)) => Descriptor::Dir(d),
            Err(e) => return Ok(HostAsync::Ready(Err(e))),
        };
        Ok(HostAsync::Ready(Ok(self.ctx(&mut s).table.push(desc)?)))
    }

    fn descriptor_readlink_at(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        path: String,
    ) -> FsResult<T, String> {
        self.with(&mut s, &d, |d| d.dir()?.readlink_at(&path))
    }

    fn descriptor_remove_directory_at(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        path: String,
    ) -> FsResult<T, ()> {
        self.with(&mut s, &d, |d| d.dir()?.remove_directory_at(&path))
    }

    fn descriptor_rename_at(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        old: String,
        new_d: D,
        new: String,
    ) -> FsResult<T, ()> {
        self.with2(&mut s, &d, &new_d, |a, b| a.rename_at(&old, b, &new))
    }

    fn descriptor_symlink_at(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        old: String,
        new: String,
    ) -> FsResult<T, ()> {
        self.with(&mut s, &d, |d| d.dir()?.symlink_at(&old, &new))
    }

    fn descriptor_unlink_file_at(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        path: String,
    ) -> FsResult<T, ()> {
        self.with(&mut s, &d, |d| d.dir()?.unlink_file_at(&path))
    }

    fn descriptor_is_same_object(
        &self,
        mut s: StoreContextMut<'_, T>,
        a: D,
        b: D,
    ) -> Result<HostAsync<T, bool>> {
        let table = &self.ctx(&mut s).table;
        let (a, b) = (table.get(&a)?.stat(), table.get(&b)?.stat());
        Ok(HostAsync::Ready(matches!((a, b), (Ok(a), Ok(b)) if a.identity == b.identity)))
    }

    fn descriptor_metadata_hash(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
    ) -> FsResult<T, MetadataHashValue> {
        self.with(&mut s, &d, |d| d.stat().map(|s| hash_of(&s)))
    }

    fn descriptor_metadata_hash_at(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: D,
        flags: PathFlags,
        path: String,
    ) -> FsResult<T, MetadataHashValue> {
        self.with(&mut s, &d, |d| {
            d.dir()?.stat_at(flags.symlink_follow, &path).map(|s| hash_of(&s))
        })
    }
}
