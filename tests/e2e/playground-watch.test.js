// Training you can watch, and links that keep what the view shows: the speed
// control paces training down to one step a second (or one per frame), "Stop
// at step" pauses training exactly there, the loss chart switches between a
// linear and a log scale (by itself when the loss diverges), pressing Train
// while the editor's program does not parse says that the last valid version
// trains, and a link to a training step the stepper walks ("step into")
// restores its parameters and minibatch, or says it cannot.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { GRAPH, button, counter, editor, fragmentParams, graphState } from './lib/app.js';
import {
  PLAYGROUND,
  openPlayground,
  snapWide,
  trainStats,
  waitForStats,
  waitForTraining,
} from './lib/playground.js';

const CLIPBOARD = ['clipboard-read', 'clipboard-write'];
const speed = (page) => page.getByRole('combobox', { name: 'Training speed' });
const stopField = (page) => page.getByRole('spinbutton', { name: 'Stop at step' });
const message = (page) => page.locator('.train-message');
const chartScale = (page) => page.locator('svg.loss-chart').getAttribute('data-scale');

appTest('at 1 step/s training takes about one step a second', async (app) => {
  const page = await openPlayground(app);
  await page.locator('.backend-badge').waitFor();
  const options = await speed(page).locator('option').allTextContents();
  assert.deepEqual(options, [
    'As fast as possible', 'One step per frame', '50 steps/s', '20 steps/s', '10 steps/s',
    '5 steps/s', '2 steps/s', '1 step/s',
  ]);
  assert.equal(await speed(page).inputValue(), 'fastest');

  await speed(page).selectOption('1');
  await button(page, 'Train').click();
  // The first step comes at once.
  await waitForStats(page, 'the first step', (s) => s.steps >= 1, { timeout: 2000 });
  const start = Date.now();
  const first = (await trainStats(page)).steps;
  await page.waitForTimeout(3500);
  const { steps } = await trainStats(page);
  const seconds = (Date.now() - start) / 1000;
  console.log(`1 step/s: ${steps - first} steps in ${seconds.toFixed(1)} s`);
  assert.ok(steps - first >= 2 && steps - first <= 5, `${steps - first} steps in ${seconds} s`);
  await snapWide(app, page, 'one-step-per-second');
  await app.snap(page, 'one-step-per-second');

  // One step per frame: about as many steps as the page drew frames (reading the
  // numbers before and after the count takes a few frames more), never a burst.
  await speed(page).selectOption('frame');
  const before = (await trainStats(page)).steps;
  const frames = await page.evaluate(() => new Promise((done) => {
    const start = performance.now();
    let n = 0;
    const tick = () => (performance.now() - start < 1000 ? (n++, requestAnimationFrame(tick)) : done(n));
    requestAnimationFrame(tick);
  }));
  const perFrame = (await trainStats(page)).steps - before;
  console.log(`one step per frame: ${perFrame} steps in ${frames} frames`);
  assert.ok(perFrame >= 5 && perFrame <= frames * 1.2 + 5, `${perFrame} steps in ${frames} frames`);
  await button(page, 'Pause training').click();
});

appTest('"Stop at step" pauses training exactly there', async (app) => {
  const page = await openPlayground(app);
  await stopField(page).fill('25');
  await stopField(page).press('Tab');
  await waitFor('the stop to be taken', async () => (await stopField(page).getAttribute('aria-invalid')) === 'false');
  await button(page, 'Train').click();
  await waitForTraining(page, false, { timeout: 30_000 });
  assert.equal((await trainStats(page)).steps, 25);
  await page.waitForTimeout(300);
  assert.equal((await trainStats(page)).steps, 25, 'no step after the pause');
  assert.equal(await message(page).textContent(), 'Paused at step 25, as “Stop at step” asks.');
  assert.equal(await stopField(page).inputValue(), '25');
  assert.match(await page.locator('svg.loss-chart').getAttribute('aria-label'), /^Loss curve: 25 steps, /);

  // Train does not go past it; one step by hand does.
  await button(page, 'Train').click();
  await waitFor('the reason', async () => /^Training stops at step 25: raise “Stop at step” or clear it/.test(await message(page).textContent()));
  assert.equal(await button(page, 'Train').getAttribute('aria-pressed'), 'false');
  await button(page, 'Train one step').click();
  await waitForStats(page, '26 steps', (s) => s.steps === 26);

  // A later stop, at 5 steps/s: it still stops exactly there.
  await stopField(page).fill('28');
  await stopField(page).press('Tab');
  await speed(page).selectOption('5');
  await button(page, 'Train').click();
  await waitForTraining(page, false, { timeout: 10_000 });
  assert.equal((await trainStats(page)).steps, 28);
  await snapWide(app, page, 'stopped-at-step');
  await app.snap(page, 'stopped-at-step');

  // Text that is not a step count is marked and changes nothing.
  await stopField(page).fill('2.5');
  await stopField(page).press('Tab');
  await waitFor('the field marked', async () => (await stopField(page).getAttribute('aria-invalid')) === 'true');
  await stopField(page).fill('');
  await stopField(page).press('Tab');
  await waitFor('no stop', async () => (await stopField(page).getAttribute('aria-invalid')) === 'false');
  await button(page, 'Train').click();
  await waitForStats(page, 'training past the old stop', (s) => s.steps > 40, { timeout: 30_000 });
  await button(page, 'Pause training').click();
});

