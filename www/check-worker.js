// The page's worker: the gradients table's finite-difference check of a large program,
// and the playground's training on the CPU, off the page's thread.
// Check: the page posts { link, jobs } (jobs: input slot, element, slot, element, …) and
// receives { done } after each difference, then { values } or { error }.
// Training: the page posts { seed?, chunk } (Float64Arrays: an encoded seed and request)
// and receives the chunk's reply { numbers } (a Float64Array), or { error }.
// To stop either, the page terminates the worker.
import init, { numericGradients, seedTraining, trainChunk } from './checker.js';

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
    const values = numericGradients(data.link, Uint32Array.from(data.jobs), (done) =>
      self.postMessage({ done }),
    );
    self.postMessage({ values: Array.from(values) });
  } catch (error) {
    self.postMessage({ error: String(error?.message ?? error) });
  }
};
