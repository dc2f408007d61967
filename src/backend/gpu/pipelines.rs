//! The pipeline cache: each shader module, binding layout and compute pipeline is created
//! once, on first use, and shared by every later dispatch. Kernels with an `OP` override
//! constant get a pipeline per op code.

use super::kernels::{Kernel, Shader};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// A ready pipeline with the layout its bind groups must follow.
#[derive(Clone)]
pub(crate) struct Pipeline {
    pub(crate) pipeline: wgpu::ComputePipeline,
    pub(crate) bind_group_layout: wgpu::BindGroupLayout,
}

#[derive(Default)]
struct Cache {
    modules: HashMap<&'static str, wgpu::ShaderModule>,
    /// By (reads, writes): the bind group layout and the pipeline layout made from it.
    layouts: HashMap<(u32, u32), (wgpu::BindGroupLayout, wgpu::PipelineLayout)>,
    pipelines: HashMap<(&'static str, &'static str, u32), Pipeline>,
}

#[derive(Default)]
pub(crate) struct Pipelines {
    cache: Mutex<Cache>,
}

impl Pipelines {
    /// The pipeline for `kernel` with its `OP` constant set to `op` (ignored for shaders
    /// without one), created on first request.
    pub(crate) fn get(&self, device: &wgpu::Device, kernel: Kernel, op: u32) -> Pipeline {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let op = if kernel.shader.ops == 0 { 0 } else { op };
        let key = (kernel.shader.name, kernel.entry, op);
        if let Some(pipeline) = cache.pipelines.get(&key) {
            return pipeline.clone();
        }
        let shader = kernel.shader;
        let module = cache
            .modules
            .entry(shader.name)
            .or_insert_with(|| {
                device.create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(shader.name),
                    source: wgpu::ShaderSource::Wgsl(Cow::Borrowed(shader.source)),
                })
            })
            .clone();
        let (bind_group_layout, pipeline_layout) = cache
            .layouts
            .entry((shader.reads, shader.writes))
            .or_insert_with(|| layouts(device, shader))
            .clone();
        let constants = [("OP", f64::from(op))];
        let constants: &[(&str, f64)] = if shader.ops == 0 { &[] } else { &constants };
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(kernel.entry),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some(kernel.entry),
            compilation_options: wgpu::PipelineCompilationOptions {
                constants,
                ..Default::default()
            },
            cache: None,
        });
        let ready = Pipeline {
            pipeline,
            bind_group_layout,
        };
        cache.pipelines.insert(key, ready.clone());
        ready
    }

    /// How many pipelines exist so far.
    pub(crate) fn len(&self) -> usize {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache.pipelines.len()
    }
}

/// Binding 0: the uniform parameters; then the read-only, then the read-write storage
/// buffers (the convention of `kernels.rs`).
fn layouts(
    device: &wgpu::Device,
    shader: &Shader,
) -> (wgpu::BindGroupLayout, wgpu::PipelineLayout) {
    let entry = |binding: u32, ty: wgpu::BufferBindingType| wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    };
    let storage = |read_only| wgpu::BufferBindingType::Storage { read_only };
    let entries: Vec<wgpu::BindGroupLayoutEntry> =
        std::iter::once(entry(0, wgpu::BufferBindingType::Uniform))
            .chain((1..=shader.reads).map(|binding| entry(binding, storage(true))))
            .chain(
                (shader.reads + 1..=shader.reads + shader.writes)
                    .map(|binding| entry(binding, storage(false))),
            )
            .collect();
    let bind_group_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(shader.name),
        entries: &entries,
    });
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(shader.name),
        bind_group_layouts: &[Some(&bind_group_layout)],
        immediate_size: 0,
    });
    (bind_group_layout, pipeline_layout)
}
