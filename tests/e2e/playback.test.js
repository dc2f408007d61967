// Play runs the steps by itself and stops at the end; the tape marks the values the
// backward pass will still read; the live region says each step in words.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { GRAPH, button, counter, stepForward } from './lib/app.js';

/** Names of the nodes currently marked as held on the tape. */
const tapeNodes = (page) =>
  page.$$eval(`${GRAPH} g[data-node].tape`, (nodes) => nodes.map((n) => n.getAttribute('data-node')).sort());

appTest('the tape holds x1 and v3 until v4 is visited', async (app) => {
  const page = await app.open('/');
  await stepForward(page, 4);
  await waitFor('x1 and v3 on the tape after the forward pass', async () => {
    const tape = await tapeNodes(page);
    return tape.join(' ') === 'v3 x1' ? { ok: true } : { ok: false, seen: tape.join(' ') };
  });
  await app.snap(page, 'tape-after-forward');
  await stepForward(page, 1);
  await waitFor('an empty tape once v4 is visited', async () => {
    const tape = await tapeNodes(page);
    return tape.length === 0 ? { ok: true } : { ok: false, seen: tape.join(' ') };
  });
  const live = await page.locator('[aria-live="polite"][data-live]').textContent();
  assert.match(live, /^Backward step 1 of 4: the output v4 gets adjoint 1\. .*x1 increases by 7 times 1/);
});

appTest('Play steps to the end by itself and Pause stops it', async (app) => {
  const page = await app.open('/');
  await page.getByRole('slider', { name: 'Speed', exact: true }).fill('8');
  await button(page, 'Play').click();
  await waitFor('the button to read Pause while playing', async () =>
    (await button(page, 'Pause').count()) === 1 ? { ok: true } : { ok: false, seen: 'no Pause button' });
  await waitFor('playback to reach the end', async () => {
    const text = await counter(page);
    return text === 'backward 4 / 4' ? { ok: true } : { ok: false, seen: text };
  }, { timeout: 15_000 });
  await waitFor('the button to read Play again', async () =>
    (await button(page, 'Play').count()) === 1 ? { ok: true } : { ok: false, seen: 'no Play button' });

  await button(page, 'Reset').click();
  await button(page, 'Play').click();
  await button(page, 'Pause').click();
  const paused = await counter(page);
  await page.waitForTimeout(600);
  assert.equal(await counter(page), paused, 'no steps after Pause');
});
