// A tiny same-origin static server for the benchmark page: serves the repository root read-only, but
// only under the prefixes the page needs (the page, bench/node_modules, www/pkg*, models, the frames).
// No CSP: the peers' glue (emscripten, onnxruntime-web) is served as shipped. Loopback only.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
};
const ALLOWED = ['/bench/page/', '/bench/node_modules/', '/www/pkg', '/models/', '/.cache/bench-frames/'];

export function startServer(root, { log = () => {} } = {}) {
  root = resolve(root);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = join(root, normalize(path).replace(/^([/\\])+/, ''));
    if (req.method !== 'GET' || !ALLOWED.some((p) => path.startsWith(p)) || !file.startsWith(root + sep)) {
      log(`403 ${req.method} ${path}`);
      res.writeHead(403).end();
      return;
    }
    try {
      const data = await readFile(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
        'Content-Length': data.length,
        'Cache-Control': 'no-store',
      });
      res.end(data);
    } catch (e) {
      if (e.code !== 'ENOENT') log(`GET ${path}: ${e.message}`);
      res.writeHead(e.code === 'ENOENT' ? 404 : 500).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () =>
    ok({ server, url: `http://127.0.0.1:${server.address().port}` })));
}
