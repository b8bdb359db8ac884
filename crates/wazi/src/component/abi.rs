//! The canonical ABI's shared machinery: the lift/lower context (memory,
//! `realloc`, string encoding, handle table of one side of a call), bounds
//! and alignment checks, and strings in all three encodings.
//!
//! The typed path ([`super::typed`]) and the dynamic path
//! ([`super::values`]) both build on this module.

use super::resources::{ResourceAny, ResourceKind, ResourceType, Slot};
use super::store::{Components, InstanceId, Options, StringEncoding};
use crate::store::StoreCore;
use crate::trap::Trap;
use anyhow::{Error, Result, anyhow, bail};

/// Longest string, in bytes, the canonical ABI lifts.
pub(crate) const MAX_STRING_BYTE_LENGTH: u64 = (1 << 28) - 1;
/// Longest list, in bytes, the canonical ABI lifts.
pub(crate) const MAX_LIST_BYTE_LENGTH: u64 = (1 << 28) - 1;
/// The `latin1+utf16` tag on a string's length.
const UTF16_TAG: u32 = 1 << 31;

/// A string encoding without `latin1+utf16`'s dynamic choice.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Simple {
    Utf8,
    Utf16,
    Latin1,
}

/// What a range in memory holds, for error messages.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum What {
    String,
    List,
    /// A spilled parameter tuple or result.
    Pointer,
}

/// One side of a call, as lifting or lowering sees it.
pub struct Cx<'a> {
    pub(crate) core: &'a mut StoreCore,
    pub(crate) opts: &'a Options,
    /// Run-time resource types by the component's resource index.
    pub(crate) resources: &'a [Option<ResourceType>],
    /// A component-to-component call (the checks trap with the adapter
    /// messages) rather than a host boundary.
    pub(crate) fused: bool,
    /// Own handles of this instance lent while lifting `borrow`s; the lends
    /// end with the call.
    pub(crate) lenders: Vec<u32>,
    /// The task (index in the store's tasks) `borrow`s lowered into this
    /// instance belong to.
    pub(crate) task: Option<usize>,
    /// Borrowed handles lifted for the host during this call, in the
    /// store's host handle table: they end with the call.
    pub(crate) host_borrows: Vec<u32>,
    /// Strings lifted in a component-to-component call, in order: their
    /// source encoding and tagged length, which decide how the other side
    /// allocates them (`store_string`).
    pub(crate) hints_out: Vec<(StringEncoding, u32)>,
    /// Hints for the strings this context lowers, in order.
    pub(crate) hints_in: std::collections::VecDeque<(StringEncoding, u32)>,
    /// What lifting may still copy into host values in this call (the
    /// store's hostcall fuel; unlimited between components).
    fuel: usize,
}

/// Lifting copied more than the store's hostcall fuel allows (wasmtime's
/// words).
#[derive(Debug)]
struct HostcallFuelExhausted;

impl std::fmt::Display for HostcallFuelExhausted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "too much data is being copied between the host and the guest: \
             fuel allocated for hostcalls has been exhausted",
        )
    }
}

impl std::error::Error for HostcallFuelExhausted {}

