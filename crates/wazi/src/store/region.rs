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
pub(super) unsafe fn recycle(
    ptr: NonNull<u8>,
    bytes: usize,
    _committed: usize,
    _hot: &[usize],
    _stack: bool,
) {
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
    /// The most bytes zeroed in place from each hot offset of a region:
    /// what lies further is discarded (what unmapping would cost where
    /// pages are in memory), so that a kept region holds about this much
    /// memory per hot offset at most.
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
    /// kept for [`take`] with those bytes zeroed, or unmapped. `hot` are
    /// the offsets where touched pages are expected (where a memory or a
    /// stack starts), `stack` says they follow each other from there: see
    /// [`zero`].
    ///
    /// # Safety
    /// As [`unmap`]: `ptr` is a reservation of exactly `bytes`, and
    /// nothing refers to it any more.
    pub(in crate::store) unsafe fn recycle(
        ptr: NonNull<u8>,
        bytes: usize,
        committed: usize,
        hot: &[usize],
        stack: bool,
    ) {
        // SAFETY: the region is ours (the contract) and `committed`
        // bytes of it are accessible.
        if kept().len() < MAX_KEPT && unsafe { zero(ptr, committed, hot, stack) } {
            let mut kept = kept();
            if kept.len() < MAX_KEPT {
                kept.push(Kept { ptr, bytes, committed });
                return;
            }
        }
        // SAFETY: the contract.
        unsafe { unmap(ptr, bytes) }
    }

    /// Makes the first `len` bytes at `ptr` read as zero. In a window of
    /// [`MAX_RESIDENT`] bytes from each offset in `hot`, touched pages
    /// (found with `mincore`) are written with zeros: they stay the
    /// process's, and no core is asked to drop a TLB entry. Pages of a
    /// window that are not in memory read as zero already, unless the
    /// system has swap (then they are discarded: one may be swapped out).
    /// Everything outside the windows is discarded with `MADV_DONTNEED`,
    /// which may make every core flush its TLB. With `stack`, a window
    /// ends at the first of its steps (which double) with no page
    /// touched. False if that fails.
    ///
    /// # Safety
    /// `ptr..ptr + len` is a readable and writable private anonymous
    /// mapping of ours that nothing else refers to, `ptr` page-aligned.
    unsafe fn zero(ptr: NonNull<u8>, len: usize, hot: &[usize], stack: bool) -> bool {
        let page = page_size();
        if !len.is_multiple_of(page) {
            return false;
        }
        let swap = swap_on();
        let mut windows: Vec<usize> = hot.iter().map(|&h| h / page * page).collect();
        windows.sort_unstable();
        let mut done = 0;
        for (k, &start) in windows.iter().enumerate() {
            let start = start.max(done).min(len);
            let next = windows.get(k + 1).map_or(len, |&n| n.min(len));
            let end = (start + MAX_RESIDENT).min(next.max(start)).min(len);
            // SAFETY: all ranges lie inside `ptr..ptr + len` (the contract).
            if !unsafe { discard(ptr.as_ptr().add(done), start - done) } {
                return false;
            }
            // A stack's touched pages lie close together from where it
            // starts (a frame may leave some untouched): its window is
            // scanned in doubling steps up to the first step with none
            // touched (only the cost, never the result, depends on that
            // guess: what is left is discarded).
            let mut at = start;
            let mut step = if stack { 16 * page } else { end - start };
            while at < end {
                let to = (at + step).min(end);
                // SAFETY: as above.
                match unsafe { zero_touched(ptr.as_ptr().add(at), to - at, page, swap) } {
                    None => return false,
                    Some(any) => {
                        at = to;
                        if stack && !any {
                            break;
                        }
                    }
                }
                step *= 2;
            }
            done = at;
        }
        // SAFETY: as above.
        unsafe { discard(ptr.as_ptr().add(done), len - done) }
    }

    /// Zeroes the touched pages of `start..start + len`, and discards the
    /// others if there is `swap`; whether any page was touched, `None` on
    /// failure.
    ///
    /// # Safety
    /// As [`zero`]'s, for this range; `start` page-aligned.
    unsafe fn zero_touched(start: *mut u8, len: usize, page: usize, swap: bool) -> Option<bool> {
        if len == 0 {
            return Some(false);
        }
        let pages = len.div_ceil(page);
        let mut resident = vec![0u8; pages];
        // SAFETY: the range is mapped (the contract) and `resident` has
        // one byte per page of it.
        if unsafe { libc::mincore(start.cast(), len, resident.as_mut_ptr()) } != 0 {
            return None;
        }
        let mut i = 0;
        while i < pages {
            let here = resident[i] & 1;
            let end = resident[i..].iter().position(|&r| r & 1 != here).map_or(pages, |n| i + n);
            // SAFETY: pages `i..end` lie inside the range (the contract).
            let at = unsafe { start.add(i * page) };
            let n = ((end - i) * page).min(len - i * page);
            if here != 0 {
                // SAFETY: writable, and nothing else refers to it.
                unsafe { std::ptr::write_bytes(at, 0, n) };
            } else if swap && !unsafe { discard(at, n) } {
                // Without swap a page not in memory was never written or
                // was discarded already: it reads as zero.
                return None;
            }
            i = end;
        }
        Some(resident.iter().any(|&r| r & 1 != 0))
    }

    /// Whether the system has swap space (then a page not in memory may
    /// hold data). Pages are swapped out only while there is some, and
    /// turning it off brings them all back first.
    fn swap_on() -> bool {
        // SAFETY: `sysinfo` writes the struct it is given.
        let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        unsafe { libc::sysinfo(&mut info) != 0 || info.totalswap != 0 }
    }

    /// # Safety
    /// As [`zero`]'s, for this range.
    unsafe fn discard(start: *mut u8, len: usize) -> bool {
        if len == 0 {
            return true;
        }
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
        // As a memory and as a stack (whose windows stop at a gap).
        for (stack, size) in [(false, 4093), (true, 4091)] {
            recycled_region_comes_back_zeroed(stack, size);
        }
    }

    fn recycled_region_comes_back_zeroed(stack: bool, pages: usize) {
        let page = kept::page_size();
        // A size no other test uses, so that `take` finds this region.
        let bytes = pages * page;
        // Past the window zeroed in place: touched pages there are
        // discarded.
        let committed = (6 << 20) + 64 * page;
        let ptr = reserve(bytes).unwrap();
        // SAFETY: `ptr` is a fresh reservation of `bytes`.
        assert!(unsafe { commit(ptr, 0, committed) });
        // Every other page at the start, with a gap of untouched pages;
        // some near the second hot offset; one past both windows.
        let hot = [0, (1 << 20) + 5 * page + 100];
        let touched = (0..64).step_by(2).filter(|p| !(20..40).contains(p));
        let near = (1 << 20) / page..(1 << 20) / page + 9;
        for p in touched.chain(near).chain([committed / page - 1]) {
            // SAFETY: committed bytes are writable.
            unsafe { ptr.as_ptr().add(p * page + 7).write(0xa5) };
        }
        // SAFETY: nothing refers to the region any more.
        unsafe { recycle(ptr, bytes, committed, &hot, stack) };
        let (again, c) = take(bytes).expect("the region was kept");
        assert_eq!((again, c), (ptr, committed));
        // SAFETY: `c` bytes are readable.
        let all = unsafe { std::slice::from_raw_parts(again.as_ptr(), c) };
        assert!(all.iter().all(|&b| b == 0), "a recycled region kept old bytes ({stack})");
        // SAFETY: as above, and no longer used.
        unsafe { unmap(again, bytes) };
        assert!(take(bytes).is_none());
    }
}
