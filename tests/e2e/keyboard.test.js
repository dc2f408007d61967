// Keyboard shortcuts (focus outside text fields): ArrowRight steps forward,
// End jumps to the end of the backward pass, Home resets.

import { appTest } from './lib/harness.js';
import { expectView, pressShortcut } from './lib/app.js';
import { REVERSE } from './lib/two-paths.js';

appTest('ArrowRight steps, End jumps to the end, Home resets', async (app) => {
  const page = await app.open('/');
  await expectView(page, REVERSE[0], 'the view at step 0');

  await pressShortcut(page, 'ArrowRight');
  await expectView(page, REVERSE[1], 'the view after ArrowRight');
  await pressShortcut(page, 'ArrowRight');
  await expectView(page, REVERSE[2], 'the view after a second ArrowRight');

  await pressShortcut(page, 'End');
  await expectView(page, REVERSE[8], 'the view after End');
  await app.snap(page, 'after-end');

  await pressShortcut(page, 'Home');
  await expectView(page, REVERSE[0], 'the view after Home');
});