impl<'a> Cx<'a> {
    pub(crate) fn new(
        core: &'a mut StoreCore,
        opts: &'a Options,
        resources: &'a [Option<ResourceType>],
        fused: bool,
    ) -> Cx<'a> {
        let fuel = if fused { usize::MAX } else { core.hostcall_fuel };
        Cx {
            fuel,
            core,
            opts,
            resources,
            fused,
            lenders: Vec::new(),
            task: None,
            host_borrows: Vec::new(),
            hints_out: Vec::new(),
            hints_in: Default::default(),
        }
    }

    pub(crate) fn instance(&self) -> InstanceId {
        self.opts.instance
    }

    /// Accounts for `n` elements of `size` bytes each lifted into host
    /// values; fails once the call's hostcall fuel is spent.
    pub(crate) fn consume_fuel(&mut self, n: usize, size: usize) -> Result<()> {
        match n.checked_mul(size).and_then(|b| self.fuel.checked_sub(b)) {
            Some(left) => {
                self.fuel = left;
                Ok(())
            }
            None => Err(HostcallFuelExhausted.into()),
        }
    }

    fn memory_index(&self) -> Result<usize> {
        match self.opts.memory {
            Some(m) => Ok(m as usize),
            None => bail!("canonical ABI: the function needs a `memory` option"),
        }
    }

    /// The memory's bytes.
    pub(crate) fn mem(&self) -> Result<&[u8]> {
        Ok(self.core.memories[self.memory_index()?].data())
    }

    pub(crate) fn mem_mut(&mut self) -> Result<&mut [u8]> {
        let m = self.memory_index()?;
        Ok(self.core.memories[m].data_mut())
    }

    /// `len` bytes at `ptr`, checked to be in bounds.
    pub fn bytes(&self, ptr: u32, len: usize) -> Result<&[u8]> {
        let mem = self.mem()?;
        mem.get(ptr as usize..ptr as usize + len).ok_or_else(|| self.oob(What::Pointer))
    }

    /// `len` bytes at `ptr`, checked to be in bounds, for writing.
    pub fn bytes_mut(&mut self, ptr: u32, len: usize) -> Result<&mut [u8]> {
        let range = ptr as usize..ptr as usize + len;
        if self.mem()?.len() < range.end {
            return Err(self.oob(What::Pointer));
        }
        Ok(&mut self.mem_mut()?[range])
    }

    pub(crate) fn resource(&self, idx: u32) -> Result<ResourceType> {
        match self.resources.get(idx as usize).copied().flatten() {
            Some(t) => Ok(t),
            None => bail!("resource type {idx} is not known to this instance"),
        }
    }

    fn oob(&self, what: What) -> Error {
        match (self.fused, what) {
            (true, What::String) => Trap::StringOutOfBounds.into(),
            (true, _) => Trap::ListOutOfBounds.into(),
            (false, What::String) => anyhow!("string pointer/length out of bounds of memory"),
            (false, What::List) => anyhow!("list pointer/length out of bounds of memory"),
            (false, What::Pointer) => anyhow!("pointer out of bounds of memory"),
        }
    }

    fn unaligned(&self, what: What, align: u32) -> Error {
        match (self.fused, what) {
            (true, _) => Trap::UnalignedPointer.into(),
            (false, What::String) => anyhow!("string pointer not aligned to {align}"),
            (false, What::List) => anyhow!("list pointer is not aligned"),
            (false, What::Pointer) => anyhow!("pointer not aligned"),
        }
    }

    /// Checks `len` bytes at `ptr` are in bounds and aligned to `align`.
    pub(crate) fn check_range(&self, ptr: u32, len: u64, align: u32, what: What) -> Result<()> {
        if !ptr.is_multiple_of(align) {
            return Err(self.unaligned(what, align));
        }
        if ptr as u64 + len > self.mem()?.len() as u64 {
            return Err(self.oob(what));
        }
        Ok(())
    }

    /// Calls `realloc` and checks the new block: `len` bytes aligned to
    /// `align`.
    pub(crate) fn realloc(
        &mut self,
        old: u32,
        old_len: u32,
        align: u32,
        len: u32,
        what: What,
    ) -> Result<u32> {
        let Some(realloc) = self.opts.realloc else {
            bail!("canonical ABI: the function needs a `realloc` option");
        };
        let inst = self.opts.instance as usize;
        let states = &mut self.core.ext.components_mut().instances;
        debug_assert!(states[inst].may_leave);
        states[inst].may_leave = false;
        let mut ptr = 0u32;
        // SAFETY: contexts are only built over the core of a live store;
        // `realloc` takes four i32 parameters.
        let r = unsafe {
            self.core.invoke(
                realloc,
                &mut |s| {
                    s[0] = old as u64;
                    s[1] = old_len as u64;
                    s[2] = align as u64;
                    s[3] = len as u64;
                },
                &mut |s| ptr = s[0] as u32,
            )
        };
        self.core.ext.components_mut().instances[inst].may_leave = true;
        r?;
        if !ptr.is_multiple_of(align) {
            return Err(if self.fused {
                Trap::UnalignedPointer.into()
            } else {
                anyhow!("realloc return: result not aligned")
            });
        }
        if ptr as u64 + len as u64 > self.mem()?.len() as u64 {
            return Err(if self.fused {
                self.oob(what)
            } else {
                anyhow!("realloc return: beyond end of memory")
            });
        }
        Ok(ptr)
    }

    // ---- handles ----

    /// `lift_own`: takes handle `i` of resource `ty` out of this instance.
    pub(crate) fn lift_own(&mut self, i: u32, ty: u32) -> Result<(ResourceType, u32)> {
        let rt = self.resource(ty)?;
        let inst = self.instance();
        let rep = self.core.ext.components_mut().handles(inst).lift_own(i, rt)?;
        Ok((rt, rep))
    }

    /// `lift_borrow`: the representation of handle `i`; lends an own handle
    /// for the duration of the call.
    pub(crate) fn lift_borrow(&mut self, i: u32, ty: u32) -> Result<(ResourceType, u32)> {
        let rt = self.resource(ty)?;
        let inst = self.instance();
        let rep = self.core.ext.components_mut().handles(inst).lend(i, rt)?;
        self.lenders.push(i);
        Ok((rt, rep))
    }

    /// Lifts handle `i` (of resource index `ty`) for the other side: into
    /// the host's handle table, or as a bare representation in a
    /// component-to-component call.
    pub(crate) fn lift_any(&mut self, i: u32, ty: u32, own: bool) -> Result<ResourceAny> {
        let (rt, rep) = if own { self.lift_own(i, ty)? } else { self.lift_borrow(i, ty)? };
        if self.fused {
            return Ok(ResourceAny { ty: rt, handle: rep, own, direct: true });
        }
        let slot = if own {
            Slot::Own { ty: rt, rep, lends: 0 }
        } else {
            Slot::Borrow { ty: rt, rep, scope: 0, lends: 0 }
        };
        let handle = self.core.ext.components_mut().host_handles.insert(slot)?;
        if !own {
            self.host_borrows.push(handle);
        }
        Ok(ResourceAny { ty: rt, handle, own, direct: false })
    }

    /// Lowers `h` as a handle of resource index `ty` (`own` or `borrow`).
    pub(crate) fn lower_any(&mut self, h: &ResourceAny, ty: u32, own: bool) -> Result<u32> {
        let expected = self.resource(ty)?;
        if h.ty != expected {
            bail!("resource type mismatch");
        }
        if own && !h.own {
            bail!("cannot lower a `borrow` resource into an `own`");
        }
        let rep = if h.direct {
            h.handle
        } else if own {
            match self.core.ext.components_mut().host_handles.remove(h.handle, h.ty)? {
                super::resources::Removed::Own { rep } => rep,
                super::resources::Removed::Borrow { .. } => {
                    bail!("cannot lower a `borrow` resource into an `own`")
                }
            }
        } else {
            self.core.ext.components_mut().host_handles.rep(h.handle, h.ty)?
        };
        if own { self.lower_own(h.ty, rep) } else { self.lower_borrow(h.ty, rep) }
    }

    /// Removes the borrowed handles lifted for the host (the call is over).
    pub(crate) fn end_host_borrows(core: &mut StoreCore, borrows: Vec<u32>) {
        for i in borrows {
            if let Ok(ty) = core.ext.components_mut().host_handles.type_of(i) {
                let _ = core.ext.components_mut().host_handles.remove(i, ty);
            }
        }
    }

    /// `lower_own`: a new owning handle in this instance.
    pub(crate) fn lower_own(&mut self, rt: ResourceType, rep: u32) -> Result<u32> {
        self.check_resource(rt)?;
        let inst = self.instance();
        self.core.ext.components_mut().handles(inst).insert(Slot::Own { ty: rt, rep, lends: 0 })
    }

    /// `lower_borrow`: a borrow handle scoped to the current task, or the
    /// representation itself when this instance implements the resource.
    pub(crate) fn lower_borrow(&mut self, rt: ResourceType, rep: u32) -> Result<u32> {
        self.check_resource(rt)?;
        let inst = self.instance();
        if let ResourceKind::Guest { index, .. } = rt.0
            && self.core.ext.components_mut().guest_resources[index as usize].instance == inst
        {
            return Ok(rep);
        }
        let Some(task) = self.task else {
            bail!("cannot lower a `borrow` outside of a call");
        };
        self.core.ext.components_mut().tasks[task].borrows += 1;
        let scope = task as u32;
        self.core.ext.components_mut().handles(inst).insert(Slot::Borrow {
            ty: rt,
            rep,
            scope,
            lends: 0,
        })
    }

    fn check_resource(&self, rt: ResourceType) -> Result<()> {
        if let ResourceKind::Guest { store, .. } = rt.0
            && store != self.core.id
        {
            bail!("resource belongs to another store");
        }
        Ok(())
    }

    // ---- strings ----

    /// Lifts the string at `ptr` with `tagged_len` code units.
    pub(crate) fn load_string(&mut self, ptr: u32, tagged_len: u32) -> Result<String> {
        let s = self.load_string_inner(ptr, tagged_len)?;
        if self.fused {
            self.hints_out.push((self.opts.encoding, tagged_len));
        }
        Ok(s)
    }

    fn load_string_inner(&mut self, ptr: u32, tagged_len: u32) -> Result<String> {
        let (utf16, units) = match self.opts.encoding {
            StringEncoding::Utf8 => (false, tagged_len),
            StringEncoding::Utf16 => (true, tagged_len),
            StringEncoding::CompactUtf16 if tagged_len & UTF16_TAG != 0 => {
                (true, tagged_len ^ UTF16_TAG)
            }
            StringEncoding::CompactUtf16 => {
                let align = 2;
                let bytes = self.string_bytes(ptr, units_to_bytes(tagged_len, 1), align)?;
                return Ok(bytes.iter().map(|&b| b as char).collect());
            }
        };
        if utf16 {
            let bytes = self.string_bytes(ptr, units_to_bytes(units, 2), 2)?;
            let units = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .map_err(|_| anyhow!("invalid utf-16 string: unpaired surrogate"))
        } else {
            let bytes = self.string_bytes(ptr, units as u64, 1)?;
            match std::str::from_utf8(bytes) {
                Ok(s) => Ok(s.to_string()),
                Err(e) => Err(anyhow!("{e}")),
            }
        }
    }

    /// The `len` bytes of a string at `ptr`, checked, and counted against
    /// the hostcall fuel.
    fn string_bytes(&mut self, ptr: u32, len: u64, align: u32) -> Result<&[u8]> {
        if len > MAX_STRING_BYTE_LENGTH {
            return Err(self.oob(What::String));
        }
        self.check_range(ptr, len, align, What::String)?;
        self.consume_fuel(len as usize, 1)?;
        Ok(&self.mem()?[ptr as usize..ptr as usize + len as usize])
    }

    /// Lowers `s` into this side's memory: the pointer and (tagged) length.
    pub(crate) fn store_string(&mut self, s: &str) -> Result<(u32, u32)> {
        // The source's encoding and length in code units: a string lifted
        // from another component left them as a hint; host strings are
        // UTF-8.
        let (src, tagged) = match self.hints_in.pop_front() {
            Some(h) => h,
            None => match u32::try_from(s.len()) {
                Ok(n) if n <= MAX_STRING_BYTE_LENGTH as u32 * 2 => (StringEncoding::Utf8, n),
                _ => bail!("string too large to lower: {} bytes", s.len()),
            },
        };
        let (simple, units) = match src {
            StringEncoding::CompactUtf16 if tagged & UTF16_TAG != 0 => {
                (Simple::Utf16, tagged ^ UTF16_TAG)
            }
            StringEncoding::CompactUtf16 => (Simple::Latin1, tagged),
            StringEncoding::Utf16 => (Simple::Utf16, tagged),
            StringEncoding::Utf8 => (Simple::Utf8, tagged),
        };
        match (self.opts.encoding, simple) {
            (StringEncoding::Utf8, Simple::Utf8) => self.store_copy(s, units, 1, 1, Simple::Utf8),
            (StringEncoding::Utf8, Simple::Utf16) => self.store_to_utf8(s, units, 3),
            (StringEncoding::Utf8, Simple::Latin1) => self.store_to_utf8(s, units, 2),
            (StringEncoding::Utf16, Simple::Utf8) => self.store_utf8_to_utf16(s, units),
            (StringEncoding::Utf16, _) => self.store_copy(s, units, 2, 2, Simple::Utf16),
            (StringEncoding::CompactUtf16, _) if src != StringEncoding::CompactUtf16 => {
                self.store_latin1_or_utf16(s, units)
            }
            (StringEncoding::CompactUtf16, Simple::Latin1) => {
                self.store_copy(s, units, 1, 2, Simple::Latin1)
            }
            (StringEncoding::CompactUtf16, _) => self.store_probably_utf16(s, units),
        }
    }

    /// `store_string_copy`: the destination size is known up front.
    fn store_copy(
        &mut self,
        s: &str,
        units: u32,
        unit: u32,
        align: u32,
        enc: Simple,
    ) -> Result<(u32, u32)> {
        let bytes = units as u64 * unit as u64;
        let bytes = u32::try_from(bytes).map_err(|_| anyhow!("string too large to lower"))?;
        let ptr = self.realloc(0, 0, align, bytes, What::String)?;
        let mem = &mut self.mem_mut()?[ptr as usize..ptr as usize + bytes as usize];
        let written = match enc {
            Simple::Utf8 => {
                mem.copy_from_slice(&s.as_bytes()[..bytes as usize]);
                bytes
            }
            Simple::Utf16 => write_utf16(mem, s.chars()),
            Simple::Latin1 => {
                for (d, c) in mem.iter_mut().zip(s.chars()) {
                    *d = c as u8;
                }
                bytes
            }
        };
        debug_assert_eq!(written, bytes);
        Ok((ptr, units))
    }

    /// `store_string_to_utf8`: one byte a code unit while they are ASCII,
    /// then the worst case (`worst` bytes a unit), then shrink.
    fn store_to_utf8(&mut self, s: &str, units: u32, worst: u32) -> Result<(u32, u32)> {
        let worst = units
            .checked_mul(worst)
            .ok_or_else(|| anyhow!("string too large to lower: {units} code units"))?;
        let mut ptr = self.realloc(0, 0, 1, units, What::String)?;
        for (i, c) in s.chars().enumerate() {
            if c.is_ascii() {
                self.mem_mut()?[ptr as usize + i] = c as u8;
                continue;
            }
            ptr = self.realloc(ptr, units, 1, worst, What::String)?;
            let encoded = s.as_bytes();
            self.mem_mut()?[ptr as usize + i..ptr as usize + encoded.len()]
                .copy_from_slice(&encoded[i..]);
            let len = encoded.len() as u32;
            if worst > len {
                ptr = self.realloc(ptr, worst, 1, len, What::String)?;
            }
            return Ok((ptr, len));
        }
        Ok((ptr, units))
    }

    /// `store_utf8_to_utf16`: worst case first (a unit per byte), then
    /// shrink.
    fn store_utf8_to_utf16(&mut self, s: &str, units: u32) -> Result<(u32, u32)> {
        let worst = units
            .checked_mul(2)
            .ok_or_else(|| anyhow!("string too large to lower: {units} bytes"))?;
        let mut ptr = self.realloc(0, 0, 2, worst, What::String)?;
        let n = write_utf16(&mut self.mem_mut()?[ptr as usize..], s.chars());
        if n < worst {
            ptr = self.realloc(ptr, worst, 2, n, What::String)?;
        }
        Ok((ptr, n / 2))
    }

    /// `store_string_to_latin1_or_utf16`: Latin-1 while every code point
    /// fits, inflating to UTF-16 in place at the first that does not.
    fn store_latin1_or_utf16(&mut self, s: &str, units: u32) -> Result<(u32, u32)> {
        let worst = units
            .checked_mul(2)
            .ok_or_else(|| anyhow!("string too large to lower: {units} code units"))?;
        let mut ptr = self.realloc(0, 0, 2, units, What::String)?;
        let mut n = 0u32;
        for (i, c) in s.char_indices() {
            if (c as u32) < 0x100 {
                self.mem_mut()?[(ptr + n) as usize] = c as u8;
                n += 1;
                continue;
            }
            ptr = self.realloc(ptr, units, 2, worst, What::String)?;
            let mem = &mut self.mem_mut()?[ptr as usize..];
            for j in (0..n as usize).rev() {
                mem[2 * j] = mem[j];
                mem[2 * j + 1] = 0;
            }
            let rest = write_utf16(&mut mem[2 * n as usize..], s[i..].chars());
            let bytes = 2 * n + rest;
            if worst > bytes {
                ptr = self.realloc(ptr, worst, 2, bytes, What::String)?;
            }
            return Ok((ptr, (bytes / 2) | UTF16_TAG));
        }
        if n < units {
            ptr = self.realloc(ptr, units, 2, n, What::String)?;
        }
        Ok((ptr, n))
    }

    /// `store_probably_utf16_to_latin1_or_utf16`: UTF-16 first, deflated
    /// to Latin-1 in place if every code point fits.
    fn store_probably_utf16(&mut self, s: &str, units: u32) -> Result<(u32, u32)> {
        let bytes = units
            .checked_mul(2)
            .ok_or_else(|| anyhow!("string too large to lower: {units} code units"))?;
        let ptr = self.realloc(0, 0, 2, bytes, What::String)?;
        let n = write_utf16(&mut self.mem_mut()?[ptr as usize..], s.chars());
        if s.chars().any(|c| c as u32 >= 0x100) {
            return Ok((ptr, (n / 2) | UTF16_TAG));
        }
        let latin1 = n / 2;
        let mem = &mut self.mem_mut()?[ptr as usize..];
        for i in 0..latin1 as usize {
            mem[i] = mem[2 * i];
        }
        let ptr = self.realloc(ptr, bytes, 1, latin1, What::String)?;
        Ok((ptr, latin1))
    }

    /// Allocates and checks room for `count` elements of `size` bytes.
    pub(crate) fn alloc_list(&mut self, count: usize, size: u32, align: u32) -> Result<u32> {
        let bytes = count as u64 * size as u64;
        if bytes > u32::MAX as u64 {
            bail!("list too large to lower: {bytes} bytes");
        }
        self.realloc(0, 0, align, bytes as u32, What::List)
    }

    /// Checks a lifted list of `count` elements of `size` bytes at `ptr`.
    pub(crate) fn check_list(&self, ptr: u32, count: u32, size: u32, align: u32) -> Result<()> {
        let bytes = count as u64 * size as u64;
        if bytes > MAX_LIST_BYTE_LENGTH {
            return Err(self.oob(What::List));
        }
        self.check_range(ptr, bytes, align, What::List)
    }
}

