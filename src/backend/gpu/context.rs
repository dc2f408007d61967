//! `GpuContext`: the device and queue with what belongs to them — the adapter's name and
//! limits, the "device lost" and error signals, the pipeline cache, the buffer pool and
//! the dispatch/submission counters. Acquiring a device ([`GpuContext::request_device`])
//! is separate from building the context ([`GpuContext::from_device`]), so tests and the
//! app can bring their own device.

use super::grid::Grid;
use super::kernels::{KERNELS, Kernel};
use super::ops::matmul::MatmulKernel;
use super::pipelines::{Pipeline, Pipelines};
use super::pool::{BufferPool, PoolStats, Usage};
use super::{GpuError, GpuIndices, GpuTensor, Recorder};
use crate::tensor::{Tensor, element_count};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// How much work has been sent to the GPU (for benchmarks: dispatches per training step)
/// and how many copies were read back from it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GpuCounters {
    pub dispatches: u64,
    pub submissions: u64,
    pub readbacks: u64,
}

/// Set from wgpu's callbacks, read before each recording and submission.
#[derive(Default)]
struct DeviceSignals {
    lost: Mutex<Option<String>>,
    error: Mutex<Option<String>>,
}

impl DeviceSignals {
    fn set(slot: &Mutex<Option<String>>, message: String) {
        let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
        slot.get_or_insert(message);
    }
}

pub struct GpuContext {
    device: wgpu::Device,
    queue: wgpu::Queue,
    adapter: wgpu::AdapterInfo,
    limits: wgpu::Limits,
    signals: Arc<DeviceSignals>,
    pipelines: Pipelines,
    pool: BufferPool,
    matmul: MatmulKernel,
    dispatches: AtomicU64,
    submissions: AtomicU64,
    readbacks: AtomicU64,
}

impl GpuContext {
    /// A context on the best adapter available: [`GpuContext::request_device`], then
    /// [`GpuContext::from_device`].
    pub async fn new() -> Result<GpuContext, GpuError> {
        let (device, queue) = GpuContext::request_device().await?;
        Ok(GpuContext::from_device(device, queue))
    }

