//! The "Code" view.

use super::state::LessonsState;
use leptos::prelude::*;

#[component]
pub fn Code() -> impl IntoView {
    let ls = LessonsState::get();
    let program = move || ls.session.with(|s| s.source().to_string());
    view! {
        <h2 class="panel-title">"Code"</h2>
        <p class="muted small" on:mouseleave=move |_| ls.highlight(None)>{program}</p>
    }
}
