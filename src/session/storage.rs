//! A link's checkpoints, precision and loss scaling put on the session's stepper.
//!
//! Checkpoints are chosen by [`CheckpointPlan::choose`]: names as given, `every:K` and
//! `sqrt` by position. The planner that settles a plan so it never peaks above the plain
//! run (`CheckpointPlan::resolve`) is not reached from here, so the app's first load does not
//! carry it: the Memory view settles a plan itself and opens a link naming the nodes.

use crate::engine::{EngineError, Mode, Stepper};
use crate::precision::Precision;
use crate::train::scaler::{BACKOFF_FACTOR, INIT_SCALE, LossScaling};
use crate::url_state::Storage;

/// The most scales the dynamic scheme tries looking for finite gradients (2¹⁶ down to
/// 2⁻¹⁵); the last stays.
const MAX_BACKOFFS: usize = 32;

/// `plain` (a new stepper at step 0, maybe with a stepping setup's passes) with
/// `storage`'s checkpoints (in reverse mode, when every name is a node of the program that
/// is not a constant; otherwise none), precision and loss scale. Nothing is cloned: a stepper is large, and so is its `Clone` in wasm.
///
/// The plain f64 run's storage leaves `plain` as it is, so a precision that the stepping
/// setup gives (a lab's `#: precision f16`) stands unless the link names another.
pub(super) fn apply(storage: &Storage, plain: Stepper) -> Result<Stepper, EngineError> {
    if *storage == Storage::default() {
        return Ok(plain);
    }
    let mut stepper = plain;
    if let Some(plan) = &storage.checkpoint
        && stepper.mode() == Mode::Reverse
        && let Ok(kept) = plan.choose(stepper.graph())
    {
        let graph = stepper.graph().clone();
        let inputs = stepper.inputs().to_vec();
        stepper = Stepper::with_checkpoints(graph, inputs, Mode::Reverse, Some(kept))?;
    }
    match storage.loss_scale {
        None => stepper.stored_as(storage.precision, 1.0),
        Some(LossScaling::Static(scale)) => stepper.stored_as(storage.precision, scale),
        Some(LossScaling::Dynamic) => dynamic_scale(stepper, storage.precision),
    }
}

/// The stepper (at step 0) stored in `precision` with the scale PyTorch's `GradScaler`
/// reaches on this program's first step: 2¹⁶, halved while a gradient comes out ∞ or NaN
/// (each such step skipped); 1 where even the plain f64 run's gradients are not finite,
/// since no scale helps there.
pub fn dynamic_scale(stepper: Stepper, precision: Precision) -> Result<Stepper, EngineError> {
    // Run to the end and back: whether every gradient came out finite.
    let finite = |stepper: &mut Stepper| {
        stepper.run_to_end();
        let finite = stepper
            .gradients()
            .iter()
            .filter_map(|(_, gradient)| gradient.as_ref())
            .all(|g| g.data().iter().all(|x| x.is_finite()));
        stepper.seek(0);
        finite
    };
    let mut stepper = stepper.stored_as(Precision::F64, 1.0)?;
    if stepper.mode() != Mode::Reverse || !finite(&mut stepper) {
        return stepper.stored_as(precision, 1.0);
    }
    let mut scale = INIT_SCALE;
    for _ in 0..MAX_BACKOFFS {
        stepper = stepper.stored_as(precision, scale)?;
        if finite(&mut stepper) {
            break;
        }
        scale *= BACKOFF_FACTOR;
    }
    Ok(stepper)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::checkpoint::CheckpointPlan;
    use crate::examples;
    use crate::session::Session;
    use crate::url_state::UrlState;

    fn link(slug: &str, storage: Storage) -> UrlState {
        let program = examples::find(slug).unwrap().program;
        let mut state = Session::new(program).to_url();
        state.storage = storage;
        state
    }

    #[test]
    fn a_link_s_checkpoints_precision_and_scale_reach_the_stepper() {
        let storage = Storage {
            checkpoint: Some(CheckpointPlan::Named(vec!["h5".into(), "h10".into()])),
            precision: Precision::F32,
            loss_scale: Some(LossScaling::Static(8.0)),
        };
        let session = Session::from_url(link("deep-chain", storage.clone()));
        let stepper = session.stepper().unwrap();
        let graph = stepper.graph();
        let kept: Vec<&str> = stepper
            .checkpoints()
            .unwrap()
            .iter()
            .map(|&id| graph.node(id).name.as_str())
            .collect();
        assert_eq!(kept, ["h5", "h10"]);
        assert_eq!(stepper.precision(), Precision::F32);
        assert_eq!(stepper.loss_scale(), 8.0);
        // The link writes them back, and a rebuild (a new input value) keeps them.
        assert_eq!(session.to_url().storage, storage);
        let mut session = session;
        session.set_input("nothing-here", 2.0);
        assert_eq!(session.stepper().unwrap().checkpoints().unwrap().len(), 2);
        // A name the program does not have: the plain schedule, nothing lost.
        let unknown = Storage {
            checkpoint: Some(CheckpointPlan::Named(vec!["h99".into()])),
            ..Storage::default()
        };
        let session = Session::from_url(link("deep-chain", unknown));
        assert!(session.stepper().unwrap().checkpoints().is_none());
    }

    #[test]
    fn sqrt_in_a_link_keeps_every_fifth_of_the_deep_chain() {
        let storage = Storage {
            checkpoint: Some(CheckpointPlan::Sqrt),
            ..Storage::default()
        };
        let session = Session::from_url(link("deep-chain", storage));
        let stepper = session.stepper().unwrap();
        let graph = stepper.graph();
        let kept: Vec<&str> = stepper
            .checkpoints()
            .unwrap()
            .iter()
            .map(|&id| graph.node(id).name.as_str())
            .collect();
        assert_eq!(kept, ["h5", "h10", "h15", "h20"]);
    }

    /// f16 stores at most 65504: the seed 2¹⁶ overflows, the scaler backs off once, and
    /// 2¹⁵ keeps every gradient of the f16 example finite and nonzero.
    #[test]
    fn the_dynamic_scale_backs_off_from_an_overflow() {
        let storage = Storage {
            precision: Precision::F16,
            loss_scale: Some(LossScaling::Dynamic),
            ..Storage::default()
        };
        let mut session = Session::from_url(link("f16-underflow", storage));
        assert_eq!(session.stepper().unwrap().loss_scale(), 32768.0);
        session.jump_to_backward_end();
        let stepper = session.stepper().unwrap();
        for (_, gradient) in stepper.gradients() {
            let gradient = gradient.unwrap();
            assert!(gradient.data().iter().all(|x| x.is_finite() && *x != 0.0));
        }
        // In f64 nothing overflows: the first scale stays.
        let plain = Session::new("x * 3");
        let scale = |session: &Session, precision| {
            let stepper = session.stepper().unwrap().clone();
            dynamic_scale(stepper, precision).unwrap().loss_scale()
        };
        assert_eq!(scale(&plain, Precision::F64), INIT_SCALE);
        // A gradient that is ∞ in f64 too (√ at 0): no scale helps, 1.
        let nan = Session::new("sqrt(x - 1)");
        assert_eq!(scale(&nan, Precision::F16), 1.0);
        // After 32 scales (down to 2⁻¹⁵) the scheme stops halving.
        let huge = Session::new("x * 1e300 * 1e300");
        assert_eq!(scale(&huge, Precision::F64), 1.0, "∞ in f64 already");
        let f16_huge = Session::new("x * 60000 * 60000");
        assert_eq!(scale(&f16_huge, Precision::F16), 2f64.powi(-15));
    }
}
