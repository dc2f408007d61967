//! Where a step's heavy work is done: by the stepper itself ([`Direct`]), or beforehand
//! elsewhere. A worker steps the same program keeping each step's results in a [`Log`]
//! ([`Log::cache`]); the page's stepper then takes them from the log (the same way)
//! instead of computing them again, and does only the bookkeeping (storing, summing
//! contributions, records), so a long seek costs the page little.
//!
//! A log belongs to one stepper build: the steps are indexes into its schedule. A log
//! entry of the wrong kind for a step is ignored and the step computed.

use crate::op::Op;
use crate::tensor::{Tensor, elementwise, ops};
use crate::wire::{Reader, WireError, Writer};

/// For each operand of a backward step: its local derivative (elementwise ops only) and
/// its contribution to the operand's adjoint, `None` where the op refused its operands.
pub type Pulled = Vec<(Option<Tensor>, Option<Tensor>)>;

/// A forward-mode step's results before they are stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Tangent {
    pub value: Tensor,
    /// The local derivative by each operand.
    pub partials: Vec<Tensor>,
    /// Σ partial · operand's tangent over the operands that have a tangent.
    pub tangent: Tensor,
}

/// The three computations a step can ask for; `step` is its index in the schedule.
pub trait Compute {
    /// A forward (or recompute) step's value: `op` applied to `args`.
    fn forward(&mut self, step: usize, op: Op, args: &[&Tensor]) -> Result<Tensor, String>;

    /// A backward step's local derivatives and contributions.
    fn pull_back(
        &mut self,
        step: usize,
        op: Op,
        args: &[&Tensor],
        value: &Tensor,
        adjoint: &Tensor,
    ) -> Pulled;

    /// A forward-mode step: the value, the partials and the tangent. `arg_tangents` is
    /// `None` for constants, which have no tangent: their terms are left out rather than
    /// multiplied by 0, which would turn an infinite partial into NaN. `nan` is NaN of the
    /// node's shape, what a refused computation gives.
    fn tangent(
        &mut self,
        step: usize,
        op: Op,
        args: &[&Tensor],
        arg_tangents: &[Option<&Tensor>],
        nan: &Tensor,
    ) -> Tangent;
}

/// Every computation done on the spot.
pub struct Direct;

impl Compute for Direct {
    fn forward(&mut self, _: usize, op: Op, args: &[&Tensor]) -> Result<Tensor, String> {
        ops::forward(op, args).map_err(|e| e.to_string())
    }

    fn pull_back(
        &mut self,
        _: usize,
        op: Op,
        args: &[&Tensor],
        value: &Tensor,
        adjoint: &Tensor,
    ) -> Pulled {
        if op.is_elementwise() {
            let Ok(locals) = elementwise::local_derivatives(op, args, value) else {
                return vec![(None, None); args.len()];
            };
            return locals
                .into_iter()
                .zip(args)
                .map(|(local, arg)| {
                    let contribution = elementwise::pull_back(&local, adjoint, arg.shape()).ok();
                    (Some(local), contribution)
                })
                .collect();
        }
        match ops::vjp(op, args, value, adjoint) {
            Ok(gradients) => gradients.into_iter().map(|g| (None, Some(g))).collect(),
            Err(_) => vec![(None, None); args.len()],
        }
    }

    fn tangent(
        &mut self,
        _: usize,
        op: Op,
        args: &[&Tensor],
        arg_tangents: &[Option<&Tensor>],
        nan: &Tensor,
    ) -> Tangent {
        let value = ops::forward(op, args).unwrap_or_else(|_| nan.clone());
        let partials = elementwise::local_derivatives(op, args, &value)
            .unwrap_or_else(|_| vec![nan.clone(); args.len()]);
        let mut tangent = nan.map(|_| 0.0);
        for (partial, arg_tangent) in partials.iter().zip(arg_tangents) {
            let Some(arg_tangent) = arg_tangent else {
                continue;
            };
            let term =
                ops::forward(Op::Mul, &[partial, arg_tangent]).unwrap_or_else(|_| nan.clone());
            tangent = add(&tangent, &term);
        }
        Tangent {
            value,
            partials,
            tangent,
        }
    }
}

/// The elementwise sum of two tensors of one shape (NaN where the shapes differ, which
/// the graph's shape checks rule out).
pub(super) fn add(a: &Tensor, b: &Tensor) -> Tensor {
    a.zip_with(b, |x, y| x + y)
        .unwrap_or_else(|| a.map(|_| f64::NAN))
}

/// One step's results.
#[derive(Clone, Debug, PartialEq)]
enum Computed {
    Forward(Result<Tensor, String>),
    PullBack(Pulled),
    Tangent(Tangent),
}

/// Steps' results by their index in the schedule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Log {
    /// Sorted by step, one entry per step at most.
    entries: Vec<(usize, Computed)>,
}

