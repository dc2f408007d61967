//! The training playground: the form, Train / Pause / one step / restart, "step into" a
//! training step, the backend badge and switch, the live loss curve, the data scatter
//! over the model's decision regions, and the step, loss, accuracy, speed and frame time.
//! Shown for programs with parameters; other programs get a button that opens it.

mod panel;
pub mod state;

use crate::number::format_number;
use crate::playground::boundary::{self, PICTURE};
use crate::playground::chart::{Axes, Series, line_chart};
use crate::playground::form::{Form, write_program};
use crate::playground::svg::escape;
use crate::ui::hooks;
use crate::ui::state::AppState;
use leptos::prelude::*;
use state::PlaygroundState;

/// The loss chart's size in SVG units.
const CHART: (f64, f64) = (340.0, 200.0);

/// Whether the program has parameters to train.
fn trainable(app: AppState) -> bool {
    app.session
        .with(|s| s.graph().is_some_and(|g| g.params().next().is_some()))
}

/// Provide the playground's state and start its drivers (training frames, WebGPU probe).
pub fn provide(app: AppState) -> PlaygroundState {
    let ps = PlaygroundState::new(app);
    provide_context(ps);
    Effect::new(move |_| app.session.with(|s| ps.follow(s)));
    // The boundary's colours follow the theme.
    Effect::new(move |previous: Option<bool>| {
        let dark = app.dark.get();
        if previous.is_some_and(|p| p != dark) && ps.boundary.get_untracked().is_some() {
            leptos::task::spawn_local(async move { ps.evaluate().await });
        }
        dark
    });
    hooks::drive_training(ps);
    hooks::probe_webgpu(ps.probe);
    ps
}

/// The card that opens the playground from any program.
#[component]
pub fn OpenPlayground() -> impl IntoView {
    let app = AppState::get();
    view! {
        <section class="open-playground" hidden=move || trainable(app)>
            <h2 class="panel-title">"Training playground"</h2>
            <p class="muted small">"Train a small network on a 2-D dataset, watch the loss fall and the decision regions form, then step into any training step."</p>
            <button on:click=move |_| app.replace_program(&write_program(&Form::default()))>
                "Open the training playground"
            </button>
        </section>
    }
}

/// Which training step the stepper walks, while it does.
#[component]
pub fn SteppingBanner() -> impl IntoView {
    let ps = PlaygroundState::get();
    let text = move || {
        let revision = ps.app.session.with(|s| s.revision());
        ps.stepped_into
            .get()
            .filter(|(r, _)| *r == revision)
            .map(|(_, text)| text)
    };
    view! {
        {move || text().map(|t| view! {
            <p class="stepping-banner" role="status" data-stepping-into="">
                "Stepping through " {t} "."
            </p>
        })}
    }
}

#[component]
pub fn Playground() -> impl IntoView {
    let ps = PlaygroundState::get();
    let app = ps.app;
    // Memos, so stepping (which changes the session) does not rebuild the section.
    let shown = Memo::new(move |_| trainable(app));
    let has_data = Memo::new(move |_| {
        app.session.with(|s| {
            s.graph()
                .is_some_and(|g| g.inputs().any(|id| g.node(id).role.data().is_some()))
        })
    });
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
                            <div class="playground-body">
                                <panel::ModelForm />
                                <LossChart />
                                <BoundaryPicture />
                            </div>
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
fn stats_markup(s: &state::Stats) -> String {
    let dash = || "—".to_string();
    let items = [
        ("Step", s.steps.to_string()),
        ("Loss", s.loss.map(format_number).unwrap_or_else(dash)),
        ("Accuracy", percent(s.accuracy)),
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
    let attr =
        move |f: fn(&state::Stats) -> Option<f64>| move || stats.with(f).map(|x| x.to_string());
    view! {
        <dl
            class="train-stats"
            data-steps=move || stats.with(|s| s.steps)
            data-loss=attr(|s| s.loss)
            data-accuracy=attr(|s| s.accuracy)
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
    let markup = move || {
        ps.losses_changed.track();
        ps.losses.with_value(|losses| {
            let points: Vec<(f64, f64)> = losses
                .iter()
                .enumerate()
                .map(|(i, &l)| ((i + 1) as f64, l))
                .collect();
            let axes = Axes {
                x_label: "step",
                y_label: "loss",
                log_y: false,
                y_from_zero: true,
            };
            line_chart(
                &Series {
                    points: &points,
                    class: "loss",
                    dots: false,
                },
                &axes,
                CHART.0,
                CHART.1,
            )
        })
    };
    let label = move || {
        ps.losses_changed.track();
        ps.losses.with_value(|l| match l.last() {
            Some(last) => format!(
                "Loss curve: {} steps, latest loss {}",
                l.len(),
                format_number(*last)
            ),
            None => "Loss curve: no steps yet".into(),
        })
    };
    view! {
        <figure class="chart">
            <svg class="loss-chart" viewBox=format!("0 0 {} {}", CHART.0, CHART.1) role="img" aria-label=label inner_html=markup></svg>
            <figcaption>"Loss per step"</figcaption>
        </figure>
    }
}

#[component]
fn BoundaryPicture() -> impl IntoView {
    let ps = PlaygroundState::get();
    let markup = move || {
        let image = ps
            .boundary
            .get()
            .map(|url| format!("<image href=\"{url}\" width=\"{PICTURE}\" height=\"{PICTURE}\" preserveAspectRatio=\"none\"/>"))
            .unwrap_or_default();
        let points = ps
            .scatter
            .with(|s| s.as_ref().map(|s| s.markup.clone()))
            .unwrap_or_default();
        format!("<rect class=\"plot-bg\" width=\"{PICTURE}\" height=\"{PICTURE}\"/>{image}{points}")
    };
    let label = move || {
        ps.scatter.with(|s| match s {
            Some(s) => boundary::describe(s.points, s.classes, ps.stats.with(|st| st.accuracy)),
            None => "The data and the decision regions appear once training starts".into(),
        })
    };
    view! {
        <figure class="chart" hidden=move || ps.scatter.with(Option::is_none)>
            <svg class="boundary" viewBox=format!("0 0 {PICTURE} {PICTURE}") role="img" aria-label=label inner_html=markup></svg>
            <figcaption>"Data and decision regions"</figcaption>
        </figure>
    }
}
