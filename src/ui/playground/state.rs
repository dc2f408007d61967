//! The playground module's reactive state: what the app gave it (the program, the theme)
//! and the way to answer, the training run (kept out of the signals, it is large, and
//! touched only by the job queue in [`super::jobs`]), what the view shows of it (step,
//! loss, accuracy, speed, frame time, the loss curve and the decision boundary), and the
//! backend: the user's choice, what runs, a spare GPU device and the last parameters read
//! back from the GPU; how training is watched (its speed and stop, the loss chart's
//! scale); the signals of the training options' view ([`super::options`]) and of the
//! own-data panel ([`super::own_data`]), and the training worker
//! ([`super::trainer`]). The user's commands, which queue jobs, are in
//! [`super::commands`]. Everything here is data: the modules that act on it import it.

use super::trainer::Offload;
use crate::backend::gpu::GpuContext;
use crate::playground::backend::{BackendChoice, BackendStatus, TrainingBackend};
use crate::playground::chart::Scale;
use crate::playground::data::own_panel::OwnPanel;
use crate::playground::form::Training;
use crate::playground::message::{FromPlayground, pack};
use crate::playground::meter::Meter;
use crate::playground::options::view::Status;
use crate::playground::pace::{Pacer, Speed};
use crate::playground::panel::Watch;
use crate::playground::relay::Evaluation;
use crate::playground::run::{Checkpoint, Run};
use crate::playground::scatter::Scatter;
use crate::playground::source::Source;
use crate::train::GradientNorm;
use leptos::prelude::*;
use std::collections::VecDeque;
use wasm_bindgen::prelude::*;

/// Work on the run, queued by the user's commands and run one at a time by
/// [`super::jobs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// The program changed: a new graph starts over, a new training line changes the
    /// optimizer settings from the next step on.
    Follow,
    /// A chunk of training in an animation frame of training loop `id`.
    Frame(u64),
    /// One update, then the picture.
    Step,
    /// Accuracy and the decision boundary (and, on the GPU, a checkpoint).
    Evaluate,
    /// Send the next training step to the app's stepper.
    StepInto,
    /// Back to the program's initial parameters.
    Restart,
    /// Go on with the same model on this backend.
    Switch(BackendChoice),
}

/// Training time per animation frame on the CPU (ms): the rest of the frame is the
/// page's. (A GPU chunk leaves the main thread free while the GPU works; its length
/// follows [`crate::playground::pace`].)
pub const CHUNK_MS: f64 = 8.0;
/// Training time per chunk in the training worker (ms), which leaves the page's thread
/// free: longer than [`CHUNK_MS`], so the run's state crosses less often. The worker
/// also evaluates the run when the picture is due, so the page runs no forward pass.
pub const WORKER_CHUNK_MS: f64 = 40.0;
/// Grid points per side of the decision-boundary picture.
pub const GRID: usize = 48;

/// The numbers under the charts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    pub steps: u64,
    pub loss: Option<f64>,
    pub accuracy: Option<f64>,
    /// The accuracy on the dataset's held-out test rows.
    pub test_accuracy: Option<f64>,
    pub steps_per_second: Option<f64>,
    /// Mean and longest time between animation frames while training (ms).
    pub frame_ms: Option<(f64, f64)>,
}

#[wasm_bindgen]
extern "C" {
    /// The app's end of the messages (made by the app's playground host): one typed call
    /// per kind of [`FromPlayground`].
    pub type AppLink;

    #[wasm_bindgen(method, js_name = replaceProgram)]
    fn replace_program(this: &AppLink, program: &str);

    #[wasm_bindgen(method, js_name = stepInto)]
    fn step_into(this: &AppLink, program: &str, description: &str, shapes: &[u32], data: &[f64]);

    #[wasm_bindgen(method)]
    fn status(this: &AppLink, training: bool);
}

/// What the app gave the playground, and the way back to it.
#[derive(Clone, Copy)]
pub struct Host {
    pub source: RwSignal<Source>,
    pub dark: RwSignal<bool>,
    to_app: StoredValue<AppLink, LocalStorage>,
}

impl Host {
    pub fn new(to_app: AppLink) -> Host {
        Host {
            source: RwSignal::new(Source::default()),
            dark: RwSignal::new(false),
            to_app: StoredValue::new_local(to_app),
        }
    }

    /// Send `message` to the app.
    pub fn send(&self, message: &FromPlayground) {
        self.to_app.with_value(|app| match message {
            FromPlayground::ReplaceProgram { program } => app.replace_program(program),
            FromPlayground::StepInto {
                program,
                inputs,
                description,
            } => {
                let (shapes, data) = pack(inputs);
                app.step_into(program, description, &shapes, &data);
            }
            FromPlayground::Status { training } => app.status(*training),
        });
    }
}

