// The export menu, in the app and in an embed with full controls: SVG (well-formed, with
// every node and its value), PNG (a real image twice the SVG's size), the derivation as
// Markdown and LaTeX, the PyTorch script, and the share link (which restores the view).
// Every file comes from a Blob URL: no request leaves the page (the harness checks).

import assert from 'node:assert/strict';

import { appTest } from './lib/harness.js';
import { button, counter, expectView, stepForward } from './lib/app.js';
import { waitFor } from './lib/wait.js';
import { COURSE, download, expectCounter, openPage, parseSvg, pngSize } from './lib/embed.js';

/** Opens the export menu inside `scope` (a page or an embed's locator). */
async function openExport(scope) {
  const summary = scope.locator('details.export > summary');
  if ((await scope.locator('details.export[open]').count()) === 0) await summary.click();
  return scope.locator('.export-menu');
}

/** Requests for the embed module (the renderers) since `first`. */
const rendererRequests = (app, first) =>
  app.requests.slice(first).filter((r) => /\/embed(\.js|_bg\.wasm)$/.test(r.path.split('?')[0]));

appTest('the app exports the graph, the derivation, a PyTorch script and a share link', async (app) => {
  const first = app.requests.length;
  const page = await app.open('/');
  await stepForward(page, 6);
  await expectView(page, { counter: 'backward 2 / 4' }, 'backward 2 / 4');
  const menu = await openExport(page);
  const file = (name) => download(page, menu.getByRole('button', { name, exact: true }));
  // The renderers live in the embed module, loaded by the first export, not with the app.
  assert.deepEqual(rendererRequests(app, first), []);

  const svg = await file('Download SVG');
  assert.deepEqual(
    rendererRequests(app, first).map((r) => [r.path.replace(/.*\//, ''), r.status]),
    [['embed.js', 200], ['embed_bg.wasm', 200]],
  );
  assert.equal(svg.name, 'backprop-graph.svg');
  const parsed = await parseSvg(page, svg.bytes.toString('utf8'));
  assert.equal(parsed.error, null);
  assert.equal(parsed.root, 'svg');
  assert.deepEqual(Object.keys(parsed.nodes).sort(), ['v3', 'v4', 'x1', 'x2']);
  assert.deepEqual(
    Object.fromEntries(Object.entries(parsed.nodes).map(([name, n]) => [name, n.value])),
    { x1: '3', x2: '4', v3: '7', v4: '21' },
  );
  assert.ok(parsed.nodes.x1.text.includes('x̄1 = 7 + 3 = 10'), parsed.nodes.x1.text);
  assert.ok(parsed.nodes.v4.text.includes('= 21'), parsed.nodes.v4.text);

  const png = await file('Download PNG');
  assert.equal(png.name, 'backprop-graph.png');
  const size = pngSize(png.bytes);
  const svgSize = await page.evaluate((text) => {
    const root = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
    return { width: Number(root.getAttribute('width')), height: Number(root.getAttribute('height')) };
  }, svg.bytes.toString('utf8'));
  assert.deepEqual(size, { width: svgSize.width * 2, height: svgSize.height * 2 });
  assert.ok(png.bytes.length > 2000, `a PNG of ${png.bytes.length} bytes is blank`);

  const markdown = (await file('Download Markdown')).bytes.toString('utf8');
  assert.ok(markdown.startsWith('# Backpropagation of `x1 = 3; x2 = 4; (x1 + x2) * x1`'), markdown);
  assert.ok(markdown.includes('x̄1 = 7 + 3 = 10'), markdown);
  assert.ok(markdown.includes('## Gradients'), markdown);

  const latex = (await file('Download LaTeX')).bytes.toString('utf8');
  assert.ok(latex.includes('\\bar{x}_{1} &= 7 + 3 = 10'), latex);
  assert.ok(latex.includes('\\begin{align*}'), latex);

  const script = await file('Download PyTorch script');
  assert.equal(script.name, 'backprop-gradients.py');
  const python = script.bytes.toString('utf8');
  for (const line of ['import torch', 'v3 = x1 + x2', 'v4 = v3 * x1', 'v4.backward()']) {
    assert.ok(python.split('\n').includes(line), `${line} in\n${python}`);
  }
  assert.equal(rendererRequests(app, first).length, 2, 'the module is loaded once');

  // The share link is the view's address; opening it restores the view.
  const link = await menu.getByRole('textbox', { name: 'Share link' }).inputValue();
  assert.equal(link, page.url());
  await button(page, 'Reset').click();
  const restored = await app.open(link);
  assert.equal(await counter(restored), 'backward 2 / 4');
  await app.snap(page, 'export-menu-open');
});

appTest('copy share link puts the link on the clipboard', { permissions: ['clipboard-read', 'clipboard-write'] }, async (app) => {
  const page = await app.open('/');
  await stepForward(page, 2);
  const menu = await openExport(page);
  await menu.getByRole('button', { name: 'Copy share link', exact: true }).click();
  await waitFor('"Link copied"', async () => (await menu.getByRole('status').textContent()) === 'Link copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(copied.includes('step=2'), copied);
  // The address bar catches up after a short pause: then it is the copied link.
  await waitFor('the address bar', async () =>
    page.url() === copied ? { ok: true } : { ok: false, seen: page.url() },
  );
});

appTest('an invalid program is not exported, and the menu says why', async (app) => {
  const page = await app.open('/');
  await page.getByRole('textbox', { name: 'Program', exact: true }).fill('x1 *');
  await page.getByRole('alert').first().waitFor();
  const menu = await openExport(page);
  await menu.getByRole('button', { name: 'Download Markdown', exact: true }).click();
  await waitFor('the reason', async () =>
    /Nothing to export: the program has an error/.test(await menu.getByRole('status').textContent()),
  );
});

appTest('an embed with full controls exports the same files its JS API returns', async (app) => {
  const page = await openPage(app, COURSE, { embeds: 4 });
  await expectCounter(page, 'tiny-network', 'backward 7 / 15');
  const network = page.locator('#tiny-network');
  const menu = await openExport(network);
  const file = async (name) =>
    (await download(page, menu.getByRole('button', { name, exact: true }))).bytes.toString('utf8');

  const api = (format) => page.evaluate((f) => document.getElementById('tiny-network').export(f), format);
  const markdown = await file('Download Markdown');
  assert.equal(markdown, await api('markdown'));
  assert.ok(markdown.includes('W̄1'), markdown);
  assert.equal(await file('Download LaTeX'), await api('latex'));
  const python = await file('Download PyTorch script');
  assert.equal(python, await api('pytorch'));
  assert.ok(python.includes('h = torch.relu(z1)'), python);

  const parsed = await parseSvg(page, await file('Download SVG'));
  assert.equal(parsed.error, null);
  assert.equal(Object.keys(parsed.nodes).length, 16);
  assert.deepEqual(JSON.parse(parsed.nodes.h.value).map((x) => Math.round(x * 10) / 10), [0, 1.6, 0.8]);

  // The share link opens the app on the same view.
  const link = await menu.getByRole('textbox', { name: 'Share link' }).inputValue();
  assert.ok(link.startsWith(app.url('/course/viz/index.html#')), link);
  const restored = await app.open(link);
  assert.equal(await counter(restored), 'backward 7 / 15');
  await assert.rejects(
    page.evaluate(() => document.getElementById('tiny-network').export('docx')),
    /unknown export format `docx`/,
  );
});
