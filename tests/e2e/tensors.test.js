// Tensor programs in the graph view: the seeds' 2-3-1 network shows its
// matrices, with the published numbers after the backward pass; large tensors
// become heatmaps with statistics; NaN is marked along its path; a tensor
// program's link restores its view.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { GRAPH, button, counter, fragmentParams, graphState } from './lib/app.js';
import { cellsOf, close, tensorOf } from './lib/playground.js';

async function openExample(app, slug) {
  const page = await app.open('/');
  await page.click(`button[data-example="${slug}"]`);
  await waitFor(`the ${slug} graph`, async () => /^forward 0 \//.test(await counter(page)));
  return page;
}

async function jumpToEnd(page) {
  await button(page, 'Jump to end of backward').click();
  await waitFor('the end of the backward pass', async () => {
    const text = await counter(page);
    return /^backward (\d+) \/ \1$/.test(text) ? { ok: true } : { ok: false, seen: text };
  });
}

appTest('the 2-3-1 network shows the seeds\' numbers in its matrices', async (app) => {
  const page = await openExample(app, 'tiny-relu-network');
  // Shape badges; after the inputs' forward steps, their values as cells and no adjoint yet.
  for (let i = 0; i < 2; i++) await button(page, 'Step forward').click();
  await waitFor('W1 evaluated', async () => (await counter(page)) === 'forward 2 / 15');
  assert.equal(await page.getAttribute(`${GRAPH} g[data-node="W1"]`, 'data-shape'), '[3×2]');
  assert.equal(await page.getAttribute(`${GRAPH} g[data-node="b1"]`, 'data-shape'), '[3]');
  const values = await cellsOf(page, 'W1', 'value');
  assert.deepEqual(values.map((c) => c.text), ['0.5', '−0.3', '0.2', '0.8', '−0.4', '0.6']);
  assert.equal(values[3].label, 'W1 value [1,1] = 0.8');
  assert.deepEqual(await cellsOf(page, 'W1', 'adjoint'), []);

  await jumpToEnd(page);
  assert.ok(close(await tensorOf(page, 'W2'), [[0, -1.824, -0.912]]), JSON.stringify(await tensorOf(page, 'W2')));
  assert.ok(
    close(await tensorOf(page, 'W1'), [[0, 0], [0.57, 1.14], [-0.798, -1.596]]),
    JSON.stringify(await tensorOf(page, 'W1')),
  );
  const w2 = await cellsOf(page, 'W2', 'adjoint');
  assert.deepEqual(w2.map((c) => c.text), ['0', '−1.824', '−0.912']);
  const w1 = await cellsOf(page, 'W1', 'adjoint');
  assert.deepEqual(w1.map((c) => c.text), ['0', '0', '0.57', '1.14', '−0.798', '−1.596']);
  assert.match(w1[5].label, /^W1 adjoint \[2,1\] = -1\.596/);
  // The loss and the dead neuron: z1's first element is exactly 0.
  assert.ok(close(Number((await graphState(page)).L.value), 0.6498, 1e-12));
  assert.equal((await tensorOf(page, 'z1', 'value'))[0], 0);

  // Focus on a cell shows its number under the graph.
  await page.focus(`${GRAPH} g[data-node="W2"] .cell[aria-label^="W2 adjoint [0,1]"]`);
  await waitFor('the readout of the focused cell', async () => {
    const text = await page.locator('.graph-frame .readout').textContent();
    return /W2 adjoint \[0,1\] = -1\.824/.test(text) ? { ok: true } : { ok: false, seen: text };
  });
  await page.evaluate(() => document.activeElement?.blur?.());
  await app.snap(page, 'tiny-relu-network-backward');
});

appTest('large tensors are heatmaps with statistics', async (app) => {
  const page = await openExample(app, 'moons-mlp');
  await jumpToEnd(page);
  const thumbnail = page.locator(`${GRAPH} g[data-node="h1"] .thumbnail`).first();
  const label = await thumbnail.getAttribute('aria-label');
  assert.match(label, /^h1 value, \[64×16\] \(heatmap averaged to 16×16\): min [-\d.e]+, max [-\d.e]+, mean [-\d.e]+, norm [\d.e]+$/);
  assert.equal(await page.locator(`${GRAPH} g[data-node="h1"] .thumbnail`).count(), 2, 'value and adjoint');
  const stats = await page.locator(`${GRAPH} g[data-node="h1"] .tensor-stats`).allTextContents();
  assert.ok(stats.some((t) => /^min .* · max /.test(t)) && stats.some((t) => /^mean .* · ‖·‖ /.test(t)), stats.join(' | '));
  await app.snap(page, 'moons-mlp-backward');
});

appTest('a NaN is marked along its path, forward and backward', async (app) => {
  const page = await openExample(app, 'nan-spreads');
  await jumpToEnd(page);
  const marked = await page.$$eval(`${GRAPH} g[data-node].nonfinite`, (g) => g.map((n) => n.getAttribute('data-node')).sort());
  assert.deepEqual(marked, ['kl', 'p', 'q', 'r', 'v3', 'v5']);
  const edges = await page.$$eval(`${GRAPH} g[data-edge].nonfinite`, (g) => g.map((n) => n.getAttribute('data-edge')));
  assert.ok(edges.includes('p->v3') && edges.includes('v5->kl'), edges.join(' '));
  // The bad elements are hatched cells reading NaN or ∞.
  const bad = await cellsOf(page, 'p', 'adjoint');
  assert.equal(bad[1].text, 'NaN');
  assert.equal(await page.locator(`${GRAPH} g[data-node="p"] .cell-box.nonfinite`).count(), 1);
  await app.snap(page, 'nan-spreads');
});

appTest('the vanishing sigmoid chain plots |adjoint| by depth', async (app) => {
  const page = await openExample(app, 'vanishing-sigmoid');
  await jumpToEnd(page);
  const plot = page.locator('.gradients .depth-plot svg');
  const label = await plot.getAttribute('aria-label');
  assert.match(label, /factor of about 0\.\d+ per step of depth/);
  assert.ok((await plot.locator('circle').count()) >= 10);
});

appTest('a tensor program\'s link restores its view', async (app) => {
  const page = await openExample(app, 'tiny-relu-network');
  for (let i = 0; i < 12; i++) await button(page, 'Step forward').click();
  const url = await waitFor('step=12 in the URL', () =>
    fragmentParams(page.url()).get('step') === '12' ? { ok: true, value: page.url() } : { ok: false, seen: page.url() },
  );
  const restored = await app.open(url);
  await waitFor('the restored counter', async () => (await counter(restored)) === (await counter(page)));
  assert.deepEqual(await graphState(restored), await graphState(page));
});
