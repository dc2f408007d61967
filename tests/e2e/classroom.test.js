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

appTest('a small tensor input is edited number by number, and the link keeps the edit', async (app) => {
  const page = await app.open('/');
  await page
    .getByRole('textbox', { name: 'Program', exact: true })
    .fill('W = param([[1, 2], [3, 4]])\nx = [1, 0]\nsum(W @ x)');
  const cell = page.getByRole('spinbutton', { name: 'W[1, 0]', exact: true });
  await cell.waitFor();
  assert.equal(await cell.inputValue(), '3');
  await button(page, 'Jump to end of backward').click();
  const output = async () => {
    const graph = await page.$$eval('svg[aria-label="Computation graph"] g[data-node]', (gs) =>
      gs.map((g) => [g.getAttribute('data-node'), g.getAttribute('data-value')]),
    );
    return graph.at(-1)?.[1];
  };
  await waitFor('1 + 3', async () => ((await output()) === '4' ? { ok: true } : { ok: false, seen: await output() }));
  await cell.fill('10');
  await cell.press('Enter');
  await waitFor('1 + 10', async () => ((await output()) === '11' ? { ok: true } : { ok: false, seen: await output() }));
  // A minibatch is listed without fields.
  await page
    .getByRole('textbox', { name: 'Program', exact: true })
    .fill('W = param([[1, 2], [3, 4]])\nx = [1, 0]\nX = features(moons, 4, 1)\nsum(W @ x) + sum(X)');
  await page.locator('[data-input="X"]').waitFor();
  assert.equal(await page.locator('[data-input="X"] input').count(), 0, 'no fields for a minibatch');
  assert.equal(await page.getByRole('spinbutton', { name: 'W[1, 0]', exact: true }).inputValue(), '10');
  // The link carries the edit.
  await button(page, 'Copy link').click().catch(() => {});
  const url = page.url();
  const other = await app.open(url.slice(url.indexOf('/', 8)));
  await waitFor('the edit in the opened link', async () => {
    const value = await other
      .getByRole('spinbutton', { name: 'W[1, 0]', exact: true })
      .inputValue()
      .catch(() => '');
    return value === '10' ? { ok: true } : { ok: false, seen: value };
  });
});

/** Edge labels that cover a node box or another label, in screen pixels: [] when none. */
function coveredLabels(page) {
  return page.evaluate(() => {
    const svg = document.querySelector('svg[aria-label="Computation graph"]');
    const rect = (el) => el.getBoundingClientRect();
    const meets = (a, b) =>
      Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
      Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
    const labels = [...svg.querySelectorAll('.edge-labels text')]
      .filter((t) => t.textContent.trim())
      .map((t) => ({ text: t.textContent, box: rect(t), bg: t.parentNode.querySelector('rect') }));
    const boxes = [...svg.querySelectorAll('g[data-node] rect.node-box')].map((r) => ({
      node: r.closest('g[data-node]').getAttribute('data-node'),
      box: rect(r),
    }));
    const out = [];
    labels.forEach((label, i) => {
      const bg = rect(label.bg);
      if (bg.left > label.box.left + 0.5 || bg.right < label.box.right - 0.5) {
        out.push(`"${label.text}" is wider than its background`);
      }
      for (const b of boxes) if (meets(label.box, b.box)) out.push(`"${label.text}" on ${b.node}`);
      for (const other of labels.slice(i + 1)) {
        if (meets(label.box, other.box)) out.push(`"${label.text}" on "${other.text}"`);
      }
    });
    return { out, count: labels.length };
  });
}

