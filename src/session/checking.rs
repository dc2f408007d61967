//! How the gradients table's finite-difference check runs: on the page's thread when it is
//! cheap, otherwise as a [`CheckRequest`] that a worker carries out from the view's link
//! alone ([`run_request`]), so the page keeps answering while it works; its numbers then
//! fill the rows ([`CheckResult`]).

use super::{Session, sample_elements};
use crate::engine::check;
use crate::graph::cost::cost;
use crate::graph::{Graph, Role};
use crate::url_state::UrlState;

/// A check whose differences take at most this many operations in all (two forward
/// passes per checked number) runs right away, in well under a frame's worth of time.
pub const INLINE_CHECK_FLOPS: u64 = 20_000_000;

/// How the check of the current program runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckMode {
    /// Right away, with the rows.
    Inline,
    /// In a worker, from a [`CheckRequest`].
    Deferred,
    /// Not at all: the link cannot carry the values a worker would need.
    Skipped,
}

/// What a worker computes: central differences of the program the link describes at the
/// (input slot, element) pairs of `jobs`.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckRequest {
    /// The stepper build the request is for ([`Session::revision`]).
    pub revision: u64,
    /// The view as a link fragment: the program and every input value.
    pub link: String,
    pub jobs: Vec<(usize, usize)>,
}

/// A worker's answer: the difference at each job of the request for `revision`.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    pub revision: u64,
    pub jobs: Vec<(usize, usize)>,
    pub numeric: Vec<f64>,
}

impl CheckResult {
    /// The difference computed for `(slot, element)`.
    pub fn numeric(&self, slot: usize, element: usize) -> Option<f64> {
        let at = self.jobs.iter().position(|&j| j == (slot, element))?;
        self.numeric.get(at).copied()
    }
}

/// How many numbers of each checked input the check differences: every scalar, up to four
/// elements of a tensor; labels are not differentiable.
fn checked_numbers(graph: &Graph) -> u64 {
    graph
        .inputs()
        .filter(|&id| !matches!(graph.node(id).role, Role::Labels(_)))
        .map(|id| graph.node(id).shape.iter().product::<usize>().clamp(1, 4) as u64)
        .sum()
}

impl Session {
    /// Inline while two forward passes per checked number stay under
    /// [`INLINE_CHECK_FLOPS`]; beyond, deferred to a worker while a link holds every
    /// input value. Skipped once an accumulation schedule is past its first pass: the
    /// adjoints then hold several passes' gradients (or a later iteration's), which
    /// differences of one pass at the starting values do not give.
    pub fn check_mode(&self) -> CheckMode {
        let Some(graph) = self.graph() else {
            return CheckMode::Inline;
        };
        if self.stepper().is_some_and(|s| s.passes_begun() > 1) {
            return CheckMode::Skipped;
        }
        let work =
            2 * checked_numbers(graph) * cost(graph).nodes.iter().map(|f| f.forward).sum::<u64>();
        if work <= INLINE_CHECK_FLOPS {
            CheckMode::Inline
        } else if self.link_leaves_out().is_none() {
            CheckMode::Deferred
        } else {
            CheckMode::Skipped
        }
    }

    /// The worker's work for the gradients complete so far, when the check is deferred
    /// and there is any.
    pub fn check_request(&self) -> Option<CheckRequest> {
        if self.check_mode() != CheckMode::Deferred {
            return None;
        }
        let stepper = self.stepper()?;
        let graph = stepper.graph();
        let mut jobs = Vec::new();
        for (slot, (id, gradient)) in stepper.gradients().into_iter().enumerate() {
            if matches!(graph.node(id).role, Role::Labels(_)) {
                continue;
            }
            if let Some(gradient) = gradient {
                if graph.node(id).is_scalar() {
                    jobs.push((slot, 0));
                } else {
                    jobs.extend(
                        sample_elements(gradient.data())
                            .into_iter()
                            .map(|e| (slot, e)),
                    );
                }
            }
        }
        (!jobs.is_empty()).then(|| CheckRequest {
            revision: self.revision(),
            link: self.to_url().to_fragment(),
            jobs,
        })
    }
}

