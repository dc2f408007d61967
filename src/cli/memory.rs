//! `backprop memory`: the bytes the tape holds at every step of a run, and its peak.

use super::args::{CheckFormat, MemoryArgs};
use super::error::CliError;
use super::inputs::input_values;
use super::source::{compile_source, load};
use super::trace::checkpoints;
use crate::engine::{Mode, Stepper};
use crate::precision::Precision;
use crate::render::memory;
use std::io::Read;

/// The memory table as the text to print.
pub fn run(args: &MemoryArgs, stdin: &mut dyn Read) -> Result<String, CliError> {
    let source = load(&args.program.program, stdin)?;
    let graph = compile_source(&source)?;
    let inputs = input_values(&graph, &args.program.at)?;
    let checkpoints = checkpoints(&graph, args.checkpoint.as_deref())?;
    let precision = Precision::from(args.precision);
    if args.sweep {
        let rows = memory::sweep(&graph, precision.bytes());
        return Ok(match args.format {
            CheckFormat::Text => memory::sweep_text(&graph, &rows, precision.bytes()),
            CheckFormat::Json => json_text(&rows)?,
        });
    }
    let stepper = Stepper::with_checkpoints(graph, inputs, Mode::Reverse, checkpoints)?;
    let table = memory::table(&stepper, &source.text, precision.bytes());
    Ok(match args.format {
        CheckFormat::Text => memory::text(&table),
        CheckFormat::Json => json_text(&table)?,
    })
}

fn json_text(value: &impl serde::Serialize) -> Result<String, CliError> {
    let json = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::System(format!("cannot write JSON: {e}")))?;
    Ok(json + "\n")
}
