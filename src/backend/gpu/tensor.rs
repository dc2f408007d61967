//! `GpuTensor`: a shape and a pooled storage buffer of `f32` in row-major order, or a
//! view of a range of one shared with other tensors (a loaded graph's parameters live
//! side by side in one buffer, so one dispatch updates them all); and `GpuIndices`, a
//! pooled buffer of `u32` positions (the arg-max of a `max`).

use super::pool::PooledBuffer;
use super::{GpuError, Recorder};
use std::sync::Arc;

/// Where a kernel finds a tensor: its buffer, and for a view the byte range in it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Binding<'a> {
    pub(crate) buffer: &'a wgpu::Buffer,
    /// `None` for the whole buffer.
    pub(crate) range: Option<(u64, u64)>,
}

impl Binding<'_> {
    /// The bytes the binding covers, `(start, end)`, `end` unbounded for a whole buffer.
    fn span(&self) -> (u64, u64) {
        self.range
            .map_or((0, u64::MAX), |(offset, size)| (offset, offset + size))
    }

    pub(crate) fn offset(&self) -> u64 {
        self.range.map_or(0, |(offset, _)| offset)
    }

    pub(crate) fn same_buffer(&self, other: &Binding<'_>) -> bool {
        self.buffer == other.buffer
    }

    /// Whether the two bindings share a byte.
    pub(crate) fn overlaps(&self, other: &Binding<'_>) -> bool {
        let ((a, b), (c, d)) = (self.span(), other.span());
        self.same_buffer(other) && a < d && c < b
    }

    pub(crate) fn resource(&self) -> wgpu::BindingResource<'_> {
        match self.range {
            None => self.buffer.as_entire_binding(),
            Some((offset, size)) => wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer: self.buffer,
                offset,
                size: std::num::NonZeroU64::new(size),
            }),
        }
    }
}

/// An `f32` tensor in a storage buffer. The buffer may be larger than the data (pool size
/// classes); kernels only touch the first [`GpuTensor::len`] elements. Made by
/// [`GpuContext::tensor`](super::GpuContext::tensor) (contents unspecified),
/// [`GpuContext::upload`](super::GpuContext::upload) or [`GpuContext::zeros`](super::GpuContext::zeros).
#[derive(Debug)]
pub struct GpuTensor {
    shape: Vec<usize>,
    len: usize,
    buffer: Arc<PooledBuffer>,
    /// For a view: the byte offset of its first element in the shared buffer.
    offset: Option<u64>,
}

impl GpuTensor {
    // An `Arc` keeps tensors `Send` natively; on the web wgpu's buffers are not `Send`, so
    // there it is only a shared owner.
    #[cfg_attr(target_arch = "wasm32", allow(clippy::arc_with_non_send_sync))]
    pub(crate) fn new(shape: Vec<usize>, len: usize, buffer: PooledBuffer) -> GpuTensor {
        GpuTensor {
            shape,
            len,
            buffer: Arc::new(buffer),
            offset: None,
        }
    }

    /// A tensor of `shape` over the elements from `start` of this one's buffer, sharing it.
    /// `start` must keep the byte offset a multiple of the device's storage offset
    /// alignment, and the view must lie inside this tensor, with its length rounded up to
    /// a multiple of 4, and hold at least one element.
    pub(crate) fn view(&self, start: usize, shape: &[usize]) -> Result<GpuTensor, GpuError> {
        let len: usize = shape.iter().product();
        if len == 0 || start + len.next_multiple_of(4) > self.len {
            return Err(GpuError::Destination {
                op: "view",
                what: "range",
                expected: vec![self.len],
                found: vec![start, len],
            });
        }
        Ok(GpuTensor {
            shape: shape.to_vec(),
            len,
            buffer: Arc::clone(&self.buffer),
            offset: Some(self.offset.unwrap_or(0) + start as u64 * 4),
        })
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

    /// What a kernel binds: the whole buffer, or a view's range of it, rounded up to whole
    /// `vec4`s (kernels reading `array<vec4<f32>>` see only whole ones; the shared buffer
    /// leaves room, see [`GpuTensor::view`]).
    pub(crate) fn buffer(&self) -> Binding<'_> {
        Binding {
            buffer: self.buffer.buffer(),
            range: self
                .offset
                .map(|offset| (offset, (self.len as u64 * 4).next_multiple_of(16))),
        }
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

    pub(crate) fn buffer(&self) -> Binding<'_> {
        Binding {
            buffer: self.buffer.buffer(),
            range: None,
        }
    }

    /// Queue a copy of the positions for reading after the recording is submitted.
    pub fn read_back(&self, recorder: &mut Recorder<'_>) -> Result<super::Readback<u32>, GpuError> {
        recorder.read_back(self.buffer(), self.len, vec![self.len])
    }
}
