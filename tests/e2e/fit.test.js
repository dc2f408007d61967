// The whole graph is visible: after an example loads, after the window is resized and
// after "Fit", every node box lies inside the graph's frame — for every worked example,
// at a desktop, a projector at 150 % (853×480) and a phone; and in the course page's
// embeds at the same sizes.

import assert from 'node:assert/strict';

import { appTest } from './lib/harness.js';
import { GRAPH, button } from './lib/app.js';
import { COURSE, openPage } from './lib/embed.js';
import { waitFor } from './lib/wait.js';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 853, height: 480 },
  { width: 375, height: 812 },
];

/**
 * The node boxes of `svg` (an element handle) that stick out of its frame, with the frame,
 * in screen pixels: [] when every box is inside.
 */
async function outside(svg) {
  return svg.evaluate((svg) => {
    const frame = svg.getBoundingClientRect();
    const out = [];
    for (const g of svg.querySelectorAll('g[data-node]')) {
      const rect = g.querySelector('rect');
      if (!rect) continue;
      const b = rect.getBoundingClientRect();
      const inside =
        b.left >= frame.left - 1 &&
        b.top >= frame.top - 1 &&
        b.right <= frame.right + 1 &&
        b.bottom <= frame.bottom + 1;
      if (!inside) out.push(g.getAttribute('data-node'));
    }
    const nodes = svg.querySelectorAll('g[data-node]').length;
    return { out, nodes, frame: [frame.left, frame.top, frame.width, frame.height].map(Math.round) };
  });
}

async function expectWhole(svgHandle, label) {
  await waitFor(label, async () => {
    const seen = await outside(await svgHandle());
    return seen.nodes > 0 && seen.out.length === 0 ? { ok: true } : { ok: false, seen: JSON.stringify(seen) };
  });
}

appTest('every worked example shows its whole graph at every size, loaded, resized and fitted', async (app) => {
  const page = await app.open('/');
  const slugs = await page.$$eval('button[data-example]', (buttons) =>
    buttons.map((b) => b.getAttribute('data-example')),
  );
  assert.ok(slugs.length >= 10, `the gallery lists the examples: ${slugs}`);
  const svg = () => page.$(GRAPH);
  for (const slug of slugs) {
    for (const size of SIZES) {
      await page.setViewportSize(SIZES[0]);
      await page.click(`button[data-example="${slug}"]`);
      // A lab the language refuses (a change in place) has no graph to fit.
      if (await page.locator('[role="alert"].editor-error').isVisible()) break;
      await expectWhole(svg, `${slug} loaded at ${SIZES[0].width}×${SIZES[0].height}`);
      await page.setViewportSize(size);
      await expectWhole(svg, `${slug} resized to ${size.width}×${size.height}`);
      await button(page, 'Fit graph').click();
      await expectWhole(svg, `${slug} fitted at ${size.width}×${size.height}`);
    }
  }
});

appTest('a small tensor program opens whole, and so does the default program on a phone', async (app) => {
  const page = await app.open('/');
  await page.setViewportSize({ width: 375, height: 812 });
  await page.reload();
  await page.getByRole('textbox', { name: 'Program', exact: true }).waitFor();
  await expectWhole(() => page.$(GRAPH), 'the default program on a phone');
  await page.setViewportSize(SIZES[0]);
  await page
    .getByRole('textbox', { name: 'Program', exact: true })
    .fill('z = [[1, 2, 3], [0.5, -1, 2]] @ [1, -1, 2]\np = softmax(z)\nq = log(p)\nsum(q * [0.2, 0.8])');
  await expectWhole(() => page.$(GRAPH), 'a 6-node softmax program');
});

appTest('the course page embeds show their whole graphs at every size', async (app) => {
  const page = await openPage(app, COURSE, { embeds: 4 });
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const id of ['two-paths', 'sigmoid-neuron', 'tiny-network']) {
      const svg = () =>
        page.evaluateHandle(
          (id) => document.getElementById(id).shadowRoot.querySelector('svg.graph'),
          id,
        );
      await expectWhole(svg, `the ${id} embed at ${size.width}×${size.height}`);
    }
  }
});

/** Texts of node boxes that leave their box, in screen pixels: [] when all fit. */
async function textsOutsideBoxes(page) {
  return page.evaluate((selector) => {
    const out = [];
    for (const g of document.querySelectorAll(`${selector} g[data-node]`)) {
      const box = g.querySelector('rect.node-box')?.getBoundingClientRect();
      if (!box) continue;
      for (const text of g.querySelectorAll('text')) {
        if (!text.textContent.trim()) continue;
        const b = text.getBoundingClientRect();
        if (b.left < box.left - 1 || b.right > box.right + 1) {
          out.push(`${g.getAttribute('data-node')}: "${text.textContent}"`);
        }
      }
    }
    return out;
  }, GRAPH);
}

appTest('no text leaves its node box, forward and backward, in every scalar example', async (app) => {
  const page = await app.open('/');
  const slugs = ['two-paths', 'linear-square', 'squared-error', 'sigmoid-neuron', 'lin-relu-lin', 'exploding-product', 'vanishing-sigmoid'];
  for (const slug of slugs) {
    if (!(await page.$(`button[data-example="${slug}"]`))) continue;
    await page.click(`button[data-example="${slug}"]`);
    await button(page, 'Jump to end of backward').click();
    await waitFor(`${slug}: the backward pass ends`, async () => {
      const text = await page.locator('[data-step-counter]').first().textContent();
      return /backward (\d+) \/ \1/.test(text.replace(/\s+/g, ' ')) ? { ok: true } : { ok: false, seen: text };
    });
    // A long chain fits as an overview, without text: zoom in until the text is drawn.
    for (let i = 0; i < 12 && (await page.locator(GRAPH).getAttribute('data-detail')) === 'overview'; i++) {
      await button(page, 'Zoom in').click();
    }
    const out = await textsOutsideBoxes(page);
    assert.deepEqual(out, [], `${slug}: texts leave their boxes`);
  }
  // The sum of two contributions that made the adjoint text overflow before.
  await page.getByRole('textbox', { name: 'Program', exact: true }).fill('sin(x)*exp(-x^2)');
  await button(page, 'Jump to end of backward').click();
  await waitFor('the adjoint of x is a sum', async () => {
    const adjoint = await page.$eval(`${GRAPH} g[data-node="x"]`, (g) => g.textContent);
    return /\+/.test(adjoint) ? { ok: true } : { ok: false, seen: adjoint };
  });
  assert.deepEqual(await textsOutsideBoxes(page), [], 'sin(x)*exp(-x^2): texts leave their boxes');
});
