// The iframe embed (embed.html under the course sub-path): it shows the view its URL
// fragment describes and tells its parent its height (and each step) by postMessage, so
// the README's snippet sizes the frame to its content. And links and attributes are data:
// markup in a share link, an embed's fragment or an element's attributes is shown as
// text, and no script runs.

import assert from 'node:assert/strict';

import { SUB_PATH } from './lib/server.js';
import { appTest } from './lib/harness.js';
import { editor } from './lib/app.js';
import { waitFor } from './lib/wait.js';
import { COURSE, EMBED_PAGE, embedCounter, embedNodes, expectCounter, openPage } from './lib/embed.js';

/** The parent side of the README's iframe recipe, plus a log of what the frame posted. */
const PARENT_SCRIPT = `
  window.messages = [];
  addEventListener('message', (event) => {
    if (event.data?.type !== 'backprop-viz:height') return;
    for (const frame of document.querySelectorAll('iframe')) {
      if (frame.contentWindow === event.source) frame.style.height = event.data.height + 'px';
    }
  });
  addEventListener('message', (event) => window.messages.push(event.data));
`;

const fragment = (values) => new URLSearchParams(values).toString();

/** A markup payload that sets window.__pwned (and opens a dialog) if it ever runs. */
const SCRIPT = '<script>window.__pwned = "script"; alert(1)</script>';
const IMAGE = '<img src=x onerror="window.__pwned = \'img\'; alert(2)">';

/** Nothing ran: no flag, no dialog, no image element, no request for the image. */
async function assertNothingRan(app, page, where) {
  assert.equal(await page.evaluate(() => window.__pwned ?? null), null, `${where}: a script ran`);
  assert.deepEqual(page.dialogs ?? [], [], `${where}: a dialog opened`);
  const images = await page.evaluate(() => {
    const roots = [document, ...[...document.querySelectorAll('backprop-graph')].map((e) => e.shadowRoot)];
    return roots.reduce((n, root) => n + (root?.querySelectorAll('img').length ?? 0), 0);
  });
  assert.equal(images, 0, `${where}: markup became an element`);
  assert.ok(!app.requests.some((r) => /\/x$/.test(r.path.split('?')[0])), `${where}: the image was requested`);
}

appTest('an iframe embed shows its fragment and sizes its frame by postMessage', async (app) => {
  const page = await app.context.newPage();
  const src = app.url(
    `${EMBED_PAGE}#${fragment({
      program: '(x1 + x2) * x1',
      at: 'x1=3,x2=4',
      step: 'backward:1',
      controls: 'full',
      theme: 'dark',
    })}`,
  );
  await page.setContent(
    `<!DOCTYPE html><title>A course page</title><script>${PARENT_SCRIPT}</script>
     <p>Before the frame.</p>
     <iframe title="Two paths to x1" src="${src}" style="width: 820px; height: 120px; border: 0"></iframe>`,
  );
  const frame = page.frameLocator('iframe');
  await frame.locator('[data-step-counter]').waitFor({ timeout: 30_000 });
  assert.equal((await frame.locator('[data-step-counter]').textContent()).trim(), 'backward 1 / 4');
  assert.equal(await frame.locator('.embed').getAttribute('data-theme'), 'dark');

  // The frame's height follows the content's: no inner scrolling, no empty space.
  const fits = async () => {
    const content = await frame.locator('body').evaluate((body) => Math.ceil(body.getBoundingClientRect().height));
    const height = await page.locator('iframe').evaluate((f) => f.getBoundingClientRect().height);
    const last = (await page.evaluate(() => window.messages))
      .filter((m) => m?.type === 'backprop-viz:height')
      .at(-1);
    return last && last.height === content && Math.abs(height - content) < 1
      ? { ok: true, value: content }
      : { ok: false, seen: `content ${content}, frame ${height}, last message ${JSON.stringify(last)}` };
  };
  const first = await waitFor('the frame to fit its content', fits);
  assert.ok(first > 300, `a whole embed is taller than ${first}px`);

  // Unfolding the history makes the content taller; the frame follows.
  await frame.locator('.history summary').click();
  const second = await waitFor('the frame to fit its taller content', async () => {
    const result = await fits();
    return result.ok && result.value > first ? result : { ok: false, seen: result.seen ?? `still ${result.value}` };
  });
  assert.ok(second > first);

  // Each step is also posted to the parent.
  await frame.getByRole('button', { name: 'Step forward', exact: true }).click();
  const step = await waitFor('a step message', async () => {
    const message = (await page.evaluate(() => window.messages)).find((m) => m?.type === 'backprop-viz:step');
    return message ? { ok: true, value: message } : { ok: false, seen: 'none yet' };
  });
  assert.equal(step.detail.counter, 'backward 2 / 4');
  assert.equal(step.detail.record.node, 'v3');
  await app.snap(page, 'iframe-embed');
});

