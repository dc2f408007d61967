//! The minimap: while part of the graph is out of view, the whole drawing small in a
//! corner (every box in one path), the current step's box and the visible region;
//! pressing or dragging on it moves the view there.

use super::drawing::Drawing;
use crate::render::svg::draw::{self, boxes_path};
use crate::viewport::{Viewport, fitted_size};
use leptos::prelude::*;

/// The minimap's largest extent, in CSS pixels.
const WIDTH: f64 = 180.0;
const HEIGHT: f64 = 110.0;

pub fn minimap(
    drawing: Memo<Option<Drawing>>,
    viewport: RwSignal<Viewport>,
    current: Memo<Option<usize>>,
) -> impl IntoView {
    let boxes = Memo::new(move |_| {
        drawing.with(|d| {
            d.as_ref()
                .map(|d| boxes_path(&d.layout.nodes, &d.sizes))
                .unwrap_or_default()
        })
    });
    let extent = move || {
        drawing.with(|d| {
            d.as_ref()
                .map_or((1.0, 1.0), |d| (d.layout.width, d.layout.height))
        })
    };
    let hidden = move || {
        let (w, h) = extent();
        viewport.with(|v| v.shows_all(w, h))
    };
    let map_ref = NodeRef::<leptos::svg::Svg>::new();
    let dragging = StoredValue::new(false);
    let go = move |ev: &web_sys::PointerEvent| {
        let Some(svg) = map_ref.get_untracked() else {
            return;
        };
        let rect = svg.get_bounding_client_rect();
        let (w, h) = extent();
        let x = (f64::from(ev.client_x()) - rect.left()) / rect.width().max(1.0) * w;
        let y = (f64::from(ev.client_y()) - rect.top()) / rect.height().max(1.0) * h;
        viewport.update(|v| *v = v.centred_at(x, y));
    };
    // The current step's box and the visible region, as one piece of markup.
    let marks = move || {
        let mut out = String::new();
        let at = current.get();
        drawing.with(|d| {
            let Some(d) = d.as_ref() else { return };
            if let Some((c, s)) = at.and_then(|i| Some((d.layout.nodes.get(i)?, d.sizes.get(i)?))) {
                let (x, y) = (c.x - s.width / 2.0, c.y - s.height / 2.0);
                draw::rect(&mut out, "minimap-current", x, y, s.width, s.height, "");
            }
        });
        let v = viewport.get();
        draw::rect(&mut out, "minimap-view", v.x, v.y, v.width, v.height, "");
        out
    };
    view! {
        <svg
            node_ref=map_ref
            class="minimap"
            aria-hidden="true"
            hidden=hidden
            viewBox=move || {
                let (w, h) = extent();
                format!("0 0 {w:.0} {h:.0}")
            }
            style=move || {
                let (w, h) = extent();
                let (mw, mh) = fitted_size(w, h, WIDTH, HEIGHT);
                format!("width: {mw:.0}px; height: {mh:.0}px")
            }
            preserveAspectRatio="none"
            on:pointerdown=move |ev: web_sys::PointerEvent| {
                dragging.set_value(true);
                go(&ev);
            }
            on:pointermove=move |ev: web_sys::PointerEvent| {
                if dragging.get_value() {
                    go(&ev);
                }
            }
            on:pointerup=move |_| dragging.set_value(false)
            on:pointerleave=move |_| dragging.set_value(false)
        >
            <path class="minimap-boxes" d=boxes />
            <g inner_html=marks></g>
        </svg>
    }
}
