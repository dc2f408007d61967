// A 200-node program stays legible: no two node boxes overlap, fitted it is an overview
// (no text too small to read) that zooming in leaves, and stepping to the end still works.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { GRAPH, button, counter, editor, graphState } from './lib/app.js';

/** About 200 nodes: a chain of bindings, each reading the inputs and the two before it. */
function bigProgram() {
  const lines = ['a0 = x * y', 'a1 = sin(a0) + x'];
  for (let i = 2; i < 66; i++) lines.push(`a${i} = tanh(a${i - 1} * 0.5 + a${i - 2} * y)`);
  lines.push('a65 + a40 + a10');
  return lines.join('\n');
}

appTest('a 200-node graph lays out without overlaps and steps to the end', async (app) => {
  const page = await app.open('/');
  await editor(page).fill(bigProgram());
  await waitFor('about 200 nodes', async () => {
    const n = Object.keys(await graphState(page)).length;
    return n >= 190 ? { ok: true } : { ok: false, seen: `${n} nodes` };
  });
  const boxes = await page.$$eval(`${GRAPH} g[data-node] rect`, (rects) =>
    rects.map((r) => {
      const b = r.getBoundingClientRect();
      return { x: b.x, y: b.y, w: b.width, h: b.height };
    }),
  );
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      assert.ok(!overlap, `boxes ${i} and ${j} overlap: ${JSON.stringify([a, b])}`);
    }
  }
  // Fitted, the whole chain is an overview: boxes and edges, no text too small to read.
  const detail = () => page.locator(GRAPH).getAttribute('data-detail');
  const nameShown = () =>
    page.$eval(`${GRAPH} g[data-node="a30"] text.node-name`, (t) => getComputedStyle(t).display !== 'none');
  assert.equal(await detail(), 'overview');
  assert.equal(await nameShown(), false, 'names are not drawn in the overview');
  const viewBox = () => page.locator(GRAPH).getAttribute('viewBox');
  const before = await viewBox();
  await button(page, 'Zoom in').click();
  assert.notEqual(await viewBox(), before, 'Zoom in changes the view');
  for (let i = 0; i < 20 && (await detail()) === 'overview'; i++) await button(page, 'Zoom in').click();
  assert.equal(await detail(), 'full', 'zooming in leaves the overview');
  assert.equal(await nameShown(), true, 'names are drawn again');
  await button(page, 'Fit graph').click();
  await waitFor('the overview again', async () =>
    (await detail()) === 'overview' ? { ok: true } : { ok: false, seen: await detail() },
  );
  await app.snap(page, 'two-hundred-nodes');

  await button(page, 'Jump to end of backward').click();
  await waitFor('the end of the backward pass', async () => {
    const text = await counter(page);
    return /^backward (\d+) \/ \1$/.test(text) ? { ok: true } : { ok: false, seen: text };
  });
});
