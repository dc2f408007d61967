//! Shared test support: the one GPU context, random f32-exact inputs, and a batch of
//! checks recorded into one submission and compared with the CPU reference.
//!
//! # Tolerance
//!
//! A GPU result `g` matches the CPU reference `c` when `|g − c| ≤ ABSOLUTE + RELATIVE·|c|`
//! with [`RELATIVE`] = 1e-4 and [`ABSOLUTE`] = 1e-5. The reference runs in f64 on the very
//! f32 values the GPU receives, so only the GPU's f32 arithmetic is measured. NaN matches
//! NaN and an infinity matches the same infinity.

use crate::backend::gpu::{GpuContext, GpuError, GpuTensor, Readback, Recorder, Write};
use crate::tensor::Tensor;
use std::sync::OnceLock;

pub const RELATIVE: f64 = 1e-4;
pub const ABSOLUTE: f64 = 1e-5;

/// Set to `1` to let the GPU tests pass without an adapter (never in CI).
pub const SKIP_VARIABLE: &str = "BACKPROP_SKIP_GPU";

/// The shared context, or `None` when there is no adapter and skipping was asked for.
/// Without an adapter (and without the variable) this panics: the test fails.
pub fn gpu() -> Option<&'static GpuContext> {
    static CONTEXT: OnceLock<Result<GpuContext, GpuError>> = OnceLock::new();
    let context = CONTEXT.get_or_init(|| crate::backend::block_on(GpuContext::new()));
    match context {
        Ok(context) => Some(context),
        Err(error) if std::env::var(SKIP_VARIABLE).as_deref() == Ok("1") => {
            eprintln!("GPU tests skipped ({SKIP_VARIABLE}=1): {error}");
            None
        }
        Err(error) => panic!(
            "no GPU for the GPU tests: {error}. Install Mesa's lavapipe \
             (apt-get install mesa-vulkan-drivers) or set {SKIP_VARIABLE}=1 to skip them"
        ),
    }
}

/// Values rounded to f32 and back, so the CPU sees exactly what the GPU gets.
pub fn f32_exact(tensor: Tensor) -> Tensor {
    let data = tensor.data().iter().map(|&x| f64::from(x as f32)).collect();
    Tensor::from_vec(tensor.shape().to_vec(), data).expect("same shape")
}

/// A random tensor of `shape` (standard normal samples through `map`), f32-exact.
pub fn random(shape: &[usize], seed: u64, map: fn(f64) -> f64) -> Tensor {
    let sample = Tensor::randn(shape, seed).expect("test shapes are small");
    let data = sample.data().iter().map(|&x| map(x)).collect();
    f32_exact(Tensor::from_vec(shape.to_vec(), data).expect("same shape"))
}

pub fn any(x: f64) -> f64 {
    x
}

pub fn positive(x: f64) -> f64 {
    x.abs() + 0.5
}

pub fn away_from_zero(x: f64) -> f64 {
    x + 0.25_f64.copysign(x)
}

/// Whether a GPU value matches the CPU reference under the stated tolerance.
pub fn close(gpu: f64, cpu: f64) -> bool {
    if cpu.is_nan() {
        gpu.is_nan()
    } else if cpu.is_infinite() {
        gpu == cpu
    } else {
        (gpu - cpu).abs() <= ABSOLUTE + RELATIVE * cpu.abs()
    }
}

struct Check {
    label: String,
    readback: Readback<f32>,
    expected: Tensor,
}

/// Checks recorded into one recording, compared after one submission. Tensors may be
/// dropped before the submission: the pool keeps their buffers until it.
pub struct Batch<'c> {
    pub recorder: Recorder<'c>,
    checks: Vec<Check>,
    seed: u64,
}

impl<'c> Batch<'c> {
    pub fn new(context: &'c GpuContext) -> Batch<'c> {
        Batch {
            recorder: context.recorder().expect("recording starts"),
            checks: Vec::new(),
            seed: 1,
        }
    }

    pub fn context(&self) -> &'c GpuContext {
        self.recorder.context()
    }

    /// `tensor` on the GPU.
    pub fn upload(&self, tensor: &Tensor) -> GpuTensor {
        self.context().upload(tensor).expect("upload")
    }

