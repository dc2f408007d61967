//! The playground module's own browser glue (the clock, markup containers and the rest
//! are shared with the app in `ui::hooks`): the animation frames that pace training and
//! let long jobs yield, and the WebGPU probe.

use super::jobs::{self, Job};
use super::state::PlaygroundState;
use crate::ui::hooks::{error_text, now_ms};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// While the playground trains, record every animation frame (the page's frame time),
/// and queue a chunk of training after each frame that follows the last chunk, so the
/// page renders between chunks.
pub fn drive_training(ps: PlaygroundState) {
    Effect::new(move |_| {
        if ps.training.get() {
            let id = ps.loop_id.get_value();
            meter_frames(ps, id);
            training_frame(ps, id);
        }
    });
}

fn running(ps: PlaygroundState, id: u64) -> bool {
    ps.training.get_untracked() && ps.loop_id.get_value() == id
}

fn meter_frames(ps: PlaygroundState, id: u64) {
    request_animation_frame(move || {
        if running(ps, id) {
            ps.frames.update_value(|m| m.record(now_ms(), 1));
            meter_frames(ps, id);
        }
    });
}

/// Queue training loop `id`'s next chunk on the next animation frame.
pub fn training_frame(ps: PlaygroundState, id: u64) {
    request_animation_frame(move || {
        if running(ps, id) {
            jobs::submit(ps, Job::Frame(id));
        }
    });
}

/// Resolves at the next animation frame: a long job on the main thread awaits it to let
/// the page render.
pub async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        request_animation_frame(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Ask the browser for a WebGPU adapter: its name, or why there is none, in words. (wgpu
/// is only asked for a device once this found an adapter.)
pub async fn webgpu_adapter() -> Result<String, String> {
    let get = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &key.into()).ok();
    let global = js_sys::global();
    if get(&global, "isSecureContext").and_then(|v| v.as_bool()) == Some(false) {
        return Err(
            "the page is not served over HTTPS or from localhost, and WebGPU needs a secure context"
                .into(),
        );
    }
    let navigator = get(&global, "navigator").unwrap_or(JsValue::UNDEFINED);
    let gpu = get(&navigator, "gpu").filter(|g| !g.is_undefined() && !g.is_null());
    let Some(gpu) = gpu else {
        return Err("this browser does not offer WebGPU (navigator.gpu is missing)".into());
    };
    let Some(request) =
        get(&gpu, "requestAdapter").and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return Err("navigator.gpu has no requestAdapter()".into());
    };
    let failed = |error: JsValue| format!("requestAdapter() failed: {}", error_text(&error));
    let promise = request
        .call0(&gpu)
        .map(js_sys::Promise::from)
        .map_err(failed)?;
    let adapter = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(failed)?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("the browser found no GPU adapter (requestAdapter() returned null)".into());
    }
    let info = get(&adapter, "info").unwrap_or(JsValue::UNDEFINED);
    let field = |key: &str| {
        get(&info, key)
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    };
    let parts: Vec<String> = ["vendor", "architecture", "device", "description"]
        .iter()
        .filter_map(|k| field(k))
        .collect();
    Ok(if parts.is_empty() {
        "unnamed adapter".into()
    } else {
        parts.join(" ")
    })
}
