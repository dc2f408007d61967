//! The "Chain rule" view: for a program of one scalar input, each computed node's value
//! plotted against its operand with the current point and the tangent whose slope is the
//! local derivative, the running product of local derivatives beside the gradient, and
//! the output plotted against the input. The slider and a drag on the last plot move the
//! input: the view redraws from its own value at once and sends each value to the app.

use super::state::LessonsState;
use crate::lessons::chain_rule::{
    Chain, chain, local_curve, output_curve, shown, single_input, slider_range, window,
};
use crate::lessons::plot::{Frame, Scale, document, finite_bounds};
use leptos::prelude::*;

/// The most node plots drawn (the running product lists every link).
const MAX_PLOTS: usize = 8;
const PLOT_W: f64 = 260.0;
const PLOT_H: f64 = 170.0;
const OUT_W: f64 = 520.0;
const OUT_H: f64 = 200.0;
const SAMPLES: usize = 121;

#[component]
pub fn ChainRule() -> impl IntoView {
    let ls = LessonsState::get();
    // The value shown while the app has not sent the dragged value back: (program, x).
    let dragged: RwSignal<Option<(String, f64)>> = RwSignal::new(None);
    let dragging = StoredValue::new(false);
    // Rebuilt with the program or its inputs, not at every step.
    let revision = Memo::new(move |_| ls.session.with(|s| s.revision()));
    // The app's own value: an input moved elsewhere ends a finished drag's value.
    Effect::new(move |_| {
        revision.with(|_| ());
        if !dragging.get_value() {
            dragged.set(None);
        }
    });
    let input = Memo::new(move |_| {
        revision.with(|_| ());
        ls.session.with_untracked(|s| {
            let graph = s
                .graph()
                .ok_or_else(|| "Write a program to see its chain rule.".to_string())?;
            let (_, name) = single_input(graph).map_err(|e| e.to_string())?;
            let x = s
                .inputs()
                .into_iter()
                .find(|(_, n, _)| *n == name)
                .map_or(0.0, |(_, _, v)| v);
            Ok::<_, String>((s.source().to_string(), name, x))
        })
    });
    let x_now = move || {
        let (source, _, x) = input.get().ok()?;
        Some(match dragged.get() {
            Some((s, v)) if s == source => v,
            _ => x,
        })
    };
    let result = Memo::new(move |_| {
        let x = x_now()?;
        revision.with(|_| ());
        Some(ls.session.with_untracked(|s| {
            let graph = s.graph().ok_or_else(|| "no program".to_string())?;
            chain(graph, x).map_err(|e| e.to_string())
        }))
    });
    let range = Memo::new(move |_| input.get().map_or((-3.0, 3.0), |(_, _, x)| slider_range(x)));
    let out_frame = Memo::new(move |_| {
        let r = range.get();
        revision.with(|_| ());
        let points = ls.session.with_untracked(|s| {
            s.graph()
                .map(|g| output_curve(g, r, SAMPLES))
                .unwrap_or_default()
        });
        let y = finite_bounds(points.iter().map(|p| p.1));
        (
            Frame::new(r, y, (Scale::Linear, Scale::Linear), OUT_W, OUT_H),
            points,
        )
    });
    let move_to = move |x: f64| {
        let Ok((source, name, _)) = input.get_untracked() else {
            return;
        };
        let x = (x * 100.0).round() / 100.0;
        dragging.set_value(true);
        dragged.set(Some((source, x)));
        ls.set_input(&name, x);
    };
    let release = move || dragging.set_value(false);

    let out_ref = NodeRef::<leptos::html::Div>::new();
    let drag_on_plot = move |ev: &web_sys::PointerEvent| {
        let Some(div) = out_ref.get_untracked() else {
            return;
        };
        let rect = div.get_bounding_client_rect();
        let px = (f64::from(ev.client_x()) - rect.left()) / rect.width().max(1.0) * OUT_W;
        let x = out_frame.with_untracked(|(frame, _)| frame.x_at(px));
        move_to(x);
    };

    let out_plot = move || {
        let Some(Ok(c)) = result.get() else {
            return String::new();
        };
        out_frame.with(|(frame, points)| {
            let mut body = frame.axes(&c.input_name, "output");
            body.push_str(&frame.curve(points, "lp-curve"));
            body.push_str(&frame.tangent_line(c.x, c.output, c.product, "lp-tangent"));
            body.push_str(&frame.dot(c.x, c.output, "lp-point"));
            document(
                OUT_W,
                OUT_H,
                "lesson-plot chain-output",
                "The output against the input; the tangent's slope is the running product",
                &body,
            )
        })
    };
    let caption = move || {
        let Some(Ok(c)) = result.get() else {
            return String::new();
        };
        format!(
            "The output against {0}: its tangent's slope is the running product, {1}. Drag on the plot to move {0}.",
            c.input_name,
            shown(c.product)
        )
    };
    let body = move || match result.get() {
        None => {
            let message = input.get().err().unwrap_or_default();
            view! { <p class="lesson-note" role="status">{message}</p> }.into_any()
        }
        Some(Err(message)) => {
            view! { <p class="lesson-note" role="status">{message}</p> }.into_any()
        }
        Some(Ok(c)) => {
            let plots = plots(&ls, &c);
            view! {
                <Product chain=c />
                {plots}
            }
            .into_any()
        }
    };
    let whole = view! {
        <figure class="chain-figure chain-whole" hidden=move || !matches!(result.get(), Some(Ok(_)))>
            <div
                class="chain-drag"
                node_ref=out_ref
                on:pointerdown=move |ev: web_sys::PointerEvent| {
                    if let Some(div) = out_ref.get_untracked() {
                        let _ = div.set_pointer_capture(ev.pointer_id());
                    }
                    drag_on_plot(&ev);
                }
                on:pointermove=move |ev: web_sys::PointerEvent| {
                    if ev.buttons() & 1 == 1 {
                        drag_on_plot(&ev);
                    }
                }
                on:pointerup=move |_| release()
                on:pointercancel=move |_| release()
                inner_html=out_plot
            ></div>
            <figcaption>{caption}</figcaption>
        </figure>
    };
    let slider = move || {
        let (_, name, _) = input.get().ok()?;
        let (min, max) = range.get();
        let value = x_now().unwrap_or(0.0);
        let label = name.clone();
        Some(view! {
            <div class="chain-slider">
                <label for="chain-x">{name.clone()} " = " <output data-chain-x>{shown(value)}</output></label>
                <input
                    id="chain-x"
                    type="range"
                    min=min
                    max=max
                    step="0.01"
                    aria-label=format!("{label}, the input")
                    prop:value=value.to_string()
                    on:input=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            move_to(v);
                        }
                    }
                    on:change=move |_| release()
                />
            </div>
        })
    };
    view! {
        <h2 class="panel-title">"Chain rule"</h2>
        <p class="lesson-lead">
            "Each node's value against its operand: the tangent's slope is the node's local "
            "derivative. Multiplied from the input up, they give the gradient."
        </p>
        {slider}
        {whole}
        {body}
    }
}

