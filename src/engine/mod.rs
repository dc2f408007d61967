//! The engine: the stepper (reverse and forward mode), step records, input values, the
//! gradient check, the four ways to a derivative and second derivatives.

pub mod check;
pub mod depth;
pub mod four_ways;
pub mod inputs;
pub mod record;
pub mod scalar_program;
pub mod second_order;
pub mod stepper;

pub use check::{CheckEntry, GradientCheck, gradient_check};
pub use record::{Mode, Phase, Progress, StepDetail, StepRecord, Update};
pub use stepper::{EngineError, Snapshot, Stepper};
