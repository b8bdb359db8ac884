//! `wasi:filesystem@0.3`: `types` and `preopens`, on the same sandboxed
//! directories and files as WASI 0.1 and 0.2 (`crate::fs`). File contents
//! and directory listings travel in streams: the host fills a read stream
//! as the guest reads it, writes each chunk of a write stream as the guest
//! writes it, and resolves the accompanying future at the end.

use super::VERSION as V;
use super::clocks::Instant;
use crate::GetCtx;
use crate::error::ErrorCode as Code;
use crate::fs::{self, Dir, File, NewTime, OpenFlags as CoreOpenFlags, Opened};
use anyhow::{Result, bail};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use wazi::component::{FutureAny, FutureWriter, Linker, Resource, StreamAny, Val};
use wazi::{StoreContextMut, component_flags, component_record, component_variant};

/// `wasi:filesystem/types@0.3.descriptor`.
pub(crate) enum Descriptor {
    File(File),
    Dir(Dir),
}

component_variant! {
    #[derive(Clone, Debug, PartialEq)]
    pub enum DescriptorType {
        BlockDevice, CharacterDevice, Directory, Fifo, SymbolicLink, RegularFile, Socket,
        Other(Option<String>),
    }
}

component_flags! {
    pub struct DescriptorFlags {
        read, write, file_integrity_sync, data_integrity_sync, requested_write_sync,
        mutate_directory,
    }
}

component_flags! {
    pub struct PathFlags { symlink_follow }
}

component_flags! {
    pub struct OpenFlags { create, directory, exclusive, truncate }
}

component_record! {
    pub struct DescriptorStat {
        pub r#type: DescriptorType,
        pub link_count: u64,
        pub size: u64,
        pub data_access_timestamp: Option<Instant>,
        pub data_modification_timestamp: Option<Instant>,
        pub status_change_timestamp: Option<Instant>,
    }
}

component_variant! {
    pub enum NewTimestamp { NoChange, Now, Timestamp(Instant) }
}

component_record! {
    pub struct MetadataHashValue { pub lower: u64, pub upper: u64 }
}

component_variant! {
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Advice { Normal, Sequential, Random, WillNeed, DontNeed, NoReuse }
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

component_variant! {
    #[derive(Clone, Debug, PartialEq)]
    pub enum ErrorCode {
        Access, Already, BadDescriptor, Busy, Deadlock, Quota, Exist, FileTooLarge,
        IllegalByteSequence, InProgress, Interrupted, Invalid, Io, IsDirectory, Loop,
        TooManyLinks, MessageSize, NameTooLong, NoDevice, NoEntry, NoLock, InsufficientMemory,
        InsufficientSpace, NotDirectory, NotEmpty, NotRecoverable, Unsupported, NoTty,
        NoSuchDevice, Overflow, NotPermitted, Pipe, ReadOnly, InvalidSeek, TextFileBusy,
        CrossDevice, Other(Option<String>),
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

type FsResult<T> = Result<Result<T, ErrorCode>>;

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

fn with<T: 'static, R>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    d: &Resource<Descriptor>,
    f: impl FnOnce(&Descriptor) -> Result<R, Code>,
) -> FsResult<R> {
    let desc = get(s.data_mut()).table.get(d)?;
    Ok(f(desc).map_err(ErrorCode::from))
}

fn with2<T: 'static, R>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    a: &Resource<Descriptor>,
    b: &Resource<Descriptor>,
    f: impl FnOnce(&Dir, &Dir) -> Result<R, Code>,
) -> FsResult<R> {
    let table = &get(s.data_mut()).table;
    let (a, b) = (table.get(a)?, table.get(b)?);
    Ok(a.dir().and_then(|a| f(a, b.dir()?)).map_err(ErrorCode::from))
}

/// Most bytes one read of a file stream takes.
const MAX_READ: usize = 64 * 1024;

/// The descriptor at handle `v` (a `borrow<descriptor>` parameter).
fn descriptor<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    v: Option<&Val>,
) -> Result<Resource<Descriptor>> {
    let Some(Val::Resource(r)) = v else { bail!("expected a descriptor") };
    r.borrow_resource(&*s)
}

