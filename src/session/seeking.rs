//! Long moves off the page's thread. A seek (a step, a jump, a link's step) whose steps
//! would take more than [`INLINE_SEEK_WORK`] becomes a [`SeekRequest`]: a worker steps
//! the program the view's link describes ([`Seeker`]), keeping each step's results in
//! a [`Log`], and the page takes them ([`Session::finish_seek`]), doing only the
//! bookkeeping, so it keeps answering meanwhile. The log stays with the build, and the
//! costly steps computed here join it, so going back and forth over steps already taken
//! costs the page nothing more.
//!
//! Only a session that offloads defers: the app's, whose page has the worker
//! ([`offer_worker`]); everywhere else (the CLI, the embed, the lessons module) a seek
//! runs where it is asked for.

use super::Session;
use crate::engine::compute::Log;
use crate::engine::{Mode, Phase, Stepper};
use crate::graph::NodeId;
use crate::graph::cost::cost;
use crate::op::{Kind, Matrix};
use crate::url_state::UrlState;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether this process has a worker for long seeks: sessions made from now on offload.
static WORKER: AtomicBool = AtomicBool::new(false);

/// Say that this process (the app's page) has a worker for long seeks.
pub fn offer_worker() {
    WORKER.store(true, Ordering::Relaxed);
}

/// Whether new sessions offload their long seeks.
pub fn worker_available() -> bool {
    WORKER.load(Ordering::Relaxed)
}

/// A seek whose steps take at most this much work (see [`step_work`]) runs right away:
/// about 20 ms of matrix products in the browser.
pub const INLINE_SEEK_WORK: u64 = 20_000_000;

/// A step computed here whose work is at least this (about a millisecond) keeps its
/// results with the build, so going over it again costs nothing.
const KEEP_WORK: u64 = 1_000_000;

/// Whether step `step`'s results are worth keeping (see [`KEEP_WORK`]).
pub(super) fn worth_keeping(work: &[u64], step: usize) -> bool {
    work.get(step).is_some_and(|&w| w >= KEEP_WORK)
}

/// Per operation counted by [`crate::graph::cost`], how much slower than a matrix
/// product's ops run elsewhere: elementwise ops, reductions and normalizations go
/// element by element through the op table's rules (measured there: about ten times).
const ELEMENTWISE_WEIGHT: u64 = 10;

/// What a worker computes: the steps `from..to` of the program the link describes (at
/// step 0), each step's results recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct SeekRequest {
    /// The stepper build the request is for ([`Session::revision`]).
    pub revision: u64,
    /// The view as a link fragment at step 0: the program, every input value, the mode
    /// and the way it is stepped.
    pub link: String,
    pub from: usize,
    pub to: usize,
}

/// A worker's answer to a request.
#[derive(Clone, Debug, PartialEq)]
pub struct SeekResult {
    pub revision: u64,
    pub to: usize,
    pub log: Log,
}

/// The work of each step of `stepper`'s schedule, in matrix-product operations.
pub fn step_work(stepper: &Stepper) -> Vec<u64> {
    let graph = stepper.graph();
    let flops = cost(graph).nodes;
    let weight = |id: NodeId| match graph.node(id).op.kind() {
        Kind::Matrix(Matrix::Product) => 1,
        _ => ELEMENTWISE_WEIGHT,
    };
    let elements = |id: NodeId| graph.node(id).shape.iter().product::<usize>() as u64;
    stepper
        .schedule()
        .iter()
        .map(|&(phase, id)| {
            let work = match (stepper.mode(), phase) {
                (Mode::Forward { .. }, _) => flops[id.0].forward.saturating_mul(3),
                (_, Phase::Forward | Phase::Recompute) => flops[id.0].forward,
                (_, Phase::Backward) => flops[id.0].backward,
                (_, Phase::ZeroGrad | Phase::Update) => elements(id),
            };
            work.saturating_mul(weight(id))
        })
        .collect()
}

