// Changing an input's value re-runs the numbers and keeps the step position.

import assert from 'node:assert/strict';

import { appTest } from './lib/harness.js';
import { expectView, numberInput, stepForward } from './lib/app.js';
import { REVERSE } from './lib/two-paths.js';

appTest('changing x1 to 5 keeps the step and updates the values', async (app) => {
  const page = await app.open('/');
  assert.equal(await page.getByRole('slider', { name: 'x1 slider', exact: true }).count(), 1);
  await stepForward(page, 6);
  await expectView(page, REVERSE[6], 'the view at backward 2');

  const x1 = numberInput(page, 'x1');
  await x1.fill('5');
  await x1.blur();
  // (x1 + x2) * x1 at (5, 4): v3 = 9, v4 = 45; after visiting v4 and v3,
  // x1's adjoint is v3 + x1 = 14 and x2's is x1 = 5.
  await expectView(
    page,
    {
      counter: 'backward 2 / 4',
      nodes: {
        x1: { value: '5', adjoint: '14' },
        x2: { value: '4', adjoint: '5' },
        v3: { value: '9', adjoint: '5' },
        v4: { value: '45', adjoint: '1' },
      },
    },
    'the view at backward 2 with x1 = 5',
  );
  await app.snap(page, 'x1-is-5');
});
