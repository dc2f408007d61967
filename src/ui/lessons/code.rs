//! The "Code" view: the program as plain Python on a tiny `Value` engine or as PyTorch
//! ([`crate::lessons::code`]), switchable, each line that computes a node linked to it:
//! the current step's line is marked (`aria-current="step"`), the node highlighted in the
//! graph marks its line, and pressing a line (or Enter on it) highlights its node in the
//! graph and its span in the editor.

use super::state::LessonsState;
use crate::lessons::code::{Language, Line, Listing, listing};
use leptos::prelude::*;

/// One line: its number, its text and, for a node's line, the link to the node.
fn line_view(
    ls: LessonsState,
    line: Line,
    names: &[String],
    current: Memo<Option<usize>>,
) -> impl IntoView + use<> {
    let node = line.node.map(|id| id.0);
    let name = node.and_then(|id| names.get(id).cloned());
    let select = move || {
        if node.is_some() {
            ls.highlight(node);
        }
    };
    view! {
        <li
            data-code-line=line.number
            data-node=name
            tabindex=node.map(|_| "0")
            aria-current=move || (node.is_some() && current.get() == node).then_some("step")
            data-highlight=move || (node.is_some() && ls.highlight.get() == node).then_some("")
            on:click=move |_| select()
            on:keydown=move |ev| {
                if ev.key() == "Enter" {
                    ev.prevent_default();
                    select();
                }
            }
        >
            <span class="code-number" aria-hidden="true">{line.number}</span>
            <code>{line.text}</code>
        </li>
    }
}

#[component]
pub fn Code() -> impl IntoView {
    let ls = LessonsState::get();
    let language = RwSignal::new(Language::Micrograd);
    // The script changes with the program, its inputs and the language, not with a step.
    let revision = Memo::new(move |_| ls.session.with(|s| s.revision()));
    let script = Memo::new(move |_| {
        // A memo is brought up to date only when read (tracking alone would not run it).
        revision.with(|_| ());
        let language = language.get();
        ls.session.with_untracked(|s| {
            let stepper = s
                .stepper()
                .ok_or("The program does not compile yet.".to_string())?;
            let names: Vec<String> = stepper
                .graph()
                .nodes()
                .iter()
                .map(|n| n.name.clone())
                .collect();
            listing(stepper.graph(), stepper.inputs(), s.source(), language)
                .map(|listing| (listing, names))
        })
    });
    let current = Memo::new(move |_| {
        ls.session
            .with(|s| Some(s.stepper()?.history().last()?.node.0))
    });
    let switch = move || {
        Language::ALL
            .into_iter()
            .map(|choice| {
                view! {
                    <button
                        role="radio"
                        aria-checked=move || (language.get() == choice).to_string()
                        data-language=choice.slug()
                        on:click=move |_| language.set(choice)
                    >
                        {choice.name()}
                    </button>
                }
            })
            .collect_view()
    };
    let body = move || match script.get() {
        Err(why) => view! { <p class="code-refused">{why}</p> }.into_any(),
        Ok((Listing { engine, lines }, names)) => {
            let engine_count = engine.len();
            let engine = (!engine.is_empty()).then(|| {
                let text: Vec<String> = engine.into_iter().map(|l| l.text).collect();
                view! {
                    <details class="code-engine">
                        <summary>{format!("The Value engine ({engine_count} lines)")}</summary>
                        <pre><code>{text.join("\n")}</code></pre>
                    </details>
                }
            });
            let lines = lines
                .into_iter()
                .map(|line| line_view(ls, line, &names, current))
                .collect_view();
            view! {
                {engine}
                <ol class="code-lines" aria-label="The program's lines">{lines}</ol>
            }
            .into_any()
        }
    };
    view! {
        <h2 class="panel-title">"Code"</h2>
        <div class="code-switch" role="radiogroup" aria-label="Language">{switch}</div>
        <p class="muted small">
            "Each line computes one node: the current step's line is marked; press a line to find its node in the graph and the editor. The script runs as it is with python3 and prints the gradients the app shows."
        </p>
        <div class="code-view" data-language=move || language.get().slug()>{body}</div>
    }
}
