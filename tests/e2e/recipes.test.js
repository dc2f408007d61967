// The README's recipes, tried. Jupyter: its Python code runs with IPython (Debian's
// python3-ipython, installed by make setup), and the HTML a notebook would display for it
// is put into a page, where the iframe embed shows the view the recipe asks for. mdBook
// (installed by make setup): a book whose chapter holds the element is built, served and
// opened; the embed mounts and steps, and nothing is asked of another origin.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { launchChromium } from './lib/browser.js';
import { appTest, waitFor } from './lib/harness.js';
import { EMBED_PAGE } from './lib/embed.js';
import { DIST, startServer } from './lib/server.js';

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

/** The README's mdBook recipe: the element and its script in a chapter's Markdown. */
const CHAPTER = `# Backpropagation

<script type="module" src="viz/backprop-embed.js"></script>
<backprop-graph program="(x1+x2)*x1" at="x1=3,x2=4"></backprop-graph>
`;

test('the mdBook recipe shows a working embed in a built book', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'book-'));
  try {
    await mkdir(join(dir, 'src'));
    await writeFile(join(dir, 'book.toml'), '[book]\ntitle = "Course notes"\n');
    await writeFile(join(dir, 'src', 'SUMMARY.md'), '# Summary\n\n- [Backpropagation](chapter.md)\n');
    await writeFile(join(dir, 'src', 'chapter.md'), CHAPTER);
    await cp(DIST, join(dir, 'src', 'viz'), { recursive: true });
    await run('mdbook', ['build', dir]).catch((error) => {
      throw new Error(`mdbook did not build the book (is mdbook installed? make setup): ${error.message}`);
    });
    const server = await startServer({ root: join(dir, 'book') });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const origin = new URL(server.url('/')).origin;
      const foreign = [];
      page.on('request', (request) => {
        const url = request.url();
        if (!url.startsWith(`${origin}/`) && !/^(data|blob|about):/.test(url)) foreign.push(url);
      });
      await page.goto(server.url('/chapter.html'));
      const counter = page.locator('backprop-graph [data-step-counter]');
      await counter.waitFor({ timeout: 30_000 });
      assert.equal((await counter.textContent()).replace(/\s+/g, ' ').trim(), 'forward 0 / 4');
      await page.locator('backprop-graph').getByRole('button', { name: 'Step forward', exact: true }).click();
      await waitFor('one step in the book', async () => {
        const text = (await counter.textContent()).replace(/\s+/g, ' ').trim();
        return text === 'forward 1 / 4' ? { ok: true } : { ok: false, seen: text };
      });
      assert.deepEqual(foreign, [], 'the book asks nothing of another origin');
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
