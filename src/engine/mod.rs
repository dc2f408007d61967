//! The engine: the stepper (reverse and forward mode), step records, input values, the
//! gradient check and the tape's memory.

pub mod check;
pub mod checkpoint;
pub mod depth;
pub mod drift;
pub mod inputs;
pub mod memory;
pub mod record;
pub mod stepper;

pub use check::{CheckEntry, GradientCheck, gradient_check};
pub use checkpoint::{CheckpointError, CheckpointPlan};
pub use record::{Mode, Phase, Progress, StepDetail, StepRecord, Update};
pub use stepper::{EngineError, Snapshot, Stepper};
