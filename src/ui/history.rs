//! The history of a program's steps, newest first (click one to go back there), drawn a
//! window at a time: only the entries in view and a margin are elements, so the thousands
//! of steps of a large program cost a step no layout, paint or observer work.

use super::state::AppState;
use crate::list_window::list_window;
use crate::render::{Notation, step_text};
use leptos::prelude::*;
use web_sys::HtmlElement;

/// An entry's height until one is measured: CSS gives each 1.3rem, 20.8 px at the usual
/// root font size.
const ROW_PX: f64 = 20.8;
/// The list's height until it is measured (its CSS `max-height`, 14rem).
/// The list scrolls in a box of its own (`.history-list`): the rows out of the window are
/// the list's padding, which a box limited in height would add to its height.
const VIEW_PX: f64 = 224.0;

#[component]
pub fn History(
    /// Whether the list starts unfolded (an embed keeps it folded).
    open: bool,
) -> impl IntoView {
    let state = AppState::get();
    let taken = Memo::new(move |_| {
        state
            .session
            .with(|s| s.stepper().map_or(0, |st| st.cursor()))
    });
    // Where the list is scrolled, its height and an entry's, as measured at the last
    // scroll (until then, its top in a list as high as CSS allows).
    let scroll = RwSignal::new((0.0, VIEW_PX, ROW_PX));
    let window = Memo::new(move |_| {
        let (top, view, row) = scroll.get();
        list_window(taken.get(), row, top, view)
    });
    let measure = move |list: &HtmlElement| {
        let row = list
            .query_selector("li")
            .ok()
            .flatten()
            .map(|li| li.get_bounding_client_rect().height())
            .filter(|h| *h > 0.0)
            .unwrap_or(ROW_PX);
        let view = match list.client_height() {
            0 => VIEW_PX,
            h => f64::from(h),
        };
        scroll.set((f64::from(list.scroll_top()), view, row));
    };
    // One element per entry in the window, newest first, keyed by step so a step adds one
    // element and drops one; the key changes when the stepper is rebuilt.
    let entries = move || {
        let window = window.get();
        let taken = taken.get();
        let revision = state.session.with_untracked(|s| s.revision());
        (window.first..window.end)
            .map(|row| (revision, taken - 1 - row))
            .collect::<Vec<_>>()
    };
    let entry = move |(_, index): (u64, usize)| {
        let (label, phase) = state.session.with_untracked(|s| {
            s.stepper()
                .and_then(|st| {
                    st.history().get(index).map(|r| {
                        (
                            step_text(st.graph(), r, Notation::Plain).substituted(),
                            r.phase.name(),
                        )
                    })
                })
                .unwrap_or_default()
        });
        let target = index + 1;
        // The newest entry is the current step (an earlier one is a step to go back to).
        let current = move || (taken.get() == target).then_some("step");
        view! {
            <li class=phase>
                <button aria-current=current on:click=move |_| state.seek(target)>
                    {label}
                </button>
            </li>
        }
    };
    view! {
        <details class="history" open=open>
            <summary>"History (newest first; click a step to go back to it)"</summary>
            <div class="history-list" on:scroll=move |ev| measure(&event_target::<HtmlElement>(&ev))>
                <ol
                    reversed
                    start=move || taken.get() - window.get().first
                    style=move || {
                        let window = window.get();
                        format!("padding-top:{}px;padding-bottom:{}px", window.above, window.below)
                    }
                >
                    <For each=entries key=|key| *key children=entry />
                </ol>
            </div>
        </details>
    }
}
