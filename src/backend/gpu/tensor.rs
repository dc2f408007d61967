//! `GpuTensor`: a shape and a pooled storage buffer of `f32` in row-major order; and
//! `GpuIndices`, a pooled buffer of `u32` positions (the arg-max of a `max`).

use super::pool::PooledBuffer;
use super::{GpuError, Recorder};

/// An `f32` tensor in a storage buffer. The buffer may be larger than the data (pool size
/// classes); kernels only touch the first [`GpuTensor::len`] elements. Made by
/// [`GpuContext::tensor`](super::GpuContext::tensor) (contents unspecified),
/// [`GpuContext::upload`](super::GpuContext::upload) or [`GpuContext::zeros`](super::GpuContext::zeros).
#[derive(Debug)]
pub struct GpuTensor {
    shape: Vec<usize>,
    len: usize,
    buffer: PooledBuffer,
}

impl GpuTensor {
    pub(crate) fn new(shape: Vec<usize>, len: usize, buffer: PooledBuffer) -> GpuTensor {
        GpuTensor { shape, len, buffer }
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn buffer(&self) -> &wgpu::Buffer {
        self.buffer.buffer()
    }

    /// The element count as the `u32` kernels index with (checked when it was made).
    pub(crate) fn len_u32(&self) -> u32 {
        u32::try_from(self.len).unwrap_or(u32::MAX)
    }

    /// Refuse a destination whose shape is not `expected`.
    pub(crate) fn expect_shape(
        &self,
        op: &'static str,
        what: &'static str,
        expected: &[usize],
    ) -> Result<(), GpuError> {
        if self.shape == expected {
            Ok(())
        } else {
            Err(GpuError::Destination {
                op,
                what,
                expected: expected.to_vec(),
                found: self.shape.clone(),
            })
        }
    }

    /// Queue a copy of this tensor for reading after the recording is submitted.
    pub fn read_back(&self, recorder: &mut Recorder<'_>) -> Result<super::Readback<f32>, GpuError> {
        recorder.read_back(self.buffer(), self.len, self.shape.clone())
    }
}

/// Positions along a reduced axis (`u32`), one per output element of a `max`: where each
/// lane's first maximum is, so the backward sends the gradient there.
#[derive(Debug)]
pub struct GpuIndices {
    len: usize,
    buffer: PooledBuffer,
}

impl GpuIndices {
    pub(crate) fn new(len: usize, buffer: PooledBuffer) -> GpuIndices {
        GpuIndices { len, buffer }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn buffer(&self) -> &wgpu::Buffer {
        self.buffer.buffer()
    }

    /// Queue a copy of the positions for reading after the recording is submitted.
    pub fn read_back(&self, recorder: &mut Recorder<'_>) -> Result<super::Readback<u32>, GpuError> {
        recorder.read_back(self.buffer(), self.len, vec![self.len])
    }
}
