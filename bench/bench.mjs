// The benchmark driver (Node). Run through `bash bench/run.sh`, which installs and builds what is missing.
// Generates the frames, measures sizes and the native CLI, then drives headless Chromium (system
// /usr/bin/chromium through playwright-core): one fresh page per peer and frame size, all in one browser,
// the same frames for every peer. Prints a markdown report to stdout; writes bench/results/latest.{json,md}.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { SCHEDULE, SIZES, FRAMES, SEED, BUDGET_BYTES } from './config.mjs';
import { ensureFrames } from './frames.mjs';
import { startServer } from './serve.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BENCH = join(ROOT, 'bench');
const SAMPLE = join(ROOT, '.cache/sample/astronaut.png');
const FRAMES_DIR = join(ROOT, '.cache/bench-frames');
const RESULTS = join(BENCH, 'results');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CLI = join(ROOT, 'target/release/photo-check');
const PKGS = ['pkg', 'pkg-nosimd'];
const MODELS = ['face_detection_short_range.nnef.tar', 'face_landmark.nnef.tar', 'selfie_segmentation.nnef.tar']
  .map((f) => join(ROOT, 'models', f));
const log = (m) => process.stderr.write(`[bench] ${m}\n`);

// ---------------------------------------------------------------------------------------------------
// arguments

const USAGE =
  `usage: bash bench/run.sh [--quick] [--detect-every N] [--segment-every N] [--only LIST] [--no-native]
  --quick            ${FRAMES.quick.warmup}+${FRAMES.quick.measured} frames per size, ` +
  `${FRAMES.quick.memory} memory frames (for iterating)
  --detect-every N   onnxruntime-web peer: detect on every Nth frame, track in between ` +
  `(default ${SCHEDULE.detectEvery}; bench/config.mjs)
  --segment-every N  onnxruntime-web peer: segment every Nth frame (default ${SCHEDULE.segmentEvery}; bench/config.mjs)
  --only LIST        comma-separated subset of: pc, pc-nosimd, cold, ort, mediapipe, memory, profile
  --no-native        skip the native CLI throughput`;
