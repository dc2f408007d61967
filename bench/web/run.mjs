// Runs the browser benchmark: serves this directory on 127.0.0.1, opens index.html in
// headless Chromium with WebGPU (SwiftShader on a machine without a GPU), calls
// window.runBench and prints our figures, TensorFlow.js's and jax-js's and the ratios
// (with the reason wherever a side could not run a workload). Exits non-zero
// if WebGPU is missing, a check fails (products, losses, adapters) or the page makes a
// request off its origin. Expects pkg/ (the wasm, see .ci/bench-web.sh) and node_modules/.
//
//   node run.mjs [--quick] [--sizes=256,512,1024,2048] [--rounds=N] [--read-every=N]

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { DRIFT_TOLERANCE, LOSS_TOLERANCE, MATMUL_RELATIVE_TO_MAGNITUDE } from './checks.js';
import { serve } from './server.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--enable-unsafe-webgpu',
];
/** The whole run may take this long (SwiftShader at n = 2048 is slow). */
const RUN_TIMEOUT_MS = 30 * 60_000;

const USAGE = 'usage: node run.mjs [--quick] [--sizes=256,512,...] [--rounds=N] [--read-every=N]';

function parseOptions(args) {
  const unknown = args.find((arg) => !/^--(quick|sizes=.*|rounds=.*|read-every=.*)$/.test(arg));
  if (unknown !== undefined) throw new Error(`unknown argument ${unknown}; ${USAGE}`);
  const quick = args.includes('--quick');
  const value = (name) => args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
  const sizes = (value('sizes') ?? (quick ? '256,512,1024' : '256,512,1024,2048'))
    .split(',')
    .map(Number);
  const rounds = Number(value('rounds') ?? (quick ? 1 : 3));
  const readEvery = Number(value('read-every') ?? 10);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 4096) || !(rounds >= 1) || !(Number.isInteger(readEvery) && readEvery >= 1)) {
    throw new Error(`sizes must be whole numbers from 1 to 4096, rounds and read-every whole numbers from 1; ${USAGE}`);
  }
  return { quick, sizes, rounds, readEvery, matmul: { budgetMs: quick ? 300 : 1500, minRuns: 2 } };
}

function ratio(ours, theirs) {
  return `${(ours / theirs).toFixed(2)}×`;
}

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('   '))
    .join('\n');
}

/** A rate, or a footnote mark where the side could not run the workload. */
function cell(rates, unavailable, side, unit, digits, notes) {
  if (rates[side] !== undefined) return `${rates[side].toFixed(digits)} ${unit}`;
  const why = unavailable[side] ?? 'not run';
  let index = notes.indexOf(why);
  if (index < 0) index = notes.push(why) - 1;
  return `— [${index + 1}]`;
}

function report(result, options) {
  const others = Object.entries(result.sides);
  const rows = [['Workload', 'ours (wgpu)', ...others.map(([, name]) => name), ...others.map(([, name]) => `ours / ${name}`)]];
  const notes = [];
  const line = (label, { rates, unavailable }, unit, digits) => [
    label,
    cell(rates, unavailable, 'ours', unit, digits, notes),
    ...others.map(([side]) => cell(rates, unavailable, side, unit, digits, notes)),
    ...others.map(([side]) => (rates[side] === undefined ? '—' : ratio(rates.ours, rates[side]))),
  ];
  for (const m of result.matmul) rows.push(line(`matmul n = ${m.n} (${m.repeats} per readback)`, m, 'GFLOP/s', 2));
  for (const t of result.training) rows.push(line(t.label, t, 'steps/s', 1));
  const adapters = Object.entries(result.adapters).map(([side, name]) => `${result.sides[side] ?? side} "${name}"`);
  console.log(`\nWebGPU adapter: ${adapters.join(', ')}\n`);
  console.log(table(rows));
  notes.forEach((note, index) => console.log(`[${index + 1}] ${note}`));
  const reads = options.readEvery === 1 ? 'read back after every step' : `kept and read back together every ${options.readEvery} steps`;
  console.log(`\nTraining steps: minibatch upload, forward, backward, Adam update; every step's loss ${reads} (every side).`);
  for (const t of result.training) {
    const finals = Object.entries(t.losses.last)
      .map(([side, loss]) => `${side === 'ours' ? 'here' : `on ${result.sides[side]}`} ${loss.toPrecision(3)}`)
      .join(', ');
    console.log(
      `  ${t.label}: ${t.dispatches / t.workSteps} dispatches per step here, ${t.submissions} submission${t.submissions === 1 ? '' : 's'} ` +
        `and ${t.readbacks} readback${t.readbacks === 1 ? '' : 's'} per ${t.workSteps} step${t.workSteps === 1 ? '' : 's'} read; ` +
        `loss ${t.losses.first.toFixed(4)} at first, after ${t.losses.after} steps ${finals}`,
    );
  }
  const worst = Math.max(...result.matmul.flatMap((m) => Object.values(m.worstErrorShare)));
  const apart = Math.max(...result.matmul.flatMap((m) => Object.values(m.maxDifference).map((d) => d / m.n)));
  console.log(
    `\nChecks: every side's products against f64 at 64 entries within ${MATMUL_RELATIVE_TO_MAGNITUDE}·Σ|a·b| (worst ${(worst * 100).toFixed(1)} % of that), ` +
      `every entry of the others' within ${2 * MATMUL_RELATIVE_TO_MAGNITUDE}·n of ours (largest difference ${apart.toExponential(1)}·n); ` +
      `first 10 losses of every side against the CPU reference within ${LOSS_TOLERANCE.absolute} + ${LOSS_TOLERANCE.relative}·|loss|; ` +
      `the losses of every timed step within ${DRIFT_TOLERANCE.absolute} + ${DRIFT_TOLERANCE.relative}·|loss| of ours.`,
  );
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  for (const needed of [
    'pkg/bench_web.js',
    'pkg/digits.csv.gz',
    'node_modules/@tensorflow/tfjs/dist/tf.min.js',
    'node_modules/@jax-js/jax/dist/index.js',
  ]) {
    if (!existsSync(`${HERE}/${needed}`)) {
      throw new Error(`bench/web/${needed} is missing: run make bench-web (it builds the wasm and runs npm ci)`);
    }
  }
  const server = await serve(HERE);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  const failures = [];
  try {
    const page = await browser.newPage();
    page.on('console', (message) => {
      if (message.text().startsWith('bench:') || message.type() === 'error') console.log(message.text());
    });
    page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(server.origin) && !url.startsWith('data:') && !url.startsWith('blob:')) {
        failures.push(`request off the page's origin: ${url}`);
      }
    });
    await page.goto(`${server.origin}/index.html`);
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
    let timer;
    const timeout = new Promise((_, fail) => {
      timer = setTimeout(() => fail(new Error(`no result after ${RUN_TIMEOUT_MS / 60_000} minutes`)), RUN_TIMEOUT_MS);
    });
    const result = await Promise.race([page.evaluate((options) => window.runBench(options), options), timeout]);
    clearTimeout(timer);
    if (result.error) {
      failures.push(result.error);
    } else {
      report(result, options);
      failures.push(...result.failures);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  if (failures.length > 0) {
    console.error(`\nbench-web FAILED:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`bench-web: ${error.message}`);
  process.exitCode = 1;
});
