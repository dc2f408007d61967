// The whole reverse-mode pass of the default example `two-paths`, one
// "Step forward" click at a time, checking every node's value and adjoint and
// the counter after every step.

import { appTest } from './lib/harness.js';
import { button, expectNodes, expectView, stepForward } from './lib/app.js';
import { NODES, REVERSE } from './lib/two-paths.js';

appTest('stepping forward walks the whole forward and backward pass', async (app) => {
  const page = await app.open('/');
  await expectNodes(page, NODES, 'the default example x1 x2 v3 v4');
  await expectView(page, REVERSE[0], 'the view at step 0');

  for (let step = 1; step < REVERSE.length; step++) {
    await stepForward(page);
    await expectView(page, REVERSE[step], `the view after step ${step} (${REVERSE[step].counter})`);
    if (step === 5) await app.snap(page, 'backward-1-x1-adjoint-7');
    if (step === 6) await app.snap(page, 'backward-2-x1-adjoint-10');
  }
  await app.snap(page, 'end-of-backward');
});

appTest('the two-paths example button loads it at step 0', async (app) => {
  const page = await app.open('/');
  await stepForward(page, 3);
  await expectView(page, REVERSE[3], 'the view after 3 steps');
  await page.locator('[data-example="two-paths"]').click();
  await expectNodes(page, NODES);
  await expectView(page, REVERSE[0], 'the view at step 0 after loading the example');
  await stepForward(page);
  await expectView(page, REVERSE[1], 'the view after 1 step');
  await app.snap(page, 'example-loaded-step-1');
  await button(page, 'Reset').click();
  await expectView(page, REVERSE[0], 'the view after Reset');
});
