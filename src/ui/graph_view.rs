//! The graph view: an SVG of the computation graph, laid out left to right, with each
//! node's value and adjoint (or tangent), the local derivative on each edge, the step's
//! node and edges highlighted, the tape marked, NaN/∞ and their path marked, and pan and
//! zoom. Tensor nodes draw their values through [`super::tensor_view`].

use super::hooks;
use super::state::AppState;
use super::tensor_view::tensor_panel;
use crate::engine::{Mode, Stepper};
use crate::graph::{Graph, NodeId};
use crate::layout::labels::{self, Area};
use crate::layout::{EdgePath, Layout, NodeSize, Point, layout};
use crate::render::Notation;
use crate::render::svg::picture;
use crate::render::svg::{derivative_line, edge_path, exact, op_label, shown};
use crate::session::changes::{Changed, Marks};
use crate::tensor::Tensor;
use crate::viewport::{Frame, Viewport};
use leptos::prelude::*;
use std::sync::Arc;

const NODE_HEIGHT: f64 = 72.0;

/// A graph with its layout. Equal when the graphs have the same structure (names, ops,
/// wiring), so stepping, new input values or edits that move text around do not lay the
/// graph out or rebuild its elements again.
#[derive(Clone)]
struct Drawing {
    graph: Graph,
    layout: Arc<Layout>,
    sizes: Arc<Vec<NodeSize>>,
    /// Where each edge's label goes, by edge (see [`labels::place_labels`]).
    labels: Arc<Vec<Option<Area>>>,
}

impl PartialEq for Drawing {
    fn eq(&self, other: &Drawing) -> bool {
        let same_node = |(a, b): (&crate::graph::Node, &crate::graph::Node)| {
            a.name == b.name && a.op == b.op && a.inputs == b.inputs && a.shape == b.shape
        };
        self.graph.output() == other.graph.output()
            && self.graph.len() == other.graph.len()
            && self
                .graph
                .nodes()
                .iter()
                .zip(other.graph.nodes())
                .all(same_node)
    }
}

/// Read from the current stepper about node `id`, or None if there is no stepper or the
/// node does not exist in it (for the moment between a new graph and new elements).
/// Untracked: a view tracks its node's trigger instead, which a step notifies only when
/// it changed the node (see [`Marks::changes_since`]).
fn probe<T>(state: AppState, id: NodeId, read: impl Fn(&Stepper) -> Option<T>) -> Option<T> {
    state.session.with_untracked(|s| {
        s.stepper()
            .filter(|st| id.0 < st.graph().len())
            .and_then(read)
    })
}

/// Characters a number takes at most as a box writes it (`−0.619124`, `1.23457e-05`).
const NUMBER_CHARS: usize = 10;

/// A box wide enough for its longest line: the header, the value, and the adjoint with up
/// to three contributions written out (`x̄1 = 7 + 3 = 10`) beside the "tape" mark, so no
/// text runs out of its box.
fn node_size(graph: &Graph, id: NodeId, uses: usize) -> NodeSize {
    let node = graph.node(id);
    let name = node.name.chars().count();
    let label = name + op_label(node.op).chars().count();
    if !node.shape.is_empty() {
        let (width, height) = picture::node_size(&node.shape, label + 4);
        return NodeSize { width, height };
    }
    let header = label + 6;
    let value = 2 + NUMBER_CHARS;
    let terms = uses.clamp(1, 3);
    let sum = if uses > 1 {
        terms * (NUMBER_CHARS + 3) + if uses > 3 { 4 } else { 0 } + 3
    } else {
        0
    };
    let derivative = name + 4 + sum + NUMBER_CHARS + 6;
    let text = header.max(value).max(derivative);
    NodeSize {
        width: (7.2 * text as f64 + 24.0).max(128.0),
        height: NODE_HEIGHT,
    }
}

