//! The worked-examples gallery: title and introduction of each, one click loads it; the
//! pitfalls in a group of their own, each with a "show the fix" switch that loads the same
//! program put right (and back).

use super::state::AppState;
use crate::examples::{self, Example};
use leptos::prelude::*;

#[component]
pub fn Gallery() -> impl IntoView {
    let state = AppState::get();
    // Which example (or fix) is on screen changes with the program, not with each step.
    let current = Memo::new(move |_| {
        state
            .session
            .with(|s| examples::with_program(s.source(), s.setup()).map(|example| example.slug))
    });
    let (mut pitfalls, others): (Vec<Example>, Vec<Example>) =
        examples::all().into_iter().partition(Example::is_pitfall);
    pitfalls.extend(examples::refused());
    view! {
        <details class="gallery" open>
            <summary class="panel-title">"Worked examples"</summary>
            <ul>{others.into_iter().map(|example| entry(state, current, example)).collect_view()}</ul>
            <h3 class="gallery-group">"Pitfalls"</h3>
            <ul class="pitfalls">
                {pitfalls.into_iter().map(|example| entry(state, current, example)).collect_view()}
            </ul>
        </details>
    }
}

/// One example's button and, for a pitfall with a fix, its switch.
fn entry(state: AppState, current: Memo<Option<&'static str>>, example: Example) -> impl IntoView {
    let slug = example.slug;
    let title = example.title.clone();
    let intro = example.intro.clone();
    let fix = example.fix.clone();
    let fix_slug = fix.as_ref().map(|fix| fix.slug);
    let pitfall = example.clone();
    let switch = fix.map(|fix| {
        let fix_slug = fix.slug;
        let fixed = move || current.get() == Some(fix_slug);
        view! {
            <button
                class="show-fix"
                data-fix=slug
                aria-pressed=move || fixed().to_string()
                on:click=move |_| {
                    let shown = if fixed() { &pitfall } else { &*fix };
                    state.load_example(shown);
                    super::hooks::reveal_graph();
                }
            >
                "Show the fix"
            </button>
        }
    });
    view! {
        <li>
            <button
                class="example"
                data-example=slug
                aria-pressed=move || {
                    let on = current.get();
                    (on == Some(slug) || (on.is_some() && on == fix_slug)).to_string()
                }
                on:click=move |_| {
                    state.load_example(&example);
                    super::hooks::reveal_graph();
                }
            >
                <span class="example-title">{title}</span>
                <span class="example-intro">{intro}</span>
            </button>
            {switch}
        </li>
    }
}
