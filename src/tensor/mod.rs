//! Tensors: dense row-major `f64` arrays, NumPy broadcasting, and each tensor op's forward
//! rule beside its vector-Jacobian product (VJP).
//!
//! A scalar is a tensor of shape `[]`. Every op module offers `forward` and
//! `vjp(inputs, output, upstream)`, which returns one gradient per input with that input's
//! shape. Elementwise ops reuse the scalar
//! [`Op`](crate::op::Op) rules and derivative formulas element by element, so each
//! derivative is written once.

pub mod elementwise;
mod error;
pub mod init;
pub mod layer_norm;
pub mod loss;
pub mod matmul;
mod nested;
pub mod ops;
pub mod reduce;
pub mod shape;
pub mod softmax;

#[cfg(test)]
mod check;

pub use error::{TensorError, shape_text};
pub use nested::Nested;
use serde::{Deserialize, Serialize};
pub use shape::{broadcast_shapes, reduce_to_shape};

/// The most elements a tensor may hold (4 Mi, 32 MiB of `f64`).
pub const MAX_ELEMENTS: usize = 1 << 22;
/// The most dimensions a tensor may have.
pub const MAX_RANK: usize = 32;

/// A dense `f64` array in row-major order. The data length always equals the product of
/// the shape, which is at most [`MAX_ELEMENTS`] (checked again when deserializing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawTensor")]
pub struct Tensor {
    shape: Vec<usize>,
    #[serde(with = "crate::number::serde_f64::vec")]
    data: Vec<f64>,
}

#[derive(Deserialize)]
struct RawTensor {
    shape: Vec<usize>,
    #[serde(with = "crate::number::serde_f64::vec")]
    data: Vec<f64>,
}

impl TryFrom<RawTensor> for Tensor {
    type Error = TensorError;

    fn try_from(raw: RawTensor) -> Result<Tensor, TensorError> {
        Tensor::from_vec(raw.shape, raw.data)
    }
}

impl Tensor {
    /// A tensor of shape `[]` holding one number.
    pub fn scalar(value: f64) -> Tensor {
        Tensor {
            shape: Vec::new(),
            data: vec![value],
        }
    }

    /// The given values, read row-major into `shape`.
    pub fn from_vec(shape: Vec<usize>, data: Vec<f64>) -> Result<Tensor, TensorError> {
        let expected = element_count(&shape)?;
        if data.len() != expected {
            return Err(TensorError::DataLength {
                shape,
                expected,
                found: data.len(),
            });
        }
        Ok(Tensor { shape, data })
    }

    /// Every element equal to `value`.
    pub fn full(shape: &[usize], value: f64) -> Result<Tensor, TensorError> {
        let count = element_count(shape)?;
        Ok(Tensor {
            shape: shape.to_vec(),
            data: vec![value; count],
        })
    }

    pub fn zeros(shape: &[usize]) -> Result<Tensor, TensorError> {
        Tensor::full(shape, 0.0)
    }

    pub fn ones(shape: &[usize]) -> Result<Tensor, TensorError> {
        Tensor::full(shape, 1.0)
    }

    /// Standard normal samples, the same for the same `seed` on every platform.
    pub fn randn(shape: &[usize], seed: u64) -> Result<Tensor, TensorError> {
        let count = element_count(shape)?;
        Ok(Tensor {
            shape: shape.to_vec(),
            data: {
                let mut generator = crate::rng::SplitMix64::new(seed);
                (0..count).map(|_| generator.gaussian()).collect()
            },
        })
    }

    /// A tensor from a nested literal such as `[[1, 2], [3, 4]]`; rows of one depth must
    /// all have the same length ([`TensorError::Ragged`] otherwise).
    pub fn from_nested(literal: &Nested) -> Result<Tensor, TensorError> {
        let (shape, data) = nested::flatten(literal)?;
        Tensor::from_vec(shape, data)
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn data(&self) -> &[f64] {
        &self.data
    }

    pub fn into_data(self) -> Vec<f64> {
        self.data
    }

    /// The number of dimensions (0 for a scalar).
    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The value of a one-element tensor (a scalar, `[1]`, `[1,1]`, ...).
    pub fn item(&self) -> Option<f64> {
        match self.data.as_slice() {
            [value] => Some(*value),
            _ => None,
        }
    }

    /// The element at a multi-index, or `None` if the index does not fit the shape.
    pub fn get(&self, index: &[usize]) -> Option<f64> {
        if index.len() != self.shape.len() {
            return None;
        }
        let mut flat = 0;
        for (&i, &dim) in index.iter().zip(&self.shape) {
            if i >= dim {
                return None;
            }
            flat = flat * dim + i;
        }
        self.data.get(flat).copied()
    }

    /// `f` applied to every element.
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Tensor {
        Tensor::from_parts(
            self.shape.clone(),
            self.data.iter().map(|&x| f(x)).collect(),
        )
    }

    /// `f` applied to the elements of two tensors of the same shape, pairwise; `None`
    /// when the shapes differ.
    pub fn zip_with(&self, other: &Tensor, f: impl Fn(f64, f64) -> f64) -> Option<Tensor> {
        (self.shape == other.shape).then(|| {
            let data = self.data.iter().zip(&other.data).map(|(&a, &b)| f(a, b));
            Tensor::from_parts(self.shape.clone(), data.collect())
        })
    }

    /// A tensor whose shape is known to match its data (shapes derived from valid inputs).
    pub(crate) fn from_parts(shape: Vec<usize>, data: Vec<f64>) -> Tensor {
        debug_assert_eq!(shape.iter().product::<usize>(), data.len());
        Tensor { shape, data }
    }
}

/// The number of elements of `shape`, refusing more than [`MAX_ELEMENTS`] (or a product
/// that overflows) and more than [`MAX_RANK`] dimensions.
pub fn element_count(shape: &[usize]) -> Result<usize, TensorError> {
    if shape.len() > MAX_RANK {
        return Err(TensorError::TooManyDimensions {
            rank: shape.len(),
            limit: MAX_RANK,
        });
    }
    let too_large = || TensorError::TooLarge {
        shape: shape.to_vec(),
        limit: MAX_ELEMENTS,
    };
    // Zero dimensions are skipped so that a zero cannot hide an oversized product.
    let nonzero_product = shape
        .iter()
        .filter(|&&dim| dim != 0)
        .try_fold(1usize, |acc, &dim| acc.checked_mul(dim))
        .filter(|&product| product <= MAX_ELEMENTS)
        .ok_or_else(too_large)?;
    Ok(if shape.contains(&0) {
        0
    } else {
        nonzero_product
    })
}

/// The operands of a VJP or forward call, refusing the wrong count.
pub(crate) fn operands<'a, const N: usize>(
    op: &'static str,
    inputs: &[&'a Tensor],
) -> Result<[&'a Tensor; N], TensorError> {
    <[&Tensor; N]>::try_from(inputs).map_err(|_| TensorError::Arity {
        op,
        expected: N,
        found: inputs.len(),
    })
}

/// Refuse an output or upstream gradient whose shape is not `expected`.
pub(crate) fn expect_shape(
    op: &'static str,
    what: &'static str,
    tensor: &Tensor,
    expected: &[usize],
) -> Result<(), TensorError> {
    if tensor.shape() == expected {
        Ok(())
    } else {
        Err(TensorError::GradientShape {
            op,
            what,
            expected: expected.to_vec(),
            found: tensor.shape().to_vec(),
        })
    }
}

#[cfg(test)]
mod tests;
