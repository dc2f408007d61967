// Helpers for tensor programs and the training playground (DOM contract in
// README.md): tensor nodes' values as arrays, their cells, opening the
// playground (a module loaded on demand), its backend badge and its statistics,
// whether it trains, and screenshots at a wide desktop size.

import { mkdir } from 'node:fs/promises';

import { GRAPH, button } from './app.js';
import { DESKTOP, SCREENSHOTS } from './harness.js';
import { waitFor } from './wait.js';

/** The playground section, there once its module is loaded and mounted. */
export const PLAYGROUND = 'section[aria-label="Training playground"]';

/** Opens the app, then the moons playground from its card; waits for the module. */
export async function openPlayground(app, path = '/') {
  const page = await app.open(path);
  await button(page, 'Open the training playground').click();
  await page.locator(PLAYGROUND).waitFor({ timeout: 30_000 });
  return page;
}

/** The backend badge: { backend (its data-backend), text }. */
export async function backendBadge(page) {
  const badge = page.locator('.backend-badge');
  return { backend: await badge.getAttribute('data-backend'), text: (await badge.textContent()).trim() };
}

/** Waits until the badge names `backend` ("CPU" or "WebGPU") with text matching `pattern`. */
export function waitForBackend(page, backend, pattern = /./, options) {
  return waitFor(`the ${backend} badge matching ${pattern}`, async () => {
    const badge = await backendBadge(page);
    return badge.backend === backend && pattern.test(badge.text)
      ? { ok: true, value: badge }
      : { ok: false, seen: JSON.stringify(badge) };
  }, options);
}

/** The nested array in a node's data-value / data-adjoint (JSON; "NaN", "inf" kept). */
export async function tensorOf(page, name, attribute = 'adjoint') {
  const text = await page.getAttribute(`${GRAPH} g[data-node="${name}"]`, `data-${attribute}`);
  return text ? JSON.parse(text) : null;
}

/** The cells of one panel ("value" or "adjoint") of a tensor node: [{ label, text }]. */
export function cellsOf(page, name, panel) {
  return page.$$eval(
    `${GRAPH} g[data-node="${name}"] .cell[aria-label^="${name} ${panel} "]`,
    (cells) => cells.map((c) => ({ label: c.getAttribute('aria-label'), text: c.querySelector('text')?.textContent.trim() ?? '' })),
  );
}

/** The playground's numbers, from the data-* attributes of .train-stats. */
export function trainStats(page) {
  return page.$eval('.train-stats', (dl) => {
    const n = (key) => (dl.dataset[key] === undefined || dl.dataset[key] === '' ? null : Number(dl.dataset[key]));
    return {
      steps: n('steps'),
      loss: n('loss'),
      accuracy: n('accuracy'),
      stepsPerSecond: n('stepsPerSecond'),
      frameMs: n('frameMs'),
      frameMaxMs: n('frameMaxMs'),
    };
  });
}

/** Waits until the playground's stats satisfy `test`; returns them. */
export function waitForStats(page, what, test, options) {
  return waitFor(what, async () => {
    const stats = await trainStats(page);
    return test(stats) ? { ok: true, value: stats } : { ok: false, seen: JSON.stringify(stats) };
  }, options);
}

/** Compares two (nested) arrays of numbers within `tolerance`. */
export function close(actual, expected, tolerance = 1e-9) {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length &&
      expected.every((e, i) => close(actual[i], e, tolerance));
  }
  return typeof actual === 'number' && Math.abs(actual - expected) <= tolerance;
}

/** Waits until the playground is (`training` true) or is not training: the Train button's aria-pressed. */
export function waitForTraining(page, training, options) {
  return waitFor(training ? 'training' : 'training to pause', async () => {
    const pressed = await page.locator('.train-controls button[name="train"]').getAttribute('aria-pressed');
    return pressed === String(training) ? { ok: true } : { ok: false, seen: `aria-pressed=${pressed}` };
  }, options);
}

/** A wide desktop (1440x900), besides the harness's sizes. */
export const WIDE = { width: 1440, height: 900 };

/**
 * Saves full-page screenshots of `page` at 1440x900 in the light and dark
 * themes (screenshots/<test>--<moment>--<light|dark>-1440x900.png), then goes
 * back to the light theme at the harness's desktop size.
 */
export async function snapWide(app, page, moment) {
  await mkdir(SCREENSHOTS, { recursive: true });
  const toggle = page.getByRole('button', { name: 'Dark theme', exact: true });
  const setDark = async (dark) => {
    if (((await toggle.getAttribute('aria-pressed')) === 'true') !== dark) await toggle.click();
    await waitFor(`the ${dark ? 'dark' : 'light'} theme`, async () => ((await toggle.getAttribute('aria-pressed')) === 'true') === dark);
  };
  await page.setViewportSize(WIDE);
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await setDark(colorScheme === 'dark');
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    const file = `${app.name}--${moment}--${colorScheme}-${WIDE.width}x${WIDE.height}.png`;
    await page.screenshot({ path: SCREENSHOTS + file, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await setDark(false);
  await page.setViewportSize(DESKTOP);
}
