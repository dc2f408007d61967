//! Training on the CPU off the page's thread: a Web Worker (`www/check-worker.js`, the
//! `checker` module) trains each chunk from the run's state the page sends, and the page
//! takes the state and losses back into its run, which stays the one the view evaluates,
//! draws and steps into ([`crate::playground::relay`]). The worker starts with the first
//! CPU chunk, and is terminated (a chunk under way is cancelled) when training pauses,
//! the run is rebuilt or starts over, its data or training settings change, or a worker
//! fails; then the page trains on its own thread, as it does while the worker cannot serve
//! the run (the editor's program does not compile, or is not the run's).

use super::state::PlaygroundState;
use super::trainer::{Offload, start_trainer, train_chunk};
use crate::playground::backend::TrainingBackend;
use crate::playground::data::shipped_of;
use crate::playground::form::read_training;
use crate::playground::relay::{ChunkReply, ChunkRequest, Seed, Work};
use crate::playground::run::{Chunk, Run};
use crate::train::TrainError;
use js_sys::{Float64Array, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Stop the worker (cancelling a chunk under way); the next CPU chunk starts a new one.
pub fn reset(ps: PlaygroundState) {
    let old = ps.offload.try_update_value(std::mem::take);
    drop(old);
}

/// Train `work` of `run` (on the CPU) in the worker. None when the worker cannot serve
/// the run, or failed: the page trains the chunk itself. With `evaluate` (the boundary
/// grid's points, or none), the worker evaluates the run after the chunk too, into
/// `ps.evaluated`.
pub async fn train(
    ps: PlaygroundState,
    run: &mut Run<TrainingBackend>,
    work: Work,
    evaluate: Option<Vec<[f64; 2]>>,
) -> Option<Result<Chunk, TrainError>> {
    let running = ps.offload.with_value(|o| match o {
        Offload::Idle => Some(None),
        Offload::Running { worker, seeded } => Some(Some((worker.clone(), *seeded))),
        Offload::Failed => None,
    })?;
    let (worker, seeded) = match running {
        Some(running) => running,
        None => {
            seed_of(ps, run)?;
            let worker = start_trainer().ok()?;
            ps.offload.set_value(Offload::Running {
                worker: worker.clone(),
                seeded: false,
            });
            (worker, false)
        }
    };
    let seed = match seeded {
        true => None,
        false => Some(seed_of(ps, run)?.encode()),
    };
    let request = ChunkRequest {
        work,
        stop: run.stop(),
        state: run.state()?,
        evaluate,
    };
    let promise = train_chunk(
        &worker,
        seed.is_some(),
        seed.as_deref().unwrap_or_default(),
        &request.encode(),
    );
    ps.offload.update_value(|o| {
        if let Offload::Running { seeded, .. } = o {
            *seeded = true;
        }
    });
    let answer = JsFuture::from(promise).await.unwrap_or(JsValue::NULL);
    if answer.is_null() {
        // Cancelled: the run is as it was before the chunk.
        return Some(Ok(Chunk {
            steps: 0,
            diverged: false,
            stopped: run.at_stop(),
        }));
    }
    let trained = (read_reply(&answer)).and_then(|reply| {
        let ChunkReply {
            chunk,
            losses,
            state,
            evaluation,
        } = reply;
        run.restore(state)
            .ok()
            .map(|()| (chunk, losses, evaluation))
    });
    match trained {
        Some((chunk, losses, evaluation)) => {
            run.extend_losses(&losses);
            if let Some(evaluation) = evaluation {
                ps.evaluated.set_value(Some((run.steps(), evaluation)));
            }
            Some(Ok(chunk))
        }
        // A worker that failed, or a reply the run cannot take: the page trains from the
        // state it sent (put back whole), and says what goes wrong in its own words.
        None => {
            ps.offload.set_value(Offload::Failed);
            run.restore(request.state).ok()?;
            None
        }
    }
}

/// The seed of the run's program, when the worker can build the run from it: the
/// editor's program compiles to the run's graph with the run's training settings.
fn seed_of(ps: PlaygroundState, run: &Run<TrainingBackend>) -> Option<Seed> {
    let training = ps.training_now.get_value()?;
    ps.host.source.with_untracked(|source| {
        let same = source.problem().is_none()
            && source.graph() == Some(run.graph())
            && read_training(source.text()) == training;
        same.then(|| Seed::of(source.text(), shipped_of(run.graph()).map(|s| s.name)))
    })
}

fn read_reply(answer: &JsValue) -> Option<ChunkReply> {
    let numbers = Reflect::get(answer, &"numbers".into()).ok()?;
    let numbers = numbers.dyn_into::<Float64Array>().ok()?.to_vec();
    ChunkReply::decode(&numbers).ok()
}
