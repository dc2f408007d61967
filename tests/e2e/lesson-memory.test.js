// The Memory view: the bytes held at each step and the timeline over the whole schedule
// (its cursor follows the app's steps, a click seeks); checkpointing (√N on the deep
// chain) stepping through a recompute step and back; f16 flagging an underflowed
// gradient in the graph, and loss scaling bringing it back.

import assert from 'node:assert/strict';
import { appTest } from './lib/harness.js';
import { GRAPH, button, counter, stepForward, stepBack } from './lib/app.js';
import { openLesson, lessonAtStep } from './lib/lessons.js';
import { waitFor } from './lib/wait.js';

const TIMELINE = '[data-lesson-view="memory"] svg[data-memory-timeline]';

async function cursorX(page) {
  return Number(await page.locator(`${TIMELINE} line.cursor`).getAttribute('data-x'));
}

async function loadExample(page, slug, node) {
  await page.locator(`[data-memory-example="${slug}"]`).click();
  await page.locator(`${GRAPH} g[data-node="${node}"]`).waitFor();
  await lessonAtStep(page, 0);
}

appTest('the timeline is drawn and its cursor moves with the steps', async (app) => {
  const page = await app.open('/');
  await openLesson(page, 'Memory');
  const timeline = page.locator(TIMELINE);
  await timeline.waitFor();
  assert.equal(await timeline.getAttribute('data-cursor'), '0');
  assert.equal(await page.locator(`${TIMELINE} path.layer`).count(), 3);
  const start = await cursorX(page);

  // The two-paths example by hand, in f64: after v4's backward step (step 5) 40 bytes are
  // held (x1, x2, v4 and two gradients), the peak was 56, and v3 was freed.
  await stepForward(page, 5);
  await lessonAtStep(page, 5);
  assert.equal(await timeline.getAttribute('data-cursor'), '5');
  assert.ok((await cursorX(page)) > start, 'the cursor moved right');
  const figures = page.locator('.memory-figures');
  assert.equal(await figures.getAttribute('data-held'), '40');
  assert.equal(await figures.getAttribute('data-peak'), '56');
  assert.equal(await figures.getAttribute('data-freed'), 'v3');
  await app.snap(page, 'memory-timeline');

  await stepBack(page);
  await lessonAtStep(page, 4);
  assert.equal(await timeline.getAttribute('data-cursor'), '4');

  // A click near the right edge seeks the app to the end.
  const box = await timeline.boundingBox();
  await timeline.click({ position: { x: box.width - 3, y: box.height / 2 } });
  await waitFor('the app at the end', async () => (await counter(page)).startsWith('backward 4 / 4'));
  await lessonAtStep(page, 8);
});

appTest('√N checkpointing on the deep chain steps through a recompute step, and back', async (app) => {
  const page = await app.open('/');
  await openLesson(page, 'Memory');
  await loadExample(page, 'deep-chain', 'h24');
  await page.locator('[data-checkpoint="sqrt"]').click();
  const sqrt = page.locator('[data-checkpoint="sqrt"][aria-pressed="true"]');
  await sqrt.waitFor();
  assert.match(page.url(), /checkpoint=h5%2Ch10%2Ch15%2Ch20/);
  const trade = page.locator('.memory-tradeoff');
  assert.equal(await trade.getAttribute('data-peak'), '6152');
  assert.equal(await trade.getAttribute('data-plain-peak'), '14344');
  assert.equal(await trade.getAttribute('data-recomputes'), '40');
  assert.equal(await page.locator('.chip[data-chip="h5"]').getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator('.chip[data-chip="h6"]').getAttribute('aria-pressed'), 'false');
  assert.ok((await page.locator('.memory-sweep[data-sweep="24"]').count()) === 1, 'the chart over k');

  await button(page, 'Jump to end of forward').click();
  // h1 was computed and discarded (not a checkpoint); h5 is kept.
  await page.locator(`${GRAPH} g[data-node="h1"][data-discarded]`).waitFor();
  assert.equal(await page.locator(`${GRAPH} g[data-node="h5"][data-discarded]`).count(), 0);
  const heading = page.locator('.explanation .step-heading');
  let steps = 0;
  while (!/recompute/.test((await heading.textContent()) ?? '')) {
    await stepForward(page);
    steps += 1;
    assert.ok(steps < 10, 'a recompute step comes within the first backward steps');
  }
  const text = await heading.textContent();
  const name = text.match(/recompute (\S+)/)[1];
  assert.match(await page.locator('.explanation .recompute-note').textContent(), /discarded/);
  assert.equal(await page.locator(`${GRAPH} g[data-node="${name}"][data-discarded]`).count(), 0,
    `${name} is held again`);
  await app.snap(page, 'memory-recompute');

  await stepBack(page);
  await page.locator(`${GRAPH} g[data-node="${name}"][data-discarded]`).waitFor();
  assert.doesNotMatch((await heading.textContent()) ?? '', new RegExp(`recompute ${name}$`));

  // None: plain mode again, nothing discarded.
  await page.locator('[data-checkpoint="none"]').click();
  await page.locator('[data-checkpoint="none"][aria-pressed="true"]').waitFor();
  assert.doesNotMatch(page.url(), /checkpoint=/);
  await waitFor('nothing discarded', async () =>
    (await page.locator(`${GRAPH} g[data-discarded]`).count()) === 0);
});