fn units_to_bytes(units: u32, unit: u64) -> u64 {
    units as u64 * unit
}

/// Writes `chars` as UTF-16LE at the start of `out`; returns the bytes.
fn write_utf16(out: &mut [u8], chars: impl Iterator<Item = char>) -> u32 {
    let mut n = 0usize;
    let mut buf = [0u16; 2];
    for c in chars {
        for u in c.encode_utf16(&mut buf) {
            out[n..n + 2].copy_from_slice(&u.to_le_bytes());
            n += 2;
        }
    }
    n as u32
}

/// A run of flat core values being lifted (each `u64` holds the bits of
/// one value; 32-bit values are zero-extended).
pub struct FlatSrc<'a> {
    vals: &'a [u64],
    pos: usize,
}

impl<'a> FlatSrc<'a> {
    pub(crate) fn new(vals: &'a [u64]) -> FlatSrc<'a> {
        FlatSrc { vals, pos: 0 }
    }

    /// The next value's bits. Reading past the end is a bug of the
    /// caller: debug builds panic, release builds read 0.
    #[inline]
    pub fn pop(&mut self) -> u64 {
        debug_assert!(self.pos < self.vals.len(), "flat values read past their end");
        let v = self.vals.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        v
    }

    /// Passes over `n` values (e.g. the unused part of a variant's joined
    /// payload).
    pub fn skip(&mut self, n: u32) {
        self.pos += n as usize;
    }
}

/// Invalid variant discriminants trap alike on every path.
pub(crate) fn check_discriminant(d: u32, n: usize) -> Result<usize> {
    if (d as usize) < n { Ok(d as usize) } else { Err(Trap::InvalidDiscriminant.into()) }
}

pub(crate) fn lift_char(v: u32) -> Result<char> {
    char::from_u32(v).ok_or_else(|| Trap::InvalidChar.into())
}

pub(crate) fn canon_f32(v: f32) -> f32 {
    if v.is_nan() { f32::from_bits(0x7fc0_0000) } else { v }
}

pub(crate) fn canon_f64(v: f64) -> f64 {
    if v.is_nan() { f64::from_bits(0x7ff8_0000_0000_0000) } else { v }
}

/// Reads a little-endian integer of `n` bytes (1, 2, 4 or 8).
#[inline]
pub(crate) fn read_uint(b: &[u8], n: u32) -> u64 {
    match n {
        1 => b[0] as u64,
        2 => u16::from_le_bytes([b[0], b[1]]) as u64,
        4 => u32::from_le_bytes(b[..4].try_into().unwrap()) as u64,
        _ => u64::from_le_bytes(b[..8].try_into().unwrap()),
    }
}

/// Writes the low `n` bytes of `v` little-endian.
#[inline]
pub(crate) fn write_uint(b: &mut [u8], n: u32, v: u64) {
    b[..n as usize].copy_from_slice(&v.to_le_bytes()[..n as usize]);
}
