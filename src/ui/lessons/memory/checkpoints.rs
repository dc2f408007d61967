//! Checkpointing chosen in the view: none, every k-th value, √N, or values picked one by
//! one (chips, or nodes pressed in the app's graph while "Pick in the graph" is on); the
//! trade against plain mode; and the chart over k. The view settles a plan itself and opens
//! a link naming the kept nodes, so the app's stepper takes them as they are and the app's
//! first load carries no planner.

use super::{Reading, open_example, open_storage};
use crate::engine::Mode;
use crate::engine::checkpoint::{CheckpointPlan, candidates};
use crate::lessons::memory::sweep::{Sweep, sweep};
use crate::lessons::memory::{Choice, Tradeoff, bytes_text, choice, names, tradeoff};
use crate::render::svg::line_chart::{Axes, Series, line_chart};
use crate::ui::lessons::state::LessonsState;
use crate::url_state::Storage;
use leptos::prelude::*;

/// What the controls show, made again when the stepper is rebuilt.
#[derive(Clone, Debug, PartialEq)]
struct Data {
    /// The values on the tape, by name.
    candidates: Vec<String>,
    /// The checkpoints, by name (None: plain mode, every value kept).
    kept: Option<Vec<String>>,
    tradeoff: Tradeoff,
    sweep: Option<Sweep>,
}

const CHART: (f64, f64) = (300.0, 170.0);

/// Open the app with `plan` settled for its program (None: plain mode).
fn choose(ls: LessonsState, plan: Option<CheckpointPlan>) {
    let kept = ls.session.with_untracked(|s| {
        let graph = s.graph()?;
        let ids = plan?.resolve(graph).ok()?;
        Some(names(graph, &ids))
    });
    open_storage(ls, |storage| {
        storage.checkpoint = kept.map(CheckpointPlan::Named);
    });
}

