// What a lecturer and a student hit first: the step history belongs to the program on
// screen (after Back too), and arrow keys on a focused slider move the slider, not the
// graph.

import assert from 'node:assert/strict';

import { appTest, waitFor } from './lib/harness.js';
import { button, counter, expectNodes, expectView, gradientRow, stepForward } from './lib/app.js';

/** The history list's entries, newest first. */
const historyEntries = (page) =>
  page.$$eval('.history li button', (buttons) => buttons.map((b) => b.textContent.trim()));

appTest('the history lists only the steps of the program on screen, after Back too', async (app) => {
  const page = await app.open('/');
  await expectNodes(page, ['x1', 'x2', 'v3', 'v4']);
  await stepForward(page, 3);
  await expectView(page, { counter: 'forward 3 / 4' }, 'three steps into two-paths');

  await page.locator('[data-example="linear-square"]').click();
  await expectNodes(page, ['W', 'x', 'b', 'u', 'v', 'y']);
  await stepForward(page, 2);
  await waitFor('two linear-square entries', async () => {
    const entries = await historyEntries(page);
    return entries.length === 2 && entries.every((e) => !/x1|x2|v3|v4/.test(e))
      ? { ok: true }
      : { ok: false, seen: entries };
  });

  await page.goBack();
  await expectView(page, { counter: 'forward 3 / 4', nodes: { v3: { value: '7' } } }, 'two-paths after Back');
  await waitFor('three two-paths entries after Back', async () => {
    const entries = await historyEntries(page);
    const fromTwoPaths = entries.every((e) => /x1|x2|v3|v4/.test(e) && !/\bW\b|\bu\b/.test(e));
    return entries.length === 3 && fromTwoPaths ? { ok: true } : { ok: false, seen: entries };
  });
});

appTest('arrow keys on a focused slider move the slider and leave the graph alone', async (app) => {
  const page = await app.open('/');
  await expectNodes(page, ['x1', 'x2', 'v3', 'v4']);
  for (const name of ['x1 slider', 'Speed']) {
    const slider = page.getByRole('slider', { name, exact: true });
    const before = await slider.inputValue();
    const steps = await counter(page);
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await waitFor(`the ${name} moved`, async () => {
      const now = await slider.inputValue();
      return now !== before ? { ok: true } : { ok: false, seen: now };
    });
    assert.equal(await counter(page), steps, `arrows on the ${name} did not step the graph`);
  }
  // Outside any control the arrows still step.
  await page.evaluate(() => document.activeElement?.blur?.());
  await page.keyboard.press('ArrowRight');
  await expectView(page, { counter: 'forward 1 / 4' }, 'an arrow outside the controls steps');
});

appTest('a gradient appears with its last contribution, its finite difference with it', async (app) => {
  const page = await app.open('/');
  await expectNodes(page, ['x1', 'x2', 'v3', 'v4']);
  await stepForward(page, 5);
  await expectView(page, { counter: 'backward 1 / 4' }, 'after the output’s backward step');
  for (const input of ['x1', 'x2']) {
    const row = await gradientRow(page, input);
    assert.deepEqual([row[1], row[2]], ['', ''], `${input}: nothing given away yet`);
  }
  await stepForward(page, 1);
  await expectView(page, { counter: 'backward 2 / 4' }, 'after v3’s backward step');
  await waitFor('both gradients complete', async () => {
    const rows = [await gradientRow(page, 'x1'), await gradientRow(page, 'x2')];
    const shown = rows.map((r) => r && [r[1], r[2] !== '']);
    return JSON.stringify(shown) === JSON.stringify([['10', true], ['3', true]])
      ? { ok: true }
      : { ok: false, seen: rows };
  });
  const heading = await page.locator('.step-heading').textContent();
  assert.match(heading, /backward 2 \/ 4 · v3/i, 'the explanation numbers steps like the counter');
});

appTest('loading an example shows its graph and its introduction until the first step', async (app) => {
  const page = await app.open('/');
  await page.setViewportSize({ width: 375, height: 812 });
  await page.click('button[data-example="sigmoid-neuron"]');
  await waitFor('the graph scrolled into view', async () => {
    const top = await page.$eval('main .graph-frame', (f) => f.getBoundingClientRect().top);
    return top >= -1 && top < 200 ? { ok: true } : { ok: false, seen: top };
  });
  const intro = page.locator('[data-introduction="sigmoid-neuron"]');
  await intro.waitFor({ state: 'visible' });
  assert.ok((await intro.textContent()).length > 40, 'the full introduction is shown');
  await page.evaluate(() => document.activeElement?.blur?.());
  await page.keyboard.press('ArrowRight');
  await intro.waitFor({ state: 'detached' });
});

