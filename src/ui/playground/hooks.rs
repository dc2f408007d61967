//! The playground module's own browser glue, which needs no playground state (the clock,
//! markup containers and the rest are shared with the app in `ui::hooks`): the animation
//! frame a long job awaits to let the page render, and the WebGPU probe.

use crate::ui::hooks::error_text;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

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
