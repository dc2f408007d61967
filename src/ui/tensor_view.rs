//! A tensor node's panels in the graph view: the label over the picture that
//! [`crate::render::svg::picture`] draws as SVG markup (cells with numbers for small
//! tensors, a heatmap thumbnail with statistics for large ones), redrawn only when that
//! tensor changes.

use crate::engine::record::Value;
use crate::render::svg::picture::{self, HEADER, LABEL};
use leptos::prelude::*;

/// One panel of a tensor node at `x`: `label` over the picture of `value` (an outline
/// while unknown). `what` names the quantity for hover and screen readers ("W1 value").
pub fn tensor_panel(
    x: f64,
    label: &'static str,
    what: String,
    shape: Vec<usize>,
    value: Memo<Option<Value>>,
) -> impl IntoView + use<> {
    let markup =
        move || value.with(|v| picture::panel_markup(&shape, v.as_ref().map(|t| t.data()), &what));
    view! {
        <g class="tensor-panel" transform=format!("translate({x:.1},{HEADER:.1})")>
            <text class="panel-label" x="0" y="10">{label}</text>
            <g transform=format!("translate(0,{LABEL:.1})") inner_html=markup></g>
        </g>
    }
}