fn drawing(graph: &Graph) -> Drawing {
    // How many contributions each node's adjoint can receive: one per use.
    let mut uses = vec![0; graph.len()];
    for node in graph.nodes() {
        for input in &node.inputs {
            uses[input.0] += 1;
        }
    }
    let sizes: Vec<NodeSize> = graph
        .ids()
        .map(|id| node_size(graph, id, uses[id.0]))
        .collect();
    let mut layout = layout(graph, &sizes);
    let widths: Vec<Option<f64>> = layout
        .edges
        .iter()
        .map(|edge| label_room(graph, edge))
        .collect();
    let labels = labels::place_labels(&mut layout, &sizes, &widths);
    Drawing {
        graph: graph.clone(),
        layout: Arc::new(layout),
        sizes: Arc::new(sizes),
        labels: Arc::new(labels),
    }
}

/// The widest an edge's label can be: elementwise consumers have one, `∂v3/∂x1 = −0.619124`
/// for a number, `∂q/∂p [2×3]` for a tensor (its values on hover; see [`edge_label`]).
fn label_room(graph: &Graph, edge: &EdgePath) -> Option<f64> {
    let to = graph.node(edge.to);
    if !to.op.is_elementwise() {
        return None;
    }
    let partial = Notation::Plain
        .partial(&to.name, &graph.node(edge.from).name)
        .chars()
        .count();
    let value = match to.shape.len() {
        0 => 3 + NUMBER_CHARS,
        _ => 1 + picture::shape_badge(&to.shape).chars().count(),
    };
    Some(labels::label_width(partial + value))
}

fn node_view(
    state: AppState,
    d: &Drawing,
    id: NodeId,
    tick: Trigger,
    marks: StoredValue<Marks>,
) -> impl IntoView + use<> {
    let node = d.graph.node(id).clone();
    let size = d.sizes[id.0];
    let centre = d.layout.nodes[id.0];
    let reverse = move || probe(state, id, |st| Some(st.mode() == Mode::Reverse)).unwrap_or(true);
    let value = move || {
        tick.track();
        probe(state, id, |st| st.value(id).cloned())
    };
    let adjoint = move || {
        tick.track();
        if reverse() {
            probe(state, id, |st| st.adjoint(id))
        } else {
            None
        }
    };
    let tangent = move || {
        tick.track();
        if reverse() {
            None
        } else {
            probe(state, id, |st| st.tangent(id).cloned())
        }
    };
    let derivative = move || {
        tick.track();
        probe(state, id, |st| derivative_line(st, id))
    };
    let on_tape = move || {
        tick.track();
        marks.with_value(|m| m.on_tape(id))
    };
    let leaf = node.op.is_leaf();
    let constant = node.op.is_constant();
    let output = id == d.graph.output();
    let class = move || {
        tick.track();
        let mut classes = vec!["node", if leaf { "leaf" } else { "op" }];
        let flags = [
            (constant, "constant"),
            (marks.with_value(|m| m.is_current(id)), "current"),
            (on_tape(), "tape"),
            (output, "output"),
            (marks.with_value(|m| m.nonfinite(id)), "nonfinite"),
        ];
        classes.extend(flags.iter().filter(|(on, _)| *on).map(|(_, name)| *name));
        classes.join(" ")
    };
    let name = node.name.clone();
    let op_name = node.op.name();
    let title = move || {
        let value = value()
            .map(|v| format!("\nvalue {}", shown(&v)))
            .unwrap_or_default();
        let derivative = derivative().map(|l| format!("\n{l}")).unwrap_or_default();
        format!("{name} ({op_name}){value}{derivative}")
    };
    let tensor = !node.shape.is_empty();
    let header = picture::header_markup(&node.name, &op_label(node.op), &node.shape, size.width);
    // Scalars write their value and derivative as text; tensors draw both as pictures.
    let content = if tensor {
        let shape = node.shape.clone();
        let value = Memo::new(move |_| value());
        let derivative = Memo::new(move |_| adjoint().or_else(tangent));
        let node_name = node.name.clone();
        let second = move || {
            let label = if reverse() { "adjoint" } else { "tangent" };
            tensor_panel(
                picture::second_panel_x(&shape),
                label,
                format!("{node_name} {label}"),
                shape.clone(),
                derivative,
            )
        };
        (
            tensor_panel(
                picture::PADDING,
                "value",
                format!("{} value", node.name),
                node.shape.clone(),
                value,
            ),
            second,
        )
            .into_any()
    } else {
        view! {
            <text class="node-value" x="12" y="44">{move || value().map(|v| format!("= {}", shown(&v))).unwrap_or_default()}</text>
            <text class="node-derivative" x="12" y="63">{move || derivative().unwrap_or_default()}</text>
        }
        .into_any()
    };
    view! {
        <g
            class=move || if tensor { format!("{} tensor", class()) } else { class() }
            data-node=node.name.clone()
            data-shape=tensor.then(|| picture::shape_badge(&node.shape))
            data-value=move || exact(value().as_deref())
            data-adjoint=move || exact(adjoint().as_deref())
            data-tangent=move || exact(tangent().as_deref())
            transform=format!("translate({:.1},{:.1})", centre.x - size.width / 2.0, centre.y - size.height / 2.0)
        >
            <title>{title}</title>
            <rect class="node-box" width=size.width height=size.height rx="10" />
            <g inner_html=header></g>
            {content}
            <text class="tape-badge" x=size.width - 12.0 y=if tensor { 42.0 } else { 63.0 } text-anchor="end">{move || if on_tape() { "tape" } else { "" }}</text>
        </g>
    }
}

