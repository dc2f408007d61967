// Forward mode, differentiating by x1: each step computes a value and its
// tangent; at the end v4's tangent is ∂f/∂x1 = 10.

import { appTest } from './lib/harness.js';
import { expectView, stepForward } from './lib/app.js';
import { FORWARD_BY_X1 } from './lib/two-paths.js';

appTest('forward mode by x1 ends with tangent 10 at v4', async (app) => {
  const page = await app.open('/');
  await page.getByRole('radio', { name: 'Forward mode', exact: true }).check();
  await page.getByRole('combobox', { name: 'Differentiate by', exact: true }).selectOption('x1');
  await expectView(page, FORWARD_BY_X1[0], 'forward mode at step 0');

  for (let step = 1; step < FORWARD_BY_X1.length; step++) {
    await stepForward(page);
    await expectView(page, FORWARD_BY_X1[step], `forward mode after step ${step}`);
    if (step === 3) await app.snap(page, 'forward-mode-step-3');
  }
  await app.snap(page, 'forward-mode-end');
});