/// The running product written out: each link's local derivative, the products so far and
/// the gradient from reverse mode beside the last one.
#[component]
fn Product(chain: Chain) -> impl IntoView {
    let rows = chain
        .links
        .iter()
        .map(|link| {
            let locals = link
                .locals
                .iter()
                .map(|l| {
                    format!(
                        "∂{}/∂{} = {} = {}",
                        link.name,
                        l.name,
                        l.formula,
                        shown(l.derivative)
                    )
                })
                .collect::<Vec<_>>()
                .join(";  ");
            view! {
                <tr>
                    <th scope="row">{format!("{} = {}", link.name, link.rule)}</th>
                    <td>{locals}</td>
                    <td class="num">{shown(link.running)}</td>
                </tr>
            }
        })
        .collect_view();
    let factors = if chain.is_chain {
        chain
            .links
            .iter()
            .map(|l| shown(l.locals[0].derivative))
            .collect::<Vec<_>>()
            .join(" × ")
    } else {
        "the products along each path, added where they meet".to_string()
    };
    let agree = shown(chain.product) == shown(chain.gradient);
    view! {
        <table class="chain-table">
            <thead>
                <tr>
                    <th scope="col">"node"</th>
                    <th scope="col">"local derivative"</th>
                    <th scope="col">{format!("d·/d{} so far", chain.input_name)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <p class="chain-result">
            "Product: " {factors} " = "
            <strong data-chain-product>{shown(chain.product)}</strong>
            "; gradient by reverse mode: "
            <strong data-chain-gradient>{shown(chain.gradient)}</strong>
            {if agree { " (equal)" } else { " (they differ)" }}
        </p>
    }
}

/// One plot per link's operand (at most [`MAX_PLOTS`]).
fn plots(ls: &LessonsState, c: &Chain) -> impl IntoView + use<> {
    let items: Vec<String> = ls.session.with_untracked(|s| {
        let Some(graph) = s.graph() else {
            return Vec::new();
        };
        c.links
            .iter()
            .flat_map(|link| link.locals.iter().map(move |local| (link, local)))
            .take(MAX_PLOTS)
            .map(|(link, local)| {
                let points = local_curve(graph, c, link, local, window(local.at), SAMPLES);
                let y = finite_bounds(
                    points
                        .iter()
                        .map(|p| p.1)
                        .chain(std::iter::once(link.value)),
                );
                let frame = Frame::new(
                    window(local.at),
                    y,
                    (Scale::Linear, Scale::Linear),
                    PLOT_W,
                    PLOT_H,
                );
                let mut body = frame.axes(&local.name, &link.name);
                body.push_str(&frame.curve(&points, "lp-curve"));
                body.push_str(&frame.tangent_line(local.at, link.value, local.derivative, "lp-tangent"));
                body.push_str(&frame.dot(local.at, link.value, "lp-point"));
                let label = format!(
                    "{} = {} against {}; slope {}",
                    link.name,
                    link.rule,
                    local.name,
                    shown(local.derivative)
                );
                format!(
                    "<figure class=\"chain-figure\">{}<figcaption>{} = {}<br/>slope ∂{}/∂{} = {}</figcaption></figure>",
                    document(PLOT_W, PLOT_H, "lesson-plot", &label, &body),
                    crate::render::svg::draw::escape(&link.name),
                    crate::render::svg::draw::escape(&link.rule),
                    crate::render::svg::draw::escape(&link.name),
                    crate::render::svg::draw::escape(&local.name),
                    shown(local.derivative)
                )
            })
            .collect()
    });
    let more = c.links.iter().map(|l| l.locals.len()).sum::<usize>() > MAX_PLOTS;
    view! {
        <div class="chain-grid" inner_html=items.concat()></div>
        {more.then(|| view! { <p class="muted small">{format!("The first {MAX_PLOTS} plots; the table lists every node.")}</p> })}
    }
}
