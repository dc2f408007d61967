//! The playground's reactive state: the training run (kept out of the signals, it is
//! large), what the view shows of it (step, loss, accuracy, speed, frame time, the loss
//! curve and the decision boundary), the backend choice and the WebGPU probe. Training
//! goes in chunks of about [`CHUNK_MS`] per animation frame, driven by
//! [`super::super::hooks::drive_training`].

use crate::playground::backend::{BackendChoice, GpuProbe, TrainingBackend};
use crate::playground::boundary::{self, Grid};
use crate::playground::form::{Training, read_training};
use crate::playground::meter::Meter;
use crate::playground::run::Run;
use crate::session::Session;
use crate::ui::hooks;
use crate::ui::state::AppState;
use leptos::prelude::*;

/// Training time per animation frame (ms): the rest of the frame is the page's.
pub const CHUNK_MS: f64 = 8.0;
/// How often accuracy and the decision boundary are recomputed while training (ms).
pub const EVALUATE_EVERY_MS: f64 = 300.0;
/// Grid points per side of the decision-boundary picture.
pub const GRID: usize = 48;

/// The numbers under the charts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    pub steps: u64,
    pub loss: Option<f64>,
    pub accuracy: Option<f64>,
    pub steps_per_second: Option<f64>,
    /// Mean and longest time between animation frames while training (ms).
    pub frame_ms: Option<(f64, f64)>,
}

/// The data scatter: its points (markup) on the grid the boundary is drawn over.
#[derive(Clone, Debug, PartialEq)]
pub struct Scatter {
    pub grid: Grid,
    pub points: usize,
    pub classes: usize,
    /// Circles in a [`boundary::PICTURE`]-sized square.
    pub markup: String,
}

#[derive(Clone, Copy)]
pub struct PlaygroundState {
    pub app: AppState,
    run: StoredValue<Option<Run<TrainingBackend>>, LocalStorage>,
    /// The training settings the run uses now.
    training_now: StoredValue<Option<Training>>,
    pub training: RwSignal<bool>,
    /// Bumped on every start, so a stale frame loop stops.
    pub loop_id: StoredValue<u64>,
    pub losses: StoredValue<Vec<f64>>,
    /// Bumped when `losses` grew, so the chart redraws.
    pub losses_changed: RwSignal<u64>,
    pub stats: RwSignal<Stats>,
    pub scatter: RwSignal<Option<Scatter>>,
    /// The decision boundary as a BMP data URL.
    pub boundary: RwSignal<Option<String>>,
    pub choice: RwSignal<BackendChoice>,
    /// The backend the current run trains on.
    pub running: RwSignal<BackendChoice>,
    pub probe: RwSignal<GpuProbe>,
    /// Why training stopped or could not start, or what just happened.
    pub message: RwSignal<Option<String>>,
    /// Which training step the stepper shows after "step into", while the session's
    /// stepper is the one loaded then (its revision).
    pub stepped_into: RwSignal<Option<(u64, String)>>,
    pub frames: StoredValue<Meter>,
    pub rate: StoredValue<Meter>,
    last_evaluation: StoredValue<f64>,
}

impl PlaygroundState {
    pub fn new(app: AppState) -> PlaygroundState {
        PlaygroundState {
            app,
            run: StoredValue::new_local(None),
            training_now: StoredValue::new(None),
            training: RwSignal::new(false),
            loop_id: StoredValue::new(0),
            losses: StoredValue::new(Vec::new()),
            losses_changed: RwSignal::new(0),
            stats: RwSignal::new(Stats::default()),
            scatter: RwSignal::new(None),
            boundary: RwSignal::new(None),
            choice: RwSignal::new(BackendChoice::Cpu),
            running: RwSignal::new(BackendChoice::Cpu),
            probe: RwSignal::new(GpuProbe::Probing),
            message: RwSignal::new(None),
            stepped_into: RwSignal::new(None),
            frames: StoredValue::new(Meter::default()),
            rate: StoredValue::new(Meter::default()),
            last_evaluation: StoredValue::new(f64::NEG_INFINITY),
        }
    }

