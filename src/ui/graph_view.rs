//! The graph view: an SVG of the computation graph, laid out left to right, with each
//! node's value and adjoint (or tangent), the local derivative on each edge, the step's
//! node and edges highlighted, the tape marked, NaN/∞ and their path marked, pan and
//! zoom, bindings folded into one box (by the reader, and on their own in large graphs)
//! and a minimap while part of the graph is out of view. Tensor nodes draw their values
//! through [`super::tensor_view`].

mod drawing;
mod edges;
mod minimap;
mod nodes;

use super::hooks;
use super::state::AppState;
use crate::engine::Stepper;
use crate::graph::NodeId;
use crate::layout::fold::{self, Group, Item};
use crate::session::changes::{Changed, Marks};
use crate::viewport::{Frame, Viewport};
use drawing::Drawing;
use leptos::prelude::*;

/// Read from the current stepper about node `id`, or None if there is no stepper or the
/// node does not exist in it (for the moment between a new graph and new elements).
/// Untracked: a view tracks its box's trigger instead, which a step notifies only when
/// it changed one of the box's nodes (see [`Marks::changes_since`]).
fn probe<T>(state: AppState, id: NodeId, read: impl Fn(&Stepper) -> Option<T>) -> Option<T> {
    state.session.with_untracked(|s| {
        s.stepper()
            .filter(|st| id.0 < st.graph().len())
            .and_then(read)
    })
}

/// The binding a fold button under `target` is for, and whether it folds it (see
/// `nodes::fold_button`).
fn fold_target(target: Option<web_sys::EventTarget>) -> Option<(String, bool)> {
    use wasm_bindgen::JsCast;
    let button = target?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("[data-fold]")
        .ok()??;
    let name = button.get_attribute("data-fold")?;
    Some((name, button.get_attribute("data-folds")? == "true"))
}

/// The node whose box is under `target`, if any: the graph's highlight while the pointer
/// or the focus is on it.
fn node_under(state: AppState, target: Option<web_sys::EventTarget>) -> Option<usize> {
    use wasm_bindgen::JsCast;
    let name = target?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("[data-node]")
        .ok()??
        .get_attribute("data-node")?;
    state
        .session
        .with_untracked(|s| s.graph()?.nodes().iter().position(|node| node.name == name))
}

/// Which bindings are folded: the reader's choices by binding name, the rule
/// ([`fold::folds_by_default`]) for the rest; and the node a choice was made on, which
/// the view keeps where it was rather than fitting the whole graph again.
#[derive(Clone, Copy)]
struct Folding {
    choices: RwSignal<Vec<(String, bool)>>,
    anchor: StoredValue<Option<String>>,
}

impl Folding {
    fn new() -> Folding {
        Folding {
            choices: RwSignal::new(Vec::new()),
            anchor: StoredValue::new(None),
        }
    }

    /// Fold (or unfold) the binding `name`, keeping its box (its bound node) in view.
    fn set(&self, name: &str, folded: bool) {
        self.anchor.set_value(Some(name.to_string()));
        self.choices.update(|c| {
            c.retain(|(n, _)| n != name);
            c.push((name.to_string(), folded));
        });
    }

    /// Fold or unfold every binding; the view fits the graph again.
    fn all(&self, groups: &[Group], folded: bool) {
        self.anchor.set_value(None);
        self.choices
            .set(groups.iter().map(|g| (g.name.clone(), folded)).collect());
    }

