//! The engine: the stepper (reverse and forward mode), step records, input values, the
//! gradient check (of custom derivatives too) and anomaly mode.

pub mod anomaly;
pub mod check;
pub mod custom;
pub mod depth;
pub mod inputs;
pub mod record;
pub mod stepper;

pub use anomaly::{Anomaly, run_until_anomaly};
pub use check::{CheckEntry, GradientCheck, gradient_check};
pub use custom::{CustomCheck, check_custom_derivatives};
pub use record::{Mode, Phase, Progress, StepDetail, StepRecord, Update};
pub use stepper::{EngineError, Snapshot, Stepper};
