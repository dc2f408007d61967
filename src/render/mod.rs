//! Text renderers shared by the CLI and the UI.

pub mod formula;
pub mod json;
pub mod notation;
pub mod step;
pub mod trace;

pub use notation::Notation;
pub use step::{RulePart, StepText, step_text};