const argv = process.argv.slice(2);
const opt = { quick: false, schedule: { ...SCHEDULE }, only: null, native: true };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i], num = () => {
    const n = Number(argv[++i]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${a} needs a positive integer`);
    return n;
  };
  if (a === '--quick') opt.quick = true;
  else if (a === '--detect-every') opt.schedule.detectEvery = num();
  else if (a === '--segment-every') opt.schedule.segmentEvery = num();
  else if (a === '--only') opt.only = new Set(argv[++i].split(','));
  else if (a === '--no-native') opt.native = false;
  else if (a === '--help' || a === '-h') { console.log(USAGE); process.exit(0); }
  else { console.error(`unknown argument ${a}\n${USAGE}`); process.exit(2); }
}
const N = opt.quick ? FRAMES.quick : FRAMES.full;
const want = (k) => !opt.only || opt.only.has(k);

// ---------------------------------------------------------------------------------------------------
// statistics and formatting

function quantile(xs, q) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]; // nearest rank
}
const stat = (xs) => (xs.length ? { median: quantile(xs, 0.5), p95: quantile(xs, 0.95), n: xs.length } : null);
const f1 = (x) => (x == null ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const cell = (s) => (s ? `${f1(s.median)} / ${f1(s.p95)}` : '–');
const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;

function summarize(rows, keys) {
  const out = {};
  for (const k of keys) {
    const xs = rows.map((r) => r[k]).filter((x) => typeof x === 'number');
    out[k] = stat(xs);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// machine, sizes, native CLI

function machine() {
  const sh = (cmd, args) => {
    try { return execFileSync(cmd, args, { encoding: 'utf8' }).trim(); }
    catch { return null; }
  };
  const pkgVersion = (p) => {
    try { return JSON.parse(readFileSync(join(BENCH, 'node_modules', p, 'package.json'), 'utf8')).version; }
    catch { return null; }
  };
  return {
    nproc: Number(sh('nproc', [])) || availableParallelism(),
    cpu: cpus()[0]?.model,
    node: process.version,
    loadavgStart: loadavg().map((x) => +x.toFixed(2)),
    onnxruntimeWeb: pkgVersion('onnxruntime-web'),
    mediapipeFaceMesh: pkgVersion('@mediapipe/face_mesh'),
    playwrightCore: pkgVersion('playwright-core'),
    commit: sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
  };
}

function sizes() {
  const gz = (buf) => gzipSync(buf, { level: 9 }).length;
  const modelsBuf = Buffer.concat(MODELS.map((f) => readFileSync(f)));
  const models = { raw: modelsBuf.length, gzip: gz(modelsBuf) };
  const pkgs = {};
  for (const p of PKGS) {
    const f = join(ROOT, 'www', p, 'photo_check_bg.wasm');
    if (!existsSync(f)) { pkgs[p] = null; continue; }
    const b = readFileSync(f);
    const glue = readFileSync(join(ROOT, 'www', p, 'photo_check.js'));
    pkgs[p] = {
      raw: b.length, gzip: gz(b), glueRaw: glue.length, glueGzip: gz(glue),
      withModelsGzip: gz(b) + gz(glue) + models.gzip, targetFeatures: targetFeatures(b),
    };
  }
  return { models, pkgs, budget: BUDGET_BYTES };
}

/** The wasm's `target_features` custom section (what LLVM compiled with, e.g. +simd128), or null. */
function targetFeatures(bytes) {
  try {
    const sec = WebAssembly.Module.customSections(new WebAssembly.Module(bytes), 'target_features')[0];
    if (!sec) return null;
    const b = new Uint8Array(sec);
    let i = 0;
    const leb = () => {
      let r = 0, sh = 0, x;
      do { x = b[i++]; r |= (x & 127) << sh; sh += 7; } while (x & 128);
      return r;
    };
    const out = [];
    for (let n = leb(); n > 0; n--) {
      const prefix = String.fromCharCode(b[i++]);
      const len = leb();
      out.push(prefix + new TextDecoder().decode(b.subarray(i, i + len)));
      i += len;
    }
    return out;
  } catch { return null; }
}

/** The native CLI on one core: `taskset -c 0 photo-check check --json <frames>`, wall time for all. */
function native(files) {
  if (!existsSync(CLI)) return { error: `${relative(ROOT, CLI)} missing (run.sh builds it; --no-native skips)` };
  // one untimed pass over a few frames (page cache, CPU frequency)
  spawnSync('taskset', ['-c', '0', CLI, 'check', '--json', ...files.slice(0, 3)], { encoding: 'utf8' });
  const t0 = process.hrtime.bigint();
  const r = spawnSync('taskset', ['-c', '0', CLI, 'check', '--json', ...files], {
    encoding: 'utf8', maxBuffer: 1 << 28,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) {
    return { error: `photo-check exited ${r.status}: ${(r.stderr || '').slice(0, 300)}` };
  }
  const reports = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const errors = reports.filter((x) => x.error).length;
  const rows = reports.filter((x) => x.timing_ms).map((x) => ({ ...x.timing_ms, face: x.face ? 1 : 0 }));
  return {
    images: files.length, wall, imagesPerSecond: files.length / wall, errors,
    faces: rows.reduce((a, x) => a + x.face, 0),
    stats: summarize(rows, ['total', 'decode', 'detect', 'landmarks', 'segment', 'checks']),
  };
}

// ---------------------------------------------------------------------------------------------------
// browser runs

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

async function openPage(browser, base, frameUrls) {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') log(`  [page error] ${m.text().slice(0, 300)}`); });
  page.on('pageerror', (e) => log(`  [page error] ${e.message}`));
  await page.goto(`${base}/bench/page/index.html`);
  await page.waitForFunction(() => document.body?.dataset.ready === '1');
  await page.evaluate((urls) => window.bench.loadFrames(urls), frameUrls);
  return page;
}

async function inPage(browser, base, frameUrls, fn, args, timeoutMs = 20 * 60_000) {
  const page = await openPage(browser, base, frameUrls);
  let timer;
  try {
    return await Promise.race([
      page.evaluate(({ fn, args }) => window.bench[fn](args), { fn, args }),
      new Promise((_, fail) => {
        timer = setTimeout(() => fail(new Error(`${fn}: timed out after ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await page.close();
  }
}