#[derive(Clone, Copy)]
pub struct PlaygroundState {
    pub host: Host,
    pub run: StoredValue<Option<Run<TrainingBackend>>, LocalStorage>,
    /// The training settings the run uses now.
    pub training_now: StoredValue<Option<Training>>,
    pub training: RwSignal<bool>,
    /// Bumped on every start, so a stale frame loop stops.
    pub loop_id: StoredValue<u64>,
    /// Each loss read back, with its step number.
    pub losses: StoredValue<Vec<(u64, f64)>>,
    /// Bumped when `losses` changed, so the chart redraws.
    pub losses_changed: RwSignal<u64>,
    pub stats: RwSignal<Stats>,
    pub scatter: RwSignal<Option<Scatter>>,
    /// The decision boundary as a BMP data URL.
    pub boundary: RwSignal<Option<String>>,
    /// The predictions it was drawn from, so a theme change draws it again without a
    /// forward pass.
    pub predictions: StoredValue<Option<Vec<(usize, f64)>>>,
    /// The classifier on the held-out rows (confusion matrix, misclassified digits, the
    /// first layer's weights) as markup, see [`super::data`].
    pub report: RwSignal<Option<String>>,
    /// The own-data panel ([`super::own_data`]).
    pub own: OwnUi,
    /// The backend the user asked for.
    pub choice: RwSignal<BackendChoice>,
    /// The backend the run trains on, and what WebGPU offers.
    pub backend: RwSignal<BackendStatus>,
    /// A GPU device no run uses now, kept so the GPU is there at once when chosen.
    pub spare_gpu: StoredValue<Option<GpuContext>, LocalStorage>,
    /// The parameters last read back from the GPU: where training goes on on the CPU if
    /// the device is lost.
    pub checkpoint: StoredValue<Option<Checkpoint>>,
    /// Why training stopped or could not start, or what just happened.
    pub message: RwSignal<Option<String>>,
    pub frames: StoredValue<Meter>,
    pub rate: StoredValue<Meter>,
    /// When the picture was last recomputed, and how long that took (ms).
    pub last_evaluation: StoredValue<(f64, f64)>,
    /// How many steps the next GPU chunk queues.
    pub queued_steps: StoredValue<usize>,
    /// The speed training runs at and the step it stops at.
    pub watch: RwSignal<Watch>,
    /// Steps per frame at the chosen speed.
    pub pacer: StoredValue<Pacer>,
    /// The loss chart's scale.
    pub scale: RwSignal<Scale>,
    /// Work on the run waiting its turn, and whether some is under way.
    pub jobs: StoredValue<VecDeque<Job>>,
    pub busy: StoredValue<bool>,
    /// What the run recorded of its training options.
    pub options: OptionsState,
    /// The worker that trains on the CPU ([`super::offload`]).
    pub offload: StoredValue<Offload, LocalStorage>,
    /// The run as the worker evaluated it after a chunk, with the step count then.
    pub evaluated: StoredValue<Option<(u64, Evaluation)>>,
}

impl PlaygroundState {
    pub fn new(host: Host) -> PlaygroundState {
        PlaygroundState {
            host,
            run: StoredValue::new_local(None),
            training_now: StoredValue::new(None),
            training: RwSignal::new(false),
            loop_id: StoredValue::new(0),
            losses: StoredValue::new(Vec::new()),
            losses_changed: RwSignal::new(0),
            stats: RwSignal::new(Stats::default()),
            scatter: RwSignal::new(None),
            boundary: RwSignal::new(None),
            predictions: StoredValue::new(None),
            report: RwSignal::new(None),
            own: OwnUi::new(),
            choice: RwSignal::new(BackendChoice::Cpu),
            backend: RwSignal::new(BackendStatus::default()),
            spare_gpu: StoredValue::new_local(None),
            checkpoint: StoredValue::new(None),
            message: RwSignal::new(None),
            frames: StoredValue::new(Meter::default()),
            rate: StoredValue::new(Meter::default()),
            last_evaluation: StoredValue::new((f64::NEG_INFINITY, 0.0)),
            queued_steps: StoredValue::new(1),
            watch: RwSignal::new(Watch::default()),
            pacer: StoredValue::new(Pacer::default()),
            scale: RwSignal::new(Scale::default()),
            jobs: StoredValue::new(VecDeque::new()),
            busy: StoredValue::new(false),
            options: OptionsState::new(),
            offload: StoredValue::new_local(Offload::Idle),
            evaluated: StoredValue::new(None),
        }
    }

    /// The state the module's root provided.
    pub fn get() -> PlaygroundState {
        expect_context::<PlaygroundState>()
    }

    /// Train at `speed` from now on.
    pub fn set_speed(&self, speed: Speed) {
        if self.watch.with_untracked(|w| w.speed) != speed {
            self.watch.update(|w| w.speed = speed);
            self.pacer.update_value(Pacer::restart);
        }
    }

    /// Stop training at `stop` steps (None: never).
    pub fn set_stop(&self, stop: Option<u64>) {
        if self.watch.with_untracked(|w| w.stop) != stop {
            self.watch.update(|w| w.stop = stop);
        }
    }
}

/// The training options' signals (filled by [`super::options::publish`]).
#[derive(Clone, Copy)]
pub struct OptionsState {
    /// Each clipped step's norms, as the run recorded them.
    pub norms: StoredValue<Vec<(u64, GradientNorm)>>,
    pub norms_changed: RwSignal<u64>,
    pub status: RwSignal<Status>,
}

impl OptionsState {
    pub fn new() -> OptionsState {
        OptionsState {
            norms: StoredValue::new(Vec::new()),
            norms_changed: RwSignal::new(0),
            status: RwSignal::new(Status::default()),
        }
    }
}

impl Default for OptionsState {
    fn default() -> OptionsState {
        OptionsState::new()
    }
}

/// The own-data panel's state (driven by [`super::own_data`]).
#[derive(Clone, Copy)]
pub struct OwnUi {
    pub panel: RwSignal<OwnPanel>,
    /// The row being dragged and where the press was.
    pub(super) drag: StoredValue<Option<(usize, (f64, f64))>>,
}

impl OwnUi {
    pub fn new() -> OwnUi {
        OwnUi {
            panel: RwSignal::new(OwnPanel::default()),
            drag: StoredValue::new(None),
        }
    }
}

impl Default for OwnUi {
    fn default() -> OwnUi {
        OwnUi::new()
    }
}
