//! The boxes of the graph view: a node with its value and adjoint (or tangent), the tape
//! and NaN/∞ marks, a value checkpointing discarded, a gradient lost in a low precision and, on a foldable binding, its fold button; and a folded binding, one
//! box showing its bound node's numbers, marked when a step inside it is the current one.

use super::drawing::{Drawing, FOLD_BUTTON, group_label};
use super::probe;
use crate::engine::Mode;
use crate::graph::NodeId;
use crate::layout::fold::Group;
use crate::precision::Loss;
use crate::render::svg::draw::{self, escape};
use crate::render::svg::picture;
use crate::render::svg::{derivative_line, derivative_total, exact, op_label, shown};
use crate::session::changes::Marks;
use crate::ui::state::AppState;
use crate::ui::tensor_view::tensor_panel;
use leptos::prelude::*;

/// The class of a box from its flags.
fn classes(base: &[&'static str], flags: &[(bool, &'static str)]) -> String {
    let mut classes = base.to_vec();
    classes.extend(flags.iter().filter(|(on, _)| *on).map(|(_, name)| *name));
    classes.join(" ")
}

/// The markup of a button in a box's top right corner that folds (or unfolds) the
/// binding `group`; the graph view handles its clicks and keys for every box at once
/// (see [`super::fold_target`]), so the buttons are plain markup.
fn fold_button(group: &Group, fold: bool, width: f64) -> String {
    let label = if fold {
        format!("Fold {} into one box", group.name)
    } else {
        format!("Unfold {} ({})", group.name, group_label(group))
    };
    let label = escape(&label);
    format!(
        "<g class=\"fold-button\" role=\"button\" tabindex=\"0\" aria-label=\"{label}\" \
         aria-expanded=\"{fold}\" data-fold=\"{}\" data-folds=\"{fold}\" \
         transform=\"translate({:.1},6)\"><title>{label}</title>\
         <rect width=\"20\" height=\"20\" rx=\"5\"/>\
         <text x=\"10\" y=\"15\" text-anchor=\"middle\">{}</text></g>",
        escape(&group.name),
        width - FOLD_BUTTON,
        if fold { "−" } else { "+" }
    )
}

pub fn node_view(
    state: AppState,
    d: &Drawing,
    item: usize,
    id: NodeId,
    tick: Trigger,
    marks: StoredValue<Marks>,
) -> impl IntoView + use<> {
    let node = d.graph.node(id).clone();
    let size = d.sizes[item];
    let centre = d.layout.nodes[item];
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
    let discarded = move || {
        tick.track();
        marks.with_value(|m| m.discarded(id))
    };
    let lost = move || {
        tick.track();
        marks.with_value(|m| m.lost(id))
    };
    let leaf = node.op.is_leaf();
    let constant = node.op.is_constant();
    let output = id == d.graph.output();
    let tensor = !node.shape.is_empty();
    let class = move || {
        tick.track();
        let flags = [
            (constant, "constant"),
            (marks.with_value(|m| m.is_current(id)), "current"),
            (on_tape(), "tape"),
            (output, "output"),
            (marks.with_value(|m| m.nonfinite(id)), "nonfinite"),
            (tensor, "tensor"),
            (discarded(), "discarded"),
            (lost().is_some(), "lost"),
        ];
        classes(&["node", if leaf { "leaf" } else { "op" }], &flags)
    };
    let name = node.name.clone();
    let op_name = node.op.name();
    let title = move || {
        let value = value()
            .map(|v| format!("\nvalue {}", shown(&v)))
            .unwrap_or_default();
        let derivative = derivative().map(|l| format!("\n{l}")).unwrap_or_default();
        let note = badge(discarded(), lost(), false).map_or("", |b| b.1);
        format!("{name} ({op_name}){value}{derivative}{note}")
    };
    let group = d.group_ending_at(id);
    let header_width = size.width - if group.is_some() { FOLD_BUTTON } else { 0.0 };
    let mut header =
        picture::header_markup(&node.name, &op_label(node.op), &node.shape, header_width);
    if let Some(group) = group {
        header.push_str(&fold_button(group, true, size.width));
    }
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
            class=class
            tabindex="0"
            data-node=node.name.clone()
            data-shape=tensor.then(|| picture::shape_badge(&node.shape))
            data-value=move || exact(value().as_deref())
            data-adjoint=move || exact(adjoint().as_deref())
            data-tangent=move || exact(tangent().as_deref())
            data-discarded=flag(discarded)
            data-underflow=flag(move || lost() == Some(Loss::Underflow))
            data-overflow=flag(move || lost() == Some(Loss::Overflow))
            transform=format!("translate({:.1},{:.1})", centre.x - size.width / 2.0, centre.y - size.height / 2.0)
        >
            <title>{title}</title>
            <rect class="node-box" width=size.width height=size.height rx="10" />
            <g inner_html=header></g>
            {content}
            <text class="tape-badge" x=size.width - 12.0 y=if tensor { 42.0 } else { 63.0 } text-anchor="end">{move || badge(discarded(), lost(), on_tape()).map_or("", |b| b.0)}</text>
        </g>
    }
}

