// The training playground on WebGPU: Chromium with --enable-unsafe-webgpu
// offers a SwiftShader adapter (its GPUAdapterInfo: vendor "google",
// architecture "swiftshader"). The playground trains the moons network there
// to 90 %, the badge names the adapter, the switch continues the same model on
// the CPU and back, a lost device falls back to the CPU without losing the
// program, the step count or the parameters, and queued steps keep to the
// chosen speed and the stop. (Without the flag, the playground falls back to
// the CPU and says why: playground.test.js.)

import assert from 'node:assert/strict';

import { useChromiumArgs } from './lib/browser.js';
import { appTest, waitFor } from './lib/harness.js';
import { GRAPH, button, counter, editor } from './lib/app.js';
import { openPlayground, tensorOf, trainStats, waitForBackend, waitForStats } from './lib/playground.js';

useChromiumArgs('--enable-unsafe-webgpu');

const TRAINING_TIMEOUT_MS = 90_000;
const SWIFTSHADER = /^WebGPU — google swiftshader$/;

/** Keeps every GPUDevice the page opens in window.gpuDevices, so a test can destroy them. */
function keepDevices() {
  if (typeof GPUAdapter === 'undefined') return;
  window.gpuDevices = [];
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await requestDevice.apply(this, args);
    window.gpuDevices.push(device);
    return device;
  };
}

const radio = (page, name) => page.getByRole('radio', { name, exact: true });

/** A page frame probe: mean time of `frames` animation frames (ms). */
function frameTime(page, frames = 20) {
  return page.evaluate((n) => new Promise((done) => {
    const start = performance.now();
    let seen = 0;
    const tick = () => (++seen < n ? requestAnimationFrame(tick) : done((performance.now() - start) / n));
    requestAnimationFrame(tick);
  }), frames);
}

/** Steps into the next training step; returns its banner text and W1 after the forward pass. */
async function stepIntoW1(page) {
  const banner = page.locator('[data-stepping-into]');
  const atEndOfForward = /^forward (\d+) \/ \d+$/.exec(await counter(page))?.[1] > 0;
  await button(page, 'Step into the next training step').click();
  // The loaded step starts at 0 with its banner (a step shown before stays until then).
  await waitFor('the training step in the stepper', async () =>
    (await banner.count()) === 1 && /^forward 0 \//.test(await counter(page)) &&
    (!atEndOfForward || (await tensorOf(page, 'W1', 'value')) === null));
  await button(page, 'Jump to end of forward').click();
  await waitFor('W1 evaluated', async () => (await tensorOf(page, 'W1', 'value')) !== null);
  return { banner: (await banner.textContent()).trim(), w1: await tensorOf(page, 'W1', 'value') };
}

appTest('the moons playground trains to 90 % on WebGPU', async (app) => {
  const page = await openPlayground(app);
  const badge = await waitForBackend(page, 'WebGPU', SWIFTSHADER, { timeout: 30_000 });
  assert.match(badge.text, SWIFTSHADER);
  assert.ok(await radio(page, 'GPU backend').isChecked());
  assert.ok(!(await radio(page, 'GPU backend').isDisabled()));
  await app.snap(page, 'playground-webgpu-before');

  await button(page, 'Train').click();
  const stats = await waitForStats(
    page,
    'a training accuracy of at least 90 % on WebGPU',
    (s) => s.accuracy !== null && s.accuracy >= 0.9 && s.steps > 0,
    { timeout: TRAINING_TIMEOUT_MS },
  );
  assert.equal((await waitForBackend(page, 'WebGPU', SWIFTSHADER)).backend, 'WebGPU');
  // The GPU works while the main thread is free: the page keeps rendering.
  const probe = await frameTime(page);
  assert.ok(probe < 60, `a page animation frame takes ${probe} ms while training on WebGPU`);
  await button(page, 'Pause training').click();
  const paused = await trainStats(page);
  console.log(`moons on WebGPU (SwiftShader): ${paused.steps} steps, accuracy ${paused.accuracy}, ` +
    `${Math.round(paused.stepsPerSecond)} steps/s, frame ${paused.frameMs?.toFixed(1)} ms (max ${paused.frameMaxMs?.toFixed(0)} ms)`);
  assert.ok(stats.steps >= 1 && paused.accuracy >= 0.9);
  assert.ok(await page.locator('svg.boundary image').count(), 'the decision regions are drawn');
  await app.snap(page, 'playground-webgpu-trained');
});