appTest('a name defined nowhere becomes an input, and the app says so', async (app) => {
  const page = await app.open('/');
  await expectNodes(page, ['x1', 'x2', 'v3', 'v4']);
  await page.getByRole('textbox', { name: 'Program', exact: true }).fill('(x1 + x2) * z');
  await waitFor('the new-input notice', async () => {
    const text = await page.locator('[data-new-inputs]').textContent();
    return /`z` is not defined in the program, so it is a new input, set to 1/.test(text)
      ? { ok: true }
      : { ok: false, seen: text };
  });
});

appTest('the error mark stays on its text when the editor scrolls, and a dangling + is reported on its line', async (app) => {
  const page = await app.open('/');
  const lines = [];
  for (let i = 0; i < 40; i++) lines.push(`a${i} = ${i === 0 ? 'x' : `a${i - 1}`} * 2`);
  lines[30] = 'a30 = a29 * * 2';
  lines.push('a39');
  const program = page.getByRole('textbox', { name: 'Program', exact: true });
  await program.fill(lines.join('\n'));
  const mark = page.locator('mark[data-error-span]');
  await mark.waitFor();
  await program.evaluate((t) => { t.scrollTop = t.scrollHeight; });
  await waitFor('the mark inside the textarea, on line 31', async () => {
    const [m, t, lineHeight] = await page.evaluate(() => {
      const m = document.querySelector('mark[data-error-span]').getBoundingClientRect();
      const textarea = document.querySelector('#program');
      const t = textarea.getBoundingClientRect();
      return [
        { top: m.top, bottom: m.bottom },
        { top: t.top, bottom: t.bottom, scroll: textarea.scrollTop },
        parseFloat(getComputedStyle(textarea).lineHeight),
      ];
    });
    const padding = 8;
    const expectedTop = t.top + padding + 30 * lineHeight - t.scroll;
    const inside = m.top >= t.top && m.bottom <= t.bottom;
    return inside && Math.abs(m.top - expectedTop) < lineHeight
      ? { ok: true }
      : { ok: false, seen: { m, t, expectedTop } };
  });

  await program.fill('a = x +\nb = a * 2\nb');
  await waitFor('the error at the + on line 1', async () => {
    const message = await page.locator('.error-message').textContent().catch(() => '');
    const marked = await mark.textContent().catch(() => '');
    return /^Line 1, column 7/.test(message) && marked === '+' ? { ok: true } : { ok: false, seen: [message, marked] };
  });
  await program.fill('max(x, 0)');
  await waitFor('a hint towards relu', async () => {
    const hint = await page.locator('.error-hint').textContent().catch(() => '');
    return /relu\(x\)/.test(hint) ? { ok: true } : { ok: false, seen: hint };
  });
});

appTest('tensor programs keep the gradient check, and a disabled forward mode says why', async (app) => {
  const page = await app.open('/');
  // A smooth program: at a kink (the seeds' dead ReLU) central differences disagree.
  await page
    .getByRole('textbox', { name: 'Program', exact: true })
    .fill('W = param([[0.5, -0.3], [0.2, 0.8]])\nx = [1, 2]\nb = [0.1, -0.2]\nsum(tanh(W @ x + b))');
  await waitFor('the tensor program', async () =>
    (await page.$$('svg[aria-label="Computation graph"] g[data-node]')).length >= 6 ? { ok: true } : { ok: false });
  await button(page, 'Jump to end of backward').click();
  await waitFor('a checked row per tensor input', async () => {
    const rows = await page.$$eval('table[aria-label="Gradients"] tbody tr', (trs) =>
      trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())),
    );
    const tensors = rows.filter((r) => r[1].startsWith('‖·‖'));
    const checked = tensors.every((r) => /of \d+ elements/.test(r[2]) && Number(r[3]) < 1e-5);
    return tensors.length >= 3 && checked ? { ok: true } : { ok: false, seen: rows };
  });
  const forward = page.getByRole('radio', { name: 'Forward mode', exact: true });
  assert.equal(await forward.isDisabled(), true);
  const why = await page.locator('[data-disabled-reason]').textContent();
  assert.match(why, /matmul|elementwise/, 'the reason is given');
});

appTest('presentation mode shows the graph above the fold on a projector, and Esc leaves it', async (app) => {
  const page = await app.open('/');
  await page.setViewportSize({ width: 853, height: 480 });
  await button(page, 'Present').click();
  await waitFor('the graph above the fold', async () => {
    const frame = await page.$eval('main .graph-frame', (f) => {
      const r = f.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom };
    });
    const editorShown = await page.locator('.editor').isVisible();
    return frame.top >= 0 && frame.bottom <= 480 && !editorShown
      ? { ok: true }
      : { ok: false, seen: JSON.stringify({ frame, editorShown }) };
  });
  await page.locator('.explanation').waitFor({ state: 'visible' });
  await app.snap(page, 'presenting');
  await page.evaluate(() => document.activeElement?.blur?.());
  await page.keyboard.press('Escape');
  await waitFor('presentation left', async () =>
    (await page.locator('.editor').isVisible()) ? { ok: true } : { ok: false, seen: 'editor hidden' },
  );
});
