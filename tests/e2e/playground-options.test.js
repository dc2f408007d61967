// The playground's training options: f16 storage makes gradients underflow to 0 and
// dynamic loss scaling (whose first step overflows f16 and is skipped) brings them
// back; a clip norm keeps the gradient norm after clipping at or below the cap, plotted
// before and after; switching the initialiser rewrites the program's weights and the
// per-layer sizes change; every option travels in the link.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { button, editor } from './lib/app.js';
import {
  PLAYGROUND,
  openPlayground,
  snapWide,
  trainStats,
  waitForStats,
  waitForTraining,
} from './lib/playground.js';

// ∂L/∂r = 2r · 2⁻²⁰ = 2⁻²⁸ is below f16's smallest number (2⁻²⁴).
const UNDERFLOW = `# f16 gradients underflow
x = [0.5, 1, 2, 4]
w = param([0.25, -0.5, 0.125, 0.75])
t = 2.873046875
y = sum(w * x)
r = y - t
L = 0.00000095367431640625 * r^2`;

const select = (page, name) => page.getByRole('combobox', { name, exact: true });
const field = (page, name) => page.getByRole('spinbutton', { name, exact: true });

/** The options' state: data-* of .option-stats, and its text. */
function optionStats(page) {
  return page.$$eval('.option-stats', ([dl]) => (dl ? {
    underflows: dl.dataset.underflows === undefined ? null : Number(dl.dataset.underflows),
    scale: dl.dataset.scale === undefined ? null : Number(dl.dataset.scale),
    skipped: Number(dl.dataset.skipped),
    text: dl.textContent,
  } : {
    underflows: null, scale: null, skipped: 0, text: '',
  }));
}

function waitForOptions(page, what, test) {
  return waitFor(what, async () => {
    const s = await optionStats(page);
    return test(s) ? { ok: true, value: s } : { ok: false, seen: JSON.stringify(s) };
  });
}

const trainLine = async (page) => (await editor(page).inputValue()).split('\n').find((l) => l.startsWith('# train:'));

async function oneStep(page) {
  const before = (await trainStats(page)).steps;
  await button(page, 'Train one step').click();
  return waitForStats(page, `step ${before + 1}`, (s) => s.steps === before + 1);
}

appTest('f16 gradients underflow; dynamic loss scaling brings them back', async (app) => {
  const page = await openPlayground(app);
  await editor(page).fill(UNDERFLOW);
  // A program without a dataset: the playground opens on a click.
  await page.locator(`${PLAYGROUND} summary`).click();
  await select(page, 'Precision').selectOption('f16');
  await waitFor('the f16 training line', async () => /, f16$/.test(await trainLine(page)));
  await oneStep(page);
  const lost = await waitForOptions(page, 'an underflow count', (s) => s.underflows !== null);
  assert.equal(lost.underflows, 1, lost.text);
  assert.match(lost.text, /1 gradient number underflowed to 0 in the last step/);
  assert.equal(lost.scale, null, 'no loss scale');

  await select(page, 'Loss scaling').selectOption('dynamic');
  await waitFor('the dynamic training line', async () => /, f16, loss scale dynamic$/.test(await trainLine(page)));
  await waitForOptions(page, 'the scale 2^16', (s) => s.scale === 65536);
  // 2¹⁶ is beyond f16's largest number: the first scaled step is skipped, the scale halves.
  await oneStep(page);
  const skipped = await waitForOptions(page, 'a skipped step', (s) => s.skipped === 1);
  assert.equal(skipped.scale, 32768);
  assert.match(skipped.text, /scale 32768 · 1 step skipped \(∞\/NaN at step 2\)/);
  await oneStep(page);
  const rescued = await waitForOptions(page, 'no underflow', (s) => s.underflows === 0);
  assert.equal(rescued.skipped, 1);
  assert.match(rescued.text, /no gradient underflowed to 0/);
  await app.snap(page, 'f16-loss-scaling');

  // A static scale: its field, written into the line.
  await select(page, 'Loss scaling').selectOption('static');
  await waitFor('the static line', async () => /loss scale 1024$/.test(await trainLine(page)));
  await field(page, 'Loss scale').fill('-3');
  await field(page, 'Loss scale').press('Tab');
  await waitFor('the bad scale marked', async () => (await field(page, 'Loss scale').getAttribute('aria-invalid')) === 'true');
  assert.match(await trainLine(page), /loss scale 1024$/, 'a bad scale changes nothing');
});

