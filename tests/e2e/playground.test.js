// The training playground, a module the app loads on demand: the app page does
// not load it until a program has parameters, says so while it loads and when
// it cannot; opening it writes the moons program; without WebGPU (Chromium's
// default here) the backend badge says why training runs on the CPU, and
// training reaches 90 % accuracy while the page keeps rendering; the form and
// the program text follow each other; "step into" loads a training step into
// the stepper.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { GRAPH, button, counter, editor, graphState } from './lib/app.js';
import { PLAYGROUND, openPlayground, trainStats, waitForStats } from './lib/playground.js';

const TRAINING_TIMEOUT_MS = 60_000;
const isModule = (url) => /\/playground(_bg\.wasm|\.js)$/.test(new URL(url).pathname);

appTest('the playground module loads only when a program has parameters', async (app) => {
  const loaded = [];
  app.context.on('request', (request) => {
    if (isModule(request.url())) loaded.push(new URL(request.url()).pathname);
  });
  // Hold the module back until the loading state has been seen.
  let release;
  const held = new Promise((ok) => { release = ok; });
  await app.context.route(/\/playground\.js(\?.*)?$/, async (route) => {
    await held;
    await route.continue();
  });
  const page = await app.open('/');
  await page.waitForTimeout(300);
  assert.deepEqual(loaded, [], 'nothing of the playground on the first load');
  assert.equal(await page.locator('.playground-host').getAttribute('data-playground'), 'idle');

  await button(page, 'Open the training playground').click();
  const status = page.locator('.playground-host .playground-status[role="status"]');
  await waitFor('the loading state', async () =>
    (await status.isVisible()) && (await status.locator('p').textContent()) === 'Loading the training playground…');
  assert.equal(await page.locator('.playground-host').getAttribute('data-playground'), 'loading');
  assert.ok(await status.getByRole('button', { name: 'Try again' }).isHidden());
  await app.snap(page, 'playground-loading');
  release();
  await page.locator(PLAYGROUND).waitFor();
  assert.equal(await page.locator('.playground-host').getAttribute('data-playground'), 'ready');
  assert.ok(await status.isHidden());
  assert.deepEqual(loaded.sort(), ['/playground.js', '/playground_bg.wasm']);
});

appTest('under a sub-path the module loads from next to the page', async (app) => {
  const loaded = [];
  app.context.on('request', (request) => {
    if (isModule(request.url())) loaded.push(new URL(request.url()).pathname);
  });
  const page = await openPlayground(app, '/course/viz/');
  await page.locator('.backend-badge').waitFor();
  assert.deepEqual(loaded.sort(), ['/course/viz/playground.js', '/course/viz/playground_bg.wasm']);
});

