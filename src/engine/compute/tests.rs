//! A log recorded by one stepper and replayed by another gives the state computing gives,
//! to the bit, in every mode and schedule; the log survives the wire.

use super::*;
use crate::engine::setup::Setup;
use crate::engine::{CheckpointPlan, Mode, Stepper, inputs};
use crate::examples;
use crate::program::compile;

fn build(source: &str, mode: Mode, setup: Setup) -> Option<Stepper> {
    let graph = compile(source).ok()?;
    let values = inputs::resolve(&graph, &[], Some(1.5)).ok()?;
    let mode = match mode {
        Mode::Forward { .. } => Mode::Forward {
            wrt: graph.inputs().next()?,
        },
        Mode::Reverse => Mode::Reverse,
    };
    setup.stepper(graph, values, mode).ok()
}

/// Records steps `from..to` on a fresh stepper, sends the log over the wire and replays
/// it on another at `from`; both must equal a stepper that computed everything.
fn replayed_equals_computed(stepper: &Stepper, from: usize, to: usize) -> Log {
    let mut computed = stepper.clone();
    computed.seek(to);
    let mut worker = stepper.clone();
    let mut recorded = Log::default();
    worker.seek_with(to, &mut recorded.cache(|step| step >= from));
    assert!(recorded.steps().all(|s| (from..to).contains(&s)));
    let mut log = Log::decode(&recorded.encode()).expect("the log reads back");
    assert_eq!(
        format!("{log:?}"),
        format!("{recorded:?}"),
        "bit for bit over the wire"
    );
    let mut page = stepper.clone();
    page.seek(from);
    page.seek_with(to, &mut log.cache(|_| false));
    assert_eq!(format!("{page:?}"), format!("{computed:?}"));
    assert_eq!(format!("{worker:?}"), format!("{computed:?}"));
    log
}

#[test]
fn every_example_replays_in_both_modes_and_every_setup() {
    let mut replayed = 0;
    for example in examples::catalog() {
        for mode in [
            Mode::Reverse,
            Mode::Forward {
                wrt: crate::graph::NodeId(0),
            },
        ] {
            let Some(stepper) = build(example.program, mode, example.setup) else {
                continue;
            };
            let len = stepper.len();
            for (from, to) in [(0, len), (len / 3, len), (1.min(len), len / 2)] {
                replayed_equals_computed(&stepper, from, to);
            }
            replayed += 1;
        }
    }
    assert!(replayed > 40, "{replayed}");
}

#[test]
fn checkpointed_schedules_replay_their_recomputations() {
    let source = "x = 0.5\nh1 = tanh(x)\nh2 = tanh(h1)\nh3 = tanh(h2)\nh4 = tanh(h3)\nh4 * h4";
    let graph = compile(source).unwrap();
    let kept = CheckpointPlan::Every(2).choose(&graph).unwrap();
    let values = inputs::resolve(&graph, &[], None).unwrap();
    let stepper = Stepper::with_checkpoints(graph, values, Mode::Reverse, Some(kept)).unwrap();
    assert!(
        stepper
            .schedule()
            .iter()
            .any(|(p, _)| *p == crate::engine::Phase::Recompute)
    );
    let log = replayed_equals_computed(&stepper, 0, stepper.len());
    assert_eq!(
        log.steps().count(),
        stepper.len() - 1,
        "all but the input's step"
    );
}

/// A replayed step uses the log's numbers, not its own: a log whose value differs shows.
#[test]
fn a_replayed_step_takes_the_logged_result() {
    let stepper = build("x = 2\nx * x", Mode::Reverse, Setup::default()).unwrap();
    let mut log = Log::default();
    stepper.clone().seek_with(2, &mut log.cache(|_| true));
    log.insert(1, Computed::Forward(Ok(Tensor::scalar(5.0))));
    let mut page = stepper.clone();
    page.seek_with(2, &mut log.cache(|_| false));
    assert_eq!(page.scalar_value(crate::graph::NodeId(1)), Some(5.0));
    // An entry of the wrong kind is ignored: the step is computed.
    let mut wrong = Log::default();
    wrong.insert(1, Computed::PullBack(vec![]));
    let mut page = stepper.clone();
    page.seek_with(2, &mut wrong.cache(|_| false));
    assert_eq!(page.scalar_value(crate::graph::NodeId(1)), Some(4.0));
}

#[test]
fn logs_merge_and_errors_survive_the_wire() {
    let mut log = Log::default();
    log.insert(3, Computed::Forward(Err("no".into())));
    let mut other = Log::default();
    other.insert(1, Computed::Forward(Ok(Tensor::scalar(f64::NAN))));
    other.insert(3, Computed::Forward(Ok(Tensor::scalar(f64::NEG_INFINITY))));
    log.merge(other);
    assert_eq!(log.steps().collect::<Vec<_>>(), [1, 3]);
    let back = Log::decode(&log.encode()).unwrap();
    assert_eq!(format!("{back:?}"), format!("{log:?}"));
    let mut errors = Log::default();
    errors.insert(0, Computed::Forward(Err("shapes ×".into())));
    assert_eq!(Log::decode(&errors.encode()).unwrap(), errors);
}

#[test]
fn cut_or_disordered_logs_are_refused() {
    let stepper = build(
        "A = randn([2, 3], 1)\nsum(tanh(A) * A)",
        Mode::Reverse,
        Setup::default(),
    )
    .unwrap();
    let mut log = Log::default();
    stepper
        .clone()
        .seek_with(stepper.len(), &mut log.cache(|_| true));
    let numbers = log.encode();
    for end in 0..numbers.len() {
        assert!(Log::decode(&numbers[..end]).is_err(), "cut at {end}");
    }
    let mut longer = numbers.clone();
    longer.push(0.0);
    assert!(Log::decode(&longer).is_err());
    let swapped = Log {
        entries: vec![
            (2, Computed::Forward(Ok(Tensor::scalar(1.0)))),
            (1, Computed::Forward(Ok(Tensor::scalar(1.0)))),
        ],
    };
    assert!(
        Log::decode(&swapped.encode())
            .unwrap_err()
            .contains("out of order")
    );
}
