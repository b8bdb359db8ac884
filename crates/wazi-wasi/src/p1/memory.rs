//! Checked access to a guest's linear memory. As in wasmtime, an access out
//! of bounds or misaligned (for a value's natural alignment) traps; records
//! are read and written field by field, so the field that fails is the one
//! reported.

use super::{Errno, Error};
use anyhow::anyhow;

pub(crate) struct GuestMemory<'a> {
    bytes: &'a mut [u8],
    /// What this call may still copy out of the guest (the store's hostcall
    /// fuel): paths, iovec arrays and buffers, poll subscriptions.
    fuel: std::cell::Cell<usize>,
}

/// A region of guest memory, named in trap messages as wasmtime does.
fn region(start: u32, len: u32) -> String {
    format!("Region {{ start: {start}, len: {len} }}")
}

impl<'a> GuestMemory<'a> {
    pub(crate) fn new(bytes: &'a mut [u8], fuel: usize) -> GuestMemory<'a> {
        GuestMemory { bytes, fuel: std::cell::Cell::new(fuel) }
    }

    /// Accounts for `n` items of `size` bytes copied out of the guest:
    /// past the call's fuel, `ENOMEM` (as in wasmtime).
    pub(crate) fn consume_fuel(&self, n: u32, size: u32) -> Result<(), Error> {
        match (n as usize).checked_mul(size as usize).and_then(|b| self.fuel.get().checked_sub(b)) {
            Some(left) => {
                self.fuel.set(left);
                Ok(())
            }
            None => Err(Error::Errno(Errno::Nomem)),
        }
    }

    /// The byte range of `len` bytes at `ptr`, checked for bounds and then
    /// for alignment.
    fn range(&self, ptr: u32, len: u32, align: u32) -> Result<std::ops::Range<usize>, Error> {
        let start = ptr as usize;
        let end = start + len as usize;
        if end > self.bytes.len() {
            return Err(Error::Trap(anyhow!("Pointer out of bounds: {}", region(ptr, len))));
        }
        if !ptr.is_multiple_of(align) {
            return Err(Error::Trap(anyhow!(
                "Pointer not aligned to {align}: {}",
                region(ptr, len)
            )));
        }
        Ok(start..end)
    }

    pub(crate) fn bytes(&self, ptr: u32, len: u32) -> Result<&[u8], Error> {
        let r = self.range(ptr, len, 1)?;
        Ok(&self.bytes[r])
    }

    pub(crate) fn bytes_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Error> {
        let r = self.range(ptr, len, 1)?;
        Ok(&mut self.bytes[r])
    }

    /// Copies `data` to `ptr`.
    pub(crate) fn write_bytes(&mut self, ptr: u32, data: &[u8]) -> Result<(), Error> {
        let len = u32::try_from(data.len()).map_err(|_| Error::Errno(Errno::Overflow))?;
        self.bytes_mut(ptr, len)?.copy_from_slice(data);
        Ok(())
    }

    /// A UTF-8 string of `len` bytes at `ptr` (not UTF-8: `EILSEQ`).
    pub(crate) fn string(&self, ptr: u32, len: u32) -> Result<String, Error> {
        self.consume_fuel(len, 1)?;
        let b = self.bytes(ptr, len)?;
        std::str::from_utf8(b).map(str::to_string).map_err(|_| Error::Errno(Errno::Ilseq))
    }

    pub(crate) fn read_u8(&self, ptr: u32) -> Result<u8, Error> {
        Ok(self.bytes[self.range(ptr, 1, 1)?][0])
    }

    pub(crate) fn read_u16(&self, ptr: u32) -> Result<u16, Error> {
        let r = self.range(ptr, 2, 2)?;
        Ok(u16::from_le_bytes(self.bytes[r].try_into().unwrap()))
    }

    pub(crate) fn read_u32(&self, ptr: u32) -> Result<u32, Error> {
        let r = self.range(ptr, 4, 4)?;
        Ok(u32::from_le_bytes(self.bytes[r].try_into().unwrap()))
    }

    pub(crate) fn read_u64(&self, ptr: u32) -> Result<u64, Error> {
        let r = self.range(ptr, 8, 8)?;
        Ok(u64::from_le_bytes(self.bytes[r].try_into().unwrap()))
    }

    pub(crate) fn write_u8(&mut self, ptr: u32, v: u8) -> Result<(), Error> {
        let r = self.range(ptr, 1, 1)?;
        self.bytes[r][0] = v;
        Ok(())
    }

    pub(crate) fn write_u16(&mut self, ptr: u32, v: u16) -> Result<(), Error> {
        let r = self.range(ptr, 2, 2)?;
        self.bytes[r].copy_from_slice(&v.to_le_bytes());
        Ok(())
    }

    pub(crate) fn write_u32(&mut self, ptr: u32, v: u32) -> Result<(), Error> {
        let r = self.range(ptr, 4, 4)?;
        self.bytes[r].copy_from_slice(&v.to_le_bytes());
        Ok(())
    }

    pub(crate) fn write_u64(&mut self, ptr: u32, v: u64) -> Result<(), Error> {
        let r = self.range(ptr, 8, 8)?;
        self.bytes[r].copy_from_slice(&v.to_le_bytes());
        Ok(())
    }

    /// The first non-empty buffer of an `iovec`/`ciovec` array, as
    /// `(pointer, length)`, or an empty one. WASI 0.1 reads and writes go
    /// through one buffer at a time, as in wasmtime; callers loop.
    pub(crate) fn first_iovec(&self, iovs: u32, count: u32) -> Result<(u32, u32), Error> {
        self.consume_fuel(count, 8)?;
        for i in 0..count {
            let at = offset(iovs, i as u64 * 8)?;
            let buf = self.read_u32(at)?;
            let len = self.read_u32(offset(at, 4)?)?;
            if len != 0 {
                self.range(buf, len, 1)?;
                self.consume_fuel(len, 1)?;
                return Ok((buf, len));
            }
        }
        Ok((0, 0))
    }
}

/// `ptr + delta` as a guest pointer; overflowing the address space traps.
pub(crate) fn offset(ptr: u32, delta: u64) -> Result<u32, Error> {
    u32::try_from(ptr as u64 + delta)
        .map_err(|_| Error::Trap(anyhow!("Pointer overflow: {}", region(ptr, delta as u32))))
}
