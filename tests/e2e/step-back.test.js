// Stepping back, by button and by the ArrowLeft key, restores exactly the view
// before the step.

import assert from 'node:assert/strict';

import { appTest } from './lib/harness.js';
import { expectView, graphState, pressShortcut, stepBack, stepForward } from './lib/app.js';
import { REVERSE } from './lib/two-paths.js';

appTest('step back restores the previous values exactly', async (app) => {
  const page = await app.open('/');
  const seen = [];
  for (let step = 0; step <= 6; step++) {
    if (step) await stepForward(page);
    await expectView(page, REVERSE[step], `the view after step ${step}`);
    seen.push(await graphState(page));
  }

  await stepBack(page);
  await expectView(page, REVERSE[5], 'the view after "Step back" from backward 2');
  assert.deepEqual(await graphState(page), seen[5], 'Step back restores every attribute');
  await app.snap(page, 'stepped-back-to-backward-1');

  await pressShortcut(page, 'ArrowLeft');
  await expectView(page, REVERSE[4], 'the view after ArrowLeft from backward 1');
  assert.deepEqual(await graphState(page), seen[4], 'ArrowLeft restores every attribute');

  await stepBack(page, 4);
  await expectView(page, REVERSE[0], 'the view after stepping back to the start');
  assert.deepEqual(await graphState(page), seen[0]);
});