const PC_KEYS = ['total', 'wasmTotal', 'decode', 'detect', 'landmarks', 'segment', 'checks'];
const ORT_KEYS = ['total', 'convert', 'detect', 'landmarks', 'segment'];

function plannedRuns(schedule) {
  const runs = [];
  for (const pkg of PKGS) {
    const k = pkg === 'pkg' ? 'pc' : 'pc-nosimd';
    if (!want(k)) continue;
    runs.push({
      id: `${pkg}-steady`,
      label: `photo-check wasm ${pkg === 'pkg' ? '+simd128' : 'without tract SIMD kernels'} (www/${pkg}), steady`,
      fn: 'runPhotoCheck', args: { pkg, mode: 'steady' }, keys: PC_KEYS, pkg,
    });
    if (want('cold')) runs.push({
      id: `${pkg}-cold`,
      label: `photo-check wasm ${pkg === 'pkg' ? '+simd128' : 'without tract SIMD kernels'} (www/${pkg}), ` +
        'cold (reset each frame)',
      fn: 'runPhotoCheck', args: { pkg, mode: 'cold' }, keys: PC_KEYS, pkg,
    });
  }
  if (want('ort')) runs.push({
    id: 'ort',
    label: 'onnxruntime-web wasm 1 thread, same 3 models ' +
      `(detect/${schedule.detectEvery}, segment/${schedule.segmentEvery})`,
    fn: 'runOrt', args: { schedule }, keys: ORT_KEYS,
  });
  if (want('mediapipe')) {
    runs.push({
      id: 'mediapipe', label: 'MediaPipe face_mesh (its defaults: WebGL inference, software GL here)',
      fn: 'runMediaPipe', args: { budgetMs: 40_000 }, keys: ['total'],
    });
    runs.push({
      id: 'mediapipe-cpu', label: 'MediaPipe face_mesh, useCpuInference: true (TFLite on wasm)',
      fn: 'runMediaPipe', args: { cpuInference: true }, keys: ['total'],
    });
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------------
// report

function markdown(res) {
  const L = [];
  const m = res.machine;
  L.push(`# photo-check benchmark (${res.quick ? 'quick' : 'full'} run, ${res.finishedAt})`, '');
  L.push(`Machine: ${m.nproc} cores (${m.cpu}), ${m.chromium}, Node ${m.node.slice(1)}, ` +
    `wasm SIMD ${m.wasmSimd ? 'yes' : 'no'}; load average ${m.loadavgStart.join(' ')} at start, ` +
    `${m.loadavgEnd?.join(' ')} at end. ` +
    `onnxruntime-web ${m.onnxruntimeWeb}, @mediapipe/face_mesh ${m.mediapipeFaceMesh}. Commit ${m.commit}.`);
  L.push(`Frames: the sample portrait in ${SIZES.map(([w, h]) => `${w}×${h}`).join(' and ')}, ` +
    `${res.frames.warmup} warm-up + ${res.frames.measured} measured per size and peer ` +
    `(seed ${SEED}; jitter and variants in bench/frames.mjs). ` +
    `onnxruntime-web schedule: detectEvery=${res.schedule.detectEvery}, ` +
    `segmentEvery=${res.schedule.segmentEvery}.`, '');
  L.push('Milliseconds per frame, median / p95. "total" is measured in JS around the call; ' +
    'for photo-check the stages are its own `timing_ms` ' +
    '(decode = RGBA copy into a frame; each model stage includes its own resizing), ' +
    'for onnxruntime-web "convert" is all JS pre-processing and each model stage is `session.run` + decoding.', '');
  for (const size of Object.keys(res.browser)) {
    L.push(`## ${size}`, '');
    L.push('| peer | n | faces | total | in-wasm total | decode / convert | detect | landmarks | segment | checks |');
    L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of res.browser[size]) {
      if (r.error) {
        L.push(`| ${r.label} | – | – | ${r.error.replace(/\|/g, '/').replace(/\n/g, ' ')} | | | | | | |`);
        continue;
      }
      const s = r.stats;
      L.push(`| ${r.label} | ${r.n}${r.stoppedEarly ? ' (time budget)' : ''} | ${r.faces}/${r.n} ` +
        `| **${cell(s.total)}** | ${cell(s.wasmTotal)} | ${cell(s.decode || s.convert)} | ${cell(s.detect)} ` +
        `| ${cell(s.landmarks)} | ${cell(s.segment)} | ${cell(s.checks)} |`);
    }
    const nat = res.native?.[size];
    if (nat) {
      if (nat.error) L.push(`| native CLI (taskset -c 0) | – | – | ${nat.error} | | | | | | |`);
      else {
        const s = nat.stats;
        L.push(`| native CLI \`check\` on PNG files, 1 core: **${nat.imagesPerSecond.toFixed(1)} images/s** (wall) ` +
          `| ${nat.images} | ${nat.faces}/${nat.images} | ${cell(s.total)} | | ${cell(s.decode)} (PNG decode) ` +
          `| ${cell(s.detect)} | ${cell(s.landmarks)} | ${cell(s.segment)} | ${cell(s.checks)} |`);
      }
    }
    L.push('');
  }
  L.push('## Start-up (first size, fresh page)', '');
  L.push('| peer | module/runtime load + compile | create (models) | first frame |', '|---|---:|---:|---:|');
  const first = Object.values(res.browser)[0] || [];
  for (const r of first) {
    if (r.error || !r.startup || r.id.endsWith('-cold')) continue;
    L.push(`| ${r.label} | ${f1(r.startup.initMs)} ms ` +
      `| ${r.startup.createMs != null ? `${f1(r.startup.createMs)} ms` : '–'} ` +
      `| ${r.startup.firstFrameMs != null ? `${f1(r.startup.firstFrameMs)} ms` : '–'} |`);
  }
  L.push('', 'onnxruntime-web fetches and compiles its .wasm inside the first `InferenceSession.create` ' +
    '(so in "create"); MediaPipe\'s `initialize()` (first column) loads its wasm and graph; ' +
    'its first `send` also sets up what initialize leaves for later (model load, WebGL shaders).', '');
  const z = res.sizes;
  L.push('## Download size (gzip -9)', '',
    '| what | raw | gzip | + models (gzip) | vs budget |', '|---|---:|---:|---:|---|');
  for (const [p, s] of Object.entries(z.pkgs)) {
    if (!s) { L.push(`| www/${p} | missing | | | |`); continue; }
    const simd = s.targetFeatures
      ? (s.targetFeatures.includes('+simd128') ? ', target_features +simd128' : ', no simd128 in target_features')
      : '';
    L.push(`| www/${p}/photo_check_bg.wasm (+ JS glue ${(s.glueGzip / 1e3).toFixed(1)} kB gzip${simd}) ` +
      `| ${mb(s.raw)} | ${mb(s.gzip)} | ${mb(s.withModelsGzip)} ` +
      `| ${s.withModelsGzip <= z.budget ? 'within' : 'over'} ${mb(z.budget)} ` +
      `by ${mb(Math.abs(z.budget - s.withModelsGzip))} |`);
  }
  L.push(`| the three models together | ${mb(z.models.raw)} | ${mb(z.models.gzip)} | | |`, '');
  if (res.memory) {
    L.push(`## Wasm memory over ${res.memory.frames} steady frames (${res.memory.size}, www/${res.memory.pkg})`, '');
    if (res.memory.error) L.push(res.memory.error, '');
    else {
      const s = res.memory.summary;
      L.push(`start ${mib(s.start)}, after create ${mib(s.afterCreate)}, after warm-up ${mib(s.afterWarmup)}, ` +
        `peak ${mib(s.peak)}, end ${mib(s.end)} ` +
        `(memory.buffer.byteLength, sampled every ${res.memory.every} frames). ` +
        `checkFrame median: first ${res.memory.every} frames ${f1(s.firstMedian)} ms, ` +
        `last ${res.memory.every} ${f1(s.lastMedian)} ms.`, '');
    }
  }
  if (res.profile) {
    L.push(`## Where tract spends the time (www/${res.profile.pkg}, \`profileNetworks(${res.profile.runs})\`, ` +
      'ms per run by op type)', '');
    if (res.profile.error) L.push(res.profile.error, '');
    else {
      L.push('Each network on its own, on a constant input, so the per-frame pre- and post-processing ' +
        'is not included. Ops above 5 % of their network:', '');
      L.push('| network | total | op type (nodes): ms |', '|---|---:|---|');
      for (const n of res.profile.networks) {
        const big = n.ops.filter((o) => o.ms >= 0.05 * n.total_ms).map((o) => `${o.op} (${o.nodes}): ${f1(o.ms)}`);
        L.push(`| ${n.model} | ${f1(n.total_ms)} | ${big.join('; ')} |`);
      }
      L.push('');
    }
  }
  if (res.notes.length) L.push('## Notes', '', ...res.notes.map((n) => `- ${n}`), '');
  return L.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// main

async function main() {
  const t0 = Date.now();
  const res = {
    quick: opt.quick, schedule: opt.schedule, frames: N, machine: machine(), browser: {}, native: {}, notes: [],
  };
  if (!existsSync(SAMPLE)) throw new Error(`${SAMPLE} missing: bash scripts/fetch-sample.sh`);
  // the full sequence is generated once; --quick uses its first frames (the sequence does not depend on its length)
  const count = N.warmup + N.measured;
  const sets = SIZES.map(([w, h]) => {
    const all = ensureFrames({
      samplePath: SAMPLE, dir: join(FRAMES_DIR, `${w}x${h}`), width: w, height: h,
      count: FRAMES.full.warmup + FRAMES.full.measured, seed: SEED, log,
    });
    return { key: `${w}×${h}`, files: all.files.slice(0, count) };
  });

  res.sizes = sizes();
  if (opt.native) {
    for (const set of sets) {
      log(`native CLI on ${set.files.length} ${set.key} frames`);
      res.native[set.key] = native(set.files);
    }
  } else res.native = null;

  const { server, url: base } = await startServer(ROOT, { log });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    res.machine.chromium = `Chromium ${browser.version()}`;
    const runs = plannedRuns(opt.schedule);
    for (const set of sets) {
      const urls = set.files.map((f) => '/' + relative(ROOT, f));
      const out = (res.browser[set.key] = []);
      for (const run of runs) {
        if (run.pkg && !res.sizes.pkgs[run.pkg]) {
          out.push({ id: run.id, label: run.label, error: `www/${run.pkg} missing` });
          continue;
        }
        const t = Date.now();
        log(`${set.key}: ${run.label} …`);
        try {
          const r = await inPage(browser, base, urls, run.fn, { ...run.args, warmup: N.warmup });
          if (r.error) {
            out.push({ id: run.id, label: run.label, error: r.error, info: r.info });
            log(`  error: ${r.error}`);
            continue;
          }
          const faces = r.rows.reduce((a, x) => a + (x.face || 0), 0);
          out.push({
            id: run.id, label: run.label, n: r.rows.length, faces, stats: summarize(r.rows, run.keys),
            startup: r.startup, memory: r.memory, info: r.info, stoppedEarly: r.stoppedEarly || false,
            firstBox: r.firstBox, firstMaskMean: r.firstMaskMean, raw: r.rows.map((x) => +x.total.toFixed(3)),
          });
          log(`  ${r.rows.length} frames, total median ${f1(quantile(r.rows.map((x) => x.total), 0.5))} ms, ` +
            `faces ${faces}/${r.rows.length} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
        } catch (e) {
          const msg = String(e.message || e).split('\n')[0].slice(0, 300);
          out.push({ id: run.id, label: run.label, error: msg });
          log(`  failed: ${msg}`);
        }
      }
    }
    if (want('memory') && res.sizes.pkgs.pkg) {
      const set = sets[sets.length - 1];
      const urls = set.files.map((f) => '/' + relative(ROOT, f));
      res.memory = { pkg: 'pkg', size: set.key, frames: N.memory, every: N.memoryEvery };
      log(`memory: ${N.memory} steady frames at ${set.key} (www/pkg) …`);
      try {
        const r = await inPage(browser, base, urls, 'runMemory', {
          pkg: 'pkg', total: N.memory, every: N.memoryEvery, warmup: N.warmup,
        });
        const bytes = r.samples.map((s) => s.bytes);
        res.memory.samples = r.samples;
        res.memory.summary = {
          start: r.samples[0].bytes, afterCreate: r.samples[1].bytes,
          afterWarmup: r.samples.find((s) => s.what === 'after warm-up')?.bytes,
          peak: Math.max(...bytes), end: bytes[bytes.length - 1],
          firstMedian: quantile(r.firstTimes, 0.5), lastMedian: quantile(r.lastTimes, 0.5),
        };
      } catch (e) { res.memory.error = String(e.message || e).split('\n')[0]; }
    }
    if (want('profile') && res.sizes.pkgs.pkg) {
      const set = sets[0];
      log(`profile: tract op types, ${N.profileRuns} runs per network (www/pkg) …`);
      try {
        res.profile = {
          pkg: 'pkg', runs: N.profileRuns,
          ...(await inPage(
            browser, base, set.files.slice(0, 1).map((f) => '/' + relative(ROOT, f)), 'runProfile',
            { pkg: 'pkg', runs: N.profileRuns },
          )),
        };
      } catch (e) { res.profile = { error: String(e.message || e).split('\n')[0] }; }
    }
    const f = await (await browser.newPage()).evaluate(() => ({
      simd: WebAssembly.validate(new Uint8Array([
        0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
      ])),
    }));
    res.machine.wasmSimd = f.simd;
  } finally {
    await browser.close();
    server.close();
  }
  res.machine.loadavgEnd = loadavg().map((x) => +x.toFixed(2));
  res.notes.push(...notes(res));
  res.finishedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  res.seconds = Math.round((Date.now() - t0) / 1000);
  const md = markdown(res) + `\nBenchmark wall time: ${res.seconds} s.\n`;
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify(res, null, 1));
  writeFileSync(join(RESULTS, 'latest.md'), md);
  process.stdout.write(md);
  log(`wrote ${relative(ROOT, join(RESULTS, 'latest.json'))} and latest.md`);
}

function notes(res) {
  const n = [];
  const busy = Math.max(...res.machine.loadavgStart.slice(0, 1), ...(res.machine.loadavgEnd || []).slice(0, 1));
  if (busy > res.machine.nproc) {
    n.push(`The machine was busy (load average up to ${busy} on ${res.machine.nproc} cores): ` +
      'other processes shared the CPU, so the numbers are noisier and slower than on an idle machine.');
  }
  const same = res.sizes.pkgs.pkg && res.sizes.pkgs['pkg-nosimd'] &&
    readFileSync(join(ROOT, 'www/pkg/photo_check_bg.wasm'))
      .equals(readFileSync(join(ROOT, 'www/pkg-nosimd/photo_check_bg.wasm')));
  if (same) n.push('www/pkg and www/pkg-nosimd hold the same .wasm: their rows measure the same module.');
  for (const [size, rows] of Object.entries(res.browser)) {
    const pc = rows.find((r) => r.id === 'pkg-steady')?.firstBox, ort = rows.find((r) => r.id === 'ort')?.firstBox;
    if (pc && ort) {
      n.push(`${size}, first frame's face box [x, y, w, h]: ` +
        `photo-check [${pc.map((v) => Math.round(v)).join(', ')}], ` +
        `onnxruntime-web [${ort.map((v) => Math.round(v)).join(', ')}] (the two pipelines see the same face).`);
    }
  }
  const gl = Object.values(res.browser).flat().find((r) => r.info?.webgl)?.info.webgl;
  if (gl) {
    n.push('WebGL here is software (no GPU, --disable-gpu; headless Chromium falls back to SwiftShader): ' +
      `renderer "${gl}". MediaPipe feeds every frame through WebGL even with useCpuInference, so its rows include ` +
      `a software texture upload and read-back that a phone's GPU would do much faster.`);
  }
  n.push('MediaPipe face_mesh does detection (only when its tracking is lost) and landmarks, no segmentation ' +
    'and no checks: its row is not the same work as the others.');
  n.push('The native CLI checks each file as a still photo (PNG decode, no tracking, landmarks refined twice), ' +
    'one process for all frames, pinned to core 0; images/s includes model loading once.');
  return n;
}

main().catch((e) => { console.error(e); process.exit(1); });
