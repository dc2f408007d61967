//! The "Quiz" view.

use super::state::LessonsState;
use leptos::prelude::*;

#[component]
pub fn Quiz() -> impl IntoView {
    let ls = LessonsState::get();
    let program = move || ls.session.with(|s| s.source().to_string());
    view! {
        <h2 class="panel-title">"Quiz"</h2>
        <p class="muted small">{program}</p>
        <button on:click=move |_| ls.seek(0)>"Start again"</button>
    }
}
