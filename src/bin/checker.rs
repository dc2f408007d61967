//! The page's worker module, run in a Web Worker (`www/check-worker.js`) so the page keeps
//! answering while it works and can stop it: the gradients table's finite-difference
//! check of a large program, and the playground's training on the CPU. Trunk builds it
//! from a `data-type="worker"` link in index.html, which keeps its names unhashed
//! (`checker.js`, an ES module, and `checker_bg.wasm`). It exports:
//!
//! ```js
//! const values = numericGradients("program=…&at=…", Uint32Array.of(0, 5, 1, 0), (done) => …);
//! seedTraining(seed);                 // a relay::Seed, encoded
//! const reply = trainChunk(request);  // a relay::ChunkRequest, encoded; its ChunkReply
//! ```
//!
//! `jobs` are (input slot, element) pairs, flattened; `progress(done)` is called after each.
//! The training messages are `backprop_viz::playground::relay`'s, as `Float64Array`s.

#[cfg(target_arch = "wasm32")]
mod web {
    use backprop_viz::backend::block_on;
    use backprop_viz::playground::relay::{ChunkRequest, Remote, Seed};
    use backprop_viz::session::checking::run_request;
    use std::cell::RefCell;
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

    thread_local! {
        /// The playground's run this worker trains.
        static REMOTE: RefCell<Option<Remote>> = const { RefCell::new(None) };
    }

    /// Build the run the (encoded) seed describes.
    #[wasm_bindgen(js_name = seedTraining)]
    pub fn seed_training(seed: &[f64]) -> Result<(), JsError> {
        let remote = Seed::decode(seed)
            .and_then(Remote::seed)
            .map_err(|why| JsError::new(&why))?;
        REMOTE.with(|slot| *slot.borrow_mut() = Some(remote));
        Ok(())
    }

    /// Train the chunk an (encoded) request asks for; its (encoded) reply.
    #[wasm_bindgen(js_name = trainChunk)]
    pub fn train_chunk(request: &[f64]) -> Result<Vec<f64>, JsError> {
        let clock = js_sys::Date::now;
        let request = ChunkRequest::decode(request).map_err(|why| JsError::new(&why))?;
        REMOTE
            .with(|slot| match slot.borrow_mut().as_mut() {
                Some(remote) => block_on(remote.chunk(request, &clock)),
                None => Err("no run was seeded".into()),
            })
            .map(|reply| reply.encode())
            .map_err(|why| JsError::new(&why))
    }
}

fn main() {}
