//! The gradients table's finite-difference check in a Web Worker (`www/check-worker.js`,
//! which runs the `checker` module): started with a request, heard through a callback,
//! stopped by dropping the job (the worker is terminated).

use crate::session::checking::CheckRequest;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
export function start_check(link, jobs, hear) {
  const worker = new Worker(new URL('check-worker.js', document.baseURI), { type: 'module' });
  worker.onmessage = ({ data }) => {
    if (data.values) hear('done', 0, Float64Array.from(data.values));
    else if (data.error) hear('failed:' + data.error, 0, undefined);
    else hear('progress', data.done, undefined);
  };
  worker.onerror = (event) => hear('failed:' + (event.message || 'the check did not start'), 0, undefined);
  worker.postMessage({ link, jobs: Array.from(jobs) });
  return worker;
}
export function stop_check(worker) { worker.terminate(); }")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn start_check(
        link: &str,
        jobs: &[u32],
        hear: &Closure<dyn FnMut(String, u32, JsValue)>,
    ) -> Result<JsValue, JsValue>;
    fn stop_check(worker: &JsValue);
}

/// What the worker says.
pub enum CheckNews {
    /// This many differences are done.
    Progress(usize),
    /// All of them, in the request's order.
    Done(Vec<f64>),
    Failed(String),
}

/// A running check; dropping it stops the worker.
pub struct CheckJob {
    worker: JsValue,
    _hear: Closure<dyn FnMut(String, u32, JsValue)>,
}

impl Drop for CheckJob {
    fn drop(&mut self) {
        stop_check(&self.worker);
    }
}

/// Start `request` in a new worker; `hear` gets its progress and its end.
pub fn start(
    request: &CheckRequest,
    mut hear: impl FnMut(CheckNews) + 'static,
) -> Result<CheckJob, String> {
    let jobs: Vec<u32> = (request.jobs.iter())
        .flat_map(|&(slot, element)| [slot as u32, element as u32])
        .collect();
    let callback = Closure::<dyn FnMut(String, u32, JsValue)>::new(
        move |kind: String, done: u32, values: JsValue| {
            hear(match kind.strip_prefix("failed:") {
                Some(why) => CheckNews::Failed(why.to_string()),
                None if kind == "done" => {
                    CheckNews::Done(js_sys::Float64Array::from(values).to_vec())
                }
                None => CheckNews::Progress(done as usize),
            })
        },
    );
    let worker = start_check(&request.link, &jobs, &callback).map_err(|e| {
        e.as_string()
            .unwrap_or_else(|| "the check could not start".into())
    })?;
    Ok(CheckJob {
        worker,
        _hear: callback,
    })
}
