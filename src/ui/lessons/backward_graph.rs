//! The "Backward graph" view: the backward pass drawn as a graph of the same ops (each
//! local derivative, its product with the adjoint, each adjoint's sum), stepped through
//! node by node, and differentiated again: the second derivatives (the Hessian) and a
//! Hessian–vector product along a direction the learner types, with the node counts that
//! show why `create_graph=True` doubles memory and compute.

use super::state::LessonsState;
use crate::engine::second_order::{
    BackwardGraph, SecondOrder, adjoint_name, hessian_vector_product, second_order,
};
use crate::lessons::backward::{direction, drawing, step_text, steps};
use crate::lessons::chain_rule::shown;
use crate::tensor::Tensor;
use leptos::prelude::*;

struct Computed {
    second: SecondOrder,
    values: Vec<f64>,
    inputs: Vec<Tensor>,
    names: Vec<String>,
    order: Vec<crate::graph::NodeId>,
}

#[component]
pub fn BackwardGraph() -> impl IntoView {
    let ls = LessonsState::get();
    // Rebuilt with the program or its inputs, not at every step.
    let revision = Memo::new(move |_| ls.session.with(|s| s.revision()));
    let computed = Memo::new(move |_| {
        revision.with(|_| ());
        ls.session.with_untracked(|s| {
            let (Some(graph), Some(stepper)) = (s.graph(), s.stepper()) else {
                return Err("Write a program to see its backward pass as a graph.".to_string());
            };
            let inputs = stepper.inputs().to_vec();
            let second = second_order(graph, &inputs).map_err(|e| e.to_string())?;
            let values = second
                .backward
                .graph
                .evaluate(&inputs)
                .iter()
                .map(|v| v.item().unwrap_or(f64::NAN))
                .collect();
            let names = graph
                .inputs()
                .map(|id| graph.node(id).name.clone())
                .collect();
            let order = steps(&second.backward);
            Ok(std::sync::Arc::new(Computed {
                second,
                values,
                inputs,
                names,
                order,
            }))
        })
    });
    // Backward steps taken (0: none); a new program starts again.
    let cursor = RwSignal::new(0usize);
    Effect::new(move |_| {
        computed.with(|_| ());
        cursor.set(0);
    });
    let along = RwSignal::new(String::new());
    let body = move || match computed.get() {
        Err(message) => view! { <p class="lesson-note" role="status">{message}</p> }.into_any(),
        Ok(c) => view! {
            {counts(&c.second.backward)}
            {stepper(c.clone(), cursor)}
            {second_derivatives(&c)}
            {hvp(c, along)}
        }
        .into_any(),
    };
    view! {
        <h2 class="panel-title">"Backward graph"</h2>
        <p class="lesson-lead">
            "The backward pass is a computation too: built from the same ops, it can be drawn, "
            "stepped and differentiated again."
        </p>
        {body}
    }
}

fn counts(backward: &BackwardGraph) -> impl IntoView + use<> {
    let (forward, added) = (backward.forward_nodes(), backward.backward_nodes());
    view! {
        <p class="bg-counts">
            "First-order graph: " <strong data-forward-nodes>{forward}</strong> " computed nodes. "
            "With the backward pass kept as a graph (PyTorch's " <code>"create_graph=True"</code>
            "): " <strong data-backward-nodes>{added}</strong> " more, "
            {forward + added} " in all — "
            {if forward > 0 { format!("{}×", shown((forward + added) as f64 / forward as f64)) } else { String::new() }}
            " the nodes to store and to run, and a second reverse pass over all of them."
        </p>
    }
}

impl PartialEq for Computed {
    fn eq(&self, other: &Computed) -> bool {
        self.second == other.second && self.inputs == other.inputs
    }
}

