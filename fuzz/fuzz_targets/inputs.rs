//! `--at` values (`x1=3,x2=-4.5`) through the CLI's reader, against a program with scalar
//! inputs, a defaulted one and a tensor one, and through the shared parser alone.

#![no_main]

use backprop_viz::cli::inputs::input_values;
use backprop_viz::engine::inputs::parse_assignments;
use backprop_viz::graph::Graph;
use backprop_viz::program::compile;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Inputs `b` (defaulted), `W` (a tensor), `x1` and `x2`.
const PROGRAM: &str = "b = 1\nW = [[1, 2], [3, 4]]\nv = [1, 1]\nsum(W @ v) * b * x1 + x2";

fn graph() -> &'static Graph {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    GRAPH.get_or_init(|| compile(PROGRAM).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_assignments(text);
    let at: Vec<String> = text.split('\n').map(str::to_string).collect();
    if let Err(error) = input_values(graph(), &at) {
        let _ = error.report();
    }
});
