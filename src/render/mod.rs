//! Text renderers shared by the CLI and the UI.

pub mod accumulation;
pub mod computed;
pub mod equation;
pub mod formula;
pub mod json;
pub mod markup;
pub mod memory;
pub mod micrograd;
pub mod notation;
pub mod python;
pub mod pytorch;
pub mod speech;
pub mod step;
pub mod svg;
pub mod trace;

#[cfg(test)]
mod mathml_check;

pub use computed::Computed;
pub use equation::{Equation, Relation};
pub use notation::{Notation, Operator, math_block, math_inline};
pub use step::{RulePart, StepText, step_text};
