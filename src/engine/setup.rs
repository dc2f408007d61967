//! How a program is stepped besides its mode: one pass, gradient accumulation over
//! micro-batches (with or without `zero_grad`), an evaluation without recording
//! (`no_grad`: forward steps only, no tape), and the precision numbers are stored in.
//! Written as words, `micro-batches 4, iterations 2, no zero_grad, lr 0.2, precision f16,
//! no_grad`, which an example's `#:` line and a link's `steps=` carry.

use super::accumulate::{self, Training};
use super::{EngineError, Mode, Stepper};
use crate::graph::Graph;
use crate::number::format_number;
use crate::precision::Precision;
use crate::tensor::Tensor;
use thiserror::Error;

/// The stepping settings; the default is one plain pass in f64.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Setup {
    pub training: Option<Training>,
    /// Evaluate without recording: forward steps only.
    pub no_grad: bool,
    pub precision: Precision,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error(
    "`{0}` is not a stepping setting (micro-batches K, iterations N, no zero_grad, lr η, precision f16, no_grad)"
)]
pub struct SetupError(pub String);

impl Setup {
    /// Whether this is one plain pass in f64.
    pub fn is_plain(&self) -> bool {
        *self == Setup::default()
    }

    /// Parse the words: settings separated by commas, in any order.
    pub fn parse(text: &str) -> Result<Setup, SetupError> {
        let mut setup = Setup::default();
        let mut training = Training::accumulate(1);
        let mut trains = false;
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let bad = || SetupError(item.chars().take(40).collect());
            let (word, value) = item.split_once(' ').unwrap_or((item, ""));
            let count = || -> Result<usize, SetupError> {
                let n: usize = value.trim().parse().map_err(|_| bad())?;
                (1..=accumulate::MAX_PASSES)
                    .contains(&n)
                    .then_some(n)
                    .ok_or_else(bad)
            };
            match (word, value.trim()) {
                ("micro-batches", _) => training.micro_batches = count()?,
                ("iterations", _) => training.iterations = count()?,
                ("zero_grad", "") => training.zero_grad = true,
                ("no", "zero_grad") => training.zero_grad = false,
                ("lr", rate) => {
                    training.rate = rate
                        .parse()
                        .ok()
                        .filter(|r: &f64| r.is_finite())
                        .ok_or_else(bad)?
                }
                ("precision", name) => setup.precision = name.parse().map_err(|_| bad())?,
                ("no_grad", "") => setup.no_grad = true,
                _ => return Err(bad()),
            }
            trains |= !matches!(word, "precision" | "no_grad");
        }
        setup.training = trains.then_some(training);
        Ok(setup)
    }

    /// The words [`Setup::parse`] reads back; empty for the default.
    pub fn to_text(&self) -> String {
        let mut items = Vec::new();
        if let Some(t) = &self.training {
            items.push(format!("micro-batches {}", t.micro_batches));
            items.push(format!("iterations {}", t.iterations));
            items.push(
                if t.zero_grad {
                    "zero_grad"
                } else {
                    "no zero_grad"
                }
                .to_string(),
            );
            items.push(format!("lr {}", format_number(t.rate)));
        }
        if self.precision != Precision::F64 {
            items.push(format!("precision {}", self.precision.name()));
        }
        if self.no_grad {
            items.push("no_grad".to_string());
        }
        items.join(", ")
    }

    /// A stepper for `graph` at step 0: accumulation when asked and the graph has
    /// parameters (the micro-batches from its dataset), forward steps only with `no_grad`,
    /// `mode` otherwise; numbers stored in the precision.
    pub fn stepper(
        &self,
        graph: Graph,
        inputs: Vec<Tensor>,
        mode: Mode,
    ) -> Result<Stepper, EngineError> {
        let stepper = match (&self.training, mode) {
            (Some(training), Mode::Reverse) => {
                let batches = accumulate::micro_batches(&graph, &inputs, training.micro_batches)?;
                Stepper::training(graph, inputs, *training, batches)?
            }
            _ if self.no_grad => Stepper::no_grad(graph, inputs)?,
            _ => Stepper::new(graph, inputs, mode)?,
        };
        stepper.stored_as(self.precision, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        let setup = Setup::parse("micro-batches 4, no zero_grad, lr 0.2, iterations 3").unwrap();
        assert_eq!(
            setup.training,
            Some(Training {
                micro_batches: 4,
                iterations: 3,
                zero_grad: false,
                rate: 0.2
            })
        );
        assert_eq!(Setup::parse(&setup.to_text()).unwrap(), setup);
        let f16 = Setup::parse("precision f16, no_grad").unwrap();
        assert_eq!(
            (f16.precision, f16.no_grad, f16.training),
            (Precision::F16, true, None)
        );
        assert_eq!(Setup::parse(&f16.to_text()).unwrap(), f16);
        assert!(Setup::parse("").unwrap().is_plain());
        for bad in [
            "micro-batches 0",
            "micro-batches 99",
            "lr x",
            "precision f8",
            "<b>",
        ] {
            assert!(Setup::parse(bad).is_err(), "{bad}");
        }
    }
}
