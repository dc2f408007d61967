//! The gradients table: each input's gradient beside its finite-difference estimate; and,
//! for deep chains, the size of the adjoints by depth (vanishing or exploding gradients).

use super::hooks::check_worker::{self, CheckJob, CheckNews};
use super::state::AppState;
use crate::engine::depth::{self, DepthPoint};
use crate::number::format_number;
use crate::render::svg::line_chart::{Axes, Series, line_chart};
use crate::session::checking::CheckResult;
use leptos::prelude::*;

/// The depth plot's size in SVG units.
const PLOT: (f64, f64) = (320.0, 170.0);

/// The largest adjoint at each depth, as chart points.
fn per_depth(points: &[DepthPoint]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for p in points {
        match out.last_mut() {
            Some(last) if last.0 == p.depth as f64 => last.1 = last.1.max(p.magnitude),
            _ => out.push((p.depth as f64, p.magnitude)),
        }
    }
    out
}

/// |adjoint| by depth from the output, once the backward pass has reached a few depths.
#[component]
fn AdjointsByDepth() -> impl IntoView {
    let state = AppState::get();
    let points = Memo::new(move |_| {
        state.session.with(|s| {
            s.stepper()
                .map(|st| depth::profile(st.graph(), |id| st.adjoint(id)))
                .filter(|p| depth::worth_plotting(p))
        })
    });
    move || {
        points.get().map(|points| {
            let series = per_depth(&points);
            let axes = Axes {
                x_label: "depth from the output",
                y_label: "|adjoint|",
                log_y: true,
                y_from_zero: false,
            };
            let markup = line_chart(&Series { points: &series, class: "depth", dots: true }, &axes, PLOT.0, PLOT.1);
            let summary = match depth::factor_per_depth(&points) {
                Some(f) => format!("The adjoint's size changes by a factor of about {} per step of depth.", format_number((f * 100.0).round() / 100.0)),
                None => String::new(),
            };
            view! {
                <figure class="chart depth-plot">
                    <svg viewBox=format!("0 0 {} {}", PLOT.0, PLOT.1) role="img" aria-label=format!("Adjoint size by depth, log scale. {summary}") inner_html=markup></svg>
                    <figcaption>"|adjoint| by depth (log scale). " {summary}</figcaption>
                </figure>
            }
        })
    }
}

/// Where a check running in a worker is.
#[derive(Clone, Debug, PartialEq)]
enum CheckStatus {
    Idle,
    /// Differences done of all.
    Running(usize, usize),
    Cancelled,
    Failed(String),
}

impl CheckStatus {
    /// Its `data-check-status`.
    fn name(&self) -> &'static str {
        match self {
            CheckStatus::Idle => "idle",
            CheckStatus::Running(..) => "running",
            CheckStatus::Cancelled => "cancelled",
            CheckStatus::Failed(_) => "failed",
        }
    }

    fn text(&self) -> String {
        match self {
            CheckStatus::Idle => String::new(),
            CheckStatus::Running(done, total) => {
                format!("Checking in the background: {done} of {total} differences. ")
            }
            CheckStatus::Cancelled => "Check cancelled. ".into(),
            CheckStatus::Failed(why) => format!("The check could not run: {why}"),
        }
    }
}

