//! `Recorder`: many dispatches recorded into one command encoder — one compute pass, ended
//! only for copies — and submitted once. The op modules under `ops/` add the public
//! methods (`unary`, `matmul`, `sum`, `adam`, ...); this module owns the encoder, the
//! parameter blocks, binding, dispatching, in-recording writes and readbacks.

use super::grid::Grid;
use super::kernels::Kernel;
use super::params::ParamsArena;
use super::readback::Readback;
use super::tensor::Binding;
use super::{GpuContext, GpuError, GpuTensor};
use std::num::NonZeroU64;

/// How a kernel stores into its destination: replace what is there, or add to it (how
/// adjoints accumulate over several consumers, and gradients over micro-batches).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Write {
    #[default]
    Overwrite,
    Accumulate,
}

impl Write {
    /// The `accumulate` parameter of the kernels.
    pub(crate) fn flag(self) -> u32 {
        match self {
            Write::Overwrite => 0,
            Write::Accumulate => 1,
        }
    }
}

/// Records GPU work; nothing runs until [`Recorder::submit`]. Dropping a recorder without
/// submitting discards its work (and fails its readbacks).
pub struct Recorder<'c> {
    context: &'c GpuContext,
    // Declared before the encoder: an open pass must end before its encoder goes.
    pass: Option<wgpu::ComputePass<'static>>,
    encoder: Option<wgpu::CommandEncoder>,
    params: ParamsArena,
}