#[component]
pub fn Checkpoints() -> impl IntoView {
    let ls = LessonsState::get();
    let reading = expect_context::<Reading>();
    let k = RwSignal::new(3usize);
    let data = Memo::new(move |_| {
        reading.revision.get();
        let report = reading.report.get()?;
        ls.session.with_untracked(|s| {
            let stepper = s.stepper().filter(|st| st.mode() == Mode::Reverse)?;
            let graph = stepper.graph();
            Some(Data {
                candidates: names(graph, &candidates(graph)),
                kept: stepper.checkpoints().map(|kept| names(graph, kept)),
                tradeoff: tradeoff(stepper, &report),
                sweep: sweep(graph, report.bytes_per_number),
            })
        })
    });
    let chosen = Memo::new(move |_| {
        let k = k.get();
        data.with(|_| ());
        ls.session.with_untracked(|s| {
            let stepper = s.stepper()?;
            Some(choice(stepper.graph(), stepper.checkpoints(), k))
        })
    });
    let pressed = move |which: Choice| move || (chosen.get() == Some(which.clone())).to_string();
    let toggle = move |name: String| {
        let Some(d) = data.get_untracked() else {
            return;
        };
        let mut kept = d.kept.unwrap_or_else(|| d.candidates.clone());
        if let Some(at) = kept.iter().position(|n| *n == name) {
            kept.remove(at);
        } else {
            kept.push(name);
        }
        // In the program's order.
        let kept: Vec<String> = d
            .candidates
            .into_iter()
            .filter(|n| kept.contains(n))
            .collect();
        if !kept.is_empty() {
            open_storage(ls, |storage| {
                storage.checkpoint = Some(CheckpointPlan::Named(kept));
            });
        }
    };
    // While picking in the graph, a node pressed there toggles like its chip.
    let picking = RwSignal::new(false);
    Effect::new(move |previous: Option<()>| {
        let pressed = ls.pressed.get();
        if previous.is_none() || !picking.get_untracked() {
            return;
        }
        let name = pressed.and_then(|node| {
            ls.session
                .with_untracked(|s| Some(s.graph()?.nodes().get(node)?.name.clone()))
        });
        if let Some(name) = name
            && data.with_untracked(|d| d.as_ref().is_some_and(|d| d.candidates.contains(&name)))
        {
            toggle(name);
        }
    });
    let chips = move || {
        let d = data.get()?;
        let kept = d.kept.clone();
        Some(
            d.candidates
                .into_iter()
                .map(|name| {
                    let on = kept.as_ref().is_none_or(|k| k.contains(&name));
                    let label = name.clone();
                    view! {
                        <button class="chip" data-chip=name.clone() aria-pressed=on.to_string() on:click=move |_| toggle(name.clone())>{label}</button>
                    }
                })
                .collect_view(),
        )
    };
    let summary = move || {
        let d = data.get()?;
        let t = d.tradeoff;
        let percent = (t.peak * 100).checked_div(t.plain_peak).unwrap_or(100);
        let passes = t.recomputes as f64 / t.forward_steps.max(1) as f64;
        Some(view! {
            <p class="memory-tradeoff" data-peak=t.peak data-plain-peak=t.plain_peak data-recomputes=t.recomputes>
                "Peak " <strong>{bytes_text(t.peak)}</strong> " against " {bytes_text(t.plain_peak)}
                " in plain mode (" {percent} " %), for " <strong>{t.recomputes}</strong> " recompute steps: "
                {format!("{passes:.2}")} " of a forward pass of " {t.forward_steps} " steps."
            </p>
        })
    };
    let chart = move || {
        let d = data.get()?;
        // A chart of one or two points says nothing.
        let sweep = d.sweep.filter(|s| s.points.len() >= 3)?;
        let peaks: Vec<(f64, f64)> = sweep
            .points
            .iter()
            .map(|p| (p.k as f64, p.peak as f64))
            .collect();
        let recomputes: Vec<(f64, f64)> = sweep
            .points
            .iter()
            .map(|p| (p.k as f64, p.recomputes as f64))
            .collect();
        let axes = |y_label| Axes {
            x_label: "k (every k-th value kept)",
            y_label,
            log_y: false,
            y_from_zero: true,
        };
        let peak_chart = line_chart(
            &Series {
                points: &peaks,
                class: "memory-peak-line",
                dots: true,
            },
            &axes("peak bytes"),
            CHART.0,
            CHART.1,
        );
        let recompute_chart = line_chart(
            &Series {
                points: &recomputes,
                class: "memory-recompute-line",
                dots: true,
            },
            &axes("recompute steps"),
            CHART.0,
            CHART.1,
        );
        let caption = format!(
            "Over k for this program's {} tape values: k = 1 keeps everything (no recompute); √N ≈ {} keeps about √N values and recomputes about one forward pass; larger k keeps fewer checkpoints but longer segments come back at once.",
            sweep.candidates, sweep.sqrt_k
        );
        Some(view! {
            <figure class="chart memory-sweep" data-sweep=sweep.points.len()>
                <div class="memory-sweep-charts">
                    <svg viewBox=format!("0 0 {} {}", CHART.0, CHART.1) role="img" aria-label="Peak memory by k" inner_html=peak_chart></svg>
                    <svg viewBox=format!("0 0 {} {}", CHART.0, CHART.1) role="img" aria-label="Recompute steps by k" inner_html=recompute_chart></svg>
                </div>
                <figcaption class="small">{caption}</figcaption>
            </figure>
        })
    };
    let every = move |_| choose(ls, Some(CheckpointPlan::Every(k.get_untracked().max(1))));
    view! {
        <section class="memory-checkpoints" aria-label="Checkpointing">
            <h3>"Checkpointing"</h3>
            <p class="small muted">
                "Keep only some values in the forward pass (the checkpoints); the backward pass recomputes the others "
                "from the nearest checkpoint just before it reads them: less memory, more work."
            </p>
            {move || data.with(Option::is_none).then(|| view! {
                <p class="memory-note">"Checkpointing needs reverse mode and a program whose backward pass reads values."</p>
            })}
            <div class="memory-choices" role="group" aria-label="Checkpoints">
                <button data-checkpoint="none" aria-pressed=pressed(Choice::Plain) on:click=move |_| choose(ls, None)>"None (plain)"</button>
                <span class="every">
                    <button data-checkpoint="every" aria-pressed=move || matches!(chosen.get(), Some(Choice::Every(_))).to_string() on:click=every>"Every k-th"</button>
                    <label>"k "
                        <input type="number" min="1" max="999" prop:value=move || k.get().to_string()
                            on:change=move |ev| {
                                if let Ok(v) = event_target_value(&ev).trim().parse::<usize>() {
                                    k.set(v.clamp(1, 999));
                                }
                            } />
                    </label>
                </span>
                <button data-checkpoint="sqrt" aria-pressed=pressed(Choice::Sqrt) on:click=move |_| choose(ls, Some(CheckpointPlan::Sqrt))>"√N automatic"</button>
                <span class="muted small" data-checkpoint-picked=move || (chosen.get() == Some(Choice::Picked)).then_some("")>
                    {move || (chosen.get() == Some(Choice::Picked)).then_some("picked by hand")}
                </span>
            </div>
            <p class="small muted">"Values on the tape (pressed: kept in the forward pass; press to change):"
                " "
                <button class="pick" data-pick-in-graph="" aria-pressed=move || picking.get().to_string() on:click=move |_| picking.update(|on| *on = !*on)>
                    "Pick in the graph"
                </button>
                {move || picking.get().then_some(" Click a node in the graph (or Enter on it) to keep or discard its value.")}
            </p>
            <div class="memory-chips">{chips}</div>
            {summary}
            {chart}
            <button class="memory-example" data-memory-example="deep-chain" on:click=move |_| open_example(ls, "deep-chain", Storage::default())>
                "Load the deep-chain example"
            </button>
        </section>
    }
}
