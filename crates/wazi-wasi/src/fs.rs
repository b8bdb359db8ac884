//! The filesystem of the WASI core: directories and files opened under a
//! preopened directory. Every path is resolved by `cap-std`, which keeps it
//! inside the directory it is relative to: `..` above it, absolute paths
//! and symlinks leading outside fail. The WASI 0.1 and 0.2 surfaces both
//! work through these types.

use crate::error::ErrorCode;
use cap_fs_ext::{
    DirExt, FileTypeExt, FollowSymlinks, MetadataExt, OpenOptionsFollowExt, OpenOptionsMaybeDirExt,
    SystemTimeSpec,
};
use cap_std::fs::{Dir as CapDir, Metadata, OpenOptions};
use std::hash::{Hash, Hasher};
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// What a guest may do under a preopened directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirPerms {
    /// Read files and metadata; create, change or remove nothing.
    ReadOnly,
    /// Everything the host's own permissions allow.
    ReadWrite,
}

impl DirPerms {
    pub(crate) fn check_write(self) -> Result<(), ErrorCode> {
        match self {
            DirPerms::ReadOnly => Err(ErrorCode::NotPermitted),
            DirPerms::ReadWrite => Ok(()),
        }
    }
}

/// An open directory.
#[derive(Clone)]
pub(crate) struct Dir {
    pub dir: Arc<CapDir>,
    pub perms: DirPerms,
    /// Opened for reading (listing); directories are never opened for
    /// writing, their contents are changed through paths.
    pub read: bool,
    /// A preopen that the guest may change (WASI 0.2 reports it as
    /// `mutate-directory`).
    pub mutate: bool,
}

/// An open file.
#[derive(Clone)]
pub(crate) struct File {
    pub file: Arc<std::fs::File>,
    pub perms: DirPerms,
    pub read: bool,
    pub write: bool,
}

/// What `open_at` opened.
pub(crate) enum Opened {
    Dir(Dir),
    File(File),
}

/// `open-at` flags.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct OpenFlags {
    pub create: bool,
    pub directory: bool,
    pub exclusive: bool,
    pub truncate: bool,
}

/// The type of a filesystem object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileType {
    Unknown,
    BlockDevice,
    CharacterDevice,
    Directory,
    Fifo,
    SymbolicLink,
    RegularFile,
    Socket,
}

impl From<cap_std::fs::FileType> for FileType {
    fn from(ft: cap_std::fs::FileType) -> FileType {
        if ft.is_dir() {
            FileType::Directory
        } else if ft.is_symlink() {
            FileType::SymbolicLink
        } else if ft.is_file() {
            FileType::RegularFile
        } else if ft.is_block_device() {
            FileType::BlockDevice
        } else if ft.is_char_device() {
            FileType::CharacterDevice
        } else if ft.is_fifo() {
            FileType::Fifo
        } else if ft.is_socket() {
            FileType::Socket
        } else {
            FileType::Unknown
        }
    }
}

/// File attributes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stat {
    pub file_type: FileType,
    pub link_count: u64,
    pub size: u64,
    /// Timestamps as durations since the Unix epoch; `None` where the
    /// platform keeps none.
    pub accessed: Option<Duration>,
    pub modified: Option<Duration>,
    pub status_changed: Option<Duration>,
    /// A 64-bit hash of the object's identity (device and inode).
    pub identity: u64,
}

fn since_epoch(t: io::Result<cap_primitives_time::SystemTime>) -> Option<Duration> {
    t.ok()?.into_std().duration_since(SystemTime::UNIX_EPOCH).ok()
}

mod cap_primitives_time {
    pub(crate) type SystemTime = cap_std::time::SystemTime;
}

impl Stat {
    fn new(m: &Metadata) -> Stat {
        Stat {
            file_type: m.file_type().into(),
            link_count: m.nlink(),
            size: m.len(),
            accessed: since_epoch(m.accessed()),
            modified: since_epoch(m.modified()),
            // As wasmtime: the creation time where the platform has one.
            status_changed: since_epoch(m.created()),
            identity: identity_hash(m),
        }
    }
}

/// A stable 64-bit hash of a file's identity, used as its inode number.
fn identity_hash(m: &Metadata) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (m.dev(), m.ino()).hash(&mut h);
    h.finish()
}

/// A new timestamp for `set_times`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NewTime {
    NoChange,
    Now,
    At(SystemTime),
}

impl NewTime {
    fn spec(self) -> Option<SystemTimeSpec> {
        match self {
            NewTime::NoChange => None,
            NewTime::Now => Some(SystemTimeSpec::SymbolicNow),
            NewTime::At(t) => {
                Some(SystemTimeSpec::Absolute(cap_std::time::SystemTime::from_std(t)))
            }
        }
    }

    fn std(self) -> Option<SystemTime> {
        match self {
            NewTime::NoChange => None,
            NewTime::Now => Some(SystemTime::now()),
            NewTime::At(t) => Some(t),
        }
    }
}

fn follow(f: bool) -> FollowSymlinks {
    if f { FollowSymlinks::Yes } else { FollowSymlinks::No }
}

