//! Long seeks in a Web Worker (`www/check-worker.js`, which runs the `checker` module):
//! one worker, kept while it is idle so it goes on from the stepper it has, terminated
//! when dropped (a seek no longer wanted while it works).

use crate::session::seeking::SeekRequest;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
export function seek_worker() {
  return new Worker(new URL('check-worker.js', document.baseURI), { type: 'module' });
}
export function seek_send(worker, link, from, to, hear) {
  worker.onmessage = ({ data }) => {
    if (data.log) hear('done', 0, data.log);
    else if (data.error) hear('failed:' + data.error, 0, undefined);
    else hear('progress', data.progress, undefined);
  };
  worker.onerror = (event) => hear('failed:' + (event.message || 'the worker did not start'), 0, undefined);
  worker.postMessage({ seek: { link, from, to } });
}
export function seek_stop(worker) { worker.terminate(); }")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn seek_worker() -> Result<JsValue, JsValue>;
    fn seek_send(worker: &JsValue, link: &str, from: u32, to: u32, hear: &Hear);
    fn seek_stop(worker: &JsValue);
}

/// The callback the worker's messages go to: their kind, a progress, a log.
type Hear = Closure<dyn FnMut(String, f64, JsValue)>;

/// What the worker says.
pub enum SeekNews {
    /// This fraction of the work is done.
    Progress(f64),
    /// The steps' log, encoded.
    Done(Vec<f64>),
    Failed(String),
}

/// The seek worker; dropping it stops it.
pub struct SeekWorker {
    worker: JsValue,
    busy: Rc<Cell<bool>>,
    hear: Option<Hear>,
}

impl Drop for SeekWorker {
    fn drop(&mut self) {
        seek_stop(&self.worker);
    }
}

impl SeekWorker {
    pub fn start() -> Result<SeekWorker, String> {
        let worker = seek_worker().map_err(|e| {
            e.as_string()
                .unwrap_or_else(|| "the worker could not start".into())
        })?;
        Ok(SeekWorker {
            worker,
            busy: Rc::new(Cell::new(false)),
            hear: None,
        })
    }

    /// Whether it is working on a seek.
    pub fn busy(&self) -> bool {
        self.busy.get()
    }

    /// Send it `request`; `hear` gets its progress and its end.
    pub fn send(&mut self, request: &SeekRequest, mut hear: impl FnMut(SeekNews) + 'static) {
        let busy = self.busy.clone();
        busy.set(true);
        let callback = Hear::new(move |kind: String, progress: f64, log: JsValue| {
            let news = match kind.strip_prefix("failed:") {
                Some(why) => SeekNews::Failed(why.to_string()),
                None if kind == "done" => SeekNews::Done(js_sys::Float64Array::from(log).to_vec()),
                None => SeekNews::Progress(progress),
            };
            if !matches!(news, SeekNews::Progress(_)) {
                busy.set(false);
            }
            hear(news);
        });
        seek_send(
            &self.worker,
            &request.link,
            request.from as u32,
            request.to as u32,
            &callback,
        );
        self.hear = Some(callback);
    }
}
