//! The passes control beside the step controls, for programs with parameters: one pass,
//! gradient accumulation over micro-batches or several training iterations, and whether
//! each iteration starts with `zero_grad`.

use super::state::AppState;
use crate::engine::accumulate::Training;
use leptos::prelude::*;

/// The choices: (micro-batches, iterations); (1, 1) is one plain pass.
const CHOICES: [(usize, usize, &str); 5] = [
    (1, 1, "1 pass"),
    (2, 1, "2 micro-batches"),
    (4, 1, "4 micro-batches"),
    (1, 2, "2 iterations"),
    (1, 3, "3 iterations"),
];

#[component]
pub fn Passes() -> impl IntoView {
    let state = AppState::get();
    let trains = Memo::new(move |_| {
        state
            .session
            .with(|s| s.graph().is_some_and(|g| g.params().next().is_some()))
    });
    let training = Memo::new(move |_| state.session.with(|s| s.setup().training));
    let chosen = move || {
        let (k, n) = training
            .get()
            .map_or((1, 1), |t| (t.micro_batches, t.iterations));
        format!("{k}x{n}")
    };
    let zero = move || training.get().is_none_or(|t| t.zero_grad);
    let set = move |k: usize, n: usize, zero_grad: bool| {
        let mut setup = state.session.with_untracked(|s| *s.setup());
        let rate = setup
            .training
            .map_or(Training::accumulate(1).rate, |t| t.rate);
        setup.training = (k * n > 1 || !zero_grad).then_some(Training {
            micro_batches: k,
            iterations: n,
            zero_grad,
            rate,
        });
        state.set_setup(setup);
    };
    view! {
        <Show when=move || trains.get()>
            <label class="passes">
                <span>"Passes"</span>
                <select
                    data-passes=""
                    prop:value=chosen
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if let Some(&(k, n, _)) = CHOICES.iter().find(|(k, n, _)| format!("{k}x{n}") == value) {
                            set(k, n, zero());
                        }
                    }
                >
                    {CHOICES.iter().map(|&(k, n, label)| {
                        view! { <option value=format!("{k}x{n}")>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="passes">
                <input
                    type="checkbox"
                    data-zero-grad=""
                    prop:checked=zero
                    on:change=move |ev| {
                        let (k, n) = training.get_untracked().map_or((1, 1), |t| (t.micro_batches, t.iterations));
                        set(k, n, event_target_checked(&ev));
                    }
                />
                " zero_grad"
            </label>
        </Show>
    }
}