    pub fn get() -> PlaygroundState {
        use_context::<PlaygroundState>().unwrap_or_else(|| PlaygroundState::new(AppState::get()))
    }

    /// Forget the run and everything shown of it.
    pub fn discard(&self) {
        self.training.set(false);
        self.run.set_value(None);
        self.training_now.set_value(None);
        self.losses.set_value(Vec::new());
        self.losses_changed.update(|n| *n += 1);
        self.stats.set(Stats::default());
        self.boundary.set(None);
        self.scatter.set(None);
        self.stepped_into.set(None);
    }

    /// Keep the run in step with the program: a new graph starts over, a new training
    /// line changes the optimizer settings from the next step on.
    pub fn follow(&self, session: &Session) {
        let Some(graph) = session.graph() else {
            return;
        };
        let same = self
            .run
            .with_value(|run| run.as_ref().map(|r| r.graph() == graph));
        match same {
            Some(true) => {
                let training = read_training(session.source());
                if self.training_now.get_value() != Some(training) {
                    self.training_now.set_value(Some(training));
                    self.run.update_value(|run| {
                        if let Some(run) = run {
                            run.set_training(&training);
                        }
                    });
                }
                return;
            }
            Some(false) => {
                let was_training = self.training.get_untracked();
                self.discard();
                if was_training {
                    self.message
                        .set(Some("The program changed, so training starts over.".into()));
                }
            }
            None => {}
        }
        // Show the data, the initial decision regions and the backend at once.
        if graph.params().next().is_some() && self.ensure_run() {
            let state = *self;
            leptos::task::spawn_local(async move { state.evaluate().await });
        }
    }

    /// The run, made from the current program when there is none. False (with the
    /// reason in `message`) when the program cannot be trained.
    fn ensure_run(&self) -> bool {
        if self.run.with_value(Option::is_some) {
            return true;
        }
        let Some((graph, source)) = self
            .app
            .session
            .with_untracked(|s| s.graph().cloned().map(|g| (g, s.source().to_string())))
        else {
            return false;
        };
        let training = read_training(&source);
        let (backend, fallback) =
            TrainingBackend::create(self.choice.get_untracked(), &self.probe.get_untracked());
        let kind = backend.kind();
        match Run::new(backend, graph, &training) {
            Ok(run) => {
                if let Some(dataset) = run.dataset() {
                    let grid = Grid::around(&dataset.points, GRID);
                    self.scatter.set(Some(Scatter {
                        grid,
                        points: dataset.len(),
                        classes: dataset.classes,
                        markup: boundary::scatter_markup(
                            &dataset.points,
                            &dataset.labels,
                            &grid,
                            boundary::PICTURE,
                        ),
                    }));
                }
                self.run.set_value(Some(run));
                self.training_now.set_value(Some(training));
                self.running.set(kind);
                self.message
                    .set(fallback.map(|why| format!("Training on the CPU: {why}")));
                true
            }
            Err(error) => {
                self.message
                    .set(Some(format!("This program cannot be trained: {error}")));
                false
            }
        }
    }

    /// Start or pause training.
    pub fn toggle(&self) {
        if self.training.get_untracked() {
            self.training.set(false);
            return;
        }
        if self.ensure_run() {
            self.app.playing.set(false);
            self.message.set(None);
            self.stepped_into.set(None);
            self.frames.update_value(Meter::clear);
            self.rate.update_value(Meter::clear);
            self.loop_id.update_value(|id| *id += 1);
            self.training.set(true);
        }
    }

    /// Train one step, then show it.
    pub fn step_once(&self) {
        self.training.set(false);
        if !self.ensure_run() {
            return;
        }
        let state = *self;
        leptos::task::spawn_local(async move {
            state.chunk(0.0).await;
            state.evaluate().await;
        });
    }

    /// Restart from the program's initial parameters.
    pub fn restart(&self) {
        self.discard();
        self.message.set(None);
        let trainable = self
            .app
            .session
            .with_untracked(|s| s.graph().is_some_and(|g| g.params().next().is_some()));
        if trainable && self.ensure_run() {
            let state = *self;
            leptos::task::spawn_local(async move { state.evaluate().await });
        }
    }