/// A present-or-absent attribute following `on`. (One signal type for every such
/// attribute, so the view code is made once.)
fn flag(on: impl Fn() -> bool + Send + Sync + 'static) -> Signal<Option<&'static str>> {
    Signal::derive(move || on().then_some(""))
}

/// A node's badge and the note its title adds: a lost gradient, a discarded value, or
/// the tape.
fn badge(discarded: bool, lost: Option<Loss>, tape: bool) -> Option<(&'static str, &'static str)> {
    match lost {
        Some(Loss::Underflow) => Some(("0 underflow", "\na gradient underflowed to 0 as stored")),
        Some(Loss::Overflow) => Some(("∞ overflow", "\na gradient overflowed to ∞ as stored")),
        None if discarded => Some(("discarded", "\nvalue discarded (recomputed when needed)")),
        None => tape.then_some(("tape", "")),
    }
}

/// A folded binding: one box with the binding's name, how many nodes it holds, its bound
/// node's value and adjoint (a tensor's shape), marked current while a step inside it is
/// the current one, on the tape while any of its nodes is, NaN/∞ when any of them is.
/// Its button unfolds it. All but the marks and numbers is one piece of markup.
pub fn group_view(
    state: AppState,
    d: &Drawing,
    item: usize,
    group: &Group,
    tick: Trigger,
    marks: StoredValue<Marks>,
) -> impl IntoView + use<> {
    let size = d.sizes[item];
    let centre = d.layout.nodes[item];
    let out = group.output();
    let members = group.nodes.clone();
    let tape_members = group.nodes.clone();
    let contains_output = group.contains(d.graph.output());
    let class = move || {
        tick.track();
        marks.with_value(|m| {
            let any =
                |flag: fn(&Marks, NodeId) -> bool| members.clone().any(|i| flag(m, NodeId(i)));
            let flags = [
                (any(Marks::is_current), "current"),
                (any(Marks::on_tape), "tape"),
                (contains_output, "output"),
                (any(Marks::nonfinite), "nonfinite"),
            ];
            classes(&["node", "op", "group"], &flags)
        })
    };
    let tensor = !d.graph.node(out).shape.is_empty();
    let width = size.width;
    // The bound node's value (a tensor's shape) and adjoint, and the tape mark.
    let numbers = move || {
        tick.track();
        let (value, derivative) = probe(state, out, |st| {
            let value = st.value(out).map(|v| {
                if tensor {
                    picture::shape_badge(v.shape())
                } else {
                    shown(v)
                }
            });
            Some((value, derivative_total(st, out).filter(|_| !tensor)))
        })
        .unwrap_or_default();
        let mut out = String::new();
        if let Some(value) = value {
            draw::text(
                &mut out,
                "node-value",
                12.0,
                44.0,
                None,
                &format!("= {value}"),
            );
        }
        if let Some(line) = derivative {
            draw::text(&mut out, "node-derivative", 12.0, 63.0, None, &line);
        }
        let tape = tape_members.clone();
        if marks.with_value(|m| tape.clone().any(|i| m.on_tape(NodeId(i)))) {
            draw::text(
                &mut out,
                "tape-badge",
                width - 12.0,
                63.0,
                Some("end"),
                "tape",
            );
        }
        out
    };
    let members: Vec<String> = (group.nodes.clone())
        .map(|i| {
            let node = d.graph.node(NodeId(i));
            format!("{} {}", node.name, op_label(node.op))
        })
        .collect();
    let title = format!(
        "{} ({}): {}",
        group.name,
        group_label(group),
        members.join(", ")
    );
    let mut frame = String::new();
    draw::rect(&mut frame, "group-shadow", 5.0, 5.0, width, size.height, "");
    frame.push_str(&format!(
        "<rect class=\"node-box\" width=\"{width:.1}\" height=\"{:.1}\" rx=\"10\"/>",
        size.height
    ));
    frame.push_str(&picture::header_markup(
        &group.name,
        &group_label(group),
        &[],
        width - FOLD_BUTTON,
    ));
    frame.push_str(&fold_button(group, false, width));
    view! {
        <g
            class=class
            data-group=group.name.clone()
            data-size=group.len()
            transform=format!("translate({:.1},{:.1})", centre.x - width / 2.0, centre.y - size.height / 2.0)
        >
            <title>{title}</title>
            <g inner_html=frame></g>
            <g inner_html=numbers></g>
        </g>
    }
}
