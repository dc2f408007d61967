// The jax-js side of the benchmark (@jax-js/jax on its WebGPU device, served from
// node_modules/ on the page's origin): the same matrix products and the same MLP
// training steps as ours and TensorFlow.js's, written with jax-js's NumPy API, `grad` and
// `jit`. jax-js counts references: every function takes ownership of the arrays passed
// to it, so an array used again is passed as `a.ref`.

import {
  blockUntilReady,
  defaultDevice,
  getWebGPUDevice,
  init,
  jit,
  nn,
  numpy as np,
  valueAndGrad,
} from './node_modules/@jax-js/jax/dist/index.js';

/** jax-js on its WebGPU device: the adapter's vendor and architecture, or an error. */
export async function startJax() {
  const devices = await init('webgpu');
  if (!devices.includes('webgpu')) {
    throw new Error('jax-js could not start its WebGPU device');
  }
  defaultDevice('webgpu');
  const info = getWebGPUDevice().adapterInfo ?? {};
  return [info.vendor, info.architecture].filter(Boolean).join(' ');
}

/**
 * `repeats` products of the n×n matrices `a` and `b`; `run()` resolves to the last
 * product (a Float32Array) once all of them are done. Every product is kept until the
 * end and waited for, so none is skipped for being unused (jax-js runs lazily).
 */
export function jaxMatmul(a, b, n, repeats) {
  const lhs = np.array(a).reshape([n, n]);
  const rhs = np.array(b).reshape([n, n]);
  return {
    async run() {
      const products = [];
      for (let r = 0; r < repeats; r++) products.push(np.matmul(lhs.ref, rhs.ref));
      await blockUntilReady(products);
      const data = await products.at(-1).ref.data();
      for (const product of products) product.dispose();
      return data;
    },
    dispose() {
      lhs.dispose();
      rhs.dispose();
    },
  };
}

/**
 * The MLP on jax-js: `parameters` as [W, b] per layer (ReLU between layers), softmax
 * cross-entropy averaged over the batch, and Adam with our hyperparameters written out
 * (jax-js's optimizers live in another package), the whole step — loss, gradients,
 * update — one `jit`-compiled function, fed the minibatches in our order.
 */
export function jaxTrainer(parameters, adam, data) {
  const { beta1, beta2, epsilon, learningRate } = adam;
  const layers = parameters.length / 2;
  let params = parameters.map((p) => np.array(p.values).reshape(p.shape));
  let firstMoments = parameters.map((p) => np.zeros(p.shape));
  let secondMoments = parameters.map((p) => np.zeros(p.shape));

  const loss = (weights, x, oneHot) => {
    let h = x;
    for (let layer = 0; layer < layers; layer++) {
      h = np.matmul(h, weights[2 * layer]).add(weights[2 * layer + 1]);
      if (layer + 1 < layers) h = nn.relu(h);
    }
    return np.mean(np.sum(nn.logSoftmax(h).mul(oneHot), -1)).neg();
  };

  // One Adam step; `corrections` holds 1 / (1 − β₁ᵗ) and 1 / (1 − β₂ᵗ) as arrays, so the
  // step count does not make jit trace again.
  const step = jit((weights, means, squares, x, oneHot, firstCorrection, secondCorrection) => {
    const [value, gradients] = valueAndGrad(loss)(
      weights.map((w) => w.ref),
      x,
      oneHot,
    );
    const next = [[], [], []];
    gradients.forEach((gradient, index) => {
      const mean = means[index].mul(beta1).add(gradient.ref.mul(1 - beta1));
      const square = squares[index].mul(beta2).add(gradient.ref.mul(gradient).mul(1 - beta2));
      const meanHat = mean.ref.mul(firstCorrection.ref);
      const squareHat = square.ref.mul(secondCorrection.ref);
      const change = meanHat.div(np.sqrt(squareHat).add(epsilon)).mul(learningRate);
      next[0].push(weights[index].sub(change));
      next[1].push(mean);
      next[2].push(square);
    });
    firstCorrection.dispose();
    secondCorrection.dispose();
    return [value, ...next];
  });

  const { batch, classes, inputs, features, labels } = data;
  const oneHot = new Float32Array(labels.length * classes);
  labels.forEach((label, index) => {
    oneHot[index * classes + label] = 1;
  });
  let next = 0;
  let t = 0;
  // Every step's loss, read back after every `perRead` steps (and after the last), all
  // the losses kept since the last read in one readback.
  async function train(steps, perRead) {
    const losses = [];
    let kept = [];
    for (let s = 1; s <= steps; s++, next++) {
      t++;
      const x = np.array(features.slice(next * batch * inputs, (next + 1) * batch * inputs)).reshape([batch, inputs]);
      const y = np.array(oneHot.slice(next * batch * classes, (next + 1) * batch * classes)).reshape([batch, classes]);
      const first = np.array([1 / (1 - beta1 ** t)]).reshape([]);
      const second = np.array([1 / (1 - beta2 ** t)]).reshape([]);
      const [value, weights, means, squares] = step(params, firstMoments, secondMoments, x, y, first, second);
      params = weights;
      firstMoments = means;
      secondMoments = squares;
      kept.push(value);
      if (s % perRead === 0 || s === steps) {
        const all = kept.length === 1 ? kept[0] : np.stack(kept);
        losses.push(...(await all.data()));
        kept = [];
      }
    }
    return losses;
  }

  return {
    train,
    dispose() {
      for (const array of [...params, ...firstMoments, ...secondMoments]) array.dispose();
      step.dispose();
    },
  };
}
