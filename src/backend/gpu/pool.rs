//! The buffer pool: buffers are kept by usage and size class and handed out again, so the
//! tensors of one training step reuse the buffers of the step before.
//!
//! A buffer released while a recording is open may still be used by that recording's
//! unsubmitted commands, so it waits until every open recording has been submitted or
//! dropped before anyone can take it again. Once free, a buffer is only touched by work
//! queued later, which the queue orders after the work that used it.

use super::GpuError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What a pooled buffer is for; buffers of different usages are never exchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Usage {
    /// Tensor data: bound as storage, copied from and to.
    Storage,
    /// Kernel parameters, written by the queue before the commands that read them.
    Uniform,
    /// The host-visible end of a readback copy.
    Readback,
}

impl Usage {
    fn flags(self) -> wgpu::BufferUsages {
        use wgpu::BufferUsages as U;
        match self {
            Usage::Storage => U::STORAGE | U::COPY_SRC | U::COPY_DST,
            Usage::Uniform => U::UNIFORM | U::COPY_DST,
            Usage::Readback => U::MAP_READ | U::COPY_DST,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Usage::Storage => "tensor",
            Usage::Uniform => "kernel parameters",
            Usage::Readback => "readback",
        }
    }
}

/// How the pool has been used, for benchmarks and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Buffers created on the device.
    pub created: u64,
    /// Bytes in those buffers.
    pub created_bytes: u64,
    /// Requests served by a buffer released earlier.
    pub reused: u64,
    /// Buffers currently free to be handed out.
    pub idle: u64,
}

/// The smallest buffer the pool creates; also keeps every size a multiple of 16 bytes, so
/// any tensor buffer can be bound as an array of `vec4<f32>`.
const MIN_BUFFER_BYTES: u64 = 256;

#[derive(Default)]
struct PoolState {
    free: HashMap<(Usage, u64), Vec<wgpu::Buffer>>,
    /// Released while a recording was open: `(usage, size, buffer)`.
    waiting: Vec<(Usage, u64, wgpu::Buffer)>,
    open_recordings: usize,
    stats: PoolStats,
}

impl PoolState {
    fn make_free(&mut self, usage: Usage, size: u64, buffer: wgpu::Buffer) {
        self.free.entry((usage, size)).or_default().push(buffer);
        self.stats.idle += 1;
    }
}

/// Shared between the context and every buffer it handed out.
#[derive(Clone, Default)]
pub(crate) struct BufferPool {
    state: Arc<Mutex<PoolState>>,
}

fn lock(state: &Mutex<PoolState>) -> MutexGuard<'_, PoolState> {
    // The state stays consistent even if a holder panicked: every update is one push/pop.
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl BufferPool {
    /// A buffer of at least `bytes` bytes, reused when one of its size class is free.
    /// Sizes round up to a power of two (at least [`MIN_BUFFER_BYTES`]); near the limit the
    /// exact size (rounded to 16 bytes) is used instead. Over `limit` is an error.
    pub(crate) fn acquire(
        &self,
        device: &wgpu::Device,
        usage: Usage,
        bytes: u64,
        limit: u64,
        what: &'static str,
    ) -> Result<PooledBuffer, GpuError> {
        let too_large = GpuError::TooLarge {
            what,
            needed: bytes,
            limit,
        };
        let class = bytes
            .max(MIN_BUFFER_BYTES)
            .checked_next_power_of_two()
            .filter(|&class| class <= limit);
        let size = match class {
            Some(class) => class,
            None => bytes
                .checked_next_multiple_of(16)
                .filter(|&exact| exact <= limit)
                .ok_or(too_large)?,
        };
        let mut state = lock(&self.state);
        let reused = state.free.get_mut(&(usage, size)).and_then(Vec::pop);
        let buffer = match reused {
            Some(buffer) => {
                state.stats.reused += 1;
                state.stats.idle -= 1;
                buffer
            }
            None => {
                state.stats.created += 1;
                state.stats.created_bytes += size;
                device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some(usage.label()),
                    size,
                    usage: usage.flags(),
                    mapped_at_creation: false,
                })
            }
        };
        Ok(PooledBuffer {
            buffer,
            usage,
            size,
            pool: Arc::clone(&self.state),
            keep: true,
        })
    }

    /// A recording opened: buffers released from now on wait for it.
    pub(crate) fn open_recording(&self) {
        lock(&self.state).open_recordings += 1;
    }

    /// A recording was submitted or dropped; when none is open, waiting buffers are free.
    pub(crate) fn close_recording(&self) {
        let mut state = lock(&self.state);
        state.open_recordings = state.open_recordings.saturating_sub(1);
        if state.open_recordings == 0 {
            for (usage, size, buffer) in std::mem::take(&mut state.waiting) {
                state.make_free(usage, size, buffer);
            }
        }
    }

    pub(crate) fn stats(&self) -> PoolStats {
        lock(&self.state).stats
    }
}

/// A buffer on loan from the pool; dropping it gives it back.
pub(crate) struct PooledBuffer {
    buffer: wgpu::Buffer,
    usage: Usage,
    size: u64,
    pool: Arc<Mutex<PoolState>>,
    /// False for a buffer left in an unknown state (a readback abandoned mid-map): it is
    /// let go instead of returned.
    keep: bool,
}

impl PooledBuffer {
    pub(crate) fn buffer(&self) -> &wgpu::Buffer {
        &self.buffer
    }

    /// Let the buffer go rather than give it back to the pool.
    pub(crate) fn discard(mut self) {
        self.keep = false;
    }
}

impl std::fmt::Debug for PooledBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PooledBuffer")
            .field("usage", &self.usage)
            .field("size", &self.size)
            .finish()
    }
}

impl Drop for PooledBuffer {
    fn drop(&mut self) {
        if !self.keep {
            return; // wgpu frees it once nothing uses it
        }
        let mut state = lock(&self.pool);
        let buffer = self.buffer.clone();
        if state.open_recordings > 0 {
            state.waiting.push((self.usage, self.size, buffer));
        } else {
            state.make_free(self.usage, self.size, buffer);
        }
    }
}
