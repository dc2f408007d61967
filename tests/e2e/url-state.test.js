// The URL fragment holds the view: opening the page's URL elsewhere restores
// the same step and values, and "Copy link" copies that URL.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { button, expectView, fragmentParams, graphState, stepForward } from './lib/app.js';
import { REVERSE } from './lib/two-paths.js';

const CLIPBOARD = ['clipboard-read', 'clipboard-write'];

appTest('the URL after stepping restores the same step', { permissions: CLIPBOARD }, async (app) => {
  const page = await app.open('/');
  await stepForward(page, 6);
  await expectView(page, REVERSE[6], 'the view after 6 steps');
  const url = await waitFor('step=6 in the URL fragment', () => {
    const params = fragmentParams(page.url());
    return params.get('step') === '6'
      ? { ok: true, value: page.url() }
      : { ok: false, seen: page.url() };
  });
  const params = fragmentParams(url);
  assert.ok(params.has('program') && params.has('at'), `the fragment holds the program and inputs: ${url}`);
  assert.equal(params.get('mode'), 'reverse');

  const restored = await app.open(url);
  await expectView(restored, REVERSE[6], 'the view restored from the URL');
  assert.deepEqual(await graphState(restored), await graphState(page));
  await app.snap(restored, 'restored-from-url');

  await button(page, 'Copy link').click();
  const copied = await waitFor('the link on the clipboard', async () => {
    const text = await page.evaluate(() => navigator.clipboard.readText());
    return text === page.url() ? { ok: true, value: text } : { ok: false, seen: JSON.stringify(text) };
  });
  assert.equal(copied, url);
});
