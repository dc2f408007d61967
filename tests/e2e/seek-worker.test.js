// Long seeks run in a Web Worker: jumping to the end of the backward pass of two products
// of 250 × 250 matrices (about 0.2 s of work) shows its progress while the page answers
// clicks within 100 ms, then lands on the last step with the gradients finite differences
// agree with; Cancel leaves the view where it was; a link to such a step opens at the
// start and gets there the same way; steps taken once are not computed again.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { slowestClick } from './lib/responsive.js';
import { button, counter, editor, pressShortcut } from './lib/app.js';

const HEAVY = 'A = randn([250, 250], 1)\nB = A @ A\nC = B @ A\nsum(C)';
const STATUS = '.seek-status';
const THEME = 'header button:last-of-type';

async function heavy(app) {
  const page = await app.open('/');
  await editor(page).fill(HEAVY);
  await waitFor('the products', async () =>
    (await page.locator('svg[aria-label="Computation graph"] g[data-node="C"]').count()) === 1,
  );
  return page;
}

const atTheEnd = (page) =>
  waitFor('the last step', async () => {
    const text = await counter(page);
    const [, done, all] = text.match(/(\d+) \/ (\d+)/) ?? [];
    return /^backward/.test(text) && done === all && (await page.locator(STATUS).count()) === 0
      ? { ok: true, value: text }
      : { ok: false, seen: text };
  }, { timeout: 30_000 });

appTest('a long jump runs in a worker while the page answers, and lands right', async (app) => {
  const page = await heavy(app);
  const before = await counter(page);
  await button(page, 'Jump to end of backward').click();
  const status = await page.locator(STATUS).textContent({ timeout: 2000 });
  assert.match(status, /Computing steps 1–\d+ in the background: \d+%/);
  assert.equal(await counter(page), before, 'the view stays while the worker works');
  const slowest = await slowestClick(page, THEME, 1000);
  assert.ok(slowest < 100, `a click answered within 100 ms while seeking (slowest ${slowest.toFixed(0)} ms)`);
  await atTheEnd(page);
  // The worker's gradients are the program's: central differences agree.
  await waitFor('the check done', async () => {
    const text = await page.locator('tr[data-gradient="A"] td:nth-child(4)').textContent();
    return Number(text) < 1e-6 && text !== '' ? { ok: true } : { ok: false, seen: text };
  }, { timeout: 60_000 });
  // Back to the start and to the end again: the steps are known, nothing waits.
  await pressShortcut(page, 'Home');
  await pressShortcut(page, 'End');
  assert.equal(await page.locator(STATUS).count(), 0);
  await atTheEnd(page);
});

appTest('cancel leaves the view where it was', async (app) => {
  const page = await heavy(app);
  const before = await counter(page);
  await button(page, 'Jump to end of backward').click();
  await page.locator(`${STATUS} button`).click({ timeout: 2000 });
  assert.equal(await page.locator(STATUS).count(), 0);
  await page.waitForTimeout(1500);
  assert.equal(await counter(page), before, 'a cancelled seek delivers nothing');
  // Asked again, it gets there.
  await button(page, 'Jump to end of backward').click();
  await atTheEnd(page);
});

appTest('a link to a costly step opens at once and gets there in the background', async (app) => {
  const page = await app.open(`/#program=${encodeURIComponent(HEAVY)}&step=8`);
  await waitFor('the seek', async () => ((await page.locator(STATUS).count()) === 1 ? { ok: true } : { ok: false }), { timeout: 10_000 });
  const slowest = await slowestClick(page, THEME, 500);
  assert.ok(slowest < 100, `a click answered within 100 ms while the link's step is computed (slowest ${slowest.toFixed(0)} ms)`);
  assert.equal(await atTheEnd(page), 'backward 4 / 4');
});
