//! Long seeks in a Web Worker (`www/check-worker.js`, which runs the `checker` module):
//! one worker, kept while it is idle so it goes on from the stepper it has, terminated
//! when dropped (a seek no longer wanted while it works); [`offload_seeks`] hands it a
//! session's waiting seeks.

use crate::engine::compute::Log;
use crate::session::Session;
use crate::session::seeking::{SeekRequest, SeekResult};
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;

/// A seek being computed by a worker: from and to which step, and how far it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeekProgress {
    pub from: usize,
    pub to: usize,
    /// The fraction of the work done.
    pub done: f64,
}

#[wasm_bindgen(inline_js = "
export function seek_worker() {
  return new Worker(new URL('check-worker.js', document.baseURI), { type: 'module' });
}
export function seek_send(worker, link, from, to, hear) {
  worker.onmessage = ({ data }) => {
    if (data.log) hear(1, 0, data.log);
    else if (data.error) hear(2, 0, undefined);
    else hear(0, data.progress, undefined);
  };
  worker.onerror = () => hear(2, 0, undefined);
  worker.postMessage({ seek: { link, from, to } });
}
export function seek_stop(worker) { worker.terminate(); }")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn seek_worker() -> Result<JsValue, JsValue>;
    fn seek_send(worker: &JsValue, link: &str, from: u32, to: u32, hear: &Hear);
    fn seek_stop(worker: &JsValue);
}

/// The callback the worker's messages go to: their kind (0 progress, 1 done, 2 failed),
/// a progress, a log.
type Hear = Closure<dyn FnMut(u32, f64, JsValue)>;

/// What the worker says.
pub enum SeekNews {
    /// This fraction of the work is done.
    Progress(f64),
    /// The steps' log, encoded.
    Done(Vec<f64>),
    /// The worker failed (it could not start, or the link did not build).
    Failed,
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
    /// A new worker; None where the page cannot start one.
    pub fn start() -> Option<SeekWorker> {
        Some(SeekWorker {
            worker: seek_worker().ok()?,
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
        let callback = Hear::new(move |kind: u32, progress: f64, log: JsValue| {
            let news = match kind {
                0 => SeekNews::Progress(progress),
                1 => SeekNews::Done(js_sys::Float64Array::from(log).to_vec()),
                _ => SeekNews::Failed,
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

/// Carry out the seeks the session leaves to a worker: send each to the seek worker (a
/// new one when the last is still busy with a seek no longer wanted), show its progress,
/// and finish the seek with its steps. Where a worker cannot start or fails, the seek
/// runs on the page.
pub fn offload_seeks(session: RwSignal<Session>, seeking: RwSignal<Option<SeekProgress>>) {
    let worker = StoredValue::new_local(None::<SeekWorker>);
    Effect::new(move |before: Option<Option<(u64, usize)>>| {
        let pending = session.with(|s| s.pending().map(|to| (s.revision(), to)));
        if before == Some(pending) {
            return pending;
        }
        // A seek it still works on is no longer wanted.
        worker.update_value(|w| {
            if w.as_ref().is_some_and(SeekWorker::busy) {
                *w = None;
            }
        });
        let Some((revision, to)) = pending else {
            seeking.set(None);
            return pending;
        };
        let Some(request) = session.with_untracked(Session::pending_seek) else {
            return pending;
        };
        seeking.set(Some(SeekProgress {
            from: request.from,
            to,
            done: 0.0,
        }));
        // Out of the worker's callback, which dropping the worker frees.
        let on_page = move || {
            set_timeout(
                move || {
                    // Nothing when the view is gone meanwhile.
                    worker.try_set_value(None);
                    session.try_update(|s| s.seek_here(to));
                },
                Duration::ZERO,
            );
        };
        let hear = move |news| match news {
            SeekNews::Progress(done) => {
                seeking.try_update(|p| {
                    if let Some(p) = p {
                        p.done = done;
                    }
                });
            }
            SeekNews::Done(numbers) => match Log::decode(&numbers) {
                Ok(log) => {
                    session.try_update(|s| s.finish_seek(SeekResult { revision, to, log }));
                }
                Err(_) => on_page(),
            },
            SeekNews::Failed => on_page(),
        };
        if worker.with_value(Option::is_none) {
            match SeekWorker::start() {
                Some(started) => worker.set_value(Some(started)),
                None => {
                    on_page();
                    return pending;
                }
            }
        }
        worker.update_value(|w| {
            if let Some(w) = w {
                w.send(&request, hear);
            }
        });
        pending
    });
}
