// Launches the system Chromium through playwright-core (no downloaded browsers),
// headless and without the background traffic to Google hosts that a closed
// network refuses. Playwright gives each launch a fresh profile directory.

import { chromium } from 'playwright-core';

/** The browser binary; CHROMIUM overrides it. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Flags added to every launch in this process (see useChromiumArgs). */
const extraArgs = [];

/**
 * Adds `flags` to every later launch in this process: a test file that needs,
 * e.g., WebGPU calls useChromiumArgs('--enable-unsafe-webgpu') at its top
 * (each test file runs in its own process).
 */
export function useChromiumArgs(...flags) {
  extraArgs.push(...flags);
}

/** Starts Chromium (with `args` beyond the usual ones); throws (never skips) when it cannot. */
export async function launchChromium({ args = [] } = {}) {
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, ...extraArgs, ...args],
      timeout: 60_000,
    });
  } catch (error) {
    throw new Error(`could not start Chromium at ${CHROMIUM}: ${error.message}`);
  }
}
