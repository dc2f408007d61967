//! The "Chain rule" view.

use super::state::LessonsState;
use leptos::prelude::*;

#[component]
pub fn ChainRule() -> impl IntoView {
    let ls = LessonsState::get();
    let program = move || ls.session.with(|s| s.source().to_string());
    view! {
        <h2 class="panel-title">"Chain rule"</h2>
        <p class="muted small">{program}</p>
        <button on:click=move |_| ls.set_input("x", 1.0)>"x = 1"</button>
    }
}
