// How long the page is held by a long seek: "Jump to end of backward" (End) on two
// products of 250 × 250 matrices (about 1.9·10⁸ operations, near the work budget), once
// with the page's worker and once on the page's own thread (the same build with `Worker`
// taken away, so the app falls back to seeking on the page). For each it prints the
// longest main-thread frame from the key press to the last step shown (Chromium's
// long-animation-frame entries: script and rendering), their sum, and the time from the
// key press to the last step on screen; the median of several runs. A measurement, not
// a test.
//
//   node tests/e2e/bench-seek.mjs              (serves dist/, or E2E_DIST)
//   BENCH_RUNS=9 node tests/e2e/bench-seek.mjs

import { launchChromium } from './lib/browser.js';
import { DIST, startServer } from './lib/server.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HEAVY = 'A = randn([250, 250], 1)\nB = A @ A\nC = B @ A\nsum(C)';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One jump: opens the program fresh, presses End, waits for the last step. */
async function jump(browser, server, withWorker) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  if (!withWorker) await page.addInitScript(() => delete window.Worker);
  await page.goto(server.url(`/#program=${encodeURIComponent(HEAVY)}`));
  await page.waitForSelector('svg[aria-label="Computation graph"] g[data-node="C"]');
  await page.evaluate(() => new Promise((done) => setTimeout(done, 300)));
  const result = await page.evaluate(
    () =>
      new Promise((done) => {
        const frames = [];
        const observer = new PerformanceObserver((list) => frames.push(...list.getEntries()));
        observer.observe({ type: 'long-animation-frame', buffered: false });
        document.activeElement?.blur?.();
        const start = performance.now();
        document.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
        const check = () => {
          const text = document.querySelector('[data-step-counter]')?.textContent ?? '';
          if (/backward 4 \/ 4/.test(text)) {
            requestAnimationFrame(() =>
              setTimeout(() => {
                const landed = performance.now() - start;
                setTimeout(() => {
                  observer.disconnect();
                  const mine = frames.filter((f) => f.startTime + f.duration >= start);
                  const blocking = mine.map((f) => f.duration);
                  done({
                    longest: Math.max(0, ...blocking),
                    total: blocking.reduce((a, b) => a + b, 0),
                    landed,
                  });
                }, 100);
              }, 0),
            );
          } else {
            setTimeout(check, 5);
          }
        };
        check();
      }),
  );
  await page.close();
  return result;
}

const server = await startServer({ root: DIST });
const browser = await launchChromium();
try {
  console.log(`"Jump to end of backward" on two products of 250 × 250 matrices, median of ${RUNS} runs`);
  console.log('where | longest frame held | long frames, summed | key → last step shown');
  for (const [label, withWorker] of [['worker', true], ['page thread', false]]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await jump(browser, server, withWorker));
    const ms = (key) => `${median(runs.map((r) => r[key])).toFixed(0)} ms`;
    console.log(`${label} | ${ms('longest')} | ${ms('total')} | ${ms('landed')}`);
  }
} finally {
  await browser.close();
  await server.close();
}