fn stepper(c: std::sync::Arc<Computed>, cursor: RwSignal<usize>) -> impl IntoView + use<> {
    let total = c.order.len();
    let markup = {
        let c = c.clone();
        move || {
            drawing(&c.second.backward, &c.values, cursor.get()).unwrap_or_else(|| {
                "<p class=\"lesson-note\">The backward graph is too large to draw; its counts and \
                 derivatives are below.</p>"
                    .to_string()
            })
        }
    };
    let now = {
        let c = c.clone();
        move || {
            let k = cursor.get();
            if k == 0 {
                return "Before the backward pass: the forward values are known.".to_string();
            }
            let id = c.order[k - 1];
            format!(
                "{} = {}",
                step_text(&c.second.backward.graph, id),
                shown(c.values[id.0])
            )
        }
    };
    view! {
        <div class="bg-controls" role="group" aria-label="Backward graph steps">
            <button
                type="button"
                on:click=move |_| cursor.update(|k| *k = k.saturating_sub(1))
                disabled=move || cursor.get() == 0
            >
                "◀ Back"
            </button>
            <button
                type="button"
                on:click=move |_| cursor.update(|k| *k = (*k + 1).min(total))
                disabled=move || { cursor.get() >= total }
            >
                "Next ▶"
            </button>
            <span data-bg-step=move || cursor.get().to_string() aria-live="polite">
                {move || format!("Step {} / {total}", cursor.get())}
            </span>
        </div>
        <p class="bg-now" data-bg-now>{now}</p>
        <div class="bg-scroll" tabindex="0" aria-label="The backward pass as a graph" inner_html=markup></div>
    }
}

fn second_derivatives(c: &Computed) -> impl IntoView + use<> {
    let names = &c.names;
    let gradient = names
        .iter()
        .zip(&c.second.gradient)
        .map(|(n, g)| format!("∂L/∂{n} = {}", shown(*g)))
        .collect::<Vec<_>>()
        .join(", ");
    let diagonal = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let v = c.second.hessian[i][i];
            view! {
                <li>
                    {format!("∂²L/∂{n}² = ")}
                    <strong data-second-derivative=n.clone()>{shown(v)}</strong>
                </li>
            }
        })
        .collect_view();
    let table = (names.len() > 1).then(|| {
        let head = names
            .iter()
            .map(|n| view! { <th scope="col">{n.clone()}</th> })
            .collect_view();
        let rows = names
            .iter()
            .zip(&c.second.hessian)
            .map(|(n, row)| {
                let cells = row
                    .iter()
                    .map(|v| view! { <td class="num">{shown(*v)}</td> })
                    .collect_view();
                view! { <tr><th scope="row">{n.clone()}</th>{cells}</tr> }
            })
            .collect_view();
        view! {
            <table class="hessian">
                <caption>"The Hessian: row i is reverse mode run on ∂L/∂input_i"</caption>
                <thead><tr><th></th>{head}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    let adjoints = names
        .iter()
        .map(|n| adjoint_name(n))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <section class="bg-second" aria-labelledby="bg-second">
            <h3 id="bg-second">"Second derivatives"</h3>
            <p class="small">
                {format!(
                    "Reverse mode on the backward graph, from the gradient nodes {adjoints}: {gradient}."
                )}
            </p>
            <ul class="bg-diagonal">{diagonal}</ul>
            {table}
        </section>
    }
}

fn hvp(c: std::sync::Arc<Computed>, along: RwSignal<String>) -> impl IntoView + use<> {
    let placeholder = c
        .names
        .iter()
        .enumerate()
        .map(|(k, n)| format!("{n}={}", if k == 0 { 1 } else { 0 }))
        .collect::<Vec<_>>()
        .join(", ");
    let result = {
        let c = c.clone();
        let placeholder = placeholder.clone();
        move || {
            let text = along.get();
            let text = if text.trim().is_empty() {
                placeholder.clone()
            } else {
                text
            };
            let graph = &c.second.backward.graph;
            let forward = crate::graph::Graph::from_nodes(
                graph.nodes()[..c.second.backward.forward_len].to_vec(),
                graph.output(),
            );
            let v = direction(&forward, &text)?;
            let product =
                hessian_vector_product(&forward, &c.inputs, &v).map_err(|e| e.to_string())?;
            Ok::<_, String>(
                c.names
                    .iter()
                    .zip(product)
                    .map(|(n, p)| format!("{n}: {}", shown(p)))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }
    };
    view! {
        <section class="bg-hvp" aria-labelledby="bg-hvp">
            <h3 id="bg-hvp">"Hessian–vector product"</h3>
            <label class="small">
                "Direction v "
                <input
                    type="text"
                    placeholder=placeholder
                    aria-label="Direction v"
                    prop:value=move || along.get()
                    on:change=move |ev| along.set(event_target_value(&ev))
                />
            </label>
            <p class="small" data-hvp>
                {move || match result() {
                    Ok(text) => format!("H·v = ({text}): one reverse pass over the backward graph."),
                    Err(message) => message,
                }}
            </p>
        </section>
    }
}
