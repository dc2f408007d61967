//! Backend parity: every check is written once, generic over [`Backend`], and run for each
//! backend — the CPU reference (f64) and the GPU backend (f32, wgpu; lavapipe in CI).
//!
//! # Tolerance
//!
//! A backend's number `b` matches the reference `r` when `|b − r| ≤ absolute + relative·|r|`.
//! The CPU backend is held to exact equality with itself (and the seeds' printed decimals to
//! 1e-12). The GPU is held to [`GPU`]: absolute 1e-4, relative 1e-3, for whole graphs and
//! for losses and parameters after ten optimizer steps. f32 rounds every node's value, so
//! errors compound along a graph; lavapipe stays within 1e-5 + 1e-4·|r| on every check
//! here, and the factor of ten leaves room for GPUs with faster, looser `exp` and `log`.
//! Single kernels are checked tighter in `src/backend/gpu/tests`.
//!
//! # No GPU
//!
//! Without an adapter the GPU tests FAIL. Set `BACKPROP_SKIP_GPU=1` to let them pass
//! without running (never in CI: a machine without a GPU driver must not look green).

mod checks;
mod training;

use backprop_viz::backend::Backend;
use backprop_viz::backend::block_on;
use backprop_viz::backend::cpu::CpuBackend;
use backprop_viz::backend::gpu::GpuBackend;
use backprop_viz::tensor::Tensor;

/// How far a backend may be from the f64 reference.
#[derive(Clone, Copy, Debug)]
pub struct Tolerance {
    pub absolute: f64,
    pub relative: f64,
}

pub const EXACT: Tolerance = Tolerance {
    absolute: 0.0,
    relative: 0.0,
};
pub const GPU: Tolerance = Tolerance {
    absolute: 1e-4,
    relative: 1e-3,
};

impl Tolerance {
    pub fn close(self, got: f64, expected: f64) -> bool {
        if expected.is_nan() {
            return got.is_nan();
        }
        if expected.is_infinite() {
            return got == expected;
        }
        (got - expected).abs() <= self.absolute + self.relative * expected.abs()
    }

    /// This tolerance, with an absolute part of at least `absolute`.
    pub fn at_least(self, absolute: f64) -> Tolerance {
        Tolerance {
            absolute: self.absolute.max(absolute),
            ..self
        }
    }

    /// Fail, naming the first few elements out of tolerance.
    pub fn assert_tensor(self, label: &str, got: &Tensor, expected: &Tensor) {
        assert_eq!(got.shape(), expected.shape(), "{label}: shape");
        let bad: Vec<String> = got
            .data()
            .iter()
            .zip(expected.data())
            .enumerate()
            .filter(|&(_, (&g, &e))| !self.close(g, e))
            .take(4)
            .map(|(index, (g, e))| format!("element {index} is {g}, expected {e}"))
            .collect();
        assert!(bad.is_empty(), "{label} ({self:?}): {}", bad.join("; "));
    }

    pub fn assert_number(self, label: &str, got: f64, expected: f64) {
        assert!(
            self.close(got, expected),
            "{label}: {got}, expected {expected} ({self:?})"
        );
    }
}

/// Set to `1` to let the GPU tests pass without an adapter (never in CI).
const SKIP_VARIABLE: &str = "BACKPROP_SKIP_GPU";

pub fn cpu() -> Option<CpuBackend> {
    Some(CpuBackend::new())
}

/// A GPU backend on its own device, `None` only when skipping was asked for.
pub fn gpu() -> Option<GpuBackend> {
    match block_on(GpuBackend::acquire()) {
        Ok(backend) => Some(backend),
        Err(error) if std::env::var(SKIP_VARIABLE).as_deref() == Ok("1") => {
            eprintln!("GPU parity tests skipped ({SKIP_VARIABLE}=1): {error}");
            None
        }
        Err(error) => panic!(
            "no GPU for the parity tests: {error}. Install Mesa's lavapipe \
             (apt-get install mesa-vulkan-drivers) or set {SKIP_VARIABLE}=1 to skip them"
        ),
    }
}

/// One `#[test]` per check for a backend: `make` gives the backend (or `None` to skip).
macro_rules! parity {
    ($backend:ident, $make:path, $tolerance:path) => {
        mod $backend {
            use super::*;

            fn make() -> Option<impl Backend> {
                $make()
            }

            #[test]
            fn the_seeds_tiny_relu_network_has_its_published_numbers() {
                let Some(backend) = make() else { return };
                checks::tiny_relu_network(backend, $tolerance);
            }

            #[test]
            fn every_op_forward_and_backward_matches_the_reference() {
                let Some(backend) = make() else { return };
                checks::every_op(backend, $tolerance);
            }

            #[test]
            fn dense_layers_match_the_reference() {
                let Some(backend) = make() else { return };
                checks::dense_layers(backend, $tolerance);
            }

            #[test]
            fn unusual_graphs_match_the_reference() {
                let Some(backend) = make() else { return };
                checks::unusual_graphs(backend, $tolerance);
            }

            #[test]
            fn gradients_accumulate_until_zeroed_and_only_parameters_move() {
                let Some(backend) = make() else { return };
                checks::accumulation(backend);
            }

            #[test]
            fn queued_writes_land_in_order() {
                let Some(backend) = make() else { return };
                checks::queued_writes(backend, $tolerance);
            }

            #[test]
            fn errors_match_the_reference() {
                let Some(backend) = make() else { return };
                checks::errors(backend);
            }

            #[test]
            fn moons_mlp_steps_match_the_reference() {
                let (Some(backend), Some(again)) = (make(), make()) else {
                    return;
                };
                training::moons_steps(backend, again, $tolerance);
            }

            #[test]
            fn moons_mlp_reaches_95_percent_with_adam() {
                let Some(backend) = make() else { return };
                training::moons_reaches_95_percent(backend);
            }
        }
    };
}

parity!(cpu_backend, cpu, EXACT);
parity!(gpu_backend, gpu, GPU);
