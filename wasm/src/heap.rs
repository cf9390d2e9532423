//! The WASM module's allocator: power-of-two size classes with one free list each, carved from
//! memory the module grows itself.
//!
//! The standard library's allocator for wasm32 (dlmalloc) is ~8 KB of the module; this is a few
//! hundred bytes and O(1) per call. A compile allocates and frees small blocks of a few sizes
//! over and over, which free lists serve well; a freed block is reused only for its own class
//! (no coalescing), so at worst memory holds twice what is live plus what was freed, bounded
//! by the largest compile the instance has served. Native builds (tests) use the system
//! allocator.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;

/// Classes 2^3 (so a block can hold a free-list link) to 2^31 bytes.
const MIN_CLASS: usize = 3;
const CLASSES: usize = 32;
/// Every block is aligned to this; larger alignments are refused (nothing in the crate asks).
const ALIGN: usize = 16;
const PAGE: usize = 65536;

struct State {
    /// Head of each class's free list (0 = empty); a free block's first word links the next.
    free: [usize; CLASSES],
    /// Unused memory at the end of the grown region: `[next, end)`.
    next: usize,
    end: usize,
}

pub struct Heap(UnsafeCell<State>);

// SAFETY: wasm32 without the threads proposal runs one thread; the allocator is never shared.
unsafe impl Sync for Heap {}

impl Heap {
    pub const fn new() -> Heap {
        Heap(UnsafeCell::new(State { free: [0; CLASSES], next: 0, end: 0 }))
    }
}

/// The class whose blocks hold `size` bytes, if any.
fn class(size: usize) -> Option<usize> {
    let c = (size.max(1 << MIN_CLASS).next_power_of_two()).trailing_zeros() as usize;
    if c < CLASSES && size <= 1 << c {
        Some(c)
    } else {
        None
    }
}

impl State {
    /// `size` fresh bytes at the end of the region, growing memory when needed; 0 on failure.
    fn carve(&mut self, size: usize) -> usize {
        if self.end - self.next < size {
            let pages = (size + PAGE - 1) / PAGE;
            let old = grow(pages);
            if old == usize::MAX {
                return 0;
            }
            let start = old * PAGE;
            // Memory grows only here, so new pages follow the region unless this is the first.
            if start != self.end {
                self.next = start;
            }
            self.end = start + pages * PAGE;
        }
        let at = self.next;
        self.next += size;
        at
    }
}

#[cfg(target_arch = "wasm32")]
fn grow(pages: usize) -> usize {
    core::arch::wasm32::memory_grow(0, pages)
}

#[cfg(not(target_arch = "wasm32"))]
fn grow(_pages: usize) -> usize {
    usize::MAX
}

unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let c = match class(layout.size()) {
            Some(c) if layout.align() <= ALIGN => c,
            _ => return std::ptr::null_mut(),
        };
        let st = &mut *self.0.get();
        let head = st.free[c];
        if head != 0 {
            st.free[c] = *(head as *const usize);
            return head as *mut u8;
        }
        // Blocks below ALIGN bytes are carved ALIGN-sized so every block stays aligned.
        st.carve((1usize << c).max(ALIGN)) as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(c) = class(layout.size()) {
            let st = &mut *self.0.get();
            *(ptr as *mut usize) = st.free[c];
            st.free[c] = ptr as usize;
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if class(new_size) == class(layout.size()) {
            return ptr;
        }
        let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
        if !new.is_null() {
            std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_every_size_exactly_once() {
        assert_eq!(class(0), Some(3));
        assert_eq!(class(8), Some(3));
        assert_eq!(class(9), Some(4));
        assert_eq!(class(4096), Some(12));
        assert_eq!(class(4097), Some(13));
        assert_eq!(class(1 << 31), Some(31));
        assert_eq!(class((1 << 31) + 1), None);
        for size in 1..5000usize {
            let c = class(size).unwrap();
            assert!(size <= 1 << c && (c == MIN_CLASS || size > 1 << (c - 1)), "{}", size);
        }
    }
}
