//! The training options' view: what the run records of its precision, loss scaling and
//! clipping (the scale, skipped steps, underflowed gradients, the GPU's own precision),
//! the gradient-norm chart (before and after clipping, the cap dashed) and the per-layer
//! sizes chart; and [`publish`], which copies what a run recorded into the signals after
//! each chunk of training.

use super::state::PlaygroundState;
use crate::backend::Backend;
use crate::number::format_number;
use crate::playground::options::charts::{layer_chart, norm_chart};
use crate::playground::options::layers::{Profile, layers};
use crate::playground::options::numerics::Numerics;
use crate::playground::run::Run;
use crate::precision::Precision;
use crate::render::svg::draw::escape;
use crate::train::GradientNorm;
use leptos::prelude::*;

/// The charts' size in SVG units.
const CHART: (u32, u32) = (340, 190);

/// What the view shows of the options, besides the norms.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    pub numerics: Numerics,
    /// Whether the run stores numbers as chosen (false on the GPU for a precision or a
    /// loss scale).
    pub stores: bool,
    pub scaler: Option<String>,
    pub scale: Option<f64>,
    pub skipped: u64,
    pub underflows: Option<u64>,
    pub norm: Option<String>,
    pub profiles: Vec<Profile>,
    /// The layers' names, input side first.
    pub names: Vec<String>,
}

/// The options' signals.
#[derive(Clone, Copy)]
pub struct OptionsState {
    /// Each clipped step's norms, as the run recorded them.
    pub norms: StoredValue<Vec<(u64, GradientNorm)>>,
    pub norms_changed: RwSignal<u64>,
    pub status: RwSignal<Status>,
}

impl OptionsState {
    pub fn new() -> OptionsState {
        OptionsState {
            norms: StoredValue::new(Vec::new()),
            norms_changed: RwSignal::new(0),
            status: RwSignal::new(Status::default()),
        }
    }
}

impl Default for OptionsState {
    fn default() -> OptionsState {
        OptionsState::new()
    }
}

/// Copy what `run` recorded into the view's signals.
pub fn publish<B: Backend>(ps: PlaygroundState, run: &Run<B>) {
    let record = run.record();
    let options = ps.options;
    let shown = options.norms.with_value(Vec::len);
    if record.norms.len() != shown {
        options.norms.update_value(|norms| {
            if record.norms.len() < norms.len() {
                norms.clear();
            }
            let start = norms.len();
            norms.extend_from_slice(&record.norms[start..]);
        });
        options.norms_changed.update(|n| *n += 1);
    }
    let names = layers(run.graph()).into_iter().map(|l| l.name).collect();
    let status = Status {
        numerics: run.numerics(),
        stores: run.stores_as_chosen(),
        scaler: record.scaler_text(),
        scale: record.scale,
        skipped: record.skipped,
        underflows: record.underflows,
        norm: record.norm_text(),
        profiles: record.profiles.clone(),
        names,
    };
    options.status.maybe_update(|s| {
        let changed = *s != status;
        if changed {
            *s = status;
        }
        changed
    });
}

/// Forget what was shown (a new program).
pub fn clear(ps: PlaygroundState) {
    ps.options.norms.set_value(Vec::new());
    ps.options.norms_changed.update(|n| *n += 1);
    ps.options.status.set(Status::default());
}

/// The options' lines under the numbers, as markup.
fn status_markup(s: &Status) -> String {
    let mut items: Vec<(&str, String)> = Vec::new();
    let n = &s.numerics;
    if !s.stores {
        items.push((
            "Precision",
            format!(
                "the GPU trains in f32: {} and loss scaling apply on the CPU backend",
                n.precision
            ),
        ));
    } else if n.precision != Precision::F64 {
        items.push((
            "Precision",
            format!("{} (values and adjoints)", n.precision),
        ));
    }
    if let Some(scaler) = &s.scaler {
        items.push(("Loss scale", scaler.clone()));
    }
    if let Some(lost) = s
        .underflows
        .filter(|_| s.stores && n.precision != Precision::F64)
    {
        let text = match lost {
            0 => "no gradient underflowed to 0 in the last step".to_string(),
            1 => "1 gradient number underflowed to 0 in the last step".to_string(),
            k => format!("{k} gradient numbers underflowed to 0 in the last step"),
        };
        items.push(("Underflow", text));
    }
    if let Some(norm) = &s.norm {
        items.push(("Clipping", norm.clone()));
    }
    items
        .iter()
        .map(|(term, value)| format!("<div><dt>{term}</dt><dd>{}</dd></div>", escape(value)))
        .collect()
}

