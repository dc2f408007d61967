//! The gradients table: each input's gradient beside its finite-difference estimate.

use super::state::AppState;
use crate::number::format_number;
use leptos::prelude::*;

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
    let rows = move || {
        state.session.with(|s| {
            s.gradients()
                .into_iter()
                .map(|row| {
                    let gradient = row.gradient.map(format_number).unwrap_or_default();
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
                            <td>{format_number(row.numeric)}</td>
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
            <p class="muted small">"Gradients fill in as the backward pass reaches each input; the finite differences are central, (f(x+h) − f(x−h)) / 2h."</p>
        </section>
    }
}
