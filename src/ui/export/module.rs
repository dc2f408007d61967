//! The app's way to the renderers: the embed module (`embed.js` beside the page), imported
//! the first time the app exports and kept for the next exports, so the app's own bundle
//! carries none of them. The view goes over as its app-link fragment.

use crate::export::Format;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
let renderer = null;
export async function render_view(fragment, format, dark) {
  renderer ??= import(new URL('embed.js', document.baseURI).href)
    .then(async (module) => {
      await module.default();
      return module;
    })
    .catch((error) => {
      renderer = null;
      throw error;
    });
  return (await renderer).exportView(fragment, format, dark);
}")]
extern "C" {
    /// Load the embed module once and let it render `format` for the view `fragment`.
    #[wasm_bindgen(catch)]
    async fn render_view(fragment: &str, format: &str, dark: bool) -> Result<JsValue, JsValue>;
}

/// The text of `format` for the view `fragment` describes.
pub async fn render(fragment: &str, format: Format, dark: bool) -> Result<String, String> {
    match render_view(fragment, format.name(), dark).await {
        Ok(text) => text
            .as_string()
            .ok_or_else(|| "the renderer gave no text".to_string()),
        Err(error) => Err(js_sys::Reflect::get(&error, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .or_else(|| error.as_string())
            .unwrap_or_else(|| "the renderer could not be loaded".into())),
    }
}
