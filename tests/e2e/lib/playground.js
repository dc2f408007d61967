// Helpers for tensor programs and the training playground (DOM contract in
// README.md): tensor nodes' values as arrays, their cells, and the
// playground's statistics.

import { GRAPH } from './app.js';
import { waitFor } from './wait.js';

/** The nested array in a node's data-value / data-adjoint (JSON; "NaN", "inf" kept). */
export async function tensorOf(page, name, attribute = 'adjoint') {
  const text = await page.getAttribute(`${GRAPH} g[data-node="${name}"]`, `data-${attribute}`);
  return text ? JSON.parse(text) : null;
}

/** The cells of one panel ("value" or "adjoint") of a tensor node: [{ label, text }]. */
export function cellsOf(page, name, panel) {
  return page.$$eval(
    `${GRAPH} g[data-node="${name}"] .cell[aria-label^="${name} ${panel} "]`,
    (cells) => cells.map((c) => ({ label: c.getAttribute('aria-label'), text: c.querySelector('text')?.textContent.trim() ?? '' })),
  );
}

/** The playground's numbers, from the data-* attributes of .train-stats. */
export function trainStats(page) {
  return page.$eval('.train-stats', (dl) => {
    const n = (key) => (dl.dataset[key] === undefined || dl.dataset[key] === '' ? null : Number(dl.dataset[key]));
    return {
      steps: n('steps'),
      loss: n('loss'),
      accuracy: n('accuracy'),
      stepsPerSecond: n('stepsPerSecond'),
      frameMs: n('frameMs'),
      frameMaxMs: n('frameMaxMs'),
    };
  });
}

/** Waits until the playground's stats satisfy `test`; returns them. */
export function waitForStats(page, what, test, options) {
  return waitFor(what, async () => {
    const stats = await trainStats(page);
    return test(stats) ? { ok: true, value: stats } : { ok: false, seen: JSON.stringify(stats) };
  }, options);
}

/** Compares two (nested) arrays of numbers within `tolerance`. */
export function close(actual, expected, tolerance = 1e-9) {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length &&
      expected.every((e, i) => close(actual[i], e, tolerance));
  }
  return typeof actual === 'number' && Math.abs(actual - expected) <= tolerance;
}