    /// Open a device on the preferred adapter (WebGPU in the browser; Vulkan, Metal or DX12
    /// natively, `WGPU_BACKEND` and friends respected), with the adapter's full limits.
    pub async fn request_device() -> Result<(wgpu::Device, wgpu::Queue), GpuError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                force_fallback_adapter: false,
                compatible_surface: None,
                apply_limit_buckets: false,
            })
            .await
            .map_err(|error| GpuError::NoAdapter(error.to_string()))?;
        adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("backprop-viz"),
                required_limits: adapter.limits(),
                ..Default::default()
            })
            .await
            .map_err(|error| GpuError::RequestDevice(error.to_string()))
    }

    /// A context on a device the caller opened. Installs the device-lost and error
    /// callbacks: errors become [`GpuError`]s at the next submission instead of panics.
    pub fn from_device(device: wgpu::Device, queue: wgpu::Queue) -> GpuContext {
        let signals = Arc::new(DeviceSignals::default());
        let lost = Arc::clone(&signals);
        device.set_device_lost_callback(move |reason, message| {
            DeviceSignals::set(&lost.lost, format!("{reason:?}: {message}"));
        });
        let errors = Arc::clone(&signals);
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            DeviceSignals::set(&errors.error, error.to_string());
        }));
        #[cfg(not(target_arch = "wasm32"))]
        let adapter = device.adapter_info();
        #[cfg(target_arch = "wasm32")]
        let adapter = {
            let mut adapter = device.adapter_info();
            if adapter.name.is_empty() {
                adapter.name = browser_adapter_name(&device).unwrap_or_default();
            }
            adapter
        };
        GpuContext {
            matmul: MatmulKernel::for_device(adapter.device_type),
            adapter,
            limits: device.limits(),
            device,
            queue,
            signals,
            pipelines: Pipelines::default(),
            pool: BufferPool::default(),
            dispatches: AtomicU64::new(0),
            submissions: AtomicU64::new(0),
            readbacks: AtomicU64::new(0),
        }
    }

    /// The adapter for people: its name and backend, e.g. "llvmpipe (LLVM 19.1.7) (Vulkan)".
    pub fn name(&self) -> String {
        format!("{} ({:?})", self.adapter.name, self.adapter.backend)
    }

    pub fn adapter_info(&self) -> &wgpu::AdapterInfo {
        &self.adapter
    }

    pub fn limits(&self) -> &wgpu::Limits {
        &self.limits
    }

    /// Why the device was lost, if it was. A lost device stays lost: make a new context.
    pub fn lost(&self) -> Option<String> {
        self.signals
            .lost
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn is_lost(&self) -> bool {
        self.lost().is_some()
    }

    /// Refuse to go on with a lost device; report (once) an error the device raised.
    pub(crate) fn check(&self) -> Result<(), GpuError> {
        if let Some(reason) = self.lost() {
            return Err(GpuError::DeviceLost(reason));
        }
        let error = self
            .signals
            .error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        error.map_or(Ok(()), |message| Err(GpuError::Device(message)))
    }

    pub fn counters(&self) -> GpuCounters {
        GpuCounters {
            dispatches: self.dispatches.load(Ordering::Relaxed),
            submissions: self.submissions.load(Ordering::Relaxed),
            readbacks: self.readbacks.load(Ordering::Relaxed),
        }
    }

    pub fn reset_counters(&self) {
        self.dispatches.store(0, Ordering::Relaxed);
        self.submissions.store(0, Ordering::Relaxed);
        self.readbacks.store(0, Ordering::Relaxed);
    }

    pub(crate) fn count_dispatch(&self) {
        self.dispatches.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_submission(&self) {
        self.submissions.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_readback(&self) {
        self.readbacks.fetch_add(1, Ordering::Relaxed);
    }

    pub fn pool_stats(&self) -> PoolStats {
        self.pool.stats()
    }

    /// How many compute pipelines have been created (each once).
    pub fn pipeline_count(&self) -> usize {
        self.pipelines.len()
    }

    /// Create every pipeline now rather than on first use (e.g. before timing), one per
    /// op code for the kernels specialised by op.
    pub fn warm_up(&self) {
        for kernel in KERNELS {
            for op in 0..kernel.shader.ops.max(1) {
                self.pipelines.get(&self.device, kernel, op);
            }
        }
    }

    /// Start recording work; see [`Recorder`].
    pub fn recorder(&self) -> Result<Recorder<'_>, GpuError> {
        self.check()?;
        Ok(Recorder::new(self))
    }

    /// An `f32` tensor of `shape` whose contents are unspecified (a reused buffer).
    pub fn tensor(&self, shape: &[usize]) -> Result<GpuTensor, GpuError> {
        let len = element_count(shape)?;
        let buffer = self.storage(len, "a tensor")?;
        Ok(GpuTensor::new(shape.to_vec(), len, buffer))
    }

    /// A tensor of zeros.
    pub fn zeros(&self, shape: &[usize]) -> Result<GpuTensor, GpuError> {
        let tensor = self.tensor(shape)?;
        self.write(&tensor, &vec![0.0; tensor.len()])?;
        Ok(tensor)
    }

    /// `tensor` rounded to `f32` and uploaded.
    pub fn upload(&self, tensor: &Tensor) -> Result<GpuTensor, GpuError> {
        let data: Vec<f32> = tensor.data().iter().map(|&x| x as f32).collect();
        self.upload_f32(tensor.shape(), &data)
    }

    /// `data` (row-major, `shape`'s element count) uploaded.
    pub fn upload_f32(&self, shape: &[usize], data: &[f32]) -> Result<GpuTensor, GpuError> {
        let tensor = self.tensor(shape)?;
        self.write(&tensor, data)?;
        Ok(tensor)
    }

    /// Overwrite a tensor's data. The queue performs the write before any work submitted
    /// after this call, and after all work submitted before it; work still being recorded
    /// sees the new data, so write between submissions.
    pub fn write(&self, tensor: &GpuTensor, data: &[f32]) -> Result<(), GpuError> {
        if data.len() != tensor.len() {
            return Err(crate::tensor::TensorError::DataLength {
                shape: tensor.shape().to_vec(),
                expected: tensor.len(),
                found: data.len(),
            }
            .into());
        }
        if !data.is_empty() {
            let target = tensor.buffer();
            self.queue
                .write_buffer(target.buffer, target.offset(), bytemuck::cast_slice(data));
        }
        Ok(())
    }

    /// Room for `len` positions (the arg-max of a `max`).
    pub fn indices(&self, len: usize) -> Result<GpuIndices, GpuError> {
        let buffer = self.storage(len, "a list of positions")?;
        Ok(GpuIndices::new(len, buffer))
    }

    fn storage(
        &self,
        len: usize,
        what: &'static str,
    ) -> Result<super::pool::PooledBuffer, GpuError> {
        let limit = self
            .limits
            .max_storage_buffer_binding_size
            .min(self.limits.max_buffer_size);
        let too_large = || GpuError::TooLarge {
            what,
            needed: (len as u64).saturating_mul(4),
            limit,
        };
        // Kernels index elements with u32.
        let len = u32::try_from(len).map_err(|_| too_large())?;
        let bytes = u64::from(len) * 4;
        self.pool
            .acquire(&self.device, Usage::Storage, bytes, limit, what)
    }

    /// A host-visible buffer for reading `bytes` back.
    pub(crate) fn readback_buffer(
        &self,
        bytes: u64,
    ) -> Result<super::pool::PooledBuffer, GpuError> {
        self.pool.acquire(
            &self.device,
            Usage::Readback,
            bytes,
            self.limits.max_buffer_size,
            "a readback",
        )
    }

    /// The product kernel that suits this device.
    pub(crate) fn matmul_kernel(&self) -> MatmulKernel {
        self.matmul
    }

    pub(crate) fn pipeline(&self, kernel: Kernel, op: u32) -> Pipeline {
        self.pipelines.get(&self.device, kernel, op)
    }

    pub(crate) fn pool(&self) -> &BufferPool {
        &self.pool
    }

    pub(crate) fn device(&self) -> &wgpu::Device {
        &self.device
    }

    pub(crate) fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// A grid of one thread per item.
    pub(crate) fn grid_per_item(&self, items: usize) -> Result<Grid, GpuError> {
        Grid::per_item(items, self.limits.max_compute_workgroups_per_dimension)
    }

    /// A grid of one workgroup per item.
    pub(crate) fn grid_per_group(&self, groups: usize) -> Result<Grid, GpuError> {
        Grid::line(groups, self.limits.max_compute_workgroups_per_dimension)
    }

    /// A 2-D grid of tiles.
    pub(crate) fn grid_tiles(&self, x: usize, y: usize) -> Result<Grid, GpuError> {
        Grid::tiles(x, y, self.limits.max_compute_workgroups_per_dimension)
    }
}

/// What the browser tells about its adapter (`GPUAdapterInfo`: vendor, architecture,
/// device, description), e.g. "google swiftshader": wgpu fills its name from the
/// description only, which browsers usually leave empty.
#[cfg(target_arch = "wasm32")]
fn browser_adapter_name(device: &wgpu::Device) -> Option<String> {
    let device: &wasm_bindgen::JsValue = device.as_webgpu()?.as_ref();
    let info = js_sys::Reflect::get(device, &"adapterInfo".into()).ok()?;
    let parts: Vec<String> = ["vendor", "architecture", "device", "description"]
        .into_iter()
        .filter_map(|key| js_sys::Reflect::get(&info, &key.into()).ok()?.as_string())
        .filter(|part| !part.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuContext")
            .field("adapter", &self.name())
            .field("counters", &self.counters())
            .finish_non_exhaustive()
    }
}
