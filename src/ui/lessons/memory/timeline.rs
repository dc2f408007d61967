//! The memory timeline drawn: the stacked areas and outlines of
//! [`crate::lessons::memory::timeline`], the cursor at the app's step; a click (or ←/→ on
//! the focused picture) moves the app there.

use super::Reading;
use crate::lessons::memory::bytes_text;
use crate::lessons::memory::timeline::{self, Timeline as Geometry};
use crate::ui::lessons::state::LessonsState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The picture's size in its own units (it is scaled to the panel's width).
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 190.0;

#[component]
pub fn Timeline() -> impl IntoView {
    let ls = LessonsState::get();
    let reading = expect_context::<Reading>();
    let geometry = Memo::new(move |_| {
        reading
            .report
            .with(|r| r.as_ref().map(|r| Geometry::new(r, WIDTH, HEIGHT)))
    });
    let cursor = move || ls.session.with(|s| s.stepper().map_or(0, |st| st.cursor()));
    let seek_to = move |x: f64| {
        if let Some(step) = geometry.with_untracked(|g| g.as_ref().map(|g| g.cursor_at(x))) {
            ls.seek(step);
        }
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(svg) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let rect = svg.get_bounding_client_rect();
        if rect.width() > 0.0 {
            seek_to((ev.client_x() as f64 - rect.left()) / rect.width() * WIDTH);
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let now = cursor();
        let next = match ev.key().as_str() {
            "ArrowLeft" => now.saturating_sub(1),
            "ArrowRight" => now + 1,
            _ => return,
        };
        ev.prevent_default();
        ev.stop_propagation();
        ls.seek(next);
    };
    move || {
        let g = geometry.get()?;
        let ticks: String = g
            .y_ticks
            .iter()
            .map(|(y, label)| {
                format!(
                    "<line class=\"grid\" x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>\
                     <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text>",
                    timeline::LEFT,
                    WIDTH - timeline::RIGHT,
                    timeline::LEFT - 5.0,
                    y + 4.0
                )
            })
            .collect();
        let still = format!(
            "{ticks}<path class=\"layer inputs\" d=\"{}\"/><path class=\"layer values\" d=\"{}\"/>\
             <path class=\"layer adjoints\" d=\"{}\"/><path class=\"high\" d=\"{}\"/>\
             <path class=\"recompute-ticks\" d=\"{}\"/>\
             <line class=\"peak\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">peak {}</text>{}",
            g.layers[0],
            g.layers[1],
            g.layers[2],
            g.high,
            g.recomputes,
            timeline::LEFT,
            g.peak.0,
            WIDTH - timeline::RIGHT,
            g.peak.0,
            WIDTH - timeline::RIGHT - 4.0,
            (g.peak.0 - 4.0).max(timeline::TOP + 9.0),
            bytes_text(g.peak.1),
            g.forward_end
                .map(|x| format!(
                    "<line class=\"forward-end\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\"/>\
                     <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">forward</text>\
                     <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\">backward</text>",
                    timeline::TOP,
                    g.bottom(),
                    x - 4.0,
                    g.bottom() + 16.0,
                    x + 4.0,
                    g.bottom() + 16.0,
                ))
                .unwrap_or_default(),
        );
        let g2 = g.clone();
        let x = move || format!("{:.1}", g2.x(cursor()));
        let (top, bottom) = (timeline::TOP, g.bottom());
        let label = format!(
            "Memory timeline over {} steps: the forward pass climbs, the backward pass releases; peak {}. Click or use the arrow keys to go to a step.",
            g.steps,
            bytes_text(g.peak.1)
        );
        Some(view! {
            <figure class="chart memory-timeline">
                <svg
                    viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                    role="slider"
                    tabindex="0"
                    aria-label=label
                    aria-valuemin="0"
                    aria-valuemax=g.steps
                    aria-valuenow=cursor
                    data-memory-timeline=""
                    data-cursor=cursor
                    on:click=on_click
                    on:keydown=on_key
                >
                    <g inner_html=still></g>
                    <line class="cursor" data-x=x.clone() x1=x.clone() y1=top x2=x y2=bottom />
                </svg>
                <figcaption class="small">
                    <span class="swatch inputs"></span>"inputs and parameters "
                    <span class="swatch values"></span>"values on the tape "
                    <span class="swatch adjoints"></span>"adjoints "
                    <span class="swatch high"></span>"held during a step "
                    <span class="swatch recompute"></span>"recompute steps"
                </figcaption>
            </figure>
        })
    }
}
