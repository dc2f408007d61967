//! The browser app (Leptos, client-side rendering).

use leptos::prelude::*;

/// The program shown when the page first loads.
const INITIAL_PROGRAM: &str = "(x1+x2)*x1";

/// Root component: the whole page below `<body>`.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <header>
            <h1>"backprop-viz"</h1>
        </header>
        <main>
            <textarea aria-label="Program" rows="4" spellcheck="false">
                {INITIAL_PROGRAM}
            </textarea>
            <p>
                "Write a small program; the visualizer steps through its forward pass, \
                 then the backward pass that computes every gradient."
            </p>
        </main>
    }
}
