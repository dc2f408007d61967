//! The app's state as plain data: the program being edited, the stepper of its last valid
//! version, the input values and the mode. Every user action is a method here; the UI
//! only renders what it reads and calls these methods.

pub mod changes;
pub mod checking;
pub mod seeking;
mod storage;

use crate::engine::compute::Log;
use crate::engine::record::scalar;
use crate::engine::setup::Setup;
use crate::engine::{Mode, StepRecord, Stepper, check, inputs};
use crate::graph::{Graph, NodeId, Role};
use crate::program::{ProgramError, compile};
use crate::render::svg::picture::shape_badge;
use crate::tensor::Tensor;
use crate::url_state::{ModeChoice, QuizScore, Storage, UrlState};

/// The value a free variable starts with until the user sets one.
pub const DEFAULT_INPUT: f64 = 1.0;

/// The most tensor values a link carries (a training step's parameters and minibatch);
/// beyond that the link opens the program's own values, and the page says so.
pub const MAX_LINK_VALUES: usize = 2048;

/// Tensor inputs of at most this many elements are editable number by number: vectors
/// (in rows of [`EDITABLE_COLUMNS`]) and matrices of at most that many columns.
pub const EDITABLE_ELEMENTS: usize = 16;
pub const EDITABLE_COLUMNS: usize = 4;

#[derive(Clone, Debug)]
pub struct Session {
    source: String,
    error: Option<ProgramError>,
    /// The stepper of the last program that compiled; None until one does.
    stepper: Option<Stepper>,
    /// Values the user set, by input name; kept across edits so a variable that
    /// disappears and comes back keeps its value.
    overrides: Vec<(String, f64)>,
    /// Tensor inputs the user edited element by element, by name: the program's own value
    /// when the edit was made and the edited one. Used while the program still gives that
    /// name that value, so editing the program's literal wins over an older edit.
    tensor_overrides: Vec<TensorEdit>,
    mode: ModeChoice,
    /// New at every stepper build (program, inputs or mode changed) and unique in the
    /// process, so views can tell a past step record apart from the one with the same
    /// index of another build, or of another session.
    revision: u64,
    /// Inputs the last edit brought in by using a name defined nowhere in the program.
    new_inputs: Vec<String>,
    /// What the loaded input values are (see [`Session::load_inputs`]), while they are
    /// the stepper's.
    about: Option<String>,
    /// How the program is stepped (accumulation, `no_grad`, precision).
    setup: Setup,
    /// The quiz's score while it is on (kept in the link).
    quiz: Option<QuizScore>,
    /// Checkpoints, precision and loss scaling, as the link gave them.
    storage: Storage,
    /// Results of this build's steps computed by a worker (see [`seeking`]).
    log: Log,
    /// Each step's work (see [`seeking::step_work`]).
    work: Vec<u64>,
    /// Whether long seeks wait for a worker (see [`seeking`]) instead of running here.
    offload: bool,
    /// The step a seek left to a worker is going to.
    pending: Option<usize>,
}

/// A tensor input edited in the inputs panel.
#[derive(Clone, Debug, PartialEq)]
struct TensorEdit {
    name: String,
    /// The program's own value when the edit was made.
    own: Tensor,
    edited: Tensor,
}

/// A tensor input as the inputs panel lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorInput {
    pub name: String,
    /// `[3×2]`.
    pub shape: String,
    pub dims: Vec<usize>,
    /// Where the values come from, in words.
    pub role: String,
    /// The values the stepper uses, row-major, when the input is editable: a vector or a
    /// narrow matrix of at most [`EDITABLE_ELEMENTS`] numbers, not a dataset's minibatch.
    pub values: Option<Vec<f64>>,
}

