//! Browser helpers that need no app state: the URL fragment and history, timers and
//! animation frames, the clipboard, the colour theme and presentation mode, the clock, and
//! markup containers (writing their markup, reading which control an event came from).

use crate::session::Session;
use crate::url_state::UrlState;
use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsValue;

/// The session described by the page's URL fragment, if it holds a valid link.
pub fn session_from_location() -> Option<Session> {
    let hash = window().location().hash().ok()?;
    UrlState::from_fragment(&hash).ok().map(Session::from_url)
}

fn fragment_of(session: &Session) -> String {
    format!("#{}", session.to_url().to_fragment())
}

/// Record the current view in the URL: a new history entry (`push`) or in place.
pub fn write_location(session: &Session, push: bool) {
    let url = fragment_of(session);
    let Ok(history) = window().history() else {
        return;
    };
    if window().location().hash().ok().as_deref() == Some(url.as_str()) {
        return;
    }
    let _ = if push {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    };
}

/// Scroll the page so the graph is at the top of the window (after an example loads,
/// whose graph may be below the fold on a small screen).
pub fn reveal_graph() {
    after_layout(|| {
        if let Some(frame) = document()
            .query_selector("main .graph-frame")
            .ok()
            .flatten()
        {
            frame.scroll_into_view_with_bool(true);
        }
    });
}

/// Run `action` once the browser has laid the page out (on the next animation frame).
pub fn after_layout(action: impl FnOnce() + 'static) {
    request_animation_frame(action);
}

/// Run `action` whenever the window is resized, for as long as the calling component lives.
pub fn on_resize(action: impl Fn() + 'static) {
    let listener = window_event_listener(leptos::ev::resize, move |_| action());
    on_cleanup(move || listener.remove());
}

/// Run `action` whenever `element`'s layout size changes (a `ResizeObserver`: a slide
/// shown, a frame given a height), for as long as the calling owner lives; nothing where
/// the browser has no such observer.
pub fn on_element_resize(element: &web_sys::Element, action: impl Fn() + 'static) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let callback = Closure::<dyn Fn()>::new(action);
    let observer = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("ResizeObserver"))
        .ok()
        .and_then(|class| class.dyn_into::<js_sys::Function>().ok())
        .and_then(|class| {
            js_sys::Reflect::construct(&class, &js_sys::Array::of1(callback.as_ref())).ok()
        });
    let Some(observer) = observer else {
        return;
    };
    let call = |observer: &JsValue, method: &str, argument: &JsValue| {
        let method = js_sys::Reflect::get(observer, &JsValue::from_str(method))
            .ok()
            .and_then(|m| m.dyn_into::<js_sys::Function>().ok());
        if let Some(method) = method {
            let _ = method.call1(observer, argument);
        }
    };
    call(&observer, "observe", element);
    // The closure lives as long as the observer that calls it.
    let kept = StoredValue::new_local((observer, callback));
    on_cleanup(move || {
        kept.try_with_value(|(observer, _)| call(observer, "disconnect", &JsValue::UNDEFINED));
    });
}

/// Run `action` after `delay`, cancelling the one still waiting in `pending`.
pub fn debounce(
    pending: StoredValue<Option<TimeoutHandle>>,
    delay: Duration,
    action: impl FnOnce() + 'static,
) {
    if let Some(handle) = pending.get_value() {
        handle.clear();
    }
    pending.set_value(set_timeout_with_handle(action, delay).ok());
}

/// Put the page's address on the clipboard; resolves to whether it worked.
pub async fn copy_link() -> bool {
    let Ok(href) = window().location().href() else {
        return false;
    };
    let promise = window().navigator().clipboard().write_text(&href);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

const THEME_KEY: &str = "backprop-viz-theme";

/// The theme the user chose before, else the system's.
pub fn initial_dark_theme() -> bool {
    let stored = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten());
    match stored.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches()),
    }
}

/// Apply the theme to the document and remember the choice.
pub fn apply_theme(dark: bool, remember: bool) {
    let theme = if dark { "dark" } else { "light" };
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-theme", theme);
    }
    if remember && let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(THEME_KEY, theme);
    }
}

/// Show or leave presentation mode: a `data-presenting` attribute on the root element
/// for the styles, and the whole screen where the browser allows it.
pub fn apply_presentation(on: bool) {
    let document = document();
    if let Some(root) = document.document_element() {
        if on {
            let _ = root.set_attribute("data-presenting", "");
            let _ = root.request_fullscreen();
        } else {
            let _ = root.remove_attribute("data-presenting");
            if document.fullscreen_element().is_some() {
                document.exit_fullscreen();
            }
        }
    }
}

/// Milliseconds since the page started, with sub-millisecond precision where the browser
/// gives it (`performance.now()`), else `Date.now()`.
pub fn now_ms() -> f64 {
    use wasm_bindgen::JsCast;
    thread_local! {
        static NOW: Option<(JsValue, js_sys::Function)> = {
            let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok();
            performance.and_then(|p| {
                let now = js_sys::Reflect::get(&p, &"now".into()).ok()?;
                Some((p, now.dyn_into().ok()?))
            })
        };
    }
    NOW.with(|now| {
        now.as_ref()
            .and_then(|(this, f)| f.call0(this).ok()?.as_f64())
            .unwrap_or_else(js_sys::Date::now)
    })
}

/// Bring the step controls into view (after "step into a training step").
pub fn scroll_to_steps() {
    if let Ok(Some(controls)) = document().query_selector(".controls") {
        controls.scroll_into_view();
    }
}

/// A JavaScript error's message, in words.
pub fn error_text(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// A form control inside a markup container, as an event found it.
pub struct Control {
    pub name: String,
    pub value: String,
    /// Whether a box or radio is checked.
    pub checked: bool,
    pub is_button: bool,
}

/// The control an event came from, inside a markup container.
pub fn control_of(event: &web_sys::Event) -> Option<Control> {
    use wasm_bindgen::JsCast;
    let control = event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("[name]")
        .ok()??;
    let read = |key: &str| js_sys::Reflect::get(&control, &key.into()).ok();
    Some(Control {
        name: control.get_attribute("name")?,
        value: read("value")
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
        checked: read("checked").and_then(|v| v.as_bool()).unwrap_or(false),
        is_button: control.tag_name().eq_ignore_ascii_case("button"),
    })
}

/// Keep `node`'s content equal to `markup()` (trusted markup from
/// [`crate::playground::panel`], with every piece of text escaped). The control that
/// had the focus gets it back after a redraw, so the keyboard is not lost.
pub fn render_markup<E>(node: NodeRef<E>, markup: impl Fn() -> String + 'static)
where
    E: leptos::html::ElementType + 'static,
    E::Output: wasm_bindgen::JsCast + Clone + 'static,
    NodeRef<E>: Get<Value = Option<E::Output>>,
{
    use wasm_bindgen::JsCast;
    let last = StoredValue::new(String::new());
    Effect::new(move |_| {
        let text = markup();
        let Some(element) = node.get() else {
            return;
        };
        let Ok(element) = element.dyn_into::<web_sys::Element>() else {
            return;
        };
        if last.with_value(|l| *l == text) {
            return;
        }
        let focused = document()
            .active_element()
            .filter(|a| element.contains(Some(a)))
            .and_then(|a| a.get_attribute("name"));
        element.set_inner_html(&text);
        last.set_value(text);
        if let Some(name) = focused
            && let Ok(Some(target)) = element.query_selector(&format!("[name=\"{name}\"]"))
            && let Ok(target) = target.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = target.focus();
        }
    });
}
