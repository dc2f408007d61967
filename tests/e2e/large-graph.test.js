// Large graphs stay legible and steppable: a 200-node program starts with its bindings
// folded into one box each (no two boxes overlap, unfolded or folded), a step inside a
// folded binding lights its box, the reader unfolds and folds bindings one at a time or
// all at once, fitted it is an overview (no text too small to read) that zooming in
// leaves, a minimap shows where the view is and moves it; and a 3,000-node program
// steps, folds and unfolds, its history of thousands of steps drawn a window at a time.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { GRAPH, button, counter, editor } from './lib/app.js';

/** A chain of bindings, each reading the inputs and the two before it (5 nodes a line). */
function chain(count, tail) {
  const lines = ['a0 = x * y', 'a1 = sin(a0) + x'];
  for (let i = 2; i < count; i++) lines.push(`a${i} = tanh(a${i - 1} * 0.5 + a${i - 2} * y)`);
  lines.push(tail);
  return lines.join('\n');
}

/** How many nodes the graph has, node boxes and folded boxes drawn. */
function drawn(page) {
  return page.evaluate((graph) => {
    const svg = document.querySelector(graph);
    return {
      nodes: Number(svg?.getAttribute('data-nodes') ?? 0),
      nodeBoxes: svg?.querySelectorAll('g[data-node]').length ?? 0,
      groups: svg?.querySelectorAll('g[data-group]').length ?? 0,
    };
  }, GRAPH);
}

async function waitForDrawn(page, label, check) {
  await waitFor(label, async () => {
    const seen = await drawn(page);
    return check(seen) ? { ok: true } : { ok: false, seen: JSON.stringify(seen) };
  }, { timeout: 60_000 });
}

/** Fails if any two boxes (nodes or folded bindings) overlap on screen. */
async function assertNoOverlaps(page) {
  const boxes = await page.$$eval(`${GRAPH} g[data-node] > rect.node-box, ${GRAPH} g[data-group] > rect.node-box`, (rects) =>
    rects.map((r) => {
      const b = r.getBoundingClientRect();
      return { x: b.x, y: b.y, w: b.width, h: b.height };
    }),
  );
  assert.ok(boxes.length > 0);
  // Sorted by x, each box is compared with those that start before it ends.
  boxes.sort((a, b) => a.x - b.x);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length && boxes[j].x < boxes[i].x + boxes[i].w; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const overlap = a.y < b.y + b.h && b.y < a.y + a.h;
      assert.ok(!overlap, `boxes overlap: ${JSON.stringify([a, b])}`);
    }
  }
}

const detail = (page) => page.locator(GRAPH).getAttribute('data-detail');
const viewBox = (page) => page.locator(GRAPH).getAttribute('viewBox');
const minimapShown = (page) => page.$eval('svg.minimap', (m) => getComputedStyle(m).display !== 'none');

