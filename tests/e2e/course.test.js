// The demo course page served under a sub-path, as a course site would host dist/: its
// four <backprop-graph> worked examples (the last a lab) load from beside the page (one wasm module for
// all of them), each keeps its own state, stepping one (button, method or keyboard)
// fires its `step` event and leaves the others alone, and an attribute change updates
// only its element.

import assert from 'node:assert/strict';

import { SUB_PATH } from './lib/server.js';
import { appTest } from './lib/harness.js';
import { waitFor } from './lib/wait.js';
import {
  COURSE,
  COURSE_EMBEDS,
  embed,
  embedCounter,
  embedNodes,
  embedView,
  expectCounter,
  openPage,
  stepEvents,
} from './lib/embed.js';

const IDS = Object.keys(COURSE_EMBEDS);

/** Every embed's counter and nodes. */
async function views(page) {
  const all = {};
  for (const id of IDS) all[id] = await embedView(page, id);
  return all;
}

appTest('the course page loads four embeds from its own sub-path, once', async (app) => {
  const first = app.requests.length;
  const page = await openPage(app, COURSE, { embeds: 4 });
  assert.equal(await page.title(), 'Reverse-mode differentiation, one node at a time');
  for (const [id, counter] of Object.entries(COURSE_EMBEDS)) {
    await expectCounter(page, id, counter);
  }
  const fetched = app.requests.slice(first).map((r) => r.path.split('?')[0]);
  assert.ok(fetched.length > 0);
  for (const path of fetched) {
    assert.ok(path.startsWith(SUB_PATH), `${path} was not fetched from under ${SUB_PATH}`);
  }
  // The viewer's module is fetched once for the whole page.
  assert.equal(fetched.filter((p) => p.endsWith('/embed_bg.wasm')).length, 1, fetched.join('\n'));
  assert.equal(fetched.filter((p) => p.endsWith('/embed.js')).length, 1, fetched.join('\n'));
  // The app's own module is not part of an embedding page.
  assert.ok(!fetched.some((p) => /backprop-viz-[0-9a-f]+_bg\.wasm$/.test(p)), fetched.join('\n'));
  assert.deepEqual(await stepEvents(page), [], 'no step event before anyone steps');
  await app.snap(page, 'course-page');
});

appTest('stepping one embed leaves the others as they were and fires its step event', async (app) => {
  const page = await openPage(app, COURSE, { embeds: 4 });
  const before = await views(page);

  // A button inside the first embed.
  await embed(page, 'two-paths').getByRole('button', { name: 'Step forward', exact: true }).click();
  await expectCounter(page, 'two-paths', 'forward 1 / 4');
  assert.equal((await embedNodes(page, 'two-paths')).x1.value, '3');
  let events = await waitFor('the first step event', async () => {
    const seen = await stepEvents(page);
    return seen.length === 1 ? { ok: true, value: seen } : { ok: false, seen: JSON.stringify(seen) };
  });
  assert.equal(events[0].id, 'two-paths');
  assert.equal(events[0].detail.step, 1);
  assert.equal(events[0].detail.counter, 'forward 1 / 4');
  assert.equal(events[0].detail.record.node, 'x1');
  assert.equal(events[0].detail.record.phase, 'forward');
  assert.equal(events[0].detail.record.substituted, 'x1 = 3');
  assert.equal(events[0].detail.record.result, 3);
  // The page's own script follows the event.
  await waitFor('the caption to follow the step event', async () =>
    (await page.locator('output[for="two-paths"]').textContent()) === 'Now at forward 1 / 4: x1 = 3',
  );
  const after = await views(page);
  assert.deepEqual(after['sigmoid-neuron'], before['sigmoid-neuron']);
  assert.deepEqual(after['tiny-network'], before['tiny-network']);

  // The JS API on the second: the first backward step seeds L̄ = 1.
  const moved = await page.evaluate(() => document.getElementById('sigmoid-neuron').stepForward());
  assert.equal(moved, true);
  await expectCounter(page, 'sigmoid-neuron', 'backward 1 / 10');
  assert.equal((await embedNodes(page, 'sigmoid-neuron')).L.adjoint, '1');
  events = await waitFor('the second step event', async () => {
    const seen = await stepEvents(page);
    return seen.length === 2 ? { ok: true, value: seen } : { ok: false, seen: JSON.stringify(seen) };
  });
  assert.equal(events[1].id, 'sigmoid-neuron');
  assert.equal(events[1].detail.record.node, 'L');
  assert.equal(events[1].detail.record.phase, 'backward');
  assert.equal(events[1].detail.record.updates[0].target, 'v9');
  assert.equal(await embedCounter(page, 'two-paths'), 'forward 1 / 4');
  assert.deepEqual(await embedView(page, 'tiny-network'), before['tiny-network']);

  // seek, stepBack and reset on the third; state mirrors the last event.
  await page.evaluate(() => document.getElementById('tiny-network').seek(28));
  await expectCounter(page, 'tiny-network', 'backward 13 / 15');
  // ∂L/∂W1 as the seeds print it; its first row is 0: the dead unit passes no gradient.
  const w1 = JSON.parse((await embedNodes(page, 'tiny-network')).W1.adjoint);
  const seeds = [[0, 0], [0.57, 1.14], [-0.798, -1.596]];
  assert.deepEqual(w1[0], [0, 0]);
  for (const [i, row] of seeds.entries()) {
    for (const [j, x] of row.entries()) assert.ok(Math.abs(w1[i][j] - x) < 1e-9, `W1 adjoint ${w1}`);
  }
  assert.equal(await page.evaluate(() => document.getElementById('tiny-network').stepBack()), true);
  await expectCounter(page, 'tiny-network', 'backward 12 / 15');
  await page.evaluate(() => document.getElementById('tiny-network').reset());
  await expectCounter(page, 'tiny-network', 'forward 0 / 15');
  const state = await page.evaluate(() => document.getElementById('tiny-network').state);
  assert.equal(state.step, 0);
  assert.equal(state.record, null);
  await assert.rejects(
    page.evaluate(() => document.getElementById('tiny-network').seek(-1)),
    /whole number of steps/,
  );
  assert.equal(await embedCounter(page, 'two-paths'), 'forward 1 / 4');
  assert.equal(await embedCounter(page, 'sigmoid-neuron'), 'backward 1 / 10');
});