    /// Train for about `budget_ms` (at least one step) and show the new losses.
    pub async fn chunk(&self, budget_ms: f64) {
        let Some(mut run) = self.run.try_update_value(Option::take).flatten() else {
            return;
        };
        let result = run.train_for(budget_ms, &hooks::now_ms).await;
        let start = self.losses.with_value(Vec::len);
        let fresh: Vec<f64> = run.losses().get(start..).unwrap_or_default().to_vec();
        let steps = run.steps();
        self.run.set_value(Some(run));
        self.losses.update_value(|l| l.extend_from_slice(&fresh));
        self.losses_changed.update(|n| *n += 1);
        // Speed and frame time describe continuous training, not single steps.
        let measured = budget_ms > 0.0;
        if measured {
            self.rate
                .update_value(|m| m.record(hooks::now_ms(), fresh.len() as u64));
        }
        self.stats.update(|s| {
            s.steps = steps;
            s.loss = fresh.last().copied().or(s.loss);
            if measured {
                s.steps_per_second = self.rate.with_value(Meter::rate);
                s.frame_ms = self.frames.with_value(Meter::intervals);
            }
        });
        match result {
            Ok(chunk) if chunk.diverged => {
                self.training.set(false);
                self.message.set(Some(
                    "Training stopped: the loss is no longer a finite number (NaN or ∞). Lower the learning rate, or zero the gradients, and restart.".into(),
                ));
            }
            Ok(_) => {}
            Err(error) => {
                self.training.set(false);
                self.message.set(Some(format!("Training stopped: {error}")));
            }
        }
    }

    /// Recompute the accuracy and the decision boundary, at most every
    /// [`EVALUATE_EVERY_MS`] unless `force`d.
    pub async fn evaluate_if_due(&self, now: f64) {
        if now - self.last_evaluation.get_value() >= EVALUATE_EVERY_MS {
            self.last_evaluation.set_value(now);
            self.evaluate().await;
        }
    }

    pub async fn evaluate(&self) {
        let Some(mut run) = self.run.try_update_value(Option::take).flatten() else {
            return;
        };
        let accuracy = run.accuracy().await.ok().flatten();
        let grid = self
            .scatter
            .with_untracked(|s| s.as_ref().map(|s| (s.grid, s.classes)));
        let picture = match grid {
            Some((grid, classes)) => run.predict(&grid).await.ok().flatten().map(|predictions| {
                let palette = if self.app.dark.get_untracked() {
                    &boundary::DARK
                } else {
                    &boundary::LIGHT
                };
                boundary::data_url(
                    "image/bmp",
                    &boundary::bitmap(&predictions, grid.n, classes, palette),
                )
            }),
            None => None,
        };
        self.run.set_value(Some(run));
        self.stats.update(|s| s.accuracy = accuracy);
        self.boundary.set(picture);
    }

    /// Load the next training step (current parameters, next minibatch) into the stepper
    /// and start walking it.
    pub fn step_into(&self) {
        self.training.set(false);
        if !self.ensure_run() {
            return;
        }
        let state = *self;
        leptos::task::spawn_local(async move {
            let Some(mut run) = state.run.try_update_value(Option::take).flatten() else {
                return;
            };
            let inputs = run.next_step_inputs().await;
            let text = run.next_step_text();
            state.run.set_value(Some(run));
            match inputs {
                Ok(values) => {
                    let loaded = state
                        .app
                        .session
                        .try_update(|s| s.load_inputs(values))
                        .unwrap_or(false);
                    state.app.playing.set(false);
                    if loaded {
                        let revision = state.app.session.with_untracked(Session::revision);
                        state.stepped_into.set(Some((revision, text)));
                        hooks::scroll_to_steps();
                    }
                }
                Err(error) => state
                    .message
                    .set(Some(format!("Could not read the step: {error}"))),
            }
        });
    }
}