/// The options' state under the training numbers (nothing with the defaults).
#[component]
pub fn OptionStats() -> impl IntoView {
    let ps = PlaygroundState::get();
    let status = ps.options.status;
    let number = move |f: fn(&Status) -> Option<f64>| move || status.with(f).map(|x| x.to_string());
    view! {
        <dl
            class="option-stats"
            hidden=move || status.with(|s| status_markup(s).is_empty())
            data-underflows=number(|s| s.underflows.map(|u| u as f64))
            data-scale=number(|s| s.scale)
            data-skipped=move || status.with(|s| s.skipped)
            data-stores=move || status.with(|s| s.stores.to_string())
            inner_html=move || status.with(status_markup)
        ></dl>
    }
}

/// The norm chart (while clipping) and the per-layer chart (once measured).
#[component]
pub fn OptionCharts() -> impl IntoView {
    let ps = PlaygroundState::get();
    let status = ps.options.status;
    let cap = Memo::new(move |_| status.with(|s| s.numerics.clip_norm));
    let norms = move || {
        ps.options.norms_changed.track();
        ps.options
            .norms
            .with_value(|n| norm_chart(n, cap.get(), CHART.0, CHART.1))
    };
    let max_after = move || {
        ps.options.norms_changed.track();
        ps.options.norms.with_value(|n| {
            n.iter()
                .map(|(_, g)| g.after)
                .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
                .map(|m| m.to_string())
        })
    };
    let norm_label = move || match status.with(|s| s.norm.clone()) {
        Some(text) => format!("Global gradient norm per step, before and after clipping: {text}"),
        None => "Global gradient norm per step".into(),
    };
    let layers = move || status.with(|s| layer_chart(&s.profiles, &s.names, CHART.0, CHART.1));
    let sizes = move || {
        status.with(|s| {
            s.profiles.last().map(|p| {
                p.layers
                    .iter()
                    .map(|l| format!("{:e}/{:e}", l.activation, l.gradient))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        })
    };
    let layer_label = move || {
        status.with(|s| match s.profiles.last() {
            Some(p) => {
                let parts: Vec<String> = s
                    .names
                    .iter()
                    .zip(&p.layers)
                    .map(|(name, l)| {
                        format!(
                            "{name}: activations {}, gradient {}",
                            format_number(l.activation),
                            format_number(l.gradient)
                        )
                    })
                    .collect();
                format!("Layer sizes (RMS) at step {}: {}", p.step, parts.join("; "))
            }
            None => "Layer sizes appear after the first step".into(),
        })
    };
    view! {
        <div class="option-charts">
            <figure class="chart" hidden=move || cap.get().is_none()>
                <svg class="norm-chart" viewBox=format!("0 0 {} {}", CHART.0, CHART.1) role="img" aria-label=norm_label data-cap=move || cap.get().map(|c| c.to_string()) data-max-after=max_after inner_html=norms></svg>
                <figcaption>"Gradient norm ‖g‖ before and after clipping"</figcaption>
            </figure>
            <figure class="chart" hidden=move || status.with(|s| s.profiles.is_empty())>
                <svg class="layer-chart" viewBox=format!("0 0 {} {}", CHART.0, CHART.1) role="img" aria-label=layer_label data-sizes=sizes inner_html=layers></svg>
                <figcaption>"Per layer: RMS of the activations and of ∂L/∂W (faint: the first step measured)"</figcaption>
            </figure>
        </div>
    }
}