impl Dir {
    /// A preopened directory.
    pub(crate) fn preopen(dir: CapDir, perms: DirPerms) -> Dir {
        Dir { dir: Arc::new(dir), perms, read: true, mutate: perms == DirPerms::ReadWrite }
    }

    /// Opens `path`. `read` and `write` are the access modes asked for;
    /// `sync` any of the synchronised-I/O flags (not supported).
    pub(crate) fn open_at(
        &self,
        follow_links: bool,
        path: &str,
        oflags: OpenFlags,
        read: bool,
        write: bool,
        sync: bool,
    ) -> Result<Opened, ErrorCode> {
        let mut opts = OpenOptions::new();
        opts.maybe_dir(true);
        let (mut want_read, mut want_write, mut create) = (false, false, false);
        if oflags.create {
            if oflags.exclusive {
                opts.create_new(true);
            } else {
                opts.create(true);
            }
            create = true;
            opts.write(true);
            want_write = true;
        }
        if oflags.truncate {
            opts.truncate(true).write(true);
            want_write = true;
        }
        if read {
            opts.read(true);
            want_read = true;
        }
        if write {
            opts.write(true);
            want_write = true;
        } else {
            // Opened for reading at least, so the OS lets it be opened; the
            // modes asked for are enforced by this layer.
            opts.read(true);
            want_read = true;
        }
        opts.follow(follow(follow_links));
        if sync {
            return Err(ErrorCode::Unsupported);
        }
        if oflags.directory && (oflags.create || oflags.exclusive || oflags.truncate) {
            return Err(ErrorCode::Invalid);
        }
        if self.perms == DirPerms::ReadOnly && (create || want_write) {
            return Err(ErrorCode::NotPermitted);
        }
        let file = self.dir.open_with(path, &opts)?;
        let is_dir = file.metadata()?.is_dir();
        if is_dir {
            let dir = CapDir::from_std_file(file.into_std());
            return Ok(Opened::Dir(Dir {
                dir: Arc::new(dir),
                perms: self.perms,
                read: want_read,
                mutate: false,
            }));
        }
        if oflags.directory {
            return Err(ErrorCode::NotDirectory);
        }
        Ok(Opened::File(File {
            file: Arc::new(file.into_std()),
            perms: self.perms,
            read: want_read,
            write: want_write,
        }))
    }

    pub(crate) fn create_directory_at(&self, path: &str) -> Result<(), ErrorCode> {
        self.perms.check_write()?;
        Ok(self.dir.create_dir(path)?)
    }

    pub(crate) fn stat_at(&self, follow_links: bool, path: &str) -> Result<Stat, ErrorCode> {
        let m = if follow_links {
            self.dir.metadata(path)?
        } else {
            self.dir.symlink_metadata(path)?
        };
        Ok(Stat::new(&m))
    }

    pub(crate) fn set_times_at(
        &self,
        follow_links: bool,
        path: &str,
        atime: NewTime,
        mtime: NewTime,
    ) -> Result<(), ErrorCode> {
        self.perms.check_write()?;
        if follow_links {
            self.dir.set_times(path, atime.spec(), mtime.spec())?;
        } else {
            self.dir.set_symlink_times(path, atime.spec(), mtime.spec())?;
        }
        Ok(())
    }

    pub(crate) fn link_at(
        &self,
        old_follow: bool,
        old_path: &str,
        new_dir: &Dir,
        new_path: &str,
    ) -> Result<(), ErrorCode> {
        self.perms.check_write()?;
        new_dir.perms.check_write()?;
        if old_follow {
            return Err(ErrorCode::Invalid);
        }
        if self.perms != new_dir.perms {
            return Err(ErrorCode::NotPermitted);
        }
        Ok(self.dir.hard_link(old_path, &new_dir.dir, new_path)?)
    }

    pub(crate) fn readlink_at(&self, path: &str) -> Result<String, ErrorCode> {
        let link = self.dir.read_link_contents(path)?;
        link.into_os_string().into_string().map_err(|_| ErrorCode::IllegalByteSequence)
    }

    pub(crate) fn remove_directory_at(&self, path: &str) -> Result<(), ErrorCode> {
        self.perms.check_write()?;
        Ok(self.dir.remove_dir(path)?)
    }

    pub(crate) fn rename_at(
        &self,
        old_path: &str,
        new_dir: &Dir,
        new_path: &str,
    ) -> Result<(), ErrorCode> {
        self.perms.check_write()?;
        new_dir.perms.check_write()?;
        if self.perms != new_dir.perms {
            return Err(ErrorCode::NotPermitted);
        }
        Ok(self.dir.rename(old_path, &new_dir.dir, new_path)?)
    }

    pub(crate) fn symlink_at(&self, target: &str, link: &str) -> Result<(), ErrorCode> {
        self.perms.check_write()?;
        Ok(DirExt::symlink(&*self.dir, target, link)?)
    }

