// The harness end to end: the server serves dist/ (at "/" and under a
// sub-path), Chromium starts, the app loads with its program editor, no
// request leaves the origin, and screenshots are written.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

import { SUB_PATH } from './lib/server.js';
import { SCREENSHOTS, appTest } from './lib/harness.js';
import { editor } from './lib/app.js';

appTest('the page loads and shows the program editor', async (app) => {
  const page = await app.open('/');
  assert.equal(await page.title(), 'backprop-viz');
  assert.ok((await editor(page).inputValue()).trim().length > 0, 'the editor holds a program');

  const wasm = app.requests.find((r) => r.path.startsWith('/') && r.path.endsWith('.wasm'));
  assert.ok(wasm, 'the page fetched its .wasm from the server');
  assert.equal(wasm.status, 200);

  await app.snap(page, 'loaded');
  assert.ok(existsSync(`${SCREENSHOTS}the-page-loads-and-shows-the-program-editor--loaded--dark-375x812.png`));
});

appTest(`the page also works under the sub-path ${SUB_PATH}`, async (app) => {
  const page = await app.open(SUB_PATH);
  await editor(page).waitFor();
  const assets = app.requests.filter((r) => /\.(wasm|js)$/.test(r.path));
  assert.ok(
    assets.some((r) => r.path.startsWith(SUB_PATH) && r.path.endsWith('.wasm') && r.status === 200),
    `the .wasm came from ${SUB_PATH}: ${JSON.stringify(assets)}`,
  );
  await app.snap(page, 'loaded');
});
