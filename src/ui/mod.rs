//! The browser app (Leptos, client-side rendering): the page layout and the context that
//! hands every component the app state. Components live in the submodules; browser glue
//! (URL, timers, keyboard, clipboard, theme) in `hooks`.

mod controls;
mod editor;
pub mod embed;
mod explanation;
mod export;
mod gallery;
mod gradients;
mod graph_view;
mod history;
mod hooks;
mod inputs;
pub mod lessons;
mod module_status;
mod passes;
pub mod playground;
mod quiz;
mod state;
mod tensor_view;

use crate::examples;
use crate::session::Session;
use leptos::prelude::*;
use state::AppState;

/// The whole page below `<body>`.
#[component]
pub fn App() -> impl IntoView {
    // Long seeks of this page's sessions go to a worker.
    crate::session::seeking::offer_worker();
    let session = hooks::session_from_location().unwrap_or_else(|| {
        let first = examples::all()
            .into_iter()
            .next()
            .map_or("(x1 + x2) * x1", |e| e.program);
        Session::new(first)
    });
    let state = AppState::new(session);
    provide_context(state);
    state.dark.set(hooks::initial_dark_theme());
    hooks::apply_theme(state.dark.get_untracked(), false);
    hooks::sync_location(state);
    hooks::drive_playback(state);
    hooks::keyboard_shortcuts(state);
    hooks::seek_worker::offload_seeks(state.session, state.seeking);
    Effect::new(move |previous: Option<bool>| {
        let on = state.presenting.get();
        if previous.is_some() || on {
            hooks::apply_presentation(on);
        }
        on
    });
    let playground = playground::host::start(state);

    view! {
        <header class="top">
            <h1>"backprop-viz"</h1>
            <p class="tagline">"Step through the forward pass, then watch the chain rule fill in every gradient."</p>
            <div class="top-actions">
                <button
                    class="present"
                    aria-pressed=move || state.presenting.get().to_string()
                    title="Show the graph, the step controls and the explanation alone, in large type (Esc leaves)"
                    on:click=move |_| state.presenting.update(|on| *on = !*on)
                >
                    {move || if state.presenting.get() { "Leave presentation" } else { "Present" }}
                </button>
                <CopyLink />
                <button
                    class="theme"
                    aria-label="Dark theme"
                    aria-pressed=move || state.dark.get().to_string()
                    on:click=move |_| {
                        state.dark.update(|dark| *dark = !*dark);
                        hooks::apply_theme(state.dark.get_untracked(), true);
                    }
                >
                    {move || if state.dark.get() { "☀ Light" } else { "☾ Dark" }}
                </button>
            </div>
        </header>
        <main class="layout">
            <aside class="side">
                <editor::Editor />
                <inputs::InputsPanel />
                <inputs::ModeSwitch />
                <playground::host::OpenPlayground />
                <gallery::Gallery />
            </aside>
            <div class="stage">
                <playground::host::PlaygroundHost host=playground />
                <playground::host::SteppingBanner />
                <controls::StepControls />
                <controls::SeekStatus />
                <graph_view::GraphView />
                <div class="below">
                    <explanation::Explanation />
                    <gradients::Gradients />
                </div>
                <lessons::host::Lessons />
            </div>
        </main>
    }
}

/// "Copy link", what became of the copy, and, while the view shows more tensor values
/// than a link holds (a large training step), that the link opens the program's own;
/// while the page keeps the program's own data, that the link leaves the rows out.
#[component]
fn CopyLink() -> impl IntoView {
    let app = AppState::get();
    let copied = RwSignal::new(None::<bool>);
    let left_out = Memo::new(move |_| app.session.with(|s| s.link_leaves_out()));
    let own_kept = Memo::new(move |_| {
        app.session
            .with(|s| crate::data::own::kept_rows(s.source()))
    });
    view! {
        <button
            on:click=move |_| {
                // The address bar catches up with the view after a pause; a copy is now.
                app.session.with_untracked(|s| hooks::write_location(s, false));
                leptos::task::spawn_local(async move {
                    copied.set(Some(hooks::copy_link().await));
                });
            }
        >
            "Copy link"
        </button>
        <span class="copied" role="status">
            {move || match copied.get() {
                Some(true) => "Link copied",
                Some(false) => "Copy failed: use the address bar",
                None => "",
            }}
        </span>
        {move || left_out.get().map(|n| view! {
            <span class="link-note" data-link-note="">
                {format!("The link opens the initial weights: this training step's {n} values are too many for a link.")}
            </span>
        })}
        {move || own_kept.get().map(|n| view! {
            <span class="link-note" data-link-own-left-out=n>
                {crate::data::own::link_note(n)}
            </span>
        })}
    }
}