/// Hands `data` to the host, writing each chunk at the file's position
/// (or its end, `append`); the future resolves when the guest drops its
/// end, with the first error if a write failed.
fn write_stream<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    file: Result<File, Code>,
    data: StreamAny,
    offset: Option<u64>,
) -> Result<Val> {
    let (future, writer) = FutureAny::from_host(&mut *s);
    let file = match file.and_then(|f| f.perms.check_write().map(|()| f)) {
        Ok(f) => f,
        Err(c) => {
            data.close(&mut *s)?;
            writer.write(&mut *s, status_val(Err(c)))?;
            return Ok(Val::Future(future));
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
    Ok(Val::Future(future))
}

/// A stream the host fills from `file` at `offset` as the guest reads,
/// and the future that resolves at its end.
fn read_stream<T: 'static>(
    s: &mut StoreContextMut<'_, T>,
    file: Result<File, Code>,
    offset: u64,
) -> Result<Val> {
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
    Ok(Val::Tuple(vec![Val::Stream(stream), Val::Future(future)]))
}

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    linker.instance(&format!("wasi:filesystem/preopens@{V}"))?.func_wrap(
        "get-directories",
        move |mut s: StoreContextMut<'_, T>, (): ()| {
            let ctx = get(s.data_mut());
            let preopens: Vec<(Dir, String)> = ctx.preopens.clone();
            let mut out = Vec::with_capacity(preopens.len());
            for (dir, name) in preopens {
                out.push((ctx.table.push(Descriptor::Dir(dir))?, name));
            }
            Ok((out,))
        },
    )?;
    let mut i = linker.instance(&format!("wasi:filesystem/types@{V}"))?;
    crate::ctx::table_resource::<T, Descriptor>(&mut i, "descriptor", get)?;
    type D = Resource<Descriptor>;
    i.func_new("[method]descriptor.read-via-stream", move |mut s, params, results| {
        let d = descriptor(&mut s, params.first())?;
        let Some(Val::U64(offset)) = params.get(1) else { bail!("expected an offset") };
        let file = match get(s.data_mut()).table.get(&d)? {
            Descriptor::File(f) if f.read => Ok(f.clone()),
            Descriptor::File(_) => Err(Code::BadDescriptor),
            Descriptor::Dir(_) => Err(Code::IsDirectory),
        };
        results[0] = read_stream(&mut s, file, *offset)?;
        Ok(())
    })?;
    for (name, append) in [("write-via-stream", false), ("append-via-stream", true)] {
        i.func_new(&format!("[method]descriptor.{name}"), move |mut s, params, results| {
            let d = descriptor(&mut s, params.first())?;
            let Some(Val::Stream(data)) = params.get(1) else { bail!("expected a stream") };
            let offset = match (append, params.get(2)) {
                (true, _) => None,
                (false, Some(Val::U64(o))) => Some(*o),
                _ => bail!("expected an offset"),
            };
            let file = get(s.data_mut()).table.get(&d)?.file().cloned();
            results[0] = write_stream(&mut s, file, *data, offset)?;
            Ok(())
        })?;
    }
    i.func_new("[method]descriptor.read-directory", move |mut s, params, results| {
        let d = descriptor(&mut s, params.first())?;
        let entries = get(s.data_mut()).table.get(&d)?.dir().and_then(|d| d.read_directory());
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
        results[0] = Val::Tuple(vec![Val::Stream(stream), Val::Future(future)]);
        Ok(())
    })?;
    i.func_wrap(
        "[method]descriptor.advise",
        move |mut s: StoreContextMut<'_, T>, (d, offset, len, advice): (D, u64, u64, Advice)| {
            let advice = match advice {
                Advice::Normal => fs::Advice::Normal,
                Advice::Sequential => fs::Advice::Sequential,
                Advice::Random => fs::Advice::Random,
                Advice::WillNeed => fs::Advice::WillNeed,
                Advice::DontNeed => fs::Advice::DontNeed,
                Advice::NoReuse => fs::Advice::NoReuse,
            };
            Ok((with(&mut s, get, &d, |d| d.file()?.advise(offset, len, advice))?,))
        },
    )?;
    for (name, data_only) in [("sync-data", true), ("sync", false)] {
        i.func_wrap(
            &format!("[method]descriptor.{name}"),
            move |mut s: StoreContextMut<'_, T>, (d,): (D,)| {
                Ok((with(&mut s, get, &d, |d| match d {
                    Descriptor::File(f) => f.sync(data_only),
                    Descriptor::Dir(d) => d.sync(),
                })?,))
            },
        )?;
    }
    i.func_wrap(
        "[method]descriptor.get-flags",
        move |mut s: StoreContextMut<'_, T>, (d,): (D,)| {
            Ok((with(&mut s, get, &d, |d| {
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
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.get-type",
        move |mut s: StoreContextMut<'_, T>, (d,): (D,)| {
            Ok((with(&mut s, get, &d, |d| match d {
                Descriptor::File(f) => Ok(file_type(f.stat()?.file_type)),
                Descriptor::Dir(_) => Ok(DescriptorType::Directory),
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.set-size",
        move |mut s: StoreContextMut<'_, T>, (d, size): (D, u64)| {
            Ok((with(&mut s, get, &d, |d| d.file()?.set_size(size))?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.set-times",
        move |mut s: StoreContextMut<'_, T>, (d, a, m): (D, NewTimestamp, NewTimestamp)| {
            Ok((with(&mut s, get, &d, |d| {
                let (a, m) = (new_time(a)?, new_time(m)?);
                match d {
                    Descriptor::File(f) => f.set_times(a, m),
                    Descriptor::Dir(d) => d.set_times(a, m),
                }
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.create-directory-at",
        move |mut s: StoreContextMut<'_, T>, (d, path): (D, String)| {
            Ok((with(&mut s, get, &d, |d| d.dir()?.create_directory_at(&path))?,))
        },
    )?;
    i.func_wrap("[method]descriptor.stat", move |mut s: StoreContextMut<'_, T>, (d,): (D,)| {
        Ok((with(&mut s, get, &d, |d| d.stat().map(stat_of))?,))
    })?;
    i.func_wrap(
        "[method]descriptor.stat-at",
        move |mut s: StoreContextMut<'_, T>, (d, flags, path): (D, PathFlags, String)| {
            Ok((with(&mut s, get, &d, |d| {
                d.dir()?.stat_at(flags.symlink_follow, &path).map(stat_of)
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.set-times-at",
        move |mut s: StoreContextMut<'_, T>,
              (d, flags, path, a, m): (D, PathFlags, String, NewTimestamp, NewTimestamp)| {
            Ok((with(&mut s, get, &d, |d| {
                d.dir()?.set_times_at(flags.symlink_follow, &path, new_time(a)?, new_time(m)?)
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.link-at",
        move |mut s: StoreContextMut<'_, T>,
              (d, flags, old, new_d, new): (D, PathFlags, String, D, String)| {
            Ok((with2(&mut s, get, &d, &new_d, |a, b| {
                a.link_at(flags.symlink_follow, &old, b, &new)
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.open-at",
        move |mut s: StoreContextMut<'_, T>,
              (d, pflags, path, oflags, flags): (
            D,
            PathFlags,
            String,
            OpenFlags,
            DescriptorFlags,
        )| {
            let opened = with(&mut s, get, &d, |d| {
                let oflags = CoreOpenFlags {
                    create: oflags.create,
                    directory: oflags.directory,
                    exclusive: oflags.exclusive,
                    truncate: oflags.truncate,
                };
                let sync = flags.file_integrity_sync
                    || flags.data_integrity_sync
                    || flags.requested_write_sync;
                d.dir()?.open_at(
                    pflags.symlink_follow,
                    &path,
                    oflags,
                    flags.read,
                    flags.write,
                    sync,
                )
            })?;
            let desc = match opened {
                Ok(Opened::File(f)) => Descriptor::File(f),
                Ok(Opened::Dir(d)) => Descriptor::Dir(d),
                Err(e) => return Ok((Err(e),)),
            };
            Ok((Ok(get(s.data_mut()).table.push(desc)?),))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.readlink-at",
        move |mut s: StoreContextMut<'_, T>, (d, path): (D, String)| {
            Ok((with(&mut s, get, &d, |d| d.dir()?.readlink_at(&path))?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.remove-directory-at",
        move |mut s: StoreContextMut<'_, T>, (d, path): (D, String)| {
            Ok((with(&mut s, get, &d, |d| d.dir()?.remove_directory_at(&path))?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.rename-at",
        move |mut s: StoreContextMut<'_, T>, (d, old, new_d, new): (D, String, D, String)| {
            Ok((with2(&mut s, get, &d, &new_d, |a, b| a.rename_at(&old, b, &new))?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.symlink-at",
        move |mut s: StoreContextMut<'_, T>, (d, old, new): (D, String, String)| {
            Ok((with(&mut s, get, &d, |d| d.dir()?.symlink_at(&old, &new))?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.unlink-file-at",
        move |mut s: StoreContextMut<'_, T>, (d, path): (D, String)| {
            Ok((with(&mut s, get, &d, |d| d.dir()?.unlink_file_at(&path))?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.is-same-object",
        move |mut s: StoreContextMut<'_, T>, (a, b): (D, D)| {
            let table = &get(s.data_mut()).table;
            let (a, b) = (table.get(&a)?.stat(), table.get(&b)?.stat());
            Ok((matches!((a, b), (Ok(a), Ok(b)) if a.identity == b.identity),))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.metadata-hash",
        move |mut s: StoreContextMut<'_, T>, (d,): (D,)| {
            Ok((with(&mut s, get, &d, |d| d.stat().map(|s| hash_of(&s)))?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.metadata-hash-at",
        move |mut s: StoreContextMut<'_, T>, (d, flags, path): (D, PathFlags, String)| {
            Ok((with(&mut s, get, &d, |d| {
                d.dir()?.stat_at(flags.symlink_follow, &path).map(|s| hash_of(&s))
            })?,))
        },
    )?;
    Ok(())
}
