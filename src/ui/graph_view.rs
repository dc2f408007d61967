//! The graph view: an SVG of the computation graph, laid out left to right, with each
//! node's value and adjoint (or tangent), the local derivative on each edge, the step's
//! node and edges highlighted, the tape marked, and pan and zoom.

use super::state::AppState;
use crate::engine::{Mode, Phase, Stepper};
use crate::graph::{Graph, NodeId, Op};
use crate::layout::{Layout, NodeSize, Point, layout};
use crate::number::format_number;
use crate::render::Notation;
use crate::viewport::Viewport;
use leptos::prelude::*;
use std::sync::Arc;

const NODE_HEIGHT: f64 = 72.0;

/// A graph with its layout; equal when the graphs are, so stepping does not lay out again.
#[derive(Clone)]
struct Drawing {
    graph: Graph,
    layout: Arc<Layout>,
    sizes: Arc<Vec<NodeSize>>,
}

impl PartialEq for Drawing {
    fn eq(&self, other: &Drawing) -> bool {
        self.graph == other.graph
    }
}

/// How an op is labelled in its box.
fn op_label(op: Op) -> String {
    match op {
        Op::Input => "input".into(),
        Op::Const(_) => "constant".into(),
        Op::Add => "+".into(),
        Op::Sub => "−".into(),
        Op::Mul => "×".into(),
        Op::Div => "÷".into(),
        Op::Neg => "negate".into(),
        Op::PowConst(n) => format!("^{}", format_number(n)),
        Op::Pow => "^".into(),
        Op::Identity => "copy".into(),
        other => other.name().into(),
    }
}

fn node_size(graph: &Graph, id: NodeId) -> NodeSize {
    let node = graph.node(id);
    let label = node.name.chars().count() + op_label(node.op).chars().count();
    NodeSize {
        width: (7.5 * label as f64 + 44.0).clamp(128.0, 240.0),
        height: NODE_HEIGHT,
    }
}

fn drawing(graph: &Graph) -> Drawing {
    let sizes: Vec<NodeSize> = graph.ids().map(|id| node_size(graph, id)).collect();
    let layout = layout(graph, &sizes);
    Drawing {
        graph: graph.clone(),
        layout: Arc::new(layout),
        sizes: Arc::new(sizes),
    }
}

/// The full-precision text behind a displayed number (the test hooks' format).
fn exact(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// "x̄1 = 7 + 3 = 10", "x̄1 = 10", or the tangent "ẋ1 = 1".
fn derivative_line(stepper: &Stepper, id: NodeId) -> Option<String> {
    let name = &stepper.graph().node(id).name;
    match stepper.mode() {
        Mode::Forward { .. } => stepper
            .tangent(id)
            .map(|t| format!("{} = {}", Notation::Plain.tangent(name), format_number(t))),
        Mode::Reverse => {
            let adjoint = stepper.adjoint(id)?;
            let parts = stepper.contributions(id);
            let bar = Notation::Plain.adjoint(name);
            if parts.len() < 2 {
                return Some(format!("{bar} = {}", format_number(adjoint)));
            }
            let shown: Vec<String> = parts.iter().take(3).map(|&c| format_number(c)).collect();
            let more = if parts.len() > 3 { " + …" } else { "" };
            Some(format!(
                "{bar} = {}{more} = {}",
                shown.join(" + "),
                format_number(adjoint)
            ))
        }
    }
}

/// A smooth path through an edge's points, leaving and entering horizontally.
fn edge_path(points: &[Point]) -> String {
    let Some(first) = points.first() else {
        return String::new();
    };
    let mut d = format!("M{:.1},{:.1}", first.x, first.y);
    for pair in points.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let bend = (b.x - a.x) / 2.0;
        d.push_str(&format!(
            " C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
            a.x + bend,
            a.y,
            b.x - bend,
            b.y,
            b.x,
            b.y
        ));
    }
    d
}

