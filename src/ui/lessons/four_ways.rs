//! The "Four ways" view: the current program's derivative by symbolic differentiation
//! (the expression, its size and how it swells over the program's prefixes), by finite
//! differences (error against h on log-log axes, the best h marked), by forward mode (one
//! pass per input) and by reverse mode (one pass), with the operation counts of the runs.

use super::state::LessonsState;
use crate::engine::four_ways::{FourWays, four_ways};
use crate::lessons::chain_rule::shown;
use crate::lessons::four_ways::{Swell, best, finite_chart, swell, swell_chart};
use leptos::prelude::*;

/// The most characters of a derivative written out in the view.
const MAX_SHOWN: usize = 600;

#[component]
pub fn FourWays() -> impl IntoView {
    let ls = LessonsState::get();
    // Rebuilt with the program or its inputs, not at every step.
    let revision = Memo::new(move |_| ls.session.with(|s| s.revision()));
    let report = Memo::new(move |_| {
        revision.with(|_| ());
        ls.session.with_untracked(|s| {
            let (Some(graph), Some(stepper)) = (s.graph(), s.stepper()) else {
                return Err("Write a program to compare the four ways.".to_string());
            };
            let inputs = stepper.inputs().to_vec();
            let ways = four_ways(graph, &inputs).map_err(|e| e.to_string())?;
            let swell = swell(graph).map_err(|e| e.to_string())?;
            Ok((ways, swell))
        })
    });
    // Which input's finite differences are plotted.
    let chosen = RwSignal::new(0usize);
    let body = move || match report.get() {
        Err(message) => view! { <p class="lesson-note" role="status">{message}</p> }.into_any(),
        Ok((ways, swell)) => {
            let slot = chosen.get().min(ways.inputs.len().saturating_sub(1));
            view! {
                <div class="ways">
                    {symbolic(&ways, &swell)}
                    {finite(&ways, slot, chosen)}
                    {forward(&ways)}
                    {reverse(&ways)}
                </div>
            }
            .into_any()
        }
    };
    view! {
        <h2 class="panel-title">"Four ways"</h2>
        <p class="lesson-lead">
            "The same derivative four ways, at the program's inputs; every count comes from "
            "running the mode."
        </p>
        {body}
    }
}

fn symbolic(ways: &FourWays, swell: &[Swell]) -> impl IntoView + use<> {
    let rows = ways
        .inputs
        .iter()
        .map(|input| {
            let text = match &input.symbolic_text {
                Some(text) if text.chars().count() > MAX_SHOWN => {
                    let head: String = text.chars().take(MAX_SHOWN).collect();
                    format!("{head} … (the first {MAX_SHOWN} characters)")
                }
                Some(text) => text.clone(),
                None => "(too large to write out)".to_string(),
            };
            view! {
                <div class="way-row">
                    <p><code class="derivative">{format!("∂/∂{} = {text}", input.name)}</code></p>
                    <p class="muted small">
                        {format!(
                            "{} nodes as a tree; value {}",
                            input.symbolic_size,
                            shown(input.symbolic)
                        )}
                    </p>
                </div>
            }
        })
        .collect_view();
    let last = swell.last().cloned();
    let summary = last.map(|s| {
        format!(
            "The whole program: {} computed nodes in the graph, {} as an expression tree, and \
             its derivatives {} nodes. The graph computes each node once; the written-out \
             derivative repeats every shared piece.",
            s.graph_nodes, s.value_size, s.derivative_size
        )
    });
    view! {
        <section class="way" data-way="symbolic" aria-labelledby="way-symbolic">
            <h3 id="way-symbolic">"Symbolic"</h3>
            <p class="small">"The derivative built by the rules, only zeros dropped."</p>
            {rows}
            <div class="plot-box" inner_html=swell_chart(swell, 340.0, 190.0)></div>
            <p class="legend small">
                <span class="key derivative"></span>"derivative's tree size "
                <span class="key shared"></span>"graph nodes (shared)"
            </p>
            <p class="small">{summary}</p>
        </section>
    }
}