/// One row of the gradients table.
#[derive(Clone, Debug, PartialEq)]
pub struct GradientRow {
    pub name: String,
    /// From the stepper, once the steps have produced it.
    pub gradient: Option<f64>,
    /// By central finite differences, shown once the gradient is (so the table does not
    /// give the answer away before the backward pass).
    pub numeric: Option<f64>,
    /// Between the two, once the gradient is known (for a tensor: the largest over the
    /// sampled elements).
    pub relative_error: Option<f64>,
    /// For a tensor input: how many elements it has and how many were checked; its
    /// `gradient` is then the gradient's norm and `numeric` is empty.
    pub tensor: Option<TensorCheck>,
    /// The gradient is known and its check is being computed by a worker (see
    /// [`checking`]).
    pub pending: bool,
}

/// How a tensor input's gradient was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TensorCheck {
    pub elements: usize,
    pub sampled: usize,
}

/// The most elements a tensor input's gradient is checked at, each costing two runs of
/// the program: the first, the last, the middle and the largest.
const SAMPLED_ELEMENTS: usize = 4;

/// A custom derivative farther than this from central differences (relative error) is
/// called wrong, as `backprop check` does.
const CUSTOM_TOLERANCE: f64 = 1e-6;

impl Session {
    pub fn new(source: &str) -> Session {
        let mut session = Session {
            source: String::new(),
            error: None,
            stepper: None,
            overrides: vec![],
            tensor_overrides: vec![],
            mode: ModeChoice::Reverse,
            revision: next_revision(),
            new_inputs: Vec::new(),
            about: None,
            setup: Setup::default(),
            quiz: None,
            storage: Storage::default(),
            log: Log::default(),
            work: Vec::new(),
            offload: seeking::worker_available(),
            pending: None,
        };
        session.set_source(source);
        session
    }

    /// The view a link describes. Its tensor values replace the program's by input name
    /// where the shapes agree (those that do not fit are left out).
    pub fn from_url(state: UrlState) -> Session {
        let mut session = Session {
            source: String::new(),
            error: None,
            stepper: None,
            overrides: state.inputs,
            tensor_overrides: vec![],
            mode: state.mode,
            revision: next_revision(),
            new_inputs: Vec::new(),
            about: None,
            setup: state.setup,
            quiz: state.quiz,
            storage: state.storage,
            log: Log::default(),
            work: Vec::new(),
            offload: seeking::worker_available(),
            pending: None,
        };
        session.set_source(&state.program);
        if state.about.is_none() {
            // Values edited in the inputs panel: kept as edits.
            for (name, edited) in state.tensors {
                session.set_tensor(&name, edited);
            }
        } else if !state.tensors.is_empty()
            && let Some(stepper) = &session.stepper
        {
            let graph = stepper.graph();
            let mut found = false;
            let values: Vec<Tensor> = graph
                .inputs()
                .zip(stepper.inputs())
                .map(|(id, value)| {
                    let name = &graph.node(id).name;
                    let linked = state
                        .tensors
                        .iter()
                        .find(|(n, t)| n == name && t.shape() == value.shape());
                    found |= linked.is_some();
                    linked.map_or_else(|| value.clone(), |(_, t)| t.clone())
                })
                .collect();
            if found {
                session.load_inputs(values, state.about);
            }
        }
        session.seek(state.step);
        session
    }

    /// The tensor inputs whose values are not the program's own (loaded by
    /// [`Session::load_inputs`]), by name.
    fn loaded_tensors(&self) -> Vec<(&str, &Tensor)> {
        let Some(stepper) = &self.stepper else {
            return vec![];
        };
        let graph = stepper.graph();
        graph
            .inputs()
            .zip(stepper.inputs())
            .filter(|(id, value)| value.rank() > 0 && graph.node(*id).value.as_ref() != Some(value))
            .map(|(id, value)| (graph.node(id).name.as_str(), value))
            .collect()
    }

    /// How many loaded tensor values a link to this view leaves out, being more than
    /// [`MAX_LINK_VALUES`]: the link then opens the program's own values. None when the
    /// link holds everything the view shows.
    pub fn link_leaves_out(&self) -> Option<usize> {
        let count: usize = self.loaded_tensors().iter().map(|(_, t)| t.len()).sum();
        (count > MAX_LINK_VALUES).then_some(count)
    }

    /// What the loaded input values are, in words, while the stepper has them.
    pub fn about(&self) -> Option<&str> {
        self.about.as_deref()
    }

