//! What one step changed in the view: the nodes whose value, adjoint, tangent or marks
//! (current step, on the tape, NaN/∞, discarded by checkpointing, a gradient lost to
//! underflow or overflow) differ from before, so the graph view redraws those
//! and no others. Anything but one step forward or back, and the step that starts (or
//! undoes the start of) the backward pass, redraws everything.

use super::Session;
use crate::engine::{Phase, StepDetail, Stepper};
use crate::graph::NodeId;
use crate::precision::{Loss, Precision};
use crate::render::svg::nonfinite_nodes;

/// The marks the graph view draws on nodes, at one moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Marks {
    revision: u64,
    cursor: usize,
    /// The node of the last step taken.
    current: Option<NodeId>,
    tape: Vec<bool>,
    nonfinite: Vec<bool>,
    /// Checkpointing: computed by the forward pass and not held now.
    discarded: Vec<bool>,
    /// An adjoint contribution lost in storing it (a low precision).
    lost: Vec<Option<Loss>>,
    /// In the backward pass: edges point the other way and take its colours.
    backward: bool,
    /// Accumulation: passes begun (a new pass clears every value).
    passes: usize,
}

/// Which nodes to redraw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Changed {
    All,
    /// These nodes, each once, in id order (possibly none).
    Nodes(Vec<NodeId>),
}

impl Marks {
    /// The marks of `session` as it is now (none without a program).
    pub fn of(session: &Session) -> Marks {
        let Some(stepper) = session.stepper() else {
            return Marks::default();
        };
        Marks {
            revision: session.revision(),
            cursor: stepper.cursor(),
            current: stepper.history().last().map(|record| record.node),
            tape: stepper.tape(),
            nonfinite: nonfinite_nodes(stepper),
            discarded: discarded_nodes(stepper),
            lost: lost_nodes(stepper),
            backward: stepper.in_backward(),
            passes: stepper.passes_begun(),
        }
    }

    /// Checkpointing: whether the forward pass computed the node's value and discarded it
    /// (it is recomputed where the backward pass needs it).
    pub fn discarded(&self, id: NodeId) -> bool {
        self.discarded.get(id.0).copied().unwrap_or(false)
    }

    /// Whether a contribution to the node's adjoint underflowed to 0 or overflowed to ∞ as
    /// stored (overflow named first).
    pub fn lost(&self, id: NodeId) -> Option<Loss> {
        self.lost.get(id.0).copied().flatten()
    }

    pub fn is_current(&self, id: NodeId) -> bool {
        self.current == Some(id)
    }

    pub fn on_tape(&self, id: NodeId) -> bool {
        self.tape.get(id.0).copied().unwrap_or(false)
    }

    pub fn backward(&self) -> bool {
        self.backward
    }

    pub fn nonfinite(&self, id: NodeId) -> bool {
        self.nonfinite.get(id.0).copied().unwrap_or(false)
    }

    /// What changed from `before` to these marks, `stepper` being the session's stepper
    /// now: after one step forward, its node and that node's inputs (a backward step adds
    /// to their adjoints); after one step back, the same for the step undone; plus every
    /// node whose marks differ. Anything else (a new program, new inputs, a jump): all.
    pub fn changes_since(&self, before: &Marks, stepper: Option<&Stepper>) -> Changed {
        let Some(stepper) = stepper else {
            return Changed::All;
        };
        let same_build = self.revision == before.revision && self.tape.len() == before.tape.len();
        let step = match self.cursor.checked_sub(before.cursor) {
            Some(1) => self.current,
            Some(0) => None,
            _ if before.cursor == self.cursor + 1 => before.current,
            _ => return Changed::All,
        };
        // Crossing into (or back out of) the backward pass turns every edge around.
        if !same_build || self.backward != before.backward || self.passes != before.passes {
            return Changed::All;
        }
        let graph = stepper.graph();
        let mut changed = vec![false; graph.len()];
        let mut mark = |id: NodeId| {
            if let Some(flag) = changed.get_mut(id.0) {
                *flag = true;
            }
        };
        if let Some(node) = step {
            mark(node);
            graph.node(node).inputs.iter().copied().for_each(&mut mark);
        }
        for id in [before.current, self.current].into_iter().flatten() {
            mark(id);
        }
        for id in graph.ids() {
            if before.on_tape(id) != self.on_tape(id)
                || before.nonfinite(id) != self.nonfinite(id)
                || before.discarded(id) != self.discarded(id)
                || before.lost(id) != self.lost(id)
            {
                mark(id);
            }
        }
        Changed::Nodes(
            changed
                .iter()
                .enumerate()
                .filter(|(_, flag)| **flag)
                .map(|(id, _)| NodeId(id))
                .collect(),
        )
    }
}

