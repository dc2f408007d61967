//! The training options' view: what the run records of its precision, loss scaling and
//! clipping (the scale, skipped steps, underflowed gradients, the GPU's own precision),
//! the gradient-norm chart and the per-layer sizes chart, drawn as markup by
//! [`crate::playground::options::view`]; and [`publish`], which copies what a run
//! recorded into the signals after each chunk of training.

use super::state::PlaygroundState;
use crate::backend::Backend;
use crate::playground::options::layers::layers;
use crate::playground::options::view::{Status, layer_figure, norm_figure, stats_markup};
use crate::playground::run::Run;
use leptos::prelude::*;

/// Copy what `run` recorded into the view's signals.
pub fn publish<B: Backend>(ps: PlaygroundState, run: &Run<B>) {
    let record = run.record();
    let options = ps.options;
    if record.norms.len() != options.norms.with_value(Vec::len) {
        options.norms.update_value(|norms| {
            if record.norms.len() < norms.len() {
                norms.clear();
            }
            let start = norms.len();
            norms.extend_from_slice(&record.norms[start..]);
        });
        options.norms_changed.update(|n| *n += 1);
    }
    let status = Status {
        numerics: run.numerics(),
        stores: run.stores_as_chosen(),
        scaler: record.scaler_text(),
        scale: record.scale,
        skipped: record.skipped,
        underflows: record.underflows,
        norm: record.norm_text(),
        profiles: record.profiles.clone(),
        names: layers(run.graph()).into_iter().map(|l| l.name).collect(),
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

/// The options' state under the training numbers (nothing with the defaults).
#[component]
pub fn OptionStats() -> impl IntoView {
    let status = PlaygroundState::get().options.status;
    view! { <div class="option-state" inner_html=move || status.with(stats_markup)></div> }
}

/// The norm chart (while clipping) and the per-layer chart (once measured).
#[component]
pub fn OptionCharts() -> impl IntoView {
    let options = PlaygroundState::get().options;
    let markup = move || {
        options.norms_changed.track();
        options.status.with(|s| {
            let norms = options
                .norms
                .with_value(|n| norm_figure(n, s.numerics.clip_norm, s.norm.as_deref()));
            norms + &layer_figure(&s.profiles, &s.names)
        })
    };
    view! { <div class="option-charts" inner_html=markup></div> }
}