    /// Whether `group` is folded, by default as `by_default` says (tracked).
    fn folds(&self, group: &Group, by_default: bool) -> bool {
        self.choices.with(|c| {
            c.iter()
                .rev()
                .find(|(n, _)| *n == group.name)
                .map_or(by_default, |(_, f)| *f)
        })
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
    // The layout runs when the graph or its folding changes, not at every step: the graph
    // is read again only when the stepper is rebuilt (no copy and comparison of it at each
    // step), and laid out only when its structure or boxes differ.
    let revision = Memo::new(move |_| state.session.with(|s| s.revision()));
    // A memo is brought up to date only when read (tracking alone would not run it).
    let graph = Memo::new(move |_| {
        revision.with(|_| ());
        state.session.with_untracked(|s| s.graph().cloned())
    });
    let folding = Folding::new();
    let drawing = Memo::new(move |_| {
        graph.with(|g| {
            g.as_ref().map(|g| {
                let by_default = fold::folds_by_default(g);
                Drawing::new(g, |group| folding.folds(group, by_default))
            })
        })
    });
    let current = Memo::new(move |_| {
        state.session.with(|s| {
            s.stepper()
                .and_then(|st| st.history().last().map(|r| r.node))
        })
    });
    // The box the current step's node is drawn in.
    let current_item = Memo::new(move |_| {
        let id = current.get()?;
        drawing.with(|d| d.as_ref()?.item_of(id))
    });
    // One trigger per box: a step notifies only the boxes of the nodes it changed.
    let marks = StoredValue::new(state.session.with_untracked(Marks::of));
    let ticks = StoredValue::new(Vec::<Trigger>::new());
    let item_of = StoredValue::new(Vec::<usize>::new());
    Effect::new(move |_| {
        let changed = state.session.with(|s| {
            let now = Marks::of(s);
            let changed = marks.with_value(|before| now.changes_since(before, s.stepper()));
            marks.set_value(now);
            changed
        });
        ticks.with_value(|ticks| match changed {
            Changed::All => ticks.iter().for_each(|t| t.notify()),
            Changed::Nodes(ids) => item_of.with_value(|item_of| {
                ids.iter()
                    .filter_map(|id| ticks.get(*item_of.get(id.0)?))
                    .for_each(|t| t.notify())
            }),
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
    // The node under the pointer or the focus is highlighted across the views (its line
    // in the code lesson, its span in the editor); its box gets `data-highlight`.
    let highlight = move |node: Option<usize>| {
        if state.highlight.get_untracked() != node {
            state.highlight.set(node);
        }
    };
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    Effect::new(move |_| {
        let node = state.highlight.get();
        drawing.with(|_| ());
        let name = node.and_then(|id| {
            state
                .session
                .with_untracked(|s| Some(s.graph()?.nodes().get(id)?.name.clone()))
        });
        hooks::after_layout(move || {
            let Some(svg) = svg_ref.get_untracked() else {
                return;
            };
            if let Ok(Some(old)) = svg.query_selector("[data-highlight]") {
                let _ = old.remove_attribute("data-highlight");
            }
            if let Some(name) = name
                && let Ok(Some(new)) = svg.query_selector(&format!("[data-node=\"{name}\"]"))
            {
                let _ = new.set_attribute("data-highlight", "");
            }
        });
    });
    let viewport = RwSignal::new(Viewport {
        x: 0.0,
        y: 0.0,
        width: 900.0,
        height: 480.0,
    });
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
    // With `follow`: pan so the current step's box is in view, centring it along an
    // axis where it sticks out, without leaving the drawing.
    let reveal_current = move || {
        let Some(item) = current_item.get_untracked().filter(|_| follow) else {
            return;
        };
        let Some(d) = drawing.get_untracked().filter(|d| item < d.sizes.len()) else {
            return;
        };
        let (centre, size) = (d.layout.nodes[item], d.sizes[item]);
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
            current_item.with(|_| ());
            reveal_current();
        });
    }
    // A new drawing is fitted, but one the reader folded or unfolded keeps its zoom and
    // centres the box they pressed.
    Effect::new(move |_| {
        drawing.with(|_| ());
        match folding.anchor.get_value() {
            Some(name) => {
                folding.anchor.set_value(None);
                let at = drawing.with_untracked(|d| {
                    let d = d.as_ref()?;
                    let group = d.groups.iter().find(|g| g.name == name)?;
                    Some(d.layout.nodes[d.item_of(group.output())?])
                });
                if let Some(at) = at {
                    fitted.set_value(false);
                    viewport.update(|v| *v = v.centred_at(at.x, at.y));
                }
            }
            None => hooks::after_layout(fit),
        }
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
    // Folding for all bindings at once, while the graph has any.
    let groups = move || drawing.with(|d| d.as_ref().map(|d| d.groups.clone()));
    let fold_all = move |folded: bool| {
        if let Some(groups) = groups() {
            folding.all(&groups, folded);
        }
    };
    let foldable = move || groups().is_some_and(|g| !g.is_empty());
    let any_folded = move || {
        drawing.with(|d| {
            d.as_ref()
                .is_some_and(|d| d.folded.items.len() < d.graph.len())
        })
    };
    // Built once per drawing; what changes with each step is reactive inside.
    let elements = move || {
        drawing.get().map(|d| {
            let item_ticks: Vec<Trigger> = d.folded.items.iter().map(|_| Trigger::new()).collect();
            ticks.set_value(item_ticks.clone());
            item_of.set_value(d.folded.item_of.clone());
            marks.set_value(state.session.with_untracked(Marks::of));
            let boxes: Vec<_> = (d.folded.items.iter().enumerate())
                .filter_map(|(item, &what)| match what {
                    Item::Node(id) => Some(nodes::node_view(
                        state,
                        &d,
                        item,
                        id,
                        item_ticks[item],
                        marks,
                    )),
                    Item::Group(_) => None,
                })
                .collect();
            let groups: Vec<_> = (d.folded.items.iter().enumerate())
                .filter_map(|(item, &what)| match what {
                    Item::Node(_) => None,
                    Item::Group(g) => Some(nodes::group_view(
                        state,
                        &d,
                        item,
                        &d.groups[g],
                        item_ticks[item],
                        marks,
                    )),
                })
                .collect();
            let (paths, labels): (Vec<_>, Vec<_>) = d
                .layout
                .edges
                .iter()
                .enumerate()
                .map(|(index, edge)| {
                    let ends = (item_ticks[edge.from.0], item_ticks[edge.to.0]);
                    edges::edge_views(state, &d, index, edge, ends, marks)
                })
                .unzip();
            view! {
                <g class="edges">{paths}</g>
                <g class="nodes">{boxes}{groups}</g>
                <g class="edge-labels">{labels}</g>
            }
        })
    };
    view! {
        <div class="graph-frame" style=extent>
            <div class="graph-tools" role="toolbar" aria-label="Zoom">
                    <button
                        hidden=move || !foldable()
                        on:click=move |_| fold_all(!any_folded())
                        title=move || if any_folded() { "Draw every node of every binding" } else { "Draw each binding as one box" }
                    >
                        {move || if any_folded() { "Unfold all" } else { "Fold all" }}
                    </button>
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
                data-nodes=move || drawing.with(|d| d.as_ref().map(|d| d.graph.len()))
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
                    highlight(node_under(state, ev.target()));
                    let label = cell_label(ev.target());
                    if label.is_some() || !focused.get_value() {
                        readout.set(label);
                    }
                }
                on:focusin=move |ev: web_sys::FocusEvent| {
                    highlight(node_under(state, ev.target()));
                    let label = cell_label(ev.target());
                    focused.set_value(label.is_some());
                    readout.set(label);
                }
                on:focusout=move |_| {
                    highlight(None);
                    focused.set_value(false);
                    readout.set(None);
                }
                on:pointerup=move |_| drag.set_value(None)
                on:pointerleave=move |_| {
                    highlight(None);
                    drag.set_value(None);
                }
                on:click=move |ev: web_sys::MouseEvent| {
                    if let Some((name, folds)) = fold_target(ev.target()) {
                        folding.set(&name, folds);
                    } else if let Some(node) = node_under(state, ev.target()) {
                        state.pressed.set(Some(node));
                    }
                }
                on:keydown=move |ev: web_sys::KeyboardEvent| {
                    if ev.key() != "Enter" && ev.key() != " " {
                        return;
                    }
                    if let Some((name, folds)) = fold_target(ev.target()) {
                        ev.prevent_default();
                        ev.stop_propagation();
                        folding.set(&name, folds);
                    } else if ev.key() == "Enter"
                        && let Some(node) = node_under(state, ev.target())
                    {
                        state.pressed.set(Some(node));
                    }
                }
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
            {minimap::minimap(drawing, viewport, current_item)}
            <output class="readout" aria-live="off">{move || readout.get().unwrap_or_default()}</output>
        </div>
    }
}
