//! Initial weights scaled for depth: Glorot (Xavier) and He normal initialisation. A
//! matrix `[fan_in, fan_out]` (as `X @ W` reads it: `fan_in` rows meet each input row) gets
//! standard normal samples (`randn`, the same for the same seed) times
//! `√(2 / (fan_in + fan_out))` (Glorot, for tanh and sigmoid layers) or `√(2 / fan_in)`
//! (He, for ReLU layers), so a layer neither shrinks nor blows up the variance of what
//! passes through it, forward or backward.

use super::{Tensor, TensorError};

/// Which scaling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    Glorot,
    He,
}

impl Init {
    /// The constructor's name in a program.
    pub fn name(self) -> &'static str {
        match self {
            Init::Glorot => "glorot",
            Init::He => "he",
        }
    }

    pub fn from_name(name: &str) -> Option<Init> {
        [Init::Glorot, Init::He]
            .into_iter()
            .find(|init| init.name() == name)
    }

    /// The standard deviation for a `[fan_in, fan_out]` matrix.
    pub fn deviation(self, fan_in: usize, fan_out: usize) -> f64 {
        match self {
            Init::Glorot => (2.0 / (fan_in + fan_out) as f64).sqrt(),
            Init::He => (2.0 / fan_in as f64).sqrt(),
        }
    }

    /// A `[fan_in, fan_out]` matrix of scaled normal samples; other ranks are refused.
    pub fn matrix(self, shape: &[usize], seed: u64) -> Result<Tensor, TensorError> {
        let &[fan_in, fan_out] = shape else {
            return Err(TensorError::Rank {
                op: self.name(),
                shape: shape.to_vec(),
                expected: "two dimensions, [fan_in, fan_out]",
            });
        };
        let scale = self.deviation(fan_in.max(1), fan_out);
        let sample = Tensor::randn(shape, seed)?;
        let data = sample.data().iter().map(|x| x * scale).collect();
        Tensor::from_vec(shape.to_vec(), data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variance(values: &[f64]) -> f64 {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)
    }

    /// The sample variance of n normal draws has standard error σ²·√(2/(n−1)); with
    /// 200 × 300 = 60,000 draws that is 0.58 % of σ², so 3 % is over five standard errors.
    #[test]
    fn variances_are_two_over_the_fans() {
        let shape = [200, 300];
        for (init, expected) in [(Init::Glorot, 2.0 / 500.0), (Init::He, 2.0 / 200.0)] {
            for seed in [1, 2, 3] {
                let w = init.matrix(&shape, seed).unwrap();
                let got = variance(w.data());
                assert!(
                    (got / expected - 1.0).abs() < 0.03,
                    "{init:?} seed {seed}: variance {got}, expected {expected}"
                );
                let mean = w.data().iter().sum::<f64>() / w.len() as f64;
                assert!(
                    mean.abs() < 4.0 * (expected / w.len() as f64).sqrt(),
                    "mean {mean}"
                );
            }
        }
    }

    /// What He initialisation is for: through a ReLU layer, the second moment of the
    /// activations is kept (E[relu(z)²] = Var(z)/2 and Var(z) = fan_in · Var(w) · E[x²]).
    #[test]
    fn he_keeps_the_second_moment_through_relu_layers() {
        let (batch, width) = (256, 128);
        let mut x = Tensor::randn(&[batch, width], 9).unwrap();
        let start = x.data().iter().map(|v| v * v).sum::<f64>() / x.len() as f64;
        for layer in 0..6 {
            let w = Init::He.matrix(&[width, width], 100 + layer).unwrap();
            let z = crate::tensor::matmul::forward(&[&x, &w]).unwrap();
            let data = z.data().iter().map(|v| v.max(0.0)).collect();
            x = Tensor::from_vec(vec![batch, width], data).unwrap();
        }
        let end = x.data().iter().map(|v| v * v).sum::<f64>() / x.len() as f64;
        assert!(
            (end / start - 1.0).abs() < 0.35,
            "second moment {start} → {end}"
        );
    }

    #[test]
    fn only_matrices() {
        assert!(matches!(
            Init::Glorot.matrix(&[3], 0),
            Err(TensorError::Rank { .. })
        ));
        assert_eq!(Init::from_name("he"), Some(Init::He));
        assert_eq!(Init::from_name("xavier"), None);
    }
}
