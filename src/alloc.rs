//! The binary's global allocator: mimalloc, called the way the C library
//! itself is fastest. The `mimalloc` crate's wrapper sends every request
//! through `mi_malloc_aligned`, whose alignment checks cost the generator
//! ~3% of its instructions (callgrind); nearly every Rust allocation needs
//! no more alignment than plain `mi_malloc` gives.

#![allow(unsafe_code)] // the one exception: FFI to the allocator

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// mimalloc as the global allocator.
pub struct MiMalloc;

/// Whether plain `mi_malloc(size)` is aligned enough: mimalloc blocks are
/// at least 8-aligned, and blocks whose size is a multiple of 16 are
/// 16-aligned (every size class above 8 words is a multiple of 2 words,
/// the ones below are exact, and pages start blocks 16-aligned). The same
/// rule as the standard library's `System` allocator with its `MIN_ALIGN`.
#[inline]
fn plain(layout: &Layout) -> bool {
    layout.align() <= 8 || (layout.align() <= 16 && layout.size().is_multiple_of(16))
}

// SAFETY: every pointer handed out comes from mimalloc with at least the
// layout's alignment (see `plain`), and is freed or resized by mimalloc.
unsafe impl GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain FFI calls; mimalloc accepts any size.
        unsafe {
            if plain(&layout) {
                mi::mi_malloc(layout.size()) as *mut u8
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        unsafe {
            if plain(&layout) {
                mi::mi_zalloc(layout.size()) as *mut u8
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator (GlobalAlloc contract).
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new) = Layout::from_size_align(new_size, layout.align()) else {
            return std::ptr::null_mut();
        };
        // SAFETY: `ptr` came from this allocator with `layout`; the new
        // block keeps the alignment (`plain` judged for the new size).
        unsafe {
            if plain(&new) {
                mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
            } else {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}