/// Checkpointing: the nodes computed by a forward step taken and not held now.
fn discarded_nodes(stepper: &Stepper) -> Vec<bool> {
    let mut discarded = vec![false; stepper.graph().len()];
    if stepper.checkpoints().is_none() {
        return discarded;
    }
    for record in stepper.history() {
        if record.phase == Phase::Forward {
            discarded[record.node.0] = stepper.value(record.node).is_none();
        }
    }
    discarded
}

/// For each node, what storing a contribution to its adjoint (or the output's seed) lost,
/// over the steps taken (an overflow wins over an underflow).
fn lost_nodes(stepper: &Stepper) -> Vec<Option<Loss>> {
    let mut lost = vec![None; stepper.graph().len()];
    if stepper.precision() == Precision::F64 {
        return lost;
    }
    for record in stepper.history() {
        if let StepDetail::Visit {
            updates,
            seeded,
            adjoint,
            ..
        } = &record.detail
        {
            // The seed (the loss scale, finite) stored as ∞.
            if *seeded && adjoint.data().iter().any(|x| x.is_infinite()) {
                lost[record.node.0] = Some(Loss::Overflow);
            }
            for update in updates {
                let slot: &mut Option<Loss> = &mut lost[update.target.0];
                if *slot != Some(Loss::Overflow) && update.lost.is_some() {
                    *slot = update.lost;
                }
            }
        }
    }
    lost
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url_state::UrlState;

    fn names(session: &Session, changed: &Changed) -> Vec<String> {
        let Changed::Nodes(ids) = changed else {
            return vec!["all".into()];
        };
        let graph = session.graph().unwrap();
        ids.iter().map(|&id| graph.node(id).name.clone()).collect()
    }

    /// Steps the two-paths example one step at a time and checks what each step redraws
    /// against a full comparison of everything the view shows.
    #[test]
    fn a_step_changes_its_node_its_inputs_and_changed_marks() {
        let mut session = Session::new("(x1 + x2) * x1");
        let mut before = Marks::of(&session);
        let mut seen = Vec::new();
        for _ in 0..8 {
            let shown_before = shown(&session);
            session.step_forward();
            let now = Marks::of(&session);
            let changed = now.changes_since(&before, session.stepper());
            let shown_after = shown(&session);
            // Every node whose text or marks differ is in the changed set.
            for (id, (a, b)) in shown_before.iter().zip(&shown_after).enumerate() {
                if a != b || before.is_current(NodeId(id)) != now.is_current(NodeId(id)) {
                    assert!(
                        match &changed {
                            Changed::All => true,
                            Changed::Nodes(ids) => ids.contains(&NodeId(id)),
                        },
                        "node {id} changed but is not redrawn: {changed:?}"
                    );
                }
            }
            seen.push(names(&session, &changed));
            before = now;
        }
        // The last backward step (x1's) redraws x1, and x2, which stops being current.
        assert_eq!(seen[7], ["x1", "x2"], "{seen:?}");
        // The first backward step (v4's) turns every edge around: all; the next (v3's)
        // sends to x1 and x2.
        assert_eq!(seen[4], ["all"], "{seen:?}");
        assert!(seen[5].contains(&"x1".to_string()) && seen[5].contains(&"x2".to_string()));
        // One step back redraws the undone step's nodes, not all.
        session.step_back();
        let now = Marks::of(&session);
        assert!(matches!(
            now.changes_since(&before, session.stepper()),
            Changed::Nodes(_)
        ));
        // A jump, an input or a new program redraws everything.
        let before = now;
        session.reset();
        let now = Marks::of(&session);
        assert_eq!(now.changes_since(&before, session.stepper()), Changed::All);
        session.set_input("x1", 5.0);
        assert_eq!(
            Marks::of(&session).changes_since(&now, session.stepper()),
            Changed::All
        );
    }

    /// Through an accumulation schedule, every node whose text or marks change is redrawn,
    /// across the zero_grad and update steps and each new pass, which clears the values.
    #[test]
    fn accumulation_steps_redraw_what_they_change() {
        let example = crate::examples::find("forgot-zero-grad-fix").unwrap();
        let mut session = Session::new(example.program);
        session.set_setup(example.setup);
        let mut before = Marks::of(&session);
        let mut alls = 0;
        while !session.stepper().unwrap().is_done() {
            let shown_before = shown(&session);
            session.step_forward();
            let now = Marks::of(&session);
            let changed = now.changes_since(&before, session.stepper());
            for (id, (a, b)) in shown_before.iter().zip(&shown(&session)).enumerate() {
                if a != b {
                    assert!(
                        match &changed {
                            Changed::All => true,
                            Changed::Nodes(ids) => ids.contains(&NodeId(id)),
                        },
                        "step {}: node {id} changed but is not redrawn",
                        now.cursor
                    );
                }
            }
            alls += usize::from(changed == Changed::All);
            before = now;
        }
        assert!(alls >= 3, "each new pass redraws everything: {alls}");
    }

    /// Checkpointing marks the values the forward pass discards, and a recompute step
    /// takes the mark off; f16 marks where a gradient underflowed, and loss scaling clears
    /// it.
    #[test]
    fn discarded_values_and_lost_gradients_are_marked() {
        use crate::engine::checkpoint::CheckpointPlan;
        use crate::train::scaler::LossScaling;
        use crate::url_state::Storage;
        let program = "a = x * x\nb = a * a\nc = b * b\nc";
        let mut state = Session::new(program).to_url();
        state.storage.checkpoint = Some(CheckpointPlan::Named(vec!["b".into()]));
        let mut session = Session::from_url(state);
        session.jump_to_forward_end();
        let marks = Marks::of(&session);
        let graph = session.graph().unwrap().clone();
        let discarded: Vec<&str> = graph
            .ids()
            .filter(|&id| marks.discarded(id))
            .map(|id| graph.node(id).name.as_str())
            .collect();
        assert_eq!(discarded, ["a"]);
        // c's backward step reads b (kept); b's reads a: recomputed first.
        session.step_forward();
        session.step_forward();
        let record = session.stepper().unwrap().history().last().unwrap().clone();
        assert_eq!(record.phase, Phase::Recompute);
        let now = Marks::of(&session);
        let a = graph.find("a").unwrap();
        assert!(!now.discarded(a));
        // The recompute step redraws a.
        let mut before = session.clone();
        before.step_back();
        let changed = now.changes_since(&Marks::of(&before), session.stepper());
        assert!(matches!(changed, Changed::Nodes(ids) if ids.contains(&a)));
        session.step_back();
        assert!(Marks::of(&session).discarded(a));

        let program = examples_program("f16-underflow");
        let mut state = Session::new(&program).to_url();
        state.storage = Storage {
            precision: Precision::F16,
            ..Storage::default()
        };
        let lost = |state: UrlState| {
            let mut session = Session::from_url(state);
            session.jump_to_backward_end();
            let marks = Marks::of(&session);
            let graph = session.graph().unwrap();
            graph
                .ids()
                .filter_map(|id| Some((graph.node(id).name.clone(), marks.lost(id)?)))
                .collect::<Vec<_>>()
        };
        assert_eq!(lost(state.clone()), [("r".to_string(), Loss::Underflow)]);
        state.storage.loss_scale = Some(LossScaling::Static(1024.0));
        assert_eq!(lost(state.clone()), []);
        // A seed of 10⁶ is past f16's 65504: the output's adjoint is ∞.
        state.storage.loss_scale = Some(LossScaling::Static(1e6));
        assert_eq!(lost(state), [("L".to_string(), Loss::Overflow)]);
    }

    fn examples_program(slug: &str) -> String {
        crate::examples::find(slug).unwrap().program.to_string()
    }

    /// What the view shows of each node: value, adjoint, tangent, derivative line, marks.
    fn shown(session: &Session) -> Vec<String> {
        let stepper = session.stepper().unwrap();
        let marks = Marks::of(session);
        stepper
            .graph()
            .ids()
            .map(|id| {
                format!(
                    "{:?} {:?} {:?} {:?} {} {}",
                    stepper.value(id),
                    stepper.adjoint(id),
                    stepper.tangent(id),
                    crate::render::svg::derivative_line(stepper, id),
                    marks.on_tape(id),
                    marks.nonfinite(id),
                )
            })
            .collect()
    }
}
