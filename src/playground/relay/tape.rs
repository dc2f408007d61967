//! A CPU run's [`RunState`] (and the losses a chunk read) on the wire: the run's parts in
//! a fixed order, each written and read with [`crate::wire`]'s numbers.

use crate::backend::optimizer::{SlotMemory, UpdateRule};
use crate::graph::NodeId;
use crate::playground::options::layers::{LayerSize, Profile};
use crate::playground::options::record::Record;
use crate::playground::run::RunState;
use crate::precision::Precision;
use crate::tensor::Tensor;
use crate::train::GradientNorm;
pub use crate::wire::{Reader, WireError, Writer};

/// Writes a run's state.
pub trait WriteRun {
    fn state(&mut self, state: &RunState);
}

/// Reads what [`WriteRun`] wrote.
pub trait ReadRun {
    fn state(&mut self) -> Result<RunState, WireError>;
}

impl WriteRun for Writer {
    fn state(&mut self, state: &RunState) {
        write_state(self, state);
    }
}

impl ReadRun for Reader<'_> {
    fn state(&mut self) -> Result<RunState, WireError> {
        read_state(self)
    }
}

fn write_tensors(w: &mut Writer, tensors: &[(NodeId, Tensor)]) {
    w.count(tensors.len() as u64);
    for (id, tensor) in tensors {
        w.count(id.0 as u64);
        w.tensor(tensor);
    }
}

fn write_rule(w: &mut Writer, rule: UpdateRule) {
    let (kind, a, b, c) = match rule {
        UpdateRule::Sgd => (0, 0.0, 0.0, 0.0),
        UpdateRule::Momentum { momentum } => (1, momentum, 0.0, 0.0),
        UpdateRule::Adam {
            beta1,
            beta2,
            epsilon,
        } => (2, beta1, beta2, epsilon),
    };
    w.0.extend_from_slice(&[f64::from(kind), a, b, c]);
}

fn write_record(w: &mut Writer, record: &Record) {
    w.count(record.norms.len() as u64);
    for (step, norm) in &record.norms {
        w.count(*step);
        w.number(norm.before);
        w.number(norm.after);
    }
    w.maybe(record.scale, Writer::number);
    w.count(record.skipped);
    w.maybe(record.last_skipped, Writer::count);
    w.maybe(record.underflows, Writer::count);
    w.count(record.profiles.len() as u64);
    for profile in &record.profiles {
        w.count(profile.step);
        w.count(profile.layers.len() as u64);
        for layer in &profile.layers {
            w.number(layer.activation);
            w.number(layer.gradient);
        }
    }
}

fn write_state(w: &mut Writer, state: &RunState) {
    w.count(state.steps);
    w.maybe(state.position, |w, (epoch, next)| {
        w.count(epoch);
        w.count(next as u64);
    });
    write_tensors(w, &state.params);
    write_tensors(w, &state.gradients);
    w.maybe(state.optimizer.as_ref(), |w, (rule, rate, memory)| {
        write_rule(w, *rule);
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
    w.count(precision.unwrap_or(0) as u64);
    w.number(state.storage.1);
    w.maybe(state.scaler, |w, (scale, dynamic, interval, good)| {
        w.number(scale);
        w.flag(dynamic);
        w.count(u64::from(interval));
        w.count(u64::from(good));
    });
    write_record(w, &state.record);
    w.flag(state.skipped);
}

fn read_tensors(r: &mut Reader<'_>) -> Result<Vec<(NodeId, Tensor)>, WireError> {
    let n = r.length()?;
    (0..n)
        .map(|_| Ok((NodeId(r.index()?), r.tensor()?)))
        .collect()
}

fn read_rule(r: &mut Reader<'_>) -> Result<UpdateRule, WireError> {
    let kind = r.count()?;
    let [a, b, c] = [r.number()?, r.number()?, r.number()?];
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

fn read_record(r: &mut Reader<'_>) -> Result<Record, WireError> {
    let norms = (0..r.length()?)
        .map(|_| {
            let step = r.count()?;
            let (before, after) = (r.number()?, r.number()?);
            Ok((step, GradientNorm { before, after }))
        })
        .collect::<Result<_, WireError>>()?;
    let scale = r.maybe(Reader::number)?;
    let skipped = r.count()?;
    let last_skipped = r.maybe(Reader::count)?;
    let underflows = r.maybe(Reader::count)?;
    let profiles = (0..r.length()?)
        .map(|_| {
            let step = r.count()?;
            let layers = (0..r.length()?)
                .map(|_| {
                    let (activation, gradient) = (r.number()?, r.number()?);
                    Ok(LayerSize {
                        activation,
                        gradient,
                    })
                })
                .collect::<Result<_, WireError>>()?;
            Ok(Profile { step, layers })
        })
        .collect::<Result<_, WireError>>()?;
    Ok(Record {
        norms,
        scale,
        skipped,
        last_skipped,
        underflows,
        profiles,
    })
}

fn read_state(r: &mut Reader<'_>) -> Result<RunState, WireError> {
    let steps = r.count()?;
    let position = r.maybe(|r| Ok((r.count()?, r.index()?)))?;
    let params = read_tensors(r)?;
    let gradients = read_tensors(r)?;
    let optimizer = r.maybe(|r| {
        let (rule, rate) = (read_rule(r)?, r.number()?);
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
            .collect::<Result<_, WireError>>()?;
        Ok((rule, rate, memory))
    })?;
    let precision = *Precision::ALL
        .get(r.index()?)
        .ok_or("the storage precision is not known")?;
    let storage = (precision, r.number()?);
    let scaler = r.maybe(|r| {
        let (scale, dynamic) = (r.number()?, r.flag()?);
        let interval = u32::try_from(r.count()?).map_err(|e| e.to_string())?;
        let good = u32::try_from(r.count()?).map_err(|e| e.to_string())?;
        Ok((scale, dynamic, interval, good))
    })?;
    let record = read_record(r)?;
    let skipped = r.flag()?;
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
