// Helpers for the embedding tests: open a page without the app's editor, read a
// <backprop-graph>'s counter and nodes through its (open) shadow root, record the `step`
// events and the messages an iframe embed posts, and read downloads.

import { readFile } from 'node:fs/promises';

import { SUB_PATH } from './server.js';
import { waitFor } from './wait.js';

/** How long an embed may take to load its module and mount. */
const MOUNT_TIMEOUT_MS = 30_000;

/** The course page and the embed page, under the sub-path a course site would use. */
export const COURSE = `${SUB_PATH}course.html`;
export const EMBED_PAGE = `${SUB_PATH}embed.html`;

/** The demo course page's three worked examples and where each starts. */
export const COURSE_EMBEDS = {
  'two-paths': 'forward 0 / 4',
  'sigmoid-neuron': 'forward 10 / 10',
  'tiny-network': 'backward 7 / 15',
  'forgot-zero-grad': 'iteration 1 / 3 · forward 0 / 8',
};

/**
 * Opens `path` in a new page of the app session's context, records every `step` event
 * (window.__steps) and every dialog, and waits for `embeds` mounted <backprop-graph>s.
 */
export async function openPage(app, path, { embeds = 1 } = {}) {
  const page = await app.context.newPage();
  page.dialogs = [];
  page.on('dialog', async (dialog) => {
    page.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await page.addInitScript(() => {
    window.__steps = [];
    document.addEventListener('step', (event) => {
      window.__steps.push({ id: event.target.id, detail: event.detail });
    });
  });
  await page.goto(app.url(path), { waitUntil: 'load' });
  await waitForMounted(page, embeds);
  return page;
}

/** Waits until `count` <backprop-graph> elements show a step counter. */
export function waitForMounted(page, count) {
  return waitFor(
    `${count} mounted <backprop-graph> elements`,
    async () => {
      const mounted = await page.locator('backprop-graph .embed').count();
      return mounted === count ? { ok: true } : { ok: false, seen: `${mounted} mounted` };
    },
    { timeout: MOUNT_TIMEOUT_MS },
  );
}

/** An embed's root element (the div with role region) by its host's id. */
export const embed = (page, id) => page.locator(`#${id} .embed`);

/** The counter text of the embed with host id `id`. */
export async function embedCounter(page, id) {
  const text = await page.locator(`#${id} [data-step-counter]`).textContent({ timeout: 1000 });
  return text.replace(/\s+/g, ' ').trim();
}

/** Every node of an embed's graph: { name: { value, adjoint, tangent } }. */
export function embedNodes(page, id) {
  return page.evaluate((host) => {
    const root = document.getElementById(host)?.shadowRoot;
    const nodes = {};
    for (const g of root?.querySelectorAll('svg[aria-label="Computation graph"] g[data-node]') ?? []) {
      nodes[g.getAttribute('data-node')] = {
        value: g.getAttribute('data-value'),
        adjoint: g.getAttribute('data-adjoint'),
        tangent: g.getAttribute('data-tangent'),
      };
    }
    return nodes;
  }, id);
}

/** Counter and nodes of the embed `id`, to compare before and after. */
export async function embedView(page, id) {
  return { counter: await embedCounter(page, id), nodes: await embedNodes(page, id) };
}

/** Waits until the embed `id` shows `counter`. */
export function expectCounter(page, id, counter) {
  return waitFor(`#${id} to show "${counter}"`, async () => {
    const shown = await embedCounter(page, id);
    return shown === counter ? { ok: true } : { ok: false, seen: shown };
  });
}

/** The `step` events recorded so far: [{ id, detail }]. */
export function stepEvents(page) {
  return page.evaluate(() => window.__steps);
}

/** Clicks `button` and resolves to the downloaded file's name and bytes. */
export async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: await readFile(path) };
}

/** The width and height a PNG file declares (its IHDR chunk). */
export function pngSize(bytes) {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => bytes[i] === b)) throw new Error('not a PNG file');
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') throw new Error('a PNG without IHDR first');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * Parses `svg` with the browser's XML parser; resolves to { error, nodes } where nodes
 * maps each `g[data-node]` to { value, text }.
 */
export function parseSvg(page, svg) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const error = doc.querySelector('parsererror')?.textContent ?? null;
    const nodes = {};
    for (const g of doc.querySelectorAll('g[data-node]')) {
      nodes[g.getAttribute('data-node')] = {
        value: g.getAttribute('data-value'),
        text: g.textContent.replace(/\s+/g, ' ').trim(),
      };
    }
    return { error, root: doc.documentElement.localName, nodes };
  }, svg);
}
