// The benchmark's own checks, tested before each run (.ci/bench-web.sh): the verdicts
// that decide whether both sides did the same work, and the server's refusal of paths
// outside bench/web/.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  DRIFT_TOLERANCE,
  checkProduct,
  close,
  compareLosses,
  maxDifference,
  productsBound,
  uniformMatrix,
} from './checks.js';
import { fileFor } from './server.mjs';

/** The exact product of two n×n matrices, rounded to f32 like a GPU result. */
function product(a, b, n) {
  const c = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += a[i * n + k] * b[k * n + j];
      c[i * n + j] = sum;
    }
  }
  return c;
}

test('the matrices are deterministic and in [-1, 1)', () => {
  const a = uniformMatrix(1000, 7);
  assert.deepEqual(a, uniformMatrix(1000, 7));
  assert.notDeepEqual(a, uniformMatrix(1000, 8));
  assert.ok(a.every((x) => x >= -1 && x < 1));
  const mean = a.reduce((sum, x) => sum + x, 0) / a.length;
  assert.ok(Math.abs(mean) < 0.1, `mean ${mean}`);
});

test('a right product passes and a wrong one is caught', () => {
  const n = 48;
  const a = uniformMatrix(n * n, 1);
  const b = uniformMatrix(n * n, 2);
  const right = product(a, b, n);
  const { worst, message } = checkProduct('right', right, a, b, n);
  assert.equal(message, null);
  assert.ok(worst < 1);

  const transposedB = new Float32Array(n * n);
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) transposedB[j * n + k] = b[k * n + j];
  assert.match(checkProduct('a @ bᵀ', product(a, transposedB, n), a, b, n).message, /a @ bᵀ: entry/);

  // The first sampled entry is (0, 13).
  const oneOff = right.slice();
  oneOff[13] += 0.01;
  assert.match(checkProduct('one entry off', oneOff, a, b, n).message, /entry \(0, 13\)/);
  assert.match(checkProduct('short', right.subarray(1), a, b, n).message, /values, expected/);
  const nan = right.slice();
  nan.fill(Number.NaN);
  assert.notEqual(checkProduct('NaN', nan, a, b, n).message, null);

  assert.ok(maxDifference(right, right) === 0);
  assert.ok(maxDifference(right, oneOff) > productsBound(n) / 100);
  assert.equal(maxDifference(right, nan), Infinity);
  assert.equal(maxDifference(right, right.subarray(1)), Infinity);
});

test('loss sequences agree within the tolerance and name the first step that does not', () => {
  const expected = [0.69, 0.61, 0.55];
  assert.equal(compareLosses('same', [0.69, 0.6101, 0.5505], expected), null);
  assert.match(compareLosses('drift', [0.69, 0.62, 0.55], expected), /drift: step 2 loss 0.62, expected 0.61/);
  assert.match(compareLosses('short', [0.69], expected), /1 losses, expected 3/);
  assert.notEqual(compareLosses('NaN', [0.69, Number.NaN, 0.55], expected), null);
  assert.ok(close(0.3, 0.31, DRIFT_TOLERANCE));
  assert.ok(!close(0.3, 0.4, DRIFT_TOLERANCE));
  assert.ok(!close(Number.NaN, 0.3, DRIFT_TOLERANCE));
});

test('the server serves files under its root and nothing outside it', () => {
  const root = '/srv/bench';
  assert.equal(fileFor(root, '/index.html'), join(root, 'index.html'));
  assert.equal(fileFor(root, '/'), join(root, 'index.html'));
  assert.equal(fileFor(root, '/pkg/bench_web.js?v=1'), join(root, 'pkg/bench_web.js'));
  // Dot segments are resolved as a browser resolves them, so they stay under the root.
  assert.equal(fileFor(root, '/../etc/passwd'), join(root, 'etc/passwd'));
  assert.equal(fileFor(root, '/%2e%2e/x'), join(root, 'x'));
  // Encoded slashes decode after that: refused once they would climb out.
  for (const escape of ['/a%2F..%2F..%2Fx', '/%2F..%2Fx', '/a%00b', '/%E0%A4%A']) {
    assert.equal(fileFor(root, escape), null, escape);
  }
});
