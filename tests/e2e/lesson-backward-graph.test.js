// The "Backward graph" view: x³ at 2, its backward pass stepped node by node to the
// gradient 12, differentiated again to the second derivative 12; a Hessian–vector product
// along a typed direction; the node counts of the first-order and the backward graph.

import assert from 'node:assert/strict';
import { appTest, waitFor } from './lib/harness.js';
import { openLesson } from './lib/lessons.js';

const link = (program, at) =>
  `/#program=${encodeURIComponent(program)}&at=${encodeURIComponent(at)}&mode=reverse&step=0`;

appTest('x^3 at 2: steps to the gradient 12 and a second derivative of 12', async (app) => {
  const page = await app.open(link('x^3', 'x=2'));
  const view = await openLesson(page, 'Backward graph');
  assert.equal(await view.locator('[data-second-derivative]').innerText(), '12');
  assert.equal(await view.locator('[data-forward-nodes]').innerText(), '1');
  assert.ok(Number(await view.locator('[data-backward-nodes]').innerText()) >= 2);

  const step = () => view.locator('[data-bg-step]').getAttribute('data-bg-step');
  const next = view.getByRole('button', { name: 'Next ▶' });
  const back = view.getByRole('button', { name: '◀ Back' });
  assert.equal(await step(), '0');
  assert.equal(await back.isDisabled(), true);
  const pending = () => view.locator('.bg-node.pending').count();
  const before = await pending();
  assert.ok(before >= 2);
  await next.click();
  await waitFor('step 1', async () => (await step()) === '1');
  assert.equal(await view.locator('.bg-node.current').count(), 1);
  assert.equal(await pending(), before - 1);
  let k = 1;
  while (!(await next.isDisabled())) {
    await next.click();
    k += 1;
    await waitFor(`step ${k}`, async () => (await step()) === String(k));
  }
  assert.equal(k, before);
  // The last step computes the gradient: 3·x² = 12.
  assert.match(await view.locator('[data-bg-now]').innerText(), /^x̄ = .* = 12$/);
  await back.click();
  await waitFor('a step back', async () => (await step()) === String(k - 1));

  // H·v along x = 2: 6x · 2 = 24.
  const direction = view.getByRole('textbox', { name: 'Direction v' });
  await direction.fill('x=2');
  await direction.press('Enter');
  await waitFor('H·v', async () => /H·v = \(x: 24\)/.test(await view.locator('[data-hvp]').innerText()));
  await direction.fill('y=1');
  await direction.press('Enter');
  await waitFor('an unknown input named', async () =>
    /no input named `y`/.test(await view.locator('[data-hvp]').innerText()));
  await app.snap(page, 'backward-graph');
});

appTest('two inputs: the Hessian as a table', async (app) => {
  const page = await app.open(link('x*y^2', 'x=1,y=3'));
  const view = await openLesson(page, 'Backward graph');
  // ∂²/∂x² = 0, ∂²/∂y² = 2x = 2, ∂²/∂x∂y = 2y = 6.
  assert.equal(await view.locator('[data-second-derivative="x"]').innerText(), '0');
  assert.equal(await view.locator('[data-second-derivative="y"]').innerText(), '2');
  const cells = await view.locator('.hessian td').allInnerTexts();
  assert.deepEqual(cells, ['0', '6', '6', '2']);
});
