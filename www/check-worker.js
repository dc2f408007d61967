// The page's worker: the gradients table's finite-difference check of a large program,
// long seeks of the app's stepper, and the playground's training on the CPU, off the
// page's thread.
// Check: the page posts { link, jobs } (jobs: input slot, element, slot, element, …) and
// receives { done } after each difference, then { values } or { error }.
// Seek: the page posts { seek: { link, from, to } } and receives { progress } (a fraction
// of the work) as it goes, then { log } (a Float64Array) or { error }; the worker keeps its
// stepper for the next seek of the same link.
// Training: the page posts { seed?, chunk } (Float64Arrays: an encoded seed and request)
// and receives the chunk's reply { numbers } (a Float64Array), or { error }.
// To stop either, the page terminates the worker.
import init, { numericGradients, seedTraining, seekSteps, trainChunk } from './checker.js';

const ready = init();

self.onmessage = async ({ data }) => {
  try {
    await ready;
    if (data.chunk) {
      if (data.seed) seedTraining(data.seed);
      const numbers = trainChunk(data.chunk);
      self.postMessage({ numbers }, [numbers.buffer]);
      return;
    }
    if (data.seek) {
      const { link, from, to } = data.seek;
      const log = seekSteps(link, from, to, (progress) => self.postMessage({ progress }));
      self.postMessage({ log }, [log.buffer]);
      return;
    }
    const values = numericGradients(data.link, Uint32Array.from(data.jobs), (done) =>
      self.postMessage({ done }),
    );
    self.postMessage({ values: Array.from(values) });
  } catch (error) {
    self.postMessage({ error: String(error?.message ?? error) });
  }
};
