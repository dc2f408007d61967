//! The training worker as the playground holds it (`Offload`) and its glue: start it
//! (`www/check-worker.js`, the `checker` module), send it a chunk, stop it; dropping a
//! running worker terminates it. What is sent and when is [`super::offload`]'s.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
export function start_trainer() {
  const worker = new Worker(new URL('check-worker.js', document.baseURI), { type: 'module' });
  const answer = (data) => { const a = worker.answer; worker.answer = null; if (a) a(data); };
  worker.onmessage = ({ data }) => answer(data);
  worker.onerror = (event) => answer({ error: event.message || 'the training worker did not start' });
  return worker;
}
export function train_chunk(worker, seeding, seed, request) {
  return new Promise((resolve) => {
    worker.answer = resolve;
    const chunk = request.slice();
    const message = seeding ? { seed: seed.slice(), chunk } : { chunk };
    worker.postMessage(message, seeding ? [chunk.buffer, message.seed.buffer] : [chunk.buffer]);
  });
}
export function stop_trainer(worker) {
  worker.terminate();
  const a = worker.answer; worker.answer = null; if (a) a(null);
}")]
extern "C" {
    #[wasm_bindgen(catch)]
    pub(super) fn start_trainer() -> Result<JsValue, JsValue>;
    pub(super) fn train_chunk(
        worker: &JsValue,
        seeding: bool,
        seed: &[f64],
        request: &[f64],
    ) -> js_sys::Promise;
    fn stop_trainer(worker: &JsValue);
}

/// The training worker, as the playground holds it.
#[derive(Default)]
pub enum Offload {
    /// None started: the next CPU chunk starts one.
    #[default]
    Idle,
    /// Started; `seeded` once it has the run's program.
    Running { worker: JsValue, seeded: bool },
    /// It failed for this run: the page trains on its own thread until the run changes.
    Failed,
}

impl Drop for Offload {
    fn drop(&mut self) {
        if let Offload::Running { worker, .. } = self {
            stop_trainer(worker);
        }
    }
}
