//! The playground's view: the section with the controls, the numbers, the form, the live
//! loss curve and the data scatter over the model's decision regions. Shown while the
//! program has parameters to train.

use super::state::{PlaygroundState, Stats};
use super::{options, panel};
use crate::number::format_number;
use crate::playground::boundary::{self, PICTURE};
use crate::playground::chart::{Scale, auto_log, loss_chart};
use crate::playground::source::Source;
use crate::render::svg::draw::escape;
use leptos::prelude::*;

/// The loss chart's size in SVG units.
const CHART: (u32, u32) = (340, 200);

#[component]
pub fn Playground() -> impl IntoView {
    let ps = PlaygroundState::get();
    let shown = Memo::new(move |_| ps.host.source.with(Source::trainable));
    let has_data = Memo::new(move |_| ps.host.source.with(Source::has_data));
    move || {
        shown.get().then(|| {
            view! {
                <section class="playground" aria-label="Training playground">
                    // Open at once for programs that learn from data; a click away otherwise.
                    <details class="playground-details" prop:open=move || has_data.get()>
                        <summary class="panel-title">"Training playground"</summary>
                        <div class="playground-inner">
                            <panel::TrainControls />
                            <TrainStats />
                            <options::OptionStats />
                            <div class="playground-body">
                                <div class="playground-forms">
                                    <panel::ModelForm />
                                    <super::own_data::OwnData />
                                </div>
                                <LossChart />
                                <BoundaryPicture />
                            </div>
                            <options::OptionCharts />
                            <div class="data-report" hidden=move || ps.report.with(Option::is_none) inner_html=move || ps.report.get().unwrap_or_default()></div>
                        </div>
                    </details>
                </section>
            }
        })
    }
}

fn percent(x: Option<f64>) -> String {
    x.map(|a| format!("{:.1} %", a * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// The numbers under the charts as markup, and as data attributes for tests.
fn stats_markup(s: &Stats) -> String {
    let dash = || "—".to_string();
    let items = [
        ("Step", s.steps.to_string()),
        ("Loss", s.loss.map(format_number).unwrap_or_else(dash)),
        ("Accuracy", percent(s.accuracy)),
        ("Test accuracy", percent(s.test_accuracy)),
        (
            "Steps/s",
            s.steps_per_second
                .map(|r| format!("{r:.0}"))
                .unwrap_or_else(dash),
        ),
        (
            "Frame",
            s.frame_ms
                .map(|(mean, max)| format!("{mean:.1} ms (max {max:.0})"))
                .unwrap_or_else(dash),
        ),
    ];
    items
        .iter()
        .map(|(term, value)| format!("<div><dt>{term}</dt><dd>{}</dd></div>", escape(value)))
        .collect()
}

#[component]
fn TrainStats() -> impl IntoView {
    let ps = PlaygroundState::get();
    let stats = ps.stats;
    let attr = move |f: fn(&Stats) -> Option<f64>| move || stats.with(f).map(|x| x.to_string());
    view! {
        <dl
            class="train-stats"
            data-steps=move || stats.with(|s| s.steps)
            data-loss=attr(|s| s.loss)
            data-accuracy=attr(|s| s.accuracy)
            data-test-accuracy=attr(|s| s.test_accuracy)
            data-steps-per-second=attr(|s| s.steps_per_second)
            data-frame-ms=attr(|s| s.frame_ms.map(|f| f.0))
            data-frame-max-ms=attr(|s| s.frame_ms.map(|f| f.1))
            inner_html=move || stats.with(stats_markup)
        ></dl>
        <p class="train-message" role="status">{move || ps.message.get()}</p>
    }
}

#[component]
fn LossChart() -> impl IntoView {
    let ps = PlaygroundState::get();
    let points = Memo::new(move |_| {
        ps.losses_changed.track();
        ps.losses.with_value(|losses| {
            losses
                .iter()
                .map(|&(step, loss)| (step as f64, loss))
                .collect::<Vec<(f64, f64)>>()
        })
    });
    // What the automatic scale would choose, and what is drawn.
    let auto = Memo::new(move |_| points.with(|points| auto_log(points)));
    let log = Memo::new(move |_| match ps.scale.get() {
        Scale::Auto => auto.get(),
        Scale::Linear => false,
        Scale::Log => true,
    });
    let markup = move || points.with(|points| loss_chart(points, CHART.0, CHART.1, log.get()));
    let label = move || {
        ps.losses_changed.track();
        ps.losses.with_value(|l| match l.last() {
            Some(&(step, loss)) => format!(
                "Loss curve: {step} steps, latest loss {}",
                format_number(loss)
            ),
            None => "Loss curve: no steps yet".into(),
        })
    };
    let scale_name = move || if log.get() { "log" } else { "linear" };
    view! {
        <figure class="chart">
            <svg class="loss-chart" viewBox=format!("0 0 {} {}", CHART.0, CHART.1) role="img" aria-label=label data-scale=scale_name inner_html=markup></svg>
            <figcaption class="loss-caption">
                <span>{move || if log.get() { "Loss per step (log scale)" } else { "Loss per step" }}</span>
                <panel::ScaleSwitch auto_log=auto />
            </figcaption>
        </figure>
    }
}

#[component]
fn BoundaryPicture() -> impl IntoView {
    let ps = PlaygroundState::get();
    // The points stay while the regions under them are redrawn.
    let points = move || {
        ps.scatter
            .with(|s| s.as_ref().map(|s| s.markup.clone()))
            .unwrap_or_default()
    };
    let label = move || {
        ps.scatter.with(|s| match s {
            Some(s) => boundary::describe(s.points, s.classes, ps.stats.with(|st| st.accuracy)),
            None => "The data and the decision regions appear once training starts".into(),
        })
    };
    view! {
        <figure class="chart" hidden=move || ps.scatter.with(Option::is_none)>
            <svg class="boundary" viewBox=format!("0 0 {PICTURE} {PICTURE}") role="img" aria-label=label
                on:pointerdown=move |ev| super::own_data::pointer_down(ps, ev)
                on:pointerup=move |ev| super::own_data::pointer_up(ps, ev)>
                <rect class="plot-bg" width=PICTURE height=PICTURE></rect>
                {move || ps.boundary.get().map(|url| view! {
                    <image href=url width=PICTURE height=PICTURE preserveAspectRatio="none"></image>
                })}
                <g inner_html=points></g>
            </svg>
            <figcaption>"Data and decision regions"</figcaption>
        </figure>
    }
}
