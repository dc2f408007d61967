//! Training: the loop over any [`Backend`](crate::backend::Backend) ([`trainer`]), the
//! scores of its predictions ([`metrics`]) and gradient clipping by global norm ([`clip`]).
//!
//! A backend computes gradients and applies an optimizer's update (the update rules live
//! with the backends, in [`crate::backend::optimizer`], and are re-exported here because
//! a training run is where one is chosen); minibatches come from [`crate::data`]. A seed
//! gives the same data and the same batches on every run and every platform.

pub mod clip;
pub mod metrics;
pub mod scaler;
pub mod trainer;

pub use crate::backend::optimizer::{
    Optimizer, OptimizerError, OptimizerKind, UpdateRule, zero_grad,
};
pub use clip::GradientNorm;
pub use metrics::{MetricsError, accuracy, argmax_rows};
pub use scaler::{GradScaler, LossScaling, Outcome};
pub use trainer::{Predictions, StepReport, TrainConfig, TrainError, Trainer};
