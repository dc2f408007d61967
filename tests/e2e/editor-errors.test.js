// A program that does not parse: the editor is marked invalid, an alert shows
// the message and the hint, the mistake is marked, and the last valid graph
// stays on screen.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { editor, expectNodes } from './lib/app.js';

async function expectInvalid(page, { message, hint, span }) {
  await waitFor('aria-invalid="true" on the editor', async () => {
    const value = await editor(page).getAttribute('aria-invalid');
    return value === 'true' ? { ok: true } : { ok: false, seen: `aria-invalid=${JSON.stringify(value)}` };
  });
  await waitFor(`a role=alert mentioning "${message}" and "${hint}"`, async () => {
    const alerts = await page.locator('[role="alert"]').allTextContents();
    const found = alerts.some((text) => text.includes(message) && text.includes(hint));
    return found ? { ok: true } : { ok: false, seen: `alerts ${JSON.stringify(alerts)}` };
  });
  const marks = await page.locator('mark[data-error-span]').allTextContents();
  assert.deepEqual(marks, [span], 'the marked error span');
}

appTest('a missing operator marks the editor and keeps the last valid graph', async (app) => {
  const page = await app.open('/');
  await editor(page).fill('x1 * x2');
  await expectNodes(page, ['x1', 'x2', 'v3'], 'the graph of x1 * x2');
  await waitFor('a valid editor', async () => (await editor(page).getAttribute('aria-invalid')) !== 'true');

  await editor(page).fill('x1 x2');
  await expectInvalid(page, {
    message: 'expected an operator before a name',
    hint: 'did you mean `x1 * x2`?',
    span: 'x2',
  });
  await expectNodes(page, ['x1', 'x2', 'v3'], 'the last valid graph (x1 * x2)');
  await app.snap(page, 'missing-operator');

  await editor(page).fill('x1 * x2 + 1');
  await waitFor('aria-invalid cleared', async () => (await editor(page).getAttribute('aria-invalid')) !== 'true');
  assert.equal(await page.locator('mark[data-error-span]').count(), 0, 'no error mark once valid');
});

appTest('an unclosed parenthesis with a missing operator is reported', async (app) => {
  const page = await app.open('/');
  await expectNodes(page, ['x1', 'x2', 'v3', 'v4']);
  await editor(page).fill('(x1 + x2 x1');
  await expectInvalid(page, {
    message: 'expected an operator before a name',
    hint: 'did you mean `x1 + x2 * x1`?',
    span: 'x1',
  });
  await expectNodes(page, ['x1', 'x2', 'v3', 'v4'], 'the last valid graph (the default example)');
  await app.snap(page, 'unclosed-parenthesis');
});
