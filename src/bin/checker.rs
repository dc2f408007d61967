//! The page's worker module, run in a Web Worker (`www/check-worker.js`) so the page keeps
//! answering while it works and can stop it: the gradients table's finite-difference
//! check of a large program, long seeks of the app's stepper, and the playground's
//! training on the CPU. Trunk builds it
//! from a `data-type="worker"` link in index.html, which keeps its names unhashed
//! (`checker.js`, an ES module, and `checker_bg.wasm`). It exports:
//!
//! ```js
//! const values = numericGradients("program=…&at=…", Uint32Array.of(0, 5, 1, 0), (done) => …);
//! const log = seekSteps("program=…&step=0", from, to, (fraction) => …);
//! seedTraining(seed);                 // a relay::Seed, encoded
//! const reply = trainChunk(request);  // a relay::ChunkRequest, encoded; its ChunkReply
//! ```
//!
//! `jobs` are (input slot, element) pairs, flattened; `progress(done)` is called after each.
//! `seekSteps` records steps `from..to` of the link's program (`session::seeking`) and
//! returns their log, encoded (`engine::compute::Log`); the worker keeps its stepper for
//! the next seek of the same link.
//! The training messages are `backprop_viz::playground::relay`'s, as `Float64Array`s.

#[cfg(target_arch = "wasm32")]
mod web {
    use backprop_viz::backend::block_on;
    use backprop_viz::playground::relay::{ChunkRequest, Remote, Seed};
    use backprop_viz::session::checking::run_request;
    use backprop_viz::session::seeking::{SeekRequest, Seeker};
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

    /// Steps `from..to` of the program `link` describes, recorded; `progress(fraction)`
    /// each time another percent of the work is done.
    #[wasm_bindgen(js_name = seekSteps)]
    pub fn seek_steps(
        link: String,
        from: u32,
        to: u32,
        progress: &js_sys::Function,
    ) -> Result<Vec<f64>, JsError> {
        let request = SeekRequest {
            revision: 0,
            link,
            from: from as usize,
            to: to as usize,
        };
        let mut told = 0.0;
        SEEKER
            .with(|kept| {
                Seeker::run(&mut kept.borrow_mut(), &request, |fraction| {
                    if fraction - told >= 0.01 {
                        told = fraction;
                        let _ = progress.call1(&JsValue::NULL, &JsValue::from(fraction));
                    }
                })
            })
            .map(|log| log.encode())
            .map_err(|why| JsError::new(&why))
    }

    thread_local! {
        /// The playground's run this worker trains.
        static REMOTE: RefCell<Option<Remote>> = const { RefCell::new(None) };
        /// The stepper of the last seek, for the next one of the same link.
        static SEEKER: RefCell<Option<Seeker>> = const { RefCell::new(None) };
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
