//! How the stepper stores numbers, chosen in the view: f64, f32, f16 or bf16, and loss
//! scaling (none, a static scale, or the dynamic scheme's first scale); the gradients lost
//! so far (underflowed to 0, overflowed to ∞), and each input's gradient against the f64
//! run.

use super::{Reading, open_example, open_storage};
use crate::engine::Mode;
use crate::engine::drift::{Drift, drift};
use crate::number::format_number;
use crate::precision::{Loss, Precision};
use crate::session::changes::Marks;
use crate::train::scaler::LossScaling;
use crate::ui::lessons::state::LessonsState;
use crate::url_state::Storage;
use leptos::prelude::*;

#[component]
pub fn PrecisionChoice() -> impl IntoView {
    let ls = LessonsState::get();
    let reading = expect_context::<Reading>();
    let scale_field = RwSignal::new(1024.0f64);
    let storage = move || ls.session.with(|s| s.storage().clone());
    let precision_button = move |p: Precision| {
        view! {
            <button data-precision=p.name()
                aria-pressed=move || (storage().precision == p).to_string()
                on:click=move |_| open_storage(ls, |s| s.precision = p)>{p.name()}</button>
        }
    };
    let scale_used = move || {
        ls.session
            .with(|s| s.stepper().map_or(1.0, |st| st.loss_scale()))
    };
    let lost = move || {
        ls.session.with(|s| {
            let marks = Marks::of(s);
            let graph = s.graph()?;
            let lost: Vec<String> = graph
                .ids()
                .filter_map(|id| {
                    let what = match marks.lost(id)? {
                        Loss::Underflow => "underflowed to 0",
                        Loss::Overflow => "overflowed to ∞",
                    };
                    Some(format!("{} ({what})", graph.node(id).name))
                })
                .collect();
            Some(lost)
        })
    };
    let drifts = Memo::new(move |_| {
        reading.revision.get();
        ls.session.with_untracked(|s| {
            let stepper = s.stepper().filter(|st| st.mode() == Mode::Reverse)?;
            if stepper.precision() == Precision::F64 && stepper.loss_scale() == 1.0 {
                return None;
            }
            let drifts = drift(stepper);
            let names: Vec<String> = drifts
                .iter()
                .map(|d| stepper.graph().node(d.node).name.clone())
                .collect();
            Some((names, drifts))
        })
    });
    let table = move || {
        let (names, drifts) = drifts.get()?;
        let row = |(name, d): (String, Drift)| {
            let total = d.reference.len();
            let label = name.clone();
            view! {
                <tr data-drift=name>
                    <th scope="row">{label}</th>
                    <td>{d.zeroed} " of " {total}</td>
                    <td>{d.overflowed}</td>
                    <td>{format_number(d.relative_error)}</td>
                </tr>
            }
        };
        Some(view! {
            <table class="memory-drift">
                <caption>"Each input's gradient, run to the end, against the f64 run"</caption>
                <thead><tr><th scope="col">"input"</th><th scope="col">"numbers lost to 0"</th><th scope="col">"numbers ∞"</th><th scope="col">"largest relative error"</th></tr></thead>
                <tbody>{names.into_iter().zip(drifts).map(row).collect_view()}</tbody>
            </table>
        })
    };
    let scale_kind = move || match storage().loss_scale {
        None => "none",
        Some(LossScaling::Static(_)) => "static",
        Some(LossScaling::Dynamic) => "dynamic",
    };
    let set_scale =
        move |scaling: Option<LossScaling>| open_storage(ls, |s| s.loss_scale = scaling);
    view! {
        <section class="memory-precision" aria-label="Precision">
            <h3>"Precision and loss scaling"</h3>
            <p class="small muted">
                "Store every value and adjoint in fewer bits: half the memory in f16 or bf16, but f16's smallest number is 2⁻²⁴ "
                "and its largest 65504, so tiny gradients round to 0. Loss scaling multiplies the output's adjoint seed by S "
                "and divides the gradients by S at the end."
            </p>
            <div class="memory-choices" role="group" aria-label="Precision">
                {Precision::ALL.into_iter().map(precision_button).collect_view()}
            </div>
            <div class="memory-choices" role="group" aria-label="Loss scale">
                <button data-loss-scale="none" aria-pressed=move || (scale_kind() == "none").to_string() on:click=move |_| set_scale(None)>"No loss scaling"</button>
                <button data-loss-scale="static" aria-pressed=move || (scale_kind() == "static").to_string()
                    on:click=move |_| set_scale(Some(LossScaling::Static(scale_field.get_untracked())))>"Static S"</button>
                <label>"S "
                    <input type="number" min="0" step="any" prop:value=move || scale_field.get().to_string()
                        on:change=move |ev| {
                            if let Ok(v) = event_target_value(&ev).trim().parse::<f64>()
                                && v.is_finite() && v > 0.0
                            {
                                scale_field.set(v);
                            }
                        } />
                </label>
                <button data-loss-scale="dynamic" aria-pressed=move || (scale_kind() == "dynamic").to_string()
                    on:click=move |_| set_scale(Some(LossScaling::Dynamic))>"Dynamic"</button>
            </div>
            <p class="small" data-scale-used=move || scale_used().to_string()>
                {move || match storage().loss_scale {
                    Some(LossScaling::Dynamic) => format!("Dynamic scaling (PyTorch's GradScaler): from 65536, halved while a gradient comes out ∞ or NaN; this program's first step uses S = {}.", format_number(scale_used())),
                    Some(LossScaling::Static(_)) => format!("The output's adjoint is seeded with S = {}.", format_number(scale_used())),
                    None => "The output's adjoint is seeded with 1.".to_string(),
                }}
            </p>
            <p class="memory-lost" role="status">
                {move || match lost() {
                    Some(lost) if !lost.is_empty() => format!("Gradients lost so far as stored: {}.", lost.join(", ")),
                    Some(_) => "No gradient lost so far.".to_string(),
                    None => String::new(),
                }}
            </p>
            {table}
            <button class="memory-example" data-memory-example="f16-underflow"
                on:click=move |_| open_example(ls, "f16-underflow", Storage::default())>
                "Load the f16 underflow example"
            </button>
        </section>
    }
}
