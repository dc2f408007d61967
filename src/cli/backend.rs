//! `--backend` for `backprop trace`: the traced program's graph run once, forward and
//! backward, on a whole-graph backend, for its output's value and gradients.

use super::args::BackendArg;
use super::error::CliError;
use crate::backend::gpu::GpuBackend;
use crate::backend::{Backend, BackendError, Quantity, block_on};
use crate::engine::{Mode, Stepper};
use crate::render::Computed;

/// What `backend` computes for the finished run of `stepper`: `None` on the CPU, where
/// the stepper's own f64 results are the reference.
pub fn computed(backend: BackendArg, stepper: &Stepper) -> Result<Option<Computed>, CliError> {
    match backend {
        BackendArg::Cpu => Ok(None),
        BackendArg::Gpu if stepper.mode() != Mode::Reverse => Err(CliError::GpuForwardMode),
        BackendArg::Gpu => {
            let gpu = block_on(GpuBackend::acquire()).map_err(|error| {
                CliError::System(format!("--backend gpu: the GPU is unavailable: {error}"))
            })?;
            Ok(Some(run(gpu, stepper)?))
        }
    }
}

/// One forward and backward pass of the stepper's graph at its inputs on `backend`: the
/// output's value and the gradient of each input the stepper has one for.
pub fn run<B: Backend>(mut backend: B, stepper: &Stepper) -> Result<Computed, BackendError> {
    let graph = stepper.graph();
    backend.load(graph)?;
    for (id, value) in graph.inputs().zip(stepper.inputs()) {
        backend.write(id, value)?;
    }
    backend.zero_grads()?;
    backend.forward()?;
    backend.backward()?;
    let output = block_on(backend.read(graph.output(), Quantity::Value))?;
    let gradients = stepper
        .gradients()
        .into_iter()
        .filter(|(_, gradient)| gradient.is_some())
        .map(|(id, _)| Ok((id, block_on(backend.read(id, Quantity::Gradient))?)))
        .collect::<Result<_, BackendError>>()?;
    Ok(Computed {
        backend: backend.name(),
        output,
        gradients,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::cpu::CpuBackend;
    use crate::engine::inputs::resolve;
    use crate::engine::record::Value;
    use crate::graph::NodeId;
    use crate::program::compile;
    use crate::tensor::Tensor;

    fn finished(source: &str) -> Stepper {
        let graph = compile(source).unwrap();
        let inputs = resolve(&graph, &[], Some(2.0)).unwrap();
        let mut stepper = Stepper::new(graph, inputs, Mode::Reverse).unwrap();
        stepper.run_to_end();
        stepper
    }

    /// Equal numbers (NaN to NaN, -0 to 0) in equal shapes.
    fn same(a: &Tensor, b: &Tensor) -> bool {
        a.shape() == b.shape()
            && a.data()
                .iter()
                .zip(b.data())
                .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
    }

    /// Exactly: the CPU backend is the stepper's f64 arithmetic.
    #[test]
    fn the_cpu_backend_agrees_with_the_stepper() {
        for example in crate::examples::all() {
            let stepper = finished(example.source);
            let computed = run(CpuBackend::new(), &stepper).unwrap();
            let graph = stepper.graph();
            let output = stepper.value(graph.output()).unwrap();
            assert!(same(&computed.output, output), "{}", example.slug);
            let expected: Vec<(NodeId, Value)> = stepper
                .gradients()
                .into_iter()
                .filter_map(|(id, g)| Some((id, g?)))
                .collect();
            assert_eq!(computed.gradients.len(), expected.len(), "{}", example.slug);
            for ((id, gradient), (expected_id, expected)) in
                computed.gradients.iter().zip(&expected)
            {
                assert_eq!(id, expected_id, "{}", example.slug);
                assert!(same(gradient, expected), "{}: {id:?}", example.slug);
            }
        }
    }

    #[test]
    fn forward_mode_is_not_for_the_gpu() {
        let graph = compile("x * y").unwrap();
        let wrt = graph.inputs().next().unwrap();
        let inputs = resolve(&graph, &[], Some(1.0)).unwrap();
        let stepper = Stepper::new(graph, inputs, Mode::Forward { wrt }).unwrap();
        assert!(matches!(
            computed(BackendArg::Gpu, &stepper),
            Err(CliError::GpuForwardMode)
        ));
        assert_eq!(computed(BackendArg::Cpu, &stepper).unwrap(), None);
    }
}
