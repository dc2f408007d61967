// The lessons under the graph: a tab loads the lessons module once, on demand; the open
// view follows the app's steps; the same tab closes it; a failed load says why and can be
// tried again.

import assert from 'node:assert/strict';
import { appTest } from './lib/harness.js';
import { stepForward, stepBack } from './lib/app.js';
import { openLesson, lessonAtStep } from './lib/lessons.js';

appTest('a lesson tab loads the module on demand and its view follows the steps', async (app) => {
  const page = await app.open('/');
  const loads = [];
  page.on('request', (request) => {
    if (request.url().includes('lessons_bg.wasm')) loads.push(request.url());
  });
  assert.equal(await page.locator('[data-lesson-view]').count(), 0, 'nothing mounted before a tab opens');
  assert.equal(loads.length, 0, 'the module is not part of the first load');

  await openLesson(page, 'Chain rule');
  await lessonAtStep(page, 0);
  await stepForward(page, 2);
  await lessonAtStep(page, 2);
  await stepBack(page);
  await lessonAtStep(page, 1);

  for (const name of ['Four ways', 'Code', 'Quiz', 'Backward graph', 'Memory']) {
    await openLesson(page, name);
    await lessonAtStep(page, 1);
  }
  assert.equal(loads.length, 1, 'the module is loaded once');

  const memory = page.getByRole('tab', { name: 'Memory', exact: true });
  assert.equal(await memory.getAttribute('aria-selected'), 'true');
  await memory.click();
  assert.equal(await memory.getAttribute('aria-selected'), 'false');
  assert.equal(await page.locator('#lesson-panel').isHidden(), true, 'the same tab closes the panel');
});

appTest('a lesson module that cannot load says why and loads on another try', async (app) => {
  const page = await app.open('/');
  let refuse = true;
  await page.route('**/lessons.js*', (route) => (refuse ? route.abort() : route.continue()));
  await page.getByRole('tab', { name: 'Quiz', exact: true }).click();
  const status = page.locator('.lesson-status[role="alert"]');
  await status.waitFor();
  assert.match(await status.innerText(), /The lessons could not be loaded/);
  refuse = false;
  await status.getByRole('button', { name: 'Try again', exact: true }).click();
  await page.locator('.lessons[data-lessons="ready"] [data-lesson-view="quiz"]').waitFor();
});
