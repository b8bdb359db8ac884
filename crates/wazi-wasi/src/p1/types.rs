//! WASI 0.1 numbers: errno values, flags and constants, as
//! `wasi_snapshot_preview1.witx` and `typenames.witx` define them.

use crate::error::ErrorCode;

/// An `errno` value.
#[repr(u16)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)]
pub(crate) enum Errno {
    Success = 0,
    TooBig = 1,
    Acces = 2,
    Addrinuse = 3,
    Addrnotavail = 4,
    Afnosupport = 5,
    Again = 6,
    Already = 7,
    Badf = 8,
    Badmsg = 9,
    Busy = 10,
    Canceled = 11,
    Child = 12,
    Connaborted = 13,
    Connrefused = 14,
    Connreset = 15,
    Deadlk = 16,
    Destaddrreq = 17,
    Dom = 18,
    Dquot = 19,
    Exist = 20,
    Fault = 21,
    Fbig = 22,
    Hostunreach = 23,
    Idrm = 24,
    Ilseq = 25,
    Inprogress = 26,
    Intr = 27,
    Inval = 28,
    Io = 29,
    Isconn = 30,
    Isdir = 31,
    Loop = 32,
    Mfile = 33,
    Mlink = 34,
    Msgsize = 35,
    Multihop = 36,
    Nametoolong = 37,
    Netdown = 38,
    Netreset = 39,
    Netunreach = 40,
    Nfile = 41,
    Nobufs = 42,
    Nodev = 43,
    Noent = 44,
    Noexec = 45,
    Nolck = 46,
    Nolink = 47,
    Nomem = 48,
    Nomsg = 49,
    Noprotoopt = 50,
    Nospc = 51,
    Nosys = 52,
    Notconn = 53,
    Notdir = 54,
    Notempty = 55,
    Notrecoverable = 56,
    Notsock = 57,
    Notsup = 58,
    Notty = 59,
    Nxio = 60,
    Overflow = 61,
    Ownerdead = 62,
    Perm = 63,
    Pipe = 64,
    Proto = 65,
    Protonosupport = 66,
    Prototype = 67,
    Range = 68,
    Rofs = 69,
    Spipe = 70,
    Srch = 71,
    Stale = 72,
    Timedout = 73,
    Txtbsy = 74,
    Xdev = 75,
    Notcapable = 76,
}

impl From<ErrorCode> for Errno {
    fn from(code: ErrorCode) -> Errno {
        use ErrorCode as C;
        match code {
            C::Access => Errno::Acces,
            C::WouldBlock => Errno::Again,
            C::Already => Errno::Already,
            C::BadDescriptor => Errno::Badf,
            C::Busy => Errno::Busy,
            C::Deadlock => Errno::Deadlk,
            C::Quota => Errno::Dquot,
            C::Exist => Errno::Exist,
            C::FileTooLarge => Errno::Fbig,
            C::IllegalByteSequence => Errno::Ilseq,
            C::InProgress => Errno::Inprogress,
            C::Interrupted => Errno::Intr,
            C::Invalid => Errno::Inval,
            C::Io => Errno::Io,
            C::IsDirectory => Errno::Isdir,
            C::Loop => Errno::Loop,
            C::TooManyLinks => Errno::Mlink,
            C::MessageSize => Errno::Msgsize,
            C::NameTooLong => Errno::Nametoolong,
            C::NoDevice => Errno::Nodev,
            C::NoEntry => Errno::Noent,
            C::NoLock => Errno::Nolck,
            C::InsufficientMemory => Errno::Nomem,
            C::InsufficientSpace => Errno::Nospc,
            C::NotDirectory => Errno::Notdir,
            C::NotEmpty => Errno::Notempty,
            C::NotRecoverable => Errno::Notrecoverable,
            C::Unsupported => Errno::Notsup,
            C::NoTty => Errno::Notty,
            C::NoSuchDevice => Errno::Nxio,
            C::Overflow => Errno::Overflow,
            C::NotPermitted => Errno::Perm,
            C::Pipe => Errno::Pipe,
            C::ReadOnly => Errno::Rofs,
            C::InvalidSeek => Errno::Spipe,
            C::TextFileBusy => Errno::Txtbsy,
            C::CrossDevice => Errno::Xdev,
            C::ConnectionRefused => Errno::Connrefused,
            C::ConnectionReset => Errno::Connreset,
            C::ConnectionAborted => Errno::Connaborted,
            C::NotConnected => Errno::Notconn,
            C::AddressInUse => Errno::Addrinuse,
            C::AddressNotAvailable => Errno::Addrnotavail,
            C::TimedOut => Errno::Timedout,
            C::NotSocket => Errno::Notsock,
        }
    }
}

// `filetype`
pub(crate) const FILETYPE_UNKNOWN: u8 = 0;
pub(crate) const FILETYPE_BLOCK_DEVICE: u8 = 1;
pub(crate) const FILETYPE_CHARACTER_DEVICE: u8 = 2;
pub(crate) const FILETYPE_DIRECTORY: u8 = 3;
pub(crate) const FILETYPE_REGULAR_FILE: u8 = 4;
pub(crate) const FILETYPE_SOCKET_STREAM: u8 = 6;
pub(crate) const FILETYPE_SYMBOLIC_LINK: u8 = 7;

