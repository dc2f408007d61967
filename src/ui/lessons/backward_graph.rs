//! The "Backward graph" view.

use super::state::LessonsState;
use leptos::prelude::*;

#[component]
pub fn BackwardGraph() -> impl IntoView {
    let ls = LessonsState::get();
    let program = move || ls.session.with(|s| s.source().to_string());
    view! {
        <h2 class="panel-title">"Backward graph"</h2>
        <p class="muted small">{program}</p>
    }
}
