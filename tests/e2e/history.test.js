// Browser back and forward: loading an example adds a history entry, stepping
// updates the current one, and going back or forward restores each view.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { editor, expectNodes, expectView, fragmentParams, stepForward } from './lib/app.js';

appTest('back and forward restore the program and the step', async (app) => {
  const page = await app.open('/');
  await expectNodes(page, ['x1', 'x2', 'v3', 'v4']);
  await stepForward(page, 3);
  await expectView(page, { counter: 'forward 3 / 4' }, 'three steps into two-paths');

  await page.locator('[data-example="linear-square"]').click();
  await expectNodes(page, ['W', 'x', 'b', 'u', 'v', 'y']);
  await stepForward(page, 2);
  await expectView(page, { counter: 'forward 2 / 6', nodes: { W: { value: '2' } } }, 'two steps into linear-square');
  await waitFor('step=2 in the URL', () =>
    fragmentParams(page.url()).get('step') === '2' ? { ok: true } : { ok: false, seen: page.url() });

  await page.goBack();
  await expectNodes(page, ['x1', 'x2', 'v3', 'v4'], 'two-paths again after Back');
  await expectView(page, { counter: 'forward 3 / 4', nodes: { v3: { value: '7' } } }, 'its step 3 after Back');
  assert.match(await editor(page).inputValue(), /\(x1 \+ x2\) \* x1/);

  await page.goForward();
  await expectNodes(page, ['W', 'x', 'b', 'u', 'v', 'y'], 'linear-square again after Forward');
  await expectView(page, { counter: 'forward 2 / 6' }, 'its step 2 after Forward');
  await app.snap(page, 'after-back-and-forward');
});