appTest('the switch continues the same model on the CPU and back on WebGPU', async (app) => {
  const page = await openPlayground(app);
  await waitForBackend(page, 'WebGPU', SWIFTSHADER, { timeout: 30_000 });
  for (let i = 0; i < 3; i++) await button(page, 'Train one step').click();
  await waitForStats(page, '3 steps on WebGPU', (s) => s.steps === 3 && s.accuracy !== null);
  const onGpu = await stepIntoW1(page);
  assert.match(onGpu.banner, /training step 4: the parameters after 3 updates, minibatch 4 of epoch 1/);

  await radio(page, 'CPU backend').check();
  await waitForBackend(page, 'CPU', /^CPU \(f64\) — WebGPU available: google swiftshader$/);
  assert.equal((await trainStats(page)).steps, 3, 'the step count goes along');
  // The same parameters (the GPU's f32 values) and the same next minibatch.
  const onCpu = await stepIntoW1(page);
  assert.equal(onCpu.banner, onGpu.banner);
  assert.deepEqual(onCpu.w1, onGpu.w1);

  await button(page, 'Train one step').click();
  await waitForStats(page, '4 steps on the CPU', (s) => s.steps === 4);
  await radio(page, 'GPU backend').check();
  await waitForBackend(page, 'WebGPU', SWIFTSHADER);
  assert.equal((await trainStats(page)).steps, 4);
  await button(page, 'Train').click();
  await waitForStats(page, 'training on WebGPU again', (s) => s.steps > 4 && s.accuracy >= 0.9, { timeout: TRAINING_TIMEOUT_MS });
  await button(page, 'Pause training').click();
  assert.equal((await waitForBackend(page, 'WebGPU', SWIFTSHADER)).backend, 'WebGPU');
});

appTest('a lost GPU device falls back to the CPU and keeps the program, the steps and the parameters', async (app) => {
  await app.context.addInitScript(keepDevices);
  const page = await openPlayground(app);
  await waitForBackend(page, 'WebGPU', SWIFTSHADER, { timeout: 30_000 });
  const program = await editor(page).inputValue();

  // Paused: the parameters were read back at the pause, so nothing is lost.
  await button(page, 'Train').click();
  await waitForStats(page, '20 steps on WebGPU', (s) => s.steps >= 20, { timeout: TRAINING_TIMEOUT_MS });
  await button(page, 'Pause training').click();
  const before = await waitFor('training to settle', async () => {
    const first = await trainStats(page);
    await page.waitForTimeout(300);
    const second = await trainStats(page);
    return first.steps === second.steps ? { ok: true, value: second } : { ok: false, seen: JSON.stringify([first, second]) };
  });
  const onGpu = await stepIntoW1(page);
  assert.match(onGpu.banner, new RegExp(`training step ${before.steps + 1}: `));
  assert.equal(await page.evaluate(() => window.gpuDevices.length), 1);
  await page.evaluate(() => window.gpuDevices.forEach((device) => device.destroy()));

  // Reading the next step needs the GPU: it is gone, so the CPU takes over from the
  // parameters read back at the pause, at the same step.
  const onCpu = await stepIntoW1(page);
  const badge = await waitForBackend(page, 'CPU', /^CPU — WebGPU \(google swiftshader\) failed: /);
  assert.match(badge.text, new RegExp(`; training went on from step ${before.steps}$`));
  assert.equal(onCpu.banner, onGpu.banner);
  assert.deepEqual(onCpu.w1, onGpu.w1);
  assert.equal((await trainStats(page)).steps, before.steps);
  assert.equal(await editor(page).inputValue(), program, 'the program stays');
  assert.ok(await radio(page, 'CPU backend').isChecked());
  assert.ok(!(await radio(page, 'GPU backend').isDisabled()), 'WebGPU may be tried again');

  await button(page, 'Train one step').click();
  const after = await waitForStats(page, 'one more step, on the CPU', (s) => s.steps === before.steps + 1);
  assert.ok(Number.isFinite(after.loss));
  await app.snap(page, 'playground-gpu-lost');

  await button(page, 'Train').click();
  await waitForStats(page, 'training on after the loss', (s) => s.steps > before.steps + 20 && s.accuracy >= 0.9, { timeout: TRAINING_TIMEOUT_MS });
  await button(page, 'Pause training').click();
  assert.match(await counter(page), /^(forward|backward) /);
  assert.ok(await page.locator(`${GRAPH} g[data-node="W1"]`).count());
});

