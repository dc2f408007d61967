// The README's Jupyter recipe, tried: its Python code runs with IPython (Debian's
// python3-ipython, installed by make setup), and the HTML a notebook would display for it
// is put into a page, where the iframe embed shows the view the recipe asks for.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { appTest } from './lib/harness.js';
import { EMBED_PAGE } from './lib/embed.js';

const run = promisify(execFile);

/** The README's recipe, with the course site's address given as an argument. */
const RECIPE = `
import sys
from urllib.parse import urlencode
from IPython.display import IFrame

view = urlencode({"program": "(x1+x2)*x1", "at": "x1=3,x2=4", "step": "backward:2",
                  "layout": "compact"})
frame = IFrame(f"{sys.argv[1]}embed.html#{view}", width="100%", height=460)
print(frame._repr_html_())
`;

appTest('the Jupyter recipe displays an iframe embed of the view', async (app) => {
  const viz = app.url(EMBED_PAGE).replace(/embed\.html$/, '');
  const { stdout } = await run('python3', ['-c', RECIPE, viz]).catch((error) => {
    throw new Error(`the recipe did not run (is IPython installed? make setup): ${error.message}`);
  });
  assert.match(stdout, /<iframe/, stdout);
  const page = await app.context.newPage();
  await page.setContent(`<!DOCTYPE html><title>A notebook's output</title>${stdout}`);
  const frame = page.frameLocator('iframe');
  await frame.locator('[data-step-counter]').waitFor({ timeout: 30_000 });
  assert.equal((await frame.locator('[data-step-counter]').textContent()).trim(), 'backward 2 / 4');
  assert.equal(await frame.locator('.embed').getAttribute('data-layout'), 'compact');
  const height = await page.locator('iframe').evaluate((f) => f.getBoundingClientRect().height);
  assert.equal(height, 460);
});
