// The gradients table's finite-difference check of a large program, off the page's thread.
// The page posts { link, jobs } (jobs: input slot, element, slot, element, …) and receives
// { done } after each difference, then { values } or { error }. To stop it, the page
// terminates the worker.
import init, { numericGradients } from './checker.js';

const ready = init();

self.onmessage = async ({ data }) => {
  try {
    await ready;
    const values = numericGradients(data.link, Uint32Array.from(data.jobs), (done) =>
      self.postMessage({ done }),
    );
    self.postMessage({ values: Array.from(values) });
  } catch (error) {
    self.postMessage({ error: String(error?.message ?? error) });
  }
};
