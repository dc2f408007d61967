//! Training on plain buffers: built-in 2-D datasets, optimizers and metrics.
//!
//! Everything here works on `Vec<f64>` and slices with explicit shapes, so it is tested
//! natively and shared by every backend: a backend computes gradients, an [`Optimizer`]
//! applies them to each parameter buffer, and [`metrics`] scores the predictions.
//! Randomness comes from a small seeded generator ([`crate::rng::SplitMix64`]), so a seed gives
//! the same data and the same batches on every run and every platform.

pub mod data;
pub mod dataset;
pub mod metrics;
pub mod optimizer;
pub mod trainer;

pub use crate::rng::SplitMix64;
pub use data::{DataSpec, batch_tensors};
pub use dataset::{Dataset, DatasetError};
pub use metrics::{MetricsError, accuracy, argmax_rows};
pub use optimizer::{Optimizer, OptimizerError, OptimizerKind, UpdateRule, zero_grad};
pub use trainer::{TrainConfig, TrainError, Trainer};
