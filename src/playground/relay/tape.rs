//! Numbers on a tape: a CPU run's [`RunState`] (and the losses a chunk read) written as
//! one `f64` array, which passes between the page and a worker as a `Float64Array`
//! without a change to any bit (NaN and ±∞ included), and read back with the count of
//! every list checked.

use crate::backend::optimizer::{SlotMemory, UpdateRule};
use crate::graph::NodeId;
use crate::playground::options::layers::{LayerSize, Profile};
use crate::playground::options::record::Record;
use crate::playground::run::RunState;
use crate::precision::Precision;
use crate::tensor::Tensor;
use crate::train::GradientNorm;

/// The largest integer an `f64` holds exactly.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// Why a tape could not be read.
pub type TapeError = String;

#[derive(Debug, Default)]
pub struct Writer(pub Vec<f64>);

impl Writer {
    pub fn number(&mut self, x: f64) {
        self.0.push(x);
    }

    pub fn count(&mut self, n: u64) {
        self.0.push(n as f64);
    }

    pub fn flag(&mut self, b: bool) {
        self.count(u64::from(b));
    }

    /// A list of numbers, its length first.
    pub fn numbers(&mut self, xs: &[f64]) {
        self.count(xs.len() as u64);
        self.0.extend_from_slice(xs);
    }

    /// Text as its characters' code points, their count first.
    pub fn text(&mut self, text: &str) {
        self.count(text.chars().count() as u64);
        self.0.extend(text.chars().map(|c| f64::from(u32::from(c))));
    }

    pub fn texts(&mut self, texts: &[String]) {
        self.count(texts.len() as u64);
        for text in texts {
            self.text(text);
        }
    }

    pub fn maybe<T>(&mut self, value: Option<T>, mut write: impl FnMut(&mut Writer, T)) {
        self.flag(value.is_some());
        if let Some(value) = value {
            write(self, value);
        }
    }

    fn tensor(&mut self, tensor: &Tensor) {
        self.count(tensor.shape().len() as u64);
        for &dim in tensor.shape() {
            self.count(dim as u64);
        }
        self.0.extend_from_slice(tensor.data());
    }

    fn tensors(&mut self, tensors: &[(NodeId, Tensor)]) {
        self.count(tensors.len() as u64);
        for (id, tensor) in tensors {
            self.count(id.0 as u64);
            self.tensor(tensor);
        }
    }

    fn rule(&mut self, rule: UpdateRule) {
        let (kind, a, b, c) = match rule {
            UpdateRule::Sgd => (0, 0.0, 0.0, 0.0),
            UpdateRule::Momentum { momentum } => (1, momentum, 0.0, 0.0),
            UpdateRule::Adam {
                beta1,
                beta2,
                epsilon,
            } => (2, beta1, beta2, epsilon),
        };
        self.0.extend_from_slice(&[f64::from(kind), a, b, c]);
    }

    fn record(&mut self, record: &Record) {
        self.count(record.norms.len() as u64);
        for (step, norm) in &record.norms {
            self.count(*step);
            self.number(norm.before);
            self.number(norm.after);
        }
        self.maybe(record.scale, Writer::number);
        self.count(record.skipped);
        self.maybe(record.last_skipped, Writer::count);
        self.maybe(record.underflows, Writer::count);
        self.count(record.profiles.len() as u64);
        for profile in &record.profiles {
            self.count(profile.step);
            self.count(profile.layers.len() as u64);
            for layer in &profile.layers {
                self.number(layer.activation);
                self.number(layer.gradient);
            }
        }
    }

