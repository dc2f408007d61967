//! A run's results as a whole-graph backend computed them (the GPU's f32), shown in place
//! of the stepper's: the steps stay the stepper's, the output and the gradients do not.

use crate::graph::NodeId;
use crate::tensor::Tensor;

#[derive(Clone, Debug, PartialEq)]
pub struct Computed {
    /// Who computed them, for people: `GPU (f32): llvmpipe (LLVM 20.1.2, 256 bits)`.
    pub backend: String,
    /// The output's value.
    pub output: Tensor,
    /// ∂output/∂input for each input the run has a gradient of, in graph order.
    pub gradients: Vec<(NodeId, Tensor)>,
}
