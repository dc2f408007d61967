// How long one step takes in the browser as the graph grows, and how long a pasted
// program takes to become a graph (the editor's pause before compiling included). For
// chains of about 300, 1,000 and 3,000 nodes it pastes the program, waits for its graph,
// then steps forward and backward (→), and prints two figures per phase, the median and
// 90th percentile of each: the step's work (its script, effects included, and the
// rendering of the frame that shows it: style, layout, paint) and the time from the key
// press to that painted frame (the work plus the wait for the display's next frame, up
// to 16.7 ms at 60 Hz). For the graph as it opens (bindings folded beyond 150 nodes) and
// with every binding unfolded. A measurement, not a test.
//
//   node tests/e2e/bench-stepping.mjs              (serves dist/, or E2E_DIST)
//   BENCH_STEPS=40 node tests/e2e/bench-stepping.mjs

import { launchChromium } from './lib/browser.js';
import { DIST, startServer } from './lib/server.js';

const STEPS = Number(process.env.BENCH_STEPS ?? 30);
const SIZES = (process.env.BENCH_NODES ?? '300,1000,3000').split(',').map(Number);

/** A chain of bindings with about `nodes` graph nodes (each line adds about 5). */
function chain(nodes) {
  const lines = ['a0 = x * y', 'a1 = sin(a0) + x'];
  const count = Math.max(3, Math.round(nodes / 5));
  for (let i = 2; i < count; i++) lines.push(`a${i} = tanh(a${i - 1} * 0.5 + a${i - 2} * y)`);
  lines.push(`a${count - 1} + a${Math.floor(count / 2)}`);
  return lines.join('\n');
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const summary = (times) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `${quantile(sorted, 0.5).toFixed(1)} / ${quantile(sorted, 0.9).toFixed(1)} ms`;
};

/**
 * Presses `key` in the page and resolves with two durations: the step's work (its script,
 * effects included, until the page's next task or frame, plus the rendering of that frame:
 * style, layout, paint) and the wait from the key press to the painted frame (which adds the
 * wait for the display's next frame, up to 16.7 ms at 60 Hz).
 */
function timedKey(page, key) {
  return page.evaluate(
    (key) =>
      new Promise((done) => {
        let next;
        const start = performance.now();
        document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
        // Leptos runs its effects as microtasks, so the step's script ends with this task.
        const channel = new MessageChannel();
        channel.port1.onmessage = () => (next ??= performance.now());
        channel.port2.postMessage(0);
        requestAnimationFrame(() => {
          const frame = performance.now();
          next ??= frame;
          setTimeout(() => {
            const end = performance.now();
            done({ work: next - start + (end - frame), painted: end - start });
          }, 0);
        });
      }),
    key,
  );
}

/** Steps forward from the start, then backward from the end of the forward pass. */
async function steps(page) {
  await page.evaluate(() => document.activeElement?.blur?.());
  await page.keyboard.press('Home');
  const forward = [];
  for (let i = 0; i < STEPS; i++) forward.push(await timedKey(page, 'ArrowRight'));
  await page.getByRole('button', { name: 'Jump to end of forward', exact: true }).click();
  await page.evaluate(() => document.activeElement?.blur?.());
  await page.waitForTimeout(200);
  const backward = [];
  for (let i = 0; i < STEPS; i++) backward.push(await timedKey(page, 'ArrowRight'));
  const columns = (times) => `${summary(times.map((t) => t.work))} | ${summary(times.map((t) => t.painted))}`;
  return `${columns(forward)} | ${columns(backward)}`;
}

const server = await startServer({ root: DIST });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(server.url('/'));
  const editor = page.getByRole('textbox', { name: 'Program', exact: true });
  await editor.waitFor();
  console.log(`Stepping in headless Chromium, ${STEPS} steps per phase`);
  console.log('Each step: its work (script + rendering) and key press → painted frame, median / p90');
  console.log('nodes | boxes drawn | typing → graph | forward work | forward to paint | backward work | backward to paint');
  for (const size of SIZES) {
    const program = chain(size);
    // The program arrives as a paste does, in one input event (Playwright's fill inserts a
    // many-line text one line at a time, an input event each, which no reader does).
    const start = Date.now();
    await editor.evaluate((textarea, text) => {
      textarea.value = text;
      textarea.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
    }, program);
    // The graph is drawn when the SVG counts the new program's nodes and holds its output.
    const nodes = await page.waitForFunction(
      (want) => {
        const svg = document.querySelector('svg[aria-label="Computation graph"]');
        const n = Number(svg?.getAttribute('data-nodes') ?? 0);
        return n >= want && svg.querySelector('g.output') ? n : false;
      },
      Math.round(size * 0.9),
      { timeout: 120_000, polling: 20 },
    );
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0))));
    const typed = Date.now() - start;
    const boxes = () =>
      page.$$eval('svg[aria-label="Computation graph"] :is(g[data-node], g[data-group])', (g) => g.length);
    const n = await nodes.jsonValue();
    console.log(`${n} | ${await boxes()} | ${typed} ms | ${await steps(page)}`);
    // The same graph with every binding unfolded.
    const unfold = page.getByRole('button', { name: 'Unfold all', exact: true });
    if (await unfold.count()) {
      await unfold.click();
      await page.waitForFunction(
        () => !document.querySelector('svg[aria-label="Computation graph"] g[data-group]'),
        null,
        { timeout: 120_000, polling: 20 },
      );
      console.log(`${n} | ${await boxes()} (unfolded) | | ${await steps(page)}`);
      // The next program's bindings have the same names: fold them again.
      if (size !== SIZES.at(-1)) {
        await page.getByRole('button', { name: 'Fold all', exact: true }).click({ timeout: 60_000 });
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
}
