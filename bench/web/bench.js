// The benchmark page: the same workloads on our wgpu backend (the wasm module in pkg/,
// built from examples/bench_web.rs), on TensorFlow.js with its WebGPU backend and on
// jax-js on its WebGPU device (jax.js), in one page on one WebGPU adapter, taking turns
// (never at the same time). run.mjs calls window.runBench(options) and prints the result.
//
// Every side is measured the same way: the first run is a warm-up (shader compilation)
// and is not timed; a run waits for completion by reading a result back; each side is
// timed in several rounds, alternating with the others, and the best round counts (the
// machine is shared, so interference only ever slows a round down).
//
// - matmul: `repeats` products of two n×n f32 matrices, then the product read back
//   (GFLOP/s = 2n³ · repeats / seconds). Every side's product is checked against f64 dot
//   products, and against ours.
// - training: Adam steps of an MLP from the same initial weights on the same
//   minibatches: minibatch upload, forward, backward, update, and the loss read back
//   after every step, on every side. The first steps' losses are checked against the
//   CPU reference (f64); the losses of the timed steps must agree with ours.
//
// A side that cannot run a workload (or cannot start) is reported with the reason, and
// the others still run.

import init, { openMatmul, openTraining } from './pkg/bench_web.js';
import {
  DRIFT_TOLERANCE,
  checkProduct,
  compareLosses,
  maxDifference,
  productsBound,
  uniformMatrix,
} from './checks.js';
import { jaxMatmul, jaxTrainer, startJax } from './jax.js';

/** The other sides, in the order of the table. */
const SIDES = { tfjs: 'TensorFlow.js', jax: 'jax-js' };

const tf = globalThis.tf;

/** Steps checked against the CPU reference before timing (they double as the warm-up). */
const CHECKED_STEPS = 10;

/** Timed steps between two reads of the losses (every step's loss is kept and read). */
const READ_EVERY = 10;

function log(message) {
  console.log(`bench: ${message}`);
}

/** TensorFlow.js on its WebGPU backend, or an error saying why not. */
async function startTensorflow() {
  if (!navigator.gpu) {
    throw new Error('WebGPU is unavailable (no navigator.gpu): start Chromium with --enable-unsafe-webgpu');
  }
  if (!tf) throw new Error('TensorFlow.js did not load (node_modules missing? run npm ci)');
  const started = await tf.setBackend('webgpu');
  await tf.ready();
  if (!started || tf.getBackend() !== 'webgpu') {
    throw new Error(`TensorFlow.js could not start its WebGPU backend (it runs on ${tf.getBackend()})`);
  }
  const info = tf.backend().adapterInfo ?? {};
  return [info.vendor, info.architecture].filter(Boolean).join(' ');
}

/**
 * Seconds per call of `run` (async) over one round of calls, which repeat until `budgetMs`
 * has passed and at least `minRuns` were made; and the last call's result.
 */
async function timeRuns(run, { budgetMs, minRuns }) {
  let result;
  let runs = 0;
  const start = performance.now();
  do {
    result = await run();
    runs++;
  } while (performance.now() - start < budgetMs || runs < minRuns);
  return { seconds: (performance.now() - start) / 1000 / runs, result };
}

/** Products per timed run: enough work that one readback is a small share of it. */
function matmulRepeats(n) {
  return Math.max(1, Math.round((1024 / n) ** 2));
}

/**
 * How a size is timed: in `options.rounds` rounds of at least `minRuns` runs and
 * `budgetMs`; from n = 2048 on a single product takes seconds on an emulated GPU, so one
 * round of one run (after the warm-up) is enough.
 */
function matmulPlan(n, options) {
  return n >= 2048
    ? { rounds: 1, budgetMs: 0, minRuns: 1 }
    : { rounds: options.rounds, ...options.matmul };
}

/** The message of an error, for a table's footnote. */
function reason(error) {
  return `${error?.message ?? error}`;
}

