// Static server for www/ with the strict CSP the page must work under, plus a test upload endpoint.
//   node scripts/serve.mjs [--port 8080] [--root www] [--upload-origin https://upload.example.com]
//                          [--upload-proxy http://127.0.0.1:8081]
// POST /upload accepts multipart/form-data (photo: image/jpeg, report: application/json), logs it and
// answers {"id": "..."}. Also used in-process by tests/e2e (startServer). --upload-origin adds that origin
// to the CSP's connect-src, for a page whose ?upload= points at another server. --upload-proxy forwards
// POST /upload as is to that receiver (`photo-check serve`) and returns its answer: same origin for the
// page, so the CSP stays `connect-src 'self'`.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** The page's CSP; `uploadOrigin` (e.g. "https://upload.example.com") is allowed in connect-src besides 'self'. */
export function cspFor(uploadOrigin) {
  if (uploadOrigin && !/^https?:\/\/[a-z0-9.-]+(:\d+)?$/i.test(uploadOrigin)) {
    throw new Error(`not an origin: ${uploadOrigin}`);
  }
  return `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; ` +
    `connect-src 'self'${uploadOrigin ? ` ${uploadOrigin}` : ''}; img-src 'self' blob: data:`;
}
export const CSP = cspFor();
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.tar': 'application/x-tar',
  '.json': 'application/json', '.toml': 'text/plain; charset=utf-8', '.png': 'image/png', '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
};
const MAX_UPLOAD = 20 * 1024 * 1024;

/** Splits a multipart/form-data body into parts {name, filename, type, data}. Throws on malformed input. */
export function parseMultipart(body, contentType) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType || '');
  if (!m) throw new Error('no multipart boundary');
  const boundary = Buffer.from(`--${m[1] || m[2]}`);
  const parts = [];
  let at = body.indexOf(boundary);
  if (at < 0) throw new Error('boundary not found');
  for (;;) {
    at += boundary.length;
    if (body.slice(at, at + 2).toString() === '--') break; // closing boundary
    at += 2; // CRLF
    const headEnd = body.indexOf('\r\n\r\n', at);
    if (headEnd < 0) throw new Error('part without headers');
    const head = body.slice(at, headEnd).toString('utf8');
    const next = body.indexOf(boundary, headEnd + 4);
    if (next < 0) throw new Error('unterminated part');
    const data = body.slice(headEnd + 4, next - 2); // minus CRLF before the boundary
    const disp = /content-disposition:[^\r\n]*/i.exec(head)?.[0] || '';
    parts.push({
      name: /\bname="([^"]*)"/i.exec(disp)?.[1],
      filename: /\bfilename="([^"]*)"/i.exec(disp)?.[1],
      type: /content-type:\s*([^\r\n]*)/i.exec(head)?.[1],
      data,
    });
    at = next;
  }
  return parts;
}

/** Checks an upload as the page sends it; returns {photo, report} or throws with the reason. */
export function validateUpload(parts) {
  const photo = parts.find((p) => p.name === 'photo');
  const report = parts.find((p) => p.name === 'report');
  if (!photo || !report) throw new Error('need parts photo and report');
  if (photo.type !== 'image/jpeg' || photo.data[0] !== 0xff || photo.data[1] !== 0xd8 || photo.data[2] !== 0xff) {
    throw new Error('photo is not a JPEG');
  }
  const meta = JSON.parse(report.data.toString('utf8'));
  if (!meta.report || !meta.report.verdict || !meta.report.checks) throw new Error('report has no verdict/checks');
  if (!['camera', 'album'].includes(meta.source)) throw new Error('report.source must be camera or album');
  // optional third part: the standardized 480×640 preview (the photo above stays the photo of record)
  const standardized = parts.find((p) => p.name === 'standardized');
  if (standardized && (standardized.type !== 'image/jpeg' || standardized.data[0] !== 0xff)) {
    throw new Error('standardized is not a JPEG');
  }
  return { photo: photo.data, meta, standardized: standardized?.data ?? null };
}

/**
 * Starts the server. `extra` maps URL paths to files outside root (e.g. a test profile).
 * `onUpload({photo, meta, standardized, id})` is called for every valid upload. `uploadOrigin` goes into the CSP's
 * connect-src; `corsOrigin` (a string, or a function returning one) lets a page on that origin POST to
 * this server's /upload (a separate upload server). `onCspReport(report)`: the CSP gains `report-uri /csp-report`
 * and every violation report a browser POSTs there is passed on (tests: any engine, no script in the page).
 * Resolves to {server, url}.
 */