impl Session {
    /// The work of the steps from the cursor to `cursor` that this build has no results
    /// for yet (going back costs nothing to speak of: undo pops what steps pushed).
    pub fn seek_work(&self, cursor: usize) -> u64 {
        let Some(stepper) = self.stepper() else {
            return 0;
        };
        let to = cursor.min(stepper.len());
        (stepper.cursor()..to)
            .filter(|&step| !self.log.covers(step))
            .map(|step| self.work.get(step).copied().unwrap_or(0))
            .fold(0u64, u64::saturating_add)
    }

    /// Whether a seek to `cursor` goes to a worker: the session offloads, the work is
    /// over [`INLINE_SEEK_WORK`] and a link holds the whole view (the program compiles as
    /// written and every value fits). Either way the seek asked for before is dropped.
    pub(super) fn defer(&mut self, cursor: usize) -> bool {
        self.pending = None;
        let deferred = self.offload
            && self.seek_work(cursor) > INLINE_SEEK_WORK
            && self.error().is_none()
            && self.link_leaves_out().is_none();
        if deferred {
            self.pending = Some(cursor.min(self.end()));
        }
        deferred
    }

    /// Let long seeks wait for a worker (or not).
    pub fn set_offload(&mut self, offload: bool) {
        self.offload = offload;
    }

    /// The step a seek left to a worker is going to, if one is.
    pub fn pending(&self) -> Option<usize> {
        self.pending
    }

    /// Seek here, however costly (when the worker cannot).
    pub fn seek_here(&mut self, cursor: usize) {
        let offload = std::mem::replace(&mut self.offload, false);
        self.seek(cursor);
        self.offload = offload;
    }

    /// Stop waiting for the worker: the view stays where it is.
    pub fn cancel_seek(&mut self) {
        self.pending = None;
    }

    /// The worker's work for the seek waiting for it, if one is.
    pub fn pending_seek(&self) -> Option<SeekRequest> {
        let to = self.pending?;
        let stepper = self.stepper()?;
        let mut link = self.to_url();
        link.step = 0;
        Some(SeekRequest {
            revision: self.revision(),
            link: link.to_fragment(),
            from: stepper.cursor(),
            to,
        })
    }

    /// Take a worker's results and move to the step it went to; false (and nothing
    /// changes) when they are not for the seek waiting (another build, another step,
    /// or none waits any more).
    pub fn finish_seek(&mut self, result: SeekResult) -> bool {
        if result.revision != self.revision() || self.pending != Some(result.to) {
            return false;
        }
        self.log.merge(result.log);
        self.pending = None;
        if let Some(stepper) = &mut self.stepper {
            stepper.seek_with(result.to, &mut self.log.cache(|_| false));
        }
        true
    }

    /// Whether the build has results computed elsewhere for step `step`.
    pub fn precomputed(&self, step: usize) -> bool {
        self.log.covers(step)
    }
}

/// A worker's stepper, kept between requests for the same link so that stepping on
/// through a program costs the worker only the new steps.
pub struct Seeker {
    link: String,
    stepper: Stepper,
    work: Vec<u64>,
}

impl Seeker {
    /// Carry out `request` with the stepper `kept` holds when it is the link's, a new
    /// one otherwise (kept then for the next request); `progress(fraction)` as the work
    /// goes on.
    pub fn run(
        kept: &mut Option<Seeker>,
        request: &SeekRequest,
        mut progress: impl FnMut(f64),
    ) -> Result<Log, String> {
        if kept.as_ref().is_none_or(|s| s.link != request.link) {
            *kept = None;
            *kept = Some(Seeker::new(&request.link)?);
        }
        let Some(seeker) = kept.as_mut() else {
            return Err("the link's program does not compile".into());
        };
        let stepper = &mut seeker.stepper;
        if request.to > stepper.len() || request.from > request.to {
            return Err(format!(
                "steps {}..{} are not steps of the program ({})",
                request.from,
                request.to,
                stepper.len()
            ));
        }
        if stepper.cursor() > request.from {
            stepper.seek(request.from);
        }
        let start = stepper.cursor();
        let total: u64 = seeker.work[start..request.to].iter().sum();
        let mut done = 0u64;
        let mut log = Log::default();
        let mut recording = log.cache(|step| step >= request.from);
        while stepper.cursor() < request.to {
            done += seeker.work[stepper.cursor()];
            stepper.step_with(&mut recording);
            progress(if total == 0 {
                1.0
            } else {
                done as f64 / total as f64
            });
        }
        Ok(log)
    }

