// How the benchmark decides that both sides computed the same thing: tolerances and
// comparisons, shared by the page (bench.js) and its tests (checks.test.mjs). Pure
// functions of numbers; nothing here touches the GPU or the DOM.

/**
 * Losses agree like the parity tests' values: |got − expected| ≤ 1e-4 + 1e-3·|expected|
 * (f32 against the f64 reference, or two f32 implementations step by step).
 */
export const LOSS_TOLERANCE = { absolute: 1e-4, relative: 1e-3 };

/**
 * Over hundreds of Adam steps two f32 implementations drift apart (rounding differs, and
 * Adam divides by small second moments), so the losses of the timed steps only have to
 * agree within 5 % (or 1e-3 once they are tiny): a skipped update, a wrong minibatch or
 * a stale loss is far outside that.
 */
export const DRIFT_TOLERANCE = { absolute: 1e-3, relative: 5e-2 };

/**
 * A product entry in f32 may be off by a few units of rounding per term: at most
 * 1e-5 · Σ_k |a_ik · b_kj| from the f64 value (the sum of magnitudes bounds the rounding).
 */
export const MATMUL_RELATIVE_TO_MAGNITUDE = 1e-5;

/** Whether `got` is within `tolerance` of `expected`. */
export function close(got, expected, { absolute, relative }) {
  return Number.isFinite(got) && Math.abs(got - expected) <= absolute + relative * Math.abs(expected);
}

/**
 * Compare two loss sequences element by element. Returns null when they agree, else a
 * message naming the first step that does not.
 */
export function compareLosses(label, got, expected, tolerance = LOSS_TOLERANCE) {
  if (got.length !== expected.length) {
    return `${label}: ${got.length} losses, expected ${expected.length}`;
  }
  for (let step = 0; step < got.length; step++) {
    if (!close(got[step], expected[step], tolerance)) {
      return `${label}: step ${step + 1} loss ${got[step]}, expected ${expected[step]}`;
    }
  }
  return null;
}

/** A deterministic uniform generator on [-1, 1) (mulberry32), for the matrices. */
export function uniformMatrix(length, seed) {
  let state = seed >>> 0;
  const values = new Float32Array(length);
  for (let index = 0; index < length; index++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    values[index] = 2 * unit - 1;
  }
  return values;
}

/**
 * Check an n×n product against f64 dot products at `samples` entries spread over the
 * matrix (every row and column band is hit). Returns { worst, message }: `worst` is the
 * largest error as a share of its bound (≤ 1 passes), `message` null when all pass.
 */
export function checkProduct(label, product, a, b, n, samples = 64) {
  if (product.length !== n * n) {
    return { worst: Infinity, message: `${label}: ${product.length} values, expected ${n * n}` };
  }
  let worst = 0;
  for (let sample = 0; sample < samples; sample++) {
    const row = (sample * 7919) % n;
    const col = (sample * 104729 + 13) % n;
    let exact = 0;
    let magnitude = 0;
    for (let k = 0; k < n; k++) {
      const term = a[row * n + k] * b[k * n + col];
      exact += term;
      magnitude += Math.abs(term);
    }
    const got = product[row * n + col];
    const bound = MATMUL_RELATIVE_TO_MAGNITUDE * magnitude + 1e-6;
    const share = Number.isFinite(got) ? Math.abs(got - exact) / bound : Infinity;
    if (share > worst) worst = share;
    if (!(share <= 1)) {
      return {
        worst,
        message: `${label}: entry (${row}, ${col}) is ${got}, expected ${exact} within ${bound.toExponential(2)}`,
      };
    }
  }
  return { worst, message: null };
}

/**
 * How far two f32 products of n×n matrices with entries in [-1, 1] may lie apart: each is
 * within 1e-5 · Σ|a·b| ≤ 1e-5 · n of the exact value, so at most twice that of each other.
 */
export function productsBound(n) {
  return 2 * MATMUL_RELATIVE_TO_MAGNITUDE * n;
}

/** Largest |x − y| over two equally long arrays (Infinity if the lengths differ). */
export function maxDifference(xs, ys) {
  if (xs.length !== ys.length) return Infinity;
  let largest = 0;
  for (let index = 0; index < xs.length; index++) {
    const difference = Math.abs(xs[index] - ys[index]);
    if (Number.isNaN(difference)) return Infinity;
    if (difference > largest) largest = difference;
  }
  return largest;
}
