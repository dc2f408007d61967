//! Step controls: reset, back, forward, play/pause with a speed, the two jumps, the
//! counter ("backward 2 / 4") and the export menu; and, in the app, the progress of a seek
//! computed in the background. An embed may show only reset, back, forward and the
//! counter.

use super::export::ExportMenu;
use super::state::AppState;
use crate::embed::{Controls, counter_text};
use leptos::prelude::*;

/// While a worker computes a long seek: which steps, how far it is, and a way to stop
/// (the app's, under its step controls; an embed seeks on its own page's thread).
#[component]
pub fn SeekStatus() -> impl IntoView {
    let state = AppState::get();
    move || {
        state.seeking.get().map(|seek| {
            let percent = (seek.done * 100.0).floor().clamp(0.0, 100.0);
            let steps = if seek.to == seek.from + 1 {
                format!("step {}", seek.to)
            } else {
                format!("steps {}–{}", seek.from + 1, seek.to)
            };
            view! {
                <span class="seek-status" role="status">
                    <progress max="100" value=percent.to_string()></progress>
                    <span>{format!("Computing {steps} in the background: {percent}%")}</span>
                    <button on:click=move |_| state.cancel_seek()>"Cancel"</button>
                </span>
            }
        })
    }
}

#[component]
pub fn StepControls(
    /// Which controls to show: all of them in the app; an embed may ask for fewer.
    #[prop(into, default = Signal::stored(Controls::Full))]
    controls: Signal<Controls>,
) -> impl IntoView {
    let state = AppState::get();
    let counter = move || state.session.with(|s| counter_text(s.stepper()));
    let full = move || controls.get() == Controls::Full;
    let at_start = move || {
        state
            .session
            .with(|s| s.stepper().is_none_or(|st| st.cursor() == 0))
    };
    let at_end = move || {
        state
            .session
            .with(|s| s.stepper().is_none_or(|st| st.is_done()))
    };
    let reverse = move || {
        state.session.with(|s| {
            s.stepper()
                .is_some_and(|st| st.mode() == crate::engine::Mode::Reverse)
        })
    };
    let play_label = move || if state.playing.get() { "Pause" } else { "Play" };
    view! {
        <div class="controls" role="toolbar" aria-label="Step controls">
            <button on:click=move |_| state.reset() disabled=at_start title="Reset (Home)">"Reset"</button>
            <button on:click=move |_| state.step_back() disabled=at_start title="Step back (←)">"Step back"</button>
            <button class="primary" on:click=move |_| state.step_forward() disabled=at_end title="Step forward (→)">
                "Step forward"
            </button>
            <Show when=full>
            <button
                on:click=move |_| state.toggle_playing()
                aria-label=play_label
                aria-pressed=move || state.playing.get().to_string()
                title="Play or pause (Space)"
            >
                {play_label}
            </button>
            <label class="speed">
                <span>"Speed"</span>
                <input
                    type="range"
                    aria-label="Speed"
                    min="0.5"
                    max="8"
                    step="0.5"
                    prop:value=move || state.speed.get().to_string()
                    on:input=move |ev| {
                        if let Ok(speed) = event_target_value(&ev).parse::<f64>() {
                            state.speed.set(speed);
                        }
                    }
                />
            </label>
            <button on:click=move |_| state.jump_to_forward_end() title="Jump to the end of the forward pass">
                "Jump to end of forward"
            </button>
            <button on:click=move |_| state.jump_to_backward_end() disabled=move || !reverse() title="Jump to the end of the backward pass (End)">
                "Jump to end of backward"
            </button>
            <super::passes::Passes />
            </Show>
            <output class="counter" data-step-counter="" aria-live="off">{counter}</output>
            <Show when=full>
                <ExportMenu />
            </Show>
        </div>
    }
}