/** TensorFlow.js's `repeats` products of `lhs` and `rhs`, the last one read back. */
function tensorflowMatmul(a, b, n, repeats) {
  const lhs = tf.tensor2d(a, [n, n]);
  const rhs = tf.tensor2d(b, [n, n]);
  return {
    async run() {
      let product = null;
      for (let r = 0; r < repeats; r++) {
        product?.dispose();
        product = tf.matMul(lhs, rhs);
      }
      const data = await product.data();
      product.dispose();
      return data;
    },
    dispose() {
      tf.dispose([lhs, rhs]);
    },
  };
}

/**
 * Every side's runner made by `open` (name → async () => runner with `run()` and
 * `dispose()`), those that fail to open or to warm up left out with the reason.
 */
async function openSides(open, unavailable) {
  const runners = {};
  for (const [side, make] of Object.entries(open)) {
    if (unavailable[side]) continue;
    try {
      const runner = await make();
      runner.first = await runner.run(); // warm-up
      runners[side] = runner;
    } catch (error) {
      unavailable[side] = reason(error);
      log(`${SIDES[side] ?? side} cannot run this workload: ${unavailable[side]}`);
    }
  }
  return runners;
}

async function matmulWorkload(n, options, started) {
  const a = uniformMatrix(n * n, 1);
  const b = uniformMatrix(n * n, 2);
  const repeats = matmulRepeats(n);
  const unavailable = { ...started };
  const runners = await openSides(
    {
      ours: async () => {
        const bench = await openMatmul(n, a, b);
        return { run: () => bench.run(repeats), dispose: () => bench.free() };
      },
      tfjs: async () => tensorflowMatmul(a, b, n, repeats),
      jax: async () => jaxMatmul(a, b, n, repeats),
    },
    unavailable,
  );
  if (!runners.ours) throw new Error(`matmul n = ${n}: ours failed: ${unavailable.ours}`);
  const plan = matmulPlan(n, options);
  const best = {};
  const products = {};
  for (const side of Object.keys(runners)) {
    best[side] = Infinity;
    products[side] = runners[side].first;
  }
  for (let round = 0; round < plan.rounds; round++) {
    for (const [side, runner] of Object.entries(runners)) {
      const { seconds, result } = await timeRuns(() => runner.run(), plan);
      best[side] = Math.min(best[side], seconds);
      products[side] = result;
    }
  }
  const failures = [];
  const checks = {};
  const differences = {};
  for (const side of Object.keys(runners)) {
    const label = side === 'ours' ? 'ours' : SIDES[side];
    const { worst, message } = checkProduct(`matmul n = ${n}, ${label}`, products[side], a, b, n);
    checks[side] = worst;
    if (message) failures.push(message);
    if (side === 'ours') continue;
    differences[side] = maxDifference(products.ours, products[side]);
    if (!(differences[side] <= productsBound(n))) {
      failures.push(`matmul n = ${n}: ours and ${label} differ by ${differences[side]}, more than ${productsBound(n)}`);
    }
  }
  for (const runner of Object.values(runners)) runner.dispose();
  const flop = 2 * n ** 3 * repeats;
  const rates = Object.fromEntries(Object.keys(runners).map((side) => [side, flop / best[side] / 1e9]));
  const result = { n, repeats, rates, unavailable, worstErrorShare: checks, maxDifference: differences, failures };
  log(`matmul n = ${n}: ${Object.entries(rates).map(([side, rate]) => `${SIDES[side] ?? side} ${rate.toFixed(2)} GFLOP/s`).join(', ')}`);
  return result;
}

/**
 * The same MLP on TensorFlow.js: the parameters as variables ([W, b] per layer, ReLU
 * between layers), dense layers as `tf.fused.matMul` with bias and activation (what
 * tf.layers.dense runs), softmax cross-entropy averaged over the batch, and tf.train.adam
 * with our hyperparameters, fed the minibatches in our order.
 */
