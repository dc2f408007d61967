//! The page's worker module, run in a Web Worker (`www/check-worker.js`) so the page keeps
//! answering while it works and can stop it: the gradients table's finite-difference
//! check of a large program, and the playground's training on the CPU. Trunk builds it
//! from a `data-type="worker"` link in index.html, which keeps its names unhashed
//! (`checker.js`, an ES module, and `checker_bg.wasm`). It exports:
//!
//! ```js
//! const values = numericGradients("program=…&at=…", Uint32Array.of(0, 5, 1, 0), (done) => …);
//! seedTraining(head, numbers);                     // a relay::Seed
//! const [replyHead, replyNumbers] = trainChunk(head, numbers); // a ChunkRequest, its reply
//! ```
//!
//! `jobs` are (input slot, element) pairs, flattened; `progress(done)` is called after each.
//! The training messages are `backprop_viz::playground::relay`'s: a head (JSON) and numbers.

#[cfg(target_arch = "wasm32")]
mod web {
    use backprop_viz::backend::block_on;
    use backprop_viz::playground::relay::{ChunkReply, ChunkRequest, Remote, Seed};
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

    /// Build the run the seed (a head and its numbers) describes.
    #[wasm_bindgen(js_name = seedTraining)]
    pub fn seed_training(head: &str, numbers: &[f64]) -> Result<(), JsError> {
        let remote = Seed::decode(head, numbers)
            .and_then(Remote::seed)
            .map_err(|why| JsError::new(&why))?;
        REMOTE.with(|slot| *slot.borrow_mut() = Some(remote));
        Ok(())
    }

    /// Train the chunk a request (a head and its numbers) asks for; its reply, as
    /// `[head, Float64Array]`.
    #[wasm_bindgen(js_name = trainChunk)]
    pub fn train_chunk(head: &str, numbers: &[f64]) -> js_sys::Array {
        let clock = js_sys::Date::now;
        let reply = match ChunkRequest::decode(head, numbers) {
            Ok(request) => REMOTE.with(|slot| match slot.borrow_mut().as_mut() {
                Some(remote) => block_on(remote.chunk(request, &clock)),
                None => ChunkReply::Failed("no run was seeded".into()),
            }),
            Err(why) => ChunkReply::Failed(why),
        };
        let (head, numbers) = reply.encode();
        js_sys::Array::of2(
            &JsValue::from(head),
            &js_sys::Float64Array::from(numbers.as_slice()),
        )
    }
}

fn main() {}
