//! `GpuBackend`: the [`Backend`] trait on the GPU, in f32, with the CPU reference's
//! semantics (gradients accumulate until zeroed, labels refused, the same errors).
//!
//! Nothing is sent to the GPU when a method is called: `write`, `forward`, `backward`,
//! `zero_grads`, `scale_grads` and `update` queue commands ([`state`]), and the queue is
//! recorded into ONE command encoder and submitted ONCE when a [`Backend::read`] needs a
//! result (or on [`GpuBackend::flush`]). A training step is therefore one submission, and
//! several steps queued with `Trainer::step_quietly` share one. Every buffer is made at
//! load ([`buffers`]) and reused; a minibatch written while work is queued is kept on the
//! host and copied into place inside the encoder at its point in the queue (through a
//! pooled staging buffer of its own), so queued steps never see each other's data. Reads
//! of values the GPU never changes (inputs, labels, constants) and of gradients known to
//! be zero are answered from the host.
//!
//! Labels are checked when written, as the CPU checks them when it runs the loss; labels
//! computed by the graph itself cannot be checked on the GPU and give a NaN loss instead.

mod buffers;
mod errors;
mod fuse;
mod log;
mod plan;
mod record;
mod state;

use super::{GpuContext, GpuError, Readback};
use crate::backend::optimizer::UpdateRule;
use crate::backend::{Backend, BackendError, Quantity};
use crate::graph::{Graph, NodeId};
use crate::tensor::Tensor;
use errors::{at_node, check_alive, from_device};
use state::{Command, Loaded};
use std::future::Future;

/// Queued commands after which the queue is submitted even without a read, so a caller
/// that never reads does not grow it without bound.
const MAX_QUEUED: usize = 4096;

/// The [`Backend`] on a wgpu device: WebGPU in the browser, Vulkan, Metal or DX12
/// natively. Values are `f32`; reads come back widened to `f64`.
pub struct GpuBackend {
    context: GpuContext,
    loaded: Option<Loaded>,
    queue: Vec<Command>,
}

impl GpuBackend {
    /// A backend on a context the caller made (see [`GpuContext::new`]).
    pub fn new(context: GpuContext) -> GpuBackend {
        GpuBackend {
            context,
            loaded: None,
            queue: Vec::new(),
        }
    }

    /// A backend on the best adapter available, or why there is none.
    pub async fn acquire() -> Result<GpuBackend, GpuError> {
        Ok(GpuBackend::new(GpuContext::new().await?))
    }

    pub fn context(&self) -> &GpuContext {
        &self.context
    }

    /// The context back, e.g. to load another backend on the same device.
    pub fn into_context(self) -> GpuContext {
        self.context
    }

    /// Why the device was lost, if it was: the backend is then unusable and every call
    /// returns [`BackendError::Device`]; make a new one (or fall back to the CPU).
    pub fn lost(&self) -> Option<String> {
        self.context.lost()
    }

    /// Commands waiting for the next submission.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Submit the queued work now, without waiting for it.
    pub fn flush(&mut self) -> Result<(), BackendError> {
        if self.queue.is_empty() {
            return Ok(());
        }
        self.submit(Read::Nothing).map(|_| ())
    }

    fn loaded(&self) -> Result<&Loaded, BackendError> {
        self.loaded.as_ref().ok_or(BackendError::NotLoaded)
    }

    fn loaded_mut(&mut self) -> Result<&mut Loaded, BackendError> {
        self.loaded.as_mut().ok_or(BackendError::NotLoaded)
    }

    /// Queue `commands`, once the device is known to be there.
    fn push(&mut self, commands: impl IntoIterator<Item = Command>) -> Result<(), BackendError> {
        check_alive(&self.context)?;
        self.queue.extend(commands);
        if self.queue.len() >= MAX_QUEUED {
            self.flush()?;
        }
        Ok(())
    }

    /// Record the queue (and the readback `read` asks for) into one encoder and submit it.
    fn submit(&mut self, read: Read) -> Result<Option<Readback<f32>>, BackendError> {
        let GpuBackend {
            context,
            loaded,
            queue,
        } = self;
        let loaded = loaded.as_mut().ok_or(BackendError::NotLoaded)?;
        let mut recorder = context
            .recorder()
            .map_err(|error| from_device(context, error))?;
        for command in queue.drain(..) {
            loaded.record(&mut recorder, command)?;
        }
        let readback = match read {
            Read::Node(node, quantity) => Some(
                loaded
                    .prepare_read(&mut recorder, node, quantity)
                    .and_then(|()| loaded.buffer(node, quantity))?
                    .read_back(&mut recorder)
                    .map_err(|error| at_node(node, error))?,
            ),
            Read::Log => {
                let output = loaded.graph_output();
                loaded
                    .log
                    .send(&mut recorder)
                    .map_err(|error| at_node(output, error))?;
                None
            }
            Read::Nothing => None,
        };
        recorder
            .submit()
            .map_err(|error| from_device(context, error))?;
        #[cfg(not(target_arch = "wasm32"))]
        if readback.is_none() {
            // Let wgpu retire finished submissions without waiting for this one.
            let _ = context.device().poll(wgpu::PollType::Poll);
        }
        Ok(readback)
    }

