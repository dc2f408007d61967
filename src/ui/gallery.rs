//! The worked-examples gallery: title and introduction of each, one click loads it.

use super::state::AppState;
use crate::examples;
use leptos::prelude::*;

#[component]
pub fn Gallery() -> impl IntoView {
    let state = AppState::get();
    // Which example is on screen changes with the program, not with each step.
    let current = Memo::new(move |_| {
        state.session.with(|s| {
            examples::all()
                .into_iter()
                .find(|example| example.program == s.source())
                .map(|example| example.slug)
        })
    });
    view! {
        <details class="gallery" open>
            <summary class="panel-title">"Worked examples"</summary>
            <ul>
                {examples::all().into_iter().map(|example| {
                    let slug = example.slug;
                    let title = example.title.clone();
                    let intro = example.intro.clone();
                    view! {
                        <li>
                            <button
                                class="example"
                                data-example=slug
                                aria-pressed=move || (current.get() == Some(slug)).to_string()
                                on:click=move |_| {
                                    state.load_example(&example);
                                    super::hooks::reveal_graph();
                                }
                            >
                                <span class="example-title">{title}</span>
                                <span class="example-intro">{intro}</span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </details>
    }
}