appTest('a device lost while training falls back mid-run and trains on', async (app) => {
  await app.context.addInitScript(keepDevices);
  const page = await openPlayground(app);
  await waitForBackend(page, 'WebGPU', SWIFTSHADER, { timeout: 30_000 });
  await button(page, 'Train').click();
  const running = await waitForStats(page, '40 steps on WebGPU', (s) => s.steps >= 40 && s.accuracy !== null, { timeout: TRAINING_TIMEOUT_MS });
  await page.evaluate(() => window.gpuDevices.forEach((device) => device.destroy()));
  const badge = await waitForBackend(page, 'CPU', /^CPU — WebGPU \(google swiftshader\) failed: .*; training went on from step \d+$/);
  const resumedAt = Number(badge.text.match(/from step (\d+)$/)[1]);
  // Training went on from the last parameters read back, not from the start.
  assert.ok(resumedAt > 0, badge.text);
  assert.equal(await button(page, 'Pause training').getAttribute('aria-pressed'), 'true', 'still training');
  // Adam's moments start afresh on the CPU, so the accuracy may dip before it recovers.
  await waitForStats(
    page,
    'training on, on the CPU, to 90 %',
    (s) => s.steps > Math.max(resumedAt, running.steps) + 50 && s.accuracy >= 0.9,
    { timeout: TRAINING_TIMEOUT_MS },
  );
  await button(page, 'Pause training').click();
});

appTest('on WebGPU, paced training keeps its pace and stops exactly at the stop', async (app) => {
  const page = await openPlayground(app);
  await waitForBackend(page, 'WebGPU', SWIFTSHADER, { timeout: 30_000 });
  const stop = page.getByRole('spinbutton', { name: 'Stop at step' });
  // As fast as possible queues many steps per submission; none passes the stop.
  await stop.fill('150');
  await stop.press('Tab');
  await button(page, 'Train').click();
  await waitFor('the pause at the stop', async () =>
    (await page.locator('.train-controls button[name="train"]').getAttribute('aria-pressed')) === 'false',
  { timeout: TRAINING_TIMEOUT_MS });
  assert.equal((await trainStats(page)).steps, 150);
  assert.equal(await page.locator('.train-message').textContent(), 'Paused at step 150, as “Stop at step” asks.');

  // 2 steps/s: one submission per step, about two a second.
  await stop.fill('');
  await stop.press('Tab');
  await page.getByRole('combobox', { name: 'Training speed' }).selectOption('2');
  await button(page, 'Train').click();
  await waitForStats(page, 'the first paced step', (s) => s.steps >= 151);
  const first = (await trainStats(page)).steps;
  await page.waitForTimeout(3000);
  const taken = (await trainStats(page)).steps - first;
  console.log(`2 steps/s on WebGPU: ${taken} steps in 3 s`);
  assert.ok(taken >= 4 && taken <= 8, `${taken} steps in 3 s`);
  await button(page, 'Pause training').click();
});
