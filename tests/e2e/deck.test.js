// The demo slide deck (deck.html: reveal.js 6 from the build, 1280×720 slides scaled to
// the window by a CSS transform) with <backprop-graph> elements on two slides: keys the
// focused embed uses step it and leave the slide where it is, other keys and keys pressed
// outside it move the deck; the compact and the full layout fit their slide; pan and zoom
// follow the pointer on a scaled slide. Screenshots: both slides, light and dark.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';

import { SCREENSHOTS, appTest } from './lib/harness.js';
import { SUB_PATH } from './lib/server.js';
import { waitFor } from './lib/wait.js';
import { embedCounter, expectCounter, openPage } from './lib/embed.js';

const DECK = `${SUB_PATH}deck.html`;
const SLIDE = { width: 1280, height: 720 };

/** Opens the deck at slide `index` (a 1280×720 window unless `size`) and waits for it. */
async function openDeck(app, index, size = SLIDE) {
  const page = await openPage(app, `${DECK}#/${index}`, { embeds: 2 });
  await page.setViewportSize(size);
  await waitFor('reveal.js to be ready', () => page.evaluate(() => window.deck?.isReady() === true));
  await waitFor(`slide ${index}`, async () => ({
    ok: (await slideIndex(page)) === index,
    seen: `slide ${await slideIndex(page)}`,
  }));
  return page;
}

const slideIndex = (page) => page.evaluate(() => window.deck.getIndices().h);

async function expectSlide(page, index, why) {
  await waitFor(`slide ${index} (${why})`, async () => {
    const shown = await slideIndex(page);
    return shown === index ? { ok: true } : { ok: false, seen: `slide ${shown}` };
  });
}

/** Waits two animation frames. */
const settle = (page) =>
  page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));

/** The screen box of the element `selector` matches (shadow roots pierced). */
const box = (page, selector) => page.locator(selector).first().boundingBox();

const inside = (inner, outer, slack = 1) =>
  inner.x >= outer.x - slack &&
  inner.y >= outer.y - slack &&
  inner.x + inner.width <= outer.x + outer.width + slack &&
  inner.y + inner.height <= outer.y + outer.height + slack;

/** Every node box of the embed `id` lies inside its graph's frame on screen. */
async function nodesInsideFrame(page, id) {
  const frame = await box(page, `#${id} svg.graph`);
  const nodes = page.locator(`#${id} g[data-node]`);
  const outside = [];
  for (let i = 0; i < (await nodes.count()); i++) {
    const node = nodes.nth(i);
    if (!inside(await node.boundingBox(), frame, 2)) outside.push(await node.getAttribute('data-node'));
  }
  return outside;
}

appTest('keys in a focused embed step it and stay there; other keys move the deck', async (app) => {
  const page = await openDeck(app, 1);
  const id = 'two-paths';
  assert.equal(await embedCounter(page, id), 'forward 0 / 4');

  await page.locator(`#${id}`).getByRole('button', { name: 'Step forward' }).click();
  await expectCounter(page, id, 'forward 1 / 4');
  await page.keyboard.press('ArrowRight');
  await expectCounter(page, id, 'forward 2 / 4');
  await page.keyboard.press('ArrowRight');
  await expectCounter(page, id, 'forward 3 / 4');
  await page.keyboard.press('ArrowLeft');
  await expectCounter(page, id, 'forward 2 / 4');
  await page.keyboard.press('End');
  await expectCounter(page, id, 'backward 4 / 4');
  await page.keyboard.press('Home');
  await expectCounter(page, id, 'forward 0 / 4');
  await settle(page);
  assert.equal(await slideIndex(page), 1, 'the keys the embed used did not reach the deck');

  // Space on the embed itself plays; the deck does not advance.
  await page.locator(`#${id} .embed`).focus();
  await page.keyboard.press(' ');
  await waitFor('playing to take a step', async () => (await embedCounter(page, id)) !== 'forward 0 / 4');
  await page.keyboard.press(' ');
  await settle(page);
  assert.equal(await slideIndex(page), 1, 'Space stayed in the embed');

  // The compact caption names the step.
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expectCounter(page, id, 'forward 3 / 4');
  assert.equal(
    (await page.locator(`#${id} .caption`).textContent()).trim(),
    'v3 = x1 + x2 = 3 + 4 = 7',
  );

  // A key the embed does not use goes on to the deck (PageDown: the next slide).
  await page.keyboard.press('PageDown');
  await expectSlide(page, 2, 'PageDown passes through a focused embed');
  assert.equal(await embedCounter(page, id), 'forward 3 / 4');

  // Outside any embed, → and ← move the deck.
  await page.evaluate(() => window.deck.slide(1));
  await expectSlide(page, 1, 'back on the compact slide');
  await page.locator('#compact h2').click();
  await page.keyboard.press('ArrowRight');
  await expectSlide(page, 2, '→ outside the embed');
  await page.keyboard.press('ArrowLeft');
  await expectSlide(page, 1, '← outside the embed');
  assert.equal(await embedCounter(page, id), 'forward 3 / 4', 'the embed did not step');
});

