//! `wasi:filesystem`: `types` (descriptors, directory entry streams) and
//! `preopens`, on the core's sandboxed directories and files (`crate::fs`).

use super::GetCtx;
use super::bindings::wasi::clocks::wall_clock::Datetime;
use super::io::{InputStream, IoError, OutputStream};
use crate::error::ErrorCode as Code;
use crate::fs::{self, Dir, File, NewTime, OpenFlags as CoreOpenFlags, Opened};
use anyhow::Result;
use std::time::{Duration, SystemTime};
use wazi::component::{Linker, Resource};
use wazi::{StoreContextMut, component_enum, component_flags, component_record, component_variant};

/// `wasi:filesystem/types.descriptor`.
pub(crate) enum Descriptor {
    File(File),
    Dir(Dir),
}

/// `wasi:filesystem/types.directory-entry-stream`: the entries, read when
/// the stream was opened.
pub(crate) struct DirectoryEntryStream {
    entries: std::vec::IntoIter<(String, fs::FileType)>,
}

component_enum! {
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum DescriptorType {
        Unknown, BlockDevice, CharacterDevice, Directory, Fifo, SymbolicLink, RegularFile, Socket,
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
        pub data_access_timestamp: Option<Datetime>,
        pub data_modification_timestamp: Option<Datetime>,
        pub status_change_timestamp: Option<Datetime>,
    }
}

component_variant! {
    pub enum NewTimestamp { NoChange, Now, Timestamp(Datetime) }
}

