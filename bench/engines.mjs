// Start-up, speed and memory of the wasm module in each browser engine (Chromium, Firefox ESR, WebKitGTK), on
// the same page (tests/e2e/probe/: the module under the page's CSP, main thread) and the same frames:
//   node bench/engines.mjs [--frames N] [--engines chromium,firefox,webkit] [--throttle MBIT]
// Per engine: fetch and compile of the module (same-origin, loopback: no network time), PhotoChecker.create
// (the three models parsed and optimised), warmUp (each network run once: the page does it while the camera
// opens), the first checkFrame after that, steady frames with the
// sample face at 640×480 (tracking kept), faceless frames (a textured wall, jittered: the first seconds of every
// session), and the wasm memory after N face frames. Each frame is jittered (shift + brightness) and its pixels
// read from a canvas inside the timed span. Prints a markdown table (median / p95, nearest rank, ms).
// --throttle MBIT: Chromium only, its network emulation at MBIT Mbit/s both ways and 150 ms latency (a weak 4G
// link: 1.6), with the files sent gzip-compressed as a production server would: start-up then includes the
// download of module + models (what the 4 MB budget is about).
// Needs www/pkg (scripts/build-web.sh), the sample (scripts/fetch-sample.sh) and tests/e2e/node_modules.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { startServer } from '../scripts/serve.mjs';
import { ENGINES, launch, missing } from '../tests/e2e/engines.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const FRAMES = Number(arg('--frames', 1000));
const THROTTLE = Number(arg('--throttle', 0));
const engines = arg('--engines', THROTTLE ? 'chromium' : ENGINES.join(',')).split(',');
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const f0 = (x) => Math.round(x).toString();
const mib = (b) => (b / 2 ** 20).toFixed(1);

const server = await startServer({
  root: join(ROOT, 'www'), log: () => {},
  extra: {
    '/probe.html': join(ROOT, 'tests/e2e/probe/probe.html'),
    '/probe.js': join(ROOT, 'tests/e2e/probe/probe.js'),
    '/sample.png': join(ROOT, '.cache/sample/astronaut.png'),
  },
});
// With --throttle: a gzip-compressing front for the page server (same headers, CSP included).
const front = THROTTLE ? await gzipFront(server.url) : null;
const base = front?.url ?? server.url;
const rows = [];
try {
  for (const name of engines) {
    const why = missing(name);
    if (why) {
      console.error(`${name}: skipped (${why})`);
      continue;
    }
    const engine = await launch(name, { width: 800, height: 600 });
    try {
      if (THROTTLE) await engine.throttle({ mbit: THROTTLE, latencyMs: 150 });
      await engine.goto(`${base}probe.html`);
      await engine.waitFor(() => !!window.probe, null, { what: 'probe.js' });
      const load = await engine.evaluate(() => window.probe.load());
      // timed from the last attempt: a trap before it (WebKit's JIT) is said here
      for (const trap of load.trapped) console.error(`${name}: a trap while loading, loaded again: ${trap}`);
      const first = await engine.evaluate(() => window.probe.frames({ kind: 'face', n: 1 }));
      const none = await engine.evaluate(() => window.probe.frames({ kind: 'none', n: 100 }));
      const face = await engine.evaluate((n) => window.probe.frames({ kind: 'face', n }), FRAMES);
      const steady = face.ms.slice(10);
      const faceless = none.ms.slice(1);
      rows.push([
        `${name} ${engine.version}`, f0(load.fetchMs), f0(load.compileMs), f0(load.createMs), f0(load.warmUpMs),
        f0(first.ms[0]),
        `${f0(pct(steady, 50))} / ${f0(pct(steady, 95))}`, `${f0(pct(faceless, 50))} / ${f0(pct(faceless, 95))}`,
        `${mib(face.memoryBefore)} → ${mib(face.memoryAfter)}`,
      ]);
      console.error(`${name}: done`);
    } finally {
      await engine.close();
    }
  }
} finally {
  server.server.close();
  front?.server.close();
}

/** A server in front of `target` that answers every GET with the target's answer, gzip-compressed. */
async function gzipFront(target) {
  const front = createServer(async (req, res) => {
    const answer = await fetch(new URL(req.url, target));
    const body = Buffer.from(await answer.arrayBuffer());
    const headers = Object.fromEntries([...answer.headers].filter(([k]) => !['content-length'].includes(k)));
    const gz = gzipSync(body, { level: 9 });
    res.writeHead(answer.status, { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': gz.length });
    res.end(gz);
  });
  await new Promise((ok) => front.listen(0, '127.0.0.1', ok));
  return { server: front, url: `http://127.0.0.1:${front.address().port}/` };
}
const head = ['engine', 'fetch ms', 'compile ms', 'create ms', 'warm-up ms', 'first frame ms',
  'steady ms (median / p95)', 'no face ms (median / p95)', `wasm memory MiB (before → after ${FRAMES} face frames)`];
console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`\n640×480 frames, main thread, ${new Date().toISOString().slice(0, 10)}; ` +
  (THROTTLE ? `network emulated at ${THROTTLE} Mbit/s, 150 ms latency, files gzip-compressed; ` : '') +
  `${FRAMES} face frames (first 10 dropped), 100 faceless frames (first dropped).`);
