// The lessons under the graph (src/ui/lessons/): open a view by its tab and wait for the
// module to show it, following the app's current step.

import { waitFor } from './wait.js';

/** Opens the lesson tab `name` ("Chain rule", …) and waits for its view. */
export async function openLesson(page, name) {
  const tab = page.getByRole('tab', { name, exact: true });
  await tab.click();
  const slug = await tab.getAttribute('data-lesson');
  await waitFor(`the ${name} view`, async () =>
    (await page.locator(`.lessons[data-lessons="ready"] [data-lesson-view="${slug}"]`).count()) === 1);
  return page.locator(`[data-lesson-view="${slug}"]`);
}

/** Waits until the open lesson view follows the app's step `step`. */
export async function lessonAtStep(page, step) {
  await waitFor(`the lesson at step ${step}`, async () =>
    (await page.locator(`[data-lesson-view][data-step="${step}"]`).count()) === 1);
}
