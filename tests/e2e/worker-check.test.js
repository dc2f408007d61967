// The finite-difference check of a large program runs in a Web Worker: the gradients
// table says how far it is while the page keeps answering clicks within 100 ms, then
// shows the relative errors; Cancel stops it, and "Check again" runs it again.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { slowestClick } from './lib/responsive.js';
import { button, editor } from './lib/app.js';

/** A product of two 300 × 300 matrices: 54 million operations a forward pass, 16 of them
 * per checked number, so the check takes a while. */
const HEAVY = 'A = randn([300, 300], 1)\nB = randn([300, 300], 2)\nsum(tanh(A @ B))';

const status = (page) => page.locator('[data-check-status]').getAttribute('data-check-status');

async function heavyAtTheEnd(app) {
  const page = await app.open('/');
  await editor(page).fill(HEAVY);
  await waitFor('the product', async () =>
    (await page.locator('svg[aria-label="Computation graph"] g[data-node="A"]').count()) === 1,
  );
  await button(page, 'Jump to end of backward').click();
  await waitFor('the check running', async () => ((await status(page)) === 'running' ? { ok: true } : { ok: false, seen: await status(page) }), { timeout: 20_000 });
  return page;
}

const errorOf = (page, input) => page.locator(`tr[data-gradient="${input}"] td:nth-child(4)`).textContent();

appTest('a large program is checked in a worker while the page answers', async (app) => {
  const page = await heavyAtTheEnd(app);
  assert.match(await page.locator('tr[data-gradient="A"] td:nth-child(3)').textContent(), /checking/);
  assert.match(await page.locator('[data-check-status]').textContent(), /Checking in the background: \d+ of \d+ differences/);
  // While the worker works, a click on the theme button is answered within 100 ms.
  const slowest = await slowestClick(page, 'header button:last-of-type', 1500);
  assert.ok(slowest < 100, `a click answered within 100 ms while checking (slowest ${slowest.toFixed(0)} ms)`);
  await waitFor('the check done', async () => ((await status(page)) === 'idle' ? { ok: true } : { ok: false, seen: await status(page) }), { timeout: 60_000 });
  for (const input of ['A', 'B']) {
    const error = Number(await errorOf(page, input));
    assert.ok(error < 1e-6, `${input}: relative error ${error}`);
    assert.match(await page.locator(`tr[data-gradient="${input}"] td:nth-child(3)`).textContent(), /\d of 90000 elements/);
  }
});

appTest('cancel stops the check, and check again runs it', async (app) => {
  const page = await heavyAtTheEnd(app);
  await page.locator('[data-check-status] button').click();
  assert.equal(await status(page), 'cancelled');
  assert.equal(await page.locator('tr[data-gradient="A"] td:nth-child(3)').textContent(), 'not checked');
  await page.waitForTimeout(1500);
  assert.equal(await status(page), 'cancelled', 'a cancelled worker delivers nothing');
  assert.equal(await errorOf(page, 'A'), '');
  await button(page, 'Check again').click();
  await waitFor('the check done again', async () => ((await status(page)) === 'idle' ? { ok: true } : { ok: false, seen: await status(page) }), { timeout: 60_000 });
  assert.ok(Number(await errorOf(page, 'A')) < 1e-6);
});
