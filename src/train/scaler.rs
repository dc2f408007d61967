//! Loss scaling for low-precision gradients: a static scale, or the dynamic scheme of
//! PyTorch's `GradScaler` (multiply the loss by the scale before the backward pass, divide
//! the gradients by it before the update; a step whose gradients hold ∞ or NaN is skipped
//! and the scale halved; after `growth_interval` good steps in a row the scale doubles).
//! The numbers are PyTorch's defaults: 2¹⁶ to start, ×2 to grow, ×½ to back off, 2000
//! steps between growths.

use std::fmt;
use std::str::FromStr;

/// PyTorch's `GradScaler` defaults.
pub const INIT_SCALE: f64 = 65536.0;
pub const GROWTH_FACTOR: f64 = 2.0;
pub const BACKOFF_FACTOR: f64 = 0.5;
pub const GROWTH_INTERVAL: u32 = 2000;

/// `--loss-scale S` or `--loss-scale dynamic`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LossScaling {
    Static(f64),
    Dynamic,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLossScale(pub String);

impl fmt::Display for BadLossScale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the loss scale must be a positive number or `dynamic`, found `{}`",
            self.0
        )
    }
}

impl std::error::Error for BadLossScale {}

impl FromStr for LossScaling {
    type Err = BadLossScale;

    fn from_str(text: &str) -> Result<LossScaling, BadLossScale> {
        let text = text.trim();
        if text == "dynamic" {
            return Ok(LossScaling::Dynamic);
        }
        match text.parse::<f64>() {
            Ok(scale) if scale.is_finite() && scale > 0.0 => Ok(LossScaling::Static(scale)),
            _ => Err(BadLossScale(text.to_string())),
        }
    }
}

/// What became of a training step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The gradients were finite; the update was made.
    Applied,
    /// A gradient was ∞ or NaN: no update, and the scale backed off.
    Skipped,
}

/// The loss scale across training steps.
#[derive(Clone, Debug, PartialEq)]
pub struct GradScaler {
    scale: f64,
    dynamic: bool,
    growth_interval: u32,
    /// Good steps since the last growth or back-off.
    good_steps: u32,
}

impl GradScaler {
    pub fn new(scaling: LossScaling) -> GradScaler {
        match scaling {
            LossScaling::Static(scale) => GradScaler {
                scale,
                dynamic: false,
                growth_interval: GROWTH_INTERVAL,
                good_steps: 0,
            },
            LossScaling::Dynamic => GradScaler::dynamic(INIT_SCALE, GROWTH_INTERVAL),
        }
    }

    /// A dynamic scaler with its own start and interval (PyTorch's factors).
    pub fn dynamic(scale: f64, growth_interval: u32) -> GradScaler {
        GradScaler {
            scale,
            dynamic: true,
            growth_interval: growth_interval.max(1),
            good_steps: 0,
        }
    }

    /// Its whole state: (scale, dynamic, growth interval, good steps since the last
    /// change), for moving a run elsewhere exactly.
    pub fn parts(&self) -> (f64, bool, u32, u32) {
        (
            self.scale,
            self.dynamic,
            self.growth_interval,
            self.good_steps,
        )
    }

    /// The scaler whose [`GradScaler::parts`] are these.
    pub fn from_parts(
        (scale, dynamic, growth_interval, good_steps): (f64, bool, u32, u32),
    ) -> GradScaler {
        GradScaler {
            scale,
            dynamic,
            growth_interval: growth_interval.max(1),
            good_steps,
        }
    }

    /// What the loss (the output's adjoint seed) is multiplied by in this step.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// A gradient with the scale divided out, before the update.
    pub fn unscale(&self, gradient: f64) -> f64 {
        gradient / self.scale
    }

    /// After a backward pass: whether to apply the update, and the next step's scale. A
    /// static scale never changes, but a step with ∞ or NaN is still skipped.
    pub fn update(&mut self, gradients_finite: bool) -> Outcome {
        if !gradients_finite {
            if self.dynamic {
                self.scale *= BACKOFF_FACTOR;
            }
            self.good_steps = 0;
            return Outcome::Skipped;
        }
        if self.dynamic {
            self.good_steps += 1;
            if self.good_steps == self.growth_interval {
                self.scale *= GROWTH_FACTOR;
                self.good_steps = 0;
            }
        }
        Outcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_from_text() {
        assert_eq!("dynamic".parse(), Ok(LossScaling::Dynamic));
        assert_eq!("1024".parse(), Ok(LossScaling::Static(1024.0)));
        assert_eq!(" 0.5 ".parse(), Ok(LossScaling::Static(0.5)));
        for bad in ["0", "-2", "inf", "NaN", "lots", ""] {
            let error = bad.parse::<LossScaling>().unwrap_err();
            assert!(
                error.to_string().contains("positive number or `dynamic`"),
                "{bad}"
            );
        }
    }

    /// Start at 2¹⁶; ∞ → skip and halve; three good steps (interval 3) → double; a bad
    /// step resets the count of good ones.
    #[test]
    fn the_dynamic_state_machine() {
        let mut scaler = GradScaler::dynamic(INIT_SCALE, 3);
        assert_eq!(scaler.scale(), 65536.0);
        assert_eq!(scaler.update(false), Outcome::Skipped);
        assert_eq!(scaler.scale(), 32768.0);
        assert_eq!(scaler.update(false), Outcome::Skipped);
        assert_eq!(scaler.scale(), 16384.0);
        assert_eq!(scaler.update(true), Outcome::Applied);
        assert_eq!(scaler.update(true), Outcome::Applied);
        assert_eq!(scaler.scale(), 16384.0);
        assert_eq!(scaler.update(true), Outcome::Applied);
        assert_eq!(scaler.scale(), 32768.0);
        assert_eq!(scaler.update(true), Outcome::Applied);
        assert_eq!(scaler.update(true), Outcome::Applied);
        assert_eq!(scaler.update(false), Outcome::Skipped);
        assert_eq!(scaler.scale(), 16384.0);
        // The count started again: two good steps are not enough.
        scaler.update(true);
        scaler.update(true);
        assert_eq!(scaler.scale(), 16384.0);
        scaler.update(true);
        assert_eq!(scaler.scale(), 32768.0);
        assert_eq!(scaler.unscale(65536.0), 2.0);
    }

    #[test]
    fn pytorch_defaults_and_static_scales() {
        let mut scaler = GradScaler::new(LossScaling::Dynamic);
        assert_eq!(scaler.scale(), 65536.0);
        for _ in 0..1999 {
            scaler.update(true);
        }
        assert_eq!(scaler.scale(), 65536.0);
        scaler.update(true);
        assert_eq!(scaler.scale(), 131072.0);
        let mut fixed = GradScaler::new(LossScaling::Static(128.0));
        assert_eq!(fixed.update(false), Outcome::Skipped);
        for _ in 0..5000 {
            fixed.update(true);
        }
        assert_eq!(fixed.scale(), 128.0);
    }
}
