// The static file server on its own: MIME types, the sub-path, redirects to a
// trailing slash, and no way out of the served directory.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { SUB_PATH, mimeType, startServer } from './lib/server.js';

let dir;
let server;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2e-server-'));
  await mkdir(join(dir, 'site'));
  await writeFile(join(dir, 'site', 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(join(dir, 'site', 'app_bg.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  await writeFile(join(dir, 'secret.txt'), 'outside');
  server = await startServer({ root: join(dir, 'site') });
});

after(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A raw GET (the path is sent as is, without URL normalisation). */
function get(path) {
  return new Promise((ok, fail) => {
    const { port } = new URL(server.origin);
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('MIME types include application/wasm', () => {
  assert.equal(mimeType('x_bg.wasm'), 'application/wasm');
  assert.match(mimeType('index.html'), /^text\/html/);
  assert.match(mimeType('app.js'), /^text\/javascript/);
  assert.match(mimeType('style.css'), /^text\/css/);
});

test('serves files at the root and under the sub-path', async () => {
  for (const prefix of ['/', SUB_PATH]) {
    const page = await get(prefix);
    assert.equal(page.status, 200, `GET ${prefix}`);
    assert.match(page.headers['content-type'], /^text\/html/);
    const wasm = await get(`${prefix}app_bg.wasm`);
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers['content-type'], 'application/wasm');
    assert.equal(wasm.body.length, 4);
  }
});

test('redirects a directory without its trailing slash', async () => {
  const res = await get(SUB_PATH.replace(/\/$/, ''));
  assert.equal(res.status, 301);
  assert.equal(res.headers.location, SUB_PATH);
});

test('answers 404 outside the served directory and for missing files', async () => {
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/missing.js', '/course/other/']) {
    assert.equal((await get(path)).status, 404, `GET ${path}`);
  }
});

test('records every request', async () => {
  const before = server.requests.length;
  await get('/app_bg.wasm');
  assert.deepEqual(server.requests.slice(before), [{ method: 'GET', path: '/app_bg.wasm', status: 200 }]);
});
