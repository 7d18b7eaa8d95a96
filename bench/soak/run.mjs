// Runs the wasm soak (bench/soak/soak.js) in headless Chromium and prints a markdown table every
// `--every` frames: wasm linear memory, JS heap after a GC, the renderer's resident memory, frame rates
// and outcomes. Writes the results to .cache/soak/ (git-ignored: web-FRAMES.json). Not part of the test suite.
//
//   node bench/soak/run.mjs [FRAMES=10000] [--every 500] [--warmup 1000] [--pkg /www/pkg/]
//                           [--wasm-tolerance-mib 1] [--heap-tolerance-mib 1]
//
// Exits non-zero when the instance traps, a bad buffer is accepted or throws something without a
// `code`, a good frame is refused, or memory after the warm-up grows by more than the tolerance:
// wasm memory (it only ever grows) and the JS heap are compared between the warm-up mark and every
// later mark.
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/serve.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// playwright-core is installed once, for the E2E tests (tests/e2e/package.json); bench/ has no package.json.
const { chromium } = createRequire(join(ROOT, 'tests/e2e/package.json'))('playwright-core');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  if (i < 0) return dflt;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
};
const every = Number(opt('--every', 500));
const warmupArg = Number(opt('--warmup', 1000));
const pkg = opt('--pkg', '/www/pkg/');
const wasmTolMiB = Number(opt('--wasm-tolerance-mib', 1));
const heapTolMiB = Number(opt('--heap-tolerance-mib', 1));
const frames = Number(argv[0] ?? 10000);
if (!(Number.isInteger(frames) && frames > 0 && Number.isInteger(every) && every > 0)) {
  console.error('usage: node bench/soak/run.mjs [FRAMES] [--every N] [--warmup N] [--pkg /www/pkg/]');
  process.exit(2);
}
// The warm-up mark: the first mark at or after --warmup, but never the last mark when the run is short.
const marks = [];
for (let f = every; f < frames; f += every) marks.push(f);
marks.push(frames);
const warmup = marks.find((m) => m >= warmupArg && m < frames) ?? marks[Math.max(0, Math.floor(marks.length / 2) - 1)];

const MiB = 1024 * 1024;
const fmt = (x, d = 1) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(d));
const int = (n) => n.toLocaleString('en-US');

