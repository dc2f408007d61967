//! The edges of the graph view: each path (under the boxes), lit while its consumer is
//! the current step and marked on the path of a NaN/∞, and its local-derivative label
//! (over the boxes) where both ends are drawn as nodes.

use super::drawing::Drawing;
use super::probe;
use crate::layout::EdgePath;
use crate::layout::Point;
use crate::layout::labels;
use crate::render::Notation;
use crate::render::svg::picture;
use crate::render::svg::{edge_is_cut, edge_path, shown};
use crate::session::changes::Marks;
use crate::tensor::Tensor;
use crate::ui::state::AppState;
use leptos::prelude::*;
use std::sync::Arc;

/// An edge's path and its label; `ticks` are its ends' boxes' triggers.
pub fn edge_views(
    state: AppState,
    d: &Drawing,
    edge_index: usize,
    edge: &EdgePath,
    ticks: (Trigger, Trigger),
    marks: StoredValue<Marks>,
) -> (impl IntoView + use<>, impl IntoView + use<>) {
    let link = d.folded.links[edge_index];
    let (from, to, index) = (link.from, link.to, link.input_index);
    let (from_tick, to_tick) = ticks;
    // NaN or ±∞ at both ends: the edge is on the path a non-finite number travels.
    let bad = move || {
        from_tick.track();
        to_tick.track();
        marks.with_value(|m| m.nonfinite(from) && m.nonfinite(to))
    };
    let from_name = d.item_name(edge.from.0).to_string();
    let to_name = d.item_name(edge.to.0).to_string();
    let partial: Arc<str> = Notation::Plain
        .partial(&d.graph.node(to).name, &d.graph.node(from).name)
        .into();
    // No gradient crosses a cut edge (`detach`, a selection): drawn dashed.
    let cut = if edge_is_cut(&d.graph, to, index) {
        " cut"
    } else {
        ""
    };
    let class = move || {
        let current = marks.with_value(|m| m.is_current(to));
        let base = match (current, marks.with_value(Marks::backward)) {
            (true, true) => "edge active backward",
            (true, false) => "edge active",
            (false, true) => "edge backward",
            (false, false) => "edge",
        };
        let nonfinite = if bad() { " nonfinite" } else { "" };
        format!("{base}{cut}{nonfinite}")
    };
    let label = move || {
        to_tick.track();
        probe(state, to, |st| st.local_derivative(to, index))
            .map(|l| edge_label(&partial, &l))
            .unwrap_or_default()
    };
    let area = d.labels[edge_index];
    // A tensor's label is its shape: its values are in a title, shown on hover.
    let tensor_label = !d.graph.node(to).shape.is_empty();
    let path = view! {
        <g class=class data-edge=format!("{from_name}->{to_name}")>
            <path
                d=edge_path(&edge.points)
                marker-end=move || {
                    to_tick.track();
                    if marks.with_value(Marks::backward) { "" } else { "url(#arrow)" }
                }
                marker-start=move || {
                    to_tick.track();
                    if marks.with_value(Marks::backward) { "url(#arrow)" } else { "" }
                }
            />
        </g>
    };
    // The label on a background as wide as its text, which hides the edge under it.
    let text = area.map(|area| {
        // Each part asks the stepper itself: no memo type of its own (each costs wasm).
        let (title, text) = (label.clone(), label.clone());
        let width = move || {
            let (short, _) = label();
            if short.is_empty() {
                0.0
            } else {
                labels::label_width(short.chars().count())
            }
        };
        let Point { x, y } = area.centre;
        view! {
            <g class=move || class().replacen("edge", "edge-label", 1)>
                <rect x={
                    let width = width.clone();
                    move || x - width() / 2.0
                } y=y - area.height / 2.0 width=width height=area.height rx="3" />
                {tensor_label.then(|| view! { <title>{move || title().1}</title> })}
                <text x=x y=y + 4.0 text-anchor="middle">{move || text().0}</text>
            </g>
        }
    });
    (path, text)
}

/// An edge's label and, for hovering, its full text: a number in full; a tensor by its
/// shape, its values (up to four) only on hover, so labels stay short between boxes.
fn edge_label(partial: &str, local: &Tensor) -> (String, String) {
    let full = format!("{partial} = {}", shown(local));
    if local.rank() == 0 {
        (full.clone(), full)
    } else {
        (
            format!("{partial} {}", picture::shape_badge(local.shape())),
            full,
        )
    }
}