    /// What a link to this view holds: with the loaded tensor values when there are at
    /// most [`MAX_LINK_VALUES`] of them.
    pub fn to_url(&self) -> UrlState {
        let (inputs, step) = match &self.stepper {
            Some(stepper) => {
                let graph = stepper.graph();
                let values = graph
                    .inputs()
                    .zip(stepper.inputs())
                    .filter(|(_, v)| v.rank() == 0)
                    .map(|(id, v)| (graph.node(id).name.clone(), v.data()[0]));
                (values.collect(), stepper.cursor())
            }
            None => (self.overrides.clone(), 0),
        };
        let tensors: Vec<(String, Tensor)> = match self.link_leaves_out() {
            Some(_) => vec![],
            None => self
                .loaded_tensors()
                .into_iter()
                .map(|(name, value)| (name.to_string(), value.clone()))
                .collect(),
        };
        let about = self.about.clone().filter(|_| !tensors.is_empty());
        UrlState {
            program: self.source.clone(),
            inputs,
            mode: self.mode.clone(),
            step,
            tensors,
            about,
            setup: self.setup,
            quiz: self.quiz,
            storage: self.storage.clone(),
        }
    }

    /// Checkpoints, precision and loss scaling, as the link gave them (the stepper has
    /// them where they apply: checkpoints in reverse mode, names the program has).
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// How the program is stepped (one plain pass, accumulation, `no_grad`, a precision).
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// Step the program another way, from step 0. A setting the program cannot take
    /// (accumulation without parameters) steps it as one plain pass.
    pub fn set_setup(&mut self, setup: Setup) {
        self.setup = setup;
        if let Some(stepper) = &self.stepper {
            let graph = stepper.graph().clone();
            self.rebuild(graph, 0);
        }
    }

    /// The quiz's score, while the quiz is on.
    pub fn quiz(&self) -> Option<QuizScore> {
        self.quiz
    }