function tensorflowTrainer(parameters, adam, data) {
  const variables = parameters.map((p) => tf.variable(tf.tensor(p.values, p.shape)));
  const layers = [];
  for (let index = 0; index + 1 < variables.length; index += 2) {
    layers.push([variables[index], variables[index + 1]]);
  }
  const optimizer = tf.train.adam(adam.learningRate, adam.beta1, adam.beta2, adam.epsilon);
  const { batch, classes, inputs, features, labels } = data;
  const oneHot = new Float32Array(labels.length * classes);
  labels.forEach((label, index) => {
    oneHot[index * classes + label] = 1;
  });
  const predict = (x) =>
    layers.reduce(
      (h, [w, b], index) =>
        tf.fused.matMul({ a: h, b: w, bias: b, activation: index + 1 < layers.length ? 'relu' : 'linear' }),
      x,
    );
  let next = 0;
  // Every step's loss, read back after every `perRead` steps (and after the last), all
  // the losses kept since the last read in one readback.
  async function train(steps, perRead) {
    const losses = [];
    let kept = [];
    for (let step = 1; step <= steps; step++, next++) {
      const x = tf.tensor2d(features.subarray(next * batch * inputs, (next + 1) * batch * inputs), [batch, inputs]);
      const y = tf.tensor2d(oneHot.subarray(next * batch * classes, (next + 1) * batch * classes), [batch, classes]);
      kept.push(optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, predict(x)), true, variables));
      tf.dispose([x, y]);
      if (step % perRead === 0 || step === steps) {
        const all = kept.length === 1 ? kept[0] : tf.stack(kept);
        losses.push(...(await all.data()));
        tf.dispose([all, ...kept]);
        kept = [];
      }
    }
    return losses;
  }
  return {
    train,
    dispose() {
      optimizer.dispose();
      tf.dispose(variables);
    },
  };
}

/** The text of `pkg/<name>` (gunzipped when it ends in .gz). */
async function fetchText(name) {
  const response = await fetch(`pkg/${name}`);
  if (!response.ok) throw new Error(`pkg/${name}: ${response.status} (built by .ci/bench-web.sh)`);
  if (!name.endsWith('.gz')) return response.text();
  const stream = response.body.pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

async function trainingWorkload({ name, label, learningRate, timedSteps, file }, options, started) {
  const text = file ? await fetchText(file) : undefined;
  const ours = await openTraining(name, learningRate, text);
  const steps = options.quick ? Math.max(5, Math.round(timedSteps / 5)) : timedSteps;
  const data = ours.minibatches(CHECKED_STEPS + options.rounds * steps);
  const parameters = ours.parameters();
  const adam = ours.optimizer();
  const reference = Array.from(ours.referenceLosses(CHECKED_STEPS));
  const unavailable = { ...started };
  const failures = [];
  const checked = {};
  // The checked steps double as the warm-up.
  const runners = {};
  const open = {
    ours: () => ({ train: async (count, perRead) => Array.from(await ours.train(count, perRead)), dispose() {} }),
    tfjs: () => tensorflowTrainer(parameters, adam, data),
    jax: () => jaxTrainer(parameters, adam, data),
  };
  for (const [side, make] of Object.entries(open)) {
    if (unavailable[side]) continue;
    try {
      const runner = make();
      checked[side] = await runner.train(CHECKED_STEPS, 1);
      runners[side] = runner;
    } catch (error) {
      unavailable[side] = reason(error);
      log(`${label}: ${SIDES[side] ?? side} cannot run it: ${unavailable[side]}`);
    }
  }
  if (!runners.ours) throw new Error(`${label}: ours failed: ${unavailable.ours}`);
  for (const side of Object.keys(runners)) {
    const who = side === 'ours' ? 'ours' : SIDES[side];
    const message = compareLosses(`${label}, ${who} against the CPU reference`, checked[side], reference);
    if (message) failures.push(message);
  }
  const best = {};
  const timed = {};
  for (const side of Object.keys(runners)) {
    best[side] = Infinity;
    timed[side] = [];
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const [side, runner] of Object.entries(runners)) {
      const start = performance.now();
      const losses = await runner.train(steps, options.readEvery ?? READ_EVERY);
      best[side] = Math.min(best[side], (performance.now() - start) / 1000);
      timed[side].push(...losses);
    }
  }
  for (const side of Object.keys(runners)) {
    if (side === 'ours') continue;
    const drift = compareLosses(`${label}, timed steps, ours against ${SIDES[side]}`, timed.ours, timed[side], DRIFT_TOLERANCE);
    if (drift) failures.push(drift);
  }
  const last = Object.fromEntries(Object.entries(timed).map(([side, losses]) => [side, losses.at(-1)]));
  if (!(last.ours < reference[0])) {
    failures.push(`${label}: the loss did not fall (${reference[0]} at first, ${last.ours} at the end)`);
  }
  const workSteps = options.readEvery ?? READ_EVERY;
  const work = await ours.workPerRead(workSteps);
  for (const runner of Object.values(runners)) runner.dispose();
  ours.free();
  const rates = Object.fromEntries(Object.keys(runners).map((side) => [side, steps / best[side]]));
  const result = {
    name,
    label,
    steps,
    rates,
    unavailable,
    losses: { first: reference[0], last, after: CHECKED_STEPS + timed.ours.length },
    workSteps,
    dispatches: work.dispatches,
    submissions: work.submissions,
    readbacks: work.readbacks,
    failures,
  };
  log(`${label}: ${Object.entries(rates).map(([side, rate]) => `${SIDES[side] ?? side} ${rate.toFixed(1)} steps/s`).join(', ')}`);
  return result;
}