impl Log {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The steps it holds results for.
    pub fn steps(&self) -> impl Iterator<Item = usize> + '_ {
        self.entries.iter().map(|(step, _)| *step)
    }

    pub fn covers(&self, step: usize) -> bool {
        self.find(step).is_ok()
    }

    fn find(&self, step: usize) -> Result<usize, usize> {
        self.entries.binary_search_by_key(&step, |(s, _)| *s)
    }

    fn get(&self, step: usize) -> Option<&Computed> {
        self.find(step).ok().map(|at| &self.entries[at].1)
    }

    fn insert(&mut self, step: usize, computed: Computed) {
        match self.find(step) {
            Ok(at) => self.entries[at].1 = computed,
            Err(at) => self.entries.insert(at, (step, computed)),
        }
    }

    /// Add another log's steps (its entry wins where both have one).
    pub fn merge(&mut self, other: Log) {
        for (step, computed) in other.entries {
            self.insert(step, computed);
        }
    }

    /// A [`Compute`] that takes each step's results from this log, computes those it has
    /// none for, and keeps the results of those for which `worth(step)` holds, so that
    /// going over them again costs nothing.
    pub fn cache<F: Fn(usize) -> bool>(&mut self, worth: F) -> Cache<'_, F> {
        Cache { log: self, worth }
    }

    /// The log as numbers (see [`crate::wire`]).
    pub fn encode(&self) -> Vec<f64> {
        let mut w = Writer::default();
        w.count(self.entries.len() as u64);
        for (step, computed) in &self.entries {
            w.count(*step as u64);
            match computed {
                Computed::Forward(result) => {
                    w.count(0);
                    match result {
                        Ok(value) => {
                            w.flag(true);
                            w.tensor(value);
                        }
                        Err(why) => {
                            w.flag(false);
                            w.text(why);
                        }
                    }
                }
                Computed::PullBack(pulled) => {
                    w.count(1);
                    w.count(pulled.len() as u64);
                    for (local, contribution) in pulled {
                        w.maybe(local.as_ref(), Writer::tensor);
                        w.maybe(contribution.as_ref(), Writer::tensor);
                    }
                }
                Computed::Tangent(t) => {
                    w.count(2);
                    w.tensor(&t.value);
                    w.count(t.partials.len() as u64);
                    for partial in &t.partials {
                        w.tensor(partial);
                    }
                    w.tensor(&t.tangent);
                }
            }
        }
        w.0
    }

    /// What [`Log::encode`] wrote; steps out of order or repeated are refused.
    pub fn decode(numbers: &[f64]) -> Result<Log, WireError> {
        let mut r = Reader::new(numbers);
        let n = r.length()?;
        let mut entries: Vec<(usize, Computed)> = Vec::with_capacity(n);
        for _ in 0..n {
            let step = r.index()?;
            if entries.last().is_some_and(|(last, _)| *last >= step) {
                return Err(format!("step {step} of the log is out of order"));
            }
            let computed = match r.count()? {
                0 => Computed::Forward(if r.flag()? {
                    Ok(r.tensor()?)
                } else {
                    Err(r.text()?)
                }),
                1 => Computed::PullBack(
                    (0..r.length()?)
                        .map(|_| Ok((r.maybe(Reader::tensor)?, r.maybe(Reader::tensor)?)))
                        .collect::<Result<_, WireError>>()?,
                ),
                2 => {
                    let value = r.tensor()?;
                    let partials = (0..r.length()?)
                        .map(|_| r.tensor())
                        .collect::<Result<_, _>>()?;
                    let tangent = r.tensor()?;
                    Computed::Tangent(Tangent {
                        value,
                        partials,
                        tangent,
                    })
                }
                kind => return Err(format!("a step of kind {kind} is not known")),
            };
            entries.push((step, computed));
        }
        if !r.done() {
            return Err("the log goes on past its end".into());
        }
        Ok(Log { entries })
    }
}

#[cfg(test)]
mod tests;

/// Takes each step's results from a [`Log`] (an entry of the wrong kind is ignored), and
/// adds those it computes that are worth keeping.
pub struct Cache<'a, F> {
    log: &'a mut Log,
    worth: F,
}

impl<F: Fn(usize) -> bool> Cache<'_, F> {
    fn keep(&mut self, step: usize, computed: Computed) {
        if (self.worth)(step) {
            self.log.insert(step, computed);
        }
    }
}

impl<F: Fn(usize) -> bool> Compute for Cache<'_, F> {
    fn forward(&mut self, step: usize, op: Op, args: &[&Tensor]) -> Result<Tensor, String> {
        if let Some(Computed::Forward(result)) = self.log.get(step) {
            return result.clone();
        }
        let result = Direct.forward(step, op, args);
        self.keep(step, Computed::Forward(result.clone()));
        result
    }

    fn pull_back(
        &mut self,
        step: usize,
        op: Op,
        args: &[&Tensor],
        value: &Tensor,
        adjoint: &Tensor,
    ) -> Pulled {
        if let Some(Computed::PullBack(pulled)) = self.log.get(step)
            && pulled.len() == args.len()
        {
            return pulled.clone();
        }
        let pulled = Direct.pull_back(step, op, args, value, adjoint);
        self.keep(step, Computed::PullBack(pulled.clone()));
        pulled
    }

    fn tangent(
        &mut self,
        step: usize,
        op: Op,
        args: &[&Tensor],
        arg_tangents: &[Option<&Tensor>],
        nan: &Tensor,
    ) -> Tangent {
        if let Some(Computed::Tangent(t)) = self.log.get(step)
            && t.partials.len() == args.len()
        {
            return t.clone();
        }
        let tangent = Direct.tangent(step, op, args, arg_tangents, nan);
        self.keep(step, Computed::Tangent(tangent.clone()));
        tangent
    }
}