component_record! {
    pub struct DirectoryEntry { pub r#type: DescriptorType, pub name: String }
}

component_record! {
    pub struct MetadataHashValue { pub lower: u64, pub upper: u64 }
}

component_enum! {
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Advice { Normal, Sequential, Random, WillNeed, DontNeed, NoReuse }
}

component_enum! {
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum ErrorCode {
        Access, WouldBlock, Already, BadDescriptor, Busy, Deadlock, Quota, Exist,
        FileTooLarge, IllegalByteSequence, InProgress, Interrupted, Invalid, Io, IsDirectory,
        Loop, TooManyLinks, MessageSize, NameTooLong, NoDevice, NoEntry, NoLock,
        InsufficientMemory, InsufficientSpace, NotDirectory, NotEmpty, NotRecoverable,
        Unsupported, NoTty, NoSuchDevice, Overflow, NotPermitted, Pipe, ReadOnly, InvalidSeek,
        TextFileBusy, CrossDevice,
    }
}

impl From<Code> for ErrorCode {
    fn from(c: Code) -> ErrorCode {
        match c {
            Code::Access => ErrorCode::Access,
            Code::WouldBlock => ErrorCode::WouldBlock,
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
            Code::Io => ErrorCode::Io,
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
            // Network errors do not arise from filesystem operations.
            _ => ErrorCode::Io,
        }
    }
}

impl From<fs::FileType> for DescriptorType {
    fn from(t: fs::FileType) -> DescriptorType {
        match t {
            fs::FileType::Unknown => DescriptorType::Unknown,
            fs::FileType::BlockDevice => DescriptorType::BlockDevice,
            fs::FileType::CharacterDevice => DescriptorType::CharacterDevice,
            fs::FileType::Directory => DescriptorType::Directory,
            fs::FileType::Fifo => DescriptorType::Fifo,
            fs::FileType::SymbolicLink => DescriptorType::SymbolicLink,
            fs::FileType::RegularFile => DescriptorType::RegularFile,
            fs::FileType::Socket => DescriptorType::Socket,
        }
    }
}

fn datetime(d: Option<Duration>) -> Option<Datetime> {
    d.map(|d| Datetime { seconds: d.as_secs(), nanoseconds: d.subsec_nanos() })
}

fn stat_of(s: fs::Stat) -> DescriptorStat {
    DescriptorStat {
        r#type: s.file_type.into(),
        link_count: s.link_count,
        size: s.size,
        data_access_timestamp: datetime(s.accessed),
        data_modification_timestamp: datetime(s.modified),
        status_change_timestamp: datetime(s.status_changed),
    }
}

/// The hash of an object's identity (as `metadata-hash` gives it).
fn hash_of(s: &fs::Stat) -> MetadataHashValue {
    MetadataHashValue { lower: s.identity, upper: s.identity.rotate_left(32) ^ s.size }
}

fn new_time(t: NewTimestamp) -> Result<NewTime, Code> {
    Ok(match t {
        NewTimestamp::NoChange => NewTime::NoChange,
        NewTimestamp::Now => NewTime::Now,
        NewTimestamp::Timestamp(d) => {
            if d.nanoseconds >= 1_000_000_000 {
                return Err(Code::Invalid);
            }
            let since = Duration::new(d.seconds, d.nanoseconds);
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

/// Runs `f` on descriptor `d`: a dead handle traps, a failed operation is
/// an `error-code` for the guest.
fn with<T: 'static, R>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    d: &Resource<Descriptor>,
    f: impl FnOnce(&Descriptor) -> Result<R, Code>,
) -> FsResult<R> {
    let desc = get(s.data_mut()).table.get(d)?;
    Ok(f(desc).map_err(ErrorCode::from))
}

/// Like [`with`], for operations on two directories.
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

/// Most bytes `read` returns at once.
const MAX_READ: u64 = 64 * 1024;

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let v = super::VERSION;
    linker.instance(&format!("wasi:filesystem/preopens@{v}"))?.func_wrap(
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
    let mut i = linker.instance(&format!("wasi:filesystem/types@{v}"))?;
    super::table_resource::<T, Descriptor>(&mut i, "descriptor", get)?;
    super::table_resource::<T, DirectoryEntryStream>(&mut i, "directory-entry-stream", get)?;
    type D = Resource<Descriptor>;
    i.func_wrap(
        "[method]descriptor.read-via-stream",
        move |mut s: StoreContextMut<'_, T>, (d, offset): (D, u64)| {
            let ctx = get(s.data_mut());
            let file = match ctx.table.get(&d)? {
                Descriptor::File(f) => f.clone(),
                Descriptor::Dir(_) => return Ok((Err(ErrorCode::IsDirectory),)),
            };
            Ok((Ok(ctx.table.push(InputStream::File { file, pos: offset })?),))
        },
    )?;
    for (name, append) in [("write-via-stream", false), ("append-via-stream", true)] {
        let open = move |ctx: &mut crate::WasiCtx, d: &D, offset: u64| {
            let file = match ctx.table.get(d)?.file() {
                Ok(f) => f.clone(),
                Err(e) => return Ok(Err(ErrorCode::from(e))),
            };
            if file.perms == fs::DirPerms::ReadOnly {
                return Ok(Err(ErrorCode::NotPermitted));
            }
            let stream = if append {
                OutputStream::Append(file)
            } else {
                OutputStream::File { file, pos: offset }
            };
            Ok::<_, anyhow::Error>(Ok(ctx.table.push(stream)?))
        };
        if append {
            i.func_wrap(
                &format!("[method]descriptor.{name}"),
                move |mut s: StoreContextMut<'_, T>, (d,): (D,)| {
                    Ok((open(get(s.data_mut()), &d, 0)?,))
                },
            )?;
        } else {
            i.func_wrap(
                &format!("[method]descriptor.{name}"),
                move |mut s: StoreContextMut<'_, T>, (d, offset): (D, u64)| {
                    Ok((open(get(s.data_mut()), &d, offset)?,))
                },
            )?;
        }
    }
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
                Descriptor::File(f) => Ok(f.stat()?.file_type.into()),
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
        "[method]descriptor.read",
        move |mut s: StoreContextMut<'_, T>, (d, len, offset): (D, u64, u64)| {
            Ok((with(&mut s, get, &d, |d| {
                let mut buf = vec![0; len.min(MAX_READ) as usize];
                let n = d.file()?.read_at(&mut buf, offset)?;
                buf.truncate(n);
                Ok((buf, n == 0))
            })?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.write",
        move |mut s: StoreContextMut<'_, T>, (d, buf, offset): (D, Vec<u8>, u64)| {
            Ok((with(&mut s, get, &d, |d| Ok(d.file()?.write_at(&buf, offset)? as u64))?,))
        },
    )?;
    i.func_wrap(
        "[method]descriptor.read-directory",
        move |mut s: StoreContextMut<'_, T>, (d,): (D,)| {
            let entries = match with(&mut s, get, &d, |d| d.dir()?.read_directory())? {
                Ok(e) => e,
                Err(e) => return Ok((Err(e),)),
            };
            let ctx = get(s.data_mut());
            Ok((Ok(ctx.table.push(DirectoryEntryStream { entries: entries.into_iter() })?),))
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
    i.func_wrap(
        "[method]directory-entry-stream.read-directory-entry",
        move |mut s: StoreContextMut<'_, T>, (st,): (Resource<DirectoryEntryStream>,)| {
            let stream = get(s.data_mut()).table.get_mut(&st)?;
            let entry =
                stream.entries.next().map(|(name, ty)| DirectoryEntry { r#type: ty.into(), name });
            Ok((Ok::<_, ErrorCode>(entry),))
        },
    )?;
    i.func_wrap(
        "filesystem-error-code",
        move |mut s: StoreContextMut<'_, T>, (e,): (Resource<IoError>,)| {
            let code = get(s.data_mut()).table.get(&e)?.code;
            Ok((code.map(ErrorCode::from),))
        },
    )?;
    Ok(())
}