const TRAINING_WORKLOADS = [
  { name: 'moons', label: '2-16-16-2 MLP, batch 64 (moons)', learningRate: 0.02, timedSteps: 200 },
  { name: 'wide', label: '2-256-256-2 MLP, batch 256', learningRate: 0.01, timedSteps: 30 },
  { name: 'digits', label: '64-128-10 MLP, batch 128 (digits)', learningRate: 0.01, timedSteps: 60, file: 'digits.csv.gz' },
];

/**
 * Every workload; `options`: { sizes (matmul n), rounds, quick, matmul: { budgetMs,
 * minRuns } }. Resolves to { adapters, matmul, training, failures }.
 */
async function runBench(options) {
  await init();
  const probe = await openMatmul(1, new Float32Array([1]), new Float32Array([1]));
  const adapters = { ours: probe.adapter() };
  probe.free();
  // A side that cannot start is left out of every workload, with the reason.
  const started = {};
  for (const [side, start] of [['tfjs', startTensorflow], ['jax', startJax]]) {
    try {
      adapters[side] = await start();
    } catch (error) {
      started[side] = reason(error);
    }
  }
  log(`adapters: ${Object.entries(adapters).map(([side, name]) => `${SIDES[side] ?? side} "${name}"`).join(', ')}`);
  const failures = [];
  for (const side of Object.keys(SIDES)) {
    // TensorFlow.js is the baseline and must run; where jax-js cannot, the table says why.
    if (started[side]) {
      if (side === 'tfjs') failures.push(`${SIDES[side]} did not start: ${started[side]}`);
    } else if (!adapters[side] || !adapters.ours.toLowerCase().includes(adapters[side].toLowerCase())) {
      failures.push(`ours and ${SIDES[side]} run on different adapters: "${adapters.ours}" and "${adapters[side]}"`);
    }
  }
  const matmul = [];
  for (const n of options.sizes) matmul.push(await matmulWorkload(n, options, started));
  const training = [];
  for (const workload of TRAINING_WORKLOADS) training.push(await trainingWorkload(workload, options, started));
  for (const result of [...matmul, ...training]) failures.push(...result.failures);
  return { adapters, sides: SIDES, matmul, training, failures };
}

window.runBench = async (options) => {
  try {
    return await runBench(options);
  } catch (error) {
    return { error: `${error?.message ?? error}` };
  }
};
window.benchReady = true;