/// An edge's path (under the boxes) and its local-derivative label (over them).
fn edge_views(
    state: AppState,
    d: &Drawing,
    edge_index: usize,
    edge: &EdgePath,
    ticks: (Trigger, Trigger),
    marks: StoredValue<Marks>,
) -> (impl IntoView + use<>, impl IntoView + use<>) {
    let (to, index) = (edge.to, edge.input_index);
    let from = edge.from;
    let (from_tick, to_tick) = ticks;
    // NaN or ±∞ at both ends: the edge is on the path a non-finite number travels.
    let bad = move || {
        from_tick.track();
        to_tick.track();
        marks.with_value(|m| m.nonfinite(from) && m.nonfinite(to))
    };
    let from_name = d.graph.node(edge.from).name.clone();
    let to_name = d.graph.node(edge.to).name.clone();
    let partial: Arc<str> = Notation::Plain.partial(&to_name, &from_name).into();
    let class = move || {
        let current = marks.with_value(|m| m.is_current(to));
        let base = match (current, marks.with_value(Marks::backward)) {
            (true, true) => "edge active backward",
            (true, false) => "edge active",
            (false, true) => "edge backward",
            (false, false) => "edge",
        };
        if bad() {
            format!("{base} nonfinite")
        } else {
            base.to_string()
        }
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

#[component]
pub fn GraphView(
    /// Pan to the current step's node when it is out of view (embeds, whose frames are
    /// small); the app leaves the view where the reader put it.
    #[prop(optional)]
    follow: bool,
) -> impl IntoView {
    let state = AppState::get();
    // The layout runs when the graph changes, not at every step: the graph is read again
    // only when the stepper is rebuilt (no copy and comparison of it at each step), and
    // laid out only when its structure differs.
    let revision = Memo::new(move |_| state.session.with(|s| s.revision()));
    // A memo is brought up to date only when read (tracking alone would not run it).
    let graph = Memo::new(move |_| {
        revision.with(|_| ());
        state.session.with_untracked(|s| s.graph().cloned())
    });
    let drawing = Memo::new(move |_| graph.with(|g| g.as_ref().map(drawing)));
    let current = Memo::new(move |_| {
        state.session.with(|s| {
            s.stepper()
                .and_then(|st| st.history().last().map(|r| r.node))
        })
    });
    // One trigger per node: a step notifies only the nodes it changed.
    let marks = StoredValue::new(state.session.with_untracked(Marks::of));
    let ticks = StoredValue::new(Vec::<Trigger>::new());
    Effect::new(move |_| {
        let changed = state.session.with(|s| {
            let now = Marks::of(s);
            let changed = marks.with_value(|before| now.changes_since(before, s.stepper()));
            marks.set_value(now);
            changed
        });
        ticks.with_value(|ticks| match changed {
            Changed::All => ticks.iter().for_each(|t| t.notify()),
            Changed::Nodes(ids) => ids
                .iter()
                .filter_map(|id| ticks.get(id.0))
                .for_each(|t| t.notify()),
        });
    });
    // What the focused or hovered tensor cell says (its aria-label), under the graph; a
    // focused cell keeps its readout while the pointer moves elsewhere.
    let readout = RwSignal::new(None::<String>);
    let focused = StoredValue::new(false);
    let cell_label = |target: Option<web_sys::EventTarget>| {
        use wasm_bindgen::JsCast;
        target
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest(".cell, .thumbnail").ok().flatten())
            .and_then(|e| e.get_attribute("aria-label"))
    };
    let viewport = RwSignal::new(Viewport {
        x: 0.0,
        y: 0.0,
        width: 900.0,
        height: 480.0,
    });
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let frame = move || {
        svg_ref
            .get_untracked()
            .map(|svg| {
                let rect = svg.get_bounding_client_rect();
                // A transformed ancestor (a slide deck scaling its slide) makes the box on
                // screen differ from its layout size; the view works in layout pixels.
                let layout_width = f64::from(svg.client_width());
                let scale = if layout_width > 0.0 && rect.width() > 0.0 {
                    rect.width() / layout_width
                } else {
                    1.0
                };
                Frame {
                    left: rect.left(),
                    top: rect.top(),
                    width: (rect.width() / scale).max(1.0),
                    height: (rect.height() / scale).max(1.0),
                    scale,
                }
            })
            .unwrap_or(Frame::DEFAULT)
    };
    // With `follow`: pan so the current step's node is in view, centring it along an
    // axis where it sticks out, without leaving the drawing.
    let reveal_current = move || {
        let Some(id) = current.get_untracked().filter(|_| follow) else {
            return;
        };
        let Some(d) = drawing.get_untracked().filter(|d| id.0 < d.sizes.len()) else {
            return;
        };
        let (centre, size) = (d.layout.nodes[id.0], d.sizes[id.0]);
        let reveal = |start: f64, visible: f64, at: f64, half: f64, content: f64| {
            if at - half >= start && at + half <= start + visible {
                return start;
            }
            let (low, high) = (
                0.0_f64.min(content - visible),
                0.0_f64.max(content - visible),
            );
            (at - visible / 2.0).clamp(low, high)
        };
        viewport.update(|v| {
            v.x = reveal(v.x, v.width, centre.x, size.width / 2.0, d.layout.width);
            v.y = reveal(v.y, v.height, centre.y, size.height / 2.0, d.layout.height);
        });
    };
    // Whether the view is as "Fit" left it (not zoomed or panned by the reader since).
    let fitted = StoredValue::new(true);
    let fit = move || {
        fitted.set_value(true);
        if let Some(d) = drawing.get_untracked() {
            let Frame { width, height, .. } = frame();
            viewport.set(Viewport::fit(
                d.layout.width,
                d.layout.height,
                width,
                height,
            ));
            reveal_current();
        }
    };
    if follow {
        Effect::new(move |_| {
            current.with(|_| ());
            reveal_current();
        });
    }
    Effect::new(move |_| {
        drawing.with(|_| ());
        hooks::after_layout(fit);
    });
    hooks::on_resize(fit);
    // A fitted view whose frame changes size without the window's (a slide shown, an
    // embed given a height) fits again; a view the reader zoomed or panned stays.
    Effect::new(move |_| {
        if let Some(svg) = svg_ref.get() {
            hooks::on_element_resize(&svg, move || {
                if fitted.get_value() {
                    fit();
                }
            });
        }
    });
    let zoom_by = move |factor: f64| {
        fitted.set_value(false);
        let Frame { width, height, .. } = frame();
        viewport.update(|v| {
            let (cx, cy) = v.to_drawing(width / 2.0, height / 2.0, width);
            *v = v.zoom(factor, cx, cy, width);
        });
    };
    let drag = StoredValue::new(None::<(f64, f64)>);
    // The drawing's size in its own units, for frames that size themselves to it (embeds).
    let extent = move || {
        drawing.with(|d| {
            d.as_ref().map(|d| {
                format!(
                    "--graph-width: {:.0}; --graph-height: {:.0}",
                    d.layout.width, d.layout.height
                )
            })
        })
    };
    // Built once per graph structure; what changes with each step is reactive inside.
    let elements = move || {
        drawing.get().map(|d| {
            let node_ticks: Vec<Trigger> = d.graph.ids().map(|_| Trigger::new()).collect();
            ticks.set_value(node_ticks.clone());
            marks.set_value(state.session.with_untracked(Marks::of));
            let nodes: Vec<_> = d
                .graph
                .ids()
                .map(|id| node_view(state, &d, id, node_ticks[id.0], marks))
                .collect();
            let (paths, labels): (Vec<_>, Vec<_>) = d
                .layout
                .edges
                .iter()
                .enumerate()
                .map(|(index, edge)| {
                    let ends = (node_ticks[edge.from.0], node_ticks[edge.to.0]);
                    edge_views(state, &d, index, edge, ends, marks)
                })
                .unzip();
            view! {
                <g class="edges">{paths}</g>
                <g class="nodes">{nodes}</g>
                <g class="edge-labels">{labels}</g>
            }
        })
    };
    view! {
        <div class="graph-frame" style=extent>
            <div class="graph-tools" role="toolbar" aria-label="Zoom">
                <button on:click=move |_| zoom_by(1.25) aria-label="Zoom in" title="Zoom in">"+"</button>
                <button on:click=move |_| zoom_by(0.8) aria-label="Zoom out" title="Zoom out">"−"</button>
                <button on:click=move |_| fit() aria-label="Fit graph" title="Fit the graph">"Fit"</button>
            </div>
            <svg
                node_ref=svg_ref
                class="graph"
                role="group"
                aria-label="Computation graph"
                viewBox=move || viewport.get().view_box()
                data-detail=move || {
                    if viewport.get().is_overview(frame().width) { "overview" } else { "full" }
                }
                preserveAspectRatio="xMinYMin meet"
                on:wheel=move |ev: web_sys::WheelEvent| {
                    ev.prevent_default();
                    fitted.set_value(false);
                    let f = frame();
                    let factor = (-ev.delta_y() * 0.0015).exp();
                    let (px, py) = f.point(ev.client_x(), ev.client_y());
                    viewport.update(|v| {
                        let (ax, ay) = v.to_drawing(px, py, f.width);
                        *v = v.zoom(factor, ax, ay, f.width);
                    });
                }
                on:pointerdown=move |ev: web_sys::PointerEvent| {
                    drag.set_value(Some((f64::from(ev.client_x()), f64::from(ev.client_y()))));
                }
                on:pointermove=move |ev: web_sys::PointerEvent| {
                    if let Some((x, y)) = drag.get_value() {
                        let (nx, ny) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
                        let f = frame();
                        fitted.set_value(false);
                        viewport.update(|v| *v = v.pan((nx - x) / f.scale, (ny - y) / f.scale, f.width));
                        drag.set_value(Some((nx, ny)));
                    }
                }
                on:pointerover=move |ev: web_sys::PointerEvent| {
                    let label = cell_label(ev.target());
                    if label.is_some() || !focused.get_value() {
                        readout.set(label);
                    }
                }
                on:focusin=move |ev: web_sys::FocusEvent| {
                    let label = cell_label(ev.target());
                    focused.set_value(label.is_some());
                    readout.set(label);
                }
                on:focusout=move |_| {
                    focused.set_value(false);
                    readout.set(None);
                }
                on:pointerup=move |_| drag.set_value(None)
                on:pointerleave=move |_| drag.set_value(None)
            >
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse">
                        <path d="M0,0 L10,5 L0,10 z" />
                    </marker>
                    <pattern id="nan-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <rect id="nan-hatch-bg" width="6" height="6" />
                        <path d="M0,0 L0,6" />
                    </pattern>
                </defs>
                {elements}
            </svg>
            <output class="readout" aria-live="off">{move || readout.get().unwrap_or_default()}</output>
        </div>
    }
}
