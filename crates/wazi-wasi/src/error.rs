//! Errors of the WASI core, shaped like `wasi:filesystem`'s `error-code`
//! (from which WASI 0.1's errno values are derived), and the exit status a
//! guest asks for.

use std::fmt;
use std::io;

/// A guest asked to exit with this status (`proc_exit`, `wasi:cli/exit`).
/// Host functions return it as an error, which unwinds the guest; the
/// embedder downcasts it and turns it into the process's exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct I32Exit(pub i32);

impl I32Exit {
    /// The exit of `wasi:cli/exit.exit`: status 0 for `ok`, 1 for `err`.
    pub(crate) fn of(status: Result<(), ()>) -> I32Exit {
        I32Exit(if status.is_ok() { 0 } else { 1 })
    }
}

impl fmt::Display for I32Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Exited with i32 exit status {}", self.0)
    }
}

impl std::error::Error for I32Exit {}

/// Why a WASI operation failed, as `wasi:filesystem/types.error-code` and
/// `wasi:sockets/network.error-code` name it. The whole list is kept, as
/// the interfaces define it, though the host never produces some codes.
#[allow(dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorCode {
    Access,
    WouldBlock,
    Already,
    BadDescriptor,
    Busy,
    Deadlock,
    Quota,
    Exist,
    FileTooLarge,
    IllegalByteSequence,
    InProgress,
    Interrupted,
    Invalid,
    Io,
    IsDirectory,
    Loop,
    TooManyLinks,
    MessageSize,
    NameTooLong,
    NoDevice,
    NoEntry,
    NoLock,
    InsufficientMemory,
    InsufficientSpace,
    NotDirectory,
    NotEmpty,
    NotRecoverable,
    Unsupported,
    NoTty,
    NoSuchDevice,
    Overflow,
    NotPermitted,
    Pipe,
    ReadOnly,
    InvalidSeek,
    TextFileBusy,
    CrossDevice,
    // Network errors.
    ConnectionRefused,
    ConnectionReset,
    ConnectionAborted,
    NotConnected,
    AddressInUse,
    AddressNotAvailable,
    TimedOut,
    NotSocket,
}

impl ErrorCode {
    /// The error of an OS error number, if it has one.
    fn from_errno(errno: i32) -> Option<ErrorCode> {
        use rustix::io::Errno as E;
        Some(match E::from_raw_os_error(errno) {
            E::PIPE => ErrorCode::Pipe,
            E::PERM => ErrorCode::NotPermitted,
            E::NOENT => ErrorCode::NoEntry,
            E::NOMEM => ErrorCode::InsufficientMemory,
            E::IO => ErrorCode::Io,
            E::BADF => ErrorCode::BadDescriptor,
            E::BUSY => ErrorCode::Busy,
            E::ACCESS => ErrorCode::Access,
            E::NOTDIR => ErrorCode::NotDirectory,
            E::ISDIR => ErrorCode::IsDirectory,
            E::INVAL => ErrorCode::Invalid,
            E::EXIST => ErrorCode::Exist,
            E::FBIG => ErrorCode::FileTooLarge,
            E::NOSPC => ErrorCode::InsufficientSpace,
            E::SPIPE => ErrorCode::InvalidSeek,
            E::MLINK => ErrorCode::TooManyLinks,
            E::NAMETOOLONG => ErrorCode::NameTooLong,
            E::NOTEMPTY => ErrorCode::NotEmpty,
            E::LOOP => ErrorCode::Loop,
            E::OVERFLOW => ErrorCode::Overflow,
            E::ILSEQ => ErrorCode::IllegalByteSequence,
            E::NOTSUP => ErrorCode::Unsupported,
            E::ALREADY => ErrorCode::Already,
            E::INPROGRESS => ErrorCode::InProgress,
            E::INTR => ErrorCode::Interrupted,
            E::AGAIN => ErrorCode::WouldBlock,
            E::CONNREFUSED => ErrorCode::ConnectionRefused,
            E::CONNRESET => ErrorCode::ConnectionReset,
            E::CONNABORTED => ErrorCode::ConnectionAborted,
            E::NOTCONN => ErrorCode::NotConnected,
            E::ADDRINUSE => ErrorCode::AddressInUse,
            E::ADDRNOTAVAIL => ErrorCode::AddressNotAvailable,
            E::TIMEDOUT => ErrorCode::TimedOut,
            E::NOTSOCK => ErrorCode::NotSocket,
            _ => return None,
        })
    }
}

impl From<&io::Error> for ErrorCode {
    fn from(err: &io::Error) -> ErrorCode {
        if let Some(code) = err.raw_os_error().and_then(ErrorCode::from_errno) {
            return code;
        }
        // Errors without an OS number: cap-std's sandbox refusals (a path
        // leading outside its directory) are "permission denied".
        match err.kind() {
            io::ErrorKind::NotFound => ErrorCode::NoEntry,
            io::ErrorKind::PermissionDenied => ErrorCode::NotPermitted,
            io::ErrorKind::AlreadyExists => ErrorCode::Exist,
            io::ErrorKind::InvalidInput => ErrorCode::Invalid,
            io::ErrorKind::WouldBlock => ErrorCode::WouldBlock,
            io::ErrorKind::BrokenPipe => ErrorCode::Pipe,
            _ => ErrorCode::Io,
        }
    }
}

impl From<io::Error> for ErrorCode {
    fn from(err: io::Error) -> ErrorCode {
        ErrorCode::from(&err)
    }
}
