// The benchmark page: the same workloads on our wgpu backend (the wasm module in pkg/,
// built from examples/bench_web.rs) and on TensorFlow.js with its WebGPU backend, in
// one page on one WebGPU adapter, taking turns (never at the same time). run.mjs calls
// window.runBench(options) and prints the result.
//
// Both sides are measured the same way: the first run is a warm-up (shader compilation)
// and is not timed; a run waits for completion by reading a result back; each side is
// timed in several rounds, alternating with the other, and the best round counts (the
// machine is shared, so interference only ever slows a round down).
//
// - matmul: `repeats` products of two n×n f32 matrices, then the product read back
//   (GFLOP/s = 2n³ · repeats / seconds). The product is checked against f64 dot
//   products on both sides.
// - training: Adam steps of an MLP from the same initial weights on the same
//   minibatches: minibatch upload, forward, backward, update, and the loss read back
//   after every step, on both sides. The first steps' losses are checked against the
//   CPU reference (f64); the losses of the timed steps must agree between the sides.

import init, { openMatmul, openTraining } from './pkg/bench_web.js';
import {
  DRIFT_TOLERANCE,
  checkProduct,
  compareLosses,
  maxDifference,
  productsBound,
  uniformMatrix,
} from './checks.js';

const tf = globalThis.tf;

/** Steps checked against the CPU reference before timing (they double as the warm-up). */
const CHECKED_STEPS = 10;

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

