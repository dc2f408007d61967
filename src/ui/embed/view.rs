//! An embed's page: the step controls it asks for, the graph and the explanation (history
//! folded), what its configuration could not do, and the keyboard while it has the focus.

use crate::embed::{Controls, ViewOptions};
use crate::ui::controls::StepControls;
use crate::ui::explanation::Explanation;
use crate::ui::graph_view::GraphView;
use crate::ui::state::AppState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// ←/→ step, Home resets, End jumps to the end, Space plays or pauses; only for keys
/// pressed inside this embed, and not in its text field.
fn on_key(state: AppState, event: &web_sys::KeyboardEvent) {
    if event.alt_key() || event.ctrl_key() || event.meta_key() {
        return;
    }
    let target = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let tag = target
        .as_ref()
        .map(|t| t.tag_name().to_ascii_lowercase())
        .unwrap_or_default();
    let in_text = tag == "input"
        && target
            .as_ref()
            .and_then(|t| t.get_attribute("type"))
            .as_deref()
            != Some("range");
    let on_root = target
        .as_ref()
        .is_some_and(|t| t.class_list().contains("embed"));
    match event.key().as_str() {
        _ if in_text || tag == "summary" && event.key() == " " => return,
        "ArrowRight" => state.step_forward(),
        "ArrowLeft" => state.step_back(),
        "Home" => state.reset(),
        "End" => state.jump_to_backward_end(),
        // Space on a button presses that button.
        " " if on_root => state.toggle_playing(),
        _ => return,
    }
    event.prevent_default();
}

#[component]
pub fn EmbedView(options: RwSignal<ViewOptions>, problems: RwSignal<Vec<String>>) -> impl IntoView {
    let state = AppState::get();
    let controls = Signal::derive(move || options.get().controls);
    view! {
        <div
            class="embed"
            data-theme=move || options.get().theme.name()
            role="region"
            aria-label="Backpropagation, step by step"
            tabindex="0"
            on:keydown=move |ev| on_key(state, &ev)
        >
            <Show when=move || controls.get() != Controls::None>
                <StepControls controls />
            </Show>
            <GraphView follow=true />
            <Explanation history_open=false />
            <Show when=move || !problems.with(Vec::is_empty)>
                <ul class="embed-problems" role="alert">
                    {move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                </ul>
            </Show>
        </div>
    }
}
