//! The app's state as plain data: the program being edited, the stepper of its last valid
//! version, the input values and the mode. Every user action is a method here; the UI
//! only renders what it reads and calls these methods.

use crate::engine::record::scalar;
use crate::engine::{Mode, Phase, StepRecord, Stepper, check, inputs};
use crate::graph::{Graph, NodeId};
use crate::program::{ProgramError, compile};
use crate::tensor::Tensor;
use crate::url_state::{ModeChoice, UrlState};

/// The value a free variable starts with until the user sets one.
pub const DEFAULT_INPUT: f64 = 1.0;

/// The most tensor values a link carries (a training step's parameters and minibatch);
/// beyond that the link opens the program's own values, and the page says so.
pub const MAX_LINK_VALUES: usize = 2048;

#[derive(Clone, Debug)]
pub struct Session {
    source: String,
    error: Option<ProgramError>,
    /// The stepper of the last program that compiled; None until one does.
    stepper: Option<Stepper>,
    /// Values the user set, by input name; kept across edits so a variable that
    /// disappears and comes back keeps its value.
    overrides: Vec<(String, f64)>,
    mode: ModeChoice,
    /// Counts stepper rebuilds (program, inputs or mode changed), so views can tell a past
    /// step record apart from the one with the same index before the change.
    revision: u64,
    /// What the loaded input values are (see [`Session::load_inputs`]), while they are
    /// the stepper's.
    about: Option<String>,
}

/// One row of the gradients table.
#[derive(Clone, Debug, PartialEq)]
pub struct GradientRow {
    pub name: String,
    /// From the stepper, once the steps have produced it.
    pub gradient: Option<f64>,
    /// By central finite differences.
    pub numeric: f64,
    /// Between the two, once the gradient is known.
    pub relative_error: Option<f64>,
}

impl Session {
    pub fn new(source: &str) -> Session {
        let mut session = Session {
            source: String::new(),
            error: None,
            stepper: None,
            overrides: vec![],
            mode: ModeChoice::Reverse,
            revision: 0,
            about: None,
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
            mode: state.mode,
            revision: 0,
            about: None,
        };
        session.set_source(&state.program);
        if !state.tensors.is_empty()
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
        }
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

    /// Changes whenever the stepper is rebuilt.
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

    /// Take the next step; its record, if there was one.
    pub fn step_forward(&mut self) -> Option<StepRecord> {
        self.stepper.as_mut()?.step()
    }

    pub fn step_back(&mut self) -> Option<StepRecord> {
        self.stepper.as_mut()?.step_back()
    }

    pub fn reset(&mut self) {
        self.seek(0);
    }

    pub fn seek(&mut self, cursor: usize) {
        if let Some(stepper) = &mut self.stepper {
            stepper.seek(cursor);
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
        self.revision += 1;
        self.about = about;
        true
    }

    /// After the last forward step (in forward mode: the end).
    pub fn jump_to_forward_end(&mut self) {
        if let Some(stepper) = &mut self.stepper {
            let forward = stepper
                .schedule()
                .iter()
                .filter(|(phase, _)| *phase == Phase::Forward)
                .count();
            stepper.seek(forward);
        }
    }

    pub fn jump_to_backward_end(&mut self) {
        if let Some(stepper) = &mut self.stepper {
            stepper.run_to_end();
        }
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

    /// Every scalar input's gradient so far, beside its finite-difference estimate.
    pub fn gradients(&self) -> Vec<GradientRow> {
        let Some(stepper) = &self.stepper else {
            return vec![];
        };
        let graph = stepper.graph();
        stepper
            .gradients()
            .into_iter()
            .enumerate()
            .filter(|(_, (id, _))| graph.node(*id).is_scalar())
            .map(|(slot, (id, gradient))| {
                let gradient = gradient.map(|g| scalar(&g));
                let numeric = check::numeric_gradient(graph, stepper.inputs(), slot, 0);
                GradientRow {
                    name: graph.node(id).name.clone(),
                    gradient,
                    numeric,
                    relative_error: gradient.map(|g| check::relative_error(g, numeric)),
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
        let Ok(values) = inputs::resolve(&graph, &known, Some(DEFAULT_INPUT)) else {
            return;
        };
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
        let stepper = Stepper::new(graph.clone(), values.clone(), mode).or_else(|_| {
            self.mode = ModeChoice::Reverse;
            Stepper::new(graph, values, Mode::Reverse)
        });
        if let Ok(mut stepper) = stepper {
            stepper.seek(cursor);
            self.stepper = Some(stepper);
            self.revision += 1;
            self.about = None;
        }
    }
}

#[cfg(test)]
mod tests;
