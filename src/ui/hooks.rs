//! The app's glue to the browser: the URL kept in step with the session, the play timer
//! and the keyboard shortcuts — everything that reads or drives the [`AppState`]. The
//! browser helpers that need no app state (the URL fragment, timers, the clipboard, the
//! theme, the clock, markup containers) are in [`browser`], which the state may use too,
//! the worker that checks large programs' gradients in [`check_worker`] and the one that
//! takes long seeks in [`seek_worker`] (the lessons module's session uses it too); the
//! playground module's own glue is in `playground::hooks`.

pub mod browser;
pub mod check_worker;
pub mod seek_worker;

pub use browser::*;

use super::state::AppState;
use leptos::prelude::*;
use std::time::Duration;

/// Keep the URL in step with the session, and restore the session when the user goes
/// back or forward in history.
pub fn sync_location(state: AppState) {
    // Written once the view has settled, not at every step of a fast play or a held key:
    // a long program's link takes time to encode, and the address bar needs it only then.
    let pending = StoredValue::new(None);
    Effect::new(move |_| {
        state.session.track();
        // The timer may fire after the view is gone (unmounted): then it does nothing.
        browser::debounce(pending, LOCATION_DELAY, move || {
            state
                .session
                .try_with_untracked(|session| write_location(session, false));
        });
    });
    let listener = window_event_listener(leptos::ev::popstate, move |_| {
        if let Some(session) = session_from_location() {
            state.playing.set(false);
            state.session.set(session);
        }
    });
    on_cleanup(move || listener.remove());
}

/// How long the view must stay still before the address bar is updated.
const LOCATION_DELAY: Duration = Duration::from_millis(120);

/// While `playing`, take a step every `1 / speed` seconds; stop at the end.
pub fn drive_playback(state: AppState) {
    Effect::new(move |previous: Option<Option<IntervalHandle>>| {
        if let Some(Some(handle)) = previous {
            handle.clear();
        }
        if !state.playing.get() {
            return None;
        }
        let period = Duration::from_secs_f64(1.0 / state.speed.get().clamp(0.25, 20.0));
        set_interval_with_handle(
            move || {
                // A step left to the worker: wait for it (the next tick tries again).
                let stepped = state
                    .session
                    .try_update(|s| s.pending().is_some() || s.step_forward().is_some())
                    .unwrap_or(false);
                if !stepped {
                    state.playing.set(false);
                }
            },
            period,
        )
        .ok()
    });
}

/// ←/→ step, Space plays or pauses, Home resets, End jumps to the end; not while the
/// focus is in a control that uses the key itself (a text field, a slider, a button).
pub fn keyboard_shortcuts(state: AppState) {
    let listener = window_event_listener(leptos::ev::keydown, move |event| {
        if event.alt_key() || event.ctrl_key() || event.meta_key() {
            return;
        }
        let key = event.key();
        if focus_uses_key(&event, &key) {
            return;
        }
        match key.as_str() {
            "ArrowRight" => state.step_forward(),
            "ArrowLeft" => state.step_back(),
            " " => state.toggle_playing(),
            "Home" => state.reset(),
            "End" => state.jump_to_backward_end(),
            "Escape" if state.presenting.get_untracked() => state.presenting.set(false),
            _ => return,
        }
        event.prevent_default();
    });
    on_cleanup(move || listener.remove());
}

/// Whether the element the key goes to handles `key` itself: every key in text fields,
/// sliders, selects and editable text; arrows, Home and End in widgets that move with
/// them (`role` slider, spinbutton, tab, listbox…); Space on buttons, links and summaries.
fn focus_uses_key(event: &web_sys::KeyboardEvent, key: &str) -> bool {
    use wasm_bindgen::JsCast;
    let Some(element) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let tag = element.tag_name().to_ascii_lowercase();
    if matches!(tag.as_str(), "input" | "textarea" | "select")
        || element
            .closest("[contenteditable]")
            .ok()
            .flatten()
            .is_some()
    {
        return true;
    }
    let moving = matches!(key, "ArrowLeft" | "ArrowRight" | "Home" | "End");
    let role = element.get_attribute("role").unwrap_or_default();
    let moving_widget = matches!(
        role.as_str(),
        "slider" | "spinbutton" | "tab" | "listbox" | "option" | "menuitem" | "radio" | "scrollbar"
    );
    let pressable = matches!(tag.as_str(), "button" | "a" | "summary") || role == "button";
    (moving && moving_widget) || (key == " " && pressable)
}