    fn new(link: &str) -> Result<Seeker, String> {
        let state = UrlState::from_fragment(link).map_err(|e| e.to_string())?;
        let session = Session::from_url(state);
        let stepper = session
            .stepper()
            .filter(|_| session.error().is_none())
            .ok_or_else(|| "the link's program does not compile".to_string())?
            .clone();
        Ok(Seeker {
            link: link.to_string(),
            work: step_work(&stepper),
            stepper,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two products of 200 × 200 matrices: each forward step (16 million operations)
    /// runs right away, the whole forward pass (32 million) and each product's backward
    /// step (32 million) do not.
    const HEAVY: &str = "A = randn([200, 200], 1)\nB = A @ A\nC = B @ A\nsum(C)";

    /// Step by step to the end of the forward pass, each step right away.
    fn step_to_forward_end(session: &mut Session) -> usize {
        while session.stepper().unwrap().cursor() < session.forward_end() {
            assert!(session.step_forward().is_some());
        }
        assert_eq!(session.pending(), None);
        session.forward_end()
    }

    fn offloading(source: &str) -> Session {
        let mut session = Session::new(source);
        session.set_offload(true);
        session
    }

    /// What the worker does with the session's request: a worker's result for it.
    fn worker(session: &Session, kept: &mut Option<Seeker>) -> SeekResult {
        let request = session.pending_seek().expect("a seek waits");
        let mut seen = vec![];
        let log = Seeker::run(kept, &request, |done| seen.push(done)).unwrap();
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        assert_eq!(seen.last(), Some(&1.0));
        SeekResult {
            revision: request.revision,
            to: request.to,
            log,
        }
    }

    fn state(session: &Session) -> String {
        format!("{:?}", session.stepper().unwrap())
    }

    #[test]
    fn cheap_seeks_run_here_and_costly_ones_wait_for_the_worker() {
        let mut plain = Session::new(HEAVY);
        plain.jump_to_backward_end();
        assert!(
            plain.stepper().unwrap().is_done(),
            "without a worker, right away"
        );

        let mut session = offloading(HEAVY);
        session.jump_to_forward_end();
        assert_eq!(session.pending(), Some(session.forward_end()));
        session.cancel_seek();
        let forward_end = step_to_forward_end(&mut session);
        session.jump_to_backward_end();
        assert_eq!(session.pending(), Some(session.end()));
        assert_eq!(
            session.stepper().unwrap().cursor(),
            forward_end,
            "it stays meanwhile"
        );
        let request = session.pending_seek().unwrap();
        assert_eq!((request.from, request.to), (forward_end, session.end()));
        let link = UrlState::from_fragment(&request.link).unwrap();
        assert_eq!((link.program.as_str(), link.step), (HEAVY, 0));

        let result = worker(&session, &mut None);
        assert!(session.finish_seek(result));
        assert_eq!(session.pending(), None);
        assert_eq!(
            state(&session),
            state(&plain),
            "the worker's steps are the page's"
        );
        // Back and forth again over those steps: no more waiting.
        session.reset();
        session.jump_to_backward_end();
        assert_eq!(session.pending(), None);
        assert_eq!(state(&session), state(&plain));
    }

    #[test]
    fn one_costly_step_waits_and_a_new_move_replaces_the_wait() {
        let mut session = offloading(HEAVY);
        let at = step_to_forward_end(&mut session);
        // The first backward step (the sum) is cheap, the products' are not.
        assert!(session.step_forward().is_some());
        assert!(session.step_forward().is_none());
        assert_eq!(session.pending(), Some(at + 2));
        let result = worker(&session, &mut None);
        session.step_back();
        assert_eq!(session.pending(), None);
        assert!(!session.finish_seek(result), "nobody waits for it any more");
        assert_eq!(session.stepper().unwrap().cursor(), at);
        session.jump_to_backward_end();
        session.cancel_seek();
        assert_eq!(session.pending(), None);
        assert_eq!(session.stepper().unwrap().cursor(), at);
    }

    #[test]
    fn results_for_another_build_are_ignored() {
        let mut session = offloading(HEAVY);
        session.jump_to_backward_end();
        let result = worker(&session, &mut None);
        assert!(session.finish_seek(result.clone()));
        let end = session.end();
        // An edit: a new build meant for the same step, which waits again.
        session.set_text(&HEAVY.replace("sum(C)", "sum(C) * 2"));
        session.compile();
        assert_eq!(session.pending(), Some(end));
        assert_eq!(session.stepper().unwrap().cursor(), 0);
        assert!(!session.finish_seek(result));
        let result = worker(&session, &mut None);
        assert!(session.finish_seek(result));
        assert_eq!(session.stepper().unwrap().cursor(), end);
    }

    #[test]
    fn a_link_to_a_costly_step_opens_at_the_start_and_waits() {
        let mut plain = Session::new(HEAVY);
        plain.seek(plain.end() - 1);
        let mut link = plain.to_url();
        let step = link.step;
        link.step = 0;
        let mut session = Session::from_url(link);
        session.set_offload(true);
        session.seek(step);
        assert_eq!(session.pending(), Some(step));
        let result = worker(&session, &mut None);
        assert!(session.finish_seek(result));
        assert_eq!(state(&session), state(&plain));
    }

    /// The worker keeps its stepper for the next request of the same link, and goes
    /// back when asked for earlier steps.
    #[test]
    fn the_worker_goes_on_from_where_it_was() {
        let mut session = offloading(HEAVY);
        let mut kept = None;
        session.jump_to_backward_end();
        let first = worker(&session, &mut kept);
        assert_eq!(kept.as_ref().unwrap().stepper.cursor(), session.end());
        let mut again = offloading(HEAVY);
        step_to_forward_end(&mut again);
        again.step_forward();
        again.step_forward();
        let request = again.pending_seek().unwrap();
        assert_eq!(request.link, first_link(&session));
        let second = worker(&again, &mut kept);
        assert!(again.finish_seek(second));
        let mut plain = Session::new(HEAVY);
        plain.seek(again.stepper().unwrap().cursor());
        assert_eq!(state(&again), state(&plain));
        assert!(session.finish_seek(first));
    }

    fn first_link(session: &Session) -> String {
        session.pending_seek().unwrap().link
    }

    #[test]
    fn bad_requests_are_errors() {
        let request = |link: &str, from, to| SeekRequest {
            revision: 0,
            link: link.into(),
            from,
            to,
        };
        assert!(Seeker::run(&mut None, &request("program=x*", 0, 1), |_| {}).is_err());
        assert!(Seeker::run(&mut None, &request("program=x*y", 0, 9), |_| {}).is_err());
        assert!(Seeker::run(&mut None, &request("program=x*y", 2, 1), |_| {}).is_err());
        let log = Seeker::run(&mut None, &request("program=x*y&at=x=3,y=4", 1, 4), |_| {});
        assert_eq!(log.map(|l| l.steps().collect::<Vec<_>>()), Ok(vec![2, 3]));
    }

    #[test]
    fn step_work_counts_products_once_and_elementwise_ops_ten_times() {
        let session = Session::new("A = randn([10, 10], 1)\nsum(tanh(A @ A))");
        let work = &session.work;
        let stepper = session.stepper().unwrap();
        let of = |phase: Phase, name: &str| {
            let id = stepper.graph().find(name).unwrap();
            let at = stepper
                .schedule()
                .iter()
                .position(|&s| s == (phase, id))
                .unwrap();
            work[at]
        };
        assert_eq!(of(Phase::Forward, "v2"), 2_000);
        assert_eq!(of(Phase::Backward, "v2"), 4_000);
        assert_eq!(of(Phase::Forward, "v3"), 100 * 10 * 10);
    }
}