fn midpoint(points: &[Point]) -> Point {
    match points.len() {
        0 => Point { x: 0.0, y: 0.0 },
        1 => Point {
            x: points[0].x,
            y: points[0].y,
        },
        n => {
            let (a, b) = (&points[(n - 1) / 2], &points[n / 2]);
            if n % 2 == 1 {
                Point { x: a.x, y: a.y }
            } else {
                Point {
                    x: (a.x + b.x) / 2.0,
                    y: (a.y + b.y) / 2.0,
                }
            }
        }
    }
}

#[component]
pub fn GraphView() -> impl IntoView {
    let state = AppState::get();
    let drawing = Memo::new(move |_| state.session.with(|s| s.graph().map(drawing)));
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
                (
                    rect.left(),
                    rect.top(),
                    rect.width().max(1.0),
                    rect.height().max(1.0),
                )
            })
            .unwrap_or((0.0, 0.0, 900.0, 480.0))
    };
    let fit = move || {
        if let Some(d) = drawing.get_untracked() {
            let (_, _, w, h) = frame();
            viewport.set(Viewport::fit(d.layout.width, d.layout.height, w, h));
        }
    };
    Effect::new(move |_| {
        drawing.track();
        fit();
    });
    let zoom_by = move |factor: f64| {
        let (_, _, w, h) = frame();
        viewport.update(|v| {
            let (cx, cy) = v.to_drawing(w / 2.0, h / 2.0, w);
            *v = v.zoom(factor, cx, cy, w);
        });
    };
    let drag = StoredValue::new(None::<(f64, f64)>);

    let nodes = move || {
        let Some(d) = drawing.get() else {
            return Vec::new();
        };
        state.session.with(|s| {
            let Some(stepper) = s.stepper() else { return Vec::new() };
            let current = stepper.history().last().map(|r| r.node);
            let tape = stepper.tape();
            d.graph
                .ids()
                .map(|id| {
                    let node = d.graph.node(id);
                    let size = &d.sizes[id.0];
                    let centre = &d.layout.nodes[id.0];
                    let value = stepper.value(id);
                    let (adjoint, tangent) = match stepper.mode() {
                        Mode::Reverse => (stepper.adjoint(id), None),
                        Mode::Forward { .. } => (None, stepper.tangent(id)),
                    };
                    let mut classes = vec!["node", if node.op.is_leaf() { "leaf" } else { "op" }];
                    if matches!(node.op, Op::Const(_)) {
                        classes.push("constant");
                    }
                    if current == Some(id) {
                        classes.push("current");
                    }
                    if tape[id.0] {
                        classes.push("tape");
                    }
                    if id == d.graph.output() {
                        classes.push("output");
                    }
                    if [value, adjoint, tangent].iter().flatten().any(|v| !v.is_finite()) {
                        classes.push("nonfinite");
                    }
                    let title = format!(
                        "{} ({}){}{}",
                        node.name,
                        node.op.name(),
                        value.map(|v| format!("\nvalue {}", format_number(v))).unwrap_or_default(),
                        derivative_line(stepper, id).map(|l| format!("\n{l}")).unwrap_or_default(),
                    );
                    view! {
                        <g
                            class=classes.join(" ")
                            data-node=node.name.clone()
                            data-value=exact(value)
                            data-adjoint=exact(adjoint)
                            data-tangent=exact(tangent)
                            transform=format!("translate({:.1},{:.1})", centre.x - size.width / 2.0, centre.y - size.height / 2.0)
                        >
                            <title>{title}</title>
                            <rect width=size.width height=size.height rx="10" />
                            <text class="node-name" x="12" y="22">{node.name.clone()}</text>
                            <text class="node-op" x=size.width - 12.0 y="22" text-anchor="end">{op_label(node.op)}</text>
                            <text class="node-value" x="12" y="44">
                                {value.map(|v| format!("= {}", format_number(v))).unwrap_or_default()}
                            </text>
                            <text class="node-derivative" x="12" y="63">{derivative_line(stepper, id).unwrap_or_default()}</text>
                            {tape[id.0].then(|| view! {
                                <text class="tape-badge" x=size.width - 12.0 y="63" text-anchor="end">"tape"</text>
                            })}
                        </g>
                    }
                })
                .collect::<Vec<_>>()
        })
    };

    // Paths go under the boxes, their derivative labels over them.
    let edges = move || {
        let Some(d) = drawing.get() else {
            return (Vec::new(), Vec::new());
        };
        state.session.with(|s| {
            let Some(stepper) = s.stepper() else {
                return (Vec::new(), Vec::new());
            };
            let current = stepper.history().last().map(|r| r.node);
            let backward = stepper.progress().0 == Phase::Backward && stepper.cursor() > 0;
            d.layout
                .edges
                .iter()
                .map(|edge| {
                    let from = &d.graph.node(edge.from).name;
                    let to = &d.graph.node(edge.to).name;
                    let local = stepper.local_derivative(edge.to, edge.input_index);
                    let label = local.map(|l| format!("{} = {}", Notation::Plain.partial(to, from), format_number(l)));
                    let active = current == Some(edge.to);
                    let class = match (active, backward) {
                        (true, true) => "edge active backward",
                        (true, false) => "edge active",
                        (false, true) => "edge backward",
                        (false, false) => "edge",
                    };
                    let mid = midpoint(&edge.points);
                    let path = edge_path(&edge.points);
                    let edge = view! {
                        <g class=class data-edge=format!("{from}->{to}")>
                            <path
                                d=path
                                marker-end=if backward { "" } else { "url(#arrow)" }
                                marker-start=if backward { "url(#arrow)" } else { "" }
                            />
                        </g>
                    };
                    let label = label.map(|text| view! {
                        <text class=format!("{class} edge-label") x=mid.x y=mid.y - 6.0 text-anchor="middle">{text}</text>
                    });
                    (edge, label)
                })
                .unzip::<_, _, Vec<_>, Vec<_>>()
        })
    };

    view! {
        <div class="graph-frame">
            <div class="graph-tools" role="toolbar" aria-label="Zoom">
                <button on:click=move |_| zoom_by(1.25) aria-label="Zoom in" title="Zoom in">"+"</button>
                <button on:click=move |_| zoom_by(0.8) aria-label="Zoom out" title="Zoom out">"−"</button>
                <button on:click=move |_| fit() aria-label="Fit graph" title="Fit the graph">"Fit"</button>
            </div>
            <svg
                node_ref=svg_ref
                class="graph"
                role="img"
                aria-label="Computation graph"
                viewBox=move || viewport.get().view_box()
                preserveAspectRatio="xMinYMin meet"
                on:wheel=move |ev: web_sys::WheelEvent| {
                    ev.prevent_default();
                    let (left, top, w, _) = frame();
                    let factor = (-ev.delta_y() * 0.0015).exp();
                    viewport.update(|v| {
                        let (ax, ay) = v.to_drawing(f64::from(ev.client_x()) - left, f64::from(ev.client_y()) - top, w);
                        *v = v.zoom(factor, ax, ay, w);
                    });
                }
                on:pointerdown=move |ev: web_sys::PointerEvent| {
                    drag.set_value(Some((f64::from(ev.client_x()), f64::from(ev.client_y()))));
                }
                on:pointermove=move |ev: web_sys::PointerEvent| {
                    if let Some((x, y)) = drag.get_value() {
                        let (nx, ny) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
                        let (_, _, w, _) = frame();
                        viewport.update(|v| *v = v.pan(nx - x, ny - y, w));
                        drag.set_value(Some((nx, ny)));
                    }
                }
                on:pointerup=move |_| drag.set_value(None)
                on:pointerleave=move |_| drag.set_value(None)
            >
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse">
                        <path d="M0,0 L10,5 L0,10 z" />
                    </marker>
                </defs>
                <g class="edges">{move || edges().0}</g>
                <g class="nodes">{nodes}</g>
                <g class="edge-labels">{move || edges().1}</g>
            </svg>
        </div>
    }
}
