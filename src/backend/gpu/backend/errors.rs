//! GPU errors as [`BackendError`]s: an op refusing its operands names its node, as on the
//! CPU; everything about the device (lost, out of memory, over a limit) is
//! [`BackendError::Device`], the one variant the app reacts to by falling back to the CPU.

use super::super::{GpuContext, GpuError};
use crate::backend::BackendError;
use crate::graph::NodeId;

/// `error` raised while allocating or recording `node`.
pub(crate) fn at_node(node: NodeId, error: GpuError) -> BackendError {
    match error {
        GpuError::Tensor(error) => BackendError::Tensor { node, error },
        GpuError::DeviceLost(_) => BackendError::Device(error.to_string()),
        other => BackendError::Device(format!("node {}: {other}", node.0)),
    }
}

/// `error` raised by the device itself; a lost device says so, whatever failed first.
pub(crate) fn from_device(context: &GpuContext, error: GpuError) -> BackendError {
    match context.lost() {
        Some(reason) => BackendError::Device(GpuError::DeviceLost(reason).to_string()),
        None => BackendError::Device(error.to_string()),
    }
}

/// Refuse to queue work on a device that is gone.
pub(crate) fn check_alive(context: &GpuContext) -> Result<(), BackendError> {
    match context.lost() {
        Some(reason) => Err(BackendError::Device(
            GpuError::DeviceLost(reason).to_string(),
        )),
        None => Ok(()),
    }
}