async function matmulWorkload(n, options) {
  const a = uniformMatrix(n * n, 1);
  const b = uniformMatrix(n * n, 2);
  const repeats = matmulRepeats(n);
  const ours = await openMatmul(n, a, b);
  const lhs = tf.tensor2d(a, [n, n]);
  const rhs = tf.tensor2d(b, [n, n]);
  const sides = {
    ours: () => ours.run(repeats),
    theirs: async () => {
      let product = null;
      for (let r = 0; r < repeats; r++) {
        product?.dispose();
        product = tf.matMul(lhs, rhs);
      }
      const data = await product.data();
      product.dispose();
      return data;
    },
  };
  const plan = matmulPlan(n, options);
  const best = { ours: Infinity, theirs: Infinity };
  const products = {};
  for (const side of ['ours', 'theirs']) products[side] = await sides[side](); // warm-up
  for (let round = 0; round < plan.rounds; round++) {
    for (const side of ['ours', 'theirs']) {
      const { seconds, result } = await timeRuns(sides[side], plan);
      best[side] = Math.min(best[side], seconds);
      products[side] = result;
    }
  }
  const failures = [];
  const checks = {};
  for (const [side, label] of [['ours', 'ours'], ['theirs', 'TensorFlow.js']]) {
    const { worst, message } = checkProduct(`matmul n = ${n}, ${label}`, products[side], a, b, n);
    checks[side] = worst;
    if (message) failures.push(message);
  }
  const difference = maxDifference(products.ours, products.theirs);
  if (!(difference <= productsBound(n))) {
    failures.push(`matmul n = ${n}: the two products differ by ${difference}, more than ${productsBound(n)}`);
  }
  const flop = 2 * n ** 3 * repeats;
  ours.free();
  tf.dispose([lhs, rhs]);
  const result = {
    n,
    repeats,
    ours: flop / best.ours / 1e9,
    theirs: flop / best.theirs / 1e9,
    worstErrorShare: checks,
    maxDifference: difference,
    failures,
  };
  log(`matmul n = ${n}: ours ${result.ours.toFixed(2)} GFLOP/s, TensorFlow.js ${result.theirs.toFixed(2)} GFLOP/s`);
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
  const { batch, classes, features, labels } = data;
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
  async function train(steps, perRead) {
    const losses = [];
    for (let step = 1; step <= steps; step++, next++) {
      const x = tf.tensor2d(features.subarray(next * batch * 2, (next + 1) * batch * 2), [batch, 2]);
      const y = tf.tensor2d(oneHot.subarray(next * batch * classes, (next + 1) * batch * classes), [batch, classes]);
      const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, predict(x)), true, variables);
      if (step % perRead === 0 || step === steps) losses.push((await cost.data())[0]);
      tf.dispose([x, y, cost]);
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

async function trainingWorkload({ name, label, learningRate, timedSteps }, options) {
  const ours = await openTraining(name, learningRate);
  const steps = options.quick ? Math.max(5, Math.round(timedSteps / 5)) : timedSteps;
  const data = ours.minibatches(CHECKED_STEPS + options.rounds * steps);
  const theirs = tensorflowTrainer(ours.parameters(), ours.optimizer(), data);
  const failures = [];
  const reference = Array.from(ours.referenceLosses(CHECKED_STEPS));
  const checked = {
    ours: Array.from(await ours.train(CHECKED_STEPS, 1)),
    theirs: await theirs.train(CHECKED_STEPS, 1),
  };
  for (const [side, who] of [['ours', 'ours'], ['theirs', 'TensorFlow.js']]) {
    const message = compareLosses(`${label}, ${who} against the CPU reference`, checked[side], reference);
    if (message) failures.push(message);
  }
  const sides = {
    ours: () => ours.train(steps, 1),
    theirs: () => theirs.train(steps, 1),
  };
  const best = { ours: Infinity, theirs: Infinity };
  const timed = { ours: [], theirs: [] };
  for (let round = 0; round < options.rounds; round++) {
    for (const side of ['ours', 'theirs']) {
      const start = performance.now();
      const losses = await sides[side]();
      best[side] = Math.min(best[side], (performance.now() - start) / 1000);
      timed[side].push(...losses);
    }
  }
  const drift = compareLosses(`${label}, timed steps, ours against TensorFlow.js`, timed.ours, timed.theirs, DRIFT_TOLERANCE);
  if (drift) failures.push(drift);
  const last = { ours: timed.ours.at(-1), theirs: timed.theirs.at(-1) };
  if (!(last.ours < reference[0])) {
    failures.push(`${label}: the loss did not fall (${reference[0]} at first, ${last.ours} at the end)`);
  }
  const work = await ours.workPerStep();
  theirs.dispose();
  ours.free();
  const result = {
    name,
    label,
    steps,
    ours: steps / best.ours,
    theirs: steps / best.theirs,
    losses: { first: reference[0], ours: last.ours, theirs: last.theirs, after: CHECKED_STEPS + timed.ours.length },
    dispatches: work.dispatches,
    submissions: work.submissions,
    failures,
  };
  log(`${label}: ours ${result.ours.toFixed(1)} steps/s, TensorFlow.js ${result.theirs.toFixed(1)} steps/s`);
  return result;
}

const TRAINING_WORKLOADS = [
  { name: 'moons', label: '2-16-16-2 MLP, batch 64 (moons)', learningRate: 0.02, timedSteps: 200 },
  { name: 'wide', label: '2-256-256-2 MLP, batch 256', learningRate: 0.01, timedSteps: 30 },
];

/**
 * Every workload; `options`: { sizes (matmul n), rounds, quick, matmul: { budgetMs,
 * minRuns } }. Resolves to { adapters, matmul, training, failures }.
 */
async function runBench(options) {
  await init();
  const theirs = await startTensorflow();
  const probe = await openMatmul(1, new Float32Array([1]), new Float32Array([1]));
  const adapters = { ours: probe.adapter(), theirs };
  probe.free();
  log(`adapters: ours "${adapters.ours}", TensorFlow.js "${adapters.theirs}"`);
  const failures = [];
  if (!adapters.theirs || !adapters.ours.toLowerCase().includes(adapters.theirs.toLowerCase())) {
    failures.push(`the two sides run on different adapters: "${adapters.ours}" and "${adapters.theirs}"`);
  }
  const matmul = [];
  for (const n of options.sizes) matmul.push(await matmulWorkload(n, options));
  const training = [];
  for (const workload of TRAINING_WORKLOADS) training.push(await trainingWorkload(workload, options));
  for (const result of [...matmul, ...training]) failures.push(...result.failures);
  return { adapters, matmul, training, failures };
}

window.runBench = async (options) => {
  try {
    return await runBench(options);
  } catch (error) {
    return { error: `${error?.message ?? error}` };
  }
};
window.benchReady = true;
