//! Program text through `compile` and a full stepper run to the end, in reverse mode and,
//! where the program allows it, forward mode by its first input; then one step undone.
//! The work budget bounds every run, so a slow input is a bug.

#![no_main]

use backprop_viz::engine::inputs::resolve;
use backprop_viz::engine::{Mode, Stepper};
use backprop_viz::program::compile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(graph) = compile(source) else {
        return;
    };
    let Ok(inputs) = resolve(&graph, &[], Some(0.5)) else {
        return;
    };
    let wrt = graph.inputs().next();
    if let Ok(mut stepper) = Stepper::new(graph.clone(), inputs.clone(), Mode::Reverse) {
        stepper.run_to_end();
        let _ = stepper.gradients();
        stepper.step_back();
    }
    if let Some(wrt) = wrt
        && let Ok(mut stepper) = Stepper::new(graph, inputs, Mode::Forward { wrt })
    {
        stepper.run_to_end();
    }
});
