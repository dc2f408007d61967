//! The gradients table's finite-difference check of a large program, as its own wasm
//! module run in a Web Worker (`www/check-worker.js`), so the page keeps answering while it
//! works and can stop it. Trunk builds it from a `data-type="worker"` link in index.html,
//! which keeps its names unhashed (`checker.js`, an ES module, and `checker_bg.wasm`). It
//! exports one function:
//!
//! ```js
//! const values = numericGradients("program=…&at=…", Uint32Array.of(0, 5, 1, 0), (done) => …);
//! ```
//!
//! `jobs` are (input slot, element) pairs, flattened; `progress(done)` is called after each.

#[cfg(target_arch = "wasm32")]
mod web {
    use backprop_viz::session::checking::run_request;
    use wasm_bindgen::prelude::*;

    /// Central differences of the program `link` describes at each (slot, element) pair
    /// of `jobs`, calling `progress(done)` after each.
    #[wasm_bindgen(js_name = numericGradients)]
    pub fn numeric_gradients(
        link: &str,
        jobs: &[u32],
        progress: &js_sys::Function,
    ) -> Result<Vec<f64>, JsError> {
        let pairs: Vec<(usize, usize)> = jobs
            .chunks_exact(2)
            .map(|pair| (pair[0] as usize, pair[1] as usize))
            .collect();
        run_request(link, &pairs, |done| {
            let _ = progress.call1(&JsValue::NULL, &JsValue::from(done as u32));
        })
        .map_err(|why| JsError::new(&why))
    }
}

fn main() {}
