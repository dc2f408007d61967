//! What a run records of its numeric options, step by step: the global gradient norm
//! before and after clipping, the loss scaler's state (the scale the next step uses, the
//! steps skipped because a gradient was ∞ or NaN, the last of them), the adjoint numbers
//! that underflowed to 0 in the last step, and the layers' sizes ([`Profile`]) at the
//! first and the latest step measured, with a short history between.

use super::layers::Profile;
use crate::number::format_number;
use crate::train::{GradientNorm, Outcome, StepReport};

/// The most profiles kept between the first and the latest (older ones are thinned).
pub const PROFILES: usize = 64;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    /// Each clipped step's norms, with its step number from 1.
    pub norms: Vec<(u64, GradientNorm)>,
    /// The scale the next step starts from, with loss scaling.
    pub scale: Option<f64>,
    /// Steps skipped because a scaled gradient held ∞ or NaN.
    pub skipped: u64,
    /// The last skipped step (from 1).
    pub last_skipped: Option<u64>,
    /// Adjoint numbers stored as 0 although computed nonzero, in the last step.
    pub underflows: Option<u64>,
    /// The layers' sizes, oldest first: the first profile stays, later ones are thinned
    /// to at most [`PROFILES`].
    pub profiles: Vec<Profile>,
}

impl Record {
    /// Note step `step` (from 1) and what it did; `next_scale` is the scaler's scale
    /// after it.
    pub fn note(&mut self, step: u64, report: &StepReport, next_scale: Option<f64>) {
        if let Some(norm) = report.norm {
            self.norms.push((step, norm));
        }
        if report.outcome == Outcome::Skipped {
            self.skipped += 1;
            self.last_skipped = Some(step);
        }
        self.scale = next_scale;
        self.underflows = report.underflows;
    }

    /// Keep `profile`, thinning the middle of the history when it is full (every other
    /// one after the first).
    pub fn keep(&mut self, profile: Profile) {
        if self.profiles.last().is_some_and(|p| p.step == profile.step) {
            self.profiles.pop();
        }
        self.profiles.push(profile);
        if self.profiles.len() > PROFILES {
            let mut k = 0;
            let last = self.profiles.len() - 1;
            self.profiles.retain(|_| {
                k += 1;
                let index = k - 1;
                index == 0 || index == last || index % 2 == 0
            });
        }
    }

    /// The scaler's state in words, for the stats line: `scale 32768 · 1 step skipped
    /// (last: 1)`.
    pub fn scaler_text(&self) -> Option<String> {
        let scale = self.scale?;
        let skipped = match (self.skipped, self.last_skipped) {
            (0, _) => "no step skipped".to_string(),
            (1, Some(last)) => format!("1 step skipped (∞/NaN at step {last})"),
            (n, Some(last)) => format!("{n} steps skipped (last: ∞/NaN at step {last})"),
            (n, None) => format!("{n} steps skipped"),
        };
        Some(format!("scale {} · {skipped}", format_number(scale)))
    }

    /// The latest clipped step's norms in words: `‖g‖ 12.5 → 1`.
    pub fn norm_text(&self) -> Option<String> {
        let (_, norm) = self.norms.last()?;
        Some(if norm.before == norm.after {
            format!("‖g‖ {} (not clipped)", format_number(norm.before))
        } else {
            format!(
                "‖g‖ {} → {}",
                format_number(norm.before),
                format_number(norm.after)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::options::layers::LayerSize;

    fn report(outcome: Outcome, norm: Option<(f64, f64)>) -> StepReport {
        StepReport {
            loss: 1.0,
            outcome,
            scale: 4.0,
            norm: norm.map(|(before, after)| GradientNorm { before, after }),
            underflows: Some(3),
        }
    }

    #[test]
    fn steps_are_noted() {
        let mut record = Record::default();
        record.note(1, &report(Outcome::Skipped, None), Some(2.0));
        record.note(2, &report(Outcome::Applied, Some((5.0, 1.0))), Some(2.0));
        assert_eq!(record.skipped, 1);
        assert_eq!(record.last_skipped, Some(1));
        assert_eq!(record.underflows, Some(3));
        assert_eq!(record.norms.len(), 1);
        assert_eq!(
            record.scaler_text().unwrap(),
            "scale 2 · 1 step skipped (∞/NaN at step 1)"
        );
        assert_eq!(record.norm_text().unwrap(), "‖g‖ 5 → 1");
        record.note(3, &report(Outcome::Skipped, Some((0.5, 0.5))), None);
        assert_eq!(record.scaler_text(), None);
        assert_eq!(record.norm_text().unwrap(), "‖g‖ 0.5 (not clipped)");
    }

    #[test]
    fn the_history_keeps_the_first_and_the_latest() {
        let mut record = Record::default();
        let size = LayerSize {
            activation: 1.0,
            gradient: 1.0,
        };
        for step in 0..1000 {
            record.keep(Profile {
                step,
                layers: vec![size],
            });
        }
        assert!(record.profiles.len() <= PROFILES);
        assert_eq!(record.profiles[0].step, 0);
        assert_eq!(record.profiles.last().unwrap().step, 999);
        assert!(record.profiles.windows(2).all(|w| w[0].step < w[1].step));
        // The same step measured again replaces its profile.
        record.keep(Profile {
            step: 999,
            layers: vec![],
        });
        assert_eq!(record.profiles.last().unwrap().layers.len(), 0);
    }
}
