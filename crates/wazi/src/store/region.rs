//! Reserved address space: for linear memories (their bytes, committed as
//! they grow) and for wasm stacks.
//!
//! Unmapping a region costs more than its syscall: every core that ran
//! one of the process's threads must drop the region's TLB entries, which
//! the kernel asks of them by interrupt (a TLB shootdown). A server that
//! makes a store per request paid that for every request's memory and
//! stack. So on Linux a region given back is kept for the next one of
//! its size: its touched pages are zeroed in place ([`recycle`]), and
//! [`take`] hands it out again, as zero-filled as a new mapping.

use std::ptr::NonNull;

#[cfg(unix)]
use rustix::mm::{MapFlags, MprotectFlags, ProtFlags};

/// Reserves `bytes` of inaccessible address space.
#[cfg(unix)]
pub(super) fn reserve(bytes: usize) -> Option<NonNull<u8>> {
    if bytes == 0 {
        return None;
    }
    // SAFETY: a new anonymous mapping aliases nothing.
    let p = unsafe {
        rustix::mm::mmap_anonymous(
            std::ptr::null_mut(),
            bytes,
            ProtFlags::empty(),
            MapFlags::PRIVATE | MapFlags::NORESERVE,
        )
    };
    p.ok().and_then(|p| NonNull::new(p.cast()))
}

/// Makes `from..to` of a reservation readable and writable (its pages
/// read as zero).
///
/// # Safety
/// `ptr` is a reservation of at least `to` bytes, and `from` is a
/// multiple of the host's page size (wasm pages are multiples of it).
#[cfg(unix)]
pub(super) unsafe fn commit(ptr: NonNull<u8>, from: usize, to: usize) -> bool {
    // SAFETY: inside the reservation, by the contract.
    let start = unsafe { ptr.as_ptr().add(from) };
    let flags = MprotectFlags::READ | MprotectFlags::WRITE;
    // SAFETY: only this reservation's pages change protection.
    unsafe { rustix::mm::mprotect(start.cast(), to - from, flags) }.is_ok()
}

/// # Safety
/// `ptr` is a reservation of exactly `bytes`, no longer used.
#[cfg(unix)]
pub(super) unsafe fn unmap(ptr: NonNull<u8>, bytes: usize) {
    // SAFETY: by the contract, nothing refers to the mapping any more.
    let _ = unsafe { rustix::mm::munmap(ptr.as_ptr().cast(), bytes) };
}

#[cfg(not(unix))]
pub(super) fn reserve(_: usize) -> Option<NonNull<u8>> {
    None
}

#[cfg(not(unix))]
pub(super) unsafe fn commit(_: NonNull<u8>, _: usize, _: usize) -> bool {
    false
}

#[cfg(not(unix))]
pub(super) unsafe fn unmap(_: NonNull<u8>, _: usize) {}

#[cfg(target_os = "linux")]
pub(super) use kept::{recycle, take};

/// Without a way to find a region's touched pages, regions are unmapped.
#[cfg(not(target_os = "linux"))]
pub(super) fn take(_: usize) -> Option<(NonNull<u8>, usize)> {
    None
}

/// # Safety
/// As [`unmap`].
#[cfg(not(target_os = "linux"))]
pub(super) unsafe fn recycle(ptr: NonNull<u8>, bytes: usize, _committed: usize) {
    // SAFETY: by the contract.
    unsafe { unmap(ptr, bytes) }
}

#[cfg(target_os = "linux")]
mod kept {
    use super::unmap;
    use std::ptr::NonNull;
    use std::sync::Mutex;

    /// How many regions are kept, of all sizes together.
    const MAX_KEPT: usize = 32;
    /// A region with more touched bytes than this is emptied with
    /// `madvise` (what unmapping would cost) rather than zeroed, so that
    /// kept regions hold at most this much memory each.
    const MAX_RESIDENT: usize = 4 << 20;

    struct Kept {
        ptr: NonNull<u8>,
        bytes: usize,
        committed: usize,
    }

    // SAFETY: a kept region is owned by the list alone; nothing else
    // refers to its pages.
    unsafe impl Send for Kept {}

    static KEPT: Mutex<Vec<Kept>> = Mutex::new(Vec::new());

    /// The host's page size.
    pub(super) fn page_size() -> usize {
        // SAFETY: sysconf has no preconditions.
        let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        usize::try_from(n).unwrap_or(4096)
    }

