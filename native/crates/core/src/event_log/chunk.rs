//! Fixed-capacity byte chunks: the arena the event log writes records into.
//!
//! A chunk never moves or grows once allocated, so JavaScript can hold a
//! Buffer over it (zero-copy reads) while the log keeps appending to its
//! unused tail. The memory is freed when the log and every view have let go
//! (the chunk is shared through an `Arc`).

use std::ptr::NonNull;

/// Default chunk capacity. Large enough that a read page rarely spans two
/// chunks, small enough that a mostly empty log wastes little.
pub const CHUNK_CAPACITY: usize = 4 << 20;

/// One fixed-capacity, zero-initialised allocation.
pub struct Chunk {
    ptr: NonNull<u8>,
    capacity: usize,
}

// SAFETY: the chunk is plain bytes. The log writes only to the part not yet
// handed out (past every published record), and only from the thread that
// owns the log; readers see bytes that are never written again.
unsafe impl Send for Chunk {}
unsafe impl Sync for Chunk {}

impl Chunk {
    /// Allocates `capacity` zeroed bytes (calloc: pages are touched lazily).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let boxed: Box<[u8]> = vec![0u8; capacity].into_boxed_slice();
        let ptr = NonNull::new(Box::into_raw(boxed).cast::<u8>()).expect("non-null allocation");
        Chunk { ptr, capacity }
    }

    /// Bytes the chunk can hold.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Start of the allocation, for handing a view to JavaScript.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Copies `bytes` to `at`.
    ///
    /// # Safety
    /// `at..at + bytes.len()` must lie within the capacity and must not have
    /// been published to any reader yet (no `&[u8]` over it is alive).
    pub unsafe fn write(&self, at: usize, bytes: &[u8]) {
        debug_assert!(at + bytes.len() <= self.capacity);
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.ptr.as_ptr().add(at), bytes.len());
    }

    /// The bytes in `start..end`, or `None` when that is not within the chunk.
    /// Only written bytes are meaningful (the rest are zeros).
    pub fn get(&self, start: usize, end: usize) -> Option<&[u8]> {
        if start > end || end > self.capacity {
            return None;
        }
        // SAFETY: in bounds (checked above); written bytes are never rewritten.
        Some(unsafe { std::slice::from_raw_parts(self.ptr.as_ptr().add(start), end - start) })
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from `Box::<[u8]>::into_raw` with this length.
        unsafe {
            drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
                self.ptr.as_ptr(),
                self.capacity,
            )));
        }
    }
}
