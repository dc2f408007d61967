//! How numbers are stored: f64 (the reference), f32, f16 or bf16, each value rounded to the
//! nearest number of the format, ties to even, as IEEE 754 hardware stores it; and which
//! stored numbers lost everything (a nonzero value stored as 0, a finite one as ∞).
//!
//! The rounding is our own, exact from f64 (scale by a power of two onto the format's
//! grid, `round_ties_even`, scale back; all three steps are exact in f64). The `half`
//! crate's `from_f64` drops the low 32 bits of the f64 mantissa before rounding, so a value
//! just above a tie can go the wrong way (1 + 2⁻¹¹ + 2⁻⁴⁰ becomes 1 in f16, not 1 + 2⁻¹⁰);
//! the tests check ours against `half` on f32 inputs, where `half` is exact, and on every
//! f16 and bf16 number and every midpoint between neighbours.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    #[default]
    F64,
    F32,
    F16,
    Bf16,
}

/// Why a stored number is not the computed one in a way that matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Loss {
    /// A nonzero number stored as ±0.
    Underflow,
    /// A finite number stored as ±∞.
    Overflow,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownPrecision(pub String);

impl fmt::Display for UnknownPrecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown precision `{}`: use f64, f32, f16 or bf16",
            self.0
        )
    }
}

impl std::error::Error for UnknownPrecision {}

impl Precision {
    pub const ALL: [Precision; 4] = [
        Precision::F64,
        Precision::F32,
        Precision::F16,
        Precision::Bf16,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Precision::F64 => "f64",
            Precision::F32 => "f32",
            Precision::F16 => "f16",
            Precision::Bf16 => "bf16",
        }
    }

    /// Bytes per stored number.
    pub fn bytes(self) -> usize {
        match self {
            Precision::F64 => 8,
            Precision::F32 => 4,
            Precision::F16 | Precision::Bf16 => 2,
        }
    }

    /// (stored mantissa bits, exponent bits).
    fn layout(self) -> (i32, i32) {
        match self {
            Precision::F64 => (52, 11),
            Precision::F32 => (23, 8),
            Precision::F16 => (10, 5),
            Precision::Bf16 => (7, 8),
        }
    }

    /// The largest finite number of the format.
    pub fn max(self) -> f64 {
        let (mantissa, exponent) = self.layout();
        let emax = (1 << (exponent - 1)) - 1;
        (2.0 - 2f64.powi(-mantissa)) * 2f64.powi(emax)
    }

    /// The smallest positive number of the format (a subnormal).
    pub fn min_positive(self) -> f64 {
        let (mantissa, exponent) = self.layout();
        let emin = 2 - (1 << (exponent - 1));
        2f64.powi(emin - mantissa)
    }

    /// `x` as this format stores it: the nearest number of the format, ties to the one
    /// with an even last mantissa bit; beyond the largest finite number by half a step or
    /// more, ±∞. NaN, ±∞ and ±0 are kept.
    pub fn round(self, x: f64) -> f64 {
        if self == Precision::F64 || !x.is_finite() || x == 0.0 {
            return x;
        }
        let (mantissa, exponent) = self.layout();
        let emax = (1 << (exponent - 1)) - 1;
        let emin = 1 - emax;
        let a = x.abs();
        // The binade of a: a ∈ [2^e, 2^(e+1)) (f64 subnormals are far below every
        // format's smallest number and land on 0 below).
        let e = ((a.to_bits() >> 52) as i32) - 1023;
        if e > emax {
            return f64::INFINITY.copysign(x);
        }
        // The format's spacing there: 2^quantum. Scaling by powers of two is exact.
        let quantum = e.max(emin) - mantissa;
        let steps = (a * 2f64.powi(-quantum)).round_ties_even();
        let rounded = steps * 2f64.powi(quantum);
        if rounded >= 2f64.powi(emax + 1) {
            return f64::INFINITY.copysign(x);
        }
        rounded.copysign(x)
    }

    /// What storing `x` in this format loses entirely, if anything.
    pub fn loss(self, x: f64) -> Option<Loss> {
        let stored = self.round(x);
        if x != 0.0 && stored == 0.0 {
            Some(Loss::Underflow)
        } else if x.is_finite() && stored.is_infinite() {
            Some(Loss::Overflow)
        } else {
            None
        }
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Precision {
    type Err = UnknownPrecision;

    fn from_str(text: &str) -> Result<Precision, UnknownPrecision> {
        Precision::ALL
            .into_iter()
            .find(|p| p.name() == text.trim())
            .ok_or_else(|| UnknownPrecision(text.to_string()))
    }
}

#[cfg(test)]
mod tests;