    /// Turn the quiz on with `score`, or off (None).
    pub fn set_quiz(&mut self, score: Option<QuizScore>) {
        self.quiz = score;
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Why the current text does not compile, if it does not.
    pub fn error(&self) -> Option<&ProgramError> {
        self.error.as_ref()
    }

    pub fn stepper(&self) -> Option<&Stepper> {
        self.stepper.as_ref()
    }

    pub fn graph(&self) -> Option<&Graph> {
        self.stepper.as_ref().map(Stepper::graph)
    }

    pub fn mode(&self) -> &ModeChoice {
        &self.mode
    }

    /// The inputs the last edit created by using a name the program defines nowhere
    /// (so the app can say "`z` is a new input, set to 1"); empty after other changes.
    pub fn new_inputs(&self) -> &[String] {
        &self.new_inputs
    }

    /// Changes whenever the stepper is rebuilt; no two sessions share one.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Replace the program text and compile it (see [`Session::compile`]).
    pub fn set_source(&mut self, text: &str) {
        self.set_text(text);
        self.compile();
    }

    /// Replace the program text without compiling it yet (while the user is typing).
    pub fn set_text(&mut self, text: &str) {
        self.source = text.to_string();
    }

    /// Compile the current text. If it compiles, its graph replaces the shown one and the
    /// step position is kept where it still exists; if not, the error is recorded and the
    /// last valid graph stays.
    pub fn compile(&mut self) {
        match compile(&self.source) {
            Ok(graph) => {
                self.error = None;
                self.new_inputs = self
                    .stepper
                    .as_ref()
                    .map(|old| free_inputs_added(old.graph(), &graph))
                    .unwrap_or_default();
                let cursor = self.stepper.as_ref().map_or(0, Stepper::cursor);
                self.rebuild(graph, cursor);
            }
            Err(error) => self.error = Some(error),
        }
    }

    /// Set an input's value, keeping the step position.
    pub fn set_input(&mut self, name: &str, value: f64) {
        self.overrides.retain(|(n, _)| n != name);
        self.overrides.push((name.to_string(), value));
        if let Some(stepper) = &self.stepper {
            let cursor = stepper.cursor();
            let graph = stepper.graph().clone();
            self.rebuild(graph, cursor);
        }
    }

    /// Switch between reverse and forward mode; the stepping starts over.
    pub fn set_mode(&mut self, mode: ModeChoice) {
        self.mode = mode;
        if let Some(stepper) = &self.stepper {
            let graph = stepper.graph().clone();
            self.rebuild(graph, 0);
        }
    }

    /// Take the next step; its record, if there was one (none either when the step is
    /// left to a worker: see [`Session::seek`]).
    pub fn step_forward(&mut self) -> Option<StepRecord> {
        let next = self.stepper.as_ref()?.cursor() + 1;
        if self.defer(next) {
            return None;
        }
        let work = &self.work;
        let mut cache = self.log.cache(|step| seeking::worth_keeping(work, step));
        self.stepper.as_mut()?.step_with(&mut cache)
    }

    pub fn step_back(&mut self) -> Option<StepRecord> {
        self.pending = None;
        self.stepper.as_mut()?.step_back()
    }

    pub fn reset(&mut self) {
        self.seek(0);
    }

    /// Go to the state after `cursor` steps; when the session offloads and the steps are
    /// too much work for here, it stays and leaves them to a worker instead
    /// ([`Session::pending_seek`]).
    pub fn seek(&mut self, cursor: usize) {
        if self.defer(cursor) {
            return;
        }
        if let Some(stepper) = &mut self.stepper {
            let work = &self.work;
            let mut cache = self.log.cache(|step| seeking::worth_keeping(work, step));
            stepper.seek_with(cursor, &mut cache);
        }
    }

    /// Replace every input's value (one per input node, in graph order, each of its
    /// node's shape) and start the stepping over: the playground loads a training step's
    /// parameters and minibatch this way, `about` saying what they are. Links keep these
    /// values (up to [`MAX_LINK_VALUES`]). Editing the program, an input or the mode later
    /// goes back to the program's own values. False (and nothing changes) when the values
    /// do not fit the graph.
    pub fn load_inputs(&mut self, values: Vec<Tensor>, about: Option<String>) -> bool {
        let Some(stepper) = &mut self.stepper else {
            return false;
        };
        let mut next = stepper.clone();
        if next.set_inputs(values).is_err() {
            return false;
        }
        next.seek(0);
        *stepper = next;
        self.new_build();
        self.about = about;
        true
    }

    /// After the last forward step (in forward mode: the end).
    pub fn jump_to_forward_end(&mut self) {
        self.seek(self.forward_end());
    }

    pub fn jump_to_backward_end(&mut self) {
        self.seek(self.end());
    }

    /// The cursor after the last forward step (in forward mode: the end).
    pub fn forward_end(&self) -> usize {
        self.stepper.as_ref().map_or(0, Stepper::forward_end)
    }

    /// The cursor after the last step.
    pub fn end(&self) -> usize {
        self.stepper.as_ref().map_or(0, Stepper::len)
    }

    /// The scalar inputs with their current values, in graph order (tensor inputs keep
    /// the values the program gives them).
    pub fn inputs(&self) -> Vec<(NodeId, String, f64)> {
        let Some(stepper) = &self.stepper else {
            return vec![];
        };
        let graph = stepper.graph();
        graph
            .inputs()
            .zip(stepper.inputs())
            .filter(|(_, value)| value.rank() == 0)
            .map(|(id, value)| (id, graph.node(id).name.clone(), value.data()[0]))
            .collect()
    }

    /// Why forward mode cannot run this program, in words; None when it can.
    pub fn forward_mode_unavailable(&self) -> Option<String> {
        let graph = self.graph()?;
        if let Some(node) = graph
            .nodes()
            .iter()
            .find(|node| !node.op.is_leaf() && !node.op.is_elementwise())
        {
            return Some(format!(
                "Forward mode steps programs of elementwise operations; `{}` ({}) has only its reverse rule here.",
                node.name,
                node.op.name()
            ));
        }
        if self.inputs().is_empty() {
            return Some(
                "Forward mode differentiates by a scalar input, and this program has none.".into(),
            );
        }
        None
    }

    /// The tensor inputs, in graph order, for the inputs panel: shape, where the values come
    /// from, and the values themselves while small enough to edit.
    pub fn tensor_inputs(&self) -> Vec<TensorInput> {
        let Some(stepper) = &self.stepper else {
            return vec![];
        };
        let graph = stepper.graph();
        graph
            .inputs()
            .zip(stepper.inputs())
            .map(|(id, value)| (graph.node(id), value))
            .filter(|(node, _)| !node.is_scalar())
            .map(|(node, value)| {
                let (role, editable) = match &node.role {
                    Role::Param => ("a parameter, set in the program".to_string(), true),
                    Role::Features(spec) => {
                        (format!("a minibatch of {} features", spec.dataset), false)
                    }
                    Role::Labels(spec) => {
                        (format!("a minibatch of {} labels", spec.dataset), false)
                    }
                    Role::Value => ("set in the program".to_string(), true),
                };
                let fits = match node.shape.as_slice() {
                    [_] => true,
                    [_, columns] => *columns <= EDITABLE_COLUMNS,
                    _ => false,
                };
                let values = (editable && fits && value.len() <= EDITABLE_ELEMENTS)
                    .then(|| value.data().to_vec());
                TensorInput {
                    name: node.name.clone(),
                    shape: shape_badge(&node.shape),
                    dims: node.shape.clone(),
                    role,
                    values,
                }
            })
            .collect()
    }

    /// Set one element (row-major `index`) of a small tensor input, keeping the step
    /// position. False (and nothing changes) for anything not editable.
    pub fn set_tensor_element(&mut self, name: &str, index: usize, value: f64) -> bool {
        let Some(input) = self.tensor_inputs().into_iter().find(|t| t.name == name) else {
            return false;
        };
        let Some(mut values) = input.values.filter(|v| index < v.len()) else {
            return false;
        };
        values[index] = value;
        match Tensor::from_vec(input.dims, values) {
            Ok(edited) => self.set_tensor(name, edited),
            Err(_) => false,
        }
    }

    /// Give a tensor input the value `edited` (of its shape), as an edit kept across
    /// rebuilds while the program's own value stays the same.
    fn set_tensor(&mut self, name: &str, edited: Tensor) -> bool {
        let Some(stepper) = &self.stepper else {
            return false;
        };
        let graph = stepper.graph();
        let Some(own) = graph
            .find(name)
            .filter(|&id| graph.inputs().any(|i| i == id))
            .and_then(|id| graph.node(id).value.clone())
            .filter(|own| own.shape() == edited.shape())
        else {
            return false;
        };
        self.tensor_overrides.retain(|e| e.name != name);
        if edited != own {
            self.tensor_overrides.push(TensorEdit {
                name: name.to_string(),
                own,
                edited,
            });
        }
        let cursor = stepper.cursor();
        let graph = graph.clone();
        self.rebuild(graph, cursor);
        true
    }

    /// Changes whenever [`Session::gradients`] would: at every stepper build, and when an
    /// input's gradient becomes final (or stops being, stepping back). Cheap, so a view can
    /// check it at every step and compute the gradients (and their finite differences)
    /// only then.
    pub fn gradients_key(&self) -> (u64, usize) {
        let complete = self.stepper.as_ref().map_or(0, |stepper| {
            stepper
                .gradients()
                .iter()
                .filter(|(_, gradient)| gradient.is_some())
                .count()
        });
        (self.revision, complete)
    }

    /// The user functions whose declared derivative `f'` disagrees with central
    /// differences of `f` at the points the program calls them, with the largest relative
    /// error; checked once some gradient is complete, and only where the check runs on the
    /// page ([`checking::CheckMode::Inline`]).
    pub fn wrong_custom_derivatives(&self) -> Vec<(String, f64)> {
        let Some(stepper) = &self.stepper else {
            return vec![];
        };
        let complete = stepper.gradients().iter().any(|(_, g)| g.is_some());
        if !complete || self.check_mode() != checking::CheckMode::Inline {
            return vec![];
        }
        crate::engine::check_custom_derivatives(stepper.graph(), stepper.inputs())
            .into_iter()
            .filter(|c| c.max_relative_error.is_nan() || c.max_relative_error >= CUSTOM_TOLERANCE)
            .map(|c| (c.function, c.max_relative_error))
            .collect()
    }

    /// The nodes where central differences straddle a kink (relu or abs at 0), by name:
    /// there the finite-difference check disagrees by design (see [`check::kinks`]).
    pub fn kinks(&self) -> Vec<String> {
        let Some(stepper) = &self.stepper else {
            return vec![];
        };
        let graph = stepper.graph();
        check::kinks(graph, stepper.inputs())
            .into_iter()
            .map(|id| graph.node(id).name.clone())
            .collect()
    }

    /// Every input's gradient so far, beside its finite-difference estimate (computed
    /// here when cheap; see [`Session::gradients_checked`]).
    pub fn gradients(&self) -> Vec<GradientRow> {
        self.gradients_checked(None)
    }

    /// The gradients with their check: computed right away when cheap
    /// ([`checking::CheckMode::Inline`]), else taken from a worker's `result` for this
    /// build, the rows pending until it comes.
    pub fn gradients_checked(&self, result: Option<&checking::CheckResult>) -> Vec<GradientRow> {
        let Some(stepper) = &self.stepper else {
            return vec![];
        };
        let graph = stepper.graph();
        let mode = self.check_mode();
        let result = result.filter(|r| r.revision == self.revision);
        // The difference at (slot, element), when there is one to show.
        let numeric = |slot: usize, element: usize| match mode {
            checking::CheckMode::Inline => Some(check::numeric_gradient(
                graph,
                stepper.inputs(),
                slot,
                element,
            )),
            checking::CheckMode::Deferred => result.and_then(|r| r.numeric(slot, element)),
            checking::CheckMode::Skipped => None,
        };
        let waiting = mode == checking::CheckMode::Deferred && result.is_none();
        stepper
            .gradients()
            .into_iter()
            .enumerate()
            .filter(|(_, (id, _))| !matches!(graph.node(*id).role, Role::Labels(_)))
            .map(|(slot, (id, gradient))| {
                if !graph.node(id).is_scalar() {
                    let mut row = tensor_row(graph, slot, id, gradient, mode, &numeric);
                    row.pending = row.gradient.is_some() && waiting;
                    return row;
                }
                let gradient = gradient.map(|g| scalar(&g));
                let numeric = gradient.and_then(|_| numeric(slot, 0));
                GradientRow {
                    name: graph.node(id).name.clone(),
                    gradient,
                    numeric,
                    relative_error: gradient
                        .zip(numeric)
                        .map(|(g, numeric)| check::relative_error(g, numeric)),
                    tensor: None,
                    pending: gradient.is_some() && waiting,
                }
            })
            .collect()
    }

    /// A new stepper for `graph` with the current values and mode, at `cursor` (clamped).
    fn rebuild(&mut self, graph: Graph, cursor: usize) {
        let known: Vec<(String, f64)> = self
            .overrides
            .iter()
            .filter(|(name, _)| graph.find(name).is_some())
            .cloned()
            .collect();
        let Ok(mut values) = inputs::resolve(&graph, &known, Some(DEFAULT_INPUT)) else {
            return;
        };
        for (id, value) in graph.inputs().zip(values.iter_mut()) {
            let node = graph.node(id);
            let edit = self
                .tensor_overrides
                .iter()
                .find(|e| e.name == node.name && node.value.as_ref() == Some(&e.own));
            if let Some(edit) = edit {
                *value = edit.edited.clone();
            }
        }
        let mode = match &self.mode {
            ModeChoice::Reverse => Mode::Reverse,
            ModeChoice::Forward { wrt } => {
                let chosen = graph
                    .find(wrt)
                    .filter(|&id| graph.inputs().any(|i| i == id));
                match chosen.or_else(|| graph.inputs().next()) {
                    Some(id) => {
                        self.mode = ModeChoice::Forward {
                            wrt: graph.node(id).name.clone(),
                        };
                        Mode::Forward { wrt: id }
                    }
                    None => Mode::Reverse,
                }
            }
        };
        // Forward mode has no rule for tensor ops: such programs step in reverse mode.
        let setup = self.setup;
        let stepper = setup
            .stepper(graph.clone(), values.clone(), mode)
            .or_else(|_| Stepper::new(graph.clone(), values.clone(), mode))
            .or_else(|_| {
                self.mode = ModeChoice::Reverse;
                Stepper::new(graph, values, Mode::Reverse)
            })
            .and_then(|stepper| storage::apply(&self.storage, stepper));
        if let Ok(stepper) = stepper {
            self.stepper = Some(stepper);
            self.new_build();
            self.about = None;
            self.seek(cursor);
        }
    }

    /// A new stepper is in place: a new revision, its steps' work, no results yet.
    fn new_build(&mut self) {
        self.revision = next_revision();
        self.log = Log::default();
        self.pending = None;
        self.work = self
            .stepper
            .as_ref()
            .map_or_else(Vec::new, seeking::step_work);
    }
}

/// A tensor input's row: the gradient's norm, checked against central differences at a
/// few sampled elements once the gradient is complete (`numeric` gives them, or None
/// while they are not known).
fn tensor_row(
    graph: &Graph,
    slot: usize,
    id: NodeId,
    gradient: Option<crate::engine::record::Value>,
    mode: checking::CheckMode,
    numeric: &dyn Fn(usize, usize) -> Option<f64>,
) -> GradientRow {
    let elements = graph.node(id).shape.iter().product::<usize>();
    let sampled = match (&gradient, mode) {
        (Some(_), checking::CheckMode::Skipped) | (None, _) => Vec::new(),
        (Some(g), _) => sample_elements(g.data()),
    };
    let errors: Option<Vec<f64>> = gradient.as_ref().and_then(|g| {
        sampled
            .iter()
            .map(|&element| {
                Some(check::relative_error(
                    g.data()[element],
                    numeric(slot, element)?,
                ))
            })
            .collect()
    });
    let relative_error = errors.filter(|e| !e.is_empty()).map(|errors| {
        errors.into_iter().fold(0.0, |max: f64, e| {
            if e.is_nan() || max.is_nan() {
                f64::NAN
            } else {
                max.max(e)
            }
        })
    });
    GradientRow {
        name: graph.node(id).name.clone(),
        gradient: gradient.map(|g| g.data().iter().map(|x| x * x).sum::<f64>().sqrt()),
        numeric: None,
        relative_error,
        tensor: Some(TensorCheck {
            elements,
            sampled: sampled.len(),
        }),
        pending: false,
    }
}

/// Up to [`SAMPLED_ELEMENTS`] distinct elements: the first, the last, the middle and the
/// one with the largest magnitude.
fn sample_elements(data: &[f64]) -> Vec<usize> {
    let Some(last) = data.len().checked_sub(1) else {
        return Vec::new();
    };
    let largest = (0..data.len())
        .max_by(|&a, &b| data[a].abs().total_cmp(&data[b].abs()))
        .unwrap_or(0);
    let mut picked = Vec::with_capacity(SAMPLED_ELEMENTS);
    for element in [0, last, last / 2, largest] {
        if !picked.contains(&element) {
            picked.push(element);
        }
    }
    picked
}

/// The inputs of `new` that the program does not bind (free variables) and that `old`
/// did not have.
fn free_inputs_added(old: &Graph, new: &Graph) -> Vec<String> {
    new.inputs()
        .map(|id| new.node(id))
        .filter(|node| node.value.is_none() && old.find(&node.name).is_none())
        .map(|node| node.name.clone())
        .collect()
}

/// A number no other stepper of this process has had, so views keyed by it (the history
/// list) never mistake one program's steps for another's, even when a session is replaced
/// by a new one (an example, a link, Back).
fn next_revision() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests;