appTest('f16 flags an underflowed gradient in the graph, and loss scaling clears it', async (app) => {
  const page = await app.open('/');
  await openLesson(page, 'Memory');
  await loadExample(page, 'f16-underflow', 'r');
  await page.locator('[data-precision="f16"]').click();
  await page.locator('[data-precision="f16"][aria-pressed="true"]').waitFor();
  assert.match(page.url(), /precision=f16/);
  await button(page, 'Jump to end of backward').click();
  const flagged = page.locator(`${GRAPH} g[data-node="r"][data-underflow]`);
  await flagged.waitFor();
  assert.match(await flagged.locator('title').textContent(), /underflowed to 0/);
  assert.match(await page.locator('.memory-lost').textContent(), /r \(underflowed to 0\)/);
  // Every gradient number is lost against f64.
  assert.equal((await page.locator('tr[data-drift="w"] td').first().textContent()).trim(), '4 of 4');
  await app.snap(page, 'memory-underflow');

  await page.locator('[data-loss-scale="static"]').click();
  await page.locator('[data-loss-scale="static"][aria-pressed="true"]').waitFor();
  assert.match(page.url(), /loss-scale=1024/);
  await button(page, 'Jump to end of backward').click();
  await waitFor('no underflow flagged', async () =>
    (await page.locator(`${GRAPH} g[data-underflow]`).count()) === 0);
  assert.match(await page.locator('.memory-lost').textContent(), /No gradient lost/);
  assert.equal((await page.locator('tr[data-drift="w"] td').first().textContent()).trim(), '0 of 4');
});

appTest('checkpoints are picked by pressing nodes in the graph', async (app) => {
  const page = await app.open('/');
  await openLesson(page, 'Memory');
  await loadExample(page, 'deep-chain', 'h24');
  const chip = (name) => page.locator(`.chip[data-chip="${name}"]`);
  assert.equal(await chip('h3').getAttribute('aria-pressed'), 'true', 'plain mode keeps every value');
  const pick = page.locator('[data-pick-in-graph]');
  await pick.click();
  assert.equal(await pick.getAttribute('aria-pressed'), 'true');

  // A press on h3's box discards it; Enter on h7's box too.
  await page.locator(`${GRAPH} g[data-node="h3"]`).click();
  await waitFor('h3 discarded', async () => (await chip('h3').getAttribute('aria-pressed')) === 'false');
  assert.match(page.url(), /checkpoint=/);
  assert.doesNotMatch(decodeURIComponent(page.url()), /[=,]h3[,&]/);
  await page.locator(`${GRAPH} g[data-node="h7"]`).focus();
  await page.keyboard.press('Enter');
  await waitFor('h7 discarded', async () => (await chip('h7').getAttribute('aria-pressed')) === 'false');
  assert.equal(await chip('h5').getAttribute('aria-pressed'), 'true');

  await button(page, 'Jump to end of forward').click();
  await page.locator(`${GRAPH} g[data-node="h3"][data-discarded]`).waitFor();
  assert.equal(await page.locator(`${GRAPH} g[data-node="h5"][data-discarded]`).count(), 0);

  // With picking off, a press changes nothing.
  await pick.click();
  await page.locator(`${GRAPH} g[data-node="h5"]`).click();
  await page.waitForTimeout(300);
  assert.equal(await chip('h5').getAttribute('aria-pressed'), 'true');
});
