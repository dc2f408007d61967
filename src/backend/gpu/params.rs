//! Kernel parameters of one recording: every dispatch's small uniform struct is appended to
//! a host-side block at an aligned offset, and the blocks are written to their pooled
//! uniform buffers once, just before the submission (WebGPU has no push constants).

use super::GpuError;
use super::pool::{BufferPool, PooledBuffer, Usage};

/// Bytes per uniform block: room for 64 dispatches at the usual 256-byte alignment.
const BLOCK_BYTES: u64 = 16 * 1024;

struct Block {
    buffer: PooledBuffer,
    bytes: Vec<u8>,
}

pub(crate) struct ParamsArena {
    blocks: Vec<Block>,
    alignment: u64,
}

impl ParamsArena {
    /// `alignment` is the adapter's `min_uniform_buffer_offset_alignment`.
    pub(crate) fn new(alignment: u32) -> ParamsArena {
        ParamsArena {
            blocks: Vec::new(),
            alignment: u64::from(alignment.max(16)),
        }
    }

    /// Append one dispatch's parameters; returns the uniform buffer and the offset they
    /// will sit at.
    pub(crate) fn push(
        &mut self,
        pool: &BufferPool,
        device: &wgpu::Device,
        params: &[u8],
    ) -> Result<(&wgpu::Buffer, u64), GpuError> {
        let size = (params.len() as u64).next_multiple_of(self.alignment);
        let needs_block = self
            .blocks
            .last()
            .is_none_or(|block| block.bytes.len() as u64 + size > BLOCK_BYTES);
        if needs_block {
            let buffer = pool.acquire(
                device,
                Usage::Uniform,
                BLOCK_BYTES.max(size),
                u64::MAX,
                "kernel parameters",
            )?;
            self.blocks.push(Block {
                buffer,
                bytes: Vec::with_capacity(BLOCK_BYTES as usize),
            });
        }
        let last = self.blocks.len() - 1;
        let block = &mut self.blocks[last];
        let offset = block.bytes.len() as u64;
        block.bytes.extend_from_slice(params);
        block.bytes.resize((offset + size) as usize, 0);
        Ok((block.buffer.buffer(), offset))
    }

    /// Write every block to its buffer; the queue orders this before the submission.
    pub(crate) fn upload(&self, queue: &wgpu::Queue) {
        for block in &self.blocks {
            if !block.bytes.is_empty() {
                queue.write_buffer(block.buffer.buffer(), 0, &block.bytes);
            }
        }
    }
}
