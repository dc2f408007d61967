// Test harness for the E2E suite. Each test file (its own process under
// `node --test`) shares one static server for dist/ and one Chromium; each
// test gets a fresh browser context through appTest(), which
//   - fails the test when any request leaves the server's origin or the page
//     throws an uncaught error (a Rust panic ends up here),
//   - saves a screenshot when the test fails,
//   - offers snap() for the light/dark, desktop/phone screenshots.

import { after, before, test } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { launchChromium } from './browser.js';
import { startServer } from './server.js';
import { waitFor } from './wait.js';

export const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };

/** Playwright's own auto-waiting limit for clicks, fills and the like. */
const ACTION_TIMEOUT_MS = 10_000;
/** How long the app may take to start (fetch and compile the wasm). */
const LOAD_TIMEOUT_MS = 30_000;
/** A whole test. */
const TEST_TIMEOUT_MS = 120_000;

let shared = null;

before(async () => {
  const server = await startServer();
  try {
    shared = { server, browser: await launchChromium() };
  } catch (error) {
    await server.close();
    throw error;
  }
});

after(async () => {
  await shared?.browser.close();
  await shared?.server.close();
});

/**
 * Declares a test that runs `body(app)` in a fresh browser context (1280x800,
 * light colour scheme). `options.permissions` is passed to the context (e.g.
 * ['clipboard-read', 'clipboard-write']).
 */
export function appTest(name, options, body) {
  if (typeof options === 'function') [options, body] = [{}, options];
  test(name, { timeout: TEST_TIMEOUT_MS }, async () => {
    if (!shared) throw new Error('the server or Chromium did not start (see the before hook)');
    const app = await AppSession.create(shared, slug(name), options);
    let failure = null;
    try {
      await body(app);
    } catch (error) {
      failure = error;
      await app.snapFailure();
    } finally {
      await app.close();
    }
    if (failure) {
      const notes = app.diagnostics();
      if (notes && failure instanceof Error) failure.message += notes;
      throw failure;
    }
    app.assertClean();
  });
}

class AppSession {
  static async create({ server, browser }, name, { permissions = [] } = {}) {
    const context = await browser.newContext({
      viewport: DESKTOP,
      colorScheme: 'light',
      permissions,
    });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    return new AppSession(server, context, name);
  }

  constructor(server, context, name) {
    this.server = server;
    this.context = context;
    this.name = name;
    this.foreignRequests = [];
    this.pageErrors = [];
    this.consoleErrors = [];
    this.pages = [];
    const origin = `${server.origin}/`;
    context.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(origin) && !/^(data|blob|about):/.test(url)) {
        this.foreignRequests.push(url);
      }
    });
    context.on('page', (page) => {
      this.pages.push(page);
      page.on('pageerror', (error) => this.pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') this.consoleErrors.push(message.text());
      });
    });
  }

  /** The server's URL for `path` (default "/"), e.g. url('/course/viz/'). */
  url(path = '/') {
    return this.server.url(path);
  }

  /** Every request the server answered so far (all tests of this file). */
  get requests() {
    return this.server.requests;
  }

  /**
   * Opens `target` (a path on the server, or a full URL) in a new page and
   * waits until the app is up (its program editor is visible).
   */
  async open(target = '/') {
    const page = await this.context.newPage();
    const url = /^https?:/.test(target) ? target : this.url(target);
    await page.goto(url, { waitUntil: 'load', timeout: LOAD_TIMEOUT_MS });
    await page
      .getByRole('textbox', { name: 'Program', exact: true })
      .waitFor({ state: 'visible', timeout: LOAD_TIMEOUT_MS })
      .catch((error) => {
        throw new Error(
          `the app did not start at ${url}: ${error.message.split('\n')[0]}` +
            this.diagnostics(),
        );
      });
    return page;
  }

  /**
   * Saves full-page screenshots of `page` as
   * screenshots/<test>--<moment>--<light|dark>-<W>x<H>.png, in the light and
   * dark themes at 1280x800 and 375x812, then restores the theme and 1280x800.
   * The theme is switched both ways the app offers: the system colour scheme
   * (which the app follows at start) and its "Dark theme" toggle.
   */
  async snap(page, moment) {
    await mkdir(SCREENSHOTS, { recursive: true });
    const wasDark = await darkThemePressed(page);
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      await setDarkTheme(page, colorScheme === 'dark');
      for (const size of [DESKTOP, PHONE]) {
        await page.setViewportSize(size);
        await settle(page);
        const file = `${this.name}--${moment}--${colorScheme}-${size.width}x${size.height}.png`;
        await page.screenshot({ path: SCREENSHOTS + file, fullPage: true });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    if (wasDark !== null) await setDarkTheme(page, wasDark);
    await page.setViewportSize(DESKTOP);
    await settle(page);
  }

  async snapFailure() {
    await mkdir(SCREENSHOTS, { recursive: true });
    for (const [i, page] of this.pages.entries()) {
      if (page.isClosed()) continue;
      const file = `${this.name}--FAILED${i ? `-page${i + 1}` : ''}.png`;
      await page.screenshot({ path: SCREENSHOTS + file, fullPage: true }).catch(() => {});
    }
  }

  async close() {
    await this.context.close();
  }

  /** Throws if a request left the origin or a page threw. */
  assertClean() {
    if (this.foreignRequests.length) {
      throw new Error(
        `requests left the page's origin ${this.server.origin}:\n  ${this.foreignRequests.join('\n  ')}`,
      );
    }
    if (this.pageErrors.length) {
      throw new Error(`uncaught errors in the page:\n  ${this.pageErrors.join('\n  ')}`);
    }
  }

  /** Page errors, console errors and foreign requests, as text to append to a failure. */
  diagnostics() {
    const sections = [
      ['uncaught errors in the page', this.pageErrors],
      ['console errors', this.consoleErrors],
      ["requests that left the page's origin", this.foreignRequests],
    ];
    return sections
      .filter(([, lines]) => lines.length)
      .map(([title, lines]) => `\n${title}:\n  ${lines.join('\n  ')}`)
      .join('');
  }
}

const themeToggle = (page) => page.getByRole('button', { name: 'Dark theme', exact: true });

/** Whether the "Dark theme" toggle is pressed; null when the page has none. */
async function darkThemePressed(page) {
  if ((await themeToggle(page).count()) !== 1) return null;
  return (await themeToggle(page).getAttribute('aria-pressed')) === 'true';
}

/** Presses or releases the "Dark theme" toggle (nothing when the page has none). */
async function setDarkTheme(page, dark) {
  const pressed = await darkThemePressed(page);
  if (pressed === null || pressed === dark) return;
  await themeToggle(page).click();
  await waitFor(`the "Dark theme" toggle to be ${dark ? 'pressed' : 'released'}`, async () =>
    (await darkThemePressed(page)) === dark,
  );
}

/** Waits two animation frames, so layout and paint caught up. */
async function settle(page) {
  await page.evaluate(
    () => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))),
  );
}

function slug(name) {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

export { waitFor };
