//! The "Four ways" view.

use super::state::LessonsState;
use leptos::prelude::*;

#[component]
pub fn FourWays() -> impl IntoView {
    let ls = LessonsState::get();
    let program = move || ls.session.with(|s| s.source().to_string());
    view! {
        <h2 class="panel-title">"Four ways"</h2>
        <p class="muted small">{program}</p>
    }
}