appTest('the compact and the full embed fit their 1280×720 slide', async (app) => {
  const page = await openDeck(app, 1);
  await mkdir(SCREENSHOTS, { recursive: true });
  for (const [slide, id, layout] of [
    [1, 'two-paths', 'compact'],
    [2, 'sigmoid-neuron', 'full'],
  ]) {
    await page.evaluate((n) => window.deck.slide(n), slide);
    await expectSlide(page, slide, layout);
    await settle(page);
    assert.equal(await page.locator(`#${id} .embed`).getAttribute('data-layout'), layout);
    const section = await box(page, "section.present");
    const host = await box(page, `#${id}`);
    const root = await box(page, `#${id} .embed`);
    assert.ok(inside(host, section), `${layout}: the element ${JSON.stringify(host)} is inside its slide ${JSON.stringify(section)}`);
    assert.ok(inside(root, host), `${layout}: the embed ${JSON.stringify(root)} fills no more than its element ${JSON.stringify(host)}`);
    assert.ok(root.height >= host.height - 2, `${layout}: the embed fills its element's height`);
    for (const part of ['.controls', 'svg.graph', layout === 'compact' ? '.caption' : '.explanation']) {
      const shown = await box(page, `#${id} ${part}`);
      assert.ok(shown && inside(shown, root), `${layout}: ${part} ${JSON.stringify(shown)} is inside the embed ${JSON.stringify(root)}`);
    }
    if (layout === 'compact') {
      const caption = page.locator(`#${id} .caption`);
      const lines = await caption.evaluate((p) => p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight));
      assert.ok(lines < 1.6, `the caption is one line (${lines})`);
      assert.equal(await page.locator(`#${id} .explanation`).count(), 0, 'no explanation panel');
    }
    const graph = await box(page, `#${id} svg.graph`);
    assert.ok(graph.height > 200, `${layout}: the graph has room (${graph.height}px)`);
    // Steps change the explanation, not the graph's frame.
    const before = await embedCounter(page, id);
    for (let i = 0; i < 3; i++) {
      await page.locator(`#${id}`).getByRole('button', { name: 'Step forward' }).click();
    }
    await waitFor(`${layout}: three steps`, async () => (await embedCounter(page, id)) !== before);
    await settle(page);
    assert.deepEqual(await box(page, `#${id} svg.graph`), graph, `${layout}: the graph's frame stays put`);
    assert.ok(inside(await box(page, `#${id} .embed`), host), `${layout}: still inside its element`);
    assert.deepEqual(await nodesInsideFrame(page, id), [], `${layout}: the fitted graph shows every node`);

    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      await settle(page);
      await page.screenshot({ path: `${SCREENSHOTS}deck--${layout}--${colorScheme}-1280x720.png` });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }
});

appTest('pan and zoom follow the pointer on a slide the deck scales down', async (app) => {
  const page = await openDeck(app, 1, { width: 960, height: 540 });
  const id = 'two-paths';
  // reveal.js scales the slide once it has laid the page out at this size.
  const scale = await waitFor('the deck scaling its slide', async () => {
    const scale = await page.evaluate(() => window.deck.getScale());
    return scale < 0.8 ? { ok: true, value: scale } : { ok: false, seen: scale };
  });
  assert.ok(scale < 0.8, `the deck scales its slide (${scale})`);
  await settle(page);
  assert.deepEqual(await nodesInsideFrame(page, id), [], 'the fitted graph shows every node');

  const node = page.locator(`#${id} g[data-node="v3"] rect`).first();
  const centre = async () => {
    const b = await node.boundingBox();
    return { x: b.x + b.width / 2, y: b.y + b.height / 2, width: b.width };
  };
  const before = await centre();
  await page.mouse.move(before.x, before.y);
  await page.mouse.wheel(0, -300);
  const zoomed = await waitFor('the wheel to zoom in', async () => {
    const now = await centre();
    return now.width > before.width * 1.2 ? { ok: true, value: now } : { ok: false, seen: JSON.stringify(now) };
  });
  assert.ok(
    Math.abs(zoomed.x - before.x) < 2 && Math.abs(zoomed.y - before.y) < 2,
    `the point under the pointer stays there: ${JSON.stringify(before)} → ${JSON.stringify(zoomed)}`,
  );

  await page.mouse.move(zoomed.x, zoomed.y);
  await page.mouse.down();
  await page.mouse.move(zoomed.x - 60, zoomed.y - 25, { steps: 6 });
  await page.mouse.up();
  const dragged = await centre();
  assert.ok(
    Math.abs(dragged.x - (zoomed.x - 60)) < 2 && Math.abs(dragged.y - (zoomed.y - 25)) < 2,
    `the graph moves with the pointer: ${JSON.stringify(zoomed)} → ${JSON.stringify(dragged)}`,
  );

  await page.locator(`#${id}`).getByRole('button', { name: 'Fit graph' }).click();
  await settle(page);
  assert.deepEqual(await nodesInsideFrame(page, id), [], 'Fit shows every node again');
  // A click lands on the control under the pointer.
  await page.locator(`#${id}`).getByRole('button', { name: 'Step forward' }).click();
  await expectCounter(page, id, 'forward 1 / 4');
});
