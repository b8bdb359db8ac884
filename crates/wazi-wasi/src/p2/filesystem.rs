//! `wasi:filesystem`: `types` (descriptors, directory entry streams) and
//! `preopens`, on the core's sandboxed directories and files (`crate::fs`).

use super::GetCtx;
use super::bindings::wasi::clocks::wall_clock::Datetime;
use super::bindings::wasi::filesystem::preopens;
use super::bindings::wasi::filesystem::types::{
    self, Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use super::io::{InputStream, IoError, OutputStream};
use crate::ctx::Wasi;
use crate::error::ErrorCode as Code;
use crate::fs::{self, Dir, File, NewTime, OpenFlags as CoreOpenFlags, Opened};
use anyhow::Result;
use std::time::{Duration, SystemTime};
use wazi::StoreContextMut;
use wazi::component::{Linker, Resource};

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

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, host: Wasi<T>) -> Result<()> {
    preopens::add_to_linker(linker, host)?;
    types::add_to_linker(linker, host)
}

impl<T: 'static> preopens::Host<T> for Wasi<T> {
    fn get_directories(&self, mut s: StoreContextMut<'_, T>) -> Result<Vec<(D, String)>> {
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
type S<'a, T> = StoreContextMut<'a, T>;

/// A write or append stream of descriptor `d`.
fn open_output(
    ctx: &mut crate::WasiCtx,
    d: &D,
    pos: Option<u64>,
) -> FsResult<Resource<OutputStream>> {
    let file = match ctx.table.get(d)?.file() {
        Ok(f) => f.clone(),
        Err(e) => return Ok(Err(ErrorCode::from(e))),
    };
    if file.perms == fs::DirPerms::ReadOnly {
        return Ok(Err(ErrorCode::NotPermitted));
    }
    let stream = match pos {
        None => OutputStream::Append(file),
        Some(pos) => OutputStream::File { file, pos },
    };
    Ok(Ok(ctx.table.push(stream)?))
}

impl<T: 'static> types::Host<T> for Wasi<T> {
    fn descriptor_read_via_stream(
        &self,
        mut s: S<'_, T>,
        d: D,
        offset: u64,
    ) -> FsResult<Resource<InputStream>> {
        let ctx = self.ctx(&mut s);
        let file = match ctx.table.get(&d)? {
            Descriptor::File(f) => f.clone(),
            Descriptor::Dir(_) => return Ok(Err(ErrorCode::IsDirectory)),
        };
        Ok(Ok(ctx.table.push(InputStream::File { file, pos: offset })?))
    }

    fn descriptor_write_via_stream(
        &self,
        mut s: S<'_, T>,
        d: D,
        offset: u64,
    ) -> FsResult<Resource<OutputStream>> {
        open_output(self.ctx(&mut s), &d, Some(offset))
    }

    fn descriptor_append_via_stream(
        &self,
        mut s: S<'_, T>,
        d: D,
    ) -> FsResult<Resource<OutputStream>> {
        open_output(self.ctx(&mut s), &d, None)
    }

    fn descriptor_advise(
        &self,
        mut s: S<'_, T>,
        d: D,
        offset: u64,
        len: u64,
        advice: Advice,
    ) -> FsResult<()> {
        let advice = match advice {
            Advice::Normal => fs::Advice::Normal,
            Advice::Sequential => fs::Advice::Sequential,
            Advice::Random => fs::Advice::Random,
            Advice::WillNeed => fs::Advice::WillNeed,
            Advice::DontNeed => fs::Advice::DontNeed,
            Advice::NoReuse => fs::Advice::NoReuse,
        };
        with(&mut s, self.get, &d, |d| d.file()?.advise(offset, len, advice))
    }

    fn descriptor_sync_data(&self, mut s: S<'_, T>, d: D) -> FsResult<()> {
        with(&mut s, self.get, &d, |d| match d {
            Descriptor::File(f) => f.sync(true),
            Descriptor::Dir(d) => d.sync(),
        })
    }

    fn descriptor_sync(&self, mut s: S<'_, T>, d: D) -> FsResult<()> {
        with(&mut s, self.get, &d, |d| match d {
            Descriptor::File(f) => f.sync(false),
            Descriptor::Dir(d) => d.sync(),
        })
    }

    fn descriptor_get_flags(&self, mut s: S<'_, T>, d: D) -> FsResult<DescriptorFlags> {
        with(&mut s, self.get, &d, |d| {
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

    fn descriptor_get_type(&self, mut s: S<'_, T>, d: D) -> FsResult<DescriptorType> {
        with(&mut s, self.get, &d, |d| match d {
            Descriptor::File(f) => Ok(f.stat()?.file_type.into()),
            Descriptor::Dir(_) => Ok(DescriptorType::Directory),
        })
    }

    fn descriptor_set_size(&self, mut s: S<'_, T>, d: D, size: u64) -> FsResult<()> {
        with(&mut s, self.get, &d, |d| d.file()?.set_size(size))
    }

    fn descriptor_set_times(
        &self,
        mut s: S<'_, T>,
        d: D,
        a: NewTimestamp,
        m: NewTimestamp,
    ) -> FsResult<()> {
        with(&mut s, self.get, &d, |d| {
            let (a, m) = (new_time(a)?, new_time(m)?);
            match d {
                Descriptor::File(f) => f.set_times(a, m),
                Descriptor::Dir(d) => d.set_times(a, m),
            }
        })
    }

    fn descriptor_read(
        &self,
        mut s: S<'_, T>,
        d: D,
        len: u64,
        offset: u64,
    ) -> FsResult<(Vec<u8>, bool)> {
        with(&mut s, self.get, &d, |d| {
            let mut buf = vec![0; len.min(MAX_READ) as usize];
            let n = d.file()?.read_at(&mut buf, offset)?;
            buf.truncate(n);
            Ok((buf, n == 0))
        })
    }

    fn descriptor_write(&self, mut s: S<'_, T>, d: D, buf: Vec<u8>, offset: u64) -> FsResult<u64> {
        with(&mut s, self.get, &d, |d| Ok(d.file()?.write_at(&buf, offset)? as u64))
    }

    fn descriptor_read_directory(
        &self,
        mut s: S<'_, T>,
        d: D,
    ) -> FsResult<Resource<DirectoryEntryStream>> {
        let entries = match with(&mut s, self.get, &d, |d| d.dir()?.read_directory())? {
            Ok(e) => e,
            Err(e) => return Ok(Err(e)),
        };
        let ctx = self.ctx(&mut s);
        Ok(Ok(ctx.table.push(DirectoryEntryStream { entries: entries.into_iter() })?))
    }

    fn descriptor_create_directory_at(&self, mut s: S<'_, T>, d: D, path: String) -> FsResult<()> {
        with(&mut s, self.get, &d, |d| d.dir()?.create_directory_at(&path))
    }

    fn descriptor_stat(&self, mut s: S<'_, T>, d: D) -> FsResult<DescriptorStat> {
        with(&mut s, self.get, &d, |d| d.stat().map(stat_of))
    }

    fn descriptor_stat_at(
        &self,
        mut s: S<'_, T>,
        d: D,
        flags: PathFlags,
        path: String,
    ) -> FsResult<DescriptorStat> {
        with(&mut s, self.get, &d, |d| d.dir()?.stat_at(flags.symlink_follow, &path).map(stat_of))
    }

    fn descriptor_set_times_at(
        &self,
        mut s: S<'_, T>,
        d: D,
        flags: PathFlags,
        path: String,
        a: NewTimestamp,
        m: NewTimestamp,
    ) -> FsResult<()> {
        with(&mut s, self.get, &d, |d| {
            d.dir()?.set_times_at(flags.symlink_follow, &path, new_time(a)?, new_time(m)?)
        })
    }

    fn descriptor_link_at(
        &self,
        mut s: S<'_, T>,
        d: D,
        flags: PathFlags,
        old: String,
        new_d: D,
        new: String,
    ) -> FsResult<()> {
        with2(&mut s, self.get, &d, &new_d, |a, b| a.link_at(flags.symlink_follow, &old, b, &new))
    }

    fn descriptor_open_at(
        &self,
        mut s: S<'_, T>,
        d: D,
        pflags: PathFlags,
        path: String,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<D> {
        let opened = with(&mut s, self.get, &d, |d| {
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
        })?;
        let desc = match opened {
            Ok(Opened::File(f)) => Descriptor::File(f),
            Ok(Opened::Dir(d)) => Descriptor::Dir(d),
            Err(e) => return Ok(Err(e)),
        };
        Ok(Ok(self.ctx(&mut s).table.push(desc)?))
    }

    fn descriptor_readlink_at(&self, mut s: S<'_, T>, d: D, path: String) -> FsResult<String> {
        with(&mut s, self.get, &d, |d| d.dir()?.readlink_at(&path))
    }

    fn descriptor_remove_directory_at(&self, mut s: S<'_, T>, d: D, path: String) -> FsResult<()> {
        with(&mut s, self.get, &d, |d| d.dir()?.remove_directory_at(&path))
    }

    fn descriptor_rename_at(
        &self,
        mut s: S<'_, T>,
        d: D,
        old: String,
        new_d: D,
        new: String,
    ) -> FsResult<()> {
        with2(&mut s, self.get, &d, &new_d, |a, b| a.rename_at(&old, b, &new))
    }

    fn descriptor_symlink_at(
        &self,
        mut s: S<'_, T>,
        d: D,
        old: String,
        new: String,
    ) -> FsResult<()> {
        with(&mut s, self.get, &d, |d| d.dir()?.symlink_at(&old, &new))
    }

    fn descriptor_unlink_file_at(&self, mut s: S<'_, T>, d: D, path: String) -> FsResult<()> {
        with(&mut s, self.get, &d, |d| d.dir()?.unlink_file_at(&path))
    }

    fn descriptor_is_same_object(&self, mut s: S<'_, T>, a: D, b: D) -> Result<bool> {
        let table = &self.ctx(&mut s).table;
        let (a, b) = (table.get(&a)?.stat(), table.get(&b)?.stat());
        Ok(matches!((a, b), (Ok(a), Ok(b)) if a.identity == b.identity))
    }

    fn descriptor_metadata_hash(&self, mut s: S<'_, T>, d: D) -> FsResult<MetadataHashValue> {
        with(&mut s, self.get, &d, |d| d.stat().map(|s| hash_of(&s)))
    }

    fn descriptor_metadata_hash_at(
        &self,
        mut s: S<'_, T>,
        d: D,
        flags: PathFlags,
        path: String,
    ) -> FsResult<MetadataHashValue> {
        with(&mut s, self.get, &d, |d| {
            d.dir()?.stat_at(flags.symlink_follow, &path).map(|s| hash_of(&s))
        })
    }

    fn directory_entry_stream_read_directory_entry(
        &self,
        mut s: S<'_, T>,
        st: Resource<DirectoryEntryStream>,
    ) -> FsResult<Option<DirectoryEntry>> {
        let stream = self.ctx(&mut s).table.get_mut(&st)?;
        Ok(Ok(stream.entries.next().map(|(name, ty)| DirectoryEntry { r#type: ty.into(), name })))
    }

    fn filesystem_error_code(
        &self,
        mut s: S<'_, T>,
        e: Resource<IoError>,
    ) -> Result<Option<ErrorCode>> {
        let code = self.ctx(&mut s).table.get(&e)?.code;
        Ok(code.map(ErrorCode::from))
    }
}
