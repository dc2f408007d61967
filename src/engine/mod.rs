//! The engine: the stepper (reverse and forward mode), step records, input values, the
//! gradient check (of custom derivatives too), anomaly mode, the tape's memory, the four ways
//! to a derivative and second derivatives.

pub mod accumulate;
pub mod anomaly;
pub mod check;
pub mod checkpoint;
pub mod compute;
pub mod custom;
pub mod depth;
pub mod drift;
pub mod four_ways;
pub mod inputs;
pub mod memory;
pub mod record;
pub mod scalar_program;
pub mod second_order;
pub mod setup;
pub mod stepper;

pub use accumulate::{Training, TrainingError};
pub use anomaly::{Anomaly, run_until_anomaly};
pub use check::{CheckEntry, GradientCheck, gradient_check};
pub use checkpoint::{CheckpointError, CheckpointPlan};
pub use custom::{CustomCheck, check_custom_derivatives};
pub use record::{Mode, PassProgress, Phase, Progress, StepDetail, StepRecord, Update};
pub use stepper::{EngineError, Snapshot, Stepper};
