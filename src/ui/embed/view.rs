//! An embed's page: the step controls it asks for, the graph, the quiz when asked for, and
//! the explanation (history folded) or, in the compact layout, a one-line caption; what its configuration could not
//! do; and the keyboard while it has the focus.

use crate::embed::caption::caption;
use crate::embed::{Controls, Layout, ViewOptions};
use crate::render::speech::describe;
use crate::ui::controls::StepControls;
use crate::ui::explanation::Explanation;
use crate::ui::graph_view::GraphView;
use crate::ui::hooks;
use crate::ui::quiz::{QuizLink, QuizPanel};
use crate::ui::state::AppState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// ←/→ step, Home resets, End jumps to the end, Space plays or pauses; only for keys
/// pressed inside this embed, and not in its text field. A key the embed uses (those, and
/// whatever a text field, a button or a disclosure inside it uses) stops here, so the page
/// around it (a slide deck) does not act on it too; any other key goes on to the page.
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
    let key = event.key();
    if in_text {
        // The field's own caret keys; the page is not to turn a slide under the cursor.
        event.stop_propagation();
        return;
    }
    match key.as_str() {
        "ArrowRight" => state.step_forward(),
        "ArrowLeft" => state.step_back(),
        "Home" => state.reset(),
        "End" => state.jump_to_backward_end(),
        " " if on_root => state.toggle_playing(),
        // Space on a button or a disclosure presses it.
        " " | "Enter" if matches!(tag.as_str(), "button" | "summary" | "select" | "input") => {
            event.stop_propagation();
            return;
        }
        // The slider's and the list's own keys (↑/↓, Page Up/Down) stay with them.
        _ if matches!(tag.as_str(), "input" | "select") => {
            event.stop_propagation();
            return;
        }
        _ => return,
    }
    event.prevent_default();
    event.stop_propagation();
    keep_focus(event);
}

/// A control the step disables under the focus (Step forward at the end) would leave the
/// next keys to the page: the focus moves to the embed itself.
fn keep_focus(event: &web_sys::Event) {
    let root = event
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
    let control = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|t| t.closest("button").ok().flatten());
    if let (Some(root), Some(control)) = (root, control) {
        hooks::after_layout(move || {
            if control.has_attribute("disabled") {
                let _ = root.focus();
            }
        });
    }
}

/// The current step in one line (its full text as the tooltip), and in words for screen
/// readers.
#[component]
fn Caption() -> impl IntoView {
    let state = AppState::get();
    let text = move || state.session.with(caption);
    let spoken = move || {
        state.session.with(|s| {
            let stepper = s.stepper()?;
            let record = stepper.history().last()?;
            Some(describe(stepper.graph(), record, stepper.progress()))
        })
    };
    view! {
        <p class="caption" title=text>{text}</p>
        <p class="sr-only" aria-live="polite" data-live="">{spoken}</p>
    }
}

#[component]
pub fn EmbedView(options: RwSignal<ViewOptions>, problems: RwSignal<Vec<String>>) -> impl IntoView {
    let state = AppState::get();
    let controls = Signal::derive(move || options.get().controls);
    let compact = move || options.get().layout == Layout::Compact;
    view! {
        <div
            class="embed"
            data-theme=move || options.get().theme.name()
            data-layout=move || options.get().layout.name()
            role="region"
            aria-label="Backpropagation, step by step"
            tabindex="0"
            on:keydown=move |ev| on_key(state, &ev)
            on:click=move |ev| keep_focus(&ev)
        >
            <Show when=move || controls.get() != Controls::None>
                <StepControls controls />
            </Show>
            <GraphView follow=true />
            <Show when=move || options.get().quiz>
                <QuizPanel link=QuizLink {
                    session: state.session.into(),
                    go: Callback::new(move |(cursor, score)| {
                        state.playing.set(false);
                        state.session.update(|s| {
                            s.set_quiz(score);
                            s.seek(cursor);
                        });
                    }),
                } />
            </Show>
            <Show when=compact fallback=|| view! { <Explanation history_open=false /> }>
                <Caption />
            </Show>
            <Show when=move || !problems.with(Vec::is_empty)>
                <ul class="embed-problems" role="alert">
                    {move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                </ul>
            </Show>
        </div>
    }
}
