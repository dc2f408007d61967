//! Reading results back: a copy into a mappable buffer is recorded with the work, the
//! buffer is mapped when the submission completes (`map_buffer_on_submit`), and the
//! [`Readback`] future resolves once the mapping callback has run. Natively the future
//! polls the device until the work is done; in the browser it only waits.

use super::GpuError;
use super::pool::PooledBuffer;
use crate::tensor::Tensor;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

/// Where the mapping callback leaves its outcome and finds whom to wake.
#[derive(Default)]
struct MapSlot {
    outcome: Option<Result<(), String>>,
    waker: Option<Waker>,
}

type SharedSlot = Arc<Mutex<MapSlot>>;

fn settle(slot: &SharedSlot, outcome: Result<(), String>) {
    let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
    if slot.outcome.is_none() {
        slot.outcome = Some(outcome);
    }
    if let Some(waker) = slot.waker.take() {
        waker.wake();
    }
}

/// Owned by the mapping callback. If the recording is dropped unsubmitted, the callback
/// is dropped uncalled and this says so, so a waiting reader is not left hanging.
pub(crate) struct MapNotice {
    slot: SharedSlot,
}

impl MapNotice {
    pub(crate) fn deliver(self, outcome: Result<(), wgpu::BufferAsyncError>) {
        settle(&self.slot, outcome.map_err(|error| error.to_string()));
    }
}

impl Drop for MapNotice {
    fn drop(&mut self) {
        settle(
            &self.slot,
            Err("the recording was dropped before it was submitted".to_owned()),
        );
    }
}

/// Data on its way back from the GPU: `f32` for tensors, `u32` for positions. Await
/// [`Readback::data`] (or [`Readback::tensor`]) after submitting the recording that made it.
pub struct Readback<T> {
    staging: Option<PooledBuffer>,
    bytes: u64,
    shape: Vec<usize>,
    slot: SharedSlot,
    device: wgpu::Device,
    element: PhantomData<T>,
}

impl<T: bytemuck::Pod> Readback<T> {
    /// A readback of `bytes` bytes in `staging` (none for an empty tensor), and the notice
    /// the mapping callback must own.
    pub(crate) fn new(
        staging: Option<PooledBuffer>,
        bytes: u64,
        shape: Vec<usize>,
        device: wgpu::Device,
    ) -> (Readback<T>, MapNotice) {
        let slot = SharedSlot::default();
        let notice = MapNotice {
            slot: Arc::clone(&slot),
        };
        let readback = Readback {
            staging,
            bytes,
            shape,
            slot,
            device,
            element: PhantomData,
        };
        (readback, notice)
    }

    /// The shape of what is read.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The elements, once the GPU has produced them.
    pub async fn data(mut self) -> Result<Vec<T>, GpuError> {
        let Some(staging) = self.staging.take() else {
            return Ok(Vec::new());
        };
        let mapped = MapWait {
            slot: &self.slot,
            device: &self.device,
        }
        .await;
        if let Err(message) = mapped {
            staging.discard();
            return Err(GpuError::Readback(message));
        }
        let view = match staging.buffer().slice(..self.bytes).get_mapped_range() {
            Ok(view) => view,
            Err(error) => {
                staging.discard();
                return Err(GpuError::Readback(error.to_string()));
            }
        };
        let data = bytemuck::pod_collect_to_vec::<u8, T>(&view);
        drop(view);
        staging.buffer().unmap();
        Ok(data)
    }
}

impl Readback<f32> {
    /// The tensor, widened to `f64`.
    pub async fn tensor(self) -> Result<Tensor, GpuError> {
        let shape = self.shape.clone();
        let data = self.data().await?;
        Ok(Tensor::from_vec(
            shape,
            data.into_iter().map(f64::from).collect(),
        )?)
    }
}

impl<T> Drop for Readback<T> {
    fn drop(&mut self) {
        // Never read: the buffer may be mapped or about to be; do not reuse it.
        if let Some(staging) = self.staging.take() {
            staging.discard();
        }
    }
}

/// Resolves with the mapping's outcome.
struct MapWait<'a> {
    slot: &'a SharedSlot,
    device: &'a wgpu::Device,
}

impl Future for MapWait<'_> {
    type Output = Result<(), String>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        // Natively nothing runs the callbacks unless the device is polled; this blocks
        // until the submitted work is done. In the browser callbacks arrive by themselves.
        #[cfg(not(target_arch = "wasm32"))]
        if let Err(error) = self.device.poll(wgpu::PollType::wait_indefinitely()) {
            return Poll::Ready(Err(error.to_string()));
        }
        #[cfg(target_arch = "wasm32")]
        let _ = self.device;
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        match slot.outcome.clone() {
            Some(outcome) => Poll::Ready(outcome),
            None => {
                slot.waker = Some(context.waker().clone());
                // Natively the work was not submitted yet: come back and poll again.
                #[cfg(not(target_arch = "wasm32"))]
                context.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
}