appTest('a 200-node graph starts folded, unfolds, steps and shows a minimap', async (app) => {
  const page = await app.open('/');
  await editor(page).fill(chain(66, 'a65 + a40 + a10'));
  await waitForDrawn(page, 'the 200-node program folded', (s) => s.nodes >= 190 && s.groups >= 60);
  const folded = await drawn(page);
  assert.ok(folded.nodeBoxes < 10, `only the inputs and one-node bindings are nodes: ${JSON.stringify(folded)}`);
  await assertNoOverlaps(page);

  // Fitted, the whole chain is an overview: boxes and edges, no text too small to read.
  const nameShown = () =>
    page.$eval(`${GRAPH} g[data-group="a30"] text.node-name`, (t) => getComputedStyle(t).display !== 'none');
  assert.equal(await detail(page), 'overview');
  assert.equal(await nameShown(), false, 'names are not drawn in the overview');
  // 66 bindings in a row are wider than even the farthest zoom shows: the minimap says where the view is.
  assert.equal(await minimapShown(page), true, 'a minimap while part of the graph is out of view');
  const before = await viewBox(page);
  await button(page, 'Zoom in').click();
  assert.notEqual(await viewBox(page), before, 'Zoom in changes the view');
  for (let i = 0; i < 20 && (await detail(page)) === 'overview'; i++) await button(page, 'Zoom in').click();
  assert.equal(await detail(page), 'full', 'zooming in leaves the overview');
  assert.equal(await nameShown(), true, 'names are drawn again');

  // Pressing the minimap's far end moves the view there, at the same zoom.
  const zoomed = (await viewBox(page)).split(' ').map(Number);
  const map = await page.locator('svg.minimap').boundingBox();
  await page.mouse.click(map.x + map.width - 2, map.y + map.height / 2);
  const moved = (await viewBox(page)).split(' ').map(Number);
  assert.ok(moved[0] > zoomed[0] + zoomed[2], `the view moved right: ${zoomed} → ${moved}`);
  assert.equal(moved[2], zoomed[2], 'at the same zoom');

  // Back at the start, a1's button unfolds it (a click); its bound node's button folds it again (Enter).
  await page.mouse.click(map.x + 2, map.y + map.height / 2);
  await page.getByRole('button', { name: 'Unfold a1 (2 nodes)', exact: true }).click();
  await waitForDrawn(page, 'a1 unfolded', (s) => s.nodeBoxes === folded.nodeBoxes + 2);
  assert.equal(await page.locator(`${GRAPH} g[data-node="a1"]`).count(), 1);
  await page.getByRole('button', { name: 'Fold a1 into one box', exact: true }).press('Enter');
  await waitForDrawn(page, 'a1 folded again', (s) => s.nodeBoxes === folded.nodeBoxes);
  await app.snap(page, 'two-hundred-nodes-folded');

  // A step inside a folded binding lights its box: the 4th step is sin(a0), in a1.
  for (let i = 0; i < 4; i++) await button(page, 'Step forward').click();
  await waitFor('a1 current', async () => {
    const current = await page.$$eval(`${GRAPH} g.current`, (gs) =>
      gs.map((g) => g.getAttribute('data-group') ?? g.getAttribute('data-node')),
    );
    return current.length === 1 && current[0] === 'a1' ? { ok: true } : { ok: false, seen: current.join(',') };
  });
  assert.equal(await page.locator(`${GRAPH} g[data-group="a1"]`).getAttribute('data-size'), '2');

  // Out of view, a binding unfolds and folds by the keyboard (Enter, Space).
  await page.getByRole('button', { name: 'Unfold a30 (5 nodes)', exact: true }).press('Enter');
  await waitForDrawn(page, 'a30 unfolded', (s) => s.nodeBoxes === folded.nodeBoxes + 5);
  assert.equal(await page.locator(`${GRAPH} g[data-node="a30"]`).count(), 1);
  assert.equal(await page.locator(`${GRAPH} g[data-group="a30"]`).count(), 0);
  await page.getByRole('button', { name: 'Fold a30 into one box', exact: true }).press(' ');
  await waitForDrawn(page, 'a30 folded again', (s) => s.nodeBoxes === folded.nodeBoxes);
  assert.match(await counter(page), /^forward 4 \//, 'Space on a fold button does not play');

  // All at once: every node drawn, still without overlaps; and folded back.
  await button(page, 'Unfold all').click();
  await waitForDrawn(page, 'every node drawn', (s) => s.groups === 0 && s.nodeBoxes === s.nodes);
  await assertNoOverlaps(page);
  assert.equal(await page.locator(`${GRAPH} g[data-node].current`).getAttribute('data-node'), 'v4', 'sin(a0) is v4');
  await button(page, 'Fold all').click();
  await waitForDrawn(page, 'folded again', (s) => s.groups === folded.groups);

  await button(page, 'Jump to end of backward').click();
  await waitFor('the end of the backward pass', async () => {
    const text = await counter(page);
    return /^backward (\d+) \/ \1$/.test(text) ? { ok: true } : { ok: false, seen: text };
  });
  // Each folded box shows its bound node's adjoint once the backward pass is over.
  const adjoint = await page.$eval(`${GRAPH} g[data-group="a30"] text.node-derivative`, (t) => t.textContent);
  assert.match(adjoint, /^a\u030430 = -?\d/);

  // A small program fits: no minimap, no fold buttons.
  await editor(page).fill('x * y + x');
  await waitForDrawn(page, 'the small program', (s) => s.nodes === 4 && s.groups === 0);
  assert.equal(await minimapShown(page), false, 'no minimap while the whole graph is in view');
  assert.equal(await page.getByRole('button', { name: 'Fold all', exact: true }).isVisible(), false);
});

appTest('a 3,000-node program steps, unfolds and folds', async (app) => {
  const page = await app.open('/');
  await editor(page).fill(chain(600, 'a599 + a300'));
  await waitForDrawn(page, 'the 3,000-node program folded', (s) => s.nodes >= 2990 && s.groups >= 590);
  const start = await drawn(page);
  for (let i = 0; i < 5; i++) await button(page, 'Step forward').click();
  await waitFor('five steps', async () => {
    const text = await counter(page);
    return text.startsWith('forward 5 /') ? { ok: true } : { ok: false, seen: text };
  });
  await page.getByRole('button', { name: 'Unfold a300 (5 nodes)', exact: true }).press('Enter');
  await waitForDrawn(page, 'a300 unfolded', (s) => s.groups === start.groups - 1);
  await button(page, 'Unfold all').click();
  await waitForDrawn(page, 'every node drawn', (s) => s.groups === 0 && s.nodeBoxes === s.nodes);
  await button(page, 'Fold all').click();
  await waitForDrawn(page, 'folded again', (s) => s.groups === start.groups);
  await button(page, 'Jump to end of backward').click();
  await waitFor('the end of the backward pass', async () => {
    const text = await counter(page);
    return /^backward (\d+) \/ \1$/.test(text) ? { ok: true } : { ok: false, seen: text };
  });
  // The history of thousands of steps draws only the entries in view and a margin.
  const history = page.locator('.history ol');
  const shown = await history.locator('li').count();
  assert.ok(shown > 0 && shown < 60, `${shown} history entries drawn`);
  assert.ok((await history.evaluate((ol) => ol.start)) > 3000, 'numbered from the newest step');
  // Scrolled to its end it draws the first step, and a click goes back there.
  await page.locator('.history-list').evaluate((list) => {
    list.scrollTop = list.scrollHeight;
  });
  await waitFor('the first step drawn', async () => {
    const seen = await history.evaluate((ol) => ({ start: ol.start, entries: ol.children.length }));
    return seen.start - seen.entries === 0 ? { ok: true } : { ok: false, seen: JSON.stringify(seen) };
  });
  await history.locator('li').last().locator('button').click();
  await waitFor('back at step 1', async () => {
    const text = await counter(page);
    return text.startsWith('forward 1 /') ? { ok: true } : { ok: false, seen: text };
  });
});
