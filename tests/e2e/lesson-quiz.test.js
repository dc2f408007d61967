// Predict, then reveal: the Quiz lesson asks the next step's number before it is shown; a
// right answer takes the step, a wrong one brings a hint from the rule; the score counts
// first tries ("1 / 2") and stays in the link, which reopens the quiz. An embed with the
// `quiz` attribute shows the same quiz.

import assert from 'node:assert/strict';
import { appTest } from './lib/harness.js';
import { counter, fragmentParams, stepForward } from './lib/app.js';
import { openLesson, lessonAtStep } from './lib/lessons.js';
import { waitFor } from './lib/wait.js';
import { EMBED_PAGE, openPage } from './lib/embed.js';

const score = (root) => root.locator('[data-quiz-score]').innerText();
const answer = (root) => root.getByRole('textbox', { name: 'Your answer' });

appTest('a right and a wrong answer, the hint, the score and the link', async (app) => {
  const page = await app.open('/');
  const view = await openLesson(page, 'Quiz');
  await view.getByRole('button', { name: 'Start the quiz' }).click();
  await waitFor('the score 0 / 0', async () => (await score(view)) === '0 / 0');
  assert.match(await view.innerText(), /relative 1e-3/, 'the tolerance is stated');
  // Inputs are given: show them.
  await view.getByRole('button', { name: 'Show the step' }).click();
  await lessonAtStep(page, 1);
  await view.getByRole('button', { name: 'Show the step' }).click();
  await lessonAtStep(page, 2);

  // v3 = x1 + x2 = 7: a right answer takes the step.
  assert.equal(await view.locator('[data-quiz-ask]').getAttribute('data-quiz-node'), 'v3');
  await answer(view).fill('7');
  await answer(view).press('Enter');
  await lessonAtStep(page, 3);
  await waitFor('the score 1 / 1', async () => (await score(view)) === '1 / 1');
  assert.equal(await counter(page), 'forward 3 / 4');
  assert.match(await view.locator('.quiz-last').innerText(), /Right: v3 = 3 \+ 4 = 7/);

  // v4 = v3 · x1 = 21: a wrong answer stays, shows the hint and counts.
  await answer(view).fill('20');
  await view.getByRole('button', { name: 'Check' }).click();
  await waitFor('the score 1 / 2', async () => (await score(view)) === '1 / 2');
  assert.match(await view.locator('.quiz-feedback').innerText(), /Not right: v4 is not 20/);
  const hint = view.locator('[data-quiz-hint]');
  assert.equal(await hint.isVisible(), true);
  assert.match(await hint.innerText(), /v4 = v3 · x1 = 7 · 3/);
  assert.equal(await counter(page), 'forward 3 / 4', 'a wrong answer does not step');
  // Right on the second try: the step, no change to the score.
  await answer(view).fill('21.01');
  await answer(view).press('Enter');
  await lessonAtStep(page, 4);
  assert.equal(await score(view), '1 / 2');
  await app.snap(page, 'lesson-quiz');

  // The link keeps the quiz: a new page opens it with its score.
  await waitFor('the quiz in the link', async () => fragmentParams(page.url()).get('quiz') === '1/2');
  const again = await app.context.newPage();
  await again.goto(page.url());
  const reopened = again.locator('[data-lesson-view="quiz"]');
  await reopened.waitFor();
  await waitFor('the score from the link', async () => (await score(reopened)) === '1 / 2');
  await lessonAtStep(again, 4);

  // Reveal counts as asked; stopping drops the quiz from the link.
  await reopened.getByRole('button', { name: 'Reveal' }).click();
  await waitFor('the score 1 / 3', async () => (await score(reopened)) === '1 / 3');
  assert.match(await reopened.locator('.quiz-last').innerText(), /^Revealed: /);
  await reopened.getByRole('button', { name: 'Stop the quiz' }).click();
  await waitFor('no quiz in the link', async () => !fragmentParams(again.url()).has('quiz'));
});

appTest('an embed with the quiz attribute asks too', async (app) => {
  const fragment = new URLSearchParams({ program: '(x1+x2)*x1', at: 'x1=3,x2=4', step: '2', quiz: '' });
  const page = await openPage(app, `${EMBED_PAGE}#${fragment}`);
  const quiz = page.locator('backprop-graph .quiz');
  await quiz.waitFor();
  assert.equal(await score(quiz), '0 / 0');
  await answer(quiz).fill('8');
  await answer(quiz).press('Enter');
  await waitFor('the embed score 0 / 1', async () => (await score(quiz)) === '0 / 1');
  assert.equal(await quiz.locator('[data-quiz-hint]').isVisible(), true);
  await answer(quiz).fill('7');
  await answer(quiz).press('Enter');
  await waitFor('the embed stepped', async () =>
    (await page.locator('backprop-graph [data-step-counter]').innerText()).includes('forward 3 / 4'));
  assert.equal(await score(quiz), '0 / 1');
  // Without the attribute, no quiz.
  const plain = await openPage(app, `${EMBED_PAGE}#${new URLSearchParams({ program: 'x*2' })}`);
  assert.equal(await plain.locator('backprop-graph .quiz').count(), 0);
});
