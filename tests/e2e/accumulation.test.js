// Gradient accumulation in the stepper and the labs built on the step schedule: micro-batch 2
// adds into a parameter's adjoint (`+=` and the total), the update step moves the parameter
// and step back undoes it; forgetting zero_grad, no_grad, f16 overflow and a change in place
// each load, show their failure, and their "Show the fix" switch removes it.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { button, counter, gradientRow, nodeState, parseShownNumber, pressShortcut } from './lib/app.js';

const example = (page, slug) => page.locator(`button[data-example="${slug}"]`);
const fixSwitch = (page, slug) => page.locator(`button[data-fix="${slug}"]`);
const heading = (page) => page.locator('.explanation .current-step .step-heading').textContent();

async function waitForCounter(page, pattern) {
  await waitFor(`the counter to match ${pattern}`, async () => {
    const text = await counter(page);
    return pattern.test(text) ? { ok: true } : { ok: false, seen: text };
  });
}

async function press(page, key, times) {
  for (let i = 0; i < times; i++) await pressShortcut(page, key);
}

async function value(page, name) {
  const node = await nodeState(page, name);
  return node?.value ?? null;
}

appTest('micro-batch 2 adds into the parameters\' adjoints, then the averaged update; step back undoes it', async (app) => {
  const page = await app.open('/');
  await example(page, 'accumulation').click();
  await page.locator('[data-introduction="accumulation"]').waitFor();
  assert.equal(await page.locator('select[data-passes]').inputValue(), '4x1');
  assert.equal(await page.locator('input[data-zero-grad]').isChecked(), true);
  await waitForCounter(page, /^micro-batch 1 \/ 4 · zero_grad 0 \/ 3$/);

  // 3 zero_grad steps, micro-batch 1 (10 forward, 10 backward), micro-batch 2's forward
  // pass and its first two backward steps: L, then h @ W2, which sends to W2.
  await press(page, 'ArrowRight', 3 + 20 + 10 + 2);
  await waitForCounter(page, /^micro-batch 2 \/ 4 · backward 2 \/ 10$/);
  assert.match(await heading(page), /micro-batch 2 \/ 4 · backward 2 \/ 10 · v9/);
  const rules = await page.locator('.explanation .current-step .math').allTextContents();
  assert.ok(rules.some((r) => r.includes('+=')), `an update: ${rules}`);
  // W2's adjoint already held micro-batch 1's gradient: the total shows the sum.
  assert.equal(await page.locator('.explanation .current-step .math.total').count(), 1);
  const total = await page.locator('.explanation .current-step .math.total').textContent();
  assert.match(total, /\]\s*\+\s*\[/, `the sum of two matrices: ${total}`);

  // The same step of micro-batch 1 had nothing to add onto.
  await press(page, 'ArrowLeft', 20);
  await waitForCounter(page, /^micro-batch 1 \/ 4 · backward 2 \/ 10$/);
  assert.equal(await page.locator('.explanation .current-step .math.total').count(), 0);

  // The end: the three update steps; W2 moved, and step back puts it back.
  await button(page, 'Jump to end of backward').click();
  await waitForCounter(page, /^micro-batch 4 \/ 4 · update 3 \/ 3$/);
  assert.match(await heading(page), /update 3 \/ 3 · W2/);
  const updated = await value(page, 'W2');
  const rule = await page.locator('.explanation .current-step .math').first().textContent();
  assert.ok(rule.includes('0.1') && rule.includes('4'), `W2 = W2 − 0.1 · W̄2/4 with numbers: ${rule}`);
  await button(page, 'Step back').click();
  await waitForCounter(page, /^micro-batch 4 \/ 4 · update 2 \/ 3$/);
  await waitFor('W2 back at its value before the update', async () => {
    const now = await value(page, 'W2');
    return now !== updated ? { ok: true } : { ok: false, seen: now };
  });

  // The setting travels in the link.
  await waitFor('the link to carry the passes', async () => {
    const url = page.url();
    return url.includes('steps=micro-batches') ? { ok: true } : { ok: false, seen: url };
  });
});

