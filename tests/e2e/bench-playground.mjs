// Training speed of the playground in the browser, WebGPU against the CPU: the
// moons 2-16-16-2 MLP (the playground's default program) trains for a while on
// each backend, from the same initial parameters, while the page measures its
// own animation frames. Prints steps per second and the frame time (mean, 95th
// percentile, max) side by side, with the WebGPU / CPU ratio. A measurement,
// not a test: it fails only when the page or WebGPU is not there.
//
//   node tests/e2e/bench-playground.mjs        (serves dist/, or E2E_DIST)
//   BENCH_SECONDS=20 node tests/e2e/bench-playground.mjs
//
// Chromium runs headless with --enable-unsafe-webgpu, so WebGPU is SwiftShader
// (a CPU implementation): the ratio says more about overheads than about GPUs.

import { launchChromium } from './lib/browser.js';
import { DIST, startServer } from './lib/server.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_UP_MS = 2000;

const server = await startServer({ root: DIST });
const browser = await launchChromium({ args: ['--enable-unsafe-webgpu'] });

/** Waits until `probe()` (in node) is truthy; returns it. */
async function until(what, probe, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Trains on the backend whose radio is `radio` and measures. */
async function measure(page, radio, backend) {
  await page.getByRole('radio', { name: radio, exact: true }).check();
  const badge = page.locator('.backend-badge');
  await until(`the ${backend} backend`, async () => (await badge.getAttribute('data-backend')) === backend);
  await page.getByRole('button', { name: 'Restart training', exact: true }).click();
  await until('a fresh run', async () => (await page.locator('.train-stats').getAttribute('data-steps')) === '0');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForTimeout(WARM_UP_MS);
  const result = await page.evaluate(async (ms) => {
    const stats = document.querySelector('.train-stats');
    const frames = [];
    let measuring = true;
    const tick = (t) => {
      frames.push(t);
      if (measuring) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const [t0, s0] = [performance.now(), Number(stats.dataset.steps)];
    await new Promise((ok) => setTimeout(ok, ms));
    const [t1, s1] = [performance.now(), Number(stats.dataset.steps)];
    measuring = false;
    const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
    return {
      stepsPerSecond: ((s1 - s0) * 1000) / (t1 - t0),
      steps: s1,
      frameMean: gaps.reduce((a, b) => a + b, 0) / gaps.length,
      frameP95: gaps[Math.floor(gaps.length * 0.95)],
      frameMax: gaps[gaps.length - 1],
      accuracy: Number(stats.dataset.accuracy),
    };
  }, SECONDS * 1000);
  const message = (await page.locator('.train-message').textContent()).trim();
  if (message) throw new Error(`training on ${backend} stopped: ${message}`);
  await page.getByRole('button', { name: 'Pause training', exact: true }).click();
  return { backend, badge: (await badge.textContent()).trim(), ...result };
}

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(server.url('/'));
  await page.getByRole('button', { name: 'Open the training playground', exact: true }).click();
  const badge = page.locator('.backend-badge');
  await until('WebGPU (is Chromium offering an adapter?)', async () =>
    (await badge.count()) && (await badge.getAttribute('data-backend')) === 'WebGPU');
  const gpu = await measure(page, 'GPU backend', 'WebGPU');
  const cpu = await measure(page, 'CPU backend', 'CPU');

  const fixed = (x, digits = 1) => x.toFixed(digits);
  const rows = [
    ['steps/s', fixed(gpu.stepsPerSecond, 0), fixed(cpu.stepsPerSecond, 0), `${fixed(gpu.stepsPerSecond / cpu.stepsPerSecond, 2)}×`],
    ['frame mean (ms)', fixed(gpu.frameMean), fixed(cpu.frameMean), `${fixed(gpu.frameMean / cpu.frameMean, 2)}×`],
    ['frame p95 (ms)', fixed(gpu.frameP95), fixed(cpu.frameP95), `${fixed(gpu.frameP95 / cpu.frameP95, 2)}×`],
    ['frame max (ms)', fixed(gpu.frameMax), fixed(cpu.frameMax), `${fixed(gpu.frameMax / cpu.frameMax, 2)}×`],
    ['accuracy after', fixed(gpu.accuracy * 100) + ' %', fixed(cpu.accuracy * 100) + ' %', ''],
  ];
  console.log(`moons 2-16-16-2 MLP, batch 64, Adam; ${SECONDS} s of training per backend after ${WARM_UP_MS / 1000} s of warm-up`);
  console.log(`WebGPU: ${gpu.badge}; Chromium ${browser.version()}`);
  console.log('');
  console.log('| | WebGPU (f32) | CPU (f64) | WebGPU / CPU |');
  console.log('| --- | --- | --- | --- |');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} finally {
  await browser.close();
  await server.close();
}
