// The embed's `step` event fires once per step, however the steps are taken: three
// synchronous stepForward() calls fire three events, in order, and a button press one.

import assert from 'node:assert/strict';

import { appTest } from './lib/harness.js';
import { waitFor } from './lib/wait.js';
import { COURSE, openPage, stepEvents } from './lib/embed.js';

appTest('three synchronous stepForward() calls fire three step events', async (app) => {
  const page = await openPage(app, COURSE, { embeds: 4 });
  const before = (await stepEvents(page)).length;
  const results = await page.evaluate(() => {
    const graph = document.getElementById('two-paths');
    return [graph.stepForward(), graph.stepForward(), graph.stepForward()];
  });
  assert.deepEqual(results, [true, true, true]);
  await page.waitForTimeout(300);
  const events = (await stepEvents(page)).slice(before).filter((e) => e.id === 'two-paths');
  assert.deepEqual(
    events.map((e) => e.detail.step),
    [1, 2, 3],
    `one event per step: ${JSON.stringify(events.map((e) => e.detail.counter))}`,
  );

  // A press of the element's own button: one more event, not two.
  const count = (await stepEvents(page)).length;
  await page.evaluate(() => {
    const root = document.getElementById('two-paths').shadowRoot;
    [...root.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Step forward').click();
  });
  await waitFor('the button’s event', async () =>
    (await stepEvents(page)).length > count ? { ok: true } : { ok: false },
  );
  await page.waitForTimeout(300);
  const after = (await stepEvents(page)).slice(count);
  assert.equal(after.length, 1, JSON.stringify(after.map((e) => e.detail.counter)));
  assert.equal(after[0].detail.step, 4);
});