appTest('a clip norm keeps the gradient norm at or below the cap', async (app) => {
  const page = await openPlayground(app);
  const clip = page.getByRole('spinbutton', { name: 'Clip gradients to global norm (empty: off)' });
  assert.equal(await page.locator('svg.norm-chart').count(), 0, 'no norm chart without clipping');
  assert.equal(await page.locator('.option-stats').count(), 0, 'no option state with the defaults');
  await clip.fill('0.1');
  await clip.press('Tab');
  await waitFor('the clip line', async () => /, clip norm 0\.1$/.test(await trainLine(page)));
  const stop = page.getByRole('spinbutton', { name: 'Stop at step' });
  await stop.fill('40');
  await stop.press('Tab');
  await button(page, 'Train').click();
  await waitForTraining(page, false, { timeout: 30_000 });
  assert.equal((await trainStats(page)).steps, 40);
  const chart = page.locator('svg.norm-chart');
  await waitFor('the norm chart', async () => (await chart.getAttribute('data-max-after')) !== null);
  assert.equal(Number(await chart.getAttribute('data-cap')), 0.1);
  const maxAfter = Number(await chart.getAttribute('data-max-after'));
  assert.ok(maxAfter <= 0.1 * (1 + 1e-12), `after-clipping norm ${maxAfter} above the cap`);
  assert.ok(maxAfter > 0.09, `the norm was clipped to the cap (max after ${maxAfter})`);
  assert.equal(await chart.locator('g.cap polyline').count(), 1, 'the cap is drawn');
  assert.equal(await chart.locator('g.line.norm-after polyline').count(), 1);
  assert.match(await page.locator('.option-stats').textContent(), /Clipping‖g‖ /);
  await snapWide(app, page, 'clip-norm');
  await app.snap(page, 'clip-norm');

  // Clearing the field turns clipping off.
  await clip.fill('');
  await clip.press('Tab');
  await waitFor('no clip in the line', async () => !/clip norm/.test(await trainLine(page)));
  await waitFor('the norm chart gone', async () => (await chart.count()) === 0);
  assert.equal((await trainStats(page)).steps, 40, 'the same run goes on without clipping');
});

appTest('switching the initialiser rewrites the weights and changes the layer sizes', async (app) => {
  const page = await openPlayground(app);
  const init = select(page, 'Initialisation');
  assert.equal(await init.inputValue(), 'randn');
  await oneStep(page);
  const chart = page.locator('svg.layer-chart');
  await waitFor('the layer sizes', async () => (await chart.getAttribute('data-sizes')) !== null);
  const before = await chart.getAttribute('data-sizes');
  assert.equal(before.split(' ').length, 3, `three layers: ${before}`);
  assert.match(await chart.getAttribute('aria-label'), /^Layer sizes \(RMS\) at step 1: h1: activations /);

  await init.selectOption('he');
  await waitFor('He weights', async () => /W1 = param\(he\(\[2, 16\], 1\)\)/.test(await editor(page).inputValue()));
  const program = await editor(page).inputValue();
  assert.match(program, /W2 = param\(he\(\[16, 16\], 2\)\)/);
  assert.match(program, /W3 = param\(he\(\[16, 2\], 3\)\)/);
  assert.doesNotMatch(program, /randn/);
  await waitForStats(page, 'a new run', (s) => s.steps === 0);
  await oneStep(page);
  const after = await waitFor('new layer sizes', async () => {
    const sizes = await chart.getAttribute('data-sizes');
    return sizes !== null && sizes !== before ? { ok: true, value: sizes } : { ok: false, seen: sizes };
  });
  // He draws the first layer's weights with σ = √(2/2) = 1 instead of 0.7: larger activations.
  const first = (sizes) => Number(sizes.split(' ')[0].split('/')[0]);
  assert.ok(first(after) > first(before), `${after} vs ${before}`);

  // Every option is in the program, so in the link.
  await select(page, 'Precision').selectOption('bf16');
  await waitFor('bf16 in the line', async () => /, bf16$/.test(await trainLine(page)));
  await select(page, 'Loss scaling').selectOption('dynamic');
  const clip = page.getByRole('spinbutton', { name: 'Clip gradients to global norm (empty: off)' });
  await clip.fill('2');
  await clip.press('Tab');
  await waitFor('the whole line', async () => (await trainLine(page)) === '# train: adam, learning rate 0.02, bf16, loss scale dynamic, clip norm 2');
  await oneStep(page);
  await snapWide(app, page, 'options');
  const again = await app.open(page.url());
  await again.locator(PLAYGROUND).waitFor({ timeout: 30_000 });
  assert.equal(await select(again, 'Initialisation').inputValue(), 'he');
  assert.equal(await select(again, 'Precision').inputValue(), 'bf16');
  assert.equal(await select(again, 'Loss scaling').inputValue(), 'dynamic');
  assert.equal(await again.getByRole('spinbutton', { name: 'Clip gradients to global norm (empty: off)' }).inputValue(), '2');
});