appTest('changing an attribute updates that embed only', async (app) => {
  const page = await openPage(app, COURSE, { embeds: 4 });
  const before = await views(page);
  await page.evaluate(() => document.getElementById('two-paths').setAttribute('step', 'backward:2'));
  await expectCounter(page, 'two-paths', 'backward 2 / 4');
  assert.equal((await embedNodes(page, 'two-paths')).x1.adjoint, '10');

  await page.evaluate(() => {
    const element = document.getElementById('two-paths');
    element.setAttribute('program', 'x * y + x');
    element.setAttribute('at', 'x=2,y=5');
  });
  await waitFor('the new program', async () => {
    const nodes = await embedNodes(page, 'two-paths');
    return Object.keys(nodes).sort().join(' ') === 'v3 v4 x y' || { ok: false, seen: Object.keys(nodes).join(' ') };
  });
  // The step attribute still applies to the new program.
  await expectCounter(page, 'two-paths', 'backward 2 / 4');
  await page.evaluate(() => document.getElementById('two-paths').setAttribute('step', 'end'));
  await expectCounter(page, 'two-paths', 'backward 4 / 4');
  const nodes = await embedNodes(page, 'two-paths');
  assert.deepEqual([nodes.v4.value, nodes.x.adjoint, nodes.y.adjoint], ['12', '6', '2']);

  await page.evaluate(() => document.getElementById('sigmoid-neuron').setAttribute('theme', 'dark'));
  await waitFor('the dark theme on the second embed', async () =>
    (await embed(page, 'sigmoid-neuron').getAttribute('data-theme')) === 'dark',
  );
  assert.equal(await embed(page, 'two-paths').getAttribute('data-theme'), 'auto');
  await page.evaluate(() => document.getElementById('sigmoid-neuron').setAttribute('controls', 'none'));
  await waitFor('the second embed without controls', async () =>
    (await page.locator('#sigmoid-neuron [data-step-counter]').count()) === 0,
  );
  assert.deepEqual(await embedNodes(page, 'sigmoid-neuron'), before['sigmoid-neuron'].nodes);
  assert.deepEqual(await embedView(page, 'tiny-network'), before['tiny-network']);
  const ids = (await stepEvents(page)).map((e) => e.id);
  assert.ok(ids.length >= 2 && ids.every((id) => id === 'two-paths'), ids.join(' '));
});

appTest('the keyboard steps the embed that has the focus, and only it', async (app) => {
  const page = await openPage(app, COURSE, { embeds: 4 });
  // Outside every embed the page's keys stay the page's.
  await page.locator('h1').click();
  await page.keyboard.press('ArrowRight');
  for (const [id, counter] of Object.entries(COURSE_EMBEDS)) await expectCounter(page, id, counter);

  await embed(page, 'two-paths').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expectCounter(page, 'two-paths', 'forward 2 / 4');
  await page.keyboard.press('End');
  await expectCounter(page, 'two-paths', 'backward 4 / 4');
  await page.keyboard.press('ArrowLeft');
  await expectCounter(page, 'two-paths', 'backward 3 / 4');
  await page.keyboard.press('Home');
  await expectCounter(page, 'two-paths', 'forward 0 / 4');
  await expectCounter(page, 'sigmoid-neuron', COURSE_EMBEDS['sigmoid-neuron']);
  await expectCounter(page, 'tiny-network', COURSE_EMBEDS['tiny-network']);
});

appTest('a wide graph follows the step into view', async (app) => {
  const page = await openPage(app, COURSE, { embeds: 4 });
  // The network's current node (h, backward step 7) is far right of its inputs.
  const visible = (name) =>
    page.evaluate((node) => {
      const root = document.getElementById('tiny-network').shadowRoot;
      const svg = root.querySelector('svg.graph').getBoundingClientRect();
      const box = root.querySelector(`g[data-node="${node}"] rect.node-box`).getBoundingClientRect();
      return box.left >= svg.left - 1 && box.right <= svg.right + 1;
    }, name);
  await waitFor('h in view', () => visible('h'));
  await page.evaluate(() => document.getElementById('tiny-network').seek(30));
  await waitFor('x, the last node visited, in view', () => visible('x'));
});