appTest('an app share link with markup shows it as program text and runs nothing', async (app) => {
  const program = `${SCRIPT}\n${IMAGE}`;
  const page = await app.open(`/#${fragment({ program, at: '', mode: 'reverse', step: '3' })}`);
  page.dialogs = [];
  page.on('dialog', (d) => page.dialogs.push(d.message()));
  assert.equal(await editor(page).inputValue(), program);
  const alert = page.getByRole('alert').first();
  await alert.waitFor();
  assert.ok((await alert.textContent()).length > 0);
  await assertNothingRan(app, page, 'the app');
});

appTest('an iframe embed with markup in its fragment shows it as text and runs nothing', async (app) => {
  const page = await openPage(
    app,
    `${EMBED_PAGE}#${fragment({
      program: IMAGE,
      at: SCRIPT,
      theme: '<svg onload="window.__pwned = 1">',
      controls: '<b>full</b>',
    })}`,
  );
  const problems = page.locator('backprop-graph .embed-problems');
  await problems.waitFor();
  const text = await problems.textContent();
  for (const literal of ['<svg onload="window.__pwned = 1">', '<b>full</b>', 'The program does not compile']) {
    assert.ok(text.includes(literal), `the problems show ${literal} as text: ${text}`);
  }
  assert.equal(await page.locator('backprop-graph [data-step-counter]').textContent(), 'no program');
  await assertNothingRan(app, page, 'embed.html');
});

appTest('markup in an element attribute is data, and nothing runs', async (app) => {
  const first = app.requests.length;
  const page = await openPage(app, COURSE, { embeds: 4 });
  await page.evaluate(
    ([program, at]) => {
      const element = document.getElementById('two-paths');
      element.setAttribute('program', program);
      element.setAttribute('at', at);
      element.setAttribute('mode', '<iframe src="javascript:alert(3)">');
    },
    [IMAGE, SCRIPT],
  );
  const problems = page.locator('#two-paths .embed-problems');
  await problems.waitFor();
  const text = await problems.textContent();
  assert.ok(text.includes('<iframe src="javascript:alert(3)">'), text);
  assert.ok(text.includes('The program does not compile'), text);
  assert.equal(await embedCounter(page, 'two-paths'), 'no program');
  await assertNothingRan(app, page, 'the course page');
  // A valid program again: the element recovers, the others never changed.
  await page.evaluate(() => {
    const element = document.getElementById('two-paths');
    element.setAttribute('program', 'a * b');
    element.setAttribute('at', 'a=2,b=3');
    element.removeAttribute('mode');
  });
  await expectCounter(page, 'two-paths', 'forward 0 / 3');
  assert.equal(await page.locator('#two-paths .embed-problems').count(), 0);
  assert.deepEqual(Object.keys(await embedNodes(page, 'two-paths')).sort(), ['a', 'b', 'v3']);
  await expectCounter(page, 'sigmoid-neuron', 'forward 10 / 10');
  const paths = app.requests.slice(first).map((r) => r.path);
  assert.ok(paths.every((path) => path.startsWith(SUB_PATH)), paths.join('\n'));
});
