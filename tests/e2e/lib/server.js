// A small static file server for the built site (dist/), for the browser tests.
// It listens on 127.0.0.1 on a free port, serves dist/ at "/" and under every
// extra mount prefix (e.g. "/course/viz/", as when the app is embedded in a
// course site), sends the right MIME types (application/wasm for .wasm) and
// records every request it answers.
//
// Run alone: node lib/server.js [DIR] [PORT]   (defaults: dist/ or $E2E_DIST, a free port)

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The directory served: dist/ of the crate, or E2E_DIST. */
export const DIST = resolve(process.env.E2E_DIST ?? fileURLToPath(new URL('../../../dist', import.meta.url)));

/** The sub-path the site is also served under, for embed tests. */
export const SUB_PATH = '/course/viz/';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.bp': 'text/plain; charset=utf-8',
};

/** The MIME type for a file name; unknown extensions are plain bytes. */
export function mimeType(path) {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Starts the server. Resolves to { origin, url(path), requests, close() }:
 * `origin` is "http://127.0.0.1:PORT"; `requests` lists { method, path, status }
 * for every request so far.
 */
export async function startServer({ root = DIST, port = 0, prefixes = [SUB_PATH] } = {}) {
  const rootDir = resolve(root);
  const info = await stat(rootDir).catch(() => null);
  if (!info?.isDirectory()) {
    throw new Error(`cannot serve ${rootDir}: not a directory (build the site first: make build)`);
  }
  const mounts = [...prefixes.map(normalizePrefix), '/'];
  const requests = [];

  const server = createServer(async (req, res) => {
    const entry = { method: req.method, path: req.url, status: 0 };
    requests.push(entry);
    const respond = (status, headers, body) => {
      entry.status = status;
      res.writeHead(status, { 'cache-control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return respond(405, { allow: 'GET, HEAD' }, 'method not allowed\n');
    }
    const file = resolveFile(rootDir, mounts, req.url);
    if (!file) return respond(404, { 'content-type': 'text/plain' }, 'not found\n');
    try {
      let path = file;
      if ((await stat(path)).isDirectory()) {
        if (!req.url.split('?')[0].endsWith('/')) {
          // Relative asset URLs only work below a trailing slash.
          const location = req.url.replace(/^([^?]*)/, '$1/');
          return respond(301, { location }, '');
        }
        path = join(path, 'index.html');
      }
      const body = await readFile(path);
      respond(200, { 'content-type': mimeType(path), 'content-length': body.length }, body);
    } catch {
      respond(404, { 'content-type': 'text/plain' }, 'not found\n');
    }
  });

  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    url: (path = '/') => new URL(path, origin).href,
    requests,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function normalizePrefix(prefix) {
  return `/${prefix.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
}

/** Maps a request URL to a path inside rootDir, or null (outside every mount, or escaping). */
function resolveFile(rootDir, mounts, url) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(url, 'http://localhost').pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  // "/course/viz" (no slash) is the sub-path's directory too.
  const mount = mounts.find((m) => pathname.startsWith(m) || `${pathname}/` === m);
  if (!mount) return null;
  const rest = pathname.slice(Math.min(mount.length, pathname.length));
  const file = resolve(rootDir, `.${sep}${rest}`);
  if (file !== rootDir && !file.startsWith(rootDir + sep)) return null;
  return file;
}

// `node lib/server.js [DIR] [PORT]`: serve until interrupted.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [dir = DIST, port = '0'] = process.argv.slice(2);
  const server = await startServer({ root: dir, port: Number(port) });
  console.log(`serving ${resolve(dir)} at ${server.origin}/ and ${server.url(SUB_PATH)}`);
}