#[component]
pub fn Gradients() -> impl IntoView {
    let state = AppState::get();
    let output = move || {
        state.session.with(|s| {
            s.graph()
                .map(|g| g.node(g.output()).name.clone())
                .unwrap_or_default()
        })
    };
    // Only the steps that complete a gradient compute the rows (and their finite
    // differences) again.
    let key = Memo::new(move |_| state.session.with(|s| s.gradients_key()));
    // A large program's check runs in a worker: the page keeps answering, the table says
    // how far it is, and it can be cancelled (and asked for again).
    let result = RwSignal::new(None::<CheckResult>);
    let status = RwSignal::new(CheckStatus::Idle);
    let again = RwSignal::new(0u32);
    let job = StoredValue::new_local(None::<CheckJob>);
    let request = Memo::new(move |_| {
        key.with(|_| ());
        state.session.with_untracked(|s| s.check_request())
    });
    Effect::new(move |_| {
        again.track();
        job.set_value(None);
        let Some(request) = request.get() else {
            status.set(CheckStatus::Idle);
            return;
        };
        let total = request.jobs.len();
        status.set(CheckStatus::Running(0, total));
        let answered = request.clone();
        let started = check_worker::start(&request, move |news| match news {
            CheckNews::Progress(done) => status.set(CheckStatus::Running(done, total)),
            CheckNews::Done(numeric) => {
                status.set(CheckStatus::Idle);
                result.set(Some(CheckResult {
                    revision: answered.revision,
                    jobs: answered.jobs.clone(),
                    numeric,
                }));
            }
            CheckNews::Failed(why) => status.set(CheckStatus::Failed(why)),
        });
        match started {
            Ok(started) => job.set_value(Some(started)),
            Err(why) => status.set(CheckStatus::Failed(why)),
        }
    });
    let gradients = Memo::new(move |_| {
        key.with(|_| ());
        result.with(|r| {
            state
                .session
                .with_untracked(|s| s.gradients_checked(r.as_ref()))
        })
    });
    // Why a check disagrees, when it is a kink the finite differences straddle.
    let kinks = move || {
        let disagree = gradients.with(|rows| {
            rows.iter()
                .any(|row| row.relative_error.is_some_and(|e| e.is_nan() || e >= 1e-5))
        });
        if !disagree {
            return String::new();
        }
        let names = state.session.with_untracked(|s| s.kinks());
        if names.is_empty() {
            return String::new();
        }
        format!(
            "The finite differences straddle a kink at {} (relu or abs at exactly 0), so they \
             disagree there: the gradient takes the derivative at 0 to be 0, as the seeds do.",
            names.join(", ")
        )
    };
    // A user function whose declared derivative disagrees with differences of its value.
    let custom = move || {
        gradients.with(|_| ());
        state
            .session
            .with_untracked(|s| s.wrong_custom_derivatives())
            .into_iter()
            .map(|(name, error)| {
                format!(
                    "The custom derivative {name}' disagrees with central differences of {name} (relative error {error:.1e}): the gradients through {name} are wrong. "
                )
            })
            .collect::<String>()
    };
    let rows = move || {
        let checking = matches!(status.get(), CheckStatus::Running(..));
        gradients.with(|rows| {
            rows.iter()
                .cloned()
                .map(|row| {
                    let gradient = match (row.tensor, row.gradient) {
                        (Some(_), Some(norm)) => format!("‖·‖ = {}", format_number(norm)),
                        (_, gradient) => gradient.map(format_number).unwrap_or_default(),
                    };
                    let numeric = match (row.tensor, row.gradient) {
                        _ if row.pending && checking => "checking…".to_string(),
                        _ if row.pending => "not checked".to_string(),
                        (Some(check), Some(_)) if check.sampled > 0 => {
                            format!("{} of {} elements", check.sampled, check.elements)
                        }
                        (Some(_), Some(_)) => "too large to check here".to_string(),
                        (_, _) => row.numeric.map(format_number).unwrap_or_default(),
                    };
                    let error = row
                        .relative_error
                        .map(|e| format!("{e:.1e}"))
                        .unwrap_or_default();
                    let suspicious = row.relative_error.is_some_and(|e| e.is_nan() || e >= 1e-5);
                    let key = row.name.clone();
                    view! {
                        <tr data-gradient=key class:suspicious=suspicious>
                            <th scope="row">{row.name}</th>
                            <td>{gradient}</td>
                            <td>{numeric}</td>
                            <td>{error}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="gradients">
            <h2 class="panel-title">"Gradients"</h2>
            <table aria-label="Gradients">
                <thead>
                    <tr>
                        <th scope="col">"Input"</th>
                        <th scope="col">{move || format!("∂{}/∂input", output())}</th>
                        <th scope="col">"Finite difference"</th>
                        <th scope="col">"Relative error"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p
                class="check-status"
                role="status"
                data-check-status=move || status.with(CheckStatus::name)
                hidden=move || status.with(|s| *s == CheckStatus::Idle)
            >
                {move || status.with(CheckStatus::text)}
                <button
                    hidden=move || status.with(|s| matches!(s, CheckStatus::Idle | CheckStatus::Failed(_)))
                    on:click=move |_| {
                        if matches!(status.get_untracked(), CheckStatus::Running(..)) {
                            job.set_value(None);
                            status.set(CheckStatus::Cancelled);
                        } else {
                            again.update(|n| *n += 1);
                        }
                    }
                >
                    {move || if status.with(|s| matches!(s, CheckStatus::Running(..))) { "Cancel" } else { "Check again" }}
                </button>
            </p>
            <p class="kink-note" data-kink-note="" role="note">{kinks}</p>
            <p class="kink-note" data-custom-note="" role="note">{custom}</p>
            <p class="muted small">"Each gradient fills in as soon as the last contribution to its input's adjoint arrives, with its finite-difference check beside it: central, (f(x+h) − f(x−h)) / 2h. A tensor shows its gradient's norm, checked at its first, last, middle and largest elements. A large program is checked in the background."</p>
            <AdjointsByDepth />
        </section>
    }
}
