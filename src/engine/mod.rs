//! The engine: the stepper (reverse and forward mode), step records, input values and
//! the gradient check.

pub mod check;
pub mod depth;
pub mod inputs;
pub mod record;
pub mod stepper;

pub use check::{CheckEntry, GradientCheck, gradient_check};
pub use record::{Mode, Phase, Progress, StepDetail, StepRecord, Update};
pub use stepper::{EngineError, Snapshot, Stepper};
