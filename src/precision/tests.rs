//! Rounding checked on every f16 and bf16 number and every midpoint between neighbours,
//! against the `half` crate on f32 inputs, against Rust's `as f32`, and at the edges.

use super::*;
use crate::rng::SplitMix64 as Rng;
use half::{bf16, f16};

/// Every positive finite number of a 16-bit format, in increasing order, with its bits.
fn positives(to_f64: impl Fn(u16) -> f64, infinity: u16) -> Vec<(u16, f64)> {
    (0..infinity).map(|bits| (bits, to_f64(bits))).collect()
}

/// Each number rounds to itself; a midpoint to the neighbour with the even last bit; a
/// hair above or below it to the nearer neighbour. Negative numbers mirror positive ones.
fn check_grid(precision: Precision, grid: &[(u16, f64)]) {
    for &(_, x) in grid {
        assert_eq!(
            precision.round(x).to_bits(),
            x.to_bits(),
            "{precision} keeps {x:e}"
        );
        assert_eq!(precision.round(-x).to_bits(), (-x).to_bits());
    }
    for pair in grid.windows(2) {
        let ((low_bits, low), (_, high)) = (pair[0], pair[1]);
        let middle = (low + high) / 2.0;
        let even = if low_bits % 2 == 0 { low } else { high };
        assert_eq!(precision.round(middle), even, "{precision}: tie {middle:e}");
        assert_eq!(precision.round(-middle), -even);
        assert_eq!(
            precision.round(middle.next_up()),
            high,
            "{precision}: {middle:e}+"
        );
        assert_eq!(
            precision.round(middle.next_down()),
            low,
            "{precision}: {middle:e}−"
        );
    }
    // Past the largest number by half a step or more: ∞.
    let (_, max) = *grid.last().unwrap();
    let (_, below) = grid[grid.len() - 2];
    let half_step = (max - below) / 2.0;
    assert_eq!(precision.max(), max);
    assert_eq!(precision.round(max + half_step), f64::INFINITY);
    assert_eq!(precision.round(-(max + half_step)), f64::NEG_INFINITY);
    assert_eq!(precision.round((max + half_step).next_down()), max);
    assert_eq!(precision.round(1e300), f64::INFINITY);
    assert_eq!(precision.min_positive(), grid[1].1);
}

#[test]
fn every_f16_number_and_midpoint() {
    let grid = positives(|bits| f16::from_bits(bits).to_f64(), 0x7C00);
    assert_eq!(grid.len(), 31 * 1024);
    check_grid(Precision::F16, &grid);
}

#[test]
fn every_bf16_number_and_midpoint() {
    let grid = positives(|bits| bf16::from_bits(bits).to_f64(), 0x7F80);
    check_grid(Precision::Bf16, &grid);
}

/// From an f32, `half` rounds exactly; ours agrees on a million random f32 bit patterns.
/// Rust's `as f32` is exact from f64; ours agrees on a million random f64 bit patterns.
#[test]
fn agrees_with_half_and_with_as_f32() {
    let mut rng = Rng::new(7);
    for _ in 0..1_000_000 {
        let x = f32::from_bits(rng.next_u64() as u32);
        if x.is_nan() {
            continue;
        }
        let wide = f64::from(x);
        assert_eq!(
            Precision::F16.round(wide),
            f16::from_f32(x).to_f64(),
            "{x:e}"
        );
        assert_eq!(
            Precision::Bf16.round(wide),
            bf16::from_f32(x).to_f64(),
            "{x:e}"
        );
        let y = f64::from_bits(rng.next_u64());
        if !y.is_nan() {
            assert_eq!(Precision::F32.round(y), f64::from(y as f32), "{y:e}");
        }
    }
}

#[test]
fn edges_by_hand() {
    let f16 = Precision::F16;
    assert_eq!(f16.max(), 65504.0);
    assert_eq!(f16.round(65519.99), 65504.0);
    assert_eq!(f16.round(65520.0), f64::INFINITY);
    assert_eq!(f16.min_positive(), 2f64.powi(-24));
    // Half the smallest subnormal is a tie between 0 (even) and it.
    assert_eq!(f16.round(2f64.powi(-25)), 0.0);
    assert_eq!(f16.round(2f64.powi(-25).next_up()), 2f64.powi(-24));
    assert_eq!(f16.round(0.1), 0.0999755859375);
    assert_eq!(f16.round(1.0 / 3.0), 0.333251953125);
    // Just above a tie: up. `half` drops the bits that say so and rounds down.
    let above_tie = 1.0 + 2f64.powi(-11) + 2f64.powi(-40);
    assert_eq!(f16.round(above_tie), 1.0 + 2f64.powi(-10));
    assert_eq!(half::f16::from_f64(above_tie).to_f64(), 1.0);
    let bf16 = Precision::Bf16;
    assert_eq!(bf16.round(1.0 + 2f64.powi(-8)), 1.0);
    assert_eq!(bf16.round(1.0 + 3.0 * 2f64.powi(-8)), 1.0 + 2f64.powi(-6));
    assert_eq!(bf16.round(0.1), 0.10009765625);
    assert_eq!(Precision::F32.round(0.1), f64::from(0.1f32));
    // NaN, ±∞, ±0 stay.
    for p in Precision::ALL {
        assert!(p.round(f64::NAN).is_nan());
        assert_eq!(p.round(f64::NEG_INFINITY), f64::NEG_INFINITY);
        assert_eq!(p.round(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(p.round(1.5), 1.5);
    }
    assert_eq!(Precision::F64.round(0.1), 0.1);
}

#[test]
fn losses_are_underflow_and_overflow() {
    assert_eq!(Precision::F16.loss(1e-8), Some(Loss::Underflow));
    assert_eq!(Precision::F16.loss(-1e-8), Some(Loss::Underflow));
    assert_eq!(Precision::F16.loss(1e5), Some(Loss::Overflow));
    assert_eq!(Precision::F16.loss(1e-5), None);
    assert_eq!(Precision::Bf16.loss(1e-8), None);
    assert_eq!(Precision::Bf16.loss(1e5), None);
    assert_eq!(Precision::F32.loss(1e-50), Some(Loss::Underflow));
    assert_eq!(Precision::F64.loss(1e-300), None);
    assert_eq!(Precision::F16.loss(0.0), None);
    assert_eq!(Precision::F16.loss(f64::INFINITY), None);
}

#[test]
fn names_and_sizes() {
    for p in Precision::ALL {
        assert_eq!(p.name().parse::<Precision>(), Ok(p));
        assert_eq!(p.to_string(), p.name());
    }
    assert_eq!(
        "f8".parse::<Precision>().unwrap_err().to_string(),
        "unknown precision `f8`: use f64, f32, f16 or bf16"
    );
    let bytes: Vec<usize> = Precision::ALL.iter().map(|p| p.bytes()).collect();
    assert_eq!(bytes, [8, 4, 2, 2]);
}