/// Carry out a request from its link alone: the program compiled, the inputs as the link
/// gives them, one central difference per job, `progress(done)` after each.
pub fn run_request(
    link: &str,
    jobs: &[(usize, usize)],
    mut progress: impl FnMut(usize),
) -> Result<Vec<f64>, String> {
    let mut state = UrlState::from_fragment(link).map_err(|e| e.to_string())?;
    // The differences need the program and its inputs, not the link's step.
    state.step = 0;
    let session = Session::from_url(state);
    let stepper = session
        .stepper()
        .ok_or_else(|| "the link's program does not compile".to_string())?;
    let (graph, inputs) = (stepper.graph(), stepper.inputs());
    let mut out = Vec::with_capacity(jobs.len());
    for (done, &(slot, element)) in jobs.iter().enumerate() {
        let fits = inputs.get(slot).is_some_and(|t| element < t.len());
        if !fits {
            return Err(format!("no element {element} of input {slot}"));
        }
        out.push(check::numeric_gradient(graph, inputs, slot, element));
        progress(done + 1);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A product of two 120 × 120 matrices: 3.5 million operations forward, 16 checked
    /// numbers, so over the inline limit.
    const HEAVY: &str = "A = randn([120, 120], 1)\nB = randn([120, 120], 2)\nsum(tanh(A @ B))";

    #[test]
    fn cheap_checks_run_inline_and_costly_ones_in_a_worker() {
        assert_eq!(
            Session::new("(x1 + x2) * x1").check_mode(),
            CheckMode::Inline
        );
        let mut heavy = Session::new(HEAVY);
        assert_eq!(heavy.check_mode(), CheckMode::Deferred);
        assert_eq!(heavy.check_request(), None, "no gradient is complete yet");
        heavy.jump_to_backward_end();
        let request = heavy
            .check_request()
            .expect("a request once the gradients are");
        assert_eq!(request.revision, heavy.revision());
        // Both inputs, at their first, last, middle and largest elements (some coincide).
        assert!(request.jobs.iter().all(|&(slot, e)| slot < 2 && e < 14_400));
        assert!(request.jobs.len() >= 4 && request.jobs.len() <= 8);
        // The rows wait for the worker meanwhile.
        let rows = heavy.gradients();
        assert!(
            rows.iter().all(|r| r.pending && r.relative_error.is_none()),
            "{rows:?}"
        );
    }

    /// The worker's numbers are the same central differences the page computes inline,
    /// and they fill the rows: the analytic gradients agree with them.
    #[test]
    fn a_worker_result_matches_the_inline_differences_and_fills_the_rows() {
        let mut heavy = Session::new(HEAVY);
        heavy.jump_to_backward_end();
        let request = heavy.check_request().unwrap();
        let mut seen = Vec::new();
        let numeric = run_request(&request.link, &request.jobs, |done| seen.push(done)).unwrap();
        assert_eq!(seen, (1..=request.jobs.len()).collect::<Vec<_>>());
        let stepper = heavy.stepper().unwrap();
        for (&(slot, element), value) in request.jobs.iter().zip(&numeric) {
            let inline = check::numeric_gradient(stepper.graph(), stepper.inputs(), slot, element);
            assert_eq!(inline.to_bits(), value.to_bits());
        }
        let result = CheckResult {
            revision: request.revision,
            jobs: request.jobs.clone(),
            numeric,
        };
        let rows = heavy.gradients_checked(Some(&result));
        assert_eq!(rows.len(), 2);
        for row in rows {
            assert!(!row.pending);
            let error = row.relative_error.expect("checked");
            assert!(error < 1e-6, "{}: {error}", row.name);
        }
        // A result for another build is ignored.
        let stale = CheckResult {
            revision: request.revision + 1,
            ..result
        };
        assert!(
            heavy
                .gradients_checked(Some(&stale))
                .iter()
                .all(|r| r.pending)
        );
    }

    #[test]
    fn bad_requests_are_errors() {
        assert!(run_request("program=x*", &[(0, 0)], |_| {}).is_err());
        assert!(run_request("program=x*y", &[(0, 3)], |_| {}).is_err());
        assert_eq!(
            run_request("program=x*y&at=x=3,y=4", &[(0, 0)], |_| {}).map(|v| v.len()),
            Ok(1)
        );
    }
}
