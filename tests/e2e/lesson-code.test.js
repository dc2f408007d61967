// The Code lesson: the program as plain Python on a tiny Value engine and as PyTorch, each
// node's line linked to it. The current step's line follows stepping (aria-current moves);
// hovering or focusing a node in the graph highlights its line and its span in the editor;
// pressing a line (or Enter on it) highlights its node in the graph and its span.

import assert from 'node:assert/strict';
import { appTest } from './lib/harness.js';
import { GRAPH, stepForward, stepBack } from './lib/app.js';
import { openLesson, lessonAtStep } from './lib/lessons.js';
import { waitFor } from './lib/wait.js';

/** The node of the line marked as the current step ('' when none). */
const currentLine = (view) =>
  view.evaluate((v) => v.querySelector('[aria-current="step"]')?.getAttribute('data-node') ?? '');

/** The node of the line highlighted ('' when none). */
const highlightedLine = (view) =>
  view.evaluate((v) => v.querySelector('[data-code-line][data-highlight]')?.getAttribute('data-node') ?? '');

/** The text the editor marks as the highlighted or current node's span. */
const markedSpan = (page) =>
  page.evaluate(() => document.querySelector('.editor-mirror mark[data-node-span]')?.textContent ?? '');

const highlightedNode = (page) =>
  page.evaluate((graph) => document.querySelector(`${graph} [data-highlight]`)?.getAttribute('data-node') ?? '', GRAPH);

appTest('the code line follows the steps; graph and lines highlight each other', async (app) => {
  const page = await app.open('/');
  const view = await openLesson(page, 'Code');
  // Plain Python first: every node's line, the engine folded.
  await view.locator('[data-code-line][data-node]').first().waitFor();
  const lines = await view.evaluate((v) =>
    [...v.querySelectorAll('[data-code-line][data-node]')].map((l) => [l.getAttribute('data-node'), l.textContent]));
  assert.deepEqual(lines.map(([node]) => node), ['x1', 'x2', 'v3', 'v4']);
  assert.match(lines[2][1], /v3 = x1 \+ x2 {2}# node v3/);
  assert.match(await view.locator('.code-engine summary').innerText(), /The Value engine \(\d+ lines\)/);
  assert.equal(await currentLine(view), '', 'no step taken, no line marked');

  await stepForward(page, 3);
  await lessonAtStep(page, 3);
  await waitFor('the line of v3 current', async () => (await currentLine(view)) === 'v3');
  assert.equal(await view.locator('[aria-current="step"]').count(), 1);
  assert.equal(await markedSpan(page), '(x1 + x2)', 'the current step marks its span in the editor');
  await stepForward(page);
  await waitFor('the line of v4 current', async () => (await currentLine(view)) === 'v4');
  // Backward: the visited node's line.
  await stepForward(page, 2);
  await waitFor('the line of v3 current again', async () => (await currentLine(view)) === 'v3');
  await stepBack(page);
  await waitFor('back to v4', async () => (await currentLine(view)) === 'v4');

  // Hovering a graph node highlights its line and its span; leaving clears both.
  await page.locator(`${GRAPH} g[data-node="x2"] .node-box`).hover();
  await waitFor('x2 highlighted', async () => (await highlightedLine(view)) === 'x2');
  assert.equal(await highlightedNode(page), 'x2');
  assert.equal(await markedSpan(page), 'x2');
  await page.mouse.move(2, 2);
  await waitFor('nothing highlighted', async () => (await highlightedLine(view)) === '');
  assert.equal(await markedSpan(page), '(x1 + x2) * x1', 'the current step (v4) is marked again');

  // Focusing a node does the same.
  await page.locator(`${GRAPH} g[data-node="v3"]`).focus();
  await waitFor('v3 highlighted by focus', async () => (await highlightedLine(view)) === 'v3');
  await page.locator(`${GRAPH} g[data-node="v3"]`).blur();

  // Pressing a line highlights its node in the graph and its span in the editor.
  await view.locator('[data-code-line][data-node="x1"]').click();
  await waitFor('x1 highlighted in the graph', async () => (await highlightedNode(page)) === 'x1');
  assert.equal(await markedSpan(page), 'x1');
  assert.equal(await highlightedLine(view), 'x1');
  // Enter on a focused line.
  await view.locator('[data-code-line][data-node="v3"]').focus();
  await page.keyboard.press('Enter');
  await waitFor('v3 highlighted in the graph', async () => (await highlightedNode(page)) === 'v3');
  assert.equal(await markedSpan(page), '(x1 + x2)');

  // PyTorch: the same links.
  await view.getByRole('radio', { name: 'PyTorch' }).click();
  await waitFor('the PyTorch lines', async () =>
    (await view.locator('[data-code-line][data-node="x1"]').innerText()).includes('torch.tensor(3.0'));
  assert.equal(await currentLine(view), 'v4');
  assert.equal(await view.locator('.code-engine').count(), 0);
  await app.snap(page, 'lesson-code');
});
