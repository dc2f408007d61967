//! The explanation panel: the current step's rules as MathML (in symbols, then with
//! numbers), its local derivatives, the history of steps ([`super::history`]), and a
//! live region that says each step in words. Each formula is inline MathML in a block of
//! its own, so it sits left-aligned; CSS sets `math-style: normal` for full-size fractions.

use super::history::History;
use super::state::AppState;
use crate::engine::{Phase, Progress, StepRecord};
use crate::graph::Graph;
use crate::render::speech::describe;
use crate::render::{Notation, math_inline, step_text};
use leptos::prelude::*;

/// The current step as MathML blocks: one equation per rule part, with its local
/// derivatives and, where an adjoint adds up, the total.
/// The heading uses the step counter's numbering ("backward 2 / 4"), so the two read as
/// one story.
fn current_step(graph: &Graph, record: &StepRecord, progress: Progress) -> impl IntoView + use<> {
    let text = step_text(graph, record, Notation::MathMl);
    let name = &graph.node(record.node).name;
    let recompute = record.phase == Phase::Recompute;
    let heading = if recompute {
        format!("{progress} · recompute {name}")
    } else {
        format!("{progress} · {name}")
    };
    // Checkpointing: why a forward rule runs in the backward pass.
    let note = recompute.then(|| {
        format!(
            "Recompute: the forward pass discarded {name} (not a checkpoint) to save memory; a \
         backward step is about to read it, so it is computed again from values still held."
        )
    });
    view! {
        <h3 class="step-heading">{heading}</h3>
        {note.map(|note| view! { <p class="recompute-note">{note}</p> })}
        {text.parts.into_iter().map(|part| {
            let locals: Vec<String> = part.local.iter().map(|l| math_inline(&l.to_string())).collect();
            view! {
                <div class="rule">
                    <div class="math" inner_html=math_inline(&part.equation.to_string())></div>
                    {(!locals.is_empty()).then(|| view! {
                        <p class="locals">"using "
                            {locals.into_iter().map(|m| view! { <span class="math-inline" inner_html=m></span> }).collect_view()}
                        </p>
                    })}
                    {part.total.map(|total| view! {
                        <div class="math total" inner_html=math_inline(&total.to_string())></div>
                    })}
                </div>
            }
        }).collect_view()}
    }
}

#[component]
pub fn Explanation(
    /// Whether the history of steps starts unfolded (an embed keeps it folded).
    #[prop(default = true)]
    history_open: bool,
) -> impl IntoView {
    let state = AppState::get();
    let current = move || {
        state.session.with(|s| {
            let stepper = s.stepper()?;
            let record = stepper.history().last()?;
            Some(current_step(stepper.graph(), record, stepper.progress()).into_any())
        })
    };
    // A worked example introduces itself until its first step.
    let introduction = move || {
        state.session.with(|s| {
            crate::examples::with_program(s.source(), s.setup()).map(|example| {
                view! {
                    <div class="example-introduction" data-introduction=example.slug>
                        <h3 class="step-heading">{example.title}</h3>
                        <p>{example.intro}</p>
                    </div>
                }
            })
        })
    };
    let spoken = move || {
        state.session.with(|s| {
            let stepper = s.stepper()?;
            stepper
                .history()
                .last()
                .map(|record| describe(stepper.graph(), record, stepper.progress()))
        })
    };
    view! {
        <section class="explanation" aria-label="Explanation">
            <h2 class="panel-title">"Explanation"</h2>
            <div class="current-step">
                {move || current().unwrap_or_else(|| view! {
                    {introduction}
                    <p class="muted">
                        "Press " <kbd>"Step forward"</kbd> " (or →) to evaluate the graph one node at a time; "
                        "then the backward pass seeds the output's adjoint with 1 and walks back, adding "
                        "each node's contribution to its inputs' adjoints."
                    </p>
                }.into_any())}
            </div>
            <p class="sr-only" aria-live="polite" data-live="">{spoken}</p>
            <History open=history_open />
        </section>
    }
}