appTest('the loss chart switches between linear and log, and goes log when the loss diverges', async (app) => {
  const page = await openPlayground(app);
  const radio = (name) => page.getByRole('radio', { name });
  const caption = page.locator('.loss-scale');
  for (let i = 0; i < 20; i++) await button(page, 'Train one step').click();
  await waitForStats(page, '20 steps', (s) => s.steps === 20);
  // The moons loss falls less than two decades: linear, by itself.
  assert.ok(await radio('Automatic loss scale').isChecked());
  assert.equal(await chartScale(page), 'linear');
  assert.match(await caption.textContent(), /Auto \(linear\)/);

  await radio('Log loss scale').check();
  await waitFor('a log scale', async () => (await chartScale(page)) === 'log');
  const labels = await page.locator('svg.loss-chart text').allTextContents();
  assert.ok(labels.some((t) => t.trim() === 'loss (log)'), labels.join('|'));
  assert.match(await page.locator('.loss-caption').textContent(), /Loss per step \(log scale\)/);
  await snapWide(app, page, 'log-scale');
  await app.snap(page, 'log-scale');
  await radio('Linear loss scale').check();
  await waitFor('a linear scale', async () => (await chartScale(page)) === 'linear');
  await radio('Automatic loss scale').check();
  await waitFor('auto: linear', async () => (await chartScale(page)) === 'linear');

  // Plain SGD with a huge learning rate diverges: auto goes log, the NaN/∞ breaks the line.
  await page.getByRole('combobox', { name: 'Optimizer' }).selectOption('sgd');
  const rate = page.getByRole('spinbutton', { name: 'Learning rate' });
  await rate.fill('5000');
  await rate.press('Enter');
  await rate.blur();
  await waitFor('the training line', async () => /^# train: sgd, learning rate 5000$/m.test(await editor(page).inputValue()));
  await button(page, 'Train').click();
  await waitFor('auto: log', async () => (await chartScale(page)) === 'log', { timeout: 30_000 });
  assert.match(await caption.textContent(), /Auto \(log\)/);
  if (await button(page, 'Pause training').count()) await button(page, 'Pause training').click();
  await app.snap(page, 'diverged-log-scale');
});

appTest('Train while the program does not parse says the last valid version trains', async (app) => {
  const page = await openPlayground(app);
  const program = await editor(page).inputValue();
  const lines = program.split('\n');
  const line = lines.findIndex((l) => l.startsWith('h2 = ')) + 1;
  await editor(page).fill(program.replace('h2 = relu(h1 @ W2 + b2)', 'h2 = relu(h1 @ W2 + )'));
  await page.locator('[role="alert"]').first().waitFor();
  await button(page, 'Train').click();
  const expected = new RegExp(
    `^The program in the editor does not parse \\(line ${line}, column \\d+: .+\\); training uses the last valid version\\.$`,
  );
  await waitFor('the message', async () => {
    const text = await message(page).textContent();
    return expected.test(text) ? { ok: true } : { ok: false, seen: text };
  });
  // The last valid version trains meanwhile.
  await waitForStats(page, 'training', (s) => s.steps > 5, { timeout: 30_000 });
  await snapWide(app, page, 'train-with-a-broken-program');
  await app.snap(page, 'train-with-a-broken-program');
  // Fixed: the message goes, training goes on.
  await editor(page).fill(program);
  await waitFor('no message', async () => (await message(page).textContent()) === '');
  assert.equal(await button(page, 'Pause training').getAttribute('aria-pressed'), 'true');
  await button(page, 'Pause training').click();

  // "Train one step" and "step into" say it too.
  await editor(page).fill(`${program}\n)`);
  await button(page, 'Train one step').click();
  await waitFor('the message again', async () => /^The program in the editor does not parse/.test(await message(page).textContent()));
});

appTest('a link to a stepped-into training step restores its parameters and minibatch', { permissions: CLIPBOARD }, async (app) => {
  const page = await openPlayground(app);
  for (let i = 0; i < 5; i++) await button(page, 'Train one step').click();
  await waitForStats(page, '5 steps', (s) => s.steps === 5);
  await button(page, 'Step into the next training step').click();
  const banner = page.locator('[data-stepping-into]');
  await waitFor('the banner', async () => /training step 6: the parameters after 5 updates, minibatch 2 of epoch 2/.test(await banner.textContent()));
  await button(page, 'Jump to end of backward').click();
  await waitFor('the end of the backward pass', async () => /^backward (\d+) \/ \1$/.test(await counter(page)));
  const shown = await graphState(page);
  const url = await waitFor('the step in the link', () => {
    const params = fragmentParams(page.url());
    return params.has('tensors') && params.get('step') !== '0'
      ? { ok: true, value: page.url() }
      : { ok: false, seen: page.url().slice(0, 200) };
  });
  const params = fragmentParams(url);
  const names = params.get('tensors').split(';').map((t) => t.split(':')[0]);
  for (const name of ['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'X', 'y']) {
    assert.ok(names.includes(name), `${name} in ${names}`);
  }
  assert.match(params.get('about'), /^training step 6: /);
  assert.equal(await page.locator('[data-link-note]').count(), 0, 'the link holds the step');
  console.log(`a link to training step 6 of the moons network: ${url.length} characters`);

  await button(page, 'Copy link').click();
  await waitFor('the link on the clipboard', async () => {
    const text = await page.evaluate(() => navigator.clipboard.readText());
    return text === url ? { ok: true } : { ok: false, seen: text.slice(0, 200) };
  });

  const restored = await app.open(url);
  await restored.locator(`${GRAPH} g[data-node="W1"]`).waitFor();
  assert.equal(await counter(restored), await counter(page));
  assert.deepEqual(await graphState(restored), shown, 'the same parameters, minibatch, values and gradients');
  assert.match(await restored.locator('[data-stepping-into]').textContent(), /training step 6: the parameters after 5 updates, minibatch 2 of epoch 2/);
  await restored.locator(PLAYGROUND).waitFor({ timeout: 30_000 });
  await app.snap(restored, 'training-step-from-a-link');

  // The program's own link (no step loaded) opens the initial parameters.
  const plain = new URL(url);
  const bare = new URLSearchParams(plain.hash.slice(1));
  bare.delete('tensors');
  bare.delete('about');
  plain.hash = bare.toString();
  const initial = await app.open(plain.href);
  await initial.locator(`${GRAPH} g[data-node="W1"]`).waitFor();
  assert.notEqual((await graphState(initial)).W1.value, shown.W1.value);
  assert.equal(await initial.locator('[data-stepping-into]').count(), 0);
});

appTest('a training step too large for a link says the link opens the initial weights', async (app) => {
  const page = await openPlayground(app);
  const widths = page.getByRole('textbox', { name: 'Hidden layer widths' });
  await widths.fill('64, 64');
  await widths.press('Enter');
  await widths.blur();
  await waitFor('a 2-64-64-2 program', async () => /randn\(\[64, 64\]/.test(await editor(page).inputValue()));
  await button(page, 'Train one step').click();
  await waitForStats(page, '1 step', (s) => s.steps === 1);
  await button(page, 'Step into the next training step').click();
  await page.locator('[data-stepping-into]').waitFor();
  const note = page.locator('[data-link-note]');
  await waitFor('the note beside Copy link', async () =>
    (await note.count()) === 1 &&
    /^The link opens the initial weights: this training step's \d+ values are too many for a link\.$/.test(await note.textContent()));
  const values = Number((await note.textContent()).match(/(\d+) values/)[1]);
  // 2·64 + 64 + 64·64 + 64 + 64·2 + 2 parameters and a minibatch of 64 points (and labels).
  assert.ok(values >= 4482 + 64 * 2 && values <= 4482 + 64 * 3, `${values}`);
  assert.ok(!fragmentParams(page.url()).has('tensors'));
  await snapWide(app, page, 'link-note');
  await app.snap(page, 'link-note');
  // Back to the program's values: the note goes.
  await button(page, 'Restart training').click();
  await editor(page).fill(`${await editor(page).inputValue()} `);
  await waitFor('no note', async () => (await note.count()) === 0);
});
