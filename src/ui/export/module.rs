//! The app's way to its exports: the embed module (`embed.js` beside the page), imported
//! the first time the app exports and kept for the next exports, renders the view and
//! saves the file, so the app's own bundle carries neither the renderers nor the saving.
//! The view goes over as its app-link fragment.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
let exporter = null;
export async function export_file(fragment, name, dark) {
  exporter ??= import(new URL('embed.js', document.baseURI).href)
    .then(async (module) => {
      await module.default();
      return module;
    })
    .catch((error) => {
      exporter = null;
      throw error;
    });
  return (await exporter).exportFile(fragment, name, dark);
}")]
extern "C" {
    /// Load the embed module once and let it make and save the export `name` of the view
    /// `fragment`; resolves with the file's name.
    #[wasm_bindgen(catch)]
    async fn export_file(fragment: &str, name: &str, dark: bool) -> Result<JsValue, JsValue>;
}

/// Make and save the export `name` (`svg`, `png`, …) of the view `fragment` describes;
/// the saved file's name.
pub async fn export(fragment: &str, name: &str, dark: bool) -> Result<String, String> {
    match export_file(fragment, name, dark).await {
        Ok(file) => file
            .as_string()
            .ok_or_else(|| "the exporter gave no file name".to_string()),
        Err(error) => Err(js_sys::Reflect::get(&error, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .or_else(|| error.as_string())
            .unwrap_or_else(|| "the exporter could not be loaded".into())),
    }
}