appTest('the stepped labs: zero_grad, no_grad, f16 overflow and a change in place, with their fixes', async (app) => {
  const page = await app.open('/');
  const slugs = await page.$$eval('.pitfalls button[data-example]', (b) => b.map((x) => x.dataset.example));
  for (const slug of ['forgot-zero-grad', 'no-grad', 'f16-overflow', 'in-place']) {
    assert.ok(slugs.includes(slug), `the Pitfalls group lists ${slug}: ${slugs}`);
  }

  // Forgetting zero_grad: the loss of iteration 3 climbs back to 0.0361; with the fix 0.0001.
  const lossOfIteration3 = async () => {
    for (let i = 0; i < 3; i++) await button(page, 'Jump to end of forward').click();
    await waitForCounter(page, /^iteration 3 \/ 3 · forward 8 \/ 8$/);
    return parseShownNumber(await value(page, 'L'));
  };
  await example(page, 'forgot-zero-grad').click();
  await page.locator('[data-introduction="forgot-zero-grad"]').waitFor();
  assert.equal(await page.locator('input[data-zero-grad]').isChecked(), false);
  await waitForCounter(page, /^iteration 1 \/ 3 · forward 0 \/ 8$/);
  assert.ok(Math.abs((await lossOfIteration3()) - 0.0361) < 1e-9, 'the loss climbs back');
  await fixSwitch(page, 'forgot-zero-grad').click();
  await page.locator('[data-introduction="forgot-zero-grad-fix"]').waitFor();
  assert.equal(await fixSwitch(page, 'forgot-zero-grad').getAttribute('aria-pressed'), 'true');
  await waitForCounter(page, /^iteration 1 \/ 3 · zero_grad 0 \/ 2$/);
  assert.ok(Math.abs((await lossOfIteration3()) - 0.0001) < 1e-9, 'the fix: the loss falls');

  // no_grad: recording marks the tape; under no_grad there are only forward steps and no tape.
  await example(page, 'no-grad').click();
  await page.locator('[data-introduction="no-grad"]').waitFor();
  await button(page, 'Jump to end of forward').click();
  await waitFor('values on the tape', async () => {
    const n = await page.locator('g[data-node].tape').count();
    return n > 0 ? { ok: true } : { ok: false, seen: n };
  });
  await fixSwitch(page, 'no-grad').click();
  await page.locator('[data-introduction="no-grad-fix"]').waitFor();
  await button(page, 'Jump to end of backward').click();
  await waitForCounter(page, /^forward (\d+) \/ \1$/);
  assert.equal(await page.locator('g[data-node].tape').count(), 0, 'nothing recorded');

  // f16 overflow: NaN in the graph; normalised first, every number finite.
  const nonFinite = () =>
    page.$$eval('g[data-node]', (nodes) =>
      nodes.some((n) => /NaN|inf|∞/.test(`${n.dataset.value} ${n.dataset.adjoint}`)),
    );
  await example(page, 'f16-overflow').click();
  await button(page, 'Jump to end of backward').click();
  await waitFor('a NaN or ∞ in f16', async () => ((await nonFinite()) ? { ok: true } : { ok: false, seen: 'finite' }));
  await fixSwitch(page, 'f16-overflow').click();
  await page.locator('[data-introduction="f16-overflow-fix"]').waitFor();
  await button(page, 'Jump to end of backward').click();
  await waitForCounter(page, /^backward (\d+) \/ \1$/);
  assert.equal(await nonFinite(), false, 'the fix: every number finite');

  // A change in place of a saved value: refused, naming the node that saved it.
  await example(page, 'in-place').click();
  const alert = page.locator('[role="alert"].editor-error');
  await alert.waitFor();
  assert.match(await alert.textContent(), /`h` is changed in place, but the backward pass needs its old value: `h` saved it/);
  assert.equal(await page.locator('mark[data-error-span]').textContent(), 'h');
  await fixSwitch(page, 'in-place').click();
  await page.locator('[data-introduction="in-place-fix"]').waitFor();
  await alert.waitFor({ state: 'hidden' });
  await button(page, 'Jump to end of backward').click();
  await waitFor('the gradient of w', async () => {
    const row = await gradientRow(page, 'w');
    return row && row[1] !== '' ? { ok: true } : { ok: false, seen: row };
  });
});
