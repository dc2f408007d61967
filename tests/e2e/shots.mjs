// Screenshots of every worked example at a desktop, a projector at 150 % and a phone, light
// and dark, at the end of the backward pass: `node tests/e2e/shots.mjs [DIR]` (default
// tests/e2e/screenshots/examples). For looking at, not a test.

import { mkdir } from 'node:fs/promises';

import { launchChromium } from './lib/browser.js';
import { DIST, startServer } from './lib/server.js';

const OUT = process.argv[2] ?? new URL('./screenshots/examples/', import.meta.url).pathname;
const SIZES = [
  { width: 1440, height: 900 },
  { width: 853, height: 480 },
  { width: 375, height: 812 },
];

await mkdir(OUT, { recursive: true });
const server = await startServer({ root: DIST });
const browser = await launchChromium();
try {
  for (const colorScheme of ['light', 'dark']) {
    const page = await browser.newPage({ viewport: SIZES[0], colorScheme });
    await page.goto(server.url('/'));
    await page.getByRole('textbox', { name: 'Program', exact: true }).waitFor();
    const slugs = await page.$$eval('button[data-example]', (b) => b.map((x) => x.dataset.example));
    for (const slug of slugs) {
      await page.setViewportSize(SIZES[0]);
      await page.click(`button[data-example="${slug}"]`);
      await page.getByRole('button', { name: 'Jump to end of backward', exact: true }).click();
      for (const size of SIZES) {
        await page.setViewportSize(size);
        await page.waitForTimeout(250);
        await page.getByRole('button', { name: 'Fit graph', exact: true }).click();
        await page.waitForTimeout(150);
        const frame = await page.$('main .graph-frame');
        await frame.scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${OUT}${slug}-${colorScheme}-${size.width}x${size.height}.png` });
      }
    }
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
