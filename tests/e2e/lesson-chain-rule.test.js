// The "Chain rule" view: the running product of local derivatives equals the gradient at
// every point, while the slider moves and while the output plot is dragged, and both equal
// the derivative worked out by hand; the app follows the input; other programs are refused
// in words.

import assert from 'node:assert/strict';
import { appTest, waitFor } from './lib/harness.js';
import { openLesson } from './lib/lessons.js';

const link = (program, at) =>
  `/#program=${encodeURIComponent(program)}&at=${encodeURIComponent(at)}&mode=reverse&step=0`;

// d/dx sin(x²) = 2x·cos(x²).
const derivative = (x) => 2 * x * Math.cos(x * x);

async function readChain(view) {
  const [product, gradient, x] = await Promise.all([
    view.locator('[data-chain-product]').innerText(),
    view.locator('[data-chain-gradient]').innerText(),
    view.locator('[data-chain-x]').innerText(),
  ]);
  return { product, gradient, x: Number(x) };
}

function agrees(shown, x) {
  const expected = derivative(x);
  assert.ok(
    Math.abs(Number(shown) - expected) <= 1e-5 * Math.max(1, Math.abs(expected)),
    `product ${shown} vs 2x·cos(x²) = ${expected} at x = ${x}`,
  );
}

appTest('the product equals the gradient while the input moves', async (app) => {
  const page = await app.open(link('sin(x^2)', 'x=1'));
  const view = await openLesson(page, 'Chain rule');
  let now = await readChain(view);
  assert.equal(now.x, 1);
  assert.equal(now.product, now.gradient);
  agrees(now.product, 1);
  // Two nodes: the square and the sine, each plotted with its tangent.
  assert.equal(await view.locator('.chain-grid svg').count(), 2);
  assert.equal(await view.locator('.chain-grid .lp-tangent').count(), 2);

  // The slider: every value shown at once, the app following.
  const slider = view.getByRole('slider', { name: 'x, the input' });
  for (const value of ['1.5', '-0.7', '2.25']) {
    const started = Date.now();
    await slider.fill(value);
    now = await waitFor(`x = ${value} in the view`, async () => {
      const read = await readChain(view);
      return { ok: read.x === Number(value), value: read, seen: JSON.stringify(read) };
    });
    assert.equal(now.product, now.gradient, `at x = ${value}`);
    agrees(now.product, now.x);
    await waitFor(`the app's link at x = ${value}`, async () =>
      decodeURIComponent(new URL(page.url()).hash).includes(`at=x=${value}`));
    console.log(`slider to ${value}: view and app updated in ${Date.now() - started} ms`);
  }

  // A drag across the output plot: read at every move.
  const plot = view.locator('.chain-drag');
  const box = await plot.boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.2, y);
  await page.mouse.down();
  const seen = new Set();
  for (let k = 1; k <= 8; k++) {
    await page.mouse.move(box.x + box.width * (0.2 + 0.07 * k), y);
    now = await readChain(view);
    seen.add(now.x);
    assert.equal(now.product, now.gradient, `while dragging, at x = ${now.x}`);
    agrees(now.product, now.x);
  }
  await page.mouse.up();
  assert.ok(seen.size >= 4, `the drag moved x: ${[...seen]}`);
  await waitFor('the app follows the drag', async () =>
    decodeURIComponent(new URL(page.url()).hash).includes(`at=x=${now.x}`));
  await app.snap(page, 'chain-rule');
});

appTest('the seeds\' other chains, and a program with two inputs refused', async (app) => {
  const page = await app.open(link('sigmoid(3*tanh(x))', 'x=0.5'));
  const view = await openLesson(page, 'Chain rule');
  const now = await readChain(view);
  const s = (z) => 1 / (1 + Math.exp(-z));
  const z = 3 * Math.tanh(0.5);
  const expected = s(z) * (1 - s(z)) * 3 * (1 - Math.tanh(0.5) ** 2);
  assert.equal(now.product, now.gradient);
  assert.ok(Math.abs(Number(now.product) - expected) < 1e-5, `${now.product} vs ${expected}`);
  assert.equal(await view.locator('.chain-table tbody tr').count(), 3);

  const other = await app.open(link('x*y', 'x=1,y=2'));
  const refused = await openLesson(other, 'Chain rule');
  await waitFor('the refusal', async () =>
    /one scalar input, and this one has 2 \(x, y\)/.test(await refused.innerText()));
  assert.equal(await refused.locator('[data-chain-product]').count(), 0);
});
