//! What the host of a module loaded on demand (the playground, the lessons) says while it
//! loads or after it failed, with "Try again".

use crate::playground::loading::{ModuleLoad, Wording};
use leptos::prelude::*;

/// The status line of a host whose module's loading stands at `load`; `retry` starts
/// another try.
pub fn module_status(
    load: RwSignal<ModuleLoad>,
    words: &'static Wording,
    class: &'static str,
    retry: impl Fn() + 'static,
) -> impl IntoView {
    let failed = move || load.with(|load| matches!(load, ModuleLoad::Failed(_)));
    view! {
        <div
            class=class
            role=move || if failed() { "alert" } else { "status" }
            hidden=move || load.with(|load| load.message(words).is_none())
        >
            <p>{move || load.with(|load| load.message(words))}</p>
            <button on:click=move |_| retry() hidden=move || !failed()>"Try again"</button>
        </div>
    }
}
