//! Deterministic standard-normal samples: SplitMix64 for uniform bits, Box–Muller for normals.

use std::f64::consts::TAU;

/// The SplitMix64 generator: a 64-bit counter passed through a mixing function.
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform sample in (0, 1]: never 0, so its logarithm is finite.
    fn next_open_unit(&mut self) -> f64 {
        let top_53_bits = self.next_u64() >> 11;
        (top_53_bits as f64 + 1.0) / (1u64 << 53) as f64
    }
}

/// `count` samples of N(0, 1), two per pair of uniforms.
pub(super) fn standard_normals(seed: u64, count: usize) -> Vec<f64> {
    let mut generator = SplitMix64 { state: seed };
    let mut samples = Vec::with_capacity(count);
    while samples.len() < count {
        let radius = (-2.0 * generator.next_open_unit().ln()).sqrt();
        let angle = TAU * generator.next_open_unit();
        samples.push(radius * angle.cos());
        if samples.len() < count {
            samples.push(radius * angle.sin());
        }
    }
    samples
}