impl<'c> Recorder<'c> {
    pub(crate) fn new(context: &'c GpuContext) -> Recorder<'c> {
        context.pool().open_recording();
        let encoder = context
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("backprop-viz recording"),
            });
        Recorder {
            context,
            pass: None,
            encoder: Some(encoder),
            params: ParamsArena::new(context.limits().min_uniform_buffer_offset_alignment),
        }
    }

    pub fn context(&self) -> &'c GpuContext {
        self.context
    }

    /// Record one dispatch of `kernel` over `grid` with these parameters and buffers
    /// (read-only ones first, then the written ones, as the shader declares them).
    pub(crate) fn dispatch<P: bytemuck::Pod>(
        &mut self,
        op: &'static str,
        kernel: Kernel,
        params: &P,
        reads: &[Binding<'_>],
        writes: &[Binding<'_>],
        grid: Grid,
    ) -> Result<(), GpuError> {
        self.dispatch_op(op, (kernel, 0), params, reads, writes, grid)
    }

    /// [`Recorder::dispatch`] on the pipeline of `kernel` specialised to op code `code`
    /// (its shader's `OP` constant; see kernels.rs).
    ///
    /// A buffer written may not also be read in the same dispatch, not even another range
    /// of it (WebGPU forbids it), and two written ranges may not overlap.
    pub(crate) fn dispatch_op<P: bytemuck::Pod>(
        &mut self,
        op: &'static str,
        (kernel, code): (Kernel, u32),
        params: &P,
        reads: &[Binding<'_>],
        writes: &[Binding<'_>],
        grid: Grid,
    ) -> Result<(), GpuError> {
        debug_assert!(code < kernel.shader.ops.max(1), "{op}: op code {code}");
        debug_assert_eq!(reads.len(), kernel.shader.reads as usize, "{op}: reads");
        debug_assert_eq!(writes.len(), kernel.shader.writes as usize, "{op}: writes");
        if grid.is_empty() {
            return Ok(());
        }
        for (index, written) in writes.iter().enumerate() {
            if reads.iter().any(|read| read.same_buffer(written))
                || writes[index + 1..]
                    .iter()
                    .any(|other| other.overlaps(written))
            {
                return Err(GpuError::Aliased { op });
            }
        }
        let device = self.context.device();
        let pipeline = self.context.pipeline(kernel, code);
        let params_bytes = bytemuck::bytes_of(params);
        let (uniform, offset) = self
            .params
            .push(self.context.pool(), device, params_bytes)?;
        let uniform_entry = wgpu::BindGroupEntry {
            binding: 0,
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer: uniform,
                offset,
                size: NonZeroU64::new(params_bytes.len() as u64),
            }),
        };
        let entries: Vec<wgpu::BindGroupEntry> = std::iter::once(uniform_entry)
            .chain(
                reads
                    .iter()
                    .chain(writes)
                    .zip(1..)
                    .map(|(buffer, binding)| wgpu::BindGroupEntry {
                        binding,
                        resource: buffer.resource(),
                    }),
            )
            .collect();
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(kernel.entry),
            layout: &pipeline.bind_group_layout,
            entries: &entries,
        });
        let pass = match (&mut self.pass, &mut self.encoder) {
            (Some(pass), _) => pass,
            (pass @ None, Some(encoder)) => pass.insert(
                encoder
                    .begin_compute_pass(&wgpu::ComputePassDescriptor {
                        label: Some("backprop-viz kernels"),
                        timestamp_writes: None,
                    })
                    .forget_lifetime(),
            ),
            (None, None) => return Err(GpuError::Device("the recording has ended".to_owned())),
        };
        pass.set_pipeline(&pipeline.pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(grid.x, grid.y, 1);
        self.context.count_dispatch();
        Ok(())
    }

    /// The encoder for a copy, with the compute pass ended first.
    fn encoder_for_copy(&mut self) -> Result<&mut wgpu::CommandEncoder, GpuError> {
        self.pass = None;
        self.encoder
            .as_mut()
            .ok_or_else(|| GpuError::Device("the recording has ended".to_owned()))
    }

    /// Overwrite `tensor` with `data` at this point of the recording: work recorded
    /// before sees the old data, work recorded after sees the new (a staging upload and a
    /// copy, unlike [`GpuContext::write`], which lands before the whole submission).
    pub fn write(&mut self, tensor: &GpuTensor, data: &[f32]) -> Result<(), GpuError> {
        let staging = self.context.upload_f32(tensor.shape(), data)?;
        if tensor.is_empty() {
            return Ok(());
        }
        let bytes = tensor.len() as u64 * 4;
        let (source, target) = (staging.buffer(), tensor.buffer());
        self.encoder_for_copy()?.copy_buffer_to_buffer(
            source.buffer,
            source.offset(),
            target.buffer,
            target.offset(),
            bytes,
        );
        Ok(())
    }

    /// Copy the single element of `source` (a scalar, or any tensor of one element) into
    /// element `at` of `target` at this point of the recording: a copy, not a dispatch.
    pub fn copy_element(
        &mut self,
        source: &GpuTensor,
        target: &GpuTensor,
        at: usize,
    ) -> Result<(), GpuError> {
        if source.len() != 1 || at >= target.len() {
            return Err(GpuError::Destination {
                op: "copy_element",
                what: "element",
                expected: vec![target.len()],
                found: vec![source.len(), at],
            });
        }
        let (from, to) = (source.buffer(), target.buffer());
        self.encoder_for_copy()?.copy_buffer_to_buffer(
            from.buffer,
            from.offset(),
            to.buffer,
            to.offset() + at as u64 * 4,
            4,
        );
        Ok(())
    }

    /// The first `len` elements of `tensor`, copied out for reading once this recording
    /// is submitted (a whole tensor: [`GpuTensor::read_back`]).
    pub fn read_back_prefix(
        &mut self,
        tensor: &GpuTensor,
        len: usize,
    ) -> Result<Readback<f32>, GpuError> {
        let len = len.min(tensor.len());
        self.read_back(tensor.buffer(), len, vec![len])
    }

    /// Copy `len` elements of `buffer` out for reading once this recording is submitted.
    pub(crate) fn read_back<T: bytemuck::Pod>(
        &mut self,
        source: Binding<'_>,
        len: usize,
        shape: Vec<usize>,
    ) -> Result<Readback<T>, GpuError> {
        let bytes = len as u64 * std::mem::size_of::<T>() as u64;
        let device = self.context.device().clone();
        if bytes == 0 {
            return Ok(Readback::new(None, 0, shape, device).0);
        }
        let staging = self.context.readback_buffer(bytes)?;
        self.context.count_readback();
        let staging_buffer = staging.buffer().clone();
        let (readback, notice) = Readback::new(Some(staging), bytes, shape, device);
        let encoder = self.encoder_for_copy()?;
        encoder.copy_buffer_to_buffer(source.buffer, source.offset(), &staging_buffer, 0, bytes);
        encoder.map_buffer_on_submit(
            &staging_buffer,
            wgpu::MapMode::Read,
            ..bytes,
            move |result| notice.deliver(result),
        );
        Ok(readback)
    }

    /// Send everything recorded to the GPU in one submission.
    pub fn submit(mut self) -> Result<(), GpuError> {
        self.context.check()?;
        self.pass = None;
        let encoder = self
            .encoder
            .take()
            .ok_or_else(|| GpuError::Device("the recording has ended".to_owned()))?;
        self.params.upload(self.context.queue());
        self.context.queue().submit([encoder.finish()]);
        self.context.count_submission();
        self.context.check()
    }
}

impl Drop for Recorder<'_> {
    fn drop(&mut self) {
        self.pass = None;
        self.encoder = None;
        self.context.pool().close_recording();
    }
}
