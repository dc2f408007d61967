// No link can freeze the page: three products of 1448 × 1448 matrices are within every
// size limit but would take about a minute, so the work budget refuses them with an error
// at the costliest product. Opened from a share link or an embed, the page shows the
// error and keeps answering clicks within 100 ms.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { slowestClick } from './lib/responsive.js';
import { EMBED_PAGE } from './lib/embed.js';

const HEAVY = 'A = randn([1448,1448],1); B = A @ A; C = B @ A; D = C @ B; sum(D)';

appTest('a link to a minute of work shows the budget error and the page answers clicks', async (app) => {
  const page = await app.open(`/#program=${encodeURIComponent(HEAVY)}`);
  const message = await waitFor('the budget error', async () => {
    const text = await page.locator('#program-error .error-message').textContent({ timeout: 1000 });
    return /floating-point operations; the limit is/.test(text) ? { ok: true, value: text } : { ok: false, seen: text };
  });
  const slowest = await slowestClick(page, 'header button:last-of-type');
  assert.ok(slowest < 100, `a click answered within 100 ms (slowest ${slowest.toFixed(0)} ms)`);
  assert.match(message, /`B @ A` alone needs|`C @ B` alone needs|`A @ A` alone needs/);
  // The costliest product is marked in the editor.
  assert.match(await page.locator('mark[data-error-span]').textContent(), /@/);
});

appTest('an embed of a minute of work shows the budget error and answers clicks', async (app) => {
  const page = await app.context.newPage();
  await page.goto(app.url(`${EMBED_PAGE}#program=${encodeURIComponent(HEAVY)}`), { waitUntil: 'load' });
  await waitFor('the budget error in the embed', async () => {
    const text = await page.locator('backprop-graph [role="alert"]').first().textContent({ timeout: 1000 });
    return /floating-point operations/.test(text) ? { ok: true } : { ok: false, seen: text };
  }, { timeout: 30_000 });
  const slowest = await slowestClick(page, 'body');
  assert.ok(slowest < 100, `a click answered within 100 ms (slowest ${slowest.toFixed(0)} ms)`);
});