    /// A tensor of `shape` filled with NaN, so an element a kernel forgets shows.
    pub fn output(&mut self, shape: &[usize]) -> GpuTensor {
        let tensor = self.context().tensor(shape).expect("tensor");
        self.recorder.fill(&tensor, f32::NAN).expect("fill");
        tensor
    }

    /// Compare `tensor` (as it is at this point of the recording) with `expected`.
    pub fn expect(&mut self, label: impl Into<String>, tensor: &GpuTensor, expected: Tensor) {
        let readback = tensor.read_back(&mut self.recorder).expect("readback");
        self.checks.push(Check {
            label: label.into(),
            readback,
            expected,
        });
    }

    /// Check a backward kernel both ways: into a NaN-filled gradient with
    /// [`Write::Overwrite`] (expect `expected`), and into a random one with
    /// [`Write::Accumulate`] (expect the random values plus `expected`).
    pub fn expect_gradient(
        &mut self,
        label: &str,
        expected: &Tensor,
        mut backward: impl FnMut(&mut Recorder<'c>, &GpuTensor, Write) -> Result<(), GpuError>,
    ) {
        let shape = expected.shape().to_vec();
        let overwritten = self.output(&shape);
        backward(&mut self.recorder, &overwritten, Write::Overwrite)
            .unwrap_or_else(|error| panic!("{label}: {error}"));
        self.expect(
            format!("{label} (overwrite)"),
            &overwritten,
            expected.clone(),
        );

        self.seed += 1;
        let before = random(&shape, 9000 + self.seed, any);
        let accumulated = self.context().upload(&before).expect("upload");
        backward(&mut self.recorder, &accumulated, Write::Accumulate)
            .unwrap_or_else(|error| panic!("{label}: {error}"));
        let sum = before
            .data()
            .iter()
            .zip(expected.data())
            .map(|(a, b)| a + b)
            .collect();
        let sum = Tensor::from_vec(shape, sum).expect("same shape");
        self.expect(format!("{label} (accumulate)"), &accumulated, sum);
    }

    /// Submit once, read everything back, and fail listing every mismatch. Returns how
    /// many checks ran and the largest error seen, as a fraction of the tolerance.
    pub fn finish(self) -> (usize, f64) {
        let Batch {
            recorder, checks, ..
        } = self;
        recorder.submit().expect("submission");
        let mut failures = Vec::new();
        let mut failed = 0;
        let mut worst: f64 = 0.0;
        let count = checks.len();
        for check in checks {
            let gpu = crate::backend::block_on(check.readback.tensor())
                .unwrap_or_else(|error| panic!("{}: {error}", check.label));
            let mismatches = compare(&check.label, &gpu, &check.expected, &mut worst);
            failed += usize::from(!mismatches.is_empty());
            failures.extend(mismatches);
        }
        assert!(
            failures.is_empty(),
            "{failed} of {count} checks failed (|gpu − cpu| ≤ {ABSOLUTE} + {RELATIVE}·|cpu|):\n{}",
            failures.join("\n")
        );
        (count, worst)
    }
}

/// Mismatches between a GPU result and the reference, at most a few per check.
fn compare(label: &str, gpu: &Tensor, expected: &Tensor, worst: &mut f64) -> Vec<String> {
    if gpu.shape() != expected.shape() {
        return vec![format!(
            "{label}: shape {:?}, expected {:?}",
            gpu.shape(),
            expected.shape()
        )];
    }
    let mut failures = Vec::new();
    for (index, (&g, &c)) in gpu.data().iter().zip(expected.data()).enumerate() {
        if c.is_finite() {
            *worst = worst.max((g - c).abs() / (ABSOLUTE + RELATIVE * c.abs()));
        }
        if !close(g, c) && failures.len() < 4 {
            failures.push(format!("{label}: element {index} is {g}, expected {c}"));
        }
    }
    failures
}

/// Report a family's totals (visible with `--nocapture`).
pub fn report(family: &str, (checks, worst): (usize, f64)) {
    eprintln!("{family}: {checks} checks passed; worst error {worst:.3} of the tolerance");
}
