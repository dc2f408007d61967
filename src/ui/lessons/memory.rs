//! The "Memory" view.

use super::state::LessonsState;
use leptos::prelude::*;

#[component]
pub fn Memory() -> impl IntoView {
    let ls = LessonsState::get();
    let program = move || ls.session.with(|s| s.source().to_string());
    view! {
        <h2 class="panel-title">"Memory"</h2>
        <p class="muted small">{program}</p>
        <button on:click=move |_| ls.session.with_untracked(|s| ls.open(&s.to_url()))>"Open"</button>
    }
}
