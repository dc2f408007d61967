// The pitfall labs: each loads from the gallery's "Pitfalls" group, its failure shows in the
// graph or the gradients, and its "Show the fix" switch loads the program put right, where
// the failure is gone; the switch turns back.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { button, counter, editor, gradientRow, parseShownNumber } from './lib/app.js';

const pitfall = (page, slug) => page.locator(`.pitfalls button[data-example="${slug}"]`);
const fixSwitch = (page, slug) => page.locator(`button[data-fix="${slug}"]`);

/** The gradient of `input` once the backward pass has run to its end. */
async function gradient(page, input) {
  await button(page, 'Jump to end of backward').click();
  let value = NaN;
  await waitFor(`the gradient of ${input}`, async () => {
    const row = await gradientRow(page, input);
    value = row ? parseShownNumber(row[1]) : NaN;
    return row && row[1] !== '' ? { ok: true } : { ok: false, seen: row };
  });
  return value;
}

/** Whether some node of the graph shows NaN or ±∞. */
const anyNonFinite = (page) =>
  page.$$eval('g[data-node]', (nodes) =>
    nodes.some((n) => /NaN|inf/.test(`${n.dataset.value} ${n.dataset.adjoint}`)),
  );

appTest('the gallery groups the pitfalls, each lab loads and shows its failure, the fix removes it', async (app) => {
  const page = await app.open('/');
  const slugs = await page.$$eval('.pitfalls button[data-example]', (b) => b.map((x) => x.dataset.example));
  for (const slug of ['nan-spreads', 'sqrt-at-zero', 'vanishing-sigmoid', 'detach-mistake', 'hard-threshold']) {
    assert.ok(slugs.includes(slug), `the Pitfalls group lists ${slug}: ${slugs}`);
  }

  // Detach by mistake: the edge into detach is drawn cut and w1 gets nothing.
  await pitfall(page, 'detach-mistake').click();
  await page.locator('[data-introduction="detach-mistake"]').waitFor();
  const cut = await page.$$eval('g.edge.cut[data-edge]', (edges) => edges.map((e) => e.dataset.edge));
  assert.deepEqual(cut, ['h->logged'], 'the one cut edge');
  assert.equal(await gradient(page, 'w1'), 0, 'w1 learns nothing');
  await fixSwitch(page, 'detach-mistake').click();
  await page.locator('[data-introduction="detach-mistake-fix"]').waitFor();
  assert.equal(await fixSwitch(page, 'detach-mistake').getAttribute('aria-pressed'), 'true');
  assert.notEqual(await gradient(page, 'w1'), 0, 'the fix: w1 learns');
  await fixSwitch(page, 'detach-mistake').click();
  await page.locator('[data-introduction="detach-mistake"]').waitFor();

  // A hard threshold: zero gradient; straight-through: −0.6.
  await pitfall(page, 'hard-threshold').click();
  assert.equal(await gradient(page, 'w'), 0, 'no signal through step');
  await fixSwitch(page, 'hard-threshold').click();
  assert.ok(Math.abs((await gradient(page, 'w')) + 0.6) < 1e-9, 'straight-through passes it');

  // NaN labs: the graph shows NaN or ∞ at the end; the fixes show none.
  for (const slug of ['nan-spreads', 'sqrt-at-zero']) {
    await pitfall(page, slug).click();
    await button(page, 'Jump to end of backward').click();
    await waitFor(`${slug}: a NaN or ∞ in the graph`, async () =>
      (await anyNonFinite(page)) ? { ok: true } : { ok: false, seen: 'all finite' },
    );
    await fixSwitch(page, slug).click();
    await page.locator(`[data-introduction="${slug}-fix"]`).waitFor();
    await button(page, 'Jump to end of backward').click();
    await waitFor(`${slug} fixed: at the end of the backward pass`, async () => {
      const text = await counter(page);
      return /backward (\d+) \/ \1$/.test(text) ? { ok: true } : { ok: false, seen: text };
    });
    assert.equal(await anyNonFinite(page), false, `${slug} fixed: every number finite`);
  }

  // Vanishing gradients: tiny at x; with residual connections at least 1.
  await pitfall(page, 'vanishing-sigmoid').click();
  assert.ok(Math.abs(await gradient(page, 'x')) < 1e-4, 'vanished');
  await fixSwitch(page, 'vanishing-sigmoid').click();
  assert.ok((await gradient(page, 'x')) >= 1, 'kept');
});

appTest('a wrong custom derivative is named under the gradients, a right one is not', async (app) => {
  const page = await app.open('/');
  const program = (derivative) =>
    `softplus(x) = log(1 + exp(x))\nsoftplus'(x) = ${derivative}\nz = 0.5\nsoftplus(2 * z) * 3`;
  const note = async () => (await page.locator('[data-custom-note]').textContent()).trim();
  await editor(page).fill(program('exp(x)'));
  await waitFor('the program', async () => (await gradientRow(page, 'z')) !== null);
  assert.equal(await note(), '', 'nothing before the backward pass');
  await button(page, 'Jump to end of backward').click();
  await waitFor('the wrong derivative named', async () => {
    const text = await note();
    return /^The custom derivative softplus' disagrees with central differences of softplus/.test(text)
      ? { ok: true }
      : { ok: false, seen: text };
  });
  // Put right (the view stays at the end of the backward pass), the note goes.
  await editor(page).fill(program('sigmoid(x)'));
  await waitFor('the right derivative passes', async () => {
    const row = await gradientRow(page, 'z');
    const text = await note();
    return row?.[1] !== '' && text === '' ? { ok: true } : { ok: false, seen: `${row} / ${text}` };
  });
  assert.match(await counter(page), /^backward (\d+) \/ \1$/);
});
