// Training on the CPU runs in a Web Worker: a program whose every step takes well over
// 100 ms trains while the page answers clicks within 100 ms and the loss goes down;
// the worker is requested only once training starts, and a pause stops it. Trained in
// the worker or on the page's own thread (while the editor's program does not compile),
// a run's losses are the same to the bit.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { slowestClick } from './lib/responsive.js';
import { button, editor } from './lib/app.js';
import { openPlayground, trainStats, waitForStats, waitForTraining } from './lib/playground.js';

const isWorker = (url) => /\/(check-worker\.js|checker\.js|checker_bg\.wasm)$/.test(new URL(url).pathname);

/** A 2-176-176-2 ReLU network on 1024 moons points, all of them in each step's batch:
 * about 2·10⁸ floating-point operations a step, within the language's limit. */
const WIDE = [
  '# train: adam, learning rate 0.01',
  'X = features(moons, 1024, 1024)',
  'y = labels(moons, 1024, 1024)',
  'W1 = param(randn([2, 176], 1) * 0.7)',
  'b1 = param(zeros([176]))',
  'W2 = param(randn([176, 176], 2) * 0.11)',
  'b2 = param(zeros([176]))',
  'W3 = param(randn([176, 2], 3) * 0.11)',
  'b3 = param(zeros([2]))',
  'h1 = relu(X @ W1 + b1)',
  'h2 = relu(h1 @ W2 + b2)',
  'logits = h2 @ W3 + b3',
  'L = cross_entropy(logits, y)',
].join('\n');

function requests(app) {
  const seen = [];
  app.context.on('request', (request) => {
    if (isWorker(request.url())) seen.push(new URL(request.url()).pathname);
  });
  return seen;
}

appTest('a slow step trains in a worker while the page answers, and a pause stops it', async (app) => {
  const workers = requests(app);
  const page = await openPlayground(app);
  await editor(page).fill(WIDE);
  await waitFor('the wide network in the playground', async () =>
    (await page.locator('svg.boundary circle').count()) === 1024 && (await page.locator('svg.boundary image').count()) === 1,
  { timeout: 60_000 });
  await page.waitForTimeout(1000);
  assert.deepEqual(workers, [], 'no worker before training');

  await button(page, 'Train').click();
  const first = await waitForStats(page, 'a first step', (s) => s.steps >= 1 && s.loss !== null, { timeout: 30_000 });
  assert.ok(workers.includes('/check-worker.js'), `the worker is requested once training starts: ${workers}`);
  // While the worker trains, a click on the theme button is answered within 100 ms.
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration)))
      .observe({ type: 'longtask' });
  });
  const slowest = await slowestClick(page, 'header button:last-of-type', 2500);
  const longest = await page.evaluate(() => Math.max(0, ...window.longTasks));
  const during = await waitForStats(page, 'more steps', (s) => s.steps >= first.steps + 3 && s.stepsPerSecond !== null, { timeout: 30_000 });
  console.log(`2-176-176-2 at batch 1024 in the worker: ${during.stepsPerSecond.toFixed(2)} steps/s, ` +
    `slowest click ${slowest.toFixed(0)} ms, longest task on the page ${longest.toFixed(0)} ms`);
  assert.ok(slowest < 100, `a click answered within 100 ms while training (slowest ${slowest.toFixed(0)} ms)`);
  assert.ok(during.stepsPerSecond < 1000 / 100, `each step takes over 100 ms (${during.stepsPerSecond} steps/s)`);
  assert.ok(during.loss < first.loss, `the loss goes down: ${first.loss} at step ${first.steps}, ${during.loss} at step ${during.steps}`);

  await button(page, 'Pause training').click();
  await waitForTraining(page, false);
  await page.waitForTimeout(300);
  const paused = (await trainStats(page)).steps;
  await page.waitForTimeout(1500);
  assert.equal((await trainStats(page)).steps, paused, 'no step after the pause');
});

const stopField = (page) => page.getByRole('spinbutton', { name: 'Stop at step' });

/** Train from the start to step `stop`; the stats there. */
async function trainTo(page, stop) {
  await button(page, 'Restart training').click();
  await waitForStats(page, 'a fresh run', (s) => s.steps === 0);
  await button(page, 'Train').click();
  await waitForTraining(page, false, { timeout: 30_000 });
  const stats = await page.$eval('.train-stats', (dl) => ({ steps: dl.dataset.steps, loss: dl.dataset.loss }));
  assert.equal(stats.steps, String(stop));
  return stats;
}

appTest('the worker trains the run the page would have, to the bit', async (app) => {
  const workers = requests(app);
  const page = await openPlayground(app);
  await stopField(page).fill('60');
  await stopField(page).press('Tab');
  await waitFor('the stop to be taken', async () => (await stopField(page).getAttribute('aria-invalid')) === 'false');
  const inWorker = await trainTo(page, 60);
  const started = workers.filter((w) => w === '/check-worker.js').length;
  assert.equal(started, 1, 'trained in the worker');
  // While the editor's program does not compile, the page trains its last valid version
  // on its own thread.
  await editor(page).fill(`${await editor(page).inputValue()}\nbroken = (`);
  await waitFor('the editor to say what is wrong', async () => (await page.locator('#program-error .error-message').count()) > 0);
  const onPage = await trainTo(page, 60);
  assert.equal(workers.filter((w) => w === '/check-worker.js').length, started, 'trained on the page');
  assert.equal(onPage.loss, inWorker.loss, 'the same loss at step 60, to the last digit');
});