    pub fn state(&mut self, state: &RunState) {
        self.count(state.steps);
        self.maybe(state.position, |w, (epoch, next)| {
            w.count(epoch);
            w.count(next as u64);
        });
        self.tensors(&state.params);
        self.tensors(&state.gradients);
        self.maybe(state.optimizer.as_ref(), |w, (rule, rate, memory)| {
            w.rule(*rule);
            w.number(*rate);
            w.count(memory.len() as u64);
            for slot in memory {
                w.count(slot.slot as u64);
                w.count(slot.len as u64);
                w.count(slot.steps);
                w.count(slot.first_moment.len() as u64);
                w.0.extend_from_slice(&slot.first_moment);
                w.count(slot.second_moment.len() as u64);
                w.0.extend_from_slice(&slot.second_moment);
            }
        });
        let precision = Precision::ALL.iter().position(|&p| p == state.storage.0);
        self.count(precision.unwrap_or(0) as u64);
        self.number(state.storage.1);
        self.maybe(state.scaler, |w, (scale, dynamic, interval, good)| {
            w.number(scale);
            w.flag(dynamic);
            w.count(u64::from(interval));
            w.count(u64::from(good));
        });
        self.record(&state.record);
        self.flag(state.skipped);
    }
}

/// Reads a tape from its start.
pub struct Reader<'a> {
    tape: &'a [f64],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(tape: &'a [f64]) -> Reader<'a> {
        Reader { tape, at: 0 }
    }

    /// Whether every number was read.
    pub fn done(&self) -> bool {
        self.at == self.tape.len()
    }

    pub fn number(&mut self) -> Result<f64, TapeError> {
        let x = *self
            .tape
            .get(self.at)
            .ok_or_else(|| format!("the training state ends early (at number {})", self.at))?;
        self.at += 1;
        Ok(x)
    }

    fn slice(&mut self, n: usize) -> Result<&'a [f64], TapeError> {
        let end = (self.at.checked_add(n))
            .filter(|&end| end <= self.tape.len())
            .ok_or_else(|| format!("the training state ends early (at number {})", self.at))?;
        let slice = &self.tape[self.at..end];
        self.at = end;
        Ok(slice)
    }

    pub fn count(&mut self) -> Result<u64, TapeError> {
        let at = self.at;
        let x = self.number()?;
        if x.fract() == 0.0 && (0.0..EXACT).contains(&x) {
            Ok(x as u64)
        } else {
            Err(format!(
                "number {at} of the training state is not a count: {x}"
            ))
        }
    }

    /// A count no larger than what is left of the tape (a length of numbers to come).
    pub fn length(&mut self) -> Result<usize, TapeError> {
        let n = self.count()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.tape.len() - self.at)
            .ok_or_else(|| format!("the training state announces {n} numbers, more than it holds"))
    }

    /// A count that indexes or sizes something (a node, a slot, a dimension).
    pub fn index(&mut self) -> Result<usize, TapeError> {
        let n = self.count()?;
        usize::try_from(n).map_err(|_| format!("{n} is too large an index"))
    }

    /// A list of numbers written by [`Writer::numbers`].
    pub fn numbers(&mut self) -> Result<Vec<f64>, TapeError> {
        let n = self.length()?;
        Ok(self.slice(n)?.to_vec())
    }

    /// Text written by [`Writer::text`].
    pub fn text(&mut self) -> Result<String, TapeError> {
        (0..self.length()?)
            .map(|_| {
                let code = self.count()?;
                (u32::try_from(code).ok().and_then(char::from_u32))
                    .ok_or_else(|| format!("{code} is not a character"))
            })
            .collect()
    }

    pub fn texts(&mut self) -> Result<Vec<String>, TapeError> {
        (0..self.length()?).map(|_| self.text()).collect()
    }

    pub fn flag(&mut self) -> Result<bool, TapeError> {
        match self.count()? {
            0 => Ok(false),
            1 => Ok(true),
            n => Err(format!("a yes/no in the training state is {n}")),
        }
    }

    pub fn maybe<T>(
        &mut self,
        mut read: impl FnMut(&mut Reader<'a>) -> Result<T, TapeError>,
    ) -> Result<Option<T>, TapeError> {
        if self.flag()? {
            read(self).map(Some)
        } else {
            Ok(None)
        }
    }

    fn tensor(&mut self) -> Result<Tensor, TapeError> {
        let rank = self.length()?;
        let shape = (0..rank)
            .map(|_| self.index())
            .collect::<Result<Vec<usize>, _>>()?;
        let size = (shape.iter())
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .ok_or("a tensor of the training state is too large")?;
        let data = self.slice(size)?.to_vec();
        Tensor::from_vec(shape, data).map_err(|e| e.to_string())
    }

    fn tensors(&mut self) -> Result<Vec<(NodeId, Tensor)>, TapeError> {
        let n = self.length()?;
        (0..n)
            .map(|_| Ok((NodeId(self.index()?), self.tensor()?)))
            .collect()
    }

    fn rule(&mut self) -> Result<UpdateRule, TapeError> {
        let kind = self.count()?;
        let [a, b, c] = [self.number()?, self.number()?, self.number()?];
        match kind {
            0 => Ok(UpdateRule::Sgd),
            1 => Ok(UpdateRule::Momentum { momentum: a }),
            2 => Ok(UpdateRule::Adam {
                beta1: a,
                beta2: b,
                epsilon: c,
            }),
            _ => Err(format!("update rule {kind} is not known")),
        }
    }

    fn record(&mut self) -> Result<Record, TapeError> {
        let norms = (0..self.length()?)
            .map(|_| {
                let step = self.count()?;
                let (before, after) = (self.number()?, self.number()?);
                Ok((step, GradientNorm { before, after }))
            })
            .collect::<Result<_, TapeError>>()?;
        let scale = self.maybe(Reader::number)?;
        let skipped = self.count()?;
        let last_skipped = self.maybe(Reader::count)?;
        let underflows = self.maybe(Reader::count)?;
        let profiles = (0..self.length()?)
            .map(|_| {
                let step = self.count()?;
                let layers = (0..self.length()?)
                    .map(|_| {
                        let (activation, gradient) = (self.number()?, self.number()?);
                        Ok(LayerSize {
                            activation,
                            gradient,
                        })
                    })
                    .collect::<Result<_, TapeError>>()?;
                Ok(Profile { step, layers })
            })
            .collect::<Result<_, TapeError>>()?;
        Ok(Record {
            norms,
            scale,
            skipped,
            last_skipped,
            underflows,
            profiles,
        })
    }

    pub fn state(&mut self) -> Result<RunState, TapeError> {
        let steps = self.count()?;
        let position = self.maybe(|r| Ok((r.count()?, r.index()?)))?;
        let params = self.tensors()?;
        let gradients = self.tensors()?;
        let optimizer = self.maybe(|r| {
            let (rule, rate) = (r.rule()?, r.number()?);
            let memory = (0..r.length()?)
                .map(|_| {
                    let (slot, len, steps) = (r.index()?, r.index()?, r.count()?);
                    let n = r.length()?;
                    let first_moment = r.slice(n)?.to_vec();
                    let n = r.length()?;
                    let second_moment = r.slice(n)?.to_vec();
                    Ok(SlotMemory {
                        slot,
                        first_moment,
                        second_moment,
                        len,
                        steps,
                    })
                })
                .collect::<Result<_, TapeError>>()?;
            Ok((rule, rate, memory))
        })?;
        let precision = *Precision::ALL
            .get(self.index()?)
            .ok_or("the storage precision is not known")?;
        let storage = (precision, self.number()?);
        let scaler = self.maybe(|r| {
            let (scale, dynamic) = (r.number()?, r.flag()?);
            let interval = u32::try_from(r.count()?).map_err(|e| e.to_string())?;
            let good = u32::try_from(r.count()?).map_err(|e| e.to_string())?;
            Ok((scale, dynamic, interval, good))
        })?;
        let record = self.record()?;
        let skipped = self.flag()?;
        Ok(RunState {
            steps,
            position,
            params,
            gradients,
            optimizer,
            storage,
            scaler,
            record,
            skipped,
        })
    }
}