/** Resident memory of the biggest Chromium renderer started by this process (Linux /proc), MiB: { rss, hwm }. */
function rendererMemory() {
  let pids;
  try { pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return null; }
  const parent = new Map();
  for (const pid of pids) {
    try {
      parent.set(pid, readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
    } catch { /* exited */ }
  }
  const ours = (pid) => {
    for (let p = pid, i = 0; p && p !== '0' && i < 64; p = parent.get(p), i++) {
      if (p === String(process.pid)) return true;
    }
    return false;
  };
  let best = null;
  for (const pid of parent.keys()) {
    try {
      if (!ours(pid) || !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const st = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(st)?.[1]);
      const m = { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
      if (!best || m.rss > best.rss) best = m;
    } catch { /* exited */ }
  }
  return best;
}

const { server, url } = await startServer({ root: ROOT, log: (m) => console.error(`[server] ${m}`) });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    // as tests/e2e/e2e.test.mjs: Chromium as root in a container
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    // exact performance.memory figures and a GC before each sample
    '--enable-precise-memory-info', '--js-flags=--expose-gc',
  ],
});
let exitCode = 0;
const rows = [];
try {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  await page.goto(`${url}bench/soak/index.html?pkg=${encodeURIComponent(pkg)}`);
  await page.waitForFunction(() => window.soak, null, { timeout: 60_000 });
  await page.evaluate(() => window.soak.ready);
  const info = await page.evaluate(() => window.soak.info());
  console.error(`chromium: ${info.userAgent}`);
  console.error(`pkg ${info.pkg}; models loaded in ${fmt(info.createMs / 1000, 1)} s; ` +
    `wasm memory ${fmt(info.wasmBytes / MiB)} MiB, JS heap ${fmt(info.jsHeapBytes / MiB)} MiB after loading`);
  console.error(`${int(frames)} frames, a row every ${int(every)}; memory must not grow after frame ${int(warmup)}`);

  console.log('| frames | wasm memory MiB | JS heap MiB | renderer RSS MiB | frames/s (all) ' +
    '| pipeline frames/s (so far) |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  let last = null, done = 0;
  const t0 = Date.now();
  for (const mark of marks) {
    const r = await page.evaluate((n) => window.soak.run(n), mark - done);
    done = mark;
    const mem = rendererMemory();
    const row = {
      frames: r.frame,
      wasmMiB: r.wasmBytes / MiB,
      jsHeapMiB: r.jsHeapBytes / MiB,
      rendererRssMiB: mem?.rss ?? null,
      rendererHwmMiB: mem?.hwm ?? null,
      fps: (mark - (last?.frames ?? 0)) / (r.elapsedMs / 1000),
      pipelineFps: r.pipelineFrames / (r.pipelineMs / 1000),
      elapsedS: (Date.now() - t0) / 1000,
      gc: r.gc,
    };
    rows.push(row);
    last = { ...row, counts: r.counts, problems: r.problems, trapped: r.trapped };
    console.log(`| ${int(row.frames)} | ${fmt(row.wasmMiB)} | ${fmt(row.jsHeapMiB)} | ${fmt(row.rendererRssMiB)} ` +
      `| ${fmt(row.fps)} | ${fmt(row.pipelineFps)} |`);
    if (r.trapped) break;
  }

  console.log('');
  // Chromium resets its processes' peak RSS now and then (for its own memory metrics): the largest VmHWM seen.
  const peak = Math.max(...rows.map((r) => r.rendererHwmMiB ?? NaN));
  console.log(`${int(last.frames)} frames in ${fmt(last.elapsedS, 0)} s; ` +
    `renderer peak RSS (largest VmHWM seen) ${fmt(peak)} MiB`);
  console.log('outcomes (kind, verdict or error code → count):');
  for (const [k, n] of Object.entries(last.counts).sort()) console.log(`  ${k}: ${int(n)}`);

  const failures = [...last.problems, ...pageErrors.map((e) => `page error: ${e}`)];
  if (!rows[0].gc) failures.push('window.gc missing: Chromium did not take --js-flags=--expose-gc');
  const base = rows.find((r) => r.frames === warmup);
  if (base && !last.trapped) {
    for (const r of rows.filter((r) => r.frames > warmup)) {
      if (r.wasmMiB - base.wasmMiB > wasmTolMiB) {
        failures.push(`wasm memory grew from ${fmt(base.wasmMiB)} MiB at frame ${int(warmup)} ` +
          `to ${fmt(r.wasmMiB)} MiB at frame ${int(r.frames)} (tolerance ${wasmTolMiB} MiB)`);
      }
      if (r.jsHeapMiB - base.jsHeapMiB > heapTolMiB) {
        failures.push(`JS heap grew from ${fmt(base.jsHeapMiB, 2)} MiB at frame ${int(warmup)} ` +
          `to ${fmt(r.jsHeapMiB, 2)} MiB at frame ${int(r.frames)} (tolerance ${heapTolMiB} MiB)`);
      }
    }
    console.log(`growth after frame ${int(warmup)}: wasm memory ${fmt(last.wasmMiB - base.wasmMiB, 2)} MiB ` +
      `(tolerance ${wasmTolMiB}), JS heap ${fmt(last.jsHeapMiB - base.jsHeapMiB, 2)} MiB (tolerance ${heapTolMiB})`);
  }
  mkdirSync(join(ROOT, '.cache/soak'), { recursive: true });
  const out = join(ROOT, `.cache/soak/web-${frames}.json`);
  writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(), frames, every, warmup, pkg, info, rows, counts: last.counts, failures,
  }, null, 1));
  console.error(`results: ${out}`);
  if (failures.length) {
    exitCode = 1;
    console.error(`SOAK FAILED (${failures.length}):`);
    for (const f of failures.slice(0, 50)) console.error(`  ${f}`);
  } else {
    console.error('soak ok: no trap, every bad buffer refused with a code, memory flat after the warm-up');
  }
} catch (e) {
  exitCode = 1;
  console.error(`soak error: ${e.stack || e}`);
} finally {
  await browser.close();
  server.close();
}
process.exit(exitCode);