appTest('edge labels cover no box and no other label, on a background, in every scalar example', async (app) => {
  const page = await app.open('/');
  await page.setViewportSize({ width: 1440, height: 900 });
  const slugs = await page.$$eval('button[data-example]', (buttons) =>
    buttons.map((b) => b.getAttribute('data-example')),
  );
  let checked = 0;
  for (const slug of slugs) {
    await page.click(`button[data-example="${slug}"]`);
    // A lab the language refuses (a change in place) has no graph.
    if (await page.locator('[role="alert"].editor-error').isVisible()) continue;
    await button(page, 'Jump to end of backward').click();
    await waitFor(`${slug}: the backward pass ends`, async () => {
      const text = await page.locator('[data-step-counter]').first().textContent();
      // With accumulation the run ends at its update steps.
      return /(backward|update) (\d+) \/ \2/.test(text.replace(/\s+/g, ' ')) ? { ok: true } : { ok: false, seen: text };
    });
    // A long chain fits as an overview, without labels: zoom in until they are drawn.
    const graph = page.locator('svg[aria-label="Computation graph"]');
    for (let i = 0; i < 12 && (await graph.getAttribute('data-detail')) === 'overview'; i++) {
      await button(page, 'Zoom in').click();
    }
    const { out, count } = await coveredLabels(page);
    assert.deepEqual(out, [], `${slug}: labels cover something`);
    checked += count;
  }
  assert.ok(checked > 20, `labels were checked (${checked})`);
});

/**
 * The smallest font size of the numbers in node boxes under `rootSelector` (in the shadow
 * root of the element `shadowHost` when given), in CSS pixels at the drawing's own scale:
 * [size, how many texts], or [null, 0].
 */
function smallestNumbers(page, rootSelector, selector, shadowHost) {
  return page.evaluate(
    ([rootSelector, selector, shadowHost]) => {
      const root = shadowHost ? document.getElementById(shadowHost).shadowRoot : document;
      const svg = root.querySelector(rootSelector);
      const sizes = [...svg.querySelectorAll(selector)]
        .filter((t) => /\d/.test(t.textContent))
        .map((t) => parseFloat(getComputedStyle(t).fontSize));
      return sizes.length ? [Math.min(...sizes), sizes.length] : [null, 0];
    },
    [rootSelector, selector, shadowHost],
  );
}

appTest('numbers in tensor boxes and in embeds are at least 11 px at the default zoom', async (app) => {
  const page = await app.open('/');
  await page
    .getByRole('textbox', { name: 'Program', exact: true })
    .fill('z = [[1, 2, 3], [0.5, -1, 2]] @ [1, -1, 2]\np = softmax(z)\nq = log(p)\nsum(q * [0.2, 0.8])');
  await button(page, 'Jump to end of backward').click();
  await waitFor('11 px numbers in tensor boxes', async () => {
    const [px, count] = await smallestNumbers(page, 'svg[aria-label="Computation graph"]', '.cell-text, .tensor-stats');
    return count >= 10 && px >= 11 ? { ok: true } : { ok: false, seen: [px, count] };
  });
  const { openPage, COURSE } = await import('./lib/embed.js');
  const course = await openPage(app, COURSE, { embeds: 4 });
  for (const id of ['two-paths', 'sigmoid-neuron', 'tiny-network']) {
    await waitFor(`11 px numbers in the ${id} embed`, async () => {
      const [px, count] = await smallestNumbers(course, 'svg.graph', 'g[data-node] text', id);
      return count > 0 && px >= 11 ? { ok: true } : { ok: false, seen: [px, count] };
    });
  }
});

appTest('a check that disagrees at a kink says so; a smooth program has no such note', async (app) => {
  const page = await app.open('/');
  await page.click('button[data-example="tiny-relu-network"]');
  await button(page, 'Jump to end of backward').click();
  const note = page.locator('[data-kink-note]');
  await waitFor('the kink note', async () => {
    const text = (await note.textContent().catch(() => '')) ?? '';
    return /straddle a kink at \S+ \(relu or abs at exactly 0\)/.test(text) ? { ok: true } : { ok: false, seen: text };
  });
  await page.click('button[data-example="two-paths"]');
  await button(page, 'Jump to end of backward').click();
  await waitFor('no note for two-paths', async () => {
    const text = (await note.textContent().catch(() => '')) ?? '';
    return text === '' ? { ok: true } : { ok: false, seen: text };
  });
});
