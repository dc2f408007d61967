// The "Four ways" view: the seeds' (x1 + x2)·x1 at (3, 4) four ways, with the operation
// counts of the runs (the same numbers the engine's tests work out by hand).

import assert from 'node:assert/strict';
import { appTest, waitFor } from './lib/harness.js';
import { openLesson } from './lib/lessons.js';

const link = (program, at) =>
  `/#program=${encodeURIComponent(program)}&at=${encodeURIComponent(at)}&mode=reverse&step=0`;

appTest('the four ways side by side, with real counts', async (app) => {
  const page = await app.open(link('(x1+x2)*x1', 'x1=3,x2=4'));
  const view = await openLesson(page, 'Four ways');
  for (const way of ['symbolic', 'finite', 'forward', 'reverse']) {
    assert.equal(await view.locator(`[data-way="${way}"]`).count(), 1, way);
  }
  const count = (way, name) =>
    view.locator(`[data-way="${way}"] [data-count="${name}"]`).innerText();
  // Forward mode: one pass per input, 10 operations each; reverse mode: 2 forward, 5 backward.
  assert.equal(await count('forward', 'passes'), '2');
  assert.equal(await count('forward', 'operations'), '20');
  assert.equal(await count('reverse', 'passes'), '1');
  assert.equal(await count('reverse', 'forward'), '2');
  assert.equal(await count('reverse', 'backward'), '5');
  const ratio = Number(await view.locator('[data-way="reverse"] [data-ratio]').getAttribute('data-ratio'));
  assert.equal(ratio, 3.5);

  const symbolic = await view.locator('[data-way="symbolic"]').innerText();
  assert.match(symbolic, /∂\/∂x1 = /);
  assert.match(symbolic, /value 10\b/, '∂/∂x1 = 2·x1 + x2 = 10');
  assert.equal(await view.locator('[data-way="symbolic"] svg .lp-line.derivative').count(), 1);

  // The sweep: both differences drawn on log-log axes, the best h marked near ∛ε.
  const finite = view.locator('[data-way="finite"]');
  assert.equal(await finite.locator('svg .lp-line').count(), 2);
  assert.equal(await finite.locator('svg .lp-best').count(), 1);
  // A quadratic's central difference is exact at every h: the first, 0.1, is as good as any.
  const h = Number(await finite.locator('[data-best-h]').getAttribute('data-best-h'));
  assert.equal(h, 0.1);
  // The second input's sweep.
  await finite.getByRole('combobox').selectOption({ label: 'x2' });
  await waitFor('x2\'s sweep', async () => /against the gradient 3\b/.test(await finite.innerText()));
  await app.snap(page, 'four-ways');
});

appTest('a longer chain swells its derivative, and tensors are refused', async (app) => {
  const page = await app.open(link('sin(sin(sin(sin(x))))', 'x=0.5'));
  const view = await openLesson(page, 'Four ways');
  const text = await view.locator('[data-way="symbolic"]').innerText();
  // Each sin adds a cos of everything under it: 2, 6, 11, 17 nodes.
  assert.match(text, /its derivatives 17 nodes/, text);
  assert.equal(await view.locator('[data-way="symbolic"] svg .lp-dot.derivative').count(), 4);
  // Truncation against round-off: the central difference is best near ∛ε ≈ 6e-6.
  const h = Number(await view.locator('[data-way="finite"] [data-best-h]').getAttribute('data-best-h'));
  assert.ok(h >= 1e-7 && h <= 1e-4, `best h ${h}`);

  const other = await app.open(link('W = [1, 2]; sum(W * x)', 'x=1'));
  const refused = await openLesson(other, 'Four ways');
  await waitFor('the refusal', async () => /`W` is a tensor/.test(await refused.innerText()));
});
