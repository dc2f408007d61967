//! The program editor: a textarea that re-parses as you type, with the error's span
//! underlined in place and the message beside it; without an error, the span of the node
//! highlighted in the graph (or else of the current step's node) is marked.

mod mirror;

use super::state::AppState;
use crate::lang::span::locate;
use leptos::prelude::*;

#[component]
pub fn Editor() -> impl IntoView {
    let state = AppState::get();
    // Memos: a step changes neither, so it touches neither the textarea nor the mirror.
    let source = Memo::new(move |_| state.session.with(|s| s.source().to_string()));
    let error = Memo::new(move |_| {
        state.session.with(|s| {
            s.error().map(|e| {
                let info = locate(s.source(), e.span().start);
                (
                    e.span(),
                    format!("Line {}, column {}: {e}", info.line, info.column),
                    e.hint(),
                )
            })
        })
    });
    // The span to mark, and whether it is the error's.
    let marked = Memo::new(move |_| match error.get() {
        Some((span, _, _)) => Some((span, true)),
        None => state.session.with(|s| {
            let stepper = s.stepper()?;
            let node = state
                .highlight
                .get()
                .or_else(|| Some(stepper.history().last()?.node.0))?;
            Some((stepper.graph().nodes().get(node)?.span, false))
        }),
    });
    let rows = move || source.with(|text| text.lines().count()).clamp(3, 24) + 1;
    // The mirror sits under the transparent textarea, with the same text and metrics, so
    // a <mark> around the error span underlines exactly those characters; it is redrawn
    // line by line ([`mirror`]).
    let mirror_ref = NodeRef::<leptos::html::Div>::new();
    let drawn = StoredValue::new_local(Vec::new());
    Effect::new(move |_| {
        let lines = source.with(|text| mirror::lines(text, marked.get()));
        if let Some(element) = mirror_ref.get() {
            drawn.update_value(|drawn| {
                mirror::draw(&element, drawn, &lines);
                *drawn = lines;
            });
        }
    });
    // The mirror scrolls with the textarea, so the mark stays on its text.
    let textarea_ref = NodeRef::<leptos::html::Textarea>::new();
    let sync_scroll = move || {
        if let (Some(mirror), Some(textarea)) =
            (mirror_ref.get_untracked(), textarea_ref.get_untracked())
        {
            mirror.set_scroll_top(textarea.scroll_top());
            mirror.set_scroll_left(textarea.scroll_left());
        }
    };
    Effect::new(move |_| {
        source.with(|_| ());
        marked.with(|_| ());
        super::hooks::after_layout(sync_scroll);
    });
    view! {
        <div class="editor">
            <label class="panel-title" for="program">"Program"</label>
            <div class="editor-field">
                <div class="editor-mirror" aria-hidden="true" node_ref=mirror_ref></div>
                <textarea
                    id="program"
                    node_ref=textarea_ref
                    on:scroll=move |_| sync_scroll()
                    aria-label="Program"
                    spellcheck="false"
                    autocapitalize="off"
                    autocomplete="off"
                    rows=rows
                    aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                    aria-describedby="program-error"
                    prop:value=source
                    on:input=move |ev| {
                        let kind = js_sys::Reflect::get(&ev, &"inputType".into()).ok().and_then(|k| k.as_string());
                        state.edit_source(&event_target_value(&ev), kind.as_deref() == Some("insertFromPaste"));
                    }
                ></textarea>
            </div>
            <div id="program-error" class="editor-error" role="alert">
                {move || error.get().map(|(_, message, hint)| view! {
                    <p class="error-message">{message}</p>
                    {hint.map(|h| view! { <p class="error-hint">"Hint: " {h}</p> })}
                })}
            </div>
        </div>
    }
}
