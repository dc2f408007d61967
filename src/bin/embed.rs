//! The embeddable viewer's own wasm module, apart from the app's so the app page loads
//! none of it: Trunk builds it from a `data-type="worker"` link in index.html, which keeps
//! its names unhashed (`embed.js`, an ES module, and `embed_bg.wasm`) for
//! `www/backprop-embed.js` and `www/embed.html` to import. It exports one class, `Embed`:
//!
//! ```js
//! const embed = new Embed(hostElement, "program=(x1%2Bx2)*x1&at=x1%3D3%2Cx2%3D4", appUrl,
//!                         (json) => console.log(JSON.parse(json)));
//! embed.stepForward(); embed.seek(5); embed.configure("…&step=backward:2"); embed.free();
//! ```
//!
//! and the function `exportFile(fragment, name, dark)` (an export made and saved), which
//! the app's export menu calls.

#[cfg(target_arch = "wasm32")]
mod web {
    use backprop_viz::export::from_fragment;
    use backprop_viz::render::svg::Palette;
    use backprop_viz::ui::embed::Mount;
    use wasm_bindgen::prelude::*;

    /// Make and save the export `name` (`svg`, `png`, `markdown`, `latex`, `pytorch`) of
    /// the view an app-link fragment describes: the app's export menu hands its exports
    /// to this module, so the app's own bundle carries neither renderers nor saving.
    /// Resolves with the saved file's name.
    #[wasm_bindgen(js_name = exportFile)]
    pub async fn export_file(
        fragment: String,
        name: String,
        dark: bool,
    ) -> Result<String, JsError> {
        let palette = if dark { Palette::DARK } else { Palette::LIGHT };
        backprop_viz::ui::embed::export_file(&name, |format| {
            from_fragment(&fragment, format, &palette).map_err(|e| e.to_string())
        })
        .await
        .map(str::to_string)
        .map_err(|why| JsError::new(&why))
    }

    /// One viewer mounted into a host element; `free()` unmounts it.
    #[wasm_bindgen]
    pub struct Embed {
        mount: Mount,
    }

    #[wasm_bindgen]
    impl Embed {
        /// Mount into `host` (its content is replaced) the view `query` describes
        /// (`program`, `at`, `mode`, `step`, `controls`, `theme`, `autoplay`, as in a URL
        /// query). `app_url` is the app page's address, for share links. `on_step`
        /// receives the JSON of the step event after each change of step.
        #[wasm_bindgen(constructor)]
        pub fn new(
            host: web_sys::HtmlElement,
            query: &str,
            app_url: &str,
            on_step: js_sys::Function,
        ) -> Embed {
            let report = move |json: String| {
                let _ = on_step.call1(&JsValue::NULL, &JsValue::from_str(&json));
            };
            Embed {
                mount: Mount::new(host, query, app_url.to_string(), report),
            }
        }

        /// Apply a new configuration (same text as for the constructor).
        pub fn configure(&self, query: &str) {
            self.mount.configure(query);
        }

        /// Take the next step; false at the end.
        #[wasm_bindgen(js_name = stepForward)]
        pub fn step_forward(&self) -> bool {
            self.mount.step_forward()
        }

        /// Undo the last step; false at the start.
        #[wasm_bindgen(js_name = stepBack)]
        pub fn step_back(&self) -> bool {
            self.mount.step_back()
        }

        pub fn reset(&self) {
            self.mount.reset();
        }

        /// Go to `steps` steps taken.
        pub fn seek(&self, steps: u32) {
            self.mount.seek(steps as usize);
        }

        /// The current step event as JSON (`null` without a program).
        pub fn state(&self) -> String {
            self.mount.state_json()
        }

        /// The text of an export: `svg`, `markdown`, `latex` or `pytorch`.
        pub fn export(&self, format: &str) -> Result<String, JsError> {
            self.mount.export(format).map_err(|e| JsError::new(&e))
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!(
        "embed is the embeddable viewer's browser module (embed.js in the built site); see the README's Embedding section."
    );
}
