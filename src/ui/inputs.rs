//! The inputs panel (a number field and a slider per input) and the mode switch.

use super::state::AppState;
use crate::session::{EDITABLE_COLUMNS, TensorInput};
use crate::url_state::ModeChoice;
use leptos::prelude::*;

#[component]
pub fn InputsPanel() -> impl IntoView {
    let state = AppState::get();
    // Memos: a step changes no input, so it rebuilds no row.
    let inputs = Memo::new(move |_| state.session.with(|s| s.inputs()));
    let tensors = Memo::new(move |_| state.session.with(|s| s.tensor_inputs()));
    // "`z` is a new input, set to 1": a name defined nowhere became an input.
    let notice = Memo::new(move |_| {
        state.session.with(|s| {
            let values = s.inputs();
            let lines: Vec<String> = s
                .new_inputs()
                .iter()
                .map(|name| {
                    let value = values
                        .iter()
                        .find(|(_, n, _)| n == name)
                        .map(|(_, _, v)| crate::number::format_number(*v))
                        .unwrap_or_default();
                    format!("`{name}` is not defined in the program, so it is a new input, set to {value}.")
                })
                .collect();
            lines.join(" ")
        })
    });
    view! {
        <fieldset class="inputs">
            <legend class="panel-title">"Inputs"</legend>
            <p class="new-input" role="status" data-new-inputs="">{notice}</p>
            {move || {
                let rows = inputs.get();
                let tensor_rows = tensors.get();
                if rows.is_empty() && tensor_rows.is_empty() {
                    return view! { <p class="muted">"This program has no inputs."</p> }.into_any();
                }
                let scalars = rows
                    .into_iter()
                    .map(|(_, name, value)| view! { <InputRow name=name value=value /> })
                    .collect_view();
                let tensors = tensor_rows
                    .into_iter()
                    .map(|input| view! { <TensorRow input=input /> })
                    .collect_view();
                view! { {scalars} {tensors} }.into_any()
            }}
        </fieldset>
    }
}

/// A tensor input: its shape and where its values come from, and while small, a grid of
/// number fields (a row per matrix row) that edit it element by element.
#[component]
fn TensorRow(input: TensorInput) -> impl IntoView {
    let state = AppState::get();
    let TensorInput {
        name,
        shape,
        dims,
        role,
        values,
    } = input;
    // A matrix by its rows; a vector wraps after EDITABLE_COLUMNS numbers.
    let columns = match dims.as_slice() {
        [_, columns] => *columns,
        _ => values.as_ref().map_or(1, Vec::len).min(EDITABLE_COLUMNS),
    };
    let grid = values.map(|values| {
        let cells = values
            .into_iter()
            .enumerate()
            .map(|(index, value)| {
                let name = name.clone();
                let at = if dims.len() == 2 {
                    format!("{name}[{}, {}]", index / columns, index % columns)
                } else {
                    format!("{name}[{index}]")
                };
                view! {
                    <input
                        type="number"
                        step="any"
                        aria-label=at
                        prop:value=value.to_string()
                        on:change=move |ev| {
                            if let Ok(parsed) = event_target_value(&ev).trim().parse::<f64>() {
                                state.set_tensor_element(&name, index, parsed);
                            }
                        }
                    />
                }
            })
            .collect_view();
        view! {
            <div class="tensor-cells" style=format!("grid-template-columns: repeat({columns}, minmax(0, 1fr))")>
                {cells}
            </div>
        }
    });
    view! {
        <div class="input-row tensor-input" data-input=name.clone()>
            <span class="input-name">{name.clone()}</span>
            <span class="shape-badge-text">{shape}</span>
            <span class="muted">{role}</span>
            {grid}
        </div>
    }
}

/// The slider's range around a value: at least ±5, wide enough to hold the value.
fn slider_range(value: f64) -> (f64, f64, f64) {
    let half = if value.is_finite() {
        (value.abs() * 2.0).max(5.0)
    } else {
        5.0
    };
    (-half, half, half / 100.0)
}

#[component]
fn InputRow(name: String, value: f64) -> impl IntoView {
    let state = AppState::get();
    let (min, max, step) = slider_range(value);
    let set = {
        let name = name.clone();
        move |text: String| {
            if let Ok(parsed) = text.trim().parse::<f64>() {
                state.set_input(&name, parsed);
            }
        }
    };
    let set_from_slider = set.clone();
    let id = format!("input-{name}");
    view! {
        <div class="input-row">
            <label for=id.clone()>{name.clone()}</label>
            <input
                id=id
                type="number"
                step="any"
                aria-label=name.clone()
                prop:value=value.to_string()
                on:change=move |ev| set(event_target_value(&ev))
            />
            <input
                type="range"
                aria-label=format!("{name} slider")
                min=min
                max=max
                step=step
                prop:value=value.to_string()
                on:input=move |ev| set_from_slider(event_target_value(&ev))
            />
        </div>
    }
}

#[component]
pub fn ModeSwitch() -> impl IntoView {
    let state = AppState::get();
    let mode = Memo::new(move |_| state.session.with(|s| s.mode().clone()));
    let forward = move || matches!(mode.get(), ModeChoice::Forward { .. });
    let input_names = Memo::new(move |_| {
        state.session.with(|s| {
            s.inputs()
                .into_iter()
                .map(|(_, n, _)| n)
                .collect::<Vec<_>>()
        })
    });
    let first_input = move || input_names.with(|names| names.first().cloned());
    let unavailable = Memo::new(move |_| state.session.with(|s| s.forward_mode_unavailable()));
    let wrt = move || match mode.get() {
        ModeChoice::Forward { wrt } => wrt,
        ModeChoice::Reverse => first_input().unwrap_or_default(),
    };
    view! {
        <fieldset class="mode">
            <legend class="panel-title">"Mode"</legend>
            <label>
                <input
                    type="radio"
                    name="mode"
                    aria-label="Reverse mode"
                    prop:checked=move || !forward()
                    on:change=move |_| state.set_mode(ModeChoice::Reverse)
                />
                " Reverse mode (backpropagation)"
            </label>
            <label>
                <input
                    type="radio"
                    name="mode"
                    aria-label="Forward mode"
                    prop:checked=forward
                    disabled=move || unavailable.with(Option::is_some)
                    aria-describedby="forward-mode-why"
                    on:change=move |_| {
                        if let Some(wrt) = first_input() {
                            state.set_mode(ModeChoice::Forward { wrt });
                        }
                    }
                />
                " Forward mode (tangents)"
            </label>
            <p id="forward-mode-why" class="muted small" data-disabled-reason="">{unavailable}</p>
            <label class="wrt">
                "Differentiate by "
                <select
                    aria-label="Differentiate by"
                    prop:value=wrt
                    on:change=move |ev| state.set_mode(ModeChoice::Forward { wrt: event_target_value(&ev) })
                >
                    {move || input_names.get().into_iter().map(|name| {
                        let selected = name == wrt();
                        let value = name.clone();
                        view! { <option value=value selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
        </fieldset>
    }
}