    pub(crate) fn unlink_file_at(&self, path: &str) -> Result<(), ErrorCode> {
        self.perms.check_write()?;
        Ok(self.dir.remove_file_or_symlink(path)?)
    }

    /// The directory's entries, without `.` and `..`, in the order the
    /// system lists them.
    pub(crate) fn read_directory(&self) -> Result<Vec<(String, FileType)>, ErrorCode> {
        if !self.read {
            return Err(ErrorCode::NotPermitted);
        }
        let mut out = Vec::new();
        for entry in self.dir.entries()? {
            let entry = entry?;
            let name =
                entry.file_name().into_string().map_err(|_| ErrorCode::IllegalByteSequence)?;
            let ty = entry.file_type().map(FileType::from).unwrap_or(FileType::Unknown);
            out.push((name, ty));
        }
        Ok(out)
    }

    pub(crate) fn stat(&self) -> Result<Stat, ErrorCode> {
        Ok(Stat::new(&self.dir.dir_metadata()?))
    }

    pub(crate) fn set_times(&self, atime: NewTime, mtime: NewTime) -> Result<(), ErrorCode> {
        self.perms.check_write()?;
        Ok(self.dir.set_times(".", atime.spec(), mtime.spec())?)
    }

    /// Flushes the directory to storage.
    pub(crate) fn sync(&self) -> Result<(), ErrorCode> {
        rustix::fs::fsync(&*self.dir).map_err(io::Error::from)?;
        Ok(())
    }
}

impl File {
    pub(crate) fn read_at(&self, buf: &mut [u8], pos: u64) -> Result<usize, ErrorCode> {
        Ok(self.file.read_at(buf, pos)?)
    }

    pub(crate) fn write_at(&self, buf: &[u8], pos: u64) -> Result<usize, ErrorCode> {
        self.perms.check_write()?;
        Ok(self.file.write_at(buf, pos)?)
    }

    /// Writes all of `bytes` at `pos`.
    pub(crate) fn write_all_at(&self, bytes: &[u8], pos: u64) -> Result<usize, ErrorCode> {
        let mut done = 0;
        while done < bytes.len() {
            match self.write_at(&bytes[done..], pos + done as u64)? {
                0 => return Err(ErrorCode::Io),
                n => done += n,
            }
        }
        Ok(done)
    }

    /// Writes all of `bytes` at the end of the file.
    pub(crate) fn append_all(&self, bytes: &[u8]) -> Result<usize, ErrorCode> {
        let mut done = 0;
        while done < bytes.len() {
            match self.append(&bytes[done..])? {
                0 => return Err(ErrorCode::Io),
                n => done += n,
            }
        }
        Ok(done)
    }

    /// Writes at the end of the file (whatever its size then is).
    pub(crate) fn append(&self, buf: &[u8]) -> Result<usize, ErrorCode> {
        self.perms.check_write()?;
        let iov = [io::IoSlice::new(buf)];
        match rustix::io::pwritev2(&*self.file, &iov, 0, rustix::io::ReadWriteFlags::APPEND) {
            Err(rustix::io::Errno::NOSYS) | Err(rustix::io::Errno::NOTSUP) => {}
            other => return Ok(other.map_err(io::Error::from)?),
        }
        let size = self.file.metadata()?.len();
        Ok(self.file.write_at(buf, size)?)
    }

    pub(crate) fn set_size(&self, size: u64) -> Result<(), ErrorCode> {
        self.perms.check_write()?;
        Ok(self.file.set_len(size)?)
    }

    pub(crate) fn advise(&self, offset: u64, len: u64, advice: Advice) -> Result<(), ErrorCode> {
        use rustix::fs::Advice as A;
        let advice = match advice {
            Advice::Normal => A::Normal,
            Advice::Sequential => A::Sequential,
            Advice::Random => A::Random,
            Advice::WillNeed => A::WillNeed,
            Advice::DontNeed => A::DontNeed,
            Advice::NoReuse => A::NoReuse,
        };
        rustix::fs::fadvise(&*self.file, offset, std::num::NonZeroU64::new(len), advice)
            .map_err(io::Error::from)?;
        Ok(())
    }

    pub(crate) fn sync(&self, data_only: bool) -> Result<(), ErrorCode> {
        if data_only {
            self.file.sync_data()?
        } else {
            self.file.sync_all()?
        }
        Ok(())
    }

    pub(crate) fn stat(&self) -> Result<Stat, ErrorCode> {
        let m = Metadata::from_file(&self.file)?;
        Ok(Stat::new(&m))
    }

    pub(crate) fn set_times(&self, atime: NewTime, mtime: NewTime) -> Result<(), ErrorCode> {
        self.perms.check_write()?;
        let mut times = std::fs::FileTimes::new();
        if let Some(a) = atime.std() {
            times = times.set_accessed(a);
        }
        if let Some(m) = mtime.std() {
            times = times.set_modified(m);
        }
        Ok(self.file.set_times(times)?)
    }
}

/// Access-pattern advice.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Advice {
    Normal,
    Sequential,
    Random,
    WillNeed,
    DontNeed,
    NoReuse,
}