appTest('a playground module that cannot be loaded says so, and loads on another try', async (app) => {
  let refuse = true;
  await app.context.route(/\/playground\.js(\?.*)?$/, (route) => (refuse ? route.abort('failed') : route.continue()));
  const page = await app.open('/');
  await button(page, 'Open the training playground').click();
  const alert = page.locator('.playground-host .playground-status[role="alert"]');
  await waitFor('the failure', async () => /^The training playground could not be loaded: \S/.test(await alert.locator('p').textContent()));
  assert.equal(await page.locator('.playground-host').getAttribute('data-playground'), 'failed');
  // The rest of the app works on.
  await button(page, 'Step forward').click();
  await waitFor('a step', async () => /^forward 1 \//.test(await counter(page)));
  await app.snap(page, 'playground-failed-to-load');

  refuse = false;
  await button(page, 'Try again').click();
  await page.locator(PLAYGROUND).waitFor();
  assert.equal(await alert.count(), 0);
  assert.ok(await page.locator('.playground-host .playground-status').isHidden());
  await page.locator('.backend-badge').waitFor();
});

appTest('the moons playground trains to 90 % on the CPU', async (app) => {
  const page = await openPlayground(app);
  await app.snap(page, 'playground-opened');
  const program = await editor(page).inputValue();
  assert.match(program, /^X = features\(moons, 256, 64\)$/m);
  assert.match(program, /^# train: adam, learning rate 0\.02$/m);
  assert.match(program, /^h2 = relu\(h1 @ W2 \+ b2\)$/m);

  const badge = page.locator('.backend-badge');
  await waitFor('the backend badge to give the reason', async () => {
    const text = await badge.textContent();
    return /^CPU — WebGPU unavailable: \S/.test(text) ? { ok: true } : { ok: false, seen: text };
  });
  assert.equal(await badge.getAttribute('data-backend'), 'CPU');
  assert.ok(await page.getByRole('radio', { name: 'GPU backend' }).isDisabled());
  assert.ok(await page.getByRole('radio', { name: 'CPU backend' }).isChecked());
  // The data and the initial decision regions are there before training.
  await waitFor('the scatter', async () => (await page.locator('svg.boundary circle').count()) === 256);
  await app.snap(page, 'playground-before');

  await button(page, 'Train').click();
  assert.equal(await button(page, 'Pause training').getAttribute('aria-pressed'), 'true');
  const stats = await waitForStats(
    page,
    'a training accuracy of at least 90 %',
    (s) => s.accuracy !== null && s.accuracy >= 0.9 && s.frameMs !== null,
    { timeout: TRAINING_TIMEOUT_MS },
  );
  // The page keeps rendering: frames come at display rate, not once per burst.
  assert.ok(stats.frameMs < 50, `mean frame time ${stats.frameMs} ms`);
  assert.ok(stats.stepsPerSecond > 20, `${stats.stepsPerSecond} steps/s`);
  const probe = await page.evaluate(
    () => new Promise((done) => {
      const start = performance.now();
      let frames = 0;
      const tick = () => (++frames < 10 ? requestAnimationFrame(tick) : done((performance.now() - start) / 10));
      requestAnimationFrame(tick);
    }),
  );
  assert.ok(probe < 60, `a page animation frame takes ${probe} ms while training`);
  await button(page, 'Pause training').click();
  const paused = await trainStats(page);
  console.log(`moons on CPU: ${paused.steps} steps, accuracy ${paused.accuracy}, ` +
    `${Math.round(paused.stepsPerSecond)} steps/s, frame ${paused.frameMs.toFixed(1)} ms (max ${paused.frameMaxMs.toFixed(0)} ms)`);
  await page.waitForTimeout(200);
  assert.equal((await trainStats(page)).steps, (await trainStats(page)).steps);
  assert.match(await page.locator('svg.loss-chart').getAttribute('aria-label'), /^Loss curve: \d+ steps, latest loss /);
  assert.ok(await page.locator('svg.boundary image').count(), 'the decision regions are drawn');
  await app.snap(page, 'playground-trained');

  // The link carries the program (with its training line): it opens the same playground.
  const restored = await app.open(page.url());
  assert.equal(await editor(restored).inputValue(), program);
  await restored.locator('section[aria-label="Training playground"] .train-stats').waitFor();
});

appTest('the form writes the program and reads it back', async (app) => {
  const page = await openPlayground(app);
  const widths = page.getByRole('textbox', { name: 'Hidden layer widths' });
  assert.equal(await widths.inputValue(), '16, 16');

  await widths.fill('8');
  await widths.press('Enter');
  await widths.blur();
  await waitFor('a 2-8-2 program', async () => /^W1 = param\(randn\(\[2, 8\], 1\) \* 0\.7\)$/m.test(await editor(page).inputValue()));
  assert.doesNotMatch(await editor(page).inputValue(), /h2 =/);

  await page.getByRole('combobox', { name: 'Activation' }).selectOption('tanh');
  await waitFor('tanh layers', async () => /^h1 = tanh\(X @ W1 \+ b1\)$/m.test(await editor(page).inputValue()));
  await page.getByRole('combobox', { name: 'Dataset' }).selectOption('spiral');
  await waitFor('the spiral dataset', async () => /features\(spiral, 256, 64\)/.test(await editor(page).inputValue()));
  await page.getByRole('combobox', { name: 'Optimizer' }).selectOption('momentum');
  await waitFor('the training line', async () => /^# train: momentum, learning rate 0\.02$/m.test(await editor(page).inputValue()));
  await page.getByRole('checkbox', { name: 'Zero the gradients before each step' }).uncheck();
  await waitFor('gradients not zeroed', async () => /^# train: momentum, learning rate 0\.02, gradients not zeroed$/m.test(await editor(page).inputValue()));

  // Editing the program updates the form.
  const text = (await editor(page).inputValue())
    .replace('learning rate 0.02', 'learning rate 0.5')
    .replace(/randn\(\[2, 8\], 1\)/, 'randn([2, 12], 1)')
    .replace('zeros([8])', 'zeros([12])')
    .replace('randn([8, 2], 2)', 'randn([12, 2], 2)');
  await editor(page).fill(text);
  await waitFor('the form to follow the edit', async () =>
    (await widths.inputValue()) === '12' &&
    (await page.getByRole('spinbutton', { name: 'Learning rate' }).inputValue()) === '0.5');
  assert.equal(await page.getByRole('combobox', { name: 'Optimizer' }).inputValue(), 'momentum');
  assert.equal(await page.getByRole('checkbox', { name: 'Zero the gradients before each step' }).isChecked(), false);

  // A program beyond the form: the model fields give way to the reason; training settings stay.
  await editor(page).fill(text.replace('logits = h1 @ W2 + b2', 'logits = relu(h1 @ W2 + b2)'));
  await waitFor('the reason', async () => /cannot describe this program's model/.test(await page.locator('.form-note').textContent()));
  assert.equal(await widths.count(), 0);
  assert.equal(await page.getByRole('spinbutton', { name: 'Learning rate' }).inputValue(), '0.5');
  await waitFor('the spiral data', async () => (await page.locator('svg.boundary circle').count()) === 256);
  await app.snap(page, 'playground-form-locked');
});

appTest('step into a training step walks it with the stepper', async (app) => {
  const page = await openPlayground(app);
  for (let i = 0; i < 5; i++) await button(page, 'Train one step').click();
  await waitForStats(page, '5 steps', (s) => s.steps === 5);
  await button(page, 'Step into the next training step').click();
  const banner = page.locator('[data-stepping-into]');
  await waitFor('the banner', async () => /training step 6: the parameters after 5 updates, minibatch 2 of epoch 2/.test(await banner.textContent()));
  assert.match(await counter(page), /^forward 0 \/ \d+$/);

  await button(page, 'Jump to end of backward').click();
  await waitFor('the end of the backward pass', async () => /^backward (\d+) \/ \1$/.test(await counter(page)));
  const stepped = Number((await graphState(page)).L.value);
  assert.ok(JSON.parse(await page.getAttribute(`${GRAPH} g[data-node="W1"]`, 'data-adjoint')).length === 2);
  await app.snap(page, 'stepped-into-a-training-step');

  // The step that training takes next computes the same loss.
  await button(page, 'Train one step').click();
  const after = await waitForStats(page, '6 steps', (s) => s.steps === 6);
  assert.equal(after.loss, stepped);
});