    fn kept() -> std::sync::MutexGuard<'static, Vec<Kept>> {
        KEPT.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A kept reservation of exactly `bytes`, whose first `committed`
    /// bytes (the number returned) are readable, writable and zero, and
    /// the rest inaccessible, as [`reserve`](super::reserve) and
    /// [`commit`](super::commit) would leave it.
    pub(in crate::store) fn take(bytes: usize) -> Option<(NonNull<u8>, usize)> {
        let mut kept = kept();
        let i = kept.iter().rposition(|k| k.bytes == bytes)?;
        let k = kept.swap_remove(i);
        Some((k.ptr, k.committed))
    }

    /// Gives back a reservation of `bytes` whose first `committed` bytes
    /// are readable and writable (a multiple of the host's page size):
    /// kept for [`take`] with those bytes zeroed, or unmapped.
    ///
    /// # Safety
    /// As [`unmap`]: `ptr` is a reservation of exactly `bytes`, and
    /// nothing refers to it any more.
    pub(in crate::store) unsafe fn recycle(ptr: NonNull<u8>, bytes: usize, committed: usize) {
        // SAFETY: the region is ours (the contract) and `committed`
        // bytes of it are accessible.
        if kept().len() < MAX_KEPT && unsafe { zero(ptr, committed) } {
            let mut kept = kept();
            if kept.len() < MAX_KEPT {
                kept.push(Kept { ptr, bytes, committed });
                return;
            }
        }
        // SAFETY: the contract.
        unsafe { unmap(ptr, bytes) }
    }

    /// Makes the first `len` bytes at `ptr` read as zero: touched pages
    /// are written with zeros (they stay the process's, no TLB entry is
    /// invalidated), the others are discarded with `MADV_DONTNEED` (a
    /// page not in memory may be in swap). False if that fails.
    ///
    /// # Safety
    /// `ptr..ptr + len` is a readable and writable private anonymous
    /// mapping of ours that nothing else refers to, `ptr` page-aligned.
    unsafe fn zero(ptr: NonNull<u8>, len: usize) -> bool {
        let page = page_size();
        if len == 0 {
            return true;
        }
        if !len.is_multiple_of(page) {
            return false;
        }
        let pages = len / page;
        let mut resident = vec![0u8; pages];
        // SAFETY: the range is mapped (the contract) and `resident` has
        // one byte per page of it.
        if unsafe { libc::mincore(ptr.as_ptr().cast(), len, resident.as_mut_ptr()) } != 0 {
            return false;
        }
        let touched = resident.iter().filter(|&&r| r & 1 != 0).count() * page;
        if touched > MAX_RESIDENT {
            // SAFETY: the contract; the pages read as zero afterwards.
            return unsafe { discard(ptr.as_ptr(), len) };
        }
        let mut i = 0;
        while i < pages {
            let here = resident[i] & 1;
            let end = resident[i..].iter().position(|&r| r & 1 != here).map_or(pages, |n| i + n);
            // SAFETY: pages `i..end` lie inside the range (the contract).
            let start = unsafe { ptr.as_ptr().add(i * page) };
            let n = (end - i) * page;
            if here != 0 {
                // SAFETY: writable, and nothing else refers to it.
                unsafe { std::ptr::write_bytes(start, 0, n) };
            } else if !unsafe { discard(start, n) } {
                return false;
            }
            i = end;
        }
        true
    }

    /// # Safety
    /// As [`zero`]'s.
    unsafe fn discard(start: *mut u8, len: usize) -> bool {
        // SAFETY: private anonymous pages of ours; they read as zero
        // afterwards.
        unsafe { rustix::mm::madvise(start.cast(), len, rustix::mm::Advice::LinuxDontNeed) }.is_ok()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_recycled_region_comes_back_zeroed() {
        let page = kept::page_size();
        // A size no other test uses, so that `take` finds this region.
        let bytes = 4093 * page;
        let committed = 64 * page;
        let ptr = reserve(bytes).unwrap();
        // SAFETY: `ptr` is a fresh reservation of `bytes`.
        assert!(unsafe { commit(ptr, 0, committed) });
        // Touch every other page, with a gap of untouched pages.
        for p in (0..committed / page).step_by(2).filter(|p| !(20..40).contains(p)) {
            // SAFETY: committed bytes are writable.
            unsafe { ptr.as_ptr().add(p * page + 7).write(0xa5) };
        }
        // SAFETY: nothing refers to the region any more.
        unsafe { recycle(ptr, bytes, committed) };
        let (again, c) = take(bytes).expect("the region was kept");
        assert_eq!((again, c), (ptr, committed));
        // SAFETY: `c` bytes are readable.
        let all = unsafe { std::slice::from_raw_parts(again.as_ptr(), c) };
        assert!(all.iter().all(|&b| b == 0), "a recycled region kept old bytes");
        // SAFETY: as above, and no longer used.
        unsafe { unmap(again, bytes) };
        assert!(take(bytes).is_none());
    }
}