// `fdflags`
pub(crate) const FDFLAGS_APPEND: u16 = 1 << 0;
pub(crate) const FDFLAGS_DSYNC: u16 = 1 << 1;
pub(crate) const FDFLAGS_NONBLOCK: u16 = 1 << 2;
pub(crate) const FDFLAGS_RSYNC: u16 = 1 << 3;
pub(crate) const FDFLAGS_SYNC: u16 = 1 << 4;
pub(crate) const FDFLAGS_ALL: u16 = (1 << 5) - 1;

// `oflags`
pub(crate) const OFLAGS_CREAT: u16 = 1 << 0;
pub(crate) const OFLAGS_DIRECTORY: u16 = 1 << 1;
pub(crate) const OFLAGS_EXCL: u16 = 1 << 2;
pub(crate) const OFLAGS_TRUNC: u16 = 1 << 3;
pub(crate) const OFLAGS_ALL: u16 = (1 << 4) - 1;

// `lookupflags`
pub(crate) const LOOKUP_SYMLINK_FOLLOW: u32 = 1 << 0;
pub(crate) const LOOKUP_ALL: u32 = 1;

// `fstflags`
pub(crate) const FST_ATIM: u16 = 1 << 0;
pub(crate) const FST_ATIM_NOW: u16 = 1 << 1;
pub(crate) const FST_MTIM: u16 = 1 << 2;
pub(crate) const FST_MTIM_NOW: u16 = 1 << 3;
pub(crate) const FST_ALL: u16 = (1 << 4) - 1;

// `rights`
pub(crate) const RIGHT_FD_DATASYNC: u64 = 1 << 0;
pub(crate) const RIGHT_FD_READ: u64 = 1 << 1;
pub(crate) const RIGHT_FD_SEEK: u64 = 1 << 2;
pub(crate) const RIGHT_FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
pub(crate) const RIGHT_FD_SYNC: u64 = 1 << 4;
pub(crate) const RIGHT_FD_TELL: u64 = 1 << 5;
pub(crate) const RIGHT_FD_WRITE: u64 = 1 << 6;
pub(crate) const RIGHT_FD_ADVISE: u64 = 1 << 7;
pub(crate) const RIGHT_FD_ALLOCATE: u64 = 1 << 8;
pub(crate) const RIGHT_PATH_CREATE_DIRECTORY: u64 = 1 << 9;
pub(crate) const RIGHT_PATH_CREATE_FILE: u64 = 1 << 10;
pub(crate) const RIGHT_PATH_LINK_SOURCE: u64 = 1 << 11;
pub(crate) const RIGHT_PATH_LINK_TARGET: u64 = 1 << 12;
pub(crate) const RIGHT_PATH_OPEN: u64 = 1 << 13;
pub(crate) const RIGHT_FD_READDIR: u64 = 1 << 14;
pub(crate) const RIGHT_PATH_READLINK: u64 = 1 << 15;
pub(crate) const RIGHT_PATH_RENAME_SOURCE: u64 = 1 << 16;
pub(crate) const RIGHT_PATH_RENAME_TARGET: u64 = 1 << 17;
pub(crate) const RIGHT_PATH_FILESTAT_GET: u64 = 1 << 18;
pub(crate) const RIGHT_PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
pub(crate) const RIGHT_PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
pub(crate) const RIGHT_FD_FILESTAT_GET: u64 = 1 << 21;
pub(crate) const RIGHT_FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
pub(crate) const RIGHT_FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
pub(crate) const RIGHT_PATH_SYMLINK: u64 = 1 << 24;
pub(crate) const RIGHT_PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
pub(crate) const RIGHT_PATH_UNLINK_FILE: u64 = 1 << 26;
pub(crate) const RIGHT_POLL_FD_READWRITE: u64 = 1 << 27;
pub(crate) const RIGHT_SOCK_SHUTDOWN: u64 = 1 << 28;
pub(crate) const RIGHT_SOCK_ACCEPT: u64 = 1 << 29;
pub(crate) const RIGHTS_ALL: u64 = (1 << 30) - 1;

// `eventtype`
pub(crate) const EVENTTYPE_CLOCK: u8 = 0;
pub(crate) const EVENTTYPE_FD_READ: u8 = 1;
pub(crate) const EVENTTYPE_FD_WRITE: u8 = 2;

// `subclockflags`, `eventrwflags`
pub(crate) const SUBCLOCK_ABSTIME: u16 = 1;
pub(crate) const EVENT_FD_READWRITE_HANGUP: u16 = 1;

// `riflags`, `roflags`, `sdflags`
pub(crate) const RIFLAGS_RECV_PEEK: u16 = 1 << 0;
pub(crate) const RIFLAGS_RECV_WAITALL: u16 = 1 << 1;
pub(crate) const SDFLAGS_RD: u8 = 1 << 0;
pub(crate) const SDFLAGS_WR: u8 = 1 << 1;

// Sizes of records in guest memory.
pub(crate) const DIRENT_SIZE: u32 = 24;
pub(crate) const SUBSCRIPTION_SIZE: u32 = 48;
pub(crate) const EVENT_SIZE: u32 = 32;