export function startServer({
  root, port = 0, host = '127.0.0.1', extra = {}, onUpload = () => {}, log = console.log, uploadOrigin, corsOrigin,
  uploadProxy, onCspReport,
} = {}) {
  root = resolve(root);
  const csp = cspFor(uploadOrigin) + (onCspReport ? '; report-uri /csp-report' : '');
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const headers = {
      'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache',
    };
    if (corsOrigin && url.pathname === '/upload') {
      const allow = typeof corsOrigin === 'function' ? corsOrigin() : corsOrigin;
      Object.assign(headers, {
        'Access-Control-Allow-Origin': allow, 'Access-Control-Allow-Methods': 'POST', Vary: 'Origin',
      });
      if (req.method === 'OPTIONS') { res.writeHead(204, headers).end(); return; }
    }
    try {
      if (onCspReport && req.method === 'POST' && url.pathname === '/csp-report') {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        const text = Buffer.concat(chunks).toString('utf8').slice(0, 64 * 1024);
        let report;
        try { report = JSON.parse(text); } catch { report = { unparsed: text }; }
        onCspReport(report);
        res.writeHead(204, headers).end();
        return;
      }
      if (req.method === 'POST' && url.pathname === '/upload') {
        const chunks = [];
        let size = 0;
        for await (const c of req) {
          size += c.length;
          if (size > MAX_UPLOAD) { res.writeHead(413, headers).end(); return; }
          chunks.push(c);
        }
        const body = Buffer.concat(chunks);
        if (uploadProxy) {
          await proxyUpload(uploadProxy, req, body, res, headers, onUpload, log);
          return;
        }
        const upload = validateUpload(parseMultipart(body, req.headers['content-type']));
        const { photo, meta, standardized } = upload;
        const id = randomUUID();
        log(`upload ${id}: photo ${photo.length} B JPEG, source ${meta.source}, ` +
          `verdict ${meta.report.verdict}, profile ${meta.report.profile}` +
          (standardized ? `, standardized ${standardized.length} B` : ''));
        onUpload({ ...upload, id });
        res.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify({ id }));
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, headers).end(); return; }
      let file = extra[url.pathname];
      if (!file) {
        const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
        file = join(root, rel);
        if (file !== root && !file.startsWith(root + sep)) { res.writeHead(403, headers).end(); return; }
        if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      }
      const data = await readFile(file);
      res.writeHead(200, {
        ...headers, 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Content-Length': data.length,
      });
      res.end(req.method === 'HEAD' ? undefined : data);
    } catch (e) {
      const status = e.code === 'ENOENT' ? 404 : req.method === 'POST' ? 400 : 500;
      if (status !== 404) log(`${req.method} ${url.pathname}: ${e.message}`);
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain' })
        .end(status === 400 ? e.message : String(status));
    }
  });
  return new Promise((ok) => server.listen(port, host, () =>
    ok({ server, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${server.address().port}/` })));
}

/**
 * Forwards an upload to the receiver at `target` (e.g. http://127.0.0.1:8081) and relays its status and JSON.
 * On success `onUpload({photo, meta, id, answer})` is called as for the test endpoint (meta is null when the
 * report part is not JSON: the receiver, not this proxy, decides what it accepts).
 */
async function proxyUpload(target, req, body, res, headers, onUpload, log) {
  let answer;
  try {
    answer = await fetch(new URL('upload', target.endsWith('/') ? target : `${target}/`), {
      method: 'POST', body, headers: { 'Content-Type': req.headers['content-type'] || '' },
    });
  } catch (e) {
    log(`upload proxy: ${target}: ${e.message}`);
    res.writeHead(502, { ...headers, 'Content-Type': 'application/json' })
      .end(JSON.stringify({ error: { code: 'bad_gateway', message: 'the upload receiver is unreachable' } }));
    return;
  }
  const text = await answer.text();
  const out = { ...headers, 'Content-Type': answer.headers.get('content-type') || 'application/json' };
  const retry = answer.headers.get('retry-after');
  if (retry) out['Retry-After'] = retry;
  res.writeHead(answer.status, out).end(text);
  log(`upload → ${target}: HTTP ${answer.status} ${text.slice(0, 200)}`);
  if (!answer.ok) return;
  const parsed = JSON.parse(text);
  let photo = null, meta = null, standardized = null;
  try {
    const parts = parseMultipart(body, req.headers['content-type']);
    photo = parts.find((p) => p.name === 'photo')?.data ?? null;
    standardized = parts.find((p) => p.name === 'standardized')?.data ?? null;
    meta = JSON.parse(parts.find((p) => p.name === 'report')?.data.toString('utf8'));
  } catch { /* the receiver accepted it; the bookkeeping here is only for tests */ }
  onUpload({ photo, meta, standardized, id: parsed.id, answer: parsed });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1] : d; };
  const here = fileURLToPath(new URL('..', import.meta.url));
  const { url } = await startServer({
    root: arg('--root', join(here, 'www')), port: Number(arg('--port', 8080)), host: arg('--host', '127.0.0.1'),
    uploadOrigin: arg('--upload-origin'), uploadProxy: arg('--upload-proxy'),
  });
  console.log(`photo-check demo: ${url}  (getUserMedia needs a secure context: localhost, or serve over HTTPS)`);
}