    /// The readbacks of everything logged so far, the last one submitted now.
    fn send_log(&mut self) -> Result<Vec<Readback<f32>>, BackendError> {
        if !self.loaded()?.log.is_empty() {
            check_alive(&self.context)?;
            self.submit(Read::Log)?;
        }
        Ok(self.loaded_mut()?.log.take_sent())
    }

    /// What a read returns: known on the host, or on its way back from the GPU.
    fn prepare_read(
        &mut self,
        node: NodeId,
        quantity: Quantity,
    ) -> Result<Result<Tensor, Readback<f32>>, BackendError> {
        if let Some(known) = self.loaded()?.known(node, quantity)? {
            return Ok(Ok(known));
        }
        check_alive(&self.context)?;
        match self.submit(Read::Node(node, quantity))? {
            Some(readback) => Ok(Err(readback)),
            None => Err(BackendError::Device("nothing was read back".into())),
        }
    }
}

/// What a submission reads back besides running the queue.
enum Read {
    Nothing,
    Node(NodeId, Quantity),
    /// The output log's filled slots.
    Log,
}

impl Backend for GpuBackend {
    fn name(&self) -> String {
        format!("GPU (f32): {}", self.context.name())
    }

    fn load(&mut self, graph: &Graph) -> Result<(), BackendError> {
        self.queue.clear();
        self.loaded = None;
        check_alive(&self.context)?;
        self.loaded = Some(Loaded::new(&self.context, graph)?);
        Ok(())
    }

    fn write(&mut self, node: NodeId, value: &Tensor) -> Result<(), BackendError> {
        let buffer = self.loaded()?.writable(node, value)?;
        check_alive(&self.context)?;
        let data: Vec<f32> = value.data().iter().map(|&x| x as f32).collect();
        if self.queue.is_empty() {
            // Nothing queued can see it: the queue writes it before the next submission.
            self.context
                .write(buffer, &data)
                .map_err(|error| at_node(node, error))?;
        } else {
            self.push([Command::Write { node, data }])?;
        }
        self.loaded_mut()?.wrote(node, value);
        Ok(())
    }

    fn forward(&mut self) -> Result<(), BackendError> {
        let command = self.loaded_mut()?.forward()?;
        self.push([command])
    }

    fn backward(&mut self) -> Result<(), BackendError> {
        let command = self.loaded_mut()?.backward()?;
        self.push([command])
    }

    fn zero_grads(&mut self) -> Result<(), BackendError> {
        self.loaded_mut()?.zero_grads();
        Ok(())
    }

    fn scale_grads(&mut self, factor: f64) -> Result<(), BackendError> {
        let commands = self.loaded_mut()?.scale_grads(factor);
        self.push(commands)
    }

    fn update(&mut self, rule: UpdateRule, learning_rate: f64) -> Result<(), BackendError> {
        let commands = self.loaded_mut()?.update(rule, learning_rate);
        self.push(commands)
    }

    /// Queues a copy of the output into the next slot of a log on the GPU (no dispatch);
    /// a full log (`LOG_CAPACITY` values) is sent back with that submission.
    fn log_output(&mut self) -> Result<bool, BackendError> {
        let (command, full) = self.loaded_mut()?.log_output()?;
        self.push([command])?;
        if full {
            self.submit(Read::Log)?;
        }
        Ok(true)
    }

    /// One readback for everything logged since the last full log (the queue submitted
    /// with it), plus those of the logs that filled up meanwhile.
    fn read_log(&mut self) -> impl Future<Output = Result<Vec<f64>, BackendError>> {
        let prepared = self.send_log();
        let context = &self.context;
        async move {
            let mut values = Vec::new();
            for readback in prepared? {
                let data = readback
                    .data()
                    .await
                    .map_err(|error| from_device(context, error))?;
                values.extend(data.into_iter().map(f64::from));
            }
            Ok(values)
        }
    }

    fn read(
        &mut self,
        node: NodeId,
        quantity: Quantity,
    ) -> impl Future<Output = Result<Tensor, BackendError>> {
        let prepared = self.prepare_read(node, quantity);
        let context = &self.context;
        async move {
            match prepared? {
                Ok(tensor) => Ok(tensor),
                Err(readback) => readback
                    .tensor()
                    .await
                    .map_err(|error| from_device(context, error)),
            }
        }
    }
}

impl std::fmt::Debug for GpuBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuBackend")
            .field("context", &self.context)
            .field("loaded", &self.loaded.is_some())
            .field("queued", &self.queue.len())
            .finish()
    }
}
