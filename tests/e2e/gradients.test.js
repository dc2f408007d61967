// The gradient table: one row per input with the gradient, the central
// finite-difference estimate and the relative error.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { button, expectView, gradientRow, parseShownNumber } from './lib/app.js';
import { GRADIENTS, REVERSE } from './lib/two-paths.js';

appTest('the gradient table shows 10 and 3 and matching finite differences', async (app) => {
  const page = await app.open('/');
  await waitFor('gradient rows for x1 and x2', async () => {
    const rows = [await gradientRow(page, 'x1'), await gradientRow(page, 'x2')];
    return rows.every(Boolean) ? { ok: true } : { ok: false, seen: JSON.stringify(rows) };
  });
  assert.equal((await gradientRow(page, 'x1'))[1], '', 'the gradient is blank until known');

  await button(page, 'Jump to end of backward').click();
  await expectView(page, REVERSE[8], 'the view at the end of the backward pass');

  for (const [input, gradient] of Object.entries(GRADIENTS)) {
    const cells = await waitFor(`the gradient of ${input}`, async () => {
      const row = await gradientRow(page, input);
      return row && parseShownNumber(row[1]) === gradient
        ? { ok: true, value: row }
        : { ok: false, seen: JSON.stringify(row) };
    });
    assert.equal(cells.length, 4, `cells of ${input}: name, gradient, finite difference, relative error`);
    assert.equal(cells[0], input);
    const estimate = parseShownNumber(cells[2]);
    assert.ok(
      Math.abs(estimate - gradient) <= 1e-4 * Math.abs(gradient),
      `the finite difference for ${input} (${cells[2]}) is close to ${gradient}`,
    );
    assert.notEqual(cells[3], '', `the relative error of ${input} is shown`);
  }
  await app.snap(page, 'gradients-at-end');
});