fn finite(ways: &FourWays, slot: usize, chosen: RwSignal<usize>) -> impl IntoView + use<> {
    let Some(input) = ways.inputs.get(slot).cloned() else {
        return view! { <section class="way" data-way="finite"><h3>"Finite differences"</h3></section> }
            .into_any();
    };
    let sweep = &input.finite_differences;
    let (h, value, error) = best(sweep);
    let picker = (ways.inputs.len() > 1).then(|| {
        let options = ways
            .inputs
            .iter()
            .enumerate()
            .map(|(k, i)| view! { <option value=k.to_string() selected=k == slot>{i.name.clone()}</option> })
            .collect_view();
        view! {
            <label class="small">
                "Input "
                <select on:change=move |ev| {
                    if let Ok(k) = event_target_value(&ev).parse() {
                        chosen.set(k);
                    }
                }>{options}</select>
            </label>
        }
    });
    view! {
        <section class="way" data-way="finite" aria-labelledby="way-finite">
            <h3 id="way-finite">"Finite differences"</h3>
            <p class="small">
                "(f(x+h) − f(x−h)) / 2h and (f(x+h) − f(x)) / h for h = 10⁻¹ … 10⁻¹⁵: large h errs "
                "by truncation, small h by round-off."
            </p>
            {picker}
            <div class="plot-box" inner_html=finite_chart(sweep, 340.0, 200.0)></div>
            <p class="legend small">
                <span class="key central"></span>"central "
                <span class="key forward"></span>"forward"
            </p>
            <p class="small" data-best-h=h.to_string()>
                {format!(
                    "Best central h = {} (expected near ∛ε·max(1,|x|) = {}): value {}, error {} against the gradient {}. Best forward h = {} (near √ε: {}). {} evaluations of the program.",
                    shown(h),
                    shown(sweep.expected_central),
                    shown(value),
                    shown(error),
                    shown(input.gradient),
                    shown(sweep.best_forward),
                    shown(sweep.expected_forward),
                    sweep.evaluations
                )}
            </p>
        </section>
    }
    .into_any()
}

fn forward(ways: &FourWays) -> impl IntoView + use<> {
    let run = ways.forward_mode;
    let tangents = ways
        .inputs
        .iter()
        .map(|i| format!("∂/∂{} = {}", i.name, shown(i.forward_mode)))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <section class="way" data-way="forward" aria-labelledby="way-forward">
            <h3 id="way-forward">"Forward mode"</h3>
            <p class="small">"One pass per input, carrying a tangent beside each value."</p>
            <dl class="counts">
                <dt>"passes"</dt><dd data-count="passes">{run.passes}</dd>
                <dt>"steps"</dt><dd data-count="steps">{run.steps}</dd>
                <dt>"operations"</dt><dd data-count="operations">{run.operations()}</dd>
            </dl>
            <p class="small">{tangents}</p>
        </section>
    }
}

fn reverse(ways: &FourWays) -> impl IntoView + use<> {
    let run = ways.reverse_mode;
    let ratio = ways.reverse_ratio();
    let verdict = if (2.0..=4.0).contains(&ratio) {
        "within"
    } else if ratio < 2.0 {
        "below"
    } else {
        "above"
    };
    view! {
        <section class="way" data-way="reverse" aria-labelledby="way-reverse">
            <h3 id="way-reverse">"Reverse mode"</h3>
            <p class="small">"One forward pass, then one backward pass for every input at once."</p>
            <dl class="counts">
                <dt>"passes"</dt><dd data-count="passes">{run.passes}</dd>
                <dt>"steps"</dt><dd data-count="steps">{run.steps}</dd>
                <dt>"forward operations"</dt><dd data-count="forward">{run.forward_operations}</dd>
                <dt>"backward operations"</dt><dd data-count="backward">{run.backward_operations}</dd>
            </dl>
            <p class="small" data-ratio=ratio.to_string()>
                {format!(
                    "The whole gradient costs {}× the forward pass ({verdict} the 2–4× usually quoted); forward mode took {}× reverse mode's operations.",
                    shown(ratio),
                    shown(ways.forward_over_reverse())
                )}
            </p>
        </section>
    }
}
